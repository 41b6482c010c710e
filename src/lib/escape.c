/* escape.c - the \xHH escaping of cenv's files and of names in messages: one engine, one reader. */
#include <string.h>

#include "escape.h"
#include "util.h"

static int must_escape(const char *s, size_t i, const char *special, unsigned flags)
{
	unsigned char c = (unsigned char)s[i];

	if (c < 0x20 || c == 0x7f)
		return (flags & ESC_CONTROL) != 0;
	if (c == ' ' && (flags & ESC_SPACE))
		return 1;
	/* blanks at either end would be stripped by an INI reader */
	if (c == ' ' && (flags & ESC_EDGE_SPACE) && (i == 0 || s[i + 1] == '\0'))
		return 1;
	return strchr(special, c) != NULL;
}

void escape_add(struct strbuf *sb, const char *s, const char *special, unsigned flags,
		size_t limit)
{
	size_t start = sb->len, i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (limit && sb->len - start >= limit) {
			sb_adds(sb, "...");
			break;
		}
		if (!must_escape(s, i, special, flags))
			sb_addc(sb, (char)c);
		else if (c == '\n' && (flags & ESC_NAMED_NL))
			sb_adds(sb, "\\n");
		else if (c == '\t' && (flags & ESC_NAMED_TAB))
			sb_adds(sb, "\\t");
		else
			sb_addf(sb, "\\x%02x", c);
	}
}

char *escape(const char *s, const char *special, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;

	escape_add(&sb, s, special, flags, 0);
	return sb_detach(&sb);
}

/* The byte that \xHH at t stands for, or -1 when t does not start one. */
/* The value of a hexadecimal digit, or -1. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_escape(const char *t)
{
	if (t[0] != '\\' || t[1] != 'x' || hex_digit(t[2]) < 0 || hex_digit(t[3]) < 0)
		return -1;
	return hex_digit(t[2]) * 16 + hex_digit(t[3]);
}

char *unescape(const char *text, unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;

	while (*text) {
		int c = hex_escape(text);

		if (c > 0 || (c == 0 && !(flags & ESC_STRICT))) {
			sb_addc(&sb, (char)c);
			text += 4;
		} else if (*text == '\\' && (flags & ESC_STRICT)) {
			sb_release(&sb);
			return NULL;
		} else {
			sb_addc(&sb, *text++);
		}
	}
	return sb_detach(&sb);
}

void escape_name(struct strbuf *sb, const char *s)
{
	escape_add(sb, s, "", ESC_CONTROL | ESC_NAMED_NL, ESCAPE_NAME_MAX);
}
