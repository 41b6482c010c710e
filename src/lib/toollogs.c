/* toollogs.c - the build tools' own logs of a failed build, kept before its work area goes. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "layout.h"
#include "toollogs.h"
#include "util.h"

/* Where the tools write them, relative to the directory they ran in. */
static const char *const known[] = { "config.log", "CMakeFiles/CMakeError.log", "CMakeFiles/CMakeOutput.log",
				     "CMakeFiles/CMakeConfigureLog.yaml", "meson-logs/meson-log.txt" };

char *toollogs_dir(const char *prefix, const char *name)
{
	return xasprintf("%s/%s/logs/%s.d", prefix, LAYOUT_STATE, name);
}

/* The directory rel of the environment, reached from its root without a symlink; -1 with errno. */
static int env_dir(const char *prefix, const char *rel, mode_t mkdir_mode)
{
	int root = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd, saved;

	if (root < 0)
		return -1;
	fd = fsat_walk(root, rel, strlen(rel), mkdir_mode, NULL);
	saved = errno;
	close(root);
	errno = saved;
	return fd;
}

/*
 * Copies rel (a regular file under from, no symlink on the way) to the same rel under to, its
 * last TOOLLOGS_MAX_BYTES.  1 when copied, 0 when there was nothing to copy or it failed.
 */
static int copy_log(int from, const char *rel, int to)
{
	const char *slash = strrchr(rel, '/'), *leaf = slash ? slash + 1 : rel;
	size_t dirlen = slash ? (size_t)(slash - rel) : 0;
	int sdir = -1, in = -1, ddir = -1, out = -1, ok = 0;
	char buf[65536];
	struct stat st;
	off_t pos, end;

	sdir = fsat_walk(from, rel, dirlen, 0, NULL);
	if (sdir < 0)
		goto out;
	in = openat(sdir, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0 || fstat(in, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	end = st.st_size;
	pos = end > (off_t)TOOLLOGS_MAX_BYTES ? end - (off_t)TOOLLOGS_MAX_BYTES : 0;
	ddir = fsat_walk(to, rel, dirlen, 0755, NULL);
	if (ddir < 0)
		goto out;
	out = openat(ddir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		goto out;
	ok = 1;
	while (pos < end) {
		size_t want = end - pos < (off_t)sizeof(buf) ? (size_t)(end - pos) : sizeof(buf);
		ssize_t r = pread(in, buf, want, pos);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* shorter than it was: what is there */
		if (write_all(out, buf, (size_t)r, -1) < 0) {
			ok = 0;
			break;
		}
		pos += r;
	}
	if (!ok)
		unlinkat(ddir, leaf, 0);
out:
	fsat_close(&out);
	fsat_close(&ddir);
	fsat_close(&in);
	fsat_close(&sdir);
	return ok;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Copies rel from dir unless an earlier directory gave it; pushes it onto kept. */
static void keep_one(int dir, const char *rel, int to, const char *base, struct strvec *seen,
		     struct strvec *kept)
{
	size_t i;

	if (seen->n >= TOOLLOGS_MAX_FILES)
		return;
	for (i = 0; i < seen->n; i++)
		if (!strcmp(seen->v[i], rel))
			return;
	if (!copy_log(dir, rel, to))
		return;
	strvec_push(seen, rel);
	strvec_pushf(kept, "%s/%s", base, rel);
}

/* The known logs of one directory, then its subdirectories' config.log, in name order. */
static void keep_dir(int dir, int to, const char *base, struct strvec *seen, struct strvec *kept)
{
	struct strvec subs = STRVEC_INIT;
	struct dirent *de;
	DIR *d;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		keep_one(dir, known[i], to, base, seen, kept);
	d = fsat_opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') /* a file fails its walk: no config.log */
			strvec_push(&subs, de->d_name);
	closedir(d);
	if (subs.n)
		qsort(subs.v, subs.n, sizeof(subs.v[0]), by_name);
	for (i = 0; i < subs.n && seen->n < TOOLLOGS_MAX_FILES; i++) {
		char *rel = xasprintf("%s/config.log", subs.v[i]);

		keep_one(dir, rel, to, base, seen, kept);
		free(rel);
	}
	strvec_release(&subs);
}

int toollogs_keep(const char *prefix, const char *name, const char *const *dirs, size_t ndirs,
		  struct strvec *kept)
{
	char *base = toollogs_dir(prefix, name), *leaf = xasprintf("%s.d", name);
	char *work = xasprintf("%s/work/%s", LAYOUT_STATE, name);
	char *logsdir = xasprintf("%s/%s/logs", prefix, LAYOUT_STATE);
	struct strvec seen = STRVEC_INIT;
	int logs = -1, to = -1, wfd = -1, ret = -1;
	size_t i;

	if (!fsat_plain_name(name) || strchr(name, '/')) {
		fail("'%s' is not a package name", name);
		goto out;
	}
	logs = env_dir(prefix, LAYOUT_STATE "/logs", 0755);
	if (logs < 0) {
		fail_errno("cannot open '%s/%s/logs'", prefix, LAYOUT_STATE);
		goto out;
	}
	if (fsat_remove_tree(logs, logsdir, leaf) < 0)
		goto out;
	if (mkdirat(logs, leaf, 0755) < 0 || (to = fsat_open_dir(logs, leaf)) < 0) {
		fail_errno("cannot create '%s'", base);
		goto out;
	}
	ret = 0;
	wfd = env_dir(prefix, work, 0);
	for (i = 0; wfd >= 0 && i < ndirs; i++) {
		int dir = fsat_walk(wfd, dirs[i], strlen(dirs[i]), 0, NULL);

		if (dir < 0)
			continue;
		keep_dir(dir, to, base, &seen, kept);
		close(dir);
	}
	if (!seen.n)
		unlinkat(logs, leaf, AT_REMOVEDIR);
out:
	fsat_close(&wfd);
	fsat_close(&to);
	fsat_close(&logs);
	strvec_release(&seen);
	free(work);
	free(logsdir);
	free(leaf);
	free(base);
	return ret;
}

int toollogs_forget(const char *prefix, const char *name)
{
	char *base = xasprintf("%s/%s/logs", prefix, LAYOUT_STATE), *leaf = xasprintf("%s.d", name);
	int logs = env_dir(prefix, LAYOUT_STATE "/logs", 0), ret = 0;

	if (!fsat_plain_name(name) || strchr(name, '/'))
		ret = fail("'%s' is not a package name", name);
	else if (logs >= 0)
		ret = fsat_remove_tree(logs, base, leaf);
	else if (errno != ENOENT)
		ret = fail_errno("cannot open '%s/%s/logs'", prefix, LAYOUT_STATE);
	fsat_close(&logs);
	free(leaf);
	free(base);
	return ret;
}
