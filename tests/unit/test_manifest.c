/* test_manifest.c - unit tests for the cenv.ini parser, its dependency order and word splitting. */
#define _XOPEN_SOURCE 700 /* POSIX.1-2008 with XSI, for realpath() and mkdtemp() */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "inifile.h"
#include "manifest.h"
#include "record.h"
#include "util.h"

/* After our headers: cmocka defines a fail() macro that would clash with error.h's fail(). */
#include <cmocka.h>

/* sha256 of the empty string: any 64 hex digits would do. */
#define HASH "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SUM "sha256 = " HASH "\n"
/* A package with nothing but what is required, for cases about something else. */
#define PKG(name) "[" name "]\nurl = " name ".tar.gz\n" SUM

static void parse_ok(const char *text, struct manifest *m)
{
	if (manifest_parse_string(text, "cenv.ini", m) < 0)
		fail_msg("unexpected failure: %s", last_error());
}

/* ---- good manifests ---- */

static void test_full_package(void **state)
{
	struct manifest m;
	const struct package_spec *p;

	(void)state;
	parse_ok("; the example from cenv.ini(5)\n"
		 "[cenv]\n"
		 "jobs = 8\n"
		 "\n"
		 PKG("zlib")
		 "[libpng]\n"
		 "version = 1.6.40\n"
		 "url = file:///srv/src/libpng-1.6.40.tar.xz\n"
		 "sha256 = E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n"
		 "build = cmake\n"
		 "args = -DPNG_SHARED=OFF 'CFLAGS=-O2 -g' \"a \\\"b\\\"\"\n"
		 "subdir = libpng/src\n"
		 "depends = zlib\n",
		 &m);
	assert_string_equal(m.path, "cenv.ini");
	assert_int_equal(m.jobs, 8);
	assert_int_equal(m.npkgs, 2);

	p = &m.pkgs[0];
	assert_string_equal(p->name, "zlib");
	assert_int_equal(p->line, 5);
	assert_string_equal(p->url, "zlib.tar.gz");
	assert_string_equal(p->sha256, HASH);
	assert_null(p->version);
	assert_null(p->build);
	assert_null(p->subdir);
	assert_int_equal(p->nargs, 0);
	assert_non_null(p->args);
	assert_null(p->args[0]);
	assert_int_equal(p->ndepends, 0);
	assert_int_equal(p->depends_line, 0);

	p = &m.pkgs[1];
	assert_string_equal(p->name, "libpng");
	assert_int_equal(p->line, 8);
	assert_string_equal(p->version, "1.6.40");
	assert_string_equal(p->url, "file:///srv/src/libpng-1.6.40.tar.xz");
	assert_string_equal(p->sha256, HASH); /* lowercased */
	assert_string_equal(p->build, "cmake");
	assert_string_equal(p->subdir, "libpng/src");
	assert_int_equal(p->nargs, 3);
	assert_string_equal(p->args[0], "-DPNG_SHARED=OFF");
	assert_string_equal(p->args[1], "CFLAGS=-O2 -g");
	assert_string_equal(p->args[2], "a \"b\"");
	assert_null(p->args[3]);
	assert_int_equal(p->ndepends, 1);
	assert_string_equal(p->depends[0], "zlib");
	assert_int_equal(p->dep_index[0], 0);
	assert_int_equal(p->depends_line, 15);
	manifest_release(&m);
}

static void test_empty_manifest(void **state)
{
	struct manifest m;

	(void)state;
	parse_ok("", &m);
	assert_int_equal(m.npkgs, 0);
	assert_int_equal(m.jobs, 0);
	manifest_release(&m);
	parse_ok("; nothing but comments\n# and blank lines\n\n   \n", &m);
	assert_int_equal(m.npkgs, 0);
	manifest_release(&m);
	parse_ok("[cenv]\n", &m);
	assert_int_equal(m.npkgs, 0);
	manifest_release(&m);
}

static void test_layout_freedom(void **state)
{
	struct manifest m;
	const struct package_spec *p;

	(void)state;
	/* BOM, CRLF, indentation, inline comments, ':' as separator, no final newline. */
	parse_ok("\xEF\xBB\xBF[a] ; first\r\n"
		 "    url = a.tar.gz   ; a comment\r\n"
		 "\tsha256: " HASH "\r\n"
		 "  [b.c_d+e-2]\n"
		 "  url=b.tgz\n"
		 "  " SUM
		 "  depends =a",
		 &m);
	assert_int_equal(m.npkgs, 2);
	p = &m.pkgs[0];
	assert_string_equal(p->name, "a");
	assert_string_equal(p->url, "a.tar.gz");
	assert_string_equal(p->sha256, HASH);
	p = &m.pkgs[1];
	assert_string_equal(p->name, "b.c_d+e-2");
	assert_int_equal(p->line, 4);
	assert_string_equal(p->url, "b.tgz");
	assert_int_equal(p->ndepends, 1);
	assert_int_equal(p->depends_line, 7);
	manifest_release(&m);
}

