/* test_fetch.c - unit tests of downloads against tests/httpd.py on 127.0.0.1: retries, resume, redirects, limits, TLS, netrc. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

/* the real names: this test links libcurl itself, to compare lazylib's pointers */
#define LAZYLIB_IMPLEMENTATION
#include "error.h"
#include "fetch.h"
#include "interrupt.h"
#include "lazylib.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#define DATA_SIZE 200000 /* data.bin: random bytes, cut in half by /cut/ */

static char dir[] = "/tmp/cenv-fetch-XXXXXX";
static char *root, *http_log, *https_log, *ca_pem, *data_path;
static char data_sha[DIGEST_HEX_SIZE];
static pid_t http_pid = -1, https_pid = -1;
static int http_port, https_port, have_tls;
static int out_count;

/* ---- helpers ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sha256sum(1)'s digest of path: the expected value comes from outside the code under test. */
static void sha256sum(const char *path, char out[DIGEST_HEX_SIZE])
{
	char *cmd = xasprintf("sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	assert_non_null(fgets(out, DIGEST_HEX_SIZE, p));
	assert_int_equal(strlen(out), 64);
	pclose(p);
	free(cmd);
}

static long long file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long long)st.st_size;
}

/* The log's lines (requests) whose path contains tag. */
static int requests(const char *log, const char *tag)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	int n = 0;

	if (read_file(log, &text, &len) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *path = strchr(line, '\t'), *end;

		if (!path)
			continue;
		end = strchr(path + 1, '\t');
		if (end)
			*end = '\0';
		if (strstr(path + 1, tag))
			n++;
		if (end)
			*end = '\t';
	}
	free(text);
	return n;
}

/* The log line of the nth (from 0) request whose path contains tag, in a new string; NULL if none. */
static char *request_line(const char *log, const char *tag, int nth)
{
	char *text = NULL, *line, *save = NULL, *found = NULL;
	size_t len;

	if (read_file(log, &text, &len) < 0)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, tag) && nth-- == 0) {
			found = xstrdup(line);
			break;
		}
	free(text);
	return found;
}

static struct fetch_options quick(void)
{
	return (struct fetch_options){ .name = "zlib", .timeout_s = 5, .retries = 3, .backoff_ms = 10 };
}

/* fetch_url into a new file of dir; *path gets its name (caller frees). */
static int fetch_new(const char *url, const struct fetch_options *opt, char hex[DIGEST_HEX_SIZE], char **path)
{
	char *name = xasprintf("%s/out-%d", dir, out_count++);
	int fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644), ret;

	assert_true(fd >= 0);
	ret = fetch_url(url, fd, opt, hex);
	close(fd);
	*path = name;
	return ret;
}

static char *http_url(const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", http_port, path);
}

/* A fetch that must succeed with data.bin's bytes, checked by sha256sum of the result too. */
static void expect_data(const char *url, const struct fetch_options *opt)
{
	char hex[DIGEST_HEX_SIZE], file_sha[DIGEST_HEX_SIZE], *path;

	int rc = fetch_new(url, opt, hex, &path);

	if (rc < 0)
		fprintf(stderr, "# %s\n", last_error());
	assert_int_equal(rc, 0);
	assert_string_equal(hex, data_sha);
	sha256sum(path, file_sha);
	assert_string_equal(file_sha, data_sha);
	assert_int_equal(file_size(path), DATA_SIZE);
	free(path);
}

/* A fetch that must fail with a message containing want; *size (unless NULL) gets the file's size. */
static void expect_error(const char *url, const struct fetch_options *opt, const char *want, long long *size)
{
	char hex[DIGEST_HEX_SIZE], *path;
	int rc = fetch_new(url, opt, hex, &path);

	if (rc == 0 || !strstr(last_error(), want))
		fprintf(stderr, "# got '%s'\n# want '%s'\n", rc == 0 ? "(success)" : last_error(), want);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(last_error(), want));
	if (size)
		*size = file_size(path);
	free(path);
}

