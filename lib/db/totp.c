/*
 * totp.c - second factors, recovery codes and waiting logins (see totp.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db/db.h"
#include "db/totp.h"
#include "core/banned.h"

#define AD_TABLE	"user_totp"
#define AD_COLUMN	"secret_enc"

static int
not_enabled(struct err *e)
{
	return err_set(e, ERR_NOTFOUND, "two-factor authentication is not enabled for this user");
}

int
db_totp_status(PGconn *db, int64_t user_id, struct db_totp_status *st, struct err *e)
{
	char uid[24];
	const char *p[1] = { db_fmt_int64(uid, sizeof(uid), user_id) };
	PGresult *r = NULL;
	struct err ignore = ERR_INIT;

	memset(st, 0, sizeof(*st));
	if (db_query(db, "SELECT t.algorithm, t.confirmed_at IS NOT NULL, "
		     DB_SQL_US("t.confirmed_at") ", (SELECT count(*) FROM user_recovery_codes c "
		     "WHERE c.user_id = t.id AND c.used_at IS NULL) FROM user_totp t WHERE t.id = $1",
		     1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		st->present = 1;
		if (totp_alg_parse(db_str(r, 0, 0), &st->alg, &ignore) < 0)
			st->alg = TOTP_SHA1;
		st->enabled = db_bool(r, 0, 1);
		st->confirmed_us = db_int64(r, 0, 2, 0);
		st->recovery_left = (int)db_int64(r, 0, 3, 0);
	}
	PQclear(r);
	return 0;
}

int
db_totp_begin(PGconn *db, const struct secret_key *k, int64_t user_id, enum totp_alg alg,
	      unsigned char secret[TOTP_SECRET_MAX], size_t *len, struct err *e)
{
	char uid[24];
	unsigned char *box = NULL;
	size_t box_len = 0;
	PGresult *r = NULL;
	int ret = -1;

	*len = totp_secret_len(alg);
	if (sodium_init() < 0)
		return err_set(e, ERR_CRYPTO, "no randomness");
	randombytes_buf(secret, *len);
	if (secretbox_seal(k, AD_TABLE, AD_COLUMN, (long long)user_id, secret, *len, &box,
			   &box_len, e) < 0)
		goto out;
	{
		const char *vals[3] = { db_fmt_int64(uid, sizeof(uid), user_id), (const char *)box,
					totp_alg_name(alg) };
		int lens[3] = { 0, (int)box_len, 0 }, fmts[3] = { 0, 1, 0 };

		/* a confirmed row is left alone: the WHERE makes the upsert a no-op */
		if (db_query_bin(db, "INSERT INTO user_totp (id, secret_enc, algorithm) "
				 "VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET "
				 "secret_enc = excluded.secret_enc, algorithm = excluded.algorithm, "
				 "created_at = now(), last_step = NULL "
				 "WHERE user_totp.confirmed_at IS NULL RETURNING id",
				 3, vals, lens, fmts, &r, e) < 0)
			goto out;
	}
	if (PQntuples(r) == 0) {
		err_set(e, ERR_CONFLICT, "two-factor authentication is enabled already; disable it "
			"first to enrol another authenticator");
		goto out;
	}
	ret = 0;
out:
	if (ret < 0) {
		sodium_memzero(secret, TOTP_SECRET_MAX);
		*len = 0;
	}
	PQclear(r);
	free(box);
	return ret;
}

/* The user's secret (pending or confirmed, as `confirmed` says) opened into
 * secret; *alg and *last_step (-1: none) too.  ERR_NOTFOUND when no such row. */
