/* test_lazylib.c - unit tests of the lazily loaded libraries: every pointer filled, the very functions the linker gives, working, once across threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the real names: this test links libarchive and libcrypto itself, to compare */
#define LAZYLIB_IMPLEMENTATION
#include "error.h"
#include "lazylib.h"

/* after our headers: cmocka defines a fail() macro */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* Each pointer against the function the static linker resolved: the same library, the same symbol. */
#define SAME_AS_LINKED(name)                                                        \
	assert_non_null((void *)lazylib.name);                                      \
	assert_true((void (*)(void))lazylib.name == (void (*)(void))name);

static void test_archive(void **state)
{
	struct archive *a;

	(void)state;
	assert_int_equal(lazylib_archive(), 0);
	LAZYLIB_ARCHIVE_FUNCTIONS(SAME_AS_LINKED)
	/* and callable: an empty reader, freed */
	a = lazylib.archive_read_new();
	assert_non_null(a);
	assert_int_equal(lazylib.archive_read_support_format_all(a), ARCHIVE_OK);
	assert_int_equal(lazylib.archive_read_free(a), ARCHIVE_OK);
	/* a second call loads nothing again */
	assert_int_equal(lazylib_archive(), 0);
}

static void sha256_hex(const char *data, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	EVP_MD_CTX *ctx = lazylib.EVP_MD_CTX_new();

	assert_non_null(ctx);
	assert_int_equal(lazylib.EVP_DigestInit_ex(ctx, lazylib.EVP_sha256(), NULL), 1);
	assert_int_equal(lazylib.EVP_DigestUpdate(ctx, data, strlen(data)), 1);
	assert_int_equal(lazylib.EVP_DigestFinal_ex(ctx, md, &n), 1);
	lazylib.EVP_MD_CTX_free(ctx);
	assert_int_equal(n, 32);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void test_crypto(void **state)
{
	char hex[65];

	(void)state;
	assert_int_equal(lazylib_crypto(), 0);
	LAZYLIB_CRYPTO_FUNCTIONS(SAME_AS_LINKED)
	/* FIPS 180-2's "abc" example */
	sha256_hex("abc", hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(lazylib_crypto(), 0);
}

static void *load_both(void *arg)
{
	(void)arg;
	return (void *)(intptr_t)(lazylib_crypto() == 0 && lazylib_archive() == 0 ? 1 : 0);
}

/* First use from many threads at once: every one succeeds (run first, in a fresh process state). */
static void test_threads(void **state)
{
	pthread_t t[8];
	void *r;
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&t[i], NULL, load_both, NULL), 0);
	for (i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], &r), 0);
		assert_true(r == (void *)1);
	}
	assert_non_null((void *)lazylib.EVP_sha256);
	assert_non_null((void *)lazylib.archive_entry_symlink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_archive),
		cmocka_unit_test(test_crypto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
