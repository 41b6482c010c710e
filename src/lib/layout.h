/* layout.h - the directories of an environment and the rules for where one may be made. */
#ifndef CENV_LAYOUT_H
#define CENV_LAYOUT_H

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
/* 1 when rel (relative to the prefix) is one of layout_dirs. */
int layout_has_dir(const char *rel);
/* 1 when rel is LAYOUT_STATE or below: cenv's own state, never a package's. */
int layout_in_state(const char *rel);

#endif
