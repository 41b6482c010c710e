/* cmd-run.c - `cenv run`: run a command with the environment active, without a shell. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "cenv.h"
#include "setup.h"

extern char **environ;

static int cmd_run(struct invocation *inv);

enum { OPT_ENV };
static const struct option_spec run_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "[-e DIR] [--] CMD [ARG...]",
	.summary = "run CMD with the environment active (no shell involved)",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n"
		"\nThe exit status is CMD's; 127 when CMD is not found, 126 when it cannot run.\n",
	.options = run_options,
	.min_operands = 1,
	.max_operands = -1,
	.missing = "missing CMD",
	.flags = CMD_ENV | CMD_STOP_AT_OPERAND,
	.exec = cmd_run,
};

/* Returns only when CMD cannot run: 127 when it is not found, else 126. */
static int cmd_run(struct invocation *inv)
{
	struct activation act;
	char **cmd = inv->operands;
	int saved;

	activation_init(&act, &inv->cfg);
	/* execvp searches the PATH of environ: the environment's bin/ comes first */
	environ = activated_environ(&act);
	activation_release(&act);
	signal(SIGPIPE, SIG_DFL);
	fflush(NULL);
	execvp(cmd[0], cmd);
	saved = errno;
	fprintf(stderr, "cenv: cannot run '%s': %s\n", cmd[0], strerror(saved));
	return saved == ENOENT ? 127 : 126;
}
