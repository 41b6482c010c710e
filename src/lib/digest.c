/* digest.c - sha256 digests through libcrypto, which lazylib loads on first use. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lazylib.h"
#include "digest.h"
#include "error.h"
#include "util.h"

/* Read size for files: few system calls, and small enough for any thread's heap. */
#define HASH_CHUNK 65536

int digest_init(struct digest *d, const char *name)
{
	d->ctx = NULL;
	d->name = name;
	if (lazylib_crypto() < 0)
		return -1;
	d->ctx = EVP_MD_CTX_new();
	if (!d->ctx || !EVP_DigestInit_ex(d->ctx, EVP_sha256(), NULL)) {
		digest_release(d);
		return fail("cannot hash '%s': libcrypto has no sha256", name);
	}
	return 0;
}

int digest_update(struct digest *d, const void *data, size_t len)
{
	if (!d->ctx || !EVP_DigestUpdate(d->ctx, data, len))
		return fail("cannot hash '%s'", d->name);
	return 0;
}

int digest_final(struct digest *d, char out[DIGEST_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (!d->ctx || !EVP_DigestFinal_ex(d->ctx, md, &mdlen) || mdlen != 32)
		return fail("cannot hash '%s'", d->name);
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

void digest_release(struct digest *d)
{
	/* only a context was made: EVP_MD_CTX_free is NULL when libcrypto did not load */
	if (d->ctx)
		EVP_MD_CTX_free(d->ctx);
	d->ctx = NULL;
}

int digest_fd(int fd, const char *name, char out[DIGEST_HEX_SIZE], long long *size)
{
	struct digest d;
	long long total = 0;
	char *buf;
	int ret = -1;

	if (digest_init(&d, name) < 0)
		return -1;
	buf = xmalloc(HASH_CHUNK);
	for (;;) {
		ssize_t n = read_retry(fd, buf, HASH_CHUNK);

		if (n < 0) {
			fail_errno("cannot read '%s'", name);
			goto out;
		}
		if (n == 0)
			break;
		if (digest_update(&d, buf, (size_t)n) < 0)
			goto out;
		total += n;
	}
	if (digest_final(&d, out) < 0)
		goto out;
	if (size)
		*size = total;
	ret = 0;
out:
	digest_release(&d);
	free(buf);
	return ret;
}

int digest_file(const char *path, char out[DIGEST_HEX_SIZE])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return fail_errno("cannot open '%s'", path);
	ret = digest_fd(fd, path, out, NULL);
	close(fd);
	return ret;
}
