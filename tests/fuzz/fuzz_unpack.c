/* fuzz_unpack.c - libFuzzer target: unpack any bytes; abort if anything escapes the staging dir. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "unpack.h"
#include "util.h"

/*
 * base/input, base/sentinel, base/a/sentinel, base/a/b/sentinel, base/a/b/stage: an escape by
 * "..", "../.." or "../../.." lands in a directory whose listing is checked after every run.
 * The fuzzer runs one input at a time, so this harness may keep its paths in globals.
 */
static char base[PATH_MAX];
static char *levels[3]; /* base, base/a, base/a/b */
static char *input, *stage, *stage_real;

#define SENTINEL "sentinel\n"

static void die(const char *what)
{
	fprintf(stderr, "fuzz_unpack: %s (%s)\n", what, last_error());
	abort();
}

static void cleanup(void)
{
	remove_tree(base);
}

static void setup_once(void)
{
	const char *tmp = getenv("TMPDIR");
	size_t i;

	snprintf(base, sizeof(base), "%s/cenv-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base))
		die("cannot create the temporary directory");
	levels[0] = xstrdup(base);
	levels[1] = path_join(base, "a");
	levels[2] = path_join(levels[1], "b");
	for (i = 0; i < 3; i++) {
		char *s = path_join(levels[i], "sentinel");

		if ((i && mkdir(levels[i], 0755) < 0) ||
		    write_file_atomic(s, SENTINEL, strlen(SENTINEL), 0644) < 0)
			die("cannot set up");
		free(s);
	}
	input = path_join(base, "input");
	stage = path_join(levels[2], "stage");
	atexit(cleanup);
}

/* Only the expected names in dir, and its sentinel intact. */
static void check_level(size_t i)
{
	DIR *dir = opendir(levels[i]);
	struct dirent *de;
	char *s = path_join(levels[i], "sentinel"), *data = NULL;
	size_t len;
	struct stat st;

	if (!dir)
		die("a checked directory vanished");
	while ((de = readdir(dir))) {
		const char *n = de->d_name;
		const char *own = i == 0 ? "input" : i == 1 ? "b" : "stage";

		if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "sentinel") && strcmp(n, own) &&
		    !(i == 0 && !strcmp(n, "a"))) {
			fprintf(stderr, "fuzz_unpack: '%s' appeared in %s\n", n, levels[i]);
			abort();
		}
	}
	closedir(dir);
	if (lstat(s, &st) < 0 || !S_ISREG(st.st_mode) || read_file(s, &data, &len) < 0 ||
	    len != strlen(SENTINEL) || memcmp(data, SENTINEL, len))
		die("a sentinel changed");
	free(data);
	free(s);
}

/* Every symlink in the unpacked tree that resolves must resolve inside it. */
static void check_links(const char *dirpath)
{
	DIR *dir = opendir(dirpath);
	struct dirent *de;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		char *p, real[PATH_MAX];
		struct stat st;
		size_t n = strlen(stage_real);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		p = path_join(dirpath, de->d_name);
		if (lstat(p, &st) < 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode))
			check_links(p);
		if (S_ISLNK(st.st_mode) && realpath(p, real) &&
		    (strncmp(real, stage_real, n) || (real[n] && real[n] != '/'))) {
			fprintf(stderr, "fuzz_unpack: link '%s' resolves to '%s'\n", p, real);
			abort();
		}
		free(p);
	}
	closedir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A cap keeps decompression bombs from filling the disk; refusing them is fine. */
	struct unpack_options opt = { .max_bytes = 16u << 20 };
	struct unpack_result res;
	char real[PATH_MAX];
	int rc;
	size_t i;

	if (!base[0])
		setup_once();
	if (write_file_atomic(input, (const char *)data, size, 0644) < 0 || mkdir(stage, 0755) < 0)
		die("cannot prepare the run");
	if (!realpath(stage, real))
		die("cannot resolve the staging directory");
	stage_real = real;
	rc = unpack_archive(input, stage, &opt, &res);
	for (i = 0; i < 3; i++)
		check_level(i);
	if (rc < 0 && dir_is_empty(stage) != 1)
		die("a refused archive left files behind");
	if (rc == 0) {
		check_links(stage);
		unpack_result_release(&res);
	}
	if (remove_tree(stage) < 0)
		die("cannot clean the staging directory");
	return 0;
}
