/* test_steplog.c - unit tests of what a failed step's log says: the path it could not write,
 * that it had no network, and its lines that look like errors. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steplog.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The path steplog_denied_write reads from text written to a log, from offset from. */
static char *denied_in(const char *text, off_t from)
{
	char path[] = "/tmp/cenv-test-sandbox-log.XXXXXX";
	int fd = mkstemp(path);
	char *found;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	found = steplog_denied_write(fd, from);
	close(fd);
	unlink(path);
	return found;
}

static void expect_denied(const char *line, const char *want)
{
	char *got = denied_in(line, 0);

	if (!want) {
		assert_null(got);
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_denied_write(void **state)
{
	(void)state;
	/* what coreutils, dash, bash, python and make say (C and UTF-8 locales) */
	expect_denied("install: cannot create regular file '/usr/local/bin/lua': Read-only file system\n",
		      "/usr/local/bin/lua");
	expect_denied("mkdir: cannot create directory \xe2\x80\x98/usr/local/share/x\xe2\x80\x99: Read-only file system\n",
		      "/usr/local/share/x");
	expect_denied("/bin/sh: 1: cannot create /home/u/.config/x: Read-only file system\n", "/home/u/.config/x");
	expect_denied("bash: line 1: /etc/ld.so.cache~: Read-only file system\n", "/etc/ld.so.cache~");
	expect_denied("OSError: [Errno 30] Read-only file system: '/opt/x/y.py'\n", "/opt/x/y.py");
	expect_denied("touch: cannot touch '/var/tmp/stray': Read-only file system", "/var/tmp/stray");
	expect_denied("ln: failed to create symbolic link '/usr/lib/libz.so': Read-only file system\n",
		      "/usr/lib/libz.so");
	/* the first of several; a line before it that says something else is passed over */
	expect_denied("cc -c x.c\ncp: cannot create regular file '/a/b': Read-only file system\n"
		      "cp: cannot create regular file '/c/d': Read-only file system\n", "/a/b");
	/* nothing of the kind */
	expect_denied("make: *** [Makefile:2: all] Error 1\n", NULL);
	expect_denied("", NULL);
	expect_denied("Read-only file system\n", NULL);
	/* only what the step wrote: an earlier step's line, before the offset, is not its */
	{
		const char *text = "cp: cannot create regular file '/old': Read-only file system\nmake: Error 2\n";
		char *got = denied_in(text, (off_t)strcspn(text, "\n") + 1);

		assert_null(got);
	}
}

static void test_network_denied(void **state)
{
	char path[] = "/tmp/cenv-test-sandbox-net.XXXXXX";
	static const char text[] = "curl: (6) Could not resolve host: example.org\n";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	assert_int_equal(steplog_network_denied(fd, 0), 1);
	assert_int_equal(steplog_network_denied(fd, (off_t)sizeof(text) - 1), 0);
	assert_int_equal(write(fd, "connect: Network is unreachable\n", 32), 32);
	assert_int_equal(steplog_network_denied(fd, (off_t)sizeof(text) - 1), 1);
	close(fd);
	unlink(path);
}

static void expect_error(const char *line, int want)
{
	if (steplog_is_error(line, strlen(line)) != want)
		fail_msg("'%s': wanted %s", line, want ? "an error line" : "no error line");
}

static void test_is_error(void **state)
{
	(void)state;
	/* what the tools say when they fail (gcc, clang, ld, make, configure, CMake, Meson, ninja, sh, python) */
	expect_error("src/x.c:12:3: error: 'foo' undeclared (first use in this function)", 1);
	expect_error("x.c:1:10: fatal error: zlib.h: No such file or directory", 1);
	expect_error("/usr/bin/ld: x.o: in function `main': x.c:(.text+0x5): undefined reference to `foo'", 1);
	expect_error("collect2: error: ld returned 1 exit status", 1);
	expect_error("/usr/bin/ld: cannot find -lfoo: No such file or directory", 1);
	expect_error("make: *** [Makefile:2: all] Error 1", 1);
	expect_error("make[1]: *** No rule to make target 'foo.c', needed by 'foo.o'.  Stop.", 1);
	expect_error("configure: error: C compiler cannot create executables", 1);
	expect_error("CMake Error at CMakeLists.txt:40 (message):", 1);
	expect_error("meson.build:3:0: ERROR: Dependency \"foo\" not found, tried pkgconfig", 1);
	expect_error("Meson encountered an error in file meson.build, line 3, column 0:", 1);
	expect_error("FAILED: src/libfoo.so.p/a.c.o ", 1);
	expect_error("/bin/sh: 1: autopoint: command not found", 1);
	expect_error("ModuleNotFoundError: No module named 'foo'", 1);
	expect_error("ERROR", 1);
	/* what they say when nothing is wrong, and cenv's own lines */
	expect_error("checking for strerror_r... yes", 0);
	expect_error("checking whether error_at_line works... no", 0);
	expect_error("gcc -O2 -Werror -c error.c -o error.o", 0);
	expect_error("cc -c src/Error.c -DHAVE_ERROR_H", 0);
	expect_error("-- Looking for strerror - found", 0);
	expect_error("make: [Makefile:5: clean] Error 1 (ignored)", 0);
	expect_error("warning: unused variable 'errors' [-Wunused-variable]", 0);
	expect_error("$ cd /w/src && make 'CFLAGS=-DERROR: x' error: y", 0);
	expect_error("cenv: make failed with exit status 2", 0);
	expect_error("", 0);
}

/* A log file holding text; its descriptor (the file is unlinked already). */
static int log_with(const char *text)
{
	char path[] = "/tmp/cenv-test-steplog-err.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	return fd;
}

static void test_errors(void **state)
{
	struct steplog_line lines[3];
	struct strbuf text = STRBUF_INIT;
	char long_line[STEPLOG_LINE_MAX + 40];
	size_t n, i, step;
	int fd;

	(void)state;
	/* an earlier step's error (before from) is not the step's; the numbers are the whole log's */
	sb_adds(&text, "$ cd /w && ./configure\nconfigure: error: old\n");
	step = text.len;
	sb_adds(&text, "$ cd /w && make error:\ncc -c a.c\n");
	for (i = 0; i < 40; i++)
		sb_addf(&text, "noise %zu\n", i);
	sb_adds(&text, "a.c:3:1: error: expected ';'\nmore noise\nmake: *** [Makefile:2: all] Error 1\n"
		       "cc: fatal error: one too many\nld: error: and another\n");
	fd = log_with(text.buf);
	assert_int_equal(steplog_errors(fd, (off_t)step, lines, 3, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(lines[0].number, 45); /* 2 lines before the step, 2 of it, 40 of noise */
	assert_string_equal(lines[0].text, "a.c:3:1: error: expected ';'");
	assert_int_equal(lines[1].number, 47);
	assert_string_equal(lines[1].text, "make: *** [Makefile:2: all] Error 1");
	assert_int_equal(lines[2].number, 48);
	assert_string_equal(lines[2].text, "cc: fatal error: one too many");
	steplog_lines_release(lines, n);
	/* from the start: the old one first */
	assert_int_equal(steplog_errors(fd, 0, lines, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].number, 2);
	assert_string_equal(lines[0].text, "configure: error: old");
	steplog_lines_release(lines, n);
	close(fd);
	sb_release(&text);

	/* nothing that looks like an error */
	fd = log_with("$ cd /w && make\nall good\n");
	assert_int_equal(steplog_errors(fd, 0, lines, 3, &n), 0);
	assert_int_equal(n, 0);
	close(fd);

	/* a long line is cut, with "..." after it; a last line without a newline counts */
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	memcpy(long_line, "error: ", 7);
	sb_adds(&text, long_line);
	sb_adds(&text, "\nFAILED: x.o");
	fd = log_with(text.buf);
	assert_int_equal(steplog_errors(fd, 0, lines, 3, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(strlen(lines[0].text), STEPLOG_LINE_MAX + 3);
	assert_memory_equal(lines[0].text, long_line, STEPLOG_LINE_MAX);
	assert_string_equal(lines[0].text + STEPLOG_LINE_MAX, "...");
	assert_int_equal(lines[1].number, 2);
	assert_string_equal(lines[1].text, "FAILED: x.o");
	steplog_lines_release(lines, n);
	close(fd);
	sb_release(&text);
}

static void test_cut(void **state)
{
	char line[STEPLOG_LINE_MAX + 10], *text;

	(void)state;
	text = steplog_cut("short\x1b[2J", 9);
	assert_string_equal(text, "short\x1b[2J"); /* raw: the caller escapes it */
	free(text);
	text = steplog_cut("abc", 2);
	assert_string_equal(text, "ab");
	free(text);
	memset(line, 'x', sizeof(line));
	text = steplog_cut(line, STEPLOG_LINE_MAX); /* exactly the limit: whole, no mark */
	assert_int_equal(strlen(text), STEPLOG_LINE_MAX);
	free(text);
	text = steplog_cut(line, STEPLOG_LINE_MAX + 1);
	assert_int_equal(strlen(text), STEPLOG_LINE_MAX + 3);
	assert_string_equal(text + STEPLOG_LINE_MAX, "...");
	free(text);
	/* a UTF-8 character across the limit is left out whole */
	memcpy(line + STEPLOG_LINE_MAX - 1, "\xe2\x80\xae", 3);
	text = steplog_cut(line, sizeof(line));
	assert_int_equal(strlen(text), STEPLOG_LINE_MAX - 1 + 3);
	assert_string_equal(text + STEPLOG_LINE_MAX - 1, "...");
	free(text);
}

static void test_open(void **state)
{
	char dir[] = "/tmp/cenv-test-steplog-open.XXXXXX", *file, *link;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	file = path_join(dir, "a.log");
	link = path_join(dir, "b.log");
	fd = open(file, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlink(file, link), 0);
	fd = steplog_open(file);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(steplog_open(link), -1); /* a symlink planted at the log is not followed */
	assert_int_equal(steplog_open(dir), -1);  /* a directory is no log */
	unlink(link);
	unlink(file);
	rmdir(dir);
	free(file);
	free(link);
}

/* CMake's error: the header, then its indented lines (the cause), blank lines skipped, capped */
static void test_blocks(void **state)
{
	struct steplog_line lines[2];
	struct strbuf text = STRBUF_INIT;
	size_t n, i;
	int fd;

	(void)state;
	/* as CMake 3.25 prints a failed find_package(NOSUCHPKGX REQUIRED) */
	fd = log_with("-- Detecting C compile features - done\n"
		      "CMake Error at CMakeLists.txt:5 (find_package):\n"
		      "  By not providing \"FindNOSUCHPKGX.cmake\" in CMAKE_MODULE_PATH this project\n"
		      "  has asked CMake to find a package configuration file provided by\n"
		      "  \"NOSUCHPKGX\", but CMake did not find one.\n"
		      "\n"
		      "  Could not find a package configuration file provided by \"NOSUCHPKGX\" with\n"
		      "\n"
		      "-- Configuring incomplete, errors occurred!\n"
		      "  indented, but after the block\n"
		      "cc: error: next\n"
		      "meson.build:3:0: ERROR: Dependency \"nosuch\" not found\n"
		      "\tfrom a tab\n");
	assert_int_equal(steplog_errors(fd, 0, lines, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lines[0].number, 2);
	assert_string_equal(lines[0].text, "CMake Error at CMakeLists.txt:5 (find_package):");
	assert_int_equal(lines[0].nmore, 4);
	assert_int_equal(lines[0].more_number[0], 3);
	assert_string_equal(lines[0].more[0],
			    "  By not providing \"FindNOSUCHPKGX.cmake\" in CMAKE_MODULE_PATH this project");
	assert_int_equal(lines[0].more_number[2], 5);
	assert_int_equal(lines[0].more_number[3], 7);
	assert_string_equal(lines[0].more[3],
			    "  Could not find a package configuration file provided by \"NOSUCHPKGX\" with");
	/* the second entry: its own, the block ended at "-- Configuring"; not counted as more */
	assert_int_equal(lines[1].number, 11);
	assert_string_equal(lines[1].text, "cc: error: next");
	assert_int_equal(lines[1].nmore, 0);
	steplog_lines_release(lines, n);
	/* with room for one entry, its block is still read whole */
	assert_int_equal(steplog_errors(fd, 0, lines, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].nmore, 4);
	steplog_lines_release(lines, n);
	close(fd);

	/* Meson's ERROR: with a tab-indented line; the last entry's block runs to the end */
	fd = log_with("meson.build:3:0: ERROR: Dependency \"nosuch\" not found\n\tfrom a tab");
	assert_int_equal(steplog_errors(fd, 0, lines, 2, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lines[0].nmore, 1);
	assert_int_equal(lines[0].more_number[0], 2);
	assert_string_equal(lines[0].more[0], "\tfrom a tab");
	steplog_lines_release(lines, n);
	close(fd);

	/* at most STEPLOG_MORE_MAX of them; an indented line after a plain error is no part of it */
	sb_adds(&text, "CMake Error at x.cmake:1 (message):\n");
	for (i = 0; i < STEPLOG_MORE_MAX + 3; i++)
		sb_addf(&text, "  cause %zu\n", i);
	sb_adds(&text, "a.c:1:1: error: x\n  a.c:1:1 caret\n");
	fd = log_with(text.buf);
	assert_int_equal(steplog_errors(fd, 0, lines, 2, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(lines[0].nmore, STEPLOG_MORE_MAX);
	assert_string_equal(lines[0].more[STEPLOG_MORE_MAX - 1], "  cause 7");
	assert_int_equal(lines[1].number, STEPLOG_MORE_MAX + 5);
	assert_int_equal(lines[1].nmore, 0);
	steplog_lines_release(lines, n);
	assert_int_equal(lines[0].nmore, 0);
	close(fd);
	sb_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_denied_write),
		cmocka_unit_test(test_network_denied),
		cmocka_unit_test(test_is_error),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
