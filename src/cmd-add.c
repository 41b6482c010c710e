/* cmd-add.c - `cenv add URL|PATH`: a new manifest section for an archive, its sha256 computed, then installed. */
#define _XOPEN_SOURCE 700 /* POSIX.1-2008 with XSI, for realpath() */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "cenv.h"
#include "digest.h"
#include "downloads.h"
#include "error.h"
#include "escape.h"
#include "install.h"
#include "installrun.h"
#include "interrupt.h"
#include "jobserver.h"
#include "manifest.h"
#include "naming.h"
#include "placeholder.h"
#include "quote.h"
#include "readfile.h"
#include "record.h"
#include "report.h"
#include "setup.h"
#include "unpack.h"
#include "util.h"

static int check_add(const struct invocation *inv);
static int cmd_add(struct invocation *inv);

static int check_build(const char *value)
{
	enum build_system sys;

	return build_system_parse(value, &sys);
}

/* As the manifest's subdir (and not empty: an empty --subdir would write no key). */
static int check_jobs(const char *value)
{
	int jobs;

	return jobserver_parse_jobs(value, &jobs);
}

static int check_subdir(const char *value)
{
	if (*value && manifest_subdir_ok(value))
		return 0;
	return fail("--subdir must be a relative path without '..', not '%s'", value);
}

/* Words as the manifest's build keys take them: shell quoting, well-formed placeholders. */
static int check_words(const char *option, const char *value)
{
	char **words;
	size_t n, i;

	if (split_shell_words(value, &words, &n) < 0)
		return fail_wrap("%s", option);
	for (i = 0; i < n; i++) {
		if (placeholder_check(words[i]) < 0) {
			shell_words_free(words);
			return fail_wrap("%s", option);
		}
	}
	shell_words_free(words);
	return 0;
}

static int check_args(const char *value) { return check_words("--args", value); }
static int check_configure(const char *value) { return check_words("--configure", value); }
static int check_make_args(const char *value)
{
	char **words;
	size_t n, i;

	if (check_words("--make-args", value) < 0 || split_shell_words(value, &words, &n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (manifest_make_arg_ok(words[i]) < 0) {
			shell_words_free(words);
			return fail_wrap("--make-args");
		}
	}
	shell_words_free(words);
	return 0;
}
static int check_build_env(const char *value) { return check_words("--build-env", value); }

/* The names of --depends, split as the manifest splits them (commas and blanks); caller frees. */
static char **split_depends(const char *value, size_t *n)
{
	char **v = xmalloc((strlen(value) / 2 + 2) * sizeof(*v));
	const char *s = value + strspn(value, ", \t");

	*n = 0;
	while (*s) {
		size_t len = strcspn(s, ", \t");

		v[(*n)++] = xasprintf("%.*s", (int)len, s);
		s += len;
		s += strspn(s, ", \t");
	}
	v[*n] = NULL;
	return v;
}

static int check_depends(const char *value)
{
	size_t n, i, j;
	char **v = split_depends(value, &n);
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		if (!valid_package_name(v[i]))
			ret = fail("--depends: '%s' does not name a package", v[i]);
		for (j = 0; j < i && ret == 0; j++)
			if (!strcmp(v[i], v[j]))
				ret = fail("--depends names '%s' twice", v[i]);
	}
	shell_words_free(v);
	return ret;
}

enum { OPT_ENV, OPT_FILE, OPT_NAME, OPT_VERSION, OPT_BUILD, OPT_ARGS, OPT_CONFIGURE, OPT_MAKE_ARGS,
       OPT_INSTALL_TARGET, OPT_BUILD_ENV, OPT_SUBDIR, OPT_DEPENDS, OPT_NO_INSTALL, OPT_STRICT,
       OPT_JOBS, DOWNLOADS_OPTIONS };
