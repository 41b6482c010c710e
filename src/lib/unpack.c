/* unpack.c - extracts an archive into a staging directory, refusing whatever could escape it. */
#define _POSIX_C_SOURCE 200809L
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lazylib.h"
#include "digest.h"
#include "error.h"
#include "escape.h"
#include "fsat.h"
#include "pathtab.h"
#include "quote.h"
#include "unpack.h"
#include "util.h"

/*
 * libarchive reads; we write.  archive_write_disk calls umask() twice per entry (process-wide:
 * a worker thread creating a file at that moment gets mode 0666) and resolves names against the
 * current directory, which threads may not change.  Instead every directory is opened with
 * openat(O_NOFOLLOW | O_DIRECTORY) one component at a time from a descriptor of dest_dir
 * (fsat.h), and every object is created with O_EXCL / mkdirat / symlinkat / linkat under such
 * a descriptor, so a symlink is never followed while writing and nothing can land outside
 * dest_dir.
 *
 * Single pass: entries are checked against a table of every path seen so far (pathtab.h),
 * written, and the top directory is stripped at the end by renaming its few children up.
 * Reading a compressed archive twice would cost a second decompression; the renames cost a
 * handful of syscalls.
 */

#define MAX_NAME 4096   /* Linux's PATH_MAX; longer names only make the checks slow */
#define FEED_BLOCK (64 * 1024)

/*
 * The archive's bytes on their way to libarchive, each block hashed as it is handed over.
 *
 * The bytes unpacked must be the bytes checked: hashing the file and then reading it again
 * would unpack whatever it holds by then (it can be rewritten in place in between).  So the
 * very stream that is unpacked is hashed: libarchive gets this read callback and no skip or
 * seek callback, so every byte it sees passes through the digest (a skip is a read, zip is
 * read as a stream); after the archive's end the rest of the file is read through the same
 * digest, and the sum is compared before unpack_archive_fd() returns: on a mismatch the
 * unpacked tree is removed and nothing of it is ever built or installed.  Why not check first
 * and unpack a private copy: this is one pass over the bytes (faster than hash-then-unpack,
 * no second copy on disk), and reading an unverified archive adds no exposure, because the
 * unpacker is built and fuzzed for hostile archives anyway, while the limits on size, entry
 * count, path length and depth bound what an unverified archive can cost before it is refused.
 *
 * Zip and 7-Zip are the exception: their index sits at the end and libarchive must seek to
 * it (read as a stream, a zip loses its symlinks, a 7-Zip cannot be read at all).  Those are
 * copied, while hashed, into an unlinked private file in dest_dir, checked, and unpacked from
 * the copy, which nobody else can rewrite.
 */
struct feed {
	int fd;
	const char *archive;      /* for messages */
	struct digest digest;
	char *buf;
	size_t pending;           /* the first block, hashed but not yet handed to libarchive */
	char *why;                /* a read or hash failure, taken from fail(); NULL if none */
	int done;                 /* the digest is final, in sum */
	char sum[DIGEST_HEX_SIZE];
};

struct unpacker {
	const char *archive;      /* for messages */
	struct feed feed;
	uint64_t max_bytes, bytes, max_entries;
	size_t max_path, max_depth;
	const char *size_option;
	uint64_t count;           /* entries read so far */
	int destfd;
	struct fsat_cache dirs;   /* the directory the previous entry went into */
	struct strbuf checked;    /* a directory whose ancestors all passed check_parents */
	struct strbuf name;       /* the current entry's name as the archive spells it, escaped */
	struct strbuf path;       /* ... and normalised */
	struct strbuf target;     /* a hardlink's target, normalised */
	struct pathtab nodes;
	char *top;                /* first component of the first entry */
	int single;               /* every entry so far lies under the directory top */
};

static void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

/* Keeps the entry's name for messages, control characters made visible, long ones cut. */
static void set_name(struct unpacker *u, const char *raw)
{
	sb_reset(&u->name);
	escape_name(&u->name, raw);
}

static int refuse(struct unpacker *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct unpacker *u, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail("'%s': entry '%s' %s", u->archive, sb_str(&u->name), why);
}

static int write_failed(struct unpacker *u)
{
	return fail_errno("'%s': cannot write entry '%s'", u->archive, sb_str(&u->name));
}

/* libarchive failed: why the feed failed if it did, else libarchive's message after what. */
static int read_failed(struct unpacker *u, struct archive *a, const char *what)
{
	const char *msg = archive_error_string(a);

	if (u->feed.why) {
		error_restore(u->feed.why);
		u->feed.why = NULL;
		return -1;
	}
	return fail("%s: %s", what, msg ? msg : "cannot read");
}

