/* test_dlcache.c - unit tests of the download cache in real temporary directories: commit and lookup, corruption, stale and live .part files, concurrent processes, symlinks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dlcache.h"
#include "error.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Digests computed outside cenv (sha256sum / Python hashlib). */
#define ABC "abc"
#define ABC_SHA "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define HELLO "hello\n"
#define HELLO_SHA "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
/* 1 MiB of (i * 7 + 3) % 251 */
#define BIG_LEN (1 << 20)
#define BIG_SHA "1ac437f476c488acba4000af7ae89ef53f7ffbeef2e937850985f5ceb8b5ae6f"

struct fixture {
	char *dir;  /* the scratch directory */
	char *root; /* DIR/home/.cache/cenv/downloads: not made yet */
	struct dlcache c;
};

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-dlcache-XXXXXX";
	struct fixture *f = xmalloc(sizeof(*f));

	memset(f, 0, sizeof(*f));
	f->c.fd = -1;
	umask(022); /* the test's own: modes below are then 0644 and 0755 */
	if (!mkdtemp(tmpl))
		return -1;
	f->dir = xstrdup(tmpl);
	f->root = path_join(f->dir, "home/.cache/cenv/downloads");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret;

	dlcache_close(&f->c);
	ret = getenv("CENV_KEEP_TMP") ? 0 : remove_tree(f->dir);
	free(f->dir);
	free(f->root);
	free(f);
	return ret;
}

