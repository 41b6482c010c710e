/* report.h - what the command layer says on stderr: failures, and the notices modules hand it. */
#ifndef CENV_REPORT_H
#define CENV_REPORT_H

/* Prints "cenv: MESSAGE" for the last failure (error.h's last_error()) to stderr; returns 1, the exit status. */
int report(void);

/*
 * fflush and check stdout, so `cenv env > /dev/full` fails visibly: status, or 1 after saying
 * so.  A reader that went away (`cenv list | head -1`: EPIPE) is no failure to report: then
 * nothing is said, and a status of 0 becomes STATUS_PIPE_CLOSED, for main to end the way a
 * program that did not ignore SIGPIPE would (die_of); any other status stays, it says more.
 */
#define STATUS_PIPE_CLOSED (-2)
int finish_stdout(int status);

/* The handlers main gives the modules: util's out of memory, lock's wait for another process. */
void say_out_of_memory(void);
void say_waiting_for_lock(const char *prefix);
/* What recovery did, for the command that ran it: rolled back an interrupted change. */
void say_rolled_back(void);
/*
 * The one line of a command a signal stopped: "cenv: COMMAND interrupted by SIGTERM" and
 * fmt's text ("': stopped the build of 'zlib'; nothing was changed").  said_interrupted()
 * tells whether it was said, so that the dispatcher does not say it again.
 */
void say_interrupted(const char *command, int sig, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int said_interrupted(void);

/*
 * A size as install lines and `cenv list` show it: KiB with one decimal below 1 MiB (so a
 * small package is "0.3 KiB", never bytes), then MiB, GiB, TiB: "403.5 KiB", "12.1 MiB".
 */
#define SIZE_TEXT_MAX 32
void size_text(char buf[SIZE_TEXT_MAX], long long bytes);

/* Prints s as a JSON string literal (json.h: valid UTF-8 whatever its bytes), or null. */
void print_json_string(const char *s);
/* Prints a path as json_add_bytes does: a backslash as \x5c too, so it reads back byte for byte. */
void print_json_bytes(const char *s);

#endif
