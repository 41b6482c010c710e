/* stagecheck.c - a build's staged tree judged before the commit: a real prefix, no symlink or hard link leading out. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "layout.h"
#include "quote.h"
#include "stagecheck.h"
#include "strvec.h"
#include "util.h"

/* The next component of *p (skipping "/" and "."), its length in *len; NULL at the end. */
static const char *next_part(const char **p, size_t *len)
{
	for (;;) {
		const char *s = *p;

		while (*s == '/')
			s++;
		if (!*s)
			return NULL;
		*len = strcspn(s, "/");
		*p = s + *len;
		if (!(*len == 1 && s[0] == '.'))
			return s;
	}
}

enum stagecheck_verdict stagecheck_link(const char *prefix, const char *rel, const char *target)
{
	const char *p = target, *part;
	size_t depth = 0, len;
	int named = 0;

	if (target[0] == '/') {
		/* the prefix's components, one by one, then the rest from the prefix itself */
		const char *q = prefix, *want;
		size_t wlen;

		while ((want = next_part(&q, &wlen))) {
			part = next_part(&p, &len);
			if (!part || len != wlen || strncmp(part, want, len))
				return STAGECHECK_OUTSIDE;
		}
	} else {
		/* from the symlink's own directory: real directories, as the walk reached them */
		const char *q = rel;

		while (next_part(&q, &len))
			depth++;
		if (depth)
			depth--;
	}
	while ((part = next_part(&p, &len))) {
		if (len == 2 && part[0] == '.' && part[1] == '.') {
			if (named)
				return STAGECHECK_DOTDOT;
			if (depth == 0)
				return STAGECHECK_OUTSIDE;
			depth--;
		} else {
			depth++;
			named = 1;
		}
	}
	return STAGECHECK_INSIDE;
}

/* A staged name of a regular file with more than one link. */
struct hlink {
	dev_t dev;
	ino_t ino;
	nlink_t nlink;
	int strip; /* it has a setuid, setgid or sticky bit to take off */
	char *rel;
};

/*
 * The walk of the staged prefix: the symlinks of each directory judged, then
 * its subdirectories; the special bits of files of one link taken off, those
 * of several links noted, to be judged once the walk is over.
 */
struct walk {
	const char *stage;           /* the DESTDIR */
	const char *prefix, *staged; /* staged: stage + prefix, for messages */
	struct strbuf rel;           /* the directory being walked, relative to the prefix */
	struct hlink *links;
	size_t nlinks, cap;
};

#define SPECIAL_BITS 07000 /* S_ISUID | S_ISGID | S_ISVTX (the last one XSI, not POSIX) */

static int walk_dir(struct walk *w, int fd);

/*
 * A Makefile given its install directory as DESTDIR and PREFIX in one (make_args =
 * PREFIX={destdir}{prefix}, as bzip2's takes it) writes that path into the links it makes
 * ("ln -s $(PREFIX)/bin/bzgrep $(PREFIX)/bin/bzegrep"): such a link would dangle once the stage
 * is gone.  It is made again without the stage's part, pointing where the file will be.  Returns
 * target itself, or a new string (the caller frees both); NULL with fail().
 */
static char *unstage_link(struct walk *w, int fd, const char *name, char *target)
{
	size_t n = strlen(w->stage);
	char *fixed;

	while (n > 1 && w->stage[n - 1] == '/')
		n--;
	if (strncmp(target, w->stage, n) || target[n] != '/')
		return target;
	fixed = xstrdup(target + n);
	if (unlinkat(fd, name, 0) < 0 || symlinkat(fixed, fd, name) < 0) {
		fail_errno("cannot write the symlink '%s/%s' again", w->staged, w->rel.buf);
		free(fixed);
		free(target);
		return NULL;
	}
	free(target);
	return fixed;
}

/* The last component of the relative path in sb removed ("a/b" -> "a", "a" -> ""). */
static void drop_last(struct strbuf *sb)
{
	char *slash = strrchr(sb->buf, '/');

	sb->len = slash ? (size_t)(slash - sb->buf) : 0;
	sb->buf[sb->len] = '\0';
}

