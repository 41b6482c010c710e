/* cmd-list.c - `cenv list`: what is installed, as a table or as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "record.h"
#include "util.h"

static int cmd_list(int argc, char **argv);

const struct cmd_entry cmd_list_entry = {
	"list",
	"[-e DIR] [--json]",
	"show the installed packages: name, version, build system, files, size",
	"  -e, --env DIR   the environment (default: $CENV)\n"
	"  --json          one JSON array of objects instead of a table\n",
	cmd_list,
};

enum { OPT_ENV, OPT_JSON };
static const struct option_spec list_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	[OPT_JSON] = { "json", 0, 0 },
	{ NULL, 0, 0 },
};

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
	       r->build ? r->build : "-", r->nfiles, record_size(r));
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
	printf(", \"files\": %zu, \"bytes\": %lld}", r->nfiles, record_size(r));
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
	} else if (for_each_record(dir, json ? print_json : print_row, NULL) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
	options_release(&st);
	return status;
}
