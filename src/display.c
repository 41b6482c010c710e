/* display.c - what `cenv install` shows of a run of several packages at once: a live block on a terminal, plain lines or JSON events elsewhere. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "display.h"
#include "error.h"
#include "json.h"
#include "logfollow.h"
#include "progress.h"
#include "quote.h"
#include "steplog.h"
#include "util.h"

#define BAR_WIDTH 20
#define NAME_COLUMNS_MAX 24 /* a longer name is cut in the block's name column */

struct pkg {
	char *name;     /* as given (JSON) */
	char *shown;    /* printable (the block, the plain and -v lines) */
	char *log_path;
	enum pkg_state state;
	char *detail;   /* waiting: for whom */
	char step[64];  /* building: the step running; "" before the first */
	unsigned long long done, total;
	struct timespec since; /* building: when it began */
	/* JSON: download events at most every DISPLAY_EVERY_MS, the last bytes never lost */
	struct timespec bytes_sent_at;
	int bytes_sent, bytes_unsent;
	/* -v: its log, from its first step */
	int following;
	struct logfollow log;
};

struct display {
	enum display_mode mode;
	FILE *term;           /* the live block's terminal (DISPLAY_TERMINAL) */
	int verbose;
	int env_cols, env_rows; /* COLUMNS and LINES, read before the thread starts */
	struct timespec start;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t wake;  /* the ticker's: stop */
	pthread_cond_t unheld; /* hold_depth back to 0 */
	struct pkg *pkgs;
	size_t n, cap;
	size_t installed, up_to_date, failed, skipped, stopped;
	int running, stop;
	pthread_t thread;
	int hold_depth;
	pthread_t holder;
	struct strbuf pending; /* lines for stderr that came while another thread held */
	int drawn;             /* lines of the live block on the terminal now (the cursor at the end of its last) */
	struct strbuf last;    /* their text */
	int cursor_hidden;
	int finished;
};

const char *pkg_state_name(enum pkg_state s)
{
	static const char *const names[] = {
		[PKG_PENDING] = "pending",       [PKG_WAITING] = "waiting",     [PKG_DOWNLOADING] = "downloading",
		[PKG_QUEUED] = "queued",         [PKG_BUILDING] = "building",   [PKG_INSTALLING] = "installing",
		[PKG_INSTALLED] = "installed",   [PKG_UP_TO_DATE] = "up-to-date", [PKG_FAILED] = "failed",
		[PKG_SKIPPED] = "skipped",       [PKG_STOPPED] = "stopped",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) && names[s] ? names[s] : "unknown";
}

/* sb emptied, its buffer kept. */
static void sb_empty(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

static long ms_between(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) * 1000 + (to->tv_nsec - from->tv_nsec) / 1000000;
}

static long ms_since(const struct timespec *from)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ms_between(from, &now);
}

double display_elapsed(const struct display *d)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - d->start.tv_sec) + (double)(now.tv_nsec - d->start.tv_nsec) / 1e9;
}

static int active(enum pkg_state s)
{
	return s >= PKG_WAITING && s <= PKG_INSTALLING;
}

/* Another thread holds the display: what this one has for stderr waits for its release. */
static int held_by_other(const struct display *d)
{
	return d->hold_depth > 0 && !pthread_equal(d->holder, pthread_self());
}

/* ---- the live block ---------------------------------------------------------------------- */

static void write_term(struct display *d, const struct strbuf *sb)
{
	if (!sb->len)
		return;
	fwrite(sb->buf, 1, sb->len, d->term);
	fflush(d->term);
}

/* The block off the screen: its lines erased from the last up, the cursor where its first began. */
static void erase_block(struct display *d, struct strbuf *out)
{
	int i;

	if (!d->drawn)
		return;
	sb_adds(out, "\r\033[K");
	for (i = 1; i < d->drawn; i++)
		sb_adds(out, "\033[A\033[K");
	d->drawn = 0;
}

