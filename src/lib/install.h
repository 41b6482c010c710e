/* install.h - one package through fetch, verify, unpack, build, stage and commit. */
#ifndef CENV_INSTALL_H
#define CENV_INSTALL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "build.h"
#include "digest.h"
#include "jobserver.h"
#include "record.h"
#include "strvec.h"

/* Where and how packages are built; owned by the caller. */
struct install_env {
	const char *prefix; /* the environment */
	char *const *envp;  /* the builds' environment: activation's */
	int jobs;
	struct jobserver *jobserver; /* the run's -j budget, or NULL (build_request.jobserver) */
	uint64_t max_unpacked_size; /* the most bytes an archive may unpack to; 0: the default */
	const char *bwrap;          /* builds run in a sandbox made with it; NULL: as they are */
	const char *sandbox_missing; /* not NULL: builds need the sandbox, absent for this reason */
	int build_network;          /* the sandbox lets every build reach the network */
	char *const *writable;      /* nwritable more absolute paths builds may write */
	size_t nwritable;
	/* NULL, or told each line worth saying with -v ("zlib: ccache: ... is writable") */
	void (*note)(void *ctx, const char *name, const char *line);
	/* files the build staged outside the prefix (stagecheck_outside), never installed: with
	   strict the package fails; else, once it is installed, told them (NULL: not told) */
	int strict;
	void (*outside)(void *ctx, const char *name, char *const *paths, size_t n, const char *log);
	void *say_ctx; /* note's and outside's ctx; they may be called from several threads at once */
	/* NULL when one package is built at a time; else what the builds running at once share */
	struct install_shared *shared;
};

/*
 * What builds running at once share (one per run, the caller's): commits are made one at a
 * time under lock, and every build's look at the environment (envwatch) is told of the
 * commits made while it ran, so that they are not taken for its own stray writes.  The
 * looks are taken and checked under lock too, never across a commit half made.
 */
struct envwatch;
struct install_shared {
	pthread_mutex_t lock;
	struct envwatch **watches; /* the builds running now */
	size_t nwatches, cap;
	int broken; /* a commit could not be told to a look: the builds running then fail their check */
};
void install_shared_init(struct install_shared *sh);
void install_shared_release(struct install_shared *sh);
/* After builds that shared it: DIR/var/cenv/work removed if empty (each build left its own area only). */
void install_work_tidy(const char *prefix);

/*
 * A package to install: its manifest entry (or what `cenv install PATH`
 * derived), and the local archive.  Owned by the caller; NULL when absent.
 */
struct install_source {
	const char *name, *version, *url, *sha256, *build, *subdir, *depends;
	char *const *args; /* nargs configure words */
	size_t nargs;
	/* the manifest's configure (NULL: none), make_args, install_target and env (package_spec) */
	char *const *configure, *const *make_args, *const *envs;
	size_t nconfigure, nmake_args, nenvs;
	const char *install_target;
	const char *archive; /* local path of the archive */
	int build_network;   /* its section's build_network = yes */
	/* NULL, or build_request.on_step for its build, with step_ctx; called on the installing thread */
	void (*on_step)(void *ctx, const char *step, off_t from);
	void *step_ctx;
};

/*
 * A package unpacked, built and staged, its record made, waiting for its commit.  Owner:
 * install_prepare's caller; install_staged_release removes its work area and frees it.
 */
struct install_staged {
	char *work;          /* DIR/var/cenv/work/NAME */
	char *stage_root;    /* WORK/stage/DIR: the staged prefix */
	struct record rec;   /* the record it will have */
	struct strvec outside; /* what it staged outside the prefix (install_env.outside) */
	enum build_system sys;
};

/*
 * install_package's first part, which may run in several threads at once (each package its
 * own work area): verifies, unpacks, builds and stages src, and makes its record.  On
 * failure the work area is gone (the tool logs kept as install_package says) and -1 with fail().
 */
int install_prepare(const struct install_env *env, const struct install_source *src,
		    struct install_staged *staged, int *build_failed, struct strvec *kept_logs);
/*
 * Its second part: the all-or-nothing commit (txn_commit) of what was staged, replacing old,
 * one at a time under install_shared's lock when there is one; then env->outside is told.
 * -1 with fail(), the environment as it was.  staged is released by the caller either way.
 */
int install_commit(const struct install_env *env, const struct install_source *src,
		   struct install_staged *staged, const struct record *old);
void install_staged_release(const struct install_env *env, const char *name, struct install_staged *staged);

/*
 * Verifies, unpacks, builds and commits src into the environment, replacing
 * old (the same package installed before, or NULL).  Everything happens in
 * DIR/var/cenv/work/NAME, removed afterwards; the environment changes only
 * in the final all-or-nothing commit.  On success *installed is the new
 * record (caller releases it).  -1 with fail() otherwise, the environment as
 * it was; *build_failed tells whether the build step was what failed.  Then, before the work
 * area goes, the tools' own logs found in it are kept (toollogs_keep: DIR/var/cenv/logs/NAME.d)
 * and their paths pushed onto kept_logs (NULL: none kept).  Every build removes the NAME.d of
 * the one before, so a later successful one leaves none.
 */
int install_package(const struct install_env *env, const struct install_source *src,
		    const struct record *old, struct record *installed, int *build_failed,
		    struct strvec *kept_logs);

/* The first path component of the archive's first entry ("zlib-1.2.13"); caller frees. */
int archive_topdir(const char *path, char **top);
/* "zlib-1.2.13" -> "zlib", "1.2.13" (version NULL when there is none); caller frees both. */
void split_name_version(const char *top, char **name, char **version);

/* An archive opened for reading, refused unless a regular file; -1 with fail(). */
int open_archive(const char *path);

/* The path of the package's build log. */
char *install_log_path(const char *prefix, const char *name);

#endif
