/* dlcache.c - the download cache: archives named by their sha256, shared by every environment of the user. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "dlcache.h"
#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "interrupt.h"
#include "strvec.h"
#include "util.h"

#define SIDECAR_EXT ".info"
#define PART_EXT ".part"
#define SIDECAR_CAP 65536 /* a sidecar is a URL and a number; more is not ours */
#define URL_KEEP 8192     /* longer URLs are cut in the sidecar */
#define ATTEMPTS 100      /* for a unique .part name, or a lock file that stays in place */
#define LOCK_PROBE_MS 300  /* a lock held longer than this is another download's (lock_hash) */

/* lock_hash's results besides a descriptor */
#define HASH_BUSY (-2)
#define HASH_GAVE_UP (-3)

int dlcache_valid_hash(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

static int refuse_hash(const char *what, const char *s)
{
	char cut[81];

	snprintf(cut, sizeof(cut), "%s", s ? s : "");
	return failp("%s: '%s' is not a sha256 (64 lowercase hex digits)", what, cut);
}

/* ---- messages about what is found in the cache ------------------------------ */

/* After openat(at, name, ...O_NOFOLLOW) failed with errno: says what is there, naming root/rel. */
static int bad_entry(int at, const char *name, const char *root, const char *rel)
{
	int saved = errno;
	struct stat st;

	if ((saved == ELOOP || saved == ENOTDIR || saved == ENXIO) &&
	    fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode))
			return failp("'%s/%s' is a symbolic link; cenv will not follow it", root, rel);
		return failp("'%s/%s' is not %s", root, rel,
			     saved == ENOTDIR ? "a directory" : "a regular file");
	}
	errno = saved;
	return fail_errno("cannot open '%s/%s'", root, rel);
}

/* Opens (making it, 0755) the directory name in at; rel names it under root in messages. */
static int open_sub(int at, const char *name, const char *root, const char *rel, int make)
{
	int fd = fsat_open_dir(at, name);

	if (fd < 0 && errno == ENOENT && make && (mkdirat(at, name, 0755) == 0 || errno == EEXIST))
		fd = fsat_open_dir(at, name);
	if (fd < 0)
		return errno == ENOENT && !make ? -1 : bad_entry(at, name, root, rel);
	return fd;
}

/* ---- the root ----------------------------------------------------------------- */

