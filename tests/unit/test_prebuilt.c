/* test_prebuilt.c - unit tests of staging a prebuilt tree: directories moved, top files left, .pc prefixes, copies across file systems, the log. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "prebuilt.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* base/src is the unpacked tree, base/out/stage the stage (not there yet), base/log the log. */
struct fixture {
	char *base, *src, *stage, *log;
	int log_fd;
};

static const char vendor_pc[] =
	"prefix=/opt/vendor\n"
	"exec_prefix=${prefix}\n"
	"libdir=/opt/vendor/lib\n"
	"includedir=/opt/vendor/include\n"
	"datadir=/opt/vendorx/share\n"
	"top=/opt/vendor\n"
	"\n"
	"Name: x\n"
	"Description: lives in /opt/vendor/lib\n"
	"Version: 1.0\n"
	"Libs: -L${libdir} -lx\n"
	"Cflags: -I${includedir}\n";

/* written by hand: what the header promises for vendor_pc under /new/env */
static const char fixed_pc[] =
	"prefix=/new/env\n"
	"exec_prefix=${prefix}\n"
	"libdir=${prefix}/lib\n"
	"includedir=${prefix}/include\n"
	"datadir=/opt/vendorx/share\n"
	"top=${prefix}\n"
	"\n"
	"Name: x\n"
	"Description: lives in /opt/vendor/lib\n"
	"Version: 1.0\n"
	"Libs: -L${libdir} -lx\n"
	"Cflags: -I${includedir}\n";

static void put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char *path = path_join(dir, rel), *parent = path_dirname(path);

	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(parent);
	free(path);
}

static char *slurp(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel), *text = NULL;

	if (read_file(path, &text, NULL) < 0)
		text = NULL;
	free(path);
	return text;
}

static int at_exists(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel);
	int r = path_exists(path);

	free(path);
	return r;
}

static mode_t mode_of(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	free(path);
	return st.st_mode & 07777;
}

static ino_t ino_of(const char *dir, const char *rel)
{
	char *path = path_join(dir, rel);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	free(path);
	return st.st_ino;
}

static int make_fixture(void **state, const char *src_tmpl)
{
	char tmpl[] = "/tmp/cenv-prebuilt-XXXXXX";
	struct fixture *f = xmalloc(sizeof(*f));

	memset(f, 0, sizeof(*f));
	if (!mkdtemp(tmpl))
		return -1;
	f->base = xstrdup(tmpl);
	if (src_tmpl) {
		char *t = xstrdup(src_tmpl);

		if (!mkdtemp(t))
			return -1;
		f->src = t;
	} else {
		f->src = path_join(f->base, "src");
		if (mkdir(f->src, 0755) < 0)
			return -1;
	}
	f->stage = path_join(f->base, "out/stage");
	f->log = path_join(f->base, "log");
	f->log_fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->log_fd < 0)
		return -1;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return make_fixture(state, NULL);
}

/* The tree on another file system (tmpfs), so the directories are copied, not renamed. */
static int setup_shm(void **state)
{
	return make_fixture(state, "/dev/shm/cenv-prebuilt-XXXXXX");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret = 0;

	close(f->log_fd);
	if (!getenv("CENV_KEEP_TMP")) {
		if (strncmp(f->src, f->base, strlen(f->base)))
			ret = remove_tree(f->src);
		if (remove_tree(f->base) < 0)
			ret = -1;
	}
	free(f->base);
	free(f->src);
	free(f->stage);
	free(f->log);
	free(f);
	return ret;
}

