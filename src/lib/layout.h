/* layout.h - the directories of an environment and the rules for where one may be made. */
#ifndef CENV_LAYOUT_H
#define CENV_LAYOUT_H

#include <sys/types.h>

/* Relative to the prefix, parents before children; NULL-terminated. */
extern const char *const layout_dirs[];

#define LAYOUT_CONFIG "cenv.cfg"
#define LAYOUT_STATE "var/cenv" /* everything cenv writes after create goes here */

/* A path cenv can put on PATH and into scripts: no ':' and no control characters. */
int layout_check_path(const char *abs);
/* 1 when dir looks like an environment cenv made (cenv.cfg and var/cenv/), else 0. */
int layout_is_env(const char *dir);
/* Makes every layout directory under prefix (which exists). */
int layout_make_dirs(const char *prefix);

/*
 * cenv's own files are reached from a descriptor of the environment's root
 * (the directory the user named, opened as it is), one component at a time,
 * never through a symlink: one found is an error naming it ("'DIR/bin' is a
 * symbolic link; cenv will not write through it").  prefix names the root
 * in messages.  Descriptors returned are O_CLOEXEC; the caller closes them.
 */
/* Opens prefix itself; -1 with fail(). */
int layout_open_root(const char *prefix);
/* Opens the directory rel under root, making missing components with mkdir_mode (0: none); -1 with fail(), errno kept. */
int layout_open(int root, const char *prefix, const char *rel, mode_t mkdir_mode);
/* layout_make_dirs on the root's descriptor. */
int layout_make_dirs_at(int root, const char *prefix);
/*
 * Removes everything in the environment but the lock (LAYOUT_STATE/lock), the
 * directories leading to it and cenv.cfg: the lock's holders keep holding the
 * one lock, and the environment stays one (cenv.cfg is then rewritten).
 */
int layout_clear(int root, const char *prefix);
/* 1 when rel (relative to the prefix) is one of layout_dirs. */
int layout_has_dir(const char *rel);
/* 1 when rel is LAYOUT_STATE or below: cenv's own state, never a package's. */
int layout_in_state(const char *rel);
/*
 * 1 when rel is a file cenv itself writes (cenv.cfg, the activate scripts) or
 * in its state: what no package may install, and what no record may name.
 */
int layout_is_own(const char *rel);

#endif
