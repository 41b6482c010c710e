/* verify.c - an environment's tree held against its records, as rpm -V and debsums do; never prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "fsat.h"
#include "layout.h"
#include "record.h"
#include "strvec.h"
#include "util.h"
#include "verify.h"

/* What cenv itself writes outside its state (create, scripts.c): nobody's package, never unowned. */
static const char *const own_files[] = { LAYOUT_CONFIG, "bin/activate", "bin/activate.csh",
					 "bin/activate.fish", NULL };

const char *verify_what_name(unsigned bit)
{
	switch (bit) {
	case VERIFY_TYPE: return "type";
	case VERIFY_TARGET: return "target";
	case VERIFY_SIZE: return "size";
	case VERIFY_SHA256: return "sha256";
	case VERIFY_MODE: return "mode";
	}
	return NULL;
}

const char *verify_kind_name(enum verify_kind kind)
{
	switch (kind) {
	case VERIFY_MISSING: return "missing";
	case VERIFY_CHANGED: return "changed";
	case VERIFY_UNOWNED: return "unowned";
	case VERIFY_DAMAGED: return "damaged";
	case VERIFY_UNREADABLE: return "unreadable";
	}
	return "?";
}

void verify_release(struct verify_result *res)
{
	size_t i;

	for (i = 0; i < res->nfindings; i++) {
		free(res->findings[i].package);
		free(res->findings[i].path);
		free(res->findings[i].message);
	}
	free(res->findings);
	memset(res, 0, sizeof(*res));
}

/* Adds a finding; package and path are copied, message is taken over (malloc'd, or NULL). */
static void add(struct verify_result *res, enum verify_kind kind, const char *package,
		const char *path, unsigned what, char *message)
{
	struct verify_finding *f;

	if (res->nfindings == res->cap) {
		res->cap = res->cap ? res->cap * 2 : 16;
		res->findings = xrealloc(res->findings, res->cap * sizeof(*res->findings));
	}
	f = &res->findings[res->nfindings++];
	f->kind = kind;
	f->package = package ? xstrdup(package) : NULL;
	f->path = path ? xstrdup(path) : NULL;
	f->what = what;
	f->message = message;
}

/* A finding for a file that could not be looked at: errno says why. */
static void add_unreadable(struct verify_result *res, const char *package, const char *path,
			   const char *doing)
{
	add(res, VERIFY_UNREADABLE, package, path, 0, xasprintf("%s: %s", doing, strerror(errno)));
}

/* ---- a record's files against the tree ----------------------------------- */

/*
 * A regular file: the mode and size from fstatat, then (same size only) the
 * sha256 of what an open of the very same inode reads.  Opened O_NONBLOCK
 * and only once fstatat saw a regular file, so a fifo or a device put there
 * is reported as a type change, never opened, never waited on.
 */
static void verify_regular(struct verify_result *res, const char *package,
			   const struct record_file *f, int dir, const char *leaf,
			   const struct stat *st)
{
	char sha[DIGEST_HEX_SIZE];
	unsigned what = 0;
	long long size;
	struct stat fst;
	int fd;

	if ((st->st_mode & 07777) != (f->mode & 07777))
		what |= VERIFY_MODE;
	if ((long long)st->st_size != f->size) {
		add(res, VERIFY_CHANGED, package, f->path, what | VERIFY_SIZE, NULL);
		return;
	}
	fd = openat(dir, leaf, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP) { /* it became a symlink since fstatat */
			add(res, VERIFY_CHANGED, package, f->path, VERIFY_TYPE, NULL);
			return;
		}
		if (what)
			add(res, VERIFY_CHANGED, package, f->path, what, NULL);
		add_unreadable(res, package, f->path, "cannot open it");
		return;
	}
	if (fstat(fd, &fst) < 0 || !S_ISREG(fst.st_mode) || fst.st_ino != st->st_ino ||
	    fst.st_dev != st->st_dev) {
		close(fd);
		add(res, VERIFY_CHANGED, package, f->path, VERIFY_TYPE, NULL);
		return;
	}
	if (digest_fd(fd, f->path, sha, &size) < 0) {
		int saved = errno;

		free(error_take());
		close(fd);
		if (what)
			add(res, VERIFY_CHANGED, package, f->path, what, NULL);
		errno = saved;
		add_unreadable(res, package, f->path, "cannot read it");
		return;
	}
	close(fd);
	if (size != f->size)
		what |= VERIFY_SIZE; /* it changed while it was read */
	else if (strcmp(sha, f->sha256))
		what |= VERIFY_SHA256;
	if (what)
		add(res, VERIFY_CHANGED, package, f->path, what, NULL);
}

