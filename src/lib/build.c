/* build.c - build drivers: configure, build and stage a source tree with its own build system. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "error.h"
#include "jobserver.h"
#include "manifest.h"
#include "placeholder.h"
#include "prebuilt.h"
#include "quote.h"
#include "sandbox.h"
#include "spawn.h"
#include "steplog.h"
#include "strvec.h"
#include "util.h"

/*
 * Builds may run in worker threads, so nothing here changes the process: each command is
 * started through spawn, in its own working directory with the build's own environment
 * array, stdin from /dev/null and its output appended to the log.
 *
 * Autotools and plain-Makefile projects are built inside the source tree (which is ours, a
 * fresh unpack): many hand-written configure scripts cannot build out of tree, and autoconf
 * refuses a srcdir with spaces, so configure always runs as "./configure" from src.  CMake
 * and Meson build in req->builddir.
 */

static const char *const system_names[] = {
	[BUILD_AUTOTOOLS] = "autotools",
	[BUILD_CMAKE] = "cmake",
	[BUILD_MESON] = "meson",
	[BUILD_MAKE] = "make",
	[BUILD_PREBUILT] = "prebuilt",
};
#define NSYSTEMS (sizeof(system_names) / sizeof(system_names[0]))

const char *build_system_name(enum build_system sys)
{
	if ((size_t)sys >= NSYSTEMS)
		return "unknown";
	return system_names[sys];
}

int build_system_parse(const char *name, enum build_system *out)
{
	size_t i;

	for (i = 0; i < NSYSTEMS; i++) {
		if (!strcmp(name, system_names[i])) {
			*out = (enum build_system)i;
			return 0;
		}
	}
	return fail("unknown build system '%s' (expected autotools, cmake, meson, make or prebuilt)",
		    name);
}

/* 1 when dir/name exists and (following symlinks) is a regular file, or a directory if want_dir. */
static int has_entry(const char *dir, const char *name, int want_dir)
{
	char *path = path_join(dir, name);
	struct stat st;
	int ok = stat(path, &st) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));

	free(path);
	return ok;
}

/* ---- running commands ------------------------------------------------------------------ */

/* One build in progress.  Owns every pointer but req. */
struct build {
	const struct build_request *req;
	char *src, *builddir, *destdir; /* absolute */
	char *stage;                    /* destdir + prefix: where the files land */
	char *rpath;                    /* prefix/lib */
	int log_fd;
	char *ldflags_var;              /* "LDFLAGS=... -Wl,-rpath,PREFIX/lib" */
	char *destdir_var;              /* "DESTDIR=destdir" */
	char **env;                     /* req->envp, edited; borrows its strings */
	char **env_destdir;             /* env plus DESTDIR, for the install steps */
	char **env_jobs;                /* env plus the jobserver's MAKEFLAGS, for make's build step */
	int jobserved;                  /* req->jobserver is active */
	const char *path;               /* PATH of env, for finding programs */
	/* req's args, configure, make_args and env with their placeholders expanded */
	struct strvec args, configure, make_args, envw;
	int has_configure;              /* req->configure was given */
	const char *install_target;     /* req's, or "install" */
};

static int env_is(const char *entry, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(entry, name, n) && entry[n] == '=';
}

/* 1 when entry ("NAME=...") sets the variable that word ("NAME=VALUE") sets. */
static int same_name(const char *entry, const char *word)
{
	size_t n = strcspn(word, "=");

	return !strncmp(entry, word, n) && entry[n] == '=';
}

/*
 * The build's environment: req->envp with LDFLAGS gaining the rpath.  A DESTDIR, or the
 * MAKEFLAGS of a make that ran cenv (its jobserver descriptors are not ours), would leak into
 * the build, so they are taken out; DESTDIR comes back for the install steps only.  The
 * manifest's env words (b->envw) come over envp's: a variable they set is taken out of envp,
 * and their LDFLAGS, not envp's, is the one the rpath is added to.
 */
