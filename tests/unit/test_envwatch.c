/* test_envwatch.c - unit tests of the look before and after a build: strays removed, owned files reported, nothing followed. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "envwatch.h"
#include "error.h"
#include "layout.h"
#include "record.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define SHA "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PART_A "zlib: the build wrote into the environment outside its staging area: "
#define PART_B "the build changed files of other packages: "

/*
 * base/env is the environment, made afresh for each test: package bar owns four files,
 * an older zlib one, share/doc/note is there but owned by none, share/out is a symlink to
 * base/outside (a directory outside the environment), and zlib's build area and log exist.
 */
static char *base, *env, *outside, *logpath;
static const char *const skips[] = { "var/cenv/work/zlib", "var/cenv/logs/zlib.log" };
static struct envwatch *before;
static int logfd = -1;

static char *at(const char *rel)
{
	return path_join(env, rel);
}

static void put(const char *rel, const char *text)
{
	char *path = at(rel), *parent = path_dirname(path);

	if (!is_dir(parent))
		assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(parent);
	free(path);
}

/* Rewrites the file in place: same inode, as `make install` over an existing file (cp) would. */
static void rewrite(const char *rel, const char *text)
{
	char *path = at(rel);
	int fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	free(path);
}

static void link_at(const char *rel, const char *target)
{
	char *path = at(rel);

	assert_int_equal(symlink(target, path), 0);
	free(path);
}

static char *slurp(const char *path)
{
	char *text;
	size_t len;

	assert_int_equal(read_file(path, &text, &len), 0);
	return text;
}

static int exists(const char *rel)
{
	char *path = at(rel);
	struct stat st;
	int ret = lstat(path, &st) == 0;

	free(path);
	return ret;
}

struct fixture_file {
	const char *path, *target; /* target: a symlink */
};

/* A record of name listing files (the strings borrowed); free its files array alone. */
static struct record make_record(const char *name, const struct fixture_file *files, size_t n)
{
	struct record r = { 0 };
	size_t i;

	r.name = (char *)name;
	r.version = "1.0";
	r.url = "file:///tmp/x.tar.gz";
	r.sha256 = SHA;
	r.build = "make";
	r.files = xmalloc((n + 1) * sizeof(*r.files));
	memset(r.files, 0, (n + 1) * sizeof(*r.files));
	for (i = 0; i < n; i++) {
		r.files[i].path = (char *)files[i].path;
		r.files[i].type = files[i].target ? 'l' : 'f';
		r.files[i].mode = files[i].target ? 0777 : 0644;
		r.files[i].link_target = (char *)files[i].target;
		if (!files[i].target)
			memcpy(r.files[i].sha256, SHA, 65);
	}
	r.nfiles = n;
	return r;
}

static void save_record(const char *name, const struct fixture_file *files, size_t n)
{
	struct record r = make_record(name, files, n);

	assert_int_equal(record_save(env, &r), 0);
	free(r.files);
}

static const struct fixture_file bar_files[] = {
	{ "include/bar.h", NULL },
	{ "lib/libbar.so", NULL },
	{ "lib/libbar.so.1", "libbar.so" },
	{ "lib/pkgconfig/bar.pc", NULL },
};
static const struct fixture_file zlib_files[] = { { "lib/libz.a", NULL } };

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-envwatch-XXXXXX";
	char *target;

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	base = xstrdup(tmpl);
	env = path_join(base, "env");
	outside = path_join(base, "outside");
	logpath = path_join(base, "zlib.log");
	if (mkdir(env, 0755) < 0 || mkdir(outside, 0755) < 0 || layout_make_dirs(env) < 0)
		return -1;
	put("cenv.cfg", "[cenv]\nversion = 0.1.0\n");
	put("bin/activate", "# activate\n");
	put("include/bar.h", "int bar(void);\n");
	put("lib/libbar.so", "ELF bar\n");
	link_at("lib/libbar.so.1", "libbar.so");
	put("lib/pkgconfig/bar.pc", "Name: bar\n");
	put("lib/libz.a", "old zlib\n");
	save_record("bar", bar_files, sizeof(bar_files) / sizeof(bar_files[0]));
	save_record("zlib", zlib_files, 1);
	put("share/doc/note", "nobody's\n");
	link_at("share/out", outside);
	put("var/cenv/work/zlib/src/configure", "#!/bin/sh\n");
	put("var/cenv/logs/zlib.log", "configure\n");
	target = path_join(outside, "target");
	assert_int_equal(write_file_new(target, "outside\n", 8, 0644), 0);
	free(target);
	logfd = open(logpath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	return logfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	int ret;

	(void)state;
	envwatch_free(before);
	before = NULL;
	if (logfd >= 0)
		close(logfd);
	logfd = -1;
	ret = remove_tree(base);
	free(base);
	free(env);
	free(outside);
	free(logpath);
	return ret;
}

