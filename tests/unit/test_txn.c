/* test_txn.c - unit tests of install transactions: commits, refusals, uninstall, a crash at every step, the lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "lock.h"
#include "record.h"
#include "txn.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char base[] = "/tmp/cenv-txn-XXXXXX";
static char *env; /* base/env: the environment of each test, made afresh */

/* ---- fixtures ------------------------------------------------------------- */

static void put_in(const char *root, const char *rel, const char *text)
{
	char *path = path_join(root, rel), *parent = path_dirname(path);

	if (!is_dir(parent)) /* mkdir_p on deep staging paths is the tests' main cost */
		assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(parent);
	free(path);
}

static void link_in(const char *root, const char *rel, const char *target)
{
	char *path = path_join(root, rel), *parent = path_dirname(path);

	if (!is_dir(parent))
		assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(symlink(target, path), 0);
	free(parent);
	free(path);
}

static void fresh_env(void)
{
	remove_tree(env);
	assert_int_equal(mkdir(env, 0755), 0);
	assert_int_equal(layout_make_dirs(env), 0);
	put_in(env, "cenv.cfg", "[cenv]\nversion = 0.1.0\n");
}

/* DIR/var/cenv/work/NAME/stage + DIR, emptied; caller frees. */
static char *stage_of(const char *name)
{
	char *work = xasprintf("%s/var/cenv/work/%s", env, name);
	char *stage = xasprintf("%s/stage%s", work, env);

	remove_tree(work);
	assert_int_equal(mkdir_p(stage, 0755, NULL), 0);
	free(work);
	return stage;
}

/*
 * A package as text: "path=content" lines, "path->target" for symlinks.
 * Paths may hold anything but '=', '>' and the line break "|".
 */
struct pkg {
	struct record rec;
	char *stage;
};

/* Stages spec in the directory stage (which p then owns). */
static void stage_pkg_in(struct pkg *p, char *stage, const char *name, const char *version,
			 const char *spec)
{
	char *copy = xstrdup(spec), *item, *save = NULL;

	memset(p, 0, sizeof(*p));
	p->stage = stage;
	for (item = strtok_r(copy, "|", &save); item; item = strtok_r(NULL, "|", &save)) {
		char *arrow = strstr(item, "->"), *eq = strchr(item, '=');

		if (arrow) {
			*arrow = '\0';
			link_in(p->stage, item, arrow + 2);
		} else {
			assert_non_null(eq);
			*eq = '\0';
			put_in(p->stage, item, eq + 1);
		}
	}
	free(copy);
	p->rec.name = xstrdup(name);
	p->rec.version = xstrdup(version);
	p->rec.url = xstrdup("file:///src/pkg.tar.gz");
	p->rec.sha256 = xstrdup("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	p->rec.build = xstrdup("prebuilt");
	assert_int_equal(record_scan(p->stage, &p->rec), 0);
}

static void stage_pkg(struct pkg *p, const char *name, const char *version, const char *spec)
{
	stage_pkg_in(p, stage_of(name), name, version, spec);
}

static void pkg_release(struct pkg *p)
{
	record_release(&p->rec);
	free(p->stage);
}

/* Stages and commits a package, replacing what is installed under its name. */
static void install(const char *name, const char *version, const char *spec)
{
	struct pkg p;
	struct record old;
	int have_old;

	stage_pkg(&p, name, version, spec);
	have_old = record_load(env, name, &old) == 0;
	if (txn_commit(env, p.stage, &p.rec, have_old ? &old : NULL) < 0)
		fail_msg("install of %s failed: %s", name, last_error());
	if (have_old)
		record_release(&old);
	pkg_release(&p);
}

static int uninstall(const char *name)
{
	struct record r;
	int ret;

	if (record_load(env, name, &r) < 0)
		return -1;
	ret = txn_uninstall(env, &r);
	record_release(&r);
	return ret;
}

/* ---- listing a tree -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Everything under root but cenv's scratch space, with modes, contents and targets. */
static void list_into(struct strbuf *out, const char *root, const char *rel)
{
	char *full = *rel ? path_join(root, rel) : xstrdup(root);
	DIR *d = opendir(full);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;

	assert_non_null(d);
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *crel = *rel ? path_join(rel, names[i]) : xstrdup(names[i]);
		char *cfull = path_join(root, crel);
		struct stat st;

		if (!strcmp(crel, "var/cenv/work") || !strcmp(crel, "var/cenv/lock")) {
			free(crel);
			free(cfull);
			free(names[i]);
			continue;
		}
		assert_int_equal(lstat(cfull, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			sb_addf(out, "d %04o %s\n", (unsigned)(st.st_mode & 07777), crel);
			list_into(out, root, crel);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t len = readlink(cfull, target, sizeof(target) - 1);

			assert_true(len >= 0);
			target[len] = '\0';
			sb_addf(out, "l %s -> %s\n", crel, target);
		} else {
			char *text;
			size_t len;

			assert_int_equal(read_file(cfull, &text, &len), 0);
			sb_addf(out, "f %04o %s [%zu] ", (unsigned)(st.st_mode & 07777), crel, len);
			sb_add(out, text, len);
			sb_addc(out, '\n');
			free(text);
		}
		free(crel);
		free(cfull);
		free(names[i]);
	}
	free(names);
	free(full);
}

static char *listing(void)
{
	struct strbuf sb = STRBUF_INIT;

	list_into(&sb, env, "");
	return sb_detach(&sb);
}

static int exists(const char *rel)
{
	char *p = path_join(env, rel);
	int ok = path_exists(p);

	free(p);
	return ok;
}

static char *content(const char *rel)
{
	char *p = path_join(env, rel), *text;

	assert_int_equal(read_file(p, &text, NULL), 0);
	free(p);
	return text;
}

static void assert_content(const char *rel, const char *want)
{
	char *text = content(rel);

	assert_string_equal(text, want);
	free(text);
}

static void assert_clean_state(void)
{
	assert_false(exists("var/cenv/journal"));
	assert_false(exists("var/cenv/txn"));
}

/* ---- setup ----------------------------------------------------------------- */

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(base))
		return -1;
	env = path_join(base, "env");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(env);
	return remove_tree(base);
}

