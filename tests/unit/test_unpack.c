/* test_unpack.c - unit tests of the safe unpacker, on archives written here with libarchive. */
#define _POSIX_C_SOURCE 200809L
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Before cmocka.h, whose fail() macro would clash with error.h's fail(). */
#include "error.h"
#include "unpack.h"
#include "util.h"

#include <cmocka.h>

#define MTIME 1000000000 /* every entry's mtime, to check it is kept */
#define ABS_ESCAPE "/cenv-unpack-test-abs"

/* One archive member.  type: f file, d dir, l symlink, h hardlink, c b p s: device/FIFO/socket. */
struct ent {
	const char *path;
	char type;
	const char *arg; /* file data, or link target */
	int mode;        /* 0: 0644 for files, 0755 for directories */
};

enum { F_USTAR = 1, F_PAX = 2, F_ZIP = 4, F_CPIO = 8 };
enum { F_TAR = F_USTAR | F_PAX, F_ALL = F_TAR | F_ZIP };

static const struct format {
	unsigned bit;
	const char *ext;
	int code;
} formats[] = {
	{ F_USTAR, "tar", ARCHIVE_FORMAT_TAR_USTAR },
	{ F_PAX, "pax", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED },
	{ F_ZIP, "zip", ARCHIVE_FORMAT_ZIP },
	{ F_CPIO, "cpio", ARCHIVE_FORMAT_CPIO_SVR4_NOCRC },
};

/* A temporary root holding the archive, the staging directory and a sentinel beside it. */
struct fx {
	const void *param;
	char root[64];
	char *dest, *sentinel, *archive;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	f->param = *state;
	snprintf(f->root, sizeof(f->root), "%s/cenv-unpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->root))
		return -1;
	f->dest = path_join(f->root, "dest");
	f->sentinel = path_join(f->root, "sentinel");
	if (mkdir(f->dest, 0755) < 0 || write_file_atomic(f->sentinel, "sentinel\n", 9, 0644) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	remove_tree(f->root);
	free(f->dest);
	free(f->sentinel);
	free(f->archive);
	free(f);
	return 0;
}

static void write_ent(struct archive *a, const struct ent *x)
{
	struct archive_entry *e = archive_entry_new();
	const char *data = x->type == 'f' && x->arg ? x->arg : "";
	static const struct {
		char type;
		unsigned mode;
	} types[] = { { 'f', AE_IFREG }, { 'h', AE_IFREG }, { 'd', AE_IFDIR }, { 'l', AE_IFLNK },
		      { 'c', AE_IFCHR }, { 'b', AE_IFBLK }, { 'p', AE_IFIFO }, { 's', AE_IFSOCK } };
	size_t i;

	archive_entry_set_pathname(e, x->path);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].type == x->type)
			archive_entry_set_filetype(e, types[i].mode);
	}
	archive_entry_set_perm(e, x->mode ? x->mode : x->type == 'd' ? 0755 : 0644);
	archive_entry_set_mtime(e, MTIME, 0);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	if (x->type == 'l')
		archive_entry_set_symlink(e, x->arg);
	if (x->type == 'h')
		archive_entry_set_hardlink(e, x->arg);
	/* ARCHIVE_WARN: a pax name not convertible to the test's C locale; still written. */
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	if (*data)
		assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
}

/* Returns 0, or -1 if this libarchive cannot write the filter. */
static int write_archive(const char *file, int format, int filter, const struct ent *ents)
{
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE && archive_write_add_filter(a, filter) != ARCHIVE_OK) {
		archive_write_free(a);
		return -1;
	}
	assert_int_equal(archive_write_open_filename(a, file), ARCHIVE_OK);
	for (; ents->path; ents++)
		write_ent(a, ents);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return 0;
}

/* Writes ents as root/NAME.EXT and remembers it as f->archive. */
static void make(struct fx *f, const char *name, const struct format *fmt, const struct ent *ents)
{
	free(f->archive);
	f->archive = xasprintf("%s/%s.%s", f->root, name, fmt->ext);
	write_archive(f->archive, fmt->code, ARCHIVE_FILTER_NONE, ents);
}

static void drop_archive(struct fx *f)
{
	unlink(f->archive);
	free(f->archive);
	f->archive = NULL;
}

