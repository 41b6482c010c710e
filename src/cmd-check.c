/* cmd-check.c - `cenv check`: every installed file against its record; missing, changed, unowned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cenv.h"
#include "error.h"
#include "escape.h"
#include "lock.h"
#include "report.h"
#include "verify.h"

static int cmd_check(struct invocation *inv);

enum { OPT_ENV, OPT_JSON };
static const struct option_spec check_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_JSON] = { "json", 0, 0, NULL },
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.usage = "[-e DIR] [--json]",
	.summary = "verify the installed files against their records: missing, changed, unowned",
	.help = "  -e, --env DIR   the environment (default: $CENV)\n"
		"  --json          one JSON object instead of lines\n"
		"\nExits 0 when everything matches, 1 when anything does not.\n",
	.options = check_options,
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected operand '%s'",
	.flags = CMD_ENV | CMD_READ,
	.exec = cmd_check,
};

/* ---- lines ----------------------------------------------------------------- */

/* A path or name on one line, as records write it: a backslash and control bytes as \xHH. */
static void put_text(const char *s)
{
	char *esc = escape(s, "\\", ESC_CONTROL);

	fputs(esc, stdout);
	free(esc);
}

static void put_what(unsigned what)
{
	unsigned bit;
	int first = 1;

	for (bit = 1; bit <= VERIFY_MODE; bit <<= 1) {
		if (!(what & bit))
			continue;
		printf("%s%s", first ? "" : ",", verify_what_name(bit));
		first = 0;
	}
}

static void print_line(const struct verify_finding *f)
{
	if (f->package) {
		put_text(f->package);
		fputs(": ", stdout);
	}
	switch (f->kind) {
	case VERIFY_DAMAGED:
		fputs("damaged record: ", stdout);
		put_text(f->message);
		break;
	case VERIFY_UNREADABLE:
		fputs("unreadable ", stdout);
		put_text(f->path);
		fputs(": ", stdout);
		put_text(f->message);
		break;
	case VERIFY_CHANGED:
		fputs("changed ", stdout);
		put_text(f->path);
		fputs(" (", stdout);
		put_what(f->what);
		putchar(')');
		break;
	default:
		printf("%s ", verify_kind_name(f->kind));
		put_text(f->path);
		break;
	}
	putchar('\n');
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_lines(const struct verify_result *res)
{
	size_t i;

	for (i = 0; i < res->nfindings; i++)
		print_line(&res->findings[i]);
	printf("%zu %s, %zu %s checked: ", res->npackages, plural(res->npackages, "package", "packages"),
	       res->nfiles, plural(res->nfiles, "file", "files"));
	if (res->nfindings)
		printf("%zu %s\n", res->nfindings, plural(res->nfindings, "problem", "problems"));
	else
		printf("everything matches\n");
}

/* ---- JSON ------------------------------------------------------------------ */

static void print_json(const struct verify_result *res)
{
	size_t i;

	printf("{\n  \"packages\": %zu,\n  \"files\": %zu,\n  \"problems\": %zu,\n  \"findings\": [",
	       res->npackages, res->nfiles, res->nfindings);
	for (i = 0; i < res->nfindings; i++) {
		const struct verify_finding *f = &res->findings[i];

		fputs(i ? ",\n    {" : "\n    {", stdout);
		printf("\"kind\": \"%s\", \"package\": ", verify_kind_name(f->kind));
		print_json_string(f->package);
		fputs(", \"path\": ", stdout);
		print_json_bytes(f->path); /* exactly: a backslash as \x5c, as the lines write it */
		if (f->kind == VERIFY_CHANGED) {
			unsigned bit;
			int first = 1;

			fputs(", \"what\": [", stdout);
			for (bit = 1; bit <= VERIFY_MODE; bit <<= 1) {
				if (!(f->what & bit))
					continue;
				printf("%s\"%s\"", first ? "" : ", ", verify_what_name(bit));
				first = 0;
			}
			putchar(']');
		}
		if (f->message) {
			fputs(", \"message\": ", stdout);
			print_json_string(f->message);
		}
		putchar('}');
	}
	printf("%s]\n}\n", res->nfindings ? "\n  " : "");
}

static int cmd_check(struct invocation *inv)
{
	struct verify_result res = VERIFY_RESULT_INIT;
	int status;

	/* what another cenv is committing right now would show as problems */
	if (inv->lock == LOCK_BUSY)
		fprintf(stderr, "cenv: another cenv process is changing '%s'; what it is changing may show as problems\n",
			inv->cfg.prefix);
	if (verify_env(inv->cfg.prefix, &res) < 0)
		return -1;
	if (inv->opts[OPT_JSON].given)
		print_json(&res);
	else
		print_lines(&res);
	status = res.nfindings ? EXIT_FAIL : EXIT_OK;
	verify_release(&res);
	return status;
}