static const struct option_spec add_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_FILE] = { "file", 'f', 1, NULL },
	[OPT_NAME] = { "name", 0, 1, check_package_name },
	[OPT_VERSION] = { "version", 0, 1, NULL },
	[OPT_BUILD] = { "build", 0, 1, check_build },
	[OPT_ARGS] = { "args", 0, 1, check_args },
	[OPT_CONFIGURE] = { "configure", 0, 1, check_configure },
	[OPT_MAKE_ARGS] = { "make-args", 0, 1, check_make_args },
	[OPT_INSTALL_TARGET] = { "install-target", 0, 1, NULL },
	[OPT_BUILD_ENV] = { "build-env", 0, 1, check_build_env },
	[OPT_SUBDIR] = { "subdir", 0, 1, check_subdir },
	[OPT_DEPENDS] = { "depends", 0, 1, check_depends },
	[OPT_NO_INSTALL] = { "no-install", 0, 0, NULL },
	[OPT_STRICT] = { "strict", 0, 0, NULL },
	[OPT_JOBS] = { "jobs", 'j', 1, check_jobs },
	DOWNLOADS_OPTION_SPECS,
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_add_entry = {
	.name = "add",
	.usage = "[-f FILE] [-e DIR] [--name N] [--version V] [--build B] [--args \"...\"] [--subdir D]\n"
		 "                [--configure \"...\"] [--make-args \"...\"] [--install-target T] [--build-env \"...\"]\n"
		 "                [--depends A,B] [--no-install] [--strict] [-j N] [--offline] [--timeout S] [--retries N]\n"
		 "                [--max-size SIZE] [--mirror URL]... [--no-origin] [-q] URL|PATH",
	.summary = "add an archive to the manifest (cenv.ini) with its sha256, and install it",
	.help = "  -f, --file FILE  the manifest (default: ./cenv.ini; made when missing)\n"
		"  -e, --env DIR    the environment to install into (default: $CENV; none: only the\n"
		"                   manifest changes)\n"
		"  --name N         the section's name (default: from the archive's top directory)\n"
		"  --version V      its version (default: from the archive's top directory)\n"
		"  --build B        autotools, cmake, meson, make or prebuilt (default: detected)\n"
		"  --args \"...\"     words for the configure step, quoted as in a shell\n"
		"  --configure \"...\" the configure command instead of ./configure (its key configure;\n"
		"                   {prefix}, {destdir}, {jobs} as in cenv.ini(5))\n"
		"  --make-args \"...\" words for every make or ninja run (its key make_args)\n"
		"  --install-target T  make's install target (default: install)\n"
		"  --build-env \"...\" NAME=VALUE words for the build's environment (its key env)\n"
		"  --subdir D       the source tree's directory inside the archive\n"
		"  --depends A,B    packages of the manifest it depends on\n"
		"  --no-install     only write the manifest\n"
		"  --strict         the install fails if the build staged files outside the environment\n"
		"  -j, --jobs N     the install's budget: at most N compiler jobs at once (default: the\n"
		"                   manifest's [cenv] jobs, else the number of cores)\n"
		"  --offline        never connect (a URL cannot be added then; the install obeys it)\n"
		DOWNLOADS_HELP_LIMITS
		"  --mirror URL     for the install that follows: ask this web directory first, for\n"
		"                   URL/sha256/<sha256>; repeatable (a URL added is taken from itself:\n"
		"                   its sha256 is not known before)\n"
		"  --no-origin      for the install that follows: the mirrors only\n"
		"  -q, --quiet      no progress bar on a terminal\n"
		"  URL|PATH         an http(s) URL (downloaded into the cache) or a local archive\n",
	.options = add_options,
	.min_operands = 1,
	.max_operands = 1,
	.missing = "missing the archive to add (URL or PATH)",
	.extra = "one archive at a time: unexpected operand '%s'",
	/* CMD_LOCK without CMD_ENV: the environment is optional, cmd_add calls env_setup itself */
	.flags = CMD_LOCK,
	.check = check_add,
	.exec = cmd_add,
};

static int check_add(const struct invocation *inv)
{
	if (inv->opts[OPT_NO_INSTALL].given && inv->opts[OPT_ENV].given)
		return fail("-e and --no-install exclude each other");
	return 0;
}

/* ---- the values ---------------------------------------------------------------------------- */

/* What cenv add writes, all owned here. */
struct section {
	char *name, *version, *url, *sha256, *build, *args, *subdir, *depends;
	char *configure, *make_args, *install_target, *env;
};

static void section_release(struct section *s)
{
	free(s->name);
	free(s->version);
	free(s->url);
	free(s->sha256);
	free(s->build);
	free(s->args);
	free(s->subdir);
	free(s->depends);
	free(s->configure);
	free(s->make_args);
	free(s->install_target);
	free(s->env);
}

