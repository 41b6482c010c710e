/* cmd-fetch.c - `cenv fetch`: every archive a manifest needs, downloaded and verified into the cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cenv.h"
#include "digest.h"
#include "downloads.h"
#include "error.h"
#include "fetch.h"
#include "manifest.h"
#include "report.h"
#include "util.h"

static int cmd_fetch(struct invocation *inv);

enum { OPT_FILE, DOWNLOADS_OPTIONS };
static const struct option_spec fetch_options[] = {
	[OPT_FILE] = { "file", 'f', 1, NULL },
	DOWNLOADS_OPTION_SPECS,
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_fetch_entry = {
	.name = "fetch",
	.usage = "[-f FILE] [--offline] [--timeout S] [--retries N] [--max-size SIZE]\n"
		 "                  [--mirror URL]... [--no-origin] [-q]",
	.summary = "download and verify the archives of a manifest into the download cache",
	.help = "  -f, --file FILE  the manifest (default: ./cenv.ini)\n"
		"  --offline        download nothing: say which archives the cache is missing\n"
		"                   (also CENV_OFFLINE=1)\n"
		DOWNLOADS_HELP_LIMITS
		DOWNLOADS_HELP_MIRRORS
		"\nNeeds no environment.  Local archives are checked, not copied.  Exits 1 when any\n"
		"archive could not be had (each is named).\n",
	.options = fetch_options,
	.min_operands = 0,
	.max_operands = 0,
	.extra = "unexpected operand '%s'",
	.flags = 0,
	.exec = cmd_fetch,
};

/* "1.2 MiB", "3.4 KiB": the size of the file at path, or "?" when it cannot be stat()ed. */
static void format_size(const char *path, char buf[SIZE_TEXT_MAX])
{
	struct stat st;

	if (stat(path, &st) < 0)
		snprintf(buf, SIZE_TEXT_MAX, "?");
	else
		size_text(buf, st.st_size);
}

/* A local archive: its sha256 checked where it is.  0, or -1 with fail(). */
static int check_local(const struct package_spec *p, const char *path)
{
	char hex[DIGEST_HEX_SIZE], size[SIZE_TEXT_MAX];

	if (digest_file(path, hex) < 0)
		return fail_wrap("%s", p->name);
	if (strcmp(hex, p->sha256))
		return fail("%s: checksum mismatch for '%s': the manifest says %s, the file is %s", p->name,
			    path, p->sha256, hex);
	format_size(path, size);
	printf("%s: local file %s (%s)\n", p->name, path, size);
	return 0;
}

/* A remote archive: the cache's, else downloaded into it.  0, or -1 with fail(). */
static int fetch_remote(struct downloads *d, const struct package_spec *p)
{
	char *path = NULL, *source = NULL, size[SIZE_TEXT_MAX];

	if (downloads_get_urls(d, p->name, (const char *const *)p->urls, p->nurls, p->sha256, &path,
			       &source) < 0)
		return -1;
	format_size(path, size);
	if (source) {
		char *shown = fetch_shown_url(source);

		printf("%s: downloaded from %s (%s)\n", p->name, shown, size);
		free(shown);
	} else {
		printf("%s: cached (%s)\n", p->name, size);
	}
	fflush(stdout);
	free(path);
	free(source);
	return 0;
}

static int cmd_fetch(struct invocation *inv)
{
	const char *file = inv->opts[OPT_FILE].value ? inv->opts[OPT_FILE].value : "cenv.ini";
	struct downloads d;
	struct manifest m;
	size_t i, failed = 0;
	int ret;

	if (manifest_load(file, &m) < 0)
		return -1;
	ret = downloads_from_options(&d, inv, OPT_OFFLINE);
	if (ret < 0)
		goto out;
	/* it says each package itself, downloaded or cached */
	d.announce = 0;
	downloads_add_mirrors(&d, m.mirrors);
	for (i = 0; i < m.npkgs; i++) {
		const struct package_spec *p = &m.pkgs[i];
		char *local = manifest_source_path(&m, p);

		ret = local ? check_local(p, local) : fetch_remote(&d, p);
		free(local);
		if (ret < 0) {
			report();
			failed++;
		}
	}
	ret = 0;
	if (failed)
		fprintf(stderr, "cenv: %zu of %zu archive%s %s\n", failed, m.npkgs, m.npkgs == 1 ? "" : "s",
			d.offline ? "not in the download cache (--offline)" : "could not be had");
out:
	downloads_release(&d);
	manifest_release(&m);
	return ret < 0 ? -1 : failed ? EXIT_FAIL : EXIT_OK;
}
