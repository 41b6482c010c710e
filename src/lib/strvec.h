/* strvec.h - a growable, NULL-terminated vector of strings (argv, path lists, word lists). */
#ifndef CENV_STRVEC_H
#define CENV_STRVEC_H

#include <stddef.h>

/*
 * v[0..n-1] are strings the vector owns; v[n] is NULL once anything was
 * pushed (v itself is NULL while empty: use strvec_argv() to pass one to exec).
 * Owner: whoever initialised it (STRVEC_INIT or strvec_init); free with strvec_release.
 */
struct strvec {
	char **v;
	size_t n, cap;
};
#define STRVEC_INIT { NULL, 0, 0 }

void strvec_init(struct strvec *sv);
void strvec_release(struct strvec *sv);
/* Takes ownership of s (a malloc'd string). */
void strvec_push_owned(struct strvec *sv, char *s);
/* Pushes a copy of s. */
void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pushes a copy of every string of a NULL-terminated array. */
void strvec_pushv(struct strvec *sv, char *const *strings);
/* Removes and frees the last string. */
void strvec_pop(struct strvec *sv);
/* The NULL-terminated array (never NULL: an empty vector gives an array of one NULL). */
char **strvec_argv(struct strvec *sv);
/* Hands the array to the caller (free each string, then the array); sv is reset. */
char **strvec_detach(struct strvec *sv);
/* Sorts by strcmp and drops duplicates. */
void strvec_sort_unique(struct strvec *sv);
/* Index of s in a sorted vector, or -1. */
long strvec_find(const struct strvec *sv, const char *s);
/* Frees a NULL-terminated array of strings such as strvec_detach gives; NULL is fine. */
void strvec_free_array(char **strings);

/* qsort/bsearch comparators for arrays of char *: ascending and descending strcmp. */
int strvec_cmp(const void *a, const void *b);
int strvec_cmp_desc(const void *a, const void *b);

#endif
