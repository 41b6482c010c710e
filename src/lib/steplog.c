/* steplog.c - what the log of a failed build step says went wrong in the sandbox. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "steplog.h"
#include "util.h"

/*
 * The messages are the tools' own (coreutils, the shells, python, curl ...), in the C and
 * UTF-8 locales: a build's output is all there is to tell why it failed.  Only the step's
 * part of the log is read, from the offset where it began, a few MiB at most.
 */

/* The first absolute path quoted in line ('...', "...", `...' or the UTF-8 quotes), or NULL. */
static char *quoted_path(const char *line, size_t len)
{
	static const char *const opens[] = { "'", "\"", "`", "\xe2\x80\x98", "\xe2\x80\x9c" };
	static const char *const closes[] = { "'", "\"", "'", "\xe2\x80\x99", "\xe2\x80\x9d" };
	size_t i, j;

	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof(opens) / sizeof(opens[0]); j++) {
			size_t ol = strlen(opens[j]), cl = strlen(closes[j]), k;

			if (i + ol >= len || memcmp(line + i, opens[j], ol) || line[i + ol] != '/')
				continue;
			for (k = i + ol; k + cl <= len; k++)
				if (!memcmp(line + k, closes[j], cl))
					return xasprintf("%.*s", (int)(k - i - ol), line + i + ol);
		}
	}
	return NULL;
}

/*
 * The path in a line that says "...: Read-only file system": quoted anywhere in it, or the
 * absolute path in the ": "-separated field before it ("/bin/sh: 1: cannot create /x/y: ...").
 */
static char *denied_path(const char *line, size_t len, size_t at)
{
	char *path = quoted_path(line, len);
	size_t start, end = at;

	if (path)
		return path;
	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == ':'))
		end--;
	for (start = end; start >= 2 && !(line[start - 1] == ' ' && line[start - 2] == ':');)
		start--;
	if (start < 2)
		start = 0;
	while (start < end && line[start] != '/')
		start++;
	return start < end ? xasprintf("%.*s", (int)(end - start), line + start) : NULL;
}

/* The text of the log from offset from (a few MiB at most: one step's). */
static char *log_since(int log_fd, off_t from)
{
	struct strbuf text = STRBUF_INIT;
	char buf[8192];
	off_t pos = from;
	ssize_t r;

	while (text.len < (8u << 20) && (r = pread(log_fd, buf, sizeof(buf), pos)) > 0) {
		sb_add(&text, buf, (size_t)r);
		pos += r;
	}
	return sb_detach(&text);
}

char *steplog_denied_write(int log_fd, off_t from)
{
	static const char marker[] = "Read-only file system";
	char *text = log_since(log_fd, from), *found = NULL;
	const char *s = text, *hit;

	while (!found && (hit = strstr(s, marker)) != NULL) {
		const char *start = hit, *end = hit + strcspn(hit, "\n");

		while (start > text && start[-1] != '\n')
			start--;
		found = denied_path(start, (size_t)(end - start), (size_t)(hit - start));
		s = end;
	}
	free(text);
	return found;
}

int steplog_network_denied(int log_fd, off_t from)
{
	/* what libc, curl, wget, git and python say without a network (a refused connection
	   is no sign: the sandbox has a loopback of its own) */
	static const char *const signs[] = { "Network is unreachable", "Temporary failure in name resolution",
					     "Could not resolve host", "Name or service not known",
					     "unable to resolve host", "No address associated with hostname" };
	char *text = log_since(log_fd, from);
	size_t i;
	int found = 0;

	for (i = 0; i < sizeof(signs) / sizeof(signs[0]) && !found; i++)
		found = strstr(text, signs[i]) != NULL;
	free(text);
	return found;
}

/* ---- the lines that look like errors ------------------------------------------------------ */

/* How much of a line is looked at: the tools put their "error:" near the start. */
#define SCAN_MAX 4096

