/* test_build.c - unit tests of the build drivers: detection, steplog_tail, and real builds of every fixture. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "error.h"
#include "steplog.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * Every fixture is copied to a temporary directory and built there, staged in its own
 * DESTDIR; "installing" it is copying that stage into the shared prefix, as the installer
 * does, so that later fixtures (pcuser, consumer) find earlier ones through pkg-config.
 * CENV_FIXTURES overrides tests/fixtures; CENV_KEEP_TMP=1 keeps the temporary directory.
 */
static char *root, *prefix, *fixtures;
static char *env_vars[8];
static const int JOBS = 2;

static char *tmp_path(const char *fmt, const char *name)
{
	char *rel = xasprintf(fmt, name), *p = path_join(root, rel);

	free(rel);
	return p;
}

static int shf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int shf(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 ? -1 : WEXITSTATUS(st);
}

/* The first line a command prints, without its newline; "" when none. */
static char *output_of(const char *cmd)
{
	char buf[4096] = "";
	FILE *p = popen(cmd, "r");
	size_t n;

	assert_non_null(p);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	pclose(p);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-build-test-XXXXXX";
	const char *fx = getenv("CENV_FIXTURES");
	const char *path = getenv("PATH");

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	root = xstrdup(tmpl);
	prefix = path_join(root, "prefix");
	fixtures = path_absolute(fx ? fx : "tests/fixtures");
	if (mkdir(prefix, 0755) < 0 || !is_dir(fixtures))
		return -1;
	/* minimal: no CPATH or LIBRARY_PATH, so dependencies are found through pkg-config only */
	env_vars[0] = xasprintf("PATH=%s", path ? path : "/usr/bin:/bin");
	env_vars[1] = xasprintf("PKG_CONFIG_PATH=%s/lib/pkgconfig", prefix);
	env_vars[2] = xstrdup("LC_ALL=C");
	env_vars[3] = xasprintf("HOME=%s", root);
	env_vars[4] = xstrdup("LDFLAGS=-Wl,-O1"); /* kept, with the rpath after it */
	env_vars[5] = xstrdup("DESTDIR=/wrong");  /* never reaches the build */
	env_vars[6] = NULL;
	return 0;
}

static int teardown(void **state)
{
	const char *keep = getenv("CENV_KEEP_TMP");
	size_t i;

	(void)state;
	if (keep && *keep)
		fprintf(stderr, "kept %s\n", root);
	else
		remove_tree(root);
	for (i = 0; env_vars[i]; i++)
		free(env_vars[i]);
	free(root);
	free(prefix);
	free(fixtures);
	return 0;
}

/* ---- detection ----------------------------------------------------------------------- */

static void test_names(void **state)
{
	enum build_system sys;
	const char *names[] = { "autotools", "cmake", "meson", "make", "prebuilt" };
	size_t i;

	(void)state;
	for (i = 0; i < 5; i++) {
		assert_int_equal(build_system_parse(names[i], &sys), 0);
		assert_string_equal(build_system_name(sys), names[i]);
	}
	assert_int_equal(build_system_parse("AUTOTOOLS", &sys), -1);
	assert_int_equal(build_system_parse("scons", &sys), -1);
	assert_non_null(strstr(last_error(), "'scons'"));
	assert_string_equal(build_system_name(BUILD_MESON), "meson");
}

static void check_detect(const char *fixture, enum build_system want)
{
	char *path = path_join(fixtures, fixture);
	enum build_system got = BUILD_PREBUILT;

	if (build_detect(path, &got) < 0)
		print_error("%s: %s\n", fixture, last_error());
	assert_int_equal(build_detect(path, &got), 0);
	assert_string_equal(build_system_name(got), build_system_name(want));
	free(path);
}

static void test_detect_fixtures(void **state)
{
	(void)state;
	check_detect("configure-hand", BUILD_AUTOTOOLS);
	check_detect("autotools", BUILD_AUTOTOOLS);
	check_detect("cmake", BUILD_CMAKE);
	check_detect("meson", BUILD_MESON);
	check_detect("make", BUILD_MAKE);
	check_detect("prebuilt", BUILD_PREBUILT);
	check_detect("pcbase", BUILD_MAKE);
	check_detect("pcuser", BUILD_MAKE);
	check_detect("consumer", BUILD_MAKE);
}