static pid_t start_server(const char *name, int tls, int *port)
{
	char *port_file = xasprintf("%s/%s.port", dir, name), *log = xasprintf("%s/%s.log", dir, name);
	char *cert = xasprintf("%s/server.pem", dir), *key = xasprintf("%s/server.key", dir);
	char *text = NULL;
	size_t len;
	pid_t pid = fork();
	int i;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (tls)
			execlp("python3", "python3", "tests/httpd.py", "--port-file", port_file, "--root", root,
			       "--log", log, "--tls", cert, key, (char *)NULL);
		else
			execlp("python3", "python3", "tests/httpd.py", "--port-file", port_file, "--root", root,
			       "--log", log, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000 && read_file(port_file, &text, &len) < 0; i++)
		nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
	assert_non_null(text);
	*port = atoi(text);
	assert_true(*port > 0);
	free(text);
	free(port_file);
	free(log);
	free(cert);
	free(key);
	return pid;
}

static void stop_server(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

/* A test CA and a server certificate for 127.0.0.1 it signed, made with openssl(1) here (no keys committed). */
static int make_ca(void)
{
	char *cmd = xasprintf(
		"cd '%s' && { "
		"openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
		"-subj /CN=cenv-test-CA -keyout ca.key -out ca.pem "
		"-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign && "
		"openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
		"-keyout server.key -out server.csr && "
		"printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\n"
		"extendedKeyUsage=serverAuth\\n' > server.ext && "
		"openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
		"-extfile server.ext -out server.pem; } >openssl.log 2>&1",
		dir);
	int rc = system(cmd);

	free(cmd);
	return rc == 0;
}

static int setup(void **state)
{
	char *cmd;

	(void)state;
	root = path_join(dir, "root");
	if (mkdir(root, 0755) < 0)
		return -1;
	data_path = path_join(root, "data.bin");
	cmd = xasprintf("head -c %d /dev/urandom > '%s' && echo hello > '%s/hello.txt'", DATA_SIZE, data_path, root);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	sha256sum(data_path, data_sha);
	http_log = xasprintf("%s/http.log", dir);
	https_log = xasprintf("%s/https.log", dir);
	ca_pem = xasprintf("%s/ca.pem", dir);
	http_pid = start_server("http", 0, &http_port);
	have_tls = make_ca();
	if (have_tls)
		https_pid = start_server("https", 1, &https_port);
	return fetch_init();
}

static int teardown(void **state)
{
	(void)state;
	stop_server(http_pid);
	stop_server(https_pid);
	free(root);
	free(http_log);
	free(https_log);
	free(ca_pem);
	free(data_path);
	return remove_tree(dir);
}

/* ---- tests ---- */

/* Each pointer against the function the static linker resolved: the same library, the same symbol. */
#define SAME_AS_LINKED(name)                                                        \
	assert_non_null((void *)lazylib.name);                                      \
	assert_true((void (*)(void))lazylib.name == (void (*)(void))name);

static void test_lazylib_curl(void **state)
{
	(void)state;
	assert_int_equal(lazylib_curl(), 0);
	LAZYLIB_CURL_FUNCTIONS(SAME_AS_LINKED)
	assert_int_equal(fetch_init(), 0); /* twice: fine */
}

static void test_shown_url(void **state)
{
	char *s, *longurl;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	s = fetch_shown_url("https://user:secret@example.org/a.tar.gz");
	assert_string_equal(s, "https://***@example.org/a.tar.gz");
	free(s);
	s = fetch_shown_url("http://tok@example.org:8080/x?q=1");
	assert_string_equal(s, "http://***@example.org:8080/x?q=1");
	free(s);
	/* an @ after the host is no password */
	s = fetch_shown_url("https://example.org/@scope/pkg");
	assert_string_equal(s, "https://example.org/@scope/pkg");
	free(s);
	s = fetch_shown_url("https://example.org/a b\nc");
	assert_string_equal(s, "https://example.org/a%20b%0Ac");
	free(s);
	sb_adds(&sb, "https://example.org/");
	for (int i = 0; i < 3000; i++)
		sb_addc(&sb, 'x');
	longurl = sb_detach(&sb);
	s = fetch_shown_url(longurl);
	assert_int_equal(strlen(s), FETCH_SHOWN_MAX);
	assert_string_equal(s + FETCH_SHOWN_MAX - 3, "...");
	assert_memory_equal(s, longurl, FETCH_SHOWN_MAX - 3);
	free(s);
	free(longurl);
}

static void test_ok(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/data.bin?t=ok"), *line;

	(void)state;
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t=ok"), 1);
	line = request_line(http_log, "t=ok", 0);
	assert_non_null(line);
	assert_non_null(strstr(line, "\t-\tcenv/" CENV_VERSION)); /* no Range; our User-Agent */
	free(line);
	free(url);
	/* another User-Agent when asked; defaults when opt is NULL */
	opt.user_agent = "tester/1";
	url = http_url("/data.bin?t=agent");
	expect_data(url, &opt);
	line = request_line(http_log, "t=agent", 0);
	assert_non_null(strstr(line, "\ttester/1"));
	free(line);
	free(url);
	url = http_url("/data.bin?t=nullopt");
	expect_data(url, NULL);
	free(url);
}

static void test_scheme(void **state)
{
	struct fetch_options opt = quick();

	(void)state;
	expect_error("file:///etc/passwd", &opt, "zlib: GET file:///etc/passwd: only http:// and https://", NULL);
	expect_error("ftp://127.0.0.1/x", &opt, "only http:// and https://", NULL);
}

static void test_redirect(void **state)
{
	struct fetch_options opt = quick();
	char *url, *to;

	(void)state;
	url = http_url("/redirect?to=/data.bin%3Ft%3Drelative");
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t%3Drelative"), 1);
	assert_int_equal(requests(http_log, "t=relative"), 1);
	free(url);
	to = xasprintf("http://127.0.0.1:%d/data.bin%%3Ft%%3Dabsolute", http_port);
	url = xasprintf("http://127.0.0.1:%d/redirect?to=%s&code=301", http_port, to);
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t=absolute"), 1);
	free(url);
	free(to);
	/* ten redirects are followed, the eleventh is not */
	url = http_url("/redirect-n/10/data.bin?t=ten");
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t=ten"), 11);
	free(url);
	url = http_url("/redirect-n/11/data.bin?t=eleven");
	expect_error(url, &opt, "more than 10 redirects", NULL);
	assert_int_equal(requests(http_log, "t=eleven"), 11);
	free(url);
}

static void test_redirect_refused(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/redirect?to=file:///etc/passwd"), *want;
	long long size;

	(void)state;
	want = xasprintf("zlib: GET %s: redirect to 'file:///etc/passwd' refused", url);
	expect_error(url, &opt, want, &size);
	assert_int_equal(size, 0);
	assert_int_equal(requests(http_log, "to=file:"), 1); /* not retried */
	free(want);
	free(url);
	url = http_url("/redirect?to=ftp://127.0.0.1/x");
	expect_error(url, &opt, "redirect to 'ftp://127.0.0.1/x' refused", NULL);
	free(url);
}

static void test_503_then_200(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/status/503-then-200/data.bin?t=503&retry-after=0");

	(void)state;
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t=503"), 2);
	free(url);
}

static void test_429_retry_after(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/status/429-then-200/data.bin?t=429");
	double t0 = now_s(), took;

	(void)state;
	expect_data(url, &opt);
	took = now_s() - t0;
	assert_int_equal(requests(http_log, "t=429"), 2);
	/* Retry-After: 1 was honoured over the 10 ms backoff */
	assert_true(took >= 0.95);
	assert_true(took < 4);
	free(url);
}

static void test_retries_run_out(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/status/503/data.bin?t=always503");

	(void)state;
	opt.retries = 2;
	expect_error(url, &opt, ": HTTP 503 Service Unavailable (3 tries)", NULL);
	assert_int_equal(requests(http_log, "t=always503"), 3);
	free(url);
	url = http_url("/status/500/data.bin?t=noretry500");
	opt.retries = 0;
	expect_error(url, &opt, ": HTTP 500 Internal Server Error", NULL);
	assert_int_equal(requests(http_log, "t=noretry500"), 1);
	free(url);
}

static void test_cut_resumed(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/cut/data.bin?t=cut"), *line, want[64];

	(void)state;
	expect_data(url, &opt);
	assert_int_equal(requests(http_log, "t=cut"), 2);
	line = request_line(http_log, "t=cut", 1);
	snprintf(want, sizeof(want), "\tbytes=%d-\t", DATA_SIZE / 2);
	assert_non_null(line);
	assert_non_null(strstr(line, want));
	free(line);
	free(url);
}

/* What the progress callback was told: how often, the last done and total, done going back. */
struct seen_progress {
	int calls, backwards;
	unsigned long long done, total;
};

static void note_progress(void *ctx, unsigned long long done, unsigned long long total)
{
	struct seen_progress *p = ctx;

	p->backwards |= p->calls && done < p->done;
	p->calls++;
	p->done = done;
	if (total)
		p->total = total;
}

/* The progress callback counts from byte 0, across a resumed try too, and ends at the whole size. */
static void test_progress(void **state)
{
	struct fetch_options opt = quick();
	struct seen_progress seen = { 0 };
	char *url = http_url("/cut/data.bin?t=progress");

	(void)state;
	opt.progress = note_progress;
	opt.progress_ctx = &seen;
	expect_data(url, &opt);
	assert_true(seen.calls > 0);
	assert_int_equal(seen.done, DATA_SIZE);
	assert_int_equal(seen.total, DATA_SIZE);
	assert_int_equal(seen.backwards, 0);
	free(url);
	/* an error page is no download: nothing told */
	memset(&seen, 0, sizeof(seen));
	url = http_url("/status/404/data.bin?t=progress404");
	expect_error(url, &opt, "HTTP 404", NULL);
	assert_int_equal(seen.done, 0);
	free(url);
}

static void test_cut_no_range(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/cut-norange/data.bin?t=norange"), *line, want[64];

	(void)state;
	expect_data(url, &opt); /* restarted: whole, not half + whole */
	assert_int_equal(requests(http_log, "t=norange"), 2);
	line = request_line(http_log, "t=norange", 1);
	snprintf(want, sizeof(want), "\tbytes=%d-\t", DATA_SIZE / 2);
	assert_non_null(strstr(line, want)); /* asked for the rest, got 200 */
	free(line);
	free(url);
}

/* A restart after a cut gets a shorter file (it changed on the server): nothing of the first try stays. */
static void test_cut_then_shorter(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/cut-then/hello.txt/data.bin?t=shorter"), *hello = path_join(root, "hello.txt"), *path;
	char hex[DIGEST_HEX_SIZE], want[DIGEST_HEX_SIZE], file_sha[DIGEST_HEX_SIZE];

	(void)state;
	sha256sum(hello, want);
	assert_int_equal(fetch_new(url, &opt, hex, &path), 0);
	assert_string_equal(hex, want);
	sha256sum(path, file_sha);
	assert_string_equal(file_sha, want);
	assert_int_equal(file_size(path), 6); /* "hello\n" */
	assert_int_equal(requests(http_log, "t=shorter"), 2);
	free(path);
	free(hello);
	free(url);
}

/* What the file held before is discarded: it ends up the body alone. */
static void test_nonempty_file(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/data.bin?t=nonempty"), *path = xasprintf("%s/nonempty", dir), *junk;
	char hex[DIGEST_HEX_SIZE], file_sha[DIGEST_HEX_SIZE];
	int fd;

	(void)state;
	junk = xmalloc(DATA_SIZE + 1000);
	memset(junk, 'j', DATA_SIZE + 1000);
	assert_int_equal(write_file_new(path, junk, DATA_SIZE + 1000, 0644), 0);
	fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fetch_url(url, fd, &opt, hex), 0);
	close(fd);
	assert_string_equal(hex, data_sha);
	sha256sum(path, file_sha);
	assert_string_equal(file_sha, data_sha);
	free(junk);
	free(path);
	free(url);
}

