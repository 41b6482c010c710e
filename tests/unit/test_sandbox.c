/* test_sandbox.c - unit tests of the sandbox: its modes, its bwrap words, the compiler tools it
 * recognises, and how bwrap is found. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "strvec.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_modes(void **state)
{
	enum sandbox_mode m = SANDBOX_OFF;

	(void)state;
	assert_int_equal(sandbox_mode_parse("auto", &m), 0);
	assert_int_equal(m, SANDBOX_AUTO);
	assert_int_equal(sandbox_mode_parse("on", &m), 0);
	assert_int_equal(m, SANDBOX_ON);
	assert_int_equal(sandbox_mode_parse("yes", &m), 0);
	assert_int_equal(m, SANDBOX_ON);
	assert_int_equal(sandbox_mode_parse("off", &m), 0);
	assert_int_equal(m, SANDBOX_OFF);
	assert_int_equal(sandbox_mode_parse("0", &m), 0);
	assert_int_equal(m, SANDBOX_OFF);
	assert_int_equal(sandbox_mode_parse("On", &m), -1);
	assert_int_equal(sandbox_mode_parse("", &m), -1);
	assert_string_equal(sandbox_mode_name(SANDBOX_ON), "on");
}

/* The index of word in v after from, or -1. */
static long find_from(const struct strvec *v, const char *word, size_t from)
{
	size_t i;

	for (i = from; i < v->n; i++)
		if (!strcmp(v->v[i], word))
			return (long)i;
	return -1;
}

static void test_words(void **state)
{
	struct sandbox sb;
	struct strvec w = STRVEC_INIT;
	long tmpfs, ro, rw, chdir_at;

	(void)state;
	sandbox_init(&sb, "/usr/bin/bwrap");
	sandbox_allow_write(&sb, "/tmp/e/var/cenv/work/z");
	sandbox_allow_write(&sb, "/tmp/e/var/cenv/work/z/src"); /* inside: dropped */
	sandbox_allow_write(&sb, "relative");                   /* not absolute: dropped */
	sandbox_keep_visible(&sb, "/tmp");                      /* the tmpfs itself: never */
	sandbox_keep_visible(&sb, "/usr/bin");                  /* not under /tmp: visible anyway */
	sandbox_keep_visible(&sb, "/tmp/cenv-no-such-path-for-the-test"); /* absent: bwrap would refuse */
	assert_int_equal(sb.writable.n, 1);
	assert_int_equal(sb.visible.n, 0);
	sb.visible.n = 0;
	strvec_push(&sb.visible, "/tmp/e");
	sandbox_words(&sb, "/tmp/e/var/cenv/work/z/src", -1, NULL, &w);
	assert_string_equal(w.v[0], "/usr/bin/bwrap");
	/* no network, every namespace, no capabilities, a new session, killed with cenv */
	assert_true(find_from(&w, "--unshare-net", 0) > 0);
	assert_true(find_from(&w, "--unshare-pid", 0) > 0);
	assert_true(find_from(&w, "--die-with-parent", 0) > 0);
	assert_true(find_from(&w, "--new-session", 0) > 0);
	assert_true(find_from(&w, "ALL", (size_t)find_from(&w, "--cap-drop", 0)) > 0);
	/* the order of the mounts: / read-only, the tmpfs, what must stay visible on it, the work area */
	ro = find_from(&w, "--ro-bind", 0);
	assert_string_equal(w.v[ro + 1], "/");
	tmpfs = find_from(&w, "--tmpfs", 0);
	assert_string_equal(w.v[tmpfs + 1], "/tmp");
	ro = find_from(&w, "--ro-bind", (size_t)tmpfs);
	assert_true(ro > tmpfs);
	assert_string_equal(w.v[ro + 1], "/tmp/e");
	rw = find_from(&w, "--bind", 0);
	assert_true(rw > ro);
	assert_string_equal(w.v[rw + 1], "/tmp/e/var/cenv/work/z");
	assert_string_equal(w.v[rw + 2], "/tmp/e/var/cenv/work/z");
	chdir_at = find_from(&w, "--chdir", 0);
	assert_true(chdir_at > rw);
	assert_string_equal(w.v[chdir_at + 1], "/tmp/e/var/cenv/work/z/src");
	assert_string_equal(w.v[w.n - 1], "--");
	strvec_release(&w);

	sb.network = 1;
	sandbox_words(&sb, "/", -1, NULL, &w);
	assert_int_equal(find_from(&w, "--unshare-net", 0), -1);
	strvec_release(&w);
	sandbox_release(&sb);
}