static void test_depends_separators(void **state)
{
	struct manifest m;
	const struct package_spec *p;

	(void)state;
	parse_ok(PKG("a") PKG("b") PKG("c") PKG("d")
		 "[e]\nurl = e\n" SUM "depends = a,b c ,  ,d\n"
		 "[f]\nurl = f\n" SUM "depends =\n",
		 &m);
	p = manifest_find(&m, "e");
	assert_non_null(p);
	assert_int_equal(p->ndepends, 4);
	assert_string_equal(p->depends[0], "a");
	assert_string_equal(p->depends[1], "b");
	assert_string_equal(p->depends[2], "c");
	assert_string_equal(p->depends[3], "d");
	assert_int_equal(p->dep_index[3], 3);
	assert_int_equal(manifest_find(&m, "f")->ndepends, 0);
	manifest_release(&m);
}

static void test_find(void **state)
{
	struct manifest m;

	(void)state;
	parse_ok(PKG("zlib") PKG("expat"), &m);
	assert_ptr_equal(manifest_find(&m, "expat"), &m.pkgs[1]);
	assert_ptr_equal(manifest_find(&m, "zlib"), &m.pkgs[0]);
	assert_null(manifest_find(&m, "ZLIB"));
	assert_null(manifest_find(&m, "cenv"));
	manifest_release(&m);
}

static void test_dir_and_sources(void **state)
{
	struct manifest m;
	char *cwd = getcwd(NULL, 0), *want, *got;

	(void)state;
	parse_ok("[rel]\nurl = src/rel.tar.gz\n" SUM
		 "[abs]\nurl = /srv/abs.tar.gz\n" SUM
		 "[file]\nurl = file:///srv/file.tar.gz\n" SUM
		 "[web]\nurl = https://example.org/web.tar.gz\n" SUM
		 "[web2]\nurl = HTTP://example.org/web.tar.gz\n" SUM,
		 &m);
	assert_string_equal(m.dir, cwd);
	want = xasprintf("%s/src/rel.tar.gz", cwd);
	got = manifest_source_path(&m, &m.pkgs[0]);
	assert_string_equal(got, want);
	free(got);
	free(want);
	got = manifest_source_path(&m, &m.pkgs[1]);
	assert_string_equal(got, "/srv/abs.tar.gz");
	free(got);
	got = manifest_source_path(&m, &m.pkgs[2]);
	assert_string_equal(got, "/srv/file.tar.gz");
	free(got);
	assert_null(manifest_source_path(&m, &m.pkgs[3]));
	assert_null(manifest_source_path(&m, &m.pkgs[4]));
	manifest_release(&m);

	/* The directory is the manifest's, not the current one. */
	assert_int_equal(manifest_parse_string(PKG("x"), "proj/sub/../cenv.ini", &m), 0);
	want = xasprintf("%s/proj", cwd);
	assert_string_equal(m.dir, want);
	assert_string_equal(m.path, "proj/sub/../cenv.ini");
	free(want);
	manifest_release(&m);
	free(cwd);
}

