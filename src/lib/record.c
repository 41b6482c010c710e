/* record.c - what is installed: reading and writing DIR/var/cenv/records/NAME, scanning a staged tree. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "escape.h"
#include "failp.h"
#include "fsat.h"
#include "layout.h"
#include "quote.h"
#include "readfile.h"
#include "record.h"
#include "strvec.h"
#include "util.h"

/*
 * A record is plain text, one item a line, every line ending in '\n'
 * (a file whose last line has none was cut short and is refused):
 *
 *   cenv-record 1
 *   name zlib
 *   version 1.3.1
 *   url https://zlib.net/zlib-1.3.1.tar.gz
 *   sha256 9a93b2b7dfdac77ceba5a558a580e74667dd6fede4585b91eefb60f03b72df23
 *   build cmake
 *   args -DZLIB_BUILD_EXAMPLES=OFF
 *   make_args V=1 'CC=cc -m64'
 *   f 0644 97323 8a8d1c6ed6ea6e7fd8b4ab0a1c2e6c5b4de5ba2e6c8a55f5a7d63a8f1f39c23b include/zlib.h
 *   l 0777 14 - lib/libz.so libz.so.1.3.1
 *
 * The first line names the format and its version.  A header line is a key
 * (name, version, url, sha256, build, args, subdir, depends, build_network, configure,
 * make_args, install_target, env), one space and
 * the value up to the end of the line; an absent (NULL) value has no line,
 * an empty one keeps the space.  Only name is required.
 *
 * A file line is the type ('f' regular file, 'l' symlink), the mode in
 * octal, the size in bytes, the sha256 in lowercase hex ('-' for a symlink),
 * the path relative to the prefix and, for a symlink only, its target: single
 * spaces between them.
 *
 * Values are escaped: a backslash, the bytes below 0x20 and DEL become \xHH,
 * and in file lines the space too, so every path survives (spaces, newlines,
 * tabs, backslashes); bytes from 0x80 (UTF-8) are written as they are.  Not
 * INI: Debian's inih cuts lines at 200 bytes, and a path can be longer.
 */
#define RECORD_MAGIC "cenv-record 1"

/* ---- escaping ------------------------------------------------------------ */

char *record_escape(const char *s, int spaces)
{
	return escape(s, "\\", ESC_CONTROL | (spaces ? ESC_SPACE : 0));
}

char *record_unescape(const char *text)
{
	return unescape(text, ESC_STRICT);
}

int record_path_ok(const char *path)
{
	const char *p = path;

	/* longer could not be opened under any prefix: a record naming it could never be removed */
	if (!*path || *path == '/' || strlen(path) >= PATH_MAX)
		return 0;
	for (;;) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!end)
			return 1;
		p = end + 1;
	}
}

/* ---- records ------------------------------------------------------------- */

static void file_release(struct record_file *f)
{
	free(f->path);
	free(f->link_target);
}

static void files_release(struct record *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		file_release(&r->files[i]);
	free(r->files);
	r->files = NULL;
	r->nfiles = 0;
}

void record_release(struct record *r)
{
	free(r->name);
	free(r->version);
	free(r->url);
	free(r->sha256);
	free(r->build);
	free(r->args);
	free(r->subdir);
	free(r->depends);
	free(r->build_network);
	free(r->configure);
	free(r->make_args);
	free(r->install_target);
	free(r->env);
	files_release(r);
	memset(r, 0, sizeof(*r));
}

static int name_char(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (!first && (c == '.' || c == '_' || c == '+' || c == '-'));
}

int record_name_ok(const char *name)
{
	const char *s;

	if (!name || !name_char(*name, 1) || is_temp_name(name) || strlen(name) > RECORD_NAME_MAX)
		return 0;
	for (s = name + 1; *s; s++)
		if (!name_char(*s, 0))
			return 0;
	return 1;
}

static char *record_path(const char *prefix, const char *name)
{
	return xasprintf("%s/%s/%s", prefix, RECORD_DIR, name);
}

/* The header keys, in the order they are written. */
static char **header_slot(struct record *r, const char *key)
{
	struct {
		const char *key;
		char **slot;
	} keys[] = {
		{ "name", &r->name },     { "version", &r->version }, { "url", &r->url },
		{ "sha256", &r->sha256 }, { "build", &r->build },     { "args", &r->args },
		{ "subdir", &r->subdir }, { "depends", &r->depends },
		{ "build_network", &r->build_network }, { "configure", &r->configure },
		{ "make_args", &r->make_args }, { "install_target", &r->install_target },
		{ "env", &r->env },
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].key, key))
			return keys[i].slot;
	return NULL;
}