static void build_env(struct build *b)
{
	/* and CMAKE_BUILD_PARALLEL_LEVEL: a cmake --build without -j (under the jobserver, or
	   installing) would hand it to make as a -j of its own, outside the budget */
	static const char *const dropped[] = { "LDFLAGS", "DESTDIR", "MAKEFLAGS", "MFLAGS",
					       "MAKELEVEL", "CMAKE_BUILD_PARALLEL_LEVEL" };
	char *const *envp = b->req->envp;
	const char *ldflags = NULL;
	size_t n = 0, k = 0, i, j;

	while (envp && envp[n])
		n++;
	b->env = xmalloc((n + b->envw.n + 2) * sizeof(*b->env));
	b->env_destdir = xmalloc((n + b->envw.n + 3) * sizeof(*b->env_destdir));
	b->env_jobs = xmalloc((n + b->envw.n + 3) * sizeof(*b->env_jobs));
	for (i = 0; i < n; i++) {
		int drop = 0;

		for (j = 0; j < sizeof(dropped) / sizeof(dropped[0]); j++)
			drop |= env_is(envp[i], dropped[j]);
		for (j = 0; j < b->envw.n; j++)
			drop |= same_name(envp[i], b->envw.v[j]);
		if (env_is(envp[i], "LDFLAGS"))
			ldflags = envp[i] + strlen("LDFLAGS=");
		if (!drop)
			b->env[k++] = envp[i];
	}
	for (j = 0; j < b->envw.n; j++) {
		if (env_is(b->envw.v[j], "LDFLAGS"))
			ldflags = b->envw.v[j] + strlen("LDFLAGS=");
		else
			b->env[k++] = b->envw.v[j];
	}
	if (ldflags && *ldflags)
		b->ldflags_var = xasprintf("LDFLAGS=%s -Wl,-rpath,%s", ldflags, b->rpath);
	else
		b->ldflags_var = xasprintf("LDFLAGS=-Wl,-rpath,%s", b->rpath);
	b->destdir_var = xasprintf("DESTDIR=%s", b->destdir);
	b->env[k++] = b->ldflags_var;
	memcpy(b->env_destdir, b->env, k * sizeof(*b->env));
	b->env_destdir[k] = b->destdir_var;
	b->env_destdir[k + 1] = NULL;
	memcpy(b->env_jobs, b->env, k * sizeof(*b->env));
	b->env_jobs[k] = b->jobserved ? b->req->jobserver->makeflags : NULL;
	b->env_jobs[k + 1] = NULL;
	b->env[k] = NULL;
	b->path = spawn_path(b->env);
}

/*
 * After every command of a build, whatever its end: what it left running (a daemon, a double
 * fork, a setsid'd child that outlived an interrupt), adopted by cenv as the subreaper, is
 * killed, or it would keep writing into the stage after the step.  A misbehaving build, said
 * in the log; not a failure of the build (a test suite's agent), unless they cannot be stopped.
 */
static void reap_leftovers(struct build *b, const char *step, int *ret)
{
	char *why = *ret < 0 ? error_take() : NULL, *msg;
	size_t killed;

	/* in a sandbox the kernel has killed what the step left, with its PID namespace; bwrap's
	   init, which held it, may still be on its way out (1 s is far more than it takes) */
	if (b->req->sandbox)
		spawn_settle_orphans(1000);
	if (spawn_reap_orphans(&killed) < 0) {
		msg = xasprintf("cenv: %s\n", last_error());
		if (!why)
			fail_wrap("build of '%s' failed at %s; log: %s", b->req->name, step, b->req->log_path);
		*ret = -1;
	} else {
		msg = killed ? xasprintf("cenv: killed %zu process%s that %s left running\n", killed,
					 killed == 1 ? "" : "es", step) : NULL;
	}
	if (msg)
		write_all(b->log_fd, msg, strlen(msg), -1);
	free(msg);
	if (why)
		error_restore(why);
}

/*
 * A step that exited with status: in a sandbox, the log tells whether it failed because it
 * wrote outside its work area (the path it names) or wanted the network.  -1 with fail().
 */
