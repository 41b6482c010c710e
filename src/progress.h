/* progress.h - one download's bar (a download outside an install run: cenv fetch, add), and the pieces of a redrawn line the display shares. */
#ifndef CENV_PROGRESS_H
#define CENV_PROGRESS_H

#include <stddef.h>
#include <stdio.h>
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

/* Pieces the live display (display.c) draws with too. */
/* A bar of width characters, done of total ("=====>    "; all blank when total is 0) into buf
   (width + 1 bytes). */
void progress_bar(char *buf, int width, unsigned long long done, unsigned long long total);
/* seconds as a clock: "0:07", "12:34", "1:02:03". */
void progress_clock(char *buf, size_t size, long seconds);
/* The terminal at fd's columns and rows (TIOCGWINSZ, now: it may be resized), else cols and rows
   as given (the caller read COLUMNS and LINES before any thread started; 0: 80 and 24). */
void progress_term_size(int fd, int cols, int rows, int *out_cols, int *out_rows);
/* A positive number from the environment variable name (COLUMNS, LINES), else 0. */
int progress_env_int(const char *name);
/* How many bytes of s fit in cols columns: every UTF-8 character counts one column (the
   display's texts are printable: no control, no wide character in its own words). */
size_t progress_fit(const char *s, size_t cols);

/* The terminal a line redrawn in place may go to: stderr, else stdout, when one is a terminal,
   TERM is not "dumb" and not quiet (-q); else NULL. */
FILE *progress_terminal(int quiet);

#endif
