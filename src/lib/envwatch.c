/* envwatch.c - what a build did to the environment outside its staging area: the prefix looked at before and after. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "envwatch.h"
#include "error.h"
#include "fsat.h"
#include "layout.h"
#include "quote.h"
#include "record.h"
#include "util.h"

#define NONE UINT32_MAX     /* no node: a directory that was not there before */
#define NO_PKG SIZE_MAX     /* an owned path that is only a directory above owned files */
#define SHOWN 5             /* names per part of the message */
#define SHOWN_BYTES 120     /* of each name: the message has 2 KiB (error.c) */

/* NUL-terminated strings one after the other, reached by offset (the buffer moves as it grows). */
struct pool {
	char *buf;
	size_t len, cap;
};

static size_t pool_add(struct pool *p, const char *s, size_t n)
{
	size_t at = p->len;

	if (p->cap - p->len < n + 1) {
		while (p->cap - p->len < n + 1)
			p->cap = p->cap ? p->cap * 2 : 4096;
		p->buf = xrealloc(p->buf, p->cap);
	}
	memcpy(p->buf + at, s, n);
	p->buf[at + n] = '\0';
	p->len += n + 1;
	return at;
}

/*
 * One entry as seen: kept by its directory's node and its name, not its whole path, so a
 * tree deeper than PATH_MAX costs its entries, not the square of its depth.
 */
struct node {
	size_t name;       /* offset in names */
	uint32_t parent;   /* its directory's node; the prefix itself is node 0 */
	mode_t type;       /* st_mode & S_IFMT */
	off_t size;
	struct timespec mtime, ctime;
	ino_t ino;
	int absent;        /* found gone by envwatch_absorb: in the look no more */
};

/* A path the records name ("lib/libz.a"), or a directory above such paths ("lib"). */
struct owned {
	size_t path;  /* offset in opaths */
	size_t pkg;   /* offset in opaths of the first package (by name) listing it, or NO_PKG */
	size_t below; /* how many owned paths lie under it (envwatch_absorb takes some away) */
};

struct envwatch {
	dev_t dev;
	ino_t ino;                 /* the prefix's own: the same directory must be looked at again */
	struct node *node;
	size_t n, cap;
	struct pool names;
	uint32_t *slot;            /* (parent, name) -> node index + 1; 0 is free */
	size_t nslot;
	struct owned *own;
	size_t nown, owncap;
	struct pool opaths;
	uint32_t *oslot;           /* path -> own index + 1 */
	size_t noslot;
	char **skip;
	size_t *skiplen, nskip;
};

/* ---- the two hash tables ----------------------------------------------------- */

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

#define FNV_SEED 14695981039346656037ULL

static uint64_t node_hash(uint32_t parent, const char *name, size_t n)
{
	return fnv(FNV_SEED ^ ((uint64_t)parent * 0x9E3779B97F4A7C15ULL), name, n);
}

static uint32_t node_find(const struct envwatch *w, uint32_t parent, const char *name, size_t n)
{
	size_t mask = w->nslot - 1, i;

	if (!w->nslot)
		return NONE;
	for (i = node_hash(parent, name, n) & mask; w->slot[i]; i = (i + 1) & mask) {
		const struct node *x = &w->node[w->slot[i] - 1];
		const char *xn = w->names.buf + x->name;

		if (x->parent == parent && !strncmp(xn, name, n) && !xn[n])
			return w->slot[i] - 1;
	}
	return NONE;
}

/* Makes room for one more node: the table stays at most half full. */
static void node_slots(struct envwatch *w)
{
	size_t mask, i, j;

	if ((w->n + 1) * 2 <= w->nslot)
		return;
	free(w->slot);
	w->nslot = w->nslot ? w->nslot * 2 : 1024;
	w->slot = xmalloc(w->nslot * sizeof(*w->slot));
	memset(w->slot, 0, w->nslot * sizeof(*w->slot));
	mask = w->nslot - 1;
	for (j = 1; j < w->n; j++) { /* the prefix (node 0) is never looked up */
		const struct node *x = &w->node[j];
		const char *xn = w->names.buf + x->name;

		for (i = node_hash(x->parent, xn, strlen(xn)) & mask; w->slot[i]; i = (i + 1) & mask)
			;
		w->slot[i] = (uint32_t)j + 1;
	}
}

