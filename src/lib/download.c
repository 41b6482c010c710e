/* download.c - a package's archive from its URLs: the download cache first, then mirrors and origins. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "digest.h"
#include "download.h"
#include "error.h"
#include "interrupt.h"
#include "strvec.h"
#include "util.h"

/*
 * The cache is content-addressed, so the manifest's sha256 is what is looked up: a cached
 * file is the right file, whatever URL it came from.  A download is kept only once its
 * digest, computed as it was written, is the one expected: a wrong file never enters the
 * cache.  Mirrors are content-addressed too (MIRROR/sha256/<sha256>), so they are asked
 * first; a source that fails, for whatever reason, leaves the next one to try, and the
 * message, if all fail, names every one.
 */

/* Room for the causes in one message: error.c keeps 2 KiB, the package's name goes first. */
#define CAUSES_MAX 1800

int download_cached(struct dlcache *c, const struct download_request *req)
{
	char *path = NULL;
	int found = dlcache_lookup(c, req->sha256, &path, NULL);

	free(path);
	return found;
}

char *download_mirror_url(const char *mirror, const char *sha256)
{
	size_t len = strlen(mirror);

	while (len && mirror[len - 1] == '/')
		len--;
	return xasprintf("%.*s/sha256/%s", (int)len, mirror, sha256);
}

static int is_remote(const char *url)
{
	return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

/* The urls to ask, in order: the mirrors (given a hash), then the entry's own remote ones. */
static void sources(const struct download_request *req, struct strvec *out)
{
	const char *const *urls = req->nurls ? req->urls : &req->url;
	size_t n = req->nurls ? req->nurls : (req->url ? 1 : 0), i;

	for (i = 0; req->sha256 && i < req->nmirrors; i++)
		strvec_push_owned(out, download_mirror_url(req->mirrors[i], req->sha256));
	for (i = 0; !req->no_origin && i < n; i++)
		if (is_remote(urls[i]))
			strvec_push(out, urls[i]);
}

/* The entry's first remote url, for messages, with how many others it has. */
static char *shown_origin(const struct download_request *req)
{
	const char *const *urls = req->nurls ? req->urls : &req->url;
	size_t n = req->nurls ? req->nurls : (req->url ? 1 : 0), i, more = 0;
	const char *first = NULL;
	char *shown, *out;

	for (i = 0; i < n; i++) {
		if (!is_remote(urls[i]))
			continue;
		if (first)
			more++;
		else
			first = urls[i];
	}
	if (!first)
		return xstrdup("(no url)");
	shown = fetch_shown_url(first);
	if (!more)
		return shown;
	out = xasprintf("%s (and %zu other url%s)", shown, more, more == 1 ? "" : "s");
	free(shown);
	return out;
}

static int offline_missing(const struct download_request *req)
{
	char *shown = shown_origin(req);

	fail("%s: %s (sha256 %s) is not in the download cache, and --offline forbids downloading it",
	     req->name, shown, req->sha256);
	free(shown);
	return -1;
}

/* Adds one source's cause to the list of a failed download. */
static void add_cause(struct strbuf *causes, size_t *left_off, const char *cause)
{
	if (*left_off || causes->len + strlen(cause) + 2 > CAUSES_MAX) {
		(*left_off)++;
		return;
	}
	if (causes->len)
		sb_adds(causes, "; ");
	sb_adds(causes, cause);
}

/*
 * Asks each source in turn into the .part of c, and commits the first whose digest is the
 * one expected.  0 with *path and *source, or -1 with fail(); the part is ended either way.
 */
static int fetch_into_cache(struct dlcache *c, const struct download_request *req,
			    struct dlcache_part *part, char **path, char **source)
{
	struct strvec urls = STRVEC_INIT;
	struct strbuf causes = STRBUF_INIT;
	struct fetch_options opt;
	char hex[DIGEST_HEX_SIZE];
	size_t i, left_off = 0, tried = 0;
	int ret = -1;

	if (req->fetch) {
		opt = *req->fetch;
	} else {
		memset(&opt, 0, sizeof(opt));
		opt.retries = -1;
	}
	opt.name = NULL; /* each cause without the name: it comes once, first */
	sources(req, &urls);
	for (i = 0; i < urls.n; i++) {
		const char *url = urls.v[i];

		if (i && interrupt_requested())
			break;
		tried++;
		if (ftruncate(part->fd, 0) < 0) {
			fail_errno("%s: cannot empty the download's temporary file", req->name);
			dlcache_abort(c, part);
			goto out;
		}
		if (fetch_url(url, part->fd, &opt, hex) < 0) {
			char *cause = error_take();

			add_cause(&causes, &left_off, cause);
			free(cause);
			if (interrupt_requested())
				break;
			continue; /* a source that failed: the next one */
		}
		if (req->sha256 && strcmp(hex, req->sha256)) {
			char *shown = fetch_shown_url(url);
			char *cause = xasprintf("checksum mismatch for %s: the manifest says %s, the download is %s",
						shown, req->sha256, hex);

			add_cause(&causes, &left_off, cause);
			free(cause);
			free(shown);
			continue;
		}
		if (dlcache_commit(c, part, hex, url, path) < 0) {
			fail_wrap("%s", req->name);
			goto out;
		}
		if (source)
			*source = xstrdup(url);
		ret = 0;
		goto out;
	}
	dlcache_abort(c, part);
	if (!tried && req->no_origin)
		fail("%s: --no-origin, and no mirror to ask%s", req->name,
		     req->sha256 || !req->nmirrors ? "" : " (a mirror is asked by the sha256, not known here)");
	else if (!tried)
		fail("%s: no url to download it from", req->name);
	else if (tried == 1)
		fail("%s: %s", req->name, sb_str(&causes));
	else if (left_off)
		fail("%s: every source failed: %s; and %zu more", req->name, sb_str(&causes), left_off);
	else
		fail("%s: every source failed: %s", req->name, sb_str(&causes));
out:
	strvec_release(&urls);
	sb_release(&causes);
	return ret;
}

int download_archive_from(struct dlcache *c, const struct download_request *req, char **path,
			  int *fetched, char **source)
{
	struct dlcache_part part;
	int found = 0, begun;

	*path = NULL;
	*fetched = 0;
	if (source)
		*source = NULL;
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
	if (fetch_into_cache(c, req, &part, path, source) < 0)
		return -1;
	*fetched = 1;
	return 0;
}

int download_archive(struct dlcache *c, const struct download_request *req, char **path, int *fetched)
{
	return download_archive_from(c, req, path, fetched, NULL);
}
