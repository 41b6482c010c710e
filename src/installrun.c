/* installrun.c - one run of installs: a manifest's packages or archives, each reported as it ends. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "build.h"
#include "cenv.h"
#include "installrun.h"
#include "downloads.h"
#include "error.h"
#include "install.h"
#include "jobserver.h"
#include "interrupt.h"
#include "manifest.h"
#include "naming.h"
#include "progress.h"
#include "quote.h"
#include "record.h"
#include "report.h"
#include "sandbox.h"
#include "setup.h"
#include "stagecheck.h"
#include "steplog.h"
#include "toollogs.h"
#include "txn.h"
#include "unpack.h"
#include "util.h"


static int str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static char *depends_string(const struct package_spec *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < p->ndepends; i++) {
		if (i)
			sb_adds(&sb, ", ");
		sb_adds(&sb, p->depends[i]);
	}
	return sb_detach(&sb);
}

/*
 * The url a record keeps: a local archive by its absolute path, so that `cenv freeze`
 * gives a manifest that works from any directory; several urls, each so, in their order,
 * separated by a space.  Never what exists on disk now: the same entry keeps the same url.
 * Caller frees.
 */
static char *recorded_url(const struct manifest *m, const struct package_spec *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < p->nurls; i++) {
		char *local = manifest_url_path(m, p->urls[i]);

		if (i)
			sb_addc(&sb, ' ');
		sb_adds(&sb, local ? local : p->urls[i]);
		free(local);
	}
	return sb_detach(&sb);
}

static int has_remote_url(const struct package_spec *p)
{
	size_t i;

	for (i = 0; i < p->nurls; i++)
		if (manifest_url_is_remote(p->urls[i]))
			return 1;
	return 0;
}

/* Whether the installed record was made from exactly this manifest entry. */
static int entry_unchanged(const struct manifest *m, const struct package_spec *p,
			   const struct record *r)
{
	char *args = p->nargs ? quote_sh_words(p->args, p->nargs) : NULL;
	char *depends = p->ndepends ? depends_string(p) : NULL;
	char *url = recorded_url(m, p);
	char *configure = p->configure ? manifest_words_text(p->configure, p->nconfigure) : NULL;
	char *make_args = p->nmake_args ? manifest_words_text(p->make_args, p->nmake_args) : NULL;
	char *envs = p->nenv ? manifest_words_text(p->env, p->nenv) : NULL;
	int same = str_eq(url, r->url) && str_eq(p->sha256, r->sha256) &&
		   (!p->build || str_eq(p->build, r->build)) && str_eq(args, r->args) &&
		   str_eq(p->subdir, r->subdir) && str_eq(p->version, r->version) &&
		   str_eq(depends, r->depends) && str_eq(configure, r->configure) &&
		   str_eq(make_args, r->make_args) && str_eq(p->install_target, r->install_target) &&
		   str_eq(envs, r->env);

	free(configure);
	free(make_args);
	free(envs);
	free(args);
	free(depends);
	free(url);
	return same;
}

static void print_installed(const struct record *r)
{
	char size[SIZE_TEXT_MAX];

	size_text(size, record_size(r));
	printf("%s%s%s: installed (%s, %zu file%s, %s)\n", r->name, r->version ? " " : "",
	       r->version ? r->version : "", r->build, r->nfiles, r->nfiles == 1 ? "" : "s", size);
	fflush(stdout);
}

#define REPORT_ERRORS 5
#define REPORT_TAIL 20

/* One line of the build's log, "    NN: text", its bytes made printable. */
static void show_numbered(long number, const char *text)
{
	char *shown = printable(text);

	fprintf(stderr, "%6ld: %s\n", number, shown);
	free(shown);
}

/*
 * A failed build's log, after its message: the first lines of the failed step's part of it
 * that look like errors (steplog_errors: the cause, often far from the end), then its last
 * lines.  step and from: the step that ran last, where its part began (NULL and -1: none).
 */
