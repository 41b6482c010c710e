/* crash.h - TEST ONLY: killing a transaction right before its k-th change to the file system. */
#ifndef CENV_CRASH_H
#define CENV_CRASH_H

/*
 * With CENV_TEST_CRASH_AT=k in the environment, crash_step() kills the
 * process with SIGKILL the k-th time it is called after crash_start(), so
 * tests can crash a transaction at every step (txn.h).  Unset, it costs
 * nothing.  One per transaction, inside it: no global state.
 */
struct crash_hook {
	long crash_at;   /* the step to be killed at, or 0 */
	long steps_done;
};

/* Reads $CENV_TEST_CRASH_AT: once, where a transaction starts. */
void crash_start(struct crash_hook *h);
/* Called right before each change to the file system. */
void crash_step(struct crash_hook *h);

#endif
