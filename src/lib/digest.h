/* digest.h - sha256 digests: fed piece by piece, or of a whole file or descriptor. */
#ifndef CENV_DIGEST_H
#define CENV_DIGEST_H

#include <stddef.h>

/* A digest as text: 64 lowercase hex digits and a NUL. */
#define DIGEST_HEX_SIZE 65

/* libcrypto's EVP_MD_CTX, named without its header (libcrypto is loaded lazily). */
struct evp_md_ctx_st;

/*
 * A sha256 being computed.  Owned by whoever called digest_init: the context
 * is libcrypto's, freed by digest_release, which may also be called after a
 * failed digest_init, and twice.  name is borrowed (it must outlive the
 * digest) and only names the data in messages ("cannot hash 'NAME'").
 */
struct digest {
	struct evp_md_ctx_st *ctx;
	const char *name;
};

/* Starts a digest, loading libcrypto on first use; -1 with fail() (nothing to release then). */
int digest_init(struct digest *d, const char *name);
int digest_update(struct digest *d, const void *data, size_t len);
/* Writes the digest of everything fed into out; once, then only digest_release. */
int digest_final(struct digest *d, char out[DIGEST_HEX_SIZE]);
void digest_release(struct digest *d);

/*
 * The digest of what fd holds from where it is to its end; name is for
 * messages.  size (unless NULL) gets the number of bytes read.  -1 with fail().
 */
int digest_fd(int fd, const char *name, char out[DIGEST_HEX_SIZE], long long *size);
/* The digest of the file at path; -1 with fail() naming it. */
int digest_file(const char *path, char out[DIGEST_HEX_SIZE]);

#endif