static void take(void)
{
	envwatch_free(before);
	before = NULL;
	assert_int_equal(envwatch_take(env, skips, 2, &before), 0);
	assert_non_null(before);
}

/* Runs the check: want NULL, nothing found and no message; else exactly that message. */
static void check(const char *want)
{
	int ret;

	free(error_take());
	ret = envwatch_check(before, env, "zlib", logfd);
	if (!want) {
		if (ret)
			print_error("unexpected: %s\n", last_error());
		assert_int_equal(ret, 0);
		assert_string_equal(last_error(), "unknown error"); /* none set */
		return;
	}
	assert_int_equal(ret, -1);
	assert_string_equal(last_error(), want);
}

static void check_log(const char *want)
{
	char *text = slurp(logpath);

	assert_string_equal(text, want);
	free(text);
}

/* ---- nothing done, and each kind of stray ------------------------------------ */

static void test_nothing_changed(void **state)
{
	char *path = at("lib/libbar.so"), *text;

	(void)state;
	take();
	text = slurp(path); /* reading is no change */
	free(text);
	free(path);
	check(NULL);
	check_log("");
	assert_true(exists("share/doc/note"));
	assert_true(exists("lib/libbar.so"));
}

static void test_new_file(void **state)
{
	(void)state;
	take();
	put("bin/x", "stray\n");
	check(PART_A "bin/x (removed)");
	assert_false(exists("bin/x"));
	assert_true(exists("bin/activate"));
	check_log("cenv: appeared outside the staging area, removed: bin/x\n");
	/* the environment is as it was: a second look finds nothing */
	check(NULL);
}

static void test_new_tree(void **state)
{
	char *ro;

	(void)state;
	take();
	put("share/junk/a/b/c.txt", "c\n");
	put("share/junk/d", "d\n");
	ro = at("share/junk/a");
	assert_int_equal(chmod(ro, 0555), 0); /* as a build's read-only tree */
	free(ro);
	check(PART_A "share/junk/ (removed)");
	assert_false(exists("share/junk"));
	assert_true(exists("share/doc/note"));
	check_log("cenv: appeared outside the staging area, removed: share/junk/\n");
}

/* A directory that appeared with a package's file in it stays; its other entries go. */
static void test_new_dir_with_owned_file(void **state)
{
	char *dir = at("lib/pkgconfig");

	(void)state;
	assert_int_equal(remove_tree(dir), 0); /* bar.pc went missing before this build */
	take();
	put("lib/pkgconfig/bar.pc", "Name: bar, again\n");
	put("lib/pkgconfig/stray.pc", "Name: stray\n");
	check(PART_A "lib/pkgconfig/stray.pc (removed); " PART_B "lib/pkgconfig/bar.pc (bar)");
	assert_true(exists("lib/pkgconfig/bar.pc"));
	assert_false(exists("lib/pkgconfig/stray.pc"));
	check_log("cenv: appeared, owned by bar, kept: lib/pkgconfig/bar.pc\n"
		  "cenv: appeared outside the staging area, removed: lib/pkgconfig/stray.pc\n");
	free(dir);
}

