/*
 * token.c - random tokens and constant-time comparison (see token.h).
 */
#include <string.h>

#include <sodium.h>

#include "crypto/token.h"
#include "core/banned.h"

int
token_random_hex(char *out, size_t bytes)
{
	unsigned char raw[TOKEN_MAX_BYTES];

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (bytes == 0 || bytes > TOKEN_MAX_BYTES || sodium_init() < 0)
		return -1;
	randombytes_buf(raw, bytes);
	sodium_bin2hex(out, 2 * bytes + 1, raw, bytes);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int
token_random_b64url(char *out, size_t out_size, size_t bytes)
{
	unsigned char raw[TOKEN_MAX_BYTES];

	if (out == NULL || out_size == 0)
		return -1;
	out[0] = '\0';
	if (bytes == 0 || bytes > TOKEN_MAX_BYTES || out_size < TOKEN_B64URL_SIZE(bytes) ||
	    sodium_init() < 0)
		return -1;
	randombytes_buf(raw, bytes);
	sodium_bin2base64(out, out_size, raw, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int
token_equal(const char *a, const char *b)
{
	unsigned char ha[crypto_hash_sha256_BYTES], hb[crypto_hash_sha256_BYTES];
	int eq;

	if (a == NULL || b == NULL)
		return 0;
	/* Hashing first makes the comparison length-independent too. */
	crypto_hash_sha256(ha, (const unsigned char *)a, strlen(a));
	crypto_hash_sha256(hb, (const unsigned char *)b, strlen(b));
	eq = sodium_memcmp(ha, hb, sizeof(ha)) == 0;
	sodium_memzero(ha, sizeof(ha));
	sodium_memzero(hb, sizeof(hb));
	return eq;
}

void
token_sha256_hex(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)(token ? token : ""),
			   token ? strlen(token) : 0);
	sodium_bin2hex(out, 65, h, sizeof(h));
}
