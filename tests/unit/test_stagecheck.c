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
#include "strvec.h"
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

/* A link whose target holds the stage (PREFIX={destdir}{prefix}) is made again without it. */
static void test_link_into_stage(void **state)
{
	char *into = xasprintf("%s/bin/bzgrep", staged), *want = path_join(prefix, "bin/bzgrep");
	char *linkp = path_join(staged, "bin/bzegrep"), buf[4096];
	ssize_t n;

	(void)state;
	put("bin/bzgrep", "#!/bin/sh\n");
	link_at("bin/bzegrep", into);
	assert_int_equal(stagecheck(stage, prefix), 0);
	n = readlink(linkp, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
	free(into);
	free(want);
	free(linkp);
}

/*
 * A link into cenv's own state (the work area, which is removed) is refused, however its target
 * is spelt: relative from the link's directory, with "." or "//" on the way; links near it that
 * stay out of var/cenv pass.
 */
static void test_link_into_state(void **state)
{
	static const struct {
		const char *rel, *target; /* target: "%s" is the prefix */
		int refused;
	} links[] = {
		{ "lib/libx.so", "%s/var/cenv/work/x/src/libx.so", 1 },
		{ "lib/st", "../var/cenv/records", 1 },
		{ "lib/st", "../var/cenv", 1 },
		{ "st", "var/cenv", 1 },
		{ "st", "./var/./cenv/", 1 },
		{ "share/a/st", "../../var//cenv/records", 1 },
		{ "lib/st", "%s/./var/cenv/records", 1 },
		{ "lib/st", "%s/var//cenv/records", 1 },
		{ "lib/st", "%s//var/./cenv", 1 },
		{ "lib/st", "%s/var/cenv", 1 },
		{ "lib/st", "../var", 0 },             /* var itself, not cenv's part of it */
		{ "lib/st", "../var/cenvx", 0 },       /* a neighbour, same start */
		{ "lib/st", "var/cenv/records", 0 },   /* lib/var/cenv/records */
		{ "var/st", "cenv-data", 0 },          /* var/cenv-data */
		{ "lib/st", "%s/lib/var/cenv", 0 },
		{ "lib/st", "%s/varx/cenv", 0 },
	};
	size_t i;

	(void)state;
	put("lib/libx.so.1", "x");
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char *target = strstr(links[i].target, "%s") ? xasprintf(links[i].target, prefix)
							      : xstrdup(links[i].target);
		char *path = path_join(staged, links[i].rel);
		int got;

		link_at(links[i].rel, target);
		got = stagecheck(stage, prefix);
		if (got != (links[i].refused ? -1 : 0))
			print_error("%s -> %s: got %d\n", links[i].rel, target, got);
		assert_int_equal(got, links[i].refused ? -1 : 0);
		if (links[i].refused)
			assert_non_null(strstr(last_error(), "inside cenv's own state"));
		assert_int_equal(unlink(path), 0);
		free(path);
		free(target);
	}
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

/* A file at rel under the stage itself (not the staged prefix). */
static void put_stage(const char *rel, const char *text)
{
	char *path = path_join(stage, rel), *dir = path_dirname(path);

	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(write_file_new(path, text, strlen(text), 0644), 0);
	free(dir);
	free(path);
}

/* stagecheck_outside's list joined with spaces ("" when empty), *missing in missing. */
static char *outside_of(int *missing)
{
	struct strvec out = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (stagecheck_outside(stage, prefix, &out, missing) < 0)
		print_error("%s\n", last_error());
	sb_adds(&sb, "");
	for (i = 0; i < out.n; i++)
		sb_addf(&sb, "%s%s", i ? " " : "", out.v[i]);
	strvec_release(&out);
	return sb_detach(&sb);
}

/* Files beside the prefix, in the directories on the way to it and at the stage's top, sorted. */
static void test_outside_listed(void **state)
{
	char *want, *got, *sib, *dir, *ln = path_join(stage, "usr/etc-link");
	int missing = -1;

	(void)state;
	put("lib/libx.so.1", "x");           /* inside: never listed */
	put_stage("usr/share/tcltk/x/pkgIndex.tcl", "p");
	put_stage("usr/share/tcltk/x/lib.so", "l");
	put_stage("top", "t");
	sib = xasprintf("%s/envx/neighbour", base + 1); /* starts like the prefix, is not it */
	put_stage(sib, "n");
	dir = xasprintf("%s%s/emptydir", stage, base); /* empty directories are not listed */
	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	free(dir);
	dir = xasprintf("%s%s/in-parent", stage, base); /* a file in a directory on the way */
	assert_int_equal(write_file_new(dir, "i", 1, 0644), 0);
	assert_int_equal(symlink("/etc", ln), 0); /* listed, not entered */
	got = outside_of(&missing);
	want = xasprintf("%s/envx/neighbour %s/in-parent top usr/etc-link usr/share/tcltk/x/lib.so "
			 "usr/share/tcltk/x/pkgIndex.tcl", base + 1, base + 1);
	/* sorted by strcmp: "tmp/cenv-stagecheck-..." before "top" */
	assert_string_equal(got, want);
	assert_int_equal(missing, 0);
	free(got);
	free(want);
	free(dir);
	free(sib);
	free(ln);
}

/* Nothing outside, and a prefix never staged: missing, and what was staged elsewhere listed. */
static void test_outside_missing(void **state)
{
	char *got;
	int missing = -1;

	(void)state;
	put("include/x.h", "x");
	got = outside_of(&missing);
	assert_string_equal(got, "");
	assert_int_equal(missing, 0);
	free(got);
	assert_int_equal(remove_tree(staged), 0);
	put_stage("usr/local/bin/lua", "l");
	got = outside_of(&missing);
	assert_string_equal(got, "usr/local/bin/lua");
	assert_int_equal(missing, 1);
	free(got);
}

static void test_list_text(void **state)
{
	char *const v[] = { "a", "b", "c", "d", "e" };
	char *got;

	(void)state;
	got = stagecheck_list(v, 1, 3);
	assert_string_equal(got, "a");
	free(got);
	got = stagecheck_list(v, 3, 3);
	assert_string_equal(got, "a, b and c");
	free(got);
	got = stagecheck_list(v, 4, 3); /* "and 1 more" would say less than the name */
	assert_string_equal(got, "a, b, c and d");
	free(got);
	got = stagecheck_list(v, 5, 3);
	assert_string_equal(got, "a, b, c and 2 more");
	free(got);
	/* staged names hold any byte: each shown as printable() shows it, on one line */
	{
		char *const odd[] = { "usr/a\033]0;T\007b", "usr/line\ncenv: forged", "usr/t\tab\x7f" };

		got = stagecheck_list(odd, 3, 3);
		assert_string_equal(got, "usr/a\\x1b]0;T\\x07b, usr/line\\ncenv: forged and usr/t\\tab\\x7f");
		free(got);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_verdicts),
		cmocka_unit_test_setup_teardown(test_good_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_into_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_into_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_dotdot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_bits_stripped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_one_outside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_listed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_missing, setup, teardown),
		cmocka_unit_test(test_list_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