/* "8 GiB", "512 KiB", "15 bytes": a limit as the user would have written it. */
static void format_size(uint64_t n, char *out, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int i = -1;

	while (i < 3 && n >= 1024 && n % 1024 == 0) {
		n /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(out, size, "%llu byte%s", (unsigned long long)n, n == 1 ? "" : "s");
	else
		snprintf(out, size, "%llu %s", (unsigned long long)n, units[i]);
}

/* --- the feed --- */

static la_ssize_t feed_read(struct archive *a, void *data, const void **block)
{
	struct feed *f = data;
	ssize_t n;

	(void)a;
	if (f->why)
		return -1;
	if (f->pending) {
		n = (ssize_t)f->pending;
		f->pending = 0;
		*block = f->buf;
		return n;
	}
	n = read_retry(f->fd, f->buf, FEED_BLOCK);
	if (n < 0) {
		fail_errno("cannot read '%s'", f->archive);
		f->why = error_take();
		return -1;
	}
	if (n > 0 && digest_update(&f->digest, f->buf, (size_t)n) < 0) {
		f->why = error_take();
		return -1;
	}
	*block = f->buf;
	return n;
}

/* Reads what libarchive left of the file through the digest and finishes it. */
static int feed_finish(struct feed *f, char out[DIGEST_HEX_SIZE])
{
	const void *block;
	la_ssize_t n;

	if (!f->done) {
		f->pending = 0;
		while ((n = feed_read(NULL, f, &block)) > 0)
			;
		if (n < 0) {
			error_restore(f->why);
			f->why = NULL;
			return -1;
		}
		if (digest_final(&f->digest, f->sum) < 0)
			return -1;
		f->done = 1;
	}
	memcpy(out, f->sum, DIGEST_HEX_SIZE);
	return 0;
}

/* Whether the first bytes are those of a zip or 7-Zip file, which libarchive reads by seeking. */
static int needs_seeking(const char *b, size_t n)
{
	return (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
		((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6) || (b[2] == 7 && b[3] == 8))) ||
	       (n >= 6 && !memcmp(b, "7z\xbc\xaf\x27\x1c", 6));
}

/*
 * The file, from its first block (pending in the feed) to its end, copied into an unlinked
 * file of dest_dir while hashed: the descriptor of the copy, rewound, or -1 with fail().
 */
static int private_copy(struct feed *f, int destfd)
{
	static const char name[] = ".cenv-archive-copy";
	const void *block;
	la_ssize_t n;
	int fd = openat(destfd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return fail_errno("'%s': cannot make a private copy", f->archive);
	unlinkat(destfd, name, 0);
	while ((n = feed_read(NULL, f, &block)) > 0) {
		if (write_all(fd, block, (size_t)n, (off_t)-1) < 0) {
			fail_errno("'%s': cannot make a private copy", f->archive);
			close(fd);
			return -1;
		}
	}
	if (n < 0) {
		error_restore(f->why);
		f->why = NULL;
	} else if (lseek(fd, 0, SEEK_SET) < 0) {
		fail_errno("'%s': cannot read the private copy", f->archive);
	} else if (digest_final(&f->digest, f->sum) == 0) {
		f->done = 1;
		return fd;
	}
	close(fd);
	return -1;
}

/* --- the checks --- */

static size_t components(const char *path)
{
	size_t n = *path != '\0';

	for (; (path = strchr(path, '/')); path++)
		n++;
	return n;
}

/*
 * Each proper ancestor of the current path must be a directory, or become an implied one,
 * which counts against the entry limit like an entry.  Every node of the table has all its
 * ancestors in it as directories (they were checked when it was added, and a directory never
 * changes kind), so the walk goes up only to the deepest ancestor already known: the work per
 * entry is what it adds, not its depth times the number of entries.
 */
static int check_parents(struct unpacker *u)
{
	const char *path = u->path.buf;
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash ? (size_t)(slash - path) : 0, known, i;
	uint64_t missing = 0;

	if (!dirlen || (u->checked.len == dirlen && !memcmp(u->checked.buf, path, dirlen)))
		return 0;
	for (known = dirlen; known; missing++) {
		struct path_node *n = pathtab_find(&u->nodes, path, known);

		if (n && n->kind == PATH_LINK)
			return refuse(u, "goes through the symlink '%s'", n->path);
		if (n && n->kind == PATH_FILE)
			return refuse(u, "turns the file '%s' into a directory", n->path);
		if (n)
			break;
		while (known && path[known - 1] != '/')
			known--;
		if (known)
			known--;
	}
	if (missing > u->max_entries - u->count)
		return refuse(u, "implies directories that make the archive more than %llu "
			      "entries, the limit", (unsigned long long)u->max_entries);
	u->count += missing;
	for (i = known + 1; i <= dirlen; i++)
		if (i == dirlen || path[i] == '/')
			pathtab_add(&u->nodes, path, i, PATH_IMPLIED_DIR);
	/* Once a directory, always one: any later change of kind is refused. */
	sb_reset(&u->checked);
	sb_add(&u->checked, path, dirlen);
	return 0;
}

/* Records the current path as kind; returns its node, or NULL after refusing. */
static struct path_node *claim(struct unpacker *u, enum path_kind kind)
{
	struct path_node *n;

	if (check_parents(u) < 0)
		return NULL;
	n = pathtab_find(&u->nodes, u->path.buf, u->path.len);
	if (!n)
		return pathtab_add(&u->nodes, u->path.buf, u->path.len, kind);
	/* "./"-style tarballs may repeat a directory; that is harmless. */
	if (path_kind_is_dir(n->kind) && kind == PATH_DIR) {
		/* An implied directory named later was counted twice: as implied and as this entry. */
		if (n->kind == PATH_IMPLIED_DIR)
			u->count--;
		n->kind = PATH_DIR;
		return n;
	}
	if (path_kind_is_dir(n->kind))
		refuse(u, "turns a directory into a %s", kind == PATH_LINK ? "symlink" : "file");
	else if (kind == PATH_DIR)
		refuse(u, "turns a %s into a directory", n->kind == PATH_LINK ? "symlink" : "file");
	else
		refuse(u, "appears twice in the archive");
	return NULL;
}

static int entry_kind(struct unpacker *u, struct archive_entry *e, enum path_kind *kind)
{
	if (archive_entry_hardlink(e)) {
		*kind = PATH_FILE;
		return 0;
	}
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		*kind = PATH_FILE;
		return 0;
	case AE_IFDIR:
		*kind = PATH_DIR;
		return 0;
	case AE_IFLNK:
		*kind = PATH_LINK;
		return 0;
	case AE_IFCHR:
		return refuse(u, "is a character device");
	case AE_IFBLK:
		return refuse(u, "is a block device");
	case AE_IFIFO:
		return refuse(u, "is a FIFO");
	case AE_IFSOCK:
		return refuse(u, "is a socket");
	default:
		return refuse(u, "has an unknown file type");
	}
}

static int check_symlink(struct unpacker *u, const char *target)
{
	if (!target || !*target)
		return refuse(u, "is a symlink without a target");
	if (strlen(target) >= MAX_NAME)
		return refuse(u, "is a symlink with a target longer than %d bytes", MAX_NAME - 1);
	if (has_control_char(target))
		return refuse(u, "has a control character in its link target");
	if (target[0] == '/')
		return refuse(u, "is a symlink to the absolute path '%s'", target);
	switch (pathtab_link_escapes(&u->nodes, u->path.buf, target, 0)) {
	case 1:
		return refuse(u, "is a symlink that leaves the package ('%s')", target);
	case 2:
		return refuse(u, "is a symlink that loops or is too long to follow ('%s')", target);
	}
	return 0;
}

/* Leaves the normalised target in u->target. */
static int check_hardlink(struct unpacker *u, const char *target)
{
	const struct path_node *n = NULL;

	if (has_control_char(target))
		return refuse(u, "has a control character in its link target");
	if (path_normalise(target, &u->target) == NAME_OK)
		n = pathtab_find(&u->nodes, sb_str(&u->target), u->target.len);
	if (!n || n->kind != PATH_FILE)
		return refuse(u, "is a hardlink to '%s', which is not an earlier file of the archive",
			      target);
	return 0;
}

/* Tracks whether every entry lies under one top-level directory. */
static void note_top(struct unpacker *u, enum path_kind kind)
{
	const char *path = u->path.buf;
	size_t n = strcspn(path, "/");
	int dir = path[n] == '/' || kind == PATH_DIR;

	if (!u->top) {
		u->top = xasprintf("%.*s", (int)n, path);
		u->single = dir;
	} else if (!dir || strlen(u->top) != n || strncmp(u->top, path, n)) {
		u->single = 0;
	}
}

/* --- writing --- */

/* A descriptor for directory dir, kept open because the next entry usually goes there too. */
static int dir_fd(struct unpacker *u, const char *dir, size_t len)
{
	return fsat_cached_dir(&u->dirs, u->destfd, dir, len, 0700);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec = archive_entry_atime(e);
	ts[0].tv_nsec = archive_entry_atime_nsec(e);
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (!archive_entry_atime_is_set(e) || ts[0].tv_nsec < 0 || ts[0].tv_nsec > 999999999)
		ts[0].tv_nsec = UTIME_OMIT;
	if (!archive_entry_mtime_is_set(e) || ts[1].tv_nsec < 0 || ts[1].tv_nsec > 999999999)
		ts[1].tv_nsec = UTIME_OMIT;
}

static int charge(struct unpacker *u, uint64_t n)
{
	char limit[64];

	if (n <= u->max_bytes - u->bytes) {
		u->bytes += n;
		return 0;
	}
	format_size(u->max_bytes, limit, sizeof(limit));
	return refuse(u, "makes the unpacked package larger than the limit of %s%s%s%s", limit,
		      u->size_option ? " (" : "", u->size_option ? u->size_option : "",
		      u->size_option ? " raises it)" : "");
}

/* Copies the entry's data into fd, holes included; the size is charged before writing. */
static int copy_data(struct unpacker *u, struct archive *a, struct archive_entry *e, int fd)
{
	int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
	int64_t charged, end = 0, off;
	const void *buf;
	size_t len;
	int r;

	charged = size > 0 ? size : 0;
	if (charge(u, (uint64_t)charged) < 0)
		return -1;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (off < 0 || len > (uint64_t)(INT64_MAX - off))
			return refuse(u, "has data at an impossible offset");
		if (off + (int64_t)len > charged) {
			if (charge(u, (uint64_t)(off + (int64_t)len - charged)) < 0)
				return -1;
			charged = off + (int64_t)len;
		}
		if (write_all(fd, buf, len, (off_t)off) < 0)
			return write_failed(u);
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
	}
	if (r != ARCHIVE_EOF) {
		char *what = xasprintf("'%s': entry '%s'", u->archive, sb_str(&u->name));

		read_failed(u, a, what);
		free(what);
		return -1;
	}
	if (end < size && ftruncate(fd, (off_t)size) < 0)
		return write_failed(u);
	return 0;
}

