/*
 * test_crypto.c - lib/crypto's secret box and SECRET_KEY handling (Req 1.1,
 * 30.3, 33.3, 36.1, 36.4, 38.1).  Passwords, tokens and masks are in
 * test_crypto_password.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "core/log.h"
#include "crypto/secretbox.h"
#include "core/banned.h"

/* Key 0x01..0x20; its id and the box below were computed independently
 * (BLAKE2b and AES-256-GCM from another implementation) to pin the format. */
#define KAT_KEY_HEX "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define KAT_KEY_ID  "8624f6572f68bd41"
/* "sonarr-api-key" sealed for connector.api_key_enc row 42, nonce a0..ab */
#define KAT_BOX_HEX "018624f6572f68bd41a0a1a2a3a4a5a6a7a8a9aaabcabe53078fc777650f678f" \
		    "0094fc6ddb1a48a783f1320502270728e19428"

static struct secret_key key_a, key_b;

static void
setup_keys(void)
{
	struct err e = ERR_INIT;

	ck_assert_msg(secretbox_init(&e) == 0, "secretbox_init: %s", e.msg);
	ck_assert_msg(secret_key_parse(KAT_KEY_HEX, &key_a, &e) == 0, "parse: %s", e.msg);
	ck_assert_msg(secret_key_parse("fbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffefa",
				       &key_b, &e) == 0, "parse: %s", e.msg);
}

static void
teardown_keys(void)
{
	secret_key_wipe(&key_a);
	secret_key_wipe(&key_b);
}

static void
seal_ok(const struct secret_key *k, const char *t, const char *c, long long row,
	const char *plain, unsigned char **box, size_t *box_len)
{
	struct err e = ERR_INIT;

	ck_assert_msg(secretbox_seal(k, t, c, row, (const unsigned char *)plain, strlen(plain),
				     box, box_len, &e) == 0, "seal failed: %s", e.msg);
}

/* ------------------------------------------------------------ secret box */

START_TEST(test_seal_open_round_trips_every_length)
{
	static const size_t lens[] = { 0, 1, 15, 16, 17, 64, 1000, 65536 };
	struct err e = ERR_INIT;
	unsigned char *plain, *box = NULL, *got = NULL;
	size_t i, box_len = 0, got_len = 0;

	plain = malloc(65536);
	ck_assert_ptr_nonnull(plain);
	randombytes_buf(plain, 65536);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		ck_assert_msg(secretbox_seal(&key_a, "connector", "api_key_enc", 7, plain, lens[i],
					     &box, &box_len, &e) == 0, "seal %zu: %s", lens[i], e.msg);
		ck_assert_msg(box_len == lens[i] + SECRETBOX_MIN_BYTES,
			      "box of %zu bytes: expected %zu bytes, got %zu", lens[i],
			      lens[i] + SECRETBOX_MIN_BYTES, box_len);
		ck_assert_msg(secretbox_open(&key_a, "connector", "api_key_enc", 7, box, box_len,
					     &got, &got_len, &e) == 0, "open %zu: %s", lens[i], e.msg);
		ck_assert_msg(got_len == lens[i], "expected %zu bytes back, got %zu", lens[i], got_len);
		ck_assert_msg(memcmp(got, plain, lens[i]) == 0, "plaintext of %zu bytes differs", lens[i]);
		ck_assert_msg(got[got_len] == '\0', "opened plaintext is not NUL-terminated");
		sodium_memzero(got, got_len);
		free(got);
		free(box);
	}
	free(plain);
}
END_TEST

START_TEST(test_open_reads_box_sealed_by_another_aes_gcm_implementation)
{
	struct err e = ERR_INIT;
	unsigned char box[64], id[8];
	unsigned char *got = NULL;
	size_t box_len = 0, got_len = 0;
	char hex[17];

	secret_key_id_hex(&key_a, hex);
	ck_assert_msg(strcmp(hex, KAT_KEY_ID) == 0, "key id: expected %s, got %s", KAT_KEY_ID, hex);
	ck_assert_int_eq(sodium_hex2bin(box, sizeof(box), KAT_BOX_HEX, strlen(KAT_BOX_HEX),
					NULL, &box_len, NULL), 0);
	ck_assert_int_eq(secretbox_key_id(box, box_len, id), 0);
	ck_assert_msg(memcmp(id, key_a.id, 8) == 0, "secretbox_key_id did not return the sealing key's id");
	ck_assert_msg(secretbox_open(&key_a, "connector", "api_key_enc", 42, box, box_len,
				     &got, &got_len, &e) == 0, "open: %s", e.msg);
	ck_assert_msg(got_len == 14 && strcmp((char *)got, "sonarr-api-key") == 0,
		      "expected \"sonarr-api-key\", got \"%s\"", (char *)got);
	free(got);
}
END_TEST

