/* progress.h - what a download shows: a line redrawn in place on a terminal, one plain line per event elsewhere. */
#ifndef CENV_PROGRESS_H
#define CENV_PROGRESS_H

#include <time.h>

/*
 * One download's display.  Owner: whoever called progress_start.  On a terminal (stderr,
 * unless quiet) the bar appears once the download has lasted PROGRESS_DELAY_MS and is
 * redrawn at most every PROGRESS_EVERY_MS; the summary line goes to stdout either way, so
 * a pipe or a log gets one plain line per download and no escape codes.  Events come from
 * one thread (the one downloading): a later pipeline feeds several displays from this
 * module.
 */
#define PROGRESS_DELAY_MS 200
#define PROGRESS_EVERY_MS 100
struct progress {
	const char *name;   /* the package: borrowed */
	int bar;            /* a bar may be drawn: stderr is a terminal and not quiet */
	int drawn;          /* a bar is on the screen now */
	struct timespec start, last;
	unsigned long long done, total;
};

void progress_start(struct progress *p, const char *name, int quiet);
/* fetch_options.progress: done bytes of total (0: not known). */
void progress_update(void *ctx, unsigned long long done, unsigned long long total);
/*
 * The download ended: the bar is cleared, and when it succeeded, one line on stdout:
 * "zlib: downloaded 1.2 MiB in 0.4 s (3.0 MiB/s) from URL".
 */
void progress_finish(struct progress *p, int ok, const char *shown_url);
/* bytes as "512 B", "12.3 KiB", "4.0 MiB", "1.2 GiB" into buf. */
void progress_size(char *buf, size_t size, unsigned long long bytes);

#endif