static void test_changed_owned(void **state)
{
	char *path = at("lib/libbar.so"), *text;

	(void)state;
	take();
	rewrite("lib/libbar.so", "ELF bar, overwritten by zlib's make install\n");
	rewrite("lib/libz.a", "new zlib, not staged\n"); /* the package's own old file */
	check("zlib: " PART_B "lib/libbar.so (bar), lib/libz.a (zlib)");
	text = slurp(path); /* kept: the owner's to repair */
	assert_string_equal(text, "ELF bar, overwritten by zlib's make install\n");
	check_log("cenv: changed, owned by bar, kept: lib/libbar.so\n"
		  "cenv: changed, owned by zlib, kept: lib/libz.a\n");
	free(text);
	free(path);
}

/* Same size, same inode, mtime put back: only the ctime tells. */
static void test_changed_mtime_restored(void **state)
{
	char *path = at("include/bar.h");
	struct stat st1, st2;
	struct timespec times[2];

	(void)state;
	assert_int_equal(lstat(path, &st1), 0);
	take();
	rewrite("include/bar.h", "int baz(void);\n");
	times[0] = st1.st_atim;
	times[1] = st1.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(lstat(path, &st2), 0);
	assert_int_equal(st2.st_size, st1.st_size);
	assert_int_equal(st2.st_ino, st1.st_ino);
	assert_int_equal(st2.st_mtim.tv_sec, st1.st_mtim.tv_sec);
	assert_int_equal(st2.st_mtim.tv_nsec, st1.st_mtim.tv_nsec);
	check("zlib: " PART_B "include/bar.h (bar)");
	free(path);
}

static void test_changed_cenv_own(void **state)
{
	char *path = at("cenv.cfg"), *text;

	(void)state;
	take();
	put("cenv.cfg", "[cenv]\nversion = 6.6.6\n");
	check(PART_A "cenv.cfg (cenv's own, kept)");
	text = slurp(path);
	assert_string_equal(text, "[cenv]\nversion = 6.6.6\n");
	check_log("cenv: changed, cenv's own file, kept: cenv.cfg\n");
	free(text);
	free(path);
}

static void test_changed_unowned(void **state)
{
	(void)state;
	take();
	rewrite("share/doc/note", "changed by the build\n");
	check(PART_A "share/doc/note (removed)");
	assert_false(exists("share/doc/note"));
	check_log("cenv: changed outside the staging area, removed: share/doc/note\n");
}

static void test_type_changed(void **state)
{
	char *path = at("lib/libbar.so"), *note = at("share/doc/note");

	(void)state;
	take();
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(unlink(note), 0);
	put("share/doc/note/inside", "x\n");
	check(PART_A "share/doc/note/ (removed); " PART_B "lib/libbar.so (bar)");
	assert_true(is_dir(path));
	assert_false(exists("share/doc/note"));
	free(note);
	free(path);
}

static void test_disappeared(void **state)
{
	char *link = at("lib/libbar.so.1"), *note = at("share/doc/note");

	(void)state;
	take();
	assert_int_equal(unlink(link), 0);
	assert_int_equal(unlink(note), 0);
	check(PART_A "share/doc/note (disappeared); " PART_B "lib/libbar.so.1 (bar, disappeared)");
	check_log("cenv: disappeared, owned by bar: lib/libbar.so.1\n"
		  "cenv: disappeared outside the staging area: share/doc/note\n");
	free(note);
	free(link);
}

