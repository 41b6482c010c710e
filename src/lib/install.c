/* install.c - one package through fetch, verify, unpack, build, stage and commit. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lazylib.h"
#include "manifest.h"
#include "build.h"
#include "digest.h"
#include "error.h"
#include "install.h"
#include "layout.h"
#include "quote.h"
#include "txn.h"
#include "unpack.h"
#include "util.h"

char *install_log_path(const char *prefix, const char *name)
{
	return xasprintf("%s/%s/logs/%s.log", prefix, LAYOUT_STATE, name);
}

/*
 * Opens an archive for reading: a regular file only (a FIFO would hang, and
 * could give other bytes on a second read).  -1 with fail().
 */
int open_archive(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return fail_errno("cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("'%s' is not a regular file", path);
	}
	return fd;
}

int verify_archive(const char *name, int fd, const char *archive, const char *expected,
		   char actual[DIGEST_HEX_SIZE])
{
	if (digest_fd(fd, archive, actual, NULL) < 0)
		return -1;
	if (expected && strcmp(expected, actual))
		return fail("%s: checksum mismatch for '%s': the manifest says %s, the file is %s",
			    name, archive, expected, actual);
	return 0;
}

static void fill_record(const struct install_source *src, const char *digest,
			enum build_system sys, struct record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->name = xstrdup(src->name);
	rec->version = src->version ? xstrdup(src->version) : NULL;
	rec->url = src->url ? xstrdup(src->url) : NULL;
	rec->sha256 = xstrdup(digest);
	/* the manifest's choice if it made one, so a changed entry is seen as one */
	rec->build = xstrdup(src->build ? src->build : build_system_name(sys));
	rec->args = src->nargs ? quote_sh_words(src->args, src->nargs) : NULL;
	rec->subdir = src->subdir ? xstrdup(src->subdir) : NULL;
	rec->depends = src->depends && *src->depends ? xstrdup(src->depends) : NULL;
}

/* The work area: DIR/var/cenv/work/NAME/{src,build,stage}, made fresh. */
static int make_work(const char *prefix, const char *name, char **work)
{
	static const char *const parts[] = { "src", "build", "stage" };
	size_t i;

	*work = xasprintf("%s/%s/work/%s", prefix, LAYOUT_STATE, name);
	if (remove_tree(*work) < 0 || mkdir_p(*work, 0755, NULL) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		char *dir = path_join(*work, parts[i]);
		int ret = mkdir(dir, 0755);

		if (ret < 0)
			fail_errno("cannot create '%s'", dir);
		free(dir);
		if (ret < 0)
			return -1;
	}
	return 0;
}

static int build_package(const struct install_env *env, const struct install_source *src,
			 const char *work, const char *srcdir, enum build_system *sys)
{
	struct build_request req = { 0 };
	char *builddir = path_join(work, "build"), *destdir = path_join(work, "stage");
	char *log = install_log_path(env->prefix, src->name);
	char *logdir = path_dirname(log);
	int ret = -1;

	if (src->build ? build_system_parse(src->build, sys) < 0 : build_detect(srcdir, sys) < 0) {
		fail_wrap("%s", src->name);
		goto out;
	}
	if (mkdir_p(logdir, 0755, NULL) < 0)
		goto out;
	if (truncate(log, 0) < 0 && errno != ENOENT) {
		fail_errno("cannot truncate '%s'", log);
		goto out;
	}
	req.name = src->name;
	req.prefix = env->prefix;
	req.src = srcdir;
	req.builddir = builddir;
	req.destdir = destdir;
	req.log_path = log;
	req.args = src->args;
	req.nargs = src->nargs;
	req.envp = env->envp;
	req.jobs = env->jobs;
	req.system = *sys;
	ret = build_run(&req);
out:
	free(builddir);
	free(destdir);
	free(log);
	free(logdir);
	return ret;
}

