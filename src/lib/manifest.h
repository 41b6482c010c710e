/* manifest.h - reads cenv.ini, the list of packages an environment is built from. */
#ifndef CENV_MANIFEST_H
#define CENV_MANIFEST_H

#include <stddef.h>

#include "sandbox.h"

/*
 * One [section] of the manifest.  Every string is owned by the manifest that
 * holds the spec and freed by manifest_release(); optional keys that were not
 * given are NULL.
 */
struct package_spec {
	char *name;        /* the section name */
	char *version;     /* optional, free text */
	char *url;         /* as written: one or more of a path, file:///path, http:// or https://,
			      separated by blanks (what records, freeze and up-to-date checks keep) */
	char **urls;       /* nurls words of url, in order, NULL-terminated */
	size_t nurls;
	char *sha256;      /* 64 hex digits, lowercased */
	char *build;       /* "autotools", "cmake", "meson", "make", "prebuilt"; NULL: detect */
	char *subdir;      /* optional, relative, without ".." */
	char **args;       /* nargs words for the configure step, NULL-terminated, never NULL */
	size_t nargs;
	char **configure;  /* configure = : nconfigure words, commands separated by "&&" words;
			      NULL when not given (then ./configure) */
	size_t nconfigure;
	char **make_args;  /* nmake_args words for every make or ninja run, never NULL */
	size_t nmake_args;
	char *install_target; /* make's install target; NULL: "install" */
	char **env;        /* nenv NAME=VALUE words for the build's environment, never NULL */
	size_t nenv;
	/* args, configure, make_args and env values hold placeholders (placeholder.h), checked
	   here, expanded by the build */
	char **depends;    /* ndepends package names, as listed */
	size_t *dep_index; /* the index in the manifest's pkgs of each of depends[] */
	size_t ndepends;
	int line;          /* line of the [section] header */
	int depends_line;  /* line of the depends key, 0 when there is none */
	int build_line, configure_line, make_args_line, install_target_line, env_line; /* 0: not given */
	int build_network; /* build_network = yes: its build may reach the network */
};

/*
 * A whole manifest.  Filled by manifest_load() or manifest_parse_string(),
 * which need no prior initialisation; the caller frees it with
 * manifest_release().  Once loaded, a manifest is valid: every required key
 * is present, every dependency names a section, and there is no cycle.
 */
struct manifest {
	char *path;                /* the path given by the caller, used in messages */
	char *dir;                 /* absolute directory of the file, for relative urls */
	struct package_spec *pkgs; /* npkgs packages in file order; [cenv] is not one */
	size_t npkgs;
	int jobs;                  /* [cenv] jobs, or 0 when not set */
	int sandbox_set;           /* [cenv] sandbox was given: then sandbox holds it */
	enum sandbox_mode sandbox;
	int build_network;         /* [cenv] build-network = yes */
	char **writable;           /* [cenv] sandbox-writable: nwritable absolute paths, NULL-terminated */
	size_t nwritable;
	char **mirrors;            /* [cenv] mirrors: nmirrors http(s) URLs, NULL-terminated; NULL when not given */
	size_t nmirrors;
};

/*
 * Reads and validates the manifest at path.  0, or -1 with fail() and a
 * message such as "cenv.ini:7: unknown key 'sha265' in [zlib]"; on failure m
 * is left empty and needs no release.
 */
int manifest_load(const char *path, struct manifest *m);

/*
 * The same from text in memory, for tests and fuzzing.  name stands for the
 * file in messages and in m->path; m->dir is its directory, made absolute
 * lexically without touching the file system.
 */
int manifest_parse_string(const char *text, const char *name, struct manifest *m);

/* Frees everything m owns and empties it; safe on an emptied manifest. */
void manifest_release(struct manifest *m);

/*
 * Fills order[] (m->npkgs entries, caller-allocated) with indexes into
 * m->pkgs such that dependencies come first.  Each step takes the earliest
 * package in the file whose dependencies are all taken, so independent
 * packages keep their file order.  0, or -1 with fail() on a cycle.
 */
int manifest_order(const struct manifest *m, size_t *order);

/*
 * 1 when s can name a package: a letter or digit, then letters, digits, . _ + -,
 * and not a temporary file's name (NAME.tmp.DIGITS, util.h): a record so
 * named would be taken for a killed write's leftover and removed.
 */
int valid_package_name(const char *s);

/* The package called name, or NULL. */
const struct package_spec *manifest_find(const struct manifest *m, const char *name);

/*
 * The local file one url of m stands for: resolved against m->dir when it is a
 * relative path, the path itself when absolute or a file:/// url.  NULL when
 * the url is remote (http, https).  Caller frees.
 */
char *manifest_url_path(const struct manifest *m, const char *url);

/*
 * The local file p's source is, when it is one: the first of its local urls whose
 * file exists (a local archive costs nothing, so it comes before any download); none
 * exists: NULL when p has a remote url (it is downloaded), else its first local url
 * (whose install then says it cannot be opened).  NULL when every url is remote.
 * Caller frees.
 */
char *manifest_source_path(const struct manifest *m, const struct package_spec *p);

/*
 * 1 when s may be a package's subdir: relative and without a ".." component (the archive is
 * unpacked in a directory of cenv's own, and subdir must stay inside it).
 */
int manifest_subdir_ok(const char *s);
/*
 * A word of make_args that does not set the jobs (-j, -jN, -sj4, --jobs[=N]): make given its own
 * -j leaves the run's jobserver, and ninja's would outrun the budget.  -1 with fail() otherwise.
 */
int manifest_make_arg_ok(const char *word);

/* 1 when url is remote: http:// or https:// (any case). */
int manifest_url_is_remote(const char *url);

/*
 * Splits s into words by POSIX shell quoting rules: blanks separate words;
 * single quotes, double quotes and backslash quote; nothing is expanded.
 * *words gets *n words and a NULL terminator (free with shell_words_free).
 * 0, or -1 with fail() on an unterminated quote; then *words is NULL.
 */
int split_shell_words(const char *s, char ***words, size_t *n);
void shell_words_free(char **words);

/*
 * The words as one value that split_shell_words reads back as they are: each
 * bare when it needs no quoting (placeholders' braces and a "&&" word stay
 * bare), else quoted as quote_sh_word does.  What records keep of configure,
 * make_args and env, and freeze writes back.  Caller frees.
 */
char *manifest_words_text(char *const *words, size_t n);

/* The separator of configure's commands: a word "&&". */
#define MANIFEST_AND "&&"

#endif
