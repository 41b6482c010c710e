/* fetch.c - downloads over HTTP(S) with libcurl: one URL into one descriptor, hashed as it is written. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lazylib.h"
#include "digest.h"
#include "error.h"
#include "escape.h"
#include "fetch.h"
#include "interrupt.h"
#include "util.h"

/*
 * Redirects are followed here, not by libcurl (CURLOPT_FOLLOWLOCATION off):
 * each hop's target is seen before any request goes to it, so a refused one
 * (file://, ftp://, https -> http) is named in the message instead of being
 * libcurl's bare "unsupported protocol", and the count is ours.  The allowed
 * protocols are set all the same, as a second lock.  A hop is a new request
 * on the same handle: its connection is reused, netrc is read for its host,
 * and a Range goes with every hop of a resumed try.
 */

/* An error response's body is read and thrown away up to this much, then the connection is dropped. */
#define DISCARD_MAX (1 << 20)
/* A wait between tries is never longer, whatever the doubling gives. */
#define BACKOFF_MAX_MS 60000L

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char init_error[512];

static void init_curl(void)
{
	CURLcode rc;

	if (lazylib_curl() < 0) {
		snprintf(init_error, sizeof(init_error), "%s", last_error());
		return;
	}
	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK)
		snprintf(init_error, sizeof(init_error), "cannot start libcurl: %s", curl_easy_strerror(rc));
}

int fetch_init(void)
{
	pthread_once(&init_once, init_curl);
	return init_error[0] ? fail("%s", init_error) : 0;
}

char *fetch_shown_url(const char *url)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = url, *scheme = strstr(url, "://"), *auth_end, *at = NULL;

	if (scheme) {
		p = scheme + 3;
		auth_end = p + strcspn(p, "/?#");
		for (const char *q = p; q < auth_end; q++)
			if (*q == '@')
				at = q;
		sb_add(&sb, url, (size_t)(p - url));
		if (at) {
			sb_adds(&sb, "***");
			p = at;
		}
	}
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c == 0x7f)
			sb_addf(&sb, "%%%02X", c);
		else
			sb_addc(&sb, (char)c);
	}
	if (sb.len > FETCH_SHOWN_MAX) {
		size_t cut = FETCH_SHOWN_MAX - 3;

		/* never in the middle of a UTF-8 sequence */
		while (cut > 0 && ((unsigned char)sb.buf[cut] & 0xc0) == 0x80)
			cut--;
		sb.len = cut;
		sb.buf[cut] = '\0';
		sb_adds(&sb, "...");
	}
	return sb_detach(&sb);
}

/* What stopped a try from inside a callback. */
enum stop {
	STOP_NONE,
	STOP_FATAL,   /* not worth another try: why says it */
	STOP_RESTART, /* retried from byte 0 */
	STOP_DISCARD, /* an error body too long to read: the status says what happened */
};

/* One call's transfer: the handle, the file, the digest of everything in it, this response. */
struct transfer {
	CURL *curl;
	int fd;
	struct digest digest;
	unsigned long long written; /* bytes in fd from byte 0, every one hashed */
	unsigned long long max_size;
	unsigned long long resume_from; /* the Range this request asked for (0: none) */
	long timeout_s;
	/* the response being read, reset at its status line */
	long status;
	char reason[128];
	int have_length, have_range, have_total, headers_done, body;
	unsigned long long length, range_start, total, discarded;
	long retry_after; /* seconds, -1: none */
	/* set by a callback that stopped the transfer */
	enum stop stop;
	char why[512];
	char errbuf[CURL_ERROR_SIZE];
	const struct fetch_options *opt; /* the caller's, for its progress callback; may be NULL */
	/* what was received and not yet hashed and written: the writer's (below) */
	char *wbuf, *wbufs[2];
	size_t wlen;
	struct writer *writer;
};

/*
 * The body reaches write_cb in pieces of what one recv() gave (16 KiB, often).  They are
 * gathered into a MiB, which a thread of this call's own then hashes and writes at its
 * place while the next MiB arrives: hashing on the receiving thread made a download on
 * loopback half again as slow as curl's.  Two buffers: the one filling, the one the writer
 * has.  The digest is the writer's alone until the transfer waits for it (writer_wait).
 */
