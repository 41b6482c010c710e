/* progress.h - what a download and a build show: a line redrawn in place on a terminal, plain lines elsewhere. */
#ifndef CENV_PROGRESS_H
#define CENV_PROGRESS_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "logfollow.h"
#include "util.h"

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

/*
 * One package's build on the screen (until the display of several builds at once): on a
 * terminal (progress_terminal) a status line "c-ares: building (make) 1:12", redrawn in
 * place about once a second and cleared at the end; with verbose, every line the build
 * writes to its log as it comes, on stderr, prefixed "zlib| ", made printable (quote.h), cut
 * with "..." after BUILD_PROGRESS_LINE_MAX bytes.  Without either nothing is
 * shown and no thread runs.  Owner: whoever called build_progress_start; build_progress_step
 * is build_request.on_step (its ctx the struct); build_progress_finish ends it.
 *
 * The redraw is a thread's, started at the first step: it reads the log and writes to the
 * terminal, nothing else (signals blocked; no state of the process changed).  Nothing else
 * may write to the terminal between the first step and build_progress_finish.
 */
#define BUILD_PROGRESS_TICK_MS 250
#define BUILD_PROGRESS_LINE_MAX 8192
struct build_progress {
	const char *name;     /* the package: borrowed */
	const char *log_path; /* its build log: borrowed */
	FILE *term;           /* the status line's terminal, or NULL */
	int verbose;          /* the build's lines on stderr */
	int columns;          /* COLUMNS, when the terminal does not say its width; else 80 */
	pthread_mutex_t lock; /* guards step, step_from, stop */
	pthread_cond_t wake;
	char step[64];        /* the step running ("make install"); "" before the first */
	off_t step_from;      /* where its part of the log begins; -1 before the first step */
	int stop;
	int running;          /* the thread was started */
	pthread_t thread;
	/* the thread's while it runs; the caller's afterwards */
	struct timespec start;
	struct logfollow log; /* the log, followed from the first step (verbose) */
	int drawn;            /* a status line is on the terminal */
	char shown[256];      /* its text */
};
void build_progress_start(struct build_progress *bp, const char *name, const char *log_path, int quiet,
			  int verbose);
/* build_request.on_step: the step that starts, and its offset in the log. */
void build_progress_step(void *ctx, const char *step, off_t from);
/* The build ended: the thread stopped, the log's last lines shown (verbose), the status line cleared. */
void build_progress_finish(struct build_progress *bp);

#endif
