/* detect.c - which build system a source tree uses; never "prebuilt" for a tree that still has to be built. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "error.h"
#include "fsat.h"
#include "quote.h"
#include "strvec.h"
#include "util.h"

/*
 * A tree is prebuilt only when nothing in it asks to be built.  OpenSSL's tarball has include/
 * and no configure (its scripts are Configure and config): taken for prebuilt, its whole source
 * tree was "installed".  So before "prebuilt" two things are looked for:
 *
 * - a build script at the top that cenv knows but does not run on its own (table below);
 * - C or C++ sources (.c .cc .cpp .cxx .c++ .C) at the top or in any directory but those a
 *   prebuilt package ships as they are: include/ (a header-only library may keep .c files
 *   there to be included), share/, doc/, man/ and examples/-like ones (an SDK's sample code).
 *   lib/ and bin/ are looked in: a prebuilt lib/ holds .so and .a files, never .c ones, and
 *   a source tree's lib/ (zstd, gnulib) is where its sources are.
 *
 * Sources are looked for SCAN_DEPTH levels deep (crypto/aes/aes_core.c, src/libgit2/x.c are
 * three) and in at most SCAN_ENTRIES entries: an SDK of 100,000 files should not be read through
 * for them.  A scan stopped there has not seen the whole tree, which is no evidence that it is
 * prebuilt: such a tree is refused as too large to tell, and build = prebuilt installs it.  (No
 * bound is good enough to call a tree prebuilt: the sources may be in the last directory read.)
 * Nothing is followed: the walk goes from directory descriptors with O_NOFOLLOW.
 */
#define SCAN_DEPTH 4
#define SCAN_ENTRIES 20000

/* The directories a prebuilt tree may ship sources in, as they are. */
static const char *const shipped_dirs[] = {
	"include", "share", "doc", "docs", "man", "examples", "example", "samples", "sample", "demo", "demos",
};

/* What build = prebuilt does, for the refusals (prebuilt_stage: every directory at the top). */
#define PREBUILT_DOES "to install its directories as they are"

enum script_kind {
	CONFIGURES, /* writes a Makefile: `configure = ./NAME --prefix={prefix}` would do */
	AUTOMAKE,   /* automake input without configure.ac: a generator has to run first */
	FOREIGN,    /* another build system, that cenv does not run */
};

/* Build scripts cenv knows of but does not run on its own (configure, configure.ac and
   configure.in, CMakeLists.txt, meson.build, Makefile, makefile and GNUmakefile it runs). */
static const struct script {
	const char *file;
	enum script_kind kind;
	const char *system; /* FOREIGN: its name, for the message */
} scripts[] = {
	{ "Configure", CONFIGURES, NULL },        /* OpenSSL (perl) */
	{ "config", CONFIGURES, NULL },           /* OpenSSL's wrapper of Configure */
	{ "autogen.sh", CONFIGURES, NULL },
	{ "bootstrap", CONFIGURES, NULL },
	{ "bootstrap.sh", CONFIGURES, NULL },
	{ "Makefile.am", AUTOMAKE, NULL },
	{ "Makefile.in", AUTOMAKE, NULL },        /* its configure missing from the tarball */
	{ "SConstruct", FOREIGN, "SCons" },
	{ "Sconstruct", FOREIGN, "SCons" },
	{ "build.zig", FOREIGN, "Zig" },
	{ "BUILD", FOREIGN, "Bazel" },
	{ "BUILD.bazel", FOREIGN, "Bazel" },
	{ "WORKSPACE", FOREIGN, "Bazel" },
	{ "WORKSPACE.bazel", FOREIGN, "Bazel" },
	{ "MODULE.bazel", FOREIGN, "Bazel" },
	{ "meson_options.txt", FOREIGN, "Meson, without its meson.build" },
	{ "meson.options", FOREIGN, "Meson, without its meson.build" },
	{ "Cargo.toml", FOREIGN, "Cargo" },
	{ "Jamroot", FOREIGN, "Boost.Build" },
	{ "Jamfile", FOREIGN, "Boost.Build" },
	{ "wscript", FOREIGN, "waf" },
	{ "build.ninja", FOREIGN, "ninja, without its generator" },
	{ "xmake.lua", FOREIGN, "xmake" },
	{ "premake*.lua", FOREIGN, "premake" }, /* premake4.lua, premake5.lua */
};
#define NSCRIPTS (sizeof(scripts) / sizeof(scripts[0]))

