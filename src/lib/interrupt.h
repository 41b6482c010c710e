/* interrupt.h - a signal that asks cenv to stop: noted by the handler, acted on at safe points. */
#ifndef CENV_INTERRUPT_H
#define CENV_INTERRUPT_H

/*
 * The command layer (the main thread) owns the signal dispositions: it calls
 * interrupt_init once, then installs a handler whose whole body is
 * interrupt_note(sig).  Modules never touch dispositions; they ask
 * interrupt_requested() at their safe points (before starting a child, while
 * waiting for one) and stop there, with fail().  Nothing is done in the
 * handler itself, so a commit in progress always finishes.
 *
 * The state is process-wide: a signal asks every thread to stop.  A waiter
 * that blocks (in poll) also watches interrupt_fd(), which becomes readable
 * when a signal is noted: a signal delivered to another thread wakes it too.
 */

/* Makes the self-pipe behind interrupt_fd; once, before the handlers. -1 with fail(). */
int interrupt_init(void);
/* The handler's body: async-signal-safe.  The first signal noted is the one kept; each is counted. */
void interrupt_note(int sig);
/* The signal noted first, or 0 when none was. */
int interrupt_requested(void);
/*
 * How many signals were noted (any of them, the first included; it stops growing at
 * SIG_ATOMIC_MAX): a second one asks to skip the grace a stopped build has (spawn.h).
 */
int interrupt_count(void);
/* Readable (never read from: it stays readable) once a signal is noted; -1 before interrupt_init. */
int interrupt_fd(void);
/* "SIGTERM", "SIGHUP", "SIGINT", ...; "signal N" for one without a name here.  Static storage. */
const char *interrupt_name(int sig);
/* Forgets the signal noted (unit tests only: a real interrupt ends the process). */
void interrupt_reset(void);

#endif
