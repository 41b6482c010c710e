/* txn.c - moving a staged package into the environment, all or nothing, and undoing it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "layout.h"
#include "quote.h"
#include "record.h"
#include "txn.h"
#include "util.h"

/*
 * The protocol.  Everything is checked before anything changes; then a
 * journal, DIR/var/cenv/journal, says what will change, and only then do
 * files move.  A change is made of renames within DIR's file system, each
 * atomic, so at any instant every file is in exactly one known place:
 *
 *   cenv-journal 1
 *   op install                  (or "uninstall")
 *   package zlib
 *   had-record yes              (records/NAME existed: it is set aside as txn/record.old)
 *   mkdir include/zlib          (directories it creates, parents first)
 *   new 2049 1835011 lib/libz.a (a file it moves in, with the staged file's st_dev and
 *                                st_ino: rename keeps them, so rollback removes a file
 *                                only if it is the very one moved in)
 *   old lib/libz.so.1           (an installed file it sets aside as txn/backup/N,
 *                                N counting the old lines from 0)
 *   rmdir 0755 include/zlib     (a directory, emptied by setting old files aside, that
 *                                it removes because a new file goes there; deepest first)
 *   prune include/zlib          (directories to remove once committed, if left empty;
 *                                deepest first)
 *   committed                   (the commit point, see below)
 *
 * Paths are relative to DIR and escaped as in records (record_escape).  The
 * journal is written to txn/journal.tmp, fsynced, and renamed into place
 * (directory fsynced), so it is whole or absent.
 *
 * Install: (1) check; (2) make txn/, write the journal, make txn/backup/;
 * (3) move records/NAME to txn/record.old, each old file to txn/backup/N,
 * remove the rmdir directories, make the mkdir ones, rename each staged
 * file into place; (4) save the new record (fsynced); (5) rewrite the
 * journal with "committed" at its end: THE COMMIT POINT is that rename;
 * (6) remove txn/, prune emptied directories, delete the journal.
 * Uninstall is the same without new files: old files and the record are
 * set aside, then commit, then cleanup.
 *
 * txn_recover() reads a journal left behind.  Without "committed" it rolls
 * back: puts back txn/record.old (or deletes a record the install made),
 * deletes the moved-in files whose device and inode match, removes the
 * directories made, makes again those removed, renames each txn/backup/N
 * back, then removes txn/ and the journal.  With "committed" it finishes
 * step (6).  Every step of both checks what is there first, so a recovery
 * killed midway can run again.  An error in (2)-(5) rolls back the same
 * way, in the same process.
 *
 * Nothing is written through a symlink: every change is made with *at()
 * calls on a directory reached component by component with
 * O_NOFOLLOW|O_DIRECTORY, and a target is checked absent just before a
 * file is renamed onto it.
 */
#define JOURNAL_MAGIC "cenv-journal 1"
#define JOURNAL "journal"
#define TXN_DIR "txn"
#define WORK_DIR "work"

/* ---- the test hook --------------------------------------------------------- */

/* Process-wide, but only the thread holding the environment's lock runs a transaction. */
static long crash_at, steps_done;

static void hook_start(void)
{
	const char *s = getenv("CENV_TEST_CRASH_AT");

	crash_at = s ? strtol(s, NULL, 10) : 0;
	steps_done = 0;
}

/* Called right before each change to the file system. */
static void step(void)
{
	if (crash_at > 0 && ++steps_done == crash_at)
		raise(SIGKILL);
}

/* ---- small helpers --------------------------------------------------------- */

struct strv {
	char **v;
	size_t n, cap;
};