/* 1 when dir/name exists and (following symlinks, as the build system would) is a regular
   file, or a directory if want_dir. */
static int has_entry(int dir, const char *name, int want_dir)
{
	struct stat st;

	return fstatat(dir, name, &st, 0) == 0 && (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

/* name matches pattern: literal, or "premake*.lua" (one '*', anything between). */
static int name_matches(const char *pattern, const char *name)
{
	const char *star = strchr(pattern, '*');
	size_t head, tail, len = strlen(name);

	if (!star)
		return !strcmp(pattern, name);
	head = (size_t)(star - pattern);
	tail = strlen(star + 1);
	return len >= head + tail && !strncmp(name, pattern, head) && !strcmp(name + len - tail, star + 1);
}

/* 1 for a C or C++ source's name. */
static int is_source(const char *name)
{
	static const char *const exts[] = { ".c", ".cc", ".cpp", ".cxx", ".c++", ".C" };
	size_t i, len = strlen(name), n;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		n = strlen(exts[i]);
		if (len > n && !strcmp(name + len - n, exts[i]))
			return 1;
	}
	return 0;
}

static int shipped_dir(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shipped_dirs) / sizeof(shipped_dirs[0]); i++)
		if (!strcmp(name, shipped_dirs[i]))
			return 1;
	return 0;
}

/* The walk for sources: where it is (rel), how many entries it has read, the first source found. */
struct scan {
	struct strbuf rel;
	size_t entries;
	int cut;     /* an entry was left unread at SCAN_ENTRIES */
	char *found; /* relative to the tree; NULL while none */
};

/* Looks in the directory fd (at s->rel, depth levels below the top) for a source, by name: the
   first in strcmp order of this level's files, then of each subdirectory's. */
static void scan_dir(struct scan *s, int fd, int depth)
{
	DIR *d = fsat_opendir(fd);
	struct dirent *de;
	struct strvec names = STRVEC_INIT, subdirs = STRVEC_INIT;
	size_t i, keep = s->rel.len;

	if (!d)
		return; /* unreadable: the build would not read it either */
	rewinddir(d); /* the descriptor's offset is shared with find_scripts' stream of the top */
	while (!s->cut && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (s->entries == SCAN_ENTRIES) {
			s->cut = 1;
			break;
		}
		s->entries++;
		strvec_push(&names, de->d_name);
	}
	closedir(d);
	strvec_sort_unique(&names);
	for (i = 0; i < names.n && !s->found; i++) {
		struct stat st;

		if (fstatat(fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) && is_source(names.v[i]))
			s->found = xasprintf("%s%s%s", s->rel.buf, s->rel.len ? "/" : "", names.v[i]);
		else if (S_ISDIR(st.st_mode) && depth + 1 < SCAN_DEPTH && !(depth == 0 && shipped_dir(names.v[i])))
			strvec_push(&subdirs, names.v[i]);
	}
	for (i = 0; i < subdirs.n && !s->found && !s->cut; i++) {
		int sub = fsat_open_dir(fd, subdirs.v[i]);

		if (sub < 0)
			continue;
		if (s->rel.len)
			sb_addc(&s->rel, '/');
		sb_adds(&s->rel, subdirs.v[i]);
		scan_dir(s, sub, depth + 1);
		close(sub);
		s->rel.len = keep;
		s->rel.buf[keep] = '\0';
	}
	strvec_release(&names);
	strvec_release(&subdirs);
}

/* The first C or C++ source of the tree at fd outside the shipped directories; NULL if none,
   *cut 1 if the scan stopped at SCAN_ENTRIES before it had read them all. */
static char *find_source(int fd, int *cut)
{
	struct scan s = { STRBUF_INIT, 0, 0, NULL };

	sb_adds(&s.rel, "");
	scan_dir(&s, fd, 0);
	sb_release(&s.rel);
	*cut = s.cut;
	return s.found;
}

