/* activation.c - the variables an active environment sets, for scripts, `cenv env` and `cenv run`. */
#include <stdlib.h>
#include <string.h>

#include "activation.h"

static struct var_op *add(struct activation *act, const char *name, enum var_kind kind)
{
	struct var_op *op = &act->ops[act->nops++];

	memset(op, 0, sizeof(*op));
	op->name = name;
	op->kind = kind;
	return op;
}

static void add_set(struct activation *act, const char *name, char *value)
{
	struct var_op *op = add(act, name, VAR_SET);

	op->elems[0] = value;
	op->nelems = 1;
}

static struct var_op *add_prepend(struct activation *act, const char *name, const char *prefix,
				  const char *sub1, const char *sub2)
{
	struct var_op *op = add(act, name, VAR_PREPEND);

	op->elems[op->nelems++] = *sub1 ? path_join(prefix, sub1) : xstrdup(prefix);
	if (sub2)
		op->elems[op->nelems++] = path_join(prefix, sub2);
	return op;
}

void activation_init(struct activation *act, const struct env_config *cfg)
{
	const char *p = cfg->prefix;

	act->nops = 0;
	add_set(act, "CENV", xstrdup(p));
	add_set(act, "CENV_PROMPT", xstrdup(cfg->prompt));
	add_prepend(act, "PATH", p, "bin", NULL);
	if (cfg->isolated) {
		add_set(act, "PKG_CONFIG_LIBDIR", xasprintf("%s/lib/pkgconfig:%s/share/pkgconfig", p, p));
		add(act, "PKG_CONFIG_PATH", VAR_UNSET);
	} else {
		add_prepend(act, "PKG_CONFIG_PATH", p, "lib/pkgconfig", "share/pkgconfig");
	}
	add_prepend(act, "CPATH", p, "include", NULL);
	add_prepend(act, "LIBRARY_PATH", p, "lib", NULL);
	add_prepend(act, "LD_RUN_PATH", p, "lib", NULL);
	add_prepend(act, "CMAKE_PREFIX_PATH", p, "", NULL);
	add_prepend(act, "ACLOCAL_PATH", p, "share/aclocal", NULL);
	/* lua's and bzip2's Makefiles put their pages in DIR/man */
	add_prepend(act, "MANPATH", p, "share/man", "man")->keep_default = 1;
	if (cfg->cc)
		add_set(act, "CC", xstrdup(cfg->cc));
}

void activation_release(struct activation *act)
{
	size_t i, j;

	for (i = 0; i < act->nops; i++)
		for (j = 0; j < act->ops[i].nelems; j++)
			free(act->ops[i].elems[j]);
	act->nops = 0;
}

static char *joined_elems(const struct var_op *op)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < op->nelems; i++) {
		if (i)
			sb_addc(&sb, ':');
		sb_adds(&sb, op->elems[i]);
	}
	return sb_detach(&sb);
}

/*
 * sh: straight-line code per variable, no eval and no function per change,
 * since sourcing speed is the shell's whole cost of activation.
 */
static void sh_op(const struct var_op *op, int undo, struct strbuf *out)
{
	const char *n = op->name;
	char *head;
	size_t i;

	if (undo && op->kind != VAR_PREPEND) {
		sb_addf(out, "if [ -n \"${_cenv_was_set_%s-}\" ]; then %s=${_cenv_old_%s-}; export %s; else unset %s; fi\n"
			     "unset _cenv_was_set_%s _cenv_old_%s\n",
			n, n, n, n, n, n, n);
		return;
	}
	if (undo) {
		sb_addf(out, "if [ -n \"${%s+x}\" ]; then\n\t_cenv_v=$%s\n", n, n);
		for (i = 0; i < op->nelems; i++) {
			sb_adds(out, "\t_cenv_drop \"$_cenv_v\" ");
			quote_sh(out, op->elems[i]);
			sb_addc(out, '\n');
		}
		sb_addf(out, "\tif [ -z \"$_cenv_v\" ] && [ -z \"${_cenv_was_set_%s-}\" ]; then unset %s; else %s=$_cenv_v; export %s; fi\n"
			     "fi\n"
			     "unset _cenv_was_set_%s\n",
			n, n, n, n, n);
		return;
	}
	if (op->kind != VAR_PREPEND) {
		sb_addf(out, "_cenv_was_set_%s=${%s+x} _cenv_old_%s=${%s-}\n", n, n, n, n);
		if (op->kind == VAR_UNSET) {
			sb_addf(out, "unset %s\n", n);
			return;
		}
		sb_addf(out, "%s=", n);
		quote_sh(out, op->elems[0]);
		sb_addf(out, "; export %s\n", n);
		return;
	}
	head = joined_elems(op);
	/* no empty element: PATH, CPATH and LIBRARY_PATH would read it as "." */
	sb_addf(out, "_cenv_was_set_%s=${%s+x}\nif [ -n \"${%s-}\" ]; then %s=", n, n, n, n);
	quote_sh(out, head);
	sb_addf(out, ":$%s; else %s=", n, n);
	quote_sh(out, head);
	if (op->keep_default)
		sb_addc(out, ':');
	sb_addf(out, "; fi\nexport %s\n", n);
	free(head);
}

