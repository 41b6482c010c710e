/* progress.c - what a download and a build show: a line redrawn in place on a terminal, plain lines elsewhere. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "error.h"
#include "progress.h"
#include "quote.h"
#include "steplog.h"

#define BAR_WIDTH 24

static long elapsed_ms(const struct timespec *from, const struct timespec *to)
{
	return (to->tv_sec - from->tv_sec) * 1000 + (to->tv_nsec - from->tv_nsec) / 1000000;
}

void progress_size(char *buf, size_t size, unsigned long long bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, size, "%llu B", bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", v, units[u]);
}

void progress_bar(char *buf, int width, unsigned long long done, unsigned long long total)
{
	int fill = total ? (int)((done > total ? total : done) * (unsigned long long)width / total) : 0, i;

	for (i = 0; i < width; i++)
		buf[i] = i < fill ? '=' : i == fill && total ? '>' : ' ';
	buf[width] = '\0';
}

void progress_clock(char *buf, size_t size, long s)
{
	if (s >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, size, "%ld:%02ld", s / 60, s % 60);
}

void progress_term_size(int fd, int cols, int rows, int *out_cols, int *out_rows)
{
	struct winsize ws;
	int ok = ioctl(fd, TIOCGWINSZ, &ws) == 0;

	*out_cols = ok && ws.ws_col > 0 ? ws.ws_col : cols > 0 ? cols : 80;
	*out_rows = ok && ws.ws_row > 0 ? ws.ws_row : rows > 0 ? rows : 24;
}

int progress_env_int(const char *name)
{
	const char *v = getenv(name);
	int n = v ? atoi(v) : 0;

	return n > 0 ? n : 0;
}

size_t progress_fit(const char *s, size_t cols)
{
	size_t i = 0;

	while (s[i] && cols > 0) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		cols--;
	}
	return i;
}

void progress_start(struct progress *p, const char *name, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->name = name;
	p->bar = !quiet && isatty(STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
}

/* "zlib  1.2 MiB / 4.0 MiB [=====>      ]  3.1 MiB/s", then the rest of the line cleared. */
static void draw(struct progress *p, const struct timespec *now)
{
	char done[32], total[32], rate[32], bar[BAR_WIDTH + 1];
	long ms = elapsed_ms(&p->start, now);
	unsigned long long per_s = ms > 0 ? p->done * 1000 / (unsigned long long)ms : 0;

	progress_size(done, sizeof(done), p->done);
	progress_size(rate, sizeof(rate), per_s);
	progress_bar(bar, BAR_WIDTH, p->done, p->total);
	if (p->total) {
		progress_size(total, sizeof(total), p->total);
		fprintf(stderr, "\r%s  %s / %s [%s] %s/s\033[K", p->name, done, total, bar, rate);
	} else {
		fprintf(stderr, "\r%s  %s  %s/s\033[K", p->name, done, rate);
	}
	fflush(stderr);
	p->drawn = 1;
	p->last = *now;
}

void progress_update(void *ctx, unsigned long long done, unsigned long long total)
{
	struct progress *p = ctx;
	struct timespec now;

	p->done = done;
	if (total)
		p->total = total;
	if (!p->bar)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed_ms(&p->start, &now) < PROGRESS_DELAY_MS)
		return;
	if (p->drawn && elapsed_ms(&p->last, &now) < PROGRESS_EVERY_MS)
		return;
	draw(p, &now);
}

void progress_finish(struct progress *p, int ok, const char *shown_url)
{
	struct timespec now;
	char size[32], rate[32];
	long ms;

	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		p->drawn = 0;
	}
	if (!ok)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = elapsed_ms(&p->start, &now);
	progress_size(size, sizeof(size), p->done);
	progress_size(rate, sizeof(rate), ms > 0 ? p->done * 1000 / (unsigned long long)ms : p->done);
	printf("%s: downloaded %s in %.1f s (%s/s) from %s\n", p->name, size, (double)ms / 1000, rate,
	       shown_url);
	fflush(stdout);
}

FILE *progress_terminal(int quiet)
{
	const char *term = getenv("TERM");

	if (quiet || (term && !strcmp(term, "dumb")))
		return NULL;
	if (isatty(STDERR_FILENO))
		return stderr;
	if (isatty(STDOUT_FILENO))
		return stdout;
	return NULL;
}

/* ---- a build's display ------------------------------------------------------------------- */

void build_progress_start(struct build_progress *bp, const char *name, const char *log_path, int quiet,
			  int verbose)
{
	pthread_condattr_t attr;

	memset(bp, 0, sizeof(*bp));
	bp->name = name;
	bp->log_path = log_path;
	bp->term = progress_terminal(quiet);
	bp->verbose = verbose;
	bp->columns = progress_env_int("COLUMNS");
	bp->step_from = -1;
	logfollow_init(&bp->log, -1, 0, BUILD_PROGRESS_LINE_MAX);
	pthread_mutex_init(&bp->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&bp->wake, &attr);
	pthread_condattr_destroy(&attr);
}

