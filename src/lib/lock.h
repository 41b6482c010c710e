/* lock.h - one cenv process at a time changes an environment. */
#ifndef CENV_LOCK_H
#define CENV_LOCK_H

/*
 * Takes DIR/var/cenv/lock (flock, released by the kernel when the process
 * dies, so a killed cenv never leaves it held).  When another process holds
 * it, calls the wait handler once with DIR (the command layer's "waiting for
 * another cenv process" line) and waits.  Returns the descriptor, or -1 with
 * fail().
 */
int env_lock(const char *prefix);
/*
 * The same without waiting: LOCK_BUSY when another process holds it.  For
 * commands that only read, which then see the records as they are: a change
 * in progress becomes visible only at its commit.
 */
#define LOCK_BUSY (-2)
int env_trylock(const char *prefix);
void env_unlock(int fd);

/* Sets the handler env_lock calls before it waits (none: it waits silently); set once, in main. */
void lock_set_wait_handler(void (*handler)(const char *prefix));

#endif
