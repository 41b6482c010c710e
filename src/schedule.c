/* schedule.c - a run's packages downloaded and built at once, as far as their dependencies and the -j budget allow. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "install.h"
#include "installrun.h"
#include "interrupt.h"
#include "jobserver.h"
#include "pool.h"
#include "progress.h"
#include "quote.h"
#include "record.h"
#include "report.h"
#include "schedule.h"
#include "steplog.h"
#include "util.h"

/*
 * Where an item is.  The main thread moves it from one state to the next and starts its tasks;
 * a worker moves it out of LOCATING or BUILDING when its task ends.  All under sched.lock.
 */
enum sched_state {
	S_NEW,       /* nothing started */
	S_LOCATING,  /* its archive being found or downloaded, on a worker */
	S_LOCATED,   /* its archive here: waiting for its dependencies, then for a job */
	S_BUILDING,  /* built and committed, on a worker */
	/* ended, not yet reported by the main thread */
	S_LOCATE_FAILED,
	S_BUILD_ENDED,
	/* final */
	S_INSTALLED,
	S_UP_TO_DATE,
	S_FAILED,
	S_SKIPPED,
	S_STOPPED,
};

struct sched {
	struct install_run *run;
	struct sched_item *items;
	size_t n;
	pthread_mutex_t lock;
	pthread_cond_t changed; /* a task ended */
	struct pool pool;
	struct display *display;
	struct install_shared shared;
	int free_job_busy;      /* the run's own job (no token) builds a package */
	size_t downloading, tokens_held;
	int stopping;           /* a signal: nothing new starts */
	struct timespec start;
};

static int is_final(int state)
{
	return state >= S_INSTALLED;
}

/* An item that counts as installed for what depends on it. */
static int is_in(int state)
{
	return state == S_INSTALLED || state == S_UP_TO_DATE;
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void sched_item_release(struct sched_item *it)
{
	free(it->deps);
	free(it->host);
	free(it->error);
	strvec_release(&it->owned);
	strvec_release(&it->kept);
	record_release(&it->rec);
	memset(it, 0, sizeof(*it));
}

/* ---- what the main thread says ------------------------------------------------------------ */

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
 * A line of the log's tail.  Beside --progress=json's events each one starts with "| ": a build
 * that prints a JSON line must not be read as an event of cenv's.
 */
static void show_tail_line(const char *line, int quoted)
{
	char *shown = printable(line);

	fprintf(stderr, "%s%s\n", quoted ? "| " : "", shown);
	free(shown);
}

/*
 * A failed build's log, after its message: the first lines of the failed step's part of it
 * that look like errors (steplog_errors: the cause, often far from the end), then its last
 * lines.  step and from: the step that ran last, where its part began (NULL and -1: none).
 */
static void show_log(const char *log, const char *step, off_t from, int quoted)
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
			if ((nl = strchr(line, '\n')) != NULL)
				*nl = '\0';
			show_tail_line(line, quoted);
		}
	}
	free(tail);
}

/*
 * A failure's message (it->error), and for a failed build the tool logs kept of it ("cenv:
 * more in: .../zlib.d/config.log"), then its log's error lines and tail.
 */
static void report_failure(struct sched *s, struct sched_item *it)
{
	size_t i;

	error_restore(it->error);
	it->error = NULL;
	report();
	if (!it->build_failed)
		return;
	for (i = 0; i < it->kept.n; i++) {
		char *shown = printable(it->kept.v[i]);

		fprintf(stderr, "%s%s%s", i ? ", " : "cenv: more in: ", shown, i + 1 == it->kept.n ? "\n" : "");
		free(shown);
	}
	{
		char *log = install_log_path(s->run->env.prefix, it->src.name);

		show_log(log, it->step_from >= 0 ? it->step : NULL, it->step_from, s->run->progress_json);
		free(log);
	}
}

static void print_installed(const struct sched_item *it)
{
	const struct record *r = &it->rec;
	char size[SIZE_TEXT_MAX];

	size_text(size, record_size(r));
	printf("%s%s%s: installed (%s, %zu file%s, %s, %.1f s)\n", r->name, r->version ? " " : "",
	       r->version ? r->version : "", r->build, r->nfiles, r->nfiles == 1 ? "" : "s", size, it->seconds);
	fflush(stdout);
}

/* The display told of an item's state, once per change. */
static void show_state(struct sched *s, struct sched_item *it, enum pkg_state state, const char *detail)
{
	if (it->shown_state == (int)state && !detail)
		return;
	it->shown_state = (int)state;
	display_state(s->display, it->shown, state, detail);
}

