/* sandbox.c - builds confined with bubblewrap: a read-only system, a writable work area, a private /tmp, no network. */
#define _GNU_SOURCE /* pipe2; and POSIX.1-2008 with XSI, for realpath() */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "sandbox.h"
#include "spawn.h"

/*
 * The build sees the whole file system read-only (--ro-bind / /, which bwrap applies to every
 * mount below too), so the system, $HOME and the environment itself cannot be written; only
 * its work area is bound again read-write.  A fresh /tmp (a tmpfs that goes with it) and
 * TMPDIR pointing there: compilers write their temporary files, nothing outlives the step.
 * /run is emptied too (hidden[] says why).
 *
 * --unshare-net: a build that downloads is not reproducible, and a hostile one cannot send
 * anything anywhere.  --unshare-pid with --die-with-parent: when the step's command ends, or
 * cenv is killed (even by SIGKILL), the kernel kills every process of the build, a daemon
 * that left with setsid included.  --new-session: a build cannot push keystrokes into the
 * user's terminal (TIOCSTI).  --cap-drop ALL: run by root, bwrap would otherwise keep every
 * capability, and the build could remount / read-write.  /proc/sys read-only: run by root,
 * bwrap 0.8 leaves the new /proc's sysctls writable (their check is the uid, not a
 * capability), and kernel.core_pattern set to "|/path" runs a program as root outside every
 * namespace at the next crash; /proc/sysrq-trigger likewise where it exists.
 */
static const char *const isolation[] = {
	"--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
	"--cap-drop", "ALL", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
	"--ro-bind", "/proc/sys", "/proc/sys", "--ro-bind-try", "/proc/sysrq-trigger", "/proc/sysrq-trigger",
	"--tmpfs", "/tmp", "--tmpfs", "/run", "--setenv", "TMPDIR", "/tmp",
};

/*
 * The directories the sandbox replaces with empty ones: /tmp, and /run, whose sockets a
 * read-only file system does not close (connect() writes nothing): the Docker daemon's, the
 * system bus, a database's, the user's session bus and agents under /run/user.
 */
static const char *const hidden[] = { "/tmp", "/run" };

static void isolation_words(struct strvec *out, const char *bwrap, int network)
{
	size_t i;

	strvec_push(out, bwrap);
	if (!network)
		strvec_push(out, "--unshare-net");
	for (i = 0; i < sizeof(isolation) / sizeof(isolation[0]); i++)
		strvec_push(out, isolation[i]);
	/* with the network, the resolver's configuration may live there (systemd-resolved) */
	if (network) {
		strvec_push(out, "--ro-bind-try");
		strvec_push(out, "/run/systemd/resolve");
		strvec_push(out, "/run/systemd/resolve");
	}
}

static const char *const mode_names[] = {
	[SANDBOX_AUTO] = "auto",
	[SANDBOX_ON] = "on",
	[SANDBOX_OFF] = "off",
};

int sandbox_mode_parse(const char *s, enum sandbox_mode *mode)
{
	static const char *const on[] = { "on", "yes", "true", "1" }, *const off[] = { "off", "no", "false", "0" };
	size_t i;

	if (!strcmp(s, "auto")) {
		*mode = SANDBOX_AUTO;
		return 0;
	}
	for (i = 0; i < 4; i++) {
		if (!strcmp(s, on[i]) || !strcmp(s, off[i])) {
			*mode = !strcmp(s, on[i]) ? SANDBOX_ON : SANDBOX_OFF;
			return 0;
		}
	}
	return fail("'%s' is not a sandbox mode (expected auto, on or off)", s);
}

const char *sandbox_mode_name(enum sandbox_mode mode)
{
	return (size_t)mode < 3 ? mode_names[mode] : "?";
}

/* ---- is bwrap there, and does it work ---------------------------------------------------- */

/* 1 when path is dir or below it, component by component. */
static int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0' || n == 1);
}

