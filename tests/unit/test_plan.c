/* test_plan.c - unit tests of planning: new files, owners, unowned files, symlinked parents, directories in the way, state paths, pruning. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "journal.h"
#include "plan.h"
#include "record.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* base/env is the environment, base/stage the staged prefix, base/outside what a symlink leads to. */
struct fixture {
	char *base, *env, *stage;
	struct plan_env e;
	struct plan p;
};

static const char fake_sha[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

static void put(const char *dir, const char *rel, const char *text)
{
	char *path = path_join(dir, rel), *parent = path_dirname(path);

	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(parent);
	free(path);
}

static void dir(const char *top, const char *rel, mode_t mode)
{
	char *path = path_join(top, rel);

	assert_int_equal(mkdir_p(path, 0755, NULL), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

/* A record of name listing the files paths (NULL-terminated), all regular; record_release frees it. */
static void make_rec(struct record *r, const char *name, const char *const *paths)
{
	size_t n = 0, i;

	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->version = xstrdup("1.0");
	while (paths[n])
		n++;
	r->files = xmalloc((n + 1) * sizeof(*r->files));
	memset(r->files, 0, (n + 1) * sizeof(*r->files));
	for (i = 0; i < n; i++) {
		r->files[i].path = xstrdup(paths[i]);
		r->files[i].type = 'f';
		r->files[i].mode = 0644;
		r->files[i].size = 1;
		memcpy(r->files[i].sha256, fake_sha, sizeof(fake_sha));
	}
	r->nfiles = n;
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-plan-XXXXXX";
	struct fixture *f = xmalloc(sizeof(*f));

	memset(f, 0, sizeof(*f));
	if (!mkdtemp(tmpl))
		return -1;
	f->base = xstrdup(tmpl);
	f->env = path_join(f->base, "env");
	f->stage = path_join(f->base, "stage");
	if (mkdir(f->env, 0755) < 0 || mkdir(f->stage, 0755) < 0)
		return -1;
	/* the layout directories a package's files go into */
	dir(f->env, "include", 0755);
	dir(f->env, "lib", 0755);
	dir(f->env, "var/cenv", 0755);
	f->e.prefix = f->env;
	f->e.root = open(f->env, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f->e.stage = open(f->stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->e.root < 0 || f->e.stage < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int ret;

	plan_release(&f->p);
	close(f->e.root);
	close(f->e.stage);
	ret = getenv("CENV_KEEP_TMP") ? 0 : remove_tree(f->base);
	free(f->base);
	free(f->env);
	free(f->stage);
	free(f);
	return ret;
}

static void assert_ino(const char *top, const char *rel, const struct new_file *nf)
{
	char *path = path_join(top, rel);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_string_equal(nf->path, rel);
	assert_true(nf->dev == (unsigned long long)st.st_dev);
	assert_true(nf->ino == (unsigned long long)st.st_ino);
	free(path);
}

/* A file nobody has: one news entry with the staged file's identity; its new directory made with the staged mode. */
static void test_new_file(void **state)
{
	static const char *const files[] = { "lib/libz.a", "include/zlib/zlib.h", NULL };
	struct fixture *f = *state;
	struct record rec;

	put(f->stage, "lib/libz.a", "archive\n");
	put(f->stage, "include/zlib/zlib.h", "header\n");
	dir(f->stage, "include/zlib", 0750);
	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), 0);
	assert_int_equal(f->p.nnews, 2);
	/* sorted by path */
	assert_ino(f->stage, "include/zlib/zlib.h", &f->p.news[0]);
	assert_ino(f->stage, "lib/libz.a", &f->p.news[1]);
	assert_int_equal(f->p.mkdirs.n, 2);
	assert_string_equal(f->p.mkdirs.v[0], "include/zlib");
	assert_int_equal(f->p.mkdir_modes[0], 0750);
	/* the first record: the records directory is made too */
	assert_string_equal(f->p.mkdirs.v[1], "var/cenv/records");
	assert_int_equal(f->p.mkdir_modes[1], 0755);
	assert_int_equal(f->p.olds.n, 0);
	assert_int_equal(f->p.rmdirs.n, 0);
	assert_int_equal(f->p.prunes.n, 0);
	record_release(&rec);
}

/* A staged file that is missing is refused, naming it: the news are checked against the stage. */
static void test_not_staged(void **state)
{
	static const char *const files[] = { "lib/libz.a", NULL };
	struct fixture *f = *state;
	struct record rec;

	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(),
			    "cannot install package 'zlib': 'lib/libz.a' is not in the staging tree (No such file or directory)");
	record_release(&rec);
}

/* Another package's file is refused, naming both packages; that package's record is untouched. */
static void test_owned_by_other(void **state)
{
	static const char *const files[] = { "lib/libz.a", NULL };
	static const char *const png_files[] = { "lib/libpng.a", "lib/libz.a", NULL };
	struct fixture *f = *state;
	struct record rec, png, back;

	put(f->env, "lib/libz.a", "png's copy\n");
	put(f->stage, "lib/libz.a", "archive\n");
	make_rec(&png, "libpng", png_files);
	assert_int_equal(record_save(f->env, &png), 0);
	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(), "cannot install package 'zlib': 'lib/libz.a' belongs to package 'libpng'");
	assert_int_equal(f->p.nnews, 0);
	assert_int_equal(record_load(f->env, "libpng", &back), 0);
	assert_int_equal(back.nfiles, 2);
	record_release(&back);
	record_release(&png);
	record_release(&rec);
}

/* A file nobody owns is refused; the same file in the old version's record is set aside and replaced. */
static void test_unowned(void **state)
{
	static const char *const files[] = { "lib/libz.a", NULL };
	struct fixture *f = *state;
	struct record rec, old;

	put(f->env, "lib/libz.a", "someone's\n");
	put(f->stage, "lib/libz.a", "archive\n");
	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(),
			    "cannot install package 'zlib': 'lib/libz.a' exists in the environment and belongs to no package");

	plan_release(&f->p);
	memset(&f->p, 0, sizeof(f->p));
	make_rec(&old, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, &old, &f->p), 0);
	assert_int_equal(f->p.olds.n, 1);
	assert_string_equal(f->p.olds.v[0], "lib/libz.a");
	assert_int_equal(f->p.nnews, 1);
	assert_ino(f->stage, "lib/libz.a", &f->p.news[0]);
	record_release(&old);
	record_release(&rec);
}

