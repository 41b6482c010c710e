/* test_layout.c - unit tests of an environment's layout: its directories and their modes, what looks like an environment, paths refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The layout as README.md and every activate script assume it, parents first. */
static const char *const expected_dirs[] = {
	"bin", "include", "lib", "lib/pkgconfig", "share", "share/pkgconfig",
	"share/man", "share/aclocal", "var", "var/cenv", NULL,
};

static char *base;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-layout-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	base = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	int ret;

	(void)state;
	ret = getenv("CENV_KEEP_TMP") ? 0 : remove_tree(base);
	free(base);
	return ret;
}

static void touch(const char *rel)
{
	char *path = path_join(base, rel);

	assert_int_equal(write_file_atomic(path, "x\n", 2, 0644), 0);
	free(path);
}

static void mkdir_rel(const char *rel)
{
	char *path = path_join(base, rel);

	assert_int_equal(mkdir_p(path, 0755, NULL), 0);
	free(path);
}

static void test_dirs_list(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; expected_dirs[i]; i++) {
		assert_non_null(layout_dirs[i]);
		assert_string_equal(layout_dirs[i], expected_dirs[i]);
	}
	assert_null(layout_dirs[i]);
	assert_string_equal(LAYOUT_STATE, "var/cenv");
	assert_string_equal(LAYOUT_CONFIG, "cenv.cfg");
}

/* Every directory made, each a real directory with 0777 less the umask, exactly as mkdir(1) would. */
static void check_made(mode_t mask, mode_t want)
{
	const char *const *d;
	mode_t old = umask(mask);
	int r = layout_make_dirs(base);

	umask(old);
	assert_int_equal(r, 0);
	for (d = expected_dirs; *d; d++) {
		char *path = path_join(base, *d), *got, *exp;
		struct stat st;

		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		got = xasprintf("%s %04o", *d, (unsigned)(st.st_mode & 07777));
		exp = xasprintf("%s %04o", *d, (unsigned)want);
		assert_string_equal(got, exp);
		free(got);
		free(exp);
		free(path);
	}
}

static void test_make_dirs_022(void **state)
{
	(void)state;
	check_made(022, 0755);
}

static void test_make_dirs_002(void **state)
{
	(void)state;
	check_made(002, 0775);
}

/* Twice is fine, and what was there stays. */
static void test_make_dirs_again(void **state)
{
	char *kept = path_join(base, "lib/pkgconfig/kept.pc");

	(void)state;
	assert_int_equal(layout_make_dirs(base), 0);
	assert_int_equal(write_file_atomic(kept, "k\n", 2, 0644), 0);
	assert_int_equal(layout_make_dirs(base), 0);
	assert_true(path_exists(kept));
	free(kept);
}

/* A file where a directory goes, or no prefix at all: -1 naming the path. */
static void test_make_dirs_fails(void **state)
{
	char *message, *missing = path_join(base, "nope");

	(void)state;
	touch("lib");
	message = xasprintf("'%s/lib' is not a directory", base);
	assert_int_equal(layout_make_dirs(base), -1);
	assert_string_equal(last_error(), message);
	free(message);

	message = xasprintf("cannot open the environment '%s': No such file or directory", missing);
	assert_int_equal(layout_make_dirs(missing), -1);
	assert_string_equal(last_error(), message);
	assert_false(path_exists(missing));
	free(message);
	free(missing);
}

static void test_is_env(void **state)
{
	char *cfg = path_join(base, "cenv.cfg"), *other = path_join(base, "other.cfg");

	(void)state;
	assert_int_equal(layout_is_env(base), 0);
	mkdir_rel("var/cenv");
	assert_int_equal(layout_is_env(base), 0); /* no cenv.cfg */
	touch("cenv.cfg");
	assert_int_equal(layout_is_env(base), 1);
	/* a symlinked cenv.cfg is not one cenv wrote */
	assert_int_equal(unlink(cfg), 0);
	touch("other.cfg");
	assert_int_equal(symlink(other, cfg), 0);
	assert_int_equal(layout_is_env(base), 0);
	assert_int_equal(unlink(cfg), 0);
	mkdir_rel("cenv.cfg");
	assert_int_equal(layout_is_env(base), 0);
	assert_int_equal(remove_tree(cfg), 0);
	touch("cenv.cfg");
	assert_int_equal(layout_is_env(base), 1);
	/* var/cenv a file: no */
	{
		char *state_dir = path_join(base, "var/cenv");

		assert_int_equal(remove_tree(state_dir), 0);
		free(state_dir);
	}
	touch("var/cenv");
	assert_int_equal(layout_is_env(base), 0);
	free(cfg);
	free(other);
}