/* ---- plain commits --------------------------------------------------------- */

#define ZLIB_V1 "include/zlib.h=v1 header|lib/libz.so.1=v1 lib|lib/libz.so->libz.so.1|" \
		"share/doc/zlib/README=read me|lib/pkgconfig/zlib.pc=pc v1|lib/old=a file that becomes a dir"
#define ZLIB_V2 "include/zlib.h=v2 header|include/zconf.h=conf|lib/libz.so.2=v2 lib|" \
		"lib/libz.so->libz.so.2|lib/pkgconfig/zlib.pc=pc v2|lib/old/now a dir.h=x|" \
		"share/z2/odd name\nwith\ttab\\ é=odd"

static void test_fresh_install(void **state)
{
	struct record r;
	char *shown;

	(void)state;
	fresh_env();
	install("zlib", "1.0", ZLIB_V1);
	assert_content("include/zlib.h", "v1 header");
	assert_content("lib/libz.so.1", "v1 lib");
	assert_content("share/doc/zlib/README", "read me");
	{
		char target[64];
		char *p = path_join(env, "lib/libz.so");
		ssize_t n = readlink(p, target, sizeof(target) - 1);

		assert_true(n > 0);
		target[n] = '\0';
		assert_string_equal(target, "libz.so.1");
		free(p);
	}
	assert_int_equal(record_load(env, "zlib", &r), 0);
	assert_int_equal(r.nfiles, 6);
	assert_string_equal(r.version, "1.0");
	assert_string_equal(r.build, "prebuilt");
	record_release(&r);
	assert_clean_state();
	/* a second fresh install of the same name is refused */
	{
		struct pkg p;
		char *before = listing();

		stage_pkg(&p, "zlib", "1.0", "include/other.h=x");
		assert_int_equal(txn_commit(env, p.stage, &p.rec, NULL), -1);
		assert_non_null(strstr(last_error(), "already installed"));
		shown = listing();
		assert_string_equal(shown, before);
		free(shown);
		free(before);
		pkg_release(&p);
	}
	assert_int_equal(txn_recover(env), 0);
}

