/* install.c - one package through fetch, verify, unpack, build, stage and commit. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>
#include <unistd.h>

#include "lazylib.h"
#include "manifest.h"
#include "build.h"
#include "digest.h"
#include "envwatch.h"
#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "install.h"
#include "layout.h"
#include "quote.h"
#include "sandbox.h"
#include "sockfilter.h"
#include "stagecheck.h"
#include "strvec.h"
#include "toollogs.h"
#include "txn.h"
#include "unpack.h"
#include "util.h"

char *install_log_path(const char *prefix, const char *name)
{
	return xasprintf("%s/%s/logs/%s.log", prefix, LAYOUT_STATE, name);
}

/*
 * Opens an archive for reading: a regular file only (a FIFO would hang, and
 * could give other bytes on a second read).  -1 with fail().
 */
int open_archive(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return fail_errno("cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("'%s' is not a regular file", path);
	}
	return fd;
}

static void fill_record(const struct install_source *src, const char *digest,
			enum build_system sys, struct record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->name = xstrdup(src->name);
	rec->version = src->version ? xstrdup(src->version) : NULL;
	rec->url = src->url ? xstrdup(src->url) : NULL;
	rec->sha256 = xstrdup(digest);
	/* the manifest's choice if it made one, so a changed entry is seen as one */
	rec->build = xstrdup(src->build ? src->build : build_system_name(sys));
	rec->args = src->nargs ? quote_sh_words(src->args, src->nargs) : NULL;
	rec->subdir = src->subdir ? xstrdup(src->subdir) : NULL;
	rec->depends = src->depends && *src->depends ? xstrdup(src->depends) : NULL;
	/* for freeze: a manifest it writes must let the build reach the network again */
	rec->build_network = src->build_network ? xstrdup("yes") : NULL;
	rec->configure = src->configure ? manifest_words_text(src->configure, src->nconfigure) : NULL;
	rec->make_args = src->nmake_args ? manifest_words_text(src->make_args, src->nmake_args) : NULL;
	rec->install_target = src->install_target ? xstrdup(src->install_target) : NULL;
	rec->env = src->nenvs ? manifest_words_text(src->envs, src->nenvs) : NULL;
}

/* The message for a symlink found where cenv writes its own file. */
static int own_symlink(const char *dir, const char *name)
{
	char *path = path_join(dir, name);

	failp("'%s' is a symbolic link; cenv will not write through it", path);
	free(path);
	return -1;
}

/*
 * Opens cenv's own directory prefix/rel ("var/cenv/logs"), made if missing, one component at a
 * time from the environment's root without following a symlink: a symlink planted there would
 * have cenv write outside the environment.  -1 with fail() naming it.
 */