static const char *env_value(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp && *envp; envp++)
		if (!strncmp(*envp, name, n) && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

char *dlcache_default_root(char *const *envp)
{
	const char *xdg = env_value(envp, "XDG_CACHE_HOME"), *home = env_value(envp, "HOME");

	if (xdg && xdg[0] == '/')
		return path_join(xdg, "cenv/downloads");
	if (home && home[0] == '/')
		return path_join(home, ".cache/cenv/downloads");
	fail("cannot place the download cache: neither XDG_CACHE_HOME nor HOME is an absolute path");
	return NULL;
}

/*
 * Opens the absolute, normalised root: existing components are followed (the
 * user's own layout), the first missing one and all below it are made and opened
 * without following, so a symlink raced in there is refused.
 */
static int open_root(const char *root)
{
	char *copy = xstrdup(root), *p = copy + 1;
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), made = 0;

	if (fd < 0) {
		fail_errno("cannot open '/'");
		goto out;
	}
	while (*p) {
		char *slash = strchr(p, '/');
		int next = -1;

		if (slash)
			*slash = '\0';
		if (!made)
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (next < 0 && (made || errno == ENOENT)) {
			if (mkdirat(fd, p, 0755) == 0)
				made = 1;
			else if (errno != EEXIST) {
				fail_errno("cannot make '%s'", copy);
				close(fd);
				fd = -1;
				goto out;
			}
			next = fsat_open_dir(fd, p);
		}
		if (next < 0) {
			int saved = errno;
			struct stat st;

			if (fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				failp("'%s' is a symbolic link; cenv will not follow it", copy);
			else if (errno = saved, saved == ENOTDIR)
				failp("'%s' is not a directory", copy);
			else
				fail_errno("cannot open '%s'", copy);
			close(fd);
			fd = -1;
			goto out;
		}
		close(fd);
		fd = next;
		if (!slash)
			break;
		*slash = '/';
		p = slash + 1;
	}
out:
	free(copy);
	return fd;
}

int dlcache_open(struct dlcache *c, const char *root)
{
	memset(c, 0, sizeof(*c));
	c->fd = c->sha_fd = c->tmp_fd = c->locks_fd = -1;
	c->wait_max = DLCACHE_WAIT_MAX;
	if (!root || root[0] != '/')
		return failp("the download cache '%s' is not an absolute path", root);
	c->root = path_absolute(root);
	c->fd = open_root(c->root);
	if (c->fd < 0)
		goto fail;
	c->sha_fd = open_sub(c->fd, "sha256", c->root, "sha256", 1);
	if (c->sha_fd < 0)
		goto fail;
	c->tmp_fd = open_sub(c->fd, "tmp", c->root, "tmp", 1);
	if (c->tmp_fd < 0)
		goto fail;
	c->locks_fd = open_sub(c->fd, "locks", c->root, "locks", 1);
	if (c->locks_fd < 0)
		goto fail;
	return 0;
fail:
	dlcache_close(c);
	return -1;
}

void dlcache_close(struct dlcache *c)
{
	fsat_close(&c->fd);
	fsat_close(&c->sha_fd);
	fsat_close(&c->tmp_fd);
	fsat_close(&c->locks_fd);
	free(c->root);
	c->root = NULL;
}

/* ---- the per-hash lock -------------------------------------------------------- */

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms, or less when a signal is noted (interrupt_fd wakes us). */
static void nap(int ms)
{
	struct pollfd pfd = { interrupt_fd(), POLLIN, 0 };

	if (pfd.fd >= 0)
		poll(&pfd, 1, ms);
	else
		poll(NULL, 0, ms);
}

/*
 * Takes locks/<hex>.  The file is removed by whoever releases it (while still
 * holding it), so a lock taken on a file no longer at that name is stale: the
 * taker checks that the name still leads to its file, else tries again.
 * Returns the descriptor; HASH_BUSY (wait 0) or HASH_GAVE_UP (after wait_max)
 * when another holds it; -1 with fail().
 */
static int lock_hash(struct dlcache *c, const char *hex, int wait, int *waited)
{
	long long started = now_ms(), deadline = started + (long long)(c->wait_max > 0 ? c->wait_max : 0) * 1000;
	int attempt, step = 10, announced = 0;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		struct stat mine, there;
		int fd = openat(c->locks_fd, hex, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
				0644);
		char *rel;

		if (fd < 0) {
			rel = xasprintf("locks/%s", hex);
			bad_entry(c->locks_fd, hex, c->root, rel);
			free(rel);
			return -1;
		}
		while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK && errno != EINTR) {
				fail_errno("cannot lock '%s/locks/%s'", c->root, hex);
				close(fd);
				return -1;
			}
			if (!wait) {
				close(fd);
				return HASH_BUSY;
			}
			/* a holder for a moment only is no download: another thread's sweep of stale
			   locks (remove_unlocked) takes each one to test it; a download holds it longer */
			*waited = 1;
			if (!announced && now_ms() >= started + LOCK_PROBE_MS) {
				announced = 1;
				if (c->on_wait)
					c->on_wait(c->wait_ctx, hex);
			}
			if (interrupt_requested()) {
				fail("stopped waiting for another download of %s: interrupted by %s", hex,
				     interrupt_name(interrupt_requested()));
				close(fd);
				return -1;
			}
			if (now_ms() >= deadline) {
				close(fd);
				return HASH_GAVE_UP;
			}
			nap(step);
			step = step < 200 ? step * 2 : 200;
		}
		if (fstat(fd, &mine) == 0 &&
		    fstatat(c->locks_fd, hex, &there, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&mine, &there))
			return fd;
		close(fd); /* released and removed by its holder meanwhile: take the new one */
	}
	return fail("cannot lock '%s/locks/%s': it keeps being replaced", c->root, hex);
}

/* Removes the lock file while holding it (see lock_hash), then releases it. */
static void unlock_hash(struct dlcache *c, const char *hex, int *fd)
{
	if (*fd < 0)
		return;
	unlinkat(c->locks_fd, hex, 0);
	fsat_close(fd);
}