#define WRITE_BUFFER (1u << 20)

struct writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	char *buf;                  /* handed over, or NULL when the writer is idle */
	size_t len;
	unsigned long long off;     /* where buf goes in fd */
	int quit;
	int error;                  /* errno of a failed write; -1: the digest failed */
	int fd;
	struct digest *digest;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		char *buf;
		size_t len;
		unsigned long long off;
		int error = 0;

		while (!w->buf && !w->quit)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->buf)
			break;
		buf = w->buf, len = w->len, off = w->off;
		pthread_mutex_unlock(&w->lock);
		if (!w->error) {
			if (digest_update(w->digest, buf, len) < 0)
				error = -1;
			else if (write_all(w->fd, buf, len, (off_t)off) < 0)
				error = errno ? errno : EIO;
		}
		pthread_mutex_lock(&w->lock);
		if (error && !w->error)
			w->error = error;
		w->buf = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Waits until the writer has what it was given on disk; its error, 0 or as above. */
static int writer_wait(struct writer *w)
{
	int error;

	pthread_mutex_lock(&w->lock);
	while (w->buf)
		pthread_cond_wait(&w->cond, &w->lock);
	error = w->error;
	pthread_mutex_unlock(&w->lock);
	return error;
}

/* Hands buf (len bytes for offset off) to the writer, once it is idle; its error so far. */
static int writer_give(struct writer *w, char *buf, size_t len, unsigned long long off)
{
	int error;

	pthread_mutex_lock(&w->lock);
	while (w->buf)
		pthread_cond_wait(&w->cond, &w->lock);
	error = w->error;
	if (!error) {
		w->buf = buf, w->len = len, w->off = off;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return error;
}

static int writer_start(struct writer *w, int fd, struct digest *digest)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->digest = digest;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->cond);
		return fail("cannot start the download's writer thread");
	}
	return 0;
}

