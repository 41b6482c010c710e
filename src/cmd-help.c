/* cmd-help.c - `cenv help [CMD]`: the usage of cenv or of one command. */
#include <stdio.h>

#include "cenv.h"
#include "error.h"

static int check_help(const struct invocation *inv);
static int cmd_help(struct invocation *inv);

/* No options: `cenv help --foo` asks about a command named --foo. */
const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "[CMD]",
	.summary = "show the usage of cenv or of one command",
	.help = "",
	.min_operands = 0,
	.max_operands = 1,
	.extra = "too many operands",
	.check = check_help,
	.exec = cmd_help,
};

static int check_help(const struct invocation *inv)
{
	if (inv->noperands && !cmd_find(inv->operands[0]))
		return fail("unknown command '%s'", inv->operands[0]);
	return 0;
}

static int cmd_help(struct invocation *inv)
{
	if (inv->noperands)
		cmd_print_help(cmd_find(inv->operands[0]));
	else
		print_main_usage(stdout);
	return EXIT_OK;
}
