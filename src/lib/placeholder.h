/* placeholder.h - {prefix}, {destdir} and {jobs} in a manifest's build words. */
#ifndef CENV_PLACEHOLDER_H
#define CENV_PLACEHOLDER_H

/*
 * A word of args, configure, make_args or env may hold {prefix} (the
 * environment, absolute), {destdir} (the staging root, known only when the
 * build runs) and {jobs} (the -j count).  "{{" stands for a literal '{' and
 * "}}" for a literal '}'; a '}' alone is itself.  Any other "{name}", a "{}",
 * or a '{' never closed is an error.
 */

/* The values a build gives the placeholders; the caller owns the strings. */
struct placeholder_values {
	const char *prefix;
	const char *destdir;
	int jobs;
};

/* 0 when s is well formed; -1 with fail() saying why ("unknown placeholder '{prefx}'"). */
int placeholder_check(const char *s);

/*
 * s with its placeholders replaced by v's values: *out a new string (caller
 * frees).  -1 with fail() as placeholder_check, *out NULL.
 */
int placeholder_expand(const char *s, const struct placeholder_values *v, char **out);

#endif
