/* manifest.c - parses and validates cenv.ini, read through inifile.c (inih). */
#define _XOPEN_SOURCE 700 /* POSIX.1-2008 with XSI, for realpath() */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "error.h"
#include "inifile.h"
#include "manifest.h"
#include "placeholder.h"
#include "quote.h"
#include "readfile.h"
#include "record.h"
#include "strvec.h"
#include "util.h"

/*
 * The lines go through inifile.c, which reads them with inih, counts them,
 * reports section headers, takes lines of any length and, flat, strips
 * leading blanks: an indented "key = value" is never appended to the
 * previous value as one of inih's multi-line values.
 */
struct parser {
	const char *file;      /* name for messages */
	int line;              /* the line of the item being read */
	struct manifest *m;
	size_t cap;            /* allocated m->pkgs */
	enum { IN_NONE, IN_CENV, IN_PACKAGE } in;
	int cenv_line;         /* line of [cenv], 0 when not seen */
	unsigned seen;         /* bit per key already given in this section */
};

static const char *const build_systems[] = {
	"autotools", "cmake", "meson", "make", "prebuilt",
};

static int error_at(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int error_at(struct parser *p, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail("%s:%d: %s", p->file, line, msg);
}

/* Our own character classes: the locale must not change what a manifest means. */
static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

void shell_words_free(char **words)
{
	strvec_free_array(words);
}

/* Double quotes keep backslash special only before these (XCU 2.2.3). */
static const char *double_quoted(const char *p, struct strbuf *word)
{
	while (*p && *p != '"') {
		if (p[0] == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
			if (p[1] != '\n')
				sb_addc(word, p[1]);
			p += 2;
		} else {
			sb_addc(word, *p++);
		}
	}
	return *p ? p + 1 : NULL;
}

/* The worker behind split_shell_words: *why says what is wrong, for any caller's message. */
static int split_words(const char *s, struct strvec *out, const char **why)
{
	struct strbuf word = STRBUF_INIT;
	int in_word = 0;
	const char *p = s;

	while (*p) {
		char c = *p++;

		if (c == ' ' || c == '\t' || c == '\n') {
			if (in_word)
				strvec_push_owned(out, sb_detach(&word));
			in_word = 0;
		} else if (c == '\\' && *p == '\n') {
			p++; /* a line continuation, which starts no word */
		} else if (c == '\\') {
			/* A trailing backslash stays, as sh does with "a\" at the end of -c text. */
			sb_addc(&word, *p ? *p++ : '\\');
			in_word = 1;
		} else if (c == '\'') {
			const char *close = strchr(p, '\'');

			if (!close) {
				*why = "unterminated single quote";
				goto fail;
			}
			sb_add(&word, p, (size_t)(close - p));
			p = close + 1;
			in_word = 1;
		} else if (c == '"') {
			p = double_quoted(p, &word);
			if (!p) {
				*why = "unterminated double quote";
				goto fail;
			}
			in_word = 1;
		} else {
			sb_addc(&word, c);
			in_word = 1;
		}
	}
	if (in_word)
		strvec_push_owned(out, sb_detach(&word));
	return 0;
fail:
	sb_release(&word);
	strvec_release(out);
	return -1;
}

int split_shell_words(const char *s, char ***words, size_t *n)
{
	struct strvec w = STRVEC_INIT;
	const char *why = NULL;

	if (split_words(s, &w, &why) < 0) {
		*words = NULL;
		*n = 0;
		return fail("%s", why);
	}
	*n = w.n;
	*words = strvec_detach(&w);
	return 0;
}

/* quote_sh_word's bare characters, and the braces of placeholders (split_words takes them as they are) */
static int bare_char(char c)
{
	return is_alnum(c) || (c && strchr("-_./=+,:@%{}", c));
}

char *manifest_words_text(char *const *words, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *w = words[i];
		size_t k = 0;

		if (i)
			sb_addc(&sb, ' ');
		while (bare_char(w[k]))
			k++;
		if ((*w && !w[k]) || !strcmp(w, MANIFEST_AND))
			sb_adds(&sb, w);
		else
			quote_sh_word(&sb, w);
	}
	return sb_detach(&sb);
}

int valid_package_name(const char *s)
{
	return record_name_ok(s); /* one rule: a package's name is its record's file name */
}

static struct package_spec *current(struct parser *p)
{
	return &p->m->pkgs[p->m->npkgs - 1];
}

