/* cmd-version.c - `cenv version` (and `cenv --version`). */
#include <stdio.h>

#include "cenv.h"

static int cmd_version(struct invocation *inv);

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.usage = "",
	.summary = "print cenv's version",
	.help = "",
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected argument '%s'",
	.exec = cmd_version,
};

static int cmd_version(struct invocation *inv)
{
	(void)inv;
	printf("cenv %s\n", CENV_VERSION);
	return EXIT_OK;
}
