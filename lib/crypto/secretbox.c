/*
 * secretbox.c - AES-256-GCM seal and open (see secretbox.h for the format).
 *
 * Nonces: each seal draws a fresh random 96-bit nonce from randombytes_buf()
 * (the kernel's CSPRNG).  A counter would need state shared by every tool
 * that seals under the key (-serve, -sync, a restore, a rotation), kept
 * across restarts and backups; losing it once repeats nonces, which breaks
 * GCM completely.  Random nonces need no state.  Their limit is the birthday
 * bound: NIST SP 800-38D caps random-nonce GCM at 2^32 messages per key,
 * which keeps the chance of any repeat below 2^-32.  Comradarr seals a value
 * when a user saves a connector, channel or setting, and a rotation re-seals
 * each stored value once: even a million seals in a key's life (2^20) leaves
 * the chance of a repeat near 2^-57.  Rotate the key (Req 36.4) long before
 * 2^32 seals; nothing here comes within many orders of magnitude of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/secretbox.h"
#include "core/banned.h"

#define NONCE_BYTES	crypto_aead_aes256gcm_NPUBBYTES
#define AD_MAX		(1 + 8 + 4 + SECRETBOX_MAX_AD_NAME + 4 + SECRETBOX_MAX_AD_NAME + 8)

_Static_assert(NONCE_BYTES == 12, "the wire format has a 12-byte nonce");
_Static_assert(crypto_aead_aes256gcm_ABYTES == SECRETBOX_TAG_BYTES, "tag size");
_Static_assert(crypto_aead_aes256gcm_KEYBYTES == sizeof(((struct secret_key *)0)->key),
	       "key size");

int
secretbox_init(struct err *e)
{
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "cannot initialise libsodium; "
			       "check that the system has a working random source (getrandom or /dev/urandom)");
	if (!crypto_aead_aes256gcm_is_available())
		return err_set(e, ERR_CRYPTO, "this CPU lacks the AES-NI and PCLMUL instructions "
			       "that AES-256-GCM needs; run comradarr on a CPU that has them "
			       "(and, in a virtual machine, pass them through to the guest)");
	return 0;
}

static void
put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/*
 * The associated data: version | key id | len(table) | table | len(column) |
 * column | row, lengths and row big-endian.  Length prefixes keep it
 * unambiguous ("ab"+"c" differs from "a"+"bc").
 */
static int
build_ad(unsigned char ad[AD_MAX], size_t *ad_len, const unsigned char id[8],
	 const char *table, const char *column, long long row, struct err *e)
{
	size_t tl, cl, n = 0;
	uint64_t r = (uint64_t)row;
	int i;

	if (table == NULL || column == NULL || table[0] == '\0' || column[0] == '\0')
		return err_set(e, ERR_USAGE, "a sealed value needs a table and a column name");
	tl = strlen(table);
	cl = strlen(column);
	if (tl > SECRETBOX_MAX_AD_NAME || cl > SECRETBOX_MAX_AD_NAME)
		return err_set(e, ERR_USAGE, "table or column name longer than %d bytes",
			       SECRETBOX_MAX_AD_NAME);
	ad[n++] = SECRETBOX_VERSION;
	memcpy(ad + n, id, 8);
	n += 8;
	put_be32(ad + n, (uint32_t)tl);
	n += 4;
	memcpy(ad + n, table, tl);
	n += tl;
	put_be32(ad + n, (uint32_t)cl);
	n += 4;
	memcpy(ad + n, column, cl);
	n += cl;
	for (i = 7; i >= 0; i--)
		ad[n++] = (unsigned char)(r >> (i * 8));
	*ad_len = n;
	return 0;
}

int
secretbox_seal(const struct secret_key *k, const char *ad_table, const char *ad_column,
	       long long ad_row, const unsigned char *plain, size_t plain_len,
	       unsigned char **out, size_t *out_len, struct err *e)
{
	unsigned char ad[AD_MAX];
	unsigned char *box = NULL;
	unsigned long long clen = 0;
	size_t ad_len = 0, box_len;
	int ret = -1;

	*out = NULL;
	*out_len = 0;
	if (secretbox_init(e) < 0)
		goto out;
	if (plain == NULL && plain_len > 0) {
		err_set(e, ERR_USAGE, "nothing to seal");
		goto out;
	}
	if (plain_len > SECRETBOX_MAX_PLAIN) {
		err_set(e, ERR_USAGE, "secret too long to seal (%zu bytes, at most %d)",
			plain_len, SECRETBOX_MAX_PLAIN);
		goto out;
	}
	if (build_ad(ad, &ad_len, k->id, ad_table, ad_column, ad_row, e) < 0)
		goto out;
	box_len = SECRETBOX_MIN_BYTES + plain_len;
	box = malloc(box_len);
	if (box == NULL) {
		err_set(e, ERR_NOMEM, "out of memory sealing a secret");
		goto out;
	}
	box[0] = SECRETBOX_VERSION;
	memcpy(box + 1, k->id, 8);
	randombytes_buf(box + 9, NONCE_BYTES);
	if (crypto_aead_aes256gcm_encrypt(box + SECRETBOX_HEADER_BYTES, &clen,
					  plain_len ? plain : (const unsigned char *)"", plain_len,
					  ad, ad_len, NULL, box + 9, k->key) != 0 ||
	    clen != plain_len + SECRETBOX_TAG_BYTES) {
		err_set(e, ERR_CRYPTO, "AES-256-GCM encryption failed");
		goto out;
	}
	*out = box;
	*out_len = box_len;
	box = NULL;
	ret = 0;
out:
	free(box);
	sodium_memzero(ad, sizeof(ad));
	return ret;
}

