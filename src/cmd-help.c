/* cmd-help.c - `cenv help [CMD]`: the usage of cenv or of one command. */
#include <stdio.h>
#include <string.h>

#include "cenv.h"

static int cmd_help(int argc, char **argv);

const struct cmd_entry cmd_help_entry = {
	"help", "[CMD]", "show the usage of cenv or of one command", "", cmd_help,
};


static int cmd_help(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cmd_print_help(&cmd_help_entry);
		return finish_stdout(EXIT_OK);
	}
	if (argc > 2)
		return cmd_usage_error(&cmd_help_entry, "too many operands");
	if (argc == 2) {
		cmd = cmd_find(argv[1]);
		if (!cmd)
			return cmd_usage_error(&cmd_help_entry, "unknown command '%s'", argv[1]);
		cmd_print_help(cmd);
		return finish_stdout(EXIT_OK);
	}
	print_main_usage(stdout);
	return finish_stdout(EXIT_OK);
}
