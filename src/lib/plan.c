/* plan.c - planning a change to an environment from its records and what is on disk. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "failp.h"
#include "fsat.h"
#include "layout.h"
#include "plan.h"
#include "quote.h"
#include "record.h"
#include "strvec.h"
#include "util.h"

/* Adds every proper ancestor of path ("a/b/c": "a", "a/b") to sv. */
static void push_ancestors(struct strvec *sv, const char *path)
{
	const char *p;

	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		strvec_push_owned(sv, xasprintf("%.*s", (int)(p - path), path));
}

void plan_release(struct plan *p)
{
	size_t i;

	free(p->name);
	strvec_release(&p->mkdirs);
	free(p->mkdir_modes);
	for (i = 0; i < p->nnews; i++)
		free(p->news[i].path);
	free(p->news);
	strvec_release(&p->olds);
	strvec_release(&p->rmdirs);
	free(p->rmdir_modes);
	strvec_release(&p->prunes);
	memset(p, 0, sizeof(*p));
}

int plan_prunable(const char *rel)
{
	return !layout_has_dir(rel) && !layout_in_state(rel);
}

/* Which package owns each path, over every record but one. */
struct owner {
	const char *path, *pkg;
};

struct index {
	struct record *recs;
	size_t nrecs;
	struct owner *v;
	size_t n;
};

static int cmp_owner(const void *a, const void *b)
{
	return strcmp(((const struct owner *)a)->path, ((const struct owner *)b)->path);
}

static void index_release(struct index *ix)
{
	size_t i;

	for (i = 0; i < ix->nrecs; i++)
		record_release(&ix->recs[i]);
	free(ix->recs);
	free(ix->v);
	memset(ix, 0, sizeof(*ix));
}

static int index_load(const char *prefix, const char *skip, struct index *ix)
{
	char **names;
	size_t n, i, j, k = 0, total = 0;

	memset(ix, 0, sizeof(*ix));
	if (record_names(prefix, &names, &n) < 0)
		return -1;
	ix->recs = xmalloc((n ? n : 1) * sizeof(*ix->recs));
	for (i = 0; i < n; i++) {
		if (!strcmp(names[i], skip))
			continue;
		/* a damaged record's files, as far as they can be read, stay its own */
		if (record_load(prefix, names[i], &ix->recs[ix->nrecs]) < 0 &&
		    (errno != EBADMSG || record_load_damaged(prefix, names[i], &ix->recs[ix->nrecs]) < 0)) {
			record_names_free(names, n);
			index_release(ix);
			return -1;
		}
		total += ix->recs[ix->nrecs++].nfiles;
	}
	record_names_free(names, n);
	ix->v = xmalloc((total ? total : 1) * sizeof(*ix->v));
	for (i = 0; i < ix->nrecs; i++) {
		for (j = 0; j < ix->recs[i].nfiles; j++) {
			ix->v[k].path = ix->recs[i].files[j].path;
			ix->v[k++].pkg = ix->recs[i].name;
		}
	}
	ix->n = k;
	qsort(ix->v, ix->n, sizeof(*ix->v), cmp_owner);
	return 0;
}

static const char *index_owner(const struct index *ix, const char *path)
{
	struct owner key = { path, NULL }, *hit;

	if (!ix->n)
		return NULL;
	hit = bsearch(&key, ix->v, ix->n, sizeof(*ix->v), cmp_owner);
	return hit ? hit->pkg : NULL;
}

/*
 * The installed files of rec to set aside: those present, reached through
 * real directories, and owned by no other package (a file two records claim
 * stays for the other).  A symlinked parent is refused: what it reaches is
 * not the recorded file.
 */
static int plan_olds(const struct plan_env *e, struct plan *p, const struct record *rec,
		     const struct index *ix)
{
	size_t i;

	for (i = 0; i < rec->nfiles; i++) {
		const char *path = rec->files[i].path, *slash;
		struct stat st;
		int absent = 0, r;

		if (!record_path_ok(path) || layout_is_own(path))
			return failp("the record of '%s' lists a bad path '%s'", rec->name, path);
		if (index_owner(ix, path))
			continue;
		for (slash = strchr(path, '/'); slash && !absent; slash = strchr(slash + 1, '/')) {
			char *anc = xasprintf("%.*s", (int)(slash - path), path);

			r = fsat_lstat(e->root, e->prefix, anc, &st);
			if (r == 0 && S_ISLNK(st.st_mode)) {
				failp("refusing to remove '%s' of package '%s': '%s' is a symlink in the environment",
				      path, rec->name, anc);
				free(anc);
				return -1;
			}
			free(anc);
			if (r < 0)
				return -1;
			absent = r == 1 || !S_ISDIR(st.st_mode);
		}
		if (absent)
			continue;
		r = fsat_lstat(e->root, e->prefix, path, &st);
		if (r < 0)
			return -1;
		if (r == 0 && !S_ISDIR(st.st_mode))
			strvec_push_owned(&p->olds, xstrdup(path));
	}
	return 0;
}

