/* naming.c - what `cenv add` and `cenv install PATH` call an archive: --name, --version, its top directory. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escape.h"
#include "install.h"
#include "manifest.h"
#include "naming.h"
#include "quote.h"
#include "record.h"
#include "util.h"

#define NAME_RULE "a letter or digit, then letters, digits, '.', '_', '+', '-'; at most %d bytes"

int check_package_name(const char *value)
{
	struct strbuf shown = STRBUF_INIT;

	if (valid_package_name(value))
		return 0;
	escape_name(&shown, value); /* as manifest_can_hold shows --version: one line, no control byte */
	fail("'%s' does not name a package (" NAME_RULE ")", sb_str(&shown), RECORD_NAME_MAX);
	sb_release(&shown);
	return -1;
}

int name_archive(const char *path, const char *operand, const char *name, const char *version,
		 char **out_name, char **out_version)
{
	char *top = NULL;

	*out_name = *out_version = NULL;
	if (archive_topdir(path, &top) < 0)
		return -1;
	split_name_version(top, out_name, out_version);
	if (name) {
		free(*out_name);
		*out_name = xstrdup(name);
	} else if (!valid_package_name(*out_name)) {
		char *shown = printable(top);

		fail("'%s': its top directory '%s' does not name a package (" NAME_RULE "): give --name",
		     operand, shown, RECORD_NAME_MAX);
		free(shown);
		free(top);
		free(*out_name);
		free(*out_version);
		*out_name = *out_version = NULL;
		return -1;
	}
	if (version) {
		free(*out_version);
		/* --version "": no version, as a top directory without one */
		*out_version = *version ? xstrdup(version) : NULL;
	}
	free(top);
	return 0;
}

int manifest_can_hold(const char *key, const char *v)
{
	size_t len = v ? strlen(v) : 0;
	struct strbuf shown = STRBUF_INIT;

	if (!v)
		return 0;
	if (!strstr(v, " ;") && !strstr(v, "\t;") && !has_control_char(v) &&
	    !(len && (isspace((unsigned char)v[0]) || isspace((unsigned char)v[len - 1]))))
		return 0;
	escape_name(&shown, v);
	fail("a manifest cannot hold the %s '%s' (a blank before ';' starts a comment, blanks at the "
	     "ends are dropped, a control character ends the line)", key, sb_str(&shown));
	sb_release(&shown);
	return -1;
}