static void open_cache(struct fixture *f)
{
	int r = dlcache_open(&f->c, f->root);

	if (r < 0)
		print_error("%s\n", last_error());
	assert_int_equal(r, 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static char *big_data(void)
{
	char *b = xmalloc(BIG_LEN);
	size_t i;

	for (i = 0; i < BIG_LEN; i++)
		b[i] = (char)((i * 7 + 3) % 251);
	return b;
}

/* The number of entries of DIR/rel (not . and ..); -1 when it cannot be opened. */
static int count_entries(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel);
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	free(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	if (read_file(path, &buf, len) < 0)
		return NULL;
	return buf;
}

static char *expected_path(const struct fixture *f, const char *hex)
{
	return xasprintf("%s/sha256/%.2s/%s", f->root, hex, hex);
}

/* begin + write data + commit; returns commit's result, *path its path. */
static int download(struct fixture *f, const char *sha, const char *data, size_t len,
		    const char *hex, const char *url, char **path)
{
	struct dlcache_part p;
	int r = dlcache_begin(&f->c, sha, &p);

	*path = NULL;
	if (r < 0)
		return -1;
	if (r > 0)
		return -100 - r;
	assert_true(p.fd >= 0);
	assert_int_equal(write_all(p.fd, data, len, -1), 0);
	return dlcache_commit(&f->c, &p, hex, url, path);
}

/* ---- the root --------------------------------------------------------------------- */

static void test_default_root(void **state)
{
	char *xdg_env[] = { "HOME=/home/u", "XDG_CACHE_HOME=/var/cache/u", NULL };
	char *home_env[] = { "PATH=/bin", "HOME=/home/u", NULL };
	char *rel_xdg[] = { "XDG_CACHE_HOME=cache", "HOME=/home/u", NULL };
	char *neither[] = { "PATH=/bin", "HOMEX=/nope", NULL };
	char *rel_home[] = { "HOME=home/u", NULL };
	char *r;

	(void)state;
	r = dlcache_default_root(xdg_env);
	assert_string_equal(r, "/var/cache/u/cenv/downloads");
	free(r);
	r = dlcache_default_root(home_env);
	assert_string_equal(r, "/home/u/.cache/cenv/downloads");
	free(r);
	r = dlcache_default_root(rel_xdg);
	assert_string_equal(r, "/home/u/.cache/cenv/downloads");
	free(r);
	assert_null(dlcache_default_root(neither));
	assert_non_null(strstr(last_error(), "neither XDG_CACHE_HOME nor HOME"));
	assert_null(dlcache_default_root(rel_home));
	assert_null(dlcache_default_root(NULL));
}

static void test_open_makes_dirs(void **state)
{
	struct fixture *f = *state;
	struct stat st;
	char *sha;

	open_cache(f);
	assert_string_equal(f->c.root, f->root);
	sha = path_join(f->root, "sha256");
	assert_int_equal(lstat(sha, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	free(sha);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	dlcache_close(&f->c);
	/* a relative root is refused */
	assert_int_equal(dlcache_open(&f->c, "rel/cache"), -1);
	assert_non_null(strstr(last_error(), "not an absolute path"));
}

static void test_open_refuses_symlink_inside(void **state)
{
	struct fixture *f = *state;
	char *tmp = path_join(f->root, "tmp"), *outside = path_join(f->dir, "outside");

	assert_int_equal(mkdir_p(f->root, 0755, NULL), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, tmp), 0);
	assert_int_equal(dlcache_open(&f->c, f->root), -1);
	assert_non_null(strstr(last_error(), "/tmp' is a symbolic link"));
	assert_int_equal(count_entries(f->dir, "outside"), 0);
	free(tmp);
	free(outside);
}

/* ---- commit and lookup ----------------------------------------------------------- */

static void test_commit_then_lookup(void **state)
{
	struct fixture *f = *state;
	char *path, *found, *want = expected_path(f, ABC_SHA), *side, *text;
	struct stat st;
	size_t len;
	int corrupt = -1;
	time_t t0 = time(NULL);

	open_cache(f);
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA,
				  "https://alice:s3cret@example.org/abc-1.0.tar.gz", &path),
			 0);
	assert_string_equal(path, want);
	text = slurp(path, &len);
	assert_non_null(text);
	assert_int_equal(len, 3);
	assert_memory_equal(text, ABC, 3);
	free(text);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	{
		char *fan = path_dirname(path);

		assert_int_equal(lstat(fan, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0755);
		free(fan);
	}
	/* the sidecar names the URL, without the credentials */
	side = xasprintf("%s.info", want);
	text = slurp(side, &len);
	assert_non_null(text);
	assert_non_null(strstr(text, "url https://***@example.org/abc-1.0.tar.gz\n"));
	assert_null(strstr(text, "s3cret"));
	assert_null(strstr(text, "alice"));
	assert_non_null(strstr(text, "used "));
	assert_true(strtoll(strstr(text, "used ") + 5, NULL, 10) >= (long long)t0);
	free(text);
	/* nothing left in progress */
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);

	assert_int_equal(dlcache_lookup(&f->c, ABC_SHA, &found, &corrupt), 1);
	assert_int_equal(corrupt, 0);
	assert_string_equal(found, want);
	free(found);
	/* the lookup kept the URL in the sidecar */
	text = slurp(side, &len);
	assert_non_null(strstr(text, "url https://***@example.org/abc-1.0.tar.gz\n"));
	free(text);
	free(side);
	free(path);
	free(want);
}

static void test_lookup_absent(void **state)
{
	struct fixture *f = *state;
	char *path = (char *)"x";
	int corrupt = -1;

	open_cache(f);
	assert_int_equal(dlcache_lookup(&f->c, HELLO_SHA, &path, &corrupt), 0);
	assert_null(path);
	assert_int_equal(corrupt, 0);
	/* a committed neighbour in the same fan-out directory changes nothing */
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, NULL, &path), 0);
	free(path);
	assert_int_equal(dlcache_lookup(&f->c,
					"ba00000000000000000000000000000000000000000000000000000000000000",
					&path, &corrupt),
			 0);
	assert_int_equal(dlcache_lookup(&f->c, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
					&path, &corrupt),
			 -1);
	assert_non_null(strstr(last_error(), "is not a sha256"));
}