/*
 * A directory stream of its own over the directory fd: a new open file description
 * (fsat_opendir's dup would share fd's offset with every other thread reading it).
 */
static DIR *opendir_fresh(int fd)
{
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = own >= 0 ? fdopendir(own) : NULL;

	if (!d && own >= 0) {
		int saved = errno;

		close(own);
		errno = saved;
	}
	return d;
}

/* ---- stale files ---------------------------------------------------------- */

/*
 * Removes every regular file of dir (ending in ext, when given) that no one holds
 * a flock on: the writer of a .part and the holder of a lock keep theirs locked
 * until they end, and the kernel drops the lock of a killed process.  What cannot
 * be read or removed is left for the next time: cleaning is never the reason a
 * download fails.
 */
static void remove_unlocked(int dir, const char *ext)
{
	DIR *d = opendir_fresh(dir);
	struct dirent *de;
	size_t elen = ext ? strlen(ext) : 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct stat st, there;
		int fd;

		if (!fsat_plain_name(de->d_name) || n <= elen ||
		    (ext && strcmp(de->d_name + n - elen, ext)))
			continue;
		fd = openat(dir, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dir, de->d_name, &there, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&st, &there))
			unlinkat(dir, de->d_name, 0);
		close(fd);
	}
	closedir(d);
}

/* ---- the sidecar ---------------------------------------------------------- */

char *dlcache_redact_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *auth, *end, *at;

	if (!scheme)
		return xstrdup(url);
	auth = scheme + 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (const char *q = auth; q < end; q++)
		if (*q == '@')
			at = q;
	if (!at)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int)(auth - url), url, at);
}

/* The sidecar's text: the URL redacted and made one word (percent-encoded: it stays a URL). */
static char *sidecar_text(const char *url, long long used)
{
	struct strbuf sb = STRBUF_INIT;

	if (url) {
		char *shown = dlcache_redact_url(url);
		size_t i, n = strlen(shown);

		sb_adds(&sb, "url ");
		for (i = 0; i < n && i < URL_KEEP; i++) {
			unsigned char ch = (unsigned char)shown[i];

			if (ch <= 0x20 || ch >= 0x7f)
				sb_addf(&sb, "%%%02X", ch);
			else
				sb_addc(&sb, (char)ch);
		}
		sb_addc(&sb, '\n');
		free(shown);
	}
	sb_addf(&sb, "used %lld\n", used);
	return sb_detach(&sb);
}

/* Reads the sidecar NAME in dir: 0 with *url (NULL when none; caller frees) and *used (-1 when none); 1 when absent or not ours. */
static int sidecar_read(int dir, const char *name, char **url, long long *used)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char *buf, *line;
	struct stat st;
	ssize_t n;

	*url = NULL;
	*used = -1;
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SIDECAR_CAP) {
		close(fd);
		return 1;
	}
	buf = xmalloc(SIDECAR_CAP + 1);
	n = read_retry(fd, buf, SIDECAR_CAP);
	close(fd);
	if (n < 0) {
		free(buf);
		return 1;
	}
	buf[n] = '\0';
	for (line = buf; *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(line, "url ", 4) && !*url)
			*url = xstrdup(line + 4);
		else if (!strncmp(line, "used ", 5))
			*used = strtoll(line + 5, NULL, 10);
		if (!nl)
			break;
		line = nl + 1;
	}
	free(buf);
	return 0;
}

/* ---- lookup -------------------------------------------------------------------- */

static char *entry_path(const struct dlcache *c, const char *hex)
{
	return xasprintf("%s/sha256/%.2s/%s", c->root, hex, hex);
}

/* Opens sha256/XX of hex: the descriptor, -1 with errno ENOENT and no message when absent, else -1 with fail(). */
static int open_fanout(struct dlcache *c, const char *hex, int make)
{
	char xx[3] = { hex[0], hex[1], '\0' }, rel[10];

	snprintf(rel, sizeof(rel), "sha256/%s", xx);
	return open_sub(c->sha_fd, xx, c->root, rel, make);
}

/*
 * Removes hex (and its sidecar) from the directory xx, under the per-hash lock so
 * that a download being committed is not removed; when expect is given, only if
 * the name still leads to that file.  0, 1 when a download of it holds the lock.
 */
