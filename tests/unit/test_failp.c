/* test_failp.c - unit tests of failp(): every %s argument made printable, the rest as written. */
#include <string.h>

#include "error.h"
#include "failp.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_arguments_made_printable(void **state)
{
	(void)state;
	assert_int_equal(failp("cannot move '%s' to '%s'", "a\nb", "c\x1b[2Jd"), -1);
	assert_string_equal(last_error(), "cannot move 'a\\nb' to 'c\\x1b[2Jd'");
}

static void test_percent_and_null(void **state)
{
	const char *volatile none = NULL; /* NULL reads as "", and the compiler may not see it */

	(void)state;
	failp("100%% of '%s'%s", none, "!");
	assert_string_equal(last_error(), "100% of ''!");
}

static void test_the_format_is_not_escaped(void **state)
{
	(void)state;
	failp("tab\there: '%s'", "x\ty");
	assert_string_equal(last_error(), "tab\there: 'x\\ty'");
}

/* A conversion other than %s takes no argument from there on: the rest shows as written. */
static void test_other_conversions_stop(void **state)
{
	(void)state;
	failp("'%s' has %d files in '%s'", "a\nb", 3, "dir");
	assert_string_equal(last_error(), "'a\\nb' has %d files in '%s'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_made_printable),
		cmocka_unit_test(test_percent_and_null),
		cmocka_unit_test(test_the_format_is_not_escaped),
		cmocka_unit_test(test_other_conversions_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
