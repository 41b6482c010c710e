/* test_crash.c - unit tests of the crash hook: nothing without CENV_TEST_CRASH_AT, SIGKILL at exactly the k-th step with it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crash.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * A child that sets CENV_TEST_CRASH_AT to value (NULL: unsets it), calls
 * crash_start, then writes one digit to the pipe before each of steps
 * crash_step calls, restarting the hook after restart_after steps (0: never).
 * It exits 0 if it gets through.  out gets the digits, *status the wait status.
 */
static void run_child(const char *value, int steps, int restart_after, char *out, size_t outsize,
		      int *status)
{
	int fds[2];
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct crash_hook h;
		int i;

		close(fds[0]);
		if (value ? setenv("CENV_TEST_CRASH_AT", value, 1) : unsetenv("CENV_TEST_CRASH_AT"))
			_exit(3);
		crash_start(&h);
		for (i = 1; i <= steps; i++) {
			char c = (char)('0' + i % 10);

			if (write(fds[1], &c, 1) != 1)
				_exit(4);
			crash_step(&h);
			if (restart_after && i == restart_after)
				crash_start(&h);
		}
		_exit(0);
	}
	close(fds[1]);
	while (got + 1 < outsize && (n = read(fds[0], out + got, outsize - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, status, 0) < 0)
		assert_int_equal(errno, EINTR);
}

static void assert_killed(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

static void assert_exited(int status)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Unset: every step passes, and the hook says it is off. */
static void test_unset(void **state)
{
	char out[32];
	int status;

	(void)state;
	run_child(NULL, 9, 0, out, sizeof(out), &status);
	assert_exited(status);
	assert_string_equal(out, "123456789");
}

/* The same in this process: the hook reads as off, and many steps change nothing but the count. */
static void test_unset_here(void **state)
{
	struct crash_hook h;
	char *saved = getenv("CENV_TEST_CRASH_AT") ? strdup(getenv("CENV_TEST_CRASH_AT")) : NULL;
	int i;

	(void)state;
	assert_int_equal(unsetenv("CENV_TEST_CRASH_AT"), 0);
	h.crash_at = 99;
	h.steps_done = 99;
	crash_start(&h);
	assert_int_equal(h.crash_at, 0);
	assert_int_equal(h.steps_done, 0);
	for (i = 0; i < 1000; i++)
		crash_step(&h);
	if (saved)
		setenv("CENV_TEST_CRASH_AT", saved, 1);
	free(saved);
}

/* Set to 3: the child wrote its third digit and died of SIGKILL in the step after it. */
static void test_third_step(void **state)
{
	char out[32];
	int status;

	(void)state;
	run_child("3", 9, 0, out, sizeof(out), &status);
	assert_killed(status);
	assert_string_equal(out, "123");
}

/* Set to 1: the very first step. */
static void test_first_step(void **state)
{
	char out[32];
	int status;

	(void)state;
	run_child("1", 9, 0, out, sizeof(out), &status);
	assert_killed(status);
	assert_string_equal(out, "1");
}

/* Set beyond the steps taken: it gets through. */
static void test_beyond(void **state)
{
	char out[32];
	int status;

	(void)state;
	run_child("10", 9, 0, out, sizeof(out), &status);
	assert_exited(status);
	assert_string_equal(out, "123456789");
}

/* Zero, negative or not a number: off. */
static void test_off_values(void **state)
{
	static const char *const values[] = { "0", "-3", "abc", "", NULL };
	const char *const *v;
	char out[32];
	int status;

	(void)state;
	for (v = values; *v; v++) {
		run_child(*v, 5, 0, out, sizeof(out), &status);
		assert_exited(status);
		assert_string_equal(out, "12345");
	}
}

/* crash_start counts again from 0: with k=3 and a restart after 2 steps, death comes at step 5. */
static void test_restart(void **state)
{
	char out[32];
	int status;

	(void)state;
	run_child("3", 9, 2, out, sizeof(out), &status);
	assert_killed(status);
	assert_string_equal(out, "12345");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset),
		cmocka_unit_test(test_unset_here),
		cmocka_unit_test(test_third_step),
		cmocka_unit_test(test_first_step),
		cmocka_unit_test(test_beyond),
		cmocka_unit_test(test_off_values),
		cmocka_unit_test(test_restart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
