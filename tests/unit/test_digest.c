/* test_digest.c - unit tests of sha256: the standard's vectors, pieces, files, descriptors, errors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "error.h"
#include "util.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* FIPS 180-2, appendix B: "abc", and the two-block message; the empty string as sha256sum gives it. */
#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG_448 "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define SHA_448 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"

static char dir[] = "/tmp/cenv-digest-XXXXXX";

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return remove_tree(dir);
}

static char *put(const char *name, const char *text)
{
	char *path = path_join(dir, name);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	return path;
}

/* The digest of text fed in pieces of step bytes (0: in one update). */
static void digest_pieces(const char *text, size_t step, char out[DIGEST_HEX_SIZE])
{
	size_t len = strlen(text), at;
	struct digest d;

	assert_int_equal(digest_init(&d, "text"), 0);
	if (!step)
		step = len ? len : 1;
	for (at = 0; at < len; at += step)
		assert_int_equal(digest_update(&d, text + at, len - at < step ? len - at : step), 0);
	assert_int_equal(digest_final(&d, out), 0);
	digest_release(&d);
	digest_release(&d); /* twice is allowed */
}

static void test_vectors(void **state)
{
	char out[DIGEST_HEX_SIZE];
	struct digest d;

	(void)state;
	assert_int_equal(digest_init(&d, "nothing"), 0);
	assert_int_equal(digest_final(&d, out), 0);
	digest_release(&d);
	assert_string_equal(out, SHA_EMPTY);
	digest_pieces("abc", 0, out);
	assert_string_equal(out, SHA_ABC);
	digest_pieces(MSG_448, 0, out);
	assert_string_equal(out, SHA_448);
}

static void test_pieces(void **state)
{
	char one[DIGEST_HEX_SIZE], out[DIGEST_HEX_SIZE];
	static const size_t steps[] = { 1, 2, 3, 7, 55, 56, 57 };
	struct digest d;
	size_t i;

	(void)state;
	digest_pieces(MSG_448, 0, one);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		digest_pieces(MSG_448, steps[i], out);
		assert_string_equal(out, one);
	}
	/* empty updates change nothing */
	assert_int_equal(digest_init(&d, "abc"), 0);
	assert_int_equal(digest_update(&d, "", 0), 0);
	assert_int_equal(digest_update(&d, "ab", 2), 0);
	assert_int_equal(digest_update(&d, "", 0), 0);
	assert_int_equal(digest_update(&d, "c", 1), 0);
	assert_int_equal(digest_final(&d, out), 0);
	digest_release(&d);
	assert_string_equal(out, SHA_ABC);
}

static void test_file_and_fd(void **state)
{
	char *abc = put("abc", "abc"), *empty = put("empty", ""), out[DIGEST_HEX_SIZE];
	long long size = -1;
	int fd, pipefd[2];

	(void)state;
	assert_int_equal(digest_file(abc, out), 0);
	assert_string_equal(out, SHA_ABC);
	assert_int_equal(digest_file(empty, out), 0);
	assert_string_equal(out, SHA_EMPTY);
	fd = open(abc, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(digest_fd(fd, abc, out, &size), 0);
	assert_string_equal(out, SHA_ABC);
	assert_int_equal(size, 3);
	/* read to its end: a second call sees nothing left */
	assert_int_equal(digest_fd(fd, abc, out, &size), 0);
	assert_string_equal(out, SHA_EMPTY);
	assert_int_equal(size, 0);
	close(fd);
	/* not only files: a pipe, as a download would be */
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(write(pipefd[1], MSG_448, strlen(MSG_448)), (ssize_t)strlen(MSG_448));
	close(pipefd[1]);
	assert_int_equal(digest_fd(pipefd[0], "pipe", out, NULL), 0);
	assert_string_equal(out, SHA_448);
	close(pipefd[0]);
	free(abc);
	free(empty);
}

static void test_unreadable(void **state)
{
	char *missing = path_join(dir, "missing"), *want, out[DIGEST_HEX_SIZE];
	int fd;

	(void)state;
	assert_int_equal(digest_file(missing, out), -1);
	want = xasprintf("cannot open '%s': %s", missing, strerror(ENOENT));
	assert_string_equal(last_error(), want);
	free(want);
	/* a directory opens but cannot be read */
	assert_int_equal(digest_file(dir, out), -1);
	want = xasprintf("cannot read '%s': %s", dir, strerror(EISDIR));
	assert_string_equal(last_error(), want);
	free(want);
	fd = open(dir, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(digest_fd(fd, "the directory", out, NULL), -1);
	want = xasprintf("cannot read 'the directory': %s", strerror(EISDIR));
	assert_string_equal(last_error(), want);
	free(want);
	close(fd);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_file_and_fd),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
