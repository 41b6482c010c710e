/* test_template.c - unit tests of @PLACEHOLDER@ substitution and the built-in templates. */
#include <string.h>

#include "config.h"
#include "error.h"
#include "scripts.h"
#include "template.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

static void test_expand(void **state)
{
	const struct template_var vars[] = { { "A", "1" }, { "LONG_NAME2", "'x y'" } };
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(template_expand("@A@-@LONG_NAME2@ \"$@\" a@b @ @@ x@y.z@", "t", vars, 2, &out), 0);
	assert_string_equal(sb_str(&out), "1-'x y' \"$@\" a@b @ @@ x@y.z@");
	sb_release(&out);
}

static void test_unknown_placeholder(void **state)
{
	const struct template_var vars[] = { { "A", "1" } };
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(template_expand("x @MISSING@ y", "t.sh", vars, 1, &out), -1);
	assert_string_equal(last_error(), "template 't.sh': no value for @MISSING@");
	sb_release(&out);
}

static void test_builtin_templates(void **state)
{
	const char *names[] = { "activate.sh", "activate.fish", "activate.csh" };
	struct env_config cfg = { .version = "1", .prefix = "/p'q", .prompt = "pr$(x)",
				  .created = "t", .command = "c" };
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		struct strbuf out = STRBUF_INIT;

		assert_non_null(template_find(names[i]));
		assert_int_equal(scripts_render(&cfg, names[i], &out), 0);
		/* every placeholder was filled */
		assert_null(strstr(sb_str(&out), "@PREFIX@"));
		assert_null(strstr(sb_str(&out), "@ACTIVATE@"));
		assert_null(strstr(sb_str(&out), "@DEACTIVATE@"));
		sb_release(&out);
	}
	assert_null(template_find("nope"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_unknown_placeholder),
		cmocka_unit_test(test_builtin_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