static void clear_block(struct display *d)
{
	struct strbuf out = STRBUF_INIT;

	erase_block(d, &out);
	write_term(d, &out);
	sb_release(&out);
}

/* One line of the block, cut to cols columns, into out (no newline). */
static void add_cut(struct strbuf *out, const char *text, int cols)
{
	sb_add(out, text, progress_fit(text, cols > 0 ? (size_t)cols : 0));
}

/* What the package's line says after its name. */
static void state_text(const struct pkg *p, struct strbuf *sb)
{
	char a[32], b[32], bar[BAR_WIDTH + 1];

	switch (p->state) {
	case PKG_WAITING:
		sb_adds(sb, "waiting");
		if (p->detail && *p->detail)
			sb_addf(sb, " for %s", p->detail);
		break;
	case PKG_DOWNLOADING:
		sb_adds(sb, "downloading");
		if (!p->done && !p->total)
			break;
		progress_size(a, sizeof(a), p->done);
		if (p->total) {
			progress_size(b, sizeof(b), p->total);
			progress_bar(bar, BAR_WIDTH, p->done, p->total);
			sb_addf(sb, "  %s / %s [%s]", a, b, bar);
		} else {
			sb_addf(sb, "  %s", a);
		}
		break;
	case PKG_QUEUED:
		sb_adds(sb, "waiting for a job (-j)");
		break;
	case PKG_BUILDING:
		progress_clock(a, sizeof(a), ms_since(&p->since) / 1000);
		if (*p->step)
			sb_addf(sb, "building (%s) %s", p->step, a);
		else
			sb_addf(sb, "building %s", a);
		break;
	case PKG_INSTALLING:
		sb_adds(sb, "installing");
		break;
	default:
		sb_adds(sb, pkg_state_name(p->state));
	}
}

/* "3/7 installed · 2 building · 1 downloading · 0:12" */
static void total_text(const struct display *d, struct strbuf *sb)
{
	size_t building = 0, downloading = 0, waiting = 0, i;
	char clock[32];

	for (i = 0; i < d->n; i++) {
		enum pkg_state s = d->pkgs[i].state;

		building += s == PKG_BUILDING || s == PKG_INSTALLING;
		downloading += s == PKG_DOWNLOADING;
		waiting += s == PKG_WAITING || s == PKG_QUEUED;
	}
	sb_addf(sb, "%zu/%zu installed", d->installed + d->up_to_date, d->n);
	if (d->failed)
		sb_addf(sb, " · %zu failed", d->failed);
	if (d->skipped)
		sb_addf(sb, " · %zu skipped", d->skipped);
	if (d->stopped)
		sb_addf(sb, " · %zu stopped", d->stopped);
	if (building)
		sb_addf(sb, " · %zu building", building);
	if (downloading)
		sb_addf(sb, " · %zu downloading", downloading);
	if (waiting)
		sb_addf(sb, " · %zu waiting", waiting);
	progress_clock(clock, sizeof(clock), ms_since(&d->start) / 1000);
	sb_addf(sb, " · %s", clock);
}

