/* test_pathtab.c - unit tests of the archive's path table: names, lookups, and symlinks that lead out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathtab.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void normalised(const char *raw, int want, const char *want_path)
{
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(path_normalise(raw, &out), want);
	if (want == NAME_OK)
		assert_string_equal(sb_str(&out), want_path);
	sb_release(&out);
}

static void test_normalise(void **state)
{
	(void)state;
	normalised("a/b", NAME_OK, "a/b");
	normalised("./a//b/./c/", NAME_OK, "a/b/c");
	normalised(".", NAME_OK, "");
	normalised("./", NAME_OK, "");
	normalised("a/..b/.c", NAME_OK, "a/..b/.c");
	normalised("/etc/passwd", NAME_ABSOLUTE, NULL);
	normalised("a/../b", NAME_DOTDOT, NULL);
	normalised("..", NAME_DOTDOT, NULL);
}

static void test_table(void **state)
{
	struct pathtab t = { 0 };
	struct path_node *n;
	char name[32];
	int i;

	(void)state;
	assert_null(pathtab_find(&t, "a", 1));
	/* enough to grow several times; the prefix length is what is looked up */
	for (i = 0; i < 2000; i++) {
		snprintf(name, sizeof(name), "dir%d/file", i);
		n = pathtab_add(&t, name, strlen(name), i % 2 ? PATH_FILE : PATH_LINK);
		assert_string_equal(n->path, name);
		assert_int_equal(n->mode, 0755);
		assert_null(n->target);
		n = pathtab_add(&t, name, strlen("dir") + (i > 9) + (i > 99) + (i > 999) + 1, PATH_IMPLIED_DIR);
	}
	assert_int_equal(t.used, 4000);
	assert_true(2 * t.used <= t.cap);
	n = pathtab_find(&t, "dir1234/file", strlen("dir1234/file"));
	assert_non_null(n);
	assert_int_equal(n->kind, PATH_LINK);
	n = pathtab_find(&t, "dir1234/file/more", strlen("dir1234"));
	assert_non_null(n);
	assert_true(path_kind_is_dir(n->kind));
	assert_null(pathtab_find(&t, "dir1234/fil", strlen("dir1234/fil")));
	assert_null(pathtab_find(&t, "dir2000", strlen("dir2000")));
	assert_false(path_kind_is_dir(PATH_FILE));
	assert_true(path_kind_is_dir(PATH_DIR));
	pathtab_release(&t);
	assert_int_equal(t.cap + t.used, 0);
}

static void add_link(struct pathtab *t, const char *path, const char *target)
{
	struct path_node *n = pathtab_add(t, path, strlen(path), PATH_LINK);

	n->target = xstrdup(target);
}

static void test_link_escapes(void **state)
{
	struct pathtab t = { 0 };

	(void)state;
	pathtab_add(&t, "a", 1, PATH_DIR);
	pathtab_add(&t, "b", 1, PATH_DIR);
	add_link(&t, "a/l1", "../b");
	add_link(&t, "a/loop1", "loop2");
	add_link(&t, "a/loop2", "loop1");
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "../b/c", 0), 0);
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "../../b", 0), 1);
	assert_int_equal(pathtab_link_escapes(&t, "x", "/etc", 0), 1);
	/* lexically "a", really dest_dir's parent: a/l1 is ../b */
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "l1/../..", 0), 1);
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "l1/c", 0), 0);
	/* floor 1: the top directory a goes away, so leaving it is leaving */
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "../b", 1), 1);
	assert_int_equal(pathtab_link_escapes(&t, "a/x/y", "../z", 1), 0);
	assert_int_equal(pathtab_link_escapes(&t, "a/x", "loop1", 0), 2);
	pathtab_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_link_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
