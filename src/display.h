/* display.h - what `cenv install` shows of a run of several packages at once: a live block on a terminal, plain lines or JSON events elsewhere. */
#ifndef CENV_DISPLAY_H
#define CENV_DISPLAY_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * The scheduler (schedule.c) tells the display what each package is doing; the display
 * decides what to show.  Every function may be called from any thread at once (one mutex
 * inside); the display never calls back.  Owner: whoever called display_new; display_free
 * frees (after display_finish).
 *
 * DISPLAY_TERMINAL (the terminal progress_terminal() gives, not --quiet, TERM not dumb):
 *   lines the caller prints between display_hold and display_release scroll up as
 *   permanent lines; below them a live block is redrawn in place, at most every
 *   DISPLAY_EVERY_MS, by the display's own thread (signals blocked; it writes to the
 *   terminal and reads -v's logs, nothing else): one line per active package with its
 *   state ("zlib      downloading  1.2 MiB / 4.0 MiB [=====>    ]", "libpng    building
 *   (make install) 0:12", "curl      waiting for zlib, openssl", "zstd      installing"),
 *   then a total line ("3/7 installed · 2 building · 1 downloading · 0:12"; installed counts
 *   the up-to-date too; failed, skipped, stopped, building (with installing), downloading and
 *   waiting (with queued) when not 0).  The block is at most the terminal's rows - 1 lines:
 *   the packages beyond, "… and 4 more".  Nothing is
 *   drawn before DISPLAY_DELAY_MS have passed; every line is cut to the terminal's width
 *   (TIOCGWINSZ, else COLUMNS, else 80); the cursor is hidden while the block is drawn and
 *   shown again by display_finish (which a Ctrl-C reaches: signals are noted, not fatal).
 * DISPLAY_PLAIN (a pipe, TERM=dumb, --quiet): no escape code ever, nothing redrawn, nothing
 *   of the display's own: the caller's permanent lines (downloaded, installed, failed) are
 *   the plain events, so a pipe reads as it did before several packages ran at once.
 * DISPLAY_JSON (--progress=json): one JSON object per line on stderr for every state change,
 *   and for downloads at most every DISPLAY_EVERY_MS per package plus their last bytes:
 *     {"time":1.234,"package":"zlib","state":"downloading","bytes":1234,"total":5678}
 *     {"time":1.3,"package":"curl","state":"waiting","for":"zlib, openssl"}
 *     {"time":2.5,"package":"zlib","state":"building","step":"make"}
 *     {"time":4.1,"package":"zlib","state":"installed","build":"autotools","files":12,"bytes":413184}
 *     {"time":4.1,"package":"png","state":"failed","log":"/.../png.log","error":"..."}
 *     {"time":4.1,"package":"x","state":"skipped","because":"png"}
 *     {"time":4.2,"state":"done","installed":3,"up_to_date":1,"failed":1,"skipped":1,"seconds":4.2}
 *   (time: seconds since display_new; strings through json_add_string; total null when not
 *   known; queued, installing, up-to-date, stopped: time, package and state only; a building
 *   event without step when the state is set, one with it for every step).  Nothing else of
 *   the display goes to stderr in this mode; stdout keeps its lines.
 * With verbose (any mode): every line each building package writes to its log, on stderr
 *   as it comes, "zlib| line", made printable (quote.h), cut after DISPLAY_LINE_MAX bytes.
 */
#define DISPLAY_DELAY_MS 200
#define DISPLAY_EVERY_MS 100
#define DISPLAY_LINE_MAX 8192

enum display_mode { DISPLAY_TERMINAL, DISPLAY_PLAIN, DISPLAY_JSON };

enum pkg_state {
	PKG_PENDING,     /* not started yet, nothing shown */
	PKG_WAITING,     /* for the packages it depends on; detail: "zlib, openssl" */
	PKG_DOWNLOADING, /* display_bytes says how far */
	PKG_QUEUED,      /* ready to build, waiting for a job of the -j budget */
	PKG_BUILDING,    /* unpacking and building; display_step gives the step */
	PKG_INSTALLING,  /* its commit into the environment (one at a time) */
	/* final states, given with display_done */
	PKG_INSTALLED,
	PKG_UP_TO_DATE,
	PKG_FAILED,
	PKG_SKIPPED,     /* a package it depends on failed: detail names it */
	PKG_STOPPED,     /* a signal stopped the run before or while it was built */
};

/* "waiting", "downloading", "queued", "building", "installing", "installed", "up-to-date", ... */
const char *pkg_state_name(enum pkg_state s);

struct display;

/*
 * term: the terminal for DISPLAY_TERMINAL (else ignored).  verbose: -v's streaming.
 * NULL never: a display that cannot start its thread draws nothing live (plain lines).
 */
struct display *display_new(enum display_mode mode, FILE *term, int verbose);
/* Adds a package (before or after others started); returns its index.  log_path: its build log. */
size_t display_add(struct display *d, const char *name, const char *version, const char *log_path);
/* The package's name (NULL: as it was) and build log, when display_add did not know them yet (a
   tarball named by its top directory): -v follows the log from the next display_step on.  Copied. */
void display_log(struct display *d, size_t pkg, const char *name, const char *log_path);
/* A non-final state; detail as the state says (NULL: none).  Copied. */
void display_state(struct display *d, size_t pkg, enum pkg_state state, const char *detail);
/* A download's progress: done bytes of total (0: not known).  Called often, from fetch's callback. */
void display_bytes(struct display *d, size_t pkg, unsigned long long done, unsigned long long total);
/* build_request.on_step's information: the step that starts, and where its part of the log begins. */
void display_step(struct display *d, size_t pkg, const char *step, off_t from);

/* What a final state adds to its JSON event (all optional: NULL / 0). */
struct display_result {
	const char *build;        /* installed: the build system */
	size_t files;             /* installed */
	unsigned long long bytes; /* installed */
	const char *log;          /* failed */
	const char *error;        /* failed: the one-line message */
	const char *because;      /* skipped: the package that failed */
};
/* A final state: the package leaves the live block.  r may be NULL. */
void display_done(struct display *d, size_t pkg, enum pkg_state state, const struct display_result *r);

/*
 * Around every line the caller writes to stdout or stderr while the display runs: hold
 * clears the live block (and keeps it from being redrawn), release lets it be drawn again.
 * Nestable by one thread only; other threads' holds wait.
 */
void display_hold(struct display *d);
void display_release(struct display *d);

/*
 * The run ended: the thread stopped, the live block cleared, the cursor shown; in JSON the
 * "done" event.  The summary lines are the caller's (it knows the words).
 */
void display_finish(struct display *d);
void display_free(struct display *d);

/* Seconds since display_new (for "4.1 s" in the caller's lines). */
double display_elapsed(const struct display *d);

#endif
