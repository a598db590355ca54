/*
 * totp.c - RFC 6238 codes, base32, otpauth:// URIs and recovery codes
 * (see totp.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/buf.h"
#include "crypto/sha1.h"
#include "crypto/totp.h"
#include "core/banned.h"

const char *
totp_alg_name(enum totp_alg alg)
{
	switch (alg) {
	case TOTP_SHA256: return "SHA256";
	case TOTP_SHA512: return "SHA512";
	case TOTP_SHA1: break;
	}
	return "SHA1";
}

int
totp_alg_parse(const char *name, enum totp_alg *alg, struct err *e)
{
	if (name != NULL && strcasecmp(name, "SHA1") == 0)
		*alg = TOTP_SHA1;
	else if (name != NULL && strcasecmp(name, "SHA256") == 0)
		*alg = TOTP_SHA256;
	else if (name != NULL && strcasecmp(name, "SHA512") == 0)
		*alg = TOTP_SHA512;
	else
		return err_set(e, ERR_USAGE, "algorithm '%.16s' is not valid: SHA1 (what every "
			       "authenticator app reads), SHA256 or SHA512", name ? name : "");
	return 0;
}

size_t
totp_secret_len(enum totp_alg alg)
{
	return alg == TOTP_SHA512 ? 64 : alg == TOTP_SHA256 ? 32 : 20;
}

int
totp_hmac(enum totp_alg alg, const unsigned char *key, size_t key_len,
	  const unsigned char *msg, size_t msg_len, unsigned char out[64], size_t *out_len)
{
	if (sodium_init() < 0)
		return -1;
	if (alg == TOTP_SHA256) {
		crypto_auth_hmacsha256_state st;

		crypto_auth_hmacsha256_init(&st, key, key_len);
		crypto_auth_hmacsha256_update(&st, msg, msg_len);
		crypto_auth_hmacsha256_final(&st, out);
		sodium_memzero(&st, sizeof(st));
		*out_len = crypto_auth_hmacsha256_BYTES;
	} else if (alg == TOTP_SHA512) {
		crypto_auth_hmacsha512_state st;

		crypto_auth_hmacsha512_init(&st, key, key_len);
		crypto_auth_hmacsha512_update(&st, msg, msg_len);
		crypto_auth_hmacsha512_final(&st, out);
		sodium_memzero(&st, sizeof(st));
		*out_len = crypto_auth_hmacsha512_BYTES;
	} else {
		hmac_sha1(key, key_len, msg, msg_len, out);
		*out_len = SHA1_BYTES;
	}
	return 0;
}

int64_t
totp_step(int64_t unix_s)
{
	/* floor, also before 1970 (no app lives there, but the maths is right) */
	return unix_s >= 0 ? unix_s / TOTP_PERIOD_S : -((-unix_s + TOTP_PERIOD_S - 1) / TOTP_PERIOD_S);
}

int
totp_code(enum totp_alg alg, const unsigned char *key, size_t key_len, int64_t step,
	  int digits, char out[9])
{
	static const uint32_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
					  100000000 };
	unsigned char msg[8], mac[64];
	size_t mac_len = 0, off;
	uint32_t bin;
	int i;

	out[0] = '\0';
	if (digits < 6 || digits > 8 || step < 0 || key == NULL)
		return -1;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)((uint64_t)step >> (56 - 8 * i));
	if (totp_hmac(alg, key, key_len, msg, sizeof(msg), mac, &mac_len) < 0)
		return -1;
	/* RFC 4226 5.3: the low nibble of the last byte picks 4 bytes */
	off = mac[mac_len - 1] & 0x0f;
	bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
	      (uint32_t)mac[off + 2] << 8 | (uint32_t)mac[off + 3];
	bin %= pow10[digits];
	for (i = digits - 1; i >= 0; i--, bin /= 10)
		out[i] = (char)('0' + bin % 10);
	out[digits] = '\0';
	sodium_memzero(mac, sizeof(mac));
	return 0;
}

/* The digits of s without spaces into out (TOTP_DIGITS + 1); -1 if not exactly that. */
static int
digits_of(const char *s, char out[TOTP_DIGITS + 1])
{
	size_t n = 0;

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == ' ')
			continue;
		if (*s < '0' || *s > '9' || n == TOTP_DIGITS)
			return -1;
		out[n++] = *s;
	}
	out[n] = '\0';
	return n == TOTP_DIGITS ? 0 : -1;
}

