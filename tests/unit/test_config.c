/* test_config.c - unit tests of cenv.cfg: value escaping, long values, reading back, errors. */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/cenv-config-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static char *write_text(const char *name, const char *text)
{
	char *path = path_join(dir, name);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	return path;
}

static void test_escape_round_trip(void **state)
{
	const char *values[] = { "plain", " lead", "trail ", "a;b", "#x", "q\"q", "b\\s", "t\tab",
				 "\\x41 literal", "é", "" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *e = config_escape(values[i], 0), *u = config_unescape(e);

		assert_null(strpbrk(e, ";#\"\t"));
		assert_string_equal(u, values[i]);
		free(e);
		free(u);
	}
}

static void test_write_read(void **state)
{
	struct env_config in = { 0 }, out;
	struct strbuf longp = STRBUF_INIT;
	char *path = path_join(dir, "cenv.cfg");
	int i;

	(void)state;
	sb_adds(&longp, "/very");
	for (i = 0; i < 60; i++)
		sb_adds(&longp, "/long dir;#\\");
	in.version = "1.2.3";
	in.prefix = longp.buf;
	in.created = "2026-01-01T00:00:00Z";
	in.prompt = " p;r#o\"m\\pt ";
	in.cc = "ccache gcc";
	in.command = "cenv create 'x y'";
	in.isolated = 1;
	assert_int_equal(config_write(path, &in, 0), 0);
	assert_int_equal(config_read(path, &out), 0);
	assert_string_equal(out.version, in.version);
	assert_string_equal(out.prefix, in.prefix);
	assert_string_equal(out.prompt, in.prompt);
	assert_string_equal(out.cc, in.cc);
	assert_string_equal(out.command, in.command);
	assert_int_equal(out.isolated, 1);
	config_release(&out);
	sb_release(&longp);
	free(path);
}

static void test_errors(void **state)
{
	struct env_config cfg;
	char *path;

	(void)state;
	path = path_join(dir, "missing.cfg");
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "cannot open"));
	free(path);
	path = write_text("bad.cfg", "[cenv]\nthis line is not ini\n");
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "bad.cfg:2"));
	free(path);
	path = write_text("other.cfg", "[other]\nprefix = /x\n");
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "unknown section [other]"));
	free(path);
	path = write_text("partial.cfg", "[cenv]\nprefix = relative\nprompt = x\nversion = 1\n");
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "not a cenv configuration"));
	free(path);
	path = write_text("future.cfg", "[cenv]\nversion = 9\nprefix = /x\nprompt = p\nnewkey = 1\n");
	assert_int_equal(config_read(path, &cfg), 0);
	assert_null(cfg.cc);
	assert_int_equal(cfg.isolated, 0);
	config_release(&cfg);
	free(path);
}

/* cenv.cfg read through inifile: a value of any length on one line; never a FIFO; 1 MiB at most. */
static void test_read_hardened(void **state)
{
	struct env_config cfg;
	struct strbuf text = STRBUF_INIT;
	char *path, *longp;
	int i;

	(void)state;
	longp = xmalloc(8193);
	longp[0] = '/';
	for (i = 1; i < 8192; i++)
		longp[i] = i % 100 ? 'p' : '/';
	longp[8192] = '\0';
	sb_addf(&text, "[cenv]\nversion = 1\nprefix = %s\nprompt = p\n", longp);
	path = write_text("long.cfg", text.buf);
	assert_int_equal(config_read(path, &cfg), 0);
	assert_string_equal(cfg.prefix, longp);
	config_release(&cfg);
	free(path);
	path = path_join(dir, "fifo.cfg");
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(config_read(path, &cfg), -1);
	alarm(0);
	assert_non_null(strstr(last_error(), "is a fifo, not a regular file"));
	free(path);
	path = write_text("big.cfg", text.buf);
	assert_int_equal(truncate(path, (off_t)2 << 20), 0);
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "is larger than the limit of 1 MiB"));
	free(path);
	path = write_text("section.cfg", "[cenv] junk\nversion = 1\n");
	assert_int_equal(config_read(path, &cfg), -1);
	assert_non_null(strstr(last_error(), "section.cfg:1: unexpected text after ']'"));
	free(path);
	sb_release(&text);
	free(longp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_round_trip),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_read_hardened),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