/* The characters of s's first len bytes (UTF-8). */
static int chars(const char *s, size_t len)
{
	int c = 0;
	size_t i;

	for (i = 0; i < len; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* The size in characters of a name column wide enough for every package (up to a limit). */
static int name_columns(const struct display *d)
{
	int w = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		int c = chars(d->pkgs[i].shown, strlen(d->pkgs[i].shown));

		if (c > w)
			w = c;
	}
	return w < NAME_COLUMNS_MAX ? w : NAME_COLUMNS_MAX;
}

/*
 * The block drawn (after erasing the old one): a line per active package, in the order they
 * were added, then the total line; at most rows - 1 lines in all, so it never scrolls itself
 * (the packages beyond: "… and N more").  Every line cut one column short of the width, so
 * that no terminal wraps it (a wrapped line would break the erasing by lines).
 */
static int compose_block(const struct display *d, struct strbuf *out)
{
	struct strbuf line = STRBUF_INIT;
	int cols, rows, width, names = name_columns(d), room, shown = 0, lines = 0;
	size_t nactive = 0, i;

	progress_term_size(fileno(d->term), d->env_cols, d->env_rows, &cols, &rows);
	width = cols - 1;
	room = rows - 2; /* package lines, the "more" one included */
	if (room < 0)
		room = 0;
	for (i = 0; i < d->n; i++)
		nactive += active(d->pkgs[i].state);
	for (i = 0; i < d->n; i++) {
		const struct pkg *p = &d->pkgs[i];
		size_t len;
		int c;

		if (!active(p->state))
			continue;
		if ((size_t)room < nactive && shown == room - 1) {
			sb_empty(&line);
			sb_addf(&line, "… and %zu more", nactive - (size_t)shown);
			add_cut(out, sb_str(&line), width);
			sb_adds(out, "\033[K\n");
			lines++;
			break;
		}
		if (shown == room)
			break;
		sb_empty(&line);
		len = progress_fit(p->shown, (size_t)names);
		sb_add(&line, p->shown, len);
		for (c = chars(p->shown, len); c < names; c++) /* the name padded to its column */
			sb_addc(&line, ' ');
		sb_adds(&line, "  ");
		state_text(p, &line);
		add_cut(out, sb_str(&line), width);
		sb_adds(out, "\033[K\n");
		lines++;
		shown++;
	}
	sb_empty(&line);
	total_text(d, &line);
	add_cut(out, sb_str(&line), width);
	sb_adds(out, "\033[K");
	sb_release(&line);
	return lines + 1;
}

/* The block drawn again in place of the old one, unless it would look the same. */
static void draw_block(struct display *d)
{
	struct strbuf block = STRBUF_INIT, out = STRBUF_INIT;
	int lines = compose_block(d, &block);

	if (d->drawn && !strcmp(sb_str(&block), sb_str(&d->last))) {
		sb_release(&block);
		return;
	}
	erase_block(d, &out);
	if (!d->cursor_hidden) {
		sb_adds(&out, "\033[?25l");
		d->cursor_hidden = 1;
	}
	sb_add(&out, block.buf, block.len);
	write_term(d, &out);
	d->drawn = lines;
	sb_release(&d->last);
	d->last = block;
	sb_release(&out);
}

/* ---- -v: the logs of the building packages ----------------------------------------------- */

struct vlines {
	const struct pkg *p;
	struct strbuf *out;
};

static void add_vline(void *ctx, const char *text, int cut)
{
	struct vlines *v = ctx;
	char *shown = printable(text);

	sb_addf(v->out, "%s| %s%s\n", v->p->shown, shown, cut ? "..." : "");
	free(shown);
}

/* The package's new log lines, "NAME| text", into out; at_end its last one without a newline too. */
static void read_log(struct pkg *p, int at_end, struct strbuf *out)
{
	struct vlines v = { p, out };

	if (p->following)
		logfollow_read(&p->log, at_end, add_vline, &v);
}

static void stop_following(struct pkg *p, struct strbuf *out)
{
	if (!p->following)
		return;
	read_log(p, 1, out);
	logfollow_release(&p->log);
	p->following = 0;
}

/*
 * Lines for stderr (-v's, plain events, JSON events): written now, the block erased first
 * (the ticker draws it again), or kept for the release when another thread holds the display.
 */
static void emit(struct display *d, struct strbuf *lines)
{
	if (!lines->len)
		return;
	if (held_by_other(d)) {
		sb_add(&d->pending, lines->buf, lines->len);
		return;
	}
	if (d->mode == DISPLAY_TERMINAL && d->term)
		clear_block(d);
	fwrite(lines->buf, 1, lines->len, stderr);
	fflush(stderr);
}

/* ---- the ticker thread --------------------------------------------------------------------- */

/* One look, under the lock: -v's new lines, then the block drawn again. */
static void tick(struct display *d)
{
	struct strbuf lines = STRBUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++)
		read_log(&d->pkgs[i], 0, &lines);
	emit(d, &lines);
	if (d->mode == DISPLAY_TERMINAL && ms_since(&d->start) >= DISPLAY_DELAY_MS)
		draw_block(d);
	sb_release(&lines);
}

