/* cmd-version.c - `cenv version` (and `cenv --version`). */
#include <stdio.h>
#include <string.h>

#include "cenv.h"

static int cmd_version(int argc, char **argv);

const struct cmd_entry cmd_version_entry = {
	"version", "", "print cenv's version", "", cmd_version,
};

static int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cmd_print_help(&cmd_version_entry);
		return finish_stdout(EXIT_OK);
	}
	if (argc > 1)
		return cmd_usage_error(&cmd_version_entry, "unexpected argument '%s'", argv[1]);
	printf("cenv %s\n", CENV_VERSION);
	return finish_stdout(EXIT_OK);
}