/*
 * 1 when the target of the symlink at rel, which stagecheck_link judged inside the prefix, lies
 * in the prefix's LAYOUT_STATE once resolved lexically as stagecheck_link resolves it: "." and
 * empty components dropped, a relative target from rel's directory (its ".." come before any
 * name, each one a directory up), an absolute one from the prefix (no ".." after it).  So
 * ../var/cenv/records from lib/, PREFIX/./var/cenv and PREFIX/var//cenv are all var/cenv.
 */
static int in_state(const char *prefix, const char *rel, const char *target)
{
	struct strbuf at = STRBUF_INIT;
	const char *p = target, *q, *part;
	size_t len, wlen;
	int ret;

	sb_adds(&at, "");
	if (target[0] == '/') {
		for (q = prefix; next_part(&q, &wlen);)
			next_part(&p, &len); /* the prefix's components, as stagecheck_link matched them */
	} else {
		for (q = rel; (part = next_part(&q, &len));) {
			if (at.len)
				sb_addc(&at, '/');
			sb_add(&at, part, len);
		}
		drop_last(&at); /* rel's directory: the link's own name goes */
	}
	while ((part = next_part(&p, &len))) {
		if (len == 2 && part[0] == '.' && part[1] == '.') {
			drop_last(&at);
		} else {
			if (at.len)
				sb_addc(&at, '/');
			sb_add(&at, part, len);
		}
	}
	ret = layout_in_state(at.buf);
	sb_release(&at);
	return ret;
}

static int walk_entry(struct walk *w, int fd, const char *name)
{
	size_t keep = w->rel.len;
	struct stat st;
	int ret = 0;

	if (w->rel.len)
		sb_addc(&w->rel, '/');
	sb_adds(&w->rel, name);
	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = errno == ENOENT ? 0 : fail_errno("cannot read '%s/%s'", w->staged, w->rel.buf);
	} else if (S_ISLNK(st.st_mode)) {
		char *target = read_link_at(fd, name, (size_t)st.st_size);

		if (target)
			target = unstage_link(w, fd, name, target);
		if (!target) {
			ret = -1;
		} else {
			switch (stagecheck_link(w->prefix, w->rel.buf, target)) {
			case STAGECHECK_INSIDE:
				/* cenv's state (the work area with this very stage) is no package's */
				if (in_state(w->prefix, w->rel.buf, target))
					ret = failp("the build staged '%s' as a symlink to '%s', inside cenv's own "
						    "state (var/cenv), which the install does not keep",
						    w->rel.buf, target);
				break;
			case STAGECHECK_OUTSIDE:
				ret = failp("the build staged '%s' as a symlink to '%s', which leads outside "
					    "the environment", w->rel.buf, target);
				break;
			case STAGECHECK_DOTDOT:
				ret = failp("the build staged '%s' as a symlink to '%s', with '..' after a "
					    "name: cenv cannot tell where it leads", w->rel.buf, target);
				break;
			}
			free(target);
		}
	} else if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
		/* not touched yet: until all its links are found in the stage, it may be an outside file */
		if (w->nlinks == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 16;
			w->links = xrealloc(w->links, w->cap * sizeof(*w->links));
		}
		w->links[w->nlinks++] = (struct hlink){ st.st_dev, st.st_ino, st.st_nlink,
							(st.st_mode & SPECIAL_BITS) != 0,
							xstrdup(w->rel.buf) };
	} else if (S_ISREG(st.st_mode) && (st.st_mode & SPECIAL_BITS)) {
		if (fchmodat(fd, name, st.st_mode & 0777, 0) < 0)
			ret = fail_errno("cannot change the mode of '%s/%s'", w->staged, w->rel.buf);
	} else if (S_ISDIR(st.st_mode)) {
		int sub = fsat_open_dir(fd, name);

		if (sub < 0) {
			ret = fail_errno("cannot read '%s/%s'", w->staged, w->rel.buf);
		} else {
			ret = walk_dir(w, sub);
			close(sub);
		}
	}
	w->rel.len = keep;
	w->rel.buf[keep] = '\0';
	return ret;
}

