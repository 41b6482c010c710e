/* download.h - a package's archive from its URL: the download cache first, then the network. */
#ifndef CENV_DOWNLOAD_H
#define CENV_DOWNLOAD_H

#include "dlcache.h"
#include "fetch.h"

/* One archive to obtain.  Every field is the caller's. */
struct download_request {
	const char *name;   /* the package, for messages */
	const char *url;    /* http:// or https:// */
	const char *sha256; /* what the manifest says: 64 lowercase hex digits; NULL: not known (kept as it comes) */
	int offline;        /* never open a connection: the cache or nothing */
	const struct fetch_options *fetch;
};

/*
 * The archive of req, in the cache c: found there (verified again), or, unless offline,
 * downloaded into it and kept only when its digest is the manifest's.  *path (caller
 * frees) gets the cached file; *fetched tells whether it was downloaded now.  -1 with
 * fail(): the fetcher's message, "zlib: checksum mismatch for https://...: the manifest
 * says X, the download is Y" (not retried, nothing cached), or offline "zlib: https://...
 * (sha256 X) is not in the download cache, and --offline forbids downloading it".
 */
int download_archive(struct dlcache *c, const struct download_request *req, char **path, int *fetched);

/* 1 when the archive of req (its sha256 given) is in the cache, verified; 0 when not; -1 with fail(). */
int download_cached(struct dlcache *c, const struct download_request *req);

#endif
