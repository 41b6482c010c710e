/* pathtab.c - the paths an archive holds, their kinds, and whether its symlinks lead out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathtab.h"
#include "util.h"

#define MAX_HOPS 40     /* Linux's limit on symlinks in one lookup; a longer chain is refused */
#define MAX_STEPS 4096  /* components followed in one symlink check before giving up */

int path_kind_is_dir(enum path_kind kind)
{
	return kind == PATH_DIR || kind == PATH_IMPLIED_DIR;
}

/* ---- the table ---- */

static size_t hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211u;
	}
	return (size_t)h;
}

struct path_node *pathtab_find(const struct pathtab *t, const char *s, size_t n)
{
	size_t i;

	if (!t->cap)
		return NULL;
	for (i = hash(s, n) & (t->cap - 1); t->slot[i].path; i = (i + 1) & (t->cap - 1)) {
		if (!strncmp(t->slot[i].path, s, n) && !t->slot[i].path[n])
			return &t->slot[i];
	}
	return NULL;
}

static struct path_node *place(struct pathtab *t, const char *s, size_t n)
{
	size_t i = hash(s, n) & (t->cap - 1);

	while (t->slot[i].path)
		i = (i + 1) & (t->cap - 1);
	return &t->slot[i];
}

static void grow(struct pathtab *t)
{
	struct pathtab old = *t;
	size_t i;

	t->cap = old.cap ? old.cap * 2 : 256;
	t->slot = xmalloc(t->cap * sizeof(*t->slot));
	memset(t->slot, 0, t->cap * sizeof(*t->slot));
	for (i = 0; i < old.cap; i++) {
		if (old.slot[i].path)
			*place(t, old.slot[i].path, strlen(old.slot[i].path)) = old.slot[i];
	}
	free(old.slot);
}

struct path_node *pathtab_add(struct pathtab *t, const char *s, size_t n, enum path_kind kind)
{
	struct path_node *node;

	if (2 * (t->used + 1) > t->cap)
		grow(t);
	node = place(t, s, n);
	node->path = xasprintf("%.*s", (int)n, s);
	node->target = NULL;
	node->kind = kind;
	node->mode = 0755;
	node->mtime.tv_sec = 0;
	node->mtime.tv_nsec = UTIME_OMIT;
	t->used++;
	return node;
}

void pathtab_release(struct pathtab *t)
{
	size_t i;

	for (i = 0; i < t->cap; i++) {
		free(t->slot[i].path);
		free(t->slot[i].target);
	}
	free(t->slot);
	t->slot = NULL;
	t->cap = t->used = 0;
}

/* ---- names ---- */

int path_normalise(const char *raw, struct strbuf *out)
{
	const char *p, *end;

	out->len = 0;
	if (out->buf)
		out->buf[0] = '\0';
	if (raw[0] == '/')
		return NAME_ABSOLUTE;
	for (p = raw; *p; p = end) {
		size_t n;

		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return NAME_DOTDOT;
		if (out->len)
			sb_addc(out, '/');
		sb_add(out, p, n);
	}
	return NAME_OK;
}


static void pop(struct strbuf *cur)
{
	char *slash = strrchr(cur->buf, '/');

	cur->len = slash ? (size_t)(slash - cur->buf) : 0;
	cur->buf[cur->len] = '\0';
}

int pathtab_link_escapes(const struct pathtab *t, const char *linkpath, const char *target,
			size_t floor)
{
	struct strbuf cur = STRBUF_INIT;
	const char *slash = strrchr(linkpath, '/');
	char *rest = xstrdup(target);
	size_t pos = 0, depth = 0, hops = 0, steps = 0;
	int ret = target[0] == '/';

	if (slash) {
		sb_add(&cur, linkpath, (size_t)(slash - linkpath));
		for (depth = 1, slash = cur.buf; (slash = strchr(slash, '/')); slash++)
			depth++;
	}
	while (ret == 0 && rest[pos]) {
		const char *c = rest + pos;
		size_t n = strcspn(c, "/");
		const struct path_node *link;
		char *next;

		for (pos += n; rest[pos] == '/'; pos++)
			;
		if (++steps > MAX_STEPS) {
			ret = 2;
			break;
		}
		if (n == 0 || (n == 1 && c[0] == '.'))
			continue;
		if (n == 2 && c[0] == '.' && c[1] == '.') {
			if (depth <= floor) {
				ret = 1;
				break;
			}
			pop(&cur);
			depth--;
			continue;
		}
		if (cur.len)
			sb_addc(&cur, '/');
		sb_add(&cur, c, n);
		depth++;
		link = pathtab_find(t, cur.buf, cur.len);
		if (!link || link->kind != PATH_LINK)
			continue;
		if (++hops > MAX_HOPS) {
			ret = 2;
			break;
		}
		pop(&cur);
		depth--;
		next = xasprintf("%s/%s", link->target, rest + pos);
		free(rest);
		rest = next;
		pos = 0;
	}
	free(rest);
	sb_release(&cur);
	return ret;
}