static int node_add(struct envwatch *w, uint32_t parent, const char *name, const struct stat *st,
		    uint32_t *index)
{
	size_t n = strlen(name), mask, i;
	struct node *x;

	if (w->n >= NONE - 1)
		return fail("too many entries in the environment");
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 1024;
		w->node = xrealloc(w->node, w->cap * sizeof(*w->node));
	}
	if (w->n)
		node_slots(w);
	x = &w->node[w->n];
	x->name = pool_add(&w->names, name, n);
	x->parent = parent;
	x->type = st->st_mode & S_IFMT;
	x->size = st->st_size;
	x->mtime = st->st_mtim;
	x->ctime = st->st_ctim;
	x->ino = st->st_ino;
	x->absent = 0;
	*index = (uint32_t)w->n++;
	if (!*index)
		return 0;
	mask = w->nslot - 1;
	for (i = node_hash(parent, name, n) & mask; w->slot[i]; i = (i + 1) & mask)
		;
	w->slot[i] = *index + 1;
	return 0;
}

static const struct owned *owned_find(const struct envwatch *w, const char *path, size_t n)
{
	size_t mask = w->noslot - 1, i;

	if (!w->noslot)
		return NULL;
	for (i = fnv(FNV_SEED, path, n) & mask; w->oslot[i]; i = (i + 1) & mask) {
		const struct owned *o = &w->own[w->oslot[i] - 1];
		const char *op = w->opaths.buf + o->path;

		if (!strncmp(op, path, n) && !op[n])
			return o;
	}
	return NULL;
}

/* The entry for the first n bytes of path, made when missing. */
static struct owned *owned_get(struct envwatch *w, const char *path, size_t n)
{
	size_t mask, i, j;
	struct owned *o = (struct owned *)owned_find(w, path, n);

	if (o)
		return o;
	if (w->nown == w->owncap) {
		w->owncap = w->owncap ? w->owncap * 2 : 256;
		w->own = xrealloc(w->own, w->owncap * sizeof(*w->own));
	}
	o = &w->own[w->nown++];
	o->path = pool_add(&w->opaths, path, n);
	o->pkg = NO_PKG;
	o->below = 0;
	if (w->nown * 2 > w->noslot) {
		free(w->oslot);
		w->noslot = w->noslot ? w->noslot * 2 : 1024;
		w->oslot = xmalloc(w->noslot * sizeof(*w->oslot));
		memset(w->oslot, 0, w->noslot * sizeof(*w->oslot));
		mask = w->noslot - 1;
		for (j = 0; j < w->nown; j++) {
			const char *op = w->opaths.buf + w->own[j].path;

			for (i = fnv(FNV_SEED, op, strlen(op)) & mask; w->oslot[i]; i = (i + 1) & mask)
				;
			w->oslot[i] = (uint32_t)j + 1;
		}
	} else {
		mask = w->noslot - 1;
		for (i = fnv(FNV_SEED, path, n) & mask; w->oslot[i]; i = (i + 1) & mask)
			;
		w->oslot[i] = (uint32_t)w->nown;
	}
	return o;
}

/* Notes that package pkg (an offset in opaths) lists path, and every directory above it. */
static void owned_add(struct envwatch *w, const char *path, size_t pkg)
{
	size_t n = strlen(path);
	struct owned *o = owned_get(w, path, n);

	if (o->pkg != NO_PKG)
		return; /* listed already, by a package before it: the one named */
	o->pkg = pkg;
	while (n > 0) {
		while (n > 0 && path[n - 1] != '/')
			n--;
		if (n-- <= 1)
			break;
		owned_get(w, path, n)->below++;
	}
}

/* Undoes owned_add for path if package name is the one its owner. */
static void owned_drop(struct envwatch *w, const char *path, const char *name)
{
	size_t n = strlen(path);
	struct owned *o = (struct owned *)owned_find(w, path, n);

	if (!o || o->pkg == NO_PKG || strcmp(w->opaths.buf + o->pkg, name))
		return;
	o->pkg = NO_PKG;
	while (n > 0) {
		while (n > 0 && path[n - 1] != '/')
			n--;
		if (n-- <= 1)
			break;
		o = (struct owned *)owned_find(w, path, n);
		if (o && o->below)
			o->below--;
	}
}

