/* txn.c - moving a staged package into the environment, all or nothing; rollback.c undoes it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crash.h"
#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "journal.h"
#include "layout.h"
#include "plan.h"
#include "record.h"
#include "strvec.h"
#include "txn.h"
#include "txnstate.h"
#include "util.h"

/*
 * The protocol.  Everything is checked before anything changes (plan.c);
 * then a journal, DIR/var/cenv/journal, says what will change (its format is
 * in journal.h), and only then do files move.  A change is made of renames
 * within DIR's file system, each atomic, so at any instant every file is in
 * exactly one known place.  The journal is written to txn/journal.tmp,
 * fsynced, and renamed into place (directory fsynced), so it is whole or
 * absent.
 *
 * Install: (1) check; (2) make txn/, write the journal, make txn/backup/;
 * (3) move records/NAME to txn/record.old, each old file to txn/backup/N,
 * remove the rmdir directories, make the mkdir ones, rename each staged
 * file into place; (4) save the new record (fsynced); (5) rewrite the
 * journal with "committed" at its end: THE COMMIT POINT is that rename;
 * (6) remove txn/, prune emptied directories, delete the journal.
 * Uninstall is the same without new files: old files and the record are
 * set aside, then commit, then cleanup.
 *
 * txn_recover() reads a journal left behind.  Without "committed" it rolls
 * back: puts back txn/record.old (or deletes a record the install made),
 * deletes the moved-in files whose device and inode match, removes the
 * directories made, makes again those removed, renames each txn/backup/N
 * back, then removes txn/ and the journal.  With "committed" it finishes
 * step (6).  Every step of both checks what is there first, so a recovery
 * killed midway can run again.  An error in (2)-(5) rolls back the same
 * way, in the same process.
 *
 * Nothing is written through a symlink: every change is made with *at()
 * calls on a directory reached component by component with
 * O_NOFOLLOW|O_DIRECTORY (fsat.h), and a target is checked absent just before a
 * file is renamed onto it.
 */
#define WORK_DIR "work"

/* ---- one transaction's open directories ------------------------------------ */

static void txn_close(struct txn *t)
{
	free(t->first_failure);
	t->first_failure = NULL;
	fsat_close(&t->root);
	fsat_close(&t->state);
	fsat_close(&t->txn);
	fsat_close(&t->backup);
	fsat_close(&t->stage);
	free(t->state_path);
	t->state_path = NULL;
	plan_release(&t->plan);
}

/* Opens DIR and DIR/var/cenv; 1 when DIR/var/cenv does not exist (and missing_ok). */
static int txn_open(struct txn *t, const char *prefix, int missing_ok)
{
	memset(t, 0, sizeof(*t));
	crash_start(&t->hook); /* where the transaction starts */
	t->prefix = prefix;
	t->root = t->state = t->txn = t->backup = t->stage = -1;
	t->state_path = path_join(prefix, LAYOUT_STATE);
	t->root = layout_open_root(prefix);
	if (t->root < 0)
		return -1;
	/* the state directory is never reached through a symlink: one is named (layout_open) */
	t->state = layout_open(t->root, prefix, LAYOUT_STATE, 0);
	if (t->state < 0)
		return missing_ok && errno == ENOENT ? 1 : -1;
	return 0;
}

/* The records directory, or -1 (errno ENOENT when it does not exist). */
int txn_open_records(struct txn *t)
{
	/* a symlink on the way is named (layout_open); ENOENT, the records not made yet, is kept */
	return layout_open(t->root, t->prefix, RECORD_DIR, 0);
}

