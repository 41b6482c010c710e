/* journal.h - the plan of a change to an environment, and the journal file that holds it. */
#ifndef CENV_JOURNAL_H
#define CENV_JOURNAL_H

#include <sys/types.h>

#include "crash.h"
#include "plan.h"

/*
 * The journal, DIR/var/cenv/journal, lists every step of a change before the
 * first one is made (txn.c says how it is used):
 *
 *   cenv-journal 1
 *   op install                  (or "uninstall")
 *   package zlib
 *   had-record yes              (records/NAME existed: it is set aside as txn/record.old)
 *   mkdir include/zlib          (directories it creates, parents first)
 *   new 2049 1835011 lib/libz.a (a file it moves in, with the staged file's st_dev and
 *                                st_ino: rename keeps them, so rollback removes a file
 *                                only if it is the very one moved in)
 *   old lib/libz.so.1           (an installed file it sets aside as txn/backup/N,
 *                                N counting the old lines from 0)
 *   rmdir 0755 include/zlib     (a directory, emptied by setting old files aside, that
 *                                it removes because a new file goes there; deepest first)
 *   prune include/zlib          (directories to remove once committed, if left empty;
 *                                deepest first)
 *   committed                   (the commit point)
 *
 * Paths are relative to DIR and escaped as in records (record_escape).
 */


/* The journal's text for p; caller frees. */
char *journal_format(const struct plan *p);

/*
 * Parses a journal's text (len bytes; file names it in messages) into p.
 * Refuses, with "FILE:LINE: malformed journal line" or a like message, a text
 * cut short, an unknown or repeated line, a line after "committed", and a path
 * that is not plain and relative or lies in cenv's state (but the records
 * directory on a mkdir line).  -1 leaves p released.
 */
int journal_parse(const char *text, size_t len, const char *file, struct plan *p);

/*
 * The journal file: JOURNAL_FILE in the state directory DIR/var/cenv, open in
 * state (state_path names it in messages).  Each call that changes the file
 * system calls crash_step(h) right before each change.
 */
#define JOURNAL_FILE "journal"

/* 1 when the journal exists. */
int journal_exists(int state);
/*
 * Writes p as the journal, whole or not at all, and synced: as
 * tmpdir/journal.tmp (tmpdir is the directory tmp_name of state, open), then
 * renamed into place.  0, or -1 with fail().
 */
int journal_write(int state, const char *state_path, int tmpdir, const char *tmp_name,
		  const struct plan *p, struct crash_hook *h);
/* Deletes the journal (absent is fine); 0, or -1 with fail(). */
int journal_remove(int state, const char *state_path, struct crash_hook *h);
/*
 * Reads and parses the journal file at path into p, as journal_parse does: a
 * regular file, not followed if a symlink, of at most READFILE_CAP bytes (readfile.h).
 */
int journal_read(const char *path, struct plan *p);


#endif
