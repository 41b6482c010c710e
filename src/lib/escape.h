/* escape.h - the \xHH escaping of records, the journal and cenv.cfg, and of names in messages. */
#ifndef CENV_ESCAPE_H
#define CENV_ESCAPE_H

#include <stddef.h>

#include "util.h"

/*
 * Which bytes escape() writes as \xHH (lowercase hex), besides those in its
 * `special` string.  Bytes from 0x80 (UTF-8) always pass as they are.
 */
#define ESC_CONTROL 0x01    /* the bytes below 0x20 and DEL */
#define ESC_SPACE 0x02      /* every space */
#define ESC_EDGE_SPACE 0x04 /* a space that is the first or the last byte */
/* Message forms, which unescape() does not read back: */
#define ESC_NAMED_NL 0x08  /* a newline as \n */
#define ESC_NAMED_TAB 0x10 /* a tab as \t */
/* The UTF-8 of the C1 controls (U+0080-U+009F) and of the bidi controls (U+061C, U+200E,
   U+200F, U+202A-U+202E, U+2066-U+2069), which make a line read as other than it is: each
   byte as \xHH.  A message form, for one line a terminal shows as it is. */
#define ESC_UNICODE_CONTROL 0x40
/* For unescape(): */
#define ESC_STRICT 0x20 /* NULL on a backslash that does not start \xHH, and on \x00 */

/*
 * Appends s to sb, escaped as flags and special say.  With a limit, once
 * limit bytes have been appended and more of s is left, "..." ends it.
 */
void escape_add(struct strbuf *sb, const char *s, const char *special, unsigned flags,
		size_t limit);
/* s escaped, in a new string the caller frees. */
char *escape(const char *s, const char *special, unsigned flags);
/*
 * The reverse, for the files: \xHH becomes its byte.  Without ESC_STRICT any
 * other backslash is kept as it is; with it, such text gives NULL.  Caller frees.
 */
char *unescape(const char *text, unsigned flags);

/*
 * A name (an archive entry's) for one line of a message: a newline as \n,
 * other control bytes, DEL and ESC_UNICODE_CONTROL's characters as \xHH, cut with "..." after ESCAPE_NAME_MAX
 * bytes.  Appended to sb.
 */
#define ESCAPE_NAME_MAX 200
void escape_name(struct strbuf *sb, const char *s);

#endif