/* Every ancestor directory of the paths of rec, deepest first, that pruning may remove. */
static void plan_prunes(struct plan *p, const struct record *rec)
{
	struct strvec all = STRVEC_INIT;
	size_t i;

	for (i = 0; i < rec->nfiles; i++)
		if (record_path_ok(rec->files[i].path))
			push_ancestors(&all, rec->files[i].path);
	strvec_sort_unique(&all);
	for (i = 0; i < all.n; i++) {
		if (!plan_prunable(all.v[i]))
			free(all.v[i]);
		else
			strvec_push_owned(&p->prunes, all.v[i]);
	}
	free(all.v);
	if (p->prunes.n)
		qsort(p->prunes.v, p->prunes.n, sizeof(*p->prunes.v), strvec_cmp_desc);
}

/* The first new path under directory anc, for messages. */
static const char *first_under(const struct record *rec, const char *anc)
{
	size_t i, n = strlen(anc);

	for (i = 0; i < rec->nfiles; i++)
		if (!strncmp(rec->files[i].path, anc, n) && rec->files[i].path[n] == '/')
			return rec->files[i].path;
	return anc;
}

enum { ANC_UNKNOWN, ANC_DIR, ANC_ABSENT };

/*
 * The directories the new files need: each must be a real directory in DIR
 * or absent (then it is made).  An old file of the same package standing
 * where a directory must go counts as absent: it is set aside first.
 */