/* Nothing but the archive, dest and an unchanged sentinel in root; nothing at the absolute bait. */
static void assert_contained(const struct fx *f)
{
	DIR *dir = opendir(f->root);
	struct dirent *de;
	char *data = NULL, *base = f->archive ? path_basename(f->archive) : xstrdup("");
	size_t len;
	struct stat st;

	assert_non_null(dir);
	while ((de = readdir(dir))) {
		const char *n = de->d_name;

		if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "dest") && strcmp(n, "sentinel") &&
		    strcmp(n, base))
			fail_msg("'%s' appeared outside the staging directory", n);
	}
	closedir(dir);
	free(base);
	assert_int_equal(lstat(f->sentinel, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(read_file(f->sentinel, &data, &len), 0);
	assert_string_equal(data, "sentinel\n");
	free(data);
	assert_false(path_exists(ABS_ESCAPE));
}

static void assert_refused(struct fx *f, const struct unpack_options *opt, const char *needle)
{
	struct unpack_result res = { (char *)"x", (char *)"x", "x" };
	char *quoted = xasprintf("'%s'", f->archive);

	int rc = unpack_archive(f->archive, f->dest, opt, &res);

	/* Containment first: an escape must not hide behind a wrongly worded message. */
	assert_contained(f);
	if (rc == 0)
		fail_msg("%s: accepted, expected '%s'", f->archive, needle);
	assert_int_equal(dir_is_empty(f->dest), 1);
	if (!strstr(last_error(), needle) || !strstr(last_error(), quoted))
		fail_msg("message \"%s\" lacks \"%s\" or the archive's name", last_error(), needle);
	assert_null(res.topdir);
	assert_null(res.srcdir);
	free(quoted);
}

static void unpack_ok(struct fx *f, const struct unpack_options *opt, struct unpack_result *res)
{
	if (unpack_archive(f->archive, f->dest, opt, res) < 0)
		fail_msg("%s", last_error());
	assert_contained(f);
}

/* Empties dest for the next round of a test. */
static void reset_dest(struct fx *f)
{
	assert_int_equal(remove_tree(f->dest), 0);
	assert_int_equal(mkdir(f->dest, 0755), 0);
}

static char *in_dest(const struct fx *f, const char *rel)
{
	return path_join(f->dest, rel);
}

static void assert_file(const struct fx *f, const char *rel, const char *content)
{
	char *p = in_dest(f, rel), *data = NULL;
	size_t len;
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(read_file(p, &data, &len), 0);
	assert_string_equal(data, content);
	free(data);
	free(p);
}

/* Follows links, unlike assert_file. */
static void assert_reads(const struct fx *f, const char *rel, const char *content)
{
	char *p = in_dest(f, rel), *data = NULL;
	size_t len;

	assert_int_equal(read_file(p, &data, &len), 0);
	assert_string_equal(data, content);
	free(data);
	free(p);
}

static void assert_link(const struct fx *f, const char *rel, const char *target)
{
	char *p = in_dest(f, rel), buf[256];
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);

	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
	free(p);
}

static mode_t mode_of(const struct fx *f, const char *rel)
{
	char *p = in_dest(f, rel);
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	free(p);
	return st.st_mode;
}

/* --- refusals: one table, each case run in every format that can hold it --- */

struct refusal {
	const char *name;
	unsigned formats;
	const char *needle; /* must appear in the message, with the archive's name */
	struct ent ents[6];
};

