/* test_interrupt.c - unit tests of the interrupt note: the flag, the first signal kept, the count, the pipe, the names. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void handler(int sig)
{
	interrupt_note(sig);
}

static void catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(sig, &sa, NULL), 0);
}

/* Whether fd is readable right now. */
static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void test_before_init(void **state)
{
	(void)state;
	/* no pipe yet: the note is the flag alone, and nothing breaks */
	assert_int_equal(interrupt_fd(), -1);
	assert_int_equal(interrupt_requested(), 0);
	interrupt_note(SIGTERM);
	assert_int_equal(interrupt_requested(), SIGTERM);
	interrupt_reset();
	assert_int_equal(interrupt_requested(), 0);
}

static void test_signal_noted(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(interrupt_init(), 0);
	assert_int_equal(interrupt_init(), 0); /* once: the same pipe */
	fd = interrupt_fd();
	assert_true(fd > 2);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC); /* never a build's */
	assert_false(readable(fd));
	catch(SIGHUP);
	catch(SIGINT);
	errno = 1234;
	assert_int_equal(raise(SIGHUP), 0);
	assert_int_equal(errno, 1234); /* the handler keeps errno */
	assert_int_equal(interrupt_requested(), SIGHUP);
	assert_true(readable(fd));
	/* the first one is kept: it is the one cenv dies of */
	assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(interrupt_requested(), SIGHUP);
	assert_int_equal(interrupt_fd(), fd);
	interrupt_reset();
	assert_int_equal(interrupt_requested(), 0);
	assert_false(readable(fd));
	signal(SIGHUP, SIG_DFL);
	signal(SIGINT, SIG_DFL);
}

/* A full pipe never blocks the handler: it is non-blocking, and one byte says it all. */
static void test_many_signals(void **state)
{
	int i;

	(void)state;
	assert_int_equal(interrupt_init(), 0);
	for (i = 0; i < 100000; i++)
		interrupt_note(SIGTERM);
	assert_int_equal(interrupt_requested(), SIGTERM);
	assert_true(readable(interrupt_fd()));
	interrupt_reset();
	assert_false(readable(interrupt_fd()));
}

/* Every signal is counted, whichever it is, the first kept all the same; reset forgets the count. */
static void test_count(void **state)
{
	int i;

	(void)state;
	assert_int_equal(interrupt_init(), 0);
	assert_int_equal(interrupt_count(), 0);
	catch(SIGINT);
	assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(interrupt_count(), 1);
	interrupt_note(SIGTERM);
	assert_int_equal(interrupt_count(), 2);
	assert_int_equal(interrupt_requested(), SIGINT);
	for (i = 0; i < 1000; i++)
		assert_int_equal(raise(SIGINT), 0);
	assert_int_equal(interrupt_count(), 1002);
	interrupt_reset();
	assert_int_equal(interrupt_count(), 0);
	assert_int_equal(interrupt_requested(), 0);
	interrupt_note(SIGHUP);
	assert_int_equal(interrupt_count(), 1);
	interrupt_reset();
	signal(SIGINT, SIG_DFL);
}

static void test_names(void **state)
{
	char want[32];

	(void)state;
	assert_string_equal(interrupt_name(SIGTERM), "SIGTERM");
	assert_string_equal(interrupt_name(SIGHUP), "SIGHUP");
	assert_string_equal(interrupt_name(SIGINT), "SIGINT");
	assert_string_equal(interrupt_name(SIGKILL), "SIGKILL");
	snprintf(want, sizeof(want), "signal %d", SIGUSR1);
	assert_string_equal(interrupt_name(SIGUSR1), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_before_init),
		cmocka_unit_test(test_signal_noted),
		cmocka_unit_test(test_many_signals),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