/* Writable paths that would open the environment, the whole file system or the real /tmp are refused. */
static void test_refused_writes(void **state)
{
	struct sandbox sb;
	struct strvec w = STRVEC_INIT;

	(void)state;
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/e/var/cenv/work/z"), 0);
	assert_string_equal(sb.env, "/cenv-red/e");
	assert_int_equal(sandbox_allow_write(&sb, "//"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/./"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/tmp/"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/run"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/e/"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/e//lib"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/e/var/cenv/work/y"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/x/../e/lib"), -1);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/elsewhere"), 0);
	assert_int_equal(sandbox_allow_write(&sb, "/cenv-red/e/var/cenv/work/z/cache"), 0); /* in the work area */
	assert_int_equal(sb.writable.n, 2);
	assert_string_equal(sb.writable.v[1], "/cenv-red/elsewhere");
	/* "/tmp/" is /tmp: never bound again over the private one */
	sandbox_keep_visible(&sb, "/tmp/");
	sandbox_keep_visible(&sb, "/tmp/.");
	assert_int_equal(sb.visible.n, 0);
	sandbox_words(&sb, "/", -1, NULL, &w);
	/* /proc/sys read-only after the new /proc */
	assert_true(find_from(&w, "/proc/sys", (size_t)find_from(&w, "--proc", 0)) > 0);
	assert_string_equal(w.v[find_from(&w, "/proc/sys", 0) - 1], "--ro-bind");
	strvec_release(&w);
	sandbox_release(&sb);
}

/* A scratch directory for the tools' tests; caller removes it. */
static char *scratch(void)
{
	char *dir = xstrdup("/tmp/cenv-test-sandbox.XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void test_ccache_dirs(void **state)
{
	struct sandbox sb;
	struct strvec notes = STRVEC_INIT;
	char *dir = scratch(), *home = path_join(dir, "home"), *want;
	char *homevar = xasprintf("HOME=%s", home), *ccdir = xasprintf("CCACHE_DIR=%s/cc", dir);
	char *xdg = xasprintf("XDG_CACHE_HOME=%s/xdg", dir);
	char *env1[] = { "PATH=/usr/bin:/bin", "CC=ccache gcc", ccdir, homevar, NULL };
	char *env2[] = { "PATH=/usr/bin:/bin", "CC=/usr/bin/ccache cc", xdg, homevar, NULL };
	char *env3[] = { "PATH=/usr/bin:/bin", "CXX=sccache g++", homevar, NULL };
	char *env4[] = { "PATH=/usr/bin:/bin", "CC=gcc", homevar, NULL };

	(void)state;
	assert_int_equal(mkdir(home, 0755), 0);
	/* CCACHE_DIR names it; made if missing; writable; the network stays off */
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env1, &notes), 0);
	want = xasprintf("%s/cc", dir);
	assert_int_equal(sb.writable.n, 1);
	assert_string_equal(sb.writable.v[0], want);
	assert_true(is_dir(want));
	assert_int_equal(sb.network, 0);
	free(want);
	want = xasprintf("ccache: %s/cc is writable", dir);
	assert_int_equal(notes.n, 1);
	assert_string_equal(notes.v[0], want);
	free(want);
	sandbox_release(&sb);
	strvec_release(&notes);

	/* without it: XDG_CACHE_HOME/ccache */
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env2, &notes), 0);
	want = xasprintf("%s/xdg/ccache", dir);
	assert_int_equal(sb.writable.n, 1);
	assert_string_equal(sb.writable.v[0], want);
	free(want);
	sandbox_release(&sb);
	strvec_release(&notes);

	/* sccache: HOME/.cache/sccache, and the network (its server) */
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env3, &notes), 0);
	want = xasprintf("%s/.cache/sccache", home);
	assert_int_equal(sb.writable.n, 1);
	assert_string_equal(sb.writable.v[0], want);
	assert_int_equal(sb.network, 1);
	assert_int_equal(notes.n, 2);
	assert_string_equal(notes.v[1], "sccache: the network is allowed (its client talks to its server over TCP)");
	free(want);
	sandbox_release(&sb);
	strvec_release(&notes);

	/* a plain compiler: nothing writable, no network, nothing said (unless this machine's cc
	   on /usr/bin:/bin is itself a ccache, which a build machine's is not) */
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env4, &notes), 0);
	assert_int_equal(sb.writable.n, 0);
	assert_int_equal(sb.network, 0);
	assert_int_equal(notes.n, 0);
	sandbox_release(&sb);
	strvec_release(&notes);

	assert_int_equal(remove_tree(dir), 0);
	free(dir);
	free(home);
	free(homevar);
	free(ccdir);
	free(xdg);
}

