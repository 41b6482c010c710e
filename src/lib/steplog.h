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

#endif