static void verify_file(struct verify_result *res, struct fsat_cache *cache, int root,
			const char *package, const struct record_file *f)
{
	const char *slash = strrchr(f->path, '/'), *leaf = slash ? slash + 1 : f->path;
	int dir = fsat_cached_dir(cache, root, f->path, slash ? (size_t)(slash - f->path) : 0, 0);
	struct stat st;
	char *target;

	if (dir < 0) {
		/* no directory on the way, or a symlink or a file in its place: nothing is at the path */
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			add(res, VERIFY_MISSING, package, f->path, 0, NULL);
		else
			add_unreadable(res, package, f->path, "cannot open its directory");
		return;
	}
	if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			add(res, VERIFY_MISSING, package, f->path, 0, NULL);
		else
			add_unreadable(res, package, f->path, "cannot look at it");
		return;
	}
	if (f->type == 'f') {
		if (!S_ISREG(st.st_mode))
			add(res, VERIFY_CHANGED, package, f->path, VERIFY_TYPE, NULL);
		else
			verify_regular(res, package, f, dir, leaf, &st);
		return;
	}
	/* a symlink: its target (its mode is always 0777 where cenv runs) */
	if (!S_ISLNK(st.st_mode)) {
		add(res, VERIFY_CHANGED, package, f->path, VERIFY_TYPE, NULL);
		return;
	}
	target = read_link_at(dir, leaf, (size_t)st.st_size);
	if (!target) {
		int saved = errno;

		free(error_take());
		errno = saved;
		add_unreadable(res, package, f->path, "cannot read the symlink");
		return;
	}
	if (!f->link_target || strcmp(target, f->link_target))
		add(res, VERIFY_CHANGED, package, f->path, VERIFY_TARGET, NULL);
	free(target);
}

/*
 * The paths a damaged record still names, read on top of record.h's escaping:
 * the fifth field of each file line that holds a good path.  They are not
 * checked (the record cannot be trusted), only kept off the unowned list, so
 * one damaged record is one problem, not one per file.
 */
static void salvage_paths(const char *prefix, const char *name, struct strvec *owned)
{
	char *file = xasprintf("%s/%s/%s", prefix, RECORD_DIR, name), *text, *line, *next;
	size_t len;

	if (read_file(file, &text, &len) < 0) {
		free(error_take());
		free(file);
		return;
	}
	for (line = text; line && *line; line = next) {
		char *field = line, *path;
		int i;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if ((line[0] != 'f' && line[0] != 'l') || line[1] != ' ')
			continue;
		for (i = 0; i < 4 && field; i++) {
			field = strchr(field, ' ');
			if (field)
				field++;
		}
		if (!field)
			continue;
		if (strchr(field, ' '))
			*strchr(field, ' ') = '\0';
		path = record_unescape(field);
		if (path && record_path_ok(path))
			strvec_push_owned(owned, path);
		else
			free(path);
	}
	free(text);
	free(file);
}

/* ---- the managed directories, for files in no record ----------------------- */

static int is_own_file(const char *rel)
{
	const char *const *p;

	for (p = own_files; *p; p++)
		if (!strcmp(*p, rel))
			return 1;
	return 0;
}

static void note_entry(struct verify_result *res, const struct strvec *owned, const char *rel)
{
	if (strvec_find(owned, rel) < 0 && !is_own_file(rel))
		add(res, VERIFY_UNOWNED, NULL, rel, 0, NULL);
}

/*
 * Walks one directory, pushing its subdirectories on todo.  Each directory is
 * reached again from the root one component at a time (fsat_walk), so the walk
 * holds one descriptor whatever the depth and never follows a symlink.
 */
