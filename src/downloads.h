/* downloads.h - the command layer's side of downloading: the options, the cache opened on first use. */
#ifndef CENV_DOWNLOADS_H
#define CENV_DOWNLOADS_H

#include "dlcache.h"
#include "fetch.h"

/*
 * One run's downloads.  Owner: whoever called downloads_init; downloads_release frees it.
 * The cache is opened, and libcurl loaded, only when a remote archive is first asked for:
 * a run whose packages are all up to date opens nothing and loads nothing.
 */
struct downloads {
	struct fetch_options fetch; /* name is set per call */
	int offline;                /* --offline or CENV_OFFLINE=1: no connection, ever */
	struct dlcache cache;
	int cache_state;            /* 0: not opened yet, 1: open, -1: could not be opened */
};

/* The options of install (and, later, fetch and add), checked by their specs' check functions. */
int downloads_check_seconds(const char *value);
int downloads_check_count(const char *value);
int downloads_check_size(const char *value);

/* Defaults, then the options given (NULL: not given); CENV_OFFLINE=1 counts as --offline. */
void downloads_init(struct downloads *d, int offline, const char *timeout, const char *retries,
		    const char *max_size);
void downloads_release(struct downloads *d);

/* 1 when url is one to download (http:// or https://). */
int downloads_is_remote(const char *url);

/*
 * The archive of package name at url with digest sha256 (NULL: not known yet): from the
 * cache, else downloaded into it (unless offline).  *path gets the cached file (caller
 * frees).  -1 with fail() naming the package and the URL.
 */
int downloads_get(struct downloads *d, const char *name, const char *url, const char *sha256, char **path);
/* 1 when the archive with digest sha256 is in the cache, 0 when not; -1 with fail(). */
int downloads_have(struct downloads *d, const char *sha256);

#endif
