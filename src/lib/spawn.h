/* spawn.h - child processes: one description (argv, environment, directory, descriptors), fork/exec, wait, kill. */
#ifndef CENV_SPAWN_H
#define CENV_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "strvec.h"

/* The PATH a child searches when its environment has none. */
#define SPAWN_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"
/* On an interrupt: how long a child's group has after SIGTERM, and again after SIGKILL. */
#define SPAWN_GRACE_MS 3000
/* How many times spawn_reap_orphans looks again for what the orphans it killed had forked. */
#define SPAWN_ORPHAN_ROUNDS 100
/* How often a wait without a pidfd, or for a group to empty, looks again. */
#define SPAWN_POLL_MS 20

/*
 * One child process, described before it starts.  Nothing here touches the
 * process (no chdir, setenv, umask or signal disposition in the parent), so
 * worker threads may each start their own.  The child gets exactly envp as
 * its environment, starts in dir, and keeps only stdin, stdout, stderr and
 * keep_fds: every other descriptor must be close-on-exec (cenv opens them all
 * with O_CLOEXEC).
 *
 * Owner: whoever called spawn_init; spawn_release frees argv, wrapper and
 * keep_fds.  envp, path and dir are borrowed and must outlive the start.
 * A description may be started any number of times.
 */
struct spawn {
	struct strvec argv;     /* the program and its arguments */
	struct strvec wrapper;  /* words run in front of argv (a sandbox); empty: none */
	char *const *envp;      /* the whole environment; NULL: an empty one */
	const char *path;       /* where the first word is looked up; NULL: envp's PATH */
	const char *dir;        /* the child's working directory; NULL: the parent's */
	int log_fd;             /* stdout and stderr go here; -1: inherited */
	int no_stdin;           /* stdin from /dev/null instead of the parent's */
	int own_pgrp;           /* a process group of its own, its id the child's pid */
	int *keep_fds;          /* nkeep descriptors above 2 left open across exec */
	size_t nkeep;
};

void spawn_init(struct spawn *sp);
void spawn_release(struct spawn *sp);
/* Adds fd (above 2) to the descriptors the child keeps. */
void spawn_keep_fd(struct spawn *sp, int fd);

/*
 * Where execvp() would find name on path in directory dir (NULL: the current
 * one), as a new string to execve() from dir; NULL when there is none.
 */
char *spawn_find_program(const char *name, const char *path, const char *dir);
/* The first PATH in envp, as getenv() in the child sees it, or SPAWN_DEFAULT_PATH; points into envp. */
const char *spawn_path(char *const *envp);

/*
 * Starts the child: wrapper then argv, the first word looked up on the path
 * from the child's directory (a file without #! runs with /bin/sh, as
 * execvp does).  A program not found, or that cannot be run, is reported by
 * the child on its stderr ("cenv: 'x' not found on PATH (...)", "cenv:
 * cannot run 'x' in 'dir'") and it exits 127; 126 when its descriptors cannot
 * be set up.  The child's signal dispositions are all the default and its
 * mask empty.  *pid gets the child's pid.  -1 with fail() when argv is empty,
 * fork fails ("cannot start 'make': ..."), or an interrupt was noted
 * (interrupt.h): then nothing is started.
 */
int spawn_start(struct spawn *sp, pid_t *pid);
/*
 * Waits for the child pid, through EINTR; *status gets waitpid's status (test
 * it with WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG).  -1 with fail().
 *
 * An interrupt noted before or during the wait (interrupt_requested()) stops
 * the child, and its whole process group if it leads one: SIGTERM, up to
 * SPAWN_GRACE_MS for every process of the group to end, then SIGKILL (at once
 * when a second signal is noted, before or during the grace: interrupt_count()
 * >= 2, seen by every thread stopping a build within SPAWN_POLL_MS); the
 * child is reaped (*status says how it ended), so are the group's orphans
 * where cenv is their subreaper, and -1 with fail() saying "interrupted by
 * SIGTERM: stopped ...".  The caller tells it apart by interrupt_requested().
 */
int spawn_wait(pid_t pid, int *status);
/* spawn_start, then spawn_wait; the failure to wait names argv[0] ("cannot wait for 'make'"). */
int spawn_run(struct spawn *sp, int *status);
/* Sends sig to the process group pgid (a child started with own_pgrp: its pid). -1 with fail(). */
int spawn_kill(pid_t pgid, int sig);
/*
 * Kills (SIGKILL) and reaps every process cenv adopted as the subreaper of its builds (a
 * daemon started with setsid or a double fork, anything the build left running) and what
 * they fork meanwhile, until none is left; *killed gets how many were still running.  The
 * children being waited for (spawn_start's, until a wait reaps them) and the processes in
 * their groups are not touched: a build still running, in another thread, keeps its own.
 * Where cenv is no subreaper (not Linux, or the command layer did not make it one), there
 * is nothing to adopt and it does nothing.  -1 with fail() when some do not end within
 * SPAWN_GRACE_MS of SIGKILL, or keep forking for SPAWN_ORPHAN_ROUNDS rounds.
 */
int spawn_reap_orphans(size_t *killed);
/*
 * Waits up to ms for the orphans cenv adopted to end by themselves, reaping them, and
 * returns as soon as none is left running: bwrap's init in a build's PID namespace is left
 * to finish exiting after its monitor, which spawn waited for, has ended.  Kills nothing.
 */
void spawn_settle_orphans(long ms);

#endif
