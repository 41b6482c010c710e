/* cmd-uninstall.c - `cenv uninstall`: remove installed packages, exactly the files they recorded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "lock.h"
#include "record.h"
#include "txn.h"
#include "util.h"

static int cmd_uninstall(int argc, char **argv);

const struct cmd_entry cmd_uninstall_entry = {
	"uninstall",
	"[-e DIR] [--force] NAME...",
	"remove installed packages and the directories they leave empty",
	"  -e, --env DIR   the environment (default: $CENV)\n"
	"  --force         remove even packages that others depend on\n",
	cmd_uninstall,
};

enum { OPT_ENV, OPT_FORCE };
static const struct option_spec uninstall_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	[OPT_FORCE] = { "force", 0, 0 },
	{ NULL, 0, 0 },
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

/* Refuses, before anything is removed, a package that a package staying installed needs. */
static int check_dependents(const char *prefix, char *const *names, int n)
{
	char **installed;
	size_t count, i;
	int ret = 0;

	if (record_names(prefix, &installed, &count) < 0)
		return -1;
	for (i = 0; i < count && ret == 0; i++) {
		struct record r;
		int k;

		if (in_list(names, n, installed[i]))
			continue;
		if (record_load(prefix, installed[i], &r) < 0) {
			ret = -1;
			break;
		}
		for (k = 0; k < n && ret == 0; k++)
			if (depends_on(r.depends, names[k]))
				ret = fail("cannot uninstall '%s': '%s' depends on it (--force removes it anyway)",
					   names[k], installed[i]);
		record_release(&r);
	}
	record_names_free(installed, count);
	return ret;
}

static int uninstall(const char *dir, char *const *names, int n, int force)
{
	struct env_config cfg;
	struct record *recs = xmalloc((size_t)n * sizeof(*recs));
	int lock = -1, loaded = 0, i, ret = -1;

	if (env_locate(dir, &cfg) < 0) {
		free(recs);
		return -1;
	}
	lock = env_lock(cfg.prefix);
	if (lock < 0 || recover(cfg.prefix) < 0)
		goto out;
	for (loaded = 0; loaded < n; loaded++) {
		if (in_list(names, loaded, names[loaded])) {
			fail("'%s' is named twice", names[loaded]);
			goto out;
		}
		if (record_load(cfg.prefix, names[loaded], &recs[loaded]) < 0) {
			if (errno == ENOENT)
				fail("'%s' is not installed in %s", names[loaded], cfg.prefix);
			goto out;
		}
	}
	if (!force && check_dependents(cfg.prefix, names, n) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (txn_uninstall(cfg.prefix, &recs[i]) < 0)
			goto out;
		printf("%s: uninstalled (%zu files)\n", names[i], recs[i].nfiles);
	}
	ret = 0;
out:
	for (i = 0; i < loaded; i++)
		record_release(&recs[i]);
	free(recs);
	if (lock >= 0)
		env_unlock(lock);
	config_release(&cfg);
	return ret;
}

static int cmd_uninstall(int argc, char **argv)
{
	struct option_state st;
	const char *value, *dir = NULL;
	int opt, force = 0, status;

	options_init(&st, argc, 0);
	while ((opt = next_option(&cmd_uninstall_entry, uninstall_options, argc, argv, &st, &value)) >= 0) {
		if (opt == OPT_ENV)
			dir = value;
		else
			force = 1;
	}
	if (opt == OPT_HELP) {
		cmd_print_help(&cmd_uninstall_entry);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	} else if (!st.noperands) {
		status = cmd_usage_error(&cmd_uninstall_entry, "missing NAME");
	} else if (uninstall(dir, st.operands, st.noperands, force) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
	options_release(&st);
	return status;
}