/* Reads the records as they are before the build. */
static int load_owners(struct envwatch *w, const char *prefix)
{
	char **names;
	size_t n, i, j;
	int ret = 0;

	if (record_names(prefix, &names, &n) < 0)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		struct record r;
		size_t pkg;

		if (record_load(prefix, names[i], &r) < 0) {
			if (errno == ENOENT)
				continue;
			/* a damaged record still owns what it lists (it is for uninstall --force to remove) */
			if (errno != EBADMSG || record_load_damaged(prefix, names[i], &r) < 0) {
				ret = -1;
				break;
			}
		}
		pkg = pool_add(&w->opaths, names[i], strlen(names[i]));
		for (j = 0; j < r.nfiles; j++)
			if (record_path_ok(r.files[j].path))
				owned_add(w, r.files[j].path, pkg);
		record_release(&r);
	}
	record_names_free(names, n);
	return ret;
}

/* ---- walking a prefix by descriptors ------------------------------------------ */

static void sb_cut(struct strbuf *sb, size_t n)
{
	if (sb->buf) {
		sb->len = n;
		sb->buf[n] = '\0';
	}
}

/* fail_errno naming prefix/rel (made printable: names may hold any byte but '/' and NUL). */
static int fail_at(const char *what, const char *prefix, const char *rel)
{
	int saved = errno;
	char *path = xasprintf("%s%s%s", prefix, *rel ? "/" : "", rel), *shown = printable(path);

	errno = saved;
	fail_errno("%s '%s'", what, shown);
	free(shown);
	free(path);
	errno = saved;
	return -1;
}

/* fail() with fmt's one %s the printable prefix/rel. */
static int fail_path(const char *fmt, const char *prefix, const char *rel)
{
	char *path = xasprintf("%s%s%s", prefix, *rel ? "/" : "", rel), *shown = printable(path);

	fail(fmt, shown);
	free(shown);
	free(path);
	return -1;
}

