/* test_steplog.c - unit tests of what a failed step's log says: the path it could not write,
 * or that it had no network. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "steplog.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_denied_write),
		cmocka_unit_test(test_network_denied),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