/* The names of the items it still waits for, for "waiting for zlib, openssl". */
static char *waiting_for(const struct sched *s, const struct sched_item *it)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < it->ndeps; i++) {
		const struct sched_item *dep = &s->items[it->deps[i]];

		if (is_in(dep->state))
			continue;
		if (sb.len)
			sb_adds(&sb, ", ");
		sb_adds(&sb, dep->src.name ? dep->src.name : dep->label);
	}
	return sb_detach(&sb);
}

/* ---- the workers' tasks ------------------------------------------------------------------- */

static void download_progress(void *ctx, unsigned long long done, unsigned long long total)
{
	struct sched_item *it = ctx;

	display_bytes(it->sched->display, it->shown, done, total);
}

static void download_hold(void *ctx, int on)
{
	struct sched_item *it = ctx;

	if (on)
		display_hold(it->sched->display);
	else
		display_release(it->sched->display);
}

/* The shown of a download, for installrun's locate functions. */
void schedule_download_shown(struct sched_item *it, struct download_shown *shown)
{
	shown->progress = download_progress;
	shown->hold = download_hold;
	shown->ctx = it;
}

static void locate_task(void *arg)
{
	struct sched_item *it = arg;
	struct sched *s = it->sched;
	int ret = it->locate(s->run, it);
	char *why = ret < 0 ? error_take() : NULL;

	/* an archive named by its top directory: its log is known from now on */
	if (ret == 0 && !it->logged) {
		char *log = install_log_path(s->run->env.prefix, it->src.name);

		display_log(s->display, it->shown, it->src.name, log);
		free(log);
	}

	pthread_mutex_lock(&s->lock);
	it->error = why;
	it->state = ret < 0 ? S_LOCATE_FAILED : S_LOCATED;
	if (it->host)
		s->downloading--;
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

/* build_request.on_step, through install_source: the display, and the report's step. */
static void build_step(void *ctx, const char *step, off_t from)
{
	struct sched_item *it = ctx;

	snprintf(it->step, sizeof(it->step), "%s", step);
	it->step_from = from;
	display_step(it->sched->display, it->shown, step, from);
}

/*
 * The job it built on, back to the budget: the run's own job free again, or the token given
 * back.  When the run's own job frees while other builds run on tokens, one of them moves onto
 * it and gives its token back: make in the builds can use that token at once.
 */
static void give_slot(struct sched *s, struct sched_item *it)
{
	size_t i;

	pthread_mutex_lock(&s->lock);
	if (it->slot == 1) {
		s->free_job_busy = 0;
		for (i = 0; i < s->n; i++)
			if (s->items[i].slot == 2) {
				s->items[i].slot = 1;
				s->free_job_busy = 1;
				jobserver_give(&s->run->js, 1);
				s->tokens_held--;
				break;
			}
	} else if (it->slot == 2) {
		jobserver_give(&s->run->js, 1);
		s->tokens_held--;
	}
	it->slot = 0;
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

static int build_and_commit(struct sched *s, struct sched_item *it)
{
	const struct install_env *env = &s->run->env;
	struct install_staged staged;
	struct record old;
	int have_old = record_load(env->prefix, it->src.name, &old) == 0, ret;
	char *why;

	/* a damaged record (the message names it) or one that cannot be read */
	if (!have_old && errno != ENOENT) {
		give_slot(s, it);
		return -1;
	}
	it->src.on_step = build_step;
	it->src.step_ctx = it;
	ret = install_prepare(env, &it->src, &staged, &it->build_failed, &it->kept);
	/* the compilers are done: the next build may start while this one commits */
	give_slot(s, it);
	if (ret == 0) {
		display_state(s->display, it->shown, PKG_INSTALLING, NULL);
		ret = install_commit(env, &it->src, &staged, have_old ? &old : NULL);
		if (ret == 0) {
			it->rec = staged.rec; /* handed over */
			memset(&staged.rec, 0, sizeof(staged.rec));
		}
		why = ret < 0 ? error_take() : NULL; /* not lost to the cleanup */
		install_staged_release(env, it->src.name, &staged);
		if (why)
			error_restore(why);
	}
	if (have_old)
		record_release(&old);
	return ret;
}

static void build_task(void *arg)
{
	struct sched_item *it = arg;
	struct sched *s = it->sched;
	int ret = build_and_commit(s, it);
	char *why = ret < 0 ? error_take() : NULL;

	pthread_mutex_lock(&s->lock);
	it->error = why;
	it->state = S_BUILD_ENDED;
	pthread_cond_signal(&s->changed);
	pthread_mutex_unlock(&s->lock);
}

/* ---- the main thread's loop --------------------------------------------------------------- */

static size_t downloads_to(const struct sched *s, const char *host)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += s->items[i].state == S_LOCATING && s->items[i].host && !strcmp(s->items[i].host, host);
	return n;
}

/*
 * Whether another item downloads the same archive now (two sections of one tarball, each its
 * subdir): this one waits for it, and then finds it in the cache, rather than waiting on the
 * cache's lock as for another process.
 */
static int same_archive_coming(const struct sched *s, const struct sched_item *it)
{
	size_t i;

	for (i = 0; it->src.sha256 && i < s->n; i++)
		if (&s->items[i] != it && s->items[i].state == S_LOCATING && s->items[i].src.sha256 &&
		    !strcmp(s->items[i].src.sha256, it->src.sha256))
			return 1;
	return 0;
}

static void start_task(struct sched *s, struct sched_item *it, void (*run)(void *))
{
	if (it->started.tv_sec == 0 && it->started.tv_nsec == 0)
		clock_gettime(CLOCK_MONOTONIC, &it->started);
	it->task.run = run;
	it->task.arg = it;
	pool_submit(&s->pool, &it->task);
}

/* Its archive looked for: a download within the limits, a local archive always.  1 when started. */
static int start_locate(struct sched *s, struct sched_item *it)
{
	/* -j 1: one package at a time, its download included, as cenv always did */
	size_t most = s->run->env.jobs == 1 ? 1 : SCHED_DOWNLOADS;

	if (it->host && (s->downloading >= most || downloads_to(s, it->host) >= SCHED_PER_HOST ||
			 same_archive_coming(s, it)))
		return 0;
	if (it->host) {
		s->downloading++;
		show_state(s, it, PKG_DOWNLOADING, NULL);
	}
	it->state = S_LOCATING;
	start_task(s, it, locate_task);
	return 1;
}

/*
 * A job of the budget for a build: the run's own if free, else a token taken without waiting
 * (the loop comes back soon to try again).  1 when it has one.
 */
static int take_slot(struct sched *s, struct sched_item *it)
{
	/* no build's compilers run and cenv holds no token: what a killed make took is put back */
	if (!s->free_job_busy && !s->tokens_held && jobserver_active(&s->run->js))
		jobserver_refill(&s->run->js);
	if (!s->free_job_busy) {
		s->free_job_busy = 1;
		it->slot = 1;
		return 1;
	}
	/*
	 * Without the sandbox a build's stray write into the environment is seen only by the look
	 * around it (envwatch), which cannot tell whose it is while another build runs beside it:
	 * then one at a time, each with the whole budget for its make.
	 */
	if (!s->run->env.bwrap)
		return 0;
	if (jobserver_active(&s->run->js) && jobserver_take_free(&s->run->js, 1) == 1) {
		s->tokens_held++;
		it->slot = 2;
		return 1;
	}
	return 0;
}

/* The dependency that failed, was skipped or stopped, or NULL. */
static const struct sched_item *failed_dep(const struct sched *s, const struct sched_item *it)
{
	size_t i;

	for (i = 0; i < it->ndeps; i++) {
		const struct sched_item *dep = &s->items[it->deps[i]];

		if (dep->state == S_FAILED || dep->state == S_SKIPPED || dep->state == S_STOPPED ||
		    dep->state == S_LOCATE_FAILED || (dep->state == S_BUILD_ENDED && dep->error))
			return dep;
	}
	return NULL;
}

/*
 * Whether an item before it of the same name is not done yet: two archives given on the command
 * line may name one package, and the later one replaces the earlier, in their order, never at once.
 */
static int name_busy(const struct sched *s, const struct sched_item *it)
{
	const struct sched_item *other;

	if (!it->named_late)
		return 0; /* a manifest's names are its own, each once */
	for (other = s->items; other < it; other++) {
		if (is_final(other->state))
			continue;
		/* one still being located has no name yet (its worker is writing it) */
		if (other->state <= S_LOCATING || !other->src.name || !strcmp(other->src.name, it->src.name))
			return 1;
	}
	return 0;
}

static int deps_in(const struct sched *s, const struct sched_item *it)
{
	size_t i;

	for (i = 0; i < it->ndeps; i++)
		if (!is_in(s->items[it->deps[i]].state))
			return 0;
	return 1;
}

/* An ended task's item made final and said (main thread, lock held; printing under the display's hold). */
static void settle(struct sched *s, struct sched_item *it)
{
	struct install_run *run = s->run;
	struct display_result r = { 0 };
	char *log = NULL;

	it->seconds = seconds_since(&it->started);
	/* the display first: -v's last lines of the build come before what is said of its end */
	if (it->state == S_BUILD_ENDED && !it->error) {
		r.build = it->rec.build;
		r.files = it->rec.nfiles;
		r.bytes = record_size(&it->rec);
		display_done(s->display, it->shown, PKG_INSTALLED, &r);
		display_hold(s->display);
		print_installed(it);
		display_release(s->display);
		it->state = S_INSTALLED;
		run->changes++;
	} else if (interrupt_requested()) {
		/* spawn stopped the build's group, or fetch its download; the work area and the .part are gone */
		display_done(s->display, it->shown, PKG_STOPPED, NULL);
		free(it->error);
		it->error = NULL;
		it->state = S_STOPPED;
		run->failures++;
	} else {
		log = it->build_failed ? install_log_path(run->env.prefix, it->src.name) : NULL;
		r.log = log;
		r.error = it->error;
		display_done(s->display, it->shown, PKG_FAILED, &r);
		display_hold(s->display);
		report_failure(s, it);
		display_release(s->display);
		it->state = S_FAILED;
		run->failures++;
		free(log);
	}
}

static void skip(struct sched *s, struct sched_item *it, const struct sched_item *dep)
{
	struct display_result r = { 0 };
	const char *because = dep->src.name ? dep->src.name : dep->label;

	display_hold(s->display);
	fprintf(stderr, "cenv: %s: not installed, a package it depends on failed (%s)\n",
		it->src.name ? it->src.name : it->label, because);
	display_release(s->display);
	r.because = because;
	display_done(s->display, it->shown, PKG_SKIPPED, &r);
	it->state = S_SKIPPED;
	s->run->failures++;
}

/* One pass over the items, in order: what can move on does.  1 when something changed. */
static int step_items(struct sched *s)
{
	size_t i;
	int moved = 0;

	for (i = 0; i < s->n; i++) {
		struct sched_item *it = &s->items[i];
		const struct sched_item *dep;

		switch (it->state) {
		case S_LOCATE_FAILED:
		case S_BUILD_ENDED:
			settle(s, it);
			moved = 1;
			break;
		case S_NEW:
			if (s->stopping) {
				it->state = S_STOPPED;
				display_done(s->display, it->shown, PKG_STOPPED, NULL);
				moved = 1;
			} else if ((dep = failed_dep(s, it)) != NULL && is_final(dep->state)) {
				skip(s, it, dep);
				moved = 1;
			} else if (start_locate(s, it)) {
				moved = 1;
			}
			break;
		case S_LOCATED:
			if (s->stopping) {
				it->state = S_STOPPED;
				display_done(s->display, it->shown, PKG_STOPPED, NULL);
				moved = 1;
			} else if ((dep = failed_dep(s, it)) != NULL) {
				if (is_final(dep->state)) {
					skip(s, it, dep);
					moved = 1;
				}
			} else if (!deps_in(s, it) || name_busy(s, it)) {
				char *names = waiting_for(s, it);

				if (it->shown_state != PKG_WAITING)
					show_state(s, it, PKG_WAITING, names);
				free(names);
			} else if (take_slot(s, it)) {
				it->state = S_BUILDING;
				it->step_from = -1;
				show_state(s, it, PKG_BUILDING, NULL);
				start_task(s, it, build_task);
				moved = 1;
			} else {
				show_state(s, it, PKG_QUEUED, NULL);
			}
			break;
		}
	}
	return moved;
}

static int all_final(const struct sched *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!is_final(s->items[i].state))
			return 0;
	return 1;
}

