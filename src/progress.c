/* progress.c - one download's bar (a download outside an install run: cenv fetch, add), and the pieces of a redrawn line the display shares. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "progress.h"

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