START_TEST(test_value_moved_to_other_table_column_or_row_fails)
{
	static const struct { const char *t, *c; long long row; } other[] = {
		{ "notification_channel", "api_key_enc", 7 },	/* other table */
		{ "connector", "url_enc", 7 },			/* other column */
		{ "connector", "api_key_enc", 8 },		/* other row */
		{ "connector", "api_key_enc", -7 },
		{ "connecto", "rapi_key_enc", 7 },		/* same bytes, split elsewhere */
	};
	struct err e = ERR_INIT;
	unsigned char *box = NULL, *got = NULL;
	size_t i, box_len = 0, got_len = 0;

	seal_ok(&key_a, "connector", "api_key_enc", 7, "secret", &box, &box_len);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		err_clear(&e);
		ck_assert_msg(secretbox_open(&key_a, other[i].t, other[i].c, other[i].row, box, box_len,
					     &got, &got_len, &e) < 0,
			      "box for connector.api_key_enc row 7 opened as %s.%s row %lld",
			      other[i].t, other[i].c, other[i].row);
		ck_assert_ptr_null(got);
		ck_assert_int_eq(e.kind, ERR_CRYPTO);
		ck_assert_msg(!secretbox_is_key_mismatch(&e), "AD mismatch reported as key mismatch: %s", e.msg);
		ck_assert_msg(strstr(e.msg, "copied from another row") != NULL, "unexpected message: %s", e.msg);
	}
	free(box);
}
END_TEST

START_TEST(test_any_tampered_byte_fails)
{
	struct err e = ERR_INIT;
	unsigned char *box = NULL, *got = NULL;
	size_t i, box_len = 0, got_len = 0;
	int bit;

	seal_ok(&key_a, "connector", "api_key_enc", 1, "0123456789abcdef0123456789abcdef", &box, &box_len);
	for (i = 0; i < box_len; i++) {
		for (bit = 0; bit < 8; bit++) {
			box[i] ^= (unsigned char)(1u << bit);
			ck_assert_msg(secretbox_open(&key_a, "connector", "api_key_enc", 1, box, box_len,
						     &got, &got_len, &e) < 0,
				      "box with bit %d of byte %zu flipped still opened", bit, i);
			ck_assert_int_eq(e.kind, ERR_CRYPTO);
			box[i] ^= (unsigned char)(1u << bit);
		}
	}
	/* truncation and extension are tampering too */
	ck_assert(secretbox_open(&key_a, "connector", "api_key_enc", 1, box, box_len - 1,
				 &got, &got_len, &e) < 0);
	ck_assert(secretbox_open(&key_a, "connector", "api_key_enc", 1, box, SECRETBOX_MIN_BYTES - 1,
				 &got, &got_len, &e) < 0);
	ck_assert(secretbox_open(&key_a, "connector", "api_key_enc", 1, NULL, 0, &got, &got_len, &e) < 0);
	ck_assert_ptr_null(got);
	/* and the untouched box still opens */
	ck_assert_msg(secretbox_open(&key_a, "connector", "api_key_enc", 1, box, box_len,
				     &got, &got_len, &e) == 0, "open: %s", e.msg);
	free(got);
	free(box);
}
END_TEST