/* Whether an item waits for a job of the budget: then the loop looks again soon for a free token. */
static int waits_for_job(const struct sched *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->items[i].shown_state == PKG_QUEUED && s->items[i].state == S_LOCATED)
			return 1;
	return 0;
}

static void wait_a_little(struct sched *s, long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&s->changed, &s->lock, &until);
}

static void run_loop(struct sched *s)
{
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (interrupt_requested())
			s->stopping = 1;
		while (step_items(s))
			;
		if (all_final(s))
			break;
		/* a token freed by a make inside a build wakes nobody: look again soon */
		wait_a_little(s, waits_for_job(s) ? 20 : 200);
	}
	pthread_mutex_unlock(&s->lock);
}

/* The items stopped by a signal, said in one line: the builds it stopped, or where it came. */
static void say_stopped(struct sched *s)
{
	struct strbuf names = STRBUF_INIT;
	const char *first_left = NULL;
	size_t i, nstopped = 0;
	char buf[64];

	for (i = 0; i < s->n; i++) {
		struct sched_item *it = &s->items[i];

		if (it->state != S_STOPPED)
			continue;
		if (it->started.tv_sec || it->started.tv_nsec) {
			sb_addf(&names, "%s'%s'", nstopped ? ", " : "", it->src.name ? it->src.name : it->label);
			nstopped++;
		} else if (!first_left) {
			first_left = it->src.name ? it->src.name : it->label;
		}
	}
	if (!s->run->changes)
		snprintf(buf, sizeof(buf), "nothing was changed");
	else
		snprintf(buf, sizeof(buf), "the %d change%s made before it stay%s", s->run->changes,
			 s->run->changes == 1 ? "" : "s", s->run->changes == 1 ? "s" : "");
	if (nstopped)
		say_interrupted("install", interrupt_requested(), ": stopped the build%s of %s; %s",
				nstopped == 1 ? "" : "s", sb_str(&names), buf);
	else
		say_interrupted("install", interrupt_requested(), " before '%s'; %s",
				first_left ? first_left : "the first package", buf);
	s->run->stopped = 1;
	sb_release(&names);
}

