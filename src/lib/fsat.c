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

DIR *fsat_opendir(int fd)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;

	if (!d && dup >= 0) {
		int saved = errno;

		close(dup);
		errno = saved;
	}
	return d;
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
	while (empty && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	if (!de && errno)
		empty = 0; /* unread is not empty: the caller would remove it */
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

/* ---- removing a tree of any depth ------------------------------------------ */

/* One directory on the way down: its name in its parent and its identity. */
struct rm_level {
	char *name;
	dev_t dev;
	ino_t ino;
};

/* base/name/.../leaf of the levels, for messages (any length: it is only printed). */
static char *rm_path(const char *base, const struct rm_level *lv, size_t n, const char *leaf)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	sb_adds(&sb, base);
	for (i = 0; i < n; i++) {
		sb_addc(&sb, '/');
		sb_adds(&sb, lv[i].name);
	}
	if (leaf && *leaf) {
		sb_addc(&sb, '/');
		sb_adds(&sb, leaf);
	}
	return sb_detach(&sb);
}

/* Opens the directory name in at to empty it, giving its owner rwx when it lacks them. */
static int rm_open(int at, const char *name, struct stat *st)
{
	int fd = fsat_open_dir(at, name);

	/* fchmodat follows a symlink, but fsat_open_dir just saw a directory (or EACCES on one) */
	if (fd < 0 && errno == EACCES && fchmodat(at, name, 0700, 0) == 0)
		fd = fsat_open_dir(at, name);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 ||
	    ((st->st_mode & 0700) != 0700 && fchmod(fd, (st->st_mode & 07777) | 0700) < 0)) {
		int saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * Removes every entry of the directory fd that is not a directory; *sub gets the name of
 * the first directory met (the caller descends into it), or NULL when fd is now empty.
 * -1 with errno set, *bad the entry that could not be removed (caller frees).
 */
static int rm_entries(int fd, char **sub, char **bad)
{
	DIR *d = fsat_opendir(fd);
	struct dirent *de;
	int ret = 0;

	*sub = *bad = NULL;
	if (!d) {
		return -1;
	}
	while ((errno = 0, de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* (POSIX has no d_type) */
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			ret = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			*sub = xstrdup(de->d_name);
			break;
		}
		if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT) {
			ret = -1;
			break;
		}
	}
	if (ret == 0 && !*sub && errno)
		ret = -1;
	{
		int saved = errno;

		if (ret < 0)
			*bad = xstrdup(de ? de->d_name : "");
		closedir(d);
		errno = saved;
	}
	return ret;
}

int fsat_remove_tree(int at, const char *base, const char *name)
{
	struct rm_level *lv = NULL;
	size_t n = 0, cap = 0;
	struct stat st;
	char *sub = NULL, *bad = NULL, *shown;
	int fd = -1, ret = -1;

	if (!fsat_plain_name(name) || strchr(name, '/'))
		return fail("cannot remove '%s/%s': not a name in the directory", base, name);
	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : fail_errno("cannot remove '%s/%s'", base, name);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) < 0 && errno != ENOENT)
			return fail_errno("cannot remove '%s/%s'", base, name);
		return 0;
	}
	fd = rm_open(at, name, &st);
	if (fd < 0)
		return fail_errno("cannot remove '%s/%s'", base, name);
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			lv = xrealloc(lv, cap * sizeof(*lv));
		}
		lv[n].name = sub ? sub : xstrdup(name);
		lv[n].dev = st.st_dev;
		lv[n].ino = st.st_ino;
		n++;
		sub = NULL;
		/* empty the deepest directory, going down at each subdirectory found */
		while (rm_entries(fd, &sub, &bad) == 0 && !sub) {
			int parent;

			if (n == 1) {
				fsat_close(&fd);
				if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
					bad = NULL;
					goto fail_here;
				}
				ret = 0;
				goto out;
			}
			parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (parent < 0 || fstat(parent, &st) < 0)
				goto fail_here;
			if (st.st_dev != lv[n - 2].dev || st.st_ino != lv[n - 2].ino) {
				close(parent);
				shown = rm_path(base, lv, n, NULL);
				fail("cannot remove '%s': it was moved while being removed", shown);
				free(shown);
				goto out;
			}
			fsat_close(&fd);
			fd = parent;
			n--;
			if (unlinkat(fd, lv[n].name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
				bad = lv[n].name;
				lv[n].name = NULL;
				goto fail_here;
			}
			free(lv[n].name);
		}
		if (!sub)
			goto fail_here; /* rm_entries failed on bad */
		{
			int next = rm_open(fd, sub, &st);

			if (next < 0) {
				bad = sub;
				sub = NULL;
				goto fail_here;
			}
			fsat_close(&fd);
			fd = next;
		}
	}
fail_here:
	{
		int saved = errno;

		shown = rm_path(base, lv, n, bad);
		errno = saved;
		fail_errno("cannot remove '%s'", shown);
		free(shown);
	}
out:
	fsat_close(&fd);
	while (n > 0)
		free(lv[--n].name);
	free(lv);
	free(sub);
	free(bad);
	return ret;
}