static void test_lookup_corrupted(void **state)
{
	struct fixture *f = *state;
	char *path, *found = NULL, *side;
	int fd, corrupt = 0;

	open_cache(f);
	assert_int_equal(download(f, HELLO_SHA, HELLO, 6, HELLO_SHA, "http://h/x", &path), 0);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "J", 1, 0), 1);
	close(fd);
	assert_int_equal(dlcache_lookup(&f->c, HELLO_SHA, &found, &corrupt), 0);
	assert_int_equal(corrupt, 1);
	assert_null(found);
	assert_false(path_exists(path));
	side = xasprintf("%s.info", path);
	assert_false(path_exists(side));
	free(side);
	/* and then it is absent, not corrupt */
	assert_int_equal(dlcache_lookup(&f->c, HELLO_SHA, &found, &corrupt), 0);
	assert_int_equal(corrupt, 0);
	free(path);
}

static void test_abort_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct dlcache_part p;
	char *want = expected_path(f, ABC_SHA), *part;

	open_cache(f);
	assert_int_equal(dlcache_begin(&f->c, ABC_SHA, &p), 0);
	part = path_join(f->root, p.name);
	assert_true(path_exists(part));
	assert_int_equal(count_entries(f->root, "locks"), 1);
	assert_int_equal(write_all(p.fd, ABC, 3, -1), 0);
	dlcache_abort(&f->c, &p);
	assert_int_equal(p.fd, -1);
	assert_false(path_exists(part));
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	assert_false(path_exists(want));
	dlcache_abort(&f->c, &p); /* twice is fine */
	free(part);
	free(want);
}

static void test_commit_refuses_bad_names(void **state)
{
	struct fixture *f = *state;
	static const char *bad[] = {
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", /* 63 */
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"../../../../../../../../../../../../../../../../../../../../../x",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
		"",
	};
	size_t i;

	open_cache(f);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char *path = (char *)"x";

		assert_int_equal(download(f, NULL, ABC, 3, bad[i], NULL, &path), -1);
		assert_non_null(strstr(last_error(), "is not a sha256"));
		assert_null(path);
		assert_int_equal(count_entries(f->root, "tmp"), 0);
		assert_int_equal(count_entries(f->root, "sha256"), 0);
	}
	/* the bytes are not those begin was told: refused too */
	{
		char *path;

		assert_int_equal(download(f, HELLO_SHA, ABC, 3, ABC_SHA, NULL, &path), -1);
		assert_non_null(strstr(last_error(), "its bytes are " ABC_SHA));
		assert_int_equal(count_entries(f->root, "tmp"), 0);
		assert_int_equal(count_entries(f->root, "locks"), 0);
		assert_int_equal(count_entries(f->root, "sha256"), 0);
	}
	/* a begin with a bad hash */
	{
		struct dlcache_part p;

		assert_int_equal(dlcache_begin(&f->c, "../x", &p), -1);
		assert_non_null(strstr(last_error(), "is not a sha256"));
		assert_int_equal(p.fd, -1);
	}
}

/* A commit that fails once the bytes are written (here the sidecar cannot be written) removes the .part. */
static void test_failed_commit_removes_part(void **state)
{
	struct fixture *f = *state;
	char *fan = xasprintf("%s/sha256/ba", f->root), *side = xasprintf("%s/%s.info", fan, ABC_SHA);
	char *path;

	open_cache(f);
	assert_int_equal(mkdir(fan, 0755), 0);
	assert_int_equal(mkdir(side, 0755), 0);
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, "http://h/abc", &path), -1);
	assert_non_null(strstr(last_error(), ".info"));
	assert_null(path);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	assert_int_equal(count_entries(f->root, "sha256/ba"), 1); /* the directory we planted */
	free(fan);
	free(side);
}

/* ---- stale and live .part files ---------------------------------------------------- */

