/* cenv.c - main(): the command table, dispatch, option parsing shared by the commands. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "activation.h"
#include "cenv.h"
#include "error.h"
#include "lock.h"
#include "record.h"
#include "txn.h"
#include "util.h"

static const struct cmd_entry *const commands[] = {
	&cmd_create_entry,
	&cmd_env_entry,
	&cmd_run_entry,
	&cmd_install_entry,
	&cmd_uninstall_entry,
	&cmd_list_entry,
	&cmd_freeze_entry,
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

void options_init(struct option_state *st, int argc, int stop_at_operand)
{
	st->index = 1;
	st->stop_at_operand = stop_at_operand;
	st->operands = xmalloc(((size_t)argc + 1) * sizeof(char *));
	st->noperands = 0;
}

void options_release(struct option_state *st)
{
	free(st->operands);
	st->operands = NULL;
}

static void take_rest(struct option_state *st, int argc, char **argv)
{
	while (st->index < argc)
		st->operands[st->noperands++] = argv[st->index++];
	st->operands[st->noperands] = NULL;
}

static int find_spec(const struct option_spec *specs, const char *name, size_t len, char letter)
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

int env_locate(const char *dir, struct env_config *cfg)
{
	struct stat here, made;
	char *abs, *path;
	int ret = -1;

	/* an empty -e is a mistake (an unset variable in a script), not "the active one" */
	if (dir && !*dir)
		return fail("the environment path given with -e is empty");
	if (!dir)
		dir = getenv("CENV");
	if (!dir || !*dir)
		return fail("no environment: give -e DIR or activate one");
	abs = path_absolute(dir);
	if (!abs)
		return -1;
	path = path_join(abs, "cenv.cfg");
	if (access(path, F_OK) < 0) {
		if (!path_exists(abs))
			fail("'%s' is not a cenv environment (no such directory)", abs);
		else if (!is_dir(abs))
			fail("'%s' is not a cenv environment (not a directory)", abs);
		else
			fail("'%s' is not a cenv environment (no cenv.cfg)", abs);
		goto out;
	}
	if (config_read(path, cfg) < 0)
		goto out;
	/* a moved environment still names its old place, which its files hold too */
	if (stat(abs, &here) < 0 || stat(cfg->prefix, &made) < 0 ||
	    here.st_dev != made.st_dev || here.st_ino != made.st_ino) {
		fail("the environment at '%s' was made at '%s'; run 'cenv create --upgrade %s' to use it here",
		     abs, cfg->prefix, abs);
		config_release(cfg);
		goto out;
	}
	ret = 0;
out:
	free(path);
	free(abs);
	return ret;
}

extern char **environ;

char **activated_environ(const struct activation *act)
{
	struct activation previous = { .nops = 0 };
	struct env_config cfg;
	const char *active = getenv("CENV");
	char *path;
	char **env;

	if (active && *active) {
		path = path_join(active, "cenv.cfg");
		/* an active environment that is gone has nothing left to take out */
		if (config_read(path, &cfg) == 0) {
			activation_init(&previous, &cfg);
			config_release(&cfg);
		}
		free(path);
	}
	env = activation_environ(act, &previous, environ);
	activation_release(&previous);
	return env;
}

/* Calls fn for each installed package, in name order. */
int recover(const char *prefix)
{
	int ret = txn_recover(prefix);

	if (ret > 0)
		fprintf(stderr, "cenv: rolled back a change that was interrupted\n");
	return ret < 0 ? -1 : 0;
}

int for_each_record(const char *dir, record_fn fn, void *data)
{
	struct env_config cfg;
	char **names;
	size_t n, i;
	int lock, ret = 0;

	if (env_locate(dir, &cfg) < 0)
		return -1;
	/*
	 * An interrupted change is rolled back first, so what is listed is what is
	 * there.  While another process works (a long build), records are read as
	 * they are: they change only at a commit.
	 */
	lock = env_trylock(cfg.prefix);
	if (lock == -1 || (lock >= 0 && recover(cfg.prefix) < 0) ||
	    record_names(cfg.prefix, &names, &n) < 0) {
		if (lock >= 0)
			env_unlock(lock);
		config_release(&cfg);
		return -1;
	}
	for (i = 0; i < n && ret == 0; i++) {
		struct record r;

		ret = record_load(cfg.prefix, names[i], &r);
		if (ret == 0) {
			fn(&r, i, data);
			record_release(&r);
		}
	}
	if (ret == 0)
		fn(NULL, n, data); /* the end */
	record_names_free(names, n);
	env_unlock(lock);
	config_release(&cfg);
	return ret;
}

int finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cenv: cannot write to standard output: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return status;
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

/* Like curl's tool_main: a closed 0, 1 or 2 would let a file we open take its place. */
static void ensure_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			abort();
}

static void say_out_of_memory(void)
{
	static const char msg[] = "cenv: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd;

	ensure_std_fds();
	util_set_oom_handler(say_out_of_memory);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_usage(stdout);
		return finish_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))
		return cmd_version_entry.exec(1, argv + 1);
	cmd = cmd_find(argv[1]);
	if (!cmd) {
		if (argv[1][0] == '-')
			fprintf(stderr, "cenv: unknown option '%s'\n", argv[1]);
		else
			fprintf(stderr, "cenv: unknown command '%s'\n", argv[1]);
		print_main_usage(stderr);
		return EXIT_USAGE;
	}
	return cmd->exec(argc - 1, argv + 1);
}