static void test_404_not_retried(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/status/404/data.bin?t=404"), *want;

	(void)state;
	want = xasprintf("zlib: GET %s: HTTP 404 Not Found", url);
	expect_error(url, &opt, want, NULL);
	assert_string_equal(last_error(), want);
	assert_int_equal(requests(http_log, "t=404"), 1);
	free(want);
	free(url);
}

static void test_stall(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/stall/data.bin?t=stall");
	double t0 = now_s(), took;

	(void)state;
	opt.timeout_s = 1;
	opt.retries = 1;
	expect_error(url, &opt, ": no data for 1 s (2 tries)", NULL);
	took = now_s() - t0;
	assert_int_equal(requests(http_log, "t=stall"), 2); /* a timeout is retried */
	assert_true(took >= 1.9);
	assert_true(took < 6);
	free(url);
}

static void test_max_size(void **state)
{
	struct fetch_options opt = quick();
	char *url;
	long long size;

	(void)state;
	/* from Content-Length: nothing written */
	opt.max_size = 1000;
	url = http_url("/data.bin?t=maxlen");
	expect_error(url, &opt, ": the body is larger than the limit of 1000 bytes (--max-size)", &size);
	assert_int_equal(size, 0);
	assert_int_equal(requests(http_log, "t=maxlen"), 1);
	free(url);
	/* without a length: cut off while writing, never past the limit */
	opt.max_size = 2048;
	url = http_url("/nolength/data.bin?t=maxstream");
	expect_error(url, &opt, ": the body is larger than the limit of 2 KiB (--max-size)", &size);
	assert_true(size <= 2048);
	assert_int_equal(requests(http_log, "t=maxstream"), 1);
	free(url);
	/* the default limit, 4 GiB, against a server that claims 5 GiB */
	opt.max_size = 0;
	url = http_url("/bigheader/5368709120/data.bin?t=maxdefault");
	expect_error(url, &opt, ": the body is larger than the limit of 4 GiB (--max-size)", &size);
	assert_int_equal(size, 0);
	free(url);
	/* exactly the limit passes, without a length too */
	opt.max_size = DATA_SIZE;
	url = http_url("/data.bin?t=maxexact");
	expect_data(url, &opt);
	free(url);
	url = http_url("/nolength/data.bin?t=maxexactstream");
	expect_data(url, &opt);
	free(url);
}

