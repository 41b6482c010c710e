/* txn.h - moving a staged package into the environment, all or nothing, and undoing it. */
#ifndef CENV_TXN_H
#define CENV_TXN_H

#include "record.h"

/*
 * Moves the files of new_rec from stage_root (the staged prefix tree, on the
 * same file system as prefix, under DIR/var/cenv/) into prefix, replacing the
 * files of old_rec (the same package installed before; NULL when new) and
 * saving new_rec as its record.  All or nothing:
 *  - refuses, before anything is moved, a file another package owns (naming
 *    both), a file that exists in the environment and no package owns, and a
 *    path whose parent in the environment is a symlink or not a directory
 *    (never write through a symlink already in DIR), and a directory where
 *    a new file goes unless it holds nothing but old_rec's files;
 *  - a journal under DIR/var/cenv/ lists every step first, so that a process
 *    killed at any point leaves something txn_recover() rolls back;
 *  - on an error midway everything done is undone before returning -1.
 * The caller holds the environment's lock.
 */
int txn_commit(const char *prefix, const char *stage_root, const struct record *new_rec,
	       const struct record *old_rec);

/* Removes exactly rec's files and the directories left empty, then its record; all or nothing too. */
int txn_uninstall(const char *prefix, const struct record *rec);

/*
 * Rolls back a commit or uninstall that was interrupted (a journal is left),
 * and removes stale staging directories.  Every command that reads or
 * changes an environment calls it under the lock first.  Returns 1 when
 * something was rolled back, 0 when there was nothing to do, -1 on error.
 * (A change killed after its commit point is finished instead, and that
 * returns 0: the environment is as the change left it.)  A journal that
 * cannot be read is left alone, -1, and blocks txn_commit and txn_uninstall.
 */
int txn_recover(const char *prefix);

/*
 * TEST ONLY: with CENV_TEST_CRASH_AT=k in the environment, txn_commit,
 * txn_uninstall and txn_recover each kill their process with SIGKILL right
 * before their k-th change to the file system (counted from 1 in each
 * call), so tests can crash them at every step.  Unset, it costs nothing.
 */

#endif