static const char *const header_keys[] = {
	"name", "version", "url", "sha256", "build", "args", "subdir", "depends", "build_network",
	"configure", "make_args", "install_target", "env", NULL,
};

static int is_sha256(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static int cmp_file_path(const void *a, const void *b)
{
	return strcmp(((const struct record_file *)a)->path, ((const struct record_file *)b)->path);
}

/* What a parser needs to name the place of an error. */
struct reader {
	int line;
	int lenient; /* skip the lines that cannot be read (record_load_damaged) */
};

static int bad(const struct reader *rd, const char *fmt, const char *what)
{
	char *shown = printable(what);
	char *msg = xasprintf(fmt, shown);

	fail("line %d: %s", rd->line, msg);
	free(msg);
	free(shown);
	return -1;
}

/* Splits line at single spaces into at most max fields; the count, or -1 on an empty field. */
static int split_fields(char *line, char **field, int max)
{
	int n = 0;

	for (;;) {
		char *sp = strchr(line, ' ');

		if (n == max || (sp == line) || *line == '\0')
			return -1;
		field[n++] = line;
		if (!sp)
			return n;
		*sp = '\0';
		line = sp + 1;
	}
}

static int parse_file_line(const struct reader *rd, char *line, struct record_file *f)
{
	char *field[6], *end;
	int n = split_fields(line, field, 6);
	unsigned long mode;
	long long size;

	memset(f, 0, sizeof(*f));
	if (n < 0)
		return bad(rd, "malformed file line: %s", "expected 5 or 6 fields, one space apart");
	f->type = field[0][0];
	if ((f->type == 'f' && n != 5) || (f->type == 'l' && n != 6))
		return bad(rd, "wrong number of fields for a '%s' line (5 for 'f', 6 for 'l')", field[0]);
	errno = 0;
	mode = strtoul(field[1], &end, 8);
	if (*end || errno || mode > 07777 || field[1][0] < '0' || field[1][0] > '7')
		return bad(rd, "bad mode '%s'", field[1]);
	f->mode = (mode_t)mode;
	size = strtoll(field[2], &end, 10);
	if (*end || errno || size < 0 || field[2][0] < '0' || field[2][0] > '9')
		return bad(rd, "bad size '%s'", field[2]);
	f->size = size;
	if (f->type == 'f') {
		if (!is_sha256(field[3]))
			return bad(rd, "bad sha256 '%s'", field[3]);
		memcpy(f->sha256, field[3], 65);
	} else if (strcmp(field[3], "-")) {
		return bad(rd, "a symlink has '-' for its sha256, not '%s'", field[3]);
	}
	f->path = record_unescape(field[4]);
	if (!f->path)
		return bad(rd, "bad escape in path '%s'", field[4]);
	if (!record_path_ok(f->path)) {
		struct strbuf shown = STRBUF_INIT;
		int ret;

		escape_name(&shown, f->path); /* one line, cut: it may be any length */
		ret = bad(rd, "bad path '%s'", sb_str(&shown));
		sb_release(&shown);
		return ret;
	}
	if (layout_is_own(f->path))
		return bad(rd, "'%s' is cenv's own file, never a package's", f->path);
	if (f->type == 'l') {
		f->link_target = record_unescape(field[5]);
		if (!f->link_target)
			return bad(rd, "bad escape in symlink target '%s'", field[5]);
	}
	return 0;
}

/* Lenient: of a file line that does not parse, its type and path when those still do. */
static int path_only(char *line, struct record_file *f)
{
	char *field[6];
	int n = split_fields(line, field, 6);

	memset(f, 0, sizeof(*f));
	if (n < 5 || (field[0][0] != 'f' && field[0][0] != 'l') || field[0][1])
		return -1;
	f->type = field[0][0];
	f->path = record_unescape(field[4]);
	/* never cenv's own files: --force removes what this keeps */
	if (!f->path || !record_path_ok(f->path) || layout_is_own(f->path)) {
		file_release(f);
		return -1;
	}
	return 0;
}

static int parse_header_line(const struct reader *rd, char *line, struct record *r)
{
	char *sp = strchr(line, ' '), **slot;

	if (!sp)
		return bad(rd, "malformed line '%s'", line);
	*sp = '\0';
	slot = header_slot(r, line);
	if (!slot)
		return bad(rd, "unknown key '%s'", line);
	if (*slot)
		return bad(rd, "duplicate key '%s'", line);
	*slot = record_unescape(sp + 1);
	if (!*slot)
		return bad(rd, "bad escape in '%s'", sp + 1);
	return 0;
}

/*
 * Parses a record's text; messages say what is wrong without naming the file
 * (record_load does).  Lenient, it keeps what it can read: the file lines
 * that parse, one copy of each path, and no header but the name.
 */
static int parse_record(const char *text, size_t len, const char *name, int lenient,
			struct record *r)
{
	struct reader rd = { 0, lenient };
	char *copy, *line, *next;
	size_t cap = 0, i, j;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!lenient && strlen(text) != len)
		return fail("malformed record: it holds a NUL byte");
	if (!lenient && (len == 0 || text[len - 1] != '\n'))
		return fail("malformed record: it does not end with a newline (cut short?)");
	copy = xstrdup(text); /* (lenient: up to a NUL byte) */
	for (line = copy; *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line); /* lenient: a last line cut short */
		rd.line++;
		if (rd.line == 1 && !lenient) {
			if (strcmp(line, RECORD_MAGIC)) {
				bad(&rd, "not a cenv record (the first line is '%s')", line);
				goto out;
			}
			continue;
		}
		if ((line[0] == 'f' || line[0] == 'l') && line[1] == ' ') {
			if (r->nfiles == cap) {
				cap = cap ? cap * 2 : 64;
				r->files = xrealloc(r->files, cap * sizeof(*r->files));
			}
			char *saved = lenient ? xstrdup(line) : NULL;
			int ok = parse_file_line(&rd, line, &r->files[r->nfiles]) == 0;

			if (!ok) {
				file_release(&r->files[r->nfiles]);
				ok = lenient && path_only(saved, &r->files[r->nfiles]) == 0;
			}
			free(saved);
			if (ok)
				r->nfiles++;
			else if (!lenient)
				goto out;
		} else if (lenient) {
			continue;
		} else if (parse_header_line(&rd, line, r) < 0) {
			goto out;
		}
	}
	if (lenient) {
		free(r->name);
		r->name = xstrdup(name);
	}
	if (!r->name) {
		fail("malformed record: no name");
		goto out;
	}
	if (name && strcmp(r->name, name)) {
		char *shown = printable(r->name);

		fail("malformed record: it is named '%s'", shown);
		free(shown);
		goto out;
	}
	if (r->nfiles)
		qsort(r->files, r->nfiles, sizeof(*r->files), cmp_file_path);
	for (i = 1, j = 1; i < r->nfiles; i++) {
		if (strcmp(r->files[j - 1].path, r->files[i].path)) {
			r->files[j++] = r->files[i];
			continue;
		}
		if (lenient) {
			file_release(&r->files[i]);
			continue;
		}
		{
			char *shown = printable(r->files[i].path);

			fail("malformed record: '%s' is listed twice", shown);
			free(shown);
			goto out;
		}
	}
	if (r->nfiles)
		r->nfiles = j;
	ret = 0;
