/* verify.h - an environment's tree held against its records: what is missing, changed or unowned. */
#ifndef CENV_VERIFY_H
#define CENV_VERIFY_H

#include <stddef.h>

/* What is wrong with a path, or with a record. */
enum verify_kind {
	VERIFY_MISSING = 1, /* nothing at the path, or a directory on the way is not one (a symlink) */
	VERIFY_CHANGED,     /* something else is there: see what */
	VERIFY_UNOWNED,     /* in a managed directory or at the top, in no record (package NULL) */
	VERIFY_DAMAGED,     /* the record cannot be read (path NULL, message why) */
	VERIFY_UNREADABLE,  /* a regular file that could not be read to hash it (message why) */
};

/*
 * What differs for VERIFY_CHANGED, as bits.  VERIFY_TYPE stands alone (a
 * directory or a symlink where a file was); a file of another size is not
 * hashed, its content differs anyway.
 */
#define VERIFY_TYPE 0x01
#define VERIFY_TARGET 0x02 /* a symlink pointing elsewhere */
#define VERIFY_SIZE 0x04
#define VERIFY_SHA256 0x08
#define VERIFY_MODE 0x10
/* The name of one bit ("type", "target", "size", "sha256", "mode"), or NULL. */
const char *verify_what_name(unsigned bit);
/* The name of a kind ("missing", "changed", "unowned", "damaged", "unreadable"). */
const char *verify_kind_name(enum verify_kind kind);

/* One problem found.  The strings are owned by the result holding it. */
struct verify_finding {
	enum verify_kind kind;
	char *package; /* the record's name; NULL for VERIFY_UNOWNED */
	char *path;    /* relative to the prefix; NULL for VERIFY_DAMAGED */
	unsigned what; /* VERIFY_CHANGED: VERIFY_* bits */
	char *message; /* VERIFY_DAMAGED, VERIFY_UNREADABLE: why, else NULL */
};

/*
 * All that a check found.  Owner: whoever zeroed it (VERIFY_RESULT_INIT);
 * free with verify_release.
 */
struct verify_result {
	struct verify_finding *findings; /* packages in name order, each's paths in order; then unowned */
	size_t nfindings, cap;
	size_t npackages; /* records, damaged ones included */
	size_t nfiles;    /* files and symlinks of the records that could be read */
};
#define VERIFY_RESULT_INIT { NULL, 0, 0, 0, 0 }
void verify_release(struct verify_result *res);

/*
 * Holds every file and symlink of every record of the environment at prefix
 * against the tree (type, mode, size and sha256; a symlink's target), never
 * following a symlink and never opening anything but a regular file (so a
 * fifo or a device where a file was cannot block it); then walks the managed
 * directories for files in no record: the layout's top-level ones (bin,
 * include, lib, share, var but not var/cenv) and every other top-level one a
 * record names a file in (sbin, etc...), everything below them, except cenv's
 * own activate scripts; and the files at the top but cenv.cfg.  Reads only.  Fills
 * res (which must be empty); problems are findings, not failures: -1 with
 * fail() only when the check itself cannot go on (the prefix or the records
 * directory unreadable), with res then released.
 */
int verify_env(const char *prefix, struct verify_result *res);

#endif