/* Several urls: the value as written, and its words in order; the local file is the first that exists. */
static void test_url_list(void **state)
{
	struct manifest m;
	const struct package_spec *p;
	char tmpl[] = "/tmp/cenv-test-urls-XXXXXX", *text, *got, *want;

	(void)state;
	parse_ok("[cenv]\nmirrors = http://m1.example/cas  https://m2.example/\n"
		 "[z]\nurl = https://a.example/z.tar.gz    http://b.example/z.tar.gz file:///srv/z.tar.gz\n" SUM
		 "[one]\nurl = one.tar.gz\n" SUM,
		 &m);
	assert_int_equal(m.nmirrors, 2);
	assert_string_equal(m.mirrors[0], "http://m1.example/cas");
	assert_string_equal(m.mirrors[1], "https://m2.example/");
	assert_null(m.mirrors[2]);
	p = &m.pkgs[0];
	assert_string_equal(p->url, "https://a.example/z.tar.gz    http://b.example/z.tar.gz file:///srv/z.tar.gz");
	assert_int_equal(p->nurls, 3);
	assert_string_equal(p->urls[0], "https://a.example/z.tar.gz");
	assert_string_equal(p->urls[1], "http://b.example/z.tar.gz");
	assert_string_equal(p->urls[2], "file:///srv/z.tar.gz");
	assert_null(p->urls[3]);
	/* /srv/z.tar.gz does not exist and there are remote urls: downloaded, no local file */
	assert_null(manifest_source_path(&m, p));
	assert_int_equal(m.pkgs[1].nurls, 1);
	assert_string_equal(m.pkgs[1].urls[0], "one.tar.gz");
	manifest_release(&m);
	assert_null(m.mirrors);

	/* no [cenv] mirrors: none */
	parse_ok(PKG("x"), &m);
	assert_int_equal(m.nmirrors, 0);
	assert_null(m.mirrors);
	manifest_release(&m);

	/* local files: the first that exists wins, wherever it stands in the list */
	if (!mkdtemp(tmpl))
		fail_msg("mkdtemp");
	want = xasprintf("%s/b.tar.gz", tmpl);
	write_file_atomic(want, "", 0, 0644);
	text = xasprintf("[z]\nurl = http://a.example/z.tar.gz %s/a.tar.gz file://%s http://c.example/z\n" SUM,
			 tmpl, want);
	parse_ok(text, &m);
	got = manifest_source_path(&m, &m.pkgs[0]);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
	manifest_release(&m);
	free(text);
	/* only local urls and none exists: the first, for the install to say it cannot open it */
	text = xasprintf("[z]\nurl = %s/a.tar.gz %s/c.tar.gz\n" SUM, tmpl, tmpl);
	parse_ok(text, &m);
	got = manifest_source_path(&m, &m.pkgs[0]);
	free(want);
	want = xasprintf("%s/a.tar.gz", tmpl);
	assert_string_equal(got, want);
	free(got);
	free(want);
	manifest_release(&m);
	free(text);
	assert_int_equal(manifest_url_is_remote("HTTPS://x"), 1);
	assert_int_equal(manifest_url_is_remote("file:///x"), 0);
	assert_int_equal(manifest_url_is_remote("http.tar.gz"), 0);
	remove_tree(tmpl);
}

/* ---- dependency order ---- */

static void check_order(const char *text, const char *const *want)
{
	struct manifest m;
	size_t *order, i;

	parse_ok(text, &m);
	order = xmalloc(m.npkgs * sizeof(*order));
	assert_int_equal(manifest_order(&m, order), 0);
	for (i = 0; i < m.npkgs; i++) {
		assert_non_null(want[i]);
		assert_string_equal(m.pkgs[order[i]].name, want[i]);
	}
	assert_null(want[i]);
	free(order);
	manifest_release(&m);
}

static void test_order(void **state)
{
	static const char *const independent[] = { "c", "a", "b", NULL };
	static const char *const chain[] = { "c", "b", "a", NULL };
	static const char *const diamond[] = { "x", "zlib", "png", "tiff", "app", NULL };
	static const char *const earliest[] = { "b", "c", "a", NULL };

	(void)state;
	check_order(PKG("c") PKG("a") PKG("b"), independent);
	check_order("[a]\nurl = a\n" SUM "depends = b\n"
		    "[b]\nurl = b\n" SUM "depends = c\n"
		    PKG("c"),
		    chain);
	check_order("[app]\nurl = a\n" SUM "depends = png tiff\n"
		    "[png]\nurl = p\n" SUM "depends = zlib\n"
		    PKG("x")
		    "[tiff]\nurl = t\n" SUM "depends = zlib\n"
		    PKG("zlib"),
		    diamond);
	/* Each step takes the earliest ready package: b is ready before c is needed. */
	check_order("[a]\nurl = a\n" SUM "depends = c\n" PKG("b") PKG("c"), earliest);
	check_order("", independent + 3);
}

/* ---- bad manifests: every error names the file and the line ---- */

struct bad_case {
	const char *text;
	const char *message;
};