static int walk_dir(struct walk *w, int fd)
{
	DIR *d = fsat_opendir(fd);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		return fail_errno("cannot read '%s%s%s'", w->staged, w->rel.len ? "/" : "",
				  w->rel.len ? w->rel.buf : "");
	}
	while (ret == 0 && (errno = 0, de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = walk_entry(w, fd, de->d_name);
	if (ret == 0 && errno)
		ret = fail_errno("cannot read '%s%s%s'", w->staged, w->rel.len ? "/" : "",
				 w->rel.len ? w->rel.buf : "");
	closedir(d);
	return ret;
}

/* By file, then by name. */
static int hlink_cmp(const void *a, const void *b)
{
	const struct hlink *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return strcmp(x->rel, y->rel);
}

/*
 * The files of several links: each must have met all its links in the stage
 * (fewer: one is outside, and the environment would share the file with it).
 * Then the special bits of those that have them come off, through one name.
 */
static int check_links(struct walk *w, int fd)
{
	size_t i, j;

	if (!w->nlinks)
		return 0; /* (qsort may not be given NULL) */
	qsort(w->links, w->nlinks, sizeof(*w->links), hlink_cmp);
	for (i = 0; i < w->nlinks; i = j) {
		for (j = i + 1; j < w->nlinks && w->links[j].dev == w->links[i].dev &&
				w->links[j].ino == w->links[i].ino;)
			j++;
		if ((nlink_t)(j - i) < w->links[i].nlink)
			return failp("the build staged '%s' as a hard link to a file outside its staging area",
				     w->links[i].rel);
	}
	for (i = 0; i < w->nlinks; i = j) {
		const struct hlink *h = &w->links[i];

		for (j = i + 1; j < w->nlinks && w->links[j].dev == h->dev && w->links[j].ino == h->ino;)
			j++;
		if (h->strip) {
			const char *leaf;
			struct stat st;
			int dir = fsat_parent(fd, w->staged, h->rel, &leaf), ret = 0;

			if (dir < 0)
				return -1;
			if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
				ret = fail_errno("cannot read '%s/%s'", w->staged, h->rel);
			else if (S_ISREG(st.st_mode) && st.st_ino == h->ino && st.st_dev == h->dev &&
				 fchmodat(dir, leaf, st.st_mode & 0777, 0) < 0)
				ret = fail_errno("cannot change the mode of '%s/%s'", w->staged, h->rel);
			close(dir);
			if (ret < 0)
				return -1;
		}
	}
	return 0;
}

/* Opens stage + prefix, every component a real directory; -1 with fail() naming the one that is not. */
static int open_prefix(int stage_fd, const char *stage, const char *prefix)
{
	const char *rel = prefix;
	size_t bad = 0;
	int fd, saved;
	char *path, *target;
	struct stat st;

	while (*rel == '/')
		rel++;
	fd = fsat_walk(stage_fd, rel, strlen(rel), 0, &bad);
	if (fd >= 0)
		return fd;
	saved = errno;
	path = xasprintf("%s/%.*s", stage, (int)bad, rel);
	if (saved == ENOENT) {
		fail("the build installed nothing under %s", prefix);
	} else if (saved == ELOOP || saved == ENOTDIR) {
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
		    (target = read_link_at(AT_FDCWD, path, (size_t)st.st_size))) {
			failp("the build made '%s' a symlink to '%s': the staged prefix %s and the "
			      "directories on the way to it must be real directories", path, target, prefix);
			free(target);
		} else {
			failp("the build made '%s' something other than a directory: the staged prefix %s "
			      "and the directories on the way to it must be real directories", path, prefix);
		}
	} else {
		errno = saved;
		fail_errno("cannot open '%s'", path);
	}
	free(path);
	return -1;
}

int stagecheck(const char *stage, const char *prefix)
{
	struct walk w = { stage, prefix, NULL, STRBUF_INIT, NULL, 0, 0 };
	size_t i;
	int stage_fd, fd = -1, ret = -1;
	char *staged = NULL;

	if (prefix[0] != '/')
		return fail("the prefix '%s' is not an absolute path", prefix);
	stage_fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (stage_fd < 0)
		return fail_errno("cannot open '%s'", stage);
	fd = open_prefix(stage_fd, stage, prefix);
	if (fd < 0)
		goto out;
	staged = xasprintf("%s%s", stage, prefix);
	w.staged = staged;
	sb_adds(&w.rel, "");
	ret = walk_dir(&w, fd);
	if (ret == 0)
		ret = check_links(&w, fd);
out:
	for (i = 0; i < w.nlinks; i++)
		free(w.links[i].rel);
	free(w.links);
	fsat_close(&fd);
	close(stage_fd);
	sb_release(&w.rel);
	free(staged);
	return ret;
}