/* The names in the directory fd, each NUL-terminated, one after the other ("." and ".." left out). */
static int read_names(int fd, struct pool *out)
{
	DIR *d = fsat_opendir(fd);
	struct dirent *de;
	int saved;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		pool_add(out, de->d_name, strlen(de->d_name));
	}
	saved = errno;
	closedir(d);
	if (saved) {
		free(out->buf);
		memset(out, 0, sizeof(*out));
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Called for every entry met, in the directory dir (open), its path rel; parent is the
 * cookie of its directory.  Returns 1 to go into a directory (its cookie in *child),
 * 0 not to, -1 with fail() to stop.
 */
typedef int (*visit_fn)(void *ctx, int dir, const char *name, const struct strbuf *rel,
			const struct stat *st, uint32_t parent, uint32_t *child);

/* One directory on the way down: its entries, those done, its identity to climb back to. */
struct level {
	struct pool names;
	size_t at;
	size_t pathlen;
	dev_t dev;
	ino_t ino;
	uint32_t cookie;
};

static int skipped(const struct envwatch *w, const struct strbuf *rel)
{
	size_t i;

	for (i = 0; i < w->nskip; i++)
		if (rel->len == w->skiplen[i] && !memcmp(rel->buf, w->skip[i], rel->len))
			return 1;
	return 0;
}

/*
 * Visits every entry under root (prefix in messages) but w's skips, parents before their
 * entries.  One directory is open at a time: going down opens the entry from its parent's
 * descriptor (O_NOFOLLOW); coming back opens ".." and checks it is the directory it came
 * from, so no depth runs out of descriptors or of PATH_MAX.
 */
static int walk(const struct envwatch *w, int root, const char *prefix, visit_fn visit, void *ctx)
{
	struct level *lv = NULL;
	size_t n = 0, cap = 0;
	struct strbuf rel = STRBUF_INIT;
	struct stat st;
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 0), ret = -1;

	sb_adds(&rel, "");
	if (fd < 0 || fstat(fd, &st) < 0) {
		fail_at("cannot read", prefix, "");
		goto out;
	}
	cap = 16;
	lv = xmalloc(cap * sizeof(*lv));
	if (read_names(fd, &lv[0].names) < 0) {
		fail_at("cannot read", prefix, "");
		goto out;
	}
	lv[0].at = lv[0].pathlen = 0;
	lv[0].dev = st.st_dev;
	lv[0].ino = st.st_ino;
	lv[0].cookie = 0;
	n = 1;
	while (n > 0) {
		struct level *top = &lv[n - 1];
		const char *name;
		uint32_t child = NONE;
		int r;

		if (top->at >= top->names.len) {
			int parent;

			sb_cut(&rel, top->pathlen);
			free(top->names.buf);
			n--;
			if (!n)
				break;
			parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (parent < 0 || fstat(parent, &st) < 0) {
				fail_at("cannot climb back from", prefix, sb_str(&rel));
				if (parent >= 0)
					close(parent);
				goto out;
			}
			if (st.st_dev != lv[n - 1].dev || st.st_ino != lv[n - 1].ino) {
				close(parent);
				fail_path("'%s' was moved while cenv looked at it", prefix, rel.buf);
				goto out;
			}
			close(fd);
			fd = parent;
			continue;
		}
		name = top->names.buf + top->at;
		top->at += strlen(name) + 1;
		sb_cut(&rel, top->pathlen);
		if (top->pathlen)
			sb_addc(&rel, '/');
		sb_adds(&rel, name);
		if (skipped(w, &rel))
			continue;
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* gone meanwhile */
			fail_at("cannot read", prefix, rel.buf);
			goto out;
		}
		r = visit(ctx, fd, name, &rel, &st, top->cookie, &child);
		if (r < 0)
			goto out;
		if (r == 1 && S_ISDIR(st.st_mode)) {
			struct stat cst;
			int sub = fsat_open_dir(fd, name);

			if (sub < 0 && errno == ENOENT)
				continue;
			if (sub < 0) {
				fail_at("cannot open", prefix, rel.buf);
				goto out;
			}
			if (fstat(sub, &cst) < 0 || cst.st_dev != st.st_dev || cst.st_ino != st.st_ino) {
				close(sub);
				fail_path("'%s' was replaced while cenv looked at it", prefix, rel.buf);
				goto out;
			}
			if (n == cap) {
				cap *= 2;
				lv = xrealloc(lv, cap * sizeof(*lv));
			}
			if (read_names(sub, &lv[n].names) < 0) {
				fail_at("cannot read", prefix, rel.buf);
				close(sub);
				goto out;
			}
			lv[n].at = 0;
			lv[n].pathlen = rel.len;
			lv[n].dev = st.st_dev;
			lv[n].ino = st.st_ino;
			lv[n].cookie = child;
			n++;
			close(fd);
			fd = sub;
		}
	}
	ret = 0;
out:
	while (n > 0)
		free(lv[--n].names.buf);
	free(lv);
	if (fd >= 0)
		close(fd);
	sb_release(&rel);
	return ret;
}

/* ---- the look before ----------------------------------------------------------- */

static int visit_take(void *ctx, int dir, const char *name, const struct strbuf *rel,
		      const struct stat *st, uint32_t parent, uint32_t *child)
{
	(void)dir;
	(void)rel;
	if (node_add(ctx, parent, name, st, child) < 0)
		return -1;
	return 1;
}

static int open_prefix(const char *prefix, struct stat *st)
{
	int root = layout_open_root(prefix);

	if (root >= 0 && fstat(root, st) < 0) {
		fail_at("cannot read", prefix, "");
		close(root);
		return -1;
	}
	return root;
}

int envwatch_take(const char *prefix, const char *const *skip, size_t nskip, struct envwatch **out)
{
	struct envwatch *w = xmalloc(sizeof(*w));
	struct stat st;
	uint32_t top;
	size_t i;
	int root = -1;

	*out = NULL;
	memset(w, 0, sizeof(*w));
	w->skip = xmalloc((nskip + 1) * sizeof(*w->skip));
	w->skiplen = xmalloc((nskip + 1) * sizeof(*w->skiplen));
	for (i = 0; i < nskip; i++) {
		size_t len = strlen(skip[i]);

		while (len > 1 && skip[i][len - 1] == '/')
			len--;
		w->skip[w->nskip] = xasprintf("%.*s", (int)len, skip[i]);
		w->skiplen[w->nskip] = len;
		if (!record_path_ok(w->skip[w->nskip++])) {
			char *shown = printable(skip[i]);

			fail("cannot leave out '%s': not a path inside the environment", shown);
			free(shown);
			goto fail;
		}
	}
	root = open_prefix(prefix, &st);
	if (root < 0)
		goto fail;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	if (node_add(w, 0, "", &st, &top) < 0 || load_owners(w, prefix) < 0 ||
	    walk(w, root, prefix, visit_take, w) < 0)
		goto fail;
	close(root);
	*out = w;
	return 0;
fail:
	if (root >= 0)
		close(root);
	envwatch_free(w);
	return -1;
}

