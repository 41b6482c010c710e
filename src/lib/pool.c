/* pool.c - a fixed set of worker threads running the tasks given to them, in order. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pool.h"
#include "util.h"

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct pool_task *t;

		pthread_mutex_lock(&p->lock);
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->wake, &p->lock);
		t = p->head;
		if (!t) { /* stopping, and nothing left to run */
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		pthread_mutex_unlock(&p->lock);
		t->run(t->arg);
	}
}

int pool_start(struct pool *p, size_t n)
{
	sigset_t all, old;
	size_t i;
	int err = 0;

	memset(p, 0, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	p->threads = xmalloc((n ? n : 1) * sizeof(*p->threads));
	/* the workers inherit a full mask: a stop signal reaches the main thread, whose handler notes it */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < (n ? n : 1) && !err; i++) {
		err = pthread_create(&p->threads[i], NULL, worker, p);
		if (!err)
			p->nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pool_stop(p);
		errno = err;
		return fail_errno("cannot start a worker thread");
	}
	return 0;
}

void pool_submit(struct pool *p, struct pool_task *task)
{
	task->next = NULL;
	pthread_mutex_lock(&p->lock);
	if (p->tail)
		p->tail->next = task;
	else
		p->head = task;
	p->tail = task;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void pool_stop(struct pool *p)
{
	size_t i;

	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	p->threads = NULL;
	p->nthreads = 0;
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
}
