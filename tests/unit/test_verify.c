/* test_verify.c - unit tests of verify: each kind of damage found at its path, unowned files, damaged records. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "record.h"
#include "util.h"
#include "verify.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char top[] = "/tmp/cenv-verify-XXXXXX";
static char *prefix, *stage;

static void put_at(const char *root, const char *rel, const char *text, mode_t mode)
{
	char *path = path_join(root, rel), *parent = path_dirname(path);

	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(parent);
	free(path);
}

static void link_at(const char *root, const char *rel, const char *target)
{
	char *path = path_join(root, rel), *parent = path_dirname(path);

	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(symlink(target, path), 0);
	free(parent);
	free(path);
}

/* A package file, in the staged tree the record is scanned from and in the environment. */
static void both(const char *rel, const char *text)
{
	put_at(stage, rel, text, 0644);
	put_at(prefix, rel, text, 0644);
}

/* Records what the staged tree holds as the package name. */
static void record_stage(const char *name)
{
	struct record r = { 0 };

	r.name = xstrdup(name);
	assert_int_equal(record_scan(stage, &r), 0);
	assert_int_equal(record_save(prefix, &r), 0);
	record_release(&r);
	assert_int_equal(remove_contents(stage), 0);
}

/* The environment of every test: package "pkg" with four files and a symlink; cenv's scripts. */
static int setup(void **state)
{
	(void)state;
	prefix = path_join(top, "env");
	stage = path_join(top, "stage");
	if (mkdir(prefix, 0755) < 0 || mkdir(stage, 0755) < 0 || layout_make_dirs(prefix) < 0)
		return -1;
	both("include/pkg.h", "int pkg;\n");
	both("include/pkg/more.h", "int more;\n");
	both("lib/libpkg.a", "!<arch>\n0123456789");
	both("share/doc/pkg/README", "read me\n");
	link_at(stage, "lib/libpkg.so", "libpkg.a");
	link_at(prefix, "lib/libpkg.so", "libpkg.a");
	record_stage("pkg");
	put_at(prefix, "bin/activate", "# cenv's\n", 0755);
	put_at(prefix, "bin/activate.fish", "# cenv's\n", 0644);
	put_at(prefix, "bin/activate.csh", "# cenv's\n", 0644);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(prefix);
	remove_tree(stage);
	free(prefix);
	free(stage);
	return 0;
}

static char *at(const char *rel)
{
	return path_join(prefix, rel);
}

/* Runs the check; the result in res (released by the caller). */
static void run(struct verify_result *res)
{
	assert_int_equal(verify_env(prefix, res), 0);
}

/* The one finding there must be. */
static const struct verify_finding *only(const struct verify_result *res)
{
	assert_int_equal(res->nfindings, 1);
	return &res->findings[0];
}

static void expect_one(enum verify_kind kind, const char *package, const char *path, unsigned what)
{
	struct verify_result res = VERIFY_RESULT_INIT;
	const struct verify_finding *f;

	run(&res);
	f = only(&res);
	assert_int_equal(f->kind, kind);
	if (package)
		assert_string_equal(f->package, package);
	else
		assert_null(f->package);
	assert_string_equal(f->path, path);
	assert_int_equal(f->what, what);
	verify_release(&res);
}

static void test_clean(void **state)
{
	struct verify_result res = VERIFY_RESULT_INIT;

	(void)state;
	run(&res);
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(res.npackages, 1);
	assert_int_equal(res.nfiles, 5);
	verify_release(&res);
}

/* A record written by hand, with the sha256 of "abc" as sha256sum gives it. */
static void test_hand_record(void **state)
{
	char *rec = at(RECORD_DIR "/abc");
	const char *text = "cenv-record 1\nname abc\nf 0640 3 " SHA_ABC " lib/abc.txt\n"
			   "l 0777 7 - lib/abc\\x20link abc.txt\n";

	(void)state;
	assert_int_equal(write_file_atomic(rec, text, strlen(text), 0644), 0);
	put_at(prefix, "lib/abc.txt", "abc", 0640);
	link_at(prefix, "lib/abc link", "abc.txt");
	{
		struct verify_result res = VERIFY_RESULT_INIT;

		run(&res);
		assert_int_equal(res.nfindings, 0);
		assert_int_equal(res.npackages, 2);
		assert_int_equal(res.nfiles, 7);
		verify_release(&res);
	}
	put_at(prefix, "lib/abc.txt", "abd", 0640);
	expect_one(VERIFY_CHANGED, "abc", "lib/abc.txt", VERIFY_SHA256);
	free(rec);
}

static void test_missing(void **state)
{
	char *p = at("include/pkg.h");

	(void)state;
	assert_int_equal(unlink(p), 0);
	expect_one(VERIFY_MISSING, "pkg", "include/pkg.h", 0);
	free(p);
}