size_t envwatch_count(const struct envwatch *w)
{
	return w->n ? w->n - 1 : 0;
}

void envwatch_free(struct envwatch *w)
{
	size_t i;

	if (!w)
		return;
	for (i = 0; i < w->nskip; i++)
		free(w->skip[i]);
	free(w->skip);
	free(w->skiplen);
	free(w->node);
	free(w->names.buf);
	free(w->slot);
	free(w->own);
	free(w->opaths.buf);
	free(w->oslot);
	free(w);
}

/* ---- another package's commit, taken in ------------------------------------------ */

static void node_set(struct node *x, const struct stat *st)
{
	x->type = st->st_mode & S_IFMT;
	x->size = st->st_size;
	x->mtime = st->st_mtim;
	x->ctime = st->st_ctim;
	x->ino = st->st_ino;
	x->absent = 0;
}

/* Whether what is there (st; NULL: nothing) is what the commit left: want 'f', 'l' or 0 (gone). */
static int as_left(const struct stat *st, char want)
{
	if (!st)
		return !want;
	return want == 'f' ? S_ISREG(st->st_mode) : want == 'l' ? S_ISLNK(st->st_mode) : 0;
}

/*
 * Looks again at rel and the directories above it, as envwatch_take would see them now,
 * from root, no symlink followed.  The commit left rel as want says (a file 'f', a symlink
 * 'l', or 0: gone) and the directories above it as directories (or, for a path gone, gone
 * or pruned): only what is found so is taken into the look (an entry added or brought up
 * to date; one gone leaves the look, and so does what it holds on the way down).  Anything
 * else found there was not the commit's doing and is left for envwatch_check to find, and
 * a skipped path and what is below it are left alone.
 */
static int relook(struct envwatch *w, int root, const char *prefix, const char *rel, char want)
{
	struct strbuf sofar = STRBUF_INIT;
	const char *p = rel;
	uint32_t cur = 0;
	int fd = fcntl(root, F_DUPFD_CLOEXEC, 0), ret = -1;

	sb_adds(&sofar, "");
	if (fd < 0) {
		fail_at("cannot read", prefix, "");
		goto out;
	}
	while (*p && cur != NONE) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		char *name = xasprintf("%.*s", (int)len, p);
		struct stat st;
		uint32_t i;
		int r = -1, ok;

		if (sofar.len)
			sb_addc(&sofar, '/');
		sb_add(&sofar, p, len);
		p += len + (slash != NULL);
		if (skipped(w, &sofar)) {
			free(name);
			break;
		}
		i = node_find(w, cur, name, len);
		if (fd >= 0 && (r = fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW)) < 0 && errno != ENOENT) {
			fail_at("cannot read", prefix, sofar.buf);
			free(name);
			goto out;
		}
		if (*p && !want && r == 0 && !S_ISDIR(st.st_mode)) {
			/* a path gone under what is no directory now (an upgrade made it a file): gone with it */
			while (i != NONE) {
				slash = strchr(p, '/');
				len = slash ? (size_t)(slash - p) : strlen(p);
				i = node_find(w, i, p, len);
				if (i != NONE && !slash)
					w->node[i].absent = 1;
				if (!slash)
					break;
				p = slash + 1;
			}
			free(name);
			break;
		}
		if (*p) /* a directory above: there, or (for a path gone) pruned */
			ok = r < 0 ? !want : S_ISDIR(st.st_mode);
		else
			ok = as_left(r < 0 ? NULL : &st, want);
		if (!ok) {
			free(name);
			break;
		}
		if (r < 0) {
			if (i != NONE)
				w->node[i].absent = 1;
		} else if (i == NONE) {
			if (node_add(w, cur, name, &st, &i) < 0) {
				free(name);
				goto out;
			}
		} else {
			node_set(&w->node[i], &st);
		}
		if (r == 0 && *p) {
			struct stat cst;
			int sub = fsat_open_dir(fd, name);

			if (sub < 0 || fstat(sub, &cst) < 0 || cst.st_dev != st.st_dev || cst.st_ino != st.st_ino) {
				if (sub >= 0)
					close(sub);
				fail_path("'%s' was replaced while cenv looked at it", prefix, sofar.buf);
				free(name);
				goto out;
			}
			close(fd);
			fd = sub;
		} else if (fd >= 0 && *p) {
			close(fd); /* gone: so is everything below */
			fd = -1;
		}
		free(name);
		cur = i;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	sb_release(&sofar);
	return ret;
}

