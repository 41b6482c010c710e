/* cmd-install.c - `cenv install`: build and install a manifest's packages, or archives given by path. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "build.h"
#include "cenv.h"
#include "installrun.h"
#include "downloads.h"
#include "error.h"
#include "install.h"
#include "interrupt.h"
#include "manifest.h"
#include "naming.h"
#include "quote.h"
#include "record.h"
#include "report.h"
#include "sandbox.h"
#include "setup.h"
#include "txn.h"
#include "unpack.h"
#include "util.h"

static int check_install(const struct invocation *inv);
static int cmd_install(struct invocation *inv);

static int check_size(const char *value)
{
	uint64_t bytes;

	return unpack_parse_size(value, &bytes);
}

static int check_sandbox(const char *value)
{
	enum sandbox_mode mode;

	return sandbox_mode_parse(value, &mode);
}

/* --progress=auto (the default: a live display on a terminal, plain lines elsewhere), plain or json */
static int check_progress(const char *value)
{
	if (strcmp(value, "auto") && strcmp(value, "plain") && strcmp(value, "json"))
		return fail("--progress takes auto, plain or json, not '%s'", value);
	return 0;
}

enum { OPT_ENV, OPT_FILE, OPT_PRUNE, OPT_MAX_SIZE, OPT_SANDBOX, OPT_NETWORK, OPT_VERBOSE, OPT_STRICT,
       OPT_NAME, OPT_VERSION, OPT_PROGRESS, DOWNLOADS_OPTIONS };
static const struct option_spec install_options[] = {
	[OPT_ENV] = { "env", 'e', 1, NULL },
	[OPT_FILE] = { "file", 'f', 1, NULL },
	[OPT_PRUNE] = { "prune", 0, 0, NULL },
	[OPT_MAX_SIZE] = { "max-unpacked-size", 0, 1, check_size },
	[OPT_SANDBOX] = { "sandbox", 0, 1, check_sandbox },
	[OPT_NETWORK] = { "build-network", 0, 0, NULL },
	[OPT_VERBOSE] = { "verbose", 'v', 0, NULL },
	[OPT_STRICT] = { "strict", 0, 0, NULL },
	[OPT_NAME] = { "name", 0, 1, check_package_name },
	[OPT_VERSION] = { "version", 0, 1, NULL },
	[OPT_PROGRESS] = { "progress", 0, 1, check_progress },
	DOWNLOADS_OPTION_SPECS,
	{ NULL, 0, 0, NULL },
};

const struct cmd_entry cmd_install_entry = {
	.name = "install",
	.usage = "[-v] [-e DIR] [-f FILE] [--prune] [--max-unpacked-size SIZE] [--sandbox=MODE]\n"
		 "                    [--build-network] [--strict] [--offline] [--timeout S] [--retries N] [--max-size SIZE]\n"
		 "                    [--mirror URL]... [--no-origin] [-q] [--progress=MODE]\n"
		 "                    | [-v] [-e DIR] [options] [--name N] [--version V] PATH|URL...",
	.summary = "build and install the packages of a manifest (cenv.ini), or archives",
	.help = "  -e, --env DIR    the environment (default: $CENV)\n"
		"  -f, --file FILE  the manifest (default: ./cenv.ini)\n"
		"  --prune          uninstall packages that are no longer in the manifest\n"
		"  --max-unpacked-size SIZE\n"
		"                   refuse an archive whose files hold more than SIZE bytes\n"
		"                   (default 8G; K, M, G, T: 1K = 1024)\n"
		"  --sandbox=MODE   auto (the default): builds run in a bubblewrap sandbox when bwrap\n"
		"                   works here; on: never build without it; off: builds run as they are\n"
		"  --build-network  let builds reach the network (off in the sandbox by default)\n"
		"  --strict         fail a package whose build staged files outside the environment\n"
		"                   (by default they are named in a warning and left out)\n"
		"  -v, --verbose    say whether builds are sandboxed, and what each build may write;\n"
		"                   stream each build's output, its lines prefixed with the package\n"
		"  --offline        never connect: archives come from the download cache or not at all\n"
		"                   (also CENV_OFFLINE=1)\n"
		DOWNLOADS_HELP_LIMITS
		DOWNLOADS_HELP_MIRRORS
		"  --progress=MODE  auto (the default): a live display of every package on a terminal,\n"
		"                   plain lines elsewhere; plain: plain lines always; json: one JSON\n"
		"                   object per event on stderr (package, state, bytes, time)\n"
		"  --name N         with one PATH|URL: the package's name (default: from its top directory)\n"
		"  --version V      with one PATH|URL: its version (default: from its top directory)\n"
		"  PATH|URL...      install these archives, local or http(s) (name and version from their\n"
		"                   top directory)\n",
	.options = install_options,
	.min_operands = 0,
	.max_operands = -1,
	.flags = CMD_ENV | CMD_LOCK,
	.check = check_install,
	.exec = cmd_install,
};

static int check_install(const struct invocation *inv)
{
	if (inv->noperands && (inv->opts[OPT_FILE].given || inv->opts[OPT_PRUNE].given))
		return fail("archives on the command line go without -f and --prune");
	/* one name for several archives would make them one package, replacing each other */
	if ((inv->opts[OPT_NAME].given || inv->opts[OPT_VERSION].given) && inv->noperands != 1)
		return fail("--name and --version name one archive given on the command line%s",
			    inv->noperands ? "" : ", not a manifest's packages (their sections do)");
	/* recorded, and so written by cenv freeze: it must read back */
	return manifest_can_hold("version", inv->opts[OPT_VERSION].value);
}

/* Each failure is reported where it happens; the others go on, and the status says. */
static int cmd_install(struct invocation *inv)
{
	const char *file = inv->opts[OPT_FILE].value;
	struct install_run run;

	install_run_start(&run, &inv->cfg);
	if (inv->opts[OPT_MAX_SIZE].given) /* checked by check_size */
		unpack_parse_size(inv->opts[OPT_MAX_SIZE].value, &run.env.max_unpacked_size);
	run.sandbox_given = inv->opts[OPT_SANDBOX].given > 0;
	if (run.sandbox_given) /* checked by check_sandbox */
		sandbox_mode_parse(inv->opts[OPT_SANDBOX].value, &run.sandbox);
	run.env.build_network = inv->opts[OPT_NETWORK].given > 0;
	run.verbose = inv->opts[OPT_VERBOSE].given > 0;
	run.env.strict = inv->opts[OPT_STRICT].given > 0;
	run.name = inv->opts[OPT_NAME].value;
	run.version = inv->opts[OPT_VERSION].value;
	if (inv->opts[OPT_PROGRESS].given) { /* checked by check_progress */
		run.progress_json = !strcmp(inv->opts[OPT_PROGRESS].value, "json");
		run.progress_plain = !strcmp(inv->opts[OPT_PROGRESS].value, "plain");
	}
	if (downloads_from_options(&run.downloads, inv, OPT_OFFLINE) < 0) {
		install_run_finish(&run);
		return -1;
	}
	if (run.verbose)
		run.env.note = install_run_say_note;
	if (inv->noperands)
		install_run_paths(&run, inv->operands, inv->noperands);
	else
		install_run_manifest(&run, file ? file : "cenv.ini", inv->opts[OPT_PRUNE].given > 0);
	install_run_finish(&run);
	return run.failures ? EXIT_FAIL : EXIT_OK;
}