/* 1 when entry lies in prefix, as written or with their symlinks resolved (an alias of the environment). */
static int entry_in(const char *entry, const char *prefix)
{
	char *re, *rp;
	int in;

	if (path_under(entry, prefix))
		return 1;
	re = realpath(entry, NULL);
	rp = realpath(prefix, NULL);
	in = re && rp && path_under(re, rp);
	free(re);
	free(rp);
	return in;
}

/* path without its empty, relative and inside-prefix entries. */
static char *search_path(const char *path, const char *prefix)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path ? path : SPAWN_DEFAULT_PATH;

	while (*p) {
		size_t len = strcspn(p, ":");
		char *entry = xasprintf("%.*s", (int)len, p);

		if (entry[0] == '/' && !(prefix && entry_in(entry, prefix))) {
			if (sb.len)
				sb_addc(&sb, ':');
			sb_adds(&sb, entry);
		}
		free(entry);
		p += len;
		p += *p == ':';
	}
	return sb_detach(&sb);
}

/* What the probe printed, up to its first line; or how it ended. */
static char *probe_output(int fd, pid_t pid, int *status)
{
	struct strbuf sb = STRBUF_INIT;
	struct timespec start, now;
	char buf[512];
	long waited = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (waited < 5000) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, (int)(5000 - waited)) > 0) {
			r = read(fd, buf, sizeof(buf));
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				break;
			if (r > 0 && sb.len < 4096)
				sb_add(&sb, buf, (size_t)r);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
	}
	if (waited >= 5000)
		kill(-pid, SIGKILL); /* a bwrap that hangs does not work */
	if (spawn_wait(pid, status) < 0)
		*status = -1;
	sb.len = strcspn(sb_str(&sb), "\n");
	if (sb.buf)
		sb.buf[sb.len] = '\0';
	return sb_detach(&sb);
}

static char *run_probe(const char *bwrap)
{
	static char *const env[] = { "PATH=" SPAWN_DEFAULT_PATH, NULL };
	struct spawn sp;
	char *out, *why = NULL;
	int pipefd[2], status = 0;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return xasprintf("cannot make a pipe: %s", strerror(errno));
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	fcntl(pipefd[1], F_SETFD, FD_CLOEXEC);
	spawn_init(&sp);
	isolation_words(&sp.argv, bwrap, 0);
	strvec_push(&sp.argv, "--");
	strvec_push(&sp.argv, "true");
	sp.envp = env;
	sp.log_fd = pipefd[1];
	sp.no_stdin = 1;
	sp.own_pgrp = 1;
	if (spawn_start(&sp, &pid) < 0) {
		why = error_take();
		close(pipefd[1]);
		close(pipefd[0]);
		spawn_release(&sp);
		return why;
	}
	close(pipefd[1]);
	out = probe_output(pipefd[0], pid, &status);
	close(pipefd[0]);
	spawn_release(&sp);
	if (status == 0) {
		free(out);
		return NULL;
	}
	if (*out)
		why = xasprintf("%s", out);
	else if (status > 0 && WIFEXITED(status))
		why = xasprintf("'%s' exited with status %d", bwrap, WEXITSTATUS(status));
	else
		why = xasprintf("'%s' did not run a command (it was killed or hung)", bwrap);
	free(out);
	return why;
}

int sandbox_probe(struct sandbox_probe *p, const char *path, const char *prefix)
{
	char *search = search_path(path, prefix);

	memset(p, 0, sizeof(*p));
	p->bwrap = spawn_find_program("bwrap", search, "/");
	if (!p->bwrap)
		p->why_not = xasprintf("bwrap is not installed (not found on PATH: %s)", search);
	else
		p->why_not = run_probe(p->bwrap);
	free(search);
	return p->why_not ? 1 : 0;
}

void sandbox_probe_release(struct sandbox_probe *p)
{
	free(p->bwrap);
	free(p->why_not);
	memset(p, 0, sizeof(*p));
}

/* ---- one build's sandbox ----------------------------------------------------------------- */

void sandbox_init(struct sandbox *sb, const char *bwrap)
{
	memset(sb, 0, sizeof(*sb));
	sb->bwrap = xstrdup(bwrap);
	strvec_init(&sb->writable);
	strvec_init(&sb->visible);
}

