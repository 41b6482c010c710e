/* test_placeholder.c - unit tests of {prefix}, {destdir}, {jobs}, {{ and }} in build words. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "placeholder.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static const struct placeholder_values vals = { "/env/my env", "/w/stage", 3 };

static void expands_to(const char *in, const char *want)
{
	char *out = NULL;

	assert_int_equal(placeholder_check(in), 0);
	assert_int_equal(placeholder_expand(in, &vals, &out), 0);
	assert_string_equal(out, want);
	free(out);
}

static void refused(const char *in, const char *why)
{
	char *out = (char *)"untouched", *msg;

	assert_int_equal(placeholder_check(in), -1);
	msg = error_take();
	assert_non_null(strstr(msg, why));
	free(msg);
	assert_int_equal(placeholder_expand(in, &vals, &out), -1);
	assert_null(out);
	free(error_take());
}

static void test_expand(void **state)
{
	(void)state;
	expands_to("", "");
	expands_to("plain", "plain");
	expands_to("--prefix={prefix}", "--prefix=/env/my env");
	expands_to("INSTALL_TOP={destdir}{prefix}", "INSTALL_TOP=/w/stage/env/my env");
	expands_to("-j{jobs}", "-j3");
	expands_to("{jobs}{jobs}", "33");
	expands_to("{{prefix}}", "{prefix}");
	expands_to("a{{b", "a{b");
	expands_to("a}b", "a}b");
	expands_to("a}}b", "a}b");
}

static void test_literal_dollar_brace(void **state)
{
	(void)state;
	expands_to("$${{HOME}}", "$${HOME}");
	expands_to("{{{prefix}", "{/env/my env");
	expands_to("{prefix}}}", "/env/my env}");
}

static void test_refused(void **state)
{
	(void)state;
	refused("{prefx}", "unknown placeholder '{prefx}'");
	refused("{}", "unknown placeholder '{}'");
	refused("{PREFIX}", "unknown placeholder '{PREFIX}'");
	refused("--prefix={prefix", "unclosed '{'");
	refused("{", "unclosed '{'");
	refused("x{pre{fix}", "unclosed '{'");
	refused("{{{", "unclosed '{'");
	refused("${HOME}", "unknown placeholder '{HOME}'");
}

static void test_long_name_cut(void **state)
{
	char in[200], *msg;

	(void)state;
	memset(in, 'x', sizeof(in));
	in[0] = '{';
	in[sizeof(in) - 2] = '}';
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(placeholder_check(in), -1);
	msg = error_take();
	assert_true(strlen(msg) < 200);
	assert_non_null(strstr(msg, "...}"));
	free(msg);
}

static void test_jobs_default(void **state)
{
	struct placeholder_values v = { "/p", "/d", 0 };
	char *out;

	(void)state;
	assert_int_equal(placeholder_expand("{jobs}", &v, &out), 0);
	assert_string_equal(out, "1");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_literal_dollar_brace),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_long_name_cut),
		cmocka_unit_test(test_jobs_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