static int step_failed(struct build *b, const char *step, int status, off_t from)
{
	const struct build_request *req = b->req;
	char *denied = req->sandbox ? steplog_denied_write(b->log_fd, from) : NULL, *shown;
	int ret;

	if (denied) {
		shown = printable(denied);
		ret = fail("%s: the build tried to write outside its staging area: %s — %s (%s failed "
			   "with exit status %d; log: %s)", req->name, shown,
			   req->system == BUILD_MAKE || req->system == BUILD_AUTOTOOLS
				   ? "its Makefile ignores DESTDIR/PREFIX: pass its own variables in make_args "
				     "(e.g. make_args = INSTALL_TOP={destdir}{prefix})"
				   : "its install must go into $DESTDIR$PREFIX",
			   step, status, req->log_path);
		free(shown);
		free(denied);
		return ret;
	}
	if (req->sandbox && !req->sandbox->network && steplog_network_denied(b->log_fd, from))
		return fail("build of '%s' failed at %s (exit status %d): the sandbox has no network "
			    "(--build-network, or build_network = yes in its section, allows it); log: %s",
			    req->name, step, status, req->log_path);
	return fail("build of '%s' failed at %s (exit status %d); log: %s", req->name, step, status,
		    req->log_path);
}

/* How run starts a command: DESTDIR in its environment (the install steps); make under the jobserver. */
#define RUN_DESTDIR 1
#define RUN_JOBSERVER 2

/*
 * Runs av in dir, its output appended to the log.  step names it in messages ("make
 * install").  how: RUN_DESTDIR adds DESTDIR to the environment; RUN_JOBSERVER, with an active
 * jobserver, its MAKEFLAGS and both ends of its pipe.  0, or -1 with fail().
 */
static int run(struct build *b, const char *step, const char *dir, struct strvec *av, int how)
{
	int with_destdir = how & RUN_DESTDIR, with_jobs = (how & RUN_JOBSERVER) && b->jobserved;
	const struct build_request *req = b->req;
	struct strbuf line = STRBUF_INIT;
	struct spawn sp;
	char *exe;
	size_t i;
	off_t from;
	int status, ret = -1, filter_fd = -1;
	char *const *envp;
	char **launch_env = NULL;

	spawn_init(&sp);
	from = lseek(b->log_fd, 0, SEEK_END);
	if (req->on_step)
		req->on_step(req->step_ctx, step, from < 0 ? 0 : from);
	sb_adds(&line, "$ cd ");
	quote_sh_word(&line, dir);
	sb_adds(&line, " &&");
	if (with_destdir) {
		sb_adds(&line, " DESTDIR=");
		quote_sh_word(&line, b->destdir);
	}
	if (with_jobs) {
		sb_adds(&line, " MAKEFLAGS=");
		quote_sh_word(&line, req->jobserver->makeflags + strlen("MAKEFLAGS="));
	}
	for (i = 0; i < av->n; i++) {
		sb_addc(&line, ' ');
		quote_sh_word(&line, av->v[i]);
	}
	sb_addc(&line, '\n');
	write_all(b->log_fd, line.buf, line.len, -1);

	/* looked up here as well as by spawn: a missing tool is a message of its own, not a 127 */
	exe = spawn_find_program(av->v[0], b->path, dir);
	if (!exe) {
		char *msg = xasprintf("cenv: '%s' not found on PATH (%s)\n", av->v[0], b->path);

		write_all(b->log_fd, msg, strlen(msg), -1);
		free(msg);
		fail("build of '%s' failed at %s: '%s' is not installed (not found on the build's PATH); "
		     "log: %s", req->name, step, av->v[0], req->log_path);
		goto out;
	}
	envp = with_destdir ? b->env_destdir : with_jobs ? b->env_jobs : b->env;
	if (with_jobs) {
		/* bwrap passes inherited descriptors on as they are */
		spawn_keep_fd(&sp, req->jobserver->read_fd);
		spawn_keep_fd(&sp, req->jobserver->write_fd);
	}
	if (req->sandbox) {
		/* a fresh pipe for each command: bwrap reads its filter to the end */
		if (sandbox_filter_fd(req->sandbox, &filter_fd) < 0) {
			fail_wrap("build of '%s' failed at %s", req->name, step);
			goto out;
		}
		if (filter_fd >= 0)
			spawn_keep_fd(&sp, filter_fd);
		sandbox_words(req->sandbox, dir, filter_fd, envp, &sp.wrapper);
		/* bwrap itself runs outside: none of the loader's variables (a manifest's env =
		   LD_PRELOAD=...), and in "/" rather than the build's writable directory, so that
		   nothing relative it might resolve before the sandbox exists is the build's */
		launch_env = sandbox_launch_env(envp);
	}
	strvec_pushv(&sp.argv, strvec_argv(av));
	sp.envp = launch_env ? launch_env : envp;
	sp.path = b->path;
	sp.dir = launch_env ? "/" : dir;
	sp.log_fd = b->log_fd;
	sp.no_stdin = 1;
	/* a group of its own: stopped as a whole on an interrupt, out of reach of the terminal's ^C */
	sp.own_pgrp = 1;
	if (spawn_run(&sp, &status) < 0) {
		char *msg = xasprintf("cenv: %s\n", last_error()); /* in the log too: why it ends */

		write_all(b->log_fd, msg, strlen(msg), -1);
		free(msg);
		fail_wrap("build of '%s' failed at %s", req->name, step);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = 0;
	} else if (WIFEXITED(status)) {
		sb_release(&line);
		sb_addf(&line, "cenv: %s failed with exit status %d\n", step, WEXITSTATUS(status));
		write_all(b->log_fd, line.buf, line.len, -1);
		step_failed(b, step, WEXITSTATUS(status), from < 0 ? 0 : from);
	} else {
		int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

		sb_release(&line);
		sb_addf(&line, "cenv: %s was killed by signal %d\n", step, sig);
		write_all(b->log_fd, line.buf, line.len, -1);
		fail("build of '%s' failed at %s (killed by signal %d); log: %s", req->name, step, sig,
		     req->log_path);
	}
out:
	if (filter_fd >= 0)
		close(filter_fd);
	reap_leftovers(b, step, &ret);
	sb_release(&line);
	spawn_release(&sp);
	free(launch_env);
	free(exe);
	return ret;
}

