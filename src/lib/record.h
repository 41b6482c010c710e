/* record.h - what is installed: one record per package under DIR/var/cenv/records/. */
#ifndef CENV_RECORD_H
#define CENV_RECORD_H

#include <stddef.h>
#include <sys/types.h>

#include "layout.h"

/* Where the records live, relative to the prefix: one file per package, named after it. */
#define RECORD_DIR LAYOUT_STATE "/records"

/* One installed file or symlink, relative to the prefix ("lib/libz.so.1"). */
struct record_file {
	char *path;
	char type;          /* 'f' regular file, 'l' symlink (directories are not recorded: emptied ones are pruned) */
	mode_t mode;
	long long size;     /* files */
	char sha256[65];    /* files: hex digest (digest.h); "" otherwise */
	char *link_target;  /* symlinks, else NULL */
};

/*
 * A package as installed: its manifest entry as it was when installed, the
 * archive's digest, the build system used, and every file.  All strings are
 * owned by the record (NULL when absent); record_release() frees them.
 */
struct record {
	char *name, *version, *url, *sha256, *build, *args, *subdir, *depends;
	char *build_network; /* "yes" when its build was let reach the network; else NULL */
	/* the manifest's build keys as written (placeholders unexpanded): configure, make_args
	   and env as manifest_words_text gives them; NULL when not given */
	char *configure, *make_args, *install_target, *env;
	struct record_file *files;
	size_t nfiles;
};

void record_release(struct record *r);
/* The bytes of all of r's files. */
long long record_size(const struct record *r);
/*
 * 1 when name can be a package's, and so a record's file name: a letter or
 * digit, then letters, digits, '.', '_', '+' and '-', and not a temporary
 * file's name (NAME.tmp.DIGITS, util.h's is_temp_name: the records directory
 * holds a killed record_save's leftovers, which recovery deletes).
 */
int record_name_ok(const char *name);

/*
 * Reads DIR/var/cenv/records/NAME (a regular file, not followed if a symlink,
 * bounded: readfile.h); -1 with fail(), and errno ENOENT when not installed,
 * EBADMSG when the record is damaged (not a regular file, too large, or not
 * a record that parses): the message then names it, says why, and that
 * `cenv uninstall --force NAME` removes it.
 */
int record_load(const char *prefix, const char *name, struct record *r);
/*
 * What can still be read of a damaged record, for removing it: r->name is
 * name, r->files the file lines that parse (each path once), nothing else.
 * A record that is not a regular file gives no files.  -1 with fail() when
 * it cannot be read at all (errno ENOENT: there is none).
 */
int record_load_damaged(const char *prefix, const char *name, struct record *r);
/*
 * Keeps of r->files only those present in the environment at prefix as a
 * regular file or a symlink, reached through real directories (no symlink on
 * the way), outside cenv's state and listed by no other record: what removing
 * a damaged record may take.
 */
int record_keep_present(const char *prefix, struct record *r);
/* Writes the record atomically (a temporary file renamed into place). */
int record_save(const char *prefix, const struct record *r);
int record_delete(const char *prefix, const char *name);
/*
 * The names of the installed packages, sorted: every entry of the records
 * directory whose name record_name_ok takes, whatever its type (one that is
 * not a regular file is a damaged record, for record_load to say so).
 * *names is freed with record_names_free.
 */
int record_names(const char *prefix, char ***names, size_t *n);
void record_names_free(char **names, size_t n);

/*
 * Walks the tree root/ (the staged prefix) without following symlinks and
 * fills r->files (replacing what it held) with every regular file and
 * symlink under it, sorted by path, hashing the files.  Directories are
 * walked, not recorded.  Anything else (fifo, socket, device) is refused,
 * naming it; on failure r->files is left empty.
 */
int record_scan(const char *root, struct record *r);

/*
 * The escaping shared by records and the transaction journal (escape.h): a
 * backslash, control bytes, DEL and (with spaces) ' ' become \xHH, so an
 * escaped value holds no newline and, with spaces, no blank.  Caller frees.
 */
char *record_escape(const char *s, int spaces);
/* The reverse; NULL when text holds a backslash not starting \xHH, or \x00. */
char *record_unescape(const char *text);
/* 1 when path is relative, non-empty and has no empty, "." or ".." component. */
int record_path_ok(const char *path);

/*
 * The longest package name: its record's temporaries (NAME.tmp.<pid><6
 * digits>) and its log (NAME.log) must still fit in a file name.
 */
#define RECORD_NAME_MAX 200

#endif