static const struct bad_case bad_cases[] = {
	/* keys */
	{ "[zlib]\nurl = z.tar.gz\nsha265 = " HASH "\n",
	  "cenv.ini:3: unknown key 'sha265' in [zlib]" },
	{ "[zlib]\nURL = z.tar.gz\n", "cenv.ini:2: unknown key 'URL' in [zlib]" },
	{ "; comment\n\nurl = z.tar.gz\n" PKG("zlib"), "cenv.ini:3: key 'url' outside any section" },
	{ PKG("zlib") "url = other.tar.gz\n", "cenv.ini:4: duplicate key 'url' in [zlib]" },
	{ "[zlib]\nurl =\n", "cenv.ini:2: empty value for 'url' in [zlib]" },
	{ "[zlib]\nversion = \n", "cenv.ini:2: empty value for 'version' in [zlib]" },
	/* sections */
	{ PKG("a") PKG("b") PKG("a"), "cenv.ini:7: duplicate section [a] (first at line 1)" },
	{ "[a]\n[a]\n", "cenv.ini:2: duplicate section [a] (first at line 1)" },
	{ "[cenv]\n[cenv]\n", "cenv.ini:2: duplicate section [cenv] (first at line 1)" },
	{ "[-zlib]\n", "cenv.ini:1: invalid package name '-zlib'" },
	{ "[z lib]\n", "cenv.ini:1: invalid package name 'z lib'" },
	{ "[a/b]\n", "cenv.ini:1: invalid package name 'a/b'" },
	{ "[]\n", "cenv.ini:1: invalid package name ''" },
	/* a record so named would be taken for a killed write's leftover (util.h's is_temp_name) */
	{ "[x.tmp.1]\n", "cenv.ini:1: invalid package name 'x.tmp.1': a name ending in .tmp.DIGITS "
			 "is kept for cenv's temporary files" },
	{ "[x.tmp.y.tmp.12]\n", "cenv.ini:1: invalid package name 'x.tmp.y.tmp.12': a name ending in "
			       ".tmp.DIGITS is kept for cenv's temporary files" },
	{ "[zlib\nurl = z\n", "cenv.ini:1: missing ']' in section header" },
	{ "[zlib] url = z\n", "cenv.ini:1: unexpected text after ']'" },
	/* required keys, reported at the section's line */
	{ PKG("a") "\n[zlib]\n" SUM, "cenv.ini:5: missing 'url' in [zlib]" },
	{ "[zlib]\n", "cenv.ini:1: missing 'url' in [zlib]" },
	{ "[zlib]\nurl = z.tar.gz\n", "cenv.ini:1: missing 'sha256' in [zlib]" },
	/* values */
	{ "[zlib]\nsha256 = 0c5a\n", "cenv.ini:2: malformed sha256 in [zlib]: expected 64 hex digits" },
	{ "[zlib]\nsha256 = " HASH "0\n",
	  "cenv.ini:2: malformed sha256 in [zlib]: expected 64 hex digits" },
	{ "[zlib]\nsha256 = g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
	  "cenv.ini:2: malformed sha256 in [zlib]: expected 64 hex digits" },
	{ "[zlib]\nbuild = scons\n",
	  "cenv.ini:2: unknown build 'scons' in [zlib] "
	  "(expected autotools, cmake, meson, make or prebuilt)" },
	{ "[zlib]\nbuild = CMake\n",
	  "cenv.ini:2: unknown build 'CMake' in [zlib] "
	  "(expected autotools, cmake, meson, make or prebuilt)" },
	{ "[zlib]\nargs = --prefix='/a b\n", "cenv.ini:2: bad args in [zlib]: unterminated single quote" },
	{ "[zlib]\nargs = \"CFLAGS=-O2\n", "cenv.ini:2: bad args in [zlib]: unterminated double quote" },
	{ "[zlib]\nsubdir = /abs\n",
	  "cenv.ini:2: subdir in [zlib] must be a relative path without '..': '/abs'" },
	{ "[zlib]\nsubdir = ..\n",
	  "cenv.ini:2: subdir in [zlib] must be a relative path without '..': '..'" },
	{ "[zlib]\nsubdir = a/../../b\n",
	  "cenv.ini:2: subdir in [zlib] must be a relative path without '..': 'a/../../b'" },
	{ "[zlib]\nurl = ftp://example.org/z.tar.gz\n",
	  "cenv.ini:2: unsupported url scheme in [zlib]: 'ftp://example.org/z.tar.gz'" },
	{ "[zlib]\nurl = file://z.tar.gz\n",
	  "cenv.ini:2: file url in [zlib] must hold an absolute path: 'file://z.tar.gz'" },
	{ "[zlib]\nurl = https://\n", "cenv.ini:2: url in [zlib] names no host: 'https://'" },
	/* several urls: each is checked, and the message names the bad one */
	{ "[zlib]\nurl = https://example.org/z.tar.gz ftp://example.org/z.tar.gz\n",
	  "cenv.ini:2: unsupported url scheme in [zlib]: 'ftp://example.org/z.tar.gz'" },
	{ "[zlib]\nurl = z.tar.gz  file://z.tar.gz\n",
	  "cenv.ini:2: file url in [zlib] must hold an absolute path: 'file://z.tar.gz'" },
	{ "[zlib]\nurl = http://a/z.tar.gz   http://\n",
	  "cenv.ini:2: url in [zlib] names no host: 'http://'" },
	/* [cenv] mirrors */
	{ "[cenv]\nmirrors = http://m.example/ /srv/mirror\n",
	  "cenv.ini:2: a mirror must be an http:// or https:// url: '/srv/mirror'" },
	{ "[cenv]\nmirrors = file:///srv/mirror\n",
	  "cenv.ini:2: a mirror must be an http:// or https:// url: 'file:///srv/mirror'" },
	{ "[cenv]\nmirrors = https://\n", "cenv.ini:2: mirror in [cenv] names no host: 'https://'" },
	{ "[cenv]\nmirrors = http://a\nmirrors = http://b\n", "cenv.ini:3: duplicate key 'mirrors' in [cenv]" },
	/* [cenv] */
	{ "[cenv]\njobs = 4\nprefix = /usr\n", "cenv.ini:3: unknown key 'prefix' in [cenv]" },
	{ "[cenv]\njobs = 0\n", "cenv.ini:2: jobs must be a positive integer, not '0'" },
	{ "[cenv]\njobs = -2\n", "cenv.ini:2: jobs must be a positive integer, not '-2'" },
	{ "[cenv]\njobs = 4x\n", "cenv.ini:2: jobs must be a positive integer, not '4x'" },
	{ "[cenv]\njobs = 99999999999999999999\n",
	  "cenv.ini:2: jobs must be a positive integer, not '99999999999999999999'" },
	{ "[cenv]\njobs = 2\njobs = 3\n", "cenv.ini:3: duplicate key 'jobs' in [cenv]" },
	{ "[cenv]\nurl = x\n", "cenv.ini:2: unknown key 'url' in [cenv]" },
	/* dependencies */
	{ PKG("a") "[b]\nurl = b\n" SUM "depends = a, zlb\n",
	  "cenv.ini:7: unknown dependency 'zlb' in [b]" },
	{ PKG("a") "[b]\nurl = b\n" SUM "depends = cenv\n",
	  "cenv.ini:7: unknown dependency 'cenv' in [b]" },
	{ "[a]\nurl = a\n" SUM "depends = a\n", "cenv.ini:4: [a] depends on itself" },
	{ PKG("a") "[b]\nurl = b\n" SUM "depends = a a\n",
	  "cenv.ini:7: duplicate dependency 'a' in [b]" },
	{ "[a]\nurl = a\n" SUM "depends = b\n"
	  "[b]\nurl = b\n" SUM "depends = c\n"
	  "[c]\nurl = c\n" SUM "depends = a\n",
	  "cenv.ini:4: dependency cycle: a -> b -> c -> a" },
	/* Entered from x, which is not on the cycle: only the cycle is named. */
	{ "[x]\nurl = x\n" SUM "depends = b\n"
	  "[b]\nurl = b\n" SUM "depends = c\n"
	  "[c]\nurl = c\n" SUM "depends = b\n",
	  "cenv.ini:8: dependency cycle: b -> c -> b" },
	/* INI syntax, and which error comes first */
	{ "[zlib]\nurl\n", "cenv.ini:2: syntax error: expected '[section]' or 'key = value'" },
	{ "[zlib]\nnot a key\nsha265 = x\n",
	  "cenv.ini:2: syntax error: expected '[section]' or 'key = value'" },
	{ "[zlib]\nsha265 = x\nnot a key\n", "cenv.ini:2: unknown key 'sha265' in [zlib]" },
	{ "[zlib]\nbad line\n[zlib]\n",
	  "cenv.ini:2: syntax error: expected '[section]' or 'key = value'" },
	{ "[zlib]\nurl = ;x\n", "cenv.ini:2: empty value for 'url' in [zlib]" },
	/* the build keys (issue 11) */
	{ "[z]\nconfigure = && ./configure\n", "cenv.ini:2: bad configure in [z]: an empty command before or after '&&'" },
	{ "[z]\nconfigure = ./a && && ./b\n", "cenv.ini:2: bad configure in [z]: an empty command before or after '&&'" },
	{ "[z]\nconfigure = ./autogen.sh &&\n", "cenv.ini:2: bad configure in [z]: an empty command before or after '&&'" },
	{ "[z]\nconfigure = ./configure --prefix={prefix\n",
	  "cenv.ini:2: bad configure in [z]: unclosed '{' (a literal '{' is written '{{')" },
	{ "[z]\nmake_args = 'V=1\n", "cenv.ini:2: bad make_args in [z]: unterminated single quote" },
	{ "[z]\nmake_args = DIR={destdri}\n",
	  "cenv.ini:2: bad make_args in [z]: unknown placeholder '{destdri}' (expected {prefix}, {destdir} "
	  "or {jobs}; a literal '{' is written '{{')" },
	{ "[z]\ninstall_target = install sw\n", "cenv.ini:2: install_target in [z] must be one make target, not 'install sw'" },
	{ "[z]\ninstall_target = -k\n", "cenv.ini:2: install_target in [z] must be one make target, not '-k'" },
	{ "[z]\nenv = CFLAGS\n", "cenv.ini:2: bad env in [z]: 'CFLAGS' is not NAME=VALUE with a variable's name" },
	{ "[z]\nenv = =x\n", "cenv.ini:2: bad env in [z]: '=x' is not NAME=VALUE with a variable's name" },
	{ "[z]\nenv = A-B=x\n", "cenv.ini:2: bad env in [z]: 'A-B=x' is not NAME=VALUE with a variable's name" },
	{ "[z]\nenv = CC=cc CC=gcc\n", "cenv.ini:2: bad env in [z]: CC is set twice" },
	{ "[z]\nenv = DESTDIR=/x\n",
	  "cenv.ini:2: bad env in [z]: DESTDIR is set by cenv for the install step (its value is {destdir})" },
	{ "[z]\nenv = X={jobz}\n",
	  "cenv.ini:2: bad env in [z]: unknown placeholder '{jobz}' (expected {prefix}, {destdir} or {jobs}; "
	  "a literal '{' is written '{{')" },
	{ "[z]\nurl = z\n" SUM "configure = ./configure\nbuild = meson\n",
	  "cenv.ini:4: configure in [z] is for autotools and make builds, not build = meson (line 5): use args" },
	{ "[z]\nurl = z\n" SUM "build = meson\ninstall_target = all\n",
	  "cenv.ini:5: install_target in [z] is for make and cmake builds, not build = meson (line 4)" },
	{ "[z]\nurl = z\n" SUM "build = prebuilt\nmake_args = V=1\n",
	  "cenv.ini:5: make_args in [z]: build = prebuilt (line 4) runs no make" },
	{ "[z]\nurl = z\n" SUM "build = prebuilt\nenv = A=b\n",
	  "cenv.ini:5: env in [z]: build = prebuilt (line 4) runs no build" },
};

