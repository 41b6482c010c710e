/* prebuilt.c - stage a prebuilt tree: move its directories into the stage, point its .pc files at the prefix. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "prebuilt.h"
#include "util.h"

/*
 * Everything here is reached from a directory descriptor with O_NOFOLLOW: the trees are the
 * installer's own, but a symlink in them (lib/pkgconfig -> somewhere outside) must never have
 * cenv read or write what it points to.  Paths are built only for messages and the log.
 */

static int copy_file(int from_dir, int to_dir, const char *name, const char *from, const char *to,
		     mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;

	in = openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return fail_errno("cannot read '%s'", from);
	out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		fail_errno("cannot create '%s'", to);
		close(in);
		return -1;
	}
	for (;;) {
		ssize_t n = read_retry(in, buf, sizeof(buf));

		if (n < 0) {
			fail_errno("cannot read '%s'", from);
			goto out;
		}
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n, -1) < 0) {
			fail_errno("cannot write '%s'", to);
			goto out;
		}
	}
	/* fchmod, not the umask-filtered mode of open(): the modes are the package's */
	if (fchmod(out, mode) < 0) {
		fail_errno("cannot set the mode of '%s'", to);
		goto out;
	}
	ret = 0;
out:
	if (close(out) < 0 && ret == 0)
		ret = fail_errno("cannot write '%s'", to);
	close(in);
	return ret;
}

static int copy_symlink(int from_dir, int to_dir, const char *name, const char *to, off_t size)
{
	char *target = read_link_at(from_dir, name, size > 0 ? (size_t)size : 0);
	int ret;

	if (!target)
		return -1; /* read_link_at said so */
	ret = symlinkat(target, to_dir, name) < 0 ? fail_errno("cannot create the link '%s'", to) : 0;
	free(target);
	return ret;
}

static int copy_tree(int from_fd, int to_fd, const char *from, const char *to);

/* Makes the directory name in to_dir (or takes the one there) and copies from_dir's name into it. */
static int copy_dir(int from_dir, int to_dir, const char *name, const char *from, const char *to,
		    mode_t mode)
{
	int sub_from, sub_to = -1, ret = -1;

	if (mkdirat(to_dir, name, 0700) < 0 && errno != EEXIST)
		return fail_errno("cannot create '%s'", to);
	sub_from = fsat_open_dir(from_dir, name);
	if (sub_from < 0)
		return fail_errno("cannot read '%s'", from);
	sub_to = fsat_open_dir(to_dir, name);
	if (sub_to < 0) {
		fail_errno("cannot create '%s'", to);
		goto out;
	}
	ret = copy_tree(sub_from, sub_to, from, to);
	if (ret == 0 && fchmod(sub_to, (mode & 0777) | 0700) < 0)
		ret = fail_errno("cannot set the mode of '%s'", to);
out:
	close(sub_from);
	if (sub_to >= 0)
		close(sub_to);
	return ret;
}

/*
 * Copies the contents of the directory from_fd into the existing directory to_fd: files with
 * their permission bits (setuid, setgid and sticky dropped), symlinks as symlinks, directories
 * keeping u+rwx so the staged tree can be moved and removed.
 */