static int remove_entry(struct dlcache *c, int xx, const char *hex, const struct stat *expect)
{
	int waited = 0, lk = lock_hash(c, hex, 0, &waited), ret = 0;
	char side[64 + sizeof(SIDECAR_EXT)];
	struct stat st;

	if (lk == HASH_BUSY)
		return 1;
	if (lk < 0)
		return -1;
	snprintf(side, sizeof(side), "%s%s", hex, SIDECAR_EXT);
	if (fstatat(xx, hex, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
			ret = failp("'%s/sha256/%.2s/%s' is %s; cenv will not remove it", c->root, hex, hex,
				    S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		} else if (!expect || same_file(&st, expect)) {
			if (unlinkat(xx, hex, 0) < 0 && errno != ENOENT)
				ret = fail_errno("cannot remove '%s/sha256/%.2s/%s'", c->root, hex, hex);
			else
				unlinkat(xx, side, 0);
		}
	} else {
		unlinkat(xx, side, 0);
	}
	unlock_hash(c, hex, &lk);
	return ret;
}

/* Records a use now: best effort (a full disk must not stop an offline install over a date). */
static void touch_used(int xx, const char *hex)
{
	char side[64 + sizeof(SIDECAR_EXT)], *url, *text, *err;
	long long used;

	snprintf(side, sizeof(side), "%s%s", hex, SIDECAR_EXT);
	sidecar_read(xx, side, &url, &used);
	text = xasprintf("%s%s%sused %lld\n", url ? "url " : "", url ? url : "", url ? "\n" : "",
			 (long long)time(NULL));
	err = NULL;
	if (write_file_atomic_at(xx, side, side, text, strlen(text), 0644) < 0)
		err = error_take(); /* dropped: see above */
	free(err);
	free(text);
	free(url);
}

int dlcache_lookup(struct dlcache *c, const char *sha256, char **path, int *corrupt)
{
	char got[DIGEST_HEX_SIZE], *shown;
	struct stat st;
	int xx, fd, ret = -1;

	*path = NULL;
	if (corrupt)
		*corrupt = 0;
	if (!sha256 || !dlcache_valid_hash(sha256))
		return refuse_hash("cannot look up a download", sha256);
	xx = open_fanout(c, sha256, 0);
	if (xx < 0)
		return errno == ENOENT ? 0 : -1;
	shown = entry_path(c, sha256);
	fd = openat(xx, sha256, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			ret = 0;
		} else {
			char *rel = xasprintf("sha256/%.2s/%s", sha256, sha256);

			bad_entry(xx, sha256, c->root, rel);
			free(rel);
		}
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		fail_errno("cannot read '%s'", shown);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		failp("'%s' is not a regular file", shown);
		goto out;
	}
	if (digest_fd(fd, shown, got, NULL) < 0)
		goto out;
	if (strcmp(got, sha256)) {
		if (corrupt)
			*corrupt = 1;
		ret = remove_entry(c, xx, sha256, &st) < 0 ? -1 : 0;
		goto out;
	}
	touch_used(xx, sha256);
	*path = shown;
	shown = NULL;
	ret = 1;
out:
	if (fd >= 0)
		close(fd);
	close(xx);
	free(shown);
	return ret;
}

int dlcache_remove(struct dlcache *c, const char *sha256)
{
	int xx, ret;

	if (!sha256 || !dlcache_valid_hash(sha256))
		return refuse_hash("cannot remove a download", sha256);
	xx = open_fanout(c, sha256, 0);
	if (xx < 0)
		return errno == ENOENT ? 0 : -1;
	ret = remove_entry(c, xx, sha256, NULL);
	close(xx);
	return ret;
}

/* ---- downloads ------------------------------------------------------------------ */

/* 16 hex digits no other .part is likely to have (O_EXCL makes sure). */
static void random_word(char out[17], const void *salt)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		r ^= (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec ^
		     ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)salt;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)r);
}

static void part_reset(struct dlcache_part *p)
{
	memset(p, 0, sizeof(*p));
	p->fd = p->lock_fd = -1;
}

/*
 * Creates and locks a new .part.  A cleaner (remove_unlocked) may lock and remove
 * it between its creation and our flock: then the name no longer leads to our
 * file, and we make another.
 */