START_TEST(test_wrong_key_is_reported_as_key_mismatch_before_decrypting)
{
	struct err e = ERR_INIT;
	unsigned char *box = NULL, *got = NULL;
	size_t box_len = 0, got_len = 0;
	char ida[17], idb[17];

	seal_ok(&key_a, "connector", "api_key_enc", 3, "the-plain-api-key", &box, &box_len);
	ck_assert(secretbox_open(&key_b, "connector", "api_key_enc", 3, box, box_len,
				 &got, &got_len, &e) < 0);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(e.kind, ERR_CRYPTO);
	ck_assert_msg(secretbox_is_key_mismatch(&e), "expected a key mismatch, got: %s", e.msg);
	ck_assert_msg(strncmp(e.msg, "encryption key mismatch", 23) == 0, "message: %s", e.msg);
	/* it names both key ids (public) so the user can find the right key */
	secret_key_id_hex(&key_a, ida);
	secret_key_id_hex(&key_b, idb);
	ck_assert_msg(strstr(e.msg, ida) && strstr(e.msg, idb), "message lacks the key ids: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "the-plain-api-key") == NULL, "message leaks the secret");

	/* a tampered box under the right key is a different error */
	box[box_len - 1] ^= 1;
	ck_assert(secretbox_open(&key_a, "connector", "api_key_enc", 3, box, box_len,
				 &got, &got_len, &e) < 0);
	ck_assert_msg(!secretbox_is_key_mismatch(&e), "tampering reported as key mismatch: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "tampered") != NULL, "message: %s", e.msg);
	free(box);
}
END_TEST

START_TEST(test_reseal_moves_value_to_new_key_for_rotation)
{
	struct err e = ERR_INIT;
	unsigned char *box = NULL, *nbox = NULL, *got = NULL, id[8];
	size_t box_len = 0, nbox_len = 0, got_len = 0;

	seal_ok(&key_a, "notification_channel", "config_enc", 9, "{\"token\":\"t\"}", &box, &box_len);
	ck_assert_msg(secretbox_reseal(&key_a, &key_b, "notification_channel", "config_enc", 9,
				       box, box_len, &nbox, &nbox_len, &e) == 0, "reseal: %s", e.msg);
	ck_assert_int_eq(secretbox_key_id(nbox, nbox_len, id), 0);
	ck_assert_msg(memcmp(id, key_b.id, 8) == 0, "resealed box does not carry the new key id");
	ck_assert_msg(secretbox_open(&key_b, "notification_channel", "config_enc", 9, nbox, nbox_len,
				     &got, &got_len, &e) == 0, "open under new key: %s", e.msg);
	ck_assert_str_eq((char *)got, "{\"token\":\"t\"}");
	free(got);
	ck_assert(secretbox_open(&key_a, "notification_channel", "config_enc", 9, nbox, nbox_len,
				 &got, &got_len, &e) < 0);
	ck_assert(secretbox_is_key_mismatch(&e));
	free(nbox);
	/* a rotation that already ran for this row: the old key no longer fits */
	ck_assert(secretbox_reseal(&key_b, &key_a, "notification_channel", "config_enc", 9,
				   box, box_len, &nbox, &nbox_len, &e) < 0);
	ck_assert_ptr_null(nbox);
	ck_assert(secretbox_is_key_mismatch(&e));
	free(box);
}
END_TEST

static int
cmp_nonce(const void *a, const void *b)
{
	return memcmp(a, b, 12);
}

START_TEST(test_nonces_do_not_repeat_over_100k_seals)
{
	enum { N = 100000 };
	unsigned char *nonces, *box = NULL;
	size_t i, box_len = 0;
	struct timespec t0, t1;
	double us;

	nonces = malloc((size_t)N * 12);
	ck_assert_ptr_nonnull(nonces);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N; i++) {
		seal_ok(&key_a, "connector", "api_key_enc", 1, "same plaintext every time", &box, &box_len);
		memcpy(nonces + i * 12, box + 9, 12);
		free(box);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / N;
	printf("secretbox: %d seals, %.2f us per seal of 25 bytes\n", N, us);
	qsort(nonces, N, 12, cmp_nonce);
	for (i = 1; i < N; i++)
		ck_assert_msg(memcmp(nonces + (i - 1) * 12, nonces + i * 12, 12) != 0,
			      "nonce repeated within %d seals", N);
	free(nonces);
}
END_TEST

START_TEST(test_seal_rejects_missing_names_and_oversized_values)
{
	struct err e = ERR_INIT;
	unsigned char *box = (unsigned char *)"x", *big;
	size_t box_len = 0;

	ck_assert(secretbox_seal(&key_a, NULL, "c", 1, (const unsigned char *)"x", 1, &box, &box_len, &e) < 0);
	ck_assert_ptr_null(box);
	ck_assert(secretbox_seal(&key_a, "t", "", 1, (const unsigned char *)"x", 1, &box, &box_len, &e) < 0);
	big = calloc(1, SECRETBOX_MAX_PLAIN + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert(secretbox_seal(&key_a, "t", "c", 1, big, SECRETBOX_MAX_PLAIN + 1, &box, &box_len, &e) < 0);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	free(big);
	ck_assert_int_eq(secretbox_key_id((const unsigned char *)"\x01short", 6, key_b.id), -1);
}
END_TEST

/* ------------------------------------------------------------ SECRET_KEY */

START_TEST(test_key_parses_hex_and_every_base64_variant_to_the_same_key)
{
	static const char *const forms[] = {
		"fbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffefa",
		"FBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFBFFEFA",
		"+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+//vo=",	/* standard */
		"+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+//vo",	/* standard, no padding */
		"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__vo=",	/* url-safe */
		"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__vo",	/* url-safe, no padding */
		"  fbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffefa\n",
		"-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__vo\r\n",
	};
	struct secret_key k;
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_msg(secret_key_parse(forms[i], &k, &e) == 0, "form %zu rejected: %s", i, e.msg);
		ck_assert_msg(memcmp(k.key, key_b.key, 32) == 0 && memcmp(k.id, key_b.id, 8) == 0,
			      "form %zu parsed to another key", i);
	}
	secret_key_wipe(&k);
}
END_TEST

START_TEST(test_key_rejects_wrong_lengths_and_junk_without_echoing_them)
{
	static const char *const bad[] = {
		"",
		"   \n",
		"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",	/* 62 hex */
		"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021",	/* 66 hex */
		"0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1fzz",	/* not hex */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==",		/* 31 bytes */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAh",		/* 33 bytes */
		"AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=junk",
		"AQIDBAUG BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",		/* space inside */
		"changeme-changeme-changeme-changeme",
		"0000000000000000000000000000000000000000000000000000000000000000",	/* placeholder */
	};
	struct secret_key k;
	struct err e = ERR_INIT;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		memset(&k, 0xAA, sizeof(k));
		ck_assert_msg(secret_key_parse(bad[i], &k, &e) < 0, "bad key %zu \"%s\" accepted", i, bad[i]);
		ck_assert_int_eq(e.kind, ERR_CONFIG);
		ck_assert_msg(strstr(e.msg, "SECRET_KEY") != NULL, "message does not name SECRET_KEY: %s", e.msg);
		ck_assert_msg(bad[i][0] == '\0' || strstr(e.msg, bad[i]) == NULL, "message echoes the key: %s", e.msg);
		ck_assert_msg(sodium_is_zero((unsigned char *)&k, sizeof(k)), "key %zu not wiped on failure", i);
	}
	ck_assert(secret_key_parse(NULL, &k, &e) < 0);
}
END_TEST

START_TEST(test_key_wipe_zeroes_key_and_id)
{
	struct secret_key k = key_a;

	secret_key_wipe(&k);
	ck_assert_msg(sodium_is_zero((unsigned char *)&k, sizeof(k)), "secret_key_wipe left bytes");
}
END_TEST

static char tmpdir[] = "/tmp/comradarr-test-crypto-XXXXXX";

static void
setup_tmp(void)
{
	setup_keys();
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void
teardown_tmp(void)
{
	char cmd[256];

	teardown_keys();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	memcpy(tmpdir + strlen(tmpdir) - 6, "XXXXXX", 6);
}

static size_t
read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0600), 0);
}

