/* cmd-create.c - `cenv create`: make (or clear, or upgrade) an environment. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cenv.h"
#include "config.h"
#include "error.h"
#include "fsat.h"
#include "layout.h"
#include "lock.h"
#include "quote.h"
#include "scripts.h"
#include "util.h"

static int check_create(const struct invocation *inv);
static int cmd_create(struct invocation *inv);

enum { OPT_PROMPT, OPT_CLEAR, OPT_UPGRADE, OPT_ISOLATED, OPT_CC };
static const struct option_spec create_options[] = {
	[OPT_PROMPT] = { "prompt", 0, 1, NULL },
	[OPT_CLEAR] = { "clear", 0, 0, NULL },
	[OPT_UPGRADE] = { "upgrade", 0, 0, NULL },
	[OPT_ISOLATED] = { "isolated", 0, 0, NULL },
	[OPT_CC] = { "cc", 0, 1, NULL },
	{ NULL, 0, 0, NULL },
};

/* Not CMD_ENV: DIR need not be an environment yet; create() locks one it clears or upgrades. */
const struct cmd_entry cmd_create_entry = {
	.name = "create",
	.usage = "[--prompt NAME] [--clear] [--upgrade] [--isolated] [--cc CC] DIR",
	.summary = "make an environment in DIR",
	.help = "  --prompt NAME  name shown in the shell prompt (default: DIR's base name)\n"
		"  --clear        empty an existing environment first\n"
		"  --upgrade      rewrite the scripts and cenv.cfg of an existing environment,\n"
		"                 keeping what is installed\n"
		"  --isolated     pkg-config sees only the environment (PKG_CONFIG_LIBDIR)\n"
		"  --cc CC        pin the compiler: activation exports CC\n",
	.options = create_options,
	.min_operands = 1,
	.max_operands = 1,
	.missing = "missing DIR",
	.extra = "too many operands",
	.check = check_create,
	.exec = cmd_create,
};

struct create_request {
	const char *dir;
	const char *prompt;
	const char *cc;
	int clear, upgrade, isolated;
	char *command;
};

/* The command as typed, for cenv.cfg: "cenv create ..." with each word quoted for sh. */
static char *command_line(int argc, char **argv)
{
	char *words = quote_sh_words(argv, (size_t)argc);
	char *line = xasprintf("cenv %s", words);

	free(words);
	return line;
}

static char *now_iso8601(void)
{
	char buf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* The deepest existing ancestor of path must be a writable directory. */
static int check_parent_writable(const char *abs)
{
	char *dir = path_dirname(abs);
	int ret = 0;

	while (!path_exists(dir) && strcmp(dir, "/")) {
		char *up = path_dirname(dir);

		free(dir);
		dir = up;
	}
	if (!is_dir(dir))
		ret = fail("cannot create '%s': '%s' is not a directory", abs, dir);
	else if (access(dir, W_OK | X_OK) < 0)
		ret = fail_errno("cannot create '%s': '%s' is not writable", abs, dir);
	free(dir);
	return ret;
}

static int fill_config(const struct create_request *req, const char *abs, struct env_config *cfg,
		       const struct env_config *old)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = xstrdup(CENV_VERSION);
	cfg->prefix = xstrdup(abs);
	cfg->created = old && old->created ? xstrdup(old->created) : now_iso8601();
	if (req->prompt)
		cfg->prompt = xstrdup(req->prompt);
	else if (old)
		cfg->prompt = xstrdup(old->prompt);
	else
		cfg->prompt = path_basename(abs);
	if (req->cc)
		cfg->cc = *req->cc ? xstrdup(req->cc) : NULL;
	else if (old && old->cc)
		cfg->cc = xstrdup(old->cc);
	cfg->isolated = req->isolated || (old && old->isolated);
	cfg->command = xstrdup(req->command);
	if (has_control_char(cfg->prompt))
		return fail("the prompt cannot contain control characters");
	if (cfg->cc && has_control_char(cfg->cc))
		return fail("the compiler name cannot contain control characters");
	return 0;
}

/*
 * Writes the layout, the scripts and, last, cenv.cfg (atomically), so the
 * directory becomes an environment (layout_is_env) only once it is whole.
 */
static int write_env(int root, const char *abs, const struct env_config *cfg, int fresh)
{
	char *shown = path_join(abs, LAYOUT_CONFIG);
	int ret = -1;

	if (layout_make_dirs_at(root, abs) == 0 && scripts_write_at(root, cfg, fresh) == 0 &&
	    config_write_at(root, LAYOUT_CONFIG, shown, cfg, 0) == 0)
		ret = 0;
	free(shown);
	return ret;
}

/* A failed new environment made in a directory that was there: the top-level entries it made go. */
static void unmake(const char *abs)
{
	const char *const *d;
	char *path;

	for (d = layout_dirs; *d; d++) {
		if (strchr(*d, '/'))
			continue;
		path = path_join(abs, *d);
		remove_tree(path);
		free(path);
	}
	path = path_join(abs, LAYOUT_CONFIG);
	remove_tree(path);
	free(path);
}

/*
 * A new environment in abs, which is absent or an empty directory.  Two
 * creates of one DIR at once: exactly one succeeds.  The claim is made in
 * DIR itself: mkdir of DIR (when absent), then mkdirat of DIR/var, which
 * only one process can win; the winner writes the rest, cenv.cfg last.  Not
 * a private directory renamed into place: a directory made for DIR beforehand
 * (by an administrator, in a parent the user cannot write; a mount point)
 * must be kept, with its owner and mode, and rename() would replace it, or
 * fail; RENAME_NOREPLACE is not on every file system.  The loser removes
 * nothing: everything in DIR is the winner's.
 */
