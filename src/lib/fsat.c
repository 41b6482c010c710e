/* fsat.c - opening, creating and removing paths under directory fds, never through a symlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "failp.h"
#include "util.h"

int fsat_open_dir(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

void fsat_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int fsat_sync(int fd, const char *what)
{
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		return fail_errno("cannot sync '%s'", what);
	return 0;
}

/* Callers pass checked paths; checking again keeps a bug there from becoming an escape. */
int fsat_plain_name(const char *name)
{
	if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int fsat_walk(int at, const char *dir, size_t len, mode_t mkdir_mode, size_t *bad)
{
	char *copy = xmalloc(len + 1), *p = copy;
	int fd = fcntl(at, F_DUPFD_CLOEXEC, 0);

	memcpy(copy, dir, len);
	copy[len] = '\0';
	if (fd < 0 && bad)
		*bad = 0;
	while (fd >= 0 && *p) {
		char *slash = strchr(p, '/');
		int next, saved;

		if (slash)
			*slash = '\0';
		next = fsat_plain_name(p) ? fsat_open_dir(fd, p) : -1;
		if (next < 0 && errno == ENOENT && mkdir_mode &&
		    (mkdirat(fd, p, mkdir_mode) == 0 || errno == EEXIST))
			next = fsat_open_dir(fd, p);
		saved = errno;
		close(fd);
		errno = saved;
		fd = next;
		p += strlen(p);
		if (fd < 0 && bad)
			*bad = (size_t)(p - copy);
		if (slash)
			p++;
	}
	free(copy);
	return fd;
}

int fsat_parent(int root, const char *base, const char *rel, const char **leaf)
{
	const char *slash = strrchr(rel, '/');
	size_t bad = 0;
	int fd, saved;

	*leaf = slash ? slash + 1 : rel;
	fd = fsat_walk(root, rel, slash ? (size_t)(slash - rel) : 0, 0, &bad);
	if (fd >= 0)
		return fd;
	saved = errno;
	if (!bad) {
		fail_errno("cannot open '%s'", base);
	} else if (saved == ELOOP || saved == ENOTDIR) {
		char *part = xasprintf("%.*s", (int)bad, rel);

		failp("'%s/%s' is a symlink or not a directory", base, part);
		free(part);
	} else {
		fail_errno("cannot open '%s/%.*s'", base, (int)bad, rel);
	}
	errno = saved;
	return -1;
}

int fsat_lstat(int root, const char *base, const char *rel, struct stat *st)
{
	if (fstatat(root, rel, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 1;
	return fail_errno("cannot read '%s/%s'", base, rel);
}

int fsat_dir_empty(int dir, const char *leaf)
{
	int fd = fsat_open_dir(dir, leaf), empty;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	empty = 1;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* ---- the cache of the last directory ------------------------------------- */

static int cache_holds(const struct fsat_cache *c, const char *dir, size_t len)
{
	return c->fd >= 0 && strlen(c->dir) == len && !strncmp(c->dir, dir, len);
}

static int cache_keep(struct fsat_cache *c, const char *dir, size_t len, int fd)
{
	c->fd = fd;
	if (fd >= 0)
		c->dir = xasprintf("%.*s", (int)len, dir);
	return fd;
}

int fsat_cached_dir(struct fsat_cache *c, int at, const char *dir, size_t len, mode_t mkdir_mode)
{
	if (cache_holds(c, dir, len))
		return c->fd;
	fsat_cache_release(c);
	return cache_keep(c, dir, len, fsat_walk(at, dir, len, mkdir_mode, NULL));
}

int fsat_cached_parent(struct fsat_cache *c, int root, const char *base, const char *rel,
		       const char **leaf)
{
	const char *slash = strrchr(rel, '/');
	size_t len = slash ? (size_t)(slash - rel) : 0;

	*leaf = slash ? slash + 1 : rel;
	if (cache_holds(c, rel, len))
		return c->fd;
	fsat_cache_release(c);
	return cache_keep(c, rel, len, fsat_parent(root, base, rel, leaf));
}

void fsat_cache_release(struct fsat_cache *c)
{
	fsat_close(&c->fd);
	free(c->dir);
	c->dir = NULL;
}
