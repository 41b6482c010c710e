/* test_json.c - unit tests of JSON string literals: exact forms, UTF-8 edge cases, any bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strvec.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void check_json(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	json_add_string(&sb, in);
	assert_string_equal(sb_str(&sb), want);
	sb_release(&sb);
}

static void test_exact_forms(void **state)
{
	(void)state;
	check_json(NULL, "null");
	check_json("", "\"\"");
	check_json("zlib", "\"zlib\"");
	check_json("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_json("n\nt\tr\r\x01\x7f", "\"n\\nt\\tr\\u000d\\u0001\\u007f\"");
	/* well-formed UTF-8 passes as it is: 2, 3 and 4 bytes */
	check_json("\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", "\"\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80\"");
}

static void test_bytes_that_are_not_utf8(void **state)
{
	(void)state;
	check_json("1.0\xff\xfe", "\"1.0\\\\xff\\\\xfe\"");
	check_json("\x80", "\"\\\\x80\"");                 /* a lone continuation byte */
	check_json("\xc0\xaf", "\"\\\\xc0\\\\xaf\"");       /* an overlong '/' */
	check_json("\xe0\x80\xaf", "\"\\\\xe0\\\\x80\\\\xaf\""); /* overlong in three bytes */
	check_json("\xed\xa0\x80", "\"\\\\xed\\\\xa0\\\\x80\""); /* a UTF-16 surrogate */
	check_json("\xf4\x90\x80\x80", "\"\\\\xf4\\\\x90\\\\x80\\\\x80\""); /* above U+10FFFF */
	check_json("\xe6\x97", "\"\\\\xe6\\\\x97\"");       /* cut short at the end */
	check_json("\xe6" "a", "\"\\\\xe6a\"");             /* cut short by an ASCII byte */
}

static void check_bytes(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	json_add_bytes(&sb, in);
	assert_string_equal(sb_str(&sb), want);
	sb_release(&sb);
}

/* A path: a backslash is the text \x5c, so a byte 0xff and the four characters \xff differ. */
static void test_bytes_forms(void **state)
{
	(void)state;
	check_bytes(NULL, "null");
	check_bytes("", "\"\"");
	check_bytes("share/doc", "\"share/doc\"");
	check_bytes("share/\\xff", "\"share/\\\\x5cxff\"");
	check_bytes("share/\xff", "\"share/\\\\xff\"");
	check_bytes("a\\b\"c", "\"a\\\\x5cb\\\"c\"");
	check_bytes("\\\\", "\"\\\\x5c\\\\x5c\"");
	/* the rest as json_add_string: UTF-8 as it is, control bytes as JSON escapes them */
	check_bytes("\xc3\xa9\n\t\x01\x7f", "\"\xc3\xa9\\n\\t\\u0001\\u007f\"");
	check_bytes("1.0\xff\xfe", "\"1.0\\\\xff\\\\xfe\"");
	/* json_add_string keeps a backslash a backslash (list --json's names and versions) */
	check_json("share/\\xff", "\"share/\\\\xff\"");
}

/*
 * Decodes a JSON literal of json_add_bytes the way the manual says a reader
 * does: JSON's escapes, then each text \xHH to its byte; the rest is as it is.
 */
static char *decode_bytes(const char *lit)
{
	struct strbuf text = STRBUF_INIT, out = STRBUF_INIT;
	const char *p = lit + 1;
	char *ret;

	assert_int_equal(lit[0], '"');
	for (; *p != '"'; p++) {
		assert_true(*p != '\0');
		if (*p != '\\') {
			sb_addc(&text, *p);
			continue;
		}
		p++;
		if (*p == 'n')
			sb_addc(&text, '\n');
		else if (*p == 't')
			sb_addc(&text, '\t');
		else if (*p == 'u') {
			unsigned v;

			assert_int_equal(sscanf(p + 1, "%4x", &v), 1);
			assert_true(v > 0 && v < 0x80);
			sb_addc(&text, (char)v);
			p += 4;
		} else {
			assert_true(*p == '"' || *p == '\\');
			sb_addc(&text, *p);
		}
	}
	assert_string_equal(p, "\"");
	for (p = sb_str(&text); *p; p++) {
		unsigned v;

		if (*p != '\\') {
			sb_addc(&out, *p);
			continue;
		}
		/* every backslash of the decoded text starts a \xHH */
		assert_int_equal(p[1], 'x');
		assert_int_equal(sscanf(p + 2, "%2x", &v), 1);
		assert_true(v > 0);
		sb_addc(&out, (char)v);
		p += 3;
	}
	ret = xstrdup(sb_str(&out));
	sb_release(&text);
	sb_release(&out);
	return ret;
}

/* Every byte string of up to three bytes comes back exactly, and two never share a literal. */
static void test_bytes_given_back(void **state)
{
	static const unsigned char alphabet[] = { 'x', 'f', '\\', '"', 'a', '5', 'c', '\n', 0x01, 0x7f,
						  0x80, 0xbf, 0xc3, 0xa9, 0xe6, 0xff };
	const size_t na = sizeof(alphabet);
	struct strvec seen = STRVEC_INIT;
	size_t i, len, total = 0;

	(void)state;
	for (len = 0; len <= 3; len++) {
		size_t count = 1, k;

		for (k = 0; k < len; k++)
			count *= na;
		for (i = 0; i < count; i++) {
			struct strbuf sb = STRBUF_INIT;
			char in[4] = { 0 };
			size_t rest = i;
			char *back;

			for (k = 0; k < len; k++, rest /= na)
				in[k] = (char)alphabet[rest % na];
			json_add_bytes(&sb, in);
			back = decode_bytes(sb_str(&sb));
			assert_string_equal(back, in);
			free(back);
			strvec_push(&seen, sb_str(&sb));
			sb_release(&sb);
			total++;
		}
	}
	strvec_sort_unique(&seen);
	assert_int_equal(seen.n, total);
	strvec_release(&seen);
}

static void test_sequence_lengths(void **state)
{
	(void)state;
	assert_int_equal(utf8_sequence_len((const unsigned char *)""), 0);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"a"), 1);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xc2\x80"), 2);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xef\xbf\xbf"), 3);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xf4\x8f\xbf\xbf"), 4);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xf5\x80\x80\x80"), 0);
	assert_int_equal(utf8_sequence_len((const unsigned char *)"\xc1\xbf"), 0);
}

/* Every byte string of up to three bytes gives a literal Python's json module reads as UTF-8. */
static void test_every_short_string_is_valid_utf8(void **state)
{
	char in[4];
	unsigned a, b;

	(void)state;
	for (a = 1; a < 256; a++)
		for (b = 0; b < 256; b++) {
			struct strbuf sb = STRBUF_INIT;
			const unsigned char *p;

			in[0] = (char)a, in[1] = (char)b, in[2] = (char)0xbf, in[3] = 0;
			json_add_string(&sb, in);
			for (p = (const unsigned char *)sb_str(&sb); *p;) {
				size_t n = utf8_sequence_len(p);

				assert_true(n > 0);
				assert_true(n > 1 || *p >= 0x20);
				p += n;
			}
			sb_release(&sb);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_forms),
		cmocka_unit_test(test_bytes_that_are_not_utf8),
		cmocka_unit_test(test_bytes_forms),
		cmocka_unit_test(test_bytes_given_back),
		cmocka_unit_test(test_sequence_lengths),
		cmocka_unit_test(test_every_short_string_is_valid_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