/* Makes a tree holding the given files ("dir/" makes a directory) and detects it. */
static int detect_tree(const char *files, enum build_system *out)
{
	static int count;
	char *dir, *list = xstrdup(files), *tok, *save = NULL;
	int ret;

	dir = xasprintf("%s/detect-%d", root, count++);
	assert_int_equal(mkdir(dir, 0755), 0);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *p = path_join(dir, tok);
		size_t len = strlen(p);

		if (p[len - 1] == '/')
			assert_int_equal(mkdir(p, 0755), 0);
		else
			assert_int_equal(write_file_atomic(p, "", 0, 0644), 0);
		free(p);
	}
	ret = build_detect(dir, out);
	free(list);
	free(dir);
	return ret;
}

static void expect_tree(const char *files, enum build_system want)
{
	enum build_system got = BUILD_PREBUILT;

	if (detect_tree(files, &got) < 0)
		print_error("%s: %s\n", files, last_error());
	assert_string_equal(build_system_name(got), build_system_name(want));
}

static void test_detect_order(void **state)
{
	enum build_system got;

	(void)state;
	expect_tree("configure CMakeLists.txt meson.build Makefile include/", BUILD_AUTOTOOLS);
	expect_tree("configure.ac", BUILD_AUTOTOOLS);
	expect_tree("configure.in Makefile.am", BUILD_AUTOTOOLS);
	expect_tree("configure.ac CMakeLists.txt", BUILD_AUTOTOOLS);
	expect_tree("CMakeLists.txt meson.build Makefile", BUILD_CMAKE);
	expect_tree("meson.build Makefile", BUILD_MESON);
	expect_tree("Makefile lib/", BUILD_MAKE);
	expect_tree("makefile", BUILD_MAKE);
	expect_tree("GNUmakefile", BUILD_MAKE);
	expect_tree("include/ README", BUILD_PREBUILT);
	expect_tree("lib/", BUILD_PREBUILT);
	expect_tree("bin/", BUILD_PREBUILT);

	assert_int_equal(detect_tree("", &got), -1);
	assert_non_null(strstr(last_error(), "cannot tell how to build"));
	assert_int_equal(detect_tree("README src/ configure/", &got), -1);
	assert_int_equal(detect_tree("include", &got), -1); /* a file, not a directory */
	assert_int_equal(build_detect("/nonexistent/cenv", &got), -1);
	assert_non_null(strstr(last_error(), "not a directory"));
}

/* ---- steplog_tail ----------------------------------------------------------------------- */

static void check_tail(const char *text, int n, const char *want)
{
	char *path = path_join(root, "tail.log"), *out = NULL;

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	assert_int_equal(steplog_tail(path, n, &out), 0);
	assert_string_equal(out, want);
	free(out);
	free(path);
}

static void test_log_tail(void **state)
{
	struct strbuf big = STRBUF_INIT, want = STRBUF_INIT;
	char *out = (char *)"x";
	int i;

	(void)state;
	check_tail("1\n2\n3\n4\n5\n", 2, "4\n5\n");
	check_tail("1\n2\n3\n4\n5", 2, "4\n5");
	check_tail("1\n2\n", 5, "1\n2\n");
	check_tail("1\n2\n", 2, "1\n2\n");
	check_tail("only", 1, "only");
	check_tail("", 3, "");
	check_tail("a\n\n\n", 2, "\n\n");
	check_tail("a\nb\n", 0, "");
	/* lines across the 4096-byte blocks read from the end */
	for (i = 0; i < 3000; i++)
		sb_addf(&big, "line %d of a long build log\n", i);
	for (i = 2990; i < 3000; i++)
		sb_addf(&want, "line %d of a long build log\n", i);
	check_tail(big.buf, 10, want.buf);
	sb_release(&want);
	sb_release(&big);
	/* a long line is cut as steplog_cut cuts it; its bytes are left for the caller to escape */
	for (i = 0; i < 9000; i++)
		sb_addc(&big, 'x');
	sb_adds(&big, "\n\x1b[2J\rlast\n");
	for (i = 0; i < STEPLOG_LINE_MAX; i++)
		sb_addc(&want, 'x');
	sb_adds(&want, "...\n\x1b[2J\rlast\n");
	check_tail(big.buf, 2, want.buf);
	sb_release(&want);
	/* only the last STEPLOG_TAIL_READ bytes are read: a line that began before them starts "..." */
	big.len = 0;
	sb_adds(&big, "first\n");
	for (i = 0; i < (int)STEPLOG_TAIL_READ; i++)
		sb_addc(&big, i % 2 ? 'y' : 'x');
	sb_adds(&big, "\nend");
	sb_adds(&want, "...");
	for (i = 0; i < STEPLOG_LINE_MAX; i++) /* the read begins 4 bytes into the run, at an x */
		sb_addc(&want, i % 2 ? 'y' : 'x');
	sb_adds(&want, "...\nend");
	check_tail(big.buf, 20, want.buf);
	sb_release(&want);
	/* a log of more than STEPLOG_TAIL_READ bytes, its last lines within them */
	big.len = 0;
	for (i = 0; i < 20000; i++)
		sb_addf(&big, "line %d\n", i);
	check_tail(big.buf, 3, "line 19997\nline 19998\nline 19999\n");
	sb_release(&big);

	assert_int_equal(steplog_tail("/nonexistent/cenv.log", 5, &out), -1);
	assert_null(out);
	assert_non_null(strstr(last_error(), "/nonexistent/cenv.log"));
}

