/* test_journal.c - unit tests of the journal: format then parse, malformed journals refused, the file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "journal.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A plan with a bit of everything, paths that need escaping among them. */
static void sample(struct plan *p)
{
	static mode_t rmodes[] = { 0755, 02750 };

	memset(p, 0, sizeof(*p));
	p->name = xstrdup("zlib");
	p->had_record = 1;
	strvec_push(&p->mkdirs, "include/zlib");
	strvec_push(&p->mkdirs, "var/cenv/records");
	p->news = xmalloc(2 * sizeof(*p->news));
	p->news[0] = (struct new_file){ xstrdup("lib/libz.a"), 2049, 1835011 };
	p->news[1] = (struct new_file){ xstrdup("share/a name\nwith a newline"), 18446744073709551615ull, 0 };
	p->nnews = 2;
	strvec_push(&p->olds, "lib/libz.so.1");
	strvec_push(&p->olds, "share/tab\there");
	strvec_push(&p->rmdirs, "include/old/deeper");
	strvec_push(&p->rmdirs, "include/old");
	p->rmdir_modes = xmalloc(sizeof(rmodes));
	memcpy(p->rmdir_modes, rmodes, sizeof(rmodes));
	strvec_push(&p->prunes, "share/doc");
	strvec_push(&p->prunes, "share");
}

