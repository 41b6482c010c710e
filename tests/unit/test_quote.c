/* test_quote.c - unit tests of shell quoting: exact forms, and round trips through real shells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "quote.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static const char *const hostile[] = {
	"plain", "", "sp ace", "it's", "\"dq\"", "$HOME", "$(touch /tmp/cenv-pwned)", "`id`",
	"a&b;c|d", "bang!x", "back\\slash", "tab\there", "é ü 漢字", "*?[a]{b,c}~", "'", "''\\'",
	"%s%n", "end\\",
};

static char *quote_with(void (*q)(struct strbuf *, const char *), const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	q(&sb, s);
	return sb_detach(&sb);
}

static void test_sh_forms(void **state)
{
	char *q;

	(void)state;
	q = quote_with(quote_sh, "it's");
	assert_string_equal(q, "'it'\\''s'");
	free(q);
	q = quote_with(quote_fish, "a'b\\c");
	assert_string_equal(q, "'a\\'b\\\\c'");
	free(q);
	q = quote_with(quote_csh, "a!b'c");
	assert_string_equal(q, "'a\\!b'\\''c'");
	free(q);
}

/* Runs SHELL on a script that prints the quoted word, and compares with the original. */
static void round_trip(const char *shell, void (*q)(struct strbuf *, const char *), const char *printer)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		char path[] = "/tmp/cenv-quote-XXXXXX";
		int fd = mkstemp(path);
		struct strbuf script = STRBUF_INIT, out = STRBUF_INIT;
		char *word = quote_with(q, hostile[i]), *cmd, buf[512];
		FILE *p;
		size_t n;

		assert_true(fd >= 0);
		sb_addf(&script, printer, word);
		assert_int_equal(write(fd, script.buf, script.len), (ssize_t)script.len);
		close(fd);
		cmd = xasprintf("%s %s 2>&1", shell, path);
		p = popen(cmd, "r");
		assert_non_null(p);
		while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
			sb_add(&out, buf, n);
		pclose(p);
		if (strcmp(sb_str(&out), hostile[i]))
			fail_msg("%s: %s read back as [%s], wanted [%s]", shell, word, sb_str(&out), hostile[i]);
		unlink(path);
		free(cmd);
		free(word);
		sb_release(&script);
		sb_release(&out);
	}
}

static void test_sh_round_trip(void **state)
{
	(void)state;
	round_trip("sh", quote_sh, "printf '%%s' %s\n");
	round_trip("bash", quote_sh, "printf '%%s' %s\n");
	round_trip("zsh", quote_sh, "printf '%%s' %s\n");
}

static void test_fish_round_trip(void **state)
{
	(void)state;
	round_trip("fish", quote_fish, "printf '%%s' %s\n");
}

static void test_csh_round_trip(void **state)
{
	(void)state;
	round_trip("tcsh", quote_csh, "set v = %s\nprintf '%%s' \"$v\"\n");
}

static void test_prompt_escapes(void **state)
{
	char *s;

	(void)state;
	s = prompt_escape_zsh("50%~");
	assert_string_equal(s, "50%%~");
	free(s);
	s = prompt_escape_bash("a\\w");
	assert_string_equal(s, "a\\\\w");
	free(s);
	s = prompt_escape_tcsh("%!");
	assert_string_equal(s, "%%\\!");
	free(s);
}

static void test_control_chars(void **state)
{
	char *s;

	(void)state;
	assert_true(has_control_char("a\nb"));
	assert_true(has_control_char("\x7f"));
	assert_false(has_control_char("é ü"));
	s = printable("a\nb\tc\x01");
	assert_string_equal(s, "a\\nb\\tc\\x01");
	free(s);
	/* a bidi override, a C1 control, an escape code: shown, not obeyed; é as it is */
	s = printable("\x1b[2J\xe2\x80\xaegnp.exe\xc2\x9b\r\xc3\xa9");
	assert_string_equal(s, "\\x1b[2J\\xe2\\x80\\xaegnp.exe\\xc2\\x9b\\x0d\xc3\xa9");
	free(s);
}

static void test_shell_names(void **state)
{
	enum shell sh;

	(void)state;
	assert_int_equal(shell_from_name("zsh", &sh), 0);
	assert_int_equal(sh, SHELL_SH);
	assert_int_equal(shell_from_name("tcsh", &sh), 0);
	assert_int_equal(sh, SHELL_CSH);
	assert_int_equal(shell_from_name("fish", &sh), 0);
	assert_int_equal(sh, SHELL_FISH);
	assert_int_equal(shell_from_name("pwsh", &sh), -1);
}

/* One quoter for the command lines cenv writes (cenv.cfg, records, build logs). */
static void test_sh_words(void **state)
{
	char *words[] = { "./configure", "--prefix=/a b", "CFLAGS=-O2 -g", "x:y@z%,+", "", "it's", NULL };
	char *line;

	(void)state;
	line = quote_sh_words(words, 6);
	assert_string_equal(line, "./configure '--prefix=/a b' 'CFLAGS=-O2 -g' x:y@z%,+ '' 'it'\\''s'");
	free(line);
	line = quote_sh_words(words, 0);
	assert_string_equal(line, "");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sh_forms),
		cmocka_unit_test(test_sh_round_trip),
		cmocka_unit_test(test_fish_round_trip),
		cmocka_unit_test(test_csh_round_trip),
		cmocka_unit_test(test_prompt_escapes),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_shell_names),
		cmocka_unit_test(test_sh_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
