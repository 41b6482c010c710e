/* layout.c - the directories of an environment and the rules for where one may be made. */
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
#include "quote.h"
#include "util.h"

const char *const layout_dirs[] = {
	"bin",
	"include",
	"lib",
	"lib/pkgconfig",
	"share",
	"share/pkgconfig",
	"share/man",
	"share/aclocal",
	"var",
	"var/cenv",
	NULL,
};

int layout_check_path(const char *abs)
{
	/* ':' separates PATH elements, so such a directory could never be found on it. */
	if (strchr(abs, ':'))
		return fail("'%s': an environment path cannot contain ':' (it would break PATH)", abs);
	if (has_control_char(abs)) {
		char *shown = printable(abs);

		fail("'%s': an environment path cannot contain control characters", shown);
		free(shown);
		return -1;
	}
	return 0;
}

int layout_is_env(const char *dir)
{
	char *cfg = path_join(dir, LAYOUT_CONFIG);
	char *state = path_join(dir, LAYOUT_STATE);
	struct stat st;
	int ok = lstat(cfg, &st) == 0 && S_ISREG(st.st_mode) && is_dir(state);

	free(cfg);
	free(state);
	return ok;
}

int layout_open_root(const char *prefix)
{
	int fd = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return fail_errno("cannot open the environment '%s'", prefix);
	return fd;
}

/* The message for the part of rel (its first bad bytes) fsat_walk could not open. */
static int refuse_part(int root, const char *prefix, const char *rel, size_t bad, int err)
{
	char *part = xasprintf("%.*s", (int)bad, rel);
	struct stat st;

	if (!bad)
		fail_errno("cannot open the environment '%s'", prefix);
	else if ((err == ELOOP || err == ENOTDIR) &&
		 fstatat(root, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		fail("'%s/%s' is a symbolic link; cenv will not write through it", prefix, part);
	else if (err == ELOOP || err == ENOTDIR)
		fail("'%s/%s' is not a directory", prefix, part);
	else
		fail_errno("cannot open '%s/%s'", prefix, part);
	free(part);
	errno = err;
	return -1;
}

int layout_open(int root, const char *prefix, const char *rel, mode_t mkdir_mode)
{
	size_t bad = 0;
	int fd = fsat_walk(root, rel, strlen(rel), mkdir_mode, &bad);

	return fd >= 0 ? fd : refuse_part(root, prefix, rel, bad, errno);
}

int layout_make_dirs_at(int root, const char *prefix)
{
	const char *const *d;

	for (d = layout_dirs; *d; d++) {
		int fd = layout_open(root, prefix, *d, 0777);

		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

int layout_make_dirs(const char *prefix)
{
	int root = layout_open_root(prefix), ret;

	if (root < 0)
		return -1;
	ret = layout_make_dirs_at(root, prefix);
	close(root);
	return ret;
}

/* Removes everything in the directory rel (open in dir) but the names in keep (NULL-terminated). */
static int clear_but(int dir, const char *prefix, const char *rel, const char *const *keep)
{
	DIR *d = fsat_opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (!d) {
		return fail_errno("cannot read '%s%s%s'", prefix, *rel ? "/" : "", rel);
	}
	while (ret == 0 && (de = readdir(d))) {
		const char *const *k;
		char *child;

		for (k = keep; *k && strcmp(*k, de->d_name); k++)
			;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || *k)
			continue;
		child = *rel ? xasprintf("%s/%s/%s", prefix, rel, de->d_name)
			     : path_join(prefix, de->d_name);
		ret = remove_tree(child);
		free(child);
	}
	closedir(d);
	return ret;
}

int layout_clear(int root, const char *prefix)
{
	static const char *const top[] = { "var", LAYOUT_CONFIG, NULL };
	static const char *const in_var[] = { "cenv", NULL };
	static const char *const in_state[] = { "lock", NULL };
	int var = -1, state = -1, ret = -1;

	/* the directories on the way to the lock, which stays: its holders keep holding it */
	if ((var = layout_open(root, prefix, "var", 0)) < 0 ||
	    (state = layout_open(root, prefix, LAYOUT_STATE, 0)) < 0)
		goto out;
	if (clear_but(root, prefix, "", top) == 0 && clear_but(var, prefix, "var", in_var) == 0 &&
	    clear_but(state, prefix, LAYOUT_STATE, in_state) == 0)
		ret = 0;
out:
	fsat_close(&var);
	fsat_close(&state);
	return ret;
}

int layout_has_dir(const char *rel)
{
	const char *const *d;

	for (d = layout_dirs; *d; d++)
		if (!strcmp(*d, rel))
			return 1;
	return 0;
}

int layout_is_own(const char *rel)
{
	/* scripts.c writes the three scripts */
	static const char *const own[] = {
		LAYOUT_CONFIG, "bin/activate", "bin/activate.fish", "bin/activate.csh", NULL,
	};
	const char *const *p;

	for (p = own; *p; p++)
		if (!strcmp(*p, rel))
			return 1;
	return layout_in_state(rel);
}

int layout_in_state(const char *rel)
{
	size_t n = strlen(LAYOUT_STATE);

	return !strncmp(rel, LAYOUT_STATE, n) && (rel[n] == '\0' || rel[n] == '/');
}
