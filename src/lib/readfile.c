/* readfile.c - reading a whole file cenv depends on: a regular file, bounded, never blocking. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "readfile.h"
#include "util.h"

static const char *kind_of(mode_t mode)
{
	const char *kind = file_kind(mode);

	return kind ? kind : "not a regular file";
}

/* "16 MiB", "1 MiB", or bytes when the cap is not a whole number of MiB. */
static char *cap_text(size_t cap)
{
	if (cap && cap % ((size_t)1 << 20) == 0)
		return xasprintf("%zu MiB", cap >> 20);
	return xasprintf("%zu bytes", cap);
}

static int too_big(const char *path, size_t cap)
{
	char *c = cap_text(cap);

	fail("'%s' is larger than the limit of %s for this file", path, c);
	free(c);
	errno = EFBIG;
	return -1;
}

int readfile(const char *path, size_t cap, int flags, char **out, size_t *len)
{
	int oflags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
	struct stat st;
	char *buf = NULL;
	size_t n = 0, room;
	int fd, saved;

	*out = NULL;
	if (len)
		*len = 0;
	if (flags & READFILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	fd = open(path, oflags);
	if (fd < 0) {
		saved = errno;
		if (saved == ELOOP && (flags & READFILE_NOFOLLOW))
			fail("'%s' is a symlink, not a regular file", path);
		else
			fail_errno("cannot open '%s'", path);
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		saved = errno;
		fail_errno("cannot read '%s'", path);
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		const char *kind = kind_of(st.st_mode);

		close(fd);
		fail("'%s' is %s%s", path, kind, strcmp(kind, "not a regular file") ? ", not a regular file" : "");
		errno = EINVAL;
		return -1;
	}
	if (st.st_size < 0 || (unsigned long long)st.st_size > cap) {
		close(fd);
		return too_big(path, cap);
	}
	/* The size is a hint: read until the end, one byte past the cap at most. */
	room = (size_t)st.st_size + 1;
	buf = xmalloc(room + 1);
	for (;;) {
		ssize_t r;

		if (n == room) {
			if (room > cap) {
				free(buf);
				close(fd);
				return too_big(path, cap);
			}
			room = room * 2 > cap + 1 ? cap + 1 : room * 2;
			buf = xrealloc(buf, room + 1);
		}
		r = read_retry(fd, buf + n, room - n);
		if (r < 0) {
			saved = errno;
			fail_errno("cannot read '%s'", path);
			free(buf);
			close(fd);
			errno = saved;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > cap) {
		free(buf);
		return too_big(path, cap);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}
