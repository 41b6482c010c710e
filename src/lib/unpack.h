/* unpack.h - safe extraction of a source archive into a private, empty staging directory. */
#ifndef CENV_UNPACK_H
#define CENV_UNPACK_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"

struct archive; /* libarchive's reader */

/* The limits when the options leave them 0: well above any real package. */
#define UNPACK_MAX_BYTES (8ULL << 30) /* 8 GiB of files */
#define UNPACK_MAX_ENTRIES 1000000ULL
#define UNPACK_MAX_PATH 4095 /* PATH_MAX - 1 */
#define UNPACK_MAX_DEPTH 128 /* components of an entry's path; real sources rarely pass 20 */

/* Read-only; owned by the caller.  A NULL pointer means all defaults. */
struct unpack_options {
	/*
	 * Relative path of the source tree inside the (stripped) archive, or NULL.  It is checked
	 * to be a real directory of the archive and reported in res->srcdir; the whole tree stays
	 * in dest_dir, but the subdirectory is what gets installed, so no symlink in it may lead
	 * out of it (subdir/LICENSE -> ../LICENSE is refused).
	 */
	const char *subdir;
	/*
	 * Refuse the archive once its files would hold more bytes than this, counted from each
	 * entry's declared size before its data is written (a sparse file counts in full);
	 * 0: UNPACK_MAX_BYTES.
	 */
	uint64_t max_bytes;
	/* The sha256 the whole file must have (64 lowercase hex digits), or NULL: only computed. */
	const char *sha256;
	/*
	 * Refuse an archive of more entries than this, the directories its entries imply (named
	 * by no entry of their own) counted as entries; 0: UNPACK_MAX_ENTRIES.
	 */
	uint64_t max_entries;
	/*
	 * The longest entry path accepted, in bytes, counted as the archive names it (top
	 * directory and subdir included, so at least what is later installed); 0: UNPACK_MAX_PATH.
	 * The caller computes it from where the tree is unpacked, staged and installed.
	 */
	size_t max_path;
	/*
	 * Refuse an entry whose path has more components than this, counted as the archive
	 * names it ("pkg-1.0/src/a.c": 3); 0: UNPACK_MAX_DEPTH.
	 */
	size_t max_depth;
	/* How the user raises max_bytes, named in the refusal ("--max-unpacked-size"), or NULL. */
	const char *size_option;
};

/* The strings are freed with unpack_result_release(). */
struct unpack_result {
	char *topdir; /* the stripped top-level directory ("name-1.2"), or NULL if none was */
	char *srcdir; /* dest_dir, or dest_dir/subdir */
	/*
	 * The sha256 of the whole file, every byte unpacked among them; "" when it was not read
	 * to its end.  Set on a checksum mismatch too (then the strings are NULL).
	 */
	char sha256[DIGEST_HEX_SIZE];
};

/*
 * Extracts archive_path (tar, cpio, zip, 7-Zip, ar, ISO 9660, xar, LHA, CAB or RAR, with any
 * compression libarchive reads) into dest_dir, which must exist and be empty.  When every
 * entry lies under one top-level directory, its contents land directly in dest_dir.  Files
 * keep their permissions without setuid/setgid/sticky and their mtimes; directories also get
 * u+rwx so the tree can be built in and removed; owners are never restored.  Nothing is ever
 * written outside dest_dir and no symlink is followed while writing.  Refuses the whole
 * archive for absolute or ".." names, symlinks that are absolute or lead out of the package
 * (out of subdir, for those inside it), hardlinks to anything but an earlier regular file,
 * devices, FIFOs, sockets, control characters in names or link targets, a file given twice, a
 * file turned into a directory or back, a path through a symlink of the archive, paths,
 * sizes, depths or entry counts over the limits, a file of another format (mtree, text) and a
 * checksum other than opt->sha256.  Every byte unpacked is a byte hashed: the file is hashed
 * as libarchive reads it, then to its end, and compared before this returns.
 * Returns 0, or -1 with fail() naming the archive and the entry; then dest_dir is left empty.
 * res is always reset; its strings are set only on success.
 * Safe to call from several threads at once (no chdir, no umask, no global state).
 */
int unpack_archive(const char *archive_path, const char *dest_dir,
		   const struct unpack_options *opt, struct unpack_result *res);

/*
 * The same from an open descriptor, read from where it stands to its end (not closed; the
 * digest covers those bytes).  archive_path names it in messages.
 */
int unpack_archive_fd(int fd, const char *archive_path, const char *dest_dir,
		      const struct unpack_options *opt, struct unpack_result *res);

/* Frees what unpack_archive() put in res and resets it; res may be all NULL. */
void unpack_result_release(struct unpack_result *res);

/*
 * A libarchive reader of every filter and of the formats above only (never mtree, which
 * copies files named inside it from this machine, nor raw or empty, which take any text for
 * an archive).  Call lazylib_archive() first; free with archive_read_free().
 */
struct archive *unpack_reader_new(void);
/* The failure of archive_read_open*() on reader a as a message naming path; returns -1. */
int unpack_open_failed(struct archive *a, const char *path);

/*
 * A size as the user writes it: bytes, or a number with K, M, G or T (KiB units: 1K = 1024),
 * at least 1.  0, or -1 with fail() naming the text.
 */
int unpack_parse_size(const char *text, uint64_t *bytes);

#endif
