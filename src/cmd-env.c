/* cmd-env.c - `cenv env`: print the statements activation performs, for eval and direnv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "cenv.h"
#include "error.h"
#include "quote.h"

static int cmd_env(int argc, char **argv);

const struct cmd_entry cmd_env_entry = {
	"env",
	"[-e DIR] [--shell sh|fish|csh]",
	"print the variables activation sets, for eval \"$(cenv env)\" and direnv",
	"  -e, --env DIR   the environment (default: $CENV)\n"
	"  --shell SHELL   sh (also bash, zsh, dash, ksh), fish, or csh (tcsh); default sh\n",
	cmd_env,
};

enum { OPT_ENV, OPT_SHELL };
static const struct option_spec env_options[] = {
	[OPT_ENV] = { "env", 'e', 1 },
	[OPT_SHELL] = { "shell", 0, 1 },
	{ NULL, 0, 0 },
};

static const char *lookup(char **env, const char *name)
{
	size_t len = strlen(name);

	for (; *env; env++)
		if (!strncmp(*env, name, len) && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static void print_statement(enum shell sh, const char *name, const char *value)
{
	static const char *const set_fmt[] = { "export %s=", "set -gx %s ", "setenv %s " };
	static const char *const unset_fmt[] = { "unset %s;\n", "set -e %s;\n", "unsetenv %s;\n" };
	struct strbuf sb = STRBUF_INIT;

	if (!value) {
		printf(unset_fmt[sh], name);
		return;
	}
	sb_addf(&sb, set_fmt[sh], name);
	quote_for(sh, &sb, value);
	printf("%s;\n", sb_str(&sb));
	sb_release(&sb);
}

static int print_env(const char *dir, enum shell sh)
{
	struct env_config cfg;
	struct activation act;
	char **env;
	size_t i;
	int ret = -1;

	if (env_locate(dir, &cfg) < 0)
		return -1;
	activation_init(&act, &cfg);
	env = activated_environ(&act);
	for (i = 0; i < act.nops; i++) {
		const char *value = lookup(env, act.ops[i].name);

		/* csh's eval runs history substitution again, on which no quoting holds */
		if (sh == SHELL_CSH && value && strchr(value, '!')) {
			fail("%s holds a '!', which csh's eval cannot take literally; source %s/bin/activate.csh instead",
			     act.ops[i].name, cfg.prefix);
			goto out;
		}
	}
	for (i = 0; i < act.nops; i++)
		print_statement(sh, act.ops[i].name, lookup(env, act.ops[i].name));
	ret = 0;
out:
	environ_free(env);
	activation_release(&act);
	config_release(&cfg);
	return ret;
}

static int cmd_env(int argc, char **argv)
{
	struct option_state st;
	const char *value, *dir = NULL;
	enum shell sh = SHELL_SH;
	int opt, status = EXIT_OK;

	options_init(&st, argc, 0);
	while ((opt = next_option(&cmd_env_entry, env_options, argc, argv, &st, &value)) >= 0) {
		if (opt == OPT_ENV) {
			dir = value;
		} else if (shell_from_name(value, &sh) < 0) {
			status = cmd_usage_error(&cmd_env_entry, "%s", last_error());
			goto out;
		}
	}
	if (opt == OPT_HELP) {
		cmd_print_help(&cmd_env_entry);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	} else if (st.noperands) {
		status = cmd_usage_error(&cmd_env_entry, "unexpected operand '%s'", st.operands[0]);
	} else if (print_env(dir, sh) < 0) {
		status = report();
	} else {
		status = finish_stdout(EXIT_OK);
	}
out:
	options_release(&st);
	return status;
}