/* fish: one call per variable to the helpers defined in its template. */
static void fish_op(const struct var_op *op, int undo, struct strbuf *out)
{
	static const char *const helper[2][3] = {
		{ "_cenv_set", "_cenv_unset", "_cenv_prepend" },
		{ "_cenv_restore", "_cenv_restore", "_cenv_remove" },
	};
	char *head;
	size_t i;

	sb_addf(out, "%s %s", helper[undo][op->kind], op->name);
	if (op->kind == VAR_PREPEND && undo) {
		for (i = 0; i < op->nelems; i++) {
			sb_addc(out, ' ');
			quote_fish(out, op->elems[i]);
		}
	} else if (!undo && op->kind != VAR_UNSET) {
		sb_addc(out, ' ');
		head = joined_elems(op);
		quote_fish(out, head);
		free(head);
		if (op->keep_default)
			sb_adds(out, " keep-default");
	}
	sb_addc(out, '\n');
}

/*
 * csh has no functions, so each change is written out in full.  awk edits the
 * lists, reading them from the environment: no value is ever parsed as code.
 */
static const char csh_drop_awk[] =
	"awk -v k=_CENV_LIST -v ke=_CENV_ELEM -v sep=: -v fmt=%s 'BEGIN { v = ENVIRON[k]; "
	"e = ENVIRON[ke]; n = split(v, a, sep); first = 1; done = 0; for (i = 1; i <= n; i++) "
	"{ if (done == 0 && a[i] == e) { done = 1; continue } if (first) out = a[i]; "
	"else out = out sep a[i]; first = 0 } printf fmt, out }'";

static void csh_remember(const char *name, struct strbuf *out)
{
	sb_addf(out, "set _cenv_was_set_%s = ''\n"
		     "if ($?%s) then\n"
		     "    set _cenv_was_set_%s = x\n"
		     "    set _cenv_old_%s = \"$%s\"\n"
		     "endif\n",
		name, name, name, name, name);
}

static void csh_op(const struct var_op *op, int undo, struct strbuf *out)
{
	const char *n = op->name;
	char *head;
	size_t i;

	if (undo && op->kind != VAR_PREPEND) {
		sb_addf(out, "if (\"$_cenv_was_set_%s\" != '') then\n"
			     "    setenv %s \"$_cenv_old_%s\"\n"
			     "else\n"
			     "    unsetenv %s\n"
			     "endif\n"
			     "unset _cenv_was_set_%s _cenv_old_%s\n",
			n, n, n, n, n, n);
		return;
	}
	if (undo) {
		sb_addf(out, "if ($?%s) then\n    setenv _CENV_LIST \"$%s\"\n", n, n);
		for (i = 0; i < op->nelems; i++) {
			sb_adds(out, "    setenv _CENV_ELEM ");
			quote_csh(out, op->elems[i]);
			sb_addf(out, "\n    setenv _CENV_LIST \"`%s`\"\n", csh_drop_awk);
		}
		sb_addf(out, "    if (\"$_CENV_LIST\" == '' && \"$_cenv_was_set_%s\" == '') then\n"
			     "        unsetenv %s\n"
			     "    else\n"
			     "        setenv %s \"$_CENV_LIST\"\n"
			     "    endif\n"
			     "endif\n"
			     "unset _cenv_was_set_%s _cenv_old_%s\n",
			n, n, n, n, n);
		return;
	}
	csh_remember(n, out);
	if (op->kind == VAR_UNSET) {
		sb_addf(out, "unsetenv %s\n", n);
		return;
	}
	head = joined_elems(op);
	if (op->kind == VAR_SET) {
		sb_addf(out, "setenv %s ", n);
		quote_csh(out, head);
		sb_addc(out, '\n');
		free(head);
		return;
	}
	sb_addf(out, "if ($?%s) then\n    if (\"$%s\" != '') then\n        setenv %s ", n, n, n);
	quote_csh(out, head);
	sb_addf(out, "\":$%s\"\n    else\n        setenv %s ", n, n);
	quote_csh(out, head);
	if (op->keep_default)
		sb_adds(out, "':'");
	sb_addf(out, "\n    endif\nelse\n    setenv %s ", n);
	quote_csh(out, head);
	if (op->keep_default)
		sb_adds(out, "':'");
	sb_adds(out, "\nendif\n");
	free(head);
}

