/* test_readfile.c - unit tests of readfile: regular files only, never blocking, bounded. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "readfile.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char dir[] = "/tmp/cenv-readfile-XXXXXX";

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

/* readfile(path) must fail with errno e and a message holding want (with %s for path). */
static void refused(const char *path, size_t cap, int flags, int e, const char *want)
{
	char *text = (char *)1, *msg = xasprintf(want, path);
	size_t len = 99;

	assert_int_equal(readfile(path, cap, flags, &text, &len), -1);
	assert_int_equal(errno, e);
	assert_null(text);
	assert_int_equal(len, 0);
	if (strcmp(last_error(), msg))
		fail_msg("got '%s', want '%s'", last_error(), msg);
	free(msg);
}

static void test_regular(void **state)
{
	char *path = path_join(dir, "f"), *text;
	size_t len;

	(void)state;
	assert_int_equal(write_file_atomic(path, "a\0b\n", 4, 0644), 0);
	assert_int_equal(readfile(path, 4, 0, &text, &len), 0);
	assert_int_equal(len, 4);
	assert_memory_equal(text, "a\0b\n", 5); /* NUL-terminated too */
	free(text);
	/* len may be NULL; an empty file is "" */
	assert_int_equal(write_file_atomic(path, "", 0, 0644), 0);
	assert_int_equal(readfile(path, 0, 0, &text, NULL), 0);
	assert_string_equal(text, "");
	free(text);
	free(path);
}

static void test_cap(void **state)
{
	char *path = path_join(dir, "big");

	(void)state;
	assert_int_equal(write_file_atomic(path, "12345", 5, 0644), 0);
	refused(path, 4, 0, EFBIG, "'%s' is larger than the limit of 4 bytes for this file");
	assert_int_equal(truncate(path, (off_t)17 << 20), 0);
	refused(path, READFILE_CAP, 0, EFBIG, "'%s' is larger than the limit of 16 MiB for this file");
	free(path);
	/* a file whose size says 0 but that holds more (as /proc files do) is still capped */
	if (access("/proc/self/status", R_OK) == 0)
		refused("/proc/self/status", 8, 0, EFBIG, "'%s' is larger than the limit of 8 bytes for this file");
}

static void test_not_regular(void **state)
{
	char *fifo = path_join(dir, "fifo"), *link = path_join(dir, "zero");

	(void)state;
	/* a FIFO with no writer: returns at once instead of waiting */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	alarm(10);
	refused(fifo, READFILE_CAP, 0, EINVAL, "'%s' is a fifo, not a regular file");
	refused("/dev/zero", READFILE_CAP, 0, EINVAL, "'%s' is a character device, not a regular file");
	refused(dir, READFILE_CAP, 0, EINVAL, "'%s' is a directory, not a regular file");
	alarm(0);
	/* a symlink is followed, or with READFILE_NOFOLLOW refused */
	assert_int_equal(symlink("/dev/zero", link), 0);
	refused(link, READFILE_CAP, 0, EINVAL, "'%s' is a character device, not a regular file");
	refused(link, READFILE_CAP, READFILE_NOFOLLOW, ELOOP, "'%s' is a symlink, not a regular file");
	free(fifo);
	free(link);
	{
		char *missing = path_join(dir, "missing");

		refused(missing, READFILE_CAP, 0, ENOENT, "cannot open '%s': No such file or directory");
		free(missing);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regular),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_not_regular),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