static int open_own_dir(const char *prefix, const char *rel, mode_t mkdir_mode)
{
	int root = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, saved;
	size_t bad = 0;
	struct stat st;
	char *part;

	if (root < 0)
		return fail_errno("cannot open '%s'", prefix);
	fd = fsat_walk(root, rel, strlen(rel), mkdir_mode, &bad);
	saved = errno;
	if (fd < 0) {
		part = xasprintf("%.*s", (int)bad, rel);
		if ((saved == ELOOP || saved == ENOTDIR) &&
		    fstatat(root, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			own_symlink(prefix, part);
		} else if (saved == ELOOP || saved == ENOTDIR) {
			failp("'%s/%s' is not a directory", prefix, part);
		} else {
			errno = saved;
			fail_errno(saved == ENOENT ? "cannot open '%s/%s'" : "cannot create '%s/%s'", prefix,
				   part);
		}
		free(part);
	}
	close(root);
	return fd;
}

/*
 * The work area: DIR/var/cenv/work/NAME/{src,build,stage}, made fresh.  A leftover one (an
 * install that never finished, however deep) is removed first; *work is set only once the area
 * is ours (NULL otherwise: nothing to remove afterwards).
 */
static int make_work(const char *prefix, const char *name, char **work)
{
	static const char *const parts[] = { "src", "build", "stage" };
	char *workdir = xasprintf("%s/%s/work", prefix, LAYOUT_STATE), *path = path_join(workdir, name);
	int wfd = open_own_dir(prefix, LAYOUT_STATE "/work", 0755), fd = -1, ret = -1;
	struct stat st;
	size_t i;

	*work = NULL;
	if (wfd < 0)
		goto out;
	if (fstatat(wfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		own_symlink(workdir, name);
		goto out;
	}
	if (fsat_remove_tree(wfd, workdir, name) < 0)
		goto out;
	if (mkdirat(wfd, name, 0755) < 0 || (fd = fsat_open_dir(wfd, name)) < 0) {
		fail_errno("cannot create '%s'", path);
		goto out;
	}
	*work = path;
	path = NULL;
	for (i = 0; i < 3; i++) {
		if (mkdirat(fd, parts[i], 0755) < 0) {
			fail_errno("cannot create '%s/%s'", *work, parts[i]);
			goto out;
		}
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (wfd >= 0)
		close(wfd);
	free(workdir);
	free(path);
	return ret;
}

/*
 * Removes the work area NAME from the root down (no symlink followed), and work/ itself once
 * empty unless other builds run beside this one (install_shared): one of them may be making its
 * own area in it right now.
 */
static void remove_work(const struct install_env *env, const char *name)
{
	int state = open_own_dir(env->prefix, LAYOUT_STATE, 0), wfd;
	char *workdir;

	if (state < 0)
		return;
	wfd = fsat_open_dir(state, "work");
	if (wfd >= 0) {
		workdir = xasprintf("%s/%s/work", env->prefix, LAYOUT_STATE);
		fsat_remove_tree(wfd, workdir, name);
		close(wfd);
		free(workdir);
		/* a failed install leaves the tree as it was */
		if (!env->shared)
			unlinkat(state, "work", AT_REMOVEDIR);
	}
	close(state);
}

void install_work_tidy(const char *prefix)
{
	int state = open_own_dir(prefix, LAYOUT_STATE, 0);

	if (state < 0) {
		free(error_take()); /* nothing to tidy */
		return;
	}
	unlinkat(state, "work", AT_REMOVEDIR); /* only when empty: a leftover area stays for the next run */
	close(state);
}

/*
 * The build log, var/cenv/logs/NAME.log, opened empty for appending, reached from the root
 * without following a symlink and refused unless a regular file.  -1 with fail().
 */
static int open_log(const char *prefix, const char *name, const char *log)
{
	char *leaf = xasprintf("%s.log", name), *logdir = path_dirname(log);
	int dir = open_own_dir(prefix, LAYOUT_STATE "/logs", 0755), fd = -1;
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (dir < 0)
		goto out;
	/* O_NONBLOCK: a FIFO there fails (ENXIO) instead of waiting for a reader */
	fd = openat(dir, leaf, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == ELOOP)
			own_symlink(logdir, leaf);
		else
			fail_errno("cannot open the log '%s'", log);
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || ftruncate(fd, 0) < 0 ||
	    fcntl(fd, F_SETFL, O_APPEND) < 0) {
		if (S_ISREG(st.st_mode))
			fail_errno("cannot truncate '%s'", log);
		else
			failp("'%s' is not a regular file", log);
		close(fd);
		fd = -1;
	}
out:
	if (dir >= 0)
		close(dir);
	free(leaf);
	free(logdir);
	return fd;
}

/*
 * What build systems do to a path with other than letters, digits, "/._+-@" and UTF-8:
 * split it, or hand it to a shell that expands it (a backtick runs a command).
 */
static const char *splitting_char(const char *path, char *which)
{
	for (; *path; path++) {
		unsigned char c = (unsigned char)*path;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c >= 0x80 || strchr("/._+-@", c))
			continue;
		*which = (char)c;
		switch (c) {
		case ' ':
			return "build systems split paths at spaces";
		case '\t':
			return "build systems split paths at tabs";
		case '#':
			return "make reads '#' as the start of a comment";
		case '$':
			return "make and the shell expand '$'";
		case '\'':
		case '"':
			return "build systems take quotes out of paths";
		case '\\':
			return "build systems read a backslash as an escape";
		case ',':
			return "compiler drivers split -Wl, options at commas";
		default:
			return NULL; /* the caller names it */
		}
	}
	return NULL;
}

/*
 * Until packages can be built at one prefix and moved to another, a build system that is not
 * "prebuilt" cannot build into a prefix with such characters: zlib's make and CMake's compiler
 * check split "-Wl,-rpath,/tmp/my env/lib" into words.  Refused before anything is built.
 */
static int check_build_prefix(const char *name, const char *prefix, enum build_system sys)
{
	char which = 0, shell[64];
	const char *why = sys == BUILD_PREBUILT ? NULL : splitting_char(prefix, &which);

	if (!why && !which)
		return 0;
	if (!why) {
		snprintf(shell, sizeof(shell), "the shell that build systems run reads '%c' as syntax", which);
		why = shell;
	}
	return failp("cannot build '%s' into '%s': %s; create the environment at a path of "
		     "letters, digits and / . _ + - @ only (prebuilt packages install anywhere)",
		     name, prefix, why);
}

/*
 * The sandbox of one build: its work area writable (the log is written through the
 * descriptor it inherits), the environment and what the build's environment names kept
 * visible over the private /tmp, compiler caches and the manifest's sandbox-writable paths
 * writable.  -1 with fail().
 */
static int make_sandbox(const struct install_env *env, const struct install_source *src,
			const char *work, struct sandbox *sb)
{
	struct strvec notes = STRVEC_INIT;
	size_t i;
	int ret = 0;

	sandbox_init(sb, env->bwrap);
	sb->network = env->build_network || src->build_network;
	if (sb->network)
		strvec_pushf(&notes, "the network is allowed (%s)",
			     src->build_network ? "build_network = yes in its section" : "--build-network");
	if (sandbox_allow_write(sb, work) < 0) {
		fail_wrap("%s: cannot set up the sandbox", src->name);
		strvec_release(&notes);
		return -1;
	}
	/* without the network, no Unix socket either: connect() reaches through a read-only file
	   system (sockfilter.c); a build that needs one is given the network, as icecc is */
	if (!sb->network && sockfilter_bpf(&sb->bpf, &sb->bpf_len) < 0) {
		char *why = error_take();

		strvec_pushf(&notes, "Unix sockets outside /tmp and /run stay reachable: %s", why);
		free(why);
	}
	for (i = 0; i < env->nwritable; i++) {
		struct stat st;

		/* bwrap would refuse to start every command, with a message only in the log */
		if (stat(env->writable[i], &st) < 0) {
			fail_errno("%s: cannot make '%s' writable in the sandbox (sandbox-writable)", src->name,
				   env->writable[i]);
			strvec_release(&notes);
			return -1;
		}
		if (sandbox_allow_write(sb, env->writable[i]) < 0) {
			fail_wrap("%s: sandbox-writable", src->name);
			strvec_release(&notes);
			return -1;
		}
	}
	sandbox_keep_visible(sb, env->prefix);
	sandbox_keep_env_visible(sb, env->envp);
	if (sandbox_add_compiler_tools(sb, env->envp, &notes) < 0) {
		fail_wrap("%s: cannot set up the sandbox", src->name);
		ret = -1;
	}
	for (i = 0; env->note && i < notes.n; i++)
		env->note(env->say_ctx, src->name, notes.v[i]);
	strvec_release(&notes);
	return ret;
}

void install_shared_init(struct install_shared *sh)
{
	memset(sh, 0, sizeof(*sh));
	pthread_mutex_init(&sh->lock, NULL);
}

void install_shared_release(struct install_shared *sh)
{
	free(sh->watches);
	pthread_mutex_destroy(&sh->lock);
	memset(sh, 0, sizeof(*sh));
}

/* The running builds' looks, told of each commit (absorb_commit); the caller holds sh->lock. */
static void watch_register(struct install_shared *sh, struct envwatch *w)
{
	if (sh->nwatches == sh->cap) {
		sh->cap = sh->cap ? 2 * sh->cap : 8;
		sh->watches = xrealloc(sh->watches, sh->cap * sizeof(*sh->watches));
	}
	sh->watches[sh->nwatches++] = w;
}

static void watch_forget(struct install_shared *sh, struct envwatch *w)
{
	size_t i;

	for (i = 0; i < sh->nwatches; i++)
		if (sh->watches[i] == w) {
			sh->watches[i] = sh->watches[--sh->nwatches];
			return;
		}
}

/*
 * build_run, with the environment looked at before and after (envwatch): what the build
 * wrote into it directly, outside its stage, fails the package and is removed, sandbox or
 * not (a second line behind it).  Its own work area and log are left out.  A stray write
 * explains a failed build better than the build's message ("installed nothing"), so it
 * wins.  0, or -1 with fail().
 */
static int watched_build(const struct install_env *env, const struct install_source *src,
			 const struct build_request *req, int log_fd)
{
	char *work = xasprintf("%s/work/%s", LAYOUT_STATE, src->name);
	char *log = xasprintf("%s/logs/%s.log", LAYOUT_STATE, src->name);
	/* beside other builds: their work areas and logs change too, all of them are left out */
	const char *const own[] = { work, log }, *const shared[] = { LAYOUT_STATE "/work", LAYOUT_STATE "/logs" };
	struct install_shared *sh = env->shared;
	struct envwatch *before = NULL;
	char *why;
	int ret = -1;

	if (sh)
		pthread_mutex_lock(&sh->lock);
	if (envwatch_take(env->prefix, sh ? shared : own, 2, &before) < 0) {
		if (sh)
			pthread_mutex_unlock(&sh->lock);
		fail_wrap("%s: cannot look at the environment before the build", src->name);
		goto out;
	}
	if (sh) {
		watch_register(sh, before);
		pthread_mutex_unlock(&sh->lock);
	}
	ret = build_run(req);
	why = ret < 0 ? error_take() : NULL;
	/* under the lock: a commit half made is no stray write, and none is made while this looks */
	if (sh)
		pthread_mutex_lock(&sh->lock);
	if (sh && sh->broken) {
		free(why);
		ret = fail("%s: cannot look at the environment after the build: a commit beside it could not be "
			   "followed", src->name);
	} else if (envwatch_check(before, env->prefix, src->name, log_fd) < 0) {
		free(why);
		ret = -1;
	} else if (why) {
		error_restore(why);
	}
	if (sh) {
		watch_forget(sh, before);
		pthread_mutex_unlock(&sh->lock);
	}
out:
	envwatch_free(before);
	free(work);
	free(log);
	return ret;
}

/*
 * What the build staged outside the prefix (stagecheck_outside) onto outside, and all of it
 * into the log; *missing: nothing at all under the prefix.  0, or -1 with fail().
 */
static int staged_outside(const struct install_env *env, const char *name, const char *destdir,
			  int log_fd, struct strvec *outside, int *missing)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (stagecheck_outside(destdir, env->prefix, outside, missing) < 0)
		return fail_wrap("%s", name);
	if (!outside->n)
		return 0;
	sb_addf(&sb, "cenv: %zu file%s staged outside %s, not installed:\n", outside->n,
		outside->n == 1 ? "" : "s", env->prefix);
	for (i = 0; i < outside->n; i++) {
		char *shown = printable(outside->v[i]); /* one name a line, whatever its bytes */

		sb_addf(&sb, "  %s\n", shown);
		free(shown);
	}
	write_all(log_fd, sb.buf, sb.len, -1);
	sb_release(&sb);
	return 0;
}

