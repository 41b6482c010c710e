/* envwatch.h - what a build did to the environment outside its staging area: the prefix looked at before and after. */
#ifndef CENV_ENVWATCH_H
#define CENV_ENVWATCH_H

#include <stddef.h>

struct record;

/*
 * One look at a prefix: every entry's name, type, size, mtime, ctime and inode, and what the
 * records said then.  Owner: whoever envwatch_take gave it to; free with envwatch_free.
 */
struct envwatch;

/*
 * Records every entry under prefix (names relative to it, "lib/libz.a"), its type, size,
 * mtime and ctime (nanoseconds) and inode number, without following any symlink: each
 * directory is opened from its parent's descriptor with O_NOFOLLOW | O_DIRECTORY, one held
 * open at a time (any depth, paths longer than PATH_MAX included), entries fstatat'ed with
 * AT_SYMLINK_NOFOLLOW.  The nskip paths of skip (relative to prefix, a file or a whole
 * subtree: "var/cenv/work/zlib", "var/cenv/logs/zlib.log"; with parallel builds
 * "var/cenv/work" and "var/cenv/logs", every build's area and log) are left out, now and
 * in envwatch_check and envwatch_absorb.  The records (var/cenv/records) are read here,
 * before the build, so a record the build plants owns nothing; a damaged one counts with the
 * file lines that parse.
 * *out gets a new look; -1 with fail().
 */
int envwatch_take(const char *prefix, const char *const *skip, size_t nskip, struct envwatch **out);

/*
 * Looks at the prefix again (same skips) and compares with before, for the package name:
 *  - an entry that appeared and is owned by no record: removed (fsat_remove_tree from its
 *    parent's descriptor, never following a symlink); a directory that appeared is removed
 *    whole unless a record owns something under it, then it stays and its entries are judged;
 *  - an entry that existed and changed (type, size, mtime, ctime or inode) or disappeared,
 *    owned by no record: removed if still there, unless layout_is_own(rel) (cenv.cfg, the
 *    activate scripts, its state): then reported only;
 *  - a file a record owns (any package's, name's own included) that changed, disappeared or
 *    came back: reported with its owner ("lib/libbar.so (bar)"), not touched.
 * Directories that merely changed (mtime, mode) are not a finding; one that disappeared is
 * seen through its files.  0 when nothing was found.  Otherwise -1 with one fail() message:
 *   "zlib: the build wrote into the environment outside its staging area: bin/x, share/junk/ (removed)"
 *   "zlib: the build wrote into the environment outside its staging area: bin/x (removed), cenv.cfg (cenv's own, kept)"
 *   "zlib: the build changed files of other packages: lib/libbar.so (bar), lib/libbar.so.1 (bar, disappeared)"
 * both parts joined with "; " when both apply; names sorted, at most 5 per part then
 * "and N more"; a directory removed whole ends in '/'; each name through printable().
 * Other notes: "(not removed)", "(disappeared)", "(cenv's own, disappeared)".
 * When log_fd >= 0 the complete list is appended there, one line per path:
 *   "cenv: appeared outside the staging area, removed: bin/x"
 *   "cenv: changed, owned by bar, kept: lib/libbar.so"
 *   "cenv: changed, cenv's own file, kept: cenv.cfg"
 *   "cenv: disappeared outside the staging area: share/doc/x"
 * A failure to look (an unreadable directory, the prefix replaced) is -1 with
 * "NAME: cannot look at the environment after the build: ...".  before is not freed.
 */
int envwatch_check(const struct envwatch *before, const char *prefix, const char *name, int log_fd);

/*
 * Another package's commit (txn.c), made into prefix while the build the look w is for
 * runs, taken into w: w becomes as if taken after the commit, for exactly the paths the
 * commit touched and no other, so what the build itself did stays a finding.  Looked at
 * again as envwatch_take does (no symlink followed; w's skips still left out): every file
 * of removed and of added, each directory above them, and the package's record file
 * (RECORD_DIR/NAME).  Only what is found as the commit left it is taken in: added's files
 * there with their recorded type ('f', 'l') under directories, removed's other files gone
 * (their directories there or pruned); an entry found gone leaves the look (one there later
 * is new); anything else found on those paths (the build's doing) is left to the check.  The
 * ownership changes as the records did: removed's paths are no longer its package's (a path
 * another record listed first stays that one's), added's are added's package's.  removed:
 * the record the commit replaced or deleted, NULL for a package new to the environment;
 * added: the record it wrote, NULL for an uninstall.  The records are borrowed.
 *
 * Called right after the commit, with nothing else committing, and never at the same time
 * as envwatch_check of w (the caller serializes them: one commit mutex around the commit,
 * its absorbs and every check).  -1 with fail() ("cannot read '...'"; "'DIR' is not the
 * directory it was"): w may then be partly brought up to date.
 */
int envwatch_absorb(struct envwatch *w, const char *prefix, const struct record *added,
		    const struct record *removed);

/* The number of entries the look holds (the prefix not counted). */
size_t envwatch_count(const struct envwatch *w);


void envwatch_free(struct envwatch *w);

#endif
