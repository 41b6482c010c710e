/* displaydemo.c - replays a scripted run of several packages through src/display.c, for tests/t-display.sh. */
/*
 * displaydemo [-v] [-q] [--json] LOGDIR SCRIPT: the display cenv install would choose (--json:
 * DISPLAY_JSON; else the terminal progress_terminal(-q) gives, DISPLAY_PLAIN without one),
 * then SCRIPT's commands, one a line (# comments), the packages numbered from 0 as added:
 *   add NAME VERSION           its log LOGDIR/NAME.log, made empty
 *   state I STATE [DETAIL...]  waiting, downloading, queued, building, installing
 *   bytes I DONE TOTAL
 *   step I STEP...             its part of the log from the log's size now
 *   log I TEXT...              a line appended to its log (\xHH, \t, \n and \\ decoded)
 *   long I N                   a line of N bytes appended to its log: "é" then x's
 *   done I STATE [KEY=VALUE]...  installed, up-to-date, failed, skipped, stopped; build= files=
 *                              bytes= log= error= because=
 *   print TEXT...              a permanent line on stdout, between display_hold and release
 *   sleep MS
 *   storm MS I...              a thread per package I for MS ms: display_bytes in a loop, a
 *                              permanent line now and then (the display under concurrent calls)
 *   finish                     display_finish, then "summary: N installed" on stdout
 *   elapsed FILE               display_elapsed() in milliseconds written to FILE
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "display.h"
#include "progress.h"
#include "util.h"

static struct display *d;
static char *logs[64];
static size_t nlogs;
static int storm_ms;

static void die(const char *what, const char *line)
{
	fprintf(stderr, "displaydemo: %s: %s\n", what, line);
	exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	nanosleep(&ts, NULL);
}

/* \xHH, \t, \n, \\ in place. */
static void decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 'x' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s;
		}
	}
	*o = '\0';
}

static enum pkg_state state_of(const char *name, const char *line)
{
	static const enum pkg_state all[] = { PKG_WAITING,   PKG_DOWNLOADING, PKG_QUEUED, PKG_BUILDING,
					      PKG_INSTALLING, PKG_INSTALLED,  PKG_UP_TO_DATE, PKG_FAILED,
					      PKG_SKIPPED,   PKG_STOPPED };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(pkg_state_name(all[i]), name))
			return all[i];
	die("no such state", line);
	return PKG_PENDING;
}

static size_t pkg_of(const char *s, const char *line)
{
	char *end;
	unsigned long i = strtoul(s ? s : "", &end, 10);

	if (!s || *end || i >= nlogs)
		die("no such package", line);
	return i;
}

static void append(size_t i, const char *text, size_t len)
{
	FILE *f = fopen(logs[i], "a");

	if (!f)
		die("cannot append to", logs[i]);
	fwrite(text, 1, len, f);
	fputc('\n', f);
	fclose(f);
}

static void *storm(void *arg)
{
	size_t i = (size_t)arg;
	struct timespec start, now;
	unsigned long long k = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		display_bytes(d, i, ++k * 1000, 0);
		if (k % 50 == 0) {
			display_hold(d);
			display_hold(d); /* nested, by one thread */
			printf("storm %zu: %llu\n", i, k);
			display_release(d);
			display_release(d);
		}
		sleep_ms(1);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < storm_ms);
	return NULL;
}

/* The rest of the line after n words. */
static char *rest(char *line, int n)
{
	while (n-- > 0) {
		line += strspn(line, " ");
		line += strcspn(line, " ");
	}
	return line + strspn(line, " ");
}