/*
 * "the build installed nothing", with what it staged elsewhere and, for a make install that
 * may have ignored PREFIX or DESTDIR, the make_args that would tell it where.  Returns -1.
 */
static int installed_nothing(const struct install_env *env, const char *name, enum build_system sys,
			     const struct strvec *outside)
{
	char *log = install_log_path(env->prefix, name), *list = NULL;

	if (outside->n)
		list = stagecheck_list(outside->v, outside->n, 3);
	fail("%s: the build installed nothing under %s%s%s%s%s (log: %s)", name, env->prefix,
	     list ? "; it staged " : "", list ? list : "", list ? " outside it" : "",
	     sys == BUILD_MAKE || sys == BUILD_AUTOTOOLS
		     ? "; if its Makefile ignores PREFIX or DESTDIR, say where in its section: "
		       "make_args = PREFIX={prefix} DESTDIR={destdir}, or INSTALL_TOP={destdir}{prefix} "
		       "as lua's wants"
		     : "",
	     log);
	free(list);
	free(log);
	return -1;
}

static int build_package(const struct install_env *env, const struct install_source *src,
			 const char *work, const char *srcdir, enum build_system *sys,
			 struct strvec *outside, int *missing, int *build_failed)
{
	struct build_request req = { 0 };
	struct sandbox sb = { 0 };
	char *builddir = path_join(work, "build"), *destdir = path_join(work, "stage");
	char *log = install_log_path(env->prefix, src->name);
	int ret = -1, log_fd = -1;