/* 1 when records/NAME exists, 0 when not, -1 with fail() when the records cannot be read. */
static int has_record(struct txn *t, const char *name)
{
	struct stat st;
	int rec = txn_open_records(t), r;

	if (rec < 0)
		return errno == ENOENT ? 0 : -1;
	r = fstatat(rec, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
	close(rec);
	return r;
}

/* Removes txn/ (the backups, the old record), once they are no longer needed. */
static int remove_txn_dir(struct txn *t)
{
	char *txn_path = path_join(t->state_path, TXN_DIR);
	int ret = 0;

	fsat_close(&t->backup);
	fsat_close(&t->txn);
	if (path_exists(txn_path)) {
		txn_step(t);
		ret = remove_tree(txn_path);
	}
	free(txn_path);
	return ret;
}

/* Removes txn/ and the journal: the end of a rolled back transaction. */
int txn_end_journal(struct txn *t)
{
	if (remove_txn_dir(t) < 0)
		return -1;
	return journal_remove(t->state, t->state_path, &t->hook);
}

/* Makes txn/ and txn/backup/ around a freshly written journal. */
static int begin(struct txn *t)
{
	char *txn_path = path_join(t->state_path, TXN_DIR);
	struct stat st;
	int ret = -1;

	/* no journal, so whatever txn/ holds is an old leftover */
	if (fstatat(t->state, TXN_DIR, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		txn_step(t);
		if (remove_tree(txn_path) < 0)
			goto out;
	}
	txn_step(t);
	if (mkdirat(t->state, TXN_DIR, 0700) < 0) {
		fail_errno("cannot create '%s'", txn_path);
		goto out;
	}
	t->txn = fsat_open_dir(t->state, TXN_DIR);
	if (t->txn < 0) {
		fail_errno("cannot open '%s'", txn_path);
		goto out;
	}
	if (journal_write(t->state, t->state_path, t->txn, TXN_DIR, &t->plan, &t->hook) < 0)
		goto out;
	txn_step(t);
	if (mkdirat(t->txn, "backup", 0700) < 0 || (t->backup = fsat_open_dir(t->txn, "backup")) < 0) {
		fail_errno("cannot create '%s/backup'", txn_path);
		ret = -2; /* the journal exists: roll back */
		goto out;
	}
	ret = 0;
out:
	if (ret == -1) {
		/* nothing but txn/ changed: take it away again */
		char *msg = error_take();

		fsat_close(&t->txn);
		remove_tree(txn_path);
		error_restore(msg);
	}
	free(txn_path);
	return ret;
}

/* ---- finishing ------------------------------------------------------------ */

/* After the commit point: removes the backups, the emptied directories, the journal. */
static int finish(struct txn *t)
{
	const struct plan *p = &t->plan;
	size_t i;

	if (remove_txn_dir(t) < 0)
		return -1;
	for (i = 0; i < p->prunes.n; i++) {
		const char *leaf, *rel = p->prunes.v[i];
		struct stat st;
		int dir;

		if (!plan_prunable(rel))
			continue;
		dir = fsat_parent(t->root, t->prefix, rel, &leaf);
		if (dir < 0)
			continue; /* gone with its parent, or not ours to prune */
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
		    fsat_dir_empty(dir, leaf)) {
			txn_step(t);
			unlinkat(dir, leaf, AT_REMOVEDIR); /* failing, it stays: pruning is tidying */
		}
		close(dir);
	}
	return journal_remove(t->state, t->state_path, &t->hook);
}

/* ---- the checks --------------------------------------------------------- */

static int check_name(const char *name)
{
	if (!record_name_ok(name))
		return fail("invalid package name '%s'", name ? name : "");
	return 0;
}

/* ---- the operations ------------------------------------------------------ */

/*
 * Moves every old file of the plan into the backup directory, named by its index.
 * message: for failp(), with the prefix, the path and the reason.
 */
static int set_aside_olds(struct txn *t, const char *message)
{
	struct plan *p = &t->plan;
	size_t i;

	for (i = 0; i < p->olds.n; i++) {
		char idx[32];
		const char *leaf;
		int dir = fsat_parent(t->root, t->prefix, p->olds.v[i], &leaf);

		if (dir < 0)
			return -1;
		snprintf(idx, sizeof(idx), "%zu", i);
		txn_step(t);
		if (renameat(dir, leaf, t->backup, idx) < 0) {
			failp(message, t->prefix, p->olds.v[i], strerror(errno));
			close(dir);
			return -1;
		}
		close(dir);
	}
	return 0;
}

/* Moves records/NAME to txn/record.old; message: for failp(), with the name and the reason. */
static int set_aside_record(struct txn *t, const char *message)
{
	int rec = txn_open_records(t), ret = 0;

	if (rec < 0)
		return -1;
	txn_step(t);
	if (renameat(rec, t->plan.name, t->txn, "record.old") < 0)
		ret = failp(message, t->plan.name, strerror(errno));
	close(rec);
	return ret;
}

/*
 * Removes each directory of dirs (modes NULL) or makes it with its mode, in
 * order; message: for failp(), with the prefix, the path and the reason.
 */
static int change_dirs(struct txn *t, const struct strvec *dirs, const mode_t *modes,
		       const char *message)
{
	size_t i;

	for (i = 0; i < dirs->n; i++) {
		const char *leaf;
		int dir = fsat_parent(t->root, t->prefix, dirs->v[i], &leaf), r;

		if (dir < 0)
			return -1;
		txn_step(t);
		r = modes ? mkdirat(dir, leaf, modes[i]) : unlinkat(dir, leaf, AT_REMOVEDIR);
		if (r < 0)
			failp(message, t->prefix, dirs->v[i], strerror(errno));
		close(dir);
		if (r < 0)
			return -1;
	}
	return 0;
}

/*
 * Renames each staged file into place, never over anything and never through
 * a symlink.  The files come sorted by path: the caches keep their parents open.
 */
static int move_news(struct txn *t)
{
	struct plan *p = &t->plan;
	struct fsat_cache staged = FSAT_CACHE_INIT, target = FSAT_CACHE_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < p->nnews; i++) {
		const struct new_file *nf = &p->news[i];
		const char *leaf, *sleaf;
		struct stat st;
		int dir, sdir;

		sdir = fsat_cached_parent(&staged, t->stage, "the staging tree", nf->path, &sleaf);
		dir = sdir < 0 ? -1 : fsat_cached_parent(&target, t->root, t->prefix, nf->path, &leaf);
		if (dir < 0) {
			ret = -1;
		} else if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			ret = failp("cannot install '%s/%s': something appeared in its place", t->prefix,
				    nf->path);
		} else {
			txn_step(t);
			if (renameat(sdir, sleaf, dir, leaf) < 0)
				ret = failp("cannot move '%s' into '%s': %s", nf->path, t->prefix,
					    strerror(errno));
		}
	}
	fsat_cache_release(&staged);
	fsat_cache_release(&target);
	return ret;
}

