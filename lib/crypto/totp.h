/*
 * totp.h - the second factor of a comradarr-serve account: RFC 6238 TOTP
 * codes and one-time recovery codes.
 *
 * Codes: 6 digits, 30-second steps counted from the Unix epoch, HMAC-SHA-1
 * by default (the one every authenticator app reads from an otpauth://
 * URI), HMAC-SHA-256 and -512 (libsodium) on request.  A code is accepted
 * for its own step and one step either side (clock drift of up to 30 s and
 * the seconds a person takes to type it).  Each of the three candidates is
 * computed and compared in constant time, so the time taken says nothing
 * about which step or how many digits matched.  Replay is refused by the
 * caller's record of the last step used (totp_verify's last_step; lib/db
 * advances it atomically so two requests cannot spend one code).
 *
 * Recovery codes: 16 characters of Crockford's base 32 (80 random bits),
 * written "xxxx-xxxx-xxxx-xxxx".  Eighty bits make an unsalted fast hash
 * enough (as for session ids, token.h), but the hash is bound to the user
 * id so a code is worth nothing on another account.  Input is forgiving:
 * case, dashes and spaces are ignored, and i/l read as 1, o as 0.
 */
#ifndef COMRADARR_CRYPTO_TOTP_H
#define COMRADARR_CRYPTO_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum totp_alg {
	TOTP_SHA1 = 0,
	TOTP_SHA256,
	TOTP_SHA512
};

#define TOTP_PERIOD_S	30
#define TOTP_DIGITS	6
#define TOTP_WINDOW	1		/* steps accepted either side of now */
#define TOTP_SECRET_MAX	64		/* bytes: SHA-512's key size */
/* base32 of TOTP_SECRET_MAX bytes and a NUL */
#define TOTP_BASE32_MAX	(((TOTP_SECRET_MAX * 8 + 4) / 5) + 1)

/* "SHA1", "SHA256", "SHA512": the otpauth:// spelling, stored as is. */
const char *totp_alg_name(enum totp_alg alg);
/* The name back (case-insensitive); -1 and e set when unknown. */
int totp_alg_parse(const char *name, enum totp_alg *alg, struct err *e);
/* The secret length RFC 6238 uses for each: the hash's output size (20, 32, 64). */
size_t totp_secret_len(enum totp_alg alg);

/* HMAC of msg under key with alg's hash; out holds up to 64 bytes; *out_len set. */
int totp_hmac(enum totp_alg alg, const unsigned char *key, size_t key_len,
	      const unsigned char *msg, size_t msg_len, unsigned char out[64], size_t *out_len);

/* The step a Unix time falls in: floor(t / 30). */
int64_t totp_step(int64_t unix_s);

/*
 * The code of step as `digits` (6 to 8) decimal digits and a NUL in out
 * (RFC 4226 dynamic truncation, RFC 6238 counter).  0, or -1 on bad input.
 */
int totp_code(enum totp_alg alg, const unsigned char *key, size_t key_len, int64_t step,
	      int digits, char out[9]);

enum totp_result {
	TOTP_WRONG = 0,		/* no step in the window has this code */
	TOTP_OK = 1,		/* *step: the step it matched, after last_step */
	TOTP_REPLAYED = 2	/* it matches a step at or before last_step: used */
};

/*
 * Check a 6-digit code typed at now_s (spaces allowed, nothing else)
 * against steps now-1, now, now+1.  last_step is the newest step already
 * used (-1: none).  *step is set on TOTP_OK.
 */
enum totp_result totp_verify(enum totp_alg alg, const unsigned char *key, size_t key_len,
			     int64_t now_s, const char *code, int64_t last_step, int64_t *step);

/* Does it look like a TOTP code (6 digits, spaces allowed) rather than a
 * recovery code? */
int totp_is_code(const char *s);

/*
 * RFC 4648 base32 (A-Z2-7) without padding, the form authenticator apps
 * take; out must hold ((len * 8 + 4) / 5) + 1 bytes.  Returns out.
 */
char *totp_base32(const unsigned char *data, size_t len, char *out, size_t out_size);

/*
 * otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&algorithm=...
 * &digits=6&period=30 (the Key Uri Format of Google Authenticator, which
 * every app reads), label and issuer percent-encoded.  malloc'd; NULL when
 * out of memory.  It holds the secret: wipe before freeing.
 */
char *totp_uri(const char *issuer, const char *account, enum totp_alg alg,
	       const char *secret_b32);

/* ---- recovery codes */

#define TOTP_RECOVERY_CODES	10
#define TOTP_RECOVERY_SIZE	20	/* "xxxx-xxxx-xxxx-xxxx" and a NUL */

/* A new random code; 0, or -1 when the random source failed. */
int totp_recovery_new(char out[TOTP_RECOVERY_SIZE]);

/*
 * The stored form of a code typed by user_id: SHA-256 of a context string,
 * the user id and the normalised code, as 64 hex characters and a NUL.
 * -1 (out "") when the input is not 16 code characters once dashes and
 * spaces are taken out.
 */
int totp_recovery_hash(int64_t user_id, const char *typed, char out[65]);

#endif