/* A parent that is a symlink in the environment is refused, for installing and for removing. */
static void test_symlinked_parent(void **state)
{
	static const char *const files[] = { "share/doc/zlib.txt", NULL };
	struct fixture *f = *state;
	char *outside = path_join(f->base, "outside"), *link = path_join(f->env, "share");
	struct record rec;

	dir(f->base, "outside/doc", 0755);
	put(f->base, "outside/doc/zlib.txt", "not ours\n");
	assert_int_equal(symlink(outside, link), 0);
	put(f->stage, "share/doc/zlib.txt", "doc\n");
	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(),
			    "refusing to install 'share/doc/zlib.txt': 'share' is a symlink in the environment");

	plan_release(&f->p);
	memset(&f->p, 0, sizeof(f->p));
	assert_int_equal(plan_uninstall(&f->e, &rec, &f->p), -1);
	assert_string_equal(last_error(),
			    "refusing to remove 'share/doc/zlib.txt' of package 'zlib': 'share' is a symlink in the environment");
	assert_int_equal(f->p.olds.n, 0);
	free(outside);
	free(link);
	record_release(&rec);
}

/* A file where a new directory must go is refused, naming the new file under it. */
static void test_file_parent(void **state)
{
	static const char *const files[] = { "include/zlib/zlib.h", NULL };
	struct fixture *f = *state;
	struct record rec;

	put(f->env, "include/zlib", "a file\n");
	put(f->stage, "include/zlib/zlib.h", "header\n");
	make_rec(&rec, "zlib", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(),
			    "cannot install 'include/zlib/zlib.h': 'include/zlib' is a file in the environment, not a directory");
	record_release(&rec);
}