out:
	free(copy);
	if (ret < 0)
		record_release(r);
	return ret;
}

/* The advice every message about a damaged record ends with. */
#define DAMAGED "; `cenv uninstall --force %s` removes it and the files it still names"

/*
 * Reads name's record file (a regular file, capped, never through a symlink) for
 * record_load and record_load_damaged: readfile's result, with *path set (caller
 * frees) — except for a bad name, -1 with errno EINVAL and *path NULL.
 */
static int read_record_file(const char *prefix, const char *name, char **path, char **text,
			    size_t *len)
{
	*path = NULL;
	if (!record_name_ok(name)) {
		failp("invalid package name '%s'", name ? name : "");
		errno = EINVAL;
		return -1;
	}
	*path = record_path(prefix, name);
	return readfile(*path, READFILE_CAP, READFILE_NOFOLLOW, text, len);
}

int record_load(const char *prefix, const char *name, struct record *r)
{
	char *path, *text = NULL, *why;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = read_record_file(prefix, name, &path, &text, &len);
	if (!path)
		return -1;
	if (ret == 0) {
		ret = parse_record(text, len, name, 0, r);
		free(text);
	} else if (errno == ENOENT || errno == EACCES || errno == EPERM || errno == EIO) {
		int saved = errno; /* ENOENT: not installed; the others are no damage */

		free(path);
		errno = saved;
		return -1;
	}
	if (ret < 0) {
		/* the reason, without the path readfile put in: the record is named once */
		why = error_take();
		if (errno == EINVAL || errno == ELOOP) {
			free(why);
			why = xstrdup("it is not a regular file");
		} else if (errno == EFBIG) {
			free(why);
			why = xasprintf("it is larger than the limit of %zu MiB", READFILE_CAP >> 20);
		}
		failp("record '%s' is damaged: %s" DAMAGED, path, why, name);
		free(why);
		errno = EBADMSG;
	}
	free(path);
	return ret;
}