/* At the end of a run of several packages: what became of them, and every failure with its log. */
static void summarize(struct sched *s)
{
	size_t i, installed = 0, up_to_date = 0, failed = 0, skipped = 0;
	struct strbuf fails = STRBUF_INIT;

	for (i = 0; i < s->n; i++) {
		const struct sched_item *it = &s->items[i];
		const char *name = it->src.name ? it->src.name : it->label;

		installed += it->state == S_INSTALLED;
		up_to_date += it->state == S_UP_TO_DATE;
		if (it->state == S_FAILED) {
			char *log = it->build_failed ? install_log_path(s->run->env.prefix, name) : NULL;

			failed++;
			sb_addf(&fails, "%s%s", fails.len ? ", " : "", name);
			if (log)
				sb_addf(&fails, " (log: %s)", log);
			free(log);
		} else if (it->state == S_SKIPPED) {
			skipped++;
			sb_addf(&fails, "%s%s (not built)", fails.len ? ", " : "", name);
		}
	}
	if (s->n > 1 && (installed || failed || skipped)) {
		printf("%zu installed, %zu up to date, %zu failed", installed, up_to_date, failed + skipped);
		printf(" in %.1f s\n", seconds_since(&s->start));
		fflush(stdout);
	}
	if (s->n > 1 && (failed || skipped))
		fprintf(stderr, "cenv: not installed: %s\n", sb_str(&fails));
	sb_release(&fails);
}

