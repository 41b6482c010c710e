/* test_stagecheck.c - unit tests of the staged-tree check: where symlinks lead, a real prefix, nothing followed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "stagecheck.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Targets judged by hand for a link at REL in the environment /env/e (the prefix). */
static const struct {
	const char *rel, *target;
	enum stagecheck_verdict want;
} cases[] = {
	{ "lib/libz.so", "libz.so.1", STAGECHECK_INSIDE },
	{ "lib/libz.so", "./libz.so.1", STAGECHECK_INSIDE },
	{ "bin/tool", "../lib/tool", STAGECHECK_INSIDE },
	{ "share/a/b/c", "../../../include/x.h", STAGECHECK_INSIDE },  /* up to the prefix itself */
	{ "share/a/b/c", "../../../../x", STAGECHECK_OUTSIDE },        /* one more: its parent */
	{ "lib/x", "..", STAGECHECK_INSIDE },
	{ "lib/x", "../..", STAGECHECK_OUTSIDE },
	{ "top", "..", STAGECHECK_OUTSIDE },                             /* a link at the top */
	{ "top", "lib", STAGECHECK_INSIDE },
	{ "lib/x", "../../e/lib/y", STAGECHECK_OUTSIDE },                /* climbs out, even to come back */
	{ "lib/x", "a/../b", STAGECHECK_DOTDOT },
	{ "lib/b", "a/../..", STAGECHECK_DOTDOT },                       /* lexically the prefix */
	{ "lib/x", "/env/e", STAGECHECK_INSIDE },
	{ "lib/x", "/env/e/", STAGECHECK_INSIDE },
	{ "lib/x", "/env/e/lib/libz.so.1", STAGECHECK_INSIDE },
	{ "lib/x", "//env//./e/lib", STAGECHECK_INSIDE },
	{ "lib/x", "/env/e/../e/lib", STAGECHECK_OUTSIDE },             /* ".." in the prefix part */
	{ "lib/x", "/env/e/lib/../../x", STAGECHECK_DOTDOT },
	{ "lib/x", "/env/e/..", STAGECHECK_OUTSIDE },
	{ "lib/x", "/env/ex/lib", STAGECHECK_OUTSIDE },                  /* a neighbour, same start */
	{ "lib/x", "/env", STAGECHECK_OUTSIDE },
	{ "lib/x", "/etc/passwd", STAGECHECK_OUTSIDE },
	{ "lib/x", "/", STAGECHECK_OUTSIDE },
};

static void test_link_verdicts(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum stagecheck_verdict got = stagecheck_link("/env/e", cases[i].rel, cases[i].target);

		if (got != cases[i].want)
			print_error("%s -> %s: got %d, wanted %d\n", cases[i].rel, cases[i].target, (int)got,
				    (int)cases[i].want);
		assert_int_equal(got, cases[i].want);
	}
	/* a prefix given with a trailing slash is the same prefix */
	assert_int_equal(stagecheck_link("/env/e/", "lib/x", "/env/e/lib"), STAGECHECK_INSIDE);
}

/* base/stage is the DESTDIR, base/env the prefix, base/out a directory outside. */
static char *base, *stage, *prefix, *staged;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-stagecheck-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	base = xstrdup(tmpl);
	stage = path_join(base, "stage");
	prefix = path_join(base, "env");
	staged = xasprintf("%s%s", stage, prefix);
	return mkdir_p(staged, 0755, NULL);
}

static int teardown(void **state)
{
	int ret;

	(void)state;
	ret = remove_tree(base);
	free(base);
	free(stage);
	free(prefix);
	free(staged);
	return ret;
}

static void put(const char *rel, const char *text)
{
	char *path = path_join(staged, rel), *dir = path_dirname(path);

	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(write_file_new(path, text, strlen(text), 0644), 0);
	free(dir);
	free(path);
}

static void link_at(const char *rel, const char *target)
{
	char *path = path_join(staged, rel), *dir = path_dirname(path);

	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(symlink(target, path), 0);
	free(dir);
	free(path);
}

/* A tree of files and symlinks that stay inside passes. */
static void test_good_tree(void **state)
{
	char *abs = path_join(prefix, "lib/libx.so.1");

	(void)state;
	put("lib/libx.so.1", "x");
	link_at("lib/libx.so", "libx.so.1");
	link_at("include/x/deep/er/l", "../../../../lib/libx.so.1");
	link_at("bin/abs", abs);
	link_at("bin/dangling", "nothere"); /* dangling, but inside */
	assert_int_equal(stagecheck(stage, prefix), 0);
	free(abs);
}

/* A symlink deep in the tree leading out is refused, naming it and its target. */
static void test_link_out(void **state)
{
	(void)state;
	put("lib/libx.so.1", "x");
	link_at("share/doc/x/a/up", "../../../../../out");
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), "the build staged 'share/doc/x/a/up' as a symlink to "
					  "'../../../../../out', which leads outside the environment");
}

static void test_link_dotdot(void **state)
{
	(void)state;
	link_at("lib/a", "..");
	link_at("lib/b", "a/../..");
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), "the build staged 'lib/b' as a symlink to 'a/../..', with "
					  "'..' after a name: cenv cannot tell where it leads");
}

