/* sandbox.h - builds confined with bubblewrap: a read-only system, a writable work area, a private /tmp, no network. */
#ifndef CENV_SANDBOX_H
#define CENV_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "strvec.h"
#include "util.h"

/* auto: the sandbox when bwrap works here; on: no build without it; off: builds as they are. */
enum sandbox_mode { SANDBOX_AUTO, SANDBOX_ON, SANDBOX_OFF };

/* "auto", "on" or "off" (also yes/no, true/false, 1/0 for on/off); -1 with fail() otherwise. */
int sandbox_mode_parse(const char *s, enum sandbox_mode *mode);
const char *sandbox_mode_name(enum sandbox_mode mode);

/*
 * Whether bwrap works on this machine, found once per run.  Owner: whoever zeroed it;
 * sandbox_probe_release frees it.
 */
struct sandbox_probe {
	char *bwrap;   /* its absolute path; NULL when not found */
	char *why_not; /* NULL when it works; else why not ("bwrap: No permissions to ...") */
};

/*
 * Looks for bwrap on path, skipping the entries inside prefix (a package could install a
 * bwrap of its own there), and runs `true` in a sandbox like the builds' (stderr captured,
 * at most 5 s).  0 when it works; 1 with p->why_not set when it does not.
 */
int sandbox_probe(struct sandbox_probe *p, const char *path, const char *prefix);
void sandbox_probe_release(struct sandbox_probe *p);

/*
 * One build's confinement.  Owner: whoever called sandbox_init; sandbox_release frees it.
 * Everything is read-only but the writable paths; /tmp and /run are fresh tmpfs, on which
 * the visible paths that lay under them are bound again read-only (the environment, HOME,
 * the build's PATH and tools), so that nothing the build must see is hidden by them.
 */
struct sandbox {
	char *bwrap;
	struct strvec writable; /* absolute paths bound read-write: the work area, compiler caches ... */
	struct strvec visible;  /* absolute paths under /tmp or /run bound again read-only */
	int network;            /* the build may reach the network */
	char *env;              /* the environment the work area (the first writable path) lies in, or NULL */
	char *bpf;              /* NULL, or bpf_len bytes of seccomp filter (sockfilter_bpf) every command gets */
	size_t bpf_len;
};

void sandbox_init(struct sandbox *sb, const char *bwrap);
void sandbox_release(struct sandbox *sb);
/*
 * Makes path (absolute) writable inside, its symlinks resolved; a duplicate or one under a
 * writable path is dropped.  The first is the work area, PREFIX/var/cenv/work/NAME: no later
 * one may hold the environment PREFIX or lie in it outside the work area.  Nor may one be /,
 * /tmp, /run or hold them (the sandbox's private directories would be the real ones): -1
 * with fail(), and nothing made writable.
 */
int sandbox_allow_write(struct sandbox *sb, const char *path);
/* Keeps path visible (read-only) if it lies under /tmp or /run; otherwise it is visible anyway. */
void sandbox_keep_visible(struct sandbox *sb, const char *path);
/*
 * What the environment envp (the build's) needs seen: HOME, the entries of PATH and the
 * programs that CC, CXX and the other tool variables name.
 */
void sandbox_keep_env_visible(struct sandbox *sb, char *const *envp);

/*
 * The words that run a command with working directory dir inside sb: "bwrap ... --chdir
 * DIR --", appended to out (spawn's wrapper); with "--seccomp FD" when filter_fd is not -1
 * (sandbox_filter_fd's, kept by the child under the same number).  The variables of envp
 * (the build's) that bwrap must not start with (sandbox_launch_env) are given to the command
 * inside with "--setenv NAME VALUE".
 */
void sandbox_words(const struct sandbox *sb, const char *dir, int filter_fd, char *const *envp,
		   struct strvec *out);
/*
 * The environment bwrap itself starts with: envp without what the dynamic loader and libc
 * obey before any sandbox exists (every LD_* variable, GCONV_PATH, GLIBC_TUNABLES, MALLOC_*,
 * ... glibc's list of variables unsafe for a privileged program).  A manifest's env =
 * LD_PRELOAD=... would otherwise run its library in bwrap, outside the sandbox.  A new
 * NULL-terminated array borrowing envp's strings; the caller frees the array.  bwrap is to be
 * started in "/", not in the build's writable directory (relative library paths).
 */
char **sandbox_launch_env(char *const *envp);
/*
 * A pipe holding sb's filter for one command (bwrap reads it to its end): *fd gets its read
 * end, close-on-exec, for the caller to keep in the child and close after the start; -1
 * when sb has no filter.  -1 with fail() when no pipe can be made.
 */
int sandbox_filter_fd(const struct sandbox *sb, int *fd);

/*
 * Compiler caches and distributed compilers named by the build's environment (CC, CXX, or
 * on PATH as cc, gcc, ... masquerading), and what they need: ccache's and sccache's cache
 * directories writable (made if missing, as they would make them), distcc's state
 * directory; the network for sccache (its client talks to its server over TCP), distcc,
 * icecc or DISTCC_HOSTS.  Each need is applied to sb and said in notes, one line each
 * ("ccache: /home/u/.cache/ccache is writable").  -1 with fail() when a cache directory
 * cannot be made.
 */
int sandbox_add_compiler_tools(struct sandbox *sb, char *const *envp, struct strvec *notes);

#endif
