/* setup.h - finding, locking and recovering the environment a command works on. */
#ifndef CENV_SETUP_H
#define CENV_SETUP_H

#include <stddef.h>

#include "cenv.h"
#include "config.h"

/* Finds the environment: dir, else $CENV; reads its config.  -1 with fail(). */
int env_locate(const char *dir, struct env_config *cfg);

/*
 * What the dispatcher does for a CMD_ENV command before its exec: locates
 * the environment (its option "env", else $CENV) into inv->cfg and, as the
 * flags say, takes the lock into inv->lock and rolls back an interrupted
 * change under it.  CMD_LOCK: waits for the lock.  CMD_READ: a shared lock
 * (env_lock_read), LOCK_BUSY while a change holds it, or -1 when it cannot
 * be had read-only; then it reads as is and says so once on stderr
 * ("cenv: note: cannot lock '...' (read-only): reading as is").  -1 with
 * fail(); env_release() frees what it took either way.
 */
int env_setup(struct invocation *inv);
void env_release(struct invocation *inv);

/*
 * The environment array a command gets with act active: another environment
 * that is active now ($CENV) is taken out first, as activation would.
 * Free with environ_free().
 */
struct activation;
char **activated_environ(const struct activation *act);

/*
 * Calls fn for each installed package of the environment at prefix, in name
 * order, then once with NULL and the count.  fn returns 0 to go on, or -1
 * with fail() to stop: for_each_record then returns -1.  A damaged record
 * (record_load: EBADMSG) is passed over and the others go on; then it returns
 * -1 with the last damaged record's message, having reported those before
 * it, and index counts only the records passed to fn.  The caller has
 * rolled back an interrupted change first (CMD_LOCK or CMD_READ), so what it
 * sees is what is there.
 */
struct record;
typedef int (*record_fn)(const struct record *r, size_t index, void *data);
int for_each_record(const char *prefix, record_fn fn, void *data);

#endif