	/* a configure command and no build: configure, make, make install, whatever the tree holds */
	if (!src->build && src->configure)
		*sys = BUILD_AUTOTOOLS;
	else if (src->build ? build_system_parse(src->build, sys) < 0 : build_detect(srcdir, sys) < 0) {
		fail_wrap("%s", src->name);
		goto out;
	}
	/* the build system just detected: refused right away, nothing built, no log written */
	if (check_build_prefix(src->name, env->prefix, *sys) < 0)
		goto out;
	log_fd = open_log(env->prefix, src->name, log);
	if (log_fd < 0) {
		fail_wrap("%s", src->name);
		goto out;
	}
	/* the tools' logs of an earlier failed build go with its log */
	if (toollogs_forget(env->prefix, src->name) < 0) {
		fail_wrap("%s", src->name);
		goto out;
	}
	req.name = src->name;
	req.prefix = env->prefix;
	req.src = srcdir;
	req.builddir = builddir;
	req.destdir = destdir;
	req.log_path = log;
	req.log_fd = log_fd;
	req.args = src->args;
	req.nargs = src->nargs;
	req.configure = src->configure;
	req.nconfigure = src->nconfigure;
	req.make_args = src->make_args;
	req.nmake_args = src->nmake_args;
	req.install_target = src->install_target;
	req.env = src->envs;
	req.nenv = src->nenvs;
	req.envp = env->envp;
	req.jobs = env->jobs;
	req.jobserver = env->jobserver;
	req.system = *sys;
	req.on_step = src->on_step;
	req.step_ctx = src->step_ctx;
	if (env->sandbox_missing && *sys != BUILD_PREBUILT) {
		fail("%s: not built: builds need the sandbox (sandbox = on), which does not work here: %s",
		     src->name, env->sandbox_missing);
		goto out;
	}
	if (env->bwrap && *sys != BUILD_PREBUILT) {
		if (make_sandbox(env, src, work, &sb) < 0)
			goto out;
		req.sandbox = &sb;
	}
	ret = watched_build(env, src, &req, log_fd);
	*build_failed = ret < 0;
	if (ret == 0)
		ret = staged_outside(env, src->name, destdir, log_fd, outside, missing);
out:
	if (sb.bwrap)
		sandbox_release(&sb);
	if (log_fd >= 0)
		close(log_fd);
	free(builddir);
	free(destdir);
	free(log);
	return ret;
}

