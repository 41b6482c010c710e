/* test_util.c - unit tests of util: atomic writes from many threads, temporary names, write_all, symlinks. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char *scratch(void)
{
	char tmpl[] = "/tmp/cenv-util-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

struct writer {
	const char *path;
	char data[64];
	int ret;
};

static void *write_many(void *arg)
{
	struct writer *w = arg;
	int i;

	for (i = 0; i < 200 && w->ret == 0; i++)
		w->ret = write_file_atomic(w->path, w->data, strlen(w->data), 0644);
	return NULL;
}

/* Threads of one process writing one file: each rename is whole, no temporary is shared or left. */
static void test_atomic_write_from_threads(void **state)
{
	char *dir = scratch(), *path = path_join(dir, "record"), *text;
	struct writer w[4];
	pthread_t t[4];
	int i, whole = 0;

	(void)state;
	for (i = 0; i < 4; i++) {
		w[i].path = path;
		w[i].ret = 0;
		snprintf(w[i].data, sizeof(w[i].data), "writer %d wrote this whole line\n", i);
		assert_int_equal(pthread_create(&t[i], NULL, write_many, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ret, 0);
	}
	assert_int_equal(read_file(path, &text, NULL), 0);
	for (i = 0; i < 4; i++)
		whole += !strcmp(text, w[i].data);
	assert_int_equal(whole, 1);
	assert_int_equal(count_entries(dir), 1);
	free(text);
	remove_tree(dir);
	free(path);
	free(dir);
}

static void test_atomic_write_keeps_umask_mode(void **state)
{
	char *dir = scratch(), *path = path_join(dir, "f");
	struct stat st;
	mode_t old = umask(022);

	(void)state;
	assert_int_equal(write_file_atomic(path, "x", 1, 0666), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	umask(old);
	remove_tree(dir);
	free(path);
	free(dir);
}

/* A write that fails (here a file-size limit) leaves the old file as it was, and no temporary. */
static void test_atomic_write_failure_keeps_old(void **state)
{
	char *dir = scratch(), *path = path_join(dir, "cfg"), *text, big[4096];
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(write_file_atomic(path, "old\n", 4, 0644), 0);
	memset(big, 'x', sizeof(big));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit lim = { 1024, 1024 };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &lim);
		_exit(write_file_atomic(path, big, sizeof(big), 0644) == -1 ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* the write failed, and said so */
	assert_int_equal(read_file(path, &text, NULL), 0);
	assert_string_equal(text, "old\n");
	assert_int_equal(count_entries(dir), 1);
	free(text);
	remove_tree(dir);
	free(path);
	free(dir);
}

static void test_temp_names(void **state)
{
	(void)state;
	assert_true(is_temp_name("zlib.tmp.1234"));
	assert_true(is_temp_name("a.b.tmp.0"));
	assert_true(is_temp_name("x.tmp.y.tmp.99"));
	assert_false(is_temp_name("zlib"));
	assert_false(is_temp_name("zlib.tmp."));
	assert_false(is_temp_name("zlib.tmp.12a"));
	assert_false(is_temp_name("zlib.tmp"));
}

static void test_write_all_at_offset(void **state)
{
	char *dir = scratch(), *path = path_join(dir, "f"), *text;
	size_t len;
	int fd;

	(void)state;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write_all(fd, "hello", 5, -1), 0);
	assert_int_equal(write_all(fd, "J", 1, 0), 0);
	assert_int_equal(write_all(fd, "!", 1, 9), 0); /* a hole of zeros before it */
	close(fd);
	assert_int_equal(read_file(path, &text, &len), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(text, "Jello\0\0\0\0!", 10);
	free(text);
	assert_int_equal(write_all(-1, "x", 1, -1), -1);
	remove_tree(dir);
	free(path);
	free(dir);
}

static void test_read_link_at(void **state)
{
	char *dir = scratch(), *link = path_join(dir, "l"), *got, target[3000];
	int dfd;

	(void)state;
	memset(target, 'd', sizeof(target) - 1);
	target[sizeof(target) - 1] = '\0';
	assert_int_equal(symlink(target, link), 0);
	got = read_link_at(AT_FDCWD, link, 0); /* a hint far too small: the loop grows */
	assert_non_null(got);
	assert_string_equal(got, target);
	free(got);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	got = read_link_at(dfd, "l", sizeof(target));
	assert_string_equal(got, target);
	free(got);
	assert_null(read_link_at(dfd, "missing", 0));
	assert_non_null(strstr(last_error(), "cannot read the symlink 'missing'"));
	close(dfd);
	remove_tree(dir);
	free(link);
	free(dir);
}

/* remove_tree: a tree deeper than PATH_MAX goes; a symlink at the path or in the tree is not followed. */
static void test_remove_tree(void **state)
{
	char *dir = scratch(), *top = path_join(dir, "top"), *out = path_join(dir, "out"), *p;
	int fd, i, next;

	(void)state;
	assert_int_equal(mkdir(top, 0755), 0);
	assert_int_equal(mkdir(out, 0755), 0);
	p = path_join(out, "keep");
	assert_int_equal(write_file_new(p, "k", 1, 0644), 0);
	free(p);
	fd = open(top, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (i = 0; i < 2500; i++) { /* 5,000 bytes of "s/s/...", over PATH_MAX */
		assert_int_equal(mkdirat(fd, "s", 0755), 0);
		next = openat(fd, "s", O_RDONLY | O_DIRECTORY);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	assert_int_equal(symlinkat(out, fd, "link"), 0);
	close(fd);
	assert_int_equal(remove_tree(top), 0);
	assert_false(path_exists(top));
	/* the path itself a symlink: the link goes, its target's files stay */
	assert_int_equal(symlink(out, top), 0);
	assert_int_equal(remove_tree(top), 0);
	assert_false(path_exists(top));
	p = path_join(out, "keep");
	assert_true(path_exists(p));
	free(p);
	/* absent, or under a missing directory: nothing to do */
	assert_int_equal(remove_tree(top), 0);
	p = path_join(dir, "none/x");
	assert_int_equal(remove_tree(p), 0);
	free(p);
	assert_int_equal(remove_tree(dir), 0);
	assert_false(path_exists(dir));
	free(out);
	free(top);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_atomic_write_from_threads),
		cmocka_unit_test(test_atomic_write_keeps_umask_mode),
		cmocka_unit_test(test_atomic_write_failure_keeps_old),
		cmocka_unit_test(test_temp_names),
		cmocka_unit_test(test_write_all_at_offset),
		cmocka_unit_test(test_read_link_at),
		cmocka_unit_test(test_remove_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
