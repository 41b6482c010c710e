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
#include "prebuilt.h"
#include "util.h"

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	int in, out, ret = -1;

	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return fail_errno("cannot read '%s'", from);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
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

static int copy_symlink(const char *from, const char *to, off_t size)
{
	char *target = read_link_at(AT_FDCWD, from, size > 0 ? (size_t)size : 0);
	int ret;

	if (!target)
		return -1; /* read_link_at said so */
	ret = symlink(target, to) < 0 ? fail_errno("cannot create the link '%s'", to) : 0;
	free(target);
	return ret;
}

/*
 * Copies the contents of the directory from into the existing directory to: files with their
 * permission bits (setuid, setgid and sticky dropped), symlinks as symlinks, directories
 * keeping u+rwx so the staged tree can be moved and removed.
 */
static int copy_tree(const char *from, const char *to)
{
	DIR *dir = opendir(from);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return fail_errno("cannot read '%s'", from);
	while (ret == 0 && (errno = 0, de = readdir(dir))) {
		char *src, *dst;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		src = path_join(from, de->d_name);
		dst = path_join(to, de->d_name);
		if (lstat(src, &st) < 0) {
			ret = fail_errno("cannot read '%s'", src);
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0700) < 0 && (errno != EEXIST || !is_dir(dst)))
				ret = fail_errno("cannot create '%s'", dst);
			if (ret == 0)
				ret = copy_tree(src, dst);
			if (ret == 0 && chmod(dst, (st.st_mode & 0777) | 0700) < 0)
				ret = fail_errno("cannot set the mode of '%s'", dst);
		} else if (S_ISREG(st.st_mode)) {
			ret = copy_file(src, dst, st.st_mode & 0777);
		} else if (S_ISLNK(st.st_mode)) {
			ret = copy_symlink(src, dst, st.st_size);
		} else {
			ret = fail("'%s' is not a file, directory or symlink", src);
		}
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

/* Sets the prefix of every .pc file in dirpath (none there: nothing to do), noting each in the log. */
static int fix_pc_dir(const char *dirpath, const char *prefix, int log_fd)
{
	DIR *dir = opendir(dirpath);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return errno == ENOENT ? 0 : fail_errno("cannot read '%s'", dirpath);
	while (ret == 0 && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char *path, *text = NULL, *fixed, *note;
		struct stat st;

		if (len < 4 || strcmp(de->d_name + len - 3, ".pc"))
			continue;
		path = path_join(dirpath, de->d_name);
		/* a symlinked .pc is fixed through its target, if that is ours */
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			note = xasprintf("cenv: prefix=%s in %s\n", prefix, path);
			write_all(log_fd, note, strlen(note), -1);
			free(note);
			ret = read_file(path, &text, NULL);
			if (ret == 0) {
				fixed = rewrite_pc(text, prefix);
				ret = write_file_atomic(path, fixed, strlen(fixed), st.st_mode & 0777);
				if (ret == 0 && chmod(path, st.st_mode & 0777) < 0)
					ret = fail_errno("cannot set the mode of '%s'", path);
				free(fixed);
			}
		}
		free(text);
		free(path);
	}
	closedir(dir);
	return ret;
}

/*
 * Moves (or, across file systems, copies) each directory at the top of the tree into the
 * stage.  The unpacked tree is the installer's own and is thrown away afterwards, so a
 * rename costs nothing per file.  Files at the top (README, LICENSE) are not installed:
 * they would land in the prefix itself and clash between packages.
 */
static int stage_tree(const char *src, const char *stage)
{
	DIR *dir = opendir(src);
	struct dirent *de;
	int ret = 0;

	if (!dir)
		return fail_errno("cannot read '%s'", src);
	while (ret == 0 && (errno = 0, de = readdir(dir))) {
		char *from, *to;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		from = path_join(src, de->d_name);
		to = path_join(stage, de->d_name);
		if (lstat(from, &st) < 0) {
			ret = fail_errno("cannot read '%s'", from);
		} else if (S_ISDIR(st.st_mode) && rename(from, to) < 0) {
			if (errno != EXDEV)
				ret = fail_errno("cannot move '%s' to '%s'", from, to);
			else if (mkdir(to, 0700) < 0)
				ret = fail_errno("cannot create '%s'", to);
			else if ((ret = copy_tree(from, to)) == 0 && chmod(to, (st.st_mode & 0777) | 0700) < 0)
				ret = fail_errno("cannot set the mode of '%s'", to);
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
	char *line;
	int ret;

	line = xasprintf("cenv: moving the directories of %s to %s\n", src, stage);
	write_all(log_fd, line, strlen(line), -1);
	free(line);
	/* the stage must not be inside the tree it takes the directories of */
	if (!strncmp(stage, src, srclen) && (stage[srclen] == '/' || !stage[srclen]))
		ret = fail("the staging directory '%s' is inside the source tree", stage);
	else
		ret = mkdir_p(stage, 0755, NULL);
	if (ret == 0)
		ret = stage_tree(src, stage);
	for (i = 0; ret == 0 && i < sizeof(pcdirs) / sizeof(pcdirs[0]); i++) {
		char *dir = path_join(stage, pcdirs[i]);

		ret = fix_pc_dir(dir, prefix, log_fd);
		free(dir);
	}
	return ret;
}
