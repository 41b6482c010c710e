/* plan.h - planning a change to an environment: what moves in, what is set aside, which dirs go. */
#ifndef CENV_PLAN_H
#define CENV_PLAN_H

#include <sys/types.h>

#include "record.h"
#include "strvec.h"

/* A file the change moves in, with the staged file's device and inode (journal.h says why). */
struct new_file {
	char *path;
	unsigned long long dev, ino;
};

/*
 * One change to an environment, every step written down before the first is
 * made: what the journal holds (journal.h gives its form), what rollback undoes.
 * Owner: whoever filled it (zeroed first, or by journal_parse); free with plan_release.
 */
struct plan {
	int uninstall;
	char *name;
	int had_record;
	struct strvec mkdirs;  /* parents first */
	mode_t *mkdir_modes;   /* for mkdirs (not journaled: recovery never makes one) */
	struct new_file *news;
	size_t nnews;
	struct strvec olds;    /* txn/backup/INDEX */
	struct strvec rmdirs;  /* deepest first */
	mode_t *rmdir_modes;
	struct strvec prunes;  /* deepest first */
	int committed;
};

void plan_release(struct plan *p);

/* What planning reads; borrowed from the caller's transaction. */
struct plan_env {
	const char *prefix; /* DIR, for messages and the records */
	int root;           /* DIR, open */
	int stage;          /* the staged prefix (install only) */
};

/* The new record's paths: plain, relative, outside cenv's state, files or symlinks (or fail()). */
int plan_check_paths(const struct record *rec);

/*
 * Fills p's mkdirs, news, olds, rmdirs and prunes (p->name and p->had_record
 * are the caller's) for moving new_rec's staged files into DIR over old_rec
 * (NULL when new).  Refuses, naming the file, a path another package owns or
 * no package owns, a symlinked or non-directory parent, a directory in the
 * way unless it holds only old_rec's files, and a staged file that changed.
 * 0, or -1 with fail(); p then needs plan_release all the same.
 */
int plan_install(const struct plan_env *e, const struct record *new_rec,
		 const struct record *old_rec, struct plan *p);

/* The same for removing rec's files: olds and prunes. */
int plan_uninstall(const struct plan_env *e, const struct record *rec, struct plan *p);

/* 1 when rel may be pruned once empty: neither one of the layout's directories nor cenv's state. */
int plan_prunable(const char *rel);

#endif