/* The build's own area and log change as they should: no finding; their neighbours are. */
static void test_skips(void **state)
{
	char *log = at("var/cenv/logs/zlib.log");
	int fd;

	(void)state;
	take();
	put("var/cenv/work/zlib/stage/usr/lib/libz.a", "staged\n");
	put("var/cenv/work/zlib/build/a/b/c.o", "obj\n");
	fd = open(log, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "make\n", 5), 5);
	close(fd);
	check(NULL);
	assert_true(exists("var/cenv/work/zlib/build/a/b/c.o"));
	/* a name the skips start with is not one of them */
	put("var/cenv/work/zlibx", "x\n");
	put("var/cenv/logs/zlib.log.old", "y\n");
	check(PART_A "var/cenv/logs/zlib.log.old, var/cenv/work/zlibx (removed)");
	assert_false(exists("var/cenv/work/zlibx"));
	assert_true(exists("var/cenv/work/zlib/stage/usr/lib/libz.a"));
	free(log);
}

/* Symlinks planted to the outside are removed as links; none is followed, then or before. */
static void test_symlink_out(void **state)
{
	char *target = path_join(outside, "target"), *newfile = path_join(outside, "newfile"), *text;
	struct stat st;

	(void)state;
	take();
	link_at("bin/evil", target);
	link_at("lib/evildir", outside);
	/* through the link that was there before: outside the environment, not looked at */
	assert_int_equal(write_file_new(newfile, "n\n", 2, 0644), 0);
	check(PART_A "bin/evil, lib/evildir (removed)");
	assert_false(exists("bin/evil"));
	assert_false(exists("lib/evildir"));
	text = slurp(target);
	assert_string_equal(text, "outside\n");
	assert_int_equal(lstat(newfile, &st), 0);
	assert_true(exists("share/out"));
	free(text);
	free(newfile);
	free(target);
}

/* A record the build plants owns nothing: the records are read before the build. */
static void test_planted_record(void **state)
{
	static const struct fixture_file evil[] = { { "bin/evil", NULL } };

	(void)state;
	take();
	put("bin/evil", "evil\n");
	save_record("evil", evil, 1);
	check(PART_A "bin/evil, var/cenv/records/evil (removed)");
	assert_false(exists("bin/evil"));
	assert_false(exists("var/cenv/records/evil"));
	assert_true(exists("var/cenv/records/bar"));
}

static void test_many_names(void **state)
{
	char name[32], *text, *p;
	int i, lines = 0;

	(void)state;
	take();
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "bin/t%d", i);
		put(name, "t\n");
	}
	check(PART_A "bin/t0, bin/t1, bin/t2, bin/t3, bin/t4 and 3 more (removed)");
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "bin/t%d", i);
		assert_false(exists(name));
	}
	text = slurp(logpath);
	for (p = text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 8);
	assert_non_null(strstr(text, "removed: bin/t7\n"));
	free(text);
}

/* A newline in a planted name cannot forge a line of the message or of the log. */
static void test_control_name(void **state)
{
	(void)state;
	take();
	put("bin/x\nFAKE: y", "x\n");
	check(PART_A "bin/x\\nFAKE: y (removed)");
	assert_false(exists("bin/x\nFAKE: y"));
	check_log("cenv: appeared outside the staging area, removed: bin/x\\nFAKE: y\n");
}

/* ---- deep trees, the prefix, the skips given ------------------------------------ */