static void test_stale_part_removed_live_kept(void **state)
{
	struct fixture *f = *state;
	char *stale = xasprintf("%s/tmp/%s.0123456789abcdef.part", f->root, ABC_SHA);
	char *live = xasprintf("%s/tmp/new.fedcba9876543210.part", f->root);
	struct dlcache_part p;
	int up[2], fd;
	pid_t child;
	char c;

	open_cache(f);
	/* left by a killed process: written, never locked by anyone alive */
	fd = open(stale, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "half", 4), 4);
	close(fd);
	/* held by a live one */
	assert_int_equal(pipe(up), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		int lfd = open(live, O_RDWR | O_CREAT | O_EXCL, 0644);

		if (lfd < 0 || flock(lfd, LOCK_EX) < 0 || write(up[1], "L", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	close(up[1]);
	assert_int_equal(read(up[0], &c, 1), 1);
	close(up[0]);

	assert_int_equal(dlcache_begin(&f->c, HELLO_SHA, &p), 0);
	assert_false(path_exists(stale));
	assert_true(path_exists(live));
	dlcache_abort(&f->c, &p);
	assert_true(path_exists(live));

	/* once its process is gone, it is stale too */
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	assert_int_equal(dlcache_begin(&f->c, NULL, &p), 0);
	assert_false(path_exists(live));
	assert_int_equal(count_entries(f->root, "tmp"), 1); /* the new one only */
	dlcache_abort(&f->c, &p);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	free(stale);
	free(live);
}

/* ---- several processes ------------------------------------------------------------- */

/*
 * A child that opens its own cache, waits for the go (a byte on go), downloads BIG
 * in small pieces (so that two overlap) and commits.  Exit 0 when it committed,
 * 10 when begin found it already there and lookup confirmed it, else failure.
 */
static void racer(const char *root, const char *sha, int go)
{
	struct dlcache c;
	struct dlcache_part p;
	char *data = big_data(), *path = NULL, b;
	size_t off;
	int r;

	if (read(go, &b, 1) != 1 || dlcache_open(&c, root) < 0)
		_exit(2);
	r = dlcache_begin(&c, sha, &p);
	if (r == 1) {
		int corrupt;

		_exit(dlcache_lookup(&c, BIG_SHA, &path, &corrupt) == 1 ? 10 : 4);
	}
	if (r < 0)
		_exit(3);
	for (off = 0; off < BIG_LEN; off += 65536) {
		if (write_all(p.fd, data + off, 65536, -1) < 0)
			_exit(5);
		sleep_ms(2);
	}
	if (dlcache_commit(&c, &p, BIG_SHA, "http://127.0.0.1:1/big", &path) < 0)
		_exit(6);
	_exit(0);
}

static void race_two(struct fixture *f, const char *sha, int *st0, int *st1)
{
	int go[2];
	pid_t kids[2];
	int status[2], i;

	open_cache(f);
	assert_int_equal(pipe(go), 0);
	for (i = 0; i < 2; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			close(go[1]);
			racer(f->root, sha, go[0]);
		}
	}
	close(go[0]);
	assert_int_equal(write(go[1], "gg", 2), 2);
	close(go[1]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(kids[i], &status[i], 0), kids[i]);
		assert_true(WIFEXITED(status[i]));
	}
	*st0 = WEXITSTATUS(status[0]);
	*st1 = WEXITSTATUS(status[1]);
}

static void check_big_cached(struct fixture *f)
{
	char *want = expected_path(f, BIG_SHA), *data = big_data(), *got;
	size_t len;

	got = slurp(want, &len);
	assert_non_null(got);
	assert_int_equal(len, BIG_LEN);
	assert_memory_equal(got, data, BIG_LEN);
	assert_int_equal(count_entries(f->root, "sha256"), 1);
	assert_int_equal(count_entries(f->root, "sha256/1a"), 2); /* the file and its sidecar */
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	free(got);
	free(data);
	free(want);
}

static void test_two_processes_same_hash(void **state)
{
	struct fixture *f = *state;
	int a, b;

	race_two(f, BIG_SHA, &a, &b);
	/* one downloaded, the other waited for it and found it */
	assert_true((a == 0 && b == 10) || (a == 10 && b == 0));
	check_big_cached(f);
}