int main(int argc, char **argv)
{
	int verbose = 0, quiet = 0, json = 0, a;
	const char *dir, *script;
	char line[4096], copy[4096];
	FILE *f;
	size_t installed = 0;
	enum display_mode mode;
	FILE *term;

	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else if (!strcmp(argv[a], "-q"))
			quiet = 1;
		else if (!strcmp(argv[a], "--json"))
			json = 1;
		else
			die("unknown option", argv[a]);
	}
	if (argc - a != 2)
		die("usage", "displaydemo [-v] [-q] [--json] LOGDIR SCRIPT");
	dir = argv[a];
	script = argv[a + 1];
	if (!(f = fopen(script, "r")))
		die("cannot open", script);
	term = progress_terminal(quiet);
	mode = json ? DISPLAY_JSON : term ? DISPLAY_TERMINAL : DISPLAY_PLAIN;
	d = display_new(mode, term, verbose);
	while (fgets(line, sizeof(line), f)) {
		char *cmd, *arg1, *arg2, *save = NULL;

		line[strcspn(line, "\n")] = '\0';
		memcpy(copy, line, sizeof(copy));
		cmd = strtok_r(line, " ", &save);
		if (!cmd || *cmd == '#')
			continue;
		arg1 = strtok_r(NULL, " ", &save);
		arg2 = strtok_r(NULL, " ", &save);
		if (!strcmp(cmd, "add")) {
			char *path;
			FILE *lf;

			if (!arg1 || !arg2 || nlogs == sizeof(logs) / sizeof(logs[0]))
				die("add NAME VERSION", copy);
			path = xasprintf("%s/%s.log", dir, arg1);
			if (!(lf = fopen(path, "w")))
				die("cannot create", path);
			fclose(lf);
			logs[nlogs++] = path;
			display_add(d, arg1, arg2, path);
		} else if (!strcmp(cmd, "state")) {
			char *detail = rest(copy, 3);

			display_state(d, pkg_of(arg1, copy), state_of(arg2 ? arg2 : "", copy), *detail ? detail : NULL);
		} else if (!strcmp(cmd, "bytes")) {
			char *total = strtok_r(NULL, " ", &save);

			display_bytes(d, pkg_of(arg1, copy), strtoull(arg2 ? arg2 : "0", NULL, 10),
				      strtoull(total ? total : "0", NULL, 10));
		} else if (!strcmp(cmd, "step")) {
			size_t i = pkg_of(arg1, copy);
			struct stat st;

			if (stat(logs[i], &st))
				die("cannot stat", logs[i]);
			display_step(d, i, rest(copy, 2), st.st_size);
		} else if (!strcmp(cmd, "log")) {
			char *text = rest(copy, 2);

			decode(text);
			append(pkg_of(arg1, copy), text, strlen(text));
		} else if (!strcmp(cmd, "long")) {
			size_t n = strtoul(arg2 ? arg2 : "0", NULL, 10);
			char *text = malloc(n + 2);

			if (!text || n < 2)
				die("long I N (N >= 2)", copy);
			memset(text, 'x', n);
			memcpy(text, "\xc3\xa9", 2);
			append(pkg_of(arg1, copy), text, n);
			free(text);
		} else if (!strcmp(cmd, "done")) {
			struct display_result r = { 0 };
			enum pkg_state s = state_of(arg2 ? arg2 : "", copy);
			char *kv;

			while ((kv = strtok_r(NULL, " ", &save))) {
				char *eq = strchr(kv, '=');

				if (!eq)
					die("KEY=VALUE", copy);
				*eq++ = '\0';
				decode(eq);
				if (!strcmp(kv, "build"))
					r.build = eq;
				else if (!strcmp(kv, "files"))
					r.files = strtoul(eq, NULL, 10);
				else if (!strcmp(kv, "bytes"))
					r.bytes = strtoull(eq, NULL, 10);
				else if (!strcmp(kv, "log"))
					r.log = eq;
				else if (!strcmp(kv, "error"))
					r.error = eq;
				else if (!strcmp(kv, "because"))
					r.because = eq;
				else
					die("no such key", copy);
			}
			installed += s == PKG_INSTALLED;
			display_done(d, pkg_of(arg1, copy), s, &r);
		} else if (!strcmp(cmd, "print")) {
			char *text = rest(copy, 1);

			decode(text);
			display_hold(d);
			printf("%s\n", text);
			display_release(d);
		} else if (!strcmp(cmd, "sleep")) {
			sleep_ms(strtol(arg1 ? arg1 : "0", NULL, 10));
		} else if (!strcmp(cmd, "storm")) {
			pthread_t t[16];
			size_t n = 0, i;
			char *p = arg2;

			storm_ms = atoi(arg1 ? arg1 : "0");
			for (; p && n < 16; p = strtok_r(NULL, " ", &save)) {
				size_t k = pkg_of(p, copy);

				display_state(d, k, PKG_DOWNLOADING, NULL);
				if (pthread_create(&t[n], NULL, storm, (void *)k))
					die("cannot start a thread", copy);
				n++;
			}
			for (i = 0; i < n; i++)
				pthread_join(t[i], NULL);
		} else if (!strcmp(cmd, "finish")) {
			display_finish(d);
			printf("summary: %zu installed\n", installed);
		} else if (!strcmp(cmd, "elapsed")) {
			FILE *ef = fopen(arg1 ? arg1 : "", "w");

			if (!ef)
				die("cannot create", copy);
			fprintf(ef, "%ld\n", (long)(display_elapsed(d) * 1000));
			fclose(ef);
		} else {
			die("unknown command", copy);
		}
	}
	fclose(f);
	display_free(d);
	while (nlogs)
		free(logs[--nlogs]);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