/* As cenv freeze writes a key: nothing when empty; ";1.0" right after '=' (inih's comments). */
static void add_key(struct strbuf *sb, const char *key, const char *value)
{
	if (value && *value)
		sb_addf(sb, "%s =%s%s\n", key, *value == ';' ? "" : " ", value);
}

static char *section_text(const struct section *s)
{
	struct strbuf sb = STRBUF_INIT;

	sb_addf(&sb, "[%s]\n", s->name);
	add_key(&sb, "version", s->version);
	add_key(&sb, "url", s->url);
	add_key(&sb, "sha256", s->sha256);
	add_key(&sb, "build", s->build);
	add_key(&sb, "args", s->args);
	add_key(&sb, "subdir", s->subdir);
	add_key(&sb, "depends", s->depends);
	add_key(&sb, "configure", s->configure);
	add_key(&sb, "make_args", s->make_args);
	add_key(&sb, "install_target", s->install_target);
	add_key(&sb, "env", s->env);
	return sb_detach(&sb);
}

/* A copy of v, or NULL when it is NULL or empty (an empty option writes no key). */
static char *nonempty(const char *v)
{
	return v && *v ? xstrdup(v) : NULL;
}

/* ---- the manifest as it is ------------------------------------------------------------------ */

/*
 * The manifest file: its bytes (NULL when there is none yet) and, loaded, its sections.
 * A symlink is refused: replacing it would cut the link, writing through it would change
 * a file the user did not name.
 */
struct current {
	char *text;
	size_t len;
	struct stat st;
	struct manifest m;
	int loaded;
};

static void current_release(struct current *c)
{
	free(c->text);
	if (c->loaded)
		manifest_release(&c->m);
	memset(c, 0, sizeof(*c));
}

static int current_read(const char *file, struct current *c)
{
	memset(c, 0, sizeof(*c));
	if (lstat(file, &c->st) < 0) {
		if (errno == ENOENT)
			return 0;
		return fail_errno("cannot read '%s'", file);
	}
	if (S_ISLNK(c->st.st_mode))
		return fail("'%s' is a symbolic link: cenv add does not write through it (give -f the file "
			    "it points to)", file);
	if (readfile(file, READFILE_CAP, READFILE_NOFOLLOW, &c->text, &c->len) < 0)
		return -1;
	if (manifest_load(file, &c->m) < 0)
		return -1;
	c->loaded = 1;
	return 0;
}

/* The name is new, and every dependency is a section: 0, or -1 with fail(). */
static int fits(const char *file, const struct current *c, const char *name, const char *depends)
{
	const struct package_spec *p = c->loaded ? manifest_find(&c->m, name) : NULL;
	char **deps;
	size_t n, i;
	int ret = 0;

	if (p)
		return fail("'%s' is already in %s (line %d): edit that section instead", name, file, p->line);
	if (!depends)
		return 0;
	deps = split_depends(depends, &n);
	for (i = 0; i < n && ret == 0; i++) {
		if (!strcmp(deps[i], name))
			ret = fail("[%s] cannot depend on itself", name);
		else if (!c->loaded || !manifest_find(&c->m, deps[i]))
			ret = fail("--depends: '%s' is not in %s", deps[i], file);
	}
	shell_words_free(deps);
	return ret;
}

/* ---- the archive ---------------------------------------------------------------------------- */

/*
 * The url to write for the local archive at path: relative to the manifest's directory
 * when the archive is inside it, else absolute, so that `cenv install -f FILE` finds it
 * from any directory (manifest.h resolves a relative url against the file's directory).
 * The directories are resolved (as manifest_load resolves the manifest's); the archive's
 * own name is kept.  Caller frees; NULL with fail().
 */
static char *local_url(const char *file, const char *path)
{
	char *mparent = path_dirname(file), *aparent = path_dirname(path), *base = path_basename(path);
	char *mdir = realpath(mparent, NULL), *adir = realpath(aparent, NULL), *abs = NULL, *url = NULL;
	size_t n;

	if (!mdir) {
		fail_errno("cannot resolve '%s'", mparent);
		goto out;
	}
	if (!adir) {
		fail_errno("cannot resolve '%s'", aparent);
		goto out;
	}
	abs = !strcmp(adir, "/") ? xasprintf("/%s", base) : path_join(adir, base);
	n = strcmp(mdir, "/") ? strlen(mdir) : 0;
	if (!strncmp(abs, mdir, n) && abs[n] == '/')
		url = xstrdup(abs + n + 1);
	else
		url = xstrdup(abs);
out:
	free(mparent);
	free(aparent);
	free(base);
	free(mdir);
	free(adir);
	free(abs);
	return url;
}