static enum display_mode display_mode(const struct install_run *run, FILE **term)
{
	*term = progress_terminal(run->downloads.quiet || run->progress_plain);
	if (run->progress_json)
		return DISPLAY_JSON;
	return *term ? DISPLAY_TERMINAL : DISPLAY_PLAIN;
}

void schedule_run(struct install_run *run, struct sched_item *items, size_t n)
{
	struct sched s;
	size_t i, workers;
	FILE *term;
	enum display_mode mode = display_mode(run, &term);

	memset(&s, 0, sizeof(s));
	s.run = run;
	s.items = items;
	s.n = n;
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.changed, NULL);
	install_shared_init(&s.shared);
	run->env.shared = &s.shared;
	s.display = display_new(mode, term, run->verbose);
	run->env.say_ctx = s.display;
	for (i = 0; i < n; i++) {
		struct sched_item *it = &items[i];
		char *log = it->src.name ? install_log_path(run->env.prefix, it->src.name) : NULL;

		it->sched = &s;
		it->shown_state = -1;
		it->step_from = -1;
		it->shown = display_add(s.display, it->src.name ? it->src.name : it->label, it->src.version, log);
		it->logged = log != NULL;
		free(log);
		if (it->up_to_date) {
			it->state = S_UP_TO_DATE;
			display_done(s.display, it->shown, PKG_UP_TO_DATE, NULL);
		}
	}
	/* builds beyond the first take tokens; downloads have their own limit */
	workers = (size_t)(run->env.jobs > 0 ? run->env.jobs : 1) + SCHED_DOWNLOADS;
	if (workers > n + 1)
		workers = n + 1;
	if (pool_start(&s.pool, workers) < 0) {
		report();
		run->failures++;
	} else {
		run_loop(&s);
		pool_stop(&s.pool);
	}
	display_finish(s.display);
	install_work_tidy(run->env.prefix);
	if (interrupt_requested())
		say_stopped(&s);
	summarize(&s);
	display_free(s.display);
	run->env.say_ctx = NULL;
	run->env.shared = NULL;
	install_shared_release(&s.shared);
	pthread_cond_destroy(&s.changed);
	pthread_mutex_destroy(&s.lock);
}
