/* test_detect.c - unit tests of build-system detection: never "prebuilt" for a tree with sources or a build script. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "error.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char *root;
static int count;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-detect-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	root = xstrdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	int ret;

	(void)state;
	ret = remove_tree(root);
	free(root);
	return ret;
}

/*
 * Makes a tree of the given space-separated entries ("dir/" a directory, "a->b" a symlink,
 * anything else an empty file, its directories made) and detects it.  *msg: the message on
 * failure (caller frees), else NULL.
 */
static int detect_tree(const char *entries, enum build_system *out, char **msg)
{
	char *dir = xasprintf("%s/t%d", root, count++), *list = xstrdup(entries), *tok, *save = NULL;
	int ret;

	assert_int_equal(mkdir(dir, 0755), 0);
	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *arrow = strstr(tok, "->"), *p, *parent;

		if (arrow)
			*arrow = '\0';
		p = path_join(dir, tok);
		parent = path_dirname(p);
		assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
		if (arrow)
			assert_int_equal(symlink(arrow + 2, p), 0);
		else if (p[strlen(p) - 1] == '/')
			assert_int_equal(mkdir_p(p, 0755, NULL), 0);
		else
			assert_int_equal(write_file_atomic(p, "", 0, 0644), 0);
		free(parent);
		free(p);
	}
	*msg = NULL;
	ret = build_detect(dir, out);
	if (ret < 0)
		*msg = xstrdup(last_error());
	free(list);
	free(dir);
	return ret;
}

static void expect(const char *entries, enum build_system want)
{
	enum build_system got = want == BUILD_PREBUILT ? BUILD_MAKE : BUILD_PREBUILT;
	char *msg;

	if (detect_tree(entries, &got, &msg) < 0)
		print_error("%s: %s\n", entries, msg);
	assert_non_null(msg ? NULL : "ok");
	assert_string_equal(build_system_name(got), build_system_name(want));
}

