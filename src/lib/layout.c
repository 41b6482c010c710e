/* layout.c - the directories of an environment and the rules for where one may be made. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
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

int layout_make_dirs(const char *prefix)
{
	const char *const *d;

	for (d = layout_dirs; *d; d++) {
		char *path = path_join(prefix, *d);
		int ret = mkdir(path, 0777);

		if (ret < 0 && (errno != EEXIST || !is_dir(path))) {
			fail_errno("cannot create '%s'", path);
			free(path);
			return -1;
		}
		free(path);
	}
	return 0;
}

int layout_has_dir(const char *rel)
{
	const char *const *d;

	for (d = layout_dirs; *d; d++)
		if (!strcmp(*d, rel))
			return 1;
	return 0;
}

int layout_in_state(const char *rel)
{
	size_t n = strlen(LAYOUT_STATE);

	return !strncmp(rel, LAYOUT_STATE, n) && (rel[n] == '\0' || rel[n] == '/');
}
