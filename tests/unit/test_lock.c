/* test_lock.c - unit tests of the environment lock: busy while another process holds it, one wait notice, released when the holder dies. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "lock.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A scratch environment (just DIR/var/cenv) and the child holding its lock, if any. */
struct fixture {
	char *dir, *lock;
	pid_t holder;
	int to_child; /* closing it tells the holder to unlock */
	int from_child;
};

/* What the wait handler saw. */
static int handler_calls;
static char handler_prefix[4096];
static pid_t kill_on_wait; /* the handler kills this holder, so the wait ends */

static void on_wait(const char *prefix)
{
	handler_calls++;
	snprintf(handler_prefix, sizeof(handler_prefix), "%s", prefix);
	if (kill_on_wait > 0)
		kill(kill_on_wait, SIGKILL);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-lock-XXXXXX";
	struct fixture *f = xmalloc(sizeof(*f));
	char *state_dir;
	int r;

	memset(f, 0, sizeof(*f));
	f->holder = -1;
	f->to_child = f->from_child = -1;
	if (!mkdtemp(tmpl))
		return -1;
	f->dir = xstrdup(tmpl);
	f->lock = path_join(f->dir, "var/cenv/lock");
	state_dir = path_join(f->dir, "var/cenv");
	r = mkdir_p(state_dir, 0755, NULL);
	free(state_dir);
	handler_calls = 0;
	handler_prefix[0] = '\0';
	kill_on_wait = 0;
	lock_set_wait_handler(NULL);
	*state = f;
	return r;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret;

	if (f->holder > 0) {
		kill(f->holder, SIGKILL);
		waitpid(f->holder, NULL, 0);
	}
	if (f->to_child >= 0)
		close(f->to_child);
	if (f->from_child >= 0)
		close(f->from_child);
	lock_set_wait_handler(NULL);
	ret = getenv("CENV_KEEP_TMP") ? 0 : remove_tree(f->dir);
	free(f->dir);
	free(f->lock);
	free(f);
	return ret;
}

/*
 * Forks a child that takes the lock with env_lock, writes 'L', waits until
 * f->to_child is closed, unlocks, writes 'U' and lingers until killed or
 * until its pipe ends.  Returns once the child holds the lock.
 */