int record_load_damaged(const char *prefix, const char *name, struct record *r)
{
	char *path, *text = NULL;
	size_t len;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = read_record_file(prefix, name, &path, &text, &len);
	if (!path)
		return -1;
	if (ret < 0 && errno != EINVAL && errno != EFBIG && errno != ELOOP) {
		int saved = errno;

		free(path);
		errno = saved;
		return -1;
	}
	free(path);
	if (ret < 0) {
		/* not a file that can be read: nothing to take from it but its name */
		r->name = xstrdup(name);
		return 0;
	}
	ret = parse_record(text, len, name, 1, r);
	free(text);
	return ret;
}

/* The paths every record but skip's lists (a damaged one's as far as it can be read), sorted. */
static void others_paths(const char *prefix, const char *skip, struct strvec *out)
{
	char **names;
	size_t n, i, j;

	if (record_names(prefix, &names, &n) < 0)
		return;
	for (i = 0; i < n; i++) {
		struct record o;

		if (!strcmp(names[i], skip))
			continue;
		if (record_load(prefix, names[i], &o) < 0 && record_load_damaged(prefix, names[i], &o) < 0)
			continue;
		for (j = 0; j < o.nfiles; j++)
			strvec_push(out, o.files[j].path);
		record_release(&o);
	}
	record_names_free(names, n);
	strvec_sort_unique(out);
}

