/* readfile.h - reading a whole file cenv depends on: a regular file, bounded, never blocking. */
#ifndef CENV_READFILE_H
#define CENV_READFILE_H

#include <stddef.h>

/* The caps: manifests, records and the journal; cenv.cfg. */
#define READFILE_CAP ((size_t)16 << 20)
#define READFILE_CFG_CAP ((size_t)1 << 20)

/* flags */
#define READFILE_NOFOLLOW 1 /* a symlink at path is refused, not followed (cenv's own files) */

/*
 * Reads the file at path into *out (NUL-terminated, caller frees) and its
 * length into *len (if not NULL).  The file is opened O_NONBLOCK, so a FIFO
 * or a device cannot make cenv wait, and must be a regular file (fstat) of
 * at most cap bytes; a file that grows past cap while read is refused too.
 * 0, or -1 with fail() naming path (and the cap) and errno set: ENOENT when
 * there is no such file, EFBIG when too large, EINVAL when not a regular file.
 */
int readfile(const char *path, size_t cap, int flags, char **out, size_t *len);

#endif