/* ---- the drivers ---------------------------------------------------------------------- */

static void add_words(struct strvec *av, const struct strvec *words)
{
	size_t i;

	for (i = 0; i < words->n; i++)
		strvec_push(av, words->v[i]);
}

/*
 * The manifest's configure: its commands, separated by "&&" words, each run in turn in src
 * (never through a shell), args after the last one.  Each step is named by its program.
 */
static int run_configure(struct build *b)
{
	struct strvec av = STRVEC_INIT;
	size_t i = 0;
	int ret = 0;

	while (ret == 0 && i < b->configure.n) {
		char *step;

		for (; i < b->configure.n && strcmp(b->configure.v[i], MANIFEST_AND); i++)
			strvec_push(&av, b->configure.v[i]);
		if (i == b->configure.n)
			add_words(&av, &b->args);
		i++; /* past the "&&" */
		if (!av.n)
			continue; /* (the manifest refuses an empty command) */
		step = xstrdup(av.v[0]);
		ret = run(b, step, b->src, &av, 0);
		free(step);
		strvec_release(&av);
	}
	strvec_release(&av);
	return ret;
}

/* make's install run: "make TARGET DESTDIR=..." and its words; the step is named "make TARGET". */
/* make's -jN, or nothing under the jobserver: a -j there would make make start a jobserver of its own. */
static void push_make_jobs(struct build *b, struct strvec *av)
{
	if (!b->jobserved)
		strvec_pushf(av, "-j%d", b->req->jobs > 0 ? b->req->jobs : 1);
}

/*
 * Runs av, a ninja run (or meson compile, or cmake --build with Ninja) whose -j is pushed by
 * this: the budget's -jN, or, under the jobserver, -j(1 + the tokens free now), given back when
 * it ends, whatever the end (ninja 1.11 has no jobserver client).  opt: "-j" pushed as a word of
 * its own before the number, or "" for ninja's -jK.  rest: words after the -j (NULL: none).
 */
static int run_taking_free(struct build *b, const char *step, struct strvec *av, const char *opt,
		     struct strvec *rest)
{
	int extra = 0, ret, jobs = b->req->jobs > 0 ? b->req->jobs : 1;

	if (b->jobserved) {
		extra = jobserver_take_free(b->req->jobserver, b->req->jobserver->jobs - 1);
		jobs = 1 + extra;
	}
	if (*opt) {
		strvec_push(av, opt);
		strvec_pushf(av, "%d", jobs);
	} else {
		strvec_pushf(av, "-j%d", jobs);
	}
	if (rest)
		add_words(av, rest);
	ret = run(b, step, b->builddir, av, 0);
	jobserver_give(b->req->jobserver, extra);
	return ret;
}

