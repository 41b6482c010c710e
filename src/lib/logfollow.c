/* logfollow.c - a growing log read line by line as a build writes it (what -v streams). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "logfollow.h"

void logfollow_init(struct logfollow *f, int fd, off_t from, size_t max)
{
	f->fd = fd;
	f->pos = from;
	f->max = max;
	sb_init(&f->partial);
	f->skipping = 0;
}

/* The partial line to line(), cut at max bytes between UTF-8 characters when cut. */
static void give(struct logfollow *f, int cut, void (*line)(void *, const char *, int), void *ctx)
{
	size_t len = f->partial.len;

	if (cut) {
		len = f->max;
		while (len > 0 && ((unsigned char)f->partial.buf[len] & 0xc0) == 0x80)
			len--;
	}
	sb_addc(&f->partial, '\0'); /* a buffer even for an empty line */
	f->partial.buf[len] = '\0';
	line(ctx, f->partial.buf, cut);
	f->partial.len = 0;
	f->partial.buf[0] = '\0';
}

size_t logfollow_read(struct logfollow *f, int at_end, void (*line)(void *ctx, const char *text, int cut),
		      void *ctx)
{
	char buf[65536];
	ssize_t r;
	size_t given = 0;

	while (f->fd >= 0 && (r = pread(f->fd, buf, sizeof(buf), f->pos)) != 0) {
		char *p = buf, *end, *nl;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		f->pos += r;
		for (end = buf + r; p < end; p = nl ? nl + 1 : end) {
			size_t room = f->max - f->partial.len, len;

			nl = memchr(p, '\n', (size_t)(end - p));
			len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (!f->skipping) {
				sb_add(&f->partial, p, len <= room ? len : room + 1); /* one byte more: too long */
				if (f->partial.len > f->max) {
					give(f, 1, line, ctx);
					given++;
					f->skipping = 1;
				} else if (nl) {
					give(f, 0, line, ctx);
					given++;
				}
			}
			if (nl)
				f->skipping = 0;
		}
	}
	if (at_end && f->partial.len) {
		give(f, 0, line, ctx);
		given++;
	}
	return given;
}

void logfollow_release(struct logfollow *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	sb_release(&f->partial);
}
