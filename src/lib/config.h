/* config.h - DIR/cenv.cfg: what an environment is, written by create and read by every command. */
#ifndef CENV_CONFIG_H
#define CENV_CONFIG_H

/* All strings are owned by the struct: config_release() frees them. */
struct env_config {
	char *version;  /* cenv version that wrote the file */
	char *prefix;   /* absolute path of the environment */
	char *created;  /* ISO 8601 UTC time of creation */
	char *prompt;   /* name shown in the shell prompt */
	char *cc;       /* pinned compiler, or NULL */
	char *command;  /* the command line that made the environment */
	int isolated;   /* pkg-config sees only the environment */
};

void config_release(struct env_config *cfg);
/* Reads path into cfg (zeroed first); -1 with fail() naming the file (and line). */
int config_read(const char *path, struct env_config *cfg);
/* Writes cfg to path: atomically, or, when fresh (no file there yet), directly; -1 with fail(). */
int config_write(const char *path, const struct env_config *cfg, int fresh);
/* The same in the directory dir (a descriptor), refusing a symlink at name; shown names it in messages. */
int config_write_at(int dir, const char *name, const char *shown, const struct env_config *cfg,
		    int fresh);

/* The value encoding of cenv.cfg, exposed for the unit tests: caller frees. */
char *config_escape(const char *value, int escape_spaces);
char *config_unescape(const char *text);

#endif
