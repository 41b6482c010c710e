/* quote.c - quoting values for the shells that read cenv's generated scripts. */
#include <string.h>

#include "error.h"
#include "escape.h"
#include "quote.h"

int shell_from_name(const char *name, enum shell *out)
{
	static const struct {
		const char *name;
		enum shell shell;
	} names[] = {
		{ "sh", SHELL_SH },    { "bash", SHELL_SH }, { "zsh", SHELL_SH },
		{ "dash", SHELL_SH },  { "ksh", SHELL_SH },  { "posix", SHELL_SH },
		{ "fish", SHELL_FISH }, { "csh", SHELL_CSH }, { "tcsh", SHELL_CSH },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(names[i].name, name)) {
			*out = names[i].shell;
			return 0;
		}
	}
	return fail("unknown shell '%s' (use sh, fish or csh)", name);
}

/* sh: inside '…' nothing is special but ' itself, which is closed, escaped and reopened. */
void quote_sh(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

/* fish: inside '…' only \\ and \' are escapes. */
void quote_fish(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

/*
 * csh: like sh, but history substitution sees ! even inside '…' (also in
 * sourced files), so it is written \!, which csh reads back as !.
 */
void quote_csh(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else if (*s == '!')
			sb_adds(sb, "\\!");
		else
			sb_addc(sb, *s);
	}
	sb_addc(sb, '\'');
}

void quote_for(enum shell sh, struct strbuf *sb, const char *s)
{
	switch (sh) {
	case SHELL_SH:
		quote_sh(sb, s);
		break;
	case SHELL_FISH:
		quote_fish(sb, s);
		break;
	case SHELL_CSH:
		quote_csh(sb, s);
		break;
	}
}

static char *escape_chars(const char *s, const char *special, const char *prefix)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (strchr(special, *s))
			sb_adds(&sb, prefix);
		sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

char *prompt_escape_zsh(const char *s)
{
	return escape_chars(s, "%", "%");
}

char *prompt_escape_bash(const char *s)
{
	return escape_chars(s, "\\", "\\");
}

char *prompt_escape_tcsh(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *s; s++) {
		if (*s == '%')
			sb_addc(&sb, '%');
		else if (*s == '!')
			sb_addc(&sb, '\\');
		sb_addc(&sb, *s);
	}
	return sb_detach(&sb);
}

const char *find_control_char(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return s;
	}
	return NULL;
}

int has_control_char(const char *s)
{
	return find_control_char(s) != NULL;
}

char *printable(const char *s)
{
	return escape(s, "", ESC_CONTROL | ESC_NAMED_NL | ESC_NAMED_TAB | ESC_UNICODE_CONTROL);
}

#define SH_PLAIN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=+,:@%"

void quote_sh_word(struct strbuf *sb, const char *w)
{
	if (*w && !w[strspn(w, SH_PLAIN)])
		sb_adds(sb, w);
	else
		quote_sh(sb, w);
}

char *quote_sh_words(char *const *words, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			sb_addc(&sb, ' ');
		quote_sh_word(&sb, words[i]);
	}
	return sb_detach(&sb);
}
