/* test_record.c - unit tests of records: the line format, hostile paths, malformed files, scanning, sha256. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
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

static char dir[] = "/tmp/cenv-record-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	return layout_make_dirs(dir);
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static void put(const char *root, const char *rel, const char *text)
{
	char *path = path_join(root, rel), *parent = path_dirname(path);

	assert_int_equal(mkdir_p(parent, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(parent);
	free(path);
}

/* Writes text as the record of name and tries to load it. */
static int load_text(const char *name, const char *text, struct record *r)
{
	char *rel = xasprintf("%s/%s", RECORD_DIR, name);

	put(dir, rel, text);
	free(rel);
	return record_load(dir, name, r);
}

#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_sha256(void **state)
{
	char out[65];

	(void)state;
	put(dir, "abc.txt", "abc");
	put(dir, "empty", "");
	{
		char *p = path_join(dir, "abc.txt");

		assert_int_equal(digest_file(p, out), 0);
		assert_string_equal(out, SHA_ABC);
		free(p);
		p = path_join(dir, "empty");
		assert_int_equal(digest_file(p, out), 0);
		assert_string_equal(out, SHA_EMPTY);
		free(p);
		p = path_join(dir, "missing");
		assert_int_equal(digest_file(p, out), -1);
		assert_non_null(strstr(last_error(), "missing"));
		free(p);
	}
}

/* A file larger than one 64 KiB read: the digest of 200000 'a's, as sha256sum gives it. */
static void test_sha256_large(void **state)
{
	char *text = xmalloc(200001), *p = path_join(dir, "large"), out[65];

	(void)state;
	memset(text, 'a', 200000);
	text[200000] = '\0';
	put(dir, "large", text);
	assert_int_equal(digest_file(p, out), 0);
	assert_string_equal(out, "2287d207f24a941ff3b56c04c8a25ad56b63e3023207b3bb5b4ac0c9869d74be");
	free(text);
	free(p);
}

static void test_escape(void **state)
{
	const char *values[] = { "plain", "sp ace", "new\nline", "t\tab", "back\\slash", "\\x41",
				 "é ü 日本", "\x7f", " lead", "trail ", "" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char *e = record_escape(values[i], 1), *u = record_unescape(e);

		assert_null(strpbrk(e, " \n\t"));
		assert_non_null(u);
		assert_string_equal(u, values[i]);
		free(e);
		free(u);
		e = record_escape(values[i], 0);
		u = record_unescape(e);
		assert_null(strpbrk(e, "\n\t"));
		assert_string_equal(u, values[i]);
		free(e);
		free(u);
	}
	assert_null(record_unescape("a\\qb"));
	assert_null(record_unescape("a\\x4"));
	assert_null(record_unescape("a\\x00b"));
	assert_null(record_unescape("trailing\\"));
}

static void test_path_ok(void **state)
{
	(void)state;
	assert_true(record_path_ok("lib/libz.so"));
	assert_true(record_path_ok("a b/..c/.d"));
	assert_false(record_path_ok(""));
	assert_false(record_path_ok("/etc/passwd"));
	assert_false(record_path_ok("../x"));
	assert_false(record_path_ok("a/../x"));
	assert_false(record_path_ok("a/./x"));
	assert_false(record_path_ok("a//x"));
	assert_false(record_path_ok("a/"));
	assert_false(record_path_ok("."));
}