static int make_part(struct dlcache *c, struct dlcache_part *p)
{
	int attempt;

	for (attempt = 0; attempt < ATTEMPTS; attempt++) {
		char word[17], *leaf;
		struct stat mine, there;
		int fd;

		random_word(word, p);
		leaf = xasprintf("%s.%s%s", p->sha256 ? p->sha256 : "new", word, PART_EXT);
		fd = openat(c->tmp_fd, leaf, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			free(leaf);
			if (errno == EEXIST)
				continue;
			return fail_errno("cannot make a download file in '%s/tmp'", c->root);
		}
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				fail_errno("cannot lock '%s/tmp/%s'", c->root, leaf);
				close(fd);
				unlinkat(c->tmp_fd, leaf, 0);
				free(leaf);
				return -1;
			}
		}
		if (fstat(fd, &mine) == 0 &&
		    fstatat(c->tmp_fd, leaf, &there, AT_SYMLINK_NOFOLLOW) == 0 && same_file(&mine, &there)) {
			p->fd = fd;
			p->name = xasprintf("tmp/%s", leaf);
			free(leaf);
			return 0;
		}
		close(fd);
		free(leaf);
	}
	return fail("cannot make a download file in '%s/tmp': every name was taken", c->root);
}

int dlcache_begin(struct dlcache *c, const char *sha256, struct dlcache_part *p)
{
	part_reset(p);
	if (sha256) {
		struct stat st;
		int xx;

		if (!dlcache_valid_hash(sha256))
			return refuse_hash("cannot begin a download", sha256);
		p->sha256 = xstrdup(sha256);
		p->lock_fd = lock_hash(c, sha256, 1, &p->waited);
		if (p->lock_fd == HASH_GAVE_UP)
			p->lock_fd = -1; /* the holder is slow or stuck: the same bytes, downloaded twice */
		else if (p->lock_fd < 0)
			goto fail;
		/* committed by the one we waited for, or just before we came */
		xx = open_fanout(c, sha256, 0);
		if (xx >= 0) {
			int there = fstatat(xx, sha256, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);

			close(xx);
			if (there) {
				int waited = p->waited;

				dlcache_abort(c, p);
				p->waited = waited;
				return 1;
			}
		} else if (errno != ENOENT) {
			goto fail;
		}
	}
	remove_unlocked(c->tmp_fd, PART_EXT);
	remove_unlocked(c->locks_fd, NULL);
	if (make_part(c, p) < 0)
		goto fail;
	return 0;
fail:
	{
		char *err = error_take();

		dlcache_abort(c, p);
		return error_restore(err);
	}
}

void dlcache_abort(struct dlcache *c, struct dlcache_part *p)
{
	if (p->fd >= 0 && p->name)
		unlinkat(c->fd, p->name, 0); /* while still locked: no cleaner removes another's */
	fsat_close(&p->fd);
	if (p->sha256)
		unlock_hash(c, p->sha256, &p->lock_fd);
	fsat_close(&p->lock_fd);
	free(p->name);
	free(p->sha256);
	part_reset(p);
}