/* A failed build's tool logs (config.log, CMake's, Meson's), kept before its work area goes. */
static void keep_tool_logs(const char *prefix, const char *name, const char *work, const char *srcdir,
			   struct strvec *kept)
{
	size_t wl = strlen(work);
	const char *dirs[2] = { "build", NULL };
	size_t n = 1;

	if (srcdir && !strncmp(srcdir, work, wl) && srcdir[wl] == '/')
		dirs[n++] = srcdir + wl + 1;
	if (toollogs_keep(prefix, name, dirs, n, kept) < 0)
		free(error_take()); /* the build's own message says more */
}

/* A prepared package's work area goes (its build log stays for a look); the first error is kept. */
static void drop_work(const struct install_env *env, const char *name, const char *work, const char *srcdir,
		      int failed, int build_failed, struct strvec *kept_logs)
{
	char *msg = failed ? error_take() : NULL;

	if (failed && build_failed && kept_logs)
		keep_tool_logs(env->prefix, name, work, srcdir, kept_logs);
	remove_work(env, name);
	if (msg)
		error_restore(msg);
}

int install_prepare(const struct install_env *env, const struct install_source *src,
		    struct install_staged *staged, int *build_failed, struct strvec *kept_logs)
{
	struct unpack_options uopt = { 0 };
	struct unpack_result ures = { 0 };
	char *work = NULL, *unpacked = NULL, *stage_root = NULL;
	size_t room;
	int fd, ret = -1, missing = 0;