/*
 * The archive the operand names, into *archive (a local path: the cache's file for a URL)
 * and its sha256 into s->sha256, its url as the manifest will hold it into s->url.
 */
static int get_archive(struct downloads *d, const char *file, const char *operand, char **archive,
		       struct section *s)
{
	char sha[DIGEST_HEX_SIZE];

	*archive = NULL;
	if (downloads_is_remote(operand)) {
		char *label = downloads_url_label(operand), *base;
		int ret;

		if (d->offline) {
			free(label);
			return fail("--offline: cannot add '%s', whose sha256 is only known once it is "
				    "downloaded", operand);
		}
		/* the digest not known beforehand: kept in the cache as it comes, named by it */
		ret = downloads_get(d, label, operand, NULL, archive);
		free(label);
		if (ret < 0)
			return -1;
		base = path_basename(*archive);
		if (!dlcache_valid_hash(base)) {
			free(base);
			return fail("the download cache gave '%s', which is not named by a sha256", *archive);
		}
		s->sha256 = base;
		s->url = xstrdup(operand);
		return 0;
	}
	if (strstr(operand, "://") && strncmp(operand, "file://", 7))
		return fail("'%s': only http:// and https:// URLs and local archives can be added", operand);
	*archive = xstrdup(strncmp(operand, "file://", 7) ? operand : operand + 7);
	if (**archive != '/' && strncmp(operand, "file://", 7) == 0)
		return fail("'%s': a file url holds an absolute path", operand);
	if (access(*archive, R_OK) < 0)
		return fail_errno("cannot open '%s'", operand);
	if (digest_file(*archive, sha) < 0)
		return -1;
	s->sha256 = xstrdup(sha);
	s->url = local_url(file, *archive);
	return s->url ? 0 : -1;
}

