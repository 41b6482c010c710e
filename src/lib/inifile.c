/* inifile.c - INI files read through inih, with lines of any length up to a cap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "error.h"
#include "inifile.h"
#include "readfile.h"
#include "util.h"

/*
 * Debian builds inih with a 200-byte line buffer, and a longer line would be
 * cut and its rest misread.  So inih is fed through an ini_reader, next_line(),
 * that hands it the text one line at a time and, for a line too long for
 * inih's buffer, replaces the value with a one-byte token, TOKEN: the reader
 * keeps the value (cut and trimmed as inih would) and the handler maps the
 * token back.  A value holding the token byte itself is always replaced, so a
 * token in the handler is always ours.  The reader also
 *  - counts lines itself, so every item has its line (whether inih passes one
 *    to the handler depends on how it was built, INI_HANDLER_LINENO);
 *  - takes section headers itself: inih cuts their names at 50 bytes and does
 *    not report them (an empty section or the same one twice would be lost);
 *  - with INIFILE_FLAT, strips leading blanks, which turns off inih's
 *    multi-line values: an indented "key = value" is not appended to the last.
 * One line goes to inih at a time and inih calls the handler before it asks
 * for the next, so the reader's line and token are the handler's.
 */
#define TOKEN '\x01'

struct reader {
	const char *file;
	unsigned flags;
	const char *pos, *end; /* text not yet handed to inih */
	int line;
	int failed;            /* a message is pending: stop */
	int failed_line;       /* the line it is about */
	int in_key;            /* a key line was seen in this section: an indented line continues it */
	char *section;
	char *long_value;      /* the value TOKEN stands for on this line, or NULL */
	ini_fn fn;
	void *user;
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int error_at(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int error_at(struct reader *r, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fail("%s:%d: %s", r->file, r->line, msg);
	free(msg);
	r->failed = 1;
	r->failed_line = r->line;
	return -1;
}

/*
 * Where inih's find_chars_or_comment stops: at one of chars (NULL: none), or
 * at an inline comment, ';' after a blank; end of s when neither.
 */
static const char *comment_or(const char *s, const char *end, const char *chars)
{
	int was_blank = 0;

	for (; s < end; s++) {
		if (chars && strchr(chars, *s))
			return s;
		if (was_blank && *s == ';')
			return s;
		was_blank = is_blank(*s);
	}
	return end;
}

/* The value of [s, end) as inih makes it: cut at an inline comment, trimmed. */
static char *trimmed_value(const char *s, const char *end)
{
	end = comment_or(s, end, NULL);
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	return xasprintf("%.*s", (int)(end - s), s);
}

/* A "[name]" line of len bytes (leading blanks gone): tells the handler; -1 on error. */
static int section_line(struct reader *r, const char *line, size_t len)
{
	const char *close = memchr(line, ']', len), *rest;
	struct ini_item it;
	int ret;

	if (!close)
		return error_at(r, "missing ']' in section header");
	for (rest = close + 1; rest < line + len && is_blank(*rest); rest++)
		;
	if (rest < line + len && *rest != ';' && *rest != '#')
		return error_at(r, "unexpected text after ']'");
	free(r->section);
	r->section = xasprintf("%.*s", (int)(close - line - 1), line + 1);
	r->in_key = 0;
	it = (struct ini_item){ r->file, r->line, r->section, NULL, NULL };
	ret = r->fn(r->user, &it);
	if (ret < 0) {
		r->failed = 1;
		r->failed_line = r->line;
	}
	return ret;
}

/* Copies s (n bytes) and a newline into buf (size bytes); -1 when it does not fit. */
static int put(char *buf, int size, const char *s, size_t n)
{
	if (size < 3 || n > (size_t)size - 2)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return 0;
}

/* The ini_reader. */
static char *next_line(char *buf, int size, void *stream)
{
	struct reader *r = stream;
	const char *start = r->pos, *eol, *body;
	size_t len;

	free(r->long_value);
	r->long_value = NULL;
	if (r->failed || r->pos >= r->end)
		return NULL;
	eol = memchr(start, '\n', (size_t)(r->end - start));
	if (!eol)
		eol = r->end;
	r->pos = eol < r->end ? eol + 1 : eol;
	r->line++;
	if (r->line == 1 && eol - start >= 3 && !memcmp(start, "\xEF\xBB\xBF", 3))
		start += 3;
	if (memchr(start, '\0', (size_t)(eol - start))) {
		error_at(r, "NUL byte in line");
		return NULL;
	}
	if ((size_t)(eol - start) > INIFILE_LINE_MAX) {
		error_at(r, "line too long (more than %d bytes)", INIFILE_LINE_MAX);
		return NULL;
	}
	for (body = start; body < eol && is_blank(*body); body++)
		;
	if (r->flags & INIFILE_FLAT)
		start = body;
	len = (size_t)(eol - start);
	if (body == eol || *body == ';' || *body == '#')
		return put(buf, size, "", 0) < 0 ? NULL : buf; /* blank or comment: nothing for inih */
	if (*body == '[') {
		if (section_line(r, body, (size_t)(eol - body)) < 0)
			return NULL;
		return put(buf, size, "[s]", 3) < 0 ? NULL : buf; /* inih's copy of the name is not used */
	}
	if (body > start && r->in_key) {
		/* a continuation line: all of it is the value */
		if (len + 2 <= (size_t)size && !memchr(body, TOKEN, (size_t)(eol - body)))
			return put(buf, size, start, len) < 0 ? NULL : buf;
		r->long_value = trimmed_value(body, eol);
		return put(buf, size, " \x01", 2) < 0 ? NULL : buf;
	} else {
		const char *sep = comment_or(body, eol, "=:");

		r->in_key = 1;
		if (sep < eol && *sep != ';' &&
		    (len + 2 > (size_t)size || memchr(sep, TOKEN, (size_t)(eol - sep)))) {
			size_t keylen = (size_t)(sep - start);
			char *line;
			int ok;

			r->long_value = trimmed_value(sep + 1, eol);
			line = xasprintf("%.*s=%c", (int)keylen, start, TOKEN);
			ok = put(buf, size, line, keylen + 2);
			free(line);
			if (ok < 0) {
				error_at(r, "key too long (more than %d bytes)", size - 4);
				return NULL;
			}
			return buf;
		}
	}
	if (put(buf, size, start, len) < 0) {
		/* no separator on a long line: inih would refuse it; so do we, shortly */
		return put(buf, size, "?", 1) < 0 ? NULL : buf;
	}
	return buf;
}

static int on_pair(void *user, const char *section, const char *key, const char *value)
{
	struct reader *r = user;
	struct ini_item it;

	(void)section;
	if (!key)
		return 1; /* a "new section" call from builds that make one: section_line told already */
	if (value && value[0] == TOKEN && !value[1] && r->long_value)
		value = r->long_value;
	it = (struct ini_item){ r->file, r->line, r->section, key, value };
	if (r->fn(r->user, &it) < 0) {
		r->failed = 1;
		r->failed_line = r->line;
		return 0;
	}
	return 1;
}

int ini_parse_text(const char *text, size_t len, const char *file, unsigned flags, ini_fn fn,
		   void *user)
{
	struct reader r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.file = file;
	r.flags = flags;
	r.pos = text;
	r.end = text + len;
	r.section = xstrdup("");
	r.fn = fn;
	r.user = user;
	ret = ini_parse_stream(next_line, &r, on_pair, &r);
	/* inih goes on after a line it cannot take: that line may come before ours */
	if (r.failed && !(ret > 0 && ret < r.failed_line)) {
		ret = -1;
	} else if (ret > 0) {
		r.line = ret;
		ret = error_at(&r, "syntax error: expected '[section]' or 'key = value'");
	} else if (ret < 0) {
		ret = fail("%s: out of memory while parsing", file);
	}
	free(r.section);
	free(r.long_value);
	return ret;
}

int ini_read_file(const char *path, size_t cap, unsigned flags, ini_fn fn, void *user)
{
	char *text;
	size_t len;
	int ret;

	if (readfile(path, cap, flags & INIFILE_NOFOLLOW ? READFILE_NOFOLLOW : 0, &text, &len) < 0)
		return -1;
	ret = ini_parse_text(text, len, path, flags, fn, user);
	free(text);
	return ret;
}
