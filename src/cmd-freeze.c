/* cmd-freeze.c - `cenv freeze`: a manifest that reinstalls exactly what is installed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "escape.h"
#include "quote.h"
#include "util.h"
#include "record.h"
#include "setup.h"

static int cmd_freeze(struct invocation *inv);

enum { OPT_ENV };
static const struct option_spec freeze_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_freeze_entry = {
	.name = "freeze",
	.usage = "[-e DIR]",
	.summary = "print a manifest (cenv.ini) that reinstalls exactly what is installed",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n",
	.options = freeze_options,
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected operand '%s'",
	.flags = CMD_ENV | CMD_READ,
	.exec = cmd_freeze,
};

static void print_key(const char *key, const char *value)
{
	/* inih takes " ;" for a comment, blank after '=' included: ";1.0" goes right after it */
	if (value && *value)
		printf("%s =%s%s\n", key, *value == ';' ? "" : " ", value);
}

static int print_section(const struct record *r, size_t index, void *data)
{
	(void)data;
	if (!r)
		return 0;
	if (index == 0)
		printf("; written by 'cenv freeze': reinstalls exactly what is installed\n");
	printf("\n[%s]\n", r->name);
	print_key("version", r->version);
	print_key("url", r->url);
	print_key("sha256", r->sha256);
	print_key("build", r->build);
	print_key("args", r->args);
	print_key("subdir", r->subdir);
	print_key("depends", r->depends);
	print_key("build_network", r->build_network);
	print_key("configure", r->configure);
	print_key("make_args", r->make_args);
	print_key("install_target", r->install_target);
	print_key("env", r->env);
	return 0;
}

/*
 * A value a manifest cannot hold: inih cuts it at " ;" (a comment) and trims
 * blanks at its ends.  Names were checked when installed.
 */
static const char *unwritable(const char *v)
{
	size_t len = v ? strlen(v) : 0;

	if (!v)
		return NULL;
	if (strstr(v, " ;") || strstr(v, "\t;") || has_control_char(v) ||
	    (len && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[len - 1]))))
		return v;
	return NULL;
}

static int check_section(const struct record *r, size_t index, void *data)
{
	const char *v;

	(void)index;
	(void)data;
	if (r && ((v = unwritable(r->version)) || (v = unwritable(r->url)) ||
		  (v = unwritable(r->args)) || (v = unwritable(r->subdir)) ||
		  (v = unwritable(r->configure)) || (v = unwritable(r->make_args)) ||
		  (v = unwritable(r->install_target)) || (v = unwritable(r->env)))) {
		struct strbuf shown = STRBUF_INIT;

		escape_name(&shown, v); /* one line, and not 8 KiB of it */
		fail("cannot freeze '%s': a manifest cannot hold the value '%s'", r->name, sb_str(&shown));
		sb_release(&shown);
		return -1;
	}
	return 0;
}

static int cmd_freeze(struct invocation *inv)
{
	/* checked before anything is printed: half a manifest would look whole */
	if (for_each_record(inv->cfg.prefix, check_section, NULL) < 0)
		return -1;
	return for_each_record(inv->cfg.prefix, print_section, NULL) < 0 ? -1 : EXIT_OK;
}
