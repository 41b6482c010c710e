/* sockfilter.c - the seccomp filter that keeps a sandboxed build from opening Unix sockets. */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lazylib.h"
#include "error.h"
#include "sockfilter.h"
#include "util.h"

/*
 * A read-only file system does not stop connect(): a socket anywhere outside the sandbox's
 * private /tmp and /run (an agent's under $HOME, a daemon's under /var/lib) would be
 * reachable.  Connecting needs a socket first, so socket(AF_UNIX) is refused; socketpair
 * stays allowed (asyncio, subprocess helpers use it) and reaches nothing outside.  The
 * errno is EACCES, what a build sees for a path it may not reach ("Permission denied").
 * io_uring_setup is refused as if the kernel had no io_uring: IORING_OP_SOCKET would make a
 * socket without the socket system call.  On x86_64 a 32-bit (i386) program makes sockets
 * with socketcall, whose arguments lie in memory that seccomp cannot read: libseccomp then
 * refuses socketcall(SYS_SOCKET) whatever the family (a 32-bit build has no network to
 * reach anyway), and the direct socket call by its family.
 */
static struct {
	pthread_once_t once;
	char *bytes;
	size_t len;
	char error[512];
} filter = { PTHREAD_ONCE_INIT, NULL, 0, "" };

static void set_error(const char *what, int rc)
{
	snprintf(filter.error, sizeof(filter.error), "libseccomp: %s: %s", what, strerror(rc < 0 ? -rc : rc));
}

/* The exported program, read back from a memfd (a pipe could be too small to hold it). */
static int export_bytes(scmp_filter_ctx ctx)
{
	int fd = memfd_create("cenv-sockfilter", MFD_CLOEXEC), rc;
	off_t size;
	char *buf;

	if (fd < 0) {
		set_error("cannot make a memfd for the filter", errno);
		return -1;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		set_error("cannot export the filter", rc);
		close(fd);
		return -1;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % 8 != 0 || size > SOCKFILTER_MAX_BYTES) {
		snprintf(filter.error, sizeof(filter.error),
			 "libseccomp: the filter it made is %lld bytes (expected a non-zero multiple of 8, "
			 "at most %d)", (long long)size, SOCKFILTER_MAX_BYTES);
		close(fd);
		return -1;
	}
	buf = xmalloc((size_t)size);
	if (pread(fd, buf, (size_t)size, 0) != size) {
		set_error("cannot read the filter back", errno ? errno : EIO);
		free(buf);
		close(fd);
		return -1;
	}
	close(fd);
	filter.bytes = buf;
	filter.len = (size_t)size;
	return 0;
}

static void build_filter(void)
{
	scmp_filter_ctx ctx;
	int rc;

	if (lazylib_seccomp() < 0) {
		snprintf(filter.error, sizeof(filter.error), "%s", last_error());
		return;
	}
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		snprintf(filter.error, sizeof(filter.error), "libseccomp: cannot make a filter");
		return;
	}
#if defined(__x86_64__)
	if (seccomp_arch_native() == SCMP_ARCH_X86_64) {
		if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && rc != -EEXIST) {
			set_error("cannot add the x86 architecture", rc);
			goto out;
		}
		if ((rc = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0 && rc != -EEXIST) {
			set_error("cannot add the x32 architecture", rc);
			goto out;
		}
	}
#endif
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_UNIX));
	if (rc < 0) {
		set_error("cannot add the rule on socket()", rc);
		goto out;
	}
	rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(io_uring_setup), 0);
	if (rc < 0) {
		set_error("cannot add the rule on io_uring_setup()", rc);
		goto out;
	}
	export_bytes(ctx);
out:
	seccomp_release(ctx);
}

int sockfilter_bpf(char **bytes, size_t *len)
{
	pthread_once(&filter.once, build_filter);
	if (!filter.bytes)
		return fail("%s", filter.error);
	*bytes = xmalloc(filter.len);
	memcpy(*bytes, filter.bytes, filter.len);
	*len = filter.len;
	return 0;
}
