/* test_pool.c - unit tests of the worker pool: every task runs once, on a worker, at once; signals stay out. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

struct counter {
	pthread_mutex_t lock;
	int done, running, most;
	int blocked; /* every task saw SIGINT blocked */
};

static void count_task(void *arg)
{
	struct counter *c = arg;
	sigset_t mask;
	struct timespec ts = { 0, 20 * 1000000L };

	pthread_sigmask(SIG_SETMASK, NULL, &mask);
	pthread_mutex_lock(&c->lock);
	c->running++;
	if (c->running > c->most)
		c->most = c->running;
	if (!sigismember(&mask, SIGINT))
		c->blocked = 0;
	pthread_mutex_unlock(&c->lock);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&c->lock);
	c->running--;
	c->done++;
	pthread_mutex_unlock(&c->lock);
}

static void run_tasks(size_t threads, int ntasks, struct counter *c)
{
	struct pool p;
	struct pool_task *tasks = calloc((size_t)ntasks, sizeof(*tasks));
	int i;

	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->lock, NULL);
	c->blocked = 1;
	assert_int_equal(pool_start(&p, threads), 0);
	for (i = 0; i < ntasks; i++) {
		tasks[i].run = count_task;
		tasks[i].arg = c;
		pool_submit(&p, &tasks[i]);
	}
	pool_stop(&p); /* waits for all of them */
	free(tasks);
	pthread_mutex_destroy(&c->lock);
}

static void test_every_task_runs_once(void **state)
{
	struct counter c;

	(void)state;
	run_tasks(3, 12, &c);
	assert_int_equal(c.done, 12);
	assert_int_equal(c.running, 0);
}

static void test_workers_run_at_once_up_to_their_number(void **state)
{
	struct counter c;

	(void)state;
	run_tasks(4, 16, &c);
	assert_int_equal(c.most, 4); /* 20 ms each: four at once, never five */
	run_tasks(1, 4, &c);
	assert_int_equal(c.most, 1);
}

static void test_workers_block_signals(void **state)
{
	struct counter c;

	(void)state;
	run_tasks(2, 4, &c);
	assert_int_equal(c.blocked, 1);
}

static void test_stop_without_tasks(void **state)
{
	struct pool p;

	(void)state;
	assert_int_equal(pool_start(&p, 5), 0);
	pool_stop(&p);
	assert_null(p.threads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_task_runs_once),
		cmocka_unit_test(test_workers_run_at_once_up_to_their_number),
		cmocka_unit_test(test_workers_block_signals),
		cmocka_unit_test(test_stop_without_tasks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