static void test_same_size_other_byte(void **state)
{
	(void)state;
	put_at(prefix, "lib/libpkg.a", "!<arch>\n0123456780", 0644);
	expect_one(VERIFY_CHANGED, "pkg", "lib/libpkg.a", VERIFY_SHA256);
}

static void test_truncated(void **state)
{
	char *p = at("lib/libpkg.a");

	(void)state;
	assert_int_equal(truncate(p, 3), 0);
	expect_one(VERIFY_CHANGED, "pkg", "lib/libpkg.a", VERIFY_SIZE);
	free(p);
}

static void test_mode(void **state)
{
	char *p = at("include/pkg.h");

	(void)state;
	assert_int_equal(chmod(p, 0600), 0);
	expect_one(VERIFY_CHANGED, "pkg", "include/pkg.h", VERIFY_MODE);
	/* both at once: both named */
	put_at(prefix, "include/pkg.h", "int pkh;\n", 0600);
	expect_one(VERIFY_CHANGED, "pkg", "include/pkg.h", VERIFY_MODE | VERIFY_SHA256);
	free(p);
}

static void test_symlink(void **state)
{
	char *p = at("lib/libpkg.so");

	(void)state;
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	expect_one(VERIFY_CHANGED, "pkg", "lib/libpkg.so", VERIFY_TARGET);
	/* a file where the symlink was */
	assert_int_equal(unlink(p), 0);
	put_at(prefix, "lib/libpkg.so", "x", 0644);
	expect_one(VERIFY_CHANGED, "pkg", "lib/libpkg.so", VERIFY_TYPE);
	free(p);
}

/* A symlink where a file was is not followed: to a file with the very same content, still a type change. */
static void test_file_became_symlink(void **state)
{
	char *p = at("include/pkg.h");

	(void)state;
	put_at(top, "outside.h", "int pkg;\n", 0644);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("../../outside.h", p), 0);
	expect_one(VERIFY_CHANGED, "pkg", "include/pkg.h", VERIFY_TYPE);
	free(p);
	p = path_join(top, "outside.h");
	unlink(p);
	free(p);
}

static void test_directory(void **state)
{
	char *p = at("lib/libpkg.a");

	(void)state;
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_one(VERIFY_CHANGED, "pkg", "lib/libpkg.a", VERIFY_TYPE);
	/* what is put in it is nobody's */
	put_at(prefix, "lib/libpkg.a/inside", "x", 0644);
	{
		struct verify_result res = VERIFY_RESULT_INIT;

		run(&res);
		assert_int_equal(res.nfindings, 2);
		assert_int_equal(res.findings[0].kind, VERIFY_CHANGED);
		assert_int_equal(res.findings[1].kind, VERIFY_UNOWNED);
		assert_string_equal(res.findings[1].path, "lib/libpkg.a/inside");
		verify_release(&res);
	}
	free(p);
}

/* A fifo where a file was: reported, and never opened (an open would block without a writer). */
static void test_fifo(void **state)
{
	char *p = at("include/pkg.h");

	(void)state;
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	alarm(10);
	expect_one(VERIFY_CHANGED, "pkg", "include/pkg.h", VERIFY_TYPE);
	alarm(0);
	free(p);
}

/* A directory on the way replaced by a symlink to a copy of it: the files are missing, not followed. */
static void test_parent_symlink(void **state)
{
	char *p = at("include/pkg"), *moved = path_join(top, "moved");
	struct verify_result res = VERIFY_RESULT_INIT;

	(void)state;
	assert_int_equal(rename(p, moved), 0);
	assert_int_equal(symlink(moved, p), 0);
	run(&res);
	assert_int_equal(res.nfindings, 2);
	assert_int_equal(res.findings[0].kind, VERIFY_MISSING);
	assert_string_equal(res.findings[0].path, "include/pkg/more.h");
	/* the symlink itself is in no record */
	assert_int_equal(res.findings[1].kind, VERIFY_UNOWNED);
	assert_string_equal(res.findings[1].path, "include/pkg");
	verify_release(&res);
	remove_tree(moved);
	free(moved);
	free(p);
}

static void test_unowned(void **state)
{
	struct verify_result res = VERIFY_RESULT_INIT;
	char *fifo = at("share/a fifo");

	(void)state;
	put_at(prefix, "lib/zz.so", "x", 0644);
	put_at(prefix, "include/new/deeper/a.h", "x", 0644);
	put_at(prefix, "bin/tool\nname", "x", 0755);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	/* not in a managed directory: never unowned */
	put_at(prefix, "var/cenv/logs/pkg.log", "log", 0644);
	put_at(prefix, "cenv.cfg", "cfg", 0644);
	put_at(prefix, "etc/other.conf", "x", 0644);
	/* an empty directory is not a problem */
	{
		char *d = at("share/empty");

		assert_int_equal(mkdir(d, 0755), 0);
		free(d);
	}
	run(&res);
	assert_int_equal(res.nfindings, 4);
	/* sorted by path */
	assert_string_equal(res.findings[0].path, "bin/tool\nname");
	assert_string_equal(res.findings[1].path, "include/new/deeper/a.h");
	assert_string_equal(res.findings[2].path, "lib/zz.so");
	assert_string_equal(res.findings[3].path, "share/a fifo");
	assert_int_equal(res.findings[0].kind, VERIFY_UNOWNED);
	assert_int_equal(res.findings[3].kind, VERIFY_UNOWNED);
	assert_null(res.findings[2].package);
	verify_release(&res);
	free(fifo);
}

