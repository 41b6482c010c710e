/* cenv.h - the command table: what a command declares, and what the dispatcher hands its exec. */
#ifndef CENV_CENV_H
#define CENV_CENV_H

#include <stdio.h>

#include "config.h"
#include "options.h"
#include "version.h"

/* Exit statuses shared by all commands. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* What the dispatcher does for a command before its exec (see main's dispatch). */
enum {
	CMD_ENV = 1 << 0,  /* locate the environment: its option "env" (-e DIR), else $CENV */
	CMD_LOCK = 1 << 1, /* with CMD_ENV: take its lock, then roll back an interrupted change;
	                      alone: stop signals are noted, and exec calls env_setup if it has one */
	CMD_READ = 1 << 2, /* with CMD_ENV: a shared lock, rolling back only if alone and able to; else read as is */
	CMD_STOP_AT_OPERAND = 1 << 3, /* the first operand ends the options (`cenv run CMD -x`) */
};

/* An option as given: how many times, and its last value (NULL for one that takes none). */
struct option_value {
	int given;
	const char *value;
};

/*
 * One run of a command, made and freed by the dispatcher; its exec reads it.
 * The strings point into argv.
 */
struct invocation {
	const struct cmd_entry *cmd;
	int argc; /* the arguments as typed: argv[0] is the command name */
	char **argv;
	struct option_value *opts; /* one per entry of cmd->options, by index */
	char **operands;           /* NULL-terminated */
	int noperands;
	struct env_config cfg; /* CMD_ENV: the located environment */
	int lock;              /* CMD_LOCK: its lock; CMD_READ: its lock or LOCK_BUSY; else -1 */
};

/* One subcommand: one file src/cmd-NAME.c exports one of these. */
struct cmd_entry {
	const char *name;
	const char *usage;   /* the synopsis after "cenv NAME" */
	const char *summary; /* one line for `cenv --help` */
	const char *help;    /* the options, for `cenv help NAME` */
	/* NULL: no options, every argument is an operand but --help or -h first */
	const struct option_spec *options;
	int min_operands, max_operands; /* max -1: no bound */
	const char *missing; /* the usage error for fewer than min_operands */
	const char *extra;   /* the usage error for more than max, a format given the first extra one */
	int flags;           /* CMD_* */
	/* NULL, or the command's own usage checks, after the operand counts: -1 with fail() */
	int (*check)(const struct invocation *inv);
	/* a status (stdout is then checked), or -1 with fail() to report */
	int (*exec)(struct invocation *inv);
};

extern const struct cmd_entry cmd_create_entry;
extern const struct cmd_entry cmd_env_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_install_entry;
extern const struct cmd_entry cmd_fetch_entry;
extern const struct cmd_entry cmd_add_entry;
extern const struct cmd_entry cmd_uninstall_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_freeze_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_cache_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_version_entry;

const struct cmd_entry *cmd_find(const char *name);
const struct cmd_entry *const *cmd_table(void);
/* Prints "cenv: MESSAGE" and "usage: cenv NAME USAGE" to stderr and returns EXIT_USAGE. */
int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_print_help(const struct cmd_entry *cmd);

/* The top-level usage, for `cenv --help`, `cenv help` and usage errors. */
void print_main_usage(FILE *out);

#endif