/* ---- building the fixtures ----------------------------------------------------------- */

/* The paths of one build, all under root: src-TAG, build-TAG, dest-TAG, TAG.log. */
struct job {
	char *src, *builddir, *destdir, *log, *stage;
};

static void job_init(struct job *j, const char *tag, const char *fixture)
{
	j->src = tmp_path("src-%s", tag);
	j->builddir = tmp_path("build-%s", tag);
	j->destdir = tmp_path("dest-%s", tag);
	j->log = tmp_path("%s.log", tag);
	j->stage = xasprintf("%s%s", j->destdir, prefix);
	/* never build inside tests/fixtures */
	assert_int_equal(shf("cp -RP '%s/%s' '%s'", fixtures, fixture, j->src), 0);
}

static void job_release(struct job *j)
{
	free(j->src);
	free(j->builddir);
	free(j->destdir);
	free(j->log);
	free(j->stage);
}

static int job_run(struct job *j, const char *name, enum build_system sys, char *const *envp,
		   char *const *args, size_t nargs)
{
	struct build_request req = {
		.name = name, .prefix = prefix, .src = j->src, .builddir = j->builddir,
		.destdir = j->destdir, .log_path = j->log, .args = args, .nargs = nargs,
		.envp = envp ? envp : env_vars, .jobs = JOBS, .system = sys,
	};

	return build_run(&req);
}

/* A build that should succeed: on failure, shows the end of its log. */
static void build_ok(struct job *j, const char *name, enum build_system sys)
{
	int ret = job_run(j, name, sys, NULL, NULL, 0);

	if (ret < 0) {
		char *tail = NULL;

		if (steplog_tail(j->log, 30, &tail) == 0)
			print_error("%s\n--- last lines of %s:\n%s", last_error(), j->log, tail);
		free(tail);
	}
	assert_int_equal(ret, 0);
}

/* Copies the stage into the prefix, as the installer's transaction would. */
static void job_install(struct job *j)
{
	assert_int_equal(shf("cp -RP '%s/.' '%s'", j->stage, prefix), 0);
}

static void assert_staged(struct job *j, const char *rel)
{
	char *p = path_join(j->stage, rel);

	if (!path_exists(p))
		print_error("not staged: %s\n", p);
	assert_true(path_exists(p));
	free(p);
}

static void assert_lib_layout(struct job *j)
{
	char *multiarch = path_join(j->stage, "lib/x86_64-linux-gnu");
	char *lib64 = path_join(j->stage, "lib64");

	assert_false(path_exists(multiarch));
	assert_false(path_exists(lib64));
	free(multiarch);
	free(lib64);
}

static char *read_log(struct job *j)
{
	char *text = NULL;

	assert_int_equal(read_file(j->log, &text, NULL), 0);
	return text;
}

static void assert_log_has(struct job *j, const char *needle)
{
	char *text = read_log(j);

	if (!strstr(text, needle))
		print_error("log %s lacks: %s\n", j->log, needle);
	assert_non_null(strstr(text, needle));
	free(text);
}

