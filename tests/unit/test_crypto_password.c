/*
 * test_crypto_password.c - lib/crypto's credentials: Argon2id password
 * hashes (Req 10.2), random tokens and their hashes (Req 10.1, 34.1), and
 * masking for display (Req 36.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>
#include <check.h>

#include "crypto/mask.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "core/banned.h"

/* ------------------------------------------------------------ passwords */

static double
now_ms(void)
{
	struct timespec ts;

	/*
	 * The CPU time this thread spent, not the wall clock: the cost of a
	 * hash is its work (p=1, one thread), and a machine busy with other
	 * suites stretched the wall-clock figure past the limit.
	 */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

START_TEST(test_password_hash_verifies_and_rejects_wrong_password)
{
	struct err e = ERR_INIT;
	char *h1 = NULL, *h2 = NULL;

	ck_assert_msg(password_hash("correct horse battery staple", &h1, &e) == 0, "hash: %s", e.msg);
	ck_assert_msg(strncmp(h1, "$argon2id$v=19$m=47104,t=1,p=1$", 31) == 0,
		      "expected an argon2id PHC string with m=47104,t=1,p=1, got %s", h1);
	ck_assert_msg(strstr(h1, "correct horse") == NULL, "hash contains the password");
	ck_assert_int_eq(password_verify(h1, "correct horse battery staple", &e), 1);
	ck_assert_int_eq(password_verify(h1, "correct horse battery stapl", &e), 0);
	ck_assert_int_eq(password_verify(h1, "Correct horse battery staple", &e), 0);
	ck_assert_int_eq(password_verify(h1, "", &e), 0);
	/* the PHC string is the standard one: libargon2's own verifier agrees */
	ck_assert_int_eq(argon2id_verify(h1, "correct horse battery staple", 28), ARGON2_OK);
	ck_assert_int_eq(argon2id_verify(h1, "correct horse battery stapl", 27), ARGON2_VERIFY_MISMATCH);
	/* fresh salt every time */
	ck_assert_int_eq(password_hash("correct horse battery staple", &h2, &e), 0);
	ck_assert_msg(strcmp(h1, h2) != 0, "two hashes of one password are equal: salt not random");
	free(h1);
	free(h2);
}
END_TEST

START_TEST(test_password_verify_rejects_corrupt_or_hostile_hashes)
{
	static const char *const bad[] = {
		"",
		"plaintext-password",
		"$argon2i$v=19$m=47104,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaA",
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNo",
		"$argon2id$v=19$m=47104,t=1000,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNo",
		"$argon2id$v=19$m=47104,t=1,p=1$",
		"$argon2id$v=19$m=-1,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNo",
	};
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		ck_assert_msg(password_verify(bad[i], "pw", &e) == -1, "bad hash %zu not rejected", i);
		ck_assert_msg(e.kind != ERR_NONE && e.msg[0] != '\0', "bad hash %zu: no error filled", i);
	}
	ck_assert_int_eq(password_verify(NULL, "pw", &e), -1);
}
END_TEST

START_TEST(test_password_needs_rehash_only_for_other_parameters)
{
	struct err e = ERR_INIT;
	char *cur = NULL, old[256];

	ck_assert_int_eq(password_hash("pw", &cur, &e), 0);
	ck_assert_int_eq(password_needs_rehash(cur), 0);
	/* a hash with older, heavier parameters still verifies but wants a rehash */
	ck_assert_int_eq(argon2id_hash_encoded(3, 8192, 2, "pw", 2, "0123456789abcdef", 16, 32,
					       old, sizeof(old)), ARGON2_OK);
	ck_assert_int_eq(password_verify(old, "pw", &e), 1);
	ck_assert_int_eq(password_needs_rehash(old), 1);
	ck_assert_int_eq(password_needs_rehash("$argon2i$v=19$m=47104,t=1,p=1$c2FsdA$aGFzaA"), 1);
	ck_assert_int_eq(password_needs_rehash("$argon2id$v=16$m=47104,t=1,p=1$c2FsdA$aGFzaA"), 1);
	ck_assert_int_eq(password_needs_rehash("junk"), 1);
	ck_assert_int_eq(password_needs_rehash(NULL), 1);
	free(cur);
}
END_TEST

