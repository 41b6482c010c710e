/* unpack.h - safe extraction of a source archive into a private, empty staging directory. */
#ifndef CENV_UNPACK_H
#define CENV_UNPACK_H

#include <stdint.h>

/* Read-only; owned by the caller.  A NULL pointer means all defaults. */
struct unpack_options {
	/*
	 * Relative path of the source tree inside the (stripped) archive, or NULL.  It is checked
	 * to be a real directory of the archive and reported in res->srcdir; the whole tree stays
	 * in dest_dir so links such as subdir/LICENSE -> ../LICENSE keep working.
	 */
	const char *subdir;
	/* Refuse the archive once its files would hold more bytes than this; 0: no limit. */
	uint64_t max_bytes;
};

/* Filled only on success; the caller frees the strings with unpack_result_release(). */
struct unpack_result {
	char *topdir; /* the stripped top-level directory ("name-1.2"), or NULL if none was */
	char *srcdir; /* dest_dir, or dest_dir/subdir */
};

/*
 * Extracts archive_path (any format and compression libarchive reads) into dest_dir, which
 * must exist and be empty.  When every entry lies under one top-level directory, its contents
 * land directly in dest_dir.  Files keep their permissions without setuid/setgid/sticky and
 * their mtimes; directories also get u+rwx so the tree can be built in and removed; owners are
 * never restored.  Nothing is ever written outside dest_dir and no symlink is followed while
 * writing.  Refuses the whole archive for absolute or ".." names, symlinks that are absolute
 * or lead out of the package, hardlinks to anything but an earlier regular file, devices,
 * FIFOs, sockets, control characters in names or link targets, a file given twice, a file
 * turned into a directory or back, a path through a symlink of the archive, and mtree files.
 * Returns 0, or -1 with fail() naming the archive and the entry; then dest_dir is left empty.
 * Safe to call from several threads at once (no chdir, no umask, no global state).
 */
int unpack_archive(const char *archive_path, const char *dest_dir,
		   const struct unpack_options *opt, struct unpack_result *res);

/*
 * The same from an open descriptor, read from where it stands (not closed):
 * the installer hashes the archive and unpacks it from one open file, so what
 * is unpacked is what was checked.  archive_path names it in messages.
 */
int unpack_archive_fd(int fd, const char *archive_path, const char *dest_dir,
		      const struct unpack_options *opt, struct unpack_result *res);

/* Frees what unpack_archive() put in res and resets it; res may be all NULL. */
void unpack_result_release(struct unpack_result *res);

#endif
