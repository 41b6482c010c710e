/* test_scripts.c - unit tests of the activate scripts: written with their modes, sourced by real shells under an awkward prefix, run by mistake. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "error.h"
#include "scripts.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* A prefix a shell would mangle unless every use of it is quoted. */
#define AWKWARD "my env $HOME 'q' \"d\" `x` !y \xc3\xa9"

static char *base;
static struct env_config cfg;

static int setup(void **state)
{
	char tmpl[] = "/tmp/cenv-scripts-XXXXXX";
	char *bin, *conf;
	int r;

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	base = xstrdup(tmpl);
	memset(&cfg, 0, sizeof(cfg));
	cfg.prefix = path_join(base, AWKWARD);
	cfg.prompt = xstrdup("demo");
	cfg.version = xstrdup("0.1.0");
	bin = path_join(cfg.prefix, "bin");
	conf = path_join(cfg.prefix, "cenv.cfg");
	/* the scripts refuse a prefix without its cenv.cfg */
	r = mkdir_p(bin, 0755, NULL) == 0 && write_file_atomic(conf, "", 0, 0644) == 0 ? 0 : -1;
	free(bin);
	free(conf);
	/* what the child shells get: the prefix by name, and nothing of an active environment */
	setenv("P", cfg.prefix, 1);
	unsetenv("CENV");
	unsetenv("CPATH");
	unsetenv("_cenv_active");
	return r;
}

static int teardown(void **state)
{
	int ret;

	(void)state;
	unsetenv("P");
	ret = getenv("CENV_KEEP_TMP") ? 0 : remove_tree(base);
	free(base);
	config_release(&cfg);
	return ret;
}

static mode_t mode_of(const char *rel)
{
	char *path = path_join(cfg.prefix, rel);
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	free(path);
	return st.st_mode & 07777;
}

/* Runs cmd with /bin/sh -c; its stdout (stderr too when both) and exit status. */
static char *run(const char *cmd, int *status)
{
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *p = popen(cmd, "r");

	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		sb_add(&out, buf, n);
	*status = pclose(p);
	return sb_detach(&out);
}

static int have(const char *shell)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", shell);
	int r = system(cmd);

	free(cmd);
	return r == 0;
}

/* Written fresh: all three, bin/activate executable, the others not (the umask aside). */
static void test_write_modes(void **state)
{
	mode_t old = umask(022);
	int r = scripts_write(&cfg, 1);

	(void)state;
	umask(old);
	assert_int_equal(r, 0);
	assert_int_equal(mode_of("bin/activate"), 0755);
	assert_int_equal(mode_of("bin/activate.fish"), 0644);
	assert_int_equal(mode_of("bin/activate.csh"), 0644);
}

/* Fresh means new: over an existing script it fails and leaves it; not fresh, it replaces it. */
static void test_fresh_and_replace(void **state)
{
	char *path = path_join(cfg.prefix, "bin/activate"), *text = NULL;
	struct strbuf want = STRBUF_INIT;

	(void)state;
	assert_int_equal(write_file_atomic(path, "old\n", 4, 0755), 0);
	assert_int_equal(scripts_write(&cfg, 1), -1);
	assert_int_equal(read_file(path, &text, NULL), 0);
	assert_string_equal(text, "old\n");
	free(text);

	assert_int_equal(scripts_write(&cfg, 0), 0);
	assert_int_equal(read_file(path, &text, NULL), 0);
	assert_int_equal(scripts_render(&cfg, "activate.sh", &want), 0);
	assert_string_equal(text, sb_str(&want));
	assert_true(strncmp(text, "#!/bin/sh\n", 10) == 0);
	free(text);
	sb_release(&want);
	free(path);
}

static void test_render_unknown(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(scripts_render(&cfg, "activate.zsh", &out), -1);
	assert_string_equal(last_error(), "no built-in template 'activate.zsh'");
	assert_int_equal(scripts_render(&cfg, "bin/activate", &out), -1);
	assert_string_equal(last_error(), "no built-in template 'bin/activate'");
	sb_release(&out);
}