static void show_log(const char *log, const char *step, off_t from)
{
	struct steplog_line lines[REPORT_ERRORS];
	size_t n = 0, i;
	char *tail = NULL;
	int fd = step && from >= 0 ? steplog_open(log) : -1;

	if (fd >= 0 && steplog_errors(fd, from, lines, REPORT_ERRORS, &n) == 0 && n) {
		fprintf(stderr, "---- first error lines of %s, by line of %s ----\n", step, log);
		for (i = 0; i < n; i++) {
			size_t j;

			show_numbered(lines[i].number, lines[i].text);
			/* the indented lines below a CMake Error, where its cause is */
			for (j = 0; j < lines[i].nmore; j++)
				show_numbered(lines[i].more_number[j], lines[i].more[j]);
		}
		steplog_lines_release(lines, n);
	}
	if (fd >= 0)
		close(fd);
	if (steplog_tail(log, REPORT_TAIL, &tail) == 0 && tail && *tail) {
		char *line = tail, *nl;

		fprintf(stderr, "---- last %d lines of %s ----\n", REPORT_TAIL, log);
		/* the build's bytes, one line each, no escape code or carriage return raw */
		for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
			char *shown;

			if ((nl = strchr(line, '\n')) != NULL)
				*nl = '\0';
			shown = printable(line);
			fprintf(stderr, "%s\n", shown);
			free(shown);
		}
	}
	free(tail);
}

/*
 * A failed build's message, then the tool logs kept of it ("cenv: more in: .../zlib.d/config.log"),
 * then its log's error lines and tail.
 */
static void report_failure(const char *prefix, const char *name, int build_failed, const char *step,
			   off_t from, const struct strvec *kept)
{
	char *log;
	size_t i;

	report();
	if (!build_failed)
		return;
	for (i = 0; kept && i < kept->n; i++) {
		char *shown = printable(kept->v[i]);

		fprintf(stderr, "%s%s%s", i ? ", " : "cenv: more in: ", shown, i + 1 == kept->n ? "\n" : "");
		free(shown);
	}
	log = install_log_path(prefix, name);
	show_log(log, step, from);
	free(log);
}

/* What the changes made before a stop come to, for its message. */
static const char *changes_kept(const struct install_run *run, char *buf, size_t size)
{
	if (!run->changes)
		return "nothing was changed";
	snprintf(buf, size, "the %d change%s made before it stay%s", run->changes,
		 run->changes == 1 ? "" : "s", run->changes == 1 ? "s" : "");
	return buf;
}

/*
 * At the top of each package: a signal noted stops the run here (its build was stopped
 * and said so, or it came between two packages).  1 when the run stops.
 */
static int stop_before(struct install_run *run, const char *name)
{
	char buf[64];

	if (!interrupt_requested())
		return 0;
	if (!run->stopped)
		say_interrupted("install", interrupt_requested(), " before '%s'; %s", name,
				changes_kept(run, buf, sizeof(buf)));
	run->stopped = 1;
	return 1;
}

void install_run_say_note(const char *name, const char *line)
{
	fprintf(stderr, "cenv: %s: %s\n", name, line);
}

/* install_env.outside: the files a package staged outside the environment, a few of them named. */
static void say_outside(const char *name, char *const *paths, size_t n, const char *log)
{
	char *list = stagecheck_list(paths, n, 3);

	fprintf(stderr, "cenv: warning: %s: %zu file%s staged outside the environment %s not installed: %s "
		"(log: %s)\n", name, n, n == 1 ? "" : "s", n == 1 ? "was" : "were", list, log);
	free(list);
}

/*
 * Before the first package of the run: whether its builds are sandboxed, found once.  auto
 * without a working bwrap builds as before, and says so once on a terminal (and with -v);
 * on refuses every build then (install_env.sandbox_missing).
 */
static void settle_sandbox(struct install_run *run)
{
	if (run->probed)
		return;
	run->probed = 1;
	if (run->sandbox == SANDBOX_OFF) {
		if (run->verbose)
			fprintf(stderr, "cenv: builds are not sandboxed (sandbox = off)\n");
		return;
	}
	if (sandbox_probe(&run->probe, getenv("PATH"), run->env.prefix) == 0) {
		run->env.bwrap = run->probe.bwrap;
		if (run->verbose)
			fprintf(stderr, "cenv: builds run in a sandbox (%s): everything read-only but their work "
				"area, a private /tmp, %s\n", run->probe.bwrap,
				run->env.build_network ? "the network allowed (--build-network)" : "no network");
		return;
	}
	if (run->sandbox == SANDBOX_ON) {
		run->env.sandbox_missing = run->probe.why_not;
		if (run->verbose)
			fprintf(stderr, "cenv: builds need the sandbox (sandbox = on), which does not work here: %s\n",
				run->probe.why_not);
	} else if (run->verbose || isatty(STDERR_FILENO)) {
		fprintf(stderr, "cenv: builds are not sandboxed: %s (install the package bubblewrap)\n",
			run->probe.why_not);
	}
}

