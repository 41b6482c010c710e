/* test_fsat.c - unit tests of fd-relative paths: deep walks, symlinks refused, creation, removal, the cache. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char base[] = "/tmp/cenv-fsat-XXXXXX";
static int root = -1;

static void put(const char *rel, const char *text)
{
	char *path = path_join(base, rel), *dir = path_dirname(path);

	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(dir);
	free(path);
}

static int exists(const char *rel)
{
	char *path = path_join(base, rel);
	int r = path_exists(path);

	free(path);
	return r;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(base))
		return -1;
	root = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return root < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	fsat_close(&root);
	return remove_tree(base);
}

/* A fresh tree for each test: a/b/c/d/e/f/g/h/file, out/secret, and a/link -> ../out. */
static int fresh(void **state)
{
	char *link = path_join(base, "a/link");

	(void)state;
	assert_int_equal(remove_contents(base), 0);
	put("a/b/c/d/e/f/g/h/file", "deep\n");
	put("out/secret", "keep\n");
	assert_int_equal(symlink("../out", link), 0);
	free(link);
	return 0;
}

static void test_deep_parent(void **state)
{
	const char *leaf;
	struct stat st;
	int fd;

	(void)state;
	fd = fsat_parent(root, base, "a/b/c/d/e/f/g/h/file", &leaf);
	assert_true(fd >= 0);
	assert_string_equal(leaf, "file");
	assert_int_equal(fstatat(fd, leaf, &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	/* no slash: the root itself */
	fd = fsat_parent(root, base, "a", &leaf);
	assert_true(fd >= 0);
	assert_string_equal(leaf, "a");
	close(fd);
	assert_int_equal(fsat_lstat(root, base, "a/b/c/d/e/f/g/h/file", &st), 0);
	assert_int_equal(fsat_lstat(root, base, "a/b/none", &st), 1);
	assert_int_equal(fsat_lstat(root, base, "a/b/c/d/e/f/g/h/file/under", &st), 1);
}

static void test_symlink_refused(void **state)
{
	char *want = xasprintf("'%s/a/link' is a symlink or not a directory", base);
	const char *leaf;
	size_t bad = 0;
	int fd;

	(void)state;
	fd = fsat_parent(root, base, "a/link/secret", &leaf);
	assert_int_equal(fd, -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_string_equal(last_error(), want);
	free(want);
	/* not followed even when asked to create: nothing made behind it */
	fd = fsat_walk(root, "a/link/new", strlen("a/link/new"), 0700, &bad);
	assert_int_equal(fd, -1);
	assert_int_equal(bad, strlen("a/link"));
	assert_false(exists("out/new"));
	/* a file as a component */
	fd = fsat_walk(root, "out/secret/x", strlen("out/secret/x"), 0, &bad);
	assert_int_equal(fd, -1);
	assert_int_equal(errno, ENOTDIR);
	assert_int_equal(bad, strlen("out/secret"));
	/* a missing one, with the path up to it in the message */
	want = xasprintf("cannot open '%s/a/none': %s", base, strerror(ENOENT));
	assert_int_equal(fsat_parent(root, base, "a/none/x/y", &leaf), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(last_error(), want);
	free(want);
	/* names that could climb out are refused, not resolved */
	assert_int_equal(fsat_walk(root, "a/../out", strlen("a/../out"), 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_false(fsat_plain_name(".."));
	assert_false(fsat_plain_name(""));
	assert_true(fsat_plain_name("..x"));
}

static void test_create(void **state)
{
	const char *dir = "a/b/new1/new2/new3";
	struct stat st;
	int fd;

	(void)state;
	/* without mkdir_mode nothing is made */
	assert_int_equal(fsat_walk(root, dir, strlen(dir), 0, NULL), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(exists("a/b/new1"));
	/* only the first len bytes count */
	fd = fsat_walk(root, dir, strlen("a/b/new1"), 0700, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(exists("a/b/new1"));
	assert_false(exists("a/b/new1/new2"));
	fd = fsat_walk(root, dir, strlen(dir), 0750, NULL);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0700, 0700);
	/* a file made at the descriptor lands at the end of the path */
	assert_int_equal(mkdirat(fd, "leaf", 0755), 0);
	close(fd);
	assert_true(exists("a/b/new1/new2/new3/leaf"));
	/* len 0: the root itself */
	fd = fsat_walk(root, dir, 0, 0, NULL);
	assert_true(fd >= 0 && fd != root);
	assert_int_equal(fstatat(fd, "a", &st, AT_SYMLINK_NOFOLLOW), 0);
	close(fd);
}

static void test_remove(void **state)
{
	const char *leaf;
	int fd;

	(void)state;
	fd = fsat_parent(root, base, "a/b/c/d/e/f/g/h/file", &leaf);
	assert_true(fd >= 0);
	assert_int_equal(unlinkat(fd, leaf, 0), 0);
	close(fd);
	assert_false(exists("a/b/c/d/e/f/g/h/file"));
	fd = fsat_parent(root, base, "a/b/c/d/e/f/g/h", &leaf);
	assert_true(fd >= 0);
	assert_int_equal(fsat_dir_empty(fd, leaf), 1);
	assert_int_equal(unlinkat(fd, leaf, AT_REMOVEDIR), 0);
	assert_int_equal(fsat_dir_empty(fd, leaf), 0); /* gone: not an empty directory */
	close(fd);
	assert_false(exists("a/b/c/d/e/f/g/h"));
	/* a removal through the symlink never reaches what it points at */
	assert_int_equal(fsat_parent(root, base, "a/link/secret", &leaf), -1);
	assert_true(exists("out/secret"));
	fd = fsat_parent(root, base, "a/link", &leaf);
	assert_true(fd >= 0);
	assert_int_equal(fsat_dir_empty(fd, leaf), 0); /* a symlink to a directory is not one */
	close(fd);
	fd = fsat_parent(root, base, "out/secret", &leaf);
	assert_int_equal(fsat_dir_empty(fd, "."), 0);
	close(fd);
}

static void test_cache(void **state)
{
	struct fsat_cache c = FSAT_CACHE_INIT;
	const char *leaf;
	struct stat st1, st2;
	int fd1, fd2;

	(void)state;
	put("a/b/c/other", "x\n");
	fd1 = fsat_cached_parent(&c, root, base, "a/b/c/one", &leaf);
	assert_true(fd1 >= 0);
	assert_string_equal(leaf, "one");
	fd2 = fsat_cached_parent(&c, root, base, "a/b/c/other", &leaf);
	assert_int_equal(fd2, fd1); /* same parent: the same descriptor, no new walk */
	assert_string_equal(leaf, "other");
	assert_int_equal(fstatat(fd2, leaf, &st1, AT_SYMLINK_NOFOLLOW), 0);
	/* another parent: the old one is closed, a new one opened */
	fd2 = fsat_cached_parent(&c, root, base, "a/b/x", &leaf);
	assert_true(fd2 >= 0);
	assert_int_equal(fstatat(fd2, "c", &st2, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st2.st_mode));
	/* "a/b/c" vs "a/b": a prefix is not the same directory */
	fd1 = fsat_cached_parent(&c, root, base, "a/b/c/one", &leaf);
	assert_int_equal(fstat(fd1, &st2), 0);
	assert_int_equal(fstatat(fd1, "other", &st2, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* a failed walk is not cached */
	assert_int_equal(fsat_cached_parent(&c, root, base, "a/link/secret", &leaf), -1);
	assert_int_equal(c.fd, -1);
	fsat_cache_release(&c);
	/* fsat_cached_dir creates, as fsat_walk does */
	fd1 = fsat_cached_dir(&c, root, "made/here", strlen("made/here"), 0700);
	assert_true(fd1 >= 0);
	assert_int_equal(fsat_cached_dir(&c, root, "made/here/not", strlen("made/here"), 0700), fd1);
	assert_true(exists("made/here"));
	fsat_cache_release(&c);
	assert_int_equal(c.fd, -1);
	assert_null(c.dir);
	fsat_cache_release(&c); /* twice is fine */
}

/* Makes a chain of n directories "d" under the directory fd, a file "bottom" at the end; the deepest stays 0555. */
static void deep_chain(int fd, int n)
{
	int i, next, f;

	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		next = fsat_open_dir(fd, "d");
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	f = openat(fd, "bottom", O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(f >= 0);
	close(f);
	assert_int_equal(fchmod(fd, 0555), 0);
	close(fd);
}

/* A tree whose paths are far longer than PATH_MAX goes whole; symlinks in it are removed, not followed. */
static void test_remove_tree_deep(void **state)
{
	int fd;
	char *link;

	(void)state;
	assert_int_equal(mkdirat(root, "deep", 0755), 0);
	fd = fsat_open_dir(root, "deep");
	assert_true(fd >= 0);
	deep_chain(fd, 3000); /* 6,000 bytes of "d/d/...": PATH_MAX is 4,096 */
	close(fd);
	link = path_join(base, "deep/out");
	assert_int_equal(symlink("../out", link), 0);
	free(link);
	/* a directory without permissions on the way gets them */
	put("deep/locked/x", "x\n");
	link = path_join(base, "deep/locked");
	assert_int_equal(chmod(link, 0), 0);
	free(link);
	assert_int_equal(fsat_remove_tree(root, base, "deep"), 0);
	assert_false(exists("deep"));
	assert_true(exists("out/secret"));
	/* absent: nothing to do */
	assert_int_equal(fsat_remove_tree(root, base, "deep"), 0);
}

/* A symlink given to remove is itself removed; what it points at stays.  A file is unlinked. */
static void test_remove_tree_links(void **state)
{
	(void)state;
	assert_int_equal(fsat_remove_tree(root, base, "a/link"), -1); /* one component only */
	assert_true(exists("a/link"));
	{
		int a = fsat_open_dir(root, "a");

		assert_true(a >= 0);
		assert_int_equal(fsat_remove_tree(a, base, "link"), 0);
		close(a);
	}
	assert_false(exists("a/link"));
	assert_true(exists("out/secret"));
	assert_int_equal(fsat_remove_tree(root, base, ".."), -1);
	assert_int_equal(fsat_remove_tree(root, base, "a"), 0);
	assert_false(exists("a"));
	put("f", "x\n");
	assert_int_equal(fsat_remove_tree(root, base, "f"), 0);
	assert_false(exists("f"));
	assert_true(exists("out/secret"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_deep_parent, fresh),
		cmocka_unit_test_setup(test_symlink_refused, fresh),
		cmocka_unit_test_setup(test_create, fresh),
		cmocka_unit_test_setup(test_remove, fresh),
		cmocka_unit_test_setup(test_cache, fresh),
		cmocka_unit_test_setup(test_remove_tree_deep, fresh),
		cmocka_unit_test_setup(test_remove_tree_links, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