/* The build system of the archive's tree (its subdir), unpacked in a directory of its own. */
static int detect_build(const char *archive, const struct section *s, char **build)
{
	const char *tmp = getenv("TMPDIR");
	struct unpack_options opt;
	struct unpack_result res = { 0 };
	enum build_system sys;
	char *dir = xasprintf("%s/cenv-add.XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	int ret = -1;

	if (!mkdtemp(dir)) {
		fail_errno("cannot make a directory in '%s' to unpack '%s'", tmp && *tmp == '/' ? tmp : "/tmp",
			   archive);
		free(dir);
		return -1;
	}
	memset(&opt, 0, sizeof(opt));
	opt.subdir = s->subdir;
	opt.sha256 = s->sha256;
	if (unpack_archive(archive, dir, &opt, &res) == 0) {
		if (build_detect(res.srcdir, &sys) == 0) {
			*build = xstrdup(build_system_name(sys));
			ret = 0;
		} else {
			/* build_detect says "this tree": the archive means more to the user */
			char *why = error_take();
			const char *rest = why ? strstr(why, "this tree: ") : NULL;

			fail("%s: cannot tell how to build '%s'%s%s (cenv add takes these keys as --subdir, "
			     "--configure, --make-args, --install-target and --build)", s->name, archive,
			     rest ? ": " : "", rest ? rest + 11 : "");
			free(why);
		}
	}
	unpack_result_release(&res);
	if (remove_tree(dir) < 0) {
		report(); /* a leftover in the temporary directory: said, and not fatal */
	}
	free(dir);
	return ret;
}

/* ---- the manifest written -------------------------------------------------------------------- */

/* The old bytes as they are, a newline if the last line has none, a blank line, the section. */
static char *new_text(const struct current *c, const char *section, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	if (c->len) {
		sb_add(&sb, c->text, c->len);
		if (c->text[c->len - 1] != '\n')
			sb_addc(&sb, '\n');
		if (!(sb.len >= 2 && sb.buf[sb.len - 2] == '\n') && !(sb.len == 1))
			sb_addc(&sb, '\n');
	}
	sb_adds(&sb, section);
	*len = sb.len;
	return sb_detach(&sb);
}

/* The new text reads back as a manifest holding exactly the section: a last guard. */
static int reads_back(const char *file, const char *text, const struct section *s)
{
	struct manifest m;
	const struct package_spec *p;
	int ret = -1;

	if (manifest_parse_string(text, file, &m) < 0)
		return fail_wrap("the new section would not read back");
	p = manifest_find(&m, s->name);
	if (p && !strcmp(p->url, s->url) && !strcmp(p->sha256, s->sha256) &&
	    (!s->version || (p->version && !strcmp(p->version, s->version))) &&
	    (!s->subdir || (p->subdir && !strcmp(p->subdir, s->subdir))) &&
	    (!s->build || (p->build && !strcmp(p->build, s->build))))
		ret = 0;
	else
		fail("the new section [%s] would not read back as written", s->name);
	manifest_release(&m);
	return ret;
}

/*
 * Replaces the file at path by data, atomically: a temporary file next to it, written,
 * given the old file's mode, fsync'd, renamed over it, and the directory fsync'd, so
 * that a crash leaves the old manifest or the new one, never half of either.
 */
static int write_manifest(const char *path, const char *data, size_t len, const struct current *c)
{
	char *dir = path_dirname(path), *base = path_basename(path), *tmp = NULL;
	int dfd, fd = -1, ret = -1;
	struct stat st;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fail_errno("cannot write '%s'", path);
		goto out;
	}
	tmp = xasprintf("%s" TEMP_MARK "%ld", base, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0) {
		fail_errno("cannot write '%s'", path);
		goto out;
	}
	if (write_all(fd, data, len, -1) < 0 || (c->text && fchmod(fd, c->st.st_mode & 07777) < 0) ||
	    fsync(fd) < 0) {
		fail_errno("cannot write '%s'", path);
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		fail_errno("cannot write '%s'", path);
		goto out;
	}
	fd = -1;
	/* a symlink put there since it was read is not replaced either */
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
		fail("'%s' is a symbolic link: cenv add does not write through it", path);
		goto out;
	}
	if (renameat(dfd, tmp, dfd, base) < 0) {
		fail_errno("cannot write '%s'", path);
		goto out;
	}
	free(tmp);
	tmp = NULL;
	fsync(dfd); /* the rename itself; a file system that cannot is no reason to fail */
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlinkat(dfd, tmp, 0);
	if (dfd >= 0)
		close(dfd);
	free(dir);
	free(base);
	free(tmp);
	return ret;
}

/* ---- the command ----------------------------------------------------------------------------- */

/* Has an environment to install into: -e, else a non-empty $CENV. */
static int has_environment(const struct invocation *inv)
{
	const char *active = getenv("CENV");

	if (inv->opts[OPT_NO_INSTALL].given) /* never, whatever $CENV says */
		return 0;
	return inv->opts[OPT_ENV].given || (active && *active);
}

static const char *opt(const struct invocation *inv, int i)
{
	return inv->opts[i].given ? inv->opts[i].value : NULL;
}

static int install_added(struct invocation *inv, const char *file, const char *name)
{
	struct install_run run;
	int failures;

	install_run_start(&run, &inv->cfg);
	run.env.strict = inv->opts[OPT_STRICT].given > 0;
	run.jobs_given = inv->opts[OPT_JOBS].given > 0;
	if (run.jobs_given) /* checked by check_jobs */
		jobserver_parse_jobs(inv->opts[OPT_JOBS].value, &run.env.jobs);
	if (downloads_from_options(&run.downloads, inv, OPT_OFFLINE) < 0) {
		install_run_finish(&run);
		return -1;
	}
	install_run_manifest(&run, file, 0);
	failures = run.failures;
	install_run_finish(&run);
	if (failures)
		fprintf(stderr, "cenv: [%s] stays in %s: once the cause is fixed, 'cenv install' installs it\n",
			name, file);
	return failures ? EXIT_FAIL : EXIT_OK;
}

