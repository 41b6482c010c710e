/* progress.c - what a download shows: a line redrawn in place on a terminal, one plain line per event elsewhere. */
#include <stdio.h>
#include <string.h>
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
	int fill = p->total ? (int)(p->done * BAR_WIDTH / p->total) : 0, i;

	progress_size(done, sizeof(done), p->done);
	progress_size(rate, sizeof(rate), per_s);
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '=' : i == fill && p->total ? '>' : ' ';
	bar[BAR_WIDTH] = '\0';
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
