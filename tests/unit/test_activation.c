/* test_activation.c - unit tests of the activation rules: prepend, remove, environ arrays. */
#include <stdlib.h>
#include <string.h>

#include "activation.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static struct env_config cfg = { .version = "1", .prefix = "/e", .prompt = "p", .created = "t",
				  .command = "c" };

static const struct var_op *op_named(const struct activation *act, const char *name)
{
	size_t i;

	for (i = 0; i < act->nops; i++)
		if (!strcmp(act->ops[i].name, name))
			return &act->ops[i];
	return NULL;
}

static void check_apply(const struct var_op *op, const char *cur, const char *want)
{
	char *v = activation_apply(op, cur);

	if (want)
		assert_string_equal(v, want);
	else
		assert_null(v);
	free(v);
}

static void check_remove(const struct var_op *op, const char *cur, const char *want)
{
	char *v = activation_remove(op, cur);

	if (want)
		assert_string_equal(v, want);
	else
		assert_null(v);
	free(v);
}

static void test_prepend(void **state)
{
	struct activation act;

	(void)state;
	activation_init(&act, &cfg);
	check_apply(op_named(&act, "PATH"), NULL, "/e/bin");
	check_apply(op_named(&act, "PATH"), "", "/e/bin");
	check_apply(op_named(&act, "PATH"), "/usr/bin", "/e/bin:/usr/bin");
	check_apply(op_named(&act, "MANPATH"), NULL, "/e/share/man:/e/man:");
	check_apply(op_named(&act, "MANPATH"), "/m", "/e/share/man:/e/man:/m");
	check_apply(op_named(&act, "PKG_CONFIG_PATH"), NULL, "/e/lib/pkgconfig:/e/share/pkgconfig");
	check_apply(op_named(&act, "CENV"), "/old", "/e");
	assert_null(op_named(&act, "CC"));
	assert_null(op_named(&act, "PKG_CONFIG_LIBDIR"));
	activation_release(&act);
}

static void test_remove(void **state)
{
	struct activation act;

	(void)state;
	activation_init(&act, &cfg);
	check_remove(op_named(&act, "PATH"), "/e/bin:/usr/bin", "/usr/bin");
	check_remove(op_named(&act, "PATH"), "/added:/e/bin:/usr/bin", "/added:/usr/bin");
	check_remove(op_named(&act, "PATH"), "/e/bin", NULL);
	check_remove(op_named(&act, "PATH"), "/e/bin:/x:/e/bin", "/x:/e/bin"); /* only the first */
	check_remove(op_named(&act, "PATH"), "/e/binx:/y", "/e/binx:/y");
	check_remove(op_named(&act, "MANPATH"), "/e/share/man:/e/man:", NULL);
	check_remove(op_named(&act, "MANPATH"), "/e/share/man:/e/man:/m", "/m");
	check_remove(op_named(&act, "PKG_CONFIG_PATH"), "/e/lib/pkgconfig:/e/share/pkgconfig:/s", "/s");
	check_remove(op_named(&act, "CPATH"), "/a::/e/include:/b", "/a::/b");
	activation_release(&act);
}

static void test_isolated_cc(void **state)
{
	struct env_config iso = cfg;
	struct activation act;

	(void)state;
	iso.isolated = 1;
	iso.cc = "clang";
	activation_init(&act, &iso);
	check_apply(op_named(&act, "PKG_CONFIG_LIBDIR"), "/sys", "/e/lib/pkgconfig:/e/share/pkgconfig");
	check_apply(op_named(&act, "PKG_CONFIG_PATH"), "/user", NULL);
	check_apply(op_named(&act, "CC"), "gcc", "clang");
	activation_release(&act);
}

static void test_environ(void **state)
{
	struct env_config other = cfg;
	struct activation act, prev;
	char *envp[] = { "PATH=/o/bin:/usr/bin", "CPATH=/o/include", "HOME=/h", "CENV=/o", NULL };
	char **env;
	size_t i;
	int seen_home = 0, seen_cpath = 0, seen_path = 0, seen_cenv = 0;

	(void)state;
	other.prefix = "/o";
	activation_init(&act, &cfg);
	activation_init(&prev, &other);
	env = activation_environ(&act, &prev, envp);
	for (i = 0; env[i]; i++) {
		if (!strncmp(env[i], "PATH=", 5)) {
			assert_string_equal(env[i], "PATH=/e/bin:/usr/bin");
			seen_path++;
		}
		if (!strncmp(env[i], "CPATH=", 6)) {
			assert_string_equal(env[i], "CPATH=/e/include");
			seen_cpath = 1;
		}
		if (!strcmp(env[i], "HOME=/h"))
			seen_home = 1;
		if (!strncmp(env[i], "CENV=", 5)) {
			assert_string_equal(env[i], "CENV=/e");
			seen_cenv++;
		}
	}
	/* each exactly once: a variable dropped or put twice is a bug too */
	assert_int_equal(seen_path, 1);
	assert_int_equal(seen_cenv, 1);
	assert_true(seen_home && seen_cpath);
	environ_free(env);
	activation_release(&act);
	activation_release(&prev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepend),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_isolated_cc),
		cmocka_unit_test(test_environ),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