/*
 * Every top-level directory a record names a file in is walked (sbin/ here), and
 * var/ but for var/cenv; one no package uses is not; a top-level file is
 * unowned unless it is cenv.cfg or a record names it.
 */
static void test_unowned_wherever_packages_install(void **state)
{
	struct verify_result res = VERIFY_RESULT_INIT;
	static const char *const want[] = { "NOTES.txt", "sbin/deeper/x", "sbin/evil", "var/lib/stray" };
	size_t i;

	(void)state;
	both("sbin/t", "y");
	both("LICENSE", "free\n");
	record_stage("kc");
	put_at(prefix, "sbin/evil", "x", 0755);
	put_at(prefix, "sbin/deeper/x", "x", 0644);
	put_at(prefix, "var/lib/stray", "x", 0644);
	put_at(prefix, "NOTES.txt", "x", 0644);
	/* not walked: cenv's state, a directory no package uses; cenv.cfg is cenv's */
	put_at(prefix, "var/cenv/logs/kc.log", "log", 0644);
	put_at(prefix, "notes/x", "x", 0644);
	put_at(prefix, "cenv.cfg", "cfg", 0644);
	run(&res);
	assert_int_equal(res.nfindings, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(res.findings[i].kind, VERIFY_UNOWNED);
		assert_string_equal(res.findings[i].path, want[i]);
	}
	assert_int_equal(res.npackages, 2);
	assert_int_equal(res.nfiles, 7);
	verify_release(&res);
}

/* A record that cannot be read: one finding naming it; the paths it still names are not unowned. */
static void test_damaged_record(void **state)
{
	char *rec = at(RECORD_DIR "/pkg"), *text;
	struct verify_result res = VERIFY_RESULT_INIT;
	size_t len;

	(void)state;
	assert_int_equal(read_file(rec, &text, &len), 0);
	text = xrealloc(text, len + 32);
	strcpy(text + len, "bogus line\n");
	assert_int_equal(write_file_atomic(rec, text, strlen(text), 0644), 0);
	run(&res);
	assert_int_equal(res.nfindings, 1);
	assert_int_equal(res.findings[0].kind, VERIFY_DAMAGED);
	assert_string_equal(res.findings[0].package, "pkg");
	assert_null(res.findings[0].path);
	assert_non_null(strstr(res.findings[0].message, rec));
	assert_int_equal(res.npackages, 1);
	assert_int_equal(res.nfiles, 0);
	verify_release(&res);
	free(text);
	free(rec);
}

/* The kinds and bits have their names, which the command prints. */
static void test_names(void **state)
{
	(void)state;
	assert_string_equal(verify_kind_name(VERIFY_MISSING), "missing");
	assert_string_equal(verify_kind_name(VERIFY_CHANGED), "changed");
	assert_string_equal(verify_kind_name(VERIFY_UNOWNED), "unowned");
	assert_string_equal(verify_kind_name(VERIFY_DAMAGED), "damaged");
	assert_string_equal(verify_what_name(VERIFY_TYPE), "type");
	assert_string_equal(verify_what_name(VERIFY_TARGET), "target");
	assert_string_equal(verify_what_name(VERIFY_SIZE), "size");
	assert_string_equal(verify_what_name(VERIFY_SHA256), "sha256");
	assert_string_equal(verify_what_name(VERIFY_MODE), "mode");
	assert_null(verify_what_name(0x100));
}

static void test_no_environment(void **state)
{
	struct verify_result res = VERIFY_RESULT_INIT;
	char *gone = path_join(top, "gone");

	(void)state;
	assert_int_equal(verify_env(gone, &res), -1);
	assert_non_null(strstr(last_error(), gone));
	assert_int_equal(res.nfindings, 0);
	free(gone);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

static int group_setup(void **state)
{
	(void)state;
	return mkdtemp(top) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return remove_tree(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clean),     T(test_hand_record),     T(test_missing),
		T(test_same_size_other_byte), T(test_truncated), T(test_mode),
		T(test_symlink),   T(test_file_became_symlink), T(test_directory),
		T(test_fifo),      T(test_parent_symlink),  T(test_unowned),
		T(test_unowned_wherever_packages_install),
		T(test_damaged_record), T(test_names),       T(test_no_environment),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