static void test_reinstall(void **state)
{
	struct record r;
	size_t i;

	(void)state;
	fresh_env();
	install("other", "1", "share/doc/other/README=other|include/other.h=o");
	install("zlib", "1.0", ZLIB_V1);
	install("zlib", "2.0", ZLIB_V2);
	assert_content("include/zlib.h", "v2 header");
	assert_content("include/zconf.h", "conf");
	assert_content("lib/libz.so.2", "v2 lib");
	assert_content("lib/old/now a dir.h", "x");
	assert_content("share/z2/odd name\nwith\ttab\\ é", "odd");
	assert_false(exists("lib/libz.so.1"));
	assert_false(exists("share/doc/zlib/README"));
	assert_false(exists("share/doc/zlib")); /* emptied: pruned */
	assert_true(exists("share/doc"));       /* other's README is there */
	assert_content("share/doc/other/README", "other");
	assert_true(exists("lib/pkgconfig"));
	assert_int_equal(record_load(env, "zlib", &r), 0);
	assert_string_equal(r.version, "2.0");
	assert_int_equal(r.nfiles, 7);
	for (i = 0; i < r.nfiles; i++)
		assert_null(strstr(r.files[i].path, "libz.so.1"));
	record_release(&r);
	assert_clean_state();
	/* and back: the directory lib/old becomes a file again */
	install("zlib", "1.0", ZLIB_V1);
	assert_content("lib/old", "a file that becomes a dir");
	assert_false(exists("share/z2"));
	assert_clean_state();
}

/* Each refusal leaves the environment exactly as it was. */
static void refused(const char *name, const char *spec, const char *want1, const char *want2)
{
	struct pkg p;
	struct record old;
	int have_old = record_load(env, name, &old) == 0;
	char *before = listing(), *after;

	stage_pkg(&p, name, "9", spec);
	assert_int_equal(txn_commit(env, p.stage, &p.rec, have_old ? &old : NULL), -1);
	if (!strstr(last_error(), want1) || (want2 && !strstr(last_error(), want2)))
		fail_msg("got '%s', want '%s' and '%s'", last_error(), want1, want2 ? want2 : "");
	after = listing();
	assert_string_equal(after, before);
	assert_clean_state();
	free(before);
	free(after);
	if (have_old)
		record_release(&old);
	pkg_release(&p);
}

static void test_conflict_with_package(void **state)
{
	(void)state;
	fresh_env();
	install("zlib", "1.0", ZLIB_V1);
	refused("zlib-ng", "include/zng.h=n|lib/libz.so=impostor",
		"'lib/libz.so' belongs to package 'zlib'", "package 'zlib-ng'");
	/* the same through a reinstall of a third package */
	install("third", "1", "include/third.h=t");
	refused("third", "include/third.h=t2|include/zlib.h=stolen", "'include/zlib.h' belongs to package 'zlib'",
		"'third'");
	/* a directory where another package has a file */
	refused("fourth", "lib/libz.so.1/inside.h=x", "'lib/libz.so.1' is a file in the environment",
		"from package 'zlib'");
}

static void test_unowned_file(void **state)
{
	(void)state;
	fresh_env();
	put_in(env, "include/mine.h", "hand-made");
	refused("pkg", "include/a.h=a|include/mine.h=theirs", "'include/mine.h' exists in the environment and belongs to no package",
		"'pkg'");
	refused("pkg", "cenv.cfg=overwrite", "'cenv.cfg' is cenv's own file, never a package's", NULL);
	refused("pkg", "lib=not a dir", "'lib' is a directory in the environment", NULL);
	refused("pkg", "var/cenv/records/zlib=fake", "inside cenv's own state directory", NULL);
	assert_content("include/mine.h", "hand-made");
}

static void test_symlinked_parent(void **state)
{
	char *elsewhere = path_join(base, "elsewhere"), *link, *l;

	(void)state;
	fresh_env();
	remove_tree(elsewhere);
	assert_int_equal(mkdir(elsewhere, 0755), 0);
	link = path_join(env, "include/sub");
	assert_int_equal(symlink(elsewhere, link), 0);
	refused("pkg", "include/ok.h=fine|include/sub/x.h=through the link",
		"refusing to install 'include/sub/x.h': 'include/sub' is a symlink in the environment", NULL);
	refused("pkg", "include/sub/deeper/x.h=deeper", "'include/sub' is a symlink in the environment", NULL);
	assert_int_equal(dir_is_empty(elsewhere), 1);
	/* a symlink that a package installed is no way in for another */
	install("links", "1", "share/linkdir->../include");
	refused("pkg", "share/linkdir/evil.h=x", "'share/linkdir' is a symlink in the environment",
		"from package 'links'");
	l = listing();
	assert_null(strstr(l, "evil"));
	free(l);
	free(link);
	free(elsewhere);
}