START_TEST(test_password_hash_costs_under_300ms)
{
	struct err e = ERR_INIT;
	char *h = NULL;
	double t0, hash_ms, verify_ms;

	t0 = now_ms();
	ck_assert_int_eq(password_hash("a login password", &h, &e), 0);
	hash_ms = now_ms() - t0;
	t0 = now_ms();
	ck_assert_int_eq(password_verify(h, "a login password", &e), 1);
	verify_ms = now_ms() - t0;
	printf("argon2id m=%d KiB t=%d p=%d: hash %.1f ms, verify %.1f ms\n",
	       PASSWORD_M_COST_KIB, PASSWORD_T_COST, PASSWORD_PARALLELISM, hash_ms, verify_ms);
	ck_assert_msg(hash_ms < 300.0, "one hash took %.1f ms, expected under 300 ms", hash_ms);
	ck_assert_msg(verify_ms < 300.0, "one verify took %.1f ms, expected under 300 ms", verify_ms);
	free(h);
}
END_TEST

/* ------------------------------------------------------------ tokens, masks */

START_TEST(test_tokens_are_random_and_well_formed)
{
	char h1[65], h2[65], b[TOKEN_B64URL_SIZE(32)], small[8], sha[65];

	ck_assert_int_eq(token_random_hex(h1, 32), 0);
	ck_assert_int_eq(token_random_hex(h2, 32), 0);
	ck_assert_uint_eq(strlen(h1), 64);
	ck_assert_uint_eq(strspn(h1, "0123456789abcdef"), 64);
	ck_assert_msg(strcmp(h1, h2) != 0, "two random tokens are equal");
	ck_assert_int_eq(token_random_b64url(b, sizeof(b), 32), 0);
	ck_assert_uint_eq(strlen(b), 43);
	ck_assert_uint_eq(strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
	ck_assert_int_eq(token_random_b64url(small, sizeof(small), 32), -1);
	ck_assert_int_eq(token_random_hex(h1, 0), -1);
	ck_assert_int_eq(token_random_hex(h1, TOKEN_MAX_BYTES + 1), -1);
	ck_assert_str_eq(h1, "");
	/* SHA-256 test vector from FIPS 180-2 */
	token_sha256_hex("abc", sha);
	ck_assert_str_eq(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(test_token_equal_compares_whole_strings)
{
	ck_assert_int_eq(token_equal("abcdef", "abcdef"), 1);
	ck_assert_int_eq(token_equal("abcdef", "abcdeg"), 0);
	ck_assert_int_eq(token_equal("abcdef", "abcde"), 0);
	ck_assert_int_eq(token_equal("abcde", "abcdef"), 0);
	ck_assert_int_eq(token_equal("", ""), 1);
	ck_assert_int_eq(token_equal(NULL, "a"), 0);
	ck_assert_int_eq(token_equal("a", NULL), 0);
}
END_TEST

START_TEST(test_mask_keeps_only_last_four_characters)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "" },
		{ "a", "*" },
		{ "abcd", "****" },
		{ "abcde", "*bcde" },
		{ "0123456789abcdef0123456789abcdef", "****************************cdef" },
		{ "p\xc3\xa4sswo\xcc\x88rd", "*****o\xcc\x88rd" },	/* combining mark counts */
		{ "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xe2\x82\xac", "*\xc3\xb6\xc3\xbc\xc3\x9f\xe2\x82\xac" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = secret_mask(cases[i].in);
		ck_assert_ptr_nonnull(got);
		ck_assert_msg(strcmp(got, cases[i].want) == 0, "mask(\"%s\"): expected \"%s\", got \"%s\"",
			      cases[i].in, cases[i].want, got);
		free(got);
	}
	ck_assert_ptr_null(secret_mask(NULL));
}
END_TEST

static Suite *
password_suite(void)
{
	Suite *s = suite_create("crypto_password");
	TCase *pw = tcase_create("password"), *misc = tcase_create("token_mask");

	tcase_set_timeout(pw, 30);
	tcase_add_test(pw, test_password_hash_verifies_and_rejects_wrong_password);
	tcase_add_test(pw, test_password_verify_rejects_corrupt_or_hostile_hashes);
	tcase_add_test(pw, test_password_needs_rehash_only_for_other_parameters);
	tcase_add_test(pw, test_password_hash_costs_under_300ms);
	suite_add_tcase(s, pw);

	tcase_add_test(misc, test_tokens_are_random_and_well_formed);
	tcase_add_test(misc, test_token_equal_compares_whole_strings);
	tcase_add_test(misc, test_mask_keeps_only_last_four_characters);
	suite_add_tcase(s, misc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(password_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
