/*
 * users.h - comradarr-serve's accounts, sessions, API keys and audit log
 * (sql/0011_serve.sql; Req 10, 34, 35).
 *
 * Only hashes reach these functions: the caller hashes a password with
 * crypto/password.h and a session id or API key with token_sha256_hex().
 * Times are the database's clock (now()), the one every host shares.
 */
#ifndef COMRADARR_DB_USERS_H
#define COMRADARR_DB_USERS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

#define USER_NAME_MAX	64
#define USER_PASSWORD_MIN	12	/* characters (bytes); Req 10.2 */

struct db_user {
	int64_t id;
	char name[USER_NAME_MAX + 1];
	char role[16];			/* admin | user | readonly */
	char *password_hash;		/* malloc'd; only db_user_get_login fills it */
	int failed_logins;
	int64_t locked_for_s;		/* > 0: locked for this many more seconds */
	int64_t created_us, last_login_us;	/* 0: never */
	int totp;			/* a confirmed second factor; only db_user_list fills it */
};

void db_user_release(struct db_user *u);

/* Pure checks: e says what is accepted. */
int user_validate_name(const char *name, struct err *e);
int user_validate_role(const char *role, struct err *e);
int user_validate_password(const char *password, struct err *e);

/* Insert (ERR_CONFLICT when the name is taken); u->id set when u != NULL. */
int db_user_add(PGconn *db, const char *name, const char *role, const char *hash,
		int64_t *id, struct err *e);
/* New hash; every session of the user, and every login waiting for its
 * second factor, is revoked with it (one transaction). */
int db_user_set_password(PGconn *db, const char *name, const char *hash, struct err *e);
int db_user_set_role(PGconn *db, const char *name, const char *role, struct err *e);
/* Refused (ERR_CONFLICT) when it would remove the last admin. */
int db_user_remove(PGconn *db, const char *name, struct err *e);
/* By name; *found = 0 when there is none (no error).  With the hash. */
int db_user_get_login(PGconn *db, const char *name, struct db_user *u, int *found,
		      struct err *e);
/* All users by name (no hashes); *list malloc'd, free() it. */
int db_user_list(PGconn *db, struct db_user **list, size_t *n, struct err *e);
int db_user_count(PGconn *db, long *n, struct err *e);

/*
 * A failed login: failed_logins + 1, and a lock of lock_minutes once it
 * reaches attempts.  *locked_for_s > 0 when the account is now locked.
 */
int db_user_login_failed(PGconn *db, int64_t id, int attempts, int lock_minutes,
			 int64_t *locked_for_s, struct err *e);

/* ---- sessions */

struct db_session {
	int64_t user_id;
	char user[USER_NAME_MAX + 1];
	char role[16];
	char csrf[64];
};

/*
 * A successful login: reset the failure count, set last_login_at, delete
 * the session the browser came with (old_hash, may be NULL: rotation, so a
 * planted id never becomes a logged-in one), and create the new one.
 */
int db_session_create(PGconn *db, int64_t user_id, const char *id_hash, const char *csrf,
		      int idle_minutes, int max_hours, const char *address,
		      const char *old_hash, struct err *e);
/*
 * The live session with this hash (*found = 0 if none, expired or idle):
 * its idle deadline is pushed out (at most once a minute: not a write per
 * request).
 */
int db_session_get(PGconn *db, const char *id_hash, int idle_minutes, struct db_session *s,
		   int *found, struct err *e);
int db_session_delete(PGconn *db, const char *id_hash, struct err *e);
/* Remove sessions past their expiry; *n how many. */
int db_session_prune(PGconn *db, long *n, struct err *e);

/* ---- API keys */

struct db_apikey {
	int64_t id;
	char last4[8];
	char description[201];
	char scope[8];			/* read | full */
	char created_by[USER_NAME_MAX + 16];
	int64_t created_us, revoked_us, last_used_us;	/* 0: not */
};

int apikey_validate_scope(const char *scope, struct err *e);
int db_apikey_add(PGconn *db, const char *key_hash, const char *last4, const char *description,
		  const char *scope, const char *created_by, int64_t *id, struct err *e);
/* Live (not revoked) key by hash; *found = 0 when none. */
int db_apikey_lookup(PGconn *db, const char *key_hash, struct db_apikey *k, int *found,
		     struct err *e);
int db_apikey_list(PGconn *db, struct db_apikey **list, size_t *n, struct err *e);
/* ERR_NOTFOUND when no live key has this id. */
int db_apikey_revoke(PGconn *db, int64_t id, struct err *e);
/* One request made with a key: a usage row and last_used_at. */
int db_apikey_used(PGconn *db, int64_t id, const char *method, const char *route, int status,
		   struct err *e);

/* ---- audit log */

/* detail: stolen, NULL for {}.  address and target may be NULL. */
int db_audit(PGconn *db, const char *actor, const char *address, const char *action,
	     const char *target, const char *outcome, json_t *detail, struct err *e);

/* Newest first, ids below before_id (0: from the newest), at most limit;
 * a JSON array of objects (new reference). */
int db_audit_list(PGconn *db, int64_t before_id, long limit, json_t **out, struct err *e);

#endif
