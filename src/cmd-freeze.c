/* cmd-freeze.c - `cenv freeze`: a manifest that reinstalls exactly what is installed. */
#include <stdio.h>

#include "cenv.h"
#include "error.h"
#include "record.h"

static int cmd_freeze(int argc, char **argv);

const struct cmd_entry cmd_freeze_entry = {
	"freeze",
	"[-e DIR]",
	"print a manifest (cenv.ini) that reinstalls exactly what is installed",
	"  -e, --env DIR   the environment (default: $CENV)\n",
	cmd_freeze,
};

enum { OPT_ENV };
static const struct option_spec freeze_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	{ NULL, 0, 0 },
};

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
	} else if (for_each_record(dir, print_section, NULL) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
	options_release(&st);
	return status;
}
