/* cmd-env.c - `cenv env`: print the statements activation performs, for eval and direnv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "cenv.h"
#include "error.h"
#include "quote.h"
#include "setup.h"

static int cmd_env(struct invocation *inv);

static int check_shell(const char *name)
{
	enum shell sh;

	return shell_from_name(name, &sh);
}

enum { OPT_ENV, OPT_SHELL };
static const struct option_spec env_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_SHELL] = { "shell", 0, 1, check_shell },
	{ NULL, 0, 0, NULL },
};

/* Not CMD_LOCK: it reads only cenv.cfg, which is replaced atomically. */
const struct cmd_entry cmd_env_entry = {
	.name = "env",
	.usage = "[-e DIR] [--shell sh|fish|csh]",
	.summary = "print the variables activation sets, for eval \"$(cenv env)\" and direnv",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n"
		"  --shell SHELL   sh (also bash, zsh, dash, ksh), fish, or csh (tcsh); default sh\n",
	.options = env_options,
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected operand '%s'",
	.flags = CMD_ENV,
	.exec = cmd_env,
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

static int print_env(const struct env_config *cfg, enum shell sh)
{
	struct activation act;
	char **env;
	size_t i;
	int ret = -1;

	activation_init(&act, cfg);
	env = activated_environ(&act);
	for (i = 0; i < act.nops; i++) {
		const char *value = lookup(env, act.ops[i].name);

		/* csh's eval runs history substitution again, on which no quoting holds */
		if (sh == SHELL_CSH && value && strchr(value, '!')) {
			fail("%s holds a '!', which csh's eval cannot take literally; source %s/bin/activate.csh instead",
			     act.ops[i].name, cfg->prefix);
			goto out;
		}
	}
	for (i = 0; i < act.nops; i++)
		print_statement(sh, act.ops[i].name, lookup(env, act.ops[i].name));
	ret = 0;
out:
	environ_free(env);
	activation_release(&act);
	return ret;
}

static int cmd_env(struct invocation *inv)
{
	enum shell sh = SHELL_SH;

	if (inv->opts[OPT_SHELL].value)
		shell_from_name(inv->opts[OPT_SHELL].value, &sh); /* checked as it was parsed */
	return print_env(&inv->cfg, sh) < 0 ? -1 : EXIT_OK;
}