static void test_round_trip(void **state)
{
	static const char *const paths[] = {
		"include/with space.h", "lib/new\nline", "lib/t\tab", "share/back\\slash",
		"share/é/日本語.txt", "share/\\x41 literal", " leading", "z\x7f",
	};
	struct record in = { 0 }, out;
	size_t i, n = sizeof(paths) / sizeof(paths[0]);

	(void)state;
	in.name = "hostile";
	in.version = "1.0 beta\n2";
	in.url = "file:///tmp/a b/c\\d.tar.gz";
	in.sha256 = SHA_ABC;
	in.build = "cmake";
	in.args = "'-DX=a b' -DY=\t";
	in.subdir = "";
	in.depends = NULL; /* absent: no line */
	in.files = xmalloc((n + 1) * sizeof(*in.files));
	memset(in.files, 0, (n + 1) * sizeof(*in.files));
	for (i = 0; i < n; i++) {
		in.files[i].path = (char *)paths[i];
		in.files[i].type = 'f';
		in.files[i].mode = i % 2 ? 0755 : 04644;
		in.files[i].size = (long long)i * 1000000007LL;
		memcpy(in.files[i].sha256, SHA_EMPTY, 65);
	}
	in.files[n].path = "lib/the link";
	in.files[n].type = 'l';
	in.files[n].mode = 0777;
	in.files[n].size = 15;
	in.files[n].link_target = "../a b\n\\c/é";
	in.nfiles = n + 1;
	assert_int_equal(record_save(dir, &in), 0);
	assert_int_equal(record_load(dir, "hostile", &out), 0);
	assert_string_equal(out.name, in.name);
	assert_string_equal(out.version, in.version);
	assert_string_equal(out.url, in.url);
	assert_string_equal(out.sha256, in.sha256);
	assert_string_equal(out.build, in.build);
	assert_string_equal(out.args, in.args);
	assert_string_equal(out.subdir, "");
	assert_null(out.depends);
	assert_int_equal(out.nfiles, in.nfiles);
	for (i = 0; i < in.nfiles; i++) {
		const struct record_file *a = &in.files[i], *b = NULL;
		size_t j;

		for (j = 0; j < out.nfiles; j++)
			if (!strcmp(out.files[j].path, a->path))
				b = &out.files[j];
		assert_non_null(b);
		assert_int_equal(b->type, a->type);
		assert_int_equal(b->mode, a->mode);
		assert_int_equal(b->size, a->size);
		if (a->type == 'f') {
			assert_string_equal(b->sha256, a->sha256);
			assert_null(b->link_target);
		} else {
			assert_string_equal(b->sha256, "");
			assert_string_equal(b->link_target, a->link_target);
		}
	}
	/* sorted by path when read */
	for (i = 1; i < out.nfiles; i++)
		assert_true(strcmp(out.files[i - 1].path, out.files[i].path) < 0);
	record_release(&out);
	assert_null(out.name);
	assert_int_equal(out.nfiles, 0);
	/* one line per file and per present header, nothing else */
	{
		char *p = xasprintf("%s/%s/hostile", dir, RECORD_DIR), *text;
		size_t len, lines = 0;

		assert_int_equal(read_file(p, &text, &len), 0);
		for (i = 0; i < len; i++)
			lines += text[i] == '\n';
		assert_int_equal(lines, 1 + 7 + in.nfiles);
		assert_null(strstr(text, "depends"));
		free(text);
		free(p);
	}
	free(in.files);
	assert_int_equal(record_delete(dir, "hostile"), 0);
	assert_int_equal(record_load(dir, "hostile", &out), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_long_lines(void **state)
{
	struct record in = { 0 }, out;
	struct strbuf p = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		sb_adds(&p, "a long directory name/");
	sb_adds(&p, "file.h");
	in.name = "long";
	in.url = p.buf;
	in.files = xmalloc(sizeof(*in.files));
	memset(in.files, 0, sizeof(*in.files));
	in.files[0].path = p.buf;
	in.files[0].type = 'f';
	in.files[0].mode = 0644;
	memcpy(in.files[0].sha256, SHA_ABC, 65);
	in.nfiles = 1;
	assert_int_equal(record_save(dir, &in), 0);
	assert_int_equal(record_load(dir, "long", &out), 0);
	assert_string_equal(out.files[0].path, p.buf);
	assert_string_equal(out.url, p.buf);
	record_release(&out);
	record_delete(dir, "long");
	free(in.files);
	sb_release(&p);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "", "does not end with a newline" },
		{ "cenv-record 1\nname bad", "does not end with a newline" },
		{ "not a record\nname bad\n", "line 1: not a cenv record" },
		{ "cenv-record 2\nname bad\n", "line 1: not a cenv record" },
		{ "cenv-record 1\nversion 1\n", "malformed record: no name" },
		{ "cenv-record 1\nname other\n", "it is named 'other'" },
		{ "cenv-record 1\nname bad\nname bad\n", "line 3: duplicate key 'name'" },
		{ "cenv-record 1\nname bad\ncolour red\n", "line 3: unknown key 'colour'" },
		{ "cenv-record 1\nname bad\nnospace\n", "line 3: malformed line" },
		{ "cenv-record 1\nname bad\nurl a\\qb\n", "line 3: bad escape" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_ABC "\n", "line 3: wrong number of fields" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_ABC " a b\n", "line 3: wrong number of fields" },
		{ "cenv-record 1\nname bad\nf 0644  3 " SHA_ABC " a\n", "line 3: malformed file line" },
		{ "cenv-record 1\nname bad\nf 0944 3 " SHA_ABC " a\n", "line 3: bad mode '0944'" },
		{ "cenv-record 1\nname bad\nf 17777 3 " SHA_ABC " a\n", "line 3: bad mode" },
		{ "cenv-record 1\nname bad\nf 0644 -3 " SHA_ABC " a\n", "line 3: bad size '-3'" },
		{ "cenv-record 1\nname bad\nf 0644 3x " SHA_ABC " a\n", "line 3: bad size" },
		{ "cenv-record 1\nname bad\nf 0644 3 abc a\n", "line 3: bad sha256 'abc'" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_EMPTY " ../etc/passwd\n", "line 3: bad path '../etc/passwd'" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_EMPTY " /etc/passwd\n", "line 3: bad path" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_EMPTY " a\\x2f\\x2fb\n", "line 3: bad path 'a//b'" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_EMPTY " a\\zb\n", "line 3: bad escape in path" },
		{ "cenv-record 1\nname bad\nl 0777 3 - a\n", "line 3: wrong number of fields" },
		{ "cenv-record 1\nname bad\nl 0777 3 " SHA_EMPTY " a b\n", "line 3: a symlink has '-'" },
		{ "cenv-record 1\nname bad\nf 0644 3 " SHA_EMPTY " a\nf 0644 3 " SHA_EMPTY " a\n",
		  "'a' is listed twice" },
		{ "cenv-record 1\nname bad\nx 0644 3 " SHA_EMPTY " a\n", "line 3: unknown key 'x'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct record r;

		if (load_text("bad", cases[i].text, &r) == 0) {
			print_error("case %zu loaded\n", i);
			fail_msg("a malformed record was accepted");
		}
		if (!strstr(last_error(), cases[i].error))
			fail_msg("case %zu: got '%s', want '%s'", i, last_error(), cases[i].error);
		assert_non_null(strstr(last_error(), RECORD_DIR "/bad"));
		assert_null(r.name);
		assert_null(r.files);
	}
	/* a NUL byte */
	{
		char *path = xasprintf("%s/%s/nul", dir, RECORD_DIR);
		FILE *f = fopen(path, "w");
		struct record r;

		assert_non_null(f);
		fwrite("cenv-record 1\nname n\0l\n", 1, 23, f);
		fclose(f);
		assert_int_equal(record_load(dir, "nul", &r), -1);
		assert_non_null(strstr(last_error(), "NUL"));
		free(path);
	}
	/* names that are not plain file names */
	{
		struct record r;

		assert_int_equal(record_load(dir, "../cenv.cfg", &r), -1);
		assert_non_null(strstr(last_error(), "invalid package name"));
		assert_int_equal(record_load(dir, "", &r), -1);
	}
}

static void test_names(void **state)
{
	static const char *const text = "cenv-record 1\nname %s\n";
	const char *want[] = { "alpha", "beta", "zlib" };
	char **names, *t;
	size_t n, i;
	struct record r;

	(void)state;
	assert_int_equal(remove_tree(dir), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	/* no records directory yet: no packages */
	assert_int_equal(record_names(dir, &names, &n), 0);
	assert_int_equal(n, 0);
	record_names_free(names, n);
	assert_int_equal(layout_make_dirs(dir), 0);
	for (i = 0; i < 3; i++) {
		t = xasprintf(text, want[2 - i]);
		assert_int_equal(load_text(want[2 - i], t, &r), 0);
		record_release(&r);
		free(t);
	}
	put(dir, RECORD_DIR "/zlib.tmp.1234", "half-written");
	put(dir, RECORD_DIR "/.hidden", "x");
	assert_int_equal(record_names(dir, &names, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	record_names_free(names, n);
}

/* Package names are record names, and cenv's temporary names are neither. */
static void test_name_rules(void **state)
{
	static const char *const good[] = { "zlib", "z", "0", "libfoo++", "a.b_c-d+e", "x.tmp", "x.tmp.",
					    "x.tmp.1a", "tmp.1" };
	static const char *const bad[] = { "", ".x", "-x", "_x", "a/b", "a b", "a\nb", "x.tmp.1",
					   "zlib.tmp.4242000007", "a.tmp.b.tmp.0", "é" };
	struct record r = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!record_name_ok(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (record_name_ok(bad[i]))
			fail_msg("'%s' taken", bad[i]);
	/* so no record is ever saved under write_file_atomic's temporary name */
	r.name = "zlib.tmp.4242000007";
	assert_int_equal(record_save(dir, &r), -1);
	assert_non_null(strstr(last_error(), "invalid package name 'zlib.tmp.4242000007'"));
	assert_int_equal(record_load(dir, "x.tmp.1", &r), -1);
	assert_int_equal(errno, EINVAL);
}

/* A damaged record: EBADMSG and a message naming it; what can still be read of it; its files. */
static void test_damaged(void **state)
{
	char *rec = xasprintf("%s/%s/dmg", dir, RECORD_DIR), *want;
	struct record r;

	(void)state;
	put(dir, "include/dmg.h", "abc");
	put(dir, "include/kept.h", "abc");
	put(dir, "real/x.h", "outside");
	{
		char *linked = path_join(dir, "linked");

		assert_int_equal(symlink("real", linked), 0);
		free(linked);
	}
	/* another record owns include/kept.h */
	assert_int_equal(load_text("other", "cenv-record 1\nname other\nf 0644 3 " SHA_ABC " include/kept.h\n", &r), 0);
	record_release(&r);
	assert_int_equal(load_text("dmg", "cenv-record 1\nname dmg\nf 0644 3 zz include/dmg.h\n"
				   "f 0644 3 " SHA_ABC " include/kept.h\nf 0644 3 zz linked/x.h\n"
				   "f 0644 3 zz include/absent.h\nl 0777 1 - include\nf 0644 3 zz var/cenv/lock\n"
				   "f 0644 3 zz ../escape\njunk\nf 0644 3 zz include/dmg.h\n", &r), -1);
	assert_int_equal(errno, EBADMSG);
	want = xasprintf("record '%s' is damaged: line 3: bad sha256 'zz'; `cenv uninstall --force dmg` "
			 "removes it and the files it still names", rec);
	assert_string_equal(last_error(), want);
	free(want);
	assert_int_equal(record_load_damaged(dir, "dmg", &r), 0);
	assert_string_equal(r.name, "dmg");
	assert_null(r.version);
	/* every path that parses, once: not ../escape, not cenv's own var/cenv/lock */
	assert_int_equal(r.nfiles, 5);
	assert_string_equal(r.files[0].path, "include");
	assert_string_equal(r.files[1].path, "include/absent.h");
	assert_string_equal(r.files[2].path, "include/dmg.h");
	assert_int_equal(record_keep_present(dir, &r), 0);
	/* not the directory, the absent file, the other record's, the one behind a symlink, cenv's own */
	assert_int_equal(r.nfiles, 1);
	assert_string_equal(r.files[0].path, "include/dmg.h");
	record_release(&r);
	/* not a regular file: a name and no files */
	assert_int_equal(unlink(rec), 0);
	assert_int_equal(mkfifo(rec, 0644), 0);
	alarm(10);
	assert_int_equal(record_load(dir, "dmg", &r), -1);
	assert_int_equal(errno, EBADMSG);
	assert_non_null(strstr(last_error(), "is damaged: it is not a regular file; `cenv uninstall --force dmg`"));
	assert_int_equal(record_load_damaged(dir, "dmg", &r), 0);
	alarm(0);
	assert_string_equal(r.name, "dmg");
	assert_int_equal(r.nfiles, 0);
	record_release(&r);
	/* and record_names lists it, for list to name it */
	{
		char **names;
		size_t n, i, found = 0;

		assert_int_equal(record_names(dir, &names, &n), 0);
		for (i = 0; i < n; i++)
			found += !strcmp(names[i], "dmg");
		assert_int_equal(found, 1);
		record_names_free(names, n);
	}
	assert_int_equal(unlink(rec), 0);
	assert_int_equal(record_delete(dir, "other"), 0);
	assert_int_equal(record_load_damaged(dir, "dmg", &r), -1);
	assert_int_equal(errno, ENOENT);
	free(rec);
}

static void test_scan(void **state)
{
	char *root = path_join(dir, "stage"), *p;
	struct record r = { 0 };
	size_t i;

	(void)state;
	put(root, "include/zlib.h", "abc");
	put(root, "lib/libz.so.1", "");
	put(root, "share/odd name\nwith\ttab\\.txt", "abc");
	p = path_join(root, "lib/libz.so");
	assert_int_equal(symlink("libz.so.1", p), 0);
	free(p);
	p = path_join(root, "lib/dangling");
	assert_int_equal(symlink("/nowhere/at all", p), 0);
	free(p);
	p = path_join(root, "empty/dir");
	assert_int_equal(mkdir_p(p, 0755, NULL), 0);
	free(p);
	p = path_join(root, "include/zlib.h");
	assert_int_equal(chmod(p, 0640), 0);
	free(p);
	r.name = xstrdup("z");
	assert_int_equal(record_scan(root, &r), 0);
	assert_int_equal(r.nfiles, 5);
	{
		static const char *const order[] = { "include/zlib.h", "lib/dangling", "lib/libz.so",
						     "lib/libz.so.1", "share/odd name\nwith\ttab\\.txt" };

		for (i = 0; i < r.nfiles; i++)
			assert_string_equal(r.files[i].path, order[i]);
	}
	assert_int_equal(r.files[0].type, 'f');
	assert_int_equal(r.files[0].mode, 0640);
	assert_int_equal(r.files[0].size, 3);
	assert_string_equal(r.files[0].sha256, SHA_ABC);
	assert_int_equal(r.files[1].type, 'l');
	assert_string_equal(r.files[1].link_target, "/nowhere/at all");
	assert_int_equal(r.files[1].size, 15);
	assert_int_equal(r.files[2].type, 'l');
	assert_string_equal(r.files[2].link_target, "libz.so.1");
	assert_string_equal(r.files[2].sha256, "");
	assert_string_equal(r.files[3].sha256, SHA_EMPTY);
	/* what a scan finds saves and loads back */
	assert_int_equal(record_save(dir, &r), 0);
	{
		struct record back;

		assert_int_equal(record_load(dir, "z", &back), 0);
		assert_int_equal(back.nfiles, r.nfiles);
		for (i = 0; i < r.nfiles; i++) {
			assert_string_equal(back.files[i].path, r.files[i].path);
			assert_int_equal(back.files[i].mode, r.files[i].mode);
		}
		record_release(&back);
	}
	/* a second scan replaces the files */
	assert_int_equal(record_scan(root, &r), 0);
	assert_int_equal(r.nfiles, 5);
	/* a fifo is refused, by name, and leaves no files */
	p = path_join(root, "share/a fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	assert_int_equal(record_scan(root, &r), -1);
	assert_non_null(strstr(last_error(), "'share/a fifo'"));
	assert_non_null(strstr(last_error(), "fifo"));
	assert_null(r.files);
	assert_int_equal(r.nfiles, 0);
	assert_string_equal(r.name, "z");
	record_release(&r);
	p = path_join(dir, "nothing");
	assert_int_equal(record_scan(p, &r), -1);
	free(p);
	record_release(&r);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_sha256_large),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_path_ok),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
