/* steplog.c - what the log of a failed build step says went wrong in the sandbox. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
