/* cmd-cache.c - `cenv cache list|clean|dir|export`: the download cache, looked at, emptied, made a mirror. */
#define _XOPEN_SOURCE 700 /* POSIX.1-2008 with XSI, for realpath() */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cenv.h"
#include "digest.h"
#include "dlcache.h"
#include "error.h"
#include "escape.h"
#include "failp.h"
#include "fsat.h"
#include "report.h"
#include "util.h"

extern char **environ;

static int check_cache(const struct invocation *inv);
static int cmd_cache(struct invocation *inv);

#define MAX_DAYS 36500

static int check_days(const char *value)
{
	if (!*value || value[strspn(value, "0123456789")] || strlen(value) > 5 || atol(value) > MAX_DAYS)
		return fail("'%s' is not a number of days from 0 to %d", value, MAX_DAYS);
	return 0;
}

enum { OPT_JSON, OPT_OLDER };
static const struct option_spec cache_options[] = {
	[OPT_JSON] = { "json", 0, 0, NULL },
	[OPT_OLDER] = { "older-than", 0, 1, check_days },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_cache_entry = {
	.name = "cache",
	.usage = "list [--json] | clean [--older-than DAYS] | dir | export DIR",
	.summary = "the download cache: list it, clean it, show where it is, export it as a mirror",
	.help = "  list                 the cached archives: sha256, size, last use, URL\n"
		"  --json               (list) one JSON array of objects instead of a table\n"
		"  clean                remove the cached archives\n"
		"  --older-than DAYS    (clean) only those last used more than DAYS days ago\n"
		"  dir                  print the cache's directory\n"
		"  export DIR           write every cached archive to DIR/sha256/<sha256>, the layout\n"
		"                       of a mirror (hard links where possible, else copies)\n",
	.options = cache_options,
	.min_operands = 1,
	.max_operands = 2,
	.missing = "a cache command is missing: list, clean, dir or export",
	.extra = "unexpected operand '%s'",
	.check = check_cache,
	.exec = cmd_cache,
};

enum { SUB_LIST, SUB_CLEAN, SUB_DIR, SUB_EXPORT };
static const char *const subcommands[] = { "list", "clean", "dir", "export", NULL };

static int subcommand(const char *name)
{
	int i;

	for (i = 0; subcommands[i]; i++)
		if (!strcmp(subcommands[i], name))
			return i;
	return -1;
}

static int check_cache(const struct invocation *inv)
{
	int sub = subcommand(inv->operands[0]);
	char *shown;

	if (sub < 0) {
		shown = escape(inv->operands[0], "\\", ESC_CONTROL);
		fail("unknown cache command '%s' (list, clean, dir or export)", shown);
		free(shown);
		return -1;
	}
	if (sub == SUB_EXPORT && inv->noperands < 2)
		return fail("cache export: the directory to export to is missing");
	if (sub != SUB_EXPORT && inv->noperands > 1) {
		shown = escape(inv->operands[1], "\\", ESC_CONTROL);
		fail("unexpected operand '%s'", shown);
		free(shown);
		return -1;
	}
	if (inv->opts[OPT_JSON].given && sub != SUB_LIST)
		return fail("--json goes with cache list only");
	if (inv->opts[OPT_OLDER].given && sub != SUB_CLEAN)
		return fail("--older-than goes with cache clean only");
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

/* "512 B", "12.4 MiB": binary units, one decimal. */
static void human_size(long long bytes, char out[32])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(out, 32, "%lld B", bytes);
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, 32, "%.1f %s", v, units[u]);
}

static const char *plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * Opens the cache when it is there: 1 with c open, 0 when its directory is absent
 * (nothing is made: looking at a cache does not create one), -1 with fail().
 */
static int open_existing(struct dlcache *c)
{
	char *root = dlcache_default_root(environ);
	struct stat st;
	int ret;

	c->fd = c->sha_fd = c->tmp_fd = c->locks_fd = -1;
	c->root = NULL;
	if (!root)
		return -1;
	if (stat(root, &st) < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		free(root);
		return 0;
	}
	ret = dlcache_open(c, root) < 0 ? -1 : 1;
	free(root);
	return ret;
}

/* Every entry, copied out of dlcache_list's callback. */
struct entry {
	char sha256[65];
	long long size;
	time_t last_use;
	char *url;
	char *path;
};
struct entries {
	struct entry *v;
	size_t n, cap;
};

