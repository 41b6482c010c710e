/* interrupt.c - the "stop, please" of a signal: a flag and a self-pipe, set by the command layer's handler. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"

static volatile sig_atomic_t noted;
static int pipe_fds[2] = { -1, -1 };

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

	if (!noted)
		noted = sig;
	/* one byte is enough: nobody reads it, so the pipe stays readable */
	if (pipe_fds[1] >= 0)
		(void)!write(pipe_fds[1], "", 1);
	errno = saved;
}

int interrupt_requested(void)
{
	return noted;
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

	noted = 0;
	if (pipe_fds[0] >= 0)
		while (read(pipe_fds[0], buf, sizeof(buf)) > 0)
			;
}