/*
 * The -j budget, for every build of the run: opened before the first, topped up again before each
 * one after it (no build runs then; a make killed by SIGKILL took the tokens it held).  Without
 * a jobserver (no /proc to open it through) each build runs make -jN on its own, as before.
 */
static void budget_before_build(struct install_run *run)
{
	if (run->env.jobserver) {
		jobserver_refill(&run->js);
		return;
	}
	if (jobserver_open(&run->js, run->env.jobs < JOBSERVER_MAX ? run->env.jobs : JOBSERVER_MAX) < 0)
		fprintf(stderr, "cenv: warning: %s: each build runs make -j%d on its own\n", last_error(),
			run->env.jobs);
	run->env.jobserver = &run->js;
}

static int install_one(struct install_run *run, const struct install_source *src, int *changed)
{
	struct record old = { 0 }, installed;
	int have_old = record_load(run->env.prefix, src->name, &old) == 0;
	struct build_progress shown;
	struct strvec kept = STRVEC_INIT;
	int build_failed, ret;
	char buf[64], *log;

	if (!have_old && errno != ENOENT) {
		/* a damaged record (the message names it) or one that cannot be read */
		report_failure(run->env.prefix, src->name, 0, NULL, -1, NULL);
		run->failures++;
		return -1;
	}
	settle_sandbox(run);
	budget_before_build(run);
	log = install_log_path(run->env.prefix, src->name);
	build_progress_start(&shown, src->name, log, run->downloads.quiet, run->verbose);
	run->env.on_step = build_progress_step;
	run->env.step_ctx = &shown;
	ret = install_package(&run->env, src, have_old ? &old : NULL, &installed, &build_failed, &kept);
	build_progress_finish(&shown);
	run->env.on_step = NULL;
	run->env.step_ctx = NULL;
	if (ret == 0) {
		print_installed(&installed);
		record_release(&installed);
		*changed = 1;
		run->changes++;
	} else if (build_failed && interrupt_requested()) {
		/* spawn stopped the build's group; install_package removed the work area */
		say_interrupted("install", interrupt_requested(), ": stopped the build of '%s'; %s",
				src->name, changes_kept(run, buf, sizeof(buf)));
		run->stopped = 1;
		run->failures++;
	} else {
		report_failure(run->env.prefix, src->name, build_failed, shown.step_from >= 0 ? shown.step : NULL,
			       shown.step_from, &kept);
		run->failures++;
	}
	if (have_old)
		record_release(&old);
	strvec_release(&kept);
	free(log);
	return ret;
}

static int prune(struct install_run *run, const struct manifest *m, int do_prune)
{
	char **names;
	size_t n, i;
	int extra = 0;

	if (record_names(run->env.prefix, &names, &n) < 0)
		return report();
	for (i = 0; i < n; i++) {
		struct record r;

		if (manifest_find(m, names[i]))
			continue;
		if (!do_prune) {
			fprintf(stderr, "cenv: '%s' is installed but not in %s (cenv install --prune removes it)\n",
				names[i], m->path);
			extra++;
			continue;
		}
		if (record_load(run->env.prefix, names[i], &r) < 0) {
			report();
			run->failures++;
			continue;
		}
		if (txn_uninstall(run->env.prefix, &r) < 0) {
			report();
			run->failures++;
		} else {
			/* a failed build's tool logs would outlive the package */
			if (toollogs_forget(run->env.prefix, names[i]) < 0)
				report();
			printf("%s: uninstalled (not in %s)\n", names[i], m->path);
			run->changes++;
		}
		record_release(&r);
	}
	record_names_free(names, n);
	return extra;
}