/* ---- what was staged outside the prefix ---------------------------------------------------- */

/* The walk of the stage around the prefix: rel the directory being walked, relative to stage. */
struct outside {
	const char *stage, *prefix_rel; /* prefix_rel: the prefix without its leading '/' */
	struct strbuf rel;
	struct strvec *out;
};

/*
 * Walks the directory fd (at o->rel); on_path: it is the stage or a directory on the way to
 * the prefix, so one of its entries may be the prefix (skipped) or further on the way.
 */
static int outside_dir(struct outside *o, int fd, int on_path)
{
	DIR *d = fsat_opendir(fd);
	struct dirent *de;
	size_t keep = o->rel.len, plen = strlen(o->prefix_rel);
	int ret = 0;

	if (!d)
		return fail_errno("cannot read '%s/%s'", o->stage, o->rel.buf);
	while (ret == 0 && (errno = 0, de = readdir(d))) {
		struct stat st;
		int toward = 0;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (o->rel.len)
			sb_addc(&o->rel, '/');
		sb_adds(&o->rel, de->d_name);
		if (on_path) {
			if (!strcmp(o->rel.buf, o->prefix_rel))
				goto next; /* the prefix: what is installed */
			toward = o->rel.len < plen && o->prefix_rel[o->rel.len] == '/' &&
				 !strncmp(o->prefix_rel, o->rel.buf, o->rel.len);
		}
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				ret = fail_errno("cannot read '%s/%s'", o->stage, o->rel.buf);
		} else if (!S_ISDIR(st.st_mode)) {
			strvec_push(o->out, o->rel.buf);
		} else {
			int sub = fsat_open_dir(fd, de->d_name);

			if (sub < 0) {
				ret = fail_errno("cannot read '%s/%s'", o->stage, o->rel.buf);
			} else {
				ret = outside_dir(o, sub, toward);
				close(sub);
			}
		}
next:
		o->rel.len = keep;
		o->rel.buf[keep] = '\0';
	}
	if (ret == 0 && errno)
		ret = fail_errno("cannot read '%s/%s'", o->stage, o->rel.buf);
	closedir(d);
	return ret;
}

int stagecheck_outside(const char *stage, const char *prefix, struct strvec *out, int *missing)
{
	struct outside o = { stage, prefix, STRBUF_INIT, out };
	size_t bad = 0, from = out->n;
	int stage_fd, fd, ret;

	*missing = 0;
	if (prefix[0] != '/')
		return fail("the prefix '%s' is not an absolute path", prefix);
	while (*o.prefix_rel == '/')
		o.prefix_rel++;
	stage_fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (stage_fd < 0)
		return fail_errno("cannot open '%s'", stage);
	fd = fsat_walk(stage_fd, o.prefix_rel, strlen(o.prefix_rel), 0, &bad);
	if (fd >= 0)
		close(fd);
	else if (errno == ENOENT)
		*missing = 1;
	sb_adds(&o.rel, "");
	/* a prefix of "/": everything staged is inside it */
	ret = *o.prefix_rel ? outside_dir(&o, stage_fd, 1) : 0;
	if (out->n > from)
		qsort(out->v + from, out->n - from, sizeof(*out->v), strvec_cmp);
	sb_release(&o.rel);
	close(stage_fd);
	return ret;
}

char *stagecheck_list(char *const *paths, size_t n, size_t show)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, shown = n <= show + 1 ? n : show;

	sb_adds(&sb, "");
	for (i = 0; i < shown; i++) {
		char *name = printable(paths[i]);

		if (i)
			sb_adds(&sb, i + 1 == shown && shown == n ? " and " : ", ");
		sb_adds(&sb, name);
		free(name);
	}
	if (shown < n)
		sb_addf(&sb, " and %zu more", n - shown);
	return sb_detach(&sb);
}
