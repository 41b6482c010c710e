/* template.h - the script templates built into the binary and their @PLACEHOLDER@ substitution. */
#ifndef CENV_TEMPLATE_H
#define CENV_TEMPLATE_H

#include <stddef.h>

#include "util.h"

/* A template from templates/, embedded at build time (templates-data.c). */
struct template {
	const char *name; /* file name in templates/, e.g. "activate.sh" */
	const char *text;
};
const struct template *template_find(const char *name);

/* One placeholder and the text that replaces it (already quoted for the script's shell). */
struct template_var {
	const char *name; /* without the @s */
	const char *value;
};

/*
 * Appends text to out with each @NAME@ (NAME: capitals, digits, _) replaced.
 * A placeholder with no value is an error: a template and the code that fills
 * it must not drift apart silently.  0, or -1 with fail().
 */
int template_expand(const char *text, const char *what, const struct template_var *vars,
		    size_t nvars, struct strbuf *out);

#endif