static int
open_secret(PGconn *db, const struct secret_key *k, int64_t user_id, int confirmed,
	    unsigned char secret[TOTP_SECRET_MAX], size_t *len, enum totp_alg *alg,
	    int64_t *last_step, int lock, struct err *e)
{
	char uid[24], sql[256];
	const char *p[1] = { db_fmt_int64(uid, sizeof(uid), user_id) };
	unsigned char *box = NULL, *plain = NULL;
	size_t box_len = 0, plain_len = 0;
	PGresult *r = NULL;
	int ret = -1;

	*len = 0;
	snprintf(sql, sizeof(sql), "SELECT secret_enc, algorithm, coalesce(last_step, -1) "
		 "FROM user_totp WHERE id = $1 AND confirmed_at IS %s NULL%s",
		 confirmed ? "NOT" : "", lock ? " FOR UPDATE" : "");
	if (db_query(db, sql, 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 0) {
		if (confirmed)
			not_enabled(e);
		else
			err_set(e, ERR_NOTFOUND, "no two-factor enrolment is waiting for a code; "
				"start one first");
		goto out;
	}
	if (totp_alg_parse(db_str(r, 0, 1), alg, e) < 0 || db_bytea(r, 0, 0, &box, &box_len, e) < 0)
		goto out;
	*last_step = db_int64(r, 0, 2, -1);
	if (secretbox_open(k, AD_TABLE, AD_COLUMN, (long long)user_id, box, box_len, &plain,
			   &plain_len, e) < 0) {
		err_prefix(e, "the two-factor secret");
		goto out;
	}
	if (plain_len == 0 || plain_len > TOTP_SECRET_MAX) {
		err_set(e, ERR_CRYPTO, "the two-factor secret has a length no enrolment makes");
		goto out;
	}
	memcpy(secret, plain, plain_len);
	*len = plain_len;
	ret = 0;
out:
	if (plain != NULL) {
		sodium_memzero(plain, plain_len);
		free(plain);
	}
	free(box);
	PQclear(r);
	return ret;
}

int
db_totp_pending_secret(PGconn *db, const struct secret_key *k, int64_t user_id,
		       unsigned char secret[TOTP_SECRET_MAX], size_t *len, enum totp_alg *alg,
		       struct err *e)
{
	int64_t last;

	return open_secret(db, k, user_id, 0, secret, len, alg, &last, 0, e);
}

/* Make codes, store their hashes in place of the old ones (in the caller's
 * transaction). */
static int
renew_codes(PGconn *db, int64_t user_id, char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE],
	    struct err *e)
{
	char uid[24], hash[65];
	const char *p[2] = { db_fmt_int64(uid, sizeof(uid), user_id), hash };

	if (db_query(db, "DELETE FROM user_recovery_codes WHERE user_id = $1", 1, p, NULL, e) < 0)
		return -1;
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
		if (totp_recovery_new(codes[i]) < 0 || totp_recovery_hash(user_id, codes[i], hash) < 0)
			return err_set(e, ERR_CRYPTO, "no randomness");
		if (db_query(db, "INSERT INTO user_recovery_codes (user_id, code_hash) "
			     "VALUES ($1, $2)", 2, p, NULL, e) < 0)
			return -1;
	}
	return 0;
}

int
db_totp_confirm(PGconn *db, const struct secret_key *k, int64_t user_id, const char *code,
		int64_t now_s, enum totp_result *result,
		char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], struct err *e)
{
	unsigned char secret[TOTP_SECRET_MAX];
	char uid[24], st[24];
	const char *p[2] = { db_fmt_int64(uid, sizeof(uid), user_id), st };
	enum totp_alg alg = TOTP_SHA1;
	int64_t last = -1, step = 0;
	size_t len = 0;
	int ret = -1;

	*result = TOTP_WRONG;
	if (db_begin(db, e) < 0)
		return -1;
	if (open_secret(db, k, user_id, 0, secret, &len, &alg, &last, 1, e) < 0)
		goto out;
	*result = totp_verify(alg, secret, len, now_s, code, last, &step);
	sodium_memzero(secret, sizeof(secret));
	if (*result != TOTP_OK) {
		ret = 0;
		goto out;
	}
	db_fmt_int64(st, sizeof(st), step);
	if (db_query(db, "UPDATE user_totp SET confirmed_at = now(), last_step = $2 WHERE id = $1",
		     2, p, NULL, e) < 0 || renew_codes(db, user_id, codes, e) < 0 ||
	    db_commit(db, e) < 0) {
		*result = TOTP_WRONG;
		goto out;
	}
	return 0;
out:
	db_rollback(db);
	if (ret < 0 || *result != TOTP_OK)
		sodium_memzero(codes, sizeof(char[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE]));
	return ret;
}

int
db_totp_check(PGconn *db, const struct secret_key *k, int64_t user_id, const char *code,
	      int64_t now_s, enum totp_result *result, struct err *e)
{
	unsigned char secret[TOTP_SECRET_MAX];
	char uid[24], st[24];
	const char *p[2] = { db_fmt_int64(uid, sizeof(uid), user_id), st };
	enum totp_alg alg = TOTP_SHA1;
	int64_t last = -1, step = 0;
	PGresult *r = NULL;
	size_t len = 0;

	*result = TOTP_WRONG;
	if (open_secret(db, k, user_id, 1, secret, &len, &alg, &last, 0, e) < 0)
		return -1;
	*result = totp_verify(alg, secret, len, now_s, code, last, &step);
	sodium_memzero(secret, sizeof(secret));
	if (*result != TOTP_OK)
		return 0;
	/* the step is ours only if no one recorded it (or a later one) since
	 * we read last_step: the row lock makes the WHERE see their write */
	db_fmt_int64(st, sizeof(st), step);
	if (db_query(db, "UPDATE user_totp SET last_step = $2 WHERE id = $1 AND "
		     "confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $2::bigint) "
		     "RETURNING id", 2, p, &r, e) < 0) {
		*result = TOTP_WRONG;
		return -1;
	}
	if (PQntuples(r) == 0)
		*result = TOTP_REPLAYED;
	PQclear(r);
	return 0;
}

