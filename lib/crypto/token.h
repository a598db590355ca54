/*
 * token.h - random tokens (session ids, API keys, CSRF tokens) and the
 * functions to store and compare them safely (Req 10.1, 34.1).
 *
 * Store only token_sha256_hex() of a session id or API key: a leaked
 * database row then does not let anyone log in.  A token of 32 random bytes
 * has 256 bits of entropy, so an unsalted fast hash is enough here (unlike
 * passwords, which need Argon2id).
 */
#ifndef COMRADARR_CRYPTO_TOKEN_H
#define COMRADARR_CRYPTO_TOKEN_H

#include <stddef.h>

#include <sodium.h>

/* Most random bytes one token may hold. */
#define TOKEN_MAX_BYTES	256
/* Buffer size token_random_b64url() needs for `bytes` random bytes (with NUL). */
#define TOKEN_B64URL_SIZE(bytes) \
	sodium_base64_ENCODED_LEN((bytes), sodium_base64_VARIANT_URLSAFE_NO_PADDING)

/*
 * Fill out (2 * bytes + 1 bytes) with `bytes` random bytes as lowercase hex
 * and a NUL.  Returns 0, or -1 when bytes is 0 or over TOKEN_MAX_BYTES or the
 * random source is unusable (out is then "").
 */
int token_random_hex(char *out, size_t bytes);

/*
 * Fill out (out_size bytes, at least TOKEN_B64URL_SIZE(bytes)) with `bytes`
 * random bytes as url-safe base64 without padding and a NUL: safe in URLs,
 * cookies and headers as is.  Returns 0 or -1 as token_random_hex() does, and
 * -1 when out_size is too small.
 */
int token_random_b64url(char *out, size_t out_size, size_t bytes);

/*
 * 1 when the two strings are equal, else 0, in time that depends on neither
 * content nor where they differ (both are hashed with SHA-256 and the hashes
 * compared in constant time).  NULL equals nothing.
 */
int token_equal(const char *a, const char *b);

/* SHA-256 of the token's bytes as 64 lowercase hex characters and a NUL. */
void token_sha256_hex(const char *token, char out[65]);

#endif