static void test_distributed(void **state)
{
	struct sandbox sb;
	struct strvec notes = STRVEC_INIT;
	char *dir = scratch(), *distdir = xasprintf("DISTCC_DIR=%s/d", dir);
	char *env1[] = { "PATH=/usr/bin:/bin", "CC=distcc gcc", distdir, NULL };
	char *env2[] = { "PATH=/usr/bin:/bin", "DISTCC_HOSTS=localhost/2 10.0.0.2/8", distdir, NULL };
	char *env3[] = { "PATH=/usr/bin:/bin", "CC=icecc gcc", NULL };

	(void)state;
	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env1, &notes), 0);
	assert_int_equal(sb.network, 1);
	assert_int_equal(notes.n, 2);
	assert_string_equal(notes.v[1], "distcc: the network is allowed (it compiles on other hosts)");
	sandbox_release(&sb);
	strvec_release(&notes);

	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env2, &notes), 0);
	assert_int_equal(sb.network, 1);
	assert_string_equal(notes.v[notes.n - 1], "distcc: the network is allowed (DISTCC_HOSTS is set)");
	sandbox_release(&sb);
	strvec_release(&notes);

	sandbox_init(&sb, "/usr/bin/bwrap");
	assert_int_equal(sandbox_add_compiler_tools(&sb, env3, &notes), 0);
	assert_int_equal(sb.network, 1);
	assert_string_equal(notes.v[0], "icecc: the network is allowed (it compiles on other hosts)");
	sandbox_release(&sb);
	strvec_release(&notes);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
	free(distdir);
}

/* bwrap from PATH, never from inside the environment; a bwrap that fails says why */
static void test_probe(void **state)
{
	struct sandbox_probe p;
	char *dir = scratch(), *fake = path_join(dir, "bwrap"), *path;
	static const char script[] = "#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n";
	int fd = open(fake, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, sizeof(script) - 1), (ssize_t)(sizeof(script) - 1));
	close(fd);
	path = xasprintf("%s:/nonexistent", dir);
	assert_int_equal(sandbox_probe(&p, path, NULL), 1);
	assert_string_equal(p.bwrap, fake);
	assert_string_equal(p.why_not, "bwrap: setting up uid map: Permission denied");
	sandbox_probe_release(&p);
	/* the same directory inside the prefix: skipped */
	assert_int_equal(sandbox_probe(&p, path, dir), 1);
	assert_null(p.bwrap);
	assert_string_equal(p.why_not, "bwrap is not installed (not found on PATH: /nonexistent)");
	sandbox_probe_release(&p);
	free(path);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
	free(fake);
}

/* bwrap starts without the loader's variables; the command inside gets them back with --setenv. */
static void test_launch_env(void **state)
{
	char *env[] = { "PATH=/usr/bin", "LD_PRELOAD=./evil.so", "CFLAGS=-O2", "LD_LIBRARY_PATH=/opt/lib:",
			"GLIBC_TUNABLES=glibc.malloc.check=3", "GCONV_PATH=/x", "LDFLAGS=-L/y", "TMPDIR=/tmp/user/0", NULL };
	struct sandbox sb;
	struct strvec w = STRVEC_INIT;
	char **launch = sandbox_launch_env(env);
	long at;

	(void)state;
	assert_string_equal(launch[0], "PATH=/usr/bin");
	assert_string_equal(launch[1], "CFLAGS=-O2");
	assert_string_equal(launch[2], "LDFLAGS=-L/y"); /* LDFLAGS is the compiler's, not the loader's */
	assert_null(launch[3]);
	free(launch);

	sandbox_init(&sb, "/usr/bin/bwrap");
	sandbox_words(&sb, "/", -1, env, &w);
	at = find_from(&w, "LD_PRELOAD", 0);
	assert_true(at > 0);
	assert_string_equal(w.v[at - 1], "--setenv");
	assert_string_equal(w.v[at + 1], "./evil.so");
	at = find_from(&w, "LD_LIBRARY_PATH", 0);
	assert_true(at > 0 && !strcmp(w.v[at + 1], "/opt/lib:"));
	assert_true(find_from(&w, "GLIBC_TUNABLES", 0) > 0 && find_from(&w, "GCONV_PATH", 0) > 0);
	/* TMPDIR only once, the sandbox's own private /tmp: the user's is not handed back */
	at = find_from(&w, "TMPDIR", 0);
	assert_true(at > 0 && !strcmp(w.v[at + 1], "/tmp") && find_from(&w, "TMPDIR", (size_t)at + 1) < 0);
	assert_true(find_from(&w, "CFLAGS", 0) < 0 && find_from(&w, "PATH", 0) < 0);
	assert_true(find_from(&w, "LD_PRELOAD", 0) < find_from(&w, "--", 0));
	strvec_release(&w);
	sandbox_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_launch_env),
		cmocka_unit_test(test_refused_writes),
		cmocka_unit_test(test_ccache_dirs),
		cmocka_unit_test(test_distributed),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
