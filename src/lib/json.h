/* json.h - JSON string literals for --json output: any bytes in, valid UTF-8 JSON out. */
#ifndef CENV_JSON_H
#define CENV_JSON_H

#include <stddef.h>

#include "util.h"

/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 when s does not start
 * one (or is at its end).
 */
size_t utf8_sequence_len(const unsigned char *s);

/*
 * Appends s as a JSON string literal ("..."), or null when s is NULL.  '"',
 * '\' and control bytes are escaped as JSON wants; a byte that is not part
 * of well-formed UTF-8 (a name from a Latin-1 tarball) becomes the text \xHH,
 * the form cenv shows such bytes in everywhere else, so the document stays
 * valid UTF-8 that every parser reads.
 */
void json_add_string(struct strbuf *sb, const char *s);

/*
 * The same for a byte string that must be given back exactly (a path): a
 * backslash itself becomes the text \x5c too, so the decoded JSON string is
 * cenv's escaped form of s, in which every backslash starts a \xHH.  Reading
 * it back (each \xHH to its byte, the rest to UTF-8) gives s again, and two
 * paths never give one string.
 */
void json_add_bytes(struct strbuf *sb, const char *s);

#endif
