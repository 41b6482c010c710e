/* cmd-list.c - `cenv list`: what is installed, as a table or as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "record.h"
#include "report.h"
#include "setup.h"
#include "util.h"

static int cmd_list(struct invocation *inv);

enum { OPT_ENV, OPT_JSON };
static const struct option_spec list_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_JSON] = { "json", 0, 0, NULL },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "[-e DIR] [--json]",
	.summary = "show the installed packages: name, version, build system, files, size",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n"
		"  --json          one JSON array of objects instead of a table\n",
	.options = list_options,
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected operand '%s'",
	.flags = CMD_ENV | CMD_READ,
	.exec = cmd_list,
};

static int print_row(const struct record *r, size_t index, void *data)
{
	char size[SIZE_TEXT_MAX];

	(void)data;
	if (!r) {
		if (index == 0)
			printf("no packages installed\n");
		return 0;
	}
	if (index == 0)
		printf("%-20s %-12s %-10s %7s %10s\n", "NAME", "VERSION", "BUILD", "FILES", "SIZE");
	size_text(size, record_size(r)); /* as the install line said it; --json has the bytes */
	printf("%-20s %-12s %-10s %7zu %10s\n", r->name, r->version ? r->version : "-",
	       r->build ? r->build : "-", r->nfiles, size);
	return 0;
}

static int print_json(const struct record *r, size_t index, void *data)
{
	(void)data;
	if (!r) {
		printf(index ? "\n]\n" : "[]\n");
		return 0;
	}
	fputs(index ? ",\n  {" : "[\n  {", stdout);
	fputs("\"name\": ", stdout);
	print_json_string(r->name);
	fputs(", \"version\": ", stdout);
	print_json_string(r->version);
	fputs(", \"build\": ", stdout);
	print_json_string(r->build);
	fputs(", \"url\": ", stdout);
	print_json_string(r->url);
	fputs(", \"sha256\": ", stdout);
	print_json_string(r->sha256);
	printf(", \"files\": %zu, \"bytes\": %lld}", r->nfiles, record_size(r));
	return 0;
}

static int cmd_list(struct invocation *inv)
{
	record_fn fn = inv->opts[OPT_JSON].given ? print_json : print_row;

	return for_each_record(inv->cfg.prefix, fn, NULL) < 0 ? -1 : EXIT_OK;
}
