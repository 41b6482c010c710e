/* cenv.c - main(): the command table and the dispatcher, which does what every command needs. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cenv.h"
#include "error.h"
#include "interrupt.h"
#include "lock.h"
#include "options.h"
#include "report.h"
#include "setup.h"
#include "util.h"

static const struct cmd_entry *const commands[] = {
	&cmd_create_entry,
	&cmd_env_entry,
	&cmd_run_entry,
	&cmd_install_entry,
	&cmd_fetch_entry,
	&cmd_add_entry,
	&cmd_uninstall_entry,
	&cmd_list_entry,
	&cmd_freeze_entry,
	&cmd_check_entry,
	&cmd_cache_entry,
	&cmd_help_entry,
	&cmd_version_entry,
	NULL,
};

const struct cmd_entry *const *cmd_table(void)
{
	return commands;
}

const struct cmd_entry *cmd_find(const char *name)
{
	const struct cmd_entry *const *c;

	for (c = commands; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

int cmd_usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("cenv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: cenv %s%s%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage);
	return EXIT_USAGE;
}

void cmd_print_help(const struct cmd_entry *cmd)
{
	printf("usage: cenv %s%s%s\n\n%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage, cmd->summary);
	if (cmd->help && *cmd->help)
		printf("\n%s", cmd->help);
}

void print_main_usage(FILE *out)
{
	const struct cmd_entry *const *c;

	fputs("usage: cenv [--version] [--help] COMMAND [ARGS]\n\n"
	      "cenv makes self-contained environments for C projects: a prefix with its\n"
	      "own include/, lib/, bin/ and pkg-config files, and scripts that put it\n"
	      "first for the compiler, the linker, pkg-config, CMake and man.\n\ncommands:\n",
	      out);
	for (c = commands; *c; c++)
		fprintf(out, "  %-10s %s\n", (*c)->name, (*c)->summary);
	fputs("\nSee 'cenv help COMMAND' or man cenv.\n", out);
}

/* Returned by the dispatcher's steps when the command goes on to its next step. */
enum { GO_ON = -1 };

static int is_help(const char *arg)
{
	return !strcmp(arg, "--help") || !strcmp(arg, "-h");
}

static void invocation_init(struct invocation *inv, const struct cmd_entry *cmd, int argc, char **argv)
{
	size_t nspecs = 0;

	memset(inv, 0, sizeof(*inv));
	inv->cmd = cmd;
	inv->argc = argc;
	inv->argv = argv;
	while (cmd->options && cmd->options[nspecs].name)
		nspecs++;
	inv->opts = xmalloc((nspecs + 1) * sizeof(*inv->opts));
	memset(inv->opts, 0, (nspecs + 1) * sizeof(*inv->opts));
	inv->lock = -1;
}

static void invocation_release(struct invocation *inv)
{
	env_release(inv);
	free(inv->opts);
	free(inv->operands);
}

/* A command without options: only --help or -h as its first argument, the rest operands. */
static int take_operands(struct invocation *inv)
{
	int i;

	if (inv->argc > 1 && is_help(inv->argv[1])) {
		cmd_print_help(inv->cmd);
		return finish_stdout(EXIT_OK);
	}
	inv->operands = xmalloc((size_t)inv->argc * sizeof(char *));
	for (i = 1; i < inv->argc; i++)
		inv->operands[inv->noperands++] = inv->argv[i];
	inv->operands[inv->noperands] = NULL;
	return GO_ON;
}

/* The options into inv->opts, the operands into inv->operands; or --help, or a usage error. */
static int parse_arguments(struct invocation *inv)
{
	const struct cmd_entry *cmd = inv->cmd;
	struct option_state st;
	const char *value;
	int opt, status = GO_ON;

	if (!cmd->options)
		return take_operands(inv);
	options_init(&st, inv->argc, !!(cmd->flags & CMD_STOP_AT_OPERAND));
	while ((opt = next_option(cmd, cmd->options, inv->argc, inv->argv, &st, &value)) >= 0) {
		/* checked where it stands: a bad value is the error even before a --help */
		if (cmd->options[opt].check && cmd->options[opt].check(value) < 0) {
			status = cmd_usage_error(cmd, "%s", last_error());
			break;
		}
		inv->opts[opt].given++;
		inv->opts[opt].value = value;
	}
	if (opt == OPT_HELP) {
		cmd_print_help(cmd);
		status = finish_stdout(EXIT_OK);
	} else if (opt == OPT_ERROR) {
		status = EXIT_USAGE;
	}
	inv->operands = st.operands; /* taken over, NULL-terminated at OPT_END */
	inv->noperands = st.noperands;
	return status;
}

static int check_usage(const struct invocation *inv)
{
	const struct cmd_entry *cmd = inv->cmd;

	if (inv->noperands < cmd->min_operands)
		return cmd_usage_error(cmd, "%s", cmd->missing);
	if (cmd->max_operands >= 0 && inv->noperands > cmd->max_operands)
		return cmd_usage_error(cmd, cmd->extra, inv->operands[cmd->max_operands]);
	if (cmd->check && cmd->check(inv) < 0)
		return cmd_usage_error(cmd, "%s", last_error());
	return GO_ON;
}

