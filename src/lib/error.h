/* error.h - the one error idiom: modules fail() with a message, commands report() it. */
#ifndef CENV_ERROR_H
#define CENV_ERROR_H

/*
 * A module that cannot do its job calls fail() (or fail_errno() right after a
 * failing system call) and returns its result: -1.  The message is kept per
 * thread, so worker threads never share it.  Only the command layer prints it,
 * with report() (src/report.h), and picks the exit status.
 */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *last_error(void);

/*
 * Puts context in front of the pending message: after fail("no such file"),
 * fail_wrap("package '%s'", name) leaves "package 'zlib': no such file".
 * Returns -1, like fail().
 */
int fail_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Hands the pending message to the caller (malloc'd, never NULL; the caller
 * frees it) and clears it: a task's failure taken on its worker thread for the
 * main thread to report, or a first error kept while cleanup may fail too.
 */
char *error_take(void);
/* Makes msg (from error_take) the pending message again and frees it; returns -1. */
int error_restore(char *msg);

#endif
