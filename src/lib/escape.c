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

/* The length of the C1 or bidi control's UTF-8 at s (ESC_UNICODE_CONTROL), or 0. */
static size_t unicode_control(const unsigned char *s)
{
	if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
		return 2; /* U+0080-U+009F */
	if (s[0] == 0xd8 && s[1] == 0x9c)
		return 2; /* U+061C */
	if (s[0] == 0xe2 && s[1] == 0x80 && (s[2] == 0x8e || s[2] == 0x8f || (s[2] >= 0xaa && s[2] <= 0xae)))
		return 3; /* U+200E, U+200F, U+202A-U+202E */
	if (s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
		return 3; /* U+2066-U+2069 */
	return 0;
}

void escape_add(struct strbuf *sb, const char *s, const char *special, unsigned flags,
		size_t limit)
{
	size_t start = sb->len, i, control = 0;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (limit && sb->len - start >= limit) {
			sb_adds(sb, "...");
			break;
		}
		if (!control && (flags & ESC_UNICODE_CONTROL))
			control = unicode_control((const unsigned char *)s + i);
		if (control) {
			control--;
			sb_addf(sb, "\\x%02x", c);
		} else if (!must_escape(s, i, special, flags))
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
	escape_add(sb, s, "", ESC_CONTROL | ESC_NAMED_NL | ESC_UNICODE_CONTROL, ESCAPE_NAME_MAX);
}