/* The build keys as parsed, and as records keep them. */
static void test_build_keys(void **state)
{
	struct manifest m;
	const struct package_spec *p;
	char *text;

	(void)state;
	assert_int_equal(manifest_parse_string("[z]\nurl = z\n" SUM
					       "configure = ./autogen.sh && ./configure '--with x={{y}}'\n"
					       "make_args = -f Makefile-z INSTALL_TOP={destdir}{prefix}\n"
					       "install_target = install_sw\nenv = CFLAGS=-fPIC 'LIBS=-lm -lz'\n",
					       "cenv.ini", &m), 0);
	p = &m.pkgs[0];
	assert_int_equal(p->nconfigure, 4);
	assert_string_equal(p->configure[1], "&&");
	assert_string_equal(p->configure[3], "--with x={{y}}");
	assert_int_equal(p->nmake_args, 3);
	assert_string_equal(p->make_args[2], "INSTALL_TOP={destdir}{prefix}");
	assert_string_equal(p->install_target, "install_sw");
	assert_int_equal(p->nenv, 2);
	assert_string_equal(p->env[1], "LIBS=-lm -lz");
	text = manifest_words_text(p->configure, p->nconfigure);
	assert_string_equal(text, "./autogen.sh && ./configure '--with x={{y}}'");
	free(text);
	text = manifest_words_text(p->env, p->nenv);
	assert_string_equal(text, "CFLAGS=-fPIC 'LIBS=-lm -lz'");
	free(text);
	manifest_release(&m);
	/* absent: NULL configure and install_target, empty lists */
	assert_int_equal(manifest_parse_string("[z]\nurl = z\n" SUM, "cenv.ini", &m), 0);
	assert_null(m.pkgs[0].configure);
	assert_null(m.pkgs[0].install_target);
	assert_non_null(m.pkgs[0].make_args);
	assert_null(m.pkgs[0].make_args[0]);
	assert_int_equal(m.pkgs[0].nenv, 0);
	manifest_release(&m);
}