int dlcache_commit(struct dlcache *c, struct dlcache_part *p, const char *hex, const char *url,
		   char **path)
{
	char side[64 + sizeof(SIDECAR_EXT)], *text = NULL, *shown = NULL, *err;
	struct stat st;
	int xx = -1;

	*path = NULL;
	if (p->fd < 0 || !p->name) {
		fail("cannot commit a download that was not begun");
		goto fail;
	}
	if (!hex || !dlcache_valid_hash(hex)) {
		refuse_hash("cannot commit a download", hex);
		goto fail;
	}
	if (p->sha256 && strcmp(p->sha256, hex)) {
		fail("cannot commit the download of %s: its bytes are %s", p->sha256, hex);
		goto fail;
	}
	/*
	 * No fsync of the file: what it costs is the disk writing the whole download before the
	 * command may go on (a second for 200 MB on a slow disk; curl -o does not wait either).
	 * The cache needs no durability to be right: every use hashes the file again
	 * (dlcache_lookup), so one that a crash left short or zeroed is found and fetched anew.
	 * A full disk shows at write() (ext4 and XFS reserve delayed blocks there).
	 */
	xx = open_fanout(c, hex, 1);
	if (xx < 0)
		goto fail;
	shown = entry_path(c, hex);
	if (fstatat(xx, hex, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode)) {
		failp("'%s' is %s; cenv will not replace it", shown,
		      S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
		goto fail;
	}
	/* the sidecar first: a file in place always has its URL (a killed commit leaves only a sidecar) */
	snprintf(side, sizeof(side), "%s%s", hex, SIDECAR_EXT);
	text = sidecar_text(url, (long long)time(NULL));
	{
		char *side_shown = xasprintf("%s%s", shown, SIDECAR_EXT);
		int r = write_file_atomic_at(xx, side, side_shown, text, strlen(text), 0644);

		free(side_shown);
		if (r < 0)
			goto fail;
	}
	if (renameat(c->fd, p->name, xx, hex) < 0) {
		fail_errno("cannot move the download '%s/%s' to '%s'", c->root, p->name, shown);
		goto fail;
	}
	/* in place: from here on nothing removes it */
	free(p->name);
	p->name = NULL;
	if (fsat_sync(xx, shown) < 0)
		goto fail;
	close(xx);
	free(text);
	dlcache_abort(c, p);
	*path = shown;
	return 0;
fail:
	err = error_take();
	if (xx >= 0)
		close(xx);
	free(text);
	free(shown);
	dlcache_abort(c, p);
	return error_restore(err);
}

/* ---- listing -------------------------------------------------------------------- */

/* The names of dir for which keep() holds, sorted, in *out (NULL-terminated; caller frees); -1 with errno. */
static int sorted_names(int dir, int (*keep)(const char *name, const char *prefix),
			const char *prefix, char ***out)
{
	struct strvec names = STRVEC_INIT;
	DIR *d = opendir_fresh(dir);
	struct dirent *de;
	int saved;

	*out = NULL;
	if (!d)
		return -1;
	while ((errno = 0, de = readdir(d)))
		if (keep(de->d_name, prefix))
			strvec_push(&names, de->d_name);
	saved = errno;
	closedir(d);
	if (saved) {
		strvec_release(&names);
		errno = saved;
		return -1;
	}
	strvec_sort_unique(&names);
	strvec_argv(&names);
	*out = strvec_detach(&names);
	return 0;
}

static int is_fanout(const char *name, const char *prefix)
{
	(void)prefix;
	return strlen(name) == 2 && strchr("0123456789abcdef", name[0]) &&
	       strchr("0123456789abcdef", name[1]) && name[0] && name[1];
}

static int is_entry(const char *name, const char *prefix)
{
	return dlcache_valid_hash(name) && !strncmp(name, prefix, 2);
}

int dlcache_list(struct dlcache *c, int (*fn)(void *ctx, const struct dlcache_entry *e), void *ctx)
{
	char **fans, **names = NULL;
	int ret = 0;
	size_t i, j;

	if (sorted_names(c->sha_fd, is_fanout, NULL, &fans) < 0)
		return fail_errno("cannot read '%s/sha256'", c->root);
	for (i = 0; fans[i] && !ret; i++) {
		int xx = fsat_open_dir(c->sha_fd, fans[i]);

		if (xx < 0)
			continue; /* a symlink or a file there is no cache directory: skipped */
		if (sorted_names(xx, is_entry, fans[i], &names) < 0) {
			ret = fail_errno("cannot read '%s/sha256/%s'", c->root, fans[i]);
			close(xx);
			break;
		}
		for (j = 0; names && names[j] && !ret; j++) {
			struct dlcache_entry e;
			struct stat st;
			char side[64 + sizeof(SIDECAR_EXT)], *url, *path;
			long long used;

			if (fstatat(xx, names[j], &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
				continue;
			snprintf(side, sizeof(side), "%s%s", names[j], SIDECAR_EXT);
			sidecar_read(xx, side, &url, &used);
			path = entry_path(c, names[j]);
			e.sha256 = names[j];
			e.path = path;
			e.size = (long long)st.st_size;
			e.last_use = used >= 0 ? (time_t)used : st.st_mtime;
			e.url = url;
			ret = fn(ctx, &e);
			free(path);
			free(url);
		}
		strvec_free_array(names);
		names = NULL;
		close(xx);
	}
	strvec_free_array(fans);
	return ret;
}
