/* lock.c - one cenv process at a time changes an environment. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "interrupt.h"
#include "layout.h"
#include "lock.h"
#include "util.h"

#define LOCK_FILE LAYOUT_STATE "/lock"

static void (*wait_handler)(const char *prefix);

void lock_set_wait_handler(void (*handler)(const char *prefix))
{
	wait_handler = handler;
}

/*
 * Opens DIR/var/cenv/lock with flags (O_CREAT: mode 0644), from the root
 * without following a symlink.  -1 with fail() and errno kept; *state_err
 * (when not NULL) is set when the failure is var/cenv's, not the lock's.
 */
static int open_lock(const char *prefix, int flags, int *state_err)
{
	int root = layout_open_root(prefix), state = -1, fd = -1, saved;

	if (state_err)
		*state_err = 1;
	if (root >= 0)
		state = layout_open(root, prefix, LAYOUT_STATE, 0);
	/* no environment there: the lock is what could not be opened; a symlink keeps its own message */
	if (state < 0 && errno == ENOENT)
		fail_errno("cannot open the lock '%s/%s'", prefix, LOCK_FILE);
	if (state >= 0) {
		if (state_err)
			*state_err = 0;
		fd = openat(state, "lock", flags | O_NOFOLLOW | O_CLOEXEC, 0644);
		saved = errno;
		if (fd < 0 && saved == ELOOP)
			fail("'%s/%s' is a symbolic link; cenv will not write through it", prefix,
			     LOCK_FILE);
		else if (fd < 0)
			fail_errno("cannot open the lock '%s/%s'", prefix, LOCK_FILE);
		close(state);
		errno = saved;
	}
	saved = errno;
	if (root >= 0)
		close(root);
	errno = saved;
	return fd;
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
	int fd = open_lock(prefix, O_RDWR | O_CREAT, NULL);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			fail_errno("cannot lock '%s/%s'", prefix, LOCK_FILE);
			goto fail;
		}
		if (!wait) {
			close(fd);
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
				fail_errno("cannot lock '%s/%s'", prefix, LOCK_FILE);
				goto fail;
			}
		}
	}
	return fd;
fail:
	close(fd);
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

/* No permission to write, or nothing that could be written: reading as is is all one can do. */
static int read_only_errno(int err)
{
	return err == EACCES || err == EPERM || err == EROFS || err == ENOENT;
}

int env_lock_read(const char *prefix, int *how)
{
	int state_err, fd;

	*how = 0;
	fd = open_lock(prefix, O_RDWR | O_CREAT, &state_err);
	if (fd >= 0) {
		*how |= LOCK_WRITABLE;
	} else if (!state_err && read_only_errno(errno)) {
		/* flock works on a read-only descriptor: a shared lock needs no write access */
		fd = open_lock(prefix, O_RDONLY, &state_err);
	}
	if (fd < 0) {
		if (state_err || !read_only_errno(errno))
			return -1;
		fail("cannot lock '%s/%s' (read-only)", prefix, LOCK_FILE);
		return LOCK_NONE;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		*how |= LOCK_ALONE;
		return fd;
	}
	/* another reader holds it shared, or a change exclusively; or (NFS) an exclusive lock needs a writable file */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return fd;
	if (errno == EWOULDBLOCK || errno == EINTR) {
		close(fd);
		return LOCK_BUSY;
	}
	fail_errno("cannot lock '%s/%s' (read-only)", prefix, LOCK_FILE);
	close(fd);
	return LOCK_NONE;
}

int env_lock_share(int fd)
{
	/* not atomic (flock(2)): a change may come in between, and then it is busy */
	if (flock(fd, LOCK_SH | LOCK_NB) == 0)
		return 0;
	close(fd);
	return LOCK_BUSY;
}