START_TEST(test_key_file_is_generated_0600_in_new_0700_dir_and_reloaded_equal)
{
	struct secret_key k1, k2, k3;
	struct err e = ERR_INIT;
	char dir[128], path[192], text[256];
	struct stat st;
	mode_t old;
	int gen = -1;

	snprintf(dir, sizeof(dir), "%s/state/comradarr", tmpdir);
	snprintf(path, sizeof(path), "%s/secret_key", dir);
	old = umask(0);	/* the modes must not depend on the umask */
	ck_assert_msg(secret_key_load(NULL, path, &k1, &gen, &e) == 0, "load: %s", e.msg);
	umask(old);
	ck_assert_msg(gen == 1, "expected generated=1 for a missing file, got %d", gen);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0600, "key file mode %o, expected 600", st.st_mode & 07777);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0700, "key dir mode %o, expected 700", st.st_mode & 07777);
	ck_assert_msg(read_file(path, text, sizeof(text)) == 65 && text[64] == '\n',
		      "key file should be 64 hex characters and a newline");
	ck_assert_msg(secret_key_parse(text, &k3, &e) == 0 && memcmp(&k3, &k1, sizeof(k1)) == 0,
		      "key file content differs from the key returned");

	gen = -1;
	ck_assert_msg(secret_key_load(NULL, path, &k2, &gen, &e) == 0, "reload: %s", e.msg);
	ck_assert_msg(gen == 0, "expected generated=0 on reload, got %d", gen);
	ck_assert_msg(memcmp(&k1, &k2, sizeof(k1)) == 0, "reloaded key differs from the generated one");

	/* nothing but the key file is left behind */
	snprintf(text, sizeof(text), "ls -A '%s' | grep -qv '^secret_key$'", dir);
	ck_assert_msg(system(text) != 0, "temporary files left in %s", dir);
	secret_key_wipe(&k1);
	secret_key_wipe(&k2);
	secret_key_wipe(&k3);
}
END_TEST