static void test_uninstall(void **state)
{
	struct record r;
	const char *const *d;
	char **names;
	size_t n;

	(void)state;
	fresh_env();
	install("other", "1", "share/doc/other/README=other");
	install("zlib", "1.0", ZLIB_V1 "|include/zlib/deep/er/x.h=x|bin/zpipe=z");
	assert_int_equal(uninstall("zlib"), 0);
	assert_false(exists("include/zlib.h"));
	assert_false(exists("include/zlib"));
	assert_false(exists("lib/libz.so"));
	assert_false(exists("lib/old"));
	assert_false(exists("share/doc/zlib"));
	assert_false(exists("bin/zpipe"));
	assert_true(exists("share/doc/other/README"));
	for (d = layout_dirs; *d; d++)
		assert_true(exists(*d));
	assert_int_equal(record_load(env, "zlib", &r), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(record_names(env, &names, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "other");
	record_names_free(names, n);
	assert_clean_state();
	/* a file the user removed by hand is no obstacle; one left by hand in a directory keeps it */
	install("zlib", "1.0", ZLIB_V1);
	put_in(env, "share/doc/zlib/NOTES", "mine");
	{
		char *p = path_join(env, "include/zlib.h");

		assert_int_equal(unlink(p), 0);
		free(p);
	}
	assert_int_equal(uninstall("zlib"), 0);
	assert_content("share/doc/zlib/NOTES", "mine");
	assert_false(exists("share/doc/zlib/README"));
	/* uninstalling the last package leaves the layout */
	assert_int_equal(uninstall("other"), 0);
	for (d = layout_dirs; *d; d++)
		assert_true(exists(*d));
	assert_false(exists("share/doc/other"));
	assert_int_equal(uninstall("other"), -1);
}

static void test_uninstall_symlinked_parent(void **state)
{
	char *elsewhere = path_join(base, "elsewhere2"), *p, *before, *after;

	(void)state;
	fresh_env();
	install("pkg", "1", "include/pkg/a.h=a");
	/* someone swaps the directory for a symlink to files that are not the package's */
	remove_tree(elsewhere);
	put_in(elsewhere, "a.h", "not yours");
	p = path_join(env, "include/pkg");
	assert_int_equal(remove_tree(p), 0);
	assert_int_equal(symlink(elsewhere, p), 0);
	before = listing();
	assert_int_equal(uninstall("pkg"), -1);
	assert_non_null(strstr(last_error(), "'include/pkg' is a symlink in the environment"));
	after = listing();
	assert_string_equal(after, before);
	free(p);
	p = path_join(elsewhere, "a.h");
	assert_true(path_exists(p));
	free(p);
	free(before);
	free(after);
	free(elsewhere);
}

static void test_recover_cleans(void **state)
{
	char *before, *after;

	(void)state;
	fresh_env();
	install("zlib", "1.0", ZLIB_V1);
	before = listing();
	put_in(env, "var/cenv/work/zlib/src/x.c", "int x;");
	put_in(env, "var/cenv/txn/backup/0", "stale");
	put_in(env, "var/cenv/records/zlib.tmp.999", "half");
	assert_int_equal(txn_recover(env), 0);
	assert_false(exists("var/cenv/work"));
	assert_false(exists("var/cenv/txn"));
	assert_false(exists("var/cenv/records/zlib.tmp.999"));
	after = listing();
	assert_string_equal(after, before);
	free(before);
	free(after);
	/* a journal that makes no sense is left alone */
	put_in(env, "var/cenv/journal", "cenv-journal 1\nop install\npackage zlib\nmkdir ../../etc\n");
	assert_int_equal(txn_recover(env), -1);
	assert_non_null(strstr(last_error(), "journal:4: malformed journal line"));
	assert_true(exists("var/cenv/journal"));
	/* and blocks new changes until it is dealt with */
	assert_int_equal(uninstall("zlib"), -1);
	assert_non_null(strstr(last_error(), "interrupted change is pending"));
	{
		char *p = path_join(env, "var/cenv/journal");

		unlink(p);
		free(p);
	}
	/* a prefix that is no environment at all: nothing to do */
	{
		char *p = path_join(base, "not-an-env");

		assert_int_equal(mkdir(p, 0755), 0);
		assert_int_equal(txn_recover(p), 0);
		remove_tree(p);
		free(p);
	}
}

/* ---- crashes ----------------------------------------------------------------- */

/*
 * A scenario prepares the environment (outside the crash) and then runs
 * one operation, which a child process runs with CENV_TEST_CRASH_AT set.
 */
struct scenario {
	const char *what;
	void (*prepare)(struct pkg *p, struct record *old, int *have_old);
	int uninstall;
	int nested; /* crash recovery too, at each of its steps (slow: steps squared) */
};

/* The first package of an environment: the records directory is made too. */
static void prep_first(struct pkg *p, struct record *old, int *have_old)
{
	fresh_env();
	stage_pkg(p, "zlib", "1.0", ZLIB_V1);
	memset(old, 0, sizeof(*old));
	*have_old = 0;
}

static void prep_fresh(struct pkg *p, struct record *old, int *have_old)
{
	fresh_env();
	install("other", "1", "share/doc/other/README=other|include/other.h=o");
	stage_pkg(p, "zlib", "1.0", ZLIB_V1 "|include/zlib/new dir/x.h=x|share/z\nnl=newline");
	memset(old, 0, sizeof(*old));
	*have_old = 0;
}

static void prep_reinstall(struct pkg *p, struct record *old, int *have_old)
{
	fresh_env();
	install("other", "1", "share/doc/other/README=other|include/other.h=o");
	install("zlib", "1.0", ZLIB_V1);
	stage_pkg(p, "zlib", "2.0", ZLIB_V2);
	*have_old = record_load(env, "zlib", old) == 0;
	assert_true(*have_old);
}

/* Back from 2.0 to 1.0: the directory lib/old is removed to make room for a file. */
static void prep_downgrade(struct pkg *p, struct record *old, int *have_old)
{
	fresh_env();
	install("other", "1", "share/doc/other/README=other|include/other.h=o");
	install("zlib", "2.0", ZLIB_V2 "|lib/old/sub/deeper.h=d");
	stage_pkg(p, "zlib", "1.0", ZLIB_V1);
	*have_old = record_load(env, "zlib", old) == 0;
	assert_true(*have_old);
}

static void prep_uninstall(struct pkg *p, struct record *old, int *have_old)
{
	fresh_env();
	install("other", "1", "share/doc/other/README=other|include/other.h=o");
	install("zlib", "2.0", ZLIB_V2 "|include/zlib/deep/er/x.h=x");
	memset(p, 0, sizeof(*p));
	*have_old = record_load(env, "zlib", old) == 0;
	assert_true(*have_old);
}

static int run_op(const struct scenario *sc, struct pkg *p, struct record *old, int have_old)
{
	if (sc->uninstall)
		return txn_uninstall(env, old);
	return txn_commit(env, p->stage, &p->rec, have_old ? old : NULL);
}

/* Runs fn in a child with CENV_TEST_CRASH_AT=k: 1 when it was killed, 0 when it finished well. */
static int crash_child(int k, const struct scenario *sc, struct pkg *p, struct record *old, int have_old,
		       int recover)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char num[32];
		int r;

		snprintf(num, sizeof(num), "%d", k);
		setenv("CENV_TEST_CRASH_AT", num, 1);
		r = recover ? txn_recover(env) : run_op(sc, p, old, have_old);
		if (r < 0)
			fprintf(stderr, "child: %s\n", last_error());
		_exit(r < 0 ? 3 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status)) {
		assert_int_equal(WTERMSIG(status), SIGKILL);
		return 1;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return 0;
}

static void release_all(struct pkg *p, struct record *old, int have_old)
{
	if (p->stage)
		pkg_release(p);
	if (have_old)
		record_release(old);
}

static void crash_scenario(const struct scenario *sc)
{
	struct pkg p;
	struct record old;
	int have_old, k, crashed, seen_after = 0, rolled_back = 0, steps;
	char *before, *after;

	/* the state when all goes well */
	sc->prepare(&p, &old, &have_old);
	before = listing();
	assert_int_equal(run_op(sc, &p, &old, have_old), 0);
	assert_int_equal(txn_recover(env), 0);
	after = listing();
	assert_string_not_equal(before, after);
	release_all(&p, &old, have_old);

	for (k = 1;; k++) {
		char *now;
		int r;

		sc->prepare(&p, &old, &have_old);
		now = listing();
		assert_string_equal(now, before);
		free(now);
		crashed = crash_child(k, sc, &p, &old, have_old, 0);
		r = txn_recover(env);
		if (r < 0)
			fail_msg("%s, crash at step %d: recovery failed: %s", sc->what, k, last_error());
		now = listing();
		assert_clean_state();
		assert_false(exists("var/cenv/work"));
		if (!strcmp(now, after)) {
			seen_after = 1;
			assert_int_equal(r, 0); /* finished, not rolled back */
		} else if (!strcmp(now, before)) {
			rolled_back += r == 1;
			if (seen_after)
				fail_msg("%s: rolled back at step %d after finishing at an earlier one", sc->what, k);
		} else {
			fail_msg("%s, crash at step %d: neither before nor after:\n--- now\n%s--- before\n%s--- after\n%s",
				 sc->what, k, now, before, after);
		}
		free(now);
		release_all(&p, &old, have_old);
		if (!crashed)
			break;
	}
	steps = k - 1;
	assert_true(seen_after);
	assert_true(rolled_back > 0);
	print_message("%s: %d steps, each crashed at and recovered (%d rolled back)\n", sc->what, steps,
		      rolled_back);
	if (!sc->nested)
		steps = 0;

	/* recovery itself killed at every step, for a crash at every step: run again, it completes */
	for (k = 1; k <= steps; k++) {
		char *expect = NULL;
		int j;

		for (j = 1;; j++) {
			char *now;
			int more;

			sc->prepare(&p, &old, &have_old);
			assert_int_equal(crash_child(k, sc, &p, &old, have_old, 0), 1);
			more = crash_child(j, sc, &p, &old, have_old, 1);
			if (txn_recover(env) < 0)
				fail_msg("%s, crash at %d then in recovery at %d: %s", sc->what, k, j, last_error());
			now = listing();
			assert_clean_state();
			if (strcmp(now, before) && strcmp(now, after))
				fail_msg("%s, crash at %d then in recovery at %d: neither before nor after:\n%s",
					 sc->what, k, j, now);
			if (!expect)
				expect = xstrdup(now);
			else if (strcmp(now, expect))
				fail_msg("%s, crash at %d then in recovery at %d: a different outcome", sc->what, k, j);
			free(now);
			release_all(&p, &old, have_old);
			if (!more)
				break;
		}
		free(expect);
	}
	free(before);
	free(after);
}

static const struct scenario first_sc = { "first install", prep_first, 0, 0 };
static const struct scenario fresh_sc = { "fresh install", prep_fresh, 0, 0 };
static const struct scenario reinstall_sc = { "reinstall", prep_reinstall, 0, 1 };
static const struct scenario downgrade_sc = { "downgrade", prep_downgrade, 0, 0 };
static const struct scenario uninstall_sc = { "uninstall", prep_uninstall, 1, 0 };

static void test_crash_first(void **state)
{
	(void)state;
	crash_scenario(&first_sc);
}

static void test_crash_fresh(void **state)
{
	(void)state;
	crash_scenario(&fresh_sc);
}

static void test_crash_reinstall(void **state)
{
	(void)state;
	crash_scenario(&reinstall_sc);
}

static void test_crash_downgrade(void **state)
{
	(void)state;
	crash_scenario(&downgrade_sc);
}

static void test_crash_uninstall(void **state)
{
	(void)state;
	crash_scenario(&uninstall_sc);
}

/* An error midway (here: a staged file vanishes) undoes everything in the same process. */
static void test_error_midway(void **state)
{
	struct pkg p;
	struct record old;
	char *before, *after, *victim;

	(void)state;
	fresh_env();
	install("zlib", "1.0", ZLIB_V1);
	stage_pkg(&p, "zlib", "2.0", ZLIB_V2);
	assert_int_equal(record_load(env, "zlib", &old), 0);
	before = listing();
	/* the last staged file in path order goes missing after the scan: found at the check */
	victim = path_join(p.stage, "share/z2/odd name\nwith\ttab\\ é");
	assert_int_equal(unlink(victim), 0);
	assert_int_equal(txn_commit(env, p.stage, &p.rec, &old), -1);
	assert_non_null(strstr(last_error(), "not in the staging tree"));
	after = listing();
	assert_string_equal(after, before);
	free(after);
	/* a directory in the way, made read-only, fails the move itself: rolled back */
	put_in(p.stage, "share/z2/odd name\nwith\ttab\\ é", "odd");
	{
		char *ro = path_join(env, "share");

		assert_int_equal(chmod(ro, 0555), 0);
		if (geteuid() != 0) {
			assert_int_equal(txn_commit(env, p.stage, &p.rec, &old), -1);
			after = listing();
			assert_non_null(strstr(after, "d 0555 share\n"));
			assert_clean_state();
			free(after);
		}
		assert_int_equal(chmod(ro, 0755), 0);
		free(ro);
	}
	after = listing();
	assert_string_equal(after, before);
	free(after);
	free(before);
	free(victim);
	record_release(&old);
	pkg_release(&p);
}

/* A staging tree on another file system: the first move in fails (EXDEV), after old files were set aside. */
static void test_other_file_system(void **state)
{
	char shm[] = "/dev/shm/cenv-txn-XXXXXX";
	struct stat a, b;
	struct pkg p;
	struct record old;
	char *before, *after;

	(void)state;
	if (!mkdtemp(shm))
		skip();
	if (stat(base, &a) < 0 || stat(shm, &b) < 0 || a.st_dev == b.st_dev) {
		remove_tree(shm);
		skip();
	}
	fresh_env();
	install("zlib", "1.0", ZLIB_V1);
	stage_pkg_in(&p, xstrdup(shm), "zlib", "2.0", ZLIB_V2);
	assert_int_equal(record_load(env, "zlib", &old), 0);
	before = listing();
	assert_int_equal(txn_commit(env, p.stage, &p.rec, &old), -1);
	assert_non_null(strstr(last_error(), "cross-device"));
	after = listing();
	assert_string_equal(after, before);
	assert_clean_state();
	assert_int_equal(txn_recover(env), 0);
	free(before);
	free(after);
	record_release(&old);
	pkg_release(&p);
	remove_tree(shm);
}

/* ---- the lock -------------------------------------------------------------- */

/* What cenv's command layer says before a wait (src/report.c); lock.c itself never prints. */
static void say_waiting(const char *prefix)
{
	fprintf(stderr, "cenv: waiting for another cenv process to finish with %s\n", prefix);
}

static void test_lock(void **state)
{
	int ready[2], fd, saved, out;
	char *log = path_join(base, "stderr"), *text, c;
	pid_t pid;

	(void)state;
	lock_set_wait_handler(say_waiting);
	fresh_env();
	fd = env_lock(env);
	assert_true(fd >= 0);
	env_unlock(fd);
	assert_int_equal(pipe(ready), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int held = env_lock(env);

		(void)!write(ready[1], "x", 1);
		nanosleep(&(struct timespec){ 0, 300000000L }, NULL);
		env_unlock(held);
		_exit(held >= 0 ? 0 : 1);
	}
	assert_int_equal(read(ready[0], &c, 1), 1);
	saved = dup(2);
	out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(out >= 0);
	dup2(out, 2);
	fd = env_lock(env); /* waits for the child */
	dup2(saved, 2);
	close(saved);
	close(out);
	assert_true(fd >= 0);
	assert_int_equal(waitpid(pid, &saved, 0), pid);
	assert_int_equal(read_file(log, &text, NULL), 0);
	assert_non_null(strstr(text, "cenv: waiting for another cenv process to finish with "));
	assert_non_null(strstr(text, env));
	env_unlock(fd);
	close(ready[0]);
	close(ready[1]);
	free(text);
	free(log);
	/* no state directory: an error, not a crash */
	{
		char *nowhere = path_join(base, "no-env");

		assert_int_equal(env_lock(nowhere), -1);
		assert_non_null(strstr(last_error(), "cannot open the lock"));
		free(nowhere);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_install),
		cmocka_unit_test(test_reinstall),
		cmocka_unit_test(test_conflict_with_package),
		cmocka_unit_test(test_unowned_file),
		cmocka_unit_test(test_symlinked_parent),
		cmocka_unit_test(test_uninstall),
		cmocka_unit_test(test_uninstall_symlinked_parent),
		cmocka_unit_test(test_recover_cleans),
		cmocka_unit_test(test_error_midway),
		cmocka_unit_test(test_other_file_system),
		cmocka_unit_test(test_crash_first),
		cmocka_unit_test(test_crash_fresh),
		cmocka_unit_test(test_crash_reinstall),
		cmocka_unit_test(test_crash_downgrade),
		cmocka_unit_test(test_crash_uninstall),
		cmocka_unit_test(test_lock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