static int run_make_install(struct build *b, struct strvec *av)
{
	char *step = xasprintf("make %s", b->install_target);
	int ret = run(b, step, b->src, av, 0);

	free(step);
	return ret;
}

/*
 * autoreconf failed on a configure.ac without configure: a GitHub archive that wants its own
 * generator first (libuv's autogen.sh writes an m4 file its configure.ac includes).  The pending
 * message gets what the tree has and the keys that would build it: its generator before
 * configure, or the other build system it also ships (detection keeps configure.ac first: a
 * different order would build existing manifests differently).
 */
static void autoreconf_hint(struct build *b)
{
	static const char *const generators[] = { "autogen.sh", "bootstrap", "bootstrap.sh" };
	struct strvec has = STRVEC_INIT, keys = STRVEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	char *why;
	size_t i;

	for (i = 0; i < sizeof(generators) / sizeof(generators[0]); i++) {
		char *path;
		int exec;

		if (!has_entry(b->src, generators[i], 0))
			continue;
		path = path_join(b->src, generators[i]);
		exec = access(path, X_OK) == 0;
		free(path);
		strvec_push(&has, generators[i]);
		/* run as it is, never through a shell, unless it is not executable */
		strvec_pushf(&keys, "configure = %s./%s && ./configure --prefix={prefix}", exec ? "" : "sh ",
			     generators[i]);
		break;
	}
	if (has_entry(b->src, "CMakeLists.txt", 0)) {
		strvec_push(&has, "CMakeLists.txt");
		strvec_push(&keys, "build = cmake");
	}
	if (has_entry(b->src, "meson.build", 0)) {
		strvec_push(&has, "meson.build");
		strvec_push(&keys, "build = meson");
	}
	if (has.n) {
		why = error_take();
		sb_addf(&sb, "%s; autoreconf -fi alone did not make its configure, and the tree has ", why);
		for (i = 0; i < has.n; i++)
			sb_addf(&sb, "%s%s", i == 0 ? "" : i + 1 == has.n ? " and " : ", ", has.v[i]);
		sb_adds(&sb, ": say ");
		for (i = 0; i < keys.n; i++)
			sb_addf(&sb, "%s%s", i == 0 ? "" : ", or ", keys.v[i]);
		sb_adds(&sb, " in its section");
		fail("%s", sb.buf);
		free(why);
		sb_release(&sb);
	}
	strvec_release(&has);
	strvec_release(&keys);
}

static int build_autotools(struct build *b)
{
	const struct build_request *req = b->req;
	struct strvec av = STRVEC_INIT;
	char *configure = path_join(b->src, "configure");
	int ret = -1;

	if (b->has_configure) {
		if (run_configure(b) < 0)
			goto out;
		goto make;
	}
	if (!path_exists(configure)) {
		if (!has_entry(b->src, "configure.ac", 0) && !has_entry(b->src, "configure.in", 0)) {
			fail("build of '%s' failed: '%s' has no configure, configure.ac or configure.in",
			     req->name, b->src);
			goto out;
		}
		strvec_push(&av, "autoreconf");
		strvec_push(&av, "-fi");
		if (run(b, "autoreconf", b->src, &av, 0) < 0) {
			autoreconf_hint(b);
			goto out;
		}
		strvec_release(&av);
	}
	/* "./configure", never an absolute path: autoconf refuses a srcdir with spaces */
	if (access(configure, X_OK) != 0)
		strvec_push(&av, "sh");
	strvec_push(&av, "./configure");
	strvec_pushf(&av, "--prefix=%s", req->prefix);
	strvec_pushf(&av, "--libdir=%s/lib", req->prefix);
	add_words(&av, &b->args);
	if (run(b, "configure", b->src, &av, 0) < 0)
		goto out;
	strvec_release(&av);

make:
	strvec_push(&av, "make");
	push_make_jobs(b, &av);
	add_words(&av, &b->make_args);
	if (run(b, "make", b->src, &av, RUN_JOBSERVER) < 0)
		goto out;
	strvec_release(&av);

	/* serial: parallel installs race in libtool's relinking */
	strvec_push(&av, "make");
	strvec_push(&av, b->install_target);
	strvec_pushf(&av, "DESTDIR=%s", b->destdir);
	add_words(&av, &b->make_args);
	ret = run_make_install(b, &av);
out:
	strvec_release(&av);
	free(configure);
	return ret;
}