	memset(staged, 0, sizeof(*staged));
	*build_failed = 0;
	/* the name becomes a directory under var/cenv/work: never "..", never a path */
	if (!valid_package_name(src->name))
		return fail("'%s' is not a package name", src->name);
	/* a build system named in the manifest: refused before anything is read or unpacked */
	if (src->build && build_system_parse(src->build, &staged->sys) == 0 &&
	    check_build_prefix(src->name, env->prefix, staged->sys) < 0)
		return -1;
	/*
	 * The unpacker hashes the very bytes it unpacks and checks them against the
	 * manifest's sha256 before it returns (unpack.c says why), so nothing built or
	 * installed comes from bytes other than the checked ones.
	 */
	fd = open_archive(src->archive);
	if (fd < 0)
		return -1;
	if (make_work(env->prefix, src->name, &work) < 0)
		goto out;
	unpacked = path_join(work, "src");
	uopt.subdir = src->subdir;
	uopt.sha256 = src->sha256;
	uopt.max_bytes = env->max_unpacked_size;
	uopt.size_option = "--max-unpacked-size";
	/* of WORK/src/TOP/REL, WORK/stage/PREFIX/REL and PREFIX/REL the staged one is longest */
	room = strlen(work) + strlen("/stage") + strlen(env->prefix) + 1;
	uopt.max_path = room < PATH_MAX - 2 ? PATH_MAX - 1 - room : 1;
	if (unpack_archive_fd(fd, src->archive, unpacked, &uopt, &ures) < 0) {
		if (src->sha256 && ures.sha256[0] && strcmp(src->sha256, ures.sha256)) {
			free(error_take());
			fail("%s: checksum mismatch for '%s': the manifest says %s, the file is %s",
			     src->name, src->archive, src->sha256, ures.sha256);
		}
		goto out;
	}
	if (build_package(env, src, work, ures.srcdir, &staged->sys, &staged->outside, &missing,
			  build_failed) < 0)
		goto out;
	if (missing) {
		installed_nothing(env, src->name, staged->sys, &staged->outside);
		goto out;
	}
	/* before anything of it is read or moved: a real prefix, no symlink leading out */
	stage_root = path_join(work, "stage");
	if (stagecheck(stage_root, env->prefix) < 0) {
		fail_wrap("%s", src->name);
		goto out;
	}
	free(stage_root);
	stage_root = xasprintf("%s/stage%s", work, env->prefix);
	fill_record(src, ures.sha256, staged->sys, &staged->rec);
	if (record_scan(stage_root, &staged->rec) < 0)
		goto out;
	if (staged->rec.nfiles == 0) {
		installed_nothing(env, src->name, staged->sys, &staged->outside);
		goto out;
	}
	if (staged->outside.n && env->strict) {
		char *list = stagecheck_list(staged->outside.v, staged->outside.n, 3);
		char *log = install_log_path(env->prefix, src->name);

		fail("%s: %zu file%s staged outside the environment would not be installed: %s "
		     "(--strict: nothing installed; log: %s)", src->name, staged->outside.n,
		     staged->outside.n == 1 ? "" : "s", list, log);
		free(list);
		free(log);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0) {
		if (work)
			drop_work(env, src->name, work, ures.srcdir, 1, *build_failed, kept_logs);
		record_release(&staged->rec);
		strvec_release(&staged->outside);
		free(work);
		free(stage_root);
		memset(&staged->rec, 0, sizeof(staged->rec));
	} else {
		staged->work = work;
		staged->stage_root = stage_root;
	}
	unpack_result_release(&ures);
	close(fd);
	free(unpacked);
	return ret;
}

