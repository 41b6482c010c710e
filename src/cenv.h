/* cenv.h - the command table, the shared option parser and what every command needs. */
#ifndef CENV_CENV_H
#define CENV_CENV_H

#include <stddef.h>

#include "config.h"
#include "version.h"

/* Exit statuses shared by all commands. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* One subcommand: one file src/cmd-NAME.c exports one of these. */
struct cmd_entry {
	const char *name;
	const char *usage;   /* the synopsis after "cenv NAME" */
	const char *summary; /* one line for `cenv --help` */
	const char *help;    /* the options, for `cenv help NAME` */
	int (*exec)(int argc, char **argv); /* argv[0] is the command name */
};

extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_env_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_install_entry;
extern const struct cmd_entry cmd_uninstall_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_freeze_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_version_entry;

const struct cmd_entry *cmd_find(const char *name);
const struct cmd_entry *const *cmd_table(void);
/* Prints "usage: cenv NAME USAGE" to stderr and returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *cmd);

/* A command's options: long name, optional short letter, whether it takes a value. */
struct option_spec {
	const char *name;
	char letter;
	int has_value;
};

/*
 * Walks argv[1..] like getopt, for long (--name, --name=value) and short
 * (-x, -x value) options.  Returns the index of the option in specs and sets
 * *value; OPT_END at the end, OPT_HELP for --help, or OPT_ERROR after
 * printing an error and the usage.  Operands are collected in st->operands
 * (owned by st: free with options_release).  With stop_at_operand, the
 * first operand ends the options (for `cenv run CMD -x`); otherwise options
 * and operands may mix.  "--" always ends the options.
 */
enum { OPT_END = -1, OPT_HELP = -2, OPT_ERROR = -3 };
struct option_state {
	int index;
	int stop_at_operand;
	char **operands;
	int noperands;
};
void options_init(struct option_state *st, int argc, int stop_at_operand);
void options_release(struct option_state *st);
int next_option(const struct cmd_entry *cmd, const struct option_spec *specs, int argc,
		char **argv, struct option_state *st, const char **value);

/* Finds the environment: dir, else $CENV; reads its config.  -1 with fail(). */
int env_locate(const char *dir, struct env_config *cfg);

/*
 * The environment array a command gets with act active: another environment
 * that is active now ($CENV) is taken out first, as activation would.
 * Free with environ_free().
 */
struct activation;
char **activated_environ(const struct activation *act);

/* txn_recover(), saying so when it rolled something back; 0 or -1 with fail(). */
int recover(const char *prefix);

/*
 * Calls fn for each installed package of the environment (dir, else $CENV), in
 * name order, then once with NULL and the count.  Rolls back an interrupted
 * change first, under the lock, so what it shows is what is there.
 */
struct record;
typedef void (*record_fn)(const struct record *r, size_t index, void *data);
int for_each_record(const char *dir, record_fn fn, void *data);

/* The top-level usage, for `cenv --help`, `cenv help` and usage errors. */
#include <stdio.h>
void print_main_usage(FILE *out);

/* fflush and check stdout, so `cenv env > /dev/full` fails visibly. */
int finish_stdout(int status);

#endif
