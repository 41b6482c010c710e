/* download.c - a package's archive from its URL: the download cache first, then the network. */
#include <stdlib.h>
#include <string.h>

#include "digest.h"
#include "download.h"
#include "error.h"
#include "util.h"

/*
 * The cache is content-addressed, so the manifest's sha256 is what is looked up: a cached
 * file is the right file, whatever URL it came from.  A download is kept only once its
 * digest, computed as it was written, is the one expected: a wrong file never enters the
 * cache, and is never fetched again in the same run (a server that gave other bytes gives
 * them again).
 */

int download_cached(struct dlcache *c, const struct download_request *req)
{
	char *path = NULL;
	int found = dlcache_lookup(c, req->sha256, &path, NULL);

	free(path);
	return found;
}

static int mismatch(const struct download_request *req, const char *got)
{
	char *shown = fetch_shown_url(req->url);

	fail("%s: checksum mismatch for %s: the manifest says %s, the download is %s", req->name, shown,
	     req->sha256, got);
	free(shown);
	return -1;
}

static int offline_missing(const struct download_request *req)
{
	char *shown = fetch_shown_url(req->url);

	fail("%s: %s (sha256 %s) is not in the download cache, and --offline forbids downloading it",
	     req->name, shown, req->sha256);
	free(shown);
	return -1;
}

/* Downloads req->url into a new .part of c and commits it when its digest is the one expected. */
static int fetch_into_cache(struct dlcache *c, const struct download_request *req,
			    struct dlcache_part *part, char **path)
{
	char hex[DIGEST_HEX_SIZE];

	if (fetch_url(req->url, part->fd, req->fetch, hex) < 0) {
		dlcache_abort(c, part);
		return -1;
	}
	if (req->sha256 && strcmp(hex, req->sha256)) {
		dlcache_abort(c, part);
		return mismatch(req, hex);
	}
	return dlcache_commit(c, part, hex, req->url, path);
}

int download_archive(struct dlcache *c, const struct download_request *req, char **path, int *fetched)
{
	struct dlcache_part part;
	int found = 0, begun;

	*path = NULL;
	*fetched = 0;
	if (req->sha256 && (found = dlcache_lookup(c, req->sha256, path, NULL)) != 0)
		return found < 0 ? -1 : 0;
	if (req->offline)
		return offline_missing(req);
	begun = dlcache_begin(c, req->sha256, &part);
	if (begun < 0)
		return -1;
	/* another process committed it while this one waited for the hash's lock */
	if (begun == 1) {
		found = dlcache_lookup(c, req->sha256, path, NULL);
		if (found != 0)
			return found < 0 ? -1 : 0;
		begun = dlcache_begin(c, req->sha256, &part);
		if (begun != 0)
			return begun < 0 ? -1 : fail("%s: the download cache changed under it", req->name);
	}
	if (fetch_into_cache(c, req, &part, path) < 0)
		return -1;
	*fetched = 1;
	return 0;
}
