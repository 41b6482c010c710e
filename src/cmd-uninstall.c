/* cmd-uninstall.c - `cenv uninstall`: remove installed packages, exactly the files they recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "record.h"
#include "setup.h"
#include "txn.h"
#include "util.h"

static int cmd_uninstall(struct invocation *inv);

enum { OPT_ENV, OPT_FORCE };
static const struct option_spec uninstall_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_FORCE] = { "force", 0, 0, NULL },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_uninstall_entry = {
	.name = "uninstall",
	.usage = "[-e DIR] [--force] NAME...",
	.summary = "remove installed packages and the directories they leave empty",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n"
		"  --force         remove even packages that others depend on, and damaged records\n"
		"                  (with the files they still name)\n",
	.options = uninstall_options,
	.min_operands = 1,
	.max_operands = -1,
	.missing = "missing NAME",
	.flags = CMD_ENV | CMD_LOCK,
	.exec = cmd_uninstall,
};

static int in_list(char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Whether a record's "depends" (names separated by commas and blanks) names name. */
int depends_on(const char *depends, const char *name)
{
	size_t len = strlen(name);
	const char *p = depends;

	while (p && *p) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n == len && !strncmp(p, name, n))
			return 1;
		p += n;
	}
	return 0;
}

/* The packages being removed, for refuse_needed. */
struct removal {
	char *const *names;
	int n;
};

/* Refuses, before anything is removed, a package that a package staying installed needs. */
static int refuse_needed(const struct record *r, size_t index, void *data)
{
	const struct removal *rm = data;
	int k;

	(void)index;
	if (!r || in_list(rm->names, rm->n, r->name))
		return 0;
	for (k = 0; k < rm->n; k++)
		if (depends_on(r->depends, rm->names[k]))
			return fail("cannot uninstall '%s': '%s' depends on it (--force removes it anyway)",
				    rm->names[k], r->name);
	return 0;
}

/*
 * With --force, a damaged record is taken for what can still be read of it:
 * the files it names that are there (record_keep_present), removed with it
 * through the same journaled change as any uninstall.
 */
static int load(const char *prefix, const char *name, int force, struct record *r, int *damaged)
{
	*damaged = 0;
	if (record_load(prefix, name, r) == 0)
		return 0;
	if (errno == ENOENT)
		return fail("'%s' is not installed in %s", name, prefix);
	if (errno != EBADMSG || !force)
		return -1;
	*damaged = 1;
	if (record_load_damaged(prefix, name, r) < 0)
		return -1;
	return record_keep_present(prefix, r);
}

static int uninstall(const char *prefix, char *const *names, int n, int force)
{
	struct record *recs = xmalloc((size_t)n * sizeof(*recs));
	int *damaged = xmalloc((size_t)n * sizeof(*damaged));
	struct removal rm;
	int loaded, i, ret = -1;

	for (loaded = 0; loaded < n; loaded++) {
		if (in_list(names, loaded, names[loaded])) {
			fail("'%s' is named twice", names[loaded]);
			goto out;
		}
		if (load(prefix, names[loaded], force, &recs[loaded], &damaged[loaded]) < 0) {
			record_release(&recs[loaded]);
			goto out;
		}
	}
	rm.names = names;
	rm.n = n;
	if (!force && for_each_record(prefix, refuse_needed, &rm) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		size_t nf = recs[i].nfiles;

		if (txn_uninstall(prefix, &recs[i]) < 0)
			goto out;
		printf("%s: uninstalled (%s%zu file%s)\n", names[i],
		       damaged[i] ? "a damaged record and " : "", nf, nf == 1 ? "" : "s");
	}
	ret = 0;
out:
	for (i = 0; i < loaded; i++)
		record_release(&recs[i]);
	free(recs);
	free(damaged);
	return ret;
}

static int cmd_uninstall(struct invocation *inv)
{
	if (uninstall(inv->cfg.prefix, inv->operands, inv->noperands, inv->opts[OPT_FORCE].given > 0) < 0)
		return -1;
	return EXIT_OK;
}
