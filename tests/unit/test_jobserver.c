/* test_jobserver.c - unit tests of the -j budget: tokens, take_free, give, refill, an interrupted wait, a real make under it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "error.h"
#include "interrupt.h"
#include "jobserver.h"
#include "spawn.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* How many bytes the pipe holds, read through a descriptor of the test's own (not the module's). */
static int pipe_bytes(const struct jobserver *js)
{
	char path[64], buf[8192];
	int fd, n = 0;
	ssize_t r;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", js->read_fd);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		n += (int)r;
	/* put them back as they were */
	memset(buf, '+', sizeof(buf));
	assert_int_equal(write(js->write_fd, buf, (size_t)n), n);
	close(fd);
	return n;
}

static void test_tokens(void **state)
{
	struct jobserver js;
	char want[96];

	(void)state;
	assert_int_equal(jobserver_open(&js, 4), 0);
	assert_true(jobserver_active(&js));
	assert_int_equal(pipe_bytes(&js), 3);
	snprintf(want, sizeof(want), "MAKEFLAGS= -j4 --jobserver-auth=%d,%d", js.read_fd, js.write_fd);
	assert_string_equal(js.makeflags, want);
	/* the ends make inherits block; cenv's own reader does not; none leaks into a child */
	assert_int_equal(fcntl(js.read_fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fcntl(js.write_fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_not_equal(fcntl(js.own_fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(js.read_fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(js.write_fd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(js.own_fd, F_GETFD) & FD_CLOEXEC);
	jobserver_close(&js);
	assert_false(jobserver_active(&js));
}

static void test_one_job(void **state)
{
	struct jobserver js;

	(void)state;
	assert_int_equal(jobserver_open(&js, 1), 0);
	assert_false(jobserver_active(&js));
	assert_int_equal(js.read_fd, -1);
	assert_string_equal(js.makeflags, "");
	assert_int_equal(jobserver_take_free(&js, 5), 0);
	assert_int_equal(jobserver_acquire(&js), -1);
	assert_int_equal(jobserver_refill(&js), 0);
	jobserver_close(&js);
	assert_false(jobserver_active(NULL));
}

static void test_bad_budget(void **state)
{
	struct jobserver js;

	(void)state;
	assert_int_equal(jobserver_open(&js, 0), -1);
	assert_non_null(strstr(last_error(), "0 jobs"));
	assert_int_equal(jobserver_open(&js, JOBSERVER_MAX + 1), -1);
	assert_false(jobserver_active(&js));
	/* the largest fits (the pipe would block the open otherwise) */
	assert_int_equal(jobserver_open(&js, JOBSERVER_MAX), 0);
	assert_int_equal(pipe_bytes(&js), JOBSERVER_MAX - 1);
	jobserver_close(&js);
}

static void test_take_free_give(void **state)
{
	struct jobserver js;

	(void)state;
	assert_int_equal(jobserver_open(&js, 4), 0);
	assert_int_equal(jobserver_take_free(&js, 2), 2);
	assert_int_equal(pipe_bytes(&js), 1);
	assert_int_equal(jobserver_take_free(&js, 10), 1);
	assert_int_equal(jobserver_take_free(&js, 10), 0);
	assert_int_equal(pipe_bytes(&js), 0);
	jobserver_give(&js, 3);
	assert_int_equal(pipe_bytes(&js), 3);
	assert_int_equal(jobserver_take_free(&js, 0), 0);
	assert_int_equal(jobserver_acquire(&js), 0);
	assert_int_equal(pipe_bytes(&js), 2);
	jobserver_give(&js, 1);
	jobserver_close(&js);
}

static void test_refill(void **state)
{
	struct jobserver js;

	(void)state;
	assert_int_equal(jobserver_open(&js, 5), 0);
	assert_int_equal(jobserver_refill(&js), 0);
	assert_int_equal(pipe_bytes(&js), 4);
	/* a make killed by SIGKILL: the 3 tokens it held are gone */
	assert_int_equal(jobserver_take_free(&js, 3), 3);
	assert_int_equal(jobserver_refill(&js), 3);
	assert_int_equal(pipe_bytes(&js), 4);
	/* a token given back twice: dropped */
	jobserver_give(&js, 2);
	assert_int_equal(jobserver_refill(&js), 0);
	assert_int_equal(pipe_bytes(&js), 4);
	jobserver_close(&js);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct later {
	struct jobserver *js;
	int give; /* 1: give a token; 0: note an interrupt; -1: send SIGINT to waiter */
	pthread_t waiter;
};

static void *after_a_while(void *arg)
{
	struct later *l = arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	if (l->give > 0)
		jobserver_give(l->js, 1);
	else if (l->give < 0)
		pthread_kill(l->waiter, SIGINT);
	else
		interrupt_note(SIGINT);
	return NULL;
}

static void test_acquire_waits_for_a_token(void **state)
{
	struct jobserver js;
	struct later l = { &js, 1, 0 };
	pthread_t t;
	double t0;

	(void)state;
	assert_int_equal(jobserver_open(&js, 2), 0);
	assert_int_equal(jobserver_take_free(&js, 5), 1);
	t0 = now();
	assert_int_equal(pthread_create(&t, NULL, after_a_while, &l), 0);
	assert_int_equal(jobserver_acquire(&js), 0);
	assert_true(now() - t0 >= 0.15);
	pthread_join(t, NULL);
	assert_int_equal(pipe_bytes(&js), 0);
	jobserver_give(&js, 1);
	jobserver_close(&js);
}

static void on_signal(int sig)
{
	interrupt_note(sig);
}

/*
 * An interrupt noted by another thread (the handler runs in whichever thread the signal finds)
 * wakes the wait through interrupt_fd.  Not under ThreadSanitizer: interrupt.c's flag is a
 * volatile sig_atomic_t, which it takes for a race when another thread sets it;
 * test_acquire_signalled is its part under it.
 */
static void test_acquire_interrupted(void **state)
{
	struct jobserver js;
	struct later l = { &js, 0, 0 };
	pthread_t t;
	double t0;

	(void)state;
#ifdef __SANITIZE_THREAD__
	skip();
#endif
	interrupt_reset();
	assert_int_equal(jobserver_open(&js, 3), 0);
	assert_int_equal(jobserver_take_free(&js, 5), 2);
	t0 = now();
	assert_int_equal(pthread_create(&t, NULL, after_a_while, &l), 0);
	/* woken by the interrupt's pipe, from another thread, long before the 10 s alarm */
	alarm(10);
	assert_int_equal(jobserver_acquire(&js), -1);
	alarm(0);
	assert_true(now() - t0 >= 0.15);
	assert_non_null(strstr(last_error(), "interrupted by SIGINT"));
	pthread_join(t, NULL);
	/* and at once, once noted */
	assert_int_equal(jobserver_acquire(&js), -1);
	interrupt_reset();
	jobserver_close(&js);
}

/* A SIGINT delivered to the waiting thread itself, through its handler. */
static void test_acquire_signalled(void **state)
{
	struct jobserver js;
	struct later l = { &js, -1, pthread_self() };
	struct sigaction sa, old;
	pthread_t t;

	(void)state;
	interrupt_reset();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGINT, &sa, &old), 0);
	assert_int_equal(jobserver_open(&js, 2), 0);
	assert_int_equal(jobserver_take_free(&js, 5), 1);
	assert_int_equal(pthread_create(&t, NULL, after_a_while, &l), 0);
	alarm(10);
	assert_int_equal(jobserver_acquire(&js), -1);
	alarm(0);
	assert_non_null(strstr(last_error(), "interrupted by SIGINT"));
	pthread_join(t, NULL);
	assert_int_equal(sigaction(SIGINT, &old, NULL), 0);
	interrupt_reset();
	jobserver_give(&js, 1);
	jobserver_close(&js);
}

/* Runs make -f dir/Makefile with js's MAKEFLAGS and its pipe; returns the most recipes that overlapped. */
static int make_overlap(struct jobserver *js, const char *dir)
{
	char *mk = path_join(dir, "Makefile"), *times = path_join(dir, "times"), *text = NULL;
	char *envp[] = { js->makeflags, "PATH=/usr/bin:/bin", NULL };
	double start[64], end[64];
	struct spawn sp;
	int status, n = 0, most = 0, i, j;
	char *line, *save = NULL;

	unlink(times);
	spawn_init(&sp);
	strvec_push(&sp.argv, "make");
	strvec_push(&sp.argv, "-s");
	strvec_push(&sp.argv, "-f");
	strvec_push(&sp.argv, mk);
	sp.envp = envp;
	sp.dir = dir;
	sp.no_stdin = 1;
	spawn_keep_fd(&sp, js->read_fd);
	spawn_keep_fd(&sp, js->write_fd);
	assert_int_equal(spawn_run(&sp, &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	spawn_release(&sp);
	assert_int_equal(read_file(times, &text, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line && n < 64; line = strtok_r(NULL, "\n", &save)) {
		assert_int_equal(sscanf(line, "%lf %lf", &start[n], &end[n]), 2);
		n++;
	}
	assert_int_equal(n, 9);
	/* at each start, how many ran then */
	for (i = 0; i < n; i++) {
		int at = 0;

		for (j = 0; j < n; j++)
			at += start[j] <= start[i] && start[i] < end[j];
		if (at > most)
			most = at;
	}
	free(text);
	free(mk);
	free(times);
	return most;
}

static void test_real_make(void **state)
{
	char tmpl[] = "/tmp/cenv-jobserver-test-XXXXXX";
	static const char makefile[] =
		"T = 1 2 3 4 5 6 7 8 9\n"
		"all: $(T)\n"
		"$(T):\n"
		"\t@s=$$(date +%s.%N); sleep 0.3; echo \"$$s $$(date +%s.%N)\" >> times\n";
	struct jobserver js;
	char *dir, *mk;

	(void)state;
	dir = mkdtemp(tmpl);
	assert_non_null(dir);
	mk = path_join(dir, "Makefile");
	assert_int_equal(write_file_new(mk, makefile, strlen(makefile), 0644), 0);
	assert_int_equal(jobserver_open(&js, 3), 0);
	/* make's own job and the 2 tokens: 3 at once, no more */
	assert_int_equal(make_overlap(&js, dir), 3);
	assert_int_equal(pipe_bytes(&js), 2);
	/* cenv holding every token (other builds running): make runs on its own job alone */
	assert_int_equal(jobserver_take_free(&js, 2), 2);
	assert_int_equal(make_overlap(&js, dir), 1);
	jobserver_give(&js, 2);
	assert_int_equal(pipe_bytes(&js), 2);
	jobserver_close(&js);
	remove_tree(dir);
	free(mk);
}

static void test_parse_jobs(void **state)
{
	int n = 0;

	(void)state;
	assert_int_equal(jobserver_parse_jobs("4", &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(jobserver_parse_jobs("1", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(jobserver_parse_jobs("4096", &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(jobserver_parse_jobs("0", &n), -1);
	assert_string_equal(last_error(), "'0' is not a number of jobs (a positive integer, at most 4096)");
	assert_int_equal(jobserver_parse_jobs("4097", &n), -1);
	assert_int_equal(jobserver_parse_jobs("", &n), -1);
	assert_int_equal(jobserver_parse_jobs("-2", &n), -1);
	assert_int_equal(jobserver_parse_jobs("3x", &n), -1);
	assert_int_equal(jobserver_parse_jobs("99999999999999999999", &n), -1);
	assert_int_equal(n, 4096);
}

/* Builds the tree of files (NAME, TEXT pairs) with sys under js; returns build_run's result. */
static int build_under(struct jobserver *js, const char *root, const char *tag, enum build_system sys,
		       const char *const *files)
{
	char *src = xasprintf("%s/src-%s", root, tag), *bdir = xasprintf("%s/build-%s", root, tag);
	char *dest = xasprintf("%s/dest-%s", root, tag), *log = xasprintf("%s/%s.log", root, tag);
	char *prefix = xasprintf("%s/prefix", root);
	char *envp[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent", NULL };
	struct build_request req = { 0 };
	int ret;

	assert_int_equal(mkdir(src, 0755), 0);
	for (; *files; files += 2) {
		char *path = path_join(src, files[0]);

		assert_int_equal(write_file_new(path, files[1], strlen(files[1]), 0644), 0);
		free(path);
	}
	req.name = tag;
	req.prefix = prefix;
	req.src = src;
	req.builddir = bdir;
	req.destdir = dest;
	req.log_path = log;
	req.envp = envp;
	req.jobs = js->jobs;
	req.jobserver = js;
	req.system = sys;
	ret = build_run(&req);
	free(src);
	free(bdir);
	free(dest);
	free(log);
	free(prefix);
	return ret;
}

static int log_has(const char *root, const char *tag, const char *what)
{
	char *log = xasprintf("%s/%s.log", root, tag), *text = NULL;
	int has;

	assert_int_equal(read_file(log, &text, NULL), 0);
	has = strstr(text, what) != NULL;
	free(text);
	free(log);
	return has;
}

/* Every token comes back from a build, whatever its end: ninja's (meson), make's. */
static void test_builds_give_back(void **state)
{
	static const char *const meson_ok[] = {
		"meson.build", "project('m', 'c')\nstatic_library('m', 'a.c', 'b.c', install: true)\n",
		"a.c", "int a(void) { return 1; }\n", "b.c", "int b(void) { return 2; }\n", NULL,
	};
	static const char *const meson_bad[] = {
		"meson.build", "project('m', 'c')\nstatic_library('m', 'a.c', install: true)\n",
		"a.c", "int a(void) { return }\n", NULL,
	};
	static const char *const make_bad[] = {
		"Makefile", "all: a b c\na b:\n\tsleep 0.2\nc:\n\tfalse\ninstall:\n", NULL,
	};
	char tmpl[] = "/tmp/cenv-jobserver-build-XXXXXX";
	struct jobserver js;
	char *root = mkdtemp(tmpl);

	(void)state;
	assert_non_null(root);
	assert_int_equal(jobserver_open(&js, 3), 0);
	assert_int_equal(build_under(&js, root, "mok", BUILD_MESON, meson_ok), 0);
	/* ninja had the 2 free tokens, and gave them back */
	assert_true(log_has(root, "mok", " compile -C "));
	assert_true(log_has(root, "mok", " -j 3\n"));
	assert_int_equal(pipe_bytes(&js), 2);
	assert_int_equal(build_under(&js, root, "mbad", BUILD_MESON, meson_bad), -1);
	assert_non_null(strstr(last_error(), "failed at meson compile"));
	assert_int_equal(pipe_bytes(&js), 2);
	/* one held elsewhere: ninja gets the other */
	assert_int_equal(jobserver_take_free(&js, 1), 1);
	assert_int_equal(build_under(&js, root, "mok2", BUILD_MESON, meson_ok), 0);
	assert_true(log_has(root, "mok2", " -j 2\n"));
	assert_int_equal(pipe_bytes(&js), 1);
	jobserver_give(&js, 1);
	assert_int_equal(build_under(&js, root, "kbad", BUILD_MAKE, make_bad), -1);
	assert_true(log_has(root, "kbad", "MAKEFLAGS=' -j3 --jobserver-auth="));
	assert_int_equal(pipe_bytes(&js), 2);
	jobserver_close(&js);
	remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_one_job),
		cmocka_unit_test(test_bad_budget),
		cmocka_unit_test(test_take_free_give),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_acquire_waits_for_a_token),
		cmocka_unit_test(test_acquire_interrupted),
		cmocka_unit_test(test_acquire_signalled),
		cmocka_unit_test(test_real_make),
		cmocka_unit_test(test_parse_jobs),
		cmocka_unit_test(test_builds_give_back),
	};

	if (interrupt_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