void sandbox_release(struct sandbox *sb)
{
	free(sb->bwrap);
	free(sb->env);
	free(sb->bpf);
	strvec_release(&sb->writable);
	strvec_release(&sb->visible);
	memset(sb, 0, sizeof(*sb));
}

/* Adds path to list unless it is there already, or lies under one that is. */
static void add_path(struct strvec *list, const char *path)
{
	size_t i;

	if (path[0] != '/')
		return;
	for (i = 0; i < list->n; i++)
		if (path_under(path, list->v[i]))
			return;
	strvec_push(list, path);
}

/*
 * path (absolute) written plainly: "//", "/./" and a trailing "/" taken out, so that "/tmp/"
 * is /tmp.  NULL when it is not absolute or has a "..".
 */
static char *lexical_path(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path;

	if (path[0] != '/')
		return NULL;
	while (*p) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (!len || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && !memcmp(p, "..", 2)) {
			sb_release(&sb);
			return NULL;
		}
		sb_addc(&sb, '/');
		sb_add(&sb, p, len);
		p += len;
	}
	if (!sb.len)
		sb_addc(&sb, '/');
	return sb_detach(&sb);
}

/*
 * path as bwrap will reach it, or mkdir -p would make it: lexical_path with the symlinks of
 * its longest existing part resolved.  NULL as lexical_path.
 */
static char *plain_path(const char *path)
{
	char real[PATH_MAX], *lex = lexical_path(path), *cut, *out;

	if (!lex)
		return NULL;
	if (realpath(lex, real)) {
		free(lex);
		return xstrdup(real);
	}
	cut = strrchr(lex, '/');
	if (cut == lex) /* a missing entry of / */
		return lex;
	*cut = '\0';
	out = plain_path(lex);
	if (out) {
		char *joined = path_join(out, cut + 1);

		free(out);
		out = joined;
	}
	free(lex);
	return out;
}

/* The hidden directory (/tmp, /run) that path (plain) is or contains, or NULL. */
static const char *hides(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (path_under(hidden[i], path))
			return hidden[i];
	return NULL;
}

/* The environment a work area PREFIX/var/cenv/work/NAME lies in, or NULL. */
static char *env_of_work(const char *work)
{
	static const char tail[] = "/" LAYOUT_STATE "/work/";
	const char *at = strstr(work, tail), *next;

	if (!at)
		return NULL;
	while ((next = strstr(at + 1, tail)) != NULL)
		at = next;
	if (at == work || strchr(at + sizeof(tail) - 1, '/') || !at[sizeof(tail) - 1])
		return NULL;
	return xasprintf("%.*s", (int)(at - work), work);
}

/* 0 when path (plain, or NULL) may be writable in sb; -1 with fail() when not. */
static int refuse_write(const struct sandbox *sb, const char *path, const char *plain)
{
	const char *hid;
	int ret = 0;

	if (!plain) {
		ret = fail("'%s' cannot be made writable in the sandbox: it is not an absolute path "
			   "without '..'", path);
	} else if (!strcmp(plain, "/")) {
		ret = fail("'%s' cannot be made writable in the sandbox: it is the whole file system", path);
	} else if ((hid = hides(plain)) != NULL) {
		ret = fail("'%s' cannot be made writable in the sandbox: it is %s, which the sandbox "
			   "keeps private", path, hid);
	} else if (!sb->writable.n) {
		; /* the work area */
	} else if (sb->env && !strcmp(sb->env, plain)) {
		ret = fail("'%s' cannot be made writable in the sandbox: it is the environment", path);
	} else if (sb->env && path_under(sb->env, plain)) {
		ret = fail("'%s' cannot be made writable in the sandbox: it holds the environment %s", path, sb->env);
	} else if (sb->env && path_under(plain, sb->env) && !path_under(plain, sb->writable.v[0])) {
		ret = fail("'%s' cannot be made writable in the sandbox: it is inside the environment %s",
			   path, sb->env);
	}
	return ret;
}