/* 1 when readelf -d shows a RUNPATH or RPATH entry with dir among its elements. */
static int has_rpath(const char *file, const char *dir)
{
	char *cmd = xasprintf("readelf -d '%s'", file), line[4096];
	FILE *p = popen(cmd, "r");
	int found = 0;

	assert_non_null(p);
	while (fgets(line, sizeof(line), p)) {
		char *open = strchr(line, '['), *close, *elem, *save = NULL;

		if ((!strstr(line, "(RUNPATH)") && !strstr(line, "(RPATH)")) || !open)
			continue;
		close = strchr(open, ']');
		if (close)
			*close = '\0';
		for (elem = strtok_r(open + 1, ":", &save); elem; elem = strtok_r(NULL, ":", &save))
			found |= !strcmp(elem, dir);
	}
	pclose(p);
	free(cmd);
	return found;
}

static void assert_rpath(struct job *j, const char *rel)
{
	char *file = path_join(j->stage, rel), *dir = path_join(prefix, "lib");

	if (!has_rpath(file, dir)) {
		print_error("no rpath %s in %s:\n", dir, file);
		shf("readelf -d '%s' | grep -i path >&2", file);
	}
	assert_true(has_rpath(file, dir));
	free(file);
	free(dir);
}

/* Runs an installed program with a clean environment (no LD_LIBRARY_PATH): its output. */
static void assert_runs(const char *rel, const char *want)
{
	char *cmd = xasprintf("env -i '%s/%s'", prefix, rel), *out = output_of(cmd);

	assert_string_equal(out, want);
	free(out);
	free(cmd);
}

static void test_configure_hand(void **state)
{
	struct job j;
	char *line;

	(void)state;
	job_init(&j, "hand", "configure-hand");
	build_ok(&j, "hand", BUILD_AUTOTOOLS);
	assert_staged(&j, "lib/libcenvfix_hand.so.1");
	assert_staged(&j, "lib/libcenvfix_hand.so");
	assert_staged(&j, "lib/pkgconfig/cenvfix_hand.pc");
	assert_staged(&j, "include/cenvfix_hand.h");
	assert_staged(&j, "bin/cenvfix-hand");
	assert_lib_layout(&j);
	assert_rpath(&j, "bin/cenvfix-hand");
	assert_rpath(&j, "lib/libcenvfix_hand.so.1");
	/* the command lines, configure's own view of LDFLAGS, and no DESTDIR from outside */
	line = xasprintf("$ cd %s && ./configure --prefix=%s --libdir=%s/lib\n", j.src, prefix, prefix);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("LDFLAGS=-Wl,-O1 -Wl,-rpath,%s/lib\n", prefix);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("$ cd %s && make install DESTDIR=%s\n", j.src, j.destdir);
	assert_log_has(&j, line);
	free(line);
	assert_false(path_exists("/wrong"));
	job_install(&j);
	assert_runs("bin/cenvfix-hand", "hand");
	job_release(&j);
}

static void test_autotools(void **state)
{
	struct job j;
	char *configure, *line;

	(void)state;
	job_init(&j, "auto", "autotools");
	configure = path_join(j.src, "configure");
	assert_false(path_exists(configure));
	build_ok(&j, "auto", BUILD_AUTOTOOLS);
	assert_true(path_exists(configure)); /* made by autoreconf */
	assert_staged(&j, "lib/libcenvfix_auto.so.1.0.0");
	assert_staged(&j, "lib/libcenvfix_auto.so");
	assert_staged(&j, "lib/pkgconfig/cenvfix_auto.pc");
	assert_staged(&j, "include/cenvfix_auto.h");
	assert_staged(&j, "bin/cenvfix-auto");
	assert_lib_layout(&j);
	assert_rpath(&j, "lib/libcenvfix_auto.so.1.0.0");
	assert_rpath(&j, "bin/cenvfix-auto");
	line = xasprintf("$ cd %s && autoreconf -fi\n", j.src);
	assert_log_has(&j, line);
	free(line);
	assert_log_has(&j, "make -j2\n");
	job_install(&j);
	assert_runs("bin/cenvfix-auto", "autotools");
	free(configure);
	job_release(&j);
}

