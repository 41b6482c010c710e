/* lock.h - one cenv process at a time changes an environment. */
#ifndef CENV_LOCK_H
#define CENV_LOCK_H

/*
 * The lock is DIR/var/cenv/lock (flock, released by the kernel when the
 * process dies, so a killed cenv never leaves it held), reached without
 * following a symlink (layout_open): one on the way is an error naming it.
 * The file is never removed (create --clear keeps it, layout_clear), so
 * every process that opened it locks the same file.
 *
 * env_lock takes it exclusively.  When another process holds it, calls the
 * wait handler once with DIR (the command layer's "waiting for another cenv
 * process" line) and waits.  Returns the descriptor, or -1 with fail().
 */
int env_lock(const char *prefix);
/* The same without waiting: LOCK_BUSY when another process holds it. */
#define LOCK_BUSY (-2)
int env_trylock(const char *prefix);
void env_unlock(int fd);

/*
 * For commands that only read (list, freeze), who may have no write access
 * (another user's environment, a read-only mount).  Never waits.  Returns
 * the descriptor, opened for writing where it can be (*how LOCK_WRITABLE
 * set) or else read-only, and locked exclusively (LOCK_ALONE: no one else
 * holds it, so the caller may roll back an interrupted change, then share it
 * with env_lock_share) or shared (another reader holds it).  Else
 *  - LOCK_BUSY: a change holds it; read the records as they are (they
 *    change only at a commit);
 *  - LOCK_NONE: the lock cannot be opened or locked (no permission, a
 *    read-only file system without it): the caller reads as is, and fail()
 *    holds "cannot lock 'DIR/var/cenv/lock' (read-only)" to say so;
 *  - -1 with fail(): a symlink on the way, or DIR/var/cenv cannot be opened.
 */
#define LOCK_NONE (-3)
enum { LOCK_ALONE = 1 << 0, LOCK_WRITABLE = 1 << 1 };
int env_lock_read(const char *prefix, int *how);
/* Turns the exclusive lock of env_lock_read into a shared one: 0, or LOCK_BUSY (then fd is closed). */
int env_lock_share(int fd);

/* Sets the handler env_lock calls before it waits (none: it waits silently); set once, in main. */
void lock_set_wait_handler(void (*handler)(const char *prefix));

#endif
