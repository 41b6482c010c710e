/* record.h - what is installed: one record per package under DIR/var/cenv/records/. */
#ifndef CENV_RECORD_H
#define CENV_RECORD_H

#include <stddef.h>
#include <sys/types.h>

/* One installed file, symlink or directory, relative to the prefix ("lib/libz.so.1"). */
struct record_file {
	char *path;
	char type;          /* 'f' regular file, 'l' symlink (directories are not recorded: emptied ones are pruned) */
	mode_t mode;
	long long size;     /* files */
	char sha256[65];    /* files: hex digest; "" otherwise */
	char *link_target;  /* symlinks, else NULL */
};

/*
 * A package as installed: its manifest entry as it was when installed, the
 * archive's digest, the build system used, and every file.  All strings are
 * owned by the record (NULL when absent); record_release() frees them.
 */
struct record {
	char *name, *version, *url, *sha256, *build, *args, *subdir, *depends;
	struct record_file *files;
	size_t nfiles;
};

void record_release(struct record *r);
/* Reads DIR/var/cenv/records/NAME; -1 with fail() (errno ENOENT when not installed). */
int record_load(const char *prefix, const char *name, struct record *r);
/* Writes the record atomically (a temporary file renamed into place). */
int record_save(const char *prefix, const struct record *r);
int record_delete(const char *prefix, const char *name);
/* The names of the installed packages, sorted; *names is freed with record_names_free. */
int record_names(const char *prefix, char ***names, size_t *n);
void record_names_free(char **names, size_t n);

/*
 * Walks the tree root/ (the staged prefix) and fills r->files with every
 * file, symlink and directory under it, hashing the files.
 */
int record_scan(const char *root, struct record *r);

/* The sha256 of a file as 64 hex digits (out has room for 65); -1 with fail(). */
int sha256_file(const char *path, char out[65]);

#endif
