/* test_logfollow.c - unit tests of following a growing log: whole lines only, from the offset
 * given, long lines cut between UTF-8 characters and their rest skipped, the last line at the end. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfollow.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* The lines given, each as "TEXT|" or "TEXT...|" when cut. */
static void collect(void *ctx, const char *text, int cut)
{
	struct strbuf *sb = ctx;

	sb_addf(sb, "%s%s|", text, cut ? "..." : "");
}

struct fixture {
	char path[64];
	int wfd;
	struct logfollow f;
	struct strbuf got;
};

static struct fixture *open_log(off_t from_after_first_write, const char *first, size_t max)
{
	struct fixture *x = calloc(1, sizeof(*x));
	int rfd;

	assert_non_null(x);
	strcpy(x->path, "/tmp/cenv-test-logfollow.XXXXXX");
	x->wfd = mkstemp(x->path);
	assert_true(x->wfd >= 0);
	if (first)
		assert_int_equal(write(x->wfd, first, strlen(first)), (ssize_t)strlen(first));
	rfd = open(x->path, O_RDONLY);
	assert_true(rfd >= 0);
	logfollow_init(&x->f, rfd, from_after_first_write, max);
	return x;
}

static void add(struct fixture *x, const char *text)
{
	assert_int_equal(write(x->wfd, text, strlen(text)), (ssize_t)strlen(text));
}

/* What one read gives, as "a|b|"; emptied after. */
static const char *look(struct fixture *x, int at_end, size_t want_n)
{
	static char last[65536];

	x->got.len = 0;
	sb_adds(&x->got, "");
	assert_int_equal(logfollow_read(&x->f, at_end, collect, &x->got), want_n);
	snprintf(last, sizeof(last), "%s", sb_str(&x->got));
	return last;
}

static void close_log(struct fixture *x)
{
	logfollow_release(&x->f);
	assert_int_equal(x->f.fd, -1);
	close(x->wfd);
	unlink(x->path);
	sb_release(&x->got);
	free(x);
}

static void test_lines_as_they_come(void **state)
{
	struct fixture *x = open_log(0, NULL, 100);

	(void)state;
	assert_string_equal(look(x, 0, 0), "");
	add(x, "one\ntw");
	assert_string_equal(look(x, 0, 1), "one|"); /* "tw" waits for its newline */
	add(x, "o\n\nthree");
	assert_string_equal(look(x, 0, 2), "two||");
	assert_string_equal(look(x, 0, 0), "");
	assert_string_equal(look(x, 1, 1), "three|"); /* the end: the last line without its newline */
	assert_string_equal(look(x, 1, 0), "");
	close_log(x);
}

static void test_from_offset(void **state)
{
	const char *before = "configure said this\n";
	struct fixture *x = open_log((off_t)strlen(before), before, 100);

	(void)state;
	add(x, "make said that\n");
	assert_string_equal(look(x, 0, 1), "make said that|");
	close_log(x);
}

static void test_cut(void **state)
{
	struct fixture *x = open_log(0, NULL, 8);

	(void)state;
	add(x, "12345678\n"); /* exactly max: whole */
	assert_string_equal(look(x, 0, 1), "12345678|");
	add(x, "123456789abc");
	assert_string_equal(look(x, 0, 1), "12345678...|"); /* cut as soon as it is longer */
	add(x, "def\nnext\n");
	assert_string_equal(look(x, 0, 1), "next|"); /* its rest skipped up to its newline */
	/* é (2 bytes) across byte 8: cut before it, never inside */
	add(x, "1234567\xc3\xa9xyz\n");
	assert_string_equal(look(x, 0, 1), "1234567...|");
	add(x, "\xe6\xbc\xa2\xe6\xbc\xa2\xe6\xbc\xa2\n"); /* 漢漢漢: 9 bytes, two fit */
	assert_string_equal(look(x, 0, 1), "\xe6\xbc\xa2\xe6\xbc\xa2...|");
	close_log(x);
}

static void test_long_line_in_parts(void **state)
{
	struct fixture *x = open_log(0, NULL, 8);

	(void)state;
	add(x, "12345");
	assert_string_equal(look(x, 0, 0), "");
	add(x, "6789");
	assert_string_equal(look(x, 0, 1), "12345678...|");
	add(x, "more of it");
	assert_string_equal(look(x, 1, 0), ""); /* the skipped rest is not a last line either */
	add(x, "\nok\n");
	assert_string_equal(look(x, 0, 1), "ok|");
	close_log(x);
}

static void test_no_fd(void **state)
{
	struct logfollow f;
	struct strbuf got = STRBUF_INIT;

	(void)state;
	logfollow_init(&f, -1, 0, 10);
	assert_int_equal(logfollow_read(&f, 1, collect, &got), 0);
	logfollow_release(&f);
	sb_release(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_as_they_come),
		cmocka_unit_test(test_from_offset),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_long_line_in_parts),
		cmocka_unit_test(test_no_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
