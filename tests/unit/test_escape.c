/* test_escape.c - unit tests of the \xHH escaping: exact forms, round trips of hostile strings, names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The two file forms, as records (and the journal) and cenv.cfg use them. */
#define RECORD_SPECIAL "\\"
#define RECORD_FLAGS (ESC_CONTROL | ESC_SPACE)
#define CONFIG_SPECIAL "\\;#\""
#define CONFIG_FLAGS (ESC_CONTROL | ESC_EDGE_SPACE)

static const char *const hostile[] = {
	"plain", "", " ", "  both ends  ", "\\", "end\\", "\\x41", "\\x00", "\\xzz", "a;b#c\"d",
	"new\nline", "t\tab", "\r\n", "\x01\x02\x1f", "\x7f", "é ü 日本", "\xff\x80\xfe",
	"; comment", "# comment", "\"quoted\"",
};

static void check_escaped(const char *in, const char *special, unsigned flags, const char *want)
{
	char *e = escape(in, special, flags);

	assert_string_equal(e, want);
	free(e);
}

static void test_exact_forms(void **state)
{
	(void)state;
	/* records: with spaces (file lines) and without (headers) */
	check_escaped("a b\\c\n", RECORD_SPECIAL, RECORD_FLAGS, "a\\x20b\\x5cc\\x0a");
	check_escaped(" a b ", RECORD_SPECIAL, ESC_CONTROL, " a b ");
	check_escaped("\t\x01\x1f\x7f", RECORD_SPECIAL, ESC_CONTROL, "\\x09\\x01\\x1f\\x7f");
	check_escaped("a;b#c\"d", RECORD_SPECIAL, RECORD_FLAGS, "a;b#c\"d");
	check_escaped("é", RECORD_SPECIAL, RECORD_FLAGS, "\xc3\xa9");
	/* cenv.cfg: ; # " and a space at either end, but not in the middle */
	check_escaped(" a;b#c\"d ", CONFIG_SPECIAL, CONFIG_FLAGS, "\\x20a\\x3bb\\x23c\\x22d\\x20");
	check_escaped("a b", CONFIG_SPECIAL, CONFIG_FLAGS, "a b");
	check_escaped(" ", CONFIG_SPECIAL, CONFIG_FLAGS, "\\x20");
	check_escaped("a b", CONFIG_SPECIAL, CONFIG_FLAGS | ESC_SPACE, "a\\x20b");
	check_escaped("b\\s\tx", CONFIG_SPECIAL, CONFIG_FLAGS, "b\\x5cs\\x09x");
	/* messages: \n and \t by name, the backslash left alone */
	check_escaped("a\nb\tc\x01\x7f\\", "", ESC_CONTROL | ESC_NAMED_NL | ESC_NAMED_TAB,
		      "a\\nb\\tc\\x01\\x7f\\");
	/* nothing asked, nothing escaped */
	check_escaped("a\n\\", "", 0, "a\n\\");
}

static void round_trip(const char *special, unsigned flags, unsigned unflags, const char *forbidden)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char *e = escape(hostile[i], special, flags), *u = unescape(e, unflags);

		assert_null(strpbrk(e, forbidden));
		assert_non_null(u);
		assert_string_equal(u, hostile[i]);
		/* bytes from 0x80 pass as they are */
		if (strstr(hostile[i], "\xc3\xa9"))
			assert_non_null(strstr(e, "\xc3\xa9"));
		free(e);
		free(u);
	}
}

static void test_round_trips(void **state)
{
	(void)state;
	round_trip(RECORD_SPECIAL, RECORD_FLAGS, ESC_STRICT, " \n\t\r\x01\x1f\x7f");
	round_trip(RECORD_SPECIAL, ESC_CONTROL, ESC_STRICT, "\n\t\r\x01\x1f\x7f");
	round_trip(CONFIG_SPECIAL, CONFIG_FLAGS, 0, ";#\"\n\t\r\x01\x1f\x7f");
	round_trip(CONFIG_SPECIAL, CONFIG_FLAGS | ESC_SPACE, 0, " ;#\"\n\t\x7f");
}

static void check_unescaped(const char *text, unsigned flags, const char *want)
{
	char *u = unescape(text, flags);

	if (!want) {
		assert_null(u);
		return;
	}
	assert_non_null(u);
	assert_string_equal(u, want);
	free(u);
}

static void test_unescape(void **state)
{
	(void)state;
	check_unescaped("\\x41\\x4a\\x4A\\x20z", ESC_STRICT, "AJJ z");
	check_unescaped("\\x41\\x4a\\x4A\\x20z", 0, "AJJ z");
	/* strict (records): every backslash starts \xHH, and never \x00 */
	check_unescaped("a\\qb", ESC_STRICT, NULL);
	check_unescaped("a\\x4", ESC_STRICT, NULL);
	check_unescaped("a\\x4g", ESC_STRICT, NULL);
	check_unescaped("a\\x00b", ESC_STRICT, NULL);
	check_unescaped("trailing\\", ESC_STRICT, NULL);
	/* lenient (cenv.cfg, edited by hand): what is no escape stays as written */
	check_unescaped("a\\qb", 0, "a\\qb");
	check_unescaped("a\\x4", 0, "a\\x4");
	check_unescaped("trailing\\", 0, "trailing\\");
	check_unescaped("\\\\x41", 0, "\\A");
}