static void test_bad_manifests(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		struct manifest m;

		if (manifest_parse_string(bad_cases[i].text, "cenv.ini", &m) == 0)
			fail_msg("case %zu parsed: want '%s'", i, bad_cases[i].message);
		if (strcmp(last_error(), bad_cases[i].message))
			fail_msg("case %zu:\n got '%s'\nwant '%s'", i, last_error(),
				 bad_cases[i].message);
		/* A failed parse leaves nothing behind. */
		assert_null(m.pkgs);
		assert_null(m.path);
		assert_null(m.dir);
		assert_int_equal(m.npkgs, 0);
		manifest_release(&m);
	}
}

/* text: "[zlib]\nKEY = " (after `indent` blanks), n bytes of 'x' and then TAIL, then a sha256 line. */
static char *long_line(const char *indent, const char *key, size_t n, const char *tail)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	sb_addf(&sb, "[zlib]\n%s%s = ", indent, key);
	for (i = 0; i < n; i++)
		sb_addc(&sb, 'x');
	sb_addf(&sb, "%s\n" SUM, tail);
	return sb_detach(&sb);
}

/* Lines far past inih's 200-byte buffer: 4 KiB, 8 KiB and up to the 64 KiB limit, which is refused. */
static void test_long_lines(void **state)
{
	static const size_t sizes[] = { 198, 199, 4096, 8192, INIFILE_LINE_MAX - 10 };
	struct manifest m;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		text = long_line("    ", "url", sizes[i], "");
		parse_ok(text, &m);
		assert_int_equal(strlen(m.pkgs[0].url), sizes[i]);
		assert_int_equal(strspn(m.pkgs[0].url, "x"), sizes[i]);
		assert_string_equal(m.pkgs[0].sha256, HASH);
		manifest_release(&m);
		free(text);
	}
	/* a long value is cut at an inline comment and trimmed, as inih does with a short one */
	text = long_line("", "url", 5000, "   ; a comment");
	parse_ok(text, &m);
	assert_int_equal(strlen(m.pkgs[0].url), 5000);
	manifest_release(&m);
	free(text);
	/* the token byte is a control character, which no value may hold (test_inifile passes it on) */
	assert_int_equal(manifest_parse_string("[zlib]\nurl = a\x01\n" SUM, "cenv.ini", &m), -1);
	assert_string_equal(last_error(),
			    "cenv.ini:2: the value of 'url' in [zlib] holds a control character (byte 2)");
	assert_int_equal(manifest_parse_string("[zlib]\nversion = \x01\nurl = u\n" SUM, "cenv.ini", &m), -1);
	assert_string_equal(last_error(),
			    "cenv.ini:2: the value of 'version' in [zlib] holds a control character (byte 1)");
	/* a long line's errors keep their line number */
	text = long_line("", "sha265", 9000, "");
	assert_int_equal(manifest_parse_string(text, "cenv.ini", &m), -1);
	assert_string_equal(last_error(), "cenv.ini:2: unknown key 'sha265' in [zlib]");
	free(text);
	text = long_line("", "url", INIFILE_LINE_MAX, "");
	assert_int_equal(manifest_parse_string(text, "cenv.ini", &m), -1);
	assert_string_equal(last_error(), "cenv.ini:2: line too long (more than 65536 bytes)");
	assert_null(m.pkgs);
	free(text);
	/* a long section name is not cut (inih's copy stops at 50 bytes), up to the names' limit */
	{
		struct strbuf sb = STRBUF_INIT;

		sb_adds(&sb, "[");
		for (i = 0; i < RECORD_NAME_MAX; i++)
			sb_addc(&sb, 'n');
		sb_adds(&sb, "]\nurl = u\n" SUM);
		parse_ok(sb_str(&sb), &m);
		assert_int_equal(strlen(m.pkgs[0].name), RECORD_NAME_MAX);
		manifest_release(&m);
		sb_release(&sb);
	}
}