static void test_check_path(void **state)
{
	(void)state;
	assert_int_equal(layout_check_path("/home/me/env"), 0);
	assert_int_equal(layout_check_path("/home/me/my env/$x'y\"z!"), 0);
	assert_int_equal(layout_check_path("/home/\xc3\xa9t\xc3\xa9"), 0);

	assert_int_equal(layout_check_path("/home/a:b"), -1);
	assert_string_equal(last_error(), "'/home/a:b': an environment path cannot contain ':' (it would break PATH)");
	assert_int_equal(layout_check_path("/home/a\nb"), -1);
	assert_string_equal(last_error(), "'/home/a\\nb': an environment path cannot contain control characters");
	assert_int_equal(layout_check_path("/home/a\tb"), -1);
	assert_string_equal(last_error(), "'/home/a\\tb': an environment path cannot contain control characters");
	assert_int_equal(layout_check_path("/home/a\x7f"), -1);
	assert_string_equal(last_error(), "'/home/a\\x7f': an environment path cannot contain control characters");
}

/* Where packages may not put files: the layout's own directories, and cenv's state. */
static void test_path_rules(void **state)
{
	(void)state;
	assert_true(layout_has_dir("lib/pkgconfig"));
	assert_true(layout_has_dir("share/man"));
	assert_false(layout_has_dir("lib/pkgconfig/x"));
	assert_false(layout_has_dir("li"));
	assert_false(layout_has_dir(""));
	assert_true(layout_in_state("var/cenv"));
	assert_true(layout_in_state("var/cenv/records/zlib"));
	assert_false(layout_in_state("var/cenvx"));
	assert_false(layout_in_state("var"));
	assert_false(layout_in_state("var/cen"));
}

/* A symlink on the way, at any depth, is refused by name and nothing is made at its target. */
static void test_open_symlink(void **state)
{
	char *outside = path_join(base, "outside"), *env = path_join(base, "env");
	char *lib = path_join(env, "lib"), *message;
	int root, fd;

	(void)state;
	mkdir_rel("outside");
	mkdir_rel("env/var/cenv");
	assert_int_equal(symlink(outside, lib), 0);
	root = layout_open_root(env);
	assert_true(root >= 0);
	message = xasprintf("'%s/lib' is a symbolic link; cenv will not write through it", env);
	assert_int_equal(layout_open(root, env, "lib/pkgconfig", 0777), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(layout_make_dirs_at(root, env), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(dir_is_empty(outside), 1);
	free(message);
	/* a component that is a file is no directory */
	touch("env/share");
	message = xasprintf("'%s/share' is not a directory", env);
	assert_int_equal(layout_open(root, env, "share/man", 0777), -1);
	assert_string_equal(last_error(), message);
	free(message);
	/* a real one opens, and missing ones are made */
	fd = layout_open(root, env, "var/cenv/records", 0755);
	assert_true(fd >= 0);
	close(fd);
	{
		char *rec = path_join(env, "var/cenv/records");

		assert_true(is_dir(rec));
		free(rec);
	}
	close(root);
	free(lib);
	free(env);
	free(outside);
}

/* --clear's emptying: everything goes but the lock (the same file), the way to it and cenv.cfg. */
static void test_clear_keeps_lock(void **state)
{
	char *lock = path_join(base, "var/cenv/lock"), *cfg = path_join(base, "cenv.cfg");
	char *rec = path_join(base, "var/cenv/records"), *bin = path_join(base, "bin");
	struct stat before, after;
	int root;

	(void)state;
	assert_int_equal(layout_make_dirs(base), 0);
	touch("var/cenv/lock");
	touch("cenv.cfg");
	mkdir_rel("var/cenv/records");
	touch("var/cenv/records/zlib");
	touch("var/other");
	touch("lib/libz.a");
	assert_int_equal(lstat(lock, &before), 0);
	root = layout_open_root(base);
	assert_true(root >= 0);
	assert_int_equal(layout_clear(root, base), 0);
	close(root);
	assert_int_equal(lstat(lock, &after), 0);
	assert_true(before.st_ino == after.st_ino && before.st_dev == after.st_dev);
	assert_true(path_exists(cfg));
	assert_false(path_exists(rec));
	assert_false(path_exists(bin));
	{
		char *other = path_join(base, "var/other"), *lib = path_join(base, "lib");

		assert_false(path_exists(other));
		assert_false(path_exists(lib));
		free(other);
		free(lib);
	}
	free(lock);
	free(cfg);
	free(rec);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirs_list),
		cmocka_unit_test_setup_teardown(test_make_dirs_022, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_dirs_002, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_dirs_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_dirs_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_is_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_keeps_lock, setup, teardown),
		cmocka_unit_test(test_check_path),
		cmocka_unit_test(test_path_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