static void test_disk_full(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/data.bin?t=full"), hex[DIGEST_HEX_SIZE];
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	(void)state;
	if (fd < 0)
		skip();
	assert_int_equal(fetch_url(url, fd, &opt, hex), -1);
	close(fd);
	assert_non_null(strstr(last_error(), "zlib: GET "));
	assert_non_null(strstr(last_error(), ": no space left on device"));
	assert_int_equal(requests(http_log, "t=full"), 1); /* not retried */
	free(url);
}

static void test_connection_refused(void **state)
{
	struct fetch_options opt = quick();
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	char *url;

	(void)state;
	/* a port that was free a moment ago: nobody listens there */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	close(s);
	url = xasprintf("http://127.0.0.1:%d/x", ntohs(sa.sin_port));
	opt.retries = 0;
	expect_error(url, &opt, ": connection refused", NULL);
	free(url);
}

static void test_netrc(void **state)
{
	struct fetch_options opt = quick();
	char *url;

	(void)state;
	/* NETRC (set in main) has user:pass for 127.0.0.1 */
	url = http_url("/auth/data.bin?t=netrc");
	expect_data(url, &opt);
	free(url);
	/* and nothing for localhost, the same server: 401, not retried */
	url = xasprintf("http://localhost:%d/auth/data.bin?t=nonetrc", http_port);
	expect_error(url, &opt, ": HTTP 401 Unauthorized", NULL);
	assert_int_equal(requests(http_log, "t=nonetrc"), 1);
	free(url);
	/* credentials in the URL work, and a message never shows them */
	url = xasprintf("http://user:pass@localhost:%d/auth/data.bin?t=urlcred", http_port);
	expect_data(url, &opt);
	free(url);
	url = xasprintf("http://user:secret@127.0.0.1:%d/status/404/data.bin?t=hidden", http_port);
	expect_error(url, &opt, "zlib: GET http://***@127.0.0.1:", NULL);
	assert_null(strstr(last_error(), "secret"));
	free(url);
}