static void test_two_processes_unknown_hash(void **state)
{
	struct fixture *f = *state;
	int a, b;

	/* as for `cenv add`: no hash, so no lock; both download and both commit the same bytes */
	race_two(f, NULL, &a, &b);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	check_big_cached(f);
}

/* Two threads sharing one struct dlcache, downloading the same hash at once. */
struct thread_arg {
	struct dlcache *c;
	int result; /* 0 committed, 10 found it after waiting, else failure */
	int waited;
};

static void *thread_racer(void *arg)
{
	struct thread_arg *a = arg;
	struct dlcache_part p;
	char *data = big_data(), *path = NULL;
	size_t off;
	int r = dlcache_begin(a->c, BIG_SHA, &p), corrupt;

	a->waited = p.waited;
	if (r == 1) {
		a->result = dlcache_lookup(a->c, BIG_SHA, &path, &corrupt) == 1 ? 10 : 4;
	} else if (r < 0) {
		a->result = 3;
	} else {
		a->result = 0;
		for (off = 0; off < BIG_LEN && !a->result; off += 65536) {
			if (write_all(p.fd, data + off, 65536, -1) < 0)
				a->result = 5;
			sleep_ms(2);
		}
		if (a->result)
			dlcache_abort(a->c, &p);
		else if (dlcache_commit(a->c, &p, BIG_SHA, "http://127.0.0.1:1/big", &path) < 0)
			a->result = 6;
	}
	free(path);
	free(data);
	return NULL;
}

