/* placeholder.c - expands {prefix}, {destdir}, {jobs}, {{ and }} in a manifest's build words. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "placeholder.h"
#include "quote.h"
#include "util.h"

static const char *const names[] = { "prefix", "destdir", "jobs" };
#define NNAMES (sizeof(names) / sizeof(names[0]))

/* One pass for both: with sb NULL only the syntax is checked. */
static int walk(const char *s, const struct placeholder_values *v, struct strbuf *sb)
{
	const char *p = s;

	while (*p) {
		const char *close;
		size_t len, i;

		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if (sb)
				sb_addc(sb, p[0]);
			p += 2;
			continue;
		}
		if (*p != '{') {
			if (sb)
				sb_addc(sb, *p);
			p++;
			continue;
		}
		close = strchr(p + 1, '}');
		/* a name never spans a '{': "{pre{fix}" is an unclosed brace before a placeholder */
		if (!close || memchr(p + 1, '{', (size_t)(close - p - 1)))
			return fail("unclosed '{' (a literal '{' is written '{{')");
		len = (size_t)(close - p - 1);
		for (i = 0; i < NNAMES; i++)
			if (strlen(names[i]) == len && !strncmp(p + 1, names[i], len))
				break;
		if (i == NNAMES) {
			char *name = xasprintf("%.*s", len > 40 ? 40 : (int)len, p + 1);
			char *shown = printable(name);
			int ret = fail("unknown placeholder '{%s%s}' (expected {prefix}, {destdir} or {jobs}; "
				       "a literal '{' is written '{{')", shown, len > 40 ? "..." : "");

			free(name);
			free(shown);
			return ret;
		}
		if (sb) {
			if (i == 0)
				sb_adds(sb, v->prefix ? v->prefix : "");
			else if (i == 1)
				sb_adds(sb, v->destdir ? v->destdir : "");
			else
				sb_addf(sb, "%d", v->jobs > 0 ? v->jobs : 1);
		}
		p = close + 1;
	}
	return 0;
}

int placeholder_check(const char *s)
{
	return walk(s, NULL, NULL);
}

int placeholder_expand(const char *s, const struct placeholder_values *v, char **out)
{
	struct strbuf sb = STRBUF_INIT;

	*out = NULL;
	if (walk(s, v, &sb) < 0) {
		sb_release(&sb);
		return -1;
	}
	*out = sb_detach(&sb);
	return 0;
}