/* relook of every file of r, as left (present) or gone (a path no record may hold is none of the look's). */
static int relook_files(struct envwatch *w, int root, const char *prefix, const struct record *r,
			int present)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (record_path_ok(r->files[i].path) &&
		    relook(w, root, prefix, r->files[i].path, present ? r->files[i].type : 0) < 0)
			return -1;
	return 0;
}

static int relook_record(struct envwatch *w, int root, const char *prefix, const char *name,
			 int present)
{
	char *rel;
	int ret;

	if (!record_name_ok(name))
		return 0;
	rel = xasprintf("%s/%s", RECORD_DIR, name);
	ret = relook(w, root, prefix, rel, present ? 'f' : 0);
	free(rel);
	return ret;
}

int envwatch_absorb(struct envwatch *w, const char *prefix, const struct record *added,
		    const struct record *removed)
{
	struct stat st;
	size_t i, pkg;
	int root, ret = -1;

	root = open_prefix(prefix, &st);
	if (root < 0)
		return -1;
	if (st.st_dev != w->dev || st.st_ino != w->ino) {
		fail_path("'%s' is not the directory it was", prefix, "");
		goto out;
	}
	/* the ownership first dropped, then given: an upgrade's files stay the package's */
	for (i = 0; removed && i < removed->nfiles; i++)
		if (record_path_ok(removed->files[i].path))
			owned_drop(w, removed->files[i].path, removed->name);
	if (added) {
		pkg = pool_add(&w->opaths, added->name, strlen(added->name));
		for (i = 0; i < added->nfiles; i++)
			if (record_path_ok(added->files[i].path))
				owned_add(w, added->files[i].path, pkg);
	}
	/*
	 * removed's paths looked at as gone, then added's as there: one both have is found
	 * there the first time, so left alone, and taken in the second
	 */
	if ((removed && (relook_files(w, root, prefix, removed, 0) < 0 ||
			 relook_record(w, root, prefix, removed->name, 0) < 0)) ||
	    (added && (relook_files(w, root, prefix, added, 1) < 0 ||
		       relook_record(w, root, prefix, added->name, 1) < 0)))
		goto out;
	ret = 0;
out:
	close(root);
	return ret;
}

/* ---- the look after -------------------------------------------------------------- */

enum what { APPEARED, CHANGED, GONE };
enum done { NOTHING, REMOVED, KEPT, NOT_REMOVED };

struct finding {
	char *path;
	enum what what;
	const char *pkg;  /* the owner (before's pool), or NULL */
	int own;          /* cenv's own file */
	int dir;          /* a directory removed whole */
	enum done done;
	char *why;        /* NOT_REMOVED: the error */
};

struct check {
	const struct envwatch *w;
	const char *prefix;
	unsigned char *seen; /* before's nodes met again */
	struct finding *f;
	size_t n, cap;
};

static struct finding *add_finding(struct check *c, const char *path, enum what what)
{
	struct finding *f;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->f = xrealloc(c->f, c->cap * sizeof(*c->f));
	}
	f = &c->f[c->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->what = what;
	return f;
}

static int ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static int same(const struct node *b, const struct stat *st)
{
	return b->type == (st->st_mode & S_IFMT) && b->size == st->st_size && b->ino == st->st_ino &&
	       ts_eq(b->mtime, st->st_mtim) && ts_eq(b->ctime, st->st_ctim);
}