static int copy_tree(int from_fd, int to_fd, const char *from, const char *to)
{
	DIR *dir = fsat_opendir(from_fd);
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		return fail_errno("cannot read '%s'", from);
	}
	while (ret == 0 && (errno = 0, de = readdir(dir))) {
		char *src, *dst;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		src = path_join(from, de->d_name);
		dst = path_join(to, de->d_name);
		if (fstatat(from_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			ret = fail_errno("cannot read '%s'", src);
		else if (S_ISDIR(st.st_mode))
			ret = copy_dir(from_fd, to_fd, de->d_name, src, dst, st.st_mode);
		else if (S_ISREG(st.st_mode))
			ret = copy_file(from_fd, to_fd, de->d_name, src, dst, st.st_mode & 0777);
		else if (S_ISLNK(st.st_mode))
			ret = copy_symlink(from_fd, to_fd, de->d_name, dst, st.st_size);
		else
			ret = fail("'%s' is not a file, directory or symlink", src);
		free(src);
		free(dst);
	}
	if (ret == 0 && errno)
		ret = fail_errno("cannot read '%s'", from);
	closedir(dir);
	return ret;
}

/*
 * The .pc file text with its "prefix=" line set to prefix.  Variables spelling out the old
 * prefix ("libdir=/opt/vendor/lib", common in vendor files) are made to use ${prefix}.
 * Returns a new string.
 */
static char *rewrite_pc(const char *text, const char *prefix)
{
	struct strbuf out = STRBUF_INIT;
	char *old = NULL;
	const char *line, *end, *p;

	for (line = text; *line; line = end) {
		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (!old && !strncmp(line, "prefix=", 7)) {
			const char *v = line + 7, *e = end;

			while (e > v && strchr("\r\n \t", e[-1]))
				e--;
			old = xasprintf("%.*s", (int)(e - v), v);
		}
	}
	for (line = text; *line; line = end) {
		size_t oldlen = old ? strlen(old) : 0;

		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		if (!strncmp(line, "prefix=", 7)) {
			sb_addf(&out, "prefix=%s\n", prefix);
			continue;
		}
		for (p = line; p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'); p++)
			;
		if (p > line && *p == '=' && oldlen > 1 && !strncmp(p + 1, old, oldlen) &&
		    strchr("/\r\n \t", p[1 + oldlen] ? p[1 + oldlen] : '\n')) {
			sb_add(&out, line, (size_t)(p + 1 - line));
			sb_adds(&out, "${prefix}");
			sb_add(&out, p + 1 + oldlen, (size_t)(end - (p + 1 + oldlen)));
			continue;
		}
		sb_add(&out, line, (size_t)(end - line));
	}
	free(old);
	return sb_detach(&out);
}

/* A .pc file larger than this is no pkg-config file: refused rather than read into memory. */
#define PC_MAX (1024 * 1024)

/* The text of the regular file name in dir, opened without following a symlink; -1 with fail(). */
static int read_pc(int dir, const char *name, const char *path, char **text)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[8192];
	struct stat st;
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), ret = -1;

	*text = NULL;
	if (fd < 0)
		return fail_errno("cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fail("'%s' is not a regular file", path);
		goto out;
	}
	for (;;) {
		ssize_t n = read_retry(fd, chunk, sizeof(chunk));

		if (n < 0) {
			fail_errno("cannot read '%s'", path);
			goto out;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > PC_MAX) {
			fail("'%s' is larger than %d bytes: not a pkg-config file", path, PC_MAX);
			goto out;
		}
		sb_add(&sb, chunk, (size_t)n);
	}
	*text = sb_detach(&sb);
	ret = 0;
out:
	sb_release(&sb);
	close(fd);
	return ret;
}

/* Replaces name in dir by a new file of text and mode: written beside it, then renamed over it. */
static int replace_pc(int dir, const char *name, const char *path, const char *text, mode_t mode)
{
	char *tmp = xasprintf(".%s.cenv-new", name);
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600), ret = -1;

	if (fd < 0) {
		fail_errno("cannot write '%s'", path);
		free(tmp);
		return -1;
	}
	if (write_all(fd, text, strlen(text), -1) < 0)
		fail_errno("cannot write '%s'", path);
	else if (fchmod(fd, mode) < 0)
		fail_errno("cannot set the mode of '%s'", path);
	else
		ret = 0;
	if (close(fd) < 0 && ret == 0)
		ret = fail_errno("cannot write '%s'", path);
	if (ret == 0 && renameat(dir, tmp, dir, name) < 0)
		ret = fail_errno("cannot write '%s'", path);
	if (ret < 0)
		unlinkat(dir, tmp, 0);
	free(tmp);
	return ret;
}

/*
 * Sets the prefix of every .pc file in stage/rel (none there: nothing to do), noting each in the
 * log.  A rel that is a symlink (or has one on the way) is not entered: its .pc files are not
 * ours to change, and the staged-tree check judges where the symlink leads.
 */
