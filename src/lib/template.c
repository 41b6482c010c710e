/* template.c - @PLACEHOLDER@ substitution in the script templates built into the binary. */
#include <string.h>

#include "error.h"
#include "template.h"

extern const struct template cenv_templates[];

const struct template *template_find(const char *name)
{
	const struct template *t;

	for (t = cenv_templates; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

static size_t placeholder_len(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n && p[n] == '@' ? n : 0;
}

int template_expand(const char *text, const char *what, const struct template_var *vars,
		    size_t nvars, struct strbuf *out)
{
	const char *p = text;

	while (*p) {
		const char *at = strchr(p, '@');
		size_t n, i;

		if (!at) {
			sb_adds(out, p);
			break;
		}
		sb_add(out, p, (size_t)(at - p));
		n = placeholder_len(at + 1);
		if (!n) {
			sb_addc(out, '@');
			p = at + 1;
			continue;
		}
		for (i = 0; i < nvars; i++)
			if (strlen(vars[i].name) == n && !strncmp(vars[i].name, at + 1, n))
				break;
		if (i == nvars)
			return fail("template '%s': no value for @%.*s@", what, (int)n, at + 1);
		sb_adds(out, vars[i].value);
		p = at + n + 2;
	}
	return 0;
}
