/* install.h - one package through fetch, verify, unpack, build, stage and commit. */
#ifndef CENV_INSTALL_H
#define CENV_INSTALL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
	void (*note)(const char *name, const char *line);
	/* files the build staged outside the prefix (stagecheck_outside), never installed: with
	   strict the package fails; else, once it is installed, told them (NULL: not told) */
	int strict;
	void (*outside)(const char *name, char *const *paths, size_t n, const char *log);
	/* NULL, or build_request.on_step for every build (with step_ctx) */
	void (*on_step)(void *ctx, const char *step, off_t from);
	void *step_ctx;
};

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
};

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