static char *name_of(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	escape_name(&sb, s);
	return sb_detach(&sb);
}

static void check_name(const char *in, const char *want)
{
	char *shown = name_of(in);

	assert_string_equal(shown, want);
	free(shown);
}

static void test_names(void **state)
{
	char in[300], want[300];
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	check_name("a\nb\tc\x7f\\é", "a\\nb\\x09c\\x7f\\é");
	check_name("", "");
	/* exactly the limit: no mark */
	memset(in, 'x', 200);
	in[200] = '\0';
	check_name(in, in);
	/* one byte more: cut, marked */
	memset(want, 'x', 200);
	strcpy(want + 200, "...");
	in[200] = 'y';
	in[201] = '\0';
	check_name(in, want);
	/* an escape that crosses the limit is written whole, then the mark */
	memset(in, 'x', 199);
	strcpy(in + 199, "\nyz");
	memset(want, 'x', 199);
	strcpy(want + 199, "\\n...");
	check_name(in, want);
	/* ...unless nothing is left */
	in[200] = '\0';
	memset(want, 'x', 199);
	strcpy(want + 199, "\\n");
	check_name(in, want);
	/* appended: the limit counts what this call adds */
	sb_adds(&sb, "entry ");
	memset(in, 'x', 250);
	in[250] = '\0';
	escape_name(&sb, in);
	assert_int_equal(sb.len, strlen("entry ") + 200 + 3);
	assert_int_equal(strncmp(sb_str(&sb), "entry xxx", 9), 0);
	assert_string_equal(sb_str(&sb) + sb.len - 4, "x...");
	sb_release(&sb);
}

/* ESC_UNICODE_CONTROL: the C1 and bidi controls' bytes as \xHH; other UTF-8 as it is */
static void test_unicode_controls(void **state)
{
	static const char *const controls[][2] = {
		{ "\xe2\x80\xae", "\\xe2\\x80\\xae" }, /* U+202E RIGHT-TO-LEFT OVERRIDE */
		{ "\xe2\x80\xaa", "\\xe2\\x80\\xaa" }, /* U+202A */
		{ "\xe2\x80\x8f", "\\xe2\\x80\\x8f" }, /* U+200F RIGHT-TO-LEFT MARK */
		{ "\xe2\x81\xa6", "\\xe2\\x81\\xa6" }, /* U+2066 LEFT-TO-RIGHT ISOLATE */
		{ "\xe2\x81\xa9", "\\xe2\\x81\\xa9" }, /* U+2069 */
		{ "\xd8\x9c", "\\xd8\\x9c" },             /* U+061C ARABIC LETTER MARK */
		{ "\xc2\x9b", "\\xc2\\x9b" },             /* U+009B, the C1 CSI */
		{ "\xc2\x80", "\\xc2\\x80" },             /* U+0080 */
	};
	/* their neighbours pass: U+202F, U+2065, U+200D, U+00A0, U+061B, é */
	static const char *const plain[] = { "\xe2\x80\xaf", "\xe2\x81\xa5", "\xe2\x80\x8d", "\xc2\xa0",
					     "\xd8\x9b", "\xc3\xa9" };
	size_t i;
	char *u;

	(void)state;
	for (i = 0; i < sizeof(controls) / sizeof(controls[0]); i++) {
		char *in = xasprintf("a%sb", controls[i][0]), *want = xasprintf("a%sb", controls[i][1]);

		check_escaped(in, "", ESC_UNICODE_CONTROL, want);
		check_name(in, want);
		free(in);
		free(want);
	}
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		check_escaped(plain[i], "", ESC_UNICODE_CONTROL, plain[i]);
	/* without the flag they pass; a cut sequence at the end is no control */
	check_escaped("\xe2\x80\xae", "", ESC_CONTROL, "\xe2\x80\xae");
	check_escaped("x\xe2\x80", "", ESC_UNICODE_CONTROL, "x\xe2\x80");
	/* with ESC_CONTROL too; unescape reads it back */
	check_escaped("\x1b]0;\xe2\x80\xae\n", "", ESC_CONTROL | ESC_UNICODE_CONTROL, "\\x1b]0;\\xe2\\x80\\xae\\x0a");
	u = unescape("\\x1b]0;\\xe2\\x80\\xae\\x0a", ESC_STRICT);
	assert_string_equal(u, "\x1b]0;\xe2\x80\xae\n");
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_forms),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_unicode_controls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