/* Refused, the message holding each of the space-separated words of want (as given, "|" a space). */
static void refused(const char *entries, const char *want)
{
	enum build_system got;
	char *msg, *words = xstrdup(want), *tok, *save = NULL;

	if (detect_tree(entries, &got, &msg) == 0)
		print_error("%s: detected %s\n", entries, build_system_name(got));
	assert_non_null(msg);
	for (tok = strtok_r(words, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *p;

		for (p = tok; *p; p++)
			if (*p == '|')
				*p = ' ';
		if (!strstr(msg, tok))
			print_error("%s: '%s' not in: %s\n", entries, tok, msg);
		assert_non_null(strstr(msg, tok));
	}
	free(words);
	free(msg);
}

/* OpenSSL's top: Configure, config, include/, crypto/ sources, no Makefile: refused, with its message. */
static void test_openssl_like(void **state)
{
	enum build_system got;
	char *msg;

	(void)state;
	assert_int_equal(detect_tree("Configure config include/openssl/ssl.h crypto/aes/aes_core.c "
				     "crypto/mem.c test/t.c README", &got, &msg), -1);
	assert_string_equal(msg, "cannot tell how to build this tree: it has Configure, config and C sources "
				 "(crypto/mem.c) but no configure, CMakeLists.txt, meson.build or Makefile; say how "
				 "in its section (configure = ./Configure --prefix={prefix} ..., make_args = ..., "
				 "install_target = ...), or build = prebuilt to install its directories as they are");
	free(msg);
	/* its scripts alone, or its sources alone, are enough */
	refused("Configure include/x.h", "it|has|Configure|but|no|configure, configure|=|./Configure build|=|prebuilt");
	refused("include/x.h crypto/mem.c", "C|sources|(crypto/mem.c) configure|=|the|command");
}

/* Each build script cenv knows of but does not run, alone at the top beside include/ and lib/. */
static void test_each_script(void **state)
{
	static const char *const cases[][2] = {
		{ "Configure", "configure|=|./Configure|--prefix={prefix}" },
		{ "config", "configure|=|./config|--prefix={prefix}" },
		{ "autogen.sh", "configure|=|./autogen.sh|--prefix" },
		{ "bootstrap", "configure|=|./bootstrap" },
		{ "bootstrap.sh", "configure|=|./bootstrap.sh" },
		{ "Makefile.am", "has|Makefile.am|but (./autogen.sh|...)" },
		{ "Makefile.in", "has|Makefile.in|but" },
		{ "SConstruct", "SConstruct|(SCons)" },
		{ "Sconstruct", "Sconstruct|(SCons)" },
		{ "build.zig", "build.zig|(Zig)" },
		{ "BUILD", "BUILD|(Bazel)" },
		{ "BUILD.bazel", "BUILD.bazel|(Bazel)" },
		{ "WORKSPACE", "WORKSPACE|(Bazel)" },
		{ "MODULE.bazel", "MODULE.bazel|(Bazel)" },
		{ "meson_options.txt", "meson_options.txt|(Meson," },
		{ "meson.options", "meson.options|(Meson," },
		{ "Cargo.toml", "Cargo.toml|(Cargo)" },
		{ "Jamroot", "Jamroot|(Boost.Build)" },
		{ "Jamfile", "Jamfile|(Boost.Build)" },
		{ "wscript", "wscript|(waf)" },
		{ "build.ninja", "build.ninja|(ninja," },
		{ "xmake.lua", "xmake.lua|(xmake)" },
		{ "premake5.lua", "premake5.lua|(premake)" },
		{ "premake4.lua", "premake4.lua|(premake)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *entries = xasprintf("%s include/x.h lib/libx.a", cases[i][0]);
		char *want = xasprintf("%s build|=|prebuilt make_args install_target", cases[i][1]);

		refused(entries, want);
		free(entries);
		free(want);
	}
	/* two of them, named in the table's order */
	refused("autogen.sh Configure include/", "it|has|Configure|and|autogen.sh|but");
	/* as directories they are nothing: a prebuilt tree may have a config/ or BUILD/ */
	expect("config/x.cfg BUILD/notes include/x.h", BUILD_PREBUILT);
	/* "premake.lua" has nothing between: still premake*.lua */
	refused("premake.lua lib/", "premake.lua|(premake)");
	/* a name that only ends like one is not one */
	expect("mypremake5.lua notBUILD lib/", BUILD_PREBUILT);
}

/* The build systems cenv runs still win over everything else. */
static void test_known_first(void **state)
{
	(void)state;
	expect("configure Configure crypto/a.c include/", BUILD_AUTOTOOLS);
	expect("configure.in Makefile.in src/x.c", BUILD_AUTOTOOLS);
	expect("configure.ac Makefile.am autogen.sh src/x.c", BUILD_AUTOTOOLS);
	expect("CMakeLists.txt build.zig src/x.c", BUILD_CMAKE);
	expect("meson.build meson_options.txt src/x.c", BUILD_MESON);
	expect("Makefile Configure x.c include/", BUILD_MAKE);
	expect("GNUmakefile x.c", BUILD_MAKE);
	expect("makefile x.c", BUILD_MAKE);
}

/* Sources: which ones, where, and how deep. */
static void test_sources(void **state)
{
	(void)state;
	/* each C or C++ extension, at the top */
	refused("a.c include/", "(a.c)");
	refused("a.cc include/", "(a.cc)");
	refused("a.cpp include/", "(a.cpp)");
	refused("a.cxx include/", "(a.cxx)");
	refused("a.c++ include/", "(a.c++)");
	refused("a.C include/", "(a.C)");
	/* headers, objects and look-alikes are not sources */
	expect("include/x.h include/x.hpp lib/libx.a lib/x.o lib/x.so doc/x.cfg bin/tool", BUILD_PREBUILT);
	expect("a.cs a.cmake .c lib/", BUILD_PREBUILT);
	/* lib/ and bin/ are looked in: a prebuilt lib/ holds no .c */
	refused("lib/zstd.c include/zstd.h", "(lib/zstd.c)");
	refused("bin/tool.c lib/", "(bin/tool.c)");
	/* an SDK's examples, docs and shared data, and .c files kept in include/, are shipped as they are */
	expect("include/x.h include/impl/x.c lib/libx.so examples/hello.c example/e.c samples/s.cpp "
	       "sample/s.c demo/d.c demos/d.c doc/snippet.c docs/d.c share/x/t.c man/m.c",
	       BUILD_PREBUILT);
	/* ... at the top only: src/examples/ is part of the sources */
	refused("include/ src/examples/hello.c", "(src/examples/hello.c)");
	/* three directories below the top are looked in, the fourth is not */
	refused("include/ a/b/c/deep.c", "(a/b/c/deep.c)");
	expect("include/ a/b/c/d/deeper.c", BUILD_PREBUILT);
	/* the top's own files are named before those below */
	refused("include/ a/x.c z.c", "(z.c)");
}

/* Nothing is followed: a symlink to a source or to a directory of sources does not count. */
static void test_symlinks_not_followed(void **state)
{
	char *srcdir = xasprintf("%s/elsewhere", root), *file = path_join(srcdir, "x.c"), *entries;

	(void)state;
	assert_int_equal(mkdir(srcdir, 0755), 0);
	assert_int_equal(write_file_atomic(file, "", 0, 0644), 0);
	free(file);
	entries = xasprintf("include/x.h lib/libx.a srclink->%s lib/x.c->%s/x.c", srcdir, srcdir);
	expect(entries, BUILD_PREBUILT);
	free(entries);
	free(srcdir);
}

/* n empty files in the new directory dir/name. */
static void many_files(const char *dir, const char *name, int n)
{
	char *sub = path_join(dir, name), file[32];
	int i, fd;

	assert_int_equal(mkdir(sub, 0755), 0);
	fd = open(sub, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	for (i = 0; i < n; i++) {
		snprintf(file, sizeof(file), "f%06d", i);
		assert_int_equal(close(openat(fd, file, O_WRONLY | O_CREAT | O_EXCL, 0644)), 0);
	}
	close(fd);
	free(sub);
}

/*
 * The search reads 20000 entries (cenv(1)): a tree of exactly that many is judged; one more, no
 * source among those read, and it is refused as too large to tell, even when nothing further
 * holds a source, naming build = prebuilt; a source met before the bound is named as ever.
 */
static void test_scan_bound(void **state)
{
	char *dir = path_join(root, "big");
	enum build_system got = BUILD_MAKE;

	(void)state;
	/* include/ and aaa/ at the top, 19998 files in aaa/: 20000 entries */
	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	many_files(dir, "include", 0);
	many_files(dir, "aaa", 19998);
	assert_int_equal(build_detect(dir, &got), 0);
	assert_string_equal(build_system_name(got), "prebuilt");
	/* one more entry, at the top, after aaa/ in name order */
	many_files(dir, "bbb", 0);
	assert_int_equal(build_detect(dir, &got), -1);
	assert_string_equal(last_error(), "cannot tell how to build this tree: it has no configure, CMakeLists.txt, "
					  "meson.build or Makefile, and more than 20000 entries to look through for "
					  "C sources; if it is already built, say build = prebuilt in its section "
					  "to install its directories as they are");
	/* a source among the entries read: named */
	many_files(dir, "a0", 0);
	{
		char *c = path_join(dir, "a0/x.c");

		assert_int_equal(write_file_atomic(c, "", 0, 0644), 0);
		free(c);
	}
	assert_int_equal(build_detect(dir, &got), -1);
	assert_non_null(strstr(last_error(), "C sources (a0/x.c)"));
	free(dir);
}

/* Nothing at all, and not a directory. */
static void test_nothing(void **state)
{
	enum build_system got;
	char *msg;

	(void)state;
	assert_int_equal(detect_tree("README", &got, &msg), -1);
	assert_string_equal(msg, "cannot tell how to build this tree: no configure, configure.ac, CMakeLists.txt, "
				 "meson.build or Makefile, and no include/, lib/ or bin/ to copy");
	free(msg);
	assert_int_equal(build_detect("/nonexistent/cenv", &got), -1);
	assert_non_null(strstr(last_error(), "not a directory"));
}

/* Not refused for what is one directory down, but its build files named with the subdir key. */
static void test_subdirs(void **state)
{
	enum build_system got;
	char *msg;

	(void)state;
	/* expat's GitHub archive: its project in expat/, a README at the top */
	assert_int_equal(detect_tree("README.md expat/CMakeLists.txt expat/configure.ac expat/lib/xmlparse.c "
				     "expat/examples/elements.c", &got, &msg), -1);
	assert_string_equal(msg, "cannot tell how to build this tree: it has C sources (expat/examples/elements.c) "
				 "but no configure, CMakeLists.txt, meson.build or Makefile; expat/ has configure.ac "
				 "and CMakeLists.txt: say subdir = expat in its section, or say how there (configure = "
				 "the command that writes its Makefile, make_args = ..., install_target = ...)");
	free(msg);
	/* each build file cenv runs counts, alone */
	refused("x/configure", "x/|has|configure: subdir|=|x");
	refused("x/configure.in", "x/|has|configure.in:");
	refused("x/meson.build", "x/|has|meson.build:");
	refused("x/Makefile", "x/|has|Makefile:");
	refused("x/makefile", "x/|has|makefile:");
	refused("x/GNUmakefile", "x/|has|GNUmakefile:");
	/* nothing else at the top: the hint follows the refusal of an empty tree */
	assert_int_equal(detect_tree("README foo/meson.build", &got, &msg), -1);
	assert_string_equal(msg, "cannot tell how to build this tree: no configure, configure.ac, CMakeLists.txt, "
				 "meson.build or Makefile, and no include/, lib/ or bin/ to copy; foo/ has meson.build: "
				 "say subdir = foo in its section");
	free(msg);
	/* up to three named, in name order, then how many more */
	assert_int_equal(detect_tree("e/Makefile d/Makefile c/meson.build b/CMakeLists.txt a/configure", &got, &msg), -1);
	assert_non_null(strstr(msg, "; a/ has configure, b/ has CMakeLists.txt, c/ has meson.build (and 2 more "
				    "directories with build files): say subdir = a, subdir = b, subdir = c or another "
				    "in its section"));
	free(msg);
	refused("a/Makefile b/Makefile c/Makefile d/Makefile", "(and|1|more|directory|with|build|files)");
	refused("a/Makefile b/Makefile", "a/|has|Makefile,|b/|has|Makefile: subdir|=|a|or|subdir|=|b|in|its");
}

/* What is not named: files, symlinks, hidden and shipped directories, a directory without build
   files, two levels down, and past the first 64 directories. */
static void test_subdirs_not(void **state)
{
	char *other = xasprintf("%s/other", root), *file = path_join(other, "Makefile"), *entries, *msg, *tok;
	struct strbuf sb = STRBUF_INIT;
	enum build_system got;
	int i;

	(void)state;
	assert_int_equal(mkdir(other, 0755), 0);
	assert_int_equal(write_file_atomic(file, "", 0, 0644), 0);
	entries = xasprintf("README link->%s .ci/Makefile docs/Makefile examples/CMakeLists.txt doc/meson.build "
			    "src/x.c a/b/Makefile", other);
	assert_int_equal(detect_tree(entries, &got, &msg), -1);
	assert_null(strstr(msg, "has Makefile"));
	assert_null(strstr(msg, "subdir"));
	free(msg);
	free(entries);
	/* 64 directories looked at: a build file in the 64th is named, in the 65th it is not */
	for (i = 0; i < 63; i++)
		sb_addf(&sb, "d%02d/ ", i);
	entries = xasprintf("%sz/Makefile", sb.buf);
	refused(entries, "z/|has|Makefile");
	free(entries);
	entries = xasprintf("%sd63/ z/Makefile", sb.buf);
	assert_int_equal(detect_tree(entries, &got, &msg), -1);
	assert_null(strstr(msg, "subdir"));
	free(msg);
	free(entries);
	/* never chosen: a tree with include/ and a project below is prebuilt as before */
	expect("include/x.h sub/CMakeLists.txt", BUILD_PREBUILT);
	/* a name with a control byte is shown escaped */
	tok = xstrdup("a\033b/Makefile");
	refused(tok, "a\\x1bb/|has|Makefile");
	free(tok);
	sb_release(&sb);
	free(file);
	free(other);
}

/* build = prebuilt is offered only to a tree with include/, lib/ or bin/. */
static void test_prebuilt_offered(void **state)
{
	enum build_system got;
	char *msg;

	(void)state;
	assert_int_equal(detect_tree("src/x.c README", &got, &msg), -1);
	assert_string_equal(msg, "cannot tell how to build this tree: it has C sources (src/x.c) but no configure, "
				 "CMakeLists.txt, meson.build or Makefile; say how in its section (configure = the "
				 "command that writes its Makefile, make_args = ..., install_target = ...)");
	free(msg);
	assert_int_equal(detect_tree("Configure crypto/a.c", &got, &msg), -1);
	assert_null(strstr(msg, "prebuilt"));
	free(msg);
	refused("src/x.c include/", "or|build|=|prebuilt|to|install");
	refused("src/x.c lib/", "or|build|=|prebuilt|to|install");
	refused("src/x.c bin/", "or|build|=|prebuilt|to|install");
	/* the source's name, as the directories', escaped */
	refused("a\033.c include/", "(a\\x1b.c)");
	/* include as a file is not a directory to copy */
	assert_int_equal(detect_tree("src/x.c include", &got, &msg), -1);
	assert_null(strstr(msg, "prebuilt"));
	free(msg);
}

/* A tree too large to tell, without include/, lib/ or bin/: the keys, not build = prebuilt. */
static void test_scan_bound_nothing_to_copy(void **state)
{
	char *dir = path_join(root, "big2");
	enum build_system got = BUILD_MAKE;

	(void)state;
	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	many_files(dir, "aaa", 20001);
	assert_int_equal(build_detect(dir, &got), -1);
	assert_string_equal(last_error(), "cannot tell how to build this tree: it has no configure, CMakeLists.txt, "
					  "meson.build or Makefile, and more than 20000 entries to look through for "
					  "C sources; say how in its section (configure = the command that writes its "
					  "Makefile, make_args = ..., install_target = ...)");
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_like),
		cmocka_unit_test(test_each_script),
		cmocka_unit_test(test_known_first),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_symlinks_not_followed),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_scan_bound),
		cmocka_unit_test(test_subdirs),
		cmocka_unit_test(test_subdirs_not),
		cmocka_unit_test(test_prebuilt_offered),
		cmocka_unit_test(test_scan_bound_nothing_to_copy),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
