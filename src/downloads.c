/* downloads.c - the command layer's side of downloading: the options, the cache opened on first use. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "download.h"
#include "downloads.h"
#include "error.h"
#include "progress.h"
#include "quote.h"
#include "unpack.h"
#include "util.h"

extern char **environ;

/* A whole number from min to max, nothing else; -1 otherwise. */
static long parse_number(const char *value, long min, long max)
{
	long n;

	if (!*value || value[strspn(value, "0123456789")])
		return -1;
	errno = 0;
	n = strtol(value, NULL, 10);
	return errno || n < min || n > max ? -1 : n;
}

int downloads_check_seconds(const char *value)
{
	if (parse_number(value, 1, 86400) < 0)
		return fail("'%s' is not a number of seconds from 1 to 86400", value);
	return 0;
}

int downloads_check_count(const char *value)
{
	if (parse_number(value, 0, 100) < 0)
		return fail("'%s' is not a number of retries from 0 to 100", value);
	return 0;
}

int downloads_check_size(const char *value)
{
	uint64_t bytes;

	return unpack_parse_size(value, &bytes);
}

static int is_web_url(const char *url)
{
	const char *host = !strncmp(url, "http://", 7) ? url + 7 : !strncmp(url, "https://", 8) ? url + 8 : NULL;

	return host && *host && *host != '/';
}

int downloads_check_mirror(const char *value)
{
	if (!is_web_url(value))
		return fail("a mirror must be an http:// or https:// url with a host: '%s'", value);
	return 0;
}

void downloads_init(struct downloads *d, int offline, const char *timeout, const char *retries,
		    const char *max_size)
{
	const char *env = getenv("CENV_OFFLINE");
	uint64_t bytes;

	memset(d, 0, sizeof(*d));
	d->cache.fd = -1;
	d->fetch.retries = -1;
	d->announce = 1;
	d->offline = offline || (env && !strcmp(env, "1"));
	if (timeout)
		d->fetch.timeout_s = parse_number(timeout, 1, 86400);
	if (retries)
		d->fetch.retries = (int)parse_number(retries, 0, 100);
	if (max_size && unpack_parse_size(max_size, &bytes) == 0)
		d->fetch.max_size = bytes;
}

void downloads_release(struct downloads *d)
{
	if (d->cache_state == 1)
		dlcache_close(&d->cache);
	d->cache_state = 0;
	strvec_release(&d->mirrors);
}

int downloads_set_mirrors(struct downloads *d, const char *const *given, int no_origin)
{
	const char *env = getenv("CENV_NO_ORIGIN"), *s;

	d->no_origin = no_origin || (env && !strcmp(env, "1"));
	for (; given && *given; given++)
		strvec_push(&d->mirrors, *given);
	s = getenv("CENV_MIRRORS");
	if (!s)
		return 0;
	s += strspn(s, " \t\n");
	while (*s) {
		size_t len = strcspn(s, " \t\n");
		char *word = xasprintf("%.*s", (int)len, s);

		if (downloads_check_mirror(word) < 0) {
			free(word);
			return fail_wrap("CENV_MIRRORS");
		}
		strvec_push_owned(&d->mirrors, word);
		s += len;
		s += strspn(s, " \t\n");
	}
	return 0;
}

void downloads_add_mirrors(struct downloads *d, char *const *mirrors)
{
	for (; mirrors && *mirrors; mirrors++)
		strvec_push(&d->mirrors, *mirrors);
}

int downloads_is_remote(const char *url)
{
	return !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
}

/* The cache, opened on first use; -1 with fail() (said again each time it is asked for). */
/* dlcache's on_wait: another process is downloading the same archive; said before waiting. */
static void say_waiting(void *ctx, const char *sha256)
{
	const struct downloads *d = ctx;

	fprintf(stderr, "cenv: waiting for another cenv process downloading the archive %.16s... "
		"(at most %d s)\n", sha256, d->cache.wait_max);
	fflush(stderr);
}

static int open_cache(struct downloads *d)
{
	char *root;
	int ret;

	if (d->cache_state == 1)
		return 0;
	root = dlcache_default_root(environ);
	if (!root)
		return fail_wrap("no download cache");
	ret = dlcache_open(&d->cache, root);
	free(root);
	if (ret < 0)
		return fail_wrap("cannot open the download cache");
	d->cache.on_wait = say_waiting;
	d->cache.wait_ctx = d;
	d->cache_state = 1;
	return 0;
}

