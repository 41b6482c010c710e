/* options.c - the commands' option parser: exact long names only, cenv's own messages. */
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "options.h"
#include "util.h"

void options_init(struct option_state *st, int argc, int stop_at_operand)
{
	st->index = 1;
	st->stop_at_operand = stop_at_operand;
	st->operands = xmalloc(((size_t)argc + 1) * sizeof(char *));
	st->noperands = 0;
}

static void take_rest(struct option_state *st, int argc, char **argv)
{
	while (st->index < argc)
		st->operands[st->noperands++] = argv[st->index++];
	st->operands[st->noperands] = NULL;
}

int find_spec(const struct option_spec *specs, const char *name, size_t len, char letter)
{
	int i;

	for (i = 0; specs[i].name; i++) {
		if (letter ? specs[i].letter == letter
			   : strlen(specs[i].name) == len && !strncmp(specs[i].name, name, len))
			return i;
	}
	return -1;
}

int next_option(const struct cmd_entry *cmd, const struct option_spec *specs, int argc,
		char **argv, struct option_state *st, const char **value)
{
	for (;;) {
		const char *arg, *eq;
		int i;

		*value = NULL;
		if (st->index >= argc) {
			st->operands[st->noperands] = NULL;
			return OPT_END;
		}
		arg = argv[st->index];
		if (!strcmp(arg, "--")) {
			st->index++;
			take_rest(st, argc, argv);
			return OPT_END;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			if (st->stop_at_operand) {
				take_rest(st, argc, argv);
				return OPT_END;
			}
			st->operands[st->noperands++] = argv[st->index++];
			continue;
		}
		st->index++;
		if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
			return OPT_HELP;
		if (arg[1] == '-') {
			eq = strchr(arg + 2, '=');
			i = find_spec(specs, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2), 0);
			if (i < 0) {
				cmd_usage_error(cmd, "unknown option '%.*s'",
						eq ? (int)(eq - arg) : (int)strlen(arg), arg);
				return OPT_ERROR;
			}
			if (eq && !specs[i].has_value) {
				cmd_usage_error(cmd, "option '--%s' takes no value", specs[i].name);
				return OPT_ERROR;
			}
			if (eq)
				*value = eq + 1;
		} else {
			i = find_spec(specs, NULL, 0, arg[1]);
			if (i >= 0 && arg[2]) {
				if (specs[i].has_value)
					*value = arg + 2; /* -eDIR */
				else
					i = -1;
			}
			if (i < 0) {
				cmd_usage_error(cmd, "unknown option '%s'", arg);
				return OPT_ERROR;
			}
		}
		if (specs[i].has_value && !*value) {
			if (st->index >= argc) {
				cmd_usage_error(cmd, "option '%s' needs a value", arg);
				return OPT_ERROR;
			}
			*value = argv[st->index++];
		}
		return i;
	}
}

const char **option_all_values(const struct cmd_entry *cmd, int argc, char **argv, int opt)
{
	const char **values = xmalloc(((size_t)argc + 1) * sizeof(*values));
	struct option_state st;
	const char *value;
	size_t n = 0;
	int i;

	options_init(&st, argc, !!(cmd->flags & CMD_STOP_AT_OPERAND));
	while ((i = next_option(cmd, cmd->options, argc, argv, &st, &value)) >= 0)
		if (i == opt && value)
			values[n++] = value;
	values[n] = NULL;
	free(st.operands);
	return values;
}