int record_keep_present(const char *prefix, struct record *r)
{
	struct strvec owned = STRVEC_INIT;
	int root = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t i, kept = 0;

	if (root < 0)
		return fail_errno("cannot open the environment '%s'", prefix);
	others_paths(prefix, r->name, &owned);
	for (i = 0; i < r->nfiles; i++) {
		struct record_file *f = &r->files[i];
		const char *leaf;
		struct stat st;
		int dir = -1, keep = 0;

		/* fsat_parent refuses a symlink (or anything but a directory) on the way */
		if (!layout_in_state(f->path) && strvec_find(&owned, f->path) < 0)
			dir = fsat_parent(root, prefix, f->path, &leaf);
		if (dir >= 0) {
			keep = fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			       (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
			close(dir);
		}
		if (keep)
			r->files[kept++] = *f;
		else
			file_release(f);
	}
	r->nfiles = kept;
	close(root);
	strvec_release(&owned);
	free(error_take()); /* the messages of the paths left out */
	return 0;
}

static void add_header(struct strbuf *sb, const char *key, const char *value)
{
	char *esc;

	if (!value)
		return;
	esc = record_escape(value, 0);
	sb_addf(sb, "%s %s\n", key, esc);
	free(esc);
}

static char *format_record(const struct record *r)
{
	struct strbuf sb = STRBUF_INIT;
	struct record copy = *r;
	const char *const *key;
	size_t i;

	sb_adds(&sb, RECORD_MAGIC "\n");
	for (key = header_keys; *key; key++)
		add_header(&sb, *key, *header_slot(&copy, *key));
	for (i = 0; i < r->nfiles; i++) {
		const struct record_file *f = &r->files[i];
		char *path = record_escape(f->path, 1);

		sb_addf(&sb, "%c %04o %lld %s %s", f->type, (unsigned)(f->mode & 07777), f->size,
			f->type == 'f' ? f->sha256 : "-", path);
		if (f->type == 'l') {
			char *target = record_escape(f->link_target, 1);

			sb_addf(&sb, " %s", target);
			free(target);
		}
		sb_addc(&sb, '\n');
		free(path);
	}
	return sb_detach(&sb);
}

/* Refuses a record record_load could not read back. */
static int check_record(const struct record *r)
{
	size_t i;

	if (!record_name_ok(r->name))
		return fail("invalid package name '%s'", r->name ? r->name : "");
	for (i = 0; i < r->nfiles; i++) {
		const struct record_file *f = &r->files[i];

		if (!f->path || !record_path_ok(f->path))
			return fail("package '%s': cannot record the path '%s'", r->name,
				    f->path ? f->path : "");
		if (f->type == 'f' && is_sha256(f->sha256))
			continue;
		if (f->type == 'l' && f->link_target && *f->link_target)
			continue;
		return fail("package '%s': incomplete entry for '%s'", r->name, f->path);
	}
	return 0;
}

int record_save(const char *prefix, const struct record *r)
{
	char *shown, *text;
	int root, dir = -1, ret = -1;

	if (check_record(r) < 0)
		return -1;
	/* never through a symlink: records/ and the record are cenv's own (layout_open) */
	root = layout_open_root(prefix);
	if (root >= 0)
		dir = layout_open(root, prefix, RECORD_DIR, 0755);
	shown = record_path(prefix, r->name);
	text = format_record(r);
	if (dir >= 0)
		ret = write_file_atomic_at(dir, r->name, shown, text, strlen(text), 0644);
	free(text);
	free(shown);
	if (dir >= 0)
		close(dir);
	if (root >= 0)
		close(root);
	return ret;
}

int record_delete(const char *prefix, const char *name)
{
	char *path;
	int ret = 0;

	if (!record_name_ok(name))
		return fail("invalid package name '%s'", name ? name : "");
	path = record_path(prefix, name);
	if (unlink(path) < 0)
		ret = fail_errno("cannot remove '%s'", path);
	free(path);
	return ret;
}

int record_names(const char *prefix, char ***names, size_t *n)
{
	char *path = path_join(prefix, RECORD_DIR);
	DIR *dir = opendir(path);
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!dir) {
		int missing = errno == ENOENT;

		if (!missing)
			fail_errno("cannot read '%s'", path);
		free(path);
		return missing ? 0 : -1;
	}
	while ((de = readdir(dir))) {
		if (!record_name_ok(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*names = xrealloc(*names, cap * sizeof(**names));
		}
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	closedir(dir);
	free(path);
	if (*n)
		qsort(*names, *n, sizeof(**names), strvec_cmp);
	return 0;
}

void record_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- scanning ------------------------------------------------------------ */

struct scan {
	const char *root;
	struct record_file *files;
	size_t n, cap;
};

static const char *kind_of(mode_t mode)
{
	const char *kind = file_kind(mode);

	return kind ? kind : "not a file, symlink or directory";
}

static int scan_entry(struct scan *sc, const char *rel);

static int scan_dir(struct scan *sc, const char *rel)
{
	char *full = *rel ? path_join(sc->root, rel) : xstrdup(sc->root);
	DIR *dir = opendir(full);
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		ret = fail_errno("cannot read '%s'", full);
		free(full);
		return ret;
	}
	while (ret == 0 && (de = readdir(dir))) {
		char *child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
		ret = scan_entry(sc, child);
		free(child);
	}
	closedir(dir);
	free(full);
	return ret;
}

static int scan_entry(struct scan *sc, const char *rel)
{
	char *full = path_join(sc->root, rel);
	struct record_file f;
	struct stat st;
	int ret = -1;

	memset(&f, 0, sizeof(f));
	if (lstat(full, &st) < 0) {
		fail_errno("cannot read '%s'", full);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = scan_dir(sc, rel);
		goto out;
	}
	if (S_ISREG(st.st_mode)) {
		int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

		if (fd < 0) {
			fail_errno("cannot open '%s'", full);
			goto out;
		}
		ret = digest_fd(fd, full, f.sha256, &f.size);
		close(fd);
		if (ret < 0)
			goto out;
		f.type = 'f';
	} else if (S_ISLNK(st.st_mode)) {
		f.link_target = read_link_at(AT_FDCWD, full, (size_t)st.st_size);
		if (!f.link_target)
			goto out;
		f.type = 'l';
		f.size = (long long)strlen(f.link_target);
	} else {
		char *shown = printable(rel);

		fail("cannot install '%s': it is %s (only files, symlinks and directories can be)",
		     shown, kind_of(st.st_mode));
		free(shown);
		goto out;
	}
	f.mode = st.st_mode & 07777;
	f.path = xstrdup(rel);
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 64;
		sc->files = xrealloc(sc->files, sc->cap * sizeof(*sc->files));
	}
	sc->files[sc->n++] = f;
	memset(&f, 0, sizeof(f));
	ret = 0;
out:
	file_release(&f);
	free(full);
	return ret;
}

int record_scan(const char *root, struct record *r)
{
	struct scan sc = { root, NULL, 0, 0 };
	size_t i;

	files_release(r);
	if (!is_dir(root))
		return fail("cannot scan '%s': not a directory", root);
	if (scan_dir(&sc, "") < 0) {
		for (i = 0; i < sc.n; i++)
			file_release(&sc.files[i]);
		free(sc.files);
		return -1;
	}
	if (sc.n)
		qsort(sc.files, sc.n, sizeof(*sc.files), cmp_file_path);
	r->files = sc.files;
	r->nfiles = sc.n;
	return 0;
}

long long record_size(const struct record *r)
{
	long long bytes = 0;
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		bytes += r->files[i].size;
	return bytes;
}