/* The first entry of the top matching each of scripts[], in table order; kinds[k]: found->v[k]'s index. */
static void find_scripts(int fd, struct strvec *found, int *kinds)
{
	DIR *d = fsat_opendir(fd);
	struct strvec top = STRVEC_INIT;
	struct dirent *de;
	size_t i, j;

	if (!d)
		return;
	rewinddir(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push(&top, de->d_name);
	closedir(d);
	strvec_sort_unique(&top);
	for (i = 0; i < NSCRIPTS; i++) {
		for (j = 0; j < top.n; j++) {
			if (name_matches(scripts[i].file, top.v[j]) && has_entry(fd, top.v[j], 0)) {
				kinds[found->n] = (int)i;
				strvec_push(found, top.v[j]);
				break;
			}
		}
	}
	strvec_release(&top);
}

/* "a", "a and b", "a, b and c" */
static void add_list(struct strbuf *sb, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			sb_adds(sb, i + 1 == n ? " and " : ", ");
		sb_adds(sb, v[i]);
	}
}

/*
 * A tree with nothing at its top may have its project one directory down: expat's GitHub tarball
 * is expat-2.5.0/expat/{CMakeLists.txt,configure.ac,...}, a monorepo has several.  The refusals
 * then name the directories that have a build file cenv runs, and the subdir key.  One is never
 * chosen here: which project of a tree to build is the user's choice, and a manifest that says it
 * builds the same tree the same way wherever it is read; a guess that depends on what else the
 * tarball holds would not.  Looked at: directories only, not symlinks to them, not hidden ones nor
 * the shipped ones (a docs/Makefile is Sphinx's), at most SUBDIR_LOOK of them in name order.
 */
#define SUBDIR_LOOK 64
#define SUBDIR_NAMED 3

/* The build files cenv runs, in detection's order. */
static const char *const build_files[] = {
	"configure", "configure.ac", "configure.in", "CMakeLists.txt", "meson.build",
	"Makefile", "makefile", "GNUmakefile",
};