static const char *section_name(struct parser *p)
{
	return p->in == IN_CENV ? "cenv" : current(p)->name;
}

/* "scheme://" at the start of url: the length of scheme, or 0 for a plain path. */
static size_t scheme_length(const char *url)
{
	size_t n = 0;

	if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
		return 0;
	while (is_alnum(url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
		n++;
	return strncmp(url + n, "://", 3) ? 0 : n;
}

static int is_scheme(const char *url, size_t len, const char *scheme)
{
	return len == strlen(scheme) && !strncasecmp(url, scheme, len);
}

static int set_version(struct parser *p, const char *value)
{
	current(p)->version = xstrdup(value);
	return 0;
}

/* One url of a list: a path, file:///path, http(s)://host...; -1 with the message. */
static int check_url(struct parser *p, const char *what, const char *value)
{
	size_t n = scheme_length(value);
	const char *rest = value + n + 3;

	if (n && is_scheme(value, n, "file") && rest[0] != '/')
		return error_at(p, p->line, "file url in [%s] must hold an absolute path: '%s'",
				section_name(p), value);
	if (n && (is_scheme(value, n, "http") || is_scheme(value, n, "https")) && !*rest)
		return error_at(p, p->line, "%s in [%s] names no host: '%s'", what, section_name(p), value);
	if (n && !is_scheme(value, n, "file") && !is_scheme(value, n, "http") &&
	    !is_scheme(value, n, "https"))
		return error_at(p, p->line, "unsupported %s scheme in [%s]: '%s'", what, section_name(p),
				value);
	return 0;
}

/* Words separated by blanks (no quoting: a url holds none, and a path with a blank cannot be one). */
static void split_blanks(const char *value, struct strvec *out)
{
	const char *s = value + strspn(value, " \t");

	while (*s) {
		size_t len = strcspn(s, " \t");

		strvec_push_owned(out, xasprintf("%.*s", (int)len, s));
		s += len;
		s += strspn(s, " \t");
	}
}

static int set_url(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;
	size_t i;

	split_blanks(value, &w);
	for (i = 0; i < w.n; i++) {
		if (check_url(p, "url", w.v[i]) < 0) {
			strvec_release(&w);
			return -1;
		}
	}
	pkg->url = xstrdup(value);
	pkg->nurls = w.n;
	pkg->urls = strvec_detach(&w);
	return 0;
}

/* Plain web directories holding files named by their sha256: http(s) only. */
static int set_mirrors(struct parser *p, const char *value)
{
	struct strvec w = STRVEC_INIT;
	size_t i;

	split_blanks(value, &w);
	for (i = 0; i < w.n; i++) {
		if (!manifest_url_is_remote(w.v[i])) {
			error_at(p, p->line, "a mirror must be an http:// or https:// url: '%s'", w.v[i]);
			strvec_release(&w);
			return -1;
		}
		if (check_url(p, "mirror", w.v[i]) < 0) {
			strvec_release(&w);
			return -1;
		}
	}
	shell_words_free(p->m->mirrors);
	p->m->nmirrors = w.n;
	p->m->mirrors = strvec_detach(&w);
	return 0;
}

static int set_sha256(struct parser *p, const char *value)
{
	char *copy;
	size_t i;

	for (i = 0; i < 64 && is_hex(value[i]); i++)
		;
	if (i != 64 || value[i])
		return error_at(p, p->line, "malformed sha256 in [%s]: expected 64 hex digits",
				section_name(p));
	/* Lowercase, so that whoever checks the digest compares with strcmp. */
	copy = xstrdup(value);
	for (i = 0; i < 64; i++)
		if (copy[i] >= 'A' && copy[i] <= 'F')
			copy[i] = (char)(copy[i] - 'A' + 'a');
	current(p)->sha256 = copy;
	return 0;
}

static int set_build(struct parser *p, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(build_systems) / sizeof(*build_systems); i++) {
		if (!strcmp(value, build_systems[i])) {
			current(p)->build = xstrdup(value);
			current(p)->build_line = p->line;
			return 0;
		}
	}
	return error_at(p, p->line,
			"unknown build '%s' in [%s] (expected autotools, cmake, meson, make or prebuilt)",
			value, section_name(p));
}

/*
 * The words of key's value into w, each checked for placeholders (of its value after
 * "NAME=" when skip_name); -1 with the message naming the file, line, key and section.
 */
static int build_words(struct parser *p, const char *key, const char *value, struct strvec *w)
{
	const char *why = NULL;
	size_t i;

	if (split_words(value, w, &why) < 0)
		return error_at(p, p->line, "bad %s in [%s]: %s", key, current(p)->name, why);
	for (i = 0; i < w->n; i++) {
		if (placeholder_check(w->v[i]) < 0) {
			char *msg = error_take();

			error_at(p, p->line, "bad %s in [%s]: %s", key, current(p)->name, msg);
			free(msg);
			strvec_release(w);
			return -1;
		}
	}
	return 0;
}

static int set_args(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;

	if (build_words(p, "args", value, &w) < 0)
		return -1;
	shell_words_free(pkg->args);
	pkg->nargs = w.n;
	pkg->args = strvec_detach(&w);
	return 0;
}

/* Commands separated by "&&" words, none of them empty. */
static int set_configure(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;
	size_t i;

	if (build_words(p, "configure", value, &w) < 0)
		return -1;
	for (i = 0; i < w.n; i++) {
		if (!strcmp(w.v[i], MANIFEST_AND) &&
		    (i == 0 || i == w.n - 1 || !strcmp(w.v[i - 1], MANIFEST_AND))) {
			strvec_release(&w);
			return error_at(p, p->line, "bad configure in [%s]: an empty command before or "
					"after '&&'", pkg->name);
		}
	}
	pkg->nconfigure = w.n;
	pkg->configure = strvec_detach(&w);
	pkg->configure_line = p->line;
	return 0;
}

int manifest_make_arg_ok(const char *word)
{
	const char *c;

	if (!strcmp(word, "--jobs") || !strncmp(word, "--jobs=", 7))
		return fail("make_args may not set the jobs ('%s'): the run's -j budget does (cenv install -j N)", word);
	if (word[0] != '-' || word[1] == '-')
		return 0;
	/* make's and ninja's short options, bundled ("-sj4"); those taking a value end the bundle */
	for (c = word + 1; *c && !strchr("CfIloWOdt", *c); c++)
		if (*c == 'j')
			return fail("make_args may not set the jobs ('%s'): the run's -j budget does (cenv install -j N)",
				    word);
	return 0;
}

static int set_make_args(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;
	size_t i;

	if (build_words(p, "make_args", value, &w) < 0)
		return -1;
	for (i = 0; i < w.n; i++) {
		if (manifest_make_arg_ok(w.v[i]) < 0) {
			char *why = error_take();

			strvec_release(&w);
			error_at(p, p->line, "%s", why);
			free(why);
			return -1;
		}
	}
	shell_words_free(pkg->make_args);
	pkg->nmake_args = w.n;
	pkg->make_args = strvec_detach(&w);
	pkg->make_args_line = p->line;
	return 0;
}

/* One make target: no blank, no quote, not an option. */
static int set_install_target(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);

	if (value[0] == '-' || value[strcspn(value, " \t'\"\\=")])
		return error_at(p, p->line, "install_target in [%s] must be one make target, not '%s'",
				pkg->name, value);
	pkg->install_target = xstrdup(value);
	pkg->install_target_line = p->line;
	return 0;
}

