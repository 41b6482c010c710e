/* options.h - the hand-written option parser of the commands: long and short options, no abbreviations. */
#ifndef CENV_OPTIONS_H
#define CENV_OPTIONS_H

#include <stddef.h>

/*
 * One option of a command: long name, optional short letter, whether it takes
 * a value.  check, when set, judges the value as it is parsed: -1 with fail()
 * makes a usage error of its message (`cenv env --shell pwsh`).
 */
struct option_spec {
	const char *name;
	char letter;
	int has_value;
	int (*check)(const char *value);
};

/*
 * Walks argv[1..] like getopt, for long (--name, --name=value) and short
 * (-x, -x value) options.  Returns the index of the option in specs and sets
 * *value; OPT_END at the end, OPT_HELP for --help, or OPT_ERROR after
 * printing an error and the usage.  Operands are collected in st->operands
 * (malloc'd by options_init: whoever takes them frees them; the dispatcher does).
 * With stop_at_operand, the first operand ends the options (for `cenv run CMD
 * -x`); otherwise options and operands may mix.  "--" always ends the options.
 */
enum { OPT_END = -1, OPT_HELP = -2, OPT_ERROR = -3 };
struct option_state {
	int index;
	int stop_at_operand;
	char **operands;
	int noperands;
};
struct cmd_entry;
void options_init(struct option_state *st, int argc, int stop_at_operand);
int next_option(const struct cmd_entry *cmd, const struct option_spec *specs, int argc,
		char **argv, struct option_state *st, const char **value);

/*
 * Every value of a repeatable option (`--mirror A --mirror B`), in the order given: the
 * dispatcher keeps only the last in struct option_value, so this walks argv (already
 * parsed without error) again for option opt of cmd->options.  A NULL-terminated array of
 * pointers into argv; the caller frees the array.
 */
const char **option_all_values(const struct cmd_entry *cmd, int argc, char **argv, int opt);

/* The index in specs of the option with the long name (len bytes of) name, or letter when not 0; -1 if none. */
int find_spec(const struct option_spec *specs, const char *name, size_t len, char letter);

#endif