static void test_two_threads_same_hash(void **state)
{
	struct fixture *f = *state;
	struct thread_arg a[2];
	pthread_t t[2];
	int i;

	open_cache(f);
	for (i = 0; i < 2; i++) {
		a[i].c = &f->c;
		a[i].result = a[i].waited = -1;
		assert_int_equal(pthread_create(&t[i], NULL, thread_racer, &a[i]), 0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/* flock excludes the other thread as it would another process */
	assert_true((a[0].result == 0 && a[1].result == 10 && a[1].waited == 1) ||
		    (a[0].result == 10 && a[1].result == 0 && a[0].waited == 1));
	check_big_cached(f);
}

/* The waiter's on_wait tells the holder (a child) to finish: it commits, then our begin returns 1. */
struct wait_ctx {
	int calls;
	int to_holder;
	char hash[65];
};

static void on_wait(void *ctx, const char *sha256)
{
	struct wait_ctx *w = ctx;

	w->calls++;
	snprintf(w->hash, sizeof(w->hash), "%s", sha256);
	if (write(w->to_holder, "C", 1) != 1)
		abort();
}

/* A child that begins HELLO, says 'B', waits for a byte, then commits ('C'), aborts and says 'A' ('A'), or holds on (EOF). */
static pid_t start_holder(const char *root, int *to_holder, int *from_holder)
{
	int down[2], up[2];
	pid_t pid;

	assert_int_equal(pipe(down), 0);
	assert_int_equal(pipe(up), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct dlcache c;
		struct dlcache_part p;
		char *path, b = 0;

		close(down[1]);
		close(up[0]);
		alarm(8); /* a waiter that never gives up is then seen to have got the lock late */
		if (dlcache_open(&c, root) < 0 || dlcache_begin(&c, HELLO_SHA, &p) != 0 ||
		    write_all(p.fd, HELLO, 3, -1) < 0 || write(up[1], "B", 1) != 1)
			_exit(3);
		if (read(down[0], &b, 1) == 1 && b == 'A') {
			dlcache_abort(&c, &p);
			if (write(up[1], "A", 1) != 1)
				_exit(5);
		} else if (b == 'C') {
			sleep_ms(100); /* the waiter is really waiting meanwhile */
			if (write_all(p.fd, HELLO + 3, 3, -1) < 0 ||
			    dlcache_commit(&c, &p, HELLO_SHA, "http://h/hello", &path) < 0)
				_exit(4);
			_exit(0);
		}
		pause();
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	*to_holder = down[1];
	*from_holder = up[0];
	return pid;
}

static void test_second_begin_waits_then_finds(void **state)
{
	struct fixture *f = *state;
	struct wait_ctx w = { 0, -1, "" };
	struct dlcache_part p;
	int from, status, corrupt;
	char b, *path, *want = expected_path(f, HELLO_SHA), *text;
	size_t len;
	pid_t holder;

	open_cache(f);
	holder = start_holder(f->root, &w.to_holder, &from);
	assert_int_equal(read(from, &b, 1), 1);
	assert_int_equal(b, 'B');
	f->c.on_wait = on_wait;
	f->c.wait_ctx = &w;
	assert_int_equal(dlcache_begin(&f->c, HELLO_SHA, &p), 1);
	assert_int_equal(p.waited, 1);
	assert_int_equal(p.fd, -1);
	assert_int_equal(w.calls, 1);
	assert_string_equal(w.hash, HELLO_SHA);
	assert_int_equal(waitpid(holder, &status, 0), holder);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(dlcache_lookup(&f->c, HELLO_SHA, &path, &corrupt), 1);
	assert_string_equal(path, want);
	text = slurp(path, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(text, HELLO, 6);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	close(w.to_holder);
	close(from);
	free(text);
	free(path);
	free(want);
}

static void test_wait_gives_up(void **state)
{
	struct fixture *f = *state;
	struct wait_ctx w = { 0, -1, "" };
	struct dlcache_part p;
	int to, from;
	char b, *path;
	pid_t holder;
	time_t t0;

	open_cache(f);
	holder = start_holder(f->root, &to, &from);
	assert_int_equal(read(from, &b, 1), 1);
	f->c.wait_max = 1;
	f->c.on_wait = on_wait;
	f->c.wait_ctx = &w;
	w.to_holder = open("/dev/null", O_WRONLY);
	t0 = time(NULL);
	assert_int_equal(dlcache_begin(&f->c, HELLO_SHA, &p), 0);
	assert_true(time(NULL) - t0 >= 1);
	assert_true(time(NULL) - t0 < 5);
	assert_int_equal(p.waited, 1);
	assert_int_equal(w.calls, 1);
	assert_int_equal(p.lock_fd, -1);
	assert_int_equal(write_all(p.fd, HELLO, 6, -1), 0);
	assert_int_equal(dlcache_commit(&f->c, &p, HELLO_SHA, NULL, &path), 0);
	free(path);
	/* the holder's lock and .part are still its own */
	assert_int_equal(count_entries(f->root, "locks"), 1);
	assert_int_equal(count_entries(f->root, "tmp"), 1);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(to);
	close(from);
	close(w.to_holder);
}

/*
 * The lock file is removed by whoever releases it: a waiter that then gets the lock
 * of the removed file must not count as holding it, or a newcomer (making a new
 * file) would download beside it.  A holds, B waits, A aborts, B begins; then we
 * must wait for B.
 */
static void test_lock_held_after_release(void **state)
{
	struct fixture *f = *state;
	struct dlcache_part p;
	int to, from, up[2], status;
	pid_t holder, b;
	char ch;

	open_cache(f);
	holder = start_holder(f->root, &to, &from);
	assert_int_equal(read(from, &ch, 1), 1);
	assert_int_equal(pipe(up), 0);
	b = fork();
	assert_true(b >= 0);
	if (b == 0) {
		struct dlcache c;
		struct dlcache_part q;

		close(up[0]);
		alarm(8); /* as start_holder's */
		if (dlcache_open(&c, f->root) < 0 || dlcache_begin(&c, HELLO_SHA, &q) != 0 ||
		    !q.waited || write(up[1], "G", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	close(up[1]);
	sleep_ms(300); /* B is waiting */
	assert_int_equal(write(to, "A", 1), 1);
	assert_int_equal(read(from, &ch, 1), 1);
	assert_int_equal(ch, 'A');
	assert_int_equal(read(up[0], &ch, 1), 1); /* B has begun */
	assert_int_equal(ch, 'G');
	f->c.wait_max = 1;
	assert_int_equal(dlcache_begin(&f->c, HELLO_SHA, &p), 0);
	assert_int_equal(p.waited, 1);
	assert_int_equal(p.lock_fd, -1); /* gave up: B still holds it */
	dlcache_abort(&f->c, &p);
	kill(b, SIGKILL);
	assert_int_equal(waitpid(b, &status, 0), b);
	assert_true(WIFSIGNALED(status));
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	close(to);
	close(from);
	close(up[0]);
}

/* ---- symlinks ------------------------------------------------------------------- */

static void test_symlink_at_fanout(void **state)
{
	struct fixture *f = *state;
	char *outside = path_join(f->dir, "outside"), *fan = xasprintf("%s/sha256/ba", f->root);
	char *path = (char *)"x";
	int corrupt;

	open_cache(f);
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(symlink(outside, fan), 0);
	/* refused by begin (it looks for the file first) and, with no hash known, by commit */
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, NULL, &path), -1);
	assert_non_null(strstr(last_error(), "/sha256/ba' is a symbolic link"));
	assert_int_equal(download(f, NULL, ABC, 3, ABC_SHA, NULL, &path), -1);
	assert_non_null(strstr(last_error(), "/sha256/ba' is a symbolic link"));
	assert_null(path);
	assert_int_equal(count_entries(f->dir, "outside"), 0);
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	assert_int_equal(count_entries(f->root, "locks"), 0);
	assert_int_equal(dlcache_lookup(&f->c, ABC_SHA, &path, &corrupt), -1);
	assert_non_null(strstr(last_error(), "/sha256/ba' is a symbolic link"));
	assert_int_equal(count_entries(f->dir, "outside"), 0);
	{
		struct stat st;

		assert_int_equal(lstat(fan, &st), 0);
		assert_true(S_ISLNK(st.st_mode)); /* left alone */
	}
	free(outside);
	free(fan);
}

static void test_symlink_at_file(void **state)
{
	struct fixture *f = *state;
	char *outside = path_join(f->dir, "target"), *fan = xasprintf("%s/sha256/ba", f->root);
	char *file = expected_path(f, ABC_SHA), *path = (char *)"x", *text;
	size_t len;
	int fd, corrupt;

	open_cache(f);
	fd = open(outside, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, ABC, 3), 3); /* even with the right bytes */
	close(fd);
	assert_int_equal(mkdir(fan, 0755), 0);
	assert_int_equal(symlink(outside, file), 0);
	assert_int_equal(dlcache_lookup(&f->c, ABC_SHA, &path, &corrupt), -1);
	assert_non_null(strstr(last_error(), "is a symbolic link"));
	assert_non_null(strstr(last_error(), ABC_SHA "'"));
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, NULL, &path), -1);
	assert_non_null(strstr(last_error(), "is a symbolic link"));
	assert_int_equal(count_entries(f->root, "tmp"), 0);
	text = slurp(outside, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(text, ABC, 3);
	free(text);
	free(outside);
	free(fan);
	free(file);
}

/* ---- list, remove, redaction --------------------------------------------------------------- */

struct seen {
	int n;
	char hash[4][65];
	long long size[4];
	char url[4][128];
	time_t used[4];
};

static int collect(void *ctx, const struct dlcache_entry *e)
{
	struct seen *s = ctx;

	if (s->n < 4) {
		snprintf(s->hash[s->n], 65, "%s", e->sha256);
		s->size[s->n] = e->size;
		snprintf(s->url[s->n], 128, "%s", e->url ? e->url : "(none)");
		s->used[s->n] = e->last_use;
	}
	s->n++;
	return 0;
}

static int stop_at_first(void *ctx, const struct dlcache_entry *e)
{
	(void)e;
	(*(int *)ctx)++;
	return 7;
}

static void test_list_and_remove(void **state)
{
	struct fixture *f = *state;
	struct seen s;
	char *path, *junk;
	time_t t0 = time(NULL);
	int n = 0;

	open_cache(f);
	assert_int_equal(download(f, HELLO_SHA, HELLO, 6, HELLO_SHA, "http://u:p@h/hello.tar", &path), 0);
	free(path);
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, NULL, &path), 0);
	free(path);
	/* not entries: a stray name in a fan-out directory, a fan-out that is not one */
	junk = xasprintf("%s/sha256/ba/notes.txt", f->root);
	assert_int_equal(write_file_new(junk, "x", 1, 0644), 0);
	free(junk);
	junk = xasprintf("%s/sha256/zz", f->root);
	assert_int_equal(mkdir(junk, 0755), 0);
	free(junk);

	memset(&s, 0, sizeof(s));
	assert_int_equal(dlcache_list(&f->c, collect, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.hash[0], HELLO_SHA); /* 58... before ba... */
	assert_int_equal(s.size[0], 6);
	assert_string_equal(s.url[0], "http://***@h/hello.tar");
	assert_true(s.used[0] >= t0 && s.used[0] <= time(NULL));
	assert_string_equal(s.hash[1], ABC_SHA);
	assert_int_equal(s.size[1], 3);
	assert_string_equal(s.url[1], "(none)");
	assert_int_equal(dlcache_list(&f->c, stop_at_first, &n), 7);
	assert_int_equal(n, 1);

	assert_int_equal(dlcache_remove(&f->c, HELLO_SHA), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(dlcache_list(&f->c, collect, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.hash[0], ABC_SHA);
	assert_int_equal(count_entries(f->root, "sha256/58"), 0); /* the sidecar went too */
	assert_int_equal(dlcache_remove(&f->c, HELLO_SHA), 0);  /* absent: fine */
}

static void test_redact_url(void **state)
{
	static const char *cases[][2] = {
		{ "https://user:pass@example.org/a.tar.gz", "https://***@example.org/a.tar.gz" },
		{ "https://token@example.org/a", "https://***@example.org/a" },
		{ "https://example.org/a@b/c", "https://example.org/a@b/c" },
		{ "http://a:b@c@host:8080?q=@", "http://***@host:8080?q=@" },
		{ "https://example.org", "https://example.org" },
		{ "/local/path@x", "/local/path@x" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *r = dlcache_redact_url(cases[i][0]);

		assert_string_equal(r, cases[i][1]);
		free(r);
	}
}

/* A URL with a newline cannot add a line to the sidecar. */
static void test_sidecar_one_line(void **state)
{
	struct fixture *f = *state;
	char *path, *side, *text;
	size_t len;
	struct seen s;

	open_cache(f);
	assert_int_equal(download(f, ABC_SHA, ABC, 3, ABC_SHA, "http://h/a b\nused 1\nx", &path), 0);
	side = xasprintf("%s.info", path);
	text = slurp(side, &len);
	assert_non_null(strstr(text, "url http://h/a%20b%0Aused%201%0Ax\n"));
	memset(&s, 0, sizeof(s));
	assert_int_equal(dlcache_list(&f->c, collect, &s), 0);
	assert_true(s.used[0] > 1);
	free(text);
	free(side);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_root),
		cmocka_unit_test_setup_teardown(test_open_makes_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refuses_symlink_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_then_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_absent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_corrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_refuses_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_removes_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_part_removed_live_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_processes_same_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_processes_unknown_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_threads_same_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_begin_waits_then_finds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_gives_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_held_after_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_at_fanout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_at_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_remove, setup, teardown),
		cmocka_unit_test(test_redact_url),
		cmocka_unit_test_setup_teardown(test_sidecar_one_line, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