static void writer_stop(struct writer *w)
{
	writer_wait(w);
	pthread_mutex_lock(&w->lock);
	w->quit = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

static void stop_with(struct transfer *t, enum stop stop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void stop_with(struct transfer *t, enum stop stop, const char *fmt, ...)
{
	va_list ap;

	t->stop = stop;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
}

/* "4 GiB", "512 KiB", "1000 bytes": a limit as the user would have written it. */
static void size_text(unsigned long long n, char *out, size_t len)
{
	if (n && !(n & ((1ULL << 30) - 1)))
		snprintf(out, len, "%llu GiB", n >> 30);
	else if (n && !(n & ((1ULL << 20) - 1)))
		snprintf(out, len, "%llu MiB", n >> 20);
	else if (n && !(n & ((1ULL << 10) - 1)))
		snprintf(out, len, "%llu KiB", n >> 10);
	else
		snprintf(out, len, "%llu byte%s", n, n == 1 ? "" : "s");
}

static void stop_too_large(struct transfer *t)
{
	char limit[64];

	size_text(t->max_size, limit, sizeof(limit));
	stop_with(t, STOP_FATAL, "the body is larger than the limit of %s (--max-size)", limit);
}

/* An errno as text, thread-safely (strerror is not). */
static const char *errno_text(int err, char *buf, size_t len)
{
	switch (err) {
	case ENOSPC:
		return "no space left on device";
#ifdef EDQUOT
	case EDQUOT:
		return "disk quota exceeded";
#endif
	case ECONNREFUSED:
		return "connection refused";
	case ECONNRESET:
		return "connection reset";
	case ENETUNREACH:
		return "network unreachable";
	case EHOSTUNREACH:
		return "host unreachable";
	case ETIMEDOUT:
		return "connection timed out";
	}
	if (strerror_r(err, buf, len) != 0)
		snprintf(buf, len, "error %d", err);
	return buf;
}

/* Drops what fd holds and starts the digest again: a server that sent the whole body instead of the rest. */
static int restart_body(struct transfer *t)
{
	char buf[128];

	writer_wait(t->writer); /* idle (a try ends with flush_body): the file and digest are ours */
	if (t->written && ftruncate(t->fd, 0) < 0) {
		stop_with(t, STOP_FATAL, "cannot empty the download to start it again: %s",
			  errno_text(errno, buf, sizeof(buf)));
		return -1;
	}
	t->written = 0;
	t->wlen = 0;
	digest_release(&t->digest);
	if (digest_init(&t->digest, "the download") < 0) {
		stop_with(t, STOP_FATAL, "%s", last_error());
		return -1;
	}
	return 0;
}

/* The digits at s (after spaces) as a number; 0 when there are none, or too many. */
static int parse_number(const char *s, const char *end, unsigned long long *out)
{
	unsigned long long n = 0;
	int digits = 0;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits++) {
		if (n > (ULLONG_MAX - 9) / 10)
			return 0;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	*out = n;
	return digits > 0;
}

/* The value of header line [line, end) when it is the field name (with its colon), else NULL. */
static const char *header_value(const char *line, const char *end, const char *name)
{
	size_t n = strlen(name);

	if ((size_t)(end - line) < n || strncasecmp(line, name, n))
		return NULL;
	return line + n;
}

/* A status line: a new response starts (an interim 1xx, a hop's 3xx, the body's 200 ...). */
static void status_line(struct transfer *t, const char *line, const char *end)
{
	const char *p = memchr(line, ' ', (size_t)(end - line));
	unsigned long long code = 0;

	t->status = 0;
	t->reason[0] = '\0';
	t->have_length = t->have_range = t->have_total = t->headers_done = t->body = 0;
	t->length = t->range_start = t->total = t->discarded = 0;
	t->retry_after = -1;
	if (!p || !parse_number(p, end, &code) || code > 999)
		return;
	t->status = (long)code;
	p++;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	while (p < end && *p == ' ')
		p++;
	while (end > p && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	if (end > p) {
		/* the server's words go into a message: no control bytes, not too long */
		struct strbuf sb = STRBUF_INIT;
		char *raw = xmalloc((size_t)(end - p) + 1);

		memcpy(raw, p, (size_t)(end - p));
		raw[end - p] = '\0';
		escape_name(&sb, raw);
		snprintf(t->reason, sizeof(t->reason), "%s", sb_str(&sb));
		sb_release(&sb);
		free(raw);
	}
}

/* The headers of a response are in: decide whether its body goes into fd, and from where. */
static int headers_done(struct transfer *t)
{
	t->headers_done = 1;
	if (t->status != 200 && t->status != 206)
		return 0; /* an interim, a redirect or an error: its body is not the file */
	if (t->status == 200 && t->written > 0 && restart_body(t) < 0)
		return -1; /* no Range support: the whole body again, from byte 0 */
	if (t->status == 206) {
		if (!t->resume_from) {
			stop_with(t, STOP_RESTART, "HTTP 206 to a request without a Range");
			return -1;
		}
		if (!t->have_range || t->range_start != t->written) {
			stop_with(t, STOP_RESTART, "asked to resume at byte %llu, the server sent %s%llu",
				  t->written, t->have_range ? "byte " : "no Content-Range, ",
				  t->have_range ? t->range_start : 0);
			return -1;
		}
	}
	if (t->have_length && (t->length > t->max_size || t->written > t->max_size - t->length)) {
		stop_too_large(t);
		return -1;
	}
	t->body = 1;
	return 0;
}

static size_t header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	const char *end = data + size * n, *v;

	if (size * n >= 5 && !strncmp(data, "HTTP/", 5)) {
		status_line(t, data, end);
	} else if (size * n <= 2 && (data[0] == '\r' || data[0] == '\n')) {
		if (headers_done(t) < 0)
			return 0;
	} else if ((v = header_value(data, end, "content-length:"))) {
		t->have_length = parse_number(v, end, &t->length);
	} else if ((v = header_value(data, end, "content-range:"))) {
		/* "bytes START-END/TOTAL", TOTAL maybe "*" */
		while (v < end && *v == ' ')
			v++;
		if ((size_t)(end - v) > 6 && !strncasecmp(v, "bytes ", 6)) {
			const char *slash = memchr(v, '/', (size_t)(end - v));

			t->have_range = parse_number(v + 6, end, &t->range_start);
			if (slash)
				t->have_total = parse_number(slash + 1, end, &t->total);
		}
	} else if ((v = header_value(data, end, "retry-after:"))) {
		unsigned long long s;

		/* seconds only; an HTTP-date is left to the backoff */
		if (parse_number(v, end, &s))
			t->retry_after = s > FETCH_RETRY_AFTER_MAX_S ? FETCH_RETRY_AFTER_MAX_S : (long)s;
	}
	return size * n;
}

/* The writer's error as the transfer's stop: -1 with t stopped, or 0. */
static int writer_failed(struct transfer *t, int error)
{
	char buf[128];

	if (!error)
		return 0;
	if (error < 0)
		stop_with(t, STOP_FATAL, "cannot hash the download");
	else
		stop_with(t, STOP_FATAL, "%s", errno_text(error, buf, sizeof(buf)));
	return -1;
}

/* Hands the gathered bytes to the writer and takes its other buffer; -1 with t stopped. */
static int pass_body(struct transfer *t)
{
	if (!t->wlen)
		return 0;
	/* the writer takes it once idle, so the other buffer is free again: the two swap */
	if (writer_failed(t, writer_give(t->writer, t->wbuf, t->wlen, t->written - t->wlen)) < 0)
		return -1;
	t->wbuf = t->wbuf == t->wbufs[0] ? t->wbufs[1] : t->wbufs[0];
	t->wlen = 0;
	return 0;
}

/* Everything received hashed and on disk, as at the end of a try; -1 with t stopped. */
static int flush_body(struct transfer *t)
{
	if (pass_body(t) < 0)
		return -1;
	return writer_failed(t, writer_wait(t->writer));
}

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n, left;

	if (!t->headers_done && headers_done(t) < 0)
		return 0;
	if (!t->body) {
		t->discarded += len;
		if (t->discarded > DISCARD_MAX) {
			t->stop = STOP_DISCARD;
			return 0;
		}
		return len;
	}
	if (len > t->max_size - t->written) {
		stop_too_large(t);
		return 0;
	}
	for (left = len; left;) {
		size_t take = left < WRITE_BUFFER - t->wlen ? left : WRITE_BUFFER - t->wlen;

		memcpy(t->wbuf + t->wlen, data, take);
		t->wlen += take;
		t->written += take;
		data += take;
		left -= take;
		if (t->wlen == WRITE_BUFFER && pass_body(t) < 0)
			return 0;
	}
	return len;
}

static int progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct transfer *t = arg;
	int sig = interrupt_requested();

	(void)dlnow, (void)ultotal, (void)ulnow;
	if (sig) {
		stop_with(t, STOP_FATAL, "interrupted by %s", interrupt_name(sig));
		return 1;
	}
	/* only for the body being kept: an error page or a redirect's is not the download */
	if (t->opt && t->opt->progress && t->body)
		t->opt->progress(t->opt->progress_ctx, t->written,
				 dltotal > 0 ? t->resume_from + (unsigned long long)dltotal : 0);
	return 0;
}