static int has(const char *line, size_t len, const char *what)
{
	size_t n = strlen(what), i;

	for (i = 0; i + n <= len; i++)
		if (!memcmp(line + i, what, n))
			return 1;
	return 0;
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* A character that joins a word to a name, a path or an option (-Werror, strerror_r, Error.c). */
static int joins(char c)
{
	return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == '/';
}

/*
 * "error" at i, in one of its three spellings, as the tools use it: "error:" after no letter
 * (gcc, ld, configure, collect2), "Error:" after anything but a name's joiner (python's
 * "OSError:", CMake), "Error" or "ERROR" as a word before a space, a colon or the end (make's
 * "Error 2", "CMake Error at", meson's "ERROR: ...").
 */
static int error_word(const char *line, size_t len, size_t i)
{
	char before = i ? line[i - 1] : ' ', after = i + 5 < len ? line[i + 5] : '\0';

	if (!memcmp(line + i, "error", 5))
		return after == ':' && !joins(before);
	if (!memcmp(line + i, "Error", 5) && after == ':')
		return before != '_' && before != '-' && before != '.' && before != '/';
	if (!memcmp(line + i, "Error", 5) || !memcmp(line + i, "ERROR", 5))
		return !joins(before) && (after == ' ' || after == ':' || after == '\0');
	return 0;
}

int steplog_is_error(const char *line, size_t len)
{
	/* what no tool says unless something failed */
	static const char *const phrases[] = { "No rule to make target", "undefined reference to",
					       "multiple definition of", "cannot find -l", "command not found",
					       "Meson encountered an error", "fatal error", "Segmentation fault",
					       "Traceback (most recent call last)" };
	size_t i;

	if ((len >= 5 && !memcmp(line, "$ cd ", 5)) || (len >= 6 && !memcmp(line, "cenv: ", 6)))
		return 0;
	/* make going on past a recipe prefixed with '-' */
	if (has(line, len, "(ignored)"))
		return 0;
	if (len >= 8 && !memcmp(line, "FAILED: ", 8)) /* ninja */
		return 1;
	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (has(line, len, phrases[i]))
			return 1;
	for (i = 0; i + 5 <= len; i++)
		if (error_word(line, len, i))
			return 1;
	return 0;
}

char *steplog_cut(const char *line, size_t len)
{
	size_t cut = STEPLOG_LINE_MAX;

	if (len <= STEPLOG_LINE_MAX)
		return xasprintf("%.*s", (int)len, line);
	while (cut > 0 && ((unsigned char)line[cut] & 0xc0) == 0x80)
		cut--;
	return xasprintf("%.*s...", (int)cut, line);
}

/* How many lines the log has before offset from (its newlines); -1 with errno. */
static long lines_before(int fd, off_t from)
{
	char buf[65536];
	off_t pos = 0;
	long n = 0;

	while (pos < from) {
		size_t want = from - pos > (off_t)sizeof(buf) ? sizeof(buf) : (size_t)(from - pos), i;
		ssize_t r = pread(fd, buf, want, pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? n : -1; /* shorter than from: what is there */
		for (i = 0; i < (size_t)r; i++)
			n += buf[i] == '\n';
		pos += r;
	}
	return n;
}

/* A header whose indented lines below it belong to it: CMake's "CMake Error ...", Meson's "ERROR: ...". */
static int block_header(const char *line, size_t len)
{
	return (len >= 11 && !memcmp(line, "CMake Error", 11)) || has(line, len, "ERROR:");
}

/* One line of the log, numbered: an entry, a line of the entry before it, or nothing. */
static void take_line(const char *line, size_t len, long number, struct steplog_line *lines, size_t max,
		      size_t *n, int *block)
{
	size_t blank = 0;

	while (blank < len && (line[blank] == ' ' || line[blank] == '\t' || line[blank] == '\r'))
		blank++;
	if (*block && blank == len)
		return; /* a blank line inside the block */
	if (*block && blank > 0) {
		struct steplog_line *e = &lines[*n - 1];

		if (e->nmore < STEPLOG_MORE_MAX) {
			e->more_number[e->nmore] = number;
			e->more[e->nmore++] = steplog_cut(line, len);
		}
		return;
	}
	*block = 0;
	if (*n < max && steplog_is_error(line, len)) {
		lines[*n].number = number;
		lines[*n].nmore = 0;
		lines[(*n)++].text = steplog_cut(line, len);
		*block = block_header(line, len);
	}
}

int steplog_errors(int log_fd, off_t from, struct steplog_line *lines, size_t max, size_t *n)
{
	char buf[65536], line[SCAN_MAX];
	size_t len = 0, i;
	long number = lines_before(log_fd, from);
	off_t pos = from;
	ssize_t r = 0;
	int block = 0;

	*n = 0;
	if (number < 0)
		return fail_errno("cannot read the build log");
	number++;
	/* on past the last entry while its block lasts */
	while (*n < max || block) {
		r = pread(log_fd, buf, sizeof(buf), pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail_errno("cannot read the build log");
			steplog_lines_release(lines, *n);
			*n = 0;
			return -1;
		}
		if (r == 0)
			break;
		for (i = 0; i < (size_t)r && (*n < max || block); i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line))
					line[len++] = buf[i];
				continue;
			}
			take_line(line, len, number, lines, max, n, &block);
			number++;
			len = 0;
		}
		pos += r;
	}
	/* a last line without its newline (the build was killed mid-line) */
	if (r == 0 && len)
		take_line(line, len, number, lines, max, n, &block);
	return 0;
}

