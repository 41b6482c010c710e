/* bench_unpack.c - times unpack_archive() on one archive, for comparison with `bsdtar -xf`. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "error.h"
#include "unpack.h"

/* usage: bench_unpack ARCHIVE EMPTY-DEST-DIR; prints wall-clock seconds and the top directory. */
int main(int argc, char **argv)
{
	struct unpack_result res;
	struct timespec t0, t1;

	if (argc != 3) {
		fputs("usage: bench_unpack ARCHIVE EMPTY-DEST-DIR\n", stderr);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (unpack_archive(argv[1], argv[2], NULL, &res) < 0) {
		fprintf(stderr, "bench_unpack: %s\n", last_error());
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.3f s  topdir=%s\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       res.topdir ? res.topdir : "(none)");
	unpack_result_release(&res);
	return 0;
}