static int create_new(const char *abs, const struct env_config *cfg)
{
	char *parent = path_dirname(abs), *made = NULL;
	int root = -1, lock = -1, claimed = 0, made_dir = 0, ret = -1;

	if (!path_exists(abs)) {
		if (check_parent_writable(abs) < 0 || mkdir_p(parent, 0777, &made) < 0)
			goto out;
		if (mkdir(abs, 0777) == 0)
			made_dir = 1;
		else if (errno != EEXIST) {
			fail_errno("cannot create '%s'", abs);
			goto out;
		}
	}
	root = layout_open_root(abs);
	if (root < 0)
		goto out;
	if (!made_dir && dir_is_empty(abs) != 1) {
		fail("cannot create '%s': another process made it meanwhile", abs);
		goto out;
	}
	if (mkdirat(root, "var", 0777) < 0) {
		if (errno == EEXIST)
			fail("cannot create '%s': another process is making an environment there", abs);
		else
			fail_errno("cannot create '%s/var'", abs);
		goto out;
	}
	claimed = 1;
	/* made with the environment, the lock is the one every later command takes */
	if (layout_make_dirs_at(root, abs) < 0 || (lock = env_lock(abs)) < 0)
		goto out;
	ret = write_env(root, abs, cfg, 1);
out:
	/* a failed create leaves nothing behind that it made; a loser made nothing in DIR */
	if (ret < 0 && claimed) {
		char *msg = error_take();

		if (made)
			remove_tree(made);
		else if (made_dir)
			remove_tree(abs);
		else
			unmake(abs);
		error_restore(msg);
	}
	env_unlock(lock);
	fsat_close(&root);
	free(made);
	free(parent);
	return ret;
}

/* --clear or --upgrade of the environment abs, under its lock. */
static int redo(const struct create_request *req, const char *abs, struct env_config *cfg)
{
	struct env_config old = { 0 };
	char *cfg_path = path_join(abs, LAYOUT_CONFIG);
	int root = -1, lock, ret = -1;

	/* an install running in the environment finishes before it is cleared or upgraded */
	lock = env_lock(abs);
	if (lock < 0)
		goto out;
	root = layout_open_root(abs);
	if (root < 0)
		goto out;
	if (req->upgrade && config_read(cfg_path, &old) < 0)
		goto out;
	if (access(abs, W_OK | X_OK) < 0) {
		fail_errno("cannot write in '%s'", abs);
		goto out;
	}
	if (fill_config(req, abs, cfg, req->upgrade ? &old : NULL) < 0)
		goto out;
	/* the lock and cenv.cfg stay: the lock's holders and readers see one environment throughout */
	if (req->clear && layout_clear(root, abs) < 0)
		goto out;
	/* cleared, it has no scripts a reader could see half-written */
	ret = write_env(root, abs, cfg, req->clear);
out:
	env_unlock(lock);
	fsat_close(&root);
	config_release(&old);
	free(cfg_path);
	return ret;
}

static int create(const struct create_request *req)
{
	struct env_config cfg = { 0 };
	char *abs = path_absolute(req->dir), *cfg_path = NULL;
	int exists, is_env, ret = -1;
	struct stat st;

	if (!abs)
		return -1;
	if (layout_check_path(abs) < 0)
		goto out;
	exists = lstat(abs, &st) == 0;
	if (exists && !S_ISDIR(st.st_mode) && !(S_ISLNK(st.st_mode) && is_dir(abs))) {
		fail("'%s' exists and is not a directory", abs);
		goto out;
	}
	cfg_path = path_join(abs, LAYOUT_CONFIG);
	if (exists && lstat(cfg_path, &st) == 0 && S_ISLNK(st.st_mode)) {
		fail("'%s' is a symbolic link; cenv will not write through it", cfg_path);
		goto out;
	}
	is_env = exists && layout_is_env(abs);
	if (exists && !is_env && dir_is_empty(abs) != 1) {
		fail("'%s' is not empty and is not a cenv environment; refusing to %s it", abs,
		     req->clear ? "clear" : "use");
		goto out;
	}
	if (is_env && !req->clear && !req->upgrade) {
		fail("'%s' is already an environment (use --upgrade to rewrite its scripts, --clear to empty it)",
		     abs);
		goto out;
	}
	if (req->upgrade && !is_env) {
		fail("cannot upgrade '%s': it is not a cenv environment", abs);
		goto out;
	}
	if (is_env) {
		ret = redo(req, abs, &cfg);
		goto out;
	}
	if (exists && access(abs, W_OK | X_OK) < 0) {
		fail_errno("cannot write in '%s'", abs);
		goto out;
	}
	if (fill_config(req, abs, &cfg, NULL) < 0)
		goto out;
	ret = create_new(abs, &cfg);
out:
	config_release(&cfg);
	free(cfg_path);
	free(abs);
	return ret;
}

static int check_create(const struct invocation *inv)
{
	if (inv->opts[OPT_CLEAR].given && inv->opts[OPT_UPGRADE].given)
		return fail("--clear and --upgrade exclude each other");
	if (!*inv->operands[0])
		return fail("DIR is empty");
	return 0;
}

static int cmd_create(struct invocation *inv)
{
	struct create_request req = {
		.dir = inv->operands[0],
		.prompt = inv->opts[OPT_PROMPT].value,
		.cc = inv->opts[OPT_CC].value,
		.clear = inv->opts[OPT_CLEAR].given > 0,
		.upgrade = inv->opts[OPT_UPGRADE].given > 0,
		.isolated = inv->opts[OPT_ISOLATED].given > 0,
	};
	int ret;

	req.command = command_line(inv->argc, inv->argv);
	ret = create(&req);
	free(req.command);
	return ret < 0 ? -1 : EXIT_OK;
}
