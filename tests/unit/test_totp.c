/*
 * test_totp.c - the second factor's primitives: SHA-1 (RFC 3174 / FIPS
 * 180 vectors), HMAC-SHA-1 (RFC 2202), HOTP (RFC 4226 appendix D), TOTP
 * with SHA-1, SHA-256 and SHA-512 (RFC 6238 appendix B), the window and
 * replay rule, base32 (RFC 4648 section 10), the otpauth:// URI and
 * recovery codes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "crypto/sha1.h"
#include "crypto/totp.h"
#include "core/banned.h"

static void
hex(const unsigned char *p, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, p, n);
}

static void
sha1_is(const void *data, size_t len, const char *want)
{
	unsigned char d[SHA1_BYTES];
	char h[41];

	sha1(data, len, d);
	hex(d, sizeof(d), h);
	ck_assert_str_eq(h, want);
}

START_TEST(sha1_matches_rfc3174_and_fips_vectors)
{
	static const char rep[] = "01234567012345670123456701234567"
				  "01234567012345670123456701234567";
	struct sha1_ctx c;
	unsigned char d[SHA1_BYTES];
	char h[41], *mil;

	sha1_is("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	sha1_is("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	sha1_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		"84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	/* a million 'a', fed in uneven pieces: the block buffering is right */
	mil = malloc(1000000);
	ck_assert_ptr_nonnull(mil);
	memset(mil, 'a', 1000000);
	sha1_is(mil, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	sha1_init(&c);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step = step % 97 + 1)
		sha1_update(&c, mil + off, off + step > 1000000 ? 1000000 - off : step);
	sha1_final(&c, d);
	hex(d, sizeof(d), h);
	ck_assert_str_eq(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(mil);
	/* RFC 3174's fourth test: 10 repetitions of 64 bytes */
	sha1_init(&c);
	for (int i = 0; i < 10; i++)
		sha1_update(&c, rep, 64);
	sha1_final(&c, d);
	hex(d, sizeof(d), h);
	ck_assert_str_eq(h, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
	/* lengths around the padding edge, computed with Python's hashlib */
	sha1_is(rep, 55, "adfc128b4a89c560e754c1659a6a90968b55490e");
	sha1_is(rep, 56, "e8db7ebaebb692565d590a48b1dc506b6f130950");
	sha1_is(rep, 63, "f50965cd66d5793b37291ec7afe090406f2b6115");
	sha1_is(rep, 64, "e0c094e867ef46c350ef54a7f59dd60bed92ae83");
}
END_TEST

static void
hmac_is(const unsigned char *key, size_t klen, const char *msg, const char *want)
{
	unsigned char d[SHA1_BYTES];
	char h[41];

	hmac_sha1(key, klen, (const unsigned char *)msg, strlen(msg), d);
	hex(d, sizeof(d), h);
	ck_assert_str_eq(h, want);
}

START_TEST(hmac_sha1_matches_rfc2202)
{
	unsigned char k[80];

	memset(k, 0x0b, 20);
	hmac_is(k, 20, "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00");
	hmac_is((const unsigned char *)"Jefe", 4, "what do ya want for nothing?",
		"effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	/* a key longer than a block is hashed first */
	memset(k, 0xaa, 80);
	hmac_is(k, 80, "Test Using Larger Than Block-Size Key - Hash Key First",
		"aa4ae5e15272d00e95705637ce8a3b55ed402112");
	hmac_is(k, 80, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
		"e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}
END_TEST

START_TEST(hotp_matches_rfc4226_appendix_d)
{
	static const char *const want[] = { "755224", "287082", "359152", "969429", "338314",
					    "254676", "287922", "162583", "399871", "520489" };
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char code[9];

	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(totp_code(TOTP_SHA1, key, 20, i, 6, code), 0);
		ck_assert_str_eq(code, want[i]);
	}
}
END_TEST

START_TEST(totp_matches_rfc6238_appendix_b_for_each_hash)
{
	static const struct {
		long long t;
		const char *sha1, *sha256, *sha512;
	} v[] = {
		{ 59LL, "94287082", "46119246", "90693936" },
		{ 1111111109LL, "07081804", "68084774", "25091201" },
		{ 1111111111LL, "14050471", "67062674", "99943326" },
		{ 1234567890LL, "89005924", "91819424", "93441116" },
		{ 2000000000LL, "69279037", "90698825", "38618901" },
		{ 20000000000LL, "65353130", "77737706", "47863826" },
	};
	const unsigned char *k1 = (const unsigned char *)"12345678901234567890";
	const unsigned char *k256 = (const unsigned char *)"12345678901234567890123456789012";
	const unsigned char *k512 = (const unsigned char *)
		"1234567890123456789012345678901234567890123456789012345678901234";
	char code[9];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t st = totp_step(v[i].t);

		ck_assert_int_eq(totp_code(TOTP_SHA1, k1, 20, st, 8, code), 0);
		ck_assert_str_eq(code, v[i].sha1);
		ck_assert_int_eq(totp_code(TOTP_SHA256, k256, 32, st, 8, code), 0);
		ck_assert_str_eq(code, v[i].sha256);
		ck_assert_int_eq(totp_code(TOTP_SHA512, k512, 64, st, 8, code), 0);
		ck_assert_str_eq(code, v[i].sha512);
		/* 6 digits are the last 6 of the 8 (the same truncation mod 10^6) */
		ck_assert_int_eq(totp_code(TOTP_SHA1, k1, 20, st, 6, code), 0);
		ck_assert_str_eq(code, v[i].sha1 + 2);
	}
	ck_assert_int_eq(totp_secret_len(TOTP_SHA1), 20);
	ck_assert_int_eq(totp_secret_len(TOTP_SHA256), 32);
	ck_assert_int_eq(totp_secret_len(TOTP_SHA512), 64);
	ck_assert_int_eq(totp_code(TOTP_SHA1, k1, 20, 1, 5, code), -1);
	ck_assert_int_eq(totp_code(TOTP_SHA1, k1, 20, 1, 9, code), -1);
}
END_TEST

START_TEST(verify_takes_one_step_either_side_and_refuses_replay)
{
	const unsigned char *k = (const unsigned char *)"12345678901234567890";
	const int64_t now = 1111111111;		/* step 37037037 */
	int64_t st = totp_step(now), got = 0;
	char c[9], spaced[16];

	for (int d = -2; d <= 2; d++) {
		ck_assert_int_eq(totp_code(TOTP_SHA1, k, 20, st + d, 6, c), 0);
		got = 0;
		ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, c, -1, &got),
				 d >= -1 && d <= 1 ? TOTP_OK : TOTP_WRONG);
		if (d >= -1 && d <= 1)
			ck_assert_int_eq(got, st + d);
	}
	ck_assert_int_eq(totp_code(TOTP_SHA1, k, 20, st, 6, c), 0);
	/* used already: this step, or a later one was */
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, c, st, &got), TOTP_REPLAYED);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, c, st + 1, &got), TOTP_REPLAYED);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, c, st - 1, &got), TOTP_OK);
	/* "123 456" as some apps show it */
	snprintf(spaced, sizeof(spaced), "%.3s %s", c, c + 3);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, spaced, -1, &got), TOTP_OK);
	ck_assert(totp_is_code(spaced));
	/* anything else is wrong, never a crash */
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, "", -1, &got), TOTP_WRONG);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, NULL, -1, &got), TOTP_WRONG);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, "12345", -1, &got), TOTP_WRONG);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, "1234567", -1, &got), TOTP_WRONG);
	ck_assert_int_eq(totp_verify(TOTP_SHA1, k, 20, now, "12a456", -1, &got), TOTP_WRONG);
	ck_assert(!totp_is_code("abcd-efgh-jkmn-pqrs"));
	/* the same code under another key does not pass */
	ck_assert_int_eq(totp_verify(TOTP_SHA1, (const unsigned char *)"12345678901234567891",
				     20, now, c, -1, &got), TOTP_WRONG);
}
END_TEST