static int write_file(struct unpacker *u, struct archive *a, struct archive_entry *e, int dfd,
		      const char *name)
{
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct timespec ts[2];
	int ret;

	if (fd < 0)
		return write_failed(u);
	entry_times(e, ts);
	ret = copy_data(u, a, e, fd);
	/* fchmod, unlike the mode given to open, is not cut by the umask: permissions as archived. */
	if (ret == 0 && (fchmod(fd, archive_entry_perm(e) & 0777) < 0 || futimens(fd, ts) < 0))
		ret = write_failed(u);
	if (close(fd) < 0 && ret == 0)
		ret = write_failed(u);
	return ret;
}

/* Links to the file in u->target; cpio puts a linked file's data on its last link. */
static int write_hardlink(struct unpacker *u, struct archive *a, struct archive_entry *e,
			  int dfd, const char *name)
{
	const char *target = u->target.buf;
	const char *slash = strrchr(target, '/');
	int tfd = fsat_walk(u->destfd, target, slash ? (size_t)(slash - target) : 0, 0, NULL);
	int fd, ret;

	if (tfd < 0 || linkat(tfd, slash ? slash + 1 : target, dfd, name, 0) < 0) {
		ret = write_failed(u);
		if (tfd >= 0)
			close(tfd);
		return ret;
	}
	close(tfd);
	if (!archive_entry_size_is_set(e) || archive_entry_size(e) <= 0)
		return 0;
	fd = openat(dfd, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return write_failed(u);
	ret = copy_data(u, a, e, fd);
	if (close(fd) < 0 && ret == 0)
		ret = write_failed(u);
	return ret;
}

static int write_entry(struct unpacker *u, struct archive *a, struct archive_entry *e,
		       struct path_node *n)
{
	const char *path = u->path.buf;
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	int dfd = dir_fd(u, path, slash ? (size_t)(slash - path) : 0);
	struct timespec ts[2];

	if (dfd < 0 || !fsat_plain_name(name))
		return write_failed(u);
	entry_times(e, ts);
	switch (n->kind) {
	case PATH_DIR:
		/* Writable until the end; the archived mode is applied by fix_dirs. */
		if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
			return write_failed(u);
		n->mode = archive_entry_perm(e);
		n->mtime = ts[1];
		return 0;
	case PATH_LINK:
		if (symlinkat(n->target, dfd, name) < 0 ||
		    utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
			return write_failed(u);
		return 0;
	default:
		if (archive_entry_hardlink(e))
			return write_hardlink(u, a, e, dfd, name);
		return write_file(u, a, e, dfd, name);
	}
}

static int unpack_entry(struct unpacker *u, struct archive *a, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	struct path_node *n;
	enum path_kind kind = PATH_FILE;
	size_t depth;

	if (!raw)
		return fail("'%s': entry %llu has a name that cannot be read", u->archive,
			    (unsigned long long)u->count);
	set_name(u, raw);
	if (has_control_char(raw))
		return refuse(u, "has a control character in its name");
	if (strlen(raw) >= MAX_NAME)
		return refuse(u, "has a name longer than %d bytes", MAX_NAME - 1);
	switch (path_normalise(raw, &u->path)) {
	case NAME_ABSOLUTE:
		return refuse(u, "has an absolute path");
	case NAME_DOTDOT:
		return refuse(u, "leaves the package");
	}
	/* A path the work area cannot hold would leave a tree nobody can remove by name. */
	if (u->path.len > u->max_path)
		return refuse(u, "has a path of %zu bytes, more than the %zu that fit within "
			      "PATH_MAX (%d) where it is unpacked, staged and installed",
			      u->path.len, u->max_path, MAX_NAME);
	/* Each component is a directory to check, make, record and remove: depth costs. */
	depth = u->path.len ? components(u->path.buf) : 0;
	if (depth > u->max_depth)
		return refuse(u, "has a path of %zu components, more than the limit of %zu",
			      depth, u->max_depth);
	if (entry_kind(u, e, &kind) < 0)
		return -1;
	if (!u->path.len)
		return kind == PATH_DIR ? 0 : refuse(u, "has no name");
	if (kind == PATH_LINK && check_symlink(u, archive_entry_symlink(e)) < 0)
		return -1;
	if (hard && check_hardlink(u, hard) < 0)
		return -1;
	n = claim(u, kind);
	if (!n)
		return -1;
	if (kind == PATH_LINK)
		n->target = xstrdup(archive_entry_symlink(e));
	note_top(u, kind);
	return write_entry(u, a, e, n);
}

static int read_entries(struct unpacker *u, struct archive *a)
{
	struct archive_entry *e;
	int r;

	/* A warning (say, a name not convertible to the locale) still yields a usable entry. */
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		/* unpack_reader_new() reads no mtree "archive", which copies files of this machine. */
		if ((archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_MTREE)
			return fail("'%s': is an mtree file, not an archive", u->archive);
		if (++u->count > u->max_entries)
			return fail("'%s': has more than %llu entries, the limit", u->archive,
				    (unsigned long long)u->max_entries);
		if (unpack_entry(u, a, e) < 0)
			return -1;
	}
	if (r != ARCHIVE_EOF) {
		char *what = xasprintf("'%s'", u->archive);

		read_failed(u, a, what);
		free(what);
		return -1;
	}
	if (!u->top)
		return fail("'%s': the archive is empty", u->archive);
	return 0;
}

/* --- finishing --- */

/*
 * Now that every link is known, follows each one through the others.  A link must stay in
 * the tree that is installed: inside sub (the archive's path of subdir, top included) for
 * the links under it, else inside the top directory (floor 1) or dest_dir (floor 0).
 */
static int check_links(struct unpacker *u, size_t floor, const char *sub)
{
	size_t sublen = sub ? strlen(sub) : 0, subfloor = sub ? components(sub) : 0, i;

	for (i = 0; i < u->nodes.cap; i++) {
		const struct path_node *n = &u->nodes.slot[i];
		int inside, r;

		if (!n->path || n->kind != PATH_LINK)
			continue;
		inside = sublen && !strncmp(n->path, sub, sublen) && n->path[sublen] == '/';
		r = pathtab_link_escapes(&u->nodes, n->path, n->target, inside ? subfloor : floor);
		if (r == 0)
			continue;
		set_name(u, n->path);
		if (r == 1 && inside)
			return refuse(u, "is a symlink that leads out of the installed subdirectory "
				      "('%s')", n->target);
		if (r == 1)
			return refuse(u, "is a symlink that leaves the package ('%s')", n->target);
		return refuse(u, "is a symlink that loops or is too long to follow ('%s')", n->target);
	}
	return 0;
}

/*
 * subdir must be a directory of the archive, reached without symlinks; *rel gets it
 * normalised, *full its path in the archive (top included).
 */
static int check_subdir(struct unpacker *u, const char *subdir, int strip, char **rel,
			char **full_path)
{
	struct strbuf full = STRBUF_INIT, sub = STRBUF_INIT;
	size_t i;
	int ret = 0;

	if (path_normalise(subdir, &sub) != NAME_OK || has_control_char(subdir)) {
		sb_release(&sub);
		return fail("'%s': subdirectory '%s' is not a plain relative path", u->archive,
			    subdir);
	}
	if (strip)
		sb_adds(&full, u->top);
	if (strip && sub.len)
		sb_addc(&full, '/');
	sb_adds(&full, sb_str(&sub));
	for (i = 1; ret == 0 && i <= full.len; i++) {
		const struct path_node *n;

		if (i < full.len && full.buf[i] != '/')
			continue;
		n = pathtab_find(&u->nodes, full.buf, i);
		if (!n || !path_kind_is_dir(n->kind))
			ret = fail("'%s': has no directory '%s'", u->archive, subdir);
	}
	*rel = sb_detach(&sub);
	*full_path = sb_detach(&full);
	return ret;
}

/*
 * Moves the top directory's children up into dest_dir.  The top is renamed first to a name
 * none of its children has, so a child called like the top itself (pkg/pkg) cannot collide.
 */
static int strip_top(struct unpacker *u)
{
	size_t toplen = strlen(u->top), i;
	char *tmp = NULL;
	int fd, ret = 0;

	for (i = 0; !tmp; i++) {
		char *probe;

		tmp = xasprintf(".cenv-unpack-%zu", i);
		probe = xasprintf("%s/%s", u->top, tmp);
		if (pathtab_find(&u->nodes, probe, strlen(probe))) {
			free(tmp);
			tmp = NULL;
		}
		free(probe);
	}
	if (renameat(u->destfd, u->top, u->destfd, tmp) < 0 ||
	    (fd = fsat_open_dir(u->destfd, tmp)) < 0) {
		ret = fail_errno("'%s': cannot move '%s' up", u->archive, u->top);
		free(tmp);
		return ret;
	}
	for (i = 0; ret == 0 && i < u->nodes.cap; i++) {
		const char *p = u->nodes.slot[i].path;

		/* Only the top's direct children: "top/x", not "top/x/y". */
		if (!p || strncmp(p, u->top, toplen) || p[toplen] != '/' ||
		    strchr(p + toplen + 1, '/'))
			continue;
		if (renameat(fd, p + toplen + 1, u->destfd, p + toplen + 1) < 0)
			ret = fail_errno("'%s': cannot move '%s' up", u->archive, p);
	}
	close(fd);
	if (ret == 0 && unlinkat(u->destfd, tmp, AT_REMOVEDIR) < 0)
		ret = fail_errno("'%s': cannot remove the emptied '%s'", u->archive, u->top);
	free(tmp);
	return ret;
}

static size_t depth(const char *path)
{
	size_t d = 0;

	for (; (path = strchr(path, '/')); path++)
		d++;
	return d;
}

static int deepest_first(const void *x, const void *y)
{
	const struct path_node *a = *(const struct path_node *const *)x;
	const struct path_node *b = *(const struct path_node *const *)y;
	size_t da = depth(a->path), db = depth(b->path);

	if (da != db)
		return da < db ? 1 : -1;
	return strcmp(a->path, b->path);
}

static int fix_dir(struct unpacker *u, const struct path_node *d, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	int pfd = dir_fd(u, rel, slash ? (size_t)(slash - rel) : 0);
	const char *name = slash ? slash + 1 : rel;
	int fd = pfd < 0 || !fsat_plain_name(name) ? -1 : fsat_open_dir(pfd, name);
	struct timespec ts[2] = { { 0, UTIME_OMIT }, d->mtime };
	int ret = 0;

	if (fd < 0 || fchmod(fd, (d->mode & 0777) | 0700) < 0 ||
	    (ts[1].tv_nsec != UTIME_OMIT && futimens(fd, ts) < 0))
		ret = fail_errno("'%s': cannot set the mode of '%s'", u->archive, d->path);
	if (fd >= 0)
		close(fd);
	return ret;
}

/*
 * Applies directories' modes and mtimes last, when nothing more is written into them,
 * deepest first; skip is the length of the stripped "top/" prefix.
 */
static int fix_dirs(struct unpacker *u, size_t skip)
{
	const struct path_node **dirs = xmalloc(u->nodes.used * sizeof(*dirs));
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < u->nodes.cap; i++) {
		const struct path_node *d = &u->nodes.slot[i];

		if (d->path && path_kind_is_dir(d->kind) && strlen(d->path) > skip)
			dirs[n++] = d;
	}
	qsort(dirs, n, sizeof(*dirs), deepest_first);
	for (i = 0; ret == 0 && i < n; i++)
		ret = fix_dir(u, dirs[i], dirs[i]->path + skip);
	free(dirs);
	return ret;
}

static int finish(struct unpacker *u, const char *dest_dir, const struct unpack_options *opt,
		  struct unpack_result *res)
{
	int strip = u->single;
	char *sub = NULL, *full = NULL;
	int ret = -1;

	if (opt && opt->subdir && check_subdir(u, opt->subdir, strip, &sub, &full) < 0)
		goto out;
	if (check_links(u, strip ? 1 : 0, sub && *sub ? full : NULL) < 0)
		goto out;
	fsat_cache_release(&u->dirs); /* the cached path is wrong once the top is stripped */
	if (strip && strip_top(u) < 0)
		goto out;
	if (fix_dirs(u, strip ? strlen(u->top) + 1 : 0) < 0)
		goto out;
	if (res) {
		res->topdir = strip ? xstrdup(u->top) : NULL;
		res->srcdir = sub && *sub ? path_join(dest_dir, sub) : xstrdup(dest_dir);
	}
	ret = 0;
out:
	free(sub);
	free(full);
	return ret;
}

/* Empties dest_dir after a refusal, keeping the refusal as the message. */
static void clear_dest(struct unpacker *u, const char *dest_dir)
{
	char *why = error_take();

	fsat_cache_release(&u->dirs);
	if (remove_contents(dest_dir) == 0) {
		error_restore(why);
		return;
	}
	fail("%s (and cannot empty '%s')", why, dest_dir);
	free(why);
}

static void unpacker_init(struct unpacker *u, const char *archive_path,
			  const struct unpack_options *opt)
{
	memset(u, 0, sizeof(*u));
	u->archive = archive_path;
	u->max_bytes = opt && opt->max_bytes ? opt->max_bytes : UNPACK_MAX_BYTES;
	u->max_entries = opt && opt->max_entries ? opt->max_entries : UNPACK_MAX_ENTRIES;
	u->max_path = opt && opt->max_path ? opt->max_path : UNPACK_MAX_PATH;
	u->max_depth = opt && opt->max_depth ? opt->max_depth : UNPACK_MAX_DEPTH;
	u->size_option = opt ? opt->size_option : NULL;
	u->feed.fd = -1;
	u->feed.archive = archive_path;
	u->destfd = -1;
	u->dirs = (struct fsat_cache)FSAT_CACHE_INIT;
	sb_init(&u->checked);
	sb_init(&u->name);
	sb_init(&u->path);
	sb_init(&u->target);
}

static void unpacker_release(struct unpacker *u)
{
	fsat_cache_release(&u->dirs);
	if (u->destfd >= 0)
		close(u->destfd);
	sb_release(&u->checked);
	sb_release(&u->name);
	sb_release(&u->path);
	sb_release(&u->target);
	pathtab_release(&u->nodes);
	free(u->top);
	digest_release(&u->feed.digest);
	free(u->feed.buf);
	free(u->feed.why);
}

/* Why the archive could not be opened: the feed's failure, or libarchive's; returns 0. */
static int open_failed(struct unpacker *u, struct archive *a)
{
	if (u->feed.why) {
		error_restore(u->feed.why);
		u->feed.why = NULL;
		return 0;
	}
	unpack_open_failed(a, u->archive);
	return 0;
}

static void result_reset(struct unpack_result *res)
{
	if (res) {
		res->topdir = res->srcdir = NULL;
		res->sha256[0] = '\0';
	}
}

int unpack_archive(const char *archive_path, const char *dest_dir,
		   const struct unpack_options *opt, struct unpack_result *res)
{
	int fd = open(archive_path, O_RDONLY | O_CLOEXEC), ret;

	result_reset(res);
	if (fd < 0)
		return fail_errno("cannot open '%s'", archive_path);
	ret = unpack_archive_fd(fd, archive_path, dest_dir, opt, res);
	close(fd);
	return ret;
}

/*
 * The file read to its end and its digest compared, after the entries were read (ok) or
 * refused (!ok, the refusal pending).  A wrong checksum is what the user must hear first,
 * whatever else was wrong, so after a refusal the rest is hashed too when a sum is expected.
 * 0 when ok and the sum matches (sha256 then set), else -1 with fail().
 */
static int verify(struct unpacker *u, const struct unpack_options *opt, int ok,
		  char sha256[DIGEST_HEX_SIZE])
{
	const char *expected = opt ? opt->sha256 : NULL;
	char *earlier = NULL;

	sha256[0] = '\0';
	if (!ok && !expected)
		return -1;
	if (!ok)
		earlier = error_take();
	if (feed_finish(&u->feed, sha256) < 0) {
		sha256[0] = '\0';
		if (earlier) /* the refusal says more than a failed read after it */
			error_restore(earlier);
		return -1;
	}
	if (expected && strcmp(expected, sha256)) {
		free(earlier);
		return fail("checksum mismatch for '%s': expected %s, the file is %s", u->archive,
			    expected, sha256);
	}
	if (earlier) {
		error_restore(earlier);
		return -1;
	}
	return 0;
}

int unpack_archive_fd(int fd, const char *archive_path, const char *dest_dir,
		      const struct unpack_options *opt, struct unpack_result *res)
{
	struct unpacker u;
	struct archive *a = NULL;
	char sha256[DIGEST_HEX_SIZE] = "";
	const void *first;
	la_ssize_t n;
	int ret = -1, empty, ok, copy = -1;

	result_reset(res);
	if (lazylib_archive() < 0)
		return -1;
	empty = dir_is_empty(dest_dir);
	if (empty <= 0)
		return empty < 0 ? -1 : fail("'%s' is not empty", dest_dir);
	unpacker_init(&u, archive_path, opt);
	u.destfd = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.destfd < 0) {
		fail_errno("cannot open '%s'", dest_dir);
		goto out;
	}
	if (digest_init(&u.feed.digest, archive_path) < 0)
		goto out;
	u.feed.fd = fd;
	u.feed.buf = xmalloc(FEED_BLOCK);
	a = unpack_reader_new();
	n = feed_read(NULL, &u.feed, &first);
	if (n > 0)
		u.feed.pending = (size_t)n;
	if (n > 0 && needs_seeking(first, (size_t)n)) {
		/* checked before it is read at all */
		copy = private_copy(&u.feed, u.destfd);
		ok = copy >= 0 && verify(&u, opt, 1, sha256) == 0;
		if (ok && archive_read_open_fd(a, copy, FEED_BLOCK) != ARCHIVE_OK)
			ok = open_failed(&u, a);
	} else if (n == 0) {
		ok = fail("'%s': the archive is empty", archive_path) == 0;
	} else {
		/* No skip callback: libarchive reads what it skips, and the digest sees it all. */
		ok = n >= 0 && archive_read_open(a, &u.feed, NULL, feed_read, NULL) == ARCHIVE_OK;
		if (!ok)
			open_failed(&u, a);
	}
	if (ok)
		ok = read_entries(&u, a) == 0;
	if (verify(&u, opt, ok, sha256) < 0 || finish(&u, dest_dir, opt, res) < 0) {
		if (res && sha256[0] && opt && opt->sha256 && strcmp(sha256, opt->sha256))
			memcpy(res->sha256, sha256, sizeof(sha256));
		clear_dest(&u, dest_dir);
		goto out;
	}
	if (res)
		memcpy(res->sha256, sha256, sizeof(sha256));
	ret = 0;
out:
	if (a)
		archive_read_free(a);
	if (copy >= 0)
		close(copy);
	unpacker_release(&u);
	return ret;
}