/* The terminal's width now (it may be resized while a build runs). */
static int term_width(const struct build_progress *bp)
{
	int cols, rows;

	progress_term_size(fileno(bp->term), bp->columns, 0, &cols, &rows);
	return cols;
}

static void clear_status(struct build_progress *bp)
{
	if (!bp->drawn)
		return;
	fputs("\r\033[K", bp->term);
	fflush(bp->term);
	bp->drawn = 0;
}

/* "c-ares: building (make) 1:12", within the terminal's width (one column kept free: no wrap). */
static void draw_status(struct build_progress *bp, const char *step)
{
	char text[sizeof(bp->shown)];
	struct timespec now;
	int width = term_width(bp) - 1;

	char clock[32];

	clock_gettime(CLOCK_MONOTONIC, &now);
	progress_clock(clock, sizeof(clock), elapsed_ms(&bp->start, &now) / 1000);
	snprintf(text, sizeof(text), "%s: building (%s) %s", bp->name, step, clock);
	if (width < 1)
		width = 1;
	text[progress_fit(text, (size_t)width)] = '\0';
	if (bp->drawn && !strcmp(text, bp->shown))
		return;
	fprintf(bp->term, "\r%s\033[K", text);
	fflush(bp->term);
	memcpy(bp->shown, text, sizeof(text));
	bp->drawn = 1;
}

struct shown_lines {
	struct build_progress *bp;
	int n;
};

/* One line of the build on stderr, "zlib| LINE", made printable; "..." after a cut one. */
static void show_line(void *ctx, const char *line, int cut)
{
	struct shown_lines *sl = ctx;
	char *text;

	if (!sl->n++)
		clear_status(sl->bp); /* a line of the build is never drawn over */
	text = printable(line);
	fprintf(stderr, "%s| %s%s\n", sl->bp->name, text, cut ? "..." : "");
	free(text);
}

/*
 * -v: the log's complete lines since the last look on stderr, "zlib| LINE" (the build's last
 * line is cenv's own, with its newline).  The status line is cleared first and drawn again after.
 */
static void follow_log(struct build_progress *bp)
{
	struct shown_lines sl = { bp, 0 };

	logfollow_read(&bp->log, 0, show_line, &sl);
	if (sl.n)
		fflush(stderr);
}

static void *display(void *arg)
{
	struct build_progress *bp = arg;
	char step[sizeof(bp->step)];
	struct timespec until;

	pthread_mutex_lock(&bp->lock);
	while (!bp->stop) {
		memcpy(step, bp->step, sizeof(step));
		pthread_mutex_unlock(&bp->lock);
		follow_log(bp);
		if (bp->term)
			draw_status(bp, step);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += BUILD_PROGRESS_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&bp->lock);
		if (!bp->stop)
			pthread_cond_timedwait(&bp->wake, &bp->lock, &until);
	}
	pthread_mutex_unlock(&bp->lock);
	return NULL;
}

void build_progress_step(void *ctx, const char *step, off_t from)
{
	struct build_progress *bp = ctx;
	sigset_t all, old;

	pthread_mutex_lock(&bp->lock);
	snprintf(bp->step, sizeof(bp->step), "%s", step);
	bp->step_from = from;
	pthread_cond_signal(&bp->wake);
	pthread_mutex_unlock(&bp->lock);
	if (bp->running || (!bp->term && !bp->verbose))
		return;
	/* the first step: the clock starts, the log is followed from here */
	clock_gettime(CLOCK_MONOTONIC, &bp->start);
	if (bp->verbose) {
		int fd = steplog_open(bp->log_path);

		if (fd < 0)
			free(error_take()); /* no -v lines then; the build goes on */
		logfollow_init(&bp->log, fd, from, BUILD_PROGRESS_LINE_MAX);
	}
	/* the signals stay the main thread's */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	bp->running = pthread_create(&bp->thread, NULL, display, bp) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void build_progress_finish(struct build_progress *bp)
{
	if (bp->running) {
		pthread_mutex_lock(&bp->lock);
		bp->stop = 1;
		pthread_cond_signal(&bp->wake);
		pthread_mutex_unlock(&bp->lock);
		pthread_join(bp->thread, NULL);
		bp->running = 0;
	}
	follow_log(bp);
	clear_status(bp); /* gone before the package's own line */
	logfollow_release(&bp->log);
	pthread_cond_destroy(&bp->wake);
	pthread_mutex_destroy(&bp->lock);
}
