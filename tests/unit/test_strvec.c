/* test_strvec.c - unit tests of the string vector: growth, termination, sorting, ownership. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strvec.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_push_grows_and_terminates(void **state)
{
	struct strvec sv = STRVEC_INIT;
	char name[32];
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "w%zu", i);
		strvec_push(&sv, name);
		assert_null(sv.v[sv.n]);
	}
	assert_int_equal(sv.n, 1000);
	assert_string_equal(sv.v[0], "w0");
	assert_string_equal(sv.v[999], "w999");
	strvec_pushf(&sv, "%s=%d", "N", 7);
	assert_string_equal(sv.v[1000], "N=7");
	strvec_pop(&sv);
	assert_int_equal(sv.n, 1000);
	assert_null(sv.v[1000]);
	strvec_release(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
}

static void test_empty_argv_is_terminated(void **state)
{
	struct strvec sv = STRVEC_INIT;
	char **v;

	(void)state;
	v = strvec_argv(&sv);
	assert_non_null(v);
	assert_null(v[0]);
	v = strvec_detach(&sv);
	assert_null(v[0]);
	assert_null(sv.v);
	strvec_free_array(v);
	strvec_free_array(NULL);
}

static void test_pushv_copies(void **state)
{
	char a[] = "alpha", b[] = "beta";
	char *src[] = { a, b, NULL };
	struct strvec sv = STRVEC_INIT;

	(void)state;
	strvec_pushv(&sv, src);
	a[0] = 'X';
	assert_int_equal(sv.n, 2);
	assert_string_equal(sv.v[0], "alpha");
	assert_string_equal(sv.v[1], "beta");
	strvec_release(&sv);
}

static void test_sort_unique_find(void **state)
{
	const char *words[] = { "pear", "apple", "fig", "apple", "pear", "banana" };
	struct strvec sv = STRVEC_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(*words); i++)
		strvec_push(&sv, words[i]);
	strvec_sort_unique(&sv);
	assert_int_equal(sv.n, 4);
	assert_string_equal(sv.v[0], "apple");
	assert_string_equal(sv.v[1], "banana");
	assert_string_equal(sv.v[2], "fig");
	assert_string_equal(sv.v[3], "pear");
	assert_null(sv.v[4]);
	assert_int_equal(strvec_find(&sv, "fig"), 2);
	assert_int_equal(strvec_find(&sv, "grape"), -1);
	qsort(sv.v, sv.n, sizeof(*sv.v), strvec_cmp_desc);
	assert_string_equal(sv.v[0], "pear");
	strvec_release(&sv);
	assert_int_equal(strvec_find(&sv, "fig"), -1);
}

static void test_push_owned_takes_ownership(void **state)
{
	struct strvec sv = STRVEC_INIT;
	char *s = malloc(4);

	(void)state;
	memcpy(s, "own", 4);
	strvec_push_owned(&sv, s);
	assert_ptr_equal(sv.v[0], s); /* not copied: released with the vector (ASan checks the free) */
	strvec_release(&sv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_grows_and_terminates),
		cmocka_unit_test(test_empty_argv_is_terminated),
		cmocka_unit_test(test_pushv_copies),
		cmocka_unit_test(test_sort_unique_find),
		cmocka_unit_test(test_push_owned_takes_ownership),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
