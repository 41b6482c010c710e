/* test_inifile.c - unit tests of inifile: items and their lines, long values through inih, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "inifile.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Every item as a line "LINE [SECTION] KEY=VALUE" (or "LINE [SECTION]" for a header). */
static int collect(void *user, const struct ini_item *it)
{
	struct strbuf *sb = user;

	if (!it->key)
		sb_addf(sb, "%d [%s]\n", it->line, it->section);
	else
		sb_addf(sb, "%d [%s] %s=%s\n", it->line, it->section, it->key, it->value ? it->value : "(null)");
	return 0;
}

static char *items(const char *text, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;

	if (ini_parse_text(text, strlen(text), "t.ini", flags, collect, &sb) < 0)
		fail_msg("unexpected failure: %s", last_error());
	return sb_detach(&sb);
}

static void test_items(void **state)
{
	char *got;

	(void)state;
	got = items("; comment\n[a]\nk = v ; inline\n\n  [b]   # c\nx:y\n[a]\n", INIFILE_FLAT);
	assert_string_equal(got, "2 [a]\n3 [a] k=v\n5 [b]\n6 [b] x=y\n7 [a]\n");
	free(got);
	/* flat: an indented line is a key of its own; not flat: it continues the last value */
	got = items("[a]\nk = 1\n  j = 2\n", INIFILE_FLAT);
	assert_string_equal(got, "1 [a]\n2 [a] k=1\n3 [a] j=2\n");
	free(got);
	got = items("[a]\nk = 1\n  more\n", 0);
	assert_string_equal(got, "1 [a]\n2 [a] k=1\n3 [a] k=more\n");
	free(got);
}

/* n bytes of c. */
static char *run_of(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_long(void **state)
{
	static const size_t sizes[] = { 150, 300, 4096, 8192, 60000 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		char *v = run_of('v', sizes[i]), *name = run_of('s', 100);
		char *text = xasprintf("[%s]\nkey = %s   ; comment\n  cont %s  \nnext = 1\n", name, v, v);
		char *want = xasprintf("1 [%s]\n2 [%s] key=%s\n3 [%s] key=cont %s\n4 [%s] next=1\n", name,
				       name, v, name, v, name);
		char *got = items(text, 0);

		assert_string_equal(got, want);
		free(got);
		free(text);
		free(want);
		free(v);
		free(name);
	}
	/* the token byte in a value is the value's own */
	{
		char *got = items("[a]\nk = \x01\nj = x\x01y\n", INIFILE_FLAT);

		assert_string_equal(got, "1 [a]\n2 [a] k=\x01\n3 [a] j=x\x01y\n");
		free(got);
	}
}

static void expect_error(const char *text, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(ini_parse_text(text, len, "t.ini", INIFILE_FLAT, collect, &sb), -1);
	if (strcmp(last_error(), want))
		fail_msg("got '%s', want '%s'", last_error(), want);
	sb_release(&sb);
}

static int refuse_j(void *user, const struct ini_item *it)
{
	(void)user;
	if (it->key && !strcmp(it->key, "j"))
		return (fail)("%s:%d: no j", it->file, it->line);
	return 0;
}

static void test_errors(void **state)
{
	char *v = run_of('v', INIFILE_LINE_MAX), *text;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	expect_error("[a\n", 3, "t.ini:1: missing ']' in section header");
	expect_error("[a] x\n", 6, "t.ini:1: unexpected text after ']'");
	expect_error("[a]\nk = a\0b\n", 10, "t.ini:2: NUL byte in line");
	expect_error("[a]\nnot a pair\n", 15, "t.ini:2: syntax error: expected '[section]' or 'key = value'");
	text = xasprintf("[a]\nk = %s\n", v);
	expect_error(text, strlen(text), "t.ini:2: line too long (more than 65536 bytes)");
	free(text);
	/* a long line with no '=' is refused as a short one is */
	text = xasprintf("[a]\n%s\n", v + 10);
	expect_error(text, strlen(text), "t.ini:2: syntax error: expected '[section]' or 'key = value'");
	free(text);
	/* the handler's error stops; a syntax error on an earlier line wins */
	assert_int_equal(ini_parse_text("[a]\nj = 1\nk = 2\n", 14, "t.ini", 0, refuse_j, &sb), -1);
	assert_string_equal(last_error(), "t.ini:2: no j");
	assert_int_equal(ini_parse_text("[a]\nbad\nj = 1\n", 14, "t.ini", 0, refuse_j, &sb), -1);
	assert_string_equal(last_error(), "t.ini:2: syntax error: expected '[section]' or 'key = value'");
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
