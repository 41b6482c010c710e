/* scripts.h - writes an environment's activate scripts from the built-in templates. */
#ifndef CENV_SCRIPTS_H
#define CENV_SCRIPTS_H

#include "config.h"
#include "util.h"

/*
 * Writes bin/activate, bin/activate.fish and bin/activate.csh in cfg->prefix:
 * replacing each atomically, or, when fresh (a new environment), creating them
 * directly; a symlinked bin/ or script is refused, naming it.
 */
int scripts_write(const struct env_config *cfg, int fresh);
/* The same in the environment whose root is open in root: bin/ and the scripts are never symlinks (layout_open). */
int scripts_write_at(int root, const struct env_config *cfg, int fresh);
/* Renders one script (template name like "activate.sh") into out, for tests and `cenv env`. */
int scripts_render(const struct env_config *cfg, const char *template_name, struct strbuf *out);

#endif