/* ---- signals ---------------------------------------------------------------------------- */

/*
 * The signals that ask cenv to stop: a terminal's ^C, ^\ and hangup, kill(1) and supervisors.
 * SIGQUIT too: at its default it would leave the build running and the work area there;
 * cenv stops it like the others, then dies of SIGQUIT (a core dump if the user's ulimit
 * allows one).
 */
static const int stop_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

/* All it does: note it (interrupt.h).  The work stops at the modules' safe points. */
static void on_stop_signal(int sig)
{
	interrupt_note(sig);
}

/*
 * The commands that change an environment (those that lock it, and create) note a stop
 * signal rather than die of it: a change in progress finishes or is undone, a build is
 * stopped as a whole, the work area goes, and then cenv dies of the signal (die_of).  No
 * SA_RESTART: a wait for a lock or a child returns EINTR and looks.  A signal ignored when
 * cenv started (nohup, `cenv install &` in a script) stays ignored, as the caller asked.
 * cenv is also made the subreaper of its builds (Linux), so that the orphans of a build
 * stopped are its children: it reaps them, and knows when the last of them is gone; and
 * after each command of a build it kills what the build left running (spawn_reap_orphans).
 */
static void catch_stop_signals(void)
{
	struct sigaction sa, old;
	size_t i;

	if (interrupt_init() < 0)
		report(); /* then a wait sees a signal by its EINTR only */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSTOP; i++)
		sigaddset(&sa.sa_mask, stop_signals[i]);
	for (i = 0; i < NSTOP; i++)
		if (sigaction(stop_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
#if defined(__linux__) && defined(PR_SET_CHILD_SUBREAPER)
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif
}

/* After the cleanup: the shell sees what killed us ("Terminated", 130 for ^C). */
static void __attribute__((noreturn)) die_of(int sig)
{
	struct sigaction sa;
	sigset_t set;

	fflush(stdout);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig); /* not reached: the default of a stop signal ends the process */
}

static int changes_environment(const struct cmd_entry *cmd)
{
	return (cmd->flags & CMD_LOCK) || cmd == &cmd_create_entry;
}

/*
 * What every command needs, in the order its messages come: help and usage
 * errors, then the environment (located, locked, recovered), then the
 * command; its failure reported, its output checked; then, if a stop signal
 * came, death by it, the lock released.
 */
static int dispatch(const struct cmd_entry *cmd, int argc, char **argv)
{
	struct invocation inv;
	int status, sig;

	invocation_init(&inv, cmd, argc, argv);
	status = parse_arguments(&inv);
	if (status == GO_ON)
		status = check_usage(&inv);
	if (status == GO_ON && changes_environment(cmd))
		catch_stop_signals();
	if (status == GO_ON && (cmd->flags & CMD_ENV) && env_setup(&inv) < 0) {
		status = report();
	} else if (status == GO_ON && interrupt_requested()) {
		/* during the recovery: it finished, and nothing else starts */
		say_interrupted(cmd->name, interrupt_requested(), " before it started");
		status = EXIT_FAIL;
	}
	if (status == GO_ON) {
		status = cmd->exec(&inv);
		env_release(&inv); /* the lock is not held while stdout drains */
		status = status < 0 ? report() : finish_stdout(status);
	}
	invocation_release(&inv);
	sig = interrupt_requested();
	if (sig) {
		/* a command that failed has said why (a wait for the lock stopped, say) */
		if (!said_interrupted() && (status == EXIT_OK || status == STATUS_PIPE_CLOSED))
			say_interrupted(cmd->name, sig, ": the change in progress was finished first");
		die_of(sig);
	}
	return status;
}

/* Like curl's tool_main: a closed 0, 1 or 2 would let a file we open take its place. */
static void ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			abort();
}

/*
 * stdout's reader went away (finish_stdout): the work is done, nothing is said, and cenv ends
 * as git does (its check_pipe), and as a coreutils program writing to the pipe would: killed
 * by SIGPIPE, which the shell shows as status 141 and `set -o pipefail` sees.  SIGPIPE stays
 * ignored until then, so that a socket or a build's pipe closing never stops a change halfway.
 */
static int ended(int status)
{
	if (status == STATUS_PIPE_CLOSED)
		die_of(SIGPIPE);
	return status;
}

static int run_main(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	ensure_std_fds();
	util_set_oom_handler(say_out_of_memory);
	lock_set_wait_handler(say_waiting_for_lock);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		print_main_usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return dispatch(&cmd_version_entry, 1, argv + 1);
	cmd = cmd_find(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			fprintf(stderr, "cenv: unknown option '%s'\n", argv[1]);
		else
			fprintf(stderr, "cenv: unknown command '%s'\n", argv[1]);
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	return dispatch(cmd, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	return ended(run_main(argc, argv));
}
