/* fetch.h - downloads over HTTP(S) with libcurl: one URL into one descriptor, hashed as it is written. */
#ifndef CENV_FETCH_H
#define CENV_FETCH_H

#include "digest.h"

/*
 * curl_global_init, once, from main before any thread starts (it loads
 * libcurl on first use); -1 with fail().  Safe to call twice: fetch_url calls
 * it too, so a caller that forgets still works (single-threaded).
 */
int fetch_init(void);

/* How one download behaves.  Zero or NULL fields take the defaults said (retries: -1); borrowed. */
struct fetch_options {
	const char *name;        /* the package, first in every message ("zlib: GET ..."); NULL: none */
	long timeout_s;          /* no data for this long fails the try ("no data for 60 s"), and the
				    connect limit; 0: FETCH_TIMEOUT_S */
	int retries;             /* tries after the first, for what may pass; -1: FETCH_RETRIES */
	unsigned long long max_size; /* a body larger than this is cut off with an error; 0: 4 GiB */
	const char *user_agent;  /* NULL: "cenv/" CENV_VERSION */
	long backoff_ms;         /* first retry's wait, doubled each time, with jitter; 0: 1000 */
	/*
	 * NULL, or told how far the download is, often (from libcurl's progress callback, on the
	 * calling thread): done bytes of total (0: not known yet), counting from byte 0 across
	 * resumed tries.  For a display; it must not call back into fetch.
	 */
	void (*progress)(void *ctx, unsigned long long done, unsigned long long total);
	void *progress_ctx;
};
#define FETCH_TIMEOUT_S 60
#define FETCH_RETRIES 3
#define FETCH_MAX_SIZE (4ULL << 30)
#define FETCH_BACKOFF_MS 1000
/*
 * At most this many redirects are followed; a Retry-After longer than FETCH_RETRY_AFTER_MAX_S,
 * or than the options' timeout_s, is cut to it.
 */
#define FETCH_MAX_REDIRECTS 10
#define FETCH_RETRY_AFTER_MAX_S 60

/*
 * GETs url (http:// or https:// only) into fd, an empty regular file open for
 * writing (the download cache's .part; anything in it is discarded), hashing
 * every byte in the write callback as it is written (pwrite at explicit
 * offsets: fd's own offset is left alone), never re-reading the file.  On
 * success fd holds the whole body and hex its sha256.  opt may be NULL (all
 * defaults).  Each call has its own handle: threads may call it at once.
 * -1 with fail() naming the package, the URL (user:password shown as ***) and
 * the cause:
 *   "zlib: GET https://example.org/zlib-1.3.1.tar.gz: HTTP 404 Not Found"
 *   "...: connection refused", "...: no data for 60 s",
 *   "...: the body is larger than the limit of 4 GiB (--max-size)",
 *   "...: no space left on device" (a full disk while writing),
 *   "...: redirect to 'file:///etc/passwd' refused" ...
 * After a failure fd holds whatever was written; the caller removes the .part.
 * TLS is verified against the system's CAs, or CURL_CA_BUNDLE (else
 * SSL_CERT_FILE) and SSL_CERT_DIR when set; credentials come from the URL or
 * from ~/.netrc (NETRC: another file); libcurl reads the proxy variables.  A
 * signal noted by interrupt.h stops a transfer or a wait ("interrupted by SIGINT").
 */
int fetch_url(const char *url, int fd, const struct fetch_options *opt, char hex[DIGEST_HEX_SIZE]);

/*
 * url for a message: any user:password replaced by ***, control bytes as %XX,
 * cut with "..." after FETCH_SHOWN_MAX bytes (error.c holds 2 KiB).  Caller frees.
 */
#define FETCH_SHOWN_MAX 400
char *fetch_shown_url(const char *url);

#endif