/* Everything about the handle that does not change between tries and hops; -1 with fail(). */
static int setup_handle(struct transfer *t, const struct fetch_options *opt)
{
	const char *ua = opt && opt->user_agent ? opt->user_agent : "cenv/" CENV_VERSION;
	const char *netrc = getenv("NETRC");
	const char *cafile = getenv("CURL_CA_BUNDLE"), *capath = getenv("SSL_CERT_DIR");
	CURLcode rc = CURLE_OK;
	CURL *c = t->curl;

	if (!cafile || !*cafile)
		cafile = getenv("SSL_CERT_FILE");
#define SET(option, value)                                                  \
	if (rc == CURLE_OK && (rc = curl_easy_setopt(c, option, value)) != CURLE_OK) \
		return fail("cannot set up libcurl (%s): %s (libcurl 7.85 or newer is needed)", #option, \
			    curl_easy_strerror(rc));
	SET(CURLOPT_PROTOCOLS_STR, "http,https")
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
	SET(CURLOPT_FOLLOWLOCATION, 0L)
	SET(CURLOPT_NOSIGNAL, 1L) /* threads: no SIGALRM around name lookups */
	SET(CURLOPT_SSL_VERIFYPEER, 1L)
	SET(CURLOPT_SSL_VERIFYHOST, 2L)
	/* the curl tool honours these, the library does not */
	if (cafile && *cafile)
		SET(CURLOPT_CAINFO, cafile)
	if (capath && *capath)
		SET(CURLOPT_CAPATH, capath)
	SET(CURLOPT_CONNECTTIMEOUT, t->timeout_s)
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L)
	SET(CURLOPT_LOW_SPEED_TIME, t->timeout_s)
	SET(CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL)
	if (netrc && *netrc)
		SET(CURLOPT_NETRC_FILE, netrc)
	SET(CURLOPT_USERAGENT, ua)
	SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) /* a proxy's CONNECT reply is not the response */
	SET(CURLOPT_TCP_KEEPALIVE, 1L)
	SET(CURLOPT_BUFFERSIZE, 131072L)
	SET(CURLOPT_ERRORBUFFER, t->errbuf)
	SET(CURLOPT_HEADERFUNCTION, header_cb)
	SET(CURLOPT_HEADERDATA, t)
	SET(CURLOPT_WRITEFUNCTION, write_cb)
	SET(CURLOPT_WRITEDATA, t)
	SET(CURLOPT_XFERINFOFUNCTION, progress_cb)
	SET(CURLOPT_XFERINFODATA, t)
	SET(CURLOPT_NOPROGRESS, 0L)
