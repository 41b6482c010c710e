/* setup.c - the environment a command works on: located, locked and recovered in one place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "activation.h"
#include "error.h"
#include "journal.h"
#include "layout.h"
#include "lock.h"
#include "options.h"
#include "record.h"
#include "report.h"
#include "setup.h"
#include "txn.h"
#include "util.h"

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

/* txn_recover(), saying so when it rolled something back; 0 or -1 with fail(). */
static int recover(const char *prefix)
{
	int ret = txn_recover(prefix);

	if (ret > 0)
		say_rolled_back();
	return ret < 0 ? -1 : 0;
}

/* Says once on stderr why a reader reads the environment as it is (error.h holds the reason). */
static void note_as_is(void)
{
	char *why = error_take();

	fprintf(stderr, "cenv: note: %s: reading as is\n", why ? why : "cannot lock");
	free(why);
}

/* 1 when an interrupted change waits to be rolled back, 0 when not, -1 with fail(). */
static int change_pending(const char *prefix)
{
	int root = layout_open_root(prefix), state, ret;

	if (root < 0)
		return -1;
	state = layout_open(root, prefix, LAYOUT_STATE, 0);
	ret = state < 0 ? -1 : journal_exists(state);
	if (state >= 0)
		close(state);
	close(root);
	return ret;
}

/*
 * CMD_READ: list and freeze work for anyone who can read the environment.
 * Alone with the lock and able to write, they roll back an interrupted
 * change first, so what is read is what is there, then share the lock with
 * other readers.  While a change holds it (a long build), records are read
 * as they are: they change only at a commit.  Where the lock cannot be had
 * or a rollback would need writing, they read as is and say so.
 */
static int setup_reader(struct invocation *inv)
{
	const char *prefix = inv->cfg.prefix;
	int how, pending;

	inv->lock = env_lock_read(prefix, &how);
	if (inv->lock == -1)
		return -1;
	if (inv->lock == LOCK_NONE) {
		note_as_is();
		inv->lock = -1;
		return 0;
	}
	if (inv->lock < 0 || !(how & LOCK_ALONE))
		return 0;
	if (how & LOCK_WRITABLE) {
		if (recover(prefix) < 0)
			return -1;
	} else {
		pending = change_pending(prefix);
		if (pending < 0)
			return -1;
		if (pending) {
			fail("cannot roll back the interrupted change in '%s' (read-only)", prefix);
			note_as_is();
		}
	}
	if (env_lock_share(inv->lock) < 0)
		inv->lock = LOCK_BUSY;
	return 0;
}

int env_setup(struct invocation *inv)
{
	const struct option_spec *specs = inv->cmd->options;
	int env = specs ? find_spec(specs, "env", strlen("env"), 0) : -1;
	int flags = inv->cmd->flags;

	if (env_locate(env >= 0 ? inv->opts[env].value : NULL, &inv->cfg) < 0)
		return -1;
	if (flags & CMD_LOCK) {
		inv->lock = env_lock(inv->cfg.prefix);
		if (inv->lock < 0)
			return -1;
		if (recover(inv->cfg.prefix) < 0)
			return -1;
	} else if (flags & CMD_READ) {
		return setup_reader(inv);
	}
	return 0;
}

void env_release(struct invocation *inv)
{
	env_unlock(inv->lock);
	inv->lock = -1;
	config_release(&inv->cfg);
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

int for_each_record(const char *prefix, record_fn fn, void *data)
{
	char **names;
	char *damaged = NULL; /* the last damaged record's message; those before it are reported */
	size_t n, i, shown = 0;
	int ret = 0;

	if (record_names(prefix, &names, &n) < 0)
		return -1;
	for (i = 0; i < n && ret == 0; i++) {
		struct record r;

		ret = record_load(prefix, names[i], &r);
		if (ret < 0 && errno == EBADMSG) {
			/* a damaged record hides nothing: the others are shown, each damaged one named */
			char *msg = error_take();

			if (damaged) {
				error_restore(damaged);
				report();
			}
			damaged = msg;
			ret = 0;
			continue;
		}
		if (ret == 0) {
			ret = fn(&r, shown++, data);
			record_release(&r);
		}
	}
	if (ret == 0)
		ret = fn(NULL, shown, data); /* the end */
	record_names_free(names, n);
	if (damaged) {
		if (ret == 0)
			ret = error_restore(damaged);
		else
			free(damaged);
	}
	return ret;
}