static void *ticker(void *arg)
{
	struct display *d = arg;
	struct timespec until;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += DISPLAY_EVERY_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!d->stop && pthread_cond_timedwait(&d->wake, &d->lock, &until) == 0)
			;
		if (!d->stop && !d->hold_depth)
			tick(d);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* ---- JSON events --------------------------------------------------------------------------- */

static void json_begin(const struct display *d, struct strbuf *sb, const struct pkg *p, const char *state)
{
	sb_addf(sb, "{\"time\":%.3f,", display_elapsed(d));
	if (p) {
		sb_adds(sb, "\"package\":");
		json_add_string(sb, p->name);
		sb_addc(sb, ',');
	}
	sb_adds(sb, "\"state\":");
	json_add_string(sb, state);
}

static void json_field(struct strbuf *sb, const char *key, const char *value)
{
	if (!value)
		return;
	sb_addf(sb, ",\"%s\":", key);
	json_add_string(sb, value);
}

static void json_bytes(struct display *d, struct pkg *p, struct strbuf *sb)
{
	json_begin(d, sb, p, "downloading");
	sb_addf(sb, ",\"bytes\":%llu", p->done);
	if (p->total)
		sb_addf(sb, ",\"total\":%llu", p->total);
	else
		sb_adds(sb, ",\"total\":null");
	sb_adds(sb, "}\n");
	clock_gettime(CLOCK_MONOTONIC, &p->bytes_sent_at);
	p->bytes_sent = 1;
	p->bytes_unsent = 0;
}

/* The download's last bytes, when a throttled event kept them back. */
static void json_bytes_flush(struct display *d, struct pkg *p, struct strbuf *sb)
{
	if (d->mode == DISPLAY_JSON && p->bytes_unsent)
		json_bytes(d, p, sb);
}

/* ---- the interface --------------------------------------------------------------------------- */

struct display *display_new(enum display_mode mode, FILE *term, int verbose)
{
	struct display *d = xmalloc(sizeof(*d));
	pthread_condattr_t attr;
	sigset_t all, old;

	memset(d, 0, sizeof(*d));
	if (mode == DISPLAY_TERMINAL && !term)
		mode = DISPLAY_PLAIN;
	d->mode = mode;
	d->term = term;
	d->verbose = verbose;
	d->env_cols = progress_env_int("COLUMNS");
	d->env_rows = progress_env_int("LINES");
	clock_gettime(CLOCK_MONOTONIC, &d->start);
	sb_init(&d->pending);
	sb_init(&d->last);
	pthread_mutex_init(&d->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&d->unheld, NULL);
	if (mode != DISPLAY_TERMINAL && !verbose)
		return d;
	/* the signals stay the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d->running = pthread_create(&d->thread, NULL, ticker, d) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!d->running && mode == DISPLAY_TERMINAL)
		d->mode = DISPLAY_PLAIN; /* nothing live without the thread */
	return d;
}

size_t display_add(struct display *d, const char *name, const char *version, const char *log_path)
{
	struct pkg *p;
	size_t i;

	(void)version; /* the block and the events name the package; the caller's lines say the version */
	pthread_mutex_lock(&d->lock);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 16;
		d->pkgs = xrealloc(d->pkgs, d->cap * sizeof(*d->pkgs));
	}
	i = d->n++;
	p = &d->pkgs[i];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->shown = printable(name);
	p->log_path = log_path ? xstrdup(log_path) : NULL;
	p->state = PKG_PENDING;
	pthread_mutex_unlock(&d->lock);
	return i;
}

void display_log(struct display *d, size_t pkg, const char *name, const char *log_path)
{
	struct pkg *p;

	pthread_mutex_lock(&d->lock);
	p = &d->pkgs[pkg];
	if (!p->following) {
		free(p->log_path);
		p->log_path = log_path ? xstrdup(log_path) : NULL;
	}
	if (name) {
		free(p->name);
		free(p->shown);
		p->name = xstrdup(name);
		p->shown = printable(name);
	}
	pthread_mutex_unlock(&d->lock);
}