/* fetch_options.progress of a download shown by its caller: counted for its line, then told on. */
struct shown_progress {
	struct progress line;
	const struct download_shown *shown;
};

static void shown_update(void *ctx, unsigned long long done, unsigned long long total)
{
	struct shown_progress *sp = ctx;

	progress_update(&sp->line, done, total);
	sp->shown->progress(sp->shown->ctx, done, total);
}

int downloads_prepare(struct downloads *d)
{
	int ret = open_cache(d);

	/* even without the cache: libcurl is set up here, before any thread, whatever comes next */
	if (!d->offline && fetch_init() < 0)
		ret = -1;
	return ret;
}

int downloads_get_urls_shown(struct downloads *d, const char *name, const char *const *urls, size_t nurls,
			     const char *sha256, char **path, char **source, const struct download_shown *shown)
{
	struct download_request req;
	struct fetch_options opt = d->fetch;
	struct shown_progress sp;
	char *from = NULL;
	int fetched = 0, ret;

	*path = NULL;
	if (source)
		*source = NULL;
	if (open_cache(d) < 0)
		return fail_wrap("%s", name);
	/* before the first download: curl_global_init (downloads_prepare did it before any thread) */
	if (!d->offline && fetch_init() < 0)
		return fail_wrap("%s", name);
	opt.name = name;
	memset(&req, 0, sizeof(req));
	req.name = name;
	req.urls = urls;
	req.nurls = nurls;
	req.mirrors = (const char *const *)d->mirrors.v;
	req.nmirrors = d->mirrors.n;
	req.no_origin = d->no_origin;
	req.sha256 = sha256;
	req.offline = d->offline;
	req.fetch = &opt;
	/* with shown: no bar of its own, its bytes told on */
	progress_start(&sp.line, name, d->quiet || shown);
	sp.shown = shown;
	opt.progress = shown ? shown_update : progress_update;
	opt.progress_ctx = shown ? (void *)&sp : (void *)&sp.line;
	ret = download_archive_from(&d->cache, &req, path, &fetched, &from);
	if (shown && shown->hold)
		shown->hold(shown->ctx, 1);
	if (ret == 0 && fetched && from && d->announce) {
		char *url = fetch_shown_url(from);

		progress_finish(&sp.line, 1, url);
		free(url);
	} else {
		progress_finish(&sp.line, 0, NULL);
	}
	if (shown && shown->hold)
		shown->hold(shown->ctx, 0);
	if (source)
		*source = from;
	else
		free(from);
	return ret;
}

int downloads_get_urls(struct downloads *d, const char *name, const char *const *urls, size_t nurls,
		       const char *sha256, char **path, char **source)
{
	return downloads_get_urls_shown(d, name, urls, nurls, sha256, path, source, NULL);
}

int downloads_get(struct downloads *d, const char *name, const char *url, const char *sha256, char **path)
{
	return downloads_get_urls(d, name, &url, 1, sha256, path, NULL);
}

int downloads_have(struct downloads *d, const char *sha256)
{
	struct download_request req;

	if (open_cache(d) < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.sha256 = sha256;
	return download_cached(&d->cache, &req);
}

int downloads_from_options(struct downloads *d, const struct invocation *inv, int first_download)
{
	const struct option_value *o = inv->opts + first_download;
	/* the order of DOWNLOADS_OPTIONS */
	enum { OFFLINE, TIMEOUT, RETRIES, MAX_SIZE, MIRROR, NO_ORIGIN, QUIET };
	const char **mirrors;
	int ret;

	downloads_init(d, o[OFFLINE].given > 0, o[TIMEOUT].given ? o[TIMEOUT].value : NULL,
		       o[RETRIES].given ? o[RETRIES].value : NULL, o[MAX_SIZE].given ? o[MAX_SIZE].value : NULL);
	d->quiet = o[QUIET].given > 0;
	mirrors = option_all_values(inv->cmd, inv->argc, inv->argv, first_download + MIRROR);
	ret = downloads_set_mirrors(d, mirrors, o[NO_ORIGIN].given > 0);
	free(mirrors);
	if (ret < 0)
		downloads_release(d);
	return ret;
}

char *downloads_url_label(const char *url)
{
	const char *base = strrchr(url, '/');
	char *name = xstrdup(base && base[1] ? base + 1 : url), *shown;

	name[strcspn(name, "?#")] = '\0';
	shown = printable(name);
	free(name);
	return shown;
}