void activation_script(const struct activation *act, enum shell sh, int undo, struct strbuf *out)
{
	size_t i;

	/* deactivation undoes the changes in reverse order */
	for (i = 0; i < act->nops; i++) {
		const struct var_op *op = &act->ops[undo ? act->nops - 1 - i : i];

		switch (sh) {
		case SHELL_SH:
			sh_op(op, undo, out);
			break;
		case SHELL_FISH:
			fish_op(op, undo, out);
			break;
		case SHELL_CSH:
			csh_op(op, undo, out);
			break;
		}
	}
}

char *activation_apply(const struct var_op *op, const char *current)
{
	char *head, *value;

	switch (op->kind) {
	case VAR_SET:
		return xstrdup(op->elems[0]);
	case VAR_UNSET:
		return NULL;
	case VAR_PREPEND:
		break;
	}
	head = joined_elems(op);
	/* an empty element would mean "the current directory" to PATH, CPATH and LIBRARY_PATH */
	if (current && *current)
		value = xasprintf("%s:%s", head, current);
	else if (op->keep_default)
		value = xasprintf("%s:", head);
	else
		return head;
	free(head);
	return value;
}

/* Takes the first element equal to elem out of the ':' list. */
static char *remove_elem(const char *list, const char *elem)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = list, *end;
	int removed = 0, first = 1;

	for (;;) {
		size_t n;

		end = strchr(p, ':');
		n = end ? (size_t)(end - p) : strlen(p);
		if (!removed && n == strlen(elem) && !strncmp(p, elem, n)) {
			removed = 1;
		} else {
			if (!first)
				sb_addc(&out, ':');
			sb_add(&out, p, n);
			first = 0;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return sb_detach(&out);
}

char *activation_remove(const struct var_op *op, const char *current)
{
	char *value;
	size_t i;

	if (op->kind != VAR_PREPEND)
		return NULL; /* the value before activation is not known outside the shell */
	if (!current)
		return NULL;
	value = xstrdup(current);
	for (i = 0; i < op->nelems; i++) {
		char *next = remove_elem(value, op->elems[i]);

		free(value);
		value = next;
	}
	if (!*value) {
		free(value);
		return NULL;
	}
	return value;
}

static const char *env_lookup(char **env, size_t n, const char *name, size_t *at)
{
	size_t len = strlen(name), i;

	for (i = 0; i < n; i++) {
		if (!strncmp(env[i], name, len) && env[i][len] == '=') {
			*at = i;
			return env[i] + len + 1;
		}
	}
	*at = n;
	return NULL;
}

/* Replaces (or adds, or with value NULL removes) NAME in the array of *n entries. */
static void env_put(char ***env, size_t *n, const char *name, char *value)
{
	size_t at;

	env_lookup(*env, *n, name, &at);
	if (at < *n) {
		free((*env)[at]);
		if (!value) {
			memmove(&(*env)[at], &(*env)[at + 1], (*n - at) * sizeof(char *));
			(*n)--;
			return;
		}
	} else {
		if (!value)
			return;
		*env = xrealloc(*env, (*n + 2) * sizeof(char *));
		(*n)++;
		(*env)[*n] = NULL;
	}
	(*env)[at] = xasprintf("%s=%s", name, value);
}

char **activation_environ(const struct activation *act, const struct activation *previous,
			  char *const *envp)
{
	char **env;
	size_t n = 0, i, at;

	while (envp[n])
		n++;
	env = xmalloc((n + 1) * sizeof(char *));
	for (i = 0; i < n; i++)
		env[i] = xstrdup(envp[i]);
	env[n] = NULL;
	for (i = 0; previous && i < previous->nops; i++) {
		const struct var_op *op = &previous->ops[i];
		const char *cur = env_lookup(env, n, op->name, &at);
		char *value;

		if (!cur)
			continue;
		if (op->kind == VAR_SET) {
			/*
			 * What it was before is kept only in the activating shell: a
			 * value the other environment set goes, as if it was unset.
			 */
			if (!strcmp(cur, op->elems[0]))
				env_put(&env, &n, op->name, NULL);
			continue;
		}
		if (op->kind != VAR_PREPEND)
			continue;
		value = activation_remove(op, cur);
		env_put(&env, &n, op->name, value);
		free(value);
	}
	for (i = 0; i < act->nops; i++) {
		const struct var_op *op = &act->ops[i];
		char *value = activation_apply(op, env_lookup(env, n, op->name, &at));

		env_put(&env, &n, op->name, value);
		free(value);
	}
	return env;
}

void environ_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}
