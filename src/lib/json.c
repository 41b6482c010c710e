/* json.c - JSON string literals for --json output: any bytes in, valid UTF-8 JSON out. */
#include "json.h"

size_t utf8_sequence_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n, i;
	unsigned min, cp;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0; /* a continuation byte, 0xc0/0xc1 (always overlong) or above 0xf4 */
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* includes the terminating NUL */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* bytes: a backslash as \x5c, so that the text \xHH always stands for one byte */
static void add_literal(struct strbuf *sb, const char *s, int bytes)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		sb_adds(sb, "null");
		return;
	}
	sb_addc(sb, '"');
	while (*p) {
		size_t n = utf8_sequence_len(p);

		if (*p == '\\' && bytes) {
			sb_adds(sb, "\\\\x5c");
		} else if (*p == '"' || *p == '\\') {
			sb_addc(sb, '\\');
			sb_addc(sb, (char)*p);
		} else if (*p == '\n') {
			sb_adds(sb, "\\n");
		} else if (*p == '\t') {
			sb_adds(sb, "\\t");
		} else if (*p < 0x20 || *p == 0x7f) {
			sb_addf(sb, "\\u%04x", *p);
		} else if (n == 0) {
			sb_addf(sb, "\\\\x%02x", *p); /* the JSON text \\xff reads back as \xff */
		} else {
			sb_add(sb, (const char *)p, n);
			p += n;
			continue;
		}
		p++;
	}
	sb_addc(sb, '"');
}

void json_add_string(struct strbuf *sb, const char *s)
{
	add_literal(sb, s, 0);
}

void json_add_bytes(struct strbuf *sb, const char *s)
{
	add_literal(sb, s, 1);
}
