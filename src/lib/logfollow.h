/* logfollow.h - a growing log read line by line as a build writes it (what -v streams). */
#ifndef CENV_LOGFOLLOW_H
#define CENV_LOGFOLLOW_H

#include <stddef.h>
#include <sys/types.h>

#include "util.h"

/*
 * One log followed from an offset.  Owner: whoever called logfollow_init; logfollow_release
 * closes the fd and frees.  Not thread-safe: one thread at a time (the caller's lock).
 * A line longer than max bytes is given cut as soon as it is that long (between UTF-8
 * characters, cut = 1), and the rest of it, up to its newline, is skipped.
 */
struct logfollow {
	int fd;                /* the log, or -1: nothing to read */
	off_t pos;             /* where the next read starts */
	size_t max;            /* a line's bytes at most */
	struct strbuf partial; /* a line read without its newline yet (max + 1 bytes at most) */
	int skipping;          /* a line was cut: the rest of it is not given */
};

/* fd: open for reading (taken over; -1: none), read from offset from. */
void logfollow_init(struct logfollow *f, int fd, off_t from, size_t max);
/*
 * Reads what the log has grown by and gives each complete line, without its newline, to
 * line(ctx, text, cut); at_end (the writer is done) a last line without a newline too.
 * Returns the number of lines given (a read error ends the reading quietly: the log is
 * what -v shows, never what decides).
 */
size_t logfollow_read(struct logfollow *f, int at_end, void (*line)(void *ctx, const char *text, int cut),
		      void *ctx);
void logfollow_release(struct logfollow *f);

#endif