static int collect(void *ctx, const struct dlcache_entry *e)
{
	struct entries *es = ctx;
	struct entry *x;

	if (es->n == es->cap) {
		es->cap = es->cap ? es->cap * 2 : 16;
		es->v = xrealloc(es->v, es->cap * sizeof(*es->v));
	}
	x = &es->v[es->n++];
	snprintf(x->sha256, sizeof(x->sha256), "%s", e->sha256);
	x->size = e->size;
	x->last_use = e->last_use;
	x->url = e->url ? xstrdup(e->url) : NULL;
	x->path = xstrdup(e->path);
	return 0;
}

static void entries_release(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++) {
		free(es->v[i].url);
		free(es->v[i].path);
	}
	free(es->v);
	memset(es, 0, sizeof(*es));
}

/* The cache's entries in hash order (none when it is absent); -1 with fail(). */
static int load_entries(struct dlcache *c, int *present, struct entries *es)
{
	memset(es, 0, sizeof(*es));
	*present = open_existing(c);
	if (*present < 0)
		return -1;
	if (*present && dlcache_list(c, collect, es) < 0) {
		entries_release(es);
		return -1;
	}
	return 0;
}

/* ---- list ----------------------------------------------------------------------- */

static void put_text(const char *s)
{
	char *esc = escape(s, "\\", ESC_CONTROL);

	fputs(esc, stdout);
	free(esc);
}