/* "; D/ has F and G: say subdir = D in its section" for the tree at fd, or "" when none has. */
static void add_subdirs(struct strbuf *out, int fd)
{
	DIR *d = fsat_opendir(fd);
	struct strvec top = STRVEC_INIT, with = STRVEC_INIT, names = STRVEC_INIT;
	struct dirent *de;
	size_t i, j, looked = 0, more = 0;

	if (!d)
		return;
	rewinddir(d);
	while (top.n < SCAN_ENTRIES && (de = readdir(d)))
		if (de->d_name[0] != '.')
			strvec_push(&top, de->d_name);
	closedir(d);
	strvec_sort_unique(&top);
	for (i = 0; i < top.n && looked < SUBDIR_LOOK; i++) {
		struct stat st;
		struct strvec has = STRVEC_INIT;
		int sub;

		if (shipped_dir(top.v[i]) || fstatat(fd, top.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		looked++;
		sub = fsat_open_dir(fd, top.v[i]);
		if (sub < 0)
			continue;
		for (j = 0; j < sizeof(build_files) / sizeof(build_files[0]); j++)
			if (has_entry(sub, build_files[j], 0))
				strvec_push(&has, build_files[j]);
		close(sub);
		if (has.n && with.n == SUBDIR_NAMED) {
			more++;
		} else if (has.n) {
			struct strbuf sb = STRBUF_INIT;
			char *shown = printable(top.v[i]);

			sb_addf(&sb, "%s/ has ", shown);
			add_list(&sb, has.v, has.n);
			strvec_push(&with, sb.buf);
			strvec_push(&names, shown);
			free(shown);
			sb_release(&sb);
		}
		strvec_release(&has);
	}
	if (with.n) {
		sb_adds(out, "; ");
		for (i = 0; i < with.n; i++)
			sb_addf(out, "%s%s", i ? ", " : "", with.v[i]);
		if (more)
			sb_addf(out, " (and %zu more director%s with build files)", more, more == 1 ? "y" : "ies");
		sb_adds(out, ": say ");
		for (i = 0; i < names.n; i++)
			sb_addf(out, "%ssubdir = %s", i == 0 ? "" : i + 1 == names.n && !more ? " or " : ", ",
				names.v[i]);
		if (more)
			sb_adds(out, " or another");
		sb_adds(out, " in its section");
	}
	strvec_release(&top);
	strvec_release(&with);
	strvec_release(&names);
}

/*
 * The refusal: what was found, and the keys of a manifest section that would build it.
 * found: the scripts (kinds[i] their index in scripts[]), source: a C source or NULL, cut: the
 * scan for sources stopped at SCAN_ENTRIES.  fd: the tree, for the subdirectories that have a
 * build file.  build = prebuilt is offered only to a tree with include/, lib/ or bin/: what it
 * installs is the top's directories, and a tree without them has nothing a prebuilt install
 * would make sense of.
 */
static int refuse(int fd, const struct strvec *found, const int *kinds, const char *source, int cut)
{
	struct strbuf sb = STRBUF_INIT;
	struct strvec what = STRVEC_INIT;
	const char *configures = NULL;
	size_t i, len;
	int automake = 0, copyable = has_entry(fd, "include", 1) || has_entry(fd, "lib", 1) ||
				     has_entry(fd, "bin", 1);

	for (i = 0; i < found->n; i++) {
		const struct script *s = &scripts[kinds[i]];

		if (s->kind == FOREIGN)
			strvec_pushf(&what, "%s (%s)", found->v[i], s->system);
		else
			strvec_push(&what, found->v[i]);
		if (s->kind == CONFIGURES && !configures)
			configures = found->v[i];
		automake |= s->kind == AUTOMAKE;
	}
	if (source) {
		char *shown = printable(source);

		strvec_pushf(&what, "C sources (%s)", shown);
		free(shown);
	}
	sb_adds(&sb, "cannot tell how to build this tree: ");
	if (what.n) {
		sb_adds(&sb, "it has ");
		add_list(&sb, what.v, what.n);
		sb_adds(&sb, " but no configure, CMakeLists.txt, meson.build or Makefile");
	} else if (cut) {
		sb_addf(&sb, "it has no configure, CMakeLists.txt, meson.build or Makefile, and more than %d "
			     "entries to look through for C sources", SCAN_ENTRIES);
	} else {
		sb_adds(&sb, "no configure, configure.ac, CMakeLists.txt, meson.build or Makefile, and no "
			     "include/, lib/ or bin/ to copy");
	}
	len = sb.len;
	add_subdirs(&sb, fd);
	if (what.n) {
		sb_adds(&sb, sb.len > len ? ", or say how there (" : "; say how in its section (");
		if (configures)
			sb_addf(&sb, "configure = ./%s --prefix={prefix} ...", configures);
		else if (automake)
			sb_adds(&sb, "configure = the command that writes its Makefile (./autogen.sh ...)");
		else
			sb_adds(&sb, "configure = the command that writes its Makefile");
		sb_adds(&sb, ", make_args = ..., install_target = ...)");
		if (copyable)
			sb_adds(&sb, ", or build = prebuilt " PREBUILT_DOES);
	} else if (cut && copyable) {
		sb_adds(&sb, sb.len > len ? "; or, " : "; ");
		sb_adds(&sb, "if it is already built, say build = prebuilt in its section " PREBUILT_DOES);
	} else if (cut) { /* nothing to copy: the keys that would build it */
		sb_adds(&sb, sb.len > len ? ", or say how there (" : "; say how in its section (");
		sb_adds(&sb, "configure = the command that writes its Makefile, make_args = ..., install_target = ...)");
	}
	fail("%s", sb.buf);
	sb_release(&sb);
	strvec_release(&what);
	return -1;
}

int build_detect(const char *src, enum build_system *out)
{
	struct strvec found = STRVEC_INIT;
	int kinds[NSCRIPTS], fd, ret = 0, cut = 0;
	char *source = NULL;

	fd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return fail("cannot detect the build system of '%s': not a directory", src);
	if (has_entry(fd, "configure", 0) || has_entry(fd, "configure.ac", 0) ||
	    has_entry(fd, "configure.in", 0)) {
		*out = BUILD_AUTOTOOLS;
	} else if (has_entry(fd, "CMakeLists.txt", 0)) {
		*out = BUILD_CMAKE;
	} else if (has_entry(fd, "meson.build", 0)) {
		*out = BUILD_MESON;
	} else if (has_entry(fd, "Makefile", 0) || has_entry(fd, "makefile", 0) ||
		   has_entry(fd, "GNUmakefile", 0)) {
		*out = BUILD_MAKE;
	} else {
		find_scripts(fd, &found, kinds);
		source = find_source(fd, &cut);
		if (found.n || source || cut ||
		    !(has_entry(fd, "include", 1) || has_entry(fd, "lib", 1) || has_entry(fd, "bin", 1)))
			ret = refuse(fd, &found, kinds, source, cut);
		else
			*out = BUILD_PREBUILT;
	}
	strvec_release(&found);
	free(source);
	close(fd);
	return ret;
}