static void test_wrong_bytes(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/wrong/data.bin?t=wrong"), hex[DIGEST_HEX_SIZE], file_sha[DIGEST_HEX_SIZE], *path;

	(void)state;
	/* the download passes (the checksum is the cache's to compare); its digest is of what came */
	assert_int_equal(fetch_new(url, &opt, hex, &path), 0);
	sha256sum(path, file_sha);
	assert_string_equal(hex, file_sha);
	assert_string_not_equal(hex, data_sha);
	free(path);
	free(url);
}

static void test_https(void **state)
{
	struct fetch_options opt = quick();
	char *url, *to;

	(void)state;
	if (!have_tls)
		skip(); /* no openssl(1) to make the CA: see openssl.log */
	/* the system store does not know the test CA */
	url = xasprintf("https://127.0.0.1:%d/data.bin?t=tlsdefault", https_port);
	expect_error(url, &opt, "certificate", NULL);
	assert_int_equal(requests(https_log, "t=tlsdefault"), 0);
	free(url);
	/* CURL_CA_BUNDLE, then SSL_CERT_FILE, name it (single-threaded here: setenv is fine) */
	assert_int_equal(setenv("CURL_CA_BUNDLE", ca_pem, 1), 0);
	url = xasprintf("https://127.0.0.1:%d/data.bin?t=tlsbundle", https_port);
	expect_data(url, &opt);
	free(url);
	/* and an https -> http redirect is refused, the http server never asked */
	to = xasprintf("http://127.0.0.1:%d/data.bin%%3Ft%%3Ddowngrade", http_port);
	url = xasprintf("https://127.0.0.1:%d/redirect?to=%s", https_port, to);
	expect_error(url, &opt, "refused (from https to plain http)", NULL);
	assert_int_equal(requests(http_log, "t=downgrade"), 0);
	assert_int_equal(requests(https_log, "t%3Ddowngrade"), 1);
	free(url);
	free(to);
	/* https -> https is followed */
	url = xasprintf("https://127.0.0.1:%d/redirect?to=/data.bin%%3Ft%%3Dtlshop", https_port);
	expect_data(url, &opt);
	free(url);
	unsetenv("CURL_CA_BUNDLE");
	assert_int_equal(setenv("SSL_CERT_FILE", ca_pem, 1), 0);
	url = xasprintf("https://127.0.0.1:%d/data.bin?t=tlscertfile", https_port);
	expect_data(url, &opt);
	free(url);
	unsetenv("SSL_CERT_FILE");
}