/* 1 when the len bytes at s are a variable's name: a letter or '_', then letters, digits, '_'. */
static int is_env_name(const char *s, size_t len)
{
	size_t i;

	if (!len || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < len; i++)
		if (!is_alnum(s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* NAME=VALUE words, each name once; DESTDIR is cenv's own (the install steps set it). */
static int set_env(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;
	size_t i, j;

	if (build_words(p, "env", value, &w) < 0)
		return -1;
	for (i = 0; i < w.n; i++) {
		const char *eq = strchr(w.v[i], '=');
		size_t len = eq ? (size_t)(eq - w.v[i]) : 0;

		if (!eq || !is_env_name(w.v[i], len)) {
			error_at(p, p->line, "bad env in [%s]: '%s' is not NAME=VALUE with a variable's name",
				 pkg->name, w.v[i]);
			goto bad;
		}
		if (len == 7 && !strncmp(w.v[i], "DESTDIR", 7)) {
			error_at(p, p->line, "bad env in [%s]: DESTDIR is set by cenv for the install step "
				 "(its value is {destdir})", pkg->name);
			goto bad;
		}
		for (j = 0; j < i; j++) {
			if (!strncmp(w.v[j], w.v[i], len + 1)) {
				error_at(p, p->line, "bad env in [%s]: %.*s is set twice", pkg->name, (int)len,
					 w.v[i]);
				goto bad;
			}
		}
	}
	shell_words_free(pkg->env);
	pkg->nenv = w.n;
	pkg->env = strvec_detach(&w);
	pkg->env_line = p->line;
	return 0;
bad:
	strvec_release(&w);
	return -1;
}

int manifest_subdir_ok(const char *s)
{
	if (*s == '/')
		return 0;
	while (*s) {
		size_t len = strcspn(s, "/");

		if (len == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		s += len;
		s += strspn(s, "/");
	}
	return 1;
}

static int set_subdir(struct parser *p, const char *value)
{
	if (!manifest_subdir_ok(value))
		return error_at(p, p->line, "subdir in [%s] must be a relative path without '..': '%s'",
				section_name(p), value);
	current(p)->subdir = xstrdup(value);
	return 0;
}

static int set_depends(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);
	struct strvec w = STRVEC_INIT;
	const char *s = value + strspn(value, ", \t");

	while (*s) {
		size_t len = strcspn(s, ", \t"), i;
		char *name = xasprintf("%.*s", (int)len, s);

		for (i = 0; i < w.n; i++) {
			if (!strcmp(w.v[i], name)) {
				error_at(p, p->line, "duplicate dependency '%s' in [%s]", name, pkg->name);
				free(name);
				strvec_release(&w);
				return -1;
			}
		}
		strvec_push_owned(&w, name);
		s += len;
		s += strspn(s, ", \t");
	}
	pkg->ndepends = w.n;
	pkg->depends = strvec_detach(&w);
	pkg->depends_line = p->line;
	return 0;
}

static int set_jobs(struct parser *p, const char *value)
{
	long n;

	errno = 0;
	n = value[strspn(value, "0123456789")] ? 0 : strtol(value, NULL, 10);
	if (n <= 0 || errno || n > INT_MAX)
		return error_at(p, p->line, "jobs must be a positive integer, not '%s'", value);
	p->m->jobs = (int)n;
	return 0;
}

/* yes/no, true/false, on/off, 1/0: *out 1 or 0; -1 otherwise. */
static int parse_bool(const char *value, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(value, yes[i]) || !strcmp(value, no[i])) {
			*out = !strcmp(value, yes[i]);
			return 0;
		}
	}
	return -1;
}

static int set_build_network(struct parser *p, const char *value)
{
	struct package_spec *pkg = current(p);

	if (parse_bool(value, &pkg->build_network) < 0)
		return error_at(p, p->line, "build_network in [%s] must be yes or no, not '%s'", pkg->name,
				value);
	return 0;
}

static int set_cenv_build_network(struct parser *p, const char *value)
{
	if (parse_bool(value, &p->m->build_network) < 0)
		return error_at(p, p->line, "build-network must be yes or no, not '%s'", value);
	return 0;
}

static int set_sandbox(struct parser *p, const char *value)
{
	if (sandbox_mode_parse(value, &p->m->sandbox) < 0) {
		free(error_take());
		return error_at(p, p->line, "sandbox must be auto, on or off, not '%s'", value);
	}
	p->m->sandbox_set = 1;
	return 0;
}

/* Absolute paths, without "..": what a build may write besides its work area. */
static int set_writable(struct parser *p, const char *value)
{
	struct strvec w = STRVEC_INIT;
	const char *why = NULL;
	size_t i;

	if (split_words(value, &w, &why) < 0)
		return error_at(p, p->line, "bad sandbox-writable: %s", why);
	for (i = 0; i < w.n; i++) {
		const char *s = w.v[i];
		int dotdot = 0;

		while (*s) {
			size_t len = strcspn(s, "/");

			dotdot |= len == 2 && s[0] == '.' && s[1] == '.';
			s += len;
			s += strspn(s, "/");
		}
		if (w.v[i][0] != '/' || dotdot || !strcmp(w.v[i], "/")) {
			error_at(p, p->line, "sandbox-writable must list absolute paths without '..', other "
				 "than /: '%s'", w.v[i]);
			strvec_release(&w);
			return -1;
		}
	}
	shell_words_free(p->m->writable);
	p->m->nwritable = w.n;
	p->m->writable = strvec_detach(&w);
	return 0;
}

struct key {
	const char *name;
	int may_be_empty; /* an empty list is a list; an empty url is a mistake */
	int (*set)(struct parser *, const char *);
};

static const struct key package_keys[] = {
	{ "version", 0, set_version },
	{ "url", 0, set_url },
	{ "sha256", 0, set_sha256 },
	{ "build", 0, set_build },
	{ "args", 1, set_args },
	{ "subdir", 0, set_subdir },
	{ "depends", 1, set_depends },
	{ "build_network", 0, set_build_network },
	{ "configure", 0, set_configure },
	{ "make_args", 1, set_make_args },
	{ "install_target", 0, set_install_target },
	{ "env", 1, set_env },
	{ NULL, 0, NULL },
};

static const struct key cenv_keys[] = {
	{ "jobs", 0, set_jobs },
	{ "sandbox", 0, set_sandbox },
	{ "build-network", 0, set_cenv_build_network },
	{ "sandbox-writable", 1, set_writable },
	{ "mirrors", 1, set_mirrors },
	{ NULL, 0, NULL },
};

/* A list of no words, NULL-terminated (never NULL: callers loop over it). */
static char **empty_words(void)
{
	char **w = xmalloc(sizeof(*w));

	w[0] = NULL;
	return w;
}

static int open_package(struct parser *p, const char *name)
{
	struct manifest *m = p->m;
	struct package_spec *pkg;
	size_t i;

	if (is_temp_name(name))
		return error_at(p, p->line, "invalid package name '%s': a name ending in %sDIGITS "
				"is kept for cenv's temporary files", name, TEMP_MARK);
	if (strlen(name) > RECORD_NAME_MAX)
		return error_at(p, p->line, "invalid package name '%.40s...': longer than %d bytes",
				name, RECORD_NAME_MAX);
	if (!valid_package_name(name))
		return error_at(p, p->line, "invalid package name '%s'", name);
	for (i = 0; i < m->npkgs; i++)
		if (!strcmp(m->pkgs[i].name, name))
			return error_at(p, p->line, "duplicate section [%s] (first at line %d)", name,
					m->pkgs[i].line);
	if (m->npkgs == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		m->pkgs = xrealloc(m->pkgs, p->cap * sizeof(*m->pkgs));
	}
	pkg = &m->pkgs[m->npkgs++];
	memset(pkg, 0, sizeof(*pkg));
	pkg->name = xstrdup(name);
	pkg->args = empty_words();
	pkg->make_args = empty_words();
	pkg->env = empty_words();
	pkg->line = p->line;
	p->in = IN_PACKAGE;
	return 0;
}

/* A [section] header: a package, or [cenv]. */
static int open_section(struct parser *p, const char *name)
{
	p->seen = 0;
	if (strcmp(name, "cenv"))
		return open_package(p, name);
	if (p->cenv_line)
		return error_at(p, p->line, "duplicate section [cenv] (first at line %d)", p->cenv_line);
	p->cenv_line = p->line;
	p->in = IN_CENV;
	return 0;
}

static const struct key *find_key(const struct key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (!strcmp(keys->name, name))
			return keys;
	return NULL;
}

/* The ini_fn: a section header or a key; -1 with the message on error. */
static int on_item(void *user, const struct ini_item *it)
{
	struct parser *p = user;
	const struct key *keys = p->in == IN_CENV ? cenv_keys : package_keys, *k;
	const char *name = it->key, *value = it->value;
	unsigned bit;

	p->line = it->line;
	if (!name)
		return open_section(p, it->section);
	if (!value)
		return error_at(p, p->line, "expected 'key = value'");
	if (p->in == IN_NONE)
		return error_at(p, p->line, "key '%s' outside any section", name);
	k = find_key(keys, name);
	if (!k)
		return error_at(p, p->line, "unknown key '%s' in [%s]", name, section_name(p));
	bit = 1u << (k - keys);
	if (p->seen & bit)
		return error_at(p, p->line, "duplicate key '%s' in [%s]", name, section_name(p));
	p->seen |= bit;
	if (!*value && !k->may_be_empty)
		return error_at(p, p->line, "empty value for '%s' in [%s]", name, section_name(p));
	/* a record could not hold it as typed, nor freeze write it back */
	if (has_control_char(value))
		return error_at(p, p->line, "the value of '%s' in [%s] holds a control character (byte %zu)",
				name, section_name(p), (size_t)(find_control_char(value) - value) + 1);
	return k->set(p, value);
}

/* The keys a build system named in the section has no use for: refused, not ignored. */
static int check_build_keys(struct parser *p, const struct package_spec *pkg)
{
	const char *b = pkg->build;
	int prebuilt = b && !strcmp(b, "prebuilt"), meson = b && !strcmp(b, "meson");

	if (!b)
		return 0;
	if (pkg->configure && (prebuilt || meson || !strcmp(b, "cmake")))
		return error_at(p, pkg->configure_line, "configure in [%s] is for autotools and make "
				"builds, not build = %s (line %d): use args", pkg->name, b, pkg->build_line);
	if (pkg->install_target && (prebuilt || meson))
		return error_at(p, pkg->install_target_line, "install_target in [%s] is for make and "
				"cmake builds, not build = %s (line %d)", pkg->name, b, pkg->build_line);
	if (prebuilt && pkg->make_args_line)
		return error_at(p, pkg->make_args_line, "make_args in [%s]: build = prebuilt (line %d) "
				"runs no make", pkg->name, pkg->build_line);
	if (prebuilt && pkg->env_line)
		return error_at(p, pkg->env_line, "env in [%s]: build = prebuilt (line %d) runs no build",
				pkg->name, pkg->build_line);
	return 0;
}

static int check_required(struct parser *p)
{
	size_t i;

	for (i = 0; i < p->m->npkgs; i++) {
		const struct package_spec *pkg = &p->m->pkgs[i];

		if (!pkg->url)
			return error_at(p, pkg->line, "missing 'url' in [%s]", pkg->name);
		if (!pkg->sha256)
			return error_at(p, pkg->line, "missing 'sha256' in [%s]", pkg->name);
		if (check_build_keys(p, pkg) < 0)
			return -1;
	}
	return 0;
}

static int resolve_depends(struct parser *p)
{
	struct manifest *m = p->m;
	size_t i, j;

	for (i = 0; i < m->npkgs; i++) {
		struct package_spec *pkg = &m->pkgs[i];

		pkg->dep_index = xmalloc(pkg->ndepends * sizeof(*pkg->dep_index));
		for (j = 0; j < pkg->ndepends; j++) {
			const struct package_spec *dep = manifest_find(m, pkg->depends[j]);

			if (!dep)
				return error_at(p, pkg->depends_line, "unknown dependency '%s' in [%s]",
						pkg->depends[j], pkg->name);
			if (dep == pkg)
				return error_at(p, pkg->depends_line, "[%s] depends on itself", pkg->name);
			pkg->dep_index[j] = (size_t)(dep - m->pkgs);
		}
	}
	return 0;
}

/* stack[0..depth) is the path being explored and target, on it, was reached again. */
static int report_cycle(struct parser *p, const size_t *stack, size_t depth, size_t target)
{
	const struct manifest *m = p->m;
	struct strbuf sb = STRBUF_INIT;
	size_t k = 0;

	while (stack[k] != target)
		k++;
	for (; k < depth; k++)
		sb_addf(&sb, "%s -> ", m->pkgs[stack[k]].name);
	sb_adds(&sb, m->pkgs[target].name);
	error_at(p, m->pkgs[target].depends_line, "dependency cycle: %s", sb_str(&sb));
	sb_release(&sb);
	return -1;
}

/* Depth-first search with an explicit stack, so a long chain cannot overflow ours. */
static int check_cycles(struct parser *p)
{
	const struct manifest *m = p->m;
	size_t n = m->npkgs, root, depth;
	size_t *stack = xmalloc(n * sizeof(*stack)), *edge = xmalloc(n * sizeof(*edge));
	unsigned char *state = xmalloc(n); /* 0 unseen, 1 on the stack, 2 done */
	int ret = 0;

	memset(state, 0, n);
	for (root = 0; root < n && !ret; root++) {
		if (state[root])
			continue;
		state[root] = 1;
		stack[0] = root;
		edge[0] = 0;
		depth = 1;
		while (depth && !ret) {
			const struct package_spec *v = &m->pkgs[stack[depth - 1]];
			size_t w;

			if (edge[depth - 1] == v->ndepends) {
				state[stack[--depth]] = 2;
				continue;
			}
			w = v->dep_index[edge[depth - 1]++];
			if (state[w] == 1) {
				ret = report_cycle(p, stack, depth, w);
			} else if (state[w] == 0) {
				state[w] = 1;
				stack[depth] = w;
				edge[depth++] = 0;
			}
		}
	}
	free(stack);
	free(edge);
	free(state);
	return ret;
}

/* Parses len bytes of text into m; takes dir.  On failure m is released. */
static int parse(const char *text, size_t len, const char *file, char *dir, struct manifest *m)
{
	struct parser p;
	int ret;

	memset(m, 0, sizeof(*m));
	memset(&p, 0, sizeof(p));
	m->path = xstrdup(file);
	m->dir = dir;
	p.file = file;
	p.m = m;
	ret = ini_parse_text(text, len, file, INIFILE_FLAT, on_item, &p);
	if (ret == 0 && (check_required(&p) < 0 || resolve_depends(&p) < 0 || check_cycles(&p) < 0))
		ret = -1;
	if (ret < 0)
		manifest_release(m);
	return ret;
}

int manifest_load(const char *path, struct manifest *m)
{
	char *text = NULL, *parent = NULL, *dir;
	size_t len;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	if (readfile(path, READFILE_CAP, 0, &text, &len) < 0)
		goto out;
	/* Resolved through symlinks, so "../x" in a url means what it means to the kernel. */
	parent = path_dirname(path);
	dir = realpath(parent, NULL);
	if (!dir) {
		fail_errno("cannot resolve '%s'", parent);
		goto out;
	}
	ret = parse(text, len, path, dir, m);
out:
	free(text);
	free(parent);
	return ret;
}

int manifest_parse_string(const char *text, const char *name, struct manifest *m)
{
	char *parent = path_dirname(name), *dir = path_absolute(parent);

	free(parent);
	if (!dir) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return parse(text, strlen(text), name, dir, m);
}

static void package_release(struct package_spec *pkg)
{
	free(pkg->name);
	free(pkg->version);
	free(pkg->url);
	shell_words_free(pkg->urls);
	free(pkg->sha256);
	free(pkg->build);
	free(pkg->subdir);
	shell_words_free(pkg->args);
	shell_words_free(pkg->configure);
	shell_words_free(pkg->make_args);
	free(pkg->install_target);
	shell_words_free(pkg->env);
	shell_words_free(pkg->depends);
	free(pkg->dep_index);
}

void manifest_release(struct manifest *m)
{
	size_t i;

	for (i = 0; i < m->npkgs; i++)
		package_release(&m->pkgs[i]);
	free(m->pkgs);
	shell_words_free(m->writable);
	shell_words_free(m->mirrors);
	free(m->path);
	free(m->dir);
	memset(m, 0, sizeof(*m));
}

static int all_taken(const struct package_spec *pkg, const unsigned char *taken)
{
	size_t j;

	for (j = 0; j < pkg->ndepends; j++)
		if (!taken[pkg->dep_index[j]])
			return 0;
	return 1;
}

int manifest_order(const struct manifest *m, size_t *order)
{
	unsigned char *taken = xmalloc(m->npkgs);
	size_t done, i;

	memset(taken, 0, m->npkgs);
	for (done = 0; done < m->npkgs; done++) {
		for (i = 0; i < m->npkgs; i++)
			if (!taken[i] && all_taken(&m->pkgs[i], taken))
				break;
		if (i == m->npkgs) {
			free(taken);
			return fail("%s: dependency cycle", m->path);
		}
		taken[i] = 1;
		order[done] = i;
	}
	free(taken);
	return 0;
}

const struct package_spec *manifest_find(const struct manifest *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->npkgs; i++)
		if (!strcmp(m->pkgs[i].name, name))
			return &m->pkgs[i];
	return NULL;
}

int manifest_url_is_remote(const char *url)
{
	size_t n = scheme_length(url);

	return n && (is_scheme(url, n, "http") || is_scheme(url, n, "https"));
}

char *manifest_url_path(const struct manifest *m, const char *url)
{
	size_t n = scheme_length(url);

	if (n && is_scheme(url, n, "file"))
		return xstrdup(url + n + 3);
	if (n)
		return NULL;
	if (url[0] == '/')
		return xstrdup(url);
	return path_join(m->dir, url);
}

char *manifest_source_path(const struct manifest *m, const struct package_spec *p)
{
	char *first = NULL;
	int remote = 0;
	size_t i;

	for (i = 0; i < p->nurls; i++) {
		char *path = manifest_url_path(m, p->urls[i]);

		if (!path) {
			remote = 1;
		} else if (path_exists(path)) {
			free(first);
			return path;
		} else if (!first) {
			first = path;
		} else {
			free(path);
		}
	}
	if (remote) {
		free(first);
		return NULL;
	}
	return first;
}