static int build_cmake(struct build *b)
{
	const struct build_request *req = b->req;
	struct strvec av = STRVEC_INIT;
	char *ninja = spawn_find_program("ninja", b->path, b->builddir);
	/* make_args are written for the generator cenv has always picked (Ninja when installed):
	   with them it stays, and takes its share of the budget as meson's ninja does */
	char *make = b->jobserved && !b->make_args.n ? spawn_find_program("make", b->path, b->builddir)
						     : NULL;
	struct strvec rest = STRVEC_INIT;
	int ret = -1, makefiles = make || !ninja;

	strvec_push(&av, "cmake");
	strvec_push(&av, "-S");
	strvec_push(&av, b->src);
	strvec_push(&av, "-B");
	strvec_push(&av, b->builddir);
	strvec_push(&av, "-G");
	/* under the jobserver, make's generator: make draws from the budget as the build goes, where
	   ninja would only have the tokens free at its start, for its whole build (the measurement
	   is in tests/fixtures/jobs/measure-cmake.py) */
	strvec_push(&av, makefiles ? "Unix Makefiles" : "Ninja");
	/* typed: a project declaring one CACHE PATH would take an untyped "lib" as $PWD/lib */
	strvec_push(&av, "-DCMAKE_BUILD_TYPE:STRING=Release");
	strvec_pushf(&av, "-DCMAKE_INSTALL_PREFIX:PATH=%s", req->prefix);
	strvec_push(&av, "-DCMAKE_INSTALL_LIBDIR:PATH=lib");
	strvec_pushf(&av, "-DCMAKE_PREFIX_PATH:PATH=%s", req->prefix);
	/* a ;-list, not one directory */
	strvec_pushf(&av, "-DCMAKE_INSTALL_RPATH:STRING=%s", b->rpath);
	/* CTest's switch: a test suite is not what gets installed (libuv's tests are 350 of its 447
	   build steps), as autotools builds none on make; args come after it, so they can turn it on */
	strvec_push(&av, "-DBUILD_TESTING:BOOL=OFF");
	add_words(&av, &b->args);
	if (run(b, "cmake configure", b->builddir, &av, 0) < 0)
		goto out;
	strvec_release(&av);

	strvec_push(&av, "cmake");
	strvec_push(&av, "--build");
	strvec_push(&av, b->builddir);
	if (b->make_args.n) {
		strvec_push(&rest, "--");
		add_words(&rest, &b->make_args);
	}
	if (b->jobserved && makefiles) {
		/* no -j: cmake --build runs make without one, and make takes MAKEFLAGS's jobserver */
		add_words(&av, &rest);
		if (run(b, "cmake build", b->builddir, &av, RUN_JOBSERVER) < 0)
			goto out;
	} else if (run_taking_free(b, "cmake build", &av, "-j", &rest) < 0) {
		goto out;
	}
	strvec_release(&av);

	/* cmake --install runs no make or ninja: with their words or another target, the target is built */
	strvec_push(&av, "cmake");
	if (req->install_target || b->make_args.n) {
		strvec_push(&av, "--build");
		strvec_push(&av, b->builddir);
		strvec_push(&av, "--target");
		strvec_push(&av, b->install_target);
		if (b->make_args.n) {
			strvec_push(&av, "--");
			add_words(&av, &b->make_args);
		}
	} else {
		strvec_push(&av, "--install");
		strvec_push(&av, b->builddir);
	}
	ret = run(b, "cmake install", b->builddir, &av, RUN_DESTDIR);
out:
	strvec_release(&av);
	strvec_release(&rest);
	free(ninja);
	free(make);
	return ret;
}

/*
 * Meson takes LDFLAGS (with the rpath) from the environment at setup time into c_link_args;
 * at install it strips only the rpaths it added for the build tree, so prefix/lib stays.
 */