/* An entry that appeared or changed: kept and reported when owned, else removed. */
static int judge(struct check *c, int dir, const char *name, const struct strbuf *rel,
		 const struct stat *st, enum what what, uint32_t *child)
{
	const struct owned *o = owned_find(c->w, rel->buf, rel->len);
	struct finding *f;
	size_t dirlen;
	char *base;
	int r;

	if (o && o->pkg != NO_PKG) {
		f = add_finding(c, rel->buf, what);
		f->pkg = c->w->opaths.buf + o->pkg;
		f->done = KEPT;
		return 0;
	}
	if (S_ISDIR(st->st_mode) && o && o->below) {
		*child = NONE; /* new (or no longer a file): every entry in it is new */
		return 1;
	}
	if (what == CHANGED && layout_is_own(rel->buf)) {
		f = add_finding(c, rel->buf, what);
		f->own = 1;
		f->done = KEPT;
		return 0;
	}
	/* (the directory's path: rel without "/NAME") */
	dirlen = rel->len - strlen(name);
	base = dirlen ? xasprintf("%s/%.*s", c->prefix, (int)(dirlen - 1), rel->buf) : xstrdup(c->prefix);
	r = fsat_remove_tree(dir, base, name);
	free(base);
	f = add_finding(c, rel->buf, what);
	f->dir = S_ISDIR(st->st_mode);
	if (r < 0) {
		f->done = NOT_REMOVED;
		f->why = error_take();
	} else {
		f->done = REMOVED;
	}
	return 0;
}

static int visit_check(void *ctx, int dir, const char *name, const struct strbuf *rel,
		       const struct stat *st, uint32_t parent, uint32_t *child)
{
	struct check *c = ctx;
	uint32_t i = parent == NONE ? NONE : node_find(c->w, parent, name, strlen(name));
	enum what what = APPEARED;

	if (i != NONE && c->w->node[i].absent)
		i = NONE; /* a commit removed it: back since, it is new */
	if (i != NONE) {
		const struct node *b = &c->w->node[i];

		c->seen[i] = 1;
		if (S_ISDIR(b->type) && S_ISDIR(st->st_mode)) {
			*child = i;
			return 1;
		}
		if (same(b, st))
			return 0;
		what = CHANGED;
	}
	return judge(c, dir, name, rel, st, what, child);
}

/* The path of node i, from its directories' names. */
static char *node_path(const struct envwatch *w, uint32_t i)
{
	struct strbuf sb = STRBUF_INIT;
	uint32_t *chain = NULL;
	size_t n = 0, cap = 0;

	for (; i != 0; i = w->node[i].parent) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			chain = xrealloc(chain, cap * sizeof(*chain));
		}
		chain[n++] = i;
	}
	sb_adds(&sb, "");
	while (n > 0) {
		sb_adds(&sb, w->names.buf + w->node[chain[--n]].name);
		if (n)
			sb_addc(&sb, '/');
	}
	free(chain);
	return sb_detach(&sb);
}

/* Files and symlinks of before met no more. */
static void find_gone(struct check *c)
{
	const struct envwatch *w = c->w;
	uint32_t i;

	for (i = 1; i < w->n; i++) {
		const struct owned *o;
		struct finding *f;
		char *path;

		if (c->seen[i] || w->node[i].type == S_IFDIR)
			continue;
		if (w->node[i].absent)
			continue; /* a commit removed it (envwatch_absorb) */
		path = node_path(w, i);
		o = owned_find(w, path, strlen(path));
		f = add_finding(c, path, GONE);
		if (o && o->pkg != NO_PKG)
			f->pkg = w->opaths.buf + o->pkg;
		else
			f->own = layout_is_own(path);
		free(path);
	}
}

static int cmp_finding(const void *a, const void *b)
{
	return strcmp(((const struct finding *)a)->path, ((const struct finding *)b)->path);
}

static void log_finding(int fd, const struct finding *f)
{
	static const char *const whats[] = { "appeared", "changed", "disappeared" };
	struct strbuf sb = STRBUF_INIT;
	char *shown = printable(f->path);

	sb_addf(&sb, "cenv: %s", whats[f->what]);
	if (f->pkg)
		sb_addf(&sb, ", owned by %s", f->pkg);
	else if (f->own)
		sb_adds(&sb, ", cenv's own file");
	else
		sb_adds(&sb, " outside the staging area");
	if (f->done == REMOVED) {
		sb_adds(&sb, ", removed");
	} else if (f->done == KEPT) {
		sb_adds(&sb, ", kept");
	} else if (f->done == NOT_REMOVED) {
		char *why = printable(f->why);

		sb_addf(&sb, ", not removed (%s)", why);
		free(why);
	}
	sb_addf(&sb, ": %s%s\n", shown, f->dir ? "/" : "");
	(void)write_all(fd, sb.buf, sb.len, -1); /* the message says it all again, shorter */
	sb_release(&sb);
	free(shown);
}