/* The state set, its event (JSON) written; under the lock. */
static void set_state(struct display *d, struct pkg *p, enum pkg_state state, const char *detail,
		      int event, struct strbuf *ev)
{
	if (p->state == PKG_DOWNLOADING && state != PKG_DOWNLOADING)
		json_bytes_flush(d, p, ev);
	if (state == PKG_BUILDING && p->state != PKG_BUILDING) {
		clock_gettime(CLOCK_MONOTONIC, &p->since);
		p->step[0] = '\0';
	}
	p->state = state;
	free(p->detail);
	p->detail = detail ? printable(detail) : NULL;
	if (d->mode != DISPLAY_JSON || !event)
		return;
	if (state == PKG_DOWNLOADING) { /* with its bytes so far */
		json_bytes(d, p, ev);
		return;
	}
	json_begin(d, ev, p, pkg_state_name(state));
	if (state == PKG_WAITING)
		json_field(ev, "for", detail);
	sb_adds(ev, "}\n");
}

void display_state(struct display *d, size_t pkg, enum pkg_state state, const char *detail)
{
	struct strbuf ev = STRBUF_INIT;
	struct pkg *p;

	pthread_mutex_lock(&d->lock);
	p = &d->pkgs[pkg];
	if (state != p->state || (detail ? !p->detail || strcmp(p->detail, detail) : p->detail != NULL)) {
		set_state(d, p, state, detail, 1, &ev);
		emit(d, &ev);
	}
	pthread_mutex_unlock(&d->lock);
	sb_release(&ev);
}

void display_bytes(struct display *d, size_t pkg, unsigned long long done, unsigned long long total)
{
	struct strbuf ev = STRBUF_INIT;
	struct pkg *p;

	pthread_mutex_lock(&d->lock);
	p = &d->pkgs[pkg];
	p->done = done;
	if (total)
		p->total = total;
	if (d->mode == DISPLAY_JSON) {
		if (!p->bytes_sent || ms_since(&p->bytes_sent_at) >= DISPLAY_EVERY_MS)
			json_bytes(d, p, &ev);
		else
			p->bytes_unsent = 1;
		emit(d, &ev);
	}
	pthread_mutex_unlock(&d->lock);
	sb_release(&ev);
}

void display_step(struct display *d, size_t pkg, const char *step, off_t from)
{
	struct strbuf ev = STRBUF_INIT;
	struct pkg *p;
	char *shown;

	pthread_mutex_lock(&d->lock);
	p = &d->pkgs[pkg];
	if (p->state != PKG_BUILDING)
		set_state(d, p, PKG_BUILDING, NULL, 0, &ev);
	shown = printable(step);
	snprintf(p->step, sizeof(p->step), "%s", shown);
	if (d->mode == DISPLAY_JSON) {
		json_begin(d, &ev, p, "building");
		json_field(&ev, "step", step);
		sb_adds(&ev, "}\n");
	}
	free(shown);
	if (d->verbose && d->running && !p->following && p->log_path) {
		int fd = steplog_open(p->log_path);

		if (fd < 0)
			free(error_take()); /* no -v lines then; the build goes on */
		logfollow_init(&p->log, fd, from, DISPLAY_LINE_MAX);
		p->following = 1;
	}
	emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
	sb_release(&ev);
}