START_TEST(base32_matches_rfc4648)
{
	static const char *const v[][2] = {
		{ "", "" }, { "f", "MY" }, { "fo", "MZXQ" }, { "foo", "MZXW6" },
		{ "foob", "MZXW6YQ" }, { "fooba", "MZXW6YTB" }, { "foobar", "MZXW6YTBOI" },
	};
	char out[TOTP_BASE32_MAX];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_str_eq(totp_base32((const unsigned char *)v[i][0], strlen(v[i][0]), out,
					     sizeof(out)), v[i][1]);
	/* RFC 6238's SHA-1 seed as apps are given it */
	ck_assert_str_eq(totp_base32((const unsigned char *)"12345678901234567890", 20, out,
				     sizeof(out)), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
	/* too small: empty, never a partial secret */
	ck_assert_str_eq(totp_base32((const unsigned char *)"foobar", 6, out, 10), "");
}
END_TEST

START_TEST(otpauth_uri_is_what_apps_read)
{
	char *u = totp_uri("Comradarr", "ann@home", TOTP_SHA1, "GEZDGNBV");
	enum totp_alg a;
	struct err e = ERR_INIT;

	ck_assert_ptr_nonnull(u);
	ck_assert_str_eq(u, "otpauth://totp/Comradarr:ann%40home?secret=GEZDGNBV&issuer=Comradarr"
			 "&algorithm=SHA1&digits=6&period=30");
	free(u);
	u = totp_uri("My Server", "bob", TOTP_SHA512, "AB");
	ck_assert_str_eq(u, "otpauth://totp/My%20Server:bob?secret=AB&issuer=My%20Server"
			 "&algorithm=SHA512&digits=6&period=30");
	free(u);
	ck_assert_int_eq(totp_alg_parse("sha256", &a, &e), 0);
	ck_assert_int_eq(a, TOTP_SHA256);
	ck_assert_str_eq(totp_alg_name(a), "SHA256");
	ck_assert_int_eq(totp_alg_parse("md5", &a, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "SHA1"));
}
END_TEST

START_TEST(recovery_codes_are_random_forgiving_and_bound_to_the_user)
{
	char a[TOTP_RECOVERY_SIZE], b[TOTP_RECOVERY_SIZE], h1[65], h2[65], typed[40];

	ck_assert_int_eq(totp_recovery_new(a), 0);
	ck_assert_int_eq(totp_recovery_new(b), 0);
	ck_assert_uint_eq(strlen(a), 19);
	ck_assert(a[4] == '-' && a[9] == '-' && a[14] == '-');
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(totp_recovery_hash(7, a, h1), 0);
	ck_assert_uint_eq(strlen(h1), 64);
	/* upper case, no dashes, spaces: the same code */
	for (size_t i = 0, o = 0; i <= strlen(a); i++)
		if (a[i] != '-')
			typed[o++] = (char)(a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i]);
	ck_assert_int_eq(totp_recovery_hash(7, typed, h2), 0);
	ck_assert_str_eq(h1, h2);
	/* o read as 0, l and i as 1 */
	ck_assert_int_eq(totp_recovery_hash(7, "0000-1111-2222-3333", h1), 0);
	ck_assert_int_eq(totp_recovery_hash(7, "oOoO-lLiI-2222-3333", h2), 0);
	ck_assert_str_eq(h1, h2);
	/* another user's hash of the same code differs */
	ck_assert_int_eq(totp_recovery_hash(8, "0000-1111-2222-3333", h2), 0);
	ck_assert_str_ne(h1, h2);
	/* not a code: too short, too long, a letter outside the alphabet */
	ck_assert_int_eq(totp_recovery_hash(7, "0000-1111-2222-333", h1), -1);
	ck_assert_str_eq(h1, "");
	ck_assert_int_eq(totp_recovery_hash(7, "0000-1111-2222-33333", h1), -1);
	ck_assert_int_eq(totp_recovery_hash(7, "0000-1111-2222-333u", h1), -1);
	ck_assert_int_eq(totp_recovery_hash(7, NULL, h1), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("totp");
	TCase *tc = tcase_create("totp");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sha1_matches_rfc3174_and_fips_vectors);
	tcase_add_test(tc, hmac_sha1_matches_rfc2202);
	tcase_add_test(tc, hotp_matches_rfc4226_appendix_d);
	tcase_add_test(tc, totp_matches_rfc6238_appendix_b_for_each_hash);
	tcase_add_test(tc, verify_takes_one_step_either_side_and_refuses_replay);
	tcase_add_test(tc, base32_matches_rfc4648);
	tcase_add_test(tc, otpauth_uri_is_what_apps_read);
	tcase_add_test(tc, recovery_codes_are_random_forgiving_and_bound_to_the_user);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
