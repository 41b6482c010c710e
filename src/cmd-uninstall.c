/* cmd-uninstall.c - `cenv uninstall`: remove installed packages, exactly the files they recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "record.h"
#include "report.h"
#include "setup.h"
#include "strvec.h"
#include "toollogs.h"
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
static int depends_on(const char *depends, const char *name)
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

/* The packages being removed, and for each the packages staying that need it (name order). */
struct removal {
	char *const *names;
	int n;
	struct strvec *needed_by;
};

/* Notes the packages that stay installed and need one of those being removed. */
static int note_needed(const struct record *r, size_t index, void *data)
{
	const struct removal *rm = data;
	int k;

	(void)index;
	if (!r || in_list(rm->names, rm->n, r->name))
		return 0;
	for (k = 0; k < rm->n; k++)
		if (depends_on(r->depends, rm->names[k]))
			strvec_push(&rm->needed_by[k], r->name);
	return 0;
}

/*
 * Up to NEEDED_SHOWN names in full: "curl", "curl and libpng", "a, b, c and d"; more are cut
 * to the first NEEDED_SHOWN - 1 and a count: "curl, libpng, libxml2 and 5 more".
 */
#define NEEDED_SHOWN 4
static void add_names(struct strbuf *sb, const struct strvec *v)
{
	size_t shown = v->n <= NEEDED_SHOWN ? v->n : NEEDED_SHOWN - 1, i;

	for (i = 0; i < shown; i++) {
		if (i)
			sb_adds(sb, i + 1 == v->n ? " and " : ", ");
		sb_adds(sb, v->v[i]);
	}
	if (shown < v->n)
		sb_addf(sb, " and %zu more", v->n - shown);
}

/*
 * Refuses, before anything is removed, packages that packages staying installed need:
 * "cannot uninstall 'zlib': needed by curl, libpng, libxml2 and 5 more", each such name
 * in the order given, so that one look shows everything that stands in the way.
 */
static int refuse_needed(const char *prefix, char *const *names, int n)
{
	struct removal rm = { names, n, xmalloc((size_t)n * sizeof(struct strvec)) };
	struct strbuf sb = STRBUF_INIT;
	int k, refused = 0, ret;

	for (k = 0; k < n; k++)
		strvec_init(&rm.needed_by[k]);
	ret = for_each_record(prefix, note_needed, &rm);
	for (k = 0; k < n; k++) {
		if (ret == 0 && rm.needed_by[k].n) {
			sb_addf(&sb, "%s'%s': needed by ", refused++ ? "; " : "cannot uninstall ", names[k]);
			add_names(&sb, &rm.needed_by[k]);
		}
		strvec_release(&rm.needed_by[k]);
	}
	free(rm.needed_by);
	if (refused)
		ret = fail("%s (--force removes %s anyway)", sb_str(&sb), refused == 1 ? "it" : "them");
	sb_release(&sb);
	return ret;
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
	if (!force && refuse_needed(prefix, names, n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		size_t nf = recs[i].nfiles;

		if (txn_uninstall(prefix, &recs[i]) < 0)
			goto out;
		/* a failed build's tool logs (var/cenv/logs/NAME.d) would outlive the package */
		if (toollogs_forget(prefix, names[i]) < 0)
			report();
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
