/* test_install.c - unit tests of installing: names from top directories, the archive checks, and a prebuilt package through to its commit. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "install.h"
#include "layout.h"
#include "record.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

extern char **environ;

/* sha256("abc"), FIPS 180-2 */
#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static char *base;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-install-XXXXXX";

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

/* One entry of a test archive: 'd' directory, 'f' file with text. */
struct ent {
	const char *path;
	char type;
	const char *text;
};

static char *make_tar(const char *name, const struct ent *ents)
{
	char *file = path_join(base, name);
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_set_format_pax_restricted(a), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, file), ARCHIVE_OK);
	for (; ents->path; ents++) {
		struct archive_entry *e = archive_entry_new();
		size_t len = ents->text ? strlen(ents->text) : 0;

		archive_entry_set_pathname(e, ents->path);
		archive_entry_set_filetype(e, ents->type == 'd' ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(e, ents->type == 'd' ? 0755 : 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, ents->text, len), (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return file;
}

static void split(const char *top, const char *name, const char *version)
{
	char *n = NULL, *v = NULL;

	split_name_version(top, &n, &v);
	assert_string_equal(n, name);
	if (version) {
		assert_non_null(v);
		assert_string_equal(v, version);
	} else {
		assert_null(v);
	}
	free(n);
	free(v);
}

static void test_split_name_version(void **state)
{
	(void)state;
	split("zlib-1.2.13", "zlib", "1.2.13");
	split("lib-foo-2.0", "lib-foo", "2.0");
	split("a-1-2", "a-1", "2");
	split("openssl-3.0.1-beta", "openssl", "3.0.1-beta");
	split("noversion", "noversion", NULL);
	split("foo-bar", "foo-bar", NULL);
	split("x-", "x-", NULL);
	split("-1.0", "-1.0", NULL);
	split("", "", NULL);
}

static void topdir(const char *name, const struct ent *ents, const char *want)
{
	char *file = make_tar(name, ents), *top = (char *)"unset";

	assert_int_equal(archive_topdir(file, &top), 0);
	assert_non_null(top);
	assert_string_equal(top, want);
	free(top);
	free(file);
}

static void test_archive_topdir(void **state)
{
	static const struct ent dir_first[] = { { "zlib-1.2.13/", 'd', NULL }, { "zlib-1.2.13/z.h", 'f', "z\n" }, { NULL, 0, NULL } };
	static const struct ent file_first[] = { { "pkg-2/src/a.c", 'f', "int a;\n" }, { NULL, 0, NULL } };
	static const struct ent dotted[] = { { "./././dot-1.0/x", 'f', "x\n" }, { NULL, 0, NULL } };
	static const struct ent bare_dir[] = { { "only", 'd', NULL }, { NULL, 0, NULL } };

	(void)state;
	topdir("a.tar", dir_first, "zlib-1.2.13");
	topdir("b.tar", file_first, "pkg-2");
	topdir("c.tar", dotted, "dot-1.0");
	topdir("d.tar", bare_dir, "only");
}

static void topdir_fails(const char *file, const char *message_start)
{
	char *top = (char *)"unset";

	assert_int_equal(archive_topdir(file, &top), -1);
	assert_null(top);
	assert_true(strncmp(last_error(), message_start, strlen(message_start)) == 0);
}

static void test_archive_topdir_refused(void **state)
{
	static const struct ent top_file[] = { { "README", 'f', "r\n" }, { "pkg-1/x", 'f', "x\n" }, { NULL, 0, NULL } };
	static const struct ent none[] = { { NULL, 0, NULL } };
	char *file, *message, *text = path_join(base, "notes.txt"), *missing = path_join(base, "missing.tar");

	(void)state;
	file = make_tar("top.tar", top_file);
	message = xasprintf("'%s': cannot tell the package's name from its first entry", file);
	topdir_fails(file, message);
	assert_string_equal(last_error(), message);
	free(message);
	free(file);

	file = make_tar("empty.tar", none);
	message = xasprintf("cannot read '%s': ", file);
	topdir_fails(file, message);
	free(message);
	free(file);

	assert_int_equal(write_file_atomic(text, "just text, no archive\n", 22, 0644), 0);
	message = xasprintf("'%s' is not an archive cenv can unpack", text);
	topdir_fails(text, message);
	free(message);

	message = xasprintf("cannot open '%s': No such file or directory", missing);
	topdir_fails(missing, message);
	assert_string_equal(last_error(), message);
	free(message);

	message = xasprintf("'%s' is not a regular file", base);
	topdir_fails(base, message);
	assert_string_equal(last_error(), message);
	free(message);
	free(text);
	free(missing);
}

static void test_log_path(void **state)
{
	char *p = install_log_path("/home/me/env", "zlib");

	(void)state;
	assert_string_equal(p, "/home/me/env/var/cenv/logs/zlib.log");
	free(p);
}

/* The environment for a whole install: its layout, nothing installed. */
static char *make_env(void)
{
	char *env = path_join(base, "env");

	assert_int_equal(mkdir(env, 0755), 0);
	assert_int_equal(layout_make_dirs(env), 0);
	return env;
}

static const struct ent prebuilt_pkg[] = {
	{ "pre-1.0/", 'd', NULL },
	{ "pre-1.0/README", 'f', "read me\n" },
	{ "pre-1.0/include/pre.h", 'f', "int pre(void);\n" },
	{ "pre-1.0/lib/pkgconfig/pre.pc", 'f', "prefix=/opt/pre\nlibdir=/opt/pre/lib\nName: pre\n" },
	{ NULL, 0, NULL },
};

/* A prebuilt package installed whole: its files in DIR, its .pc pointed at DIR, a record, no work area left. */
static void test_install_prebuilt(void **state)
{
	char *env = make_env(), *archive = make_tar("pre-1.0.tar", prebuilt_pkg), *text = NULL, *want, *path;
	struct install_env ie = { .prefix = env, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec, back;
	int build_failed = -1;

	(void)state;
	src.name = "pre";
	src.version = "1.0";
	src.build = "prebuilt";
	src.archive = archive;
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), 0);
	assert_int_equal(build_failed, 0);
	assert_int_equal(rec.nfiles, 2);
	assert_string_equal(rec.files[0].path, "include/pre.h");
	assert_string_equal(rec.files[1].path, "lib/pkgconfig/pre.pc");

	path = path_join(env, "include/pre.h");
	assert_int_equal(read_file(path, &text, NULL), 0);
	assert_string_equal(text, "int pre(void);\n");
	free(text);
	free(path);
	path = path_join(env, "lib/pkgconfig/pre.pc");
	assert_int_equal(read_file(path, &text, NULL), 0);
	want = xasprintf("prefix=%s\nlibdir=${prefix}/lib\nName: pre\n", env);
	assert_string_equal(text, want);
	free(want);
	free(text);
	free(path);
	path = path_join(env, "README");
	assert_false(path_exists(path));
	free(path);
	path = path_join(env, "var/cenv/work");
	assert_false(path_exists(path));
	free(path);

	assert_int_equal(record_load(env, "pre", &back), 0);
	assert_int_equal(back.nfiles, 2);
	assert_string_equal(back.build, "prebuilt");
	assert_string_equal(back.version, "1.0");
	record_release(&back);
	record_release(&rec);
	free(archive);
	free(env);
}

/* A checksum mismatch: -1 naming both digests, not a build failure, the environment untouched. */
static void test_install_mismatch(void **state)
{
	char *env = make_env(), *archive = make_tar("pre-1.0.tar", prebuilt_pkg), *path, *message;
	char actual[DIGEST_HEX_SIZE];
	struct install_env ie = { .prefix = env, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec, back;
	int build_failed = -1;

	(void)state;
	/* the archive's real digest, taken apart from install_package */
	assert_int_equal(digest_file(archive, actual), 0);
	src.name = "pre";
	src.build = "prebuilt";
	src.sha256 = "1111111111111111111111111111111111111111111111111111111111111111";
	src.archive = archive;
	message = xasprintf("pre: checksum mismatch for '%s': the manifest says %s, the file is %s", archive,
			    src.sha256, actual);
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(build_failed, 0);
	assert_int_equal(rec.nfiles, 0);
	path = path_join(env, "include/pre.h");
	assert_false(path_exists(path));
	free(path);
	assert_int_equal(record_load(env, "pre", &back), -1);
	assert_int_equal(errno, ENOENT);
	path = path_join(env, "var/cenv/work");
	assert_false(path_exists(path));
	free(path);
	free(message);
	free(archive);
	free(env);
}

/* A name that is a path is refused before anything is opened. */
static void test_install_bad_name(void **state)
{
	char *env = make_env();
	struct install_env ie = { .prefix = env, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec;
	int build_failed = -1;

	(void)state;
	src.name = "../evil";
	src.archive = "/nonexistent.tar";
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_string_equal(last_error(), "'../evil' is not a package name");
	free(env);
}

/* A build into a prefix that build systems split: refused before the archive is opened. */
static void test_install_split_prefix(void **state)
{
	char *dir = path_join(base, "my env"), *want;
	struct install_env ie = { .prefix = dir, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec;
	int build_failed = -1;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(layout_make_dirs(dir), 0);
	src.name = "zlib";
	src.build = "make";
	src.archive = "/nonexistent.tar"; /* never opened */
	want = xasprintf("cannot build 'zlib' into '%s': build systems split paths at spaces; create the "
			 "environment at a path of letters, digits and / . _ + - @ only (prebuilt "
			 "packages install anywhere)", dir);
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_string_equal(last_error(), want);
	assert_int_equal(build_failed, 0);
	free(want);
	/* a tab, a '#': each with its reason */
	ie.prefix = "/tmp/a\tb";
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_non_null(strstr(last_error(), "': build systems split paths at tabs;"));
	ie.prefix = "/tmp/a#b";
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_non_null(strstr(last_error(), "': make reads '#' as the start of a comment;"));
	/* prebuilt is not refused: it gets as far as the archive */
	src.build = "prebuilt";
	ie.prefix = dir;
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_non_null(strstr(last_error(), "/nonexistent.tar"));
	free(dir);
}

/* A symlink at the package's log: refused naming it, not a build failure, its target untouched. */
static void test_install_log_symlink(void **state)
{
	char *env = make_env(), *archive = make_tar("pre-1.0.tar", prebuilt_pkg);
	char *outside = path_join(base, "outside"), *logs = path_join(env, "var/cenv/logs");
	char *log = path_join(logs, "pre.log"), *want, *text = NULL, *path;
	struct install_env ie = { .prefix = env, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec;
	int build_failed = -1;

	(void)state;
	assert_int_equal(write_file_new(outside, "keep\n", 5, 0644), 0);
	assert_int_equal(mkdir_p(logs, 0755, NULL), 0);
	assert_int_equal(symlink(outside, log), 0);
	src.name = "pre";
	src.build = "prebuilt";
	src.archive = archive;
	want = xasprintf("pre: '%s' is a symbolic link; cenv will not write through it", log);
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), -1);
	assert_string_equal(last_error(), want);
	assert_int_equal(build_failed, 0);
	assert_int_equal(read_file(outside, &text, NULL), 0);
	assert_string_equal(text, "keep\n");
	path = path_join(env, "include/pre.h");
	assert_false(path_exists(path));
	free(path);
	path = path_join(env, "var/cenv/work");
	assert_false(path_exists(path));
	free(path);
	free(text);
	free(want);
	free(log);
	free(logs);
	free(outside);
	free(archive);
	free(env);
}

/* A leftover work area of the package, deeper than PATH_MAX, is removed and the install goes on. */
static void test_install_deep_leftover(void **state)
{
	char *env = make_env(), *archive = make_tar("pre-1.0.tar", prebuilt_pkg), *work, *path;
	struct install_env ie = { .prefix = env, .envp = environ, .jobs = 1 };
	struct install_source src = { 0 };
	struct record rec;
	int build_failed = -1, fd, next, i;

	(void)state;
	work = path_join(env, "var/cenv/work/pre");
	assert_int_equal(mkdir_p(work, 0755, NULL), 0);
	fd = open(work, O_RDONLY | O_DIRECTORY);
	for (i = 0; fd >= 0 && i < 2100; i++) {
		assert_int_equal(mkdirat(fd, "w", 0755), 0);
		next = openat(fd, "w", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = next;
	}
	assert_true(fd >= 0);
	close(fd);
	src.name = "pre";
	src.build = "prebuilt";
	src.archive = archive;
	assert_int_equal(install_package(&ie, &src, NULL, &rec, &build_failed, NULL), 0);
	assert_int_equal(rec.nfiles, 2);
	path = path_join(env, "var/cenv/work");
	assert_false(path_exists(path));
	free(path);
	record_release(&rec);
	free(work);
	free(archive);
	free(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_name_version),
		cmocka_unit_test_setup_teardown(test_archive_topdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive_topdir_refused, setup, teardown),
		cmocka_unit_test(test_log_path),
		cmocka_unit_test_setup_teardown(test_install_prebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_bad_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_split_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_log_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_install_deep_leftover, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