static void test_cmake(void **state)
{
	struct job j;
	char *line;

	(void)state;
	job_init(&j, "cmake", "cmake");
	build_ok(&j, "cmake", BUILD_CMAKE);
	assert_staged(&j, "lib/libcenvfix_cmake.so.1.0");
	assert_staged(&j, "lib/libcenvfix_cmake.so.1");
	assert_staged(&j, "lib/libcenvfix_cmake.so");
	assert_staged(&j, "lib/pkgconfig/cenvfix_cmake.pc");
	assert_staged(&j, "include/cenvfix_cmake.h");
	assert_staged(&j, "bin/cenvfix-cmake");
	assert_lib_layout(&j);
	assert_rpath(&j, "lib/libcenvfix_cmake.so.1.0");
	assert_rpath(&j, "bin/cenvfix-cmake");
	line = xasprintf("cmake -S %s -B %s -G ", j.src, j.builddir);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("-DCMAKE_INSTALL_PREFIX:PATH=%s -DCMAKE_INSTALL_LIBDIR:PATH=lib", prefix);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("&& DESTDIR=%s cmake --install %s\n", j.destdir, j.builddir);
	assert_log_has(&j, line);
	free(line);
	job_install(&j);
	assert_runs("bin/cenvfix-cmake", "cmake");
	job_release(&j);
}

static void test_meson(void **state)
{
	struct job j;
	char *line;

	(void)state;
	job_init(&j, "meson", "meson");
	build_ok(&j, "meson", BUILD_MESON);
	assert_staged(&j, "lib/libcenvfix_meson.so.1.0.0");
	assert_staged(&j, "lib/libcenvfix_meson.so");
	assert_staged(&j, "lib/pkgconfig/cenvfix_meson.pc");
	assert_staged(&j, "include/cenvfix_meson.h");
	assert_staged(&j, "bin/cenvfix-meson");
	assert_lib_layout(&j);
	assert_rpath(&j, "lib/libcenvfix_meson.so.1.0.0");
	assert_rpath(&j, "bin/cenvfix-meson");
	line = xasprintf("meson setup %s %s --prefix %s --libdir lib --buildtype release --wrap-mode=nodownload\n",
			 j.builddir, j.src, prefix);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("&& DESTDIR=%s meson install -C %s\n", j.destdir, j.builddir);
	assert_log_has(&j, line);
	free(line);
	job_install(&j);
	assert_runs("bin/cenvfix-meson", "meson");
	job_release(&j);
}

static void test_make(void **state)
{
	struct job j;
	char *line, *pc = NULL;

	(void)state;
	job_init(&j, "make", "make");
	build_ok(&j, "make", BUILD_MAKE);
	assert_staged(&j, "lib/libcenvfix_make.a");
	assert_staged(&j, "include/cenvfix_make.h");
	assert_staged(&j, "bin/cenvfix-make");
	assert_staged(&j, "lib/pkgconfig/cenvfix_make.pc");
	assert_lib_layout(&j);
	line = xasprintf("$ cd %s && make -j2 PREFIX=%s\n", j.src, prefix);
	assert_log_has(&j, line);
	free(line);
	line = xasprintf("&& make install PREFIX=%s DESTDIR=%s\n", prefix, j.destdir);
	assert_log_has(&j, line);
	free(line);
	line = path_join(j.stage, "lib/pkgconfig/cenvfix_make.pc");
	assert_int_equal(read_file(line, &pc, NULL), 0);
	free(line);
	line = xasprintf("prefix=%s\n", prefix);
	assert_non_null(strstr(pc, line));
	free(line);
	free(pc);
	job_install(&j);
	assert_runs("bin/cenvfix-make", "make");
	job_release(&j);
}

static void test_prebuilt(void **state)
{
	struct job j;
	struct stat st;
	char *p, *pc = NULL, *want, target[256];
	ssize_t n;

	(void)state;
	job_init(&j, "prebuilt", "prebuilt");
	build_ok(&j, "prebuilt", BUILD_PREBUILT);
	assert_staged(&j, "include/cenvfix_prebuilt.h");
	assert_staged(&j, "lib/pkgconfig/cenvfix_prebuilt.pc");
	assert_lib_layout(&j);

	p = path_join(j.stage, "include/cenvfix_prebuilt_compat.h");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	n = readlink(p, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "cenvfix_prebuilt.h");
	free(p);

	p = path_join(j.stage, "bin/cenvfix-prebuilt-config");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	free(p);

	p = path_join(j.stage, "lib/pkgconfig/cenvfix_prebuilt.pc");
	assert_int_equal(read_file(p, &pc, NULL), 0);
	want = xasprintf("prefix=%s\nexec_prefix=${prefix}\nlibdir=${prefix}/lib\n"
			 "includedir=${prefix}/include\n", prefix);
	assert_memory_equal(pc, want, strlen(want));
	assert_null(strstr(pc, "/opt/vendor"));
	assert_non_null(strstr(pc, "Cflags: -I${includedir} -DCENVFIX_PREBUILT=1\n"));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	free(want);
	free(pc);
	free(p);
	job_install(&j);

	/* pkg-config reads the rewritten file */
	p = xasprintf("PKG_CONFIG_PATH='%s/lib/pkgconfig' pkg-config --cflags cenvfix_prebuilt | "
		      "sed 's/ *$//'", prefix);
	pc = output_of(p);
	want = xasprintf("-I%s/include -DCENVFIX_PREBUILT=1", prefix);
	assert_string_equal(pc, want);
	free(want);
	free(pc);
	free(p);
	job_release(&j);
}

