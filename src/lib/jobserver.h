/* jobserver.h - one budget of jobs for a whole run: a GNU make jobserver shared by cenv and every build's make. */
#ifndef CENV_JOBSERVER_H
#define CENV_JOBSERVER_H

/*
 * A run of `cenv install -j N` may have N compiler jobs at once across all its packages.
 * The budget is a GNU make jobserver: a pipe holding N-1 one-byte tokens.  Every job
 * needs a token except one "free" job per holder: cenv's first build runs on cenv's free
 * job, every build beyond it takes a token from the pipe before it starts (the scheduler's
 * business), and the make inside each build runs its first job on the build's job and
 * takes a token from the same pipe for each job beyond it.  So N packages of one job each
 * or one package of N jobs both fit, and never more than N.
 *
 * make 4.3 (Debian 12) is given the pipe's two descriptors, inherited, and
 * "MAKEFLAGS= -jN --jobserver-auth=R,W" with no -j of its own on its command line (a -j
 * there would make it start a jobserver of its own).  make 4.4 reads the same form.
 * cenv's own reads go through a second, non-blocking open of the pipe (/proc/self/fd/R):
 * the descriptors make inherits stay blocking, as make 4.3 needs them.
 *
 * Ninja 1.11 has no jobserver client: a ninja build takes, without waiting, the tokens that
 * are free when it starts (at most N-1) and runs ninja -j(1 + those), giving them back when it
 * ends (jobserver_take_free / jobserver_give).
 *
 * Threads: acquire, take_free, give and refill may be called from any thread at once.
 * Owner: whoever called jobserver_open; jobserver_close frees.
 */
/* The largest budget: its N-1 tokens always fit in a pipe (64 KiB) with room to spare. */
#define JOBSERVER_MAX 4096

struct jobserver {
	int jobs;       /* N */
	int read_fd;    /* the pipe's ends that builds inherit (blocking); -1 when jobs == 1 */
	int write_fd;
	int own_fd;     /* cenv's non-blocking reader of the same pipe */
	char makeflags[96]; /* "MAKEFLAGS= -jN --jobserver-auth=R,W": an environment word; "" when
			       jobs == 1 */
};

/*
 * Makes the pipe with jobs-1 tokens (1 <= jobs <= JOBSERVER_MAX; with jobs == 1 there is no
 * pipe: a budget of one needs none, and builds run make -j1).  The pipe's ends are
 * close-on-exec: a build keeps them open with spawn_keep_fd.  -1 with fail() (no /proc to
 * open the pipe again through, among others); then js is closed, jobserver_active is 0.
 */
int jobserver_open(struct jobserver *js, int jobs);
void jobserver_close(struct jobserver *js);

/* The value of -j N / --jobs N: *jobs = N, 1 to JOBSERVER_MAX; -1 with fail() otherwise. */
int jobserver_parse_jobs(const char *value, int *jobs);

/* 1 when the run has a jobserver (js not NULL, jobs > 1). */
int jobserver_active(const struct jobserver *js);

/*
 * Takes one token, waiting until one is free; -1 with fail() when an interrupt is noted
 * (interrupt.h) or the pipe fails.  Returns 0 holding the token.
 */
int jobserver_acquire(struct jobserver *js);
/* Takes at most max tokens that are free now, without waiting; returns how many (0..max).
   Inactive (jobs == 1): 0.  acquire on an inactive one fails: there is no token. */
int jobserver_take_free(struct jobserver *js, int max);
/* Gives n tokens back (each one taken by acquire or take_free, whatever the build did). */
void jobserver_give(struct jobserver *js, int n);
/*
 * At a point where no build runs and cenv holds none: tops the pipe up to N-1 tokens again
 * (a make killed by SIGKILL takes the tokens it held with it).  Returns how many it put back
 * (0 when none was missing).  Tokens beyond N-1 (one given back twice) are dropped.
 */
int jobserver_refill(struct jobserver *js);

#endif
