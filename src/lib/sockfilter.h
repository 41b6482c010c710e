/* sockfilter.h - the seccomp filter that keeps a sandboxed build from opening Unix sockets. */
#ifndef CENV_SOCKFILTER_H
#define CENV_SOCKFILTER_H

#include <stddef.h>

/* The most bytes the filter may take: one write into a fresh pipe, whatever its size. */
#define SOCKFILTER_MAX_BYTES 4096

/*
 * The compiled BPF program (struct sock_filter[], as `bwrap --seccomp FD` reads it) that
 * refuses socket(AF_UNIX, ...) with EACCES and io_uring_setup with ENOSYS, and allows the
 * rest; on x86_64 for i386 (socketcall too) and x32 binaries as well.  Made with libseccomp,
 * loaded on the first call (lazylib), once per process.  *bytes gets a new copy of *len
 * bytes, the caller frees it.  -1 with fail() when libseccomp cannot be loaded or refuses.
 */
int sockfilter_bpf(char **bytes, size_t *len);

#endif
