/* pool.h - a fixed set of worker threads running the tasks given to them, in order. */
#ifndef CENV_POOL_H
#define CENV_POOL_H

#include <pthread.h>
#include <stddef.h>

/*
 * Tasks run in the order submitted, each on one worker, as workers come free.  A task
 * never changes the process's state (no setenv, chdir, umask, signal disposition, exit):
 * the pool blocks every signal in its workers, so signals reach the main thread only.
 * Owner: whoever called pool_start; pool_stop ends it.
 */
struct pool_task {
	void (*run)(void *arg);
	void *arg;
	struct pool_task *next;
};

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct pool_task *head, *tail;
	pthread_t *threads;
	size_t nthreads;
	int stopping;
};

/* Starts n (>= 1) workers.  -1 with fail() when a thread cannot be made (none is left then). */
int pool_start(struct pool *p, size_t n);
/* Queues task (the caller's memory, alive until run returns) to be run by a worker. */
void pool_submit(struct pool *p, struct pool_task *task);
/* Waits for every task queued to finish, then for the workers to end. */
void pool_stop(struct pool *p);

#endif