int
secretbox_key_id(const unsigned char *box, size_t box_len, unsigned char id[8])
{
	if (box == NULL || box_len < SECRETBOX_MIN_BYTES || box[0] != SECRETBOX_VERSION)
		return -1;
	memcpy(id, box + 1, 8);
	return 0;
}

int
secretbox_open(const struct secret_key *k, const char *ad_table, const char *ad_column,
	       long long ad_row, const unsigned char *box, size_t box_len,
	       unsigned char **plain, size_t *plain_len, struct err *e)
{
	unsigned char ad[AD_MAX];
	unsigned char *p = NULL;
	unsigned long long mlen = 0;
	size_t ad_len = 0, cap = 0;
	char have[17], want[17];
	int ret = -1;

	*plain = NULL;
	*plain_len = 0;
	if (secretbox_init(e) < 0)
		goto out;
	if (box == NULL || box_len < SECRETBOX_MIN_BYTES) {
		err_set(e, ERR_CRYPTO, "encrypted value in \"%s.%s\" row %lld is corrupt "
			"(%zu bytes, shorter than any sealed value); re-enter the secret",
			ad_table ? ad_table : "?", ad_column ? ad_column : "?", ad_row, box_len);
		goto out;
	}
	if (box[0] != SECRETBOX_VERSION) {
		err_set(e, ERR_CRYPTO, "encrypted value in \"%s.%s\" row %lld has unknown format "
			"version %u; it is corrupt or was written by a newer comradarr",
			ad_table ? ad_table : "?", ad_column ? ad_column : "?", ad_row,
			(unsigned)box[0]);
		goto out;
	}
	if (box_len - SECRETBOX_MIN_BYTES > SECRETBOX_MAX_PLAIN) {
		err_set(e, ERR_CRYPTO, "encrypted value in \"%s.%s\" row %lld is too long "
			"(%zu bytes); it is corrupt", ad_table ? ad_table : "?",
			ad_column ? ad_column : "?", ad_row, box_len);
		goto out;
	}
	/* Key ids are public: comparing them in variable time leaks nothing. */
	if (memcmp(box + 1, k->id, 8) != 0) {
		sodium_bin2hex(have, sizeof(have), box + 1, 8);
		sodium_bin2hex(want, sizeof(want), k->id, 8);
		err_set(e, ERR_CRYPTO, SECRETBOX_KEY_MISMATCH ": \"%s.%s\" row %lld was sealed "
			"with key id %s but SECRET_KEY has id %s; set SECRET_KEY to the key "
			"that encrypted this data", ad_table ? ad_table : "?",
			ad_column ? ad_column : "?", ad_row, have, want);
		goto out;
	}
	if (build_ad(ad, &ad_len, k->id, ad_table, ad_column, ad_row, e) < 0)
		goto out;
	cap = box_len - SECRETBOX_MIN_BYTES;
	p = malloc(cap + 1);
	if (p == NULL) {
		err_set(e, ERR_NOMEM, "out of memory opening a secret");
		goto out;
	}
	if (crypto_aead_aes256gcm_decrypt(p, &mlen, NULL, box + SECRETBOX_HEADER_BYTES,
					  box_len - SECRETBOX_HEADER_BYTES, ad, ad_len,
					  box + 9, k->key) != 0 || mlen != cap) {
		err_set(e, ERR_CRYPTO, "encrypted value in \"%s.%s\" row %lld failed "
			"authentication: it was tampered with, is corrupt, or was copied from "
			"another row or column; re-enter the secret", ad_table, ad_column, ad_row);
		goto out;
	}
	p[cap] = '\0';
	*plain = p;
	*plain_len = cap;
	p = NULL;
	ret = 0;
out:
	if (p != NULL) {
		sodium_memzero(p, cap + 1);
		free(p);
	}
	sodium_memzero(ad, sizeof(ad));
	return ret;
}

int
secretbox_reseal(const struct secret_key *old_key, const struct secret_key *new_key,
		 const char *ad_table, const char *ad_column, long long ad_row,
		 const unsigned char *box, size_t box_len,
		 unsigned char **out, size_t *out_len, struct err *e)
{
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	int ret = -1;

	*out = NULL;
	*out_len = 0;
	if (secretbox_open(old_key, ad_table, ad_column, ad_row, box, box_len, &plain,
			   &plain_len, e) < 0)
		goto out;
	if (secretbox_seal(new_key, ad_table, ad_column, ad_row, plain, plain_len, out,
			   out_len, e) < 0)
		goto out;
	ret = 0;
out:
	if (plain != NULL) {
		sodium_memzero(plain, plain_len);
		free(plain);
	}
	return ret;
}

int
secretbox_is_key_mismatch(const struct err *e)
{
	return e != NULL && e->kind == ERR_CRYPTO &&
	       strncmp(e->msg, SECRETBOX_KEY_MISMATCH, strlen(SECRETBOX_KEY_MISMATCH)) == 0;
}
