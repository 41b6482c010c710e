/* test_error.c - unit tests of the error idiom: context wrapping, handing a message between threads. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* after our headers: cmocka defines a (fail)() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_fail_and_errno(void **state)
{
	(void)state;
	assert_int_equal((fail)("cannot open '%s'", "cenv.ini"), -1);
	assert_string_equal(last_error(), "cannot open 'cenv.ini'");
	errno = ENOENT;
	assert_int_equal(fail_errno("cannot open '%s'", "x"), -1);
	assert_string_equal(last_error(), "cannot open 'x': No such file or directory");
	assert_int_equal(errno, ENOENT); /* kept for the caller */
}

static void test_fail_wrap_prefixes(void **state)
{
	(void)state;
	(fail)("no such file");
	assert_int_equal(fail_wrap("package '%s'", "zlib"), -1);
	assert_string_equal(last_error(), "package 'zlib': no such file");
	fail_wrap("install");
	assert_string_equal(last_error(), "install: package 'zlib': no such file");
}

static void test_fail_wrap_long_message_is_cut_not_overrun(void **state)
{
	char big[5000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	(fail)("%s", big);
	fail_wrap("ctx");
	assert_true(strncmp(last_error(), "ctx: aaa", 8) == 0);
	assert_true(strlen(last_error()) < sizeof(big));
	fail_wrap("%s", big); /* the context alone fills the buffer */
	assert_true(strncmp(last_error(), "aaa", 3) == 0);
}

static void test_take_and_restore(void **state)
{
	char *msg;

	(void)state;
	(fail)("first error");
	msg = error_take();
	assert_string_equal(msg, "first error");
	assert_string_equal(last_error(), "unknown error"); /* cleared */
	(fail)("cleanup failed too");
	assert_int_equal(error_restore(msg), -1);
	assert_string_equal(last_error(), "first error");
}

static void *worker(void *arg)
{
	(fail)("task %d failed", *(int *)arg);
	return error_take(); /* handed to the main thread */
}

static void test_message_is_per_thread(void **state)
{
	pthread_t t[4];
	int ids[4] = { 0, 1, 2, 3 }, i;

	(void)state;
	(fail)("main's own");
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, &ids[i]), 0);
	for (i = 0; i < 4; i++) {
		char *msg, want[32];

		assert_int_equal(pthread_join(t[i], (void **)&msg), 0);
		snprintf(want, sizeof(want), "task %d failed", i);
		assert_string_equal(msg, want);
		free(msg);
	}
	assert_string_equal(last_error(), "main's own");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_and_errno),
		cmocka_unit_test(test_fail_wrap_prefixes),
		cmocka_unit_test(test_fail_wrap_long_message_is_cut_not_overrun),
		cmocka_unit_test(test_take_and_restore),
		cmocka_unit_test(test_message_is_per_thread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
