/* spawn.c - child processes: fork, set up the child, exec; wait; kill the group; stop it on an interrupt. */
#define _GNU_SOURCE /* syscall(), for pidfd_open */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>

#include "error.h"
#include "interrupt.h"
#include "spawn.h"
#include "util.h"

/*
 * Everything the child needs (paths, argv, the message it writes if exec fails) is made
 * before fork(): between fork and exec a threaded process may call only async-signal-safe
 * functions, so no malloc and no stdio there.  The PATH lookup is done here, in the parent,
 * against the child's directory, for the same reason.
 */
struct prepared {
	char **argv;    /* wrapper then argv; borrows the strings */
	char **shargv;  /* "sh", exe, argv[1..]: for a file without #! */
	char *exe;      /* the program found; NULL: not found */
	char *errmsg;   /* what the child writes when it cannot run the program */
};

/*
 * The children being waited for: every pid spawn_start made and no wait has reaped yet.
 * spawn_reap_orphans kills every other child of cenv (the subreaper's orphans), so a pid
 * is put here under the lock in the same breath as the fork that makes it, and taken out
 * only once reaped.  The lock also covers every reaping of an orphan (a group's, after its
 * leader ended), so that a pid the orphan scan found is not reaped and reused under it.
 */
static pthread_mutex_t children_lock = PTHREAD_MUTEX_INITIALIZER;
static pid_t *children;
static size_t nchildren, children_cap;

static int is_spawned(pid_t pid)
{
	size_t i;

	for (i = 0; i < nchildren; i++)
		if (children[i] == pid)
			return 1;
	return 0;
}

static void forget_child(pid_t pid)
{
	size_t i;

	pthread_mutex_lock(&children_lock);
	for (i = 0; i < nchildren; i++)
		if (children[i] == pid) {
			children[i] = children[--nchildren];
			break;
		}
	pthread_mutex_unlock(&children_lock);
}

/* Reaps what has ended of group pgid that is ours (its orphans); how many. */
static int reap_group(pid_t pgid)
{
	int n = 0;

	pthread_mutex_lock(&children_lock);
	while (waitpid(-pgid, NULL, WNOHANG) > 0)
		n++;
	pthread_mutex_unlock(&children_lock);
	return n;
}

void spawn_init(struct spawn *sp)
{
	memset(sp, 0, sizeof(*sp));
	strvec_init(&sp->argv);
	strvec_init(&sp->wrapper);
	sp->log_fd = -1;
}

void spawn_release(struct spawn *sp)
{
	strvec_release(&sp->argv);
	strvec_release(&sp->wrapper);
	free(sp->keep_fds);
	spawn_init(sp);
}

void spawn_keep_fd(struct spawn *sp, int fd)
{
	sp->keep_fds = xrealloc(sp->keep_fds, (sp->nkeep + 1) * sizeof(*sp->keep_fds));
	sp->keep_fds[sp->nkeep++] = fd;
}

static int is_executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *spawn_find_program(const char *name, const char *path, const char *dir)
{
	const char *p = path, *end;

	if (!dir)
		dir = ".";
	if (strchr(name, '/')) {
		char *full = name[0] == '/' ? xstrdup(name) : path_join(dir, name);
		int ok = is_executable(full);

		free(full);
		return ok ? xstrdup(name) : NULL;
	}
	for (;; p = end + 1) {
		char *elem, *cand, *seen;

		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		/* an empty element is the current directory: the child's, like execvp in it */
		elem = end == p ? xstrdup(".") : xasprintf("%.*s", (int)(end - p), p);
		/* a relative element is looked at from dir, but named from it: the child is there */
		cand = path_join(elem, name);
		seen = elem[0] == '/' ? xstrdup(cand) : path_join(dir, cand);
		free(elem);
		if (is_executable(seen)) {
			free(seen);
			return cand;
		}
		free(seen);
		free(cand);
		if (!*end)
			return NULL;
	}
}

const char *spawn_path(char *const *envp)
{
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, "PATH=", 5))
			return *envp + 5;
	return SPAWN_DEFAULT_PATH;
}

static void prepare(const struct spawn *sp, struct prepared *p)
{
	size_t nw = sp->wrapper.n, na = sp->argv.n, n = nw + na;
	const char *path = sp->path ? sp->path : spawn_path(sp->envp);

	p->argv = xmalloc((n + 1) * sizeof(*p->argv));
	if (nw)
		memcpy(p->argv, sp->wrapper.v, nw * sizeof(*p->argv));
	memcpy(p->argv + nw, sp->argv.v, na * sizeof(*p->argv));
	p->argv[n] = NULL;
	p->exe = spawn_find_program(p->argv[0], path, sp->dir);
	p->shargv = xmalloc((n + 2) * sizeof(*p->shargv));
	p->shargv[0] = "sh";
	p->shargv[1] = p->exe;
	memcpy(p->shargv + 2, p->argv + 1, n * sizeof(*p->shargv)); /* with the NULL */
	if (!p->exe)
		p->errmsg = xasprintf("cenv: '%s' not found on PATH (%s)\n", p->argv[0], path);
	else if (sp->dir)
		p->errmsg = xasprintf("cenv: cannot run '%s' in '%s'\n", p->exe, sp->dir);
	else
		p->errmsg = xasprintf("cenv: cannot run '%s'\n", p->exe);
}