/* Tells every build being watched of the commit just made (install_shared: its lock held). */
static int absorb_commit(const struct install_env *env, const struct record *added, const struct record *removed)
{
	struct install_shared *sh = env->shared;
	size_t i;

	for (i = 0; i < sh->nwatches; i++)
		if (envwatch_absorb(sh->watches[i], env->prefix, added, removed) < 0)
			return -1;
	return 0;
}

int install_commit(const struct install_env *env, const struct install_source *src,
		   struct install_staged *staged, const struct record *old)
{
	int ret;

	if (env->shared)
		pthread_mutex_lock(&env->shared->lock);
	ret = txn_commit(env->prefix, staged->stage_root, &staged->rec, old);
	/* a look that cannot be told stops that build's check, which then fails it: never a wrong removal */
	if (ret == 0 && env->shared && absorb_commit(env, &staged->rec, old) < 0)
		env->shared->broken = 1;
	if (env->shared)
		pthread_mutex_unlock(&env->shared->lock);
	if (ret == 0 && staged->outside.n && env->outside) {
		char *log = install_log_path(env->prefix, src->name);

		env->outside(env->say_ctx, src->name, staged->outside.v, staged->outside.n, log);
		free(log);
	}
	return ret;
}

void install_staged_release(const struct install_env *env, const char *name, struct install_staged *staged)
{
	if (staged->work)
		remove_work(env, name);
	record_release(&staged->rec);
	strvec_release(&staged->outside);
	free(staged->work);
	free(staged->stage_root);
	memset(staged, 0, sizeof(*staged));
}

int install_package(const struct install_env *env, const struct install_source *src,
		    const struct record *old, struct record *installed, int *build_failed,
		    struct strvec *kept_logs)
{
	struct install_staged staged;
	char *msg;
	int ret;

	memset(installed, 0, sizeof(*installed));
	if (install_prepare(env, src, &staged, build_failed, kept_logs) < 0)
		return -1;
	ret = install_commit(env, src, &staged, old);
	if (ret == 0) {
		*installed = staged.rec; /* handed over */
		memset(&staged.rec, 0, sizeof(staged.rec));
		install_staged_release(env, src->name, &staged);
		return 0;
	}
	msg = error_take(); /* the commit's, not lost to the cleanup */
	install_staged_release(env, src->name, &staged);
	return error_restore(msg);
}

int archive_topdir(const char *path, char **top)
{
	struct archive *a;
	struct archive_entry *entry;
	const char *name;
	int fd, ret = -1;

	*top = NULL;
	if (lazylib_archive() < 0)
		return -1;
	fd = open_archive(path);
	if (fd < 0)
		return -1;
	a = unpack_reader_new(); /* the formats the unpacker reads, no mtree */
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		unpack_open_failed(a, path);
		goto out;
	}
	if (archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		fail("cannot read '%s': %s", path,
		     archive_error_string(a) ? archive_error_string(a) : "it holds no entry");
		goto out;
	}
	name = archive_entry_pathname(entry);
	while (name && name[0] == '.' && name[1] == '/')
		name += 2;
	/* a package's files sit in one top directory, "name-version/" */
	if (!name || !*name || name[0] == '/' ||
	    (!strchr(name, '/') && archive_entry_filetype(entry) != AE_IFDIR)) {
		fail("'%s': cannot tell the package's name from its first entry", path);
		goto out;
	}
	*top = xasprintf("%.*s", (int)strcspn(name, "/"), name);
	ret = 0;
out:
	archive_read_free(a);
	close(fd);
	return ret;
}

void split_name_version(const char *top, char **name, char **version)
{
	const char *dash = NULL, *p;

	/* the last '-' followed by a digit: "zlib-1.2.13", "lib-foo-2.0" */
	for (p = top; *p; p++)
		if (*p == '-' && p[1] >= '0' && p[1] <= '9')
			dash = p;
	if (!dash || dash == top) {
		*name = xstrdup(top);
		*version = NULL;
		return;
	}
	*name = xasprintf("%.*s", (int)(dash - top), top);
	*version = xstrdup(dash + 1);
}
