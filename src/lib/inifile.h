/* inifile.h - INI files (cenv.ini, cenv.cfg) read through inih, with lines of any length up to a cap. */
#ifndef CENV_INIFILE_H
#define CENV_INIFILE_H

#include <stddef.h>

/* The longest line read, in bytes without its newline; a longer one is an error naming its line. */
#define INIFILE_LINE_MAX (64 * 1024)

/*
 * What the handler gets: a section header (key and value NULL; section is
 * the whole name, never cut) or a "key = value" line, with the line it is
 * on.  Everything is borrowed for the duration of the call.
 */
struct ini_item {
	const char *file;    /* the name given, for messages */
	int line;            /* counted from 1 */
	const char *section; /* "" before the first header */
	const char *key;     /* NULL for a section header */
	const char *value;   /* the value, blanks and an inline "; comment" stripped as inih does */
};

/* Returns 0 to go on, or -1 with fail() (a complete message, with file and line) to stop. */
typedef int (*ini_fn)(void *user, const struct ini_item *item);

/* flags */
#define INIFILE_FLAT 1 /* leading blanks are stripped: no continuation lines (inih's multi-line values) */
#define INIFILE_NOFOLLOW 2 /* ini_read_file: a symlink at path is refused (cenv's own files) */

/*
 * Parses len bytes of text.  A section header must close with ']' and have
 * nothing but a comment after it; a line must hold no NUL byte.  0, or -1
 * with fail(): the handler's message, or "FILE:LINE: ..." for the first line
 * inih or this reader could not take.
 */
int ini_parse_text(const char *text, size_t len, const char *file, unsigned flags, ini_fn fn,
		   void *user);

/* The same for the file at path, read with readfile() (at most cap bytes, a regular file). */
int ini_read_file(const char *path, size_t cap, unsigned flags, ini_fn fn, void *user);

#endif
