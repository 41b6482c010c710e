/* replay.c - runs a fuzz target over its seed corpus without libFuzzer, for `make check`.
 * usage: replay FILE|DIR...  (every entry of a directory not starting with '.', not recursing)
 * Prints "replayed N inputs" (tests/run.sh holds N against the corpus's file count); exits 1 if
 * an input could not be read or is not a regular file, or if there was none (no operand, or only
 * empty directories): a replay of nothing proves nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;
	struct stat st;

	if (!f) {
		perror(path);
		return 1;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "%s: not a regular file\n", path);
		fclose(f);
		return 1;
	}
	do {
		if (len == cap) {
			uint8_t *more = realloc(data, cap = cap ? cap * 2 : 4096);

			if (!more) {
				perror(path);
				fclose(f);
				free(data);
				return 1;
			}
			data = more;
		}
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		perror(path);
		fclose(f);
		free(data);
		return 1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int i, count = 0, errors = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		struct stat st;
		DIR *dir;
		struct dirent *de;

		if (stat(argv[i], &st) == 0 && !S_ISDIR(st.st_mode)) {
			errors += replay_file(argv[i]);
			count++;
			continue;
		}
		dir = opendir(argv[i]);
		if (!dir) {
			perror(argv[i]);
			errors++;
			continue;
		}
		while ((de = readdir(dir))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			errors += replay_file(path);
			count++;
		}
		closedir(dir);
	}
	printf("replayed %d inputs\n", count);
	if (count == 0)
		fprintf(stderr, "%s: no inputs to replay\n", argv[0]);
	return errors != 0 || count == 0;
}
