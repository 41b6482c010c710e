/* steplog.h - what the log of a failed build step says went wrong in the sandbox. */
#ifndef CENV_STEPLOG_H
#define CENV_STEPLOG_H

#include <sys/types.h>

/*
 * The first path a command in the log (read from offset from) could not write because the
 * file system is read-only: "install: cannot create regular file '/usr/local/bin/lua':
 * Read-only file system" gives "/usr/local/bin/lua".  A new string, or NULL when none.
 * log_fd must be open for reading.
 */
char *steplog_denied_write(int log_fd, off_t from);
/* 1 when the log from offset from says a lookup or connection failed for want of a network. */
int steplog_network_denied(int log_fd, off_t from);

/*
 * A line of a log that looks like an error: its number in the whole log (the first line is
 * 1) and its text without the newline, cut at STEPLOG_LINE_MAX bytes ("..." then).  After a
 * header of CMake's or Meson's ("CMake Error at CMakeLists.txt:3 (find_package):", "ERROR:
 * ..."), the indented lines below it hold the cause: the first STEPLOG_MORE_MAX of them, up
 * to the first line that is neither indented nor blank, are its nmore more[] (blank lines
 * skipped, more_number[] their numbers).  The texts are the caller's: steplog_lines_release.
 */
#define STEPLOG_LINE_MAX 300
#define STEPLOG_MORE_MAX 8
struct steplog_line {
	long number;
	char *text;
	size_t nmore;
	long more_number[STEPLOG_MORE_MAX];
	char *more[STEPLOG_MORE_MAX];
};

/*
 * The first (at most max) lines of the log from offset from that look like errors: a
 * compiler's, the linker's, make's, configure's, CMake's, Meson's, ninja's or a shell's
 * ("x.c:3:5: error: ...", "undefined reference to", "make: *** ... Error 1", "No rule to make
 * target", "configure: error: ...", "CMake Error at ...", "ERROR: ...", "FAILED: ...",
 * "sh: 1: foo: command not found" ...).  cenv's own lines ("$ cd ...", "cenv: ...") are not
 * the build's.  *n of them in lines[], each with its indented lines (max counts the
 * entries, not those).  0, or -1 with fail() when the log cannot be read.
 */
int steplog_errors(int log_fd, off_t from, struct steplog_line *lines, size_t max, size_t *n);
void steplog_lines_release(struct steplog_line *lines, size_t n);
/*
 * The line of len bytes (no newline) as the report shows it: at most STEPLOG_LINE_MAX bytes,
 * cut between UTF-8 characters, "..." after a cut.  A new string (raw: escape it to print it).
 */
char *steplog_cut(const char *line, size_t len);
/* 1 when the line of len bytes (no newline) looks like an error, as steplog_errors decides. */
int steplog_is_error(const char *line, size_t len);

/* A log opened for reading: never through a symlink, never a FIFO; -1 with fail(). */
int steplog_open(const char *path);

/*
 * The last n lines of the file at path (for a failed build's report), found in its last
 * STEPLOG_TAIL_READ bytes: *out gets a new string, which the caller frees; all of those bytes
 * when they hold fewer lines, "..." before a line that began earlier.  Each line is cut as
 * steplog_cut cuts it (STEPLOG_LINE_MAX bytes, then "..."), its bytes otherwise as they are:
 * escape them to print them.  -1 with fail().
 */
#define STEPLOG_TAIL_READ (64u << 10)
int steplog_tail(const char *path, int n, char **out);

#endif