static void assert_same_strv(const struct strvec *a, const struct strvec *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void test_round_trip(void **state)
{
	struct plan p, q;
	char *text, *again;
	size_t i;
	int committed;

	(void)state;
	for (committed = 0; committed <= 1; committed++) {
		sample(&p);
		p.committed = committed;
		text = journal_format(&p);
		assert_non_null(strstr(text, "cenv-journal 1\nop install\npackage zlib\nhad-record yes\n"));
		assert_non_null(strstr(text, "\nnew 2049 1835011 lib/libz.a\n"));
		assert_non_null(strstr(text, "\nrmdir 2750 include/old\n"));
		assert_int_equal(strstr(text, "committed\n") != NULL, committed);
		assert_null(strstr(text, "a name\nwith")); /* one line per entry: escaped */
		assert_int_equal(journal_parse(text, strlen(text), "J", &q), 0);
		assert_int_equal(q.uninstall, 0);
		assert_string_equal(q.name, "zlib");
		assert_int_equal(q.had_record, 1);
		assert_int_equal(q.committed, committed);
		assert_same_strv(&q.mkdirs, &p.mkdirs);
		assert_same_strv(&q.olds, &p.olds);
		assert_same_strv(&q.rmdirs, &p.rmdirs);
		assert_same_strv(&q.prunes, &p.prunes);
		assert_int_equal(q.nnews, p.nnews);
		for (i = 0; i < p.nnews; i++) {
			assert_string_equal(q.news[i].path, p.news[i].path);
			assert_true(q.news[i].dev == p.news[i].dev && q.news[i].ino == p.news[i].ino);
		}
		assert_int_equal(q.rmdir_modes[0], 0755);
		assert_int_equal(q.rmdir_modes[1], 02750);
		again = journal_format(&q);
		assert_string_equal(again, text);
		free(again);
		free(text);
		plan_release(&p);
		plan_release(&q);
	}
	/* the smallest: an uninstall of nothing */
	memset(&p, 0, sizeof(p));
	p.uninstall = 1;
	p.name = xstrdup("x");
	text = journal_format(&p);
	assert_string_equal(text, "cenv-journal 1\nop uninstall\npackage x\nhad-record no\n");
	assert_int_equal(journal_parse(text, strlen(text), "J", &q), 0);
	assert_int_equal(q.uninstall, 1);
	assert_int_equal(q.had_record, 0);
	assert_int_equal(q.nnews + q.olds.n + q.mkdirs.n, 0);
	free(text);
	plan_release(&p);
	plan_release(&q);
}

#define HEAD "cenv-journal 1\nop install\npackage zlib\nhad-record no\n"

/* text is refused with exactly want, and leaves nothing to release. */
static void refused(const char *text, size_t len, const char *want)
{
	struct plan q;

	assert_int_equal(journal_parse(text, len, "/env/var/cenv/journal", &q), -1);
	assert_string_equal(last_error(), want);
	assert_null(q.name);
	assert_null(q.news);
	assert_null(q.mkdirs.v);
}

static void bad_line(const char *text, int line)
{
	char *want = xasprintf("/env/var/cenv/journal:%d: malformed journal line", line);

	refused(text, strlen(text), want);
	free(want);
}

static void test_malformed(void **state)
{
	const char cut[] = HEAD "mkdir inc";
	const char nul[] = HEAD "mkdir a\0b\n";

	(void)state;
	refused(cut, strlen(cut), "/env/var/cenv/journal: malformed journal (cut short or holding a NUL byte)");
	refused(nul, sizeof(nul) - 1, "/env/var/cenv/journal: malformed journal (cut short or holding a NUL byte)");
	refused("", 0, "/env/var/cenv/journal: malformed journal (cut short or holding a NUL byte)");
	refused("cenv-journal 1\nop install\npackage zlib\n", strlen("cenv-journal 1\nop install\npackage zlib\n"),
		"/env/var/cenv/journal: malformed journal: it misses its op, package or had-record line");
	bad_line("cenv-journal 2\n" "op install\n", 1);
	bad_line(HEAD "op install\n", 5);                       /* repeated */
	bad_line(HEAD "committed\nmkdir a\n", 6);               /* after the commit point */
	bad_line(HEAD "frobnicate a\n", 5);                     /* unknown */
	bad_line(HEAD "mkdirnospace\n", 5);
	bad_line("cenv-journal 1\nop upgrade\n", 2);
	bad_line("cenv-journal 1\npackage ../x\n", 2);
	bad_line("cenv-journal 1\nhad-record maybe\n", 2);
	bad_line(HEAD "mkdir /abs\n", 5);                       /* not relative */
	bad_line(HEAD "old a/../../etc/passwd\n", 5);           /* climbs */
	bad_line(HEAD "old var/cenv/records\n", 5);             /* state: only mkdir may name records/ */
	bad_line(HEAD "prune var/cenv\n", 5);
	bad_line(HEAD "rmdir 0755\n", 5);
	bad_line(HEAD "rmdir 0855 a\n", 5);
	bad_line(HEAD "rmdir 17777 a\n", 5);
	bad_line(HEAD "new 1 2\n", 5);
	bad_line(HEAD "new x 2 a\n", 5);
	bad_line(HEAD "new 1 -2 a\n", 5);
	bad_line(HEAD "new 1 99999999999999999999 a\n", 5);
	bad_line(HEAD "new 1 2 var/cenv/journal\n", 5);
	/* a package named as a temporary file (records/NAME.tmp.DIGITS): no package is */
	bad_line("cenv-journal 1\nop install\npackage zlib.tmp.4242000001\n", 3);
}

static void test_file(void **state)
{
	char dir[] = "/tmp/cenv-journal-XXXXXX";
	struct crash_hook h = { 0, 0 };
	struct plan p, q;
	char *path;
	int state_fd, tmp_fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = path_join(dir, JOURNAL_FILE);
	state_fd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(mkdirat(state_fd, "txn", 0700), 0);
	tmp_fd = openat(state_fd, "txn", O_RDONLY | O_DIRECTORY);
	assert_false(journal_exists(state_fd));
	sample(&p);
	assert_int_equal(journal_write(state_fd, dir, tmp_fd, "txn", &p, &h), 0);
	assert_int_equal(h.steps_done, 0); /* the hook counts only when armed */
	assert_true(journal_exists(state_fd));
	assert_int_equal(faccessat(tmp_fd, "journal.tmp", F_OK, 0), -1); /* renamed, not copied */
	assert_int_equal(journal_read(path, &q), 0);
	assert_string_equal(q.name, "zlib");
	assert_int_equal(q.nnews, 2);
	plan_release(&q);
	assert_int_equal(journal_remove(state_fd, dir, &h), 0);
	assert_false(journal_exists(state_fd));
	assert_int_equal(journal_remove(state_fd, dir, &h), 0); /* absent is fine */
	assert_int_equal(journal_read(path, &q), -1);
	/* a journal that is a FIFO or leads to /dev/zero is refused at once, not read forever */
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	assert_int_equal(journal_read(path, &q), -1);
	alarm(0);
	assert_non_null(strstr(last_error(), "is a fifo, not a regular file"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(journal_read(path, &q), -1);
	assert_non_null(strstr(last_error(), "is a symlink, not a regular file"));
	assert_int_equal(unlink(path), 0);
	plan_release(&p);
	close(tmp_fd);
	close(state_fd);
	free(path);
	assert_int_equal(remove_tree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
