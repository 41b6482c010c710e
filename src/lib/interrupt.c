/* interrupt.c - the "stop, please" of a signal: a flag and a self-pipe, set by the command layer's handler. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"

/*
 * Lock-free atomics, so async-signal-safe (C11 7.14.1.1) and free of data races with the
 * threads that read them: the first signal and how many were noted.
 */
static _Atomic sig_atomic_t noted, count;
static int pipe_fds[2] = { -1, -1 };

_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && sizeof(sig_atomic_t) == sizeof(int),
	       "the interrupt's note must be lock-free to be set in a signal handler");

int interrupt_init(void)
{
	if (pipe_fds[0] >= 0)
		return 0;
	/* non-blocking: the handler must never wait on a full pipe; close-on-exec: not the builds' */
	if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		pipe_fds[0] = pipe_fds[1] = -1;
		return fail_errno("cannot make the pipe that signals an interrupt");
	}
	return 0;
}

void interrupt_note(int sig)
{
	int saved = errno;
	sig_atomic_t none = 0;

	atomic_compare_exchange_strong(&noted, &none, sig);
	if (atomic_load(&count) < SIG_ATOMIC_MAX)
		atomic_fetch_add(&count, 1);
	/* one byte is enough: nobody reads it, so the pipe stays readable */
	if (pipe_fds[1] >= 0)
		(void)!write(pipe_fds[1], "", 1);
	errno = saved;
}

int interrupt_requested(void)
{
	return atomic_load(&noted);
}

int interrupt_count(void)
{
	return atomic_load(&count);
}

int interrupt_fd(void)
{
	return pipe_fds[0];
}

const char *interrupt_name(int sig)
{
	static char other[32];

	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	case SIGINT: return "SIGINT";
	case SIGQUIT: return "SIGQUIT";
	case SIGKILL: return "SIGKILL";
	}
	snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}

void interrupt_reset(void)
{
	char buf[64];

	atomic_store(&noted, 0);
	atomic_store(&count, 0);
	if (pipe_fds[0] >= 0)
		while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
			;
}