static void start_holder(struct fixture *f)
{
	int down[2], up[2];
	char c = 0;

	assert_int_equal(pipe(down), 0);
	assert_int_equal(pipe(up), 0);
	f->holder = fork();
	assert_true(f->holder >= 0);
	if (f->holder == 0) {
		int fd;

		close(down[1]);
		close(up[0]);
		fd = env_lock(f->dir);
		if (fd < 0 || write(up[1], "L", 1) != 1)
			_exit(3);
		while (read(down[0], &c, 1) > 0)
			;
		env_unlock(fd);
		if (write(up[1], "U", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	f->to_child = down[1];
	f->from_child = up[0];
	assert_int_equal(read(f->from_child, &c, 1), 1);
	assert_int_equal(c, 'L');
}

/* Seen from outside the module: can a plain flock take the lock file now? */
static int lock_file_free(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC), r;

	assert_true(fd >= 0);
	r = flock(fd, LOCK_EX | LOCK_NB);
	if (r < 0)
		assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	return r == 0;
}

static void reap_killed(struct fixture *f)
{
	int status;

	assert_int_equal(waitpid(f->holder, &status, 0), f->holder);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	f->holder = -1;
}

/* Taken, it is a real flock on DIR/var/cenv/lock, close-on-exec; after unlock it is free again. */
static void test_lock_unlock(void **state)
{
	struct fixture *f = *state;
	int fd = env_lock(f->dir);

	assert_true(fd >= 0);
	assert_true(path_exists(f->lock));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(lock_file_free(f->lock));
	env_unlock(fd);
	assert_true(lock_file_free(f->lock));
	fd = env_trylock(f->dir);
	assert_true(fd >= 0);
	env_unlock(fd);
	assert_int_equal(handler_calls, 0);
}

/* Held by another process: trylock says LOCK_BUSY and calls no handler; once released, it succeeds. */
static void test_trylock_busy(void **state)
{
	struct fixture *f = *state;
	char c = 0;
	int fd;

	lock_set_wait_handler(on_wait);
	start_holder(f);
	assert_false(lock_file_free(f->lock));
	assert_int_equal(env_trylock(f->dir), LOCK_BUSY);
	assert_int_equal(env_trylock(f->dir), LOCK_BUSY);
	assert_int_equal(handler_calls, 0);

	close(f->to_child);
	f->to_child = -1;
	assert_int_equal(read(f->from_child, &c, 1), 1);
	assert_int_equal(c, 'U');
	fd = env_trylock(f->dir);
	assert_true(fd >= 0);
	env_unlock(fd);
}

/* env_lock while another process holds it: the handler is called once, with DIR, then the lock comes when the holder dies. */
static void test_wait_handler_once(void **state)
{
	struct fixture *f = *state;
	int fd;

	lock_set_wait_handler(on_wait);
	start_holder(f);
	kill_on_wait = f->holder;
	fd = env_lock(f->dir);
	assert_true(fd >= 0);
	assert_int_equal(handler_calls, 1);
	assert_string_equal(handler_prefix, f->dir);
	reap_killed(f);
	/* ours now: a plain flock from outside cannot take it */
	assert_false(lock_file_free(f->lock));
	env_unlock(fd);
}

/* A free lock: env_lock does not call the handler. */
static void test_no_wait_no_handler(void **state)
{
	struct fixture *f = *state;
	int fd;

	lock_set_wait_handler(on_wait);
	fd = env_lock(f->dir);
	assert_true(fd >= 0);
	assert_int_equal(handler_calls, 0);
	env_unlock(fd);
}

/* The holder killed with SIGKILL: the kernel releases its lock, so trylock succeeds at once. */
static void test_released_on_death(void **state)
{
	struct fixture *f = *state;
	int fd;

	start_holder(f);
	assert_int_equal(env_trylock(f->dir), LOCK_BUSY);
	assert_int_equal(kill(f->holder, SIGKILL), 0);
	reap_killed(f);
	fd = env_trylock(f->dir);
	assert_true(fd >= 0);
	env_unlock(fd);
}

/* No state directory: -1 naming the lock; a symlink as the lock file is refused, not followed. */
static void test_errors(void **state)
{
	struct fixture *f = *state;
	char *missing = path_join(f->dir, "nope"), *message, *target = path_join(f->dir, "elsewhere");

	message = xasprintf("cannot open the lock '%s/var/cenv/lock': No such file or directory", missing);
	assert_int_equal(env_lock(missing), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(env_trylock(missing), -1);
	assert_string_equal(last_error(), message);
	free(message);

	assert_int_equal(symlink(target, f->lock), 0);
	message = xasprintf("'%s' is a symbolic link; cenv will not write through it", f->lock);
	assert_int_equal(env_lock(f->dir), -1);
	assert_string_equal(last_error(), message);
	assert_false(path_exists(target));
	free(message);
	free(target);
	free(missing);
}

/* A symlinked DIR/var/cenv: every way in refuses it by name, and no lock appears at its target. */
static void test_state_symlink(void **state)
{
	struct fixture *f = *state;
	char *state_dir = path_join(f->dir, "var/cenv"), *outside = path_join(f->dir, "outside");
	char *message = xasprintf("'%s/var/cenv' is a symbolic link; cenv will not write through it",
				  f->dir);
	int how;

	assert_int_equal(remove_tree(state_dir), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, state_dir), 0);
	assert_int_equal(env_lock(f->dir), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(env_trylock(f->dir), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(env_lock_read(f->dir, &how), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(dir_is_empty(outside), 1);
	free(message);
	free(outside);
	free(state_dir);
}

/* A reader alone gets it exclusively and writable, and shares it; then a writer is busy, another reader shares. */
static void test_read_lock(void **state)
{
	struct fixture *f = *state;
	int how, fd = env_lock_read(f->dir, &how), other, how2;

	assert_true(fd >= 0);
	assert_int_equal(how, LOCK_ALONE | LOCK_WRITABLE);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_false(lock_file_free(f->lock));
	assert_int_equal(env_lock_share(fd), 0);
	assert_int_equal(env_trylock(f->dir), LOCK_BUSY); /* shared still keeps a change out */
	other = env_lock_read(f->dir, &how2);
	assert_true(other >= 0);
	assert_int_equal(how2, LOCK_WRITABLE); /* not alone: the first reader holds it */
	env_unlock(other);
	env_unlock(fd);
	assert_true(lock_file_free(f->lock));
}

/* A change holds it: a reader is told LOCK_BUSY at once. */
static void test_read_lock_busy(void **state)
{
	struct fixture *f = *state;
	int how;

	start_holder(f);
	assert_int_equal(env_lock_read(f->dir, &how), LOCK_BUSY);
	assert_int_equal(kill(f->holder, SIGKILL), 0);
	reap_killed(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trylock_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_handler_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_wait_no_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_released_on_death, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_lock_busy, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