int install_package(const struct install_env *env, const struct install_source *src,
		    const struct record *old, struct record *installed, int *build_failed)
{
	struct unpack_options uopt = { 0 };
	struct unpack_result ures = { 0 };
	enum build_system sys;
	char *work = NULL, *unpacked = NULL, *stage_root = NULL;
	size_t staged;
	int fd, ret = -1;

	memset(installed, 0, sizeof(*installed));
	*build_failed = 0;
	/* the name becomes a directory under var/cenv/work: never "..", never a path */
	if (!valid_package_name(src->name))
		return fail("'%s' is not a package name", src->name);
	/*
	 * The unpacker hashes the very bytes it unpacks and checks them against the
	 * manifest's sha256 before it returns (unpack.c says why), so nothing built or
	 * installed comes from bytes other than the checked ones.
	 */
	fd = open_archive(src->archive);
	if (fd < 0)
		return -1;
	if (make_work(env->prefix, src->name, &work) < 0)
		goto out;
	unpacked = path_join(work, "src");
	uopt.subdir = src->subdir;
	uopt.sha256 = src->sha256;
	uopt.max_bytes = env->max_unpacked_size;
	uopt.size_option = "--max-unpacked-size";
	/* of WORK/src/TOP/REL, WORK/stage/PREFIX/REL and PREFIX/REL the staged one is longest */
	staged = strlen(work) + strlen("/stage") + strlen(env->prefix) + 1;
	uopt.max_path = staged < PATH_MAX - 2 ? PATH_MAX - 1 - staged : 1;
	if (unpack_archive_fd(fd, src->archive, unpacked, &uopt, &ures) < 0) {
		if (src->sha256 && ures.sha256[0] && strcmp(src->sha256, ures.sha256)) {
			free(error_take());
			fail("%s: checksum mismatch for '%s': the manifest says %s, the file is %s",
			     src->name, src->archive, src->sha256, ures.sha256);
		}
		goto out;
	}
	if (build_package(env, src, work, ures.srcdir, &sys) < 0) {
		*build_failed = 1;
		goto out;
	}
	stage_root = xasprintf("%s/stage%s", work, env->prefix);
	if (!is_dir(stage_root)) {
		fail("%s: the build installed nothing under %s", src->name, env->prefix);
		goto out;
	}
	fill_record(src, ures.sha256, sys, installed);
	if (record_scan(stage_root, installed) < 0)
		goto out;
	if (installed->nfiles == 0) {
		fail("%s: the build installed no files", src->name);
		goto out;
	}
	if (txn_commit(env->prefix, stage_root, installed, old) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		record_release(installed);
	/* the work area goes either way (the build log stays for a look); keep the first error */
	if (work) {
		char *msg = ret < 0 ? error_take() : NULL;

		remove_tree(work);
		/* and work/ itself once empty: a failed install leaves the tree as it was */
		{
			char *parent = path_dirname(work);

			rmdir(parent);
			free(parent);
		}
		if (msg)
			error_restore(msg);
	}
	unpack_result_release(&ures);
	close(fd);
	free(work);
	free(unpacked);
	free(stage_root);
	return ret;
}

int archive_topdir(const char *path, char **top)
{
	struct archive *a;
	struct archive_entry *entry;
	const char *name;
	int fd, ret = -1;

	*top = NULL;
	if (lazylib_archive() < 0)
		return -1;
	fd = open_archive(path);
	if (fd < 0)
		return -1;
	a = unpack_reader_new(); /* the formats the unpacker reads, no mtree */
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		unpack_open_failed(a, path);
		goto out;
	}
	if (archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		fail("cannot read '%s': %s", path,
		     archive_error_string(a) ? archive_error_string(a) : "it holds no entry");
		goto out;
	}
	name = archive_entry_pathname(entry);
	while (name && name[0] == '.' && name[1] == '/')
		name += 2;
	/* a package's files sit in one top directory, "name-version/" */
	if (!name || !*name || name[0] == '/' ||
	    (!strchr(name, '/') && archive_entry_filetype(entry) != AE_IFDIR)) {
		fail("'%s': cannot tell the package's name from its first entry", path);
		goto out;
	}
	*top = xasprintf("%.*s", (int)strcspn(name, "/"), name);
	ret = 0;
out:
	archive_read_free(a);
	close(fd);
	return ret;
}

void split_name_version(const char *top, char **name, char **version)
{
	const char *dash = NULL, *p;

	/* the last '-' followed by a digit: "zlib-1.2.13", "lib-foo-2.0" */
	for (p = top; *p; p++)
		if (*p == '-' && p[1] >= '0' && p[1] <= '9')
			dash = p;
	if (!dash || dash == top) {
		*name = xstrdup(top);
		*version = NULL;
		return;
	}
	*name = xasprintf("%.*s", (int)(dash - top), top);
	*version = xstrdup(dash + 1);
}