static int plan_mkdirs(const struct plan_env *e, struct plan *p, const struct record *rec,
		       const struct index *ix)
{
	struct strvec ancs = STRVEC_INIT, olds = STRVEC_INIT;
	char *records = NULL;
	size_t i;
	int *status = NULL, ret = -1;

	for (i = 0; i < rec->nfiles; i++)
		push_ancestors(&ancs, rec->files[i].path);
	strvec_sort_unique(&ancs);
	for (i = 0; i < p->olds.n; i++)
		strvec_push_owned(&olds, p->olds.v[i]);
	if (olds.n)
		qsort(olds.v, olds.n, sizeof(*olds.v), strvec_cmp);
	status = xmalloc((ancs.n + 1) * sizeof(*status));
	memset(status, 0, (ancs.n + 1) * sizeof(*status));
	p->mkdir_modes = xmalloc((ancs.n + 1) * sizeof(*p->mkdir_modes));
	for (i = 0; i < ancs.n; i++) {
		const char *anc = ancs.v[i], *slash = strrchr(anc, '/');
		struct stat st;
		int r;

		if (slash) {
			char *parent = xasprintf("%.*s", (int)(slash - anc), anc);
			long j = strvec_find(&ancs, parent);

			free(parent);
			if (j >= 0 && status[j] == ANC_ABSENT) {
				status[i] = ANC_ABSENT;
				goto absent;
			}
		}
		if (strvec_find(&olds, anc) >= 0) {
			status[i] = ANC_ABSENT;
			goto absent;
		}
		r = fsat_lstat(e->root, e->prefix, anc, &st);
		if (r < 0)
			goto out;
		if (r == 0 && S_ISDIR(st.st_mode)) {
			status[i] = ANC_DIR;
			continue;
		}
		if (r == 0) {
			const char *owner = index_owner(ix, anc);
			char *from = owner ? xasprintf(" (from package '%s')", owner) : xstrdup("");

			failp(S_ISLNK(st.st_mode)
				      ? "refusing to install '%s': '%s' is a symlink in the environment%s"
				      : "cannot install '%s': '%s' is a file in the environment, not a directory%s",
			      first_under(rec, anc), anc, from);
			free(from);
			goto out;
		}
		status[i] = ANC_ABSENT;
absent:
		/* made with the staged directory's mode */
		p->mkdir_modes[p->mkdirs.n] =
			fstatat(e->stage, anc, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
				? (st.st_mode & 07777) | 0700
				: 0755;
		strvec_push_owned(&p->mkdirs, xstrdup(anc));
	}
	/* the records directory too, when this is the first record */
	records = path_join(e->prefix, RECORD_DIR);
	if (!path_exists(records)) {
		p->mkdir_modes = xrealloc(p->mkdir_modes, (p->mkdirs.n + 1) * sizeof(*p->mkdir_modes));
		p->mkdir_modes[p->mkdirs.n] = 0755;
		strvec_push_owned(&p->mkdirs, xstrdup(RECORD_DIR));
	}
	ret = 0;
out:
	free(records);
	free(status);
	strvec_release(&ancs);
	free(olds.v); /* borrowed strings */
	return ret;
}

/*
 * plan_rmdirs' messages are fragments its caller appends to "'X' is a
 * directory in the environment": a message from below becomes " (MESSAGE)".  -1.
 */
static int as_fragment(void)
{
	char *why = error_take();

	fail(" (%s)", why);
	free(why);
	return -1;
}

/*
 * A directory where a new file goes can go if all it holds are files of the
 * old version (set aside before): its directories join the plan's rmdirs,
 * deepest first.  Otherwise -1, with the reason as the message: a fragment
 * (" and holds 'f', which the package did not install").
 */
static int plan_rmdirs(const struct plan_env *e, struct plan *p, const char *rel,
		       const struct strvec *olds)
{
	struct strvec names = STRVEC_INIT;
	struct stat st;
	const char *leaf;
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int parent, fd, ret = -1;

	parent = fsat_parent(e->root, e->prefix, rel, &leaf);
	if (parent < 0)
		return as_fragment();
	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		close(parent);
		return fail(" (it changed while being read)");
	}
	fd = fsat_open_dir(parent, leaf);
	close(parent);
	if (fd >= 0)
		d = fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return fail_errno(" (cannot read it)");
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			strvec_push_owned(&names, path_join(rel, de->d_name));
	closedir(d);
	for (i = 0; i < names.n; i++) {
		struct stat cst;
		int r = fsat_lstat(e->root, e->prefix, names.v[i], &cst);

		if (r < 0) {
			as_fragment();
			goto out;
		}
		if (r == 1)
			continue;
		if (S_ISDIR(cst.st_mode)) {
			if (plan_rmdirs(e, p, names.v[i], olds) < 0)
				goto out;
		} else if (strvec_find(olds, names.v[i]) < 0) {
			char *shown = printable(names.v[i]);

			fail(" and holds '%s', which the package did not install", shown);
			free(shown);
			goto out;
		}
	}
	p->rmdir_modes = xrealloc(p->rmdir_modes, (p->rmdirs.n + 1) * sizeof(mode_t));
	p->rmdir_modes[p->rmdirs.n] = st.st_mode & 07777;
	strvec_push_owned(&p->rmdirs, xstrdup(rel));
	ret = 0;
out:
	strvec_release(&names);
	return ret;
}

static int cmp_rf_path(const void *a, const void *b)
{
	return strcmp((*(const struct record_file *const *)a)->path,
		      (*(const struct record_file *const *)b)->path);
}