/* The moves of step (3) and the record of step (4). */
static int apply_install(struct txn *t, const struct record *new_rec)
{
	struct plan *p = &t->plan;
	char *rec_path;
	int rec, fd, ret = 0;

	if (p->had_record && set_aside_record(t, "cannot set aside the record of '%s': %s") < 0)
		return -1;
	if (set_aside_olds(t, "cannot set aside '%s/%s': %s") < 0)
		return -1;
	if (change_dirs(t, &p->rmdirs, NULL, "cannot remove the directory '%s/%s': %s") < 0 ||
	    change_dirs(t, &p->mkdirs, p->mkdir_modes, "cannot create '%s/%s': %s") < 0)
		return -1;
	if (move_news(t) < 0)
		return -1;
	txn_step(t);
	if (record_save(t->prefix, new_rec) < 0)
		return -1;
	/* the record must be on disk before the journal says committed */
	rec = txn_open_records(t);
	if (rec < 0)
		return -1;
	rec_path = xasprintf("%s/%s/%s", t->prefix, RECORD_DIR, p->name);
	fd = openat(rec, p->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		ret = fail_errno("cannot open '%s'", rec_path);
	else if (fsat_sync(fd, rec_path) < 0 || fsat_sync(rec, rec_path) < 0)
		ret = -1;
	fsat_close(&fd);
	close(rec);
	free(rec_path);
	return ret;
}

static int apply_uninstall(struct txn *t)
{
	if (set_aside_olds(t, "cannot remove '%s/%s': %s") < 0)
		return -1;
	return set_aside_record(t, "cannot remove the record of '%s': %s");
}

/*
 * Runs a planned transaction from the journal on: apply, commit, finish.
 * On an error before the commit point everything is rolled back.
 */
static int run(struct txn *t, const struct record *new_rec)
{
	int r = begin(t);

	if (r == -1)
		return -1;
	if (r == 0)
		r = t->plan.uninstall ? apply_uninstall(t) : apply_install(t, new_rec);
	if (r == 0) {
		t->plan.committed = 1;
		r = journal_write(t->state, t->state_path, t->txn, TXN_DIR, &t->plan, &t->hook);
		if (r < 0)
			t->plan.committed = 0;
	}
	if (r < 0) {
		char *msg = error_take();

		if (txn_rollback(t) < 0) {
			char *why = error_take();

			fail("%s; undoing it failed too: %s (the next cenv command tries again)", msg, why);
			free(why);
			free(msg);
		} else {
			error_restore(msg);
		}
		return -1;
	}
	/* committed: what remains is cleanup, which recovery finishes if it cannot */
	finish(t);
	return 0;
}

static int refuse_pending(struct txn *t)
{
	if (journal_exists(t->state))
		return fail("an interrupted change is pending in '%s' (recover it first)", t->state_path);
	return 0;
}

/* "already installed", or, when its record cannot be read, why (a damaged record is named). */
static int already_installed(const char *prefix, const char *name)
{
	struct record r;

	if (record_load(prefix, name, &r) < 0)
		return -1;
	record_release(&r);
	return failp("package '%s' is already installed", name);
}

int txn_commit(const char *prefix, const char *stage_root, const struct record *new_rec,
	       const struct record *old_rec)
{
	struct txn t;
	struct plan_env e;
	int ret = -1, r;

	if (txn_open(&t, prefix, 0) < 0)
		goto out;
	if (check_name(new_rec->name) < 0 || refuse_pending(&t) < 0 || plan_check_paths(new_rec) < 0)
		goto out;
	if (old_rec && strcmp(old_rec->name, new_rec->name)) {
		failp("cannot replace package '%s' with '%s'", old_rec->name, new_rec->name);
		goto out;
	}
	t.stage = open(stage_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.stage < 0) {
		fail_errno("cannot open the staging tree '%s'", stage_root);
		goto out;
	}
	t.plan.name = xstrdup(new_rec->name);
	r = has_record(&t, new_rec->name);
	if (r < 0)
		goto out;
	t.plan.had_record = r;
	if (t.plan.had_record && !old_rec) {
		already_installed(prefix, new_rec->name);
		goto out;
	}
	e = (struct plan_env){ prefix, t.root, t.stage };
	if (plan_install(&e, new_rec, old_rec, &t.plan) < 0)
		goto out;
	ret = run(&t, new_rec);
out:
	txn_close(&t);
	return ret;
}

int txn_uninstall(const char *prefix, const struct record *rec)
{
	struct txn t;
	struct plan_env e;
	int ret = -1, r;

	if (txn_open(&t, prefix, 0) < 0)
		goto out;
	if (check_name(rec->name) < 0 || refuse_pending(&t) < 0)
		goto out;
	r = has_record(&t, rec->name);
	if (r < 0)
		goto out;
	if (!r) {
		failp("package '%s' is not installed", rec->name);
		goto out;
	}
	t.plan.uninstall = 1;
	t.plan.had_record = 1;
	t.plan.name = xstrdup(rec->name);
	e = (struct plan_env){ prefix, t.root, -1 };
	if (plan_uninstall(&e, rec, &t.plan) < 0)
		goto out;
	ret = run(&t, NULL);
out:
	txn_close(&t);
	return ret;
}

/* Removes DIR/var/cenv/NAME and all it holds, if it is there. */
static int remove_state_dir(struct txn *t, const char *name)
{
	char *path = path_join(t->state_path, name);
	struct stat st;
	int ret = 0;

	if (fstatat(t->state, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/* cenv never makes one there: someone planted it, and the user should know */
		if (S_ISLNK(st.st_mode))
			ret = fail("'%s' is a symbolic link; cenv will not write through it", path);
		else {
			txn_step(t);
			ret = remove_tree(path);
		}
	}
	free(path);
	return ret;
}

int txn_recover(const char *prefix)
{
	struct txn t;
	char *journal = NULL;
	int ret = -1, r;

	r = txn_open(&t, prefix, 1);
	if (r != 0) {
		ret = r == 1 ? 0 : -1; /* no state directory: nothing was ever installed */
		goto out;
	}
	journal = path_join(t.state_path, JOURNAL_FILE);
	if (journal_exists(t.state)) {
		if (journal_read(journal, &t.plan) < 0)
			goto out;
		if (t.plan.committed) {
			if (finish(&t) < 0)
				goto out;
			ret = 0;
		} else {
			if (txn_rollback(&t) < 0) {
				fail_wrap("cannot roll back the interrupted change of '%s'", t.plan.name);
				goto out;
			}
			ret = 1;
		}
	} else {
		/* a journal never written, or its end already done: the rest is leftovers */
		ret = 0;
		if (remove_state_dir(&t, TXN_DIR) < 0 || txn_clean_record_temps(&t) < 0)
			ret = -1;
	}
	/* staging trees of installs that never finished (install.c removes work/ when done) */
	if (ret >= 0 && remove_state_dir(&t, WORK_DIR) < 0)
		ret = -1;
out:
	free(journal);
	txn_close(&t);
	return ret;
}