void unpack_result_release(struct unpack_result *res)
{
	free(res->topdir);
	free(res->srcdir);
	res->topdir = res->srcdir = NULL;
}

struct archive *unpack_reader_new(void)
{
	static const int formats[] = {
		ARCHIVE_FORMAT_TAR, ARCHIVE_FORMAT_CPIO, ARCHIVE_FORMAT_ZIP, ARCHIVE_FORMAT_7ZIP,
		ARCHIVE_FORMAT_AR, ARCHIVE_FORMAT_ISO9660, ARCHIVE_FORMAT_XAR, ARCHIVE_FORMAT_LHA,
		ARCHIVE_FORMAT_CAB, ARCHIVE_FORMAT_RAR, ARCHIVE_FORMAT_RAR_V5,
	};
	struct archive *a = archive_read_new();
	size_t i;

	archive_read_support_filter_all(a);
	/* A format this libarchive lacks (xar without libxml2) is simply not read. */
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		archive_read_support_format_by_code(a, formats[i]);
	return a;
}

int unpack_open_failed(struct archive *a, const char *path)
{
	const char *msg = archive_error_string(a);

	/* No reader took it (libarchive's ARCHIVE_ERRNO_FILE_FORMAT is EILSEQ on Linux). */
	if (archive_errno(a) == EILSEQ || !msg)
		return fail("'%s' is not an archive cenv can unpack (tar, cpio, zip, 7-Zip, ar, "
			    "ISO 9660, xar, LHA, CAB or RAR, compressed or not)", path);
	return fail("'%s': %s", path, msg);
}

int unpack_parse_size(const char *text, uint64_t *bytes)
{
	static const char units[] = "KMGT";
	const char *p = text, *unit;
	uint64_t n = 0;
	int shift = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return fail("'%s' is too large a size", text);
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p != text && *p && (unit = strchr(units, *p >= 'a' ? *p - 'a' + 'A' : *p)) && *unit) {
		shift = 10 * (int)(unit - units + 1);
		p++;
	}
	if (p == text || *p || n == 0)
		return fail("'%s' is not a size (a number of bytes, at least 1, or one with K, M, "
			    "G or T after it: 1K = 1024)", text);
	if (n > UINT64_MAX >> shift)
		return fail("'%s' is too large a size", text);
	*bytes = n << shift;
	return 0;
}