static void test_stage(void **state)
{
	struct fixture *f = *state;
	char *log, *expected_log, *pc;
	ino_t header;

	put(f->src, "include/x.h", "int x(void);\n", 0644);
	put(f->src, "lib/libx.a", "archive\n", 0644);
	put(f->src, "lib/pkgconfig/x.pc", vendor_pc, 0640);
	put(f->src, "share/pkgconfig/y.pc", "prefix=/opt/vendor\nlibdir=/opt/vendor/lib64\n", 0644);
	put(f->src, "README", "read me\n", 0644);
	header = ino_of(f->src, "include/x.h");

	assert_int_equal(prebuilt_stage(f->src, f->stage, "/new/env", f->log_fd), 0);
	/* the directories moved (renamed: the same inode), the top file stayed */
	assert_false(at_exists(f->src, "include"));
	assert_false(at_exists(f->src, "lib"));
	assert_false(at_exists(f->src, "share"));
	assert_true(at_exists(f->src, "README"));
	assert_false(at_exists(f->stage, "README"));
	assert_true(ino_of(f->stage, "include/x.h") == header);
	assert_true(at_exists(f->stage, "lib/libx.a"));

	pc = slurp(f->stage, "lib/pkgconfig/x.pc");
	assert_non_null(pc);
	assert_string_equal(pc, fixed_pc);
	free(pc);
	assert_int_equal(mode_of(f->stage, "lib/pkgconfig/x.pc"), 0640);
	pc = slurp(f->stage, "share/pkgconfig/y.pc");
	assert_non_null(pc);
	assert_string_equal(pc, "prefix=/new/env\nlibdir=${prefix}/lib64\n");
	free(pc);

	log = slurp(f->base, "log");
	assert_non_null(log);
	expected_log = xasprintf("cenv: moving the directories of %s to %s\n"
				 "cenv: prefix=/new/env in %s/lib/pkgconfig/x.pc\n"
				 "cenv: prefix=/new/env in %s/share/pkgconfig/y.pc\n",
				 f->src, f->stage, f->stage, f->stage);
	assert_string_equal(log, expected_log);
	free(expected_log);
	free(log);
}

/* A .pc without a prefix= line is left as it was (no old prefix to replace). */
static void test_pc_without_prefix(void **state)
{
	static const char text[] = "libdir=/usr/lib\nName: z\n";
	struct fixture *f = *state;
	char *pc;

	put(f->src, "lib/pkgconfig/z.pc", text, 0644);
	put(f->src, "lib/pkgconfig/notes.txt", "prefix=/opt/vendor\n", 0644);
	assert_int_equal(prebuilt_stage(f->src, f->stage, "/new/env", f->log_fd), 0);
	pc = slurp(f->stage, "lib/pkgconfig/z.pc");
	assert_non_null(pc);
	assert_string_equal(pc, text);
	free(pc);
	/* only .pc files are touched */
	pc = slurp(f->stage, "lib/pkgconfig/notes.txt");
	assert_non_null(pc);
	assert_string_equal(pc, "prefix=/opt/vendor\n");
	free(pc);
}

/* A stage inside the tree is refused, and nothing moves. */
static void test_stage_inside_src(void **state)
{
	struct fixture *f = *state;
	char *inside = path_join(f->src, "stage");
	char *message = xasprintf("the staging directory '%s' is inside the source tree", inside);

	put(f->src, "include/x.h", "int x(void);\n", 0644);
	assert_int_equal(prebuilt_stage(f->src, inside, "/new/env", f->log_fd), -1);
	assert_string_equal(last_error(), message);
	assert_true(at_exists(f->src, "include/x.h"));
	assert_false(at_exists(f->src, "stage"));
	free(message);
	free(inside);
}