static int build_meson(struct build *b)
{
	const struct build_request *req = b->req;
	struct strvec av = STRVEC_INIT;
	int ret = -1;

	strvec_push(&av, "meson");
	strvec_push(&av, "setup");
	strvec_push(&av, b->builddir);
	strvec_push(&av, b->src);
	strvec_push(&av, "--prefix");
	strvec_push(&av, req->prefix);
	strvec_push(&av, "--libdir");
	strvec_push(&av, "lib");
	strvec_push(&av, "--buildtype");
	strvec_push(&av, "release");
	/* subprojects come from the archive or not at all: an install never downloads behind the user's back */
	strvec_push(&av, "--wrap-mode=nodownload");
	add_words(&av, &b->args);
	if (run(b, "meson setup", b->builddir, &av, 0) < 0)
		goto out;
	strvec_release(&av);

	/* make_args are ninja's: then ninja builds, and meson install does not run it again */
	if (b->make_args.n) {
		strvec_push(&av, "ninja");
		strvec_push(&av, "-C");
		strvec_push(&av, b->builddir);
		if (run_taking_free(b, "ninja", &av, "", &b->make_args) < 0)
			goto out;
	} else {
		strvec_push(&av, "meson");
		strvec_push(&av, "compile");
		strvec_push(&av, "-C");
		strvec_push(&av, b->builddir);
		if (run_taking_free(b, "meson compile", &av, "-j", NULL) < 0)
			goto out;
	}
	strvec_release(&av);

	strvec_push(&av, "meson");
	strvec_push(&av, "install");
	strvec_push(&av, "-C");
	strvec_push(&av, b->builddir);
	if (b->make_args.n)
		strvec_push(&av, "--no-rebuild");
	ret = run(b, "meson install", b->builddir, &av, RUN_DESTDIR);
out:
	strvec_release(&av);
	return ret;
}

static int build_make(struct build *b)
{
	const struct build_request *req = b->req;
	struct strvec av = STRVEC_INIT;
	int ret = -1;

	/* with a configure command, args went to it */
	if (b->has_configure && run_configure(b) < 0)
		goto out;
	strvec_push(&av, "make");
	push_make_jobs(b, &av);
	strvec_pushf(&av, "PREFIX=%s", req->prefix);
	if (!b->has_configure)
		add_words(&av, &b->args);
	add_words(&av, &b->make_args);
	if (run(b, "make", b->src, &av, RUN_JOBSERVER) < 0)
		goto out;
	strvec_release(&av);

	strvec_push(&av, "make");
	strvec_push(&av, b->install_target);
	strvec_pushf(&av, "PREFIX=%s", req->prefix);
	strvec_pushf(&av, "DESTDIR=%s", b->destdir);
	if (!b->has_configure)
		add_words(&av, &b->args);
	add_words(&av, &b->make_args);
	ret = run_make_install(b, &av);
out:
	strvec_release(&av);
	return ret;
}

/* ---- prebuilt trees --------------------------------------------------------------------- */

static int build_prebuilt(struct build *b)
{
	const struct build_request *req = b->req;
	char *why, *line;

	if (prebuilt_stage(b->src, b->stage, req->prefix, b->log_fd) == 0)
		return 0;
	why = error_take();
	line = xasprintf("cenv: %s\n", why);
	write_all(b->log_fd, line, strlen(line), -1);
	free(line);
	fail("build of '%s' failed at staging the prebuilt tree: %s; log: %s", req->name, why,
	     req->log_path);
	free(why);
	return -1;
}

/* ---- the entry points ------------------------------------------------------------------- */

/* n words into out, placeholders expanded; -1 with fail() naming the key. */
static int expand_words(const char *name, const char *key, char *const *words, size_t n,
			const struct placeholder_values *v, struct strvec *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *w;

		if (placeholder_expand(words[i], v, &w) < 0)
			return fail_wrap("cannot build '%s': bad %s", name, key);
		strvec_push_owned(out, w);
	}
	return 0;
}

/* The request's words with {prefix}, {destdir} and {jobs} replaced; what a build may not be given. */
static int expand_request(struct build *b, const char *name)
{
	const struct build_request *req = b->req;
	struct placeholder_values v = { req->prefix, b->destdir, req->jobs };

	if (req->configure && (req->system == BUILD_CMAKE || req->system == BUILD_MESON ||
			       req->system == BUILD_PREBUILT))
		return fail("cannot build '%s': configure is for autotools and make builds, not %s",
			    name, build_system_name(req->system));
	if (req->install_target && (req->system == BUILD_MESON || req->system == BUILD_PREBUILT))
		return fail("cannot build '%s': install_target is for make and cmake builds, not %s",
			    name, build_system_name(req->system));
	b->has_configure = req->configure != NULL;
	b->install_target = req->install_target ? req->install_target : "install";
	return expand_words(name, "args", req->args, req->nargs, &v, &b->args) < 0 ||
	       expand_words(name, "configure", req->configure, req->nconfigure, &v, &b->configure) < 0 ||
	       expand_words(name, "make_args", req->make_args, req->nmake_args, &v, &b->make_args) < 0 ||
	       expand_words(name, "env", req->env, req->nenv, &v, &b->envw) < 0 ? -1 : 0;
}

