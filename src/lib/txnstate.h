/*
 * txnstate.h - one transaction's open directories and plan, shared by txn.c
 * (commit, finish, recover) and rollback.c; no other module includes it.
 */
#ifndef CENV_TXNSTATE_H
#define CENV_TXNSTATE_H

#include "crash.h"
#include "plan.h"

#define TXN_DIR "txn" /* in DIR/var/cenv: the backups and the old record of a change */

struct txn {
	const char *prefix;
	char *state_path; /* DIR/var/cenv, for messages */
	int root;         /* DIR */
	int state;        /* DIR/var/cenv */
	int txn;          /* DIR/var/cenv/txn */
	int backup;       /* DIR/var/cenv/txn/backup */
	int stage;        /* the staged prefix (install only) */
	struct plan plan;
	struct crash_hook hook; /* TEST ONLY (txn.h) */
	char *first_failure;    /* rollback: the first real failure's message (error_take) */
};

/* Called right before each change to the file system: the crash tests' hook. */
static inline void txn_step(struct txn *t)
{
	crash_step(&t->hook);
}

/* The records directory, or -1 (errno ENOENT when it does not exist; else with fail()). */
int txn_open_records(struct txn *t);
/* Removes txn/ and the journal: the end of a rolled back transaction. */
int txn_end_journal(struct txn *t);

/* rollback.c: removes the records/NAME.tmp.DIGITS files a killed record_save left. */
int txn_clean_record_temps(struct txn *t);
/*
 * rollback.c: undoes whatever part of t->plan was done, going backwards; best
 * effort, -1 with the first real failure's message if anything stays (the
 * journal stays too, so the next recovery tries again); else ends the journal.
 */
int txn_rollback(struct txn *t);

#endif
