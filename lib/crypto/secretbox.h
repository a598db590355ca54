/*
 * secretbox.h - the application SECRET_KEY and the AES-256-GCM box that
 * seals every stored secret with it (Req 1.1, 30.3, 33.3, 36.1, 36.4, 38.1).
 *
 * A sealed value (a bytea in PostgreSQL) is
 *
 *	version (1 byte, 0x01) | key id (8) | nonce (12) | ciphertext | tag (16)
 *
 * The key id is the first 8 bytes of BLAKE2b("comradarr secret key id v1" ||
 * key).  It is not secret, and it lets secretbox_open() tell "sealed under
 * another SECRET_KEY" (Req 33.3: restoring a backup with a different key)
 * apart from "tampered or corrupt" without trying to decrypt, and lets a key
 * rotation find the values still sealed under the old key (Req 36.4).
 *
 * The associated data binds a value to where it is stored: its table, its
 * column and its row id, plus the version byte and key id.  A value copied
 * to another row, column or table fails to open exactly like a tampered one.
 *
 * AES-GCM needs AES-NI and PCLMUL; without them libsodium refuses it and so
 * do we: every function that encrypts or decrypts fails closed with
 * ERR_CRYPTO rather than falling back to anything weaker.
 */
#ifndef COMRADARR_CRYPTO_SECRETBOX_H
#define COMRADARR_CRYPTO_SECRETBOX_H

#include <stddef.h>

#include "core/err.h"

struct secret_key {
	unsigned char key[32];
	unsigned char id[8];
};

#define SECRETBOX_VERSION	0x01
#define SECRETBOX_HEADER_BYTES	(1 + 8 + 12)
#define SECRETBOX_TAG_BYTES	16
/* The smallest well-formed box: an empty plaintext. */
#define SECRETBOX_MIN_BYTES	(SECRETBOX_HEADER_BYTES + SECRETBOX_TAG_BYTES)
/* Secrets are API keys, passwords and webhook URLs: nothing near this big. */
#define SECRETBOX_MAX_PLAIN	(1024 * 1024)
/* Longest ad_table / ad_column accepted. */
#define SECRETBOX_MAX_AD_NAME	128

/*
 * The start of the message secretbox_open() leaves in e->msg when the box was
 * sealed under a different key (Req 33.3).  Use secretbox_is_key_mismatch().
 */
#define SECRETBOX_KEY_MISMATCH	"encryption key mismatch"

/*
 * Initialise libsodium and check that this CPU can run AES-256-GCM.  Seal and
 * open call it themselves; a tool calls it at start to fail early with the
 * clear message.  Safe to call any number of times, from any thread.
 */
int secretbox_init(struct err *e);

/*
 * Parse a SECRET_KEY value: 64 hex characters, or base64 (standard or
 * url-safe, with or without padding) of exactly 32 bytes.  Surrounding
 * white space (a trailing newline from a file) is ignored.  Fills k->key and
 * k->id.  Error messages never contain the text.
 */
int secret_key_parse(const char *text, struct secret_key *k, struct err *e);

/*
 * Load the key from env_value when it is non-NULL and not empty (an empty
 * SECRET_KEY= in an env file means "not set"), else from the file at path.
 * When that file does not exist, generate a key and write it there as 64 hex
 * characters and a newline, mode 0600, creating missing parent directories
 * with mode 0700 (Req 30.3).  The write is atomic (temporary file, fsync,
 * rename that never replaces) and never overwrites an existing file: when
 * two tools start at once and race to create it, the loser loads the
 * winner's key.  *generated (may be NULL) is set to 1 when a new key was
 * made, else 0.  On failure k is wiped.
 */
int secret_key_load(const char *env_value, const char *path, struct secret_key *k,
		    int *generated, struct err *e);

/*
 * The last step of a key rotation (Req 36.4): keep the key at path as
 * old_path (a hard link: never replaces a file), then move new_path over
 * path, and sync the directory.  At every instant path holds the old or
 * the new key, so a crash leaves both on disk.  When old_path exists
 * already it must hold the same key as path (a resumed rotation).
 */
int secret_key_file_install(const char *path, const char *new_path, const char *old_path,
			    struct err *e);

/* Zero the key (sodium_memzero, which the compiler may not drop). */
void secret_key_wipe(struct secret_key *k);

/* The key id as 16 lowercase hex characters and a NUL. */
void secret_key_id_hex(const struct secret_key *k, char out[17]);

/*
 * Seal plain (plain_len bytes, at most SECRETBOX_MAX_PLAIN) for row ad_row of
 * ad_table.ad_column.  *out is malloc'd (caller frees; it holds no secret in
 * the clear); *out_len is plain_len + SECRETBOX_MIN_BYTES.  On failure *out
 * is NULL.
 */
int secretbox_seal(const struct secret_key *k, const char *ad_table, const char *ad_column,
		   long long ad_row, const unsigned char *plain, size_t plain_len,
		   unsigned char **out, size_t *out_len, struct err *e);

/*
 * Open a box sealed by secretbox_seal() with the same table, column and row.
 * *plain is malloc'd with a NUL after the plain_len bytes (for convenience;
 * the plaintext itself may hold NULs); the caller wipes it with
 * sodium_memzero(*plain, *plain_len) and frees it.  On failure *plain is
 * NULL and e says which of these it was, all ERR_CRYPTO:
 *   - "encryption key mismatch: ..." (secretbox_is_key_mismatch() is true):
 *     the box carries another key id; nothing was decrypted;
 *   - tampered, corrupt or moved to another row/column/table;
 *   - not a box at all (too short, unknown version).
 */
int secretbox_open(const struct secret_key *k, const char *ad_table, const char *ad_column,
		   long long ad_row, const unsigned char *box, size_t box_len,
		   unsigned char **plain, size_t *plain_len, struct err *e);

/*
 * Key rotation (Req 36.4): open box with old_key and seal the plaintext again
 * under new_key for the same table, column and row; the plaintext is wiped
 * before returning.  *out is malloc'd (caller frees), NULL on failure.  A
 * box already sealed under new_key fails with a key mismatch, so check
 * secretbox_key_id() first when a rotation may be resumed.
 */
int secretbox_reseal(const struct secret_key *old_key, const struct secret_key *new_key,
		     const char *ad_table, const char *ad_column, long long ad_row,
		     const unsigned char *box, size_t box_len,
		     unsigned char **out, size_t *out_len, struct err *e);

/*
 * Which key id a box was sealed with (Req 36.4: a rotation re-seals the
 * values whose id is not the new key's).  Returns 0, or -1 when box is not
 * a well-formed box of a known version.
 */
int secretbox_key_id(const unsigned char *box, size_t box_len, unsigned char id[8]);

/* Did this error come from a box sealed under another key? */
int secretbox_is_key_mismatch(const struct err *e);

#endif