/* The note after a name in the message, or "" (then the part ends in "(removed)"). */
static void note(struct strbuf *sb, const struct finding *f, int all_removed)
{
	if (f->pkg) {
		sb_addf(sb, " (%s%s)", f->pkg, f->what == GONE ? ", disappeared" : "");
		return;
	}
	if (all_removed)
		return;
	if (f->what == GONE)
		sb_adds(sb, f->own ? " (cenv's own, disappeared)" : " (disappeared)");
	else if (f->done == KEPT)
		sb_adds(sb, " (cenv's own, kept)");
	else if (f->done == NOT_REMOVED)
		sb_adds(sb, " (not removed)");
	else
		sb_adds(sb, " (removed)");
}

/* One part of the message: the findings owned by a package (pkgs) or the others. */
static void add_part(struct strbuf *sb, const struct finding *f, size_t n, int pkgs)
{
	size_t count = 0, shown = 0, i;
	int all_removed = 1;

	for (i = 0; i < n; i++)
		if (!f[i].pkg == !pkgs) {
			count++;
			all_removed &= f[i].done == REMOVED;
		}
	if (!count)
		return;
	if (sb->len)
		sb_adds(sb, "; ");
	sb_adds(sb, pkgs ? "the build changed files of other packages: "
			 : "the build wrote into the environment outside its staging area: ");
	for (i = 0; i < n && shown < SHOWN; i++) {
		char *cut, *name;
		size_t len;

		if (!f[i].pkg != !pkgs)
			continue;
		len = strlen(f[i].path);
		cut = xasprintf("%.*s%s", SHOWN_BYTES, f[i].path, len > SHOWN_BYTES ? "..." : "");
		name = printable(cut);
		sb_addf(sb, "%s%s%s", shown ? ", " : "", name, f[i].dir ? "/" : "");
		note(sb, &f[i], !pkgs && all_removed);
		free(name);
		free(cut);
		shown++;
	}
	if (count > shown)
		sb_addf(sb, " and %zu more", count - shown);
	if (!pkgs && all_removed)
		sb_adds(sb, " (removed)");
}

int envwatch_check(const struct envwatch *before, const char *prefix, const char *name, int log_fd)
{
	struct check c = { before, prefix, NULL, NULL, 0, 0 };
	struct strbuf msg = STRBUF_INIT;
	char *shown = printable(name);
	struct stat st;
	size_t i;
	int root, ret = -1;

	root = open_prefix(prefix, &st);
	if (root < 0) {
		fail_wrap("%s: cannot look at the environment after the build", shown);
		goto out;
	}
	if (st.st_dev != before->dev || st.st_ino != before->ino) {
		char *p = printable(prefix);

		fail("%s: cannot look at the environment after the build: '%s' is not the directory it was",
		     shown, p);
		free(p);
		goto out;
	}
	c.seen = xmalloc(before->n + 1);
	memset(c.seen, 0, before->n + 1);
	c.seen[0] = 1;
	if (walk(before, root, prefix, visit_check, &c) < 0) {
		fail_wrap("%s: cannot look at the environment after the build", shown);
		goto log;
	}
	find_gone(&c);
	ret = 0;
log:
	if (c.n)
		qsort(c.f, c.n, sizeof(*c.f), cmp_finding);
	if (log_fd >= 0)
		for (i = 0; i < c.n; i++)
			log_finding(log_fd, &c.f[i]);
	if (ret == 0 && c.n) {
		add_part(&msg, c.f, c.n, 0);
		add_part(&msg, c.f, c.n, 1);
		fail("%s: %s", shown, msg.buf);
		ret = -1;
	}
out:
	if (root >= 0)
		close(root);
	for (i = 0; i < c.n; i++) {
		free(c.f[i].path);
		free(c.f[i].why);
	}
	free(c.f);
	free(c.seen);
	sb_release(&msg);
	free(shown);
	return ret;
}
