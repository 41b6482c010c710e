/* quote.h - quoting values for the shells that read cenv's generated scripts. */
#ifndef CENV_QUOTE_H
#define CENV_QUOTE_H

#include "util.h"

enum shell { SHELL_SH, SHELL_FISH, SHELL_CSH };

/* Parses "sh", "bash", "fish", "csh", "tcsh", ... ; -1 with fail() when unknown. */
int shell_from_name(const char *name, enum shell *out);

/*
 * Appends s to sb as one word that the shell reads back literally: nothing in
 * it is expanded or run.  s must not hold control characters (callers refuse
 * those earlier: a newline cannot be quoted portably for csh).
 */
void quote_sh(struct strbuf *sb, const char *s);
void quote_fish(struct strbuf *sb, const char *s);
void quote_csh(struct strbuf *sb, const char *s);
void quote_for(enum shell sh, struct strbuf *sb, const char *s);
/*
 * Appends w for sh, quoted only when it needs it (anything but letters, digits
 * and -_./=+,:@%), so a command line reads like what one would type.
 */
void quote_sh_word(struct strbuf *sb, const char *w);
/* The words, each as quote_sh_word gives it, separated by spaces; caller frees. */
char *quote_sh_words(char *const *words, size_t n);

/*
 * Escapes text so that a prompt shows it as it is.  These escape only the
 * prompt's own sequences; the result still needs quote_*() to go in a script.
 */
char *prompt_escape_zsh(const char *s);  /* % -> %% */
char *prompt_escape_bash(const char *s); /* \ -> \\ (for promptvars off) */
char *prompt_escape_tcsh(const char *s); /* % -> %%, ! -> \! */

/*
 * s with control characters shown as \n, \t or \xHH, and the C1 and bidi controls' bytes as
 * \xHH (ESC_UNICODE_CONTROL), for one-line messages; caller frees.
 */
char *printable(const char *s);

/* 1 when s holds a byte below 0x20 or 0x7f. */
int has_control_char(const char *s);
/* The first such byte of s, or NULL. */
const char *find_control_char(const char *s);

#endif