/* As the command layer does: the handler's whole body is interrupt_note (SIGUSR1 stands for SIGINT). */
static void on_signal(int sig)
{
	(void)sig;
	interrupt_note(SIGINT);
}

/* The signal, 300 ms later, delivered to the thread that waits (so the note is made there). */
static void *signal_later(void *arg)
{
	nanosleep(&(struct timespec){ 0, 300000000L }, NULL);
	pthread_kill(*(pthread_t *)arg, SIGUSR1);
	return NULL;
}

/* A signal noted (interrupt.h) stops a transfer that is stalled, and a wait between tries. */
static void test_interrupt(void **state)
{
	struct fetch_options opt = quick();
	char *url = http_url("/stall/data.bin?t=interrupt");
	pthread_t t, self = pthread_self();
	struct sigaction sa = { 0 }, old;
	double t0;

	(void)state;
	opt.timeout_s = 30;
	interrupt_note(SIGINT);
	t0 = now_s();
	expect_error(url, &opt, ": interrupted by SIGINT", NULL);
	assert_true(now_s() - t0 < 3);
	free(url);
	interrupt_reset();
	/* during the backoff (a long one) after a 503: the signal comes 300 ms later */
	url = http_url("/status/503/data.bin?t=interruptwait");
	opt.backoff_ms = 20000;
	t0 = now_s();
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	assert_int_equal(pthread_create(&t, NULL, signal_later, &self), 0);
	expect_error(url, &opt, ": interrupted by SIGINT", NULL);
	pthread_join(t, NULL);
	sigaction(SIGUSR1, &old, NULL);
	assert_true(now_s() - t0 < 3);
	assert_int_equal(requests(http_log, "t=interruptwait"), 1);
	interrupt_reset();
	free(url);
}

