/* toollogs.h - the build tools' own logs of a failed build, kept before its work area goes. */
#ifndef CENV_TOOLLOGS_H
#define CENV_TOOLLOGS_H

#include <stddef.h>

#include "strvec.h"

/* Each kept file is at most this long: a longer one keeps its end, where the failed check is. */
#define TOOLLOGS_MAX_BYTES (16u << 20)
/* The most files kept of one build (the subdirectories' config.log files included). */
#define TOOLLOGS_MAX_FILES 12

/* DIR/var/cenv/logs/NAME.d, where they are kept; a new string. */
char *toollogs_dir(const char *prefix, const char *name);

/*
 * Copies the logs the tools wrote in the work area DIR/var/cenv/work/NAME into
 * DIR/var/cenv/logs/NAME.d, under the same relative path: from each of the ndirs directories
 * dirs (relative to the work area, "build", "src/zlib-1.3"; the first to hold a path wins)
 * config.log (autotools), CMakeFiles/CMakeError.log, CMakeFiles/CMakeOutput.log,
 * CMakeFiles/CMakeConfigureLog.yaml (CMake), meson-logs/meson-log.txt (Meson), then
 * SUB/config.log of its subdirectories (a nested configure's), in name order.  Regular
 * files only, each reached from a directory descriptor without following a symlink, at
 * most TOOLLOGS_MAX_BYTES (the last ones) and TOOLLOGS_MAX_FILES of them.  NAME.d is made
 * anew (an older one removed first; none left when there is nothing to keep).  The kept
 * files' paths (DIR/var/cenv/logs/NAME.d/config.log) are pushed onto kept.  A file that
 * cannot be read is skipped; 0, or -1 with fail() when NAME.d cannot be made.
 */
int toollogs_keep(const char *prefix, const char *name, const char *const *dirs, size_t ndirs,
		  struct strvec *kept);

/* Removes DIR/var/cenv/logs/NAME.d if it is there (never through a symlink); 0, or -1 with fail(). */
int toollogs_forget(const char *prefix, const char *name);

#endif