static void strv_push(struct strv *sv, char *s)
{
	if (sv->n == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
}

static void strv_release(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_str_desc(const void *a, const void *b)
{
	return -cmp_str(a, b);
}

/* Sorts and drops duplicates. */
static void strv_sort_unique(struct strv *sv)
{
	size_t i, out = 0;

	if (!sv->n)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	for (i = 0; i < sv->n; i++) {
		if (out && !strcmp(sv->v[out - 1], sv->v[i]))
			free(sv->v[i]);
		else
			sv->v[out++] = sv->v[i];
	}
	sv->n = out;
}

/* Index of s in the sorted sv, or -1. */
static long strv_find(const struct strv *sv, const char *s)
{
	char **hit;

	if (!sv->n)
		return -1;
	hit = bsearch(&s, sv->v, sv->n, sizeof(*sv->v), cmp_str);
	return hit ? hit - sv->v : -1;
}

/* Adds every proper ancestor of path ("a/b/c": "a", "a/b") to sv. */
static void push_ancestors(struct strv *sv, const char *path)
{
	const char *p;

	for (p = strchr(path, '/'); p; p = strchr(p + 1, '/'))
		strv_push(sv, xasprintf("%.*s", (int)(p - path), path));
}

/* fail() with each of up to three strings made printable (paths may hold newlines). */
static int failp(const char *fmt, const char *a, const char *b, const char *c)
{
	char *pa = printable(a ? a : ""), *pb = printable(b ? b : ""), *pc = printable(c ? c : "");

	fail(fmt, pa, pb, pc);
	free(pa);
	free(pb);
	free(pc);
	return -1;
}

static int is_layout_dir(const char *rel)
{
	const char *const *d;

	for (d = layout_dirs; *d; d++)
		if (!strcmp(*d, rel))
			return 1;
	return 0;
}

/* var/cenv and below: cenv's own state, never a package's. */
static int in_state_dir(const char *rel)
{
	size_t n = strlen(LAYOUT_STATE);

	return !strncmp(rel, LAYOUT_STATE, n) && (rel[n] == '\0' || rel[n] == '/');
}

static int open_dir_at(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Opens the directory that holds rel inside root, one component at a time
 * and never through a symlink; *leaf points at rel's last component.  -1
 * with fail() and errno kept (ENOENT: a component is missing; ELOOP or
 * ENOTDIR: one is a symlink or not a directory).  base names root in messages.
 */
static int walk_parent(int root, const char *base, const char *rel, const char **leaf)
{
	char *copy, *comp, *slash;
	int fd = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*leaf = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	if (fd < 0)
		return fail_errno("cannot open '%s'", base);
	copy = comp = xstrdup(rel);
	while (fd >= 0 && (slash = strchr(comp, '/'))) {
		int next;

		*slash = '\0';
		next = open_dir_at(fd, comp);
		if (next < 0) {
			int saved = errno;

			close(fd);
			fd = -1;
			if (saved == ELOOP || saved == ENOTDIR)
				failp("'%s/%s' is a symlink or not a directory", base, copy, NULL);
			else
				fail_errno("cannot open '%s/%s'", base, copy);
			errno = saved;
			break;
		}
		close(fd);
		fd = next;
		*slash = '/';
		comp = slash + 1;
	}
	free(copy);
	return fd;
}

/* lstat of rel under root: 0, 1 when absent, -1 with fail(). */
static int lstat_at(int root, const char *base, const char *rel, struct stat *st)
{
	if (fstatat(root, rel, st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno == ENOENT || errno == ENOTDIR)
		return 1;
	return fail_errno("cannot read '%s/%s'", base, rel);
}

static int fsync_fd(int fd, const char *what)
{
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		return fail_errno("cannot sync '%s'", what);
	return 0;
}

/* ---- the plan and its journal --------------------------------------------- */

struct new_file {
	char *path;
	unsigned long long dev, ino;
};

struct plan {
	int uninstall;
	char *name;
	int had_record;
	struct strv mkdirs;   /* parents first */
	mode_t *mkdir_modes;  /* for mkdirs (not journaled: recovery never makes one) */
	struct new_file *news;
	size_t nnews;
	struct strv olds;     /* txn/backup/INDEX */
	struct strv rmdirs;   /* deepest first */
	mode_t *rmdir_modes;
	struct strv prunes;   /* deepest first */
	int committed;
};

static void plan_release(struct plan *p)
{
	size_t i;

	free(p->name);
	strv_release(&p->mkdirs);
	free(p->mkdir_modes);
	for (i = 0; i < p->nnews; i++)
		free(p->news[i].path);
	free(p->news);
	strv_release(&p->olds);
	strv_release(&p->rmdirs);
	free(p->rmdir_modes);
	strv_release(&p->prunes);
	memset(p, 0, sizeof(*p));
}

static void add_line(struct strbuf *sb, const char *key, const char *value)
{
	char *esc = record_escape(value, 1);

	sb_addf(sb, "%s %s\n", key, esc);
	free(esc);
}

static char *plan_format(const struct plan *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	sb_adds(&sb, JOURNAL_MAGIC "\n");
	sb_addf(&sb, "op %s\n", p->uninstall ? "uninstall" : "install");
	add_line(&sb, "package", p->name);
	sb_addf(&sb, "had-record %s\n", p->had_record ? "yes" : "no");
	for (i = 0; i < p->mkdirs.n; i++)
		add_line(&sb, "mkdir", p->mkdirs.v[i]);
	for (i = 0; i < p->nnews; i++) {
		char *esc = record_escape(p->news[i].path, 1);

		sb_addf(&sb, "new %llu %llu %s\n", p->news[i].dev, p->news[i].ino, esc);
		free(esc);
	}
	for (i = 0; i < p->olds.n; i++)
		add_line(&sb, "old", p->olds.v[i]);
	for (i = 0; i < p->rmdirs.n; i++) {
		char *esc = record_escape(p->rmdirs.v[i], 1);

		sb_addf(&sb, "rmdir %04o %s\n", (unsigned)p->rmdir_modes[i], esc);
		free(esc);
	}
	for (i = 0; i < p->prunes.n; i++)
		add_line(&sb, "prune", p->prunes.v[i]);
	if (p->committed)
		sb_adds(&sb, "committed\n");
	return sb_detach(&sb);
}

static int parse_ull(const char *s, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* A journal path: escaped, and a plain relative path outside cenv's state (but for records/). */
static char *journal_path(const char *text, int records_ok)
{
	char *path = record_unescape(text);

	if (path && (!record_path_ok(path) ||
		     (in_state_dir(path) && !(records_ok && !strcmp(path, RECORD_DIR))))) {
		free(path);
		return NULL;
	}
	return path;
}

static int plan_parse(const char *text, size_t len, const char *file, struct plan *p)
{
	char *copy, *line, *next;
	int lineno = 0, ret = -1, seen_op = 0, seen_record = 0;
	size_t capnews = 0;

	memset(p, 0, sizeof(*p));
	if (strlen(text) != len || len == 0 || text[len - 1] != '\n')
		return fail("%s: malformed journal (cut short or holding a NUL byte)", file);
	copy = xstrdup(text);
	for (line = copy; *line; line = next) {
		char *arg;

		next = strchr(line, '\n');
		*next++ = '\0';
		lineno++;
		if (p->committed)
			goto bad;
		if (lineno == 1) {
			if (strcmp(line, JOURNAL_MAGIC))
				goto bad;
			continue;
		}
		if (!strcmp(line, "committed")) {
			p->committed = 1;
			continue;
		}
		arg = strchr(line, ' ');
		if (!arg)
			goto bad;
		*arg++ = '\0';
		if (!strcmp(line, "op") && !seen_op) {
			if (strcmp(arg, "install") && strcmp(arg, "uninstall"))
				goto bad;
			p->uninstall = !strcmp(arg, "uninstall");
			seen_op = 1;
		} else if (!strcmp(line, "package") && !p->name) {
			p->name = record_unescape(arg);
			if (!p->name || !*p->name || strchr(p->name, '/') || *p->name == '.')
				goto bad;
		} else if (!strcmp(line, "had-record") && !seen_record) {
			if (strcmp(arg, "yes") && strcmp(arg, "no"))
				goto bad;
			p->had_record = !strcmp(arg, "yes");
			seen_record = 1;
		} else if (!strcmp(line, "mkdir") || !strcmp(line, "old") || !strcmp(line, "prune")) {
			char *path = journal_path(arg, line[0] == 'm');

			if (!path)
				goto bad;
			strv_push(line[0] == 'm' ? &p->mkdirs : line[0] == 'o' ? &p->olds : &p->prunes, path);
		} else if (!strcmp(line, "rmdir")) {
			char *path = strchr(arg, ' '), *end;
			unsigned long mode;

			if (!path || *arg < '0' || *arg > '7')
				goto bad;
			*path++ = '\0';
			mode = strtoul(arg, &end, 8);
			if (*end || mode > 07777)
				goto bad;
			path = journal_path(path, 0);
			if (!path)
				goto bad;
			p->rmdir_modes = xrealloc(p->rmdir_modes, (p->rmdirs.n + 1) * sizeof(*p->rmdir_modes));
			p->rmdir_modes[p->rmdirs.n] = (mode_t)mode;
			strv_push(&p->rmdirs, path);
		} else if (!strcmp(line, "new")) {
			struct new_file nf = { NULL, 0, 0 };
			char *ino = strchr(arg, ' '), *path;

			if (!ino)
				goto bad;
			*ino++ = '\0';
			path = strchr(ino, ' ');
			if (!path)
				goto bad;
			*path++ = '\0';
			if (parse_ull(arg, &nf.dev) < 0 || parse_ull(ino, &nf.ino) < 0)
				goto bad;
			nf.path = journal_path(path, 0);
			if (!nf.path)
				goto bad;
			if (p->nnews == capnews) {
				capnews = capnews ? capnews * 2 : 16;
				p->news = xrealloc(p->news, capnews * sizeof(*p->news));
			}
			p->news[p->nnews++] = nf;
		} else {
			goto bad;
		}
	}
	if (!seen_op || !p->name || !seen_record) {
		fail("%s: malformed journal: it misses its op, package or had-record line", file);
		goto out;
	}
	ret = 0;
	goto out;
bad:
	fail("%s:%d: malformed journal line", file, lineno);
out:
	free(copy);
	if (ret < 0)
		plan_release(p);
	return ret;
}

/* ---- one transaction's open directories ------------------------------------ */

struct txn {
	const char *prefix;
	char *state_path; /* DIR/var/cenv, for messages */
	int root;         /* DIR */
	int state;        /* DIR/var/cenv */
	int txn;          /* DIR/var/cenv/txn */
	int backup;       /* DIR/var/cenv/txn/backup */
	int stage;        /* the staged prefix (install only) */
	struct plan plan;
};

static void txn_close(struct txn *t)
{
	close_fd(&t->root);
	close_fd(&t->state);
	close_fd(&t->txn);
	close_fd(&t->backup);
	close_fd(&t->stage);
	free(t->state_path);
	t->state_path = NULL;
	plan_release(&t->plan);
}

/* Opens DIR and DIR/var/cenv; 1 when DIR/var/cenv does not exist (and missing_ok). */
static int txn_open(struct txn *t, const char *prefix, int missing_ok)
{
	const char *leaf;
	int parent;

	memset(t, 0, sizeof(*t));
	t->prefix = prefix;
	t->root = t->state = t->txn = t->backup = t->stage = -1;
	t->state_path = path_join(prefix, LAYOUT_STATE);
	t->root = open(prefix, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t->root < 0)
		return fail_errno("cannot open the environment '%s'", prefix);
	parent = walk_parent(t->root, prefix, LAYOUT_STATE, &leaf);
	if (parent >= 0) {
		t->state = open_dir_at(parent, leaf);
		if (t->state < 0)
			fail_errno("cannot open '%s'", t->state_path);
		close(parent);
	}
	if (t->state < 0)
		return missing_ok && errno == ENOENT ? 1 : -1;
	return 0;
}

static int journal_exists(struct txn *t)
{
	struct stat st;

	return fstatat(t->state, JOURNAL, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The records directory, or -1 (errno ENOENT when it does not exist). */
static int open_records(struct txn *t)
{
	const char *leaf;
	int parent = walk_parent(t->root, t->prefix, RECORD_DIR, &leaf), fd, saved;

	if (parent < 0)
		return -1;
	fd = open_dir_at(parent, leaf);
	saved = errno;
	close(parent);
	if (fd < 0 && saved != ENOENT)
		fail_errno("cannot open '%s/%s'", t->prefix, RECORD_DIR);
	errno = saved;
	return fd;
}

/* Writes the plan as the journal: whole or not at all, and synced. */
static int write_journal(struct txn *t)
{
	char *text = plan_format(&t->plan);
	size_t len = strlen(text), done = 0;
	int fd, ret = -1;

	step();
	fd = openat(t->txn, "journal.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail_errno("cannot write '%s/%s/journal.tmp'", t->state_path, TXN_DIR);
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail_errno("cannot write '%s/%s/journal.tmp'", t->state_path, TXN_DIR);
			close(fd);
			goto out;
		}
		done += (size_t)n;
	}
	if (fsync_fd(fd, "journal.tmp") < 0 || close(fd) < 0) {
		fail_errno("cannot write '%s/%s/journal.tmp'", t->state_path, TXN_DIR);
		goto out;
	}
	step();
	if (renameat(t->txn, "journal.tmp", t->state, JOURNAL) < 0) {
		fail_errno("cannot write '%s/%s'", t->state_path, JOURNAL);
		goto out;
	}
	ret = 0;
	fsync_fd(t->state, t->state_path); /* the rename happened; a failed sync changes nothing now */
out:
	free(text);
	return ret;
}

/* Removes txn/ and the journal: the end of a transaction, either way. */
static int end_journal(struct txn *t)
{
	char *txn_path = path_join(t->state_path, TXN_DIR);
	int ret = 0;

	close_fd(&t->backup);
	close_fd(&t->txn);
	if (path_exists(txn_path)) {
		step();
		ret = remove_tree(txn_path);
	}
	free(txn_path);
	if (ret < 0)
		return -1;
	step();
	if (unlinkat(t->state, JOURNAL, 0) < 0 && errno != ENOENT)
		return fail_errno("cannot remove '%s/%s'", t->state_path, JOURNAL);
	fsync_fd(t->state, t->state_path);
	return 0;
}

/* Makes txn/ and txn/backup/ around a freshly written journal. */
static int begin(struct txn *t)
{
	char *txn_path = path_join(t->state_path, TXN_DIR);
	struct stat st;
	int ret = -1;

	/* no journal, so whatever txn/ holds is an old leftover */
	if (fstatat(t->state, TXN_DIR, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		step();
		if (remove_tree(txn_path) < 0)
			goto out;
	}
	step();
	if (mkdirat(t->state, TXN_DIR, 0700) < 0) {
		fail_errno("cannot create '%s'", txn_path);
		goto out;
	}
	t->txn = open_dir_at(t->state, TXN_DIR);
	if (t->txn < 0) {
		fail_errno("cannot open '%s'", txn_path);
		goto out;
	}
	if (write_journal(t) < 0)
		goto out;
	step();
	if (mkdirat(t->txn, "backup", 0700) < 0 || (t->backup = open_dir_at(t->txn, "backup")) < 0) {
		fail_errno("cannot create '%s/backup'", txn_path);
		ret = -2; /* the journal exists: roll back */
		goto out;
	}
	ret = 0;
out:
	if (ret == -1) {
		/* nothing but txn/ changed: take it away again */
		char *msg = xstrdup(last_error());

		close_fd(&t->txn);
		remove_tree(txn_path);
		fail("%s", msg);
		free(msg);
	}
	free(txn_path);
	return ret;
}

/* ---- rollback and finishing ------------------------------------------------ */

/* Removes records/NAME.tmp.PID files a killed record_save left. */
static int clean_record_temps(struct txn *t)
{
	int fd = open_records(t), ret = 0;
	DIR *dir;
	struct dirent *de;
	struct strv names = { 0 };
	size_t i, n;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return fail_errno("cannot read '%s/%s'", t->prefix, RECORD_DIR);
	}
	while ((de = readdir(dir))) {
		const char *tmp = strstr(de->d_name, ".tmp.");

		if (tmp && tmp[5] && strspn(tmp + 5, "0123456789") == strlen(tmp + 5))
			strv_push(&names, xstrdup(de->d_name));
	}
	for (i = 0, n = names.n; i < n; i++) {
		step();
		if (unlinkat(dirfd(dir), names.v[i], 0) < 0 && errno != ENOENT)
			ret = failp("cannot remove '%s/" RECORD_DIR "/%s'", t->prefix, names.v[i], NULL);
	}
	closedir(dir);
	strv_release(&names);
	return ret;
}

/* Undoes whatever part of t->plan was done, going backwards; best effort, -1 if anything stays. */
static int rollback(struct txn *t)
{
	struct plan *p = &t->plan;
	int ret = 0, rec;
	size_t i;

	close_fd(&t->backup);
	if (t->txn < 0)
		t->txn = open_dir_at(t->state, TXN_DIR); /* absent when killed before it was made */
	if (t->txn >= 0)
		t->backup = open_dir_at(t->txn, "backup");

	/* the record: the old one back, or the new one away */
	if (clean_record_temps(t) < 0)
		ret = -1;
	rec = open_records(t);
	if (rec >= 0) {
		struct stat st;

		if (p->had_record) {
			if (t->txn >= 0 && fstatat(t->txn, "record.old", &st, AT_SYMLINK_NOFOLLOW) == 0) {
				step();
				if (renameat(t->txn, "record.old", rec, p->name) < 0)
					ret = failp("cannot restore the record of '%s': %s", p->name,
						    strerror(errno), NULL);
			}
		} else if (fstatat(rec, p->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			step();
			if (unlinkat(rec, p->name, 0) < 0)
				ret = failp("cannot remove the record of '%s': %s", p->name, strerror(errno),
					    NULL);
		}
		close(rec);
	} else if (errno != ENOENT) {
		ret = -1;
	}

	/* the files moved in: exactly those (same device and inode) */
	for (i = p->nnews; i-- > 0;) {
		const struct new_file *nf = &p->news[i];
		const char *leaf;
		struct stat st;
		int dir = walk_parent(t->root, t->prefix, nf->path, &leaf);

		if (dir < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				ret = -1;
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (unsigned long long)st.st_dev == nf->dev && (unsigned long long)st.st_ino == nf->ino) {
			step();
			if (unlinkat(dir, leaf, 0) < 0)
				ret = failp("cannot remove '%s/%s': %s", t->prefix, nf->path, strerror(errno));
		}
		close(dir);
	}

	/* the directories made */
	for (i = p->mkdirs.n; i-- > 0;) {
		const char *leaf;
		struct stat st;
		int dir = walk_parent(t->root, t->prefix, p->mkdirs.v[i], &leaf);

		if (dir < 0) {
			if (errno != ENOENT)
				ret = -1;
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			step();
			if (unlinkat(dir, leaf, AT_REMOVEDIR) < 0)
				ret = failp("cannot remove the directory '%s/%s': %s", t->prefix,
					    p->mkdirs.v[i], strerror(errno));
		}
		close(dir);
	}

	/* the directories removed, parents first */
	for (i = p->rmdirs.n; i-- > 0;) {
		const char *leaf;
		struct stat st;
		int dir = walk_parent(t->root, t->prefix, p->rmdirs.v[i], &leaf);

		if (dir < 0) {
			ret = -1;
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			step();
			if (mkdirat(dir, leaf, p->rmdir_modes[i]) < 0)
				ret = failp("cannot make again the directory '%s/%s': %s", t->prefix,
					    p->rmdirs.v[i], strerror(errno));
		} else if (!S_ISDIR(st.st_mode)) {
			ret = failp("cannot make again the directory '%s/%s': something else is in its place",
				    t->prefix, p->rmdirs.v[i], NULL);
		}
		close(dir);
	}

	/* the files set aside, back where they were */
	for (i = p->olds.n; t->backup >= 0 && i-- > 0;) {
		char idx[32];
		const char *leaf;
		struct stat st;
		int dir;

		snprintf(idx, sizeof(idx), "%zu", i);
		if (fstatat(t->backup, idx, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* never moved, or already back */
		dir = walk_parent(t->root, t->prefix, p->olds.v[i], &leaf);
		if (dir < 0) {
			ret = -1;
			continue;
		}
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			ret = failp("cannot restore '%s/%s': something else is in its place", t->prefix,
				    p->olds.v[i], NULL);
		} else {
			step();
			if (renameat(t->backup, idx, dir, leaf) < 0)
				ret = failp("cannot restore '%s/%s': %s", t->prefix, p->olds.v[i],
					    strerror(errno));
		}
		close(dir);
	}
	if (ret < 0)
		return -1; /* the journal stays, so the next recovery tries again */
	return end_journal(t);
}

/* 1 when leaf (in dir) is an empty directory. */
static int dir_empty_at(int dir, const char *leaf)
{
	int fd = open_dir_at(dir, leaf), empty;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	empty = 1;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* After the commit point: removes the backups, the emptied directories, the journal. */
static int finish(struct txn *t)
{
	char *txn_path = path_join(t->state_path, TXN_DIR);
	const struct plan *p = &t->plan;
	int ret = 0;
	size_t i;

	close_fd(&t->backup);
	close_fd(&t->txn);
	if (path_exists(txn_path)) {
		step();
		ret = remove_tree(txn_path);
	}
	free(txn_path);
	for (i = 0; ret == 0 && i < p->prunes.n; i++) {
		const char *leaf, *rel = p->prunes.v[i];
		struct stat st;
		int dir;

		if (is_layout_dir(rel) || in_state_dir(rel))
			continue;
		dir = walk_parent(t->root, t->prefix, rel, &leaf);
		if (dir < 0)
			continue; /* gone with its parent, or not ours to prune */
		if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
		    dir_empty_at(dir, leaf)) {
			step();
			unlinkat(dir, leaf, AT_REMOVEDIR); /* failing, it stays: pruning is tidying */
		}
		close(dir);
	}
	if (ret < 0)
		return -1;
	step();
	if (unlinkat(t->state, JOURNAL, 0) < 0 && errno != ENOENT)
		return fail_errno("cannot remove '%s/%s'", t->state_path, JOURNAL);
	fsync_fd(t->state, t->state_path);
	return 0;
}

/* ---- the checks --------------------------------------------------------- */

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
		if (record_load(prefix, names[i], &ix->recs[ix->nrecs]) < 0) {
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

static int check_name(const char *name)
{
	if (!name || !*name || *name == '.' || strchr(name, '/'))
		return fail("invalid package name '%s'", name ? name : "");
	return 0;
}

/*
 * The installed files of rec to set aside: those present, reached through
 * real directories, and owned by no other package (a file two records claim
 * stays for the other).  A symlinked parent is refused: what it reaches is
 * not the recorded file.
 */
static int plan_olds(struct txn *t, const struct record *rec, const struct index *ix)
{
	size_t i;

	for (i = 0; i < rec->nfiles; i++) {
		const char *path = rec->files[i].path, *p;
		struct stat st;
		int absent = 0, r;

		if (!record_path_ok(path) || in_state_dir(path))
			return failp("the record of '%s' lists a bad path '%s'", rec->name, path, NULL);
		if (index_owner(ix, path))
			continue;
		for (p = strchr(path, '/'); p && !absent; p = strchr(p + 1, '/')) {
			char *anc = xasprintf("%.*s", (int)(p - path), path);

			r = lstat_at(t->root, t->prefix, anc, &st);
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
		r = lstat_at(t->root, t->prefix, path, &st);
		if (r < 0)
			return -1;
		if (r == 0 && !S_ISDIR(st.st_mode))
			strv_push(&t->plan.olds, xstrdup(path));
	}
	return 0;
}

/* Every ancestor directory of the paths of rec, deepest first, that pruning may remove. */
static void plan_prunes(struct plan *p, const struct record *rec)
{
	struct strv all = { 0 };
	size_t i;

	for (i = 0; i < rec->nfiles; i++)
		if (record_path_ok(rec->files[i].path))
			push_ancestors(&all, rec->files[i].path);
	strv_sort_unique(&all);
	for (i = 0; i < all.n; i++) {
		if (is_layout_dir(all.v[i]) || in_state_dir(all.v[i]))
			free(all.v[i]);
		else
			strv_push(&p->prunes, all.v[i]);
	}
	free(all.v);
	if (p->prunes.n)
		qsort(p->prunes.v, p->prunes.n, sizeof(*p->prunes.v), cmp_str_desc);
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
static int plan_mkdirs(struct txn *t, const struct record *rec, const struct index *ix)
{
	struct plan *p = &t->plan;
	struct strv ancs = { 0 }, olds = { 0 };
	char *records = NULL;
	size_t i;
	int *status = NULL, ret = -1;

	for (i = 0; i < rec->nfiles; i++)
		push_ancestors(&ancs, rec->files[i].path);
	strv_sort_unique(&ancs);
	for (i = 0; i < p->olds.n; i++)
		strv_push(&olds, p->olds.v[i]);
	if (olds.n)
		qsort(olds.v, olds.n, sizeof(*olds.v), cmp_str);
	status = xmalloc((ancs.n + 1) * sizeof(*status));
	memset(status, 0, (ancs.n + 1) * sizeof(*status));
	p->mkdir_modes = xmalloc((ancs.n + 1) * sizeof(*p->mkdir_modes));
	for (i = 0; i < ancs.n; i++) {
		const char *anc = ancs.v[i], *slash = strrchr(anc, '/');
		struct stat st;
		int r;

		if (slash) {
			char *parent = xasprintf("%.*s", (int)(slash - anc), anc);
			long j = strv_find(&ancs, parent);

			free(parent);
			if (j >= 0 && status[j] == ANC_ABSENT) {
				status[i] = ANC_ABSENT;
				goto absent;
			}
		}
		if (strv_find(&olds, anc) >= 0) {
			status[i] = ANC_ABSENT;
			goto absent;
		}
		r = lstat_at(t->root, t->prefix, anc, &st);
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
			fstatat(t->stage, anc, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)
				? (st.st_mode & 07777) | 0700
				: 0755;
		strv_push(&p->mkdirs, xstrdup(anc));
	}
	/* the records directory too, when this is the first record */
	records = path_join(t->prefix, RECORD_DIR);
	if (!path_exists(records)) {
		p->mkdir_modes = xrealloc(p->mkdir_modes, (p->mkdirs.n + 1) * sizeof(*p->mkdir_modes));
		p->mkdir_modes[p->mkdirs.n] = 0755;
		strv_push(&p->mkdirs, xstrdup(RECORD_DIR));
	}
	ret = 0;
out:
	free(records);
	free(status);
	strv_release(&ancs);
	free(olds.v); /* borrowed strings */
	return ret;
}

/*
 * A directory where a new file goes can go if all it holds are files of the
 * old version (set aside before): its directories join the plan's rmdirs,
 * deepest first.  Otherwise -1, with the reason as the message.
 */
static int plan_rmdirs(struct txn *t, const char *rel, const struct strv *olds)
{
	struct strv names = { 0 };
	struct stat st;
	const char *leaf;
	struct dirent *de;
	DIR *d = NULL;
	size_t i;
	int parent, fd, ret = -1;

	parent = walk_parent(t->root, t->prefix, rel, &leaf);
	if (parent < 0)
		return -1;
	if (fstatat(parent, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
		close(parent);
		return fail(" (it changed while being read)");
	}
	fd = open_dir_at(parent, leaf);
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
			strv_push(&names, path_join(rel, de->d_name));
	closedir(d);
	for (i = 0; i < names.n; i++) {
		struct stat cst;
		int r = lstat_at(t->root, t->prefix, names.v[i], &cst);

		if (r < 0)
			goto out;
		if (r == 1)
			continue;
		if (S_ISDIR(cst.st_mode)) {
			if (plan_rmdirs(t, names.v[i], olds) < 0)
				goto out;
		} else if (strv_find(olds, names.v[i]) < 0) {
			char *shown = printable(names.v[i]);

			fail(" and holds '%s', which the package did not install", shown);
			free(shown);
			goto out;
		}
	}
	t->plan.rmdir_modes = xrealloc(t->plan.rmdir_modes, (t->plan.rmdirs.n + 1) * sizeof(mode_t));
	t->plan.rmdir_modes[t->plan.rmdirs.n] = st.st_mode & 07777;
	strv_push(&t->plan.rmdirs, xstrdup(rel));
	ret = 0;
out:
	strv_release(&names);
	return ret;
}

static int cmp_rf_path(const void *a, const void *b)
{
	return strcmp((*(const struct record_file *const *)a)->path,
		      (*(const struct record_file *const *)b)->path);
}

/* Each new file: owned by no other package, its place free (or the old version's), staged. */
static int plan_news(struct txn *t, const struct record *new_rec, const struct index *ix)
{
	struct plan *p = &t->plan;
	struct strv olds = { 0 }, mk = { 0 };
	const struct record_file **sorted = NULL;
	size_t i;
	int ret = -1;

	for (i = 0; i < p->olds.n; i++)
		strv_push(&olds, p->olds.v[i]);
	if (olds.n)
		qsort(olds.v, olds.n, sizeof(*olds.v), cmp_str);
	for (i = 0; i < p->mkdirs.n; i++)
		strv_push(&mk, p->mkdirs.v[i]);
	if (mk.n)
		qsort(mk.v, mk.n, sizeof(*mk.v), cmp_str);
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
			failp("the package '%s' lists '%s' twice", new_rec->name, f->path, NULL);
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

			parent_absent = strv_find(&mk, parent) >= 0;
			free(parent);
		}
		if (!parent_absent && strv_find(&olds, f->path) < 0) {
			r = lstat_at(t->root, t->prefix, f->path, &st);
			if (r < 0)
				goto out;
			if (r == 0 && S_ISDIR(st.st_mode)) {
				if (is_layout_dir(f->path) ||
				    plan_rmdirs(t, f->path, &olds) < 0) {
					failp("cannot install package '%s': '%s' is a directory in the environment%s",
					      new_rec->name, f->path, is_layout_dir(f->path) ? "" : last_error());
					goto out;
				}
				dir_goes = 1;
			}
			if (r == 0 && !dir_goes) {
				failp("cannot install package '%s': '%s' exists in the environment and belongs to no package",
				      new_rec->name, f->path, NULL);
				goto out;
			}
		}
		if (fstatat(t->stage, f->path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			failp("cannot install package '%s': '%s' is not in the staging tree (%s)", new_rec->name,
			      f->path, strerror(errno));
			goto out;
		}
		if ((f->type == 'f' && !S_ISREG(st.st_mode)) || (f->type == 'l' && !S_ISLNK(st.st_mode))) {
			failp("cannot install package '%s': '%s' changed in the staging tree since it was scanned",
			      new_rec->name, f->path, NULL);
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

static int check_new_paths(const struct record *rec)
{
	size_t i;

	for (i = 0; i < rec->nfiles; i++) {
		const struct record_file *f = &rec->files[i];

		if (!f->path || !record_path_ok(f->path))
			return failp("cannot install package '%s': bad path '%s'", rec->name,
				     f->path ? f->path : "", NULL);
		if (in_state_dir(f->path))
			return failp("cannot install package '%s': '%s' is inside cenv's own state directory",
				     rec->name, f->path, NULL);
		if (f->type != 'f' && f->type != 'l')
			return failp("cannot install package '%s': '%s' is neither a file nor a symlink",
				     rec->name, f->path, NULL);
	}
	return 0;
}

/* ---- the operations ------------------------------------------------------ */

/*
 * Moves every old file of the plan into the backup directory, named by its index.
 * message: for failp(), with the prefix, the path and the reason.
 */
static int set_aside_olds(struct txn *t, const char *message)
{
	struct plan *p = &t->plan;
	size_t i;

	for (i = 0; i < p->olds.n; i++) {
		char idx[32];
		const char *leaf;
		int dir = walk_parent(t->root, t->prefix, p->olds.v[i], &leaf);

		if (dir < 0)
			return -1;
		snprintf(idx, sizeof(idx), "%zu", i);
		step();
		if (renameat(dir, leaf, t->backup, idx) < 0) {
			failp(message, t->prefix, p->olds.v[i], strerror(errno));
			close(dir);
			return -1;
		}
		close(dir);
	}
	return 0;
}

/*
 * The parent directory of the last file moved, kept open: the new files come
 * sorted by path, so one walk from the root serves a whole directory of them
 * (a package of 20,000 files would otherwise open 200,000 directories).
 */
struct parent_cache {
	char *dir; /* relative path of the directory open in fd */
	int fd;
};

static int cached_parent(struct parent_cache *c, int root, const char *base, const char *rel,
			 const char **leaf)
{
	const char *slash = strrchr(rel, '/');
	size_t len = slash ? (size_t)(slash - rel) : 0;

	*leaf = slash ? slash + 1 : rel;
	if (c->fd >= 0 && strlen(c->dir) == len && !strncmp(c->dir, rel, len))
		return c->fd;
	if (c->fd >= 0)
		close(c->fd);
	free(c->dir);
	c->dir = NULL;
	c->fd = walk_parent(root, base, rel, leaf);
	if (c->fd >= 0)
		c->dir = xasprintf("%.*s", (int)len, rel);
	return c->fd;
}

static void parent_cache_release(struct parent_cache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->dir);
	c->fd = -1;
	c->dir = NULL;
}

/* Renames each staged file into place, never over anything and never through a symlink. */
static int move_news(struct txn *t)
{
	struct plan *p = &t->plan;
	struct parent_cache staged = { NULL, -1 }, target = { NULL, -1 };
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < p->nnews; i++) {
		const struct new_file *nf = &p->news[i];
		const char *leaf, *sleaf;
		struct stat st;
		int dir, sdir;

		sdir = cached_parent(&staged, t->stage, "the staging tree", nf->path, &sleaf);
		dir = sdir < 0 ? -1 : cached_parent(&target, t->root, t->prefix, nf->path, &leaf);
		if (dir < 0) {
			ret = -1;
		} else if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
			ret = failp("cannot install '%s/%s': something appeared in its place", t->prefix,
				    nf->path, NULL);
		} else {
			step();
			if (renameat(sdir, sleaf, dir, leaf) < 0)
				ret = failp("cannot move '%s' into '%s': %s", nf->path, t->prefix,
					    strerror(errno));
		}
	}
	parent_cache_release(&staged);
	parent_cache_release(&target);
	return ret;
}

/* The moves of step (3) and the record of step (4). */
static int apply_install(struct txn *t, const struct record *new_rec)
{
	struct plan *p = &t->plan;
	char *rec_path;
	size_t i;
	int rec, fd;

	if (p->had_record) {
		rec = open_records(t);
		if (rec < 0)
			return -1;
		step();
		if (renameat(rec, p->name, t->txn, "record.old") < 0) {
			failp("cannot set aside the record of '%s': %s", p->name, strerror(errno), NULL);
			close(rec);
			return -1;
		}
		close(rec);
	}
	if (set_aside_olds(t, "cannot set aside '%s/%s': %s") < 0)
		return -1;
	for (i = 0; i < p->rmdirs.n; i++) {
		const char *leaf;
		int dir = walk_parent(t->root, t->prefix, p->rmdirs.v[i], &leaf);

		if (dir < 0)
			return -1;
		step();
		if (unlinkat(dir, leaf, AT_REMOVEDIR) < 0) {
			failp("cannot remove the directory '%s/%s': %s", t->prefix, p->rmdirs.v[i],
			      strerror(errno));
			close(dir);
			return -1;
		}
		close(dir);
	}
	for (i = 0; i < p->mkdirs.n; i++) {
		const char *leaf;
		int dir = walk_parent(t->root, t->prefix, p->mkdirs.v[i], &leaf);

		if (dir < 0)
			return -1;
		step();
		if (mkdirat(dir, leaf, p->mkdir_modes[i]) < 0) {
			failp("cannot create '%s/%s': %s", t->prefix, p->mkdirs.v[i], strerror(errno));
			close(dir);
			return -1;
		}
		close(dir);
	}
	if (move_news(t) < 0)
		return -1;
	step();
	if (record_save(t->prefix, new_rec) < 0)
		return -1;
	/* the record must be on disk before the journal says committed */
	rec = open_records(t);
	if (rec < 0)
		return -1;
	rec_path = xasprintf("%s/%s/%s", t->prefix, RECORD_DIR, p->name);
	fd = openat(rec, p->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fsync_fd(fd, rec_path) < 0 || fsync_fd(rec, rec_path) < 0) {
		if (fd < 0)
			fail_errno("cannot open '%s'", rec_path);
		if (fd >= 0)
			close(fd);
		close(rec);
		free(rec_path);
		return -1;
	}
	close(fd);
	close(rec);
	free(rec_path);
	return 0;
}

static int apply_uninstall(struct txn *t)
{
	struct plan *p = &t->plan;
	int rec;

	if (set_aside_olds(t, "cannot remove '%s/%s': %s") < 0)
		return -1;
	rec = open_records(t);
	if (rec < 0)
		return -1;
	step();
	if (renameat(rec, p->name, t->txn, "record.old") < 0) {
		failp("cannot remove the record of '%s': %s", p->name, strerror(errno), NULL);
		close(rec);
		return -1;
	}
	close(rec);
	return 0;
}

/*
 * Runs a planned transaction from the journal on: apply, commit, finish.
 * On an error before the commit point everything is rolled back.
 */
static int run(struct txn *t, const struct record *new_rec)
{
	int r = begin(t);

	if (r == -1)
		return -1;
	if (r == 0)
		r = t->plan.uninstall ? apply_uninstall(t) : apply_install(t, new_rec);
	if (r == 0) {
		t->plan.committed = 1;
		r = write_journal(t);
		if (r < 0)
			t->plan.committed = 0;
	}
	if (r < 0) {
		char *msg = xstrdup(last_error());

		if (rollback(t) < 0) {
			char *why = xstrdup(last_error());

			fail("%s; undoing it failed too: %s (the next cenv command tries again)", msg, why);
			free(why);
		} else {
			fail("%s", msg);
		}
		free(msg);
		return -1;
	}
	/* committed: what remains is cleanup, which recovery finishes if it cannot */
	finish(t);
	return 0;
}

static int refuse_pending(struct txn *t)
{
	if (journal_exists(t))
		return fail("an interrupted change is pending in '%s' (recover it first)", t->state_path);
	return 0;
}

int txn_commit(const char *prefix, const char *stage_root, const struct record *new_rec,
	       const struct record *old_rec)
{
	struct txn t;
	struct index ix = { 0 };
	struct stat st;
	int ret = -1, rec;

	hook_start();
	if (txn_open(&t, prefix, 0) < 0)
		goto out;
	if (check_name(new_rec->name) < 0 || refuse_pending(&t) < 0 || check_new_paths(new_rec) < 0)
		goto out;
	if (old_rec && strcmp(old_rec->name, new_rec->name)) {
		failp("cannot replace package '%s' with '%s'", old_rec->name, new_rec->name, NULL);
		goto out;
	}
	t.stage = open(stage_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.stage < 0) {
		fail_errno("cannot open the staging tree '%s'", stage_root);
		goto out;
	}
	t.plan.name = xstrdup(new_rec->name);
	rec = open_records(&t);
	if (rec < 0 && errno != ENOENT)
		goto out;
	if (rec >= 0) {
		t.plan.had_record = fstatat(rec, new_rec->name, &st, AT_SYMLINK_NOFOLLOW) == 0;
		close(rec);
	}
	if (t.plan.had_record && !old_rec) {
		failp("package '%s' is already installed", new_rec->name, NULL, NULL);
		goto out;
	}
	if (index_load(prefix, new_rec->name, &ix) < 0)
		goto out;
	if (old_rec && plan_olds(&t, old_rec, &ix) < 0)
		goto out;
	if (plan_mkdirs(&t, new_rec, &ix) < 0 || plan_news(&t, new_rec, &ix) < 0)
		goto out;
	if (old_rec)
		plan_prunes(&t.plan, old_rec);
	ret = run(&t, new_rec);
out:
	index_release(&ix);
	txn_close(&t);
	return ret;
}

int txn_uninstall(const char *prefix, const struct record *rec)
{
	struct txn t;
	struct index ix = { 0 };
	struct stat st;
	int ret = -1, fd;

	hook_start();
	if (txn_open(&t, prefix, 0) < 0)
		goto out;
	if (check_name(rec->name) < 0 || refuse_pending(&t) < 0)
		goto out;
	fd = open_records(&t);
	if (fd < 0 && errno != ENOENT)
		goto out;
	if (fd < 0 || fstatat(fd, rec->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (fd >= 0)
			close(fd);
		failp("package '%s' is not installed", rec->name, NULL, NULL);
		goto out;
	}
	close(fd);
	t.plan.uninstall = 1;
	t.plan.had_record = 1;
	t.plan.name = xstrdup(rec->name);
	if (index_load(prefix, rec->name, &ix) < 0 || plan_olds(&t, rec, &ix) < 0)
		goto out;
	plan_prunes(&t.plan, rec);
	ret = run(&t, NULL);
out:
	index_release(&ix);
	txn_close(&t);
	return ret;
}

/* Removes DIR/var/cenv/NAME and all it holds, if it is there. */
static int remove_state_dir(struct txn *t, const char *name)
{
	char *path = path_join(t->state_path, name);
	struct stat st;
	int ret = 0;

	if (fstatat(t->state, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		step();
		ret = remove_tree(path);
	}
	free(path);
	return ret;
}

int txn_recover(const char *prefix)
{
	struct txn t;
	char *journal = NULL, *text = NULL;
	size_t len;
	int ret = -1, r;

	hook_start();
	r = txn_open(&t, prefix, 1);
	if (r != 0) {
		ret = r == 1 ? 0 : -1; /* no state directory: nothing was ever installed */
		goto out;
	}
	journal = path_join(t.state_path, JOURNAL);
	if (journal_exists(&t)) {
		if (read_file(journal, &text, &len) < 0 || plan_parse(text, len, journal, &t.plan) < 0)
			goto out;
		if (t.plan.committed) {
			if (finish(&t) < 0)
				goto out;
			ret = 0;
		} else {
			if (rollback(&t) < 0) {
				char *msg = xstrdup(last_error());

				fail("cannot roll back the interrupted change of '%s': %s", t.plan.name, msg);
				free(msg);
				goto out;
			}
			ret = 1;
		}
	} else {
		/* a journal never written, or its end already done: the rest is leftovers */
		ret = 0;
		if (remove_state_dir(&t, TXN_DIR) < 0 || clean_record_temps(&t) < 0)
			ret = -1;
	}
	/* staging trees of installs that never finished (install.c removes work/ when done) */
	if (ret >= 0 && remove_state_dir(&t, WORK_DIR) < 0)
		ret = -1;
out:
	free(journal);
	free(text);
	txn_close(&t);
	return ret;
}
