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
#include "display.h"
#include "downloads.h"
#include "error.h"
#include "install.h"
#include "jobserver.h"
#include "interrupt.h"
#include "manifest.h"
#include "naming.h"
#include "quote.h"
#include "record.h"
#include "report.h"
#include "schedule.h"
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

/* ctx: the display of the run (schedule.c), or NULL */
void install_run_say_note(void *ctx, const char *name, const char *line)
{
	if (ctx)
		display_hold(ctx);
	fprintf(stderr, "cenv: %s: %s\n", name, line);
	if (ctx)
		display_release(ctx);
}

/* install_env.outside: the files a package staged outside the environment, a few of them named. */
static void say_outside(void *ctx, const char *name, char *const *paths, size_t n, const char *log)
{
	char *list = stagecheck_list(paths, n, 3);

	if (ctx)
		display_hold(ctx);
	fprintf(stderr, "cenv: warning: %s: %zu file%s staged outside the environment %s not installed: %s "
		"(log: %s)\n", name, n, n == 1 ? "" : "s", n == 1 ? "was" : "were", list, log);
	if (ctx)
		display_release(ctx);
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

/* 1 when p's archive is a local file (one of its local urls exists). */
static int has_local_source(const struct manifest *m, const struct package_spec *p)
{
	char *local = manifest_source_path(m, p);
	int have = local != NULL;

	free(local);
	return have;
}

/* A string the item owns, given back for src to point at. */
static const char *own(struct sched_item *it, char *s)
{
	if (!s)
		return NULL;
	strvec_push_owned(&it->owned, s);
	return s;
}

static void source_from_spec(const struct manifest *m, const struct package_spec *p, struct sched_item *it)
{
	struct install_source *src = &it->src;

	memset(src, 0, sizeof(*src));
	src->name = p->name;
	src->version = p->version;
	src->url = own(it, recorded_url(m, p));
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
	src->depends = own(it, depends_string(p));
}

/* "host:port" of an http(s) url, or NULL. */
static char *url_host(const char *url)
{
	const char *h = !strncmp(url, "http://", 7) ? url + 7 : !strncmp(url, "https://", 8) ? url + 8 : NULL;
	const char *at, *end;

	if (!h)
		return NULL;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	if (at)
		h = at + 1;
	return xasprintf("%.*s", (int)(end - h), h);
}

/*
 * Where p's download goes first, for the per-host limit: the first mirror when the entry has a
 * sha256 (download.c asks the mirrors first), else its first remote url.  NULL: no download.
 */
static char *first_host(const struct install_run *run, const struct manifest *m, const struct package_spec *p)
{
	size_t i;

	if (!has_remote_url(p) || has_local_source(m, p))
		return NULL;
	if (p->sha256 && run->downloads.mirrors.n)
		return url_host(run->downloads.mirrors.v[0]);
	for (i = 0; i < p->nurls; i++)
		if (manifest_url_is_remote(p->urls[i]))
			return url_host(p->urls[i]);
	return NULL;
}

/*
 * sched_item.locate of a manifest entry: its local path, or, for an http(s) url, the download
 * cache's file, downloaded now if it is not there.  0, or -1 with fail().
 */
static int locate_entry(struct install_run *run, struct sched_item *it)
{
	const struct manifest *m = it->manifest;
	const struct package_spec *p = it->spec;
	struct download_shown shown;
	char *archive = manifest_source_path(m, p);

	if (!archive && !has_remote_url(p))
		return fail("%s: '%s': only local files, file://, http:// and https:// URLs can be installed",
			    p->name, p->url);
	if (!archive) {
		schedule_download_shown(it, &shown);
		if (downloads_get_urls_shown(&run->downloads, p->name, (const char *const *)p->urls, p->nurls,
					     p->sha256, &archive, NULL, &shown) < 0)
			return -1;
	}
	it->src.archive = own(it, archive);
	return 0;
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

/*
 * The items through the scheduler, after what must happen once before its threads start:
 * the sandbox looked at, the download cache opened and libcurl set up.
 */
static void run_items(struct install_run *run, struct sched_item *items, size_t n)
{
	size_t i;
	int remote = 0;

	settle_sandbox(run);
	/*
	 * The -j budget, once per run, with the jobs the manifest may have set.  Without a
	 * jobserver (no /proc to open it through) one package builds at a time, with make -jN.
	 */
	if (!run->env.jobserver) {
		if (jobserver_open(&run->js, run->env.jobs < JOBSERVER_MAX ? run->env.jobs : JOBSERVER_MAX) < 0)
			fprintf(stderr, "cenv: warning: %s: one package is built at a time, with make -j%d\n",
				last_error(), run->env.jobs);
		run->env.jobserver = &run->js;
	}
	for (i = 0; i < n; i++)
		remote |= items[i].host != NULL;
	if (remote)
		downloads_prepare(&run->downloads); /* a failure is said by each download */
	schedule_run(run, items, n);
}

void install_run_manifest(struct install_run *run, const char *file, int do_prune)
{
	struct manifest m;
	size_t *order, i, j, unchanged = 0, *item_of = NULL;
	struct sched_item *items = NULL;
	char *needed = NULL;

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
	order = xmalloc((m.npkgs ? m.npkgs : 1) * sizeof(*order));
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
	needed = needed_packages(run, &m, order);
	items = xcalloc(m.npkgs ? m.npkgs : 1, sizeof(*items));
	item_of = xcalloc(m.npkgs ? m.npkgs : 1, sizeof(*item_of));
	for (i = 0; i < m.npkgs; i++) {
		const struct package_spec *p = &m.pkgs[order[i]];
		struct sched_item *it = &items[i];

		item_of[order[i]] = i;
		it->label = p->name;
		it->spec = p;
		it->manifest = &m;
		it->locate = locate_entry;
		it->up_to_date = !needed[order[i]];
		unchanged += (size_t)it->up_to_date;
		source_from_spec(&m, p, it);
		it->deps = xcalloc(p->ndepends ? p->ndepends : 1, sizeof(*it->deps));
		for (j = 0; j < p->ndepends; j++)
			it->deps[j] = item_of[p->dep_index[j]]; /* ordered: every dependency is before it */
		it->ndeps = p->ndepends;
		if (!it->up_to_date)
			it->host = first_host(run, &m, p);
	}
	if (unchanged < m.npkgs)
		run_items(run, items, m.npkgs);
	for (i = 0; i < m.npkgs; i++)
		sched_item_release(&items[i]);
	free(items);
	free(item_of);
	free(needed);
	if (unchanged == m.npkgs && !run->failures && !run->stopped)
		printf("%zu package%s up to date in %s\n", m.npkgs, m.npkgs == 1 ? "" : "s",
		       run->env.prefix);
out:
	free(order);
	manifest_release(&m);
}

/*
 * The archive an operand names: a local path made absolute, or a URL's download in the
 * cache (its digest not known beforehand: the download is kept as it comes, and recorded).
 * Messages about a download name it by the URL's last component.  -1 with fail().
 */
static int operand_archive(struct install_run *run, struct sched_item *it, const char *operand, char **archive)
{
	struct download_shown shown;

	if (!downloads_is_remote(operand)) {
		*archive = path_absolute(operand);
		return *archive ? 0 : -1;
	}
	schedule_download_shown(it, &shown);
	return downloads_get_urls_shown(&run->downloads, it->label, &operand, 1, NULL, archive, NULL, &shown);
}

/* sched_item.locate of an operand: its archive, then its name and version from its top directory. */
static int locate_operand(struct install_run *run, struct sched_item *it)
{
	const char *operand = it->spec;
	char *abs, *name = NULL, *version = NULL;

	if (operand_archive(run, it, operand, &abs) < 0)
		return -1;
	own(it, abs);
	if (access(abs, R_OK) < 0)
		return fail_errno("cannot open '%s'", operand);
	if (name_archive(abs, operand, run->name, run->version, &name, &version) < 0)
		return -1;
	it->src.name = own(it, name);
	it->src.version = own(it, version);
	it->src.url = downloads_is_remote(operand) ? operand : abs;
	it->src.archive = abs;
	return 0;
}

void install_run_paths(struct install_run *run, char **paths, int n)
{
	struct sched_item *items = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*items));
	int i;

	for (i = 0; i < n; i++) {
		struct sched_item *it = &items[i];

		it->label = own(it, downloads_is_remote(paths[i]) ? downloads_url_label(paths[i])
								 : path_basename(paths[i]));
		it->spec = paths[i];
		it->named_late = 1;
		it->locate = locate_operand;
		it->host = downloads_is_remote(paths[i]) ? url_host(paths[i]) : NULL;
	}
	if (n > 0)
		run_items(run, items, (size_t)n);
	for (i = 0; i < n; i++)
		sched_item_release(&items[i]);
	free(items);
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