/* Makes rel/(name x depth)/f under the environment by descriptors: its path is longer than PATH_MAX. */
static void deep_tree(const char *rel, int depth, const char *text)
{
	char name[101];
	char *path = at(rel);
	int fd, i, next, f;

	memset(name, 'd', 100);
	name[100] = '\0';
	assert_int_equal(mkdir_p(path, 0755, NULL), 0);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (i = 0; i < depth; i++) {
		assert_true(mkdirat(fd, name, 0755) == 0 || errno == EEXIST);
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	f = openat(fd, "f", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(f >= 0);
	assert_int_equal(write(f, text, strlen(text)), (ssize_t)strlen(text));
	close(f);
	close(fd);
	free(path);
}

/* 1 when rel/(name x depth)/f exists. */
static int deep_file(const char *rel, int depth)
{
	char name[101];
	char *path = at(rel);
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY), i, next, ret;

	memset(name, 'd', 100);
	name[100] = '\0';
	free(path);
	for (i = 0; fd >= 0 && i < depth; i++) {
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		close(fd);
		fd = next;
	}
	if (fd < 0)
		return 0;
	ret = fstatat(fd, "f", &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(fd);
	return ret;
}

static void test_deep(void **state)
{
	int depth = PATH_MAX / 100 + 10; /* 51 levels of 101 bytes: about 5 KiB of path */
	struct strbuf want = STRBUF_INIT, full = STRBUF_INIT;
	char *text;
	int i;

	(void)state;
	deep_tree("share/deep", depth, "deep\n");
	take();
	check(NULL); /* looked at, all of it, and unchanged */
	deep_tree("share/deep", depth, "deep, changed by the build\n");
	deep_tree("share/deeper", depth, "new\n");
	sb_adds(&full, "share/deep");
	for (i = 0; i < depth; i++)
		sb_adds(&full, "/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	sb_adds(&full, "/f");
	assert_true(full.len > PATH_MAX);
	sb_adds(&want, PART_A);
	sb_add(&want, full.buf, 120);
	sb_adds(&want, "..., share/deeper/ (removed)");
	check(want.buf);
	assert_false(deep_file("share/deep", depth));
	assert_false(exists("share/deeper"));
	assert_true(exists("share/deep/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"));
	text = slurp(logpath);
	assert_non_null(strstr(text, full.buf)); /* the log has the whole path */
	free(text);
	sb_release(&want);
	sb_release(&full);
}

static void test_prefix_replaced(void **state)
{
	char *old = path_join(base, "env.old"), *want;

	(void)state;
	take();
	assert_int_equal(rename(env, old), 0);
	assert_int_equal(mkdir(env, 0755), 0);
	want = xasprintf("zlib: cannot look at the environment after the build: '%s' is not the directory it was",
			 env);
	check(want);
	free(want);
	free(old);
}

static void test_bad_skip(void **state)
{
	static const char *const bad[] = { "var/cenv/work/zlib", "../outside" };
	struct envwatch *w = (struct envwatch *)1;

	(void)state;
	assert_int_equal(envwatch_take(env, bad, 2, &w), -1);
	assert_null(w);
	assert_string_equal(last_error(), "cannot leave out '../outside': not a path inside the environment");
}

/* ---- parallel builds: the shared areas left out, another package's commit absorbed ---- */

/* Every build's work area and log: what a look taken beside parallel builds leaves out. */
static const char *const shared_skips[] = { "var/cenv/work", "var/cenv/logs" };

static struct envwatch *take_shared(void)
{
	struct envwatch *w = NULL;

	assert_int_equal(envwatch_take(env, shared_skips, 2, &w), 0);
	assert_non_null(w);
	return w;
}

static const struct fixture_file foo_files[] = {
	{ "include/foo.h", NULL },
	{ "lib/foo/libfoo.so", "libfoo.so.1" },
	{ "lib/foo/libfoo.so.1", NULL },
	{ "share/foo/doc/README", NULL },
};
#define NFOO (sizeof(foo_files) / sizeof(foo_files[0]))
/* bar 2.0: include/bar.h again, libbar.so.1 now to libbar.so.2; libbar.so and bar.pc gone */
static const struct fixture_file bar2_files[] = {
	{ "include/bar.h", NULL },
	{ "lib/libbar.so.1", "libbar.so.2" },
	{ "lib/libbar.so.2", NULL },
};
#define NBAR (sizeof(bar_files) / sizeof(bar_files[0]))
#define NBAR2 (sizeof(bar2_files) / sizeof(bar2_files[0]))

static int listed(const struct fixture_file *files, size_t n, const char *path)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(files[i].path, path))
			return 1;
	return 0;
}

/*
 * What txn_commit does for package name, done by hand (its order): name's build area and
 * log there meanwhile, a journal and backups under var/cenv/txn, old's files that files
 * lacks removed and their emptied directories pruned, each file moved in (a new inode, its
 * directories made), the record written (files NULL: deleted), txn/ and the work area gone.
 */
static void commit_like(const char *name, const struct fixture_file *files, size_t n,
			const struct fixture_file *old, size_t nold)
{
	char *rel, *path;
	size_t i;

	rel = xasprintf("var/cenv/work/%s/stage/x", name);
	put(rel, "staged\n");
	free(rel);
	rel = xasprintf("var/cenv/logs/%s.log", name);
	put(rel, "make install\n");
	free(rel);
	put("var/cenv/txn/journal", "install\n");
	put("var/cenv/txn/backup/0", "old\n");
	for (i = 0; i < nold; i++) {
		char *dir;

		if (listed(files, n, old[i].path))
			continue;
		path = at(old[i].path);
		assert_int_equal(unlink(path), 0);
		for (dir = path_dirname(path); strcmp(dir, env) && rmdir(dir) == 0;) {
			char *up = path_dirname(dir);

			free(dir);
			dir = up;
		}
		free(dir);
		free(path);
	}
	for (i = 0; i < n; i++) {
		if (!files[i].target) {
			put(files[i].path, name);
			continue;
		}
		path = at(files[i].path);
		(void)unlink(path);
		free(path);
		rel = path_dirname(files[i].path);
		path = at(rel);
		assert_int_equal(mkdir_p(path, 0755, NULL), 0);
		free(path);
		free(rel);
		link_at(files[i].path, files[i].target);
	}
	if (files)
		save_record(name, files, n);
	else
		assert_int_equal(record_delete(env, name), 0);
	path = at("var/cenv/txn");
	assert_int_equal(remove_tree(path), 0);
	free(path);
	rel = xasprintf("var/cenv/work/%s", name);
	path = at(rel);
	assert_int_equal(remove_tree(path), 0);
	free(path);
	free(rel);
}

/* Runs envwatch_check of w for zlib: its message, or NULL when nothing was found. */
static char *check_of(struct envwatch *w)
{
	free(error_take());
	if (envwatch_check(w, env, "zlib", -1) == 0)
		return NULL;
	return xstrdup(last_error());
}

/* Other builds' areas and logs change freely under the shared skips; their neighbours do not. */
static void test_shared_skips(void **state)
{
	(void)state;
	before = take_shared();
	put("var/cenv/work/foo/build/a/b.o", "obj\n");
	put("var/cenv/work/zlib/stage/lib/libz.a", "staged\n");
	put("var/cenv/logs/foo.log", "make\n");
	rewrite("var/cenv/logs/zlib.log", "configure\nmake\n");
	check(NULL);
	assert_true(exists("var/cenv/work/foo/build/a/b.o"));
	assert_true(exists("var/cenv/logs/foo.log"));
	put("var/cenv/workx", "x\n");
	put("var/cenv/logs.old", "y\n");
	check(PART_A "var/cenv/logs.old, var/cenv/workx (removed)");
	assert_true(exists("var/cenv/work/foo/build/a/b.o"));
}

/* foo's commit taken in: no finding, its files stay; a look not told of it removes them. */
static void test_absorb_commit(void **state)
{
	struct envwatch *other;
	struct record foo = make_record("foo", foo_files, NFOO);
	char *msg;
	size_t i;

	(void)state;
	before = take_shared();
	other = take_shared();
	commit_like("foo", foo_files, NFOO, NULL, 0);
	assert_int_equal(envwatch_absorb(before, env, &foo, NULL), 0);
	check(NULL);
	for (i = 0; i < NFOO; i++)
		assert_true(exists(foo_files[i].path));
	assert_true(exists("var/cenv/records/foo"));
	assert_true(exists("var/cenv/logs/foo.log"));
	msg = check_of(other);
	assert_non_null(msg);
	assert_string_equal(msg, PART_A "include/foo.h, lib/foo/, share/foo/, var/cenv/records/foo (removed)");
	assert_false(exists("include/foo.h"));
	free(msg);
	envwatch_free(other);
	free(foo.files);
}

/* The build's own stray writes in the same window stay findings, and go. */
static void test_absorb_keeps_stray(void **state)
{
	struct record foo = make_record("foo", foo_files, NFOO);

	(void)state;
	before = take_shared();
	put("bin/stray", "stray\n");
	commit_like("foo", foo_files, NFOO, NULL, 0);
	put("lib/foo/stray.so", "beside foo's, in the directory its commit made\n");
	put("share/foo/doc/extra", "and one deeper\n");
	rewrite("share/doc/note", "changed by zlib's build\n");
	rewrite("include/bar.h", "int bar(int);\n");
	assert_int_equal(envwatch_absorb(before, env, &foo, NULL), 0);
	check("zlib: the build wrote into the environment outside its staging area: bin/stray, "
	      "lib/foo/stray.so, share/doc/note, share/foo/doc/extra (removed); " PART_B "include/bar.h (bar)");
	assert_false(exists("bin/stray"));
	assert_false(exists("lib/foo/stray.so"));
	assert_false(exists("share/foo/doc/extra"));
	assert_true(exists("lib/foo/libfoo.so.1"));
	assert_true(exists("share/foo/doc/README"));
	free(foo.files);
}

/* bar upgraded: its old files gone (lib/pkgconfig pruned), its new ones there: nothing found. */
static void test_absorb_upgrade(void **state)
{
	struct record old = make_record("bar", bar_files, NBAR), new = make_record("bar", bar2_files, NBAR2);

	(void)state;
	before = take_shared();
	commit_like("bar", bar2_files, NBAR2, bar_files, NBAR);
	assert_false(exists("lib/pkgconfig"));
	assert_false(exists("lib/libbar.so"));
	assert_int_equal(envwatch_absorb(before, env, &new, &old), 0);
	check(NULL);
	assert_true(exists("lib/libbar.so.2"));
	assert_true(exists("lib/libbar.so.1"));
	assert_true(exists("include/bar.h"));
	/* what the old bar had is no longer bar's: the build writing it there is a stray */
	put("lib/libbar.so", "zlib's\n");
	check(PART_A "lib/libbar.so (removed)");
	free(old.files);
	free(new.files);
}

/* What the build put, before the absorb, where the upgrade removed a file is not taken in. */
static void test_absorb_upgrade_stray(void **state)
{
	struct record old = make_record("bar", bar_files, NBAR), new = make_record("bar", bar2_files, NBAR2);

	(void)state;
	before = take_shared();
	commit_like("bar", bar2_files, NBAR2, bar_files, NBAR);
	put("lib/pkgconfig/bar.pc", "Name: bar, by zlib's build\n");
	link_at("lib/libbar.so", "libbar.so.2");
	assert_int_equal(envwatch_absorb(before, env, &new, &old), 0);
	check(PART_A "lib/libbar.so, lib/pkgconfig/bar.pc (removed)");
	assert_false(exists("lib/pkgconfig/bar.pc"));
	assert_true(exists("lib/libbar.so.2"));
	free(old.files);
	free(new.files);
}

/* foo's files are foo's after the absorb: the build changing them is reported, not undone. */
static void test_absorb_then_changed(void **state)
{
	struct record foo = make_record("foo", foo_files, NFOO);
	char *link = at("lib/foo/libfoo.so");

	(void)state;
	before = take_shared();
	commit_like("foo", foo_files, NFOO, NULL, 0);
	assert_int_equal(envwatch_absorb(before, env, &foo, NULL), 0);
	rewrite("include/foo.h", "overwritten by zlib's make install\n");
	assert_int_equal(unlink(link), 0);
	check("zlib: " PART_B "include/foo.h (foo), lib/foo/libfoo.so (foo, disappeared)");
	assert_true(exists("include/foo.h"));
	free(link);
	free(foo.files);
}

/* bar uninstalled (added NULL): its files and record gone, no finding; its paths owned no more. */
static void test_absorb_uninstall(void **state)
{
	struct record old = make_record("bar", bar_files, NBAR);

	(void)state;
	before = take_shared();
	commit_like("bar", NULL, 0, bar_files, NBAR);
	assert_false(exists("include"));
	assert_int_equal(envwatch_absorb(before, env, NULL, &old), 0);
	check(NULL);
	put("include/bar.h", "int bar(void);\n");
	check(PART_A "include/ (removed)");
	assert_false(exists("include"));
	free(old.files);
}

/* A symlink the build put on foo's way before the absorb is not followed nor taken in. */
static void test_absorb_no_follow(void **state)
{
	struct record foo = make_record("foo", foo_files, NFOO);
	char *dir = at("lib/foo"), *in = path_join(outside, "libfoo.so.1");

	(void)state;
	before = take_shared();
	commit_like("foo", foo_files, NFOO, NULL, 0);
	assert_int_equal(remove_tree(dir), 0);
	assert_int_equal(write_file_new(in, "outside\n", 8, 0644), 0);
	link_at("lib/foo", outside);
	assert_int_equal(envwatch_absorb(before, env, &foo, NULL), 0);
	check(PART_A "lib/foo (removed)");
	assert_false(exists("lib/foo"));
	assert_true(is_dir(outside));
	assert_true(exists("include/foo.h"));
	free(in);
	free(dir);
	free(foo.files);
}

static void test_absorb_prefix_replaced(void **state)
{
	struct record foo = make_record("foo", foo_files, NFOO);
	char *moved = path_join(base, "moved"), *want;

	(void)state;
	before = take_shared();
	assert_int_equal(rename(env, moved), 0);
	assert_int_equal(mkdir(env, 0755), 0);
	assert_int_equal(envwatch_absorb(before, env, &foo, NULL), -1);
	want = xasprintf("'%s' is not the directory it was", env);
	assert_string_equal(last_error(), want);
	assert_int_equal(rmdir(env), 0);
	assert_int_equal(rename(moved, env), 0);
	free(want);
	free(moved);
	free(foo.files);
}

/* ---- the cost ------------------------------------------------------------------------- */

static size_t walked;
static int count_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (!strstr(path, "/var/cenv/work/zlib") && !strstr(path, "/var/cenv/logs/zlib.log"))
		walked++;
	return 0;
}

