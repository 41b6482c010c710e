/* scripts.h - writes an environment's activate scripts from the built-in templates. */
#ifndef CENV_SCRIPTS_H
#define CENV_SCRIPTS_H

#include "config.h"
#include "util.h"

/*
 * Writes bin/activate, bin/activate.fish and bin/activate.csh for cfg: replacing
 * each atomically, or, when fresh (a new environment), creating them directly.
 */
int scripts_write(const struct env_config *cfg, int fresh);
/* Renders one script (template name like "activate.sh") into out, for tests and `cenv env`. */
int scripts_render(const struct env_config *cfg, const char *template_name, struct strbuf *out);

#endif