/* cenvbase and cenvuser: the second finds the first only through pkg-config. */
static void test_pkgconfig_dependency(void **state)
{
	struct job base, user, orphan;
	char *nowhere[] = { env_vars[0], (char *)"PKG_CONFIG_PATH=/nonexistent", NULL };
	char *file, *needed;

	(void)state;
	/* without cenvbase on PKG_CONFIG_PATH, cenvuser cannot build */
	job_init(&orphan, "orphan", "pcuser");
	assert_int_equal(job_run(&orphan, "orphan", BUILD_MAKE, nowhere, NULL, 0), -1);
	assert_log_has(&orphan, "cenvbase");
	job_release(&orphan);

	job_init(&base, "pcbase", "pcbase");
	build_ok(&base, "pcbase", BUILD_MAKE);
	assert_staged(&base, "lib/libcenvbase.so.1");
	assert_staged(&base, "lib/pkgconfig/cenvbase.pc");
	assert_rpath(&base, "lib/libcenvbase.so.1");
	job_install(&base);
	job_release(&base);

	job_init(&user, "pcuser", "pcuser");
	build_ok(&user, "pcuser", BUILD_MAKE);
	assert_staged(&user, "lib/libcenvuser.so.1");
	assert_staged(&user, "bin/cenvuser-demo");
	assert_rpath(&user, "lib/libcenvuser.so.1");
	assert_rpath(&user, "bin/cenvuser-demo");
	assert_log_has(&user, "pkg-config --print-errors --exists cenvbase");
	file = path_join(user.stage, "lib/libcenvuser.so.1");
	needed = xasprintf("readelf -d '%s' | grep -c 'NEEDED.*libcenvbase.so.1'", file);
	free(file);
	file = output_of(needed);
	assert_string_equal(file, "1");
	free(file);
	free(needed);
	job_install(&user);
	assert_runs("bin/cenvuser-demo", "40");
	job_release(&user);
}

/* A program using every library, built against the prefix the tests above filled. */
static void test_consumer(void **state)
{
	static const char *const pcs[] = { "cenvfix_hand", "cenvfix_auto", "cenvfix_cmake",
					   "cenvfix_meson", "cenvfix_make", "cenvfix_prebuilt",
					   "cenvuser" };
	struct job j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++) {
		char *pc = xasprintf("%s/lib/pkgconfig/%s.pc", prefix, pcs[i]);
		int there = path_exists(pc);

		free(pc);
		if (!there)
			skip(); /* run alone: the libraries are not there */
	}
	job_init(&j, "consumer", "consumer");
	build_ok(&j, "consumer", BUILD_MAKE);
	assert_rpath(&j, "bin/cenvfix-consumer");
	job_install(&j);
	assert_runs("bin/cenvfix-consumer", "hand autotools cmake meson make prebuilt 40");
	job_release(&j);
}

