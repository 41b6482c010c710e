/* test_sockfilter.c - unit tests of the sandbox's seccomp filter: its bytes, and what it
 * refuses and allows once loaded in a child. */
#define _GNU_SOURCE /* syscall */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sockfilter.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_bytes(void **state)
{
	char *bytes = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	(void)state;
	assert_int_equal(sockfilter_bpf(&bytes, &len), 0);
	assert_non_null(bytes);
	assert_true(len > 0);
	assert_int_equal(len % sizeof(struct sock_filter), 0);
	assert_true(len <= SOCKFILTER_MAX_BYTES);
	/* the first instruction loads the architecture (offset 4 of seccomp_data) */
	assert_int_equal(((struct sock_filter *)bytes)->code, BPF_LD | BPF_W | BPF_ABS);
	assert_int_equal(((struct sock_filter *)bytes)->k, 4);
	/* a second call gives an equal, separate copy */
	assert_int_equal(sockfilter_bpf(&again, &len2), 0);
	assert_int_equal(len2, len);
	assert_memory_equal(again, bytes, len);
	assert_ptr_not_equal(again, bytes);
	free(again);
	free(bytes);
}

/*
 * What the child reports, one bit per check that went as expected: socket(AF_UNIX) fails
 * with EACCES, socket(AF_INET) works, socketpair(AF_UNIX) works, io_uring_setup fails with
 * ENOSYS, and a plain call (getpid) still works.
 */
enum { REFUSED_UNIX = 1, INET_WORKS = 2, PAIR_WORKS = 4, NO_URING = 8, OTHER_WORKS = 16, ALL = 31 };

static int probe(void)
{
	int got = 0, fd, pair[2];

	errno = 0;
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 && errno == EACCES)
		got |= REFUSED_UNIX;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0) {
		got |= INET_WORKS;
		close(fd);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0) {
		got |= PAIR_WORKS;
		close(pair[0]);
		close(pair[1]);
	}
#ifdef SYS_io_uring_setup
	errno = 0;
	if (syscall(SYS_io_uring_setup, 1, NULL) < 0 && errno == ENOSYS)
		got |= NO_URING;
#else
	got |= NO_URING;
#endif
	if (getpid() > 0)
		got |= OTHER_WORKS;
	return got;
}

static void test_loaded(void **state)
{
	char *bytes = NULL;
	size_t len = 0;
	pid_t pid;
	int status = 0;

	(void)state;
	assert_int_equal(sockfilter_bpf(&bytes, &len), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_fprog prog = { .len = (unsigned short)(len / sizeof(struct sock_filter)),
					   .filter = (struct sock_filter *)bytes };

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(100);
		_exit(probe());
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), ALL);
	free(bytes);
}

/* Without the filter the same probe sees a Unix socket made, io_uring there or not. */
static void test_unfiltered(void **state)
{
	(void)state;
	assert_int_equal(probe() & (REFUSED_UNIX | INET_WORKS | PAIR_WORKS), INET_WORKS | PAIR_WORKS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_loaded),
		cmocka_unit_test(test_unfiltered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
