/* installrun.h - one run of installs: a manifest's packages or archives, each reported as it ends. */
#ifndef CENV_INSTALLRUN_H
#define CENV_INSTALLRUN_H

#include "config.h"
#include "downloads.h"
#include "install.h"
#include "jobserver.h"
#include "sandbox.h"

/*
 * What `cenv install` (and `cenv add`) do with the options the command parsed.  Owner: whoever
 * called install_run_start, which fills the builds' environment and the defaults (all the
 * cores, sandbox auto); the caller then sets the options, runs, and install_run_finish frees.
 */
struct install_run {
	struct install_env env;
	char **envp;
	enum sandbox_mode sandbox; /* --sandbox, else [cenv] sandbox, else auto */
	int sandbox_given;         /* by --sandbox: the manifest's does not replace it */
	int verbose;
	const char *name, *version; /* install PATH's --name, --version (one archive): NULL if not given */
	int probed;                /* the sandbox was looked at: once per run */
	struct sandbox_probe probe;
	struct downloads downloads;
	struct jobserver js;       /* the -j budget of the run's builds (install_env.jobserver) */
	int js_open;               /* js was opened (by the first run_items) */
	int progress_json;         /* --progress=json */
	int progress_plain;        /* --progress=plain: no live display, even on a terminal */
	int failures;
	int changes; /* packages installed or pruned so far */
	int stopped; /* a signal stopped it, and it said so */
};

void install_run_start(struct install_run *run, const struct env_config *cfg);
/*
 * Installs the packages of the manifest file, in dependency order, leaving those up to date;
 * with do_prune, uninstalls first those it does not name.  Each failure is reported where it
 * happens and counted in run->failures; the others go on.
 */
void install_run_manifest(struct install_run *run, const char *file, int do_prune);
/* Installs n archives, local paths or http(s) URLs (several at once, as the manifest's packages). */
void install_run_paths(struct install_run *run, char **paths, int n);
/* -v's notes: "cenv: NAME: LINE" on stderr (install_env.note). */
void install_run_say_note(void *ctx, const char *name, const char *line);
void install_run_finish(struct install_run *run);

#endif
