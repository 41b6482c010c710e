/* cmd-run.c - `cenv run`: run a command with the environment active, without a shell. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "cenv.h"
#include "error.h"

extern char **environ;

static int cmd_run(int argc, char **argv);

const struct cmd_entry cmd_run_entry = {
	"run",
	"[-e DIR] [--] CMD [ARG...]",
	"run CMD with the environment active (no shell involved)",
	"  -e, --env DIR   the environment (default: $CENV)\n"
	"\nThe exit status is CMD's; 127 when CMD is not found, 126 when it cannot run.\n",
	cmd_run,
};

enum { OPT_ENV };
static const struct option_spec run_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	{ NULL, 0, 0 },
};

static int run(const char *dir, char **cmd)
{
	struct env_config cfg;
	struct activation act;
	char **env;
	int saved;

	if (env_locate(dir, &cfg) < 0)
		return report();
	activation_init(&act, &cfg);
	env = activated_environ(&act);
	activation_release(&act);
	config_release(&cfg);
	/* execvp searches the PATH of environ: the environment's bin/ comes first */
	environ = env;
	signal(SIGPIPE, SIG_DFL);
	fflush(NULL);
	execvp(cmd[0], cmd);
	saved = errno;
	fprintf(stderr, "cenv: cannot run '%s': %s\n", cmd[0], strerror(saved));
	return saved == ENOENT ? 127 : 126;
}

static int cmd_run(int argc, char **argv)
{
	struct option_state st;
	const char *value, *dir = NULL;
	int opt, status;

	options_init(&st, argc, 1);
	while ((opt = next_option(&cmd_run_entry, run_options, argc, argv, &st, &value)) >= 0)
		dir = value;
	if (opt == OPT_HELP) {
		cmd_print_help(&cmd_run_entry);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	} else if (!st.noperands) {
		status = cmd_usage_error(&cmd_run_entry, "missing CMD");
	} else {
		status = run(dir, st.operands);
	}
	options_release(&st);
	return status;
}
