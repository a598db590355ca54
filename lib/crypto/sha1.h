/*
 * sha1.h - SHA-1 (FIPS 180-4, RFC 3174) and HMAC-SHA-1 (RFC 2104), for one
 * use only: RFC 6238 TOTP codes, whose default (and the only algorithm
 * every authenticator app supports) is HMAC-SHA-1.  libsodium has no
 * SHA-1, so it is here.
 *
 * SHA-1's collision weakness does not touch HMAC-SHA-1 as a MAC keyed by a
 * secret (RFC 6194 section 3.3), which is how TOTP uses it.  Do not use
 * sha1() for anything else: token_sha256_hex() and libsodium are the
 * project's hashes.
 */
#ifndef COMRADARR_CRYPTO_SHA1_H
#define COMRADARR_CRYPTO_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_BYTES	20
#define SHA1_BLOCK	64

struct sha1_ctx {
	uint32_t h[5];
	uint64_t bytes;			/* message length so far */
	unsigned char block[SHA1_BLOCK];
	size_t used;			/* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *data, size_t len);
/* The digest; c is wiped afterwards. */
void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_BYTES]);
void sha1(const void *data, size_t len, unsigned char out[SHA1_BYTES]);

/* HMAC-SHA-1 of msg under key (any length; a key longer than a block is
 * hashed first, as RFC 2104 says).  Every intermediate is wiped. */
void hmac_sha1(const unsigned char *key, size_t key_len, const unsigned char *msg,
	       size_t msg_len, unsigned char out[SHA1_BYTES]);

#endif