/* A make that fails: -1, a message naming the package, the step, the status and the log. */
static void test_failing_build(void **state)
{
	struct job j;
	char *c, *want, *tail = NULL, *cwd_before, *cwd_after;
	const char *ldflags = getenv("LDFLAGS");
	FILE *f;

	(void)state;
	cwd_before = getcwd(NULL, 0);
	job_init(&j, "broken", "make");
	c = path_join(j.src, "cenvfix_make.c");
	f = fopen(c, "a");
	assert_non_null(f);
	fputs("#error deliberately broken\n", f);
	fclose(f);
	free(c);
	assert_int_equal(job_run(&j, "broken", BUILD_MAKE, NULL, NULL, 0), -1);
	want = xasprintf("build of 'broken' failed at make (exit status 2); log: %s", j.log);
	assert_string_equal(last_error(), want);
	free(want);
	assert_log_has(&j, "deliberately broken");
	assert_int_equal(steplog_tail(j.log, 2, &tail), 0);
	assert_string_equal(tail, "cenv: make failed with exit status 2\ncenv: failed to build 'broken'\n");
	free(tail);
	assert_false(path_exists(j.stage));

	/* nothing of the process changed: no chdir, no setenv */
	cwd_after = getcwd(NULL, 0);
	assert_string_equal(cwd_before, cwd_after);
	assert_ptr_equal(getenv("LDFLAGS"), ldflags);
	assert_false(getenv("DESTDIR") && !strcmp(getenv("DESTDIR"), j.destdir));
	free(cwd_before);
	free(cwd_after);
	job_release(&j);
}

/* cmake missing from the build's PATH: a clear message, no fork of something else. */
static void test_missing_program(void **state)
{
	struct job j;
	char *no_path[] = { (char *)"PATH=/nonexistent/bin", NULL };

	(void)state;
	job_init(&j, "nocmake", "cmake");
	assert_int_equal(job_run(&j, "nocmake", BUILD_CMAKE, no_path, NULL, 0), -1);
	assert_non_null(strstr(last_error(), "build of 'nocmake' failed at cmake configure: 'cmake' "
					     "is not installed"));
	assert_non_null(strstr(last_error(), j.log));
	assert_log_has(&j, "cenv: 'cmake' not found on PATH (/nonexistent/bin)");
	job_release(&j);
}

/* Extra configure words reach configure; a configure that rejects one fails the build there. */
static void test_configure_args(void **state)
{
	struct job j;
	char *args[] = { (char *)"--enable-nonsense" };
	char *want;

	(void)state;
	job_init(&j, "badarg", "configure-hand");
	/* a configure that lost its x bit is run with sh */
	want = path_join(j.src, "configure");
	assert_int_equal(chmod(want, 0644), 0);
	free(want);
	assert_int_equal(job_run(&j, "badarg", BUILD_AUTOTOOLS, NULL, args, 1), -1);
	want = xasprintf("build of 'badarg' failed at configure (exit status 1); log: %s", j.log);
	assert_string_equal(last_error(), want);
	free(want);
	assert_log_has(&j, " && sh ./configure --prefix=");
	assert_log_has(&j, " --enable-nonsense\n");
	assert_log_has(&j, "configure: unknown option '--enable-nonsense'");
	job_release(&j);
}

static void test_bad_requests(void **state)
{
	struct build_request req = { .name = "x", .prefix = "relative", .src = "/tmp",
				     .destdir = "/tmp/d", .log_path = "/tmp/l", .envp = env_vars,
				     .system = BUILD_MAKE };

	(void)state;
	assert_int_equal(build_run(&req), -1);
	assert_non_null(strstr(last_error(), "not an absolute path"));
	req.prefix = "/p";
	req.system = BUILD_MESON;
	assert_int_equal(build_run(&req), -1);
	assert_non_null(strstr(last_error(), "no build directory"));
	req.system = BUILD_MAKE;
	req.src = "/nonexistent/src";
	req.log_path = "/nonexistent/dir/log";
	assert_int_equal(build_run(&req), -1);
	assert_non_null(strstr(last_error(), "/nonexistent/src"));
}

/*
 * A stage inside the prebuilt tree itself is refused.  (A FIFO in the tree cannot get there:
 * the unpacker refuses it, and record_scan refuses one in the stage.)
 */
static void test_prebuilt_refusals(void **state)
{
	struct job j;
	struct build_request req;
	char *inside;

	(void)state;
	job_init(&j, "fifo", "prebuilt");
	inside = path_join(j.src, "stage");
	req = (struct build_request){ .name = "inside", .prefix = prefix, .src = j.src,
				      .destdir = inside, .log_path = j.log, .envp = env_vars,
				      .jobs = 1, .system = BUILD_PREBUILT };
	assert_int_equal(build_run(&req), -1);
	assert_non_null(strstr(last_error(), "failed at staging the prebuilt tree: the staging "
					     "directory"));
	assert_log_has(&j, "is inside the source tree\n");
	free(inside);
	job_release(&j);
}

/*
 * The log: a descriptor given in log_fd is written and left open for the caller; a log_path that
 * is a symlink is neither written nor truncated through, and steplog_tail does not read through one.
 */
