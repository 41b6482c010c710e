/* journal.c - the plan of a change to an environment, written as a journal and read back. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fsat.h"
#include "journal.h"
#include "layout.h"
#include "readfile.h"
#include "record.h"
#include "util.h"

#define JOURNAL_MAGIC "cenv-journal 1"

/* ---- writing -------------------------------------------------------------- */

static void add_line(struct strbuf *sb, const char *key, const char *value)
{
	char *esc = record_escape(value, 1);

	sb_addf(sb, "%s %s\n", key, esc);
	free(esc);
}

char *journal_format(const struct plan *p)
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

/* ---- reading -------------------------------------------------------------- */

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
		     (layout_in_state(path) && !(records_ok && !strcmp(path, RECORD_DIR))))) {
		free(path);
		return NULL;
	}
	return path;
}

/* "rmdir MODE PATH"; arg is what follows the key, and is cut up. */
static int parse_rmdir(char *arg, struct plan *p)
{
	char *path = strchr(arg, ' '), *end;
	unsigned long mode;

	if (!path || *arg < '0' || *arg > '7')
		return -1;
	*path++ = '\0';
	mode = strtoul(arg, &end, 8);
	if (*end || mode > 07777)
		return -1;
	path = journal_path(path, 0);
	if (!path)
		return -1;
	p->rmdir_modes = xrealloc(p->rmdir_modes, (p->rmdirs.n + 1) * sizeof(*p->rmdir_modes));
	p->rmdir_modes[p->rmdirs.n] = (mode_t)mode;
	strvec_push_owned(&p->rmdirs, path);
	return 0;
}

/* "new DEV INO PATH"; *capnews is the room in p->news. */
static int parse_new(char *arg, struct plan *p, size_t *capnews)
{
	struct new_file nf = { NULL, 0, 0 };
	char *ino = strchr(arg, ' '), *path;

	if (!ino)
		return -1;
	*ino++ = '\0';
	path = strchr(ino, ' ');
	if (!path)
		return -1;
	*path++ = '\0';
	if (parse_ull(arg, &nf.dev) < 0 || parse_ull(ino, &nf.ino) < 0)
		return -1;
	nf.path = journal_path(path, 0);
	if (!nf.path)
		return -1;
	if (p->nnews == *capnews) {
		*capnews = *capnews ? *capnews * 2 : 16;
		p->news = xrealloc(p->news, *capnews * sizeof(*p->news));
	}
	p->news[p->nnews++] = nf;
	return 0;
}

int journal_parse(const char *text, size_t len, const char *file, struct plan *p)
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
			if (!record_name_ok(p->name))
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
			strvec_push_owned(line[0] == 'm' ? &p->mkdirs : line[0] == 'o' ? &p->olds : &p->prunes,
					  path);
		} else if (!strcmp(line, "rmdir")) {
			if (parse_rmdir(arg, p) < 0)
				goto bad;
		} else if (!strcmp(line, "new")) {
			if (parse_new(arg, p, &capnews) < 0)
				goto bad;
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

/* ---- the file --------------------------------------------------------------- */

int journal_exists(int state)
{
	struct stat st;

	return fstatat(state, JOURNAL_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int journal_write(int state, const char *state_path, int tmpdir, const char *tmp_name,
		  const struct plan *p, struct crash_hook *h)
{
	char *text = journal_format(p);
	int fd, ret = -1;

	crash_step(h);
	fd = openat(tmpdir, "journal.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail_errno("cannot write '%s/%s/journal.tmp'", state_path, tmp_name);
		goto out;
	}
	if (write_all(fd, text, strlen(text), -1) < 0) {
		fail_errno("cannot write '%s/%s/journal.tmp'", state_path, tmp_name);
		close(fd);
		goto out;
	}
	if (fsat_sync(fd, "journal.tmp") < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		fail_errno("cannot write '%s/%s/journal.tmp'", state_path, tmp_name);
		goto out;
	}
	if (close(fd) < 0) {
		fail_errno("cannot write '%s/%s/journal.tmp'", state_path, tmp_name);
		goto out;
	}
	crash_step(h);
	if (renameat(tmpdir, "journal.tmp", state, JOURNAL_FILE) < 0) {
		fail_errno("cannot write '%s/%s'", state_path, JOURNAL_FILE);
		goto out;
	}
	ret = 0;
	fsat_sync(state, state_path); /* the rename happened; a failed sync changes nothing now */
out:
	free(text);
	return ret;
}

int journal_remove(int state, const char *state_path, struct crash_hook *h)
{
	crash_step(h);
	if (unlinkat(state, JOURNAL_FILE, 0) < 0 && errno != ENOENT)
		return fail_errno("cannot remove '%s/%s'", state_path, JOURNAL_FILE);
	fsat_sync(state, state_path);
	return 0;
}

int journal_read(const char *path, struct plan *p)
{
	char *text = NULL;
	size_t len;
	int ret = -1;

	memset(p, 0, sizeof(*p));
	if (readfile(path, READFILE_CAP, READFILE_NOFOLLOW, &text, &len) == 0)
		ret = journal_parse(text, len, path, p);
	free(text);
	return ret;
}