static void prepared_release(struct prepared *p)
{
	free(p->argv);
	free(p->shargv);
	free(p->exe);
	free(p->errmsg);
}

/* stdin from /dev/null; 0, or -1 (async-signal-safe). */
static int null_stdin(void)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return -1;
	if (fd != 0 && (dup2(fd, 0) < 0 || close(fd) < 0))
		return -1;
	return 0;
}

/* The descriptors of the child; 0, or -1 (async-signal-safe). */
static int child_fds(const struct spawn *sp)
{
	int logfd = sp->log_fd;
	size_t i;

	/* dup2(fd, fd) would keep FD_CLOEXEC: move the log above 2 first */
	if (logfd >= 0 && logfd <= 2)
		logfd = fcntl(logfd, F_DUPFD_CLOEXEC, 3);
	if (sp->log_fd >= 0 && logfd < 0)
		return -1;
	if (sp->no_stdin && null_stdin() < 0)
		return -1;
	if (logfd >= 0 && (dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0))
		return -1;
	for (i = 0; i < sp->nkeep; i++) {
		int flags = fcntl(sp->keep_fds[i], F_GETFD);

		if (flags < 0 || fcntl(sp->keep_fds[i], F_SETFD, flags & ~FD_CLOEXEC) < 0)
			return -1;
	}
	return 0;
}

#ifdef NSIG
#define SPAWN_NSIG NSIG
#else
#define SPAWN_NSIG 65
#endif

/* The child: async-signal-safe calls only. */
static void __attribute__((noreturn)) child(const struct spawn *sp, const struct prepared *p)
{
	static char *const no_env[] = { NULL };
	char *const *envp = sp->envp ? sp->envp : no_env;
	struct sigaction sa;
	sigset_t none;
	int sig;

	if (sp->own_pgrp && setpgid(0, 0) < 0)
		_exit(126);
	/*
	 * Every disposition back to the default: an ignored SIGPIPE, or a signal cenv was
	 * started with ignored, would be inherited across exec, and until exec our handlers
	 * would only note a signal in this copy of cenv.  A blocked signal too.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < SPAWN_NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	if (child_fds(sp) < 0)
		_exit(126);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (p->exe && (!sp->dir || chdir(sp->dir) == 0)) {
		execve(p->exe, p->argv, envp);
		/* a script without #!: what execvp does */
		if (errno == ENOEXEC)
			execve("/bin/sh", p->shargv, envp);
	}
	write_all(2, p->errmsg, strlen(p->errmsg), -1);
	_exit(127);
}

int spawn_start(struct spawn *sp, pid_t *pid)
{
	struct prepared p;

	if (!sp->argv.n)
		return fail("cannot start a program: no command given");
	/* a safe point: nothing of the child exists yet */
	if (interrupt_requested())
		return fail("interrupted by %s: '%s' was not started", interrupt_name(interrupt_requested()),
			    sp->argv.v[0]);
	prepare(sp, &p);
	/* the child never touches the lock it inherits: it only execs */
	pthread_mutex_lock(&children_lock);
	if (nchildren == children_cap) {
		children_cap = children_cap ? 2 * children_cap : 8;
		children = xrealloc(children, children_cap * sizeof(*children));
	}
	*pid = fork();
	if (*pid > 0)
		children[nchildren++] = *pid;
	pthread_mutex_unlock(&children_lock);
	if (*pid < 0) {
		fail_errno("cannot start '%s'", sp->argv.v[0]);
		prepared_release(&p);
		return -1;
	}
	if (*pid == 0)
		child(sp, &p);
	/* the child does it too: whichever runs first, the group exists when we return */
	if (sp->own_pgrp)
		setpgid(*pid, *pid);
	prepared_release(&p);
	return 0;
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* an EINTR only shortens a pause in a polling loop */
}

/* A descriptor that becomes readable when pid ends (Linux 5.3's pidfd); -1 where there is none. */
static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0); /* close-on-exec, always */
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/*
 * Reaps what is ours of group pgid (cenv is the subreaper of its builds where the command
 * layer made it one, so the orphans of a build are its children) and tells whether a
 * process is left in it.  A zombie counts: it goes once its parent reaps it.
 */
