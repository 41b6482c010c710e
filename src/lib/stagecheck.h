/* stagecheck.h - a build's staged tree judged before the commit: a real prefix, no symlink or hard link leading out. */
#ifndef CENV_STAGECHECK_H
#define CENV_STAGECHECK_H

/*
 * Checks what a build staged in the directory stage (its DESTDIR) for the
 * absolute prefix, before any of it is moved: stage + prefix and every
 * directory on the way to it are real directories, never symlinks (a build
 * that made DESTDIR/PREFIX a symlink to another directory would have that
 * directory's files moved); and every symlink in stage + prefix stays inside
 * the environment where it will be installed (stagecheck_link); no regular
 * file has a link outside stage + prefix (each (st_dev, st_ino) met there as
 * many times as its st_nlink).  Takes the setuid, setgid and sticky bits off
 * every regular file (one of several links only once all of them are known
 * inside, so that an outside file is never changed).  Walks with
 * O_NOFOLLOW from a descriptor of stage: nothing is followed.  0, or -1 with
 * fail() naming the staged path (and the symlink's target).
 */
int stagecheck(const char *stage, const char *prefix);

struct strvec;

/*
 * What a build staged outside stage + prefix: under its DESTDIR but not under
 * DESTDIR/PREFIX (sqlite3's usr/share/tcltk/..., a Makefile that ignored PREFIX),
 * which is never installed.  Pushes onto out each file, symlink or other
 * non-directory found there, its path relative to stage, sorted; directories are
 * walked, not listed, and a symlink is never entered (from a descriptor of stage,
 * O_NOFOLLOW).  *missing is 1 when nothing is at stage + prefix (a component on
 * the way is absent), else 0.  0, or -1 with fail().
 */
int stagecheck_outside(const char *stage, const char *prefix, struct strvec *out, int *missing);

/*
 * "a, b, c and 4 more": the first show of n paths (all of them when n <= show + 1), each
 * through printable() (a staged name may hold any byte but '/' and NUL): one line, no
 * control byte.  Caller frees.
 */
char *stagecheck_list(char *const *paths, size_t n, size_t show);

/* What stagecheck_link finds of a symlink's target. */
enum stagecheck_verdict {
	STAGECHECK_INSIDE,  /* resolves inside the prefix */
	STAGECHECK_OUTSIDE, /* absolute outside the prefix, or climbs above it */
	STAGECHECK_DOTDOT,  /* ".." after a name: through a symlink it leads elsewhere than it reads */
};

/*
 * Judges lexically the target of a symlink to be installed at rel (relative
 * to prefix, "lib/libx.so"): an absolute target must be prefix or lie under
 * it; a relative one is resolved from rel's directory and must never climb
 * above prefix.  ".." after a name is refused in both: each symlink is judged
 * alone, and "a/.." where a is itself a symlink goes to a's target's parent.
 */
enum stagecheck_verdict stagecheck_link(const char *prefix, const char *rel, const char *target);

#endif
