/* download.h - a package's archive from its URLs: the download cache first, then mirrors and origins. */
#ifndef CENV_DOWNLOAD_H
#define CENV_DOWNLOAD_H

#include <stddef.h>

#include "dlcache.h"
#include "fetch.h"

/* One archive to obtain.  Every field is the caller's. */
struct download_request {
	const char *name;   /* the package, for messages */
	const char *url;    /* one http:// or https:// url, used when nurls is 0 */
	const char *const *urls; /* nurls urls of the entry, in order; those not http(s) are skipped
				    (local files are the caller's, and cost no download) */
	size_t nurls;
	const char *const *mirrors; /* nmirrors http(s) directories, asked first, in order, for
				       MIRROR/sha256/<sha256> (only when sha256 is known) */
	size_t nmirrors;
	int no_origin;      /* only the mirrors: the entry's own urls are never asked */
	const char *sha256; /* what the manifest says: 64 lowercase hex digits; NULL: not known (kept as it comes) */
	int offline;        /* never open a connection: the cache or nothing */
	const struct fetch_options *fetch;
};

/*
 * The archive of req, in the cache c: found there (verified again), or, unless offline,
 * downloaded into it and kept only when its digest is the manifest's.  The sources are
 * tried in order, the mirrors, then (unless no_origin) the entry's urls; any failure of one
 * (a 404, a refused connection, retries spent, wrong bytes) goes on to the next.  *path
 * (caller frees) gets the cached file; *fetched tells whether it was downloaded now.
 * -1 with fail(): with one source tried, its cause as it was ("zlib: GET https://...: HTTP
 * 404 Not Found", "zlib: checksum mismatch for https://...: the manifest says X, the
 * download is Y": nothing cached); with several, one line naming each with its cause
 * ("zlib: every source failed: GET http://mirror/sha256/X: HTTP 404 Not Found; GET
 * https://...: connection refused", cut with "; and N more" to fit error.c's 2 KiB);
 * offline "zlib: https://... (sha256 X) is not in the download cache, and --offline
 * forbids downloading it"; "zlib: --no-origin, and no mirror to ask".
 */
int download_archive(struct dlcache *c, const struct download_request *req, char **path, int *fetched);
/* The same; *source (caller frees; source may be NULL) gets the url downloaded from, NULL from the cache. */
int download_archive_from(struct dlcache *c, const struct download_request *req, char **path,
			  int *fetched, char **source);

/* 1 when the archive of req (its sha256 given) is in the cache, verified; 0 when not; -1 with fail(). */
int download_cached(struct dlcache *c, const struct download_request *req);

/* MIRROR/sha256/<sha256>, without doubling a trailing '/' of mirror; caller frees. */
char *download_mirror_url(const char *mirror, const char *sha256);

#endif