static const struct refusal refusals[] = {
	{ "absolute_path", F_ALL, "entry '" ABS_ESCAPE "' has an absolute path",
	  { { "pkg/a", 'f', "a", 0 }, { ABS_ESCAPE, 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "dotdot", F_ALL, "entry '../escaped' leaves the package",
	  { { "pkg/", 'd', NULL, 0 }, { "pkg/a", 'f', "a", 0 }, { "../escaped", 'f', "x", 0 },
	    { NULL, 0, NULL, 0 } } },
	{ "dotdot_inside", F_ALL, "entry 'pkg/../../escaped' leaves the package",
	  { { "pkg/../../escaped", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "dotdot_harmless_looking", F_ALL, "entry 'pkg/sub/../a' leaves the package",
	  { { "pkg/sub/../a", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_absolute", F_ALL, "entry 'pkg/l' is a symlink to the absolute path '/etc'",
	  { { "pkg/a", 'f', "a", 0 }, { "pkg/l", 'l', "/etc", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_leaves", F_ALL, "entry 'pkg/sub/l' is a symlink that leaves the package",
	  { { "pkg/sub/l", 'l', "../../../escaped", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_leaves_stripped_top", F_ALL, "entry 'pkg/l' is a symlink that leaves the package",
	  { { "pkg/x", 'f', "x", 0 }, { "pkg/l", 'l', "../pkg/x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_chain", F_ALL, "entry 'c' is a symlink that leaves the package",
	  { { "a/l1", 'l', "../b", 0 }, { "b/", 'd', NULL, 0 }, { "c", 'l', "a/l1/../..", 0 },
	    { NULL, 0, NULL, 0 } } },
	{ "symlink_chain_found_at_end", F_ALL, "entry 'c' is a symlink that leaves the package",
	  { { "c", 'l', "a/l1/../..", 0 }, { "b/", 'd', NULL, 0 }, { "a/l1", 'l', "../b", 0 },
	    { NULL, 0, NULL, 0 } } },
	{ "symlink_loop", F_ALL, "is a symlink that loops or is too long to follow",
	  { { "pkg/a", 'l', "b", 0 }, { "pkg/b", 'l', "a", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_control_target", F_ALL, "entry 'pkg/l' has a control character in its link target",
	  { { "pkg/l", 'l', "a\nb", 0 }, { NULL, 0, NULL, 0 } } },
	{ "hardlink_missing", F_TAR, "entry 'pkg/h' is a hardlink to 'pkg/none'",
	  { { "pkg/a", 'f', "a", 0 }, { "pkg/h", 'h', "pkg/none", 0 }, { NULL, 0, NULL, 0 } } },
	{ "hardlink_later", F_TAR, "entry 'pkg/h' is a hardlink to 'pkg/a'",
	  { { "pkg/h", 'h', "pkg/a", 0 }, { "pkg/a", 'f', "a", 0 }, { NULL, 0, NULL, 0 } } },
	{ "hardlink_dir", F_TAR, "entry 'pkg/h' is a hardlink to 'pkg/d'",
	  { { "pkg/d/", 'd', NULL, 0 }, { "pkg/h", 'h', "pkg/d", 0 }, { NULL, 0, NULL, 0 } } },
	{ "hardlink_symlink", F_TAR, "entry 'pkg/h' is a hardlink to 'pkg/l'",
	  { { "pkg/a", 'f', "a", 0 }, { "pkg/l", 'l', "a", 0 }, { "pkg/h", 'h', "pkg/l", 0 },
	    { NULL, 0, NULL, 0 } } },
	{ "hardlink_outside", F_TAR, "entry 'pkg/h' is a hardlink to '../sentinel'",
	  { { "pkg/h", 'h', "../sentinel", 0 }, { NULL, 0, NULL, 0 } } },
	{ "hardlink_absolute", F_TAR, "entry 'pkg/h' is a hardlink to '/etc/passwd'",
	  { { "pkg/h", 'h', "/etc/passwd", 0 }, { NULL, 0, NULL, 0 } } },
	{ "char_device", F_TAR, "entry 'pkg/c' is a character device",
	  { { "pkg/a", 'f', "a", 0 }, { "pkg/c", 'c', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "block_device", F_TAR, "entry 'pkg/b' is a block device",
	  { { "pkg/b", 'b', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "fifo", F_TAR | F_CPIO, "entry 'pkg/p' is a FIFO",
	  { { "pkg/p", 'p', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "socket", F_CPIO, "entry 'pkg/s' is a socket",
	  { { "pkg/a", 'f', "a", 0 }, { "pkg/s", 's', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "newline_in_name", F_ALL, "entry 'pkg/a\\nb' has a control character in its name",
	  { { "pkg/a\nb", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "escape_in_name", F_ALL, "entry 'pkg/\\x1b[31mred' has a control character in its name",
	  { { "pkg/\x1b[31mred", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "duplicate_file", F_ALL, "entry 'pkg/a' appears twice",
	  { { "pkg/a", 'f', "one", 0 }, { "pkg/a", 'f', "two", 0 }, { NULL, 0, NULL, 0 } } },
	{ "duplicate_after_normalising", F_ALL, "entry './pkg//a' appears twice",
	  { { "pkg/a", 'f', "one", 0 }, { "./pkg//a", 'f', "two", 0 }, { NULL, 0, NULL, 0 } } },
	{ "duplicate_symlink", F_ALL, "entry 'pkg/l' appears twice",
	  { { "pkg/l", 'l', "a", 0 }, { "pkg/l", 'l', "b", 0 }, { NULL, 0, NULL, 0 } } },
	{ "dir_then_file", F_ALL, "entry 'pkg/a' turns a directory into a file",
	  { { "pkg/a/", 'd', NULL, 0 }, { "pkg/a", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "implied_dir_then_file", F_ALL, "entry 'pkg/a' turns a directory into a file",
	  { { "pkg/a/x", 'f', "x", 0 }, { "pkg/a", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "dir_then_symlink", F_ALL, "entry 'pkg/a' turns a directory into a symlink",
	  { { "pkg/a/", 'd', NULL, 0 }, { "pkg/a", 'l', "b", 0 }, { NULL, 0, NULL, 0 } } },
	{ "file_then_dir", F_ALL, "entry 'pkg/a/' turns a file into a directory",
	  { { "pkg/a", 'f', "x", 0 }, { "pkg/a/", 'd', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "file_then_child", F_ALL, "entry 'pkg/a/b' turns the file 'pkg/a' into a directory",
	  { { "pkg/a", 'f', "x", 0 }, { "pkg/a/b", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "through_symlink", F_ALL, "entry 'pkg/l/x' goes through the symlink 'pkg/l'",
	  { { "pkg/sub/", 'd', NULL, 0 }, { "pkg/l", 'l', "sub", 0 }, { "pkg/l/x", 'f', "x", 0 },
	    { NULL, 0, NULL, 0 } } },
	{ "through_symlink_deep", F_ALL, "entry 'l/a/b/c' goes through the symlink 'l'",
	  { { "l", 'l', ".", 0 }, { "l/a/b/c", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
	{ "symlink_then_dir", F_ALL, "entry 'pkg/l/' turns a symlink into a directory",
	  { { "pkg/l", 'l', "sub", 0 }, { "pkg/l/", 'd', NULL, 0 }, { NULL, 0, NULL, 0 } } },
	{ "dot_as_file", F_TAR, "entry '.' has no name",
	  { { ".", 'f', "x", 0 }, { NULL, 0, NULL, 0 } } },
};

static void test_refusal(void **state)
{
	struct fx *f = *state;
	const struct refusal *r = f->param;
	size_t i, rounds = 0;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!(r->formats & formats[i].bit))
			continue;
		make(f, "evil", &formats[i], r->ents);
		assert_refused(f, NULL, r->needle);
		drop_archive(f);
		rounds++;
	}
	assert_true(rounds > 0);
}

/* --- inputs that are not (whole) archives --- */

static void test_not_archives(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/a", 'f', "some data to compress, some data", 0 },
					   { NULL, 0, NULL, 0 } };
	char *data;
	size_t len;

	f->archive = path_join(f->root, "empty.tar");
	assert_int_equal(write_file_atomic(f->archive, "", 0, 0644), 0);
	assert_refused(f, NULL, "the archive is empty");
	drop_archive(f);

	/* Text was taken for an mtree file (issue 8, item 16); compressed text for nothing. */
	f->archive = path_join(f->root, "garbage.tar.gz");
	assert_int_equal(write_file_atomic(f->archive, "this is not an archive\n", 23, 0644), 0);
	assert_refused(f, NULL, "is not an archive cenv can unpack");
	drop_archive(f);

	f->archive = path_join(f->root, "only-root.tar");
	write_archive(f->archive, ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE,
		      (const struct ent[]){ { "./", 'd', NULL, 0 }, { NULL, 0, NULL, 0 } });
	assert_refused(f, NULL, "the archive is empty");
	drop_archive(f);

	/* Half of a gzipped tar: the file's name, not a crash and not half a tree. */
	f->archive = path_join(f->root, "truncated.tar.gz");
	write_archive(f->archive, ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_GZIP, ents);
	assert_int_equal(read_file(f->archive, &data, &len), 0);
	assert_int_equal(write_file_atomic(f->archive, data, len / 2, 0644), 0);
	free(data);
	assert_refused(f, NULL, "");
	drop_archive(f);

	f->archive = path_join(f->root, "missing.tar");
	assert_int_equal(unpack_archive(f->archive, f->dest, NULL, NULL), -1);
	assert_non_null(strstr(last_error(), "missing.tar"));
	assert_int_equal(dir_is_empty(f->dest), 1);
	drop_archive(f);
}

/* An mtree file would have libarchive copy a file of this machine (here the sentinel) in. */
static void test_mtree(void **state)
{
	struct fx *f = *state;
	char *spec = xasprintf("#mtree\n./pkg type=dir\n./pkg/stolen type=file contents=%s\n",
			       f->sentinel);

	f->archive = path_join(f->root, "evil.mtree");
	assert_int_equal(write_file_atomic(f->archive, spec, strlen(spec), 0644), 0);
	assert_refused(f, NULL, "is not an archive cenv can unpack");
	free(spec);
}

static void test_dest_not_empty(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/a", 'f', "a", 0 }, { NULL, 0, NULL, 0 } };
	char *mine = in_dest(f, "mine");

	make(f, "good", &formats[0], ents);
	assert_int_equal(write_file_atomic(mine, "x", 1, 0644), 0);
	assert_int_equal(unpack_archive(f->archive, f->dest, NULL, NULL), -1);
	assert_non_null(strstr(last_error(), "is not empty"));
	assert_true(path_exists(mine)); /* someone else's file: left alone */
	free(mine);
}

static void test_max_bytes(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/a", 'f', "0123456789", 0 },
					   { "pkg/b", 'f', "0123456789", 0 }, { NULL, 0, NULL, 0 } };
	struct unpack_options opt = { .max_bytes = 15, .size_option = "--max-unpacked-size" };
	struct unpack_result res;

	make(f, "big", &formats[0], ents);
	assert_refused(f, &opt, "entry 'pkg/b' makes the unpacked package larger than the limit "
			       "of 15 bytes (--max-unpacked-size raises it)");
	opt.max_bytes = 20;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
}

/* Issue 8, item 11: the entry count; item 7: the longest path the caller allows. */
static void test_limits(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/", 'd', NULL, 0 }, { "pkg/abcdef", 'f', "a", 0 },
					   { "pkg/abcdefg", 'f', "b", 0 }, { NULL, 0, NULL, 0 } };
	struct unpack_options opt = { .max_entries = 2 };
	struct unpack_result res;

	make(f, "many", &formats[0], ents);
	assert_refused(f, &opt, "': has more than 2 entries, the limit");
	opt.max_entries = 3;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
	reset_dest(f);
	opt.max_path = 10;
	assert_refused(f, &opt, "entry 'pkg/abcdefg' has a path of 11 bytes, more than the 10 that "
			       "fit within PATH_MAX (4096)");
	opt.max_path = 11;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
}

/* The sha256 of a file, as sha256sum(1) says: from outside the code under test. */
static void sha256sum(const char *file, char out[DIGEST_HEX_SIZE])
{
	char *cmd = xasprintf("sha256sum '%s'", file);
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	assert_non_null(fgets(out, DIGEST_HEX_SIZE, p));
	assert_int_equal(strlen(out), 64);
	pclose(p);
	free(cmd);
}

/* Issue 8, item 10: the digest is of the bytes unpacked, and checked before returning. */
static void test_sha256(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/a", 'f', "a", 0 }, { "pkg/l", 'l', "a", 0 },
					   { NULL, 0, NULL, 0 } };
	static const struct ent evil[] = { { "pkg/a", 'f', "a", 0 }, { "/abs", 'f', "b", 0 },
					   { NULL, 0, NULL, 0 } };
	static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";
	struct unpack_options opt = { .sha256 = zeros };
	struct unpack_result res;
	char want[DIGEST_HEX_SIZE], *msg;
	size_t i;

	for (i = 0; i < 4; i++) { /* zip: from the private copy */
		make(f, "good", &formats[i], ents);
		sha256sum(f->archive, want);
		opt.sha256 = NULL;
		unpack_ok(f, &opt, &res);
		assert_string_equal(res.sha256, want);
		assert_link(f, "l", "a");
		unpack_result_release(&res);
		reset_dest(f);
		opt.sha256 = want;
		unpack_ok(f, &opt, &res);
		assert_string_equal(res.sha256, want);
		unpack_result_release(&res);
		reset_dest(f);
		opt.sha256 = zeros;
		msg = xasprintf("checksum mismatch for '%s': expected %s, the file is %s", f->archive,
				zeros, want);
		assert_int_equal(unpack_archive(f->archive, f->dest, &opt, &res), -1);
		assert_string_equal(last_error(), msg);
		assert_string_equal(res.sha256, want);
		assert_null(res.topdir);
		assert_int_equal(dir_is_empty(f->dest), 1);
		free(msg);
		/* a wrong sum is what is wrong first, even with a hostile entry */
		drop_archive(f);
		make(f, "evil", &formats[i], evil);
		sha256sum(f->archive, want);
		msg = xasprintf("checksum mismatch for '%s': expected %s, the file is %s", f->archive,
				zeros, want);
		assert_refused(f, &opt, msg);
		free(msg);
		opt.sha256 = want;
		assert_refused(f, &opt, "has an absolute path");
		drop_archive(f);
	}
	/* libarchive stops at the tar's end: what follows is hashed all the same */
	make(f, "tail", &formats[0], ents);
	{
		char *data, *more;
		size_t len;

		assert_int_equal(read_file(f->archive, &data, &len), 0);
		more = xmalloc(len + 300000);
		memcpy(more, data, len);
		for (i = 0; i < 300000; i++)
			more[len + i] = (char)('a' + i % 23);
		assert_int_equal(write_file_atomic(f->archive, more, len + 300000, 0644), 0);
		free(data);
		free(more);
	}
	sha256sum(f->archive, want);
	opt.sha256 = want;
	unpack_ok(f, &opt, &res);
	assert_string_equal(res.sha256, want);
	unpack_result_release(&res);
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *text;
		uint64_t bytes; /* 0: refused */
	} cases[] = {
		{ "1", 1 }, { "4096", 4096 }, { "1K", 1024 }, { "3k", 3072 }, { "2M", 2 << 20 },
		{ "8G", 8ULL << 30 }, { "1t", 1ULL << 40 }, { "18446744073709551615", UINT64_MAX },
		{ "0", 0 }, { "0K", 0 }, { "", 0 }, { "K", 0 }, { "1KB", 0 }, { "1KiB", 0 },
		{ "-1", 0 }, { " 1", 0 }, { "1 ", 0 }, { "1.5G", 0 }, { "12X", 0 },
		{ "18446744073709551616", 0 }, { "16777216T", 0 }, { "16777215T", 16777215ULL << 40 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 7;
		int rc = unpack_parse_size(cases[i].text, &got);

		if (cases[i].bytes && (rc != 0 || got != cases[i].bytes))
			fail_msg("'%s': %d, %llu", cases[i].text, rc, (unsigned long long)got);
		if (!cases[i].bytes && (rc != -1 || got != 7 || !strstr(last_error(), cases[i].text)))
			fail_msg("'%s' accepted or unnamed: %s", cases[i].text, last_error());
	}
}

/* --- what must work --- */

static void test_strip_top(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = {
		{ "name-1.2/", 'd', NULL, 0 },           { "name-1.2/README", 'f', "readme", 0 },
		{ "name-1.2/src/main.c", 'f', "int", 0 }, { NULL, 0, NULL, 0 }
	};
	struct unpack_result res;
	size_t i;

	for (i = 0; i < 3; i++) {
		make(f, "good", &formats[i], ents);
		unpack_ok(f, NULL, &res);
		assert_string_equal(res.topdir, "name-1.2");
		assert_string_equal(res.srcdir, f->dest);
		assert_file(f, "README", "readme");
		assert_file(f, "src/main.c", "int");
		assert_false(S_ISDIR(mode_of(f, "src/main.c")));
		unpack_result_release(&res);
		reset_dest(f);
		drop_archive(f);
	}
}

static void test_strip_dot_slash(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "./", 'd', NULL, 0 },
					   { "./pkg/", 'd', NULL, 0 },
					   { "./pkg/", 'd', NULL, 0 }, /* repeated: harmless */
					   { "./pkg/a", 'f', "a", 0 },
					   { NULL, 0, NULL, 0 } };
	struct unpack_result res;

	make(f, "good", &formats[0], ents);
	unpack_ok(f, NULL, &res);
	assert_string_equal(res.topdir, "pkg");
	assert_file(f, "a", "a");
	unpack_result_release(&res);
}

/* The top directory holding an entry of its own name must not trip the renames. */
static void test_strip_child_like_top(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/pkg/x", 'f', "x", 0 },
					   { "pkg/.cenv-unpack-0/y", 'f', "y", 0 },
					   { NULL, 0, NULL, 0 } };
	struct unpack_result res;

	make(f, "good", &formats[1], ents);
	unpack_ok(f, NULL, &res);
	assert_string_equal(res.topdir, "pkg");
	assert_file(f, "pkg/x", "x");
	assert_file(f, ".cenv-unpack-0/y", "y");
	unpack_result_release(&res);
}

static void test_no_strip(void **state)
{
	struct fx *f = *state;
	static const struct ent two[] = { { "a/x", 'f', "x", 0 }, { "b/y", 'f', "y", 0 },
					  { "a/l", 'l', "../b/y", 0 }, { NULL, 0, NULL, 0 } };
	static const struct ent file[] = { { "README", 'f', "r", 0 }, { NULL, 0, NULL, 0 } };
	static const struct ent dir_and_file[] = { { "pkg/a", 'f', "a", 0 }, { "pkg2", 'f', "b", 0 },
						   { NULL, 0, NULL, 0 } };
	struct unpack_result res;

	make(f, "good", &formats[2], two);
	unpack_ok(f, NULL, &res);
	assert_null(res.topdir);
	assert_file(f, "a/x", "x");
	assert_file(f, "b/y", "y");
	assert_link(f, "a/l", "../b/y"); /* a link across top-level directories is fine */
	assert_reads(f, "a/l", "y");
	unpack_result_release(&res);
	reset_dest(f);
	drop_archive(f);

	make(f, "good", &formats[0], file);
	unpack_ok(f, NULL, &res);
	assert_null(res.topdir);
	assert_file(f, "README", "r");
	unpack_result_release(&res);
	reset_dest(f);
	drop_archive(f);

	make(f, "good", &formats[0], dir_and_file);
	unpack_ok(f, NULL, &res);
	assert_null(res.topdir);
	assert_file(f, "pkg/a", "a");
	assert_file(f, "pkg2", "b");
	unpack_result_release(&res);
}

static void test_symlinks_kept(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = {
		{ "pkg/lib/x.h", 'f', "x", 0 }, { "pkg/inc", 'l', "lib", 0 },
		{ "pkg/lib/up", 'l', "../lib/./x.h", 0 }, { "pkg/lib/self", 'l', ".", 0 },
		{ "pkg/dangling", 'l', "not/there", 0 }, { NULL, 0, NULL, 0 }
	};
	struct unpack_result res;
	size_t i;

	for (i = 0; i < 3; i++) {
		make(f, "good", &formats[i], ents);
		unpack_ok(f, NULL, &res);
		assert_true(S_ISLNK(mode_of(f, "inc")));
		assert_link(f, "inc", "lib");
		assert_link(f, "lib/up", "../lib/./x.h");
		assert_link(f, "dangling", "not/there");
		assert_file(f, "inc/x.h", "x");
		assert_reads(f, "lib/up", "x");
		unpack_result_release(&res);
		reset_dest(f);
		drop_archive(f);
	}
}

static void test_hardlinks(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg/a", 'f', "shared", 0 },
					   { "pkg/sub/h", 'h', "pkg/a", 0 },
					   { "pkg/h2", 'h', "./pkg/sub/h", 0 },
					   { NULL, 0, NULL, 0 } };
	struct unpack_result res;
	struct stat a, h, h2;
	char *pa = in_dest(f, "a"), *ph = in_dest(f, "sub/h"), *ph2 = in_dest(f, "h2");
	size_t i;

	for (i = 0; i < 2; i++) {
		make(f, "good", &formats[i], ents);
		unpack_ok(f, NULL, &res);
		assert_int_equal(lstat(pa, &a), 0);
		assert_int_equal(lstat(ph, &h), 0);
		assert_int_equal(lstat(ph2, &h2), 0);
		assert_true(a.st_ino == h.st_ino && a.st_ino == h2.st_ino);
		assert_int_equal(a.st_nlink, 3);
		assert_file(f, "sub/h", "shared");
		unpack_result_release(&res);
		reset_dest(f);
		drop_archive(f);
	}
	free(pa);
	free(ph);
	free(ph2);
}

static void test_permissions_and_times(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = {
		{ "pkg/setuid", 'f', "x", 04755 }, { "pkg/setgid", 'f', "x", 02711 },
		{ "pkg/plain", 'f', "x", 0640 },   { "pkg/readonly", 'f', "x", 0444 },
		{ "pkg/sticky/", 'd', NULL, 01777 }, { "pkg/private/", 'd', NULL, 0750 },
		{ "pkg/locked/", 'd', NULL, 0555 }, { "pkg/locked/in", 'f', "x", 0644 },
		{ "pkg/link", 'l', "plain", 0 },   { NULL, 0, NULL, 0 }
	};
	struct unpack_result res;
	struct stat st;
	char *p;

	make(f, "good", &formats[1], ents);
	unpack_ok(f, NULL, &res);
	assert_int_equal(mode_of(f, "setuid") & 07777, 0755);
	assert_int_equal(mode_of(f, "setgid") & 07777, 0711);
	assert_int_equal(mode_of(f, "plain") & 07777, 0640);
	assert_int_equal(mode_of(f, "readonly") & 07777, 0444);
	assert_int_equal(mode_of(f, "sticky") & 07777, 0777);
	assert_int_equal(mode_of(f, "private") & 07777, 0750);
	/* Directories stay writable for the build and for removal. */
	assert_int_equal(mode_of(f, "locked") & 07777, 0755);
	p = in_dest(f, "plain");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mtime, MTIME);
	free(p);
	p = in_dest(f, "private");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mtime, MTIME);
	free(p);
	p = in_dest(f, "link");
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mtime, MTIME);
	free(p);
	unpack_result_release(&res);
}

static void test_compressed(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "pkg-3/", 'd', NULL, 0 },
					   { "pkg-3/data", 'f', "compressed data data data", 0 },
					   { NULL, 0, NULL, 0 } };
	static const struct {
		const char *ext;
		int filter;
	} filters[] = { { "tar.gz", ARCHIVE_FILTER_GZIP }, { "tar.bz2", ARCHIVE_FILTER_BZIP2 },
			{ "tar.xz", ARCHIVE_FILTER_XZ },   { "tar.zst", ARCHIVE_FILTER_ZSTD },
			{ "tar.lz4", ARCHIVE_FILTER_LZ4 }, { "tar.Z", ARCHIVE_FILTER_COMPRESS } };
	struct unpack_result res;
	size_t i, done = 0;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		f->archive = xasprintf("%s/good.%s", f->root, filters[i].ext);
		if (write_archive(f->archive, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, filters[i].filter,
				  ents) < 0) {
			print_message("libarchive cannot write %s here; skipped\n", filters[i].ext);
			drop_archive(f);
			continue;
		}
		unpack_ok(f, NULL, &res);
		assert_string_equal(res.topdir, "pkg-3");
		assert_file(f, "data", "compressed data data data");
		unpack_result_release(&res);
		reset_dest(f);
		drop_archive(f);
		done++;
	}
	assert_true(done >= 4);
}

static void test_subdir(void **state)
{
	struct fx *f = *state;
	struct ent ents[] = {
		{ "pkg/LICENSE", 'f', "mit", 0 }, { "pkg/python/setup.py", 'f', "py", 0 },
		{ "pkg/python/COPYING", 'l', "setup.py", 0 }, { "pkg/python/here", 'l', ".", 0 },
		{ "pkg/link", 'l', "python", 0 }, { NULL, 0, NULL, 0 }, { NULL, 0, NULL, 0 }
	};
	struct unpack_options opt = { .subdir = "python/" };
	struct unpack_result res;
	char *want = in_dest(f, "python");

	make(f, "good", &formats[1], ents);
	unpack_ok(f, &opt, &res);
	assert_string_equal(res.srcdir, want);
	assert_reads(f, "python/COPYING", "py");
	assert_reads(f, "python/here/setup.py", "py");
	unpack_result_release(&res);
	reset_dest(f);
	opt.subdir = "missing";
	assert_refused(f, &opt, "has no directory 'missing'");
	opt.subdir = "link";
	assert_refused(f, &opt, "has no directory 'link'");
	opt.subdir = "LICENSE";
	assert_refused(f, &opt, "has no directory 'LICENSE'");
	opt.subdir = "../pkg";
	assert_refused(f, &opt, "is not a plain relative path");
	opt.subdir = "python/../../pkg";
	assert_refused(f, &opt, "is not a plain relative path");
	drop_archive(f);

	/* Only python/ is installed: a link out of it would point out of the environment. */
	ents[5] = (struct ent){ "pkg/python/LICENSE", 'l', "../LICENSE", 0 };
	make(f, "evil", &formats[1], ents);
	opt.subdir = "python";
	assert_refused(f, &opt, "entry 'pkg/python/LICENSE' is a symlink that leads out of the "
			       "installed subdirectory ('../LICENSE')");
	unpack_ok(f, NULL, &res); /* the whole tree is installed: the link stays inside */
	assert_reads(f, "python/LICENSE", "mit");
	unpack_result_release(&res);
	free(want);
}

/* Issue 8, item 1: subdir = a/b, and a/b/lib/pkgconfig -> ../../../x leaves a/b. */
static void test_subdir_link_escapes(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = {
		{ "pkg-1/x/", 'd', NULL, 0 }, { "pkg-1/a/b/lib/libx.a", 'f', "ar", 0 },
		{ "pkg-1/a/b/lib/pkgconfig", 'l', "../../../x", 0 }, { NULL, 0, NULL, 0 }
	};
	struct unpack_options opt = { .subdir = "a/b" };
	struct unpack_result res;
	size_t i;

	for (i = 0; i < 3; i++) {
		make(f, "evil", &formats[i], ents);
		opt.subdir = "a/b";
		assert_refused(f, &opt, "entry 'pkg-1/a/b/lib/pkgconfig' is a symlink that leads "
				       "out of the installed subdirectory ('../../../x')");
		opt.subdir = "a";
		assert_refused(f, &opt, "entry 'pkg-1/a/b/lib/pkgconfig' is a symlink that leads");
		opt.subdir = "./";
		unpack_ok(f, &opt, &res);
		unpack_result_release(&res);
		reset_dest(f);
		drop_archive(f);
	}
}

/* A name too long for the kernel's PATH_MAX would only make the checks slow. */
static void test_long_names(void **state)
{
	struct fx *f = *state;
	char *name = xmalloc(5000), *target = xmalloc(5000);
	struct ent ents[] = { { "pkg/a", 'f', "a", 0 }, { name, 'f', "x", 0 }, { NULL, 0, NULL, 0 } };
	size_t i;

	memcpy(name, "pkg/", 4);
	memset(name + 4, 'n', 4995);
	name[4999] = '\0';
	for (i = 0; i < 4999; i += 2)
		memcpy(target + i, i ? "/a" : "aa", 2);
	target[4999] = '\0';
	make(f, "evil", &formats[1], ents);
	assert_refused(f, NULL, "has a name longer than 4095 bytes");
	drop_archive(f);
	ents[1] = (struct ent){ "pkg/l", 'l', target, 0 };
	make(f, "evil", &formats[1], ents);
	assert_refused(f, NULL, "entry 'pkg/l' is a symlink with a target longer than 4095 bytes");
	free(name);
	free(target);
}

/* Issue 8, fixdeep: an entry's depth is limited, and the directories entries imply count. */
static void test_depth(void **state)
{
	struct fx *f = *state;
	char name[300];
	struct ent ents[] = { { name, 'f', "x", 0 }, { NULL, 0, NULL, 0 } };
	struct unpack_options opt = { 0 };
	struct unpack_result res;
	size_t i;

	/* pkg/ + 126 times a/ + f: 128 components, the limit */
	strcpy(name, "pkg/");
	for (i = 0; i < 126; i++)
		strcat(name, "a/");
	strcat(name, "f");
	make(f, "deep", &formats[1], ents);
	unpack_ok(f, NULL, &res);
	unpack_result_release(&res);
	reset_dest(f);
	drop_archive(f);
	memmove(name + 4 + 2, name + 4, strlen(name + 4) + 1);
	memcpy(name + 4, "a/", 2);
	make(f, "deep", &formats[1], ents);
	assert_refused(f, NULL, "' has a path of 129 components, more than the limit of 128");
	drop_archive(f);
	strcpy(name, "pkg/a/b/c");
	make(f, "deep", &formats[1], ents);
	opt.max_depth = 3;
	assert_refused(f, &opt, "entry 'pkg/a/b/c' has a path of 4 components, more than the limit of 3");
	opt.max_depth = 4;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
}

static void test_implied_dirs_count(void **state)
{
	struct fx *f = *state;
	static const struct ent deep[] = { { "pkg/a/b/c/f", 'f', "x", 0 }, { NULL, 0, NULL, 0 } };
	/* shared ancestors count once: 3 entries and pkg, pkg/a, pkg/b */
	static const struct ent shared[] = { { "pkg/a/f", 'f', "x", 0 }, { "pkg/a/g", 'f', "y", 0 },
					     { "pkg/b/h", 'f', "z", 0 }, { NULL, 0, NULL, 0 } };
	/* a directory named after it was implied counts once (its entry is read, and counted,
	 * before it is seen to be implied already: hence one more than the 3 paths) */
	static const struct ent later[] = { { "pkg/a/f", 'f', "x", 0 }, { "pkg/", 'd', NULL, 0 },
					    { "pkg/a/", 'd', NULL, 0 }, { NULL, 0, NULL, 0 } };
	struct unpack_options opt = { .max_entries = 4 };
	struct unpack_result res;

	make(f, "deep", &formats[0], deep);
	assert_refused(f, &opt, "entry 'pkg/a/b/c/f' implies directories that make the archive more "
			       "than 4 entries, the limit");
	opt.max_entries = 5;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
	reset_dest(f);
	drop_archive(f);
	make(f, "shared", &formats[0], shared);
	opt.max_entries = 5;
	assert_refused(f, &opt, "entry 'pkg/b/h' implies directories that make the archive more "
			       "than 5 entries, the limit");
	opt.max_entries = 6;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
	reset_dest(f);
	drop_archive(f);
	make(f, "later", &formats[0], later);
	opt.max_entries = 4;
	unpack_ok(f, &opt, &res);
	unpack_result_release(&res);
}

/* UTF-8 names pass through as bytes, whatever the locale. */
static void test_utf8_names(void **state)
{
	struct fx *f = *state;
	static const struct ent ents[] = { { "caf\xc3\xa9-1/\xe2\x82\xac.txt", 'f', "euro", 0 },
					   { NULL, 0, NULL, 0 } };
	struct unpack_result res;

	make(f, "good", &formats[2], ents);
	unpack_ok(f, NULL, &res);
	assert_string_equal(res.topdir, "caf\xc3\xa9-1");
	assert_file(f, "\xe2\x82\xac.txt", "euro");
	unpack_result_release(&res);
}

int main(void)
{
	size_t n = sizeof(refusals) / sizeof(refusals[0]), i;
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test_setup_teardown(test_not_archives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mtree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dest_not_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sha256, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strip_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strip_dot_slash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strip_child_like_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_strip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permissions_and_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compressed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subdir_link_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_utf8_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_implied_dirs_count, setup, teardown),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	/* The refusal table becomes one named test per case. */
	struct CMUnitTest *tests = xmalloc((n + nfixed) * sizeof(*tests));
	char **names = xmalloc(n * sizeof(*names));
	int failed;

	for (i = 0; i < n; i++) {
		names[i] = xasprintf("refuse_%s", refusals[i].name);
		tests[i] = (struct CMUnitTest){ names[i], test_refusal, setup, teardown,
						(void *)&refusals[i] };
	}
	memcpy(tests + n, fixed, sizeof(fixed));
	failed = _cmocka_run_group_tests("unpack", tests, n + nfixed, NULL, NULL);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(tests);
	return failed;
}