/* ---- manifest_load on real files ---- */

struct fixture {
	char *dir;  /* a fresh temporary directory */
	char *file; /* dir/cenv.ini */
};

static int setup_dir(void **state)
{
	struct fixture *f = xmalloc(sizeof(*f));
	char tmpl[] = "/tmp/cenv-test-manifest-XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	f->dir = xstrdup(tmpl);
	f->file = path_join(f->dir, "cenv.ini");
	*state = f;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;
	int ret = remove_tree(f->dir);

	free(f->dir);
	free(f->file);
	free(f);
	return ret;
}

static void write_text(const char *path, const char *text, size_t len)
{
	if (write_file_atomic(path, text, len, 0644) < 0)
		fail_msg("%s", last_error());
}

static void test_load(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "[zlib]\nurl = zlib.tar.gz\n" SUM;
	struct manifest m;
	char *real = realpath(f->dir, NULL), *want, *got;

	write_text(f->file, text, sizeof(text) - 1);
	if (manifest_load(f->file, &m) < 0)
		fail_msg("%s", last_error());
	assert_string_equal(m.path, f->file);
	assert_string_equal(m.dir, real);
	assert_int_equal(m.npkgs, 1);
	got = manifest_source_path(&m, &m.pkgs[0]);
	want = path_join(real, "zlib.tar.gz");
	assert_string_equal(got, want);
	free(got);
	free(want);
	free(real);
	manifest_release(&m);
	manifest_release(&m); /* releasing twice is harmless */
}

