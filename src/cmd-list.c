/* cmd-list.c - `cenv list` and `cenv freeze`: what is installed, for people and for manifests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "lock.h"
#include "record.h"
#include "txn.h"
#include "util.h"

static int cmd_list(int argc, char **argv);
static int cmd_freeze(int argc, char **argv);

const struct cmd_entry cmd_list_entry = {
	"list",
	"[-e DIR] [--json]",
	"show the installed packages: name, version, build system, files, size",
	"  -e, --env DIR   the environment (default: $CENV)\n"
	"  --json          one JSON array of objects instead of a table\n",
	cmd_list,
};

const struct cmd_entry cmd_freeze_entry = {
	"freeze",
	"[-e DIR]",
	"print a manifest (cenv.ini) that reinstalls exactly what is installed",
	"  -e, --env DIR   the environment (default: $CENV)\n",
	cmd_freeze,
};

enum { OPT_ENV, OPT_JSON };
static const struct option_spec list_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	[OPT_JSON] = { "json", 0, 0 },
	{ NULL, 0, 0 },
};
static const struct option_spec freeze_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	{ NULL, 0, 0 },
};

typedef void (*record_fn)(const struct record *r, size_t index, void *data);

/* Calls fn for each installed package, in name order. */
static int each_record(const char *dir, record_fn fn, void *data)
{
	struct env_config cfg;
	char **names;
	size_t n, i;
	int lock, ret = 0;

	if (env_locate(dir, &cfg) < 0)
		return -1;
	/* an interrupted change is rolled back first, so what is listed is what is there */
	lock = env_lock(cfg.prefix);
	if (lock < 0 || txn_recover(cfg.prefix) < 0 || record_names(cfg.prefix, &names, &n) < 0) {
		if (lock >= 0)
			env_unlock(lock);
		config_release(&cfg);
		return -1;
	}
	for (i = 0; i < n && ret == 0; i++) {
		struct record r;

		ret = record_load(cfg.prefix, names[i], &r);
		if (ret == 0) {
			fn(&r, i, data);
			record_release(&r);
		}
	}
	if (ret == 0)
		fn(NULL, n, data); /* the end */
	record_names_free(names, n);
	env_unlock(lock);
	config_release(&cfg);
	return ret;
}

static long long total_size(const struct record *r)
{
	long long bytes = 0;
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		bytes += r->files[i].size;
	return bytes;
}

static void print_row(const struct record *r, size_t index, void *data)
{
	(void)data;
	if (!r) {
		if (index == 0)
			printf("no packages installed\n");
		return;
	}
	if (index == 0)
		printf("%-20s %-12s %-10s %7s %10s\n", "NAME", "VERSION", "BUILD", "FILES", "SIZE");
	printf("%-20s %-12s %-10s %7zu %10lld\n", r->name, r->version ? r->version : "-",
	       r->build ? r->build : "-", r->nfiles, total_size(r));
}

static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct record *r, size_t index, void *data)
{
	(void)data;
	if (!r) {
		printf(index ? "\n]\n" : "[]\n");
		return;
	}
	fputs(index ? ",\n  {" : "[\n  {", stdout);
	fputs("\"name\": ", stdout);
	json_string(r->name);
	fputs(", \"version\": ", stdout);
	json_string(r->version);
	fputs(", \"build\": ", stdout);
	json_string(r->build);
	fputs(", \"url\": ", stdout);
	json_string(r->url);
	fputs(", \"sha256\": ", stdout);
	json_string(r->sha256);
	printf(", \"files\": %zu, \"bytes\": %lld}", r->nfiles, total_size(r));
}

static void print_key(const char *key, const char *value)
{
	if (value && *value)
		printf("%s = %s\n", key, value);
}

static void print_section(const struct record *r, size_t index, void *data)
{
	(void)data;
	if (!r)
		return;
	if (index == 0)
		printf("; written by 'cenv freeze': reinstalls exactly what is installed\n");
	printf("\n[%s]\n", r->name);
	print_key("version", r->version);
	print_key("url", r->url);
	print_key("sha256", r->sha256);
	print_key("build", r->build);
	print_key("args", r->args);
	print_key("subdir", r->subdir);
	print_key("depends", r->depends);
}

static int cmd_list(int argc, char **argv)
{
	struct option_state st;
	const char *value, *dir = NULL;
	int opt, json = 0, status;

	options_init(&st, argc, 0);
	while ((opt = next_option(&cmd_list_entry, list_options, argc, argv, &st, &value)) >= 0) {
		if (opt == OPT_ENV)
			dir = value;
		else
			json = 1;
	}
	if (opt == OPT_HELP) {
		cmd_print_help(&cmd_list_entry);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	} else if (st.noperands) {
		status = cmd_usage_error(&cmd_list_entry, "unexpected operand '%s'", st.operands[0]);
	} else if (each_record(dir, json ? print_json : print_row, NULL) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
	options_release(&st);
	return status;
}

static int cmd_freeze(int argc, char **argv)
{
	struct option_state st;
	const char *value, *dir = NULL;
	int opt, status;

	options_init(&st, argc, 0);
	while ((opt = next_option(&cmd_freeze_entry, freeze_options, argc, argv, &st, &value)) >= 0)
		dir = value;
	if (opt == OPT_HELP) {
		cmd_print_help(&cmd_freeze_entry);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	} else if (st.noperands) {
		status = cmd_usage_error(&cmd_freeze_entry, "unexpected operand '%s'", st.operands[0]);
	} else if (each_record(dir, print_section, NULL) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
	options_release(&st);
	return status;
}