/* Across file systems the tree is copied: modes kept but setuid, setgid and sticky; symlinks as symlinks. */
static void test_copy_across(void **state)
{
	struct fixture *f = *state;
	struct stat a, b;
	char *link, *target, *pc;

	if (stat(f->src, &a) < 0 || stat(f->base, &b) < 0 || a.st_dev == b.st_dev) {
		skip();
		return;
	}
	put(f->src, "bin/tool", "#!/bin/sh\n", 04755);
	put(f->src, "bin/group", "#!/bin/sh\n", 02711);
	put(f->src, "lib/libx.so.1", "elf\n", 0600);
	put(f->src, "lib/pkgconfig/x.pc", vendor_pc, 0644);
	put(f->src, "README", "read me\n", 0644);
	assert_int_equal(chmod(f->src, 0755), 0);
	link = path_join(f->src, "lib/libx.so");
	assert_int_equal(symlink("libx.so.1", link), 0);
	free(link);
	{
		char *d = path_join(f->src, "share");

		assert_int_equal(mkdir(d, 0755), 0);
		assert_int_equal(chmod(d, 01777), 0);
		free(d);
		d = path_join(f->src, "lib");
		assert_int_equal(chmod(d, 02750), 0);
		free(d);
	}

	assert_int_equal(prebuilt_stage(f->src, f->stage, "/new/env", f->log_fd), 0);
	assert_int_equal(mode_of(f->stage, "bin/tool"), 0755);
	assert_int_equal(mode_of(f->stage, "bin/group"), 0711);
	assert_int_equal(mode_of(f->stage, "lib/libx.so.1"), 0600);
	assert_int_equal(mode_of(f->stage, "lib"), 0750);
	assert_int_equal(mode_of(f->stage, "share"), 0777);
	pc = slurp(f->stage, "bin/tool");
	assert_string_equal(pc, "#!/bin/sh\n");
	free(pc);
	link = path_join(f->stage, "lib/libx.so");
	target = read_link_at(AT_FDCWD, link, 0);
	assert_non_null(target);
	assert_string_equal(target, "libx.so.1");
	free(target);
	free(link);
	pc = slurp(f->stage, "lib/pkgconfig/x.pc");
	assert_non_null(pc);
	assert_string_equal(pc, fixed_pc);
	free(pc);
	assert_false(at_exists(f->stage, "README"));
}

/*
 * lib/pkgconfig a symlink to a directory outside (share/pkgconfig one to a .pc outside): the
 * .pc files there are never read or rewritten; the links are staged as they are (the
 * staged-tree check judges them), and a .pc in a real directory is still fixed.
 */
static void check_links_not_followed(struct fixture *f)
{
	char *outside = path_join(f->base, "outside"), *target, *link, *pc, *log, *note;

	put(outside, "pkgconfig/o.pc", vendor_pc, 0644);
	put(outside, "one.pc", vendor_pc, 0644);
	put(f->src, "include/x.h", "int x(void);\n", 0644);
	put(f->src, "share/pkgconfig/real.pc", "prefix=/opt/vendor\n", 0644);
	assert_int_equal(mkdir_p(f->src, 0755, NULL), 0);
	link = path_join(f->src, "lib");
	assert_int_equal(mkdir(link, 0755), 0);
	free(link);
	target = path_join(outside, "pkgconfig");
	link = path_join(f->src, "lib/pkgconfig");
	assert_int_equal(symlink(target, link), 0);
	free(link);
	free(target);
	target = path_join(outside, "one.pc");
	link = path_join(f->src, "share/pkgconfig/one.pc");
	assert_int_equal(symlink(target, link), 0);
	free(link);
	free(target);

	assert_int_equal(prebuilt_stage(f->src, f->stage, "/new/env", f->log_fd), 0);
	pc = slurp(outside, "pkgconfig/o.pc");
	assert_string_equal(pc, vendor_pc);
	free(pc);
	pc = slurp(outside, "one.pc");
	assert_string_equal(pc, vendor_pc);
	free(pc);
	pc = slurp(f->stage, "share/pkgconfig/real.pc");
	assert_string_equal(pc, "prefix=/new/env\n");
	free(pc);
	link = path_join(f->stage, "lib/pkgconfig");
	{
		struct stat st;

		assert_int_equal(lstat(link, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
	}
	free(link);
	log = slurp(f->base, "log");
	note = xasprintf("cenv: %s/lib/pkgconfig is not a directory: its .pc files are left as they are\n",
			 f->stage);
	assert_true(log && strstr(log, note) != NULL);
	free(note);
	free(log);
	remove_tree(outside);
	free(outside);
}

static void test_links_not_followed(void **state)
{
	check_links_not_followed(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pc_without_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stage_inside_src, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_across, setup_shm, teardown),
		cmocka_unit_test_setup_teardown(test_links_not_followed, setup, teardown),
		/* copied across file systems: the copy does not follow them either */
		cmocka_unit_test_setup_teardown(test_links_not_followed, setup_shm, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