static void test_load_errors(void **state)
{
	struct fixture *f = *state;
	static const char nul[] = "[zlib]\nurl = z\0.tar.gz\n" SUM;
	struct manifest m;
	char *missing = path_join(f->dir, "nope.ini"), *want;

	assert_int_equal(manifest_load(missing, &m), -1);
	want = xasprintf("cannot open '%s': No such file or directory", missing);
	assert_string_equal(last_error(), want);
	assert_null(m.pkgs);
	free(want);
	free(missing);

	/* Unreadable even for root, unlike a chmod 000 file. */
	assert_int_equal(manifest_load(f->dir, &m), -1);
	want = xasprintf("'%s' is a directory, not a regular file", f->dir);
	assert_string_equal(last_error(), want);
	free(want);

	write_text(f->file, nul, sizeof(nul) - 1);
	assert_int_equal(manifest_load(f->file, &m), -1);
	want = xasprintf("%s:2: NUL byte in line", f->file);
	assert_string_equal(last_error(), want);
	free(want);

	write_text(f->file, "[zlib]\nurl = z\n", 15);
	assert_int_equal(manifest_load(f->file, &m), -1);
	want = xasprintf("%s:1: missing 'sha256' in [zlib]", f->file);
	assert_string_equal(last_error(), want);
	assert_null(m.path);
	free(want);
}

/* ---- split_shell_words ---- */

struct words_case {
	const char *text;
	const char *words[6]; /* NULL-terminated */
};

static const struct words_case words_cases[] = {
	{ "", { NULL } },
	{ " \t ", { NULL } },
	{ "--static", { "--static", NULL } },
	{ "  a  b\tc\n d ", { "a", "b", "c", "d", NULL } },
	{ "'a b' \"c d\" e\\ f", { "a b", "c d", "e f", NULL } },
	{ "pre'quoted'\"mix\"post", { "prequotedmixpost", NULL } },
	{ "'' \"\"", { "", "", NULL } },
	{ "'it'\\''s'", { "it's", NULL } },
	{ "'no \\ escapes \"here\"'", { "no \\ escapes \"here\"", NULL } },
	{ "\"\\$ \\` \\\" \\\\ \\n\"", { "$ ` \" \\ \\n", NULL } },
	{ "\\a\\'\\\"", { "a'\"", NULL } },
	{ "$HOME *.c ~ `x` $(y)", { "$HOME", "*.c", "~", "`x`", "$(y)", NULL } },
	{ "a \\\n b", { "a", "b", NULL } },
	{ "a\\\nb \"c\\\nd\"", { "ab", "cd", NULL } },
	{ "end\\", { "end\\", NULL } },
	{ "CFLAGS=-O2\\ -g", { "CFLAGS=-O2 -g", NULL } },
};

static void test_split_words(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(words_cases) / sizeof(*words_cases); i++) {
		const struct words_case *c = &words_cases[i];
		char **words;
		size_t n;

		if (split_shell_words(c->text, &words, &n) < 0)
			fail_msg("case %zu: %s", i, last_error());
		for (j = 0; c->words[j]; j++) {
			if (j >= n)
				fail_msg("case %zu: only %zu words", i, n);
			if (strcmp(words[j], c->words[j]))
				fail_msg("case %zu word %zu: got '%s' want '%s'", i, j, words[j],
					 c->words[j]);
		}
		assert_int_equal(n, j);
		assert_null(words[n]);
		shell_words_free(words);
	}
}

static void test_split_words_errors(void **state)
{
	static const char *const bad[][2] = {
		{ "'abc", "unterminated single quote" },
		{ "a 'b c' 'd", "unterminated single quote" },
		{ "\"abc", "unterminated double quote" },
		{ "\"a\\\"", "unterminated double quote" },
		{ "\"'\" '\"", "unterminated single quote" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char **words = (char **)1;
		size_t n = 99;

		assert_int_equal(split_shell_words(bad[i][0], &words, &n), -1);
		assert_string_equal(last_error(), bad[i][1]);
		assert_null(words);
		assert_int_equal(n, 0);
	}
	shell_words_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_package),
		cmocka_unit_test(test_empty_manifest),
		cmocka_unit_test(test_layout_freedom),
		cmocka_unit_test(test_depends_separators),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_dir_and_sources),
		cmocka_unit_test(test_url_list),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_bad_manifests),
		cmocka_unit_test(test_build_keys),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test_setup_teardown(test_load, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_errors, setup_dir, teardown_dir),
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_words_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