static void walk_dir(struct verify_result *res, const struct strvec *owned, int root,
		     const char *rel, struct strvec *todo)
{
	int fd = fsat_walk(root, rel, strlen(rel), 0, NULL);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		if (errno != ENOENT) /* gone meanwhile: nothing left in it */
			add_unreadable(res, NULL, rel, "cannot read the directory");
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;
		char *child;
		int isdir;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = xasprintf("%s/%s", rel, de->d_name);
		if (layout_in_state(child)) { /* var/cenv: cenv's own state, never a package's */
			free(child);
			continue;
		}
		/* (d_type is not POSIX) */
		isdir = fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		if (isdir)
			strvec_push_owned(todo, child);
		else {
			note_entry(res, owned, child);
			free(child);
		}
	}
	closedir(d);
}

/*
 * The top-level directories walked: the layout's (bin, include, lib, share,
 * var, which holds cenv's state) and every one a record names a file in
 * (sbin, etc, libexec...), so a file slipped in next to a package's is seen
 * wherever the package installed.  A top-level directory no package uses is
 * the user's (notes, a checkout): not walked.
 */
static void managed_tops(const struct strvec *owned, struct strvec *tops)
{
	const char *const *d;
	size_t i;

	for (d = layout_dirs; *d; d++)
		if (!strchr(*d, '/'))
			strvec_push(tops, *d);
	for (i = 0; i < owned->n; i++) {
		const char *path = owned->v[i], *slash = strchr(path, '/');

		if (slash)
			strvec_push_owned(tops, xasprintf("%.*s", (int)(slash - path), path));
	}
	strvec_sort_unique(tops);
}

/*
 * The top level: each managed directory walked down, and every entry that is
 * not a directory (a stray file, a symlink in place of lib/) unowned unless a
 * record names it or it is cenv.cfg: nothing but cenv and packages puts files
 * there.
 */
static void walk_managed(struct verify_result *res, const struct strvec *owned, int root)
{
	struct strvec tops = STRVEC_INIT, todo = STRVEC_INIT;
	DIR *d = fsat_opendir(root);
	struct dirent *de;

	if (!d) {
		add_unreadable(res, NULL, ".", "cannot read the directory");
		return;
	}
	managed_tops(owned, &tops);
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				add_unreadable(res, NULL, de->d_name, "cannot look at it");
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			note_entry(res, owned, de->d_name);
			continue;
		}
		if (strvec_find(&tops, de->d_name) < 0)
			continue;
		strvec_push(&todo, de->d_name);
		while (todo.n) {
			char *rel = todo.v[todo.n - 1];

			todo.v[--todo.n] = NULL; /* taken: walk_dir may push more */
			walk_dir(res, owned, root, rel, &todo);
			free(rel);
		}
	}
	closedir(d);
	strvec_release(&todo);
	strvec_release(&tops);
}

static int cmp_unowned(const void *a, const void *b)
{
	return strcmp(((const struct verify_finding *)a)->path, ((const struct verify_finding *)b)->path);
}

/* ---- the whole environment ------------------------------------------------- */

int verify_env(const char *prefix, struct verify_result *res)
{
	struct fsat_cache cache = FSAT_CACHE_INIT;
	struct strvec owned = STRVEC_INIT;
	char **names = NULL;
	size_t n = 0, i, j, first_unowned;
	int root, ret = -1;

	memset(res, 0, sizeof(*res));
	root = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return fail_errno("cannot open '%s'", prefix);
	if (record_names(prefix, &names, &n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		struct record r;

		if (record_load(prefix, names[i], &r) < 0) {
			if (errno == ENOENT) { /* uninstalled since it was listed */
				free(error_take());
				continue;
			}
			res->npackages++;
			add(res, VERIFY_DAMAGED, names[i], NULL, 0, error_take());
			salvage_paths(prefix, names[i], &owned);
			continue;
		}
		res->npackages++;
		res->nfiles += r.nfiles;
		for (j = 0; j < r.nfiles; j++) {
			verify_file(res, &cache, root, r.name, &r.files[j]);
			strvec_push(&owned, r.files[j].path);
		}
		record_release(&r);
	}
	fsat_cache_release(&cache);
	strvec_sort_unique(&owned);
	first_unowned = res->nfindings;
	walk_managed(res, &owned, root);
	if (res->nfindings > first_unowned)
		qsort(res->findings + first_unowned, res->nfindings - first_unowned,
		      sizeof(*res->findings), cmp_unowned);
	ret = 0;
out:
	fsat_cache_release(&cache);
	strvec_release(&owned);
	record_names_free(names, n);
	close(root);
	if (ret < 0)
		verify_release(res);
	return ret;
}
