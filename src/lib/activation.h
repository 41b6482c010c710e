/* activation.h - the variables an active environment sets, for scripts, `cenv env` and `cenv run`. */
#ifndef CENV_ACTIVATION_H
#define CENV_ACTIVATION_H

#include <stddef.h>

#include "config.h"
#include "quote.h"
#include "util.h"

enum var_kind {
	VAR_SET,     /* replaced while active; the old value comes back at deactivate */
	VAR_UNSET,   /* removed while active; the old value comes back at deactivate */
	VAR_PREPEND, /* elements put in front of a ':' list; deactivate takes exactly them out */
};

struct var_op {
	const char *name;
	enum var_kind kind;
	char *elems[2];   /* VAR_SET: elems[0] is the value; VAR_PREPEND: front to back */
	size_t nelems;
	int keep_default; /* MANPATH: an empty trailing element keeps the system's pages */
};

/* The ordered list of changes activation makes; owned, free with activation_release(). */
struct activation {
	struct var_op ops[16];
	size_t nops;
};

void activation_init(struct activation *act, const struct env_config *cfg);
void activation_release(struct activation *act);

/* The statements that make (activate) or undo (deactivate) the changes, for a script template. */
void activation_script(const struct activation *act, enum shell sh, int undo, struct strbuf *out);

/*
 * The value NAME gets while active, given its value now (NULL: unset).
 * Returns a new string, or NULL when the variable is to be unset.
 */
char *activation_apply(const struct var_op *op, const char *current);
/* The value left after taking op's elements out of current; NULL when it should be unset. */
char *activation_remove(const struct var_op *op, const char *current);

/*
 * A new environment array (as for execve) from envp: another active cenv
 * environment's additions removed first, then act applied.  Free with
 * environ_free().
 */
char **activation_environ(const struct activation *act, const struct activation *previous,
			  char *const *envp);
void environ_free(char **env);

#endif