#undef SET
	return 0;
}

/* "http"/"https" when url is one of those, else NULL. */
static const char *web_scheme(const char *url)
{
	if (!strncasecmp(url, "https://", 8))
		return "https";
	if (!strncasecmp(url, "http://", 7))
		return "http";
	return NULL;
}

static const char *reason_of(long status)
{
	static const struct { long code; const char *text; } known[] = {
		{ 400, "Bad Request" }, { 401, "Unauthorized" }, { 403, "Forbidden" },
		{ 404, "Not Found" }, { 408, "Request Timeout" }, { 410, "Gone" },
		{ 416, "Range Not Satisfiable" }, { 429, "Too Many Requests" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].code == status)
			return known[i].text;
	return "";
}

/* One failed try, as the retry loop sees it. */
struct outcome {
	int retry;        /* another try may pass */
	long retry_after; /* the server's wait in seconds, -1: none */
	int restart;      /* the next try starts at byte 0 */
};

/* The cause of a failed perform, into why; whether it may pass next time. */
static int curl_cause(struct transfer *t, CURLcode rc, char *why, size_t len)
{
	long os_errno = 0;
	curl_off_t connect_us = 0;
	char buf[128];
	struct strbuf detail = STRBUF_INIT;

	curl_easy_getinfo(t->curl, CURLINFO_OS_ERRNO, &os_errno);
	escape_name(&detail, t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		if (os_errno)
			snprintf(why, len, "%s", errno_text((int)os_errno, buf, sizeof(buf)));
		else
			snprintf(why, len, "cannot connect: %s", sb_str(&detail));
		break;
	case CURLE_OPERATION_TIMEDOUT:
		curl_easy_getinfo(t->curl, CURLINFO_CONNECT_TIME_T, &connect_us);
		if (connect_us > 0)
			snprintf(why, len, "no data for %ld s", t->timeout_s);
		else
			snprintf(why, len, "no connection within %ld s", t->timeout_s);
		break;
	case CURLE_PARTIAL_FILE:
		if (t->have_length)
			snprintf(why, len, "the body was cut off after %llu of %llu bytes", t->written,
				 t->resume_from + t->length);
		else
			snprintf(why, len, "the body was cut off after %llu bytes", t->written);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (os_errno)
			snprintf(why, len, "%s", errno_text((int)os_errno, buf, sizeof(buf)));
		else
			snprintf(why, len, "%s", sb_str(&detail));
		break;
	case CURLE_GOT_NOTHING:
		snprintf(why, len, "the server closed the connection without a reply");
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(why, len, "%s (other CAs: CURL_CA_BUNDLE or SSL_CERT_FILE)", sb_str(&detail));
		break;
	default:
		snprintf(why, len, "%s", sb_str(&detail));
		break;
	}
	sb_release(&detail);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT: /* a stall */
	case CURLE_PARTIAL_FILE:      /* a cut-off body: resumed */
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/*
 * One try: GETs url, following its redirects, into t from t->written on.
 * 0 when fd holds the whole body; else -1 with fail() (the cause only: the
 * caller puts the package and the URL in front) and *out says what next.
 */
static int try_once(struct transfer *t, const char *url, struct outcome *out)
{
	char *current = xstrdup(url), why[1024], range[32];
	int hops = 0, ret = -1;
	CURLcode rc;

	*out = (struct outcome){ 0, -1, 0 };
	for (;;) {
		const char *target = NULL;

		t->stop = STOP_NONE;
		t->why[0] = t->errbuf[0] = '\0';
		t->status = 0;
		t->headers_done = t->body = t->have_length = 0;
		t->resume_from = t->written;
		t->retry_after = -1;
		curl_easy_setopt(t->curl, CURLOPT_URL, current);
		/*
		 * CURLOPT_RANGE, not RESUME_FROM_LARGE: with the latter libcurl itself
		 * fails a 200 answer (CURLE_RANGE_ERROR), where the whole body it brings
		 * is just as good once fd is emptied (headers_done does that).
		 */
		snprintf(range, sizeof(range), "%llu-", t->written);
		curl_easy_setopt(t->curl, CURLOPT_RANGE, t->written ? range : (char *)NULL);
		rc = curl_easy_perform(t->curl);
		/* the file holds all that was received, before any decision looks at it */
		if (t->stop != STOP_FATAL)
			flush_body(t);
		if (t->stop == STOP_FATAL || t->stop == STOP_RESTART) {
			out->retry = out->restart = t->stop == STOP_RESTART;
			fail("%s", t->why);
			goto out;
		}
		if (rc != CURLE_OK && t->stop != STOP_DISCARD) {
			out->retry = curl_cause(t, rc, why, sizeof(why));
			fail("%s", why);
			goto out;
		}
		if ((t->status == 200 || t->status == 206) && t->stop == STOP_NONE) {
			if (t->status == 206 && t->have_total && t->written != t->total) {
				out->retry = 1;
				fail("the body was cut off after %llu of %llu bytes", t->written, t->total);
				goto out;
			}
			ret = 0;
			goto out;
		}
		if (t->status >= 300 && t->status < 400 && t->status != 304) {
			const char *from = web_scheme(current), *to;
			char *shown;
			int refused = 1;

			if (curl_easy_getinfo(t->curl, CURLINFO_REDIRECT_URL, &target) != CURLE_OK || !target) {
				fail("HTTP %ld without a Location to follow", t->status);
				goto out;
			}
			shown = fetch_shown_url(target);
			to = web_scheme(target);
			if (!to)
				fail("redirect to '%s' refused (only http:// and https:// are fetched)", shown);
			else if (!strcmp(from, "https") && !strcmp(to, "http"))
				fail("redirect to '%s' refused (from https to plain http)", shown);
			else if (++hops > FETCH_MAX_REDIRECTS)
				fail("more than %d redirects (the last to '%s')", FETCH_MAX_REDIRECTS, shown);
			else
				refused = 0;
			free(shown);
			if (refused)
				goto out;
			free(current);
			current = xstrdup(target);
			continue;
		}
		/* an error status (or one that is no file) */
		if (t->status == 416 && t->resume_from) {
			out->retry = out->restart = 1; /* what we have no longer fits: from the start */
		} else if (t->status == 429 || (t->status >= 500 && t->status <= 599)) {
			out->retry = 1;
			out->retry_after = t->retry_after;
		}
		fail("HTTP %ld%s%s%s", t->status, t->reason[0] || reason_of(t->status)[0] ? " " : "",
		     t->reason[0] ? t->reason : reason_of(t->status),
		     t->status == 401 ? " (credentials: ~/.netrc, or the file NETRC names)" : "");
		goto out;
	}
out:
	if (ret < 0 && strcmp(current, url)) {
		char *shown = fetch_shown_url(current);

		fail_wrap("redirected to '%s'", shown);
		free(shown);
	}
	free(current);
	return ret;
}

/* A small generator for the jitter, seeded per call: no state shared between threads. */
static unsigned long next_random(unsigned long long *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned long)(*state >> 11);
}

