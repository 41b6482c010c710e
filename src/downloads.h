/* downloads.h - the command layer's side of downloading: the options, the cache opened on first use. */
#ifndef CENV_DOWNLOADS_H
#define CENV_DOWNLOADS_H

#include <stddef.h>

#include "dlcache.h"
#include "fetch.h"
#include "strvec.h"

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
	struct strvec mirrors;      /* --mirror..., then CENV_MIRRORS, then the manifest's [cenv] mirrors */
	int no_origin;              /* --no-origin or CENV_NO_ORIGIN=1: the mirrors only */
	int quiet;                  /* --quiet: no progress bar, even on a terminal */
	int announce;               /* say each download in one line on stdout (progress.h); default 1 */
};

/*
 * The download options of every command that downloads (install, fetch, add): its options
 * enum ends with DOWNLOADS_OPTIONS, its table with DOWNLOADS_OPTION_SPECS, and its exec calls
 * downloads_from_options.
 */
#define DOWNLOADS_OPTIONS OPT_OFFLINE, OPT_TIMEOUT, OPT_RETRIES, OPT_MAX_DOWNLOAD, OPT_MIRROR, OPT_NO_ORIGIN, OPT_QUIET
#define DOWNLOADS_OPTION_SPECS                                                 \
	[OPT_OFFLINE] = { "offline", 0, 0, NULL },                             \
	[OPT_TIMEOUT] = { "timeout", 0, 1, downloads_check_seconds },          \
	[OPT_RETRIES] = { "retries", 0, 1, downloads_check_count },            \
	[OPT_MAX_DOWNLOAD] = { "max-size", 0, 1, downloads_check_size },       \
	[OPT_MIRROR] = { "mirror", 0, 1, downloads_check_mirror },             \
	[OPT_NO_ORIGIN] = { "no-origin", 0, 0, NULL },                         \
	[OPT_QUIET] = { "quiet", 'q', 0, NULL }
/* The help lines of the options whose meaning is the same in every command that takes them. */
#define DOWNLOADS_HELP_LIMITS                                                                     \
	"  --timeout S      a download that gets no data for S seconds fails (default 60)\n"       \
	"  --retries N      tries after the first for a download that may pass (default 3)\n"     \
	"  --max-size SIZE  a download larger than SIZE fails (default 4G)\n"
#define DOWNLOADS_HELP_MIRRORS                                                                    \
	"  --mirror URL     ask this web directory first, for URL/sha256/<sha256>; repeatable,\n"  \
	"                   before CENV_MIRRORS and the manifest's [cenv] mirrors\n"               \
	"  --no-origin      download from the mirrors only, never from a package's own urls\n"     \
	"                   (also CENV_NO_ORIGIN=1)\n"                                            \
	"  -q, --quiet      no progress bar on a terminal (a line per download, as in a pipe)\n"
struct invocation;
/*
 * downloads_init and downloads_set_mirrors from those options of inv (their indexes in the
 * command's table: the command's own OPT_ names, passed as first_download = OPT_OFFLINE);
 * -1 with fail() for a bad mirror (d is then released).
 */
int downloads_from_options(struct downloads *d, const struct invocation *inv, int first_download);

/* The options' check functions. */
int downloads_check_seconds(const char *value);
int downloads_check_count(const char *value);
int downloads_check_size(const char *value);

/* --mirror's value: an http:// or https:// url with a host; -1 with fail(). */
int downloads_check_mirror(const char *value);

/* Defaults, then the options given (NULL: not given); CENV_OFFLINE=1 counts as --offline. */
void downloads_init(struct downloads *d, int offline, const char *timeout, const char *retries,
		    const char *max_size);
void downloads_release(struct downloads *d);
/*
 * After downloads_init: the mirrors given (--mirror, NULL-terminated, NULL: none), then
 * those of CENV_MIRRORS (blank-separated); no_origin, or CENV_NO_ORIGIN=1, forbids the
 * entries' own urls.  -1 with fail() for a word of CENV_MIRRORS that is not an http(s) url.
 */
int downloads_set_mirrors(struct downloads *d, const char *const *given, int no_origin);
/* Appends a manifest's [cenv] mirrors (NULL-terminated, NULL: none), asked after the others. */
void downloads_add_mirrors(struct downloads *d, char *const *mirrors);

/*
 * What messages call the download of url before its package is known: its last component
 * without the query, control bytes escaped (printable(): one line, no escape code reaches a
 * terminal).  Caller frees.
 */
char *downloads_url_label(const char *url);

/* 1 when url is one to download (http:// or https://). */
int downloads_is_remote(const char *url);

/*
 * The archive of package name at url with digest sha256 (NULL: not known yet): from the
 * cache, else downloaded into it (unless offline).  *path gets the cached file (caller
 * frees).  -1 with fail() naming the package and the URL.
 */
int downloads_get(struct downloads *d, const char *name, const char *url, const char *sha256, char **path);
/*
 * The same for an entry of nurls urls (local ones are skipped: the caller looked at them):
 * the cache, else the mirrors (given sha256), then the urls in order, unless no_origin.
 * *source (caller frees; source may be NULL) gets the url it was downloaded from, NULL
 * when the cache had it.  -1 with fail() naming the package and every url tried.
 */
int downloads_get_urls(struct downloads *d, const char *name, const char *const *urls, size_t nurls,
		       const char *sha256, char **path, char **source);
/*
 * What one of several downloads at once tells its caller instead of drawing its own bar
 * (schedule.c: the display's).  Every callback runs on the downloading thread.
 */
struct download_shown {
	/* how far it is: done bytes of total (0: not known) */
	void (*progress)(void *ctx, unsigned long long done, unsigned long long total);
	/* around its "downloaded" line on stdout: hold(ctx, 1) before, hold(ctx, 0) after */
	void (*hold)(void *ctx, int on);
	void *ctx;
};
/* downloads_get_urls, shown through shown (NULL: today's bar on a terminal). */
int downloads_get_urls_shown(struct downloads *d, const char *name, const char *const *urls, size_t nurls,
			     const char *sha256, char **path, char **source, const struct download_shown *shown);
/*
 * Before downloads on several threads: the cache opened and libcurl set up (curl_global_init),
 * here on the main thread, once.  0, or -1 with fail().
 */
int downloads_prepare(struct downloads *d);

/* 1 when the archive with digest sha256 is in the cache, 0 when not; -1 with fail(). */
int downloads_have(struct downloads *d, const char *sha256);

#endif