struct job {
	char *url;
	int fd, rc;
	char hex[DIGEST_HEX_SIZE];
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct fetch_options opt = quick();

	j->rc = fetch_url(j->url, j->fd, &opt, j->hex);
	return NULL;
}

/* Threads fetch at once, each with its own handle; every one gets the whole file. */
static void test_threads(void **state)
{
	struct job jobs[4];
	pthread_t t[4];
	char file_sha[DIGEST_HEX_SIZE];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		char *path = xasprintf("%s/thread-%d", dir, i);

		jobs[i].url = xasprintf("http://127.0.0.1:%d/%sdata.bin?t=thread%d", http_port,
					i % 2 ? "cut/" : "", i);
		jobs[i].fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		assert_true(jobs[i].fd >= 0);
		free(path);
	}
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run_job, &jobs[i]), 0);
	for (i = 0; i < 4; i++) {
		char *path = xasprintf("%s/thread-%d", dir, i);

		pthread_join(t[i], NULL);
		close(jobs[i].fd);
		assert_int_equal(jobs[i].rc, 0);
		assert_string_equal(jobs[i].hex, data_sha);
		sha256sum(path, file_sha);
		assert_string_equal(file_sha, data_sha);
		free(path);
		free(jobs[i].url);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lazylib_curl),
		cmocka_unit_test(test_shown_url),
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_scheme),
		cmocka_unit_test(test_redirect),
		cmocka_unit_test(test_redirect_refused),
		cmocka_unit_test(test_503_then_200),
		cmocka_unit_test(test_429_retry_after),
		cmocka_unit_test(test_retries_run_out),
		cmocka_unit_test(test_cut_resumed),
		cmocka_unit_test(test_cut_no_range),
		cmocka_unit_test(test_cut_then_shorter),
		cmocka_unit_test(test_nonempty_file),
		cmocka_unit_test(test_404_not_retried),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_max_size),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_netrc),
		cmocka_unit_test(test_wrong_bytes),
		cmocka_unit_test(test_https),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_threads),
	};
	static const char *const unset[] = { "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY",
					     "all_proxy", "ALL_PROXY", "CURL_CA_BUNDLE", "SSL_CERT_FILE",
					     "SSL_CERT_DIR" };
	char *netrc, *text;

	if (!mkdtemp(dir))
		return 1;
	/*
	 * The environment is set here, in this test process, before any thread
	 * (ours or libcurl's resolver) starts: no proxy between us and 127.0.0.1,
	 * no CA but the system's, and a netrc of our own.
	 */
	for (size_t i = 0; i < sizeof(unset) / sizeof(unset[0]); i++)
		unsetenv(unset[i]);
	netrc = path_join(dir, "netrc");
	text = "machine 127.0.0.1 login user password pass\n";
	if (write_file_new(netrc, text, strlen(text), 0600) < 0 || setenv("NETRC", netrc, 1) < 0)
		return 1;
	free(netrc);
	return cmocka_run_group_tests(tests, setup, teardown);
}
