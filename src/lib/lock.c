/* lock.c - one cenv process at a time changes an environment. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"
#include "layout.h"
#include "lock.h"
#include "util.h"

static void (*wait_handler)(const char *prefix);

void lock_set_wait_handler(void (*handler)(const char *prefix))
{
	wait_handler = handler;
}

/*
 * flock() rather than fcntl() locks: an fcntl lock is dropped when the
 * process closes any descriptor of the file, and it is per process, so it
 * would not keep out a second thread.  The kernel drops a flock when its
 * last descriptor closes, so a killed cenv never leaves the lock held, and
 * O_CLOEXEC keeps the builds' commands from inheriting it.
 */
static int lock_env(const char *prefix, int wait)
{
	char *path = xasprintf("%s/%s/lock", prefix, LAYOUT_STATE);
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		fail_errno("cannot open the lock '%s'", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			fail_errno("cannot lock '%s'", path);
			goto fail;
		}
		if (!wait) {
			close(fd);
			free(path);
			return LOCK_BUSY;
		}
		/* the command layer says so: a wait must not look like a hang */
		if (wait_handler)
			wait_handler(prefix);
		/* a signal the command layer catches ends the wait (its EINTR; interrupt.h) */
		while (interrupt_requested() || flock(fd, LOCK_EX) < 0) {
			if (interrupt_requested()) {
				fail("stopped waiting for the lock of '%s': interrupted by %s", prefix,
				     interrupt_name(interrupt_requested()));
				goto fail;
			}
			if (errno != EINTR) {
				fail_errno("cannot lock '%s'", path);
				goto fail;
			}
		}
	}
	free(path);
	return fd;
fail:
	close(fd);
	free(path);
	return -1;
}

int env_lock(const char *prefix)
{
	return lock_env(prefix, 1);
}

int env_trylock(const char *prefix)
{
	return lock_env(prefix, 0);
}

void env_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}
