/* pathtab.h - the paths an archive holds, their kinds, and whether its symlinks lead out. */
#ifndef CENV_PATHTAB_H
#define CENV_PATHTAB_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

enum path_kind { PATH_IMPLIED_DIR = 1, PATH_DIR, PATH_FILE, PATH_LINK };

/* One path of the archive, normalised ("a/b", no ".", "..", "//" or trailing "/"). */
struct path_node {
	char *path;     /* NULL marks a free slot */
	char *target;   /* symlinks only */
	enum path_kind kind;
	mode_t mode;    /* directories: permissions applied once everything inside is written */
	struct timespec mtime;
};

/*
 * Open addressing, linear probing, at most half full.
 * Owner: whoever zeroed it; free with pathtab_release (the nodes' strings too).
 */
struct pathtab {
	struct path_node *slot;
	size_t cap, used;
};

int path_kind_is_dir(enum path_kind kind);

/* The node for the first n bytes of s, or NULL. */
struct path_node *pathtab_find(const struct pathtab *t, const char *s, size_t n);
/*
 * Adds the first n bytes of s, which must be absent, as kind (mode 0755, no
 * mtime, no target).  Invalidates earlier node pointers.
 */
struct path_node *pathtab_add(struct pathtab *t, const char *s, size_t n, enum path_kind kind);
void pathtab_release(struct pathtab *t);

enum { NAME_OK, NAME_ABSOLUTE, NAME_DOTDOT };
/*
 * Puts raw without "." components, repeated or trailing slashes into out
 * ("a/b"); NAME_ABSOLUTE or NAME_DOTDOT (out then unfinished) refuse it.
 */
int path_normalise(const char *raw, struct strbuf *out);

/*
 * Follows target from the directory of linkpath the way the kernel would, through the
 * archive's own symlinks, and says whether it climbs above depth floor (0: dest_dir; 1: the
 * top directory that will be stripped).  A purely lexical check is not enough: with
 * a/l1 -> ../b, the target a/l1/../.. looks like "." but resolves to dest_dir's parent.
 * Returns 0 (stays inside), 1 (leaves) or 2 (too long to tell, e.g. a loop).
 */
int pathtab_link_escapes(const struct pathtab *t, const char *linkpath, const char *target,
			 size_t floor);

#endif
