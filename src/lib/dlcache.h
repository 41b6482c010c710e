/* dlcache.h - the download cache: archives named by their sha256, shared by every environment of the user. */
#ifndef CENV_DLCACHE_H
#define CENV_DLCACHE_H

#include <time.h>

/*
 * The layout under the root (.../cenv/downloads):
 *   sha256/XX/<sha256>       a cached file (XX: its first two hex digits), 0644
 *   sha256/XX/<sha256>.info  its sidecar, text, one "KEY VALUE" line each:
 *                              url URL      where it came from, user:password shown as ***,
 *                                           spaces, control and non-ASCII bytes percent-encoded
 *                                           (it stays the same URL), cut at 8 KiB
 *                              used SECONDS its last use (commit or lookup), since the epoch
 *                            (unknown keys are skipped; no sidecar: last use is the file's mtime)
 *   tmp/<sha256|new>.<16 hex>.part  downloads in progress, each flock()ed by its writer
 *   locks/<sha256>           a download of that hash in progress (flock), removed when it ends
 *
 * Nothing inside the root is ever followed through a symlink: a symlink (or anything
 * not a directory / regular file) where the cache expects its own directory or file is
 * an error naming it, and it is left alone (neither it nor its target is touched).
 * The root's own existing ancestors are followed as the user set them up (a ~/.cache
 * that is a symlink to another disk); missing ones are made without following.
 *
 * Processes and threads: every lock is a flock() on its own open file description, so
 * two threads of one process exclude each other exactly as two processes do, and the
 * kernel drops the locks of a killed process.  A struct dlcache is not changed after
 * dlcache_open (set on_wait and wait_max before sharing it): any number of threads may
 * call lookup, begin, commit, abort, remove and list on one at once, for the same hash
 * or different ones.  A struct dlcache_part belongs to one thread at a time.
 */

/* A sha256 as text: 64 lowercase hex digits. */
int dlcache_valid_hash(const char *s);

/* One open cache; owner: dlcache_open's caller, dlcache_close frees. */
struct dlcache {
	char *root;   /* .../cenv/downloads, absolute, normalised */
	int fd;       /* root, O_DIRECTORY */
	int sha_fd;   /* root/sha256 */
	int tmp_fd;   /* root/tmp */
	int locks_fd; /* root/locks */
	/*
	 * Set by the caller after dlcache_open, if at all.  dlcache_begin calls on_wait (when
	 * set) once, on its own thread, when it has waited 300 ms for another process's
	 * download of the same hash ("waiting for another cenv process downloading ..."): a
	 * lock held for less is a sweep of stale locks testing it, no download; it waits at
	 * most wait_max seconds (dlcache_open sets DLCACHE_WAIT_MAX), then downloads anyway:
	 * both commits then put the same bytes in place atomically.
	 */
	void (*on_wait)(void *ctx, const char *sha256);
	void *wait_ctx;
	int wait_max;
};
#define DLCACHE_WAIT_MAX 900

/*
 * The cache's root: $XDG_CACHE_HOME/cenv/downloads, else $HOME/.cache/cenv/downloads
 * (values from envp, not getenv, so callers choose; a relative XDG_CACHE_HOME is
 * ignored, as the XDG spec says); caller frees.  NULL with fail() when neither is set
 * to an absolute path.
 */
char *dlcache_default_root(char *const *envp);
/*
 * Opens the cache at root (absolute), making what is missing (0755, umask applies):
 * root itself, sha256/, tmp/ and locks/.  -1 with fail(); nothing to close then.
 */
int dlcache_open(struct dlcache *c, const char *root);
/* Closes the descriptors and frees root; twice is fine. */
void dlcache_close(struct dlcache *c);

/*
 * The cached file for sha256 (64 lowercase hex): sha256/XX/<sha256>, hashed again
 * before it is given (cheap, and it catches a corrupted disk).  A corrupted one is
 * removed with its sidecar (unless a download of that hash is in progress: that one
 * will replace it) and *corrupt is set (corrupt may be NULL).  1 with *path (caller
 * frees) when there and intact, 0 when absent or corrupted, -1 with fail() (a
 * symlink or a non-regular file there, an unreadable one).  Updates its last use
 * (best effort: a full disk must not stop an offline install over a date).
 */
int dlcache_lookup(struct dlcache *c, const char *sha256, char **path, int *corrupt);

/* A download in progress.  Owner: dlcache_begin's caller; dlcache_commit or dlcache_abort ends it. */
struct dlcache_part {
	int fd;          /* the .part: O_RDWR, empty at first, flock()ed; the fetcher writes here */
	char *name;      /* relative to root: "tmp/....part" */
	int lock_fd;     /* the per-hash lock, or -1 (no hash given, or gave up waiting) */
	char *sha256;    /* the hash given to begin, or NULL */
	int waited;      /* begin waited for another process's download of this hash */
};

/*
 * Begins a download of sha256 (NULL: not known yet, as for `cenv add`).  With a hash,
 * first takes the per-hash lock locks/<sha256>: when another process (or thread) holds
 * it, sets p->waited, calls c->on_wait (after 300 ms) and waits until it is released (at most
 * c->wait_max seconds, or until interrupt_requested(): -1 with fail()).  Then, if the
 * file is in the cache (committed while we waited, or just before), returns 1 with
 * nothing begun (p->fd -1, nothing to end): call dlcache_lookup.  Else removes stale
 * .part files (no one holds their lock: left by a killed process), creates a new,
 * unique tmp/....part (O_EXCL|O_NOFOLLOW, 0644), locks it and returns 0.
 * -1 with fail(); nothing to end then.
 */
int dlcache_begin(struct dlcache *c, const char *sha256, struct dlcache_part *p);

/*
 * Ends a download whose bytes have digest hex (the fetcher computed it while writing):
 * refuses a hex that is not 64 lowercase hex digits or not the hash given to begin;
 * writes the sidecar (url, shown without user:password; NULL: none
 * recorded), renames the .part to sha256/XX/<hex> (atomic: no reader ever sees a
 * half-written file; one already there is replaced by the same bytes), syncs the
 * directory and releases the locks; the file itself is not fsynced (each use hashes it
 * again, dlcache.c says why).  *path (caller frees) gets the cached file.
 * p is ended whatever the result: on failure (a full disk included) the .part is
 * removed and -1 returned with fail().
 */
int dlcache_commit(struct dlcache *c, struct dlcache_part *p, const char *hex, const char *url,
		   char **path);
/* Removes the .part and releases the locks (a failed or refused download); twice is fine. */
void dlcache_abort(struct dlcache *c, struct dlcache_part *p);

/*
 * Removes the cached file of sha256 and its sidecar (`cenv cache clean`).  0 (also
 * when absent), 1 when a download of it is in progress (nothing removed), -1 with fail().
 */
int dlcache_remove(struct dlcache *c, const char *sha256);

/* One cached file, as dlcache_list gives it; valid during the callback only. */
struct dlcache_entry {
	const char *sha256;
	const char *path;  /* absolute */
	long long size;
	time_t last_use;   /* the sidecar's, else the file's mtime */
	const char *url;   /* as recorded (credentials already hidden), or NULL */
};
/*
 * Calls fn for every cached file, in the order of their hashes (sidecars, temporary
 * files and anything else are skipped; a symlink is never followed).  A non-zero
 * return from fn stops the walk and is returned; else 0, or -1 with fail().
 */
int dlcache_list(struct dlcache *c, int (*fn)(void *ctx, const struct dlcache_entry *e), void *ctx);

/* url with any user:password replaced by *** (for messages and the sidecar); caller frees. */
char *dlcache_redact_url(const char *url);

#endif
