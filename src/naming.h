/* naming.h - what `cenv add` and `cenv install PATH` call an archive: --name, --version, its top directory. */
#ifndef CENV_NAMING_H
#define CENV_NAMING_H

/* An option_spec check for --name: a package's name (manifest.h's valid_package_name). */
int check_package_name(const char *value);

/*
 * The name and version of the archive at path (operand: as the user gave it, for messages):
 * from its top directory (split_name_version: "zlib-1.3.1"), each replaced by name or version
 * when given (non-NULL; a version of "" is none).  A name taken from the top directory that is
 * not a package's is refused, the message pointing at --name.  0, with *out_name and
 * *out_version (NULL when none) for the caller to free; or -1 with fail().
 */
int name_archive(const char *path, const char *operand, const char *name, const char *version,
		 char **out_name, char **out_version);

/*
 * 0 when a manifest can hold v (or v is NULL), as cenv freeze judges it; else -1 with fail()
 * naming key: inih cuts a value at " ;" (a comment) and trims blanks at its ends, and a control
 * character would end the line.
 */
int manifest_can_hold(const char *key, const char *v);

#endif