static double seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* 20,000 files: counted by nftw, looked at twice; the times go to the output, not into an assertion. */
static void test_cost(void **state)
{
	struct timespec t0, t1, t2;
	char *dir, name[64];
	int d, f;

	(void)state;
	for (d = 0; d < 200; d++) {
		snprintf(name, sizeof(name), "share/many/d%03d", d);
		dir = at(name);
		assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
		for (f = 0; f < 100; f++) {
			char *file;

			snprintf(name, sizeof(name), "f%03d.h", f);
			file = path_join(dir, name);
			assert_int_equal(write_file_new(file, "x\n", 2, 0644), 0);
			free(file);
		}
		free(dir);
	}
	walked = 0;
	assert_int_equal(nftw(env, count_entry, 16, FTW_PHYS), 0);
	walked--; /* the prefix itself */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	take();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	check(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	assert_int_equal(envwatch_count(before), walked);
	print_message("envwatch: %zu entries: take %.1f ms, check %.1f ms\n", walked,
		      seconds(&t0, &t1) * 1e3, seconds(&t1, &t2) * 1e3);
	/* and the same look finds one change among them */
	rewrite("share/many/d123/f045.h", "y\n");
	check(PART_A "share/many/d123/f045.h (removed)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_dir_with_owned_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_mtime_restored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_cenv_own, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_unowned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disappeared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_skip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_skips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_keeps_stray, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_upgrade, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_upgrade_stray, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_then_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_uninstall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_no_follow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absorb_prefix_replaced, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