int
db_totp_recovery_use(PGconn *db, int64_t user_id, const char *typed, int *ok, int *left,
		     struct err *e)
{
	char uid[24], hash[65];
	const char *p[2] = { db_fmt_int64(uid, sizeof(uid), user_id), hash };
	PGresult *r = NULL;

	*ok = 0;
	*left = 0;
	if (totp_recovery_hash(user_id, typed, hash) < 0)
		return 0;	/* not even the shape of one: not the user's */
	/* one statement: of two requests with one code, one marks it */
	if (db_query(db, "WITH u AS (UPDATE user_recovery_codes SET used_at = now() "
		     "WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL "
		     "AND EXISTS (SELECT 1 FROM user_totp t WHERE t.id = $1 "
		     "AND t.confirmed_at IS NOT NULL) RETURNING 1) "
		     "SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM user_recovery_codes "
		     "WHERE user_id = $1 AND used_at IS NULL)", 2, p, &r, e) < 0)
		return -1;
	*ok = db_int64(r, 0, 0, 0) == 1;
	/* the count was read before the UPDATE's row changed: take it off */
	*left = (int)db_int64(r, 0, 1, 0) - (*ok ? 1 : 0);
	PQclear(r);
	return 0;
}

int
db_totp_recovery_renew(PGconn *db, int64_t user_id,
		       char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], struct err *e)
{
	char uid[24];
	const char *p[1] = { db_fmt_int64(uid, sizeof(uid), user_id) };
	PGresult *r = NULL;
	int ret = -1;

	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "SELECT 1 FROM user_totp WHERE id = $1 AND confirmed_at IS NOT NULL "
		     "FOR UPDATE", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		not_enabled(e);
		goto out;
	}
	if (renew_codes(db, user_id, codes, e) < 0 || db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0) {
		db_rollback(db);
		sodium_memzero(codes, sizeof(char[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE]));
	}
	return ret;
}

int
db_totp_remove(PGconn *db, int64_t user_id, int *removed, struct err *e)
{
	char uid[24];
	const char *p[1] = { db_fmt_int64(uid, sizeof(uid), user_id) };
	PGresult *r = NULL;
	int ret = -1;

	*removed = 0;
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "DELETE FROM user_totp WHERE id = $1 RETURNING id", 1, p, &r, e) < 0 ||
	    db_query(db, "DELETE FROM user_recovery_codes WHERE user_id = $1", 1, p, NULL, e) < 0 ||
	    db_query(db, "DELETE FROM login_pending WHERE user_id = $1", 1, p, NULL, e) < 0 ||
	    db_commit(db, e) < 0)
		goto out;
	*removed = PQntuples(r) == 1;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0)
		db_rollback(db);
	return ret;
}

/* ---------------------------------------------------------------- pending */

int
db_login_pending_add(PGconn *db, const char *token_hash, int64_t user_id, int ttl_s,
		     const char *address, struct err *e)
{
	char uid[24], ttl[16];
	const char *p[4] = { token_hash, db_fmt_int64(uid, sizeof(uid), user_id), ttl, address };

	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	return db_query(db, "WITH d AS (DELETE FROM login_pending WHERE expires_at < now()) "
			"INSERT INTO login_pending (token_hash, user_id, expires_at, address) "
			"VALUES ($1, $2, now() + $3::int * interval '1 second', $4)", 4, p, NULL, e);
}

int
db_login_pending_get(PGconn *db, const char *token_hash, int64_t *user_id, char name[65],
		     int *found, struct err *e)
{
	const char *p[1] = { token_hash };
	PGresult *r = NULL;

	*found = 0;
	*user_id = 0;
	name[0] = '\0';
	if (db_query(db, "SELECT p.user_id, u.name FROM login_pending p JOIN users u "
		     "ON u.id = p.user_id WHERE p.token_hash = $1 AND p.expires_at > now()",
		     1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		*user_id = db_int64(r, 0, 0, 0);
		snprintf(name, 65, "%s", db_str(r, 0, 1));
		*found = 1;
	}
	PQclear(r);
	return 0;
}

int
db_login_pending_take(PGconn *db, const char *token_hash, int *taken, struct err *e)
{
	const char *p[1] = { token_hash };
	PGresult *r = NULL;

	*taken = 0;
	if (db_query(db, "DELETE FROM login_pending WHERE token_hash = $1 AND expires_at > now() "
		     "RETURNING 1", 1, p, &r, e) < 0)
		return -1;
	*taken = PQntuples(r) == 1;
	PQclear(r);
	return 0;
}

int
db_login_pending_drop_user(PGconn *db, int64_t user_id, struct err *e)
{
	char uid[24];
	const char *p[1] = { db_fmt_int64(uid, sizeof(uid), user_id) };

	return db_query(db, "DELETE FROM login_pending WHERE user_id = $1", 1, p, NULL, e);
}
