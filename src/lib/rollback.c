/* rollback.c - undoing whatever part of a change was done, part by part, last step first. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "record.h"
#include "strvec.h"
#include "txnstate.h"
#include "util.h"

/*
 * Rollback goes on after a failure, and tolerates some failures of its own (a
 * directory already gone) that leave messages too: the pending message is kept
 * when it is the first real failure, which rollback() reports.  Returns status.
 */
static int keep_first(struct txn *t, int status)
{
	if (!t->first_failure)
		t->first_failure = error_take();
	return status;
}

/* Removes the records/NAME.tmp.DIGITS files a killed record_save left (is_temp_name). */
int txn_clean_record_temps(struct txn *t)
{
	int fd = txn_open_records(t), ret = 0;
	DIR *dir;
	struct dirent *de;
	struct strvec names = STRVEC_INIT;
	size_t i, n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return fail_errno("cannot read '%s/%s'", t->prefix, RECORD_DIR);
	}
	while ((de = readdir(dir)))
		if (is_temp_name(de->d_name))
			strvec_push(&names, de->d_name);
	for (i = 0, n = names.n; i < n; i++) {
		txn_step(t);
		if (unlinkat(dirfd(dir), names.v[i], 0) < 0 && errno != ENOENT)
			ret = failp("cannot remove '%s/" RECORD_DIR "/%s'", t->prefix, names.v[i]);
	}
	closedir(dir);
	strvec_release(&names);
	return ret;
}

/* Rollback, one helper per part of the plan; each undoes what it finds done, best effort. */

/* The record: the old one back, or the new one away (and a killed record_save's temporaries). */
static int undo_record(struct txn *t)
{
	const struct plan *p = &t->plan;
	struct stat st;
	int ret = 0, rec;

	if (txn_clean_record_temps(t) < 0)
		ret = keep_first(t, -1);
	rec = txn_open_records(t);
	if (rec < 0)
		return errno != ENOENT ? -1 : ret;
	if (p->had_record) {
		if (t->txn >= 0 && fstatat(t->txn, "record.old", &st, AT_SYMLINK_NOFOLLOW) == 0) {
			txn_step(t);
			if (renameat(t->txn, "record.old", rec, p->name) < 0)
				ret = keep_first(t, failp("cannot restore the record of '%s': %s",
							  p->name, strerror(errno)));
		}
	} else if (fstatat(rec, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		txn_step(t);
		if (unlinkat(rec, p->name, 0) < 0)
			ret = keep_first(t, failp("cannot remove the record of '%s': %s", p->name,
						  strerror(errno)));
	}
	close(rec);
	return ret;
}

/* The files moved in: exactly those (same device and inode), last first. */
static int undo_news(struct txn *t)
{
	const struct plan *p = &t->plan;
	int ret = 0;
	size_t i;

	for (i = p->nnews; i-- > 0;) {
		const struct new_file *nf = &p->news[i];
		const char *leaf;
		struct stat st;
		int dir = fsat_parent(t->root, t->prefix, nf->path, &leaf);

		if (dir < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				ret = keep_first(t, -1);
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (unsigned long long)st.st_dev == nf->dev && (unsigned long long)st.st_ino == nf->ino) {
			txn_step(t);
			if (unlinkat(dir, leaf, 0) < 0)
				ret = keep_first(t, failp("cannot remove '%s/%s': %s", t->prefix,
							  nf->path, strerror(errno)));
		}
		close(dir);
	}
	return ret;
}

/* The directories made, deepest first. */
static int undo_mkdirs(struct txn *t)
{
	const struct plan *p = &t->plan;
	int ret = 0;
	size_t i;

	for (i = p->mkdirs.n; i-- > 0;) {
		const char *leaf;
		struct stat st;
		int dir = fsat_parent(t->root, t->prefix, p->mkdirs.v[i], &leaf);

		if (dir < 0) {
			if (errno != ENOENT)
				ret = keep_first(t, -1);
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			txn_step(t);
			if (unlinkat(dir, leaf, AT_REMOVEDIR) < 0)
				ret = keep_first(t, failp("cannot remove the directory '%s/%s': %s",
							  t->prefix, p->mkdirs.v[i], strerror(errno)));
		}
		close(dir);
	}
	return ret;
}

/* The directories removed, made again parents first. */
static int undo_rmdirs(struct txn *t)
{
	const struct plan *p = &t->plan;
	int ret = 0;
	size_t i;

	for (i = p->rmdirs.n; i-- > 0;) {
		const char *leaf;
		struct stat st;
		int dir = fsat_parent(t->root, t->prefix, p->rmdirs.v[i], &leaf);

		if (dir < 0) {
			ret = keep_first(t, -1);
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			txn_step(t);
			if (mkdirat(dir, leaf, p->rmdir_modes[i]) < 0)
				ret = keep_first(t, failp("cannot make again the directory '%s/%s': %s",
							  t->prefix, p->rmdirs.v[i], strerror(errno)));
		} else if (!S_ISDIR(st.st_mode)) {
			ret = keep_first(t, failp("cannot make again the directory '%s/%s': "
						  "something else is in its place", t->prefix, p->rmdirs.v[i]));
		}
		close(dir);
	}
	return ret;
}

/* The files set aside (txn/backup/N), back where they were, last first. */
static int undo_olds(struct txn *t)
{
	const struct plan *p = &t->plan;
	int ret = 0;
	size_t i;

	for (i = p->olds.n; t->backup >= 0 && i-- > 0;) {
		char idx[32];
		const char *leaf;
		struct stat st;
		int dir;

		snprintf(idx, sizeof(idx), "%zu", i);
		if (fstatat(t->backup, idx, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* never moved, or already back */
		dir = fsat_parent(t->root, t->prefix, p->olds.v[i], &leaf);
		if (dir < 0) {
			ret = keep_first(t, -1);
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			ret = keep_first(t, failp("cannot restore '%s/%s': something else is in its place",
						  t->prefix, p->olds.v[i]));
		} else {
			txn_step(t);
			if (renameat(t->backup, idx, dir, leaf) < 0)
				ret = keep_first(t, failp("cannot restore '%s/%s': %s", t->prefix,
							  p->olds.v[i], strerror(errno)));
		}
		close(dir);
	}
	return ret;
}

/*
 * Undoes whatever part of t->plan was done, going backwards; best effort, -1
 * if anything stays.  Every part runs even when one before it failed (the
 * message is the first failure's), in this order: the crash tests pin it.
 */
int txn_rollback(struct txn *t)
{
	int ret = 0;

	fsat_close(&t->backup);
	if (t->txn < 0)
		t->txn = fsat_open_dir(t->state, TXN_DIR); /* absent when killed before it was made */
	if (t->txn >= 0)
		t->backup = fsat_open_dir(t->txn, "backup");
	if (undo_record(t) < 0)
		ret = keep_first(t, -1);
	if (undo_news(t) < 0)
		ret = keep_first(t, -1);
	if (undo_mkdirs(t) < 0)
		ret = keep_first(t, -1);
	if (undo_rmdirs(t) < 0)
		ret = keep_first(t, -1);
	if (undo_olds(t) < 0)
		ret = keep_first(t, -1);
	if (ret < 0) {
		char *first = t->first_failure;

		t->first_failure = NULL;
		/* the journal stays, so the next recovery tries again */
		return first ? error_restore(first) : -1;
	}
	return txn_end_journal(t);
}