static int group_alive(pid_t pgid)
{
	reap_group(pgid);
	return kill(-pgid, 0) == 0 || errno != ESRCH;
}

/*
 * Whether, within ms, the child is reaped (*status) and, if it leads a group, no process
 * is left in that group.  hurry: 0 as soon as a second signal is noted (interrupt_count).
 */
static int wait_gone(pid_t pid, int group, int *reaped, int *status, long ms, int hurry)
{
	long waited = 0;

	for (;;) {
		if (!*reaped && waitpid(pid, status, WNOHANG) == pid)
			*reaped = 1;
		if (*reaped && (!group || !group_alive(pid)))
			return 1;
		if (waited >= ms || (hurry && interrupt_count() >= 2))
			return 0;
		pause_ms(SPAWN_POLL_MS);
		waited += SPAWN_POLL_MS;
	}
}

/*
 * Stops the child and, if it leads one, its group: SIGTERM (and SIGCONT, so that a stopped
 * process gets it), SPAWN_GRACE_MS to end, then SIGKILL, which cannot be refused; *status
 * is the child's.  A second signal (a second Ctrl-C), noted before or during the grace,
 * ends it at once, in every thread stopping a build: the user asked not to wait.  A process
 * of the group that is not ours and not reaped by its parent within another grace is left:
 * cenv cannot reap it.
 */
static void stop_child(pid_t pid, int *status)
{
	int group = getpgid(pid) == pid, reaped = 0;
	pid_t target = group ? -pid : pid;

	kill(target, SIGTERM);
	kill(target, SIGCONT);
	if (wait_gone(pid, group, &reaped, status, SPAWN_GRACE_MS, 1))
		return;
	kill(target, SIGKILL);
	if (wait_gone(pid, group, &reaped, status, SPAWN_GRACE_MS, 0) || reaped)
		return;
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
}

/* Sleeps until pid ends, or a signal is noted, or (no pidfd) a short while has passed. */
static void wait_event(int pidfd)
{
	struct pollfd fds[2];
	nfds_t n = 0;

	if (pidfd >= 0)
		fds[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	if (interrupt_fd() >= 0)
		fds[n++] = (struct pollfd){ .fd = interrupt_fd(), .events = POLLIN };
	poll(fds, n, pidfd >= 0 ? -1 : SPAWN_POLL_MS);
}

/*
 * waitpid, acting on an interrupt: the child (and its group) stopped, then -2 with errno
 * EINTR.  0, or -1 with errno.  Where signals can be noted (interrupt_init), the wait is a
 * poll on a pidfd and the interrupt's pipe, so that a signal noted just before the wait
 * began, or delivered to another thread, is not missed; without a pidfd, a poll with a
 * timeout; without either, waitpid's EINTR.
 */
static int wait_child(pid_t pid, int *status)
{
	int pidfd = interrupt_fd() >= 0 ? open_pidfd(pid) : -1;
	int ret = 0, flags = interrupt_fd() >= 0 ? WNOHANG : 0, group = getpgid(pid) == pid;

	for (;;) {
		pid_t got;

		if (interrupt_requested()) {
			stop_child(pid, status);
			errno = EINTR;
			ret = -2;
			break;
		}
		got = waitpid(pid, status, flags);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			ret = -1;
			break;
		}
		if (got == 0)
			wait_event(pidfd);
	}
	if (pidfd >= 0)
		close(pidfd);
	forget_child(pid); /* reaped, or (ECHILD) never ours */
	/* the zombies of its group: an orphan that had ended was reparented to us */
	if (ret == 0 && group)
		reap_group(pid);
	return ret;
}

static int wait_failed(int ret, pid_t pid, const char *name)
{
	if (ret == -2)
		return fail("interrupted by %s: stopped '%s' (process %ld) and its process group",
			    interrupt_name(interrupt_requested()), name, (long)pid);
	return fail_errno("cannot wait for '%s'", name);
}

int spawn_wait(pid_t pid, int *status)
{
	int ret = wait_child(pid, status);

	if (ret == -2)
		return wait_failed(ret, pid, "the child");
	if (ret < 0)
		return fail_errno("cannot wait for process %ld", (long)pid);
	return 0;
}

int spawn_run(struct spawn *sp, int *status)
{
	pid_t pid;
	int ret;

	if (spawn_start(sp, &pid) < 0)
		return -1;
	ret = wait_child(pid, status);
	if (ret < 0)
		return wait_failed(ret, pid, sp->argv.v[0]);
	return 0;
}