/* Each new file: owned by no other package, its place free (or the old version's), staged. */
static int plan_news(const struct plan_env *e, struct plan *p, const struct record *new_rec,
		     const struct index *ix)
{
	struct strvec olds = STRVEC_INIT, mk = STRVEC_INIT;
	const struct record_file **sorted = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < p->olds.n; i++)
		strvec_push_owned(&olds, p->olds.v[i]);
	if (olds.n)
		qsort(olds.v, olds.n, sizeof(*olds.v), strvec_cmp);
	for (i = 0; i < p->mkdirs.n; i++)
		strvec_push_owned(&mk, p->mkdirs.v[i]);
	if (mk.n)
		qsort(mk.v, mk.n, sizeof(*mk.v), strvec_cmp);
	sorted = xmalloc((new_rec->nfiles + 1) * sizeof(*sorted));
	for (i = 0; i < new_rec->nfiles; i++)
		sorted[i] = &new_rec->files[i];
	qsort(sorted, new_rec->nfiles, sizeof(*sorted), cmp_rf_path);
	p->news = xmalloc((new_rec->nfiles + 1) * sizeof(*p->news));
	for (i = 0; i < new_rec->nfiles; i++) {
		const struct record_file *f = sorted[i];
		const char *owner, *slash = strrchr(f->path, '/');
		struct new_file *nf;
		struct stat st;
		int r, parent_absent = 0, dir_goes = 0;

		if (i && !strcmp(sorted[i - 1]->path, f->path)) {
			failp("the package '%s' lists '%s' twice", new_rec->name, f->path);
			goto out;
		}
		owner = index_owner(ix, f->path);
		if (owner) {
			failp("cannot install package '%s': '%s' belongs to package '%s'", new_rec->name,
			      f->path, owner);
			goto out;
		}
		if (slash) {
			char *parent = xasprintf("%.*s", (int)(slash - f->path), f->path);

			parent_absent = strvec_find(&mk, parent) >= 0;
			free(parent);
		}
		if (!parent_absent && strvec_find(&olds, f->path) < 0) {
			r = fsat_lstat(e->root, e->prefix, f->path, &st);
			if (r < 0)
				goto out;
			if (r == 0 && S_ISDIR(st.st_mode)) {
				if (layout_has_dir(f->path) ||
				    plan_rmdirs(e, p, f->path, &olds) < 0) {
					failp("cannot install package '%s': '%s' is a directory in the environment%s",
					      new_rec->name, f->path, layout_has_dir(f->path) ? "" : last_error());
					goto out;
				}
				dir_goes = 1;
			}
			if (r == 0 && !dir_goes) {
				failp("cannot install package '%s': '%s' exists in the environment and belongs to no package",
				      new_rec->name, f->path);
				goto out;
			}
		}
		if (fstatat(e->stage, f->path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			failp("cannot install package '%s': '%s' is not in the staging tree (%s)", new_rec->name,
			      f->path, strerror(errno));
			goto out;
		}
		if ((f->type == 'f' && !S_ISREG(st.st_mode)) || (f->type == 'l' && !S_ISLNK(st.st_mode))) {
			failp("cannot install package '%s': '%s' changed in the staging tree since it was scanned",
			      new_rec->name, f->path);
			goto out;
		}
		nf = &p->news[p->nnews++];
		nf->path = xstrdup(f->path);
		nf->dev = (unsigned long long)st.st_dev;
		nf->ino = (unsigned long long)st.st_ino;
	}
	ret = 0;
out:
	free(sorted);
	free(olds.v);
	free(mk.v);
	return ret;
}

int plan_check_paths(const struct record *rec)
{
	size_t i;

	for (i = 0; i < rec->nfiles; i++) {
		const struct record_file *f = &rec->files[i];

		if (!f->path || !record_path_ok(f->path))
			return failp("cannot install package '%s': bad path '%s'", rec->name,
				     f->path ? f->path : "");
		if (layout_in_state(f->path))
			return failp("cannot install package '%s': '%s' is inside cenv's own state directory",
				     rec->name, f->path);
		if (layout_is_own(f->path))
			return failp("cannot install package '%s': '%s' is cenv's own file, never a package's",
				     rec->name, f->path);
		if (f->type != 'f' && f->type != 'l')
			return failp("cannot install package '%s': '%s' is neither a file nor a symlink",
				     rec->name, f->path);
	}
	return 0;
}

int plan_install(const struct plan_env *e, const struct record *new_rec,
		 const struct record *old_rec, struct plan *p)
{
	struct index ix = { 0 };
	int ret = -1;

	if (index_load(e->prefix, new_rec->name, &ix) < 0)
		goto out;
	if (old_rec && plan_olds(e, p, old_rec, &ix) < 0)
		goto out;
	if (plan_mkdirs(e, p, new_rec, &ix) < 0 || plan_news(e, p, new_rec, &ix) < 0)
		goto out;
	if (old_rec)
		plan_prunes(p, old_rec);
	ret = 0;
out:
	index_release(&ix);
	return ret;
}

int plan_uninstall(const struct plan_env *e, const struct record *rec, struct plan *p)
{
	struct index ix = { 0 };
	int ret = -1;

	if (index_load(e->prefix, rec->name, &ix) < 0 || plan_olds(e, p, rec, &ix) < 0)
		goto out;
	plan_prunes(p, rec);
	ret = 0;
out:
	index_release(&ix);
	return ret;
}
