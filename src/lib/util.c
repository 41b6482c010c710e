/* util.c - memory, growable strings and file-system helpers shared by every module. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "util.h"

static void (*oom_handler)(void);

void util_set_oom_handler(void (*handler)(void))
{
	oom_handler = handler;
}

static void __attribute__((noreturn)) out_of_memory(void)
{
	if (oom_handler)
		oom_handler();
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		out_of_memory();
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		out_of_memory();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}


void sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need <= sb->cap)
		return;
	sb->cap = sb->cap ? sb->cap : 64;
	while (sb->cap < need)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void sb_add(struct strbuf *sb, const char *s, size_t n)
{
	sb_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *sb_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

char *sb_detach(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");

	sb_init(sb);
	return s;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

char *path_absolute(const char *path)
{
	struct strbuf in = STRBUF_INIT, out = STRBUF_INIT;
	const char *p, *end;

	if (path[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		if (!cwd) {
			fail_errno("cannot find the current directory");
			return NULL;
		}
		sb_adds(&in, cwd);
		sb_addc(&in, '/');
		free(cwd);
	}
	sb_adds(&in, path);
	for (p = sb_str(&in); *p; p = end) {
		size_t n;

		while (*p == '/')
			p++;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = out.len ? strrchr(out.buf, '/') : NULL;

			if (slash) {
				out.len = (size_t)(slash - out.buf);
				out.buf[out.len] = '\0';
			}
			continue;
		}
		sb_addc(&out, '/');
		sb_add(&out, p, n);
	}
	if (!out.len)
		sb_addc(&out, '/');
	sb_release(&in);
	return sb_detach(&out);
}

char *path_basename(const char *path)
{
	size_t len = strlen(path);
	const char *start;

	while (len > 1 && path[len - 1] == '/')
		len--;
	start = path + len;
	while (start > path && start[-1] != '/')
		start--;
	return xasprintf("%.*s", (int)(path + len - start), start);
}

char *path_dirname(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	while (len > 0 && path[len - 1] != '/')
		len--;
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len == 0)
		return xstrdup(".");
	return xasprintf("%.*s", (int)len, path);
}

int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int dir_is_empty(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (!dir)
		return fail_errno("cannot read '%s'", path);
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(dir);
	return empty;
}

int mkdir_p(const char *path, mode_t mode, char **created)
{
	char *copy = xstrdup(path), *p;
	int ret = 0;

	if (created)
		*created = NULL;
	for (p = copy + 1;; p++) {
		char saved = *p;

		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) == 0) {
			if (created && !*created)
				*created = xstrdup(copy);
		} else if (errno != EEXIST || !is_dir(copy)) {
			ret = errno == EEXIST ? fail("'%s' exists and is not a directory", copy)
					      : fail_errno("cannot create '%s'", copy);
			break;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return ret;
}

int remove_contents(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return fail_errno("cannot read '%s'", path);
	while (ret == 0 && (de = readdir(dir))) {
		char *child;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = path_join(path, de->d_name);
		ret = remove_tree(child);
		free(child);
	}
	closedir(dir);
	return ret;
}

int remove_tree(const char *path)
{
	char *dir = path_dirname(path), *leaf = path_basename(path);
	int at = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	/* fd-relative from the parent down: any depth, never through a symlink (fsat.h) */
	if (at < 0)
		ret = errno == ENOENT ? 0 : fail_errno("cannot remove '%s'", path);
	else
		ret = fsat_remove_tree(at, dir, leaf);
	if (at >= 0)
		close(at);
	free(dir);
	free(leaf);
	return ret;
}

ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

int write_all(int fd, const void *data, size_t len, off_t off)
{
	const char *p = data;

	while (len) {
		ssize_t n = off < 0 ? write(fd, p, len) : pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		if (off >= 0)
			off += n;
	}
	return 0;
}

/* What the *_at writers refuse to replace: cenv's own files are never symlinks. */
static int refuse_link(int dir, const char *name, const char *shown)
{
	struct stat st;

	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		return fail("'%s' is a symbolic link; cenv will not write through it", shown);
	return 0;
}