void steplog_lines_release(struct steplog_line *lines, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		free(lines[i].text);
		lines[i].text = NULL;
		for (j = 0; j < lines[i].nmore; j++)
			free(lines[i].more[j]);
		lines[i].nmore = 0;
	}
}

int steplog_open(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return fail_errno("cannot open the log '%s'", path);
	if (fstat(fd, &st) < 0) {
		fail_errno("cannot read the log '%s'", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail("the log '%s' is not a regular file", path);
	}
	return fd;
}

int steplog_tail(const char *path, int n, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	char *buf;
	struct stat st;
	size_t len = 0, want, start, i;
	int fd, found = 0;

	*out = NULL;
	/* a planted symlink or FIFO at the log is not read for the report */
	fd = steplog_open(path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		fail_errno("cannot read the log '%s'", path);
		close(fd);
		return -1;
	}
	/* a build may still be appending: the tail is taken of what is there now, its last
	   STEPLOG_TAIL_READ bytes at most */
	want = st.st_size > STEPLOG_TAIL_READ ? STEPLOG_TAIL_READ : (size_t)st.st_size;
	buf = xmalloc(want + 1);
	while (len < want) {
		ssize_t r = pread(fd, buf + len, want - len, st.st_size - (off_t)want + (off_t)len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fail_errno("cannot read '%s'", path);
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break; /* truncated meanwhile: what we have is the tail */
		len += (size_t)r;
	}
	close(fd);
	/* the newline that ends the last line starts no line after it */
	start = n > 0 ? 0 : len;
	for (i = len; n > 0 && i-- > 0;) {
		if (buf[i] == '\n' && i != len - 1 && ++found == n) {
			start = i + 1;
			break;
		}
	}
	/* a line that began before what was read */
	if (start == 0 && want < (size_t)st.st_size && len)
		sb_adds(&sb, "...");
	while (start < len) {
		char *nl = memchr(buf + start, '\n', len - start), *line;
		size_t end = nl ? (size_t)(nl - buf) : len;

		line = steplog_cut(buf + start, end - start);
		sb_adds(&sb, line);
		free(line);
		if (nl)
			sb_addc(&sb, '\n');
		start = end + 1;
	}
	free(buf);
	*out = sb_detach(&sb);
	return 0;
}