int
totp_is_code(const char *s)
{
	char d[TOTP_DIGITS + 1];

	return digits_of(s, d) == 0;
}

enum totp_result
totp_verify(enum totp_alg alg, const unsigned char *key, size_t key_len, int64_t now_s,
	    const char *code, int64_t last_step, int64_t *step)
{
	char typed[TOTP_DIGITS + 1], want[9];
	int64_t now = totp_step(now_s), matched = -1;
	int d;

	if (digits_of(code, typed) < 0)
		return TOTP_WRONG;
	/* all three, always: how long this takes does not depend on the code */
	for (d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
		int same;

		if (totp_code(alg, key, key_len, now + d, TOTP_DIGITS, want) < 0)
			continue;
		same = sodium_memcmp(typed, want, TOTP_DIGITS) == 0;
		/* the newest matching step wins: a code valid in two steps
		 * (a collision) counts as the later, never a replay */
		if (same)
			matched = now + d;
	}
	sodium_memzero(want, sizeof(want));
	sodium_memzero(typed, sizeof(typed));
	if (matched < 0)
		return TOTP_WRONG;
	if (matched <= last_step)
		return TOTP_REPLAYED;
	*step = matched;
	return TOTP_OK;
}

char *
totp_base32(const unsigned char *data, size_t len, char *out, size_t out_size)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	uint32_t acc = 0;
	size_t o = 0;
	int bits = 0;

	if (out_size < ((len * 8 + 4) / 5) + 1) {
		if (out_size > 0)
			out[0] = '\0';
		return out;
	}
	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = abc[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = abc[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	acc = 0;
	return out;
}

/* Percent-encode all but RFC 3986's unreserved characters. */
static int
pct(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (buf_append(b, s, 1) < 0)
				return -1;
		} else if (buf_appendf(b, "%%%02X", c) < 0) {
			return -1;
		}
	}
	return 0;
}

char *
totp_uri(const char *issuer, const char *account, enum totp_alg alg, const char *secret_b32)
{
	struct buf b;
	char *s;

	buf_init(&b, 4096);
	if (buf_append_str(&b, "otpauth://totp/") < 0 || pct(&b, issuer) < 0 ||
	    buf_append_str(&b, ":") < 0 || pct(&b, account) < 0 ||
	    buf_appendf(&b, "?secret=%s&issuer=", secret_b32) < 0 || pct(&b, issuer) < 0 ||
	    buf_appendf(&b, "&algorithm=%s&digits=%d&period=%d", totp_alg_name(alg), TOTP_DIGITS,
		       TOTP_PERIOD_S) < 0) {
		buf_release_secret(&b);
		return NULL;
	}
	s = strndup(b.data, b.len);
	buf_release_secret(&b);
	return s;
}

/* ---------------------------------------------------------------- recovery */

/* Crockford's base 32: no I, L, O, U (nothing to misread or spell) */
static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

int
totp_recovery_new(char out[TOTP_RECOVERY_SIZE])
{
	unsigned char raw[10];
	size_t o = 0;
	uint64_t acc = 0;
	int bits = 0;

	out[0] = '\0';
	if (sodium_init() < 0)
		return -1;
	randombytes_buf(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			if (o == 4 || o == 9 || o == 14)
				out[o++] = '-';
			out[o++] = crockford[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o] = '\0';
	sodium_memzero(raw, sizeof(raw));
	acc = 0;
	return 0;
}

int
totp_recovery_hash(int64_t user_id, const char *typed, char out[65])
{
	static const char ctx[] = "comradarr recovery code v1";
	char norm[17], uid[24];
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	size_t n = 0;

	out[0] = '\0';
	for (; typed != NULL && *typed != '\0'; typed++) {
		int c = tolower((unsigned char)*typed);

		if (c == '-' || c == ' ')
			continue;
		if (c == 'i' || c == 'l')
			c = '1';
		else if (c == 'o')
			c = '0';
		if (strchr(crockford, c) == NULL || c == '\0' || n == 16) {
			sodium_memzero(norm, sizeof(norm));
			return -1;
		}
		norm[n++] = (char)c;
	}
	if (n != 16 || sodium_init() < 0) {
		sodium_memzero(norm, sizeof(norm));
		return -1;
	}
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)ctx, sizeof(ctx));
	crypto_hash_sha256_update(&st, (const unsigned char *)uid, strlen(uid) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)norm, n);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(h, sizeof(h));
	return 0;
}