int write_file_new_at(int dir, const char *name, const char *shown, const char *data, size_t len,
		      mode_t mode)
{
	int fd, failed;

	if (refuse_link(dir, name, shown) < 0)
		return -1;
	/* O_EXCL refuses anything there, a symlink included (it is not followed) */
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return fail_errno("cannot write '%s'", shown);
	failed = write_all(fd, data, len, -1) < 0;
	if (close(fd) < 0 || failed) {
		fail_errno("cannot write '%s'", shown);
		unlinkat(dir, name, 0);
		return -1;
	}
	return 0;
}

int write_file_new(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_file_new_at(AT_FDCWD, path, path, data, len, mode);
}

int is_temp_name(const char *name)
{
	const char *t = strstr(name, TEMP_MARK);

	while (t) {
		const char *d = t + strlen(TEMP_MARK);

		if (*d && strspn(d, "0123456789") == strlen(d))
			return 1;
		t = strstr(t + 1, TEMP_MARK);
	}
	return 0;
}

/*
 * Like mkstemp, with digits only (is_temp_name's form): the process id keeps
 * processes apart, a counter threads and retries, and O_EXCL makes a
 * collision (a leftover of a killed process with the same id) a retry
 * instead of two writers sharing one file.
 */
static int open_temp(int dir, const char *name, mode_t mode, char **tmp)
{
	static _Atomic unsigned long counter;
	int attempt;

	for (attempt = 0; attempt < 100; attempt++) {
		unsigned long n = counter++;
		int fd;

		*tmp = xasprintf("%s" TEMP_MARK "%ld%06lu", name, (long)getpid(), n % 1000000);
		fd = openat(dir, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd;
		free(*tmp);
	}
	*tmp = NULL;
	errno = EEXIST;
	return -1;
}

/* The atomic write, in dir; with no_link a symlink at name is refused, not replaced. */
static int write_atomic(int dir, const char *name, const char *shown, const char *data,
			size_t len, mode_t mode, int no_link)
{
	char *tmp = NULL;
	int fd, failed, ret = -1;

	if (no_link && refuse_link(dir, name, shown) < 0)
		return -1;
	fd = open_temp(dir, name, mode, &tmp);
	if (fd < 0) {
		fail_errno("cannot write '%s'", shown);
		goto out;
	}
	failed = write_all(fd, data, len, -1) < 0;
	if (close(fd) < 0 || failed || renameat(dir, tmp, dir, name) < 0) {
		fail_errno("cannot write '%s'", shown);
		unlinkat(dir, tmp, 0);
		goto out;
	}
	ret = 0;
out:
	free(tmp);
	return ret;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_atomic(AT_FDCWD, path, path, data, len, mode, 0);
}

int write_file_atomic_at(int dir, const char *name, const char *shown, const char *data,
			 size_t len, mode_t mode)
{
	return write_atomic(dir, name, shown, data, len, mode, 1);
}

char *read_link_at(int dirfd, const char *path, size_t hint)
{
	size_t cap = hint + 2 > 64 ? hint + 2 : 64;

	for (;;) {
		char *buf = xmalloc(cap);
		ssize_t n = readlinkat(dirfd, path, buf, cap);

		if (n < 0) {
			fail_errno("cannot read the symlink '%s'", path);
			free(buf);
			return NULL;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			return buf;
		}
		free(buf);
		cap *= 2;
	}
}

int read_file(const char *path, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail_errno("cannot open '%s'", path);
	for (;;) {
		ssize_t n = read_retry(fd, chunk, sizeof(chunk));

		if (n < 0) {
			fail_errno("cannot read '%s'", path);
			close(fd);
			sb_release(&sb);
			return -1;
		}
		if (n == 0)
			break;
		sb_add(&sb, chunk, (size_t)n);
	}
	close(fd);
	if (len)
		*len = sb.len;
	*out = sb_detach(&sb);
	return 0;
}

const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return NULL;
}