/* Old version: include/zlib/ held files; new version: include/zlib is a file.  The directories go, deepest first. */
static void test_dir_in_way(void **state)
{
	static const char *const old_files[] = { "include/zlib/zlib.h", "include/zlib/sub/x.h", NULL };
	static const char *const new_files[] = { "include/zlib", NULL };
	struct fixture *f = *state;
	struct record rec, old;

	put(f->env, "include/zlib/zlib.h", "old\n");
	put(f->env, "include/zlib/sub/x.h", "old\n");
	dir(f->env, "include/zlib", 0751);
	dir(f->env, "include/zlib/sub", 0700);
	put(f->stage, "include/zlib", "new file\n");
	make_rec(&old, "zlib", old_files);
	make_rec(&rec, "zlib", new_files);
	assert_int_equal(plan_install(&f->e, &rec, &old, &f->p), 0);
	assert_int_equal(f->p.olds.n, 2);
	assert_string_equal(f->p.olds.v[0], "include/zlib/zlib.h");
	assert_string_equal(f->p.olds.v[1], "include/zlib/sub/x.h");
	assert_int_equal(f->p.rmdirs.n, 2);
	assert_string_equal(f->p.rmdirs.v[0], "include/zlib/sub");
	assert_int_equal(f->p.rmdir_modes[0], 0700);
	assert_string_equal(f->p.rmdirs.v[1], "include/zlib");
	assert_int_equal(f->p.rmdir_modes[1], 0751);
	assert_int_equal(f->p.nnews, 1);
	assert_ino(f->stage, "include/zlib", &f->p.news[0]);
	/* the old version's directories, deepest first; "include" is the layout's */
	assert_int_equal(f->p.prunes.n, 2);
	assert_string_equal(f->p.prunes.v[0], "include/zlib/sub");
	assert_string_equal(f->p.prunes.v[1], "include/zlib");
	record_release(&old);
	record_release(&rec);
}

/* The same with a file in the directory that the old version did not install: refused, naming it. */
static void test_dir_in_way_foreign(void **state)
{
	static const char *const old_files[] = { "include/zlib/zlib.h", NULL };
	static const char *const new_files[] = { "include/zlib", NULL };
	struct fixture *f = *state;
	struct record rec, old;

	put(f->env, "include/zlib/zlib.h", "old\n");
	put(f->env, "include/zlib/deep/extra.h", "the user's\n");
	put(f->stage, "include/zlib", "new file\n");
	make_rec(&old, "zlib", old_files);
	make_rec(&rec, "zlib", new_files);
	assert_int_equal(plan_install(&f->e, &rec, &old, &f->p), -1);
	assert_string_equal(last_error(),
			    "cannot install package 'zlib': 'include/zlib' is a directory in the environment"
			    " and holds 'include/zlib/deep/extra.h', which the package did not install");
	record_release(&old);
	record_release(&rec);
}

/* A layout directory in the way is refused even when empty. */
static void test_layout_dir_in_way(void **state)
{
	static const char *const files[] = { "lib", NULL };
	struct fixture *f = *state;
	struct record rec;

	put(f->stage, "lib", "a file named lib\n");
	make_rec(&rec, "odd", files);
	assert_int_equal(plan_install(&f->e, &rec, NULL, &f->p), -1);
	assert_string_equal(last_error(), "cannot install package 'odd': 'lib' is a directory in the environment");
	assert_int_equal(f->p.rmdirs.n, 0);
	record_release(&rec);
}