/* The prefix itself, or a directory on the way to it, a symlink: refused naming it; not entered. */
static void test_prefix_symlink(void **state)
{
	char *out = path_join(base, "out"), *want, *first, *slash;

	(void)state;
	assert_int_equal(mkdir(out, 0755), 0);
	/* out holds a symlink leading outside: were the prefix followed, that message would come */
	{
		char *l = path_join(out, "evil");

		assert_int_equal(symlink("/etc/passwd", l), 0);
		free(l);
	}
	assert_int_equal(remove_tree(staged), 0);
	assert_int_equal(symlink(out, staged), 0);
	want = xasprintf("the build made '%s' a symlink to '%s': the staged prefix %s and the "
			 "directories on the way to it must be real directories", staged, out, prefix);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), want);
	free(want);

	/* the first directory under the stage a symlink */
	first = xstrdup(staged);
	slash = strchr(first + strlen(stage) + 1, '/');
	*slash = '\0';
	assert_int_equal(remove_tree(first), 0);
	assert_int_equal(symlink(out, first), 0);
	want = xasprintf("the build made '%s' a symlink to '%s': the staged prefix %s and the "
			 "directories on the way to it must be real directories", first, out, prefix);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), want);
	free(want);
	free(first);
	free(out);
}

/* Nothing staged under the prefix, or a file in its place. */
static void test_prefix_missing(void **state)
{
	char *want;

	(void)state;
	assert_int_equal(remove_tree(staged), 0);
	want = xasprintf("the build installed nothing under %s", prefix);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), want);
	free(want);
	assert_int_equal(write_file_new(staged, "x", 1, 0644), 0);
	want = xasprintf("the build made '%s' something other than a directory: the staged prefix %s "
			 "and the directories on the way to it must be real directories", staged, prefix);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), want);
	free(want);
	assert_int_equal(stagecheck(stage, "relative/env"), -1);
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode;
}

/* The setuid, setgid and sticky bits come off every staged regular file; directories and symlinks stay. */
static void test_mode_bits_stripped(void **state)
{
	static const struct {
		const char *rel;
		mode_t staged, want;
	} files[] = {
		{ "bin/su", 04755, 0755 }, { "bin/sg", 02750, 0750 }, { "share/st", 01644, 01644 & 0777 },
		{ "lib/all", 07777, 0777 }, { "lib/plain", 0640, 0640 },
	};
	char *dir = path_join(staged, "share/sgdir");
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = path_join(staged, files[i].rel);

		put(files[i].rel, "x");
		assert_int_equal(chmod(path, files[i].staged), 0);
		free(path);
	}
	link_at("bin/link", "su");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(chmod(dir, 02755), 0);
	assert_int_equal(stagecheck(stage, prefix), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = path_join(staged, files[i].rel);

		if ((mode_of(path) & 07777) != files[i].want)
			print_error("%s: mode %o, wanted %o\n", files[i].rel, (unsigned)(mode_of(path) & 07777),
				    (unsigned)files[i].want);
		assert_int_equal(mode_of(path) & 07777, files[i].want);
		free(path);
	}
	assert_int_equal(mode_of(dir) & 07777, 02755);
	free(dir);
}

/* A staged file hard-linked to a file outside the stage is refused; the outside file keeps its bits. */
static void test_hardlink_outside(void **state)
{
	char *out = path_join(base, "secret"), *in = path_join(staged, "lib/hard");

	(void)state;
	put("lib/a", "a");
	assert_int_equal(write_file_new(out, "s", 1, 0644), 0);
	assert_int_equal(chmod(out, 04755), 0);
	assert_int_equal(link(out, in), 0);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), "the build staged 'lib/hard' as a hard link to a file outside "
					  "its staging area");
	assert_int_equal(mode_of(out) & 07777, 04755);
	free(out);
	free(in);
}

/* One link of three outside: still refused, naming the first staged name. */
static void test_hardlink_one_outside(void **state)
{
	char *out = path_join(base, "other"), *a = path_join(staged, "lib/a"), *b = path_join(staged, "lib/b");

	(void)state;
	put("lib/a", "a");
	assert_int_equal(link(a, b), 0);
	assert_int_equal(link(a, out), 0);
	assert_int_equal(stagecheck(stage, prefix), -1);
	assert_string_equal(last_error(), "the build staged 'lib/a' as a hard link to a file outside "
					  "its staging area");
	free(out);
	free(a);
	free(b);
}

/* Hard links among staged files pass, and the file of several names loses its setuid bit too. */
static void test_hardlink_inside(void **state)
{
	char *a = path_join(staged, "bin/gzip"), *b = path_join(staged, "bin/gunzip"),
	     *c = path_join(staged, "share/x/zcat");
	struct stat sa, sc;

	(void)state;
	put("bin/gzip", "gz");
	put("share/x/keep", "k");
	assert_int_equal(chmod(a, 04755), 0);
	assert_int_equal(link(a, b), 0);
	assert_int_equal(link(a, c), 0);
	assert_int_equal(stagecheck(stage, prefix), 0);
	assert_int_equal(lstat(a, &sa), 0);
	assert_int_equal(lstat(c, &sc), 0);
	assert_true(sa.st_ino == sc.st_ino && sa.st_nlink == 3);
	assert_int_equal(sa.st_mode & 07777, 0755);
	free(a);
	free(b);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_verdicts),
		cmocka_unit_test_setup_teardown(test_good_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_dotdot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_bits_stripped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_one_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_inside, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
