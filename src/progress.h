/* progress.h - what a download and a build show: a line redrawn in place on a terminal, plain lines elsewhere. */
#ifndef CENV_PROGRESS_H
#define CENV_PROGRESS_H

#include <pthread.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

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
	int log_fd;           /* the log, followed from read_pos (verbose) */
	off_t read_pos;
	struct strbuf partial; /* a line read without its newline yet (BUILD_PROGRESS_LINE_MAX + 1 bytes at most) */
	int skipping;          /* a line cut: the rest of it, up to its newline, is not shown */
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
