/* build.h - build drivers: detect a source tree's build system, configure, build and stage it. */
#ifndef CENV_BUILD_H
#define CENV_BUILD_H

#include <stddef.h>
#include <sys/types.h>

struct jobserver;
struct sandbox;

enum build_system {
	BUILD_AUTOTOOLS, /* ./configure && make && make install */
	BUILD_CMAKE,
	BUILD_MESON,
	BUILD_MAKE,      /* a plain Makefile, given PREFIX */
	BUILD_PREBUILT,  /* include/, lib/, bin/ copied as they are */
};

/* "autotools", "cmake", "meson", "make", "prebuilt". */
const char *build_system_name(enum build_system sys);
/* -1 with fail() for an unknown name. */
int build_system_parse(const char *name, enum build_system *out);

/*
 * Detects the build system of the tree at src (detect.c), in this order: configure;
 * configure.ac or configure.in without configure (autotools after autoreconf -fi);
 * CMakeLists.txt; meson.build; Makefile (or makefile, GNUmakefile); include/,
 * lib/ or bin/ with nothing to build (prebuilt).  Never prebuilt for a tree with a
 * build script cenv does not run on its own (Configure, config, autogen.sh,
 * Makefile.am, SConstruct, build.zig, BUILD, Cargo.toml, ...) or C/C++ sources
 * outside include/, share/, doc/ and examples/: -1 with fail() naming what it has
 * and the manifest keys that would build it.  -1 with fail() when none.
 */
int build_detect(const char *src, enum build_system *out);

/* What one build needs; the caller owns every field. */
struct build_request {
	const char *name;       /* the package, for messages */
	const char *prefix;     /* the environment, absolute: the install prefix */
	const char *src;        /* the unpacked source tree (may be built in) */
	const char *builddir;   /* an empty directory for out-of-tree builds */
	const char *destdir;    /* DESTDIR: files land in destdir + prefix */
	const char *log_path;   /* every command and its output is appended here */
	int log_fd;             /* > 2: log_path, open for reading and appending (the caller's; install.c opens it
				   without following a symlink); else build_run opens log_path (O_NOFOLLOW) */
	char *const *args;      /* nargs extra words for the configure step (make: both make runs;
				   with configure: its last command) */
	size_t nargs;
	char *const *configure; /* nconfigure words: commands separated by "&&" words, run in src
				   instead of ./configure (autotools, make); NULL: none */
	size_t nconfigure;
	char *const *make_args; /* nmake_args words for every make or ninja run */
	size_t nmake_args;
	const char *install_target; /* make's install target (autotools, make, cmake); NULL: install */
	char *const *env;       /* nenv NAME=VALUE words over envp (LDFLAGS still gains the rpath) */
	size_t nenv;
	/* args, configure, make_args and env's values hold placeholders: {prefix}, {destdir},
	   {jobs} (placeholder.h), expanded here */
	char *const *envp;      /* the build's environment: activation's (pkg-config, CPATH ...) */
	int jobs;               /* make -j / ninja -j, without a jobserver */
	/* the run's -j budget (jobserver.h), or NULL: make -jN and ninja -jN as they are.  With an
	   active one: make (autotools, make, CMake's Unix Makefiles) runs without -j, given its
	   MAKEFLAGS and both pipe ends, on the build's own job and the tokens it draws (CMake is
	   given the Unix Makefiles generator then, unless it has make_args, written for Ninja); ninja
	   runs -j(1 + the tokens free when it starts), given back when it ends, whatever the end;
	   every install step runs serially, without the jobserver.  The build's own job is the
	   caller's: a token it took, or cenv's free job. */
	struct jobserver *jobserver;
	enum build_system system;
	const struct sandbox *sandbox; /* every command runs inside it; NULL: as it is */
	/* NULL, or told as each command starts: its step ("make install") and the log's offset
	   where its part begins (a display, the report of a failure); called in build_run's thread */
	void (*on_step)(void *ctx, const char *step, off_t from);
	void *step_ctx;
};

/*
 * Configures, builds and installs into destdir + prefix, with a lib directory
 * of "lib", a Release build, and an rpath to prefix/lib.  Runs the commands
 * with fork/execve in the child's own working directory: no chdir, setenv or
 * other process-wide change, so builds may run in threads.  0, or -1 with
 * fail() naming the step and the log ("build of 'zlib' failed at make
 * (exit status 2); log: PATH").
 */
int build_run(const struct build_request *req);

#endif
