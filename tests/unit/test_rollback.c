/* test_rollback.c - unit tests of rollback through txn_recover(): what it undoes, and which failure it reports. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "record.h"
#include "txn.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static char *env;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-rollback-XXXXXX";

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	env = xstrdup(tmpl);
	return mkdir_p(env, 0755, NULL) < 0 || layout_make_dirs(env) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(env);
	free(env);
	return 0;
}

static void put(const char *rel, const char *text)
{
	char *path = path_join(env, rel), *dir = path_dirname(path);

	assert_int_equal(mkdir_p(dir, 0755, NULL), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(dir);
	free(path);
}

static int exists(const char *rel)
{
	char *path = path_join(env, rel);
	int r = path_exists(path);

	free(path);
	return r;
}

/* An interrupted install: the new file whose device and inode the journal holds goes, the journal too. */
static void test_undoes_a_new_file(void **state)
{
	char *path, text[256];
	struct stat st;

	(void)state;
	put("lib/libx.a", "new");
	path = path_join(env, "lib/libx.a");
	assert_int_equal(stat(path, &st), 0);
	snprintf(text, sizeof(text), "cenv-journal 1\nop install\npackage x\nhad-record no\nnew %llu %llu lib/libx.a\n",
		 (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	put(LAYOUT_STATE "/journal", text);
	put("lib/other.a", "not the package's"); /* not in the journal: stays */
	assert_int_equal(txn_recover(env), 1);
	assert_false(exists("lib/libx.a"));
	assert_true(exists("lib/other.a"));
	assert_false(exists(LAYOUT_STATE "/journal"));
	free(path);
}

/* A file with another inode at a new file's place is not the one moved in: it stays. */
static void test_keeps_a_file_it_did_not_move(void **state)
{
	(void)state;
	put("lib/libx.a", "someone else's");
	put(LAYOUT_STATE "/journal", "cenv-journal 1\nop install\npackage x\nhad-record no\nnew 1 1 lib/libx.a\n");
	assert_int_equal(txn_recover(env), 1);
	assert_true(exists("lib/libx.a"));
}

/*
 * A real failure first (the new record cannot be removed: a directory is in
 * its place), then failures rollback tolerates (new files whose directories
 * are gone): the message is the real one, and the journal stays for next time.
 */
static void test_reports_the_first_real_failure(void **state)
{
	(void)state;
	put(RECORD_DIR "/x/inside", "a directory where the record should be");
	put(LAYOUT_STATE "/journal", "cenv-journal 1\nop install\npackage x\nhad-record no\n"
				     "new 1 1 gone/a/file\nnew 1 2 gone/b/file\n");
	assert_int_equal(txn_recover(env), -1);
	assert_non_null(strstr(last_error(), "cannot remove the record of 'x'"));
	assert_null(strstr(last_error(), "gone"));
	assert_true(exists(LAYOUT_STATE "/journal"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_undoes_a_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keeps_a_file_it_did_not_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reports_the_first_real_failure, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
