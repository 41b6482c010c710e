/* jobserver.c - the -j N budget: a GNU make jobserver pipe of N-1 tokens, read by cenv without blocking. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"
#include "jobserver.h"

/* make 4.3 writes back the byte it read; any byte is a token, cenv's are make's own '+' */
#define TOKEN '+'

static void clear(struct jobserver *js, int jobs)
{
	memset(js, 0, sizeof(*js));
	js->jobs = jobs;
	js->read_fd = js->write_fd = js->own_fd = -1;
}

/* Writes n tokens into the pipe; it always has room (it never holds more than N-1). */
static int put_tokens(struct jobserver *js, int n)
{
	char buf[256];

	memset(buf, TOKEN, sizeof(buf));
	while (n > 0) {
		ssize_t w = write(js->write_fd, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return fail_errno("cannot give tokens back to the jobserver");
		n -= (int)w;
	}
	return 0;
}

int jobserver_open(struct jobserver *js, int jobs)
{
	int p[2];
	char path[64];

	clear(js, jobs);
	if (jobs < 1 || jobs > JOBSERVER_MAX)
		return fail("a budget of %d jobs: it must be 1 to %d", jobs, JOBSERVER_MAX);
	if (jobs == 1)
		return 0;
	/* pipe2: another thread's child must not inherit either end before it is close-on-exec */
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail_errno("cannot make the jobserver's pipe");
	js->read_fd = p[0];
	js->write_fd = p[1];
	/* a new open file description of the same pipe: O_NONBLOCK on it leaves the ends make
	   inherits blocking (make 4.3 waits in a blocking read, and would spin on a non-blocking one) */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	js->own_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (js->own_fd < 0) {
		fail_errno("cannot open the jobserver's pipe again through '%s'", path);
		goto fail;
	}
	snprintf(js->makeflags, sizeof(js->makeflags), "MAKEFLAGS= -j%d --jobserver-auth=%d,%d", jobs,
		 js->read_fd, js->write_fd);
	if (put_tokens(js, jobs - 1) < 0)
		goto fail;
	return 0;
fail:
	jobserver_close(js);
	js->jobs = jobs;
	return -1;
}

void jobserver_close(struct jobserver *js)
{
	if (js->own_fd >= 0)
		close(js->own_fd);
	if (js->read_fd >= 0)
		close(js->read_fd);
	if (js->write_fd >= 0)
		close(js->write_fd);
	clear(js, 0);
}

int jobserver_parse_jobs(const char *value, int *jobs)
{
	long n = 0;

	errno = 0;
	if (*value && !value[strspn(value, "0123456789")])
		n = strtol(value, NULL, 10);
	if (n < 1 || n > JOBSERVER_MAX || errno)
		return fail("'%s' is not a number of jobs (a positive integer, at most %d)", value,
			    JOBSERVER_MAX);
	*jobs = (int)n;
	return 0;
}

int jobserver_active(const struct jobserver *js)
{
	return js && js->jobs > 1 && js->own_fd >= 0;
}

int jobserver_acquire(struct jobserver *js)
{
	if (!jobserver_active(js))
		return fail("no jobserver: a budget of one job has no token to give");
	for (;;) {
		struct pollfd p[2] = { { .fd = js->own_fd, .events = POLLIN },
				       { .fd = interrupt_fd(), .events = POLLIN } };
		char c;
		ssize_t r;
		int sig = interrupt_requested();

		if (sig)
			return fail("interrupted by %s while waiting for a job", interrupt_name(sig));
		r = read(js->own_fd, &c, 1);
		if (r == 1)
			return 0;
		if (r == 0)
			return fail("the jobserver's pipe was closed");
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return fail_errno("cannot read a token from the jobserver");
		/* another reader (a make) may take the token poll saw first: then read again and wait */
		if (poll(p, p[1].fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return fail_errno("cannot wait for a token from the jobserver");
	}
}

int jobserver_take_free(struct jobserver *js, int max)
{
	char buf[256];
	int got = 0;

	if (!jobserver_active(js))
		return 0;
	while (got < max) {
		size_t want = max - got < (int)sizeof(buf) ? (size_t)(max - got) : sizeof(buf);
		ssize_t r = read(js->own_fd, buf, want);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (int)r;
	}
	return got;
}

void jobserver_give(struct jobserver *js, int n)
{
	if (jobserver_active(js) && n > 0)
		put_tokens(js, n); /* cannot fail on a pipe cenv holds both ends of but by a bug */
}

int jobserver_refill(struct jobserver *js)
{
	int had;

	if (!jobserver_active(js))
		return 0;
	/* all of them out, then N-1 in: whatever was lost (or given twice) the pipe holds N-1 */
	had = jobserver_take_free(js, JOBSERVER_MAX);
	if (put_tokens(js, js->jobs - 1) < 0)
		return 0;
	return had < js->jobs - 1 ? js->jobs - 1 - had : 0;
}