int sandbox_allow_write(struct sandbox *sb, const char *path)
{
	char *plain = plain_path(path);
	int ret = refuse_write(sb, path, plain);

	if (!ret && !sb->writable.n) {
		free(sb->env);
		sb->env = env_of_work(plain); /* the work area: the environment it is in stays read-only */
	}
	if (!ret)
		add_path(&sb->writable, plain); /* resolved: a symlink to the environment is the environment */
	free(plain);
	return ret;
}

/* 1 when path lies inside one of the hidden directories (not the directory itself). */
static int is_hidden(const char *path)
{
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (path_under(path, hidden[i]) && strcmp(path, hidden[i]))
			return 1;
	return 0;
}

/*
 * Keeps path (plain) visible when it lies under /tmp or /run, but never a socket (connect()
 * needs no write: a read-only socket still reaches its server) nor a path that resolves to
 * /, /tmp or /run (it would bring the hidden directories back).
 */
static void keep_one(struct sandbox *sb, const char *path)
{
	struct stat st;
	char *plain = plain_path(path);

	/* bwrap refuses to bind what is not there; what is absent needs no keeping */
	if (plain && is_hidden(path) && lstat(path, &st) == 0 &&
	    !hides(plain) && stat(plain, &st) == 0 && !S_ISSOCK(st.st_mode))
		add_path(&sb->visible, path);
	free(plain);
}

void sandbox_keep_visible(struct sandbox *sb, const char *path)
{
	char *plain = lexical_path(path), *real;

	if (!plain)
		return;
	keep_one(sb, plain);
	/* a symlink's target too: a compiler wrapper linked from a directory on PATH */
	real = realpath(path, NULL);
	if (real && strcmp(real, plain))
		keep_one(sb, real);
	free(real);
	free(plain);
}

static const char *env_get(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* The variables that name programs, as make's and autoconf's conventions have it. */
static const char *const tool_vars[] = { "CC", "CXX", "CPP", "LD", "AR", "AS", "NM", "RANLIB",
					 "STRIP", "OBJCOPY", "PKG_CONFIG" };

/* Each absolute word of value (split at sep), kept visible. */
static void keep_words_visible(struct sandbox *sb, const char *value, const char *sep)
{
	while (value && *value) {
		size_t len = strcspn(value, sep);
		char *word = xasprintf("%.*s", (int)len, value);

		sandbox_keep_visible(sb, word);
		free(word);
		value += len;
		value += strspn(value, sep);
	}
}

void sandbox_keep_env_visible(struct sandbox *sb, char *const *envp)
{
	size_t i;

	keep_words_visible(sb, env_get(envp, "HOME"), "");
	keep_words_visible(sb, env_get(envp, "PATH"), ":");
	for (i = 0; i < sizeof(tool_vars) / sizeof(tool_vars[0]); i++)
		keep_words_visible(sb, env_get(envp, tool_vars[i]), " \t");
}

/*
 * 1 for a variable the dynamic loader or libc acts on as a program starts (glibc's
 * unsecvars.h, which it clears for setuid programs, plus every LD_ and MALLOC_ name).
 */
static int launch_unsafe(const char *entry)
{
	static const char *const names[] = {
		"GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES", "LOCALDOMAIN", "LOCPATH",
		"NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR",
	};
	size_t len = strcspn(entry, "="), i;

	if (!strncmp(entry, "LD_", 3) || !strncmp(entry, "MALLOC_", 7))
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && !strncmp(entry, names[i], len))
			return 1;
	return 0;
}

char **sandbox_launch_env(char *const *envp)
{
	size_t n = 0, k = 0;
	char **out;

	while (envp && envp[n])
		n++;
	out = xmalloc((n + 1) * sizeof(*out));
	for (n = 0; envp && envp[n]; n++)
		if (!launch_unsafe(envp[n]))
			out[k++] = envp[n];
	out[k] = NULL;
	return out;
}

void sandbox_words(const struct sandbox *sb, const char *dir, int filter_fd, char *const *envp,
		   struct strvec *out)
{
	size_t i;