START_TEST(test_existing_key_file_is_never_overwritten)
{
	struct secret_key k;
	struct err e = ERR_INIT;
	char path[128], text[256];
	int gen = -1;

	snprintf(path, sizeof(path), "%s/secret_key", tmpdir);
	write_file(path, "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__vo\n");
	ck_assert_msg(secret_key_load(NULL, path, &k, &gen, &e) == 0, "load: %s", e.msg);
	ck_assert_int_eq(gen, 0);
	ck_assert_msg(memcmp(&k, &key_b, sizeof(k)) == 0, "loaded key is not the file's key");
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__vo\n");

	/* a junk file is an error, and stays as it was: never replaced by a new key */
	write_file(path, "not a key\n");
	gen = -1;
	ck_assert(secret_key_load(NULL, path, &k, &gen, &e) < 0);
	ck_assert_int_eq(gen, 0);
	ck_assert_msg(strstr(e.msg, path) != NULL, "message does not name the file: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "not a key") == NULL, "message echoes the file: %s", e.msg);
	read_file(path, text, sizeof(text));
	ck_assert_str_eq(text, "not a key\n");
}
END_TEST

START_TEST(test_key_file_readable_by_others_is_refused)
{
	struct secret_key k;
	struct err e = ERR_INIT;
	char path[128];

	snprintf(path, sizeof(path), "%s/secret_key", tmpdir);
	write_file(path, KAT_KEY_HEX "\n");
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(secret_key_load(NULL, path, &k, NULL, &e), -1);
	ck_assert_msg(strstr(e.msg, "chmod 600") != NULL && strstr(e.msg, "secret_key") != NULL,
		      "expected the chmod to run, naming the file, got: %s", e.msg);
	ck_assert_msg(strstr(e.msg, KAT_KEY_HEX) == NULL, "the key reached the message");
	ck_assert_int_eq(chmod(path, 0640), 0);
	ck_assert_int_eq(secret_key_load(NULL, path, &k, NULL, &e), -1);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_msg(secret_key_load(NULL, path, &k, NULL, &e) == 0, "load: %s", e.msg);
	secret_key_wipe(&k);
}
END_TEST

START_TEST(test_env_value_wins_over_file_and_empty_env_means_unset)
{
	struct secret_key k;
	struct err e = ERR_INIT;
	char path[128];
	int gen = -1;

	snprintf(path, sizeof(path), "%s/secret_key", tmpdir);
	ck_assert_msg(secret_key_load(KAT_KEY_HEX, path, &k, &gen, &e) == 0, "load: %s", e.msg);
	ck_assert_int_eq(gen, 0);
	ck_assert_msg(memcmp(&k, &key_a, sizeof(k)) == 0, "env key not used");
	ck_assert_msg(access(path, F_OK) < 0, "a key file was written although SECRET_KEY was set");
	ck_assert(secret_key_load("tooshort", path, &k, &gen, &e) < 0);
	ck_assert_msg(access(path, F_OK) < 0, "a bad SECRET_KEY fell back to a generated key");

	ck_assert_msg(secret_key_load("", path, &k, &gen, &e) == 0, "load: %s", e.msg);
	ck_assert_int_eq(gen, 1);
	ck_assert_int_eq(access(path, F_OK), 0);
	secret_key_wipe(&k);
}
END_TEST

START_TEST(test_tools_racing_to_create_the_key_file_all_get_one_key)
{
	enum { KIDS = 8 };
	struct secret_key k;
	struct err e = ERR_INIT;
	char path[128], ids[KIDS][17], mine[17];
	int fds[2], i, status, generated = 0;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/new/secret_key", tmpdir);
	ck_assert_int_eq(pipe(fds), 0);
	for (i = 0; i < KIDS; i++) {
		pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			char line[19];
			int gen = 0;

			close(fds[0]);
			if (secret_key_load(NULL, path, &k, &gen, &e) < 0)
				_exit(1);
			secret_key_id_hex(&k, line);
			line[16] = gen ? 'G' : 'L';
			line[17] = '\n';
			if (write(fds[1], line, 18) != 18)
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	for (i = 0; i < KIDS; i++) {
		char line[18];

		ck_assert_int_eq(read(fds[0], line, 18), 18);
		generated += line[16] == 'G';
		memcpy(ids[i], line, 16);
		ids[i][16] = '\0';
	}
	close(fds[0]);
	for (i = 0; i < KIDS; i++) {
		ck_assert_int_gt(wait(&status), 0);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a racing loader failed");
	}
	ck_assert_msg(secret_key_load(NULL, path, &k, NULL, &e) == 0, "load: %s", e.msg);
	secret_key_id_hex(&k, mine);
	for (i = 0; i < KIDS; i++)
		ck_assert_msg(strcmp(ids[i], mine) == 0, "loader %d got key id %s, the file holds %s",
			      i, ids[i], mine);
	ck_assert_msg(generated == 1, "expected exactly one loader to generate, %d did", generated);
	secret_key_wipe(&k);
}
END_TEST

static Suite *
crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *box = tcase_create("secretbox"), *key = tcase_create("secret_key");
	TCase *file = tcase_create("key_file");

	tcase_add_checked_fixture(box, setup_keys, teardown_keys);
	tcase_set_timeout(box, 60);
	tcase_add_test(box, test_seal_open_round_trips_every_length);
	tcase_add_test(box, test_open_reads_box_sealed_by_another_aes_gcm_implementation);
	tcase_add_test(box, test_value_moved_to_other_table_column_or_row_fails);
	tcase_add_test(box, test_any_tampered_byte_fails);
	tcase_add_test(box, test_wrong_key_is_reported_as_key_mismatch_before_decrypting);
	tcase_add_test(box, test_reseal_moves_value_to_new_key_for_rotation);
	tcase_add_test(box, test_nonces_do_not_repeat_over_100k_seals);
	tcase_add_test(box, test_seal_rejects_missing_names_and_oversized_values);
	suite_add_tcase(s, box);

	tcase_add_checked_fixture(key, setup_keys, teardown_keys);
	tcase_add_test(key, test_key_parses_hex_and_every_base64_variant_to_the_same_key);
	tcase_add_test(key, test_key_rejects_wrong_lengths_and_junk_without_echoing_them);
	tcase_add_test(key, test_key_wipe_zeroes_key_and_id);
	suite_add_tcase(s, key);

	tcase_add_checked_fixture(file, setup_tmp, teardown_tmp);
	tcase_add_test(file, test_key_file_is_generated_0600_in_new_0700_dir_and_reloaded_equal);
	tcase_add_test(file, test_existing_key_file_is_never_overwritten);
	tcase_add_test(file, test_key_file_readable_by_others_is_refused);
	tcase_add_test(file, test_env_value_wins_over_file_and_empty_env_means_unset);
	tcase_add_test(file, test_tools_racing_to_create_the_key_file_all_get_one_key);
	suite_add_tcase(s, file);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(crypto_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