void display_done(struct display *d, size_t pkg, enum pkg_state state, const struct display_result *r)
{
	static const struct display_result none;
	struct strbuf ev = STRBUF_INIT;
	struct pkg *p;

	if (!r)
		r = &none;
	pthread_mutex_lock(&d->lock);
	p = &d->pkgs[pkg];
	stop_following(p, &ev); /* its last lines before its end */
	if (p->state == PKG_DOWNLOADING)
		json_bytes_flush(d, p, &ev);
	if (active(p->state) || p->state == PKG_PENDING) {
		d->installed += state == PKG_INSTALLED;
		d->up_to_date += state == PKG_UP_TO_DATE;
		d->failed += state == PKG_FAILED;
		d->skipped += state == PKG_SKIPPED;
		d->stopped += state == PKG_STOPPED;
	}
	p->state = state;
	if (d->mode == DISPLAY_JSON) {
		json_begin(d, &ev, p, pkg_state_name(state));
		if (state == PKG_INSTALLED) {
			json_field(&ev, "build", r->build);
			sb_addf(&ev, ",\"files\":%zu,\"bytes\":%llu", r->files, r->bytes);
		}
		if (state == PKG_FAILED) {
			json_field(&ev, "log", r->log); /* none when no build ran: no log was written */
			json_field(&ev, "error", r->error);
		}
		if (state == PKG_SKIPPED)
			json_field(&ev, "because", r->because);
		sb_adds(&ev, "}\n");
	}
	emit(d, &ev);
	pthread_mutex_unlock(&d->lock);
	sb_release(&ev);
}

void display_hold(struct display *d)
{
	pthread_mutex_lock(&d->lock);
	while (held_by_other(d))
		pthread_cond_wait(&d->unheld, &d->lock);
	if (!d->hold_depth++) {
		d->holder = pthread_self();
		if (d->mode == DISPLAY_TERMINAL)
			clear_block(d);
	}
	pthread_mutex_unlock(&d->lock);
}

void display_release(struct display *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->hold_depth > 0 && !--d->hold_depth) {
		/* the holder's lines out before anything else of the display */
		fflush(stdout);
		fflush(stderr);
		if (d->pending.len) {
			fwrite(d->pending.buf, 1, d->pending.len, stderr);
			fflush(stderr);
			sb_empty(&d->pending);
		}
		pthread_cond_broadcast(&d->unheld);
	}
	pthread_mutex_unlock(&d->lock);
}

void display_finish(struct display *d)
{
	struct strbuf out = STRBUF_INIT;
	size_t i;
	int running;

	pthread_mutex_lock(&d->lock);
	if (d->finished) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	d->finished = 1;
	d->stop = 1;
	running = d->running;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
	if (running)
		pthread_join(d->thread, NULL);
	pthread_mutex_lock(&d->lock);
	d->running = 0; /* no -v log opened from now on: nobody would read it */
	while (held_by_other(d))
		pthread_cond_wait(&d->unheld, &d->lock);
	for (i = 0; i < d->n; i++)
		stop_following(&d->pkgs[i], &out);
	if (d->pending.len) { /* a hold never released: its lines still go out */
		sb_add(&out, d->pending.buf, d->pending.len);
		sb_empty(&d->pending);
	}
	if (d->mode == DISPLAY_JSON) {
		json_begin(d, &out, NULL, "done");
		sb_addf(&out, ",\"installed\":%zu,\"up_to_date\":%zu,\"failed\":%zu,\"skipped\":%zu,\"seconds\":%.3f}\n",
			d->installed, d->up_to_date, d->failed, d->skipped, display_elapsed(d));
	}
	emit(d, &out);
	if (d->mode == DISPLAY_TERMINAL) {
		struct strbuf end = STRBUF_INIT;

		erase_block(d, &end);
		if (d->cursor_hidden)
			sb_adds(&end, "\033[?25h");
		d->cursor_hidden = 0;
		write_term(d, &end);
		sb_release(&end);
	}
	pthread_mutex_unlock(&d->lock);
	sb_release(&out);
}

void display_free(struct display *d)
{
	size_t i;

	if (!d)
		return;
	display_finish(d);
	for (i = 0; i < d->n; i++) {
		free(d->pkgs[i].name);
		free(d->pkgs[i].shown);
		free(d->pkgs[i].log_path);
		free(d->pkgs[i].detail);
	}
	free(d->pkgs);
	sb_release(&d->pending);
	sb_release(&d->last);
	pthread_cond_destroy(&d->unheld);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