static int fix_pc_dir(int stage_fd, const char *stage, const char *rel, const char *prefix,
		      int log_fd)
{
	char *dirpath = path_join(stage, rel), *note;
	int dir = fsat_walk(stage_fd, rel, strlen(rel), 0, NULL), ret = 0;
	DIR *d;
	struct dirent *de;

	if (dir < 0) {
		if (errno == ELOOP || errno == ENOTDIR) {
			note = xasprintf("cenv: %s is not a directory: its .pc files are left as they are\n",
					 dirpath);
			write_all(log_fd, note, strlen(note), -1);
			free(note);
		} else if (errno != ENOENT) {
			ret = fail_errno("cannot read '%s'", dirpath);
		}
		free(dirpath);
		return ret;
	}
	d = fsat_opendir(dir);
	if (!d) {
		ret = fail_errno("cannot read '%s'", dirpath);
		goto out;
	}
	while (ret == 0 && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *path, *text = NULL, *fixed;
		struct stat st;

		if (len < 4 || strcmp(de->d_name + len - 3, ".pc"))
			continue;
		path = path_join(dirpath, de->d_name);
		/* a symlinked .pc is left alone: its target, if it is in the tree, is fixed itself */
		if (fstatat(dir, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
			note = xasprintf("cenv: prefix=%s in %s\n", prefix, path);
			write_all(log_fd, note, strlen(note), -1);
			free(note);
			ret = read_pc(dir, de->d_name, path, &text);
			if (ret == 0) {
				fixed = rewrite_pc(text, prefix);
				ret = replace_pc(dir, de->d_name, path, fixed, st.st_mode & 0777);
				free(fixed);
			}
		}
		free(text);
		free(path);
	}
	closedir(d);
out:
	close(dir);
	free(dirpath);
	return ret;
}

/*
 * Moves (or, across file systems, copies) each directory at the top of the tree into the
 * stage.  The unpacked tree is the installer's own and is thrown away afterwards, so a
 * rename costs nothing per file.  Files at the top (README, LICENSE) are not installed:
 * they would land in the prefix itself and clash between packages.
 */
static int stage_tree(int src_fd, int stage_fd, const char *src, const char *stage)
{
	DIR *dir = fsat_opendir(src_fd);
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		return fail_errno("cannot read '%s'", src);
	}
	while (ret == 0 && (errno = 0, de = readdir(dir))) {
		char *from, *to;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		from = path_join(src, de->d_name);
		to = path_join(stage, de->d_name);
		if (fstatat(src_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = fail_errno("cannot read '%s'", from);
		} else if (S_ISDIR(st.st_mode) && renameat(src_fd, de->d_name, stage_fd, de->d_name) < 0) {
			if (errno != EXDEV)
				ret = fail_errno("cannot move '%s' to '%s'", from, to);
			else
				ret = copy_dir(src_fd, stage_fd, de->d_name, from, to, st.st_mode);
		}
		free(from);
		free(to);
	}
	if (ret == 0 && errno)
		ret = fail_errno("cannot read '%s'", src);
	closedir(dir);
	return ret;
}

int prebuilt_stage(const char *src, const char *stage, const char *prefix, int log_fd)
{
	static const char *const pcdirs[] = { "lib/pkgconfig", "share/pkgconfig" };
	size_t srclen = strlen(src), i;
	int src_fd = -1, stage_fd = -1, ret;
	char *line;

	line = xasprintf("cenv: moving the directories of %s to %s\n", src, stage);
	write_all(log_fd, line, strlen(line), -1);
	free(line);
	/* the stage must not be inside the tree it takes the directories of */
	if (!strncmp(stage, src, srclen) && (stage[srclen] == '/' || !stage[srclen]))
		ret = fail("the staging directory '%s' is inside the source tree", stage);
	else
		ret = mkdir_p(stage, 0755, NULL);
	if (ret == 0 && (src_fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		ret = fail_errno("cannot read '%s'", src);
	if (ret == 0 && (stage_fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		ret = fail_errno("cannot open '%s'", stage);
	if (ret == 0)
		ret = stage_tree(src_fd, stage_fd, src, stage);
	for (i = 0; ret == 0 && i < sizeof(pcdirs) / sizeof(pcdirs[0]); i++)
		ret = fix_pc_dir(stage_fd, stage, pcdirs[i], prefix, log_fd);
	if (src_fd >= 0)
		close(src_fd);
	if (stage_fd >= 0)
		close(stage_fd);
	return ret;
}
