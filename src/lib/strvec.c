/* strvec.c - a growable, NULL-terminated vector of strings. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strvec.h"
#include "util.h"

void strvec_init(struct strvec *sv)
{
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

void strvec_release(struct strvec *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	strvec_init(sv);
}

void strvec_push_owned(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? 2 * sv->cap : 16;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_owned(sv, xstrdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push_owned(sv, xvasprintf(fmt, ap));
	va_end(ap);
}

void strvec_pushv(struct strvec *sv, char *const *strings)
{
	for (; strings && *strings; strings++)
		strvec_push(sv, *strings);
}

void strvec_pop(struct strvec *sv)
{
	if (!sv->n)
		return;
	free(sv->v[--sv->n]);
	sv->v[sv->n] = NULL;
}

char **strvec_argv(struct strvec *sv)
{
	if (!sv->v) {
		sv->cap = 16;
		sv->v = xmalloc(sv->cap * sizeof(*sv->v));
		sv->v[0] = NULL;
	}
	return sv->v;
}

char **strvec_detach(struct strvec *sv)
{
	char **v = strvec_argv(sv);

	strvec_init(sv);
	return v;
}

int strvec_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int strvec_cmp_desc(const void *a, const void *b)
{
	return -strvec_cmp(a, b);
}

void strvec_sort_unique(struct strvec *sv)
{
	size_t i, out = 0;

	if (!sv->n)
		return;
	qsort(sv->v, sv->n, sizeof(*sv->v), strvec_cmp);
	for (i = 0; i < sv->n; i++) {
		if (out && !strcmp(sv->v[out - 1], sv->v[i]))
			free(sv->v[i]);
		else
			sv->v[out++] = sv->v[i];
	}
	sv->n = out;
	sv->v[out] = NULL;
}

long strvec_find(const struct strvec *sv, const char *s)
{
	char **hit;

	if (!sv->n)
		return -1;
	hit = bsearch(&s, sv->v, sv->n, sizeof(*sv->v), strvec_cmp);
	return hit ? hit - sv->v : -1;
}

void strvec_free_array(char **strings)
{
	char **p;

	if (!strings)
		return;
	for (p = strings; *p; p++)
		free(*p);
	free(strings);
}
