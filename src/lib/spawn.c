/* spawn.c - child processes: fork, set up the child, exec; wait; kill the group. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
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

/* The child: async-signal-safe calls only. */
static void __attribute__((noreturn)) child(const struct spawn *sp, const struct prepared *p)
{
	static char *const no_env[] = { NULL };
	char *const *envp = sp->envp ? sp->envp : no_env;
	struct sigaction sa;
	sigset_t none;

	if (sp->own_pgrp && setpgid(0, 0) < 0)
		_exit(126);
	if (child_fds(sp) < 0)
		_exit(126);
	/* an ignored SIGPIPE or a blocked signal of ours would be inherited across exec */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
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
	prepare(sp, &p);
	*pid = fork();
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

/* waitpid through EINTR; -1 with errno. */
static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int spawn_wait(pid_t pid, int *status)
{
	if (wait_child(pid, status) < 0)
		return fail_errno("cannot wait for process %ld", (long)pid);
	return 0;
}

int spawn_run(struct spawn *sp, int *status)
{
	pid_t pid;

	if (spawn_start(sp, &pid) < 0)
		return -1;
	if (wait_child(pid, status) < 0)
		return fail_errno("cannot wait for '%s'", sp->argv.v[0]);
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