static void list_table(const struct entries *es)
{
	long long total = 0;
	size_t i;

	if (!es->n) {
		printf("no archives in the download cache\n");
		return;
	}
	printf("%-64s %10s  %-16s  %s\n", "SHA256", "SIZE", "LAST USE", "URL");
	for (i = 0; i < es->n; i++) {
		const struct entry *x = &es->v[i];
		char size[32], when[32] = "-";
		struct tm tm;

		human_size(x->size, size);
		if (localtime_r(&x->last_use, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		printf("%s %10s  %-16s  ", x->sha256, size, when);
		put_text(x->url ? x->url : "-");
		putchar('\n');
		total += x->size;
	}
	{
		char size[32];

		human_size(total, size);
		printf("%zu %s, %s\n", es->n, plural((long long)es->n, "archive", "archives"), size);
	}
}

static void list_json(const struct entries *es)
{
	size_t i;

	if (!es->n) {
		printf("[]\n");
		return;
	}
	for (i = 0; i < es->n; i++) {
		const struct entry *x = &es->v[i];
		char when[32] = "";
		struct tm tm;

		if (gmtime_r(&x->last_use, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fputs(i ? ",\n  {" : "[\n  {", stdout);
		fputs("\"sha256\": ", stdout);
		print_json_string(x->sha256);
		printf(", \"bytes\": %lld, \"last_use\": %lld, \"last_use_utc\": ", x->size,
		       (long long)x->last_use);
		print_json_string(when);
		fputs(", \"url\": ", stdout);
		print_json_string(x->url);
		fputs(", \"path\": ", stdout);
		print_json_bytes(x->path);
		putchar('}');
	}
	printf("\n]\n");
}

static int cache_list(int json)
{
	struct dlcache c;
	struct entries es;
	int present;

	if (load_entries(&c, &present, &es) < 0)
		return -1;
	if (json)
		list_json(&es);
	else
		list_table(&es);
	entries_release(&es);
	if (present)
		dlcache_close(&c);
	return EXIT_OK;
}

/* ---- clean ---------------------------------------------------------------------- */

static int cache_clean(const char *older_than)
{
	long long days = older_than ? atoll(older_than) : -1, freed = 0, removed = 0, kept = 0;
	time_t now = time(NULL);
	struct dlcache c;
	struct entries es;
	int present, status = EXIT_OK;
	char size[32];
	size_t i;

	if (load_entries(&c, &present, &es) < 0)
		return -1;
	for (i = 0; i < es.n; i++) {
		const struct entry *x = &es.v[i];
		int r;

		/* older than DAYS: its last use more than DAYS * 24 hours before now */
		if (days >= 0 && !((long long)now - (long long)x->last_use > days * 86400))
			continue;
		r = dlcache_remove(&c, x->sha256);
		if (r < 0) {
			status = report();
		} else if (r == 1) {
			printf("kept %s: a download of it is in progress\n", x->sha256);
			kept++;
		} else {
			removed++;
			freed += x->size;
		}
	}
	human_size(freed, size);
	printf("removed %lld %s, %s", removed, plural(removed, "archive", "archives"), size);
	if (kept)
		printf("; kept %lld being downloaded", kept);
	putchar('\n');
	entries_release(&es);
	if (present)
		dlcache_close(&c);
	return status;
}

/* ---- dir ------------------------------------------------------------------------ */

static int cache_dir(void)
{
	char *root = dlcache_default_root(environ);

	if (!root)
		return -1;
	printf("%s\n", root);
	free(root);
	return EXIT_OK;
}

/* ---- export --------------------------------------------------------------------- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A temporary name next to hex in the mirror, in util.h's TEMP_MARK form. */
static char *temp_name(const char *hex)
{
	static _Atomic unsigned long counter;

	return xasprintf("%s" TEMP_MARK "%ld%06lu", hex, (long)getpid(), counter++ % 1000000);
}

/* 1 when the file name in dir is a regular file (not followed) whose bytes hash to hex. */
static int holds(int dir, const char *name, const char *hex, const char *shown)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char got[DIGEST_HEX_SIZE];
	struct stat st;
	int ok;

	if (fd < 0)
		return 0;
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && digest_fd(fd, shown, got, NULL) == 0 &&
	     !strcmp(got, hex);
	if (!ok)
		free(error_take()); /* not ours to report: it is replaced */
	close(fd);
	return ok;
}

/* Copies src (from its start) to the new file tmp in dir, hashing what it writes into got. */
static int copy_to(int src, int dir, const char *tmp, const char *shown, char got[DIGEST_HEX_SIZE])
{
	char buf[65536];
	struct digest d;
	off_t off = 0;
	int fd, ret = -1;

	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno("cannot write '%s'", shown);
	if (digest_init(&d, shown) < 0)
		goto out;
	for (;;) {
		ssize_t n = pread(src, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail_errno("cannot read the cached archive for '%s'", shown);
			goto out_digest;
		}
		if (n == 0)
			break;
		if (digest_update(&d, buf, (size_t)n) < 0)
			goto out_digest;
		if (write_all(fd, buf, (size_t)n, -1) < 0) {
			fail_errno("cannot write '%s'", shown);
			goto out_digest;
		}
		off += n;
	}
	if (digest_final(&d, got) < 0)
		goto out_digest;
	if (fsync(fd) < 0 && errno != EINVAL) {
		fail_errno("cannot write '%s'", shown);
		goto out_digest;
	}
	ret = 0;
out_digest:
	digest_release(&d);
out:
	if (close(fd) < 0 && ret == 0)
		ret = fail_errno("cannot write '%s'", shown);
	return ret;
}

/*
 * Puts the cached archive x into the mirror directory out (DIR/sha256): 1 when
 * written, 0 when an identical file was there already, -1 with fail().  The bytes
 * are checked against the name on the way (a corrupted cache file is not passed
 * on), written under a temporary name and renamed into place.
 */
static int export_one(struct dlcache *c, const struct entry *x, int out, const char *dir)
{
	char xx[3] = { x->sha256[0], x->sha256[1], '\0' }, got[DIGEST_HEX_SIZE], *shown, *tmp = NULL;
	struct stat src_st, st;
	int xfd = -1, src = -1, ret = -1, linked = 0;

	shown = xasprintf("%s/sha256/%s", dir, x->sha256);
	xfd = fsat_open_dir(c->sha_fd, xx);
	if (xfd >= 0)
		src = openat(xfd, x->sha256, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (src < 0 || fstat(src, &src_st) < 0 || !S_ISREG(src_st.st_mode)) {
		fail_errno("cannot open the cached archive '%s'", x->path);
		goto out;
	}
	if (fstatat(out, x->sha256, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    (same_file(&st, &src_st) || holds(out, x->sha256, x->sha256, shown))) {
		ret = 0;
		goto out;
	}
	/* a hard link first: no bytes copied, and it is the same file we then hash */
	for (int attempt = 0; attempt < 100; attempt++) {
		free(tmp);
		tmp = temp_name(x->sha256);
		if (linkat(xfd, x->sha256, out, tmp, 0) == 0) {
			linked = fstatat(out, tmp, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&st, &src_st);
			if (!linked)
				unlinkat(out, tmp, 0); /* replaced meanwhile: copy the one we hold */
			break;
		}
		if (errno != EEXIST)
			break;
	}
	if (linked) {
		if (digest_fd(src, x->path, got, NULL) < 0)
			goto out_tmp;
	} else {
		free(tmp);
		tmp = temp_name(x->sha256);
		if (copy_to(src, out, tmp, shown, got) < 0)
			goto out_tmp;
	}
	if (strcmp(got, x->sha256)) {
		fail("the cached archive '%s' is corrupted (its bytes are %s); not exported", x->path, got);
		goto out_tmp;
	}
	if (renameat(out, tmp, out, x->sha256) < 0) {
		fail_errno("cannot write '%s'", shown);
		goto out_tmp;
	}
	ret = 1;
	goto out;
out_tmp:
	{
		char *err = error_take();

		unlinkat(out, tmp, 0);
		error_restore(err);
	}
out:
	if (src >= 0)
		close(src);
	if (xfd >= 0)
		close(xfd);
	free(tmp);
	free(shown);
	return ret;
}

/* Opens DIR (made if missing; followed as the user gave it) and DIR/sha256 within it, never followed. */
static int open_mirror(const char *dir)
{
	int top, out;
	char *shown;

	if (mkdir_p(dir, 0755, NULL) < 0)
		return -1;
	top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return fail_errno("cannot open '%s'", dir);
	out = fsat_open_dir(top, "sha256");
	if (out < 0 && errno == ENOENT && (mkdirat(top, "sha256", 0755) == 0 || errno == EEXIST))
		out = fsat_open_dir(top, "sha256");
	if (out < 0) {
		struct stat st;
		int saved = errno;

		shown = xasprintf("%s/sha256", dir);
		if (fstatat(top, "sha256", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			failp("'%s' is a symbolic link; cenv will not follow it", shown);
		else if (errno = saved, saved == ENOTDIR)
			failp("'%s' is not a directory", shown);
		else
			fail_errno("cannot open '%s'", shown);
		free(shown);
	}
	close(top);
	return out;
}

/* 1 when path is dir or lies under it, component by component. */
static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}

/*
 * A mirror written into the cache itself would hold links that `cache clean` never sees:
 * refused, before anything is made.  The check is on the paths as they resolve (the cache's
 * root, and DIR or, when it does not exist yet, its parent).  -1 with fail().
 */
static int outside_cache(const struct dlcache *c, int present, const char *dir)
{
	char *root = present ? realpath(c->root, NULL) : NULL, *abs = path_absolute(dir), *real = NULL;
	int ret = 0;

	if (abs) {
		real = realpath(abs, NULL);
		if (!real) {
			char *parent = path_dirname(abs), *rparent = realpath(parent, NULL), *base = path_basename(abs);

			real = rparent ? path_join(rparent, base) : xstrdup(abs);
			free(parent);
			free(rparent);
			free(base);
		}
	}
	if (root && real && path_within(real, root))
		ret = fail("cannot export the download cache into itself: '%s' is inside %s", dir, c->root);
	free(root);
	free(abs);
	free(real);
	return ret;
}

static int cache_export(const char *dir)
{
	long long written = 0, there = 0;
	struct dlcache c;
	struct entries es;
	int present, out, status = EXIT_OK;
	size_t i;

	if (load_entries(&c, &present, &es) < 0)
		return -1;
	if (outside_cache(&c, present, dir) < 0) {
		status = -1;
		goto out;
	}
	out = open_mirror(dir);
	if (out < 0) {
		status = -1;
		goto out;
	}
	for (i = 0; i < es.n; i++) {
		int r = export_one(&c, &es.v[i], out, dir);

		if (r < 0)
			status = report();
		else if (r == 0)
			there++;
		else
			written++;
	}
	if (written && fsat_sync(out, dir) < 0)
		status = report();
	close(out);
	printf("exported %lld %s to %s", written, plural(written, "archive", "archives"), dir);
	if (there)
		printf(", %lld already there", there);
	putchar('\n');
out:
	entries_release(&es);
	if (present)
		dlcache_close(&c);
	return status;
}

static int cmd_cache(struct invocation *inv)
{
	switch (subcommand(inv->operands[0])) { /* checked by check_cache */
	case SUB_LIST:
		return cache_list(inv->opts[OPT_JSON].given > 0);
	case SUB_CLEAN:
		return cache_clean(inv->opts[OPT_OLDER].value);
	case SUB_DIR:
		return cache_dir();
	default:
		return cache_export(inv->operands[1]);
	}
}
