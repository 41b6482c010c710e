/* fsat.h - opening, creating and removing paths under directory fds, never through a symlink. */
#ifndef CENV_FSAT_H
#define CENV_FSAT_H

#include <dirent.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Every directory is reached from a descriptor one component at a time with
 * O_NOFOLLOW | O_DIRECTORY, so a symlink anywhere on the way is refused, not
 * followed; a file is then created, renamed or removed with the *at() calls
 * on the descriptor of its parent (fsat_parent) and its last component.
 * Descriptors returned are new and O_CLOEXEC; the caller closes them.
 */

/* Opens the directory name in at, refusing a symlink (ELOOP) or a non-directory (ENOTDIR). */
int fsat_open_dir(int at, const char *name);
/*
 * A directory stream over a duplicate of fd, so the caller's descriptor stays
 * its own (closedir() closes only the duplicate).  NULL with errno kept.
 */
DIR *fsat_opendir(int fd);
/* Closes *fd if open and marks it closed (-1). */
void fsat_close(int *fd);
/* fsync, where the file system can; 0, or -1 with fail() naming what. */
int fsat_sync(int fd, const char *what);
/* 1 when name can be a component: not "", "." or ".." (else 0, errno EINVAL). */
int fsat_plain_name(const char *name);

/*
 * Opens the directory made of the first len bytes of dir ("a/b/c": relative,
 * no "", "." or ".." component) under at; len 0 gives a new descriptor of at
 * itself.  With mkdir_mode non-zero a missing component is made with that mode
 * (one made meanwhile by someone else is fine).  Returns the descriptor, or
 * -1 with errno set and no message; then *bad (if not NULL) gets the length of
 * the part of dir that could not be opened ("a/b" when b is a symlink).
 */
int fsat_walk(int at, const char *dir, size_t len, mode_t mkdir_mode, size_t *bad);

/*
 * Opens the directory holding rel inside root, without making anything;
 * *leaf points at rel's last component.  -1 with fail() and errno kept
 * (ENOENT: a component is missing; ELOOP or ENOTDIR: one is a symlink or not
 * a directory).  base names root in messages ("'BASE/a/b' is a symlink ...").
 */
int fsat_parent(int root, const char *base, const char *rel, const char **leaf);

/* lstat of rel under root: 0, 1 when absent (ENOENT or ENOTDIR), -1 with fail() naming base/rel. */
int fsat_lstat(int root, const char *base, const char *rel, struct stat *st);

/*
 * rm -rf of name (one component) in the directory at, never following a
 * symlink: a symlink is removed, not what it points to.  Any depth, paths
 * longer than PATH_MAX included: it holds one directory open at a time and
 * climbs back through "..", checked to be the directory it came from.  A
 * directory without u+rwx (a build's 0555 tree) gets it first.  base names at
 * in messages.  0 (also when name is absent), or -1 with fail().
 */
int fsat_remove_tree(int at, const char *base, const char *name);

/* 1 when leaf (in dir) is an empty directory, reached without a symlink; 0 otherwise. */
int fsat_dir_empty(int dir, const char *leaf);

/*
 * The parent directory of the last path looked up, kept open: paths that come
 * sorted share their parents, so one walk from the root serves a whole
 * directory of them (20,000 files would otherwise open 200,000 directories).
 * Owner: whoever declared it (FSAT_CACHE_INIT); free with fsat_cache_release.
 */
struct fsat_cache {
	char *dir; /* relative path of the directory open in fd */
	int fd;
};
#define FSAT_CACHE_INIT { NULL, -1 }

/* fsat_walk() through the cache; the descriptor stays the cache's: do not close it. */
int fsat_cached_dir(struct fsat_cache *c, int at, const char *dir, size_t len, mode_t mkdir_mode);
/* fsat_parent() through the cache, likewise. */
int fsat_cached_parent(struct fsat_cache *c, int root, const char *base, const char *rel,
		       const char **leaf);
/* Closes the directory and forgets it; the cache can be used again. */
void fsat_cache_release(struct fsat_cache *c);

#endif