static void source_from_spec(const struct manifest *m, const struct package_spec *p,
			     struct install_source *src, char **archive, char **depends, char **url)
{
	memset(src, 0, sizeof(*src));
	src->name = p->name;
	src->version = p->version;
	*url = recorded_url(m, p);
	src->url = *url;
	src->sha256 = p->sha256;
	src->build = p->build;
	src->subdir = p->subdir;
	src->args = p->args;
	src->nargs = p->nargs;
	src->configure = p->configure;
	src->nconfigure = p->nconfigure;
	src->make_args = p->make_args;
	src->nmake_args = p->nmake_args;
	src->install_target = p->install_target;
	src->envs = p->env;
	src->nenvs = p->nenv;
	src->build_network = p->build_network;
	*depends = depends_string(p);
	src->depends = *depends;
	*archive = manifest_source_path(m, p);
	src->archive = *archive;
}

/*
 * Where p's archive is: its local path, or, for an http(s) url, the download cache's file,
 * downloaded now if it is not there.  0, or -1 with fail().
 */
static int archive_of(struct install_run *run, const struct manifest *m, const struct package_spec *p,
		      char **archive)
{
	*archive = manifest_source_path(m, p);
	if (*archive)
		return 0;
	if (!has_remote_url(p))
		return fail("%s: '%s': only local files, file://, http:// and https:// URLs can be installed",
			    p->name, p->url);
	return downloads_get_urls(&run->downloads, p->name, (const char *const *)p->urls, p->nurls,
				  p->sha256, archive, NULL);
}

/* 1 when p's archive is a local file (one of its local urls exists). */
static int has_local_source(const struct manifest *m, const struct package_spec *p)
{
	char *local = manifest_source_path(m, p);
	int have = local != NULL;

	free(local);
	return have;
}

/*
 * Offline: every remote archive the run needs must be in the cache before anything is
 * installed; each missing one is named with its URL and sha256.  1 when some are missing.
 */
static int offline_missing(struct install_run *run, const struct manifest *m, const size_t *order,
			   const char *needed)
{
	size_t i;
	int missing = 0, have;

	for (i = 0; i < m->npkgs; i++) {
		const struct package_spec *p = &m->pkgs[order[i]];

		if (!needed[order[i]] || !has_remote_url(p) || has_local_source(m, p))
			continue;
		have = downloads_have(&run->downloads, p->sha256);
		if (have == 1)
			continue;
		if (have == 0) {
			char *archive = NULL;

			/* says what is missing, and how */
			downloads_get_urls(&run->downloads, p->name, (const char *const *)p->urls, p->nurls,
					   p->sha256, &archive, NULL);
			free(archive);
		}
		report();
		missing = 1;
	}
	return missing;
}

/* Which packages the run would build: those not up to date, and everything that depends on one. */
static char *needed_packages(const struct install_run *run, const struct manifest *m, const size_t *order)
{
	char *needed = calloc(m->npkgs + 1, 1);
	size_t i, j;

	for (i = 0; i < m->npkgs; i++) {
		const struct package_spec *p = &m->pkgs[order[i]];
		struct record old;
		int need = 1;

		if (record_load(run->env.prefix, p->name, &old) == 0) {
			need = !entry_unchanged(m, p, &old);
			record_release(&old);
		}
		for (j = 0; j < p->ndepends; j++)
			need |= needed[p->dep_index[j]];
		needed[order[i]] = (char)need;
	}
	return needed;
}

