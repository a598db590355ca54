/*
 * sha1.c - SHA-1 and HMAC-SHA-1 (see sha1.h), written from FIPS 180-4
 * section 6.1; checked against the RFC 3174 and FIPS test vectors in
 * tests/unit/test_totp.c.
 */
#include <string.h>

#include <sodium.h>

#include "crypto/sha1.h"
#include "core/banned.h"

static uint32_t
rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void
compress(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0];
	b = h[1];
	c = h[2];
	d = h[3];
	e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	sodium_memzero(w, sizeof(w));
}

void
sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
					0xc3d2e1f0 };

	memcpy(c->h, iv, sizeof(iv));
	c->bytes = 0;
	c->used = 0;
}

void
sha1_update(struct sha1_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->bytes += len;
	if (c->used > 0) {
		size_t n = SHA1_BLOCK - c->used < len ? SHA1_BLOCK - c->used : len;

		memcpy(c->block + c->used, p, n);
		c->used += n;
		p += n;
		len -= n;
		if (c->used < SHA1_BLOCK)
			return;
		compress(c->h, c->block);
		c->used = 0;
	}
	for (; len >= SHA1_BLOCK; p += SHA1_BLOCK, len -= SHA1_BLOCK)
		compress(c->h, p);
	if (len > 0) {
		memcpy(c->block, p, len);
		c->used = len;
	}
}

void
sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_BYTES])
{
	uint64_t bits = c->bytes * 8;
	unsigned char pad[SHA1_BLOCK + 8];
	size_t n;
	int i;

	/* 0x80, zeros up to 56 mod 64, the length in bits big-endian */
	n = c->used < 56 ? 56 - c->used : 120 - c->used;
	memset(pad, 0, sizeof(pad));
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[n + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1_update(c, pad, n + 8);
	for (i = 0; i < 5; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	sodium_memzero(c, sizeof(*c));
}

void
sha1(const void *data, size_t len, unsigned char out[SHA1_BYTES])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, data, len);
	sha1_final(&c, out);
}

void
hmac_sha1(const unsigned char *key, size_t key_len, const unsigned char *msg, size_t msg_len,
	  unsigned char out[SHA1_BYTES])
{
	unsigned char k[SHA1_BLOCK], pad[SHA1_BLOCK], inner[SHA1_BYTES];
	struct sha1_ctx c;
	int i;

	memset(k, 0, sizeof(k));
	if (key_len > SHA1_BLOCK)
		sha1(key, key_len, k);
	else if (key_len > 0)
		memcpy(k, key, key_len);
	for (i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, msg, msg_len);
	sha1_final(&c, inner);
	for (i = 0; i < SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, inner, sizeof(inner));
	sha1_final(&c, out);
	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
}
