/*
 * totp.h - the second factor of comradarr-serve accounts in PostgreSQL
 * (sql/0015_totp.sql): the sealed TOTP secret, recovery codes and the
 * logins waiting for a code.  The rules are crypto/totp.h's; these
 * functions keep the state that makes them hold across requests and hosts.
 *
 * The life of a second factor:
 *   1. db_totp_begin: a new random secret, sealed under SECRET_KEY for
 *      (user_totp, secret_enc, user id), stored unconfirmed (a previous
 *      unconfirmed one is replaced; a confirmed one is refused: disable it
 *      first).  The caller shows the secret once, to its owner.
 *   2. db_totp_confirm: the first code proves the app holds the secret; in
 *      one transaction the row is confirmed, the code's step recorded and
 *      TOTP_RECOVERY_CODES recovery codes made (returned, stored as hashes).
 *   3. db_totp_check at each login: the code must match a step after the
 *      last one used; the step is recorded by an UPDATE whose WHERE says
 *      "newer than the last", so of two requests with one code only one
 *      can win, on any number of servers.
 *   4. db_totp_remove (disable, or an admin's reset): the secret and the
 *      codes go; logins ask for the password only.
 * A secret never leaves these functions but through db_totp_begin's and
 * db_totp_pending_secret's out parameters, for the owner's screen.
 */
#ifndef COMRADARR_DB_TOTP_H
#define COMRADARR_DB_TOTP_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "crypto/secretbox.h"
#include "crypto/totp.h"

struct db_totp_status {
	int present;		/* a row: pending or confirmed */
	int enabled;		/* confirmed: logins ask for a code */
	enum totp_alg alg;
	int recovery_left;	/* unused recovery codes */
	int64_t confirmed_us;	/* 0: not confirmed */
};

int db_totp_status(PGconn *db, int64_t user_id, struct db_totp_status *st, struct err *e);

/*
 * Step 1.  secret (TOTP_SECRET_MAX bytes) gets the new secret, *len its
 * length; the caller wipes it.  ERR_CONFLICT when the user has a confirmed
 * second factor already.
 */
int db_totp_begin(PGconn *db, const struct secret_key *k, int64_t user_id, enum totp_alg alg,
		  unsigned char secret[TOTP_SECRET_MAX], size_t *len, struct err *e);

/* The unconfirmed secret again (the enrolment page reloaded); ERR_NOTFOUND
 * when there is none. */
int db_totp_pending_secret(PGconn *db, const struct secret_key *k, int64_t user_id,
			   unsigned char secret[TOTP_SECRET_MAX], size_t *len, enum totp_alg *alg,
			   struct err *e);

/*
 * Step 2 with the code typed at now_s.  *result TOTP_OK: confirmed, and
 * codes holds the new recovery codes; otherwise nothing changed.
 * ERR_NOTFOUND when nothing waits for confirmation.
 */
int db_totp_confirm(PGconn *db, const struct secret_key *k, int64_t user_id, const char *code,
		    int64_t now_s, enum totp_result *result,
		    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], struct err *e);

/* Step 3.  *result TOTP_OK only when the code matched and its step was
 * recorded here; TOTP_REPLAYED when it was used already (or just now, by a
 * request that won the race).  ERR_NOTFOUND when TOTP is not enabled. */
int db_totp_check(PGconn *db, const struct secret_key *k, int64_t user_id, const char *code,
		  int64_t now_s, enum totp_result *result, struct err *e);

/* Spend a recovery code: *ok 1 when it was the user's and unused (it is
 * used now), *left the unused ones after. */
int db_totp_recovery_use(PGconn *db, int64_t user_id, const char *typed, int *ok, int *left,
			 struct err *e);

/* New recovery codes replacing every old one (ERR_NOTFOUND when TOTP is not
 * enabled). */
int db_totp_recovery_renew(PGconn *db, int64_t user_id,
			   char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], struct err *e);

/* Step 4: *removed 1 when there was a second factor (pending or not); its
 * waiting logins go too. */
int db_totp_remove(PGconn *db, int64_t user_id, int *removed, struct err *e);

/* ---- logins waiting for the second factor */

/* Store a token's hash for user_id, valid ttl_s seconds; expired rows are
 * pruned on the way. */
int db_login_pending_add(PGconn *db, const char *token_hash, int64_t user_id, int ttl_s,
			 const char *address, struct err *e);
/* The user of a live token (*found 0: unknown or expired), name included. */
int db_login_pending_get(PGconn *db, const char *token_hash, int64_t *user_id,
			 char name[65], int *found, struct err *e);
/* Take the token: *taken 1 only for the one caller that deleted a live row
 * (single use, even under a race). */
int db_login_pending_take(PGconn *db, const char *token_hash, int *taken, struct err *e);
/* Drop every waiting login of a user (locked out, factor removed). */
int db_login_pending_drop_user(PGconn *db, int64_t user_id, struct err *e);

#endif