void install_run_manifest(struct install_run *run, const char *file, int do_prune)
{
	struct manifest m;
	size_t *order, i, j, unchanged = 0;
	char *changed, *failed;

	if (manifest_load(file, &m) < 0) {
		report();
		run->failures++;
		return;
	}
	if (m.jobs > 0 && !run->jobs_given)
		run->env.jobs = m.jobs;
	if (m.sandbox_set && !run->sandbox_given)
		run->sandbox = m.sandbox;
	run->env.build_network |= m.build_network;
	run->env.writable = m.writable;
	run->env.nwritable = m.nwritable;
	downloads_add_mirrors(&run->downloads, m.mirrors);
	order = xmalloc(m.npkgs * sizeof(*order));
	changed = calloc(m.npkgs + 1, 1);
	failed = calloc(m.npkgs + 1, 1);
	if (manifest_order(&m, order) < 0) {
		report();
		run->failures++;
		goto out;
	}
	if (run->downloads.offline) {
		char *needed = needed_packages(run, &m, order);
		int missing = offline_missing(run, &m, order, needed);

		free(needed);
		if (missing) {
			fprintf(stderr, "cenv: nothing was installed: --offline, and archives are missing from the "
				"download cache\n");
			run->failures++;
			goto out;
		}
	}
	/* first, so that a package renamed in the manifest does not clash with its old self */
	prune(run, &m, do_prune);
	for (i = 0; i < m.npkgs; i++) {
		const struct package_spec *p = &m.pkgs[order[i]];
		struct install_source src;
		struct record old;
		char *archive, *depends, *url;
		int dep_changed = 0, dep_failed = 0, up_to_date = 0, done = 0;

		if (stop_before(run, p->name))
			break;
		for (j = 0; j < p->ndepends; j++) {
			dep_changed |= changed[p->dep_index[j]];
			dep_failed |= failed[p->dep_index[j]];
		}
		if (dep_failed) {
			fprintf(stderr, "cenv: %s: not installed, a package it depends on failed\n", p->name);
			failed[order[i]] = 1;
			run->failures++;
			continue;
		}
		if (!dep_changed && record_load(run->env.prefix, p->name, &old) == 0) {
			up_to_date = entry_unchanged(&m, p, &old);
			record_release(&old);
		}
		if (up_to_date) {
			unchanged++;
			continue;
		}
		source_from_spec(&m, p, &src, &archive, &depends, &url);
		free(archive);
		src.archive = NULL;
		if (archive_of(run, &m, p, &archive) < 0) {
			report_failure(run->env.prefix, p->name, 0, NULL, -1, NULL);
			run->failures++;
			failed[order[i]] = 1;
		} else if ((src.archive = archive, install_one(run, &src, &done)) < 0) {
			failed[order[i]] = 1;
		} else {
			changed[order[i]] = 1;
		}
		free(archive);
		free(depends);
		free(url);
	}
	if (unchanged == m.npkgs && !run->failures && !run->stopped)
		printf("%zu package%s up to date in %s\n", m.npkgs, m.npkgs == 1 ? "" : "s",
		       run->env.prefix);
out:
	free(order);
	free(changed);
	free(failed);
	manifest_release(&m);
}

/*
 * The archive an operand names: a local path made absolute, or a URL's download in the
 * cache (its digest not known beforehand: the download is kept as it comes, and recorded).
 * Messages about a download name it by the URL's last component.  -1 with fail().
 */
static int operand_archive(struct install_run *run, const char *operand, char **archive)
{
	char *name;
	int ret;

	if (!downloads_is_remote(operand)) {
		*archive = path_absolute(operand);
		return *archive ? 0 : -1;
	}
	name = downloads_url_label(operand);
	ret = downloads_get(&run->downloads, name, operand, NULL, archive);
	free(name);
	return ret;
}

void install_run_paths(struct install_run *run, char **paths, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		struct install_source src = { 0 };
		char *abs, *name = NULL, *version = NULL;
		int changed;

		if (stop_before(run, paths[i]))
			break;
		if (operand_archive(run, paths[i], &abs) < 0) {
			report();
			run->failures++;
		} else if (access(abs, R_OK) < 0) {
			fail_errno("cannot open '%s'", paths[i]);
			report();
			run->failures++;
		} else if (name_archive(abs, paths[i], run->name, run->version, &name, &version) < 0) {
			report();
			run->failures++;
		} else {
			src.name = name;
			src.version = version;
			src.url = downloads_is_remote(paths[i]) ? paths[i] : abs;
			src.archive = abs;
			install_one(run, &src, &changed);
		}
		free(abs);
		free(name);
		free(version);
	}
}

void install_run_start(struct install_run *run, const struct env_config *cfg)
{
	struct activation act;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	memset(run, 0, sizeof(*run));
	activation_init(&act, cfg);
	run->envp = activated_environ(&act);
	activation_release(&act);
	run->env.prefix = cfg->prefix;
	run->env.envp = run->envp;
	run->env.jobs = cores > 0 ? (int)cores : 1;
	run->env.outside = say_outside;
	run->sandbox = SANDBOX_AUTO;
	downloads_init(&run->downloads, 0, NULL, NULL, NULL);
}

void install_run_finish(struct install_run *run)
{
	if (run->env.jobserver)
		jobserver_close(&run->js);
	environ_free(run->envp);
	sandbox_probe_release(&run->probe);
	downloads_release(&run->downloads);
}
