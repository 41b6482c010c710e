/* config.c - DIR/cenv.cfg: what an environment is, written by create and read by every command. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "escape.h"
#include "inifile.h"
#include "readfile.h"
#include "util.h"

/*
 * Debian's inih reads lines of at most 200 bytes and strips "; comments" and
 * surrounding blanks.  So a value is escaped (\xHH for \ ; # " and control
 * bytes, and for blanks at either end) and a long one is cut into
 * continuation lines, which inih hands over piece by piece.
 */
#define CHUNK 120

/* What an INI reader would take for a comment, a quote or an escape, besides control bytes. */
#define INI_SPECIAL "\\;#\""

char *config_escape(const char *value, int escape_spaces)
{
	unsigned flags = ESC_CONTROL | ESC_EDGE_SPACE | (escape_spaces ? ESC_SPACE : 0);

	return escape(value, INI_SPECIAL, flags);
}

char *config_unescape(const char *text)
{
	return unescape(text, 0);
}

static void write_value(struct strbuf *out, const char *key, const char *value)
{
	char *esc = config_escape(value, 0);
	size_t len, at = 0;

	if (strlen(esc) <= CHUNK) {
		sb_addf(out, "%s = %s\n", key, esc);
		free(esc);
		return;
	}
	free(esc);
	esc = config_escape(value, 1);
	len = strlen(esc);
	sb_addf(out, "%s =", key);
	while (at < len) {
		size_t n = len - at < CHUNK ? len - at : CHUNK;
		size_t k;

		/* never cut a \xHH sequence in two */
		for (k = 1; k <= 3 && at + n < len && n > k; k++) {
			if (esc[at + n - k] == '\\') {
				n -= k;
				break;
			}
		}
		sb_addf(out, "%s%.*s\n", at ? "    " : " ", (int)n, esc + at);
		at += n;
	}
	free(esc);
}

int config_write(const char *path, const struct env_config *cfg, int fresh)
{
	return config_write_at(AT_FDCWD, path, path, cfg, fresh);
}

int config_write_at(int dir, const char *name, const char *shown, const struct env_config *cfg,
		    int fresh)
{
	struct strbuf out = STRBUF_INIT;
	int ret;

	sb_adds(&out, "; cenv.cfg: written by 'cenv create'; 'cenv create --upgrade' rewrites it.\n"
		      "[cenv]\n");
	write_value(&out, "version", cfg->version);
	write_value(&out, "prefix", cfg->prefix);
	write_value(&out, "created", cfg->created);
	write_value(&out, "prompt", cfg->prompt);
	if (cfg->cc)
		write_value(&out, "cc", cfg->cc);
	write_value(&out, "isolated", cfg->isolated ? "true" : "false");
	write_value(&out, "command", cfg->command);
	ret = fresh ? write_file_new_at(dir, name, shown, out.buf, out.len, 0644)
		    : write_file_atomic_at(dir, name, shown, out.buf, out.len, 0644);
	sb_release(&out);
	return ret;
}

struct reader {
	struct env_config *cfg;
	char *last_key;
};

static char **field(struct env_config *cfg, const char *key)
{
	if (!strcmp(key, "version"))
		return &cfg->version;
	if (!strcmp(key, "prefix"))
		return &cfg->prefix;
	if (!strcmp(key, "created"))
		return &cfg->created;
	if (!strcmp(key, "prompt"))
		return &cfg->prompt;
	if (!strcmp(key, "cc"))
		return &cfg->cc;
	if (!strcmp(key, "command"))
		return &cfg->command;
	return NULL;
}

static int on_value(void *user, const struct ini_item *it)
{
	struct reader *r = user;
	const char *key = it->key, *value = it->value;
	char **slot;
	char *joined;

	if (!key)
		return 0; /* a section header: its keys are checked */
	if (strcmp(it->section, "cenv"))
		return fail("%s:%d: unknown section [%s]", it->file, it->line, it->section);
	if (!value)
		return fail("%s:%d: malformed line", it->file, it->line);
	if (!strcmp(key, "isolated")) {
		r->cfg->isolated = !strcmp(value, "true");
		return 0;
	}
	slot = field(r->cfg, key);
	if (!slot) /* a newer cenv may add keys: keep reading */
		return 0;
	/* the same key again is a continuation line of a long value */
	if (*slot && r->last_key && !strcmp(r->last_key, key)) {
		joined = xasprintf("%s%s", *slot, value);
		free(*slot);
		*slot = joined;
	} else {
		free(*slot);
		*slot = xstrdup(value);
	}
	free(r->last_key);
	r->last_key = xstrdup(key);
	return 0;
}

static void unescape_in_place(char **slot)
{
	char *plain;

	if (!*slot)
		return;
	plain = config_unescape(*slot);
	free(*slot);
	*slot = plain;
}

int config_read(const char *path, struct env_config *cfg)
{
	struct reader r = { cfg, NULL };
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	/* cenv's own file: a planted symlink would pass another environment off as this one */
	ret = ini_read_file(path, READFILE_CFG_CAP, INIFILE_NOFOLLOW, on_value, &r);
	free(r.last_key);
	if (ret < 0) {
		config_release(cfg);
		return -1;
	}
	unescape_in_place(&cfg->version);
	unescape_in_place(&cfg->prefix);
	unescape_in_place(&cfg->created);
	unescape_in_place(&cfg->prompt);
	unescape_in_place(&cfg->cc);
	unescape_in_place(&cfg->command);
	if (!cfg->prefix || cfg->prefix[0] != '/' || !cfg->prompt || !cfg->version) {
		config_release(cfg);
		return fail("%s: not a cenv configuration (needs version, prefix and prompt)", path);
	}
	return 0;
}

void config_release(struct env_config *cfg)
{
	free(cfg->version);
	free(cfg->prefix);
	free(cfg->created);
	free(cfg->prompt);
	free(cfg->cc);
	free(cfg->command);
	memset(cfg, 0, sizeof(*cfg));
}