/* Uninstalling: present files owned by nobody else go; a shared or absent one stays out of the plan. */
static void test_uninstall(void **state)
{
	static const char *const files[] = { "include/zlib/zlib.h", "lib/gone.a", "lib/libz.a", "lib/shared.a", NULL };
	static const char *const other_files[] = { "lib/shared.a", NULL };
	struct fixture *f = *state;
	struct record rec, other;

	put(f->env, "include/zlib/zlib.h", "h\n");
	put(f->env, "lib/libz.a", "a\n");
	put(f->env, "lib/shared.a", "s\n");
	make_rec(&other, "other", other_files);
	assert_int_equal(record_save(f->env, &other), 0);
	make_rec(&rec, "zlib", files);
	assert_int_equal(record_save(f->env, &rec), 0);
	assert_int_equal(plan_uninstall(&f->e, &rec, &f->p), 0);
	assert_int_equal(f->p.olds.n, 2);
	assert_string_equal(f->p.olds.v[0], "include/zlib/zlib.h");
	assert_string_equal(f->p.olds.v[1], "lib/libz.a");
	assert_int_equal(f->p.prunes.n, 1);
	assert_string_equal(f->p.prunes.v[0], "include/zlib");
	assert_int_equal(f->p.nnews, 0);
	record_release(&other);
	record_release(&rec);
}

static void check_paths_fails(const char *path, char type, const char *message)
{
	static const char *const files[] = { "lib/ok.a", "", NULL };
	struct record rec;

	make_rec(&rec, "evil", files);
	free(rec.files[1].path);
	rec.files[1].path = xstrdup(path);
	rec.files[1].type = type;
	assert_int_equal(plan_check_paths(&rec), -1);
	assert_string_equal(last_error(), message);
	record_release(&rec);
}

static void test_check_paths(void **state)
{
	static const char *const good[] = { "lib/ok.a", "var/cenvx/f", "var/lib/f", "var/cenv.txt", NULL };
	struct record rec;

	(void)state;
	make_rec(&rec, "fine", good);
	rec.files[1].type = 'l';
	assert_int_equal(plan_check_paths(&rec), 0);
	record_release(&rec);

	check_paths_fails("var/cenv/records/zlib", 'f',
			  "cannot install package 'evil': 'var/cenv/records/zlib' is inside cenv's own state directory");
	check_paths_fails("var/cenv", 'f', "cannot install package 'evil': 'var/cenv' is inside cenv's own state directory");
	check_paths_fails("var/cenv/lock", 'l', "cannot install package 'evil': 'var/cenv/lock' is inside cenv's own state directory");
	check_paths_fails("../etc/passwd", 'f', "cannot install package 'evil': bad path '../etc/passwd'");
	check_paths_fails("/etc/passwd", 'f', "cannot install package 'evil': bad path '/etc/passwd'");
	check_paths_fails("lib//x", 'f', "cannot install package 'evil': bad path 'lib//x'");
	check_paths_fails("lib/dir", 'd', "cannot install package 'evil': 'lib/dir' is neither a file nor a symlink");
}

static void expect_prunable(const char *rel, int want)
{
	char *got = xasprintf("%s %d", rel, plan_prunable(rel)), *exp = xasprintf("%s %d", rel, want);

	assert_string_equal(got, exp);
	free(got);
	free(exp);
}

static void test_prunable(void **state)
{
	/* the layout as documented: an environment's own directories are never pruned */
	static const char *const layout[] = { "bin", "include", "lib", "lib/pkgconfig", "share",
					      "share/pkgconfig", "share/man", "share/aclocal", "var",
					      "var/cenv", "var/cenv/records", "var/cenv/work", NULL };
	static const char *const others[] = { "include/zlib", "lib/cmake", "share/man/man3", "share/doc",
					      "var/lib", "var/cenvx", "binx", "etc", NULL };
	const char *const *s;

	(void)state;
	/* "PATH VERDICT" compared as strings, so a failure names the path */
	for (s = layout; *s; s++)
		expect_prunable(*s, 0);
	for (s = others; *s; s++)
		expect_prunable(*s, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_staged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owned_by_other, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unowned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_in_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_in_way_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layout_dir_in_way, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uninstall, setup, teardown),
		cmocka_unit_test(test_check_paths),
		cmocka_unit_test(test_prunable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