	isolation_words(out, sb->bwrap, sb->network);
	if (filter_fd >= 0) {
		strvec_push(out, "--seccomp");
		strvec_pushf(out, "%d", filter_fd);
	}
	/* after the tmpfs, in this order: what lies under /tmp, then what is writable in it */
	for (i = 0; i < sb->visible.n; i++) {
		strvec_push(out, "--ro-bind");
		strvec_push(out, sb->visible.v[i]);
		strvec_push(out, sb->visible.v[i]);
	}
	for (i = 0; i < sb->writable.n; i++) {
		strvec_push(out, "--bind");
		strvec_push(out, sb->writable.v[i]);
		strvec_push(out, sb->writable.v[i]);
	}
	for (i = 0; envp && envp[i]; i++) {
		const char *eq = strchr(envp[i], '=');

		/* TMPDIR is the sandbox's own (its private /tmp, set above): the user's, often under
		   /tmp (pam_tmpdir's /tmp/user/UID), is not there */
		if (eq && launch_unsafe(envp[i]) && strncmp(envp[i], "TMPDIR=", 7)) {
			strvec_push(out, "--setenv");
			strvec_pushf(out, "%.*s", (int)(eq - envp[i]), envp[i]);
			strvec_push(out, eq + 1);
		}
	}
	strvec_push(out, "--chdir");
	strvec_push(out, dir);
	strvec_push(out, "--");
}

