/* timeit.c - times commands in interleaved repetitions and prints each one's median.
 *
 * usage: timeit REPS LABEL PREP CMD [LABEL PREP CMD ...]
 * PREP runs untimed through /bin/sh before each repetition of CMD (use ":" for none);
 * CMD is split at blanks and run directly, so no shell start-up is timed.  "@N" in
 * either becomes the repetition's number, for a fresh target each time.  Times are
 * in milliseconds, one "LABEL median_ms" line per command.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		/* the commands' output would only mix with the results */
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char **split(const char *cmd, int rep)
{
	char *copy = malloc(strlen(cmd) * 2 + 32), *tok, **argv = calloc(strlen(cmd) + 2, sizeof(char *));
	const char *at = strstr(cmd, "@N");
	size_t n = 0;

	if (at)
		sprintf(copy, "%.*s%d%s", (int)(at - cmd), cmd, rep, at + 2);
	else
		strcpy(copy, cmd);

	for (tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
		argv[n++] = tok;
	return argv;
}

static char *join_words(char **words)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; words[i]; i++)
		len += strlen(words[i]) + 1;
	s = calloc(len, 1);
	for (i = 0; words[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, words[i]);
	}
	return s;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int reps, ncmd, r, c;
	double *times;

	if (argc < 5 || (argc - 2) % 3) {
		fprintf(stderr, "usage: timeit REPS LABEL PREP CMD [LABEL PREP CMD ...]\n");
		return 2;
	}
	reps = atoi(argv[1]);
	ncmd = (argc - 2) / 3;
	times = calloc((size_t)(reps * ncmd), sizeof(double));
	for (r = 0; r < reps; r++) {
		for (c = 0; c < ncmd; c++) {
			char **prep_words = split(argv[3 + 3 * c], r), *prep[] = { "sh", "-c", NULL, NULL };
			char **cmd = split(argv[4 + 3 * c], r);
			struct timespec t0, t1;

			prep[2] = join_words(prep_words);
			if (run(prep) != 0) {
				fprintf(stderr, "timeit: preparation failed: %s\n", argv[3 + 3 * c]);
				return 1;
			}
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (run(cmd) != 0) {
				fprintf(stderr, "timeit: command failed: %s\n", argv[4 + 3 * c]);
				return 1;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			times[c * reps + r] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
					      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
			free(cmd[0]);
			free(cmd);
			free(prep[2]);
			free(prep_words[0]);
			free(prep_words);
		}
	}
	for (c = 0; c < ncmd; c++) {
		qsort(times + c * reps, (size_t)reps, sizeof(double), cmp);
		printf("%s %.3f\n", argv[2 + 3 * c], times[c * reps + reps / 2]);
	}
	free(times);
	return 0;
}