static int cmd_add(struct invocation *inv)
{
	const char *file = inv->opts[OPT_FILE].given ? inv->opts[OPT_FILE].value : "cenv.ini";
	const char *operand = inv->operands[0];
	struct section s = { 0 };
	struct current c = { 0 };
	struct downloads d;
	char *archive = NULL, *section = NULL, *text = NULL;
	int install = has_environment(inv), ret = -1;
	size_t len;

	if (!*file)
		return fail("the manifest given with -f is empty");
	/* the environment first: a wrong -e changes nothing */
	if (install && env_setup(inv) < 0)
		return -1;
	/* what can be judged before a download: a name given, the dependencies, the values */
	if (current_read(file, &c) < 0)
		goto out;
	if (inv->opts[OPT_NAME].given && fits(file, &c, inv->opts[OPT_NAME].value, opt(inv, OPT_DEPENDS)) < 0)
		goto out;
	current_release(&c);
	if (manifest_can_hold("version", opt(inv, OPT_VERSION)) < 0 || manifest_can_hold("args", opt(inv, OPT_ARGS)) < 0 ||
	    manifest_can_hold("subdir", opt(inv, OPT_SUBDIR)) < 0 ||
	    manifest_can_hold("configure", opt(inv, OPT_CONFIGURE)) < 0 ||
	    manifest_can_hold("make_args", opt(inv, OPT_MAKE_ARGS)) < 0 ||
	    manifest_can_hold("install_target", opt(inv, OPT_INSTALL_TARGET)) < 0 ||
	    manifest_can_hold("env", opt(inv, OPT_BUILD_ENV)) < 0)
		goto out;

	/* (a URL added comes from itself: its sha256 is not known, so no mirror is asked) */
	if (downloads_from_options(&d, inv, OPT_OFFLINE) < 0)
		goto out;
	ret = get_archive(&d, file, operand, &archive, &s);
	downloads_release(&d);
	if (ret < 0)
		goto out;
	ret = -1;
	if (manifest_can_hold("url", s.url) < 0)
		goto out;
	if (name_archive(archive, operand, opt(inv, OPT_NAME), opt(inv, OPT_VERSION), &s.name, &s.version) < 0 ||
	    manifest_can_hold("version", s.version) < 0)
		goto out;
	if (opt(inv, OPT_SUBDIR))
		s.subdir = xstrdup(opt(inv, OPT_SUBDIR));
	s.args = nonempty(opt(inv, OPT_ARGS));
	s.configure = nonempty(opt(inv, OPT_CONFIGURE));
	s.make_args = nonempty(opt(inv, OPT_MAKE_ARGS));
	s.install_target = nonempty(opt(inv, OPT_INSTALL_TARGET));
	s.env = nonempty(opt(inv, OPT_BUILD_ENV));
	if (opt(inv, OPT_DEPENDS)) {
		size_t n, i;
		char **deps = split_depends(opt(inv, OPT_DEPENDS), &n);
		struct strbuf sb = STRBUF_INIT;

		for (i = 0; i < n; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", deps[i]);
		shell_words_free(deps);
		s.depends = n ? sb_detach(&sb) : NULL;
		sb_release(&sb);
	}
	if (opt(inv, OPT_BUILD))
		s.build = xstrdup(opt(inv, OPT_BUILD));
	else if (s.configure)
		; /* built as autotools with its own configure command: a tree detection may refuse */
	else if (detect_build(archive, &s, &s.build) < 0)
		goto out;
	if (interrupt_requested()) {
		say_interrupted("add", interrupt_requested(), ": %s was not changed", file);
		goto fail_said;
	}

	/* read again: the file as it is now is what gets the section */
	if (current_read(file, &c) < 0 || fits(file, &c, s.name, s.depends) < 0)
		goto out;
	section = section_text(&s);
	text = new_text(&c, section, &len);
	if (reads_back(file, text, &s) < 0 || write_manifest(file, text, len, &c) < 0)
		goto out;
	/* said once it is written: the digest it warns about is now the manifest's */
	if (!strncmp(operand, "http://", 7))
		fprintf(stderr, "cenv: warning: the sha256 of '%s' was taken from an unauthenticated download "
			"(http://): check it against one its publisher gives\n", operand);
	if (!install && !inv->opts[OPT_NO_INSTALL].given) {
		printf("added [%s] to %s; no environment to install it into (-e DIR, or activate one)\n",
		       s.name, file);
		ret = EXIT_OK;
		goto out;
	}
	printf("added [%s] to %s\n", s.name, file);
	fflush(stdout);
	ret = install ? install_added(inv, file, s.name) : EXIT_OK;
	goto out;
fail_said:
	ret = EXIT_FAIL;
out:
	current_release(&c);
	section_release(&s);
	free(archive);
	free(section);
	free(text);
	return ret;
}
