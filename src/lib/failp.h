/* failp.h - fail() for messages that quote paths: every argument made printable first. */
#ifndef CENV_FAILP_H
#define CENV_FAILP_H

/*
 * Like fail(), for messages naming paths, which may hold newlines or escape
 * sequences: each argument goes through printable() (quote.h) before it is
 * put in.  Every conversion in fmt must be %s (or %%): the arguments are all
 * strings, and a NULL one reads as "".  Returns -1.
 */
int failp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