int sandbox_filter_fd(const struct sandbox *sb, int *fd)
{
	int p[2];

	*fd = -1;
	if (!sb->bpf)
		return 0;
	/* pipe2: another thread's child must not inherit either end before it is close-on-exec */
	if (pipe2(p, O_CLOEXEC) < 0)
		return fail_errno("cannot make a pipe for the sandbox's seccomp filter");
	/* at most SOCKFILTER_MAX_BYTES (PIPE_BUF): one write that fits in any pipe, never blocks */
	if (write_all(p[1], sb->bpf, sb->bpf_len, -1) < 0) {
		fail_errno("cannot write the sandbox's seccomp filter into a pipe");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	*fd = p[0];
	return 0;
}

/* ---- compiler caches and distributed compilers ------------------------------------------- */

enum tool { TOOL_NONE, TOOL_CCACHE, TOOL_SCCACHE, TOOL_DISTCC, TOOL_ICECC };

static enum tool tool_named(const char *word)
{
	const char *base = strrchr(word, '/');

	base = base ? base + 1 : word;
	if (!strcmp(base, "ccache"))
		return TOOL_CCACHE;
	if (!strcmp(base, "sccache"))
		return TOOL_SCCACHE;
	if (!strcmp(base, "distcc") || !strcmp(base, "pump"))
		return TOOL_DISTCC;
	if (!strcmp(base, "icecc") || !strcmp(base, "icerun"))
		return TOOL_ICECC;
	return TOOL_NONE;
}

/* The tools a compiler command names: its leading words ("ccache distcc gcc"). */
static void tools_in_command(const char *value, int *found)
{
	while (value && *value) {
		size_t len;
		char *word;
		enum tool t;

		value += strspn(value, " \t");
		len = strcspn(value, " \t");
		if (!len)
			break;
		word = xasprintf("%.*s", (int)len, value);
		t = tool_named(word);
		free(word);
		if (t == TOOL_NONE)
			break;
		found[t] = 1;
		value += len;
	}
}

/*
 * The compilers found on PATH as cc, gcc ...: Debian's ccache, distcc and icecc masquerade
 * as symlinks named after the compiler (/usr/lib/ccache/gcc -> ../../bin/ccache).
 */
static void tools_on_path(struct sandbox *sb, char *const *envp, int *found)
{
	static const char *const compilers[] = { "cc", "gcc", "c++", "g++", "clang", "clang++" };
	const char *path = spawn_path(envp);
	char real[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(compilers) / sizeof(compilers[0]); i++) {
		char *exe = spawn_find_program(compilers[i], path, "/");

		if (exe && realpath(exe, real)) {
			found[tool_named(real)] = 1;
			sandbox_keep_visible(sb, exe);
		}
		free(exe);
	}
}

/* base/rest, or NULL when base is not set. */
static char *under(const char *base, const char *rest)
{
	return base && base[0] == '/' ? path_join(base, rest) : NULL;
}

/* The directory a cache keeps its files in: its variable, else XDG_CACHE_HOME/name or HOME/.cache/name. */
static char *cache_dir(char *const *envp, const char *var, const char *name, const char *legacy)
{
	const char *set = env_get(envp, var), *home = env_get(envp, "HOME");
	char *old;

	if (set && set[0] == '/')
		return xstrdup(set);
	/* ccache 4 still uses ~/.ccache where one exists */
	if (legacy && (old = under(home, legacy)) != NULL) {
		if (is_dir(old))
			return old;
		free(old);
	}
	if (env_get(envp, "XDG_CACHE_HOME") && env_get(envp, "XDG_CACHE_HOME")[0] == '/')
		return path_join(env_get(envp, "XDG_CACHE_HOME"), name);
	old = under(home, ".cache");
	if (!old)
		return NULL;
	set = old;
	old = path_join(set, name);
	free((char *)set);
	return old;
}

static int allow_cache(struct sandbox *sb, char *const *envp, const char *tool, char *dir,
		       struct strvec *notes)
{
	char *plain, *home;

	if (!dir) {
		strvec_pushf(notes, "%s: no cache directory (neither its variable nor HOME is set)", tool);
		return 0;
	}
	/* refused before mkdir -p, which would make it inside the environment */
	plain = plain_path(dir);
	home = plain && env_get(envp, "HOME") ? plain_path(env_get(envp, "HOME")) : NULL;
	if (refuse_write(sb, dir, plain) < 0 ||
	    (home && strcmp(home, "/") && path_under(home, plain) &&
	     fail("'%s' cannot be made writable in the sandbox: it holds HOME (%s)", dir, home) < 0) ||
	    mkdir_p(dir, 0755, NULL) < 0 || sandbox_allow_write(sb, dir) < 0) {
		fail_wrap("%s's cache directory", tool);
		free(plain);
		free(home);
		free(dir);
		return -1;
	}
	free(plain);
	free(home);
	strvec_pushf(notes, "%s: %s is writable", tool, dir);
	free(dir);
	return 0;
}

int sandbox_add_compiler_tools(struct sandbox *sb, char *const *envp, struct strvec *notes)
{
	int found[TOOL_ICECC + 1] = { 0 };
	const char *hosts = env_get(envp, "DISTCC_HOSTS");
	size_t i;

	for (i = 0; i < sizeof(tool_vars) / sizeof(tool_vars[0]); i++)
		tools_in_command(env_get(envp, tool_vars[i]), found);
	tools_on_path(sb, envp, found);
	if (found[TOOL_CCACHE] && allow_cache(sb, envp, "ccache", cache_dir(envp, "CCACHE_DIR", "ccache", ".ccache"), notes) < 0)
		return -1;
	if (found[TOOL_SCCACHE]) {
		if (allow_cache(sb, envp, "sccache", cache_dir(envp, "SCCACHE_DIR", "sccache", NULL), notes) < 0)
			return -1;
		if (!sb->network)
			strvec_push(notes, "sccache: the network is allowed (its client talks to its server over TCP)");
		sb->network = 1;
	}
	if (found[TOOL_DISTCC] || (hosts && *hosts)) {
		char *dir = env_get(envp, "DISTCC_DIR") ? xstrdup(env_get(envp, "DISTCC_DIR"))
						       : under(env_get(envp, "HOME"), ".distcc");

		/* distcc keeps its host locks there */
		if (dir && allow_cache(sb, envp, "distcc", dir, notes) < 0)
			return -1;
		if (!sb->network)
			strvec_pushf(notes, "distcc: the network is allowed (%s)",
				     found[TOOL_DISTCC] ? "it compiles on other hosts" : "DISTCC_HOSTS is set");
		sb->network = 1;
	}
	if (found[TOOL_ICECC]) {
		if (!sb->network)
			strvec_push(notes, "icecc: the network is allowed (it compiles on other hosts)");
		sb->network = 1;
	}
	return 0;
}