int build_run(const struct build_request *req)
{
	struct build b;
	struct strbuf head = STRBUF_INIT;
	const char *name = req->name ? req->name : "?";
	int ret = -1;

	memset(&b, 0, sizeof(b));
	b.req = req;
	b.log_fd = -1;
	if (!req->prefix || req->prefix[0] != '/')
		return fail("cannot build '%s': the prefix '%s' is not an absolute path", name,
			    req->prefix ? req->prefix : "");
	if (!req->src || !req->destdir || !*req->destdir || !req->log_path)
		return fail("cannot build '%s': the source tree, DESTDIR and log must be given", name);
	if ((req->system == BUILD_CMAKE || req->system == BUILD_MESON) && !req->builddir)
		return fail("cannot build '%s' with %s: no build directory given", name,
			    build_system_name(req->system));

	b.src = path_absolute(req->src);
	b.destdir = path_absolute(req->destdir);
	b.builddir = req->builddir ? path_absolute(req->builddir) : NULL;
	if (!b.src || !b.destdir || (req->builddir && !b.builddir))
		goto out;
	b.stage = xasprintf("%s%s", b.destdir, req->prefix);
	b.rpath = path_join(req->prefix, "lib");
	if (!is_dir(b.src)) {
		fail("cannot build '%s': '%s' is not a directory", name, b.src);
		goto out;
	}
	if (expand_request(&b, name) < 0)
		goto out;
	if (b.builddir && mkdir_p(b.builddir, 0755, NULL) < 0)
		goto out;
	b.log_fd = req->log_fd > 2 ? req->log_fd
				   : open(req->log_path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (b.log_fd < 0) {
		fail_errno("cannot build '%s': cannot open the log '%s'", name, req->log_path);
		goto out;
	}
	b.jobserved = jobserver_active(req->jobserver);
	build_env(&b);

	sb_addf(&head, "cenv: building '%s' with %s; prefix %s, staged in %s\ncenv: %s\n", name,
		build_system_name(req->system), req->prefix, b.destdir, b.ldflags_var);
	if (req->sandbox)
		sb_addf(&head, "cenv: in a sandbox (bwrap): everything read-only but the work area, a "
			"private /tmp, %s%s\n", req->sandbox->network ? "the network allowed" : "no network",
			req->sandbox->bpf ? ", no Unix sockets but socketpair (seccomp)" : "");
	write_all(b.log_fd, head.buf, head.len, -1);

	switch (req->system) {
	case BUILD_AUTOTOOLS:
		ret = build_autotools(&b);
		break;
	case BUILD_CMAKE:
		ret = build_cmake(&b);
		break;
	case BUILD_MESON:
		ret = build_meson(&b);
		break;
	case BUILD_MAKE:
		ret = build_make(&b);
		break;
	case BUILD_PREBUILT:
		ret = build_prebuilt(&b);
		break;
	default:
		ret = fail("cannot build '%s': unknown build system %d", name, (int)req->system);
	}
	sb_release(&head);
	sb_addf(&head, "cenv: %s '%s'\n", ret == 0 ? "built and staged" : "failed to build", name);
	write_all(b.log_fd, head.buf, head.len, -1);
out:
	sb_release(&head);
	if (b.log_fd >= 0 && b.log_fd != req->log_fd)
		close(b.log_fd);
	free(b.src);
	free(b.builddir);
	free(b.destdir);
	free(b.stage);
	free(b.rpath);
	free(b.ldflags_var);
	free(b.destdir_var);
	free(b.env);
	free(b.env_destdir);
	free(b.env_jobs);
	strvec_release(&b.args);
	strvec_release(&b.configure);
	strvec_release(&b.make_args);
	strvec_release(&b.envw);
	return ret;
}