/* Sleeps ms, woken early by an interrupt; -1 with fail() when one came. */
static int wait_ms(long ms)
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd p = { .fd = interrupt_fd(), .events = POLLIN };
		long left;

		if (interrupt_requested())
			return fail("interrupted by %s", interrupt_name(interrupt_requested()));
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long)(end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000L;
		if (left <= 0)
			return 0;
		/* fd -1 (no interrupt_init) is ignored: then slices, to see a signal all the same */
		poll(&p, 1, p.fd < 0 && left > 100 ? 100 : (int)left);
	}
}

int fetch_url(const char *url, int fd, const struct fetch_options *opt, char hex[DIGEST_HEX_SIZE])
{
	struct writer writer;
	struct transfer t;
	struct timespec ts;
	struct stat st;
	struct outcome out;
	unsigned long long seed;
	int retries = opt && opt->retries >= 0 ? opt->retries : FETCH_RETRIES, try, ret = -1;
	long backoff = opt && opt->backoff_ms > 0 ? opt->backoff_ms : FETCH_BACKOFF_MS;
	char *shown = fetch_shown_url(url);
	const char *name = opt && opt->name ? opt->name : NULL;

	memset(&t, 0, sizeof(t));
	t.fd = fd;
	t.opt = opt;
	t.wbufs[0] = xmalloc(WRITE_BUFFER);
	t.wbufs[1] = xmalloc(WRITE_BUFFER);
	t.wbuf = t.wbufs[0];
	t.max_size = opt && opt->max_size ? opt->max_size : FETCH_MAX_SIZE;
	t.timeout_s = opt && opt->timeout_s > 0 ? opt->timeout_s : FETCH_TIMEOUT_S;
	if (!web_scheme(url)) {
		fail("only http:// and https:// URLs are fetched");
		goto out;
	}
	if (fetch_init() < 0)
		goto out;
	if (fstat(fd, &st) < 0) {
		fail_errno("cannot use the download's file");
		goto out;
	}
	if (S_ISREG(st.st_mode) && st.st_size > 0 && ftruncate(fd, 0) < 0) {
		fail_errno("cannot empty the download's file");
		goto out;
	}
	if (digest_init(&t.digest, "the download") < 0)
		goto out;
	if (writer_start(&writer, fd, &t.digest) < 0)
		goto out;
	t.writer = &writer;
	t.curl = curl_easy_init();
	if (!t.curl) {
		fail("cannot start a libcurl transfer");
		goto out;
	}
	if (setup_handle(&t, opt) < 0)
		goto out;
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = ((unsigned long long)ts.tv_nsec << 20) ^ (unsigned long long)ts.tv_sec ^
	       (unsigned long long)(uintptr_t)&t;
	if (!seed)
		seed = 1;
	for (try = 0;; try++) {
		long wait;

		if (try_once(&t, url, &out) == 0)
			break;
		if (!out.retry || try >= retries) {
			if (try > 0) {
				char *cause = error_take();

				fail("%s (%d tries)", cause, try + 1);
				free(cause);
			}
			goto out;
		}
		if (out.retry_after >= 0) {
			/* no longer than the timeout either: --timeout 5 is a user's word that 5 s
			   without progress is too long, whatever the server asks */
			wait = (out.retry_after < t.timeout_s ? out.retry_after : t.timeout_s) * 1000L;
		} else {
			/* doubled each try, then a random part of the upper half: tries of many clients spread */
			wait = backoff;
			for (int i = 0; i < try && wait < BACKOFF_MAX_MS; i++)
				wait *= 2;
			if (wait > BACKOFF_MAX_MS)
				wait = BACKOFF_MAX_MS;
			wait = wait / 2 + (long)(next_random(&seed) % (unsigned long)(wait / 2 + 1));
		}
		{
			char *cause = error_take();

			if (wait_ms(wait) < 0) {
				free(cause);
				goto out;
			}
			free(cause);
		}
		if (out.restart && restart_body(&t) < 0) {
			fail("%s", t.why);
			goto out;
		}
	}
	if (digest_final(&t.digest, hex) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		if (name)
			fail_wrap("%s: GET %s", name, shown);
		else
			fail_wrap("GET %s", shown);
	}
	if (t.curl)
		curl_easy_cleanup(t.curl);
	digest_release(&t.digest);
	if (t.writer)
		writer_stop(t.writer);
	free(t.wbufs[0]);
	free(t.wbufs[1]);
	free(shown);
	return ret;
}