/* Sourced by a POSIX shell: CENV, PATH and CPATH set while active; deactivate restores them exactly. */
static void source_sh(const char *shell)
{
	char *cmd, *out, *want;
	const char *path = getenv("PATH");
	int status;

	assert_int_equal(scripts_write(&cfg, 0), 0);
	cmd = xasprintf("%s -c '. \"$P/bin/activate\" || exit 9\n"
			"printf \"%%s\\n\" \"$CENV\" \"${PATH%%%%:*}\" \"${CPATH-unset}\"\n"
			"deactivate\n"
			"printf \"%%s\\n\" \"${CENV-unset}\" \"${CPATH-unset}\" \"$PATH\"' 2>&1",
			shell);
	out = run(cmd, &status);
	want = xasprintf("%s\n%s/bin\n%s/include\nunset\nunset\n%s\n", cfg.prefix, cfg.prefix, cfg.prefix,
			 path ? path : "");
	assert_string_equal(out, want);
	assert_int_equal(status, 0);
	free(want);
	free(out);
	free(cmd);
}

static void test_source_sh(void **state)
{
	(void)state;
	source_sh("/bin/sh");
}

static void test_source_bash(void **state)
{
	(void)state;
	if (!have("bash")) {
		skip();
		return;
	}
	source_sh("bash");
}

/* Run instead of sourced: exit 2 and the line saying how to source it. */
static void test_run_not_sourced(void **state)
{
	char *out;
	int status;

	(void)state;
	assert_int_equal(scripts_write(&cfg, 0), 0);
	out = run("\"$P/bin/activate\" 2>&1", &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_true(strncmp(out, "cenv: bin/activate must be sourced, not run; use:\n    . ", 56) == 0);
	/* (the command shown holds the prefix unquoted: reported, not asserted) */
	assert_non_null(strstr(out, "/bin/activate\n"));
	free(out);
}

/* fish: CENV and the first PATH element while active, CENV gone after deactivate. */
static void test_source_fish(void **state)
{
	char *out, *want;
	int status;

	(void)state;
	if (!have("fish")) {
		skip();
		return;
	}
	assert_int_equal(scripts_write(&cfg, 0), 0);
	out = run("HOME=\"${TMPDIR:-/tmp}\" fish --no-config -c 'source \"$P/bin/activate.fish\"; or exit 9\n"
		  "printf \"%s\\n\" \"$CENV\" $PATH[1]\n"
		  "deactivate\n"
		  "set -q CENV; and echo set; or echo unset' 2>&1",
		  &status);
	want = xasprintf("%s\n%s/bin\nunset\n", cfg.prefix, cfg.prefix);
	assert_string_equal(out, want);
	assert_int_equal(status, 0);
	free(want);
	free(out);
}

/* A symlinked bin/ or script: refused by name, nothing written at the target, fresh or not. */
static void test_symlink_refused(void **state)
{
	char *bin = path_join(cfg.prefix, "bin"), *outside = path_join(base, "outside");
	char *script = path_join(cfg.prefix, "bin/activate.csh"), *message;

	(void)state;
	assert_int_equal(mkdir(outside, 0755), 0);
	assert_int_equal(remove_tree(bin), 0);
	assert_int_equal(symlink(outside, bin), 0);
	message = xasprintf("'%s' is a symbolic link; cenv will not write through it", bin);
	assert_int_equal(scripts_write(&cfg, 0), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(scripts_write(&cfg, 1), -1);
	assert_string_equal(last_error(), message);
	assert_int_equal(dir_is_empty(outside), 1);
	free(message);

	/* bin/ real, one script a symlink: refused too, not replaced */
	assert_int_equal(unlink(bin), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	assert_int_equal(symlink("../../outside/x", script), 0);
	message = xasprintf("'%s' is a symbolic link; cenv will not write through it", script);
	assert_int_equal(scripts_write(&cfg, 0), -1);
	assert_string_equal(last_error(), message);
	assert_true(path_exists(script) && !is_dir(script));
	assert_int_equal(dir_is_empty(outside), 1);
	free(message);
	free(script);
	free(outside);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fresh_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_sh, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_bash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_not_sourced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_fish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