int spawn_kill(pid_t pgid, int sig)
{
	if (pgid <= 0)
		return fail("cannot signal process group %ld", (long)pgid);
	if (kill(-pgid, sig) < 0)
		return fail_errno("cannot signal process group %ld", (long)pgid);
	return 0;
}

/*
 * One process of /proc: its parent and group, and whether it is a zombie.  0, or -1 when it
 * is gone (or no /proc).
 */
static int proc_stat(pid_t pid, pid_t *ppid, pid_t *pgrp, int *zombie)
{
	char path[64], buf[1024], *p, state;
	long pp, pg;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid pgrp ...": the name may hold anything, ')' too */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %ld %ld", &state, &pp, &pg) != 3)
		return -1;
	*ppid = (pid_t)pp;
	*pgrp = (pid_t)pg;
	*zombie = state == 'Z' || state == 'X';
	return 0;
}

/*
 * The orphans cenv has adopted (its children that no spawn is waiting for), killed; under
 * the lock.  Their pids go to *pids (*n of them), for the caller to reap.  An orphan in the
 * group of a spawn still waited for (another thread's build, in the pool) is that build's,
 * and left to the end of its step: only one that left its build's group (setsid), or whose
 * build has ended, is killed here.  A zombie is only reaped.  How many were running.
 * Without kill_them, only the zombies go to *pids, and the others are merely counted.
 */
static size_t scan_orphans(pid_t **pids, size_t *n, size_t *cap, int kill_them)
{
	pid_t self = getpid(), mygrp = getpgrp();
	size_t running = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	*n = 0;
	if (!d)
		return 0; /* no /proc: no subreaper either (Linux only), nothing adopted */
	while ((de = readdir(d))) {
		pid_t pid, ppid, pgrp;
		char *end;
		int zombie;
		long v = strtol(de->d_name, &end, 10);

		if (*end || v <= 0)
			continue;
		pid = (pid_t)v;
		if (proc_stat(pid, &ppid, &pgrp, &zombie) < 0 || ppid != self || is_spawned(pid) ||
		    is_spawned(pgrp))
			continue;
		if (!zombie && !kill_them) {
			running++;
			continue;
		}
		if (!zombie) {
			kill(pid, SIGKILL);
			/* a daemon's group or session goes with it, before it forks again */
			if (pgrp == pid && pgrp != mygrp)
				kill(-pgrp, SIGKILL);
			running++;
		}
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*pids = xrealloc(*pids, *cap * sizeof(**pids));
		}
		(*pids)[(*n)++] = pid;
	}
	closedir(d);
	return running;
}

int spawn_reap_orphans(size_t *killed)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0, i, round;

	*killed = 0;
	/* they may fork meanwhile: each round kills the generation that was reparented to us */
	for (round = 0; round < SPAWN_ORPHAN_ROUNDS; round++) {
		size_t left;
		long waited = 0;

		pthread_mutex_lock(&children_lock);
		*killed += scan_orphans(&pids, &n, &cap, 1);
		pthread_mutex_unlock(&children_lock);
		if (!n)
			break;
		/* SIGKILL cannot be refused: each ends soon (a process stuck in the kernel, later) */
		for (left = n; left && waited <= SPAWN_GRACE_MS; waited += SPAWN_POLL_MS) {
			pthread_mutex_lock(&children_lock);
			for (i = 0; i < n; i++) {
				pid_t got;

				if (!pids[i])
					continue;
				/* reaped under the lock by a group's wait, its pid may be a new spawn's */
				got = is_spawned(pids[i]) ? -1 : waitpid(pids[i], NULL, WNOHANG);
				if (got != 0) {
					pids[i] = 0;
					left--;
				}
			}
			pthread_mutex_unlock(&children_lock);
			if (left)
				pause_ms(SPAWN_POLL_MS);
		}
		if (left) {
			free(pids);
			return fail("cannot stop the processes the build left running: %zu still there "
				    "%d s after SIGKILL", left, SPAWN_GRACE_MS / 1000);
		}
	}
	free(pids);
	if (round == SPAWN_ORPHAN_ROUNDS)
		return fail("cannot stop the processes the build left running: they keep forking "
			    "(%d rounds of SIGKILL)", SPAWN_ORPHAN_ROUNDS);
	return 0;
}

void spawn_settle_orphans(long ms)
{
	pid_t *pids = NULL;
	size_t n = 0, cap = 0, i, running;
	long waited = 0;

	for (;;) {
		pthread_mutex_lock(&children_lock);
		running = scan_orphans(&pids, &n, &cap, 0);
		for (i = 0; i < n; i++)
			waitpid(pids[i], NULL, WNOHANG);
		pthread_mutex_unlock(&children_lock);
		if (!running || waited >= ms)
			break;
		pause_ms(2);
		waited += 2;
	}
	free(pids);
}