static void test_log_no_follow(void **state)
{
	struct job j;
	struct build_request req;
	char *outside = tmp_path("%s.txt", "outside"), *text = NULL, *tail = (char *)"x";
	int fd;

	(void)state;
	job_init(&j, "logfd", "prebuilt");
	assert_int_equal(write_file_new(outside, "keep\n", 5, 0644), 0);
	fd = open(j.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(fd > 2);
	req = (struct build_request){ .name = "logfd", .prefix = prefix, .src = j.src,
				      .destdir = j.destdir, .log_path = j.log, .log_fd = fd,
				      .envp = env_vars, .jobs = 1, .system = BUILD_PREBUILT };
	assert_int_equal(build_run(&req), 0);
	assert_int_equal(write(fd, "after\n", 6), 6); /* still open: the caller's */
	close(fd);
	assert_log_has(&j, "cenv: built and staged 'logfd'\nafter\n");
	job_release(&j);

	job_init(&j, "loglink", "prebuilt");
	assert_int_equal(symlink(outside, j.log), 0);
	req = (struct build_request){ .name = "loglink", .prefix = prefix, .src = j.src,
				      .destdir = j.destdir, .log_path = j.log, .envp = env_vars,
				      .jobs = 1, .system = BUILD_PREBUILT };
	assert_int_equal(build_run(&req), -1);
	assert_non_null(strstr(last_error(), "cannot open the log"));
	assert_int_equal(read_file(outside, &text, NULL), 0);
	assert_string_equal(text, "keep\n");
	free(text);
	assert_int_equal(steplog_tail(j.log, 5, &tail), -1);
	assert_null(tail);
	job_release(&j);
	free(outside);
}

/* Builds in threads at once: each its own directory, environment and log. */
struct thread_build {
	struct job j;
	const char *name;
	enum build_system sys;
	int ret;
	char error[256];
};

static void *build_thread(void *arg)
{
	struct thread_build *t = arg;

	t->ret = job_run(&t->j, t->name, t->sys, NULL, NULL, 0);
	snprintf(t->error, sizeof(t->error), "%s", t->ret ? last_error() : "");
	return NULL;
}

static void test_threads(void **state)
{
	struct thread_build t[3] = {
		{ .name = "thread-make", .sys = BUILD_MAKE },
		{ .name = "thread-hand", .sys = BUILD_AUTOTOOLS },
		{ .name = "thread-broken", .sys = BUILD_MAKE },
	};
	pthread_t tid[3];
	char *c, *want;
	FILE *f;
	int i;

	(void)state;
	job_init(&t[0].j, "thread-make", "make");
	job_init(&t[1].j, "thread-hand", "configure-hand");
	job_init(&t[2].j, "thread-broken", "make");
	c = path_join(t[2].j.src, "main.c");
	f = fopen(c, "a");
	assert_non_null(f);
	fputs("#error broken in a thread\n", f);
	fclose(f);
	free(c);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, build_thread, &t[i]), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(pthread_join(tid[i], NULL), 0);
	assert_int_equal(t[0].ret, 0);
	assert_int_equal(t[1].ret, 0);
	assert_int_equal(t[2].ret, -1);
	assert_staged(&t[0].j, "bin/cenvfix-make");
	assert_staged(&t[1].j, "bin/cenvfix-hand");
	want = xasprintf("build of 'thread-broken' failed at make (exit status 2); log: %s", t[2].j.log);
	assert_string_equal(t[2].error, want);
	free(want);
	assert_log_has(&t[2].j, "broken in a thread");
	for (i = 0; i < 3; i++)
		job_release(&t[i].j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_detect_fixtures),
		cmocka_unit_test(test_detect_order),
		cmocka_unit_test(test_log_tail),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_missing_program),
		cmocka_unit_test(test_configure_args),
		cmocka_unit_test(test_failing_build),
		cmocka_unit_test(test_prebuilt_refusals),
		cmocka_unit_test(test_log_no_follow),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_configure_hand),
		cmocka_unit_test(test_make),
		cmocka_unit_test(test_prebuilt),
		cmocka_unit_test(test_pkgconfig_dependency),
		cmocka_unit_test(test_cmake),
		cmocka_unit_test(test_meson),
		cmocka_unit_test(test_autotools),
		/* last: it uses every library installed by the tests above */
		cmocka_unit_test(test_consumer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
