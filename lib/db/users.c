/*
 * users.c - accounts, sessions, API keys, audit log (see users.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/users.h"
#include "core/banned.h"

#define US(col) DB_SQL_US(col)

void
db_user_release(struct db_user *u)
{
	if (u->password_hash != NULL) {
		memset(u->password_hash, 0, strlen(u->password_hash));
		free(u->password_hash);
	}
	u->password_hash = NULL;
}

int
user_validate_name(const char *name, struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > USER_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-") != n ||
	    strchr("._@-", name[0]) != NULL)
		return err_set(e, ERR_USAGE, "user name '%.64s' is not valid: 1-64 letters, digits, "
			       "'.', '_', '@' or '-', starting with a letter or digit",
			       name ? name : "");
	return 0;
}

int
user_validate_role(const char *role, struct err *e)
{
	if (role == NULL || (strcmp(role, "admin") != 0 && strcmp(role, "user") != 0 &&
			     strcmp(role, "readonly") != 0))
		return err_set(e, ERR_USAGE, "role '%s' is not valid: admin, user or readonly",
			       role ? role : "");
	return 0;
}

int
user_validate_password(const char *password, struct err *e)
{
	size_t n = password ? strlen(password) : 0;

	if (n < USER_PASSWORD_MIN)
		return err_set(e, ERR_USAGE, "the password is too short: at least %d characters",
			       USER_PASSWORD_MIN);
	if (n > 1024)
		return err_set(e, ERR_USAGE, "the password is too long: at most 1024 bytes");
	return 0;
}

int
db_user_add(PGconn *db, const char *name, const char *role, const char *hash, int64_t *id,
	    struct err *e)
{
	const char *p[3] = { name, role, hash };
	PGresult *r = NULL;

	if (db_query(db, "INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3) "
		     "RETURNING id", 3, p, &r, e) < 0) {
		if (e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a user named '%s' already exists", name);
		return -1;
	}
	if (id != NULL)
		*id = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

static int
not_found_user(const char *name, struct err *e)
{
	return err_set(e, ERR_NOTFOUND, "no user named '%s' (see 'comradarr user list')", name);
}

int
db_user_set_password(PGconn *db, const char *name, const char *hash, struct err *e)
{
	const char *p[2] = { name, hash };
	PGresult *r = NULL;
	int ret = -1;

	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "UPDATE users SET password_hash = $2, password_changed_at = now(), "
		     "failed_logins = 0, locked_until = NULL WHERE name = $1 RETURNING id",
		     2, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		not_found_user(name, e);
		goto out;
	}
	PQclear(r);
	r = NULL;
	/* and the logins the old password began, waiting for a second factor */
	if (db_query(db, "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = $1)",
		     1, p, NULL, e) < 0 ||
	    db_query(db, "DELETE FROM login_pending WHERE user_id = (SELECT id FROM users "
		     "WHERE name = $1)", 1, p, NULL, e) < 0 || db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int
db_user_set_role(PGconn *db, const char *name, const char *role, struct err *e)
{
	const char *p[2] = { name, role };
	PGresult *r = NULL;
	int rows;

	/* demoting the last admin would lock everybody out of administration */
	if (db_query(db, "UPDATE users SET role = $2 WHERE name = $1 AND ($2 = 'admin' OR "
		     "EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND o.name <> $1)) "
		     "RETURNING id", 2, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows == 0) {
		if (db_query(db, "SELECT 1 FROM users WHERE name = $1", 1, p, &r, e) < 0)
			return -1;
		rows = PQntuples(r);
		PQclear(r);
		if (rows == 0)
			return not_found_user(name, e);
		return err_set(e, ERR_CONFLICT, "'%s' is the last admin; make another user admin "
			       "first", name);
	}
	return 0;
}

int
db_user_remove(PGconn *db, const char *name, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	int rows;

	if (db_query(db, "DELETE FROM users WHERE name = $1 AND (role <> 'admin' OR "
		     "EXISTS (SELECT 1 FROM users o WHERE o.role = 'admin' AND o.name <> $1)) "
		     "RETURNING id", 1, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows > 0)
		return 0;
	if (db_query(db, "SELECT 1 FROM users WHERE name = $1", 1, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows == 0)
		return not_found_user(name, e);
	return err_set(e, ERR_CONFLICT, "'%s' is the last admin and cannot be removed", name);
}

static const char user_cols[] =
	"SELECT id, name, role, failed_logins, "
	"greatest(0, ceil(extract(epoch FROM (locked_until - now()))))::bigint, "
	US("created_at") ", " US("last_login_at") " FROM users ";

static void
user_row(const PGresult *r, int i, struct db_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = db_int64(r, i, 0, 0);
	snprintf(u->name, sizeof(u->name), "%s", db_str(r, i, 1));
	snprintf(u->role, sizeof(u->role), "%s", db_str(r, i, 2));
	u->failed_logins = (int)db_int64(r, i, 3, 0);
	u->locked_for_s = db_int64(r, i, 4, 0);
	u->created_us = db_int64(r, i, 5, 0);
	u->last_login_us = db_int64(r, i, 6, 0);
}

int
db_user_get_login(PGconn *db, const char *name, struct db_user *u, int *found, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	char sql[512];

	*found = 0;
	memset(u, 0, sizeof(*u));
	snprintf(sql, sizeof(sql), "%s, password_hash FROM users WHERE name = $1",
		 "SELECT id, name, role, failed_logins, "
		 "greatest(0, ceil(extract(epoch FROM (locked_until - now()))))::bigint, "
		 US("created_at") ", " US("last_login_at"));
	if (db_query(db, sql, 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		user_row(r, 0, u);
		u->password_hash = strdup(db_str(r, 0, 7));
		if (u->password_hash == NULL) {
			PQclear(r);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		*found = 1;
	}
	PQclear(r);
	return 0;
}

int
db_user_list(PGconn *db, struct db_user **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	char sql[512];
	int rows;

	*list = NULL;
	*n = 0;
	/* user_cols and, after them, whether a second factor is on (0015_totp) */
	snprintf(sql, sizeof(sql), "SELECT u.*, EXISTS (SELECT 1 FROM user_totp t WHERE t.id = u.id "
		 "AND t.confirmed_at IS NOT NULL) FROM (%s) u ORDER BY name", user_cols);
	if (db_query(db, sql, 0, NULL, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		PQclear(r);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (int i = 0; i < rows; i++) {
		user_row(r, i, &(*list)[i]);
		(*list)[i].totp = db_bool(r, i, 7);
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

int
db_user_count(PGconn *db, long *n, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, "SELECT count(*) FROM users", 0, NULL, &r, e) < 0)
		return -1;
	*n = (long)db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

int
db_user_login_failed(PGconn *db, int64_t id, int attempts, int lock_minutes,
		     int64_t *locked_for_s, struct err *e)
{
	char ids[24], at[16], lm[16];
	const char *p[3] = { db_fmt_int64(ids, sizeof(ids), id), at, lm };
	PGresult *r = NULL;

	snprintf(at, sizeof(at), "%d", attempts);
	snprintf(lm, sizeof(lm), "%d", lock_minutes);
	/* The count restarts after a lock: the next attempts after it get the
	 * full allowance again, then another lock. */
	if (db_query(db, "UPDATE users SET "
		     "failed_logins = CASE WHEN failed_logins + 1 >= $2::int THEN 0 "
		     "ELSE failed_logins + 1 END, "
		     "locked_until = CASE WHEN failed_logins + 1 >= $2::int "
		     "THEN now() + $3::int * interval '1 minute' ELSE locked_until END "
		     "WHERE id = $1 RETURNING "
		     "greatest(0, ceil(extract(epoch FROM (locked_until - now()))))::bigint",
		     3, p, &r, e) < 0)
		return -1;
	*locked_for_s = PQntuples(r) == 1 ? db_int64(r, 0, 0, 0) : 0;
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------- sessions */

int
db_session_create(PGconn *db, int64_t user_id, const char *id_hash, const char *csrf,
		  int idle_minutes, int max_hours, const char *address, const char *old_hash,
		  struct err *e)
{
	char uid[24], idle[16], mx[16];
	const char *p[6] = { id_hash, db_fmt_int64(uid, sizeof(uid), user_id), csrf, idle, mx,
			     address };
	const char *op[1] = { old_hash };
	int ret = -1;

	snprintf(idle, sizeof(idle), "%d", idle_minutes);
	snprintf(mx, sizeof(mx), "%d", max_hours);
	if (db_begin(db, e) < 0)
		return -1;
	if (old_hash != NULL &&
	    db_query(db, "DELETE FROM sessions WHERE id_hash = $1", 1, op, NULL, e) < 0)
		goto out;
	if (db_query(db, "DELETE FROM sessions WHERE expires_at < now() OR idle_until < now()",
		     0, NULL, NULL, e) < 0)
		goto out;
	if (db_query(db, "INSERT INTO sessions (id_hash, user_id, csrf_token, idle_until, "
		     "expires_at, address) VALUES ($1, $2, $3, now() + $4::int * interval "
		     "'1 minute', now() + $5::int * interval '1 hour', $6)", 6, p, NULL, e) < 0)
		goto out;
	if (db_query(db, "UPDATE users SET failed_logins = 0, locked_until = NULL, "
		     "last_login_at = now() WHERE id = $1", 1, p + 1, NULL, e) < 0)
		goto out;
	if (db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int
db_session_get(PGconn *db, const char *id_hash, int idle_minutes, struct db_session *s,
	       int *found, struct err *e)
{
	char idle[16];
	const char *p[2] = { id_hash, idle };
	PGresult *r = NULL;

	*found = 0;
	memset(s, 0, sizeof(*s));
	snprintf(idle, sizeof(idle), "%d", idle_minutes);
	/* One round trip: read the session and, when it was last pushed out more
	 * than a minute ago, push its idle deadline (the CTE's UPDATE runs
	 * either way; its WHERE makes it a no-op most of the time). */
	if (db_query(db,
		     "WITH s AS (SELECT s.id_hash, s.user_id, u.name, u.role, s.csrf_token "
		     "  FROM sessions s JOIN users u ON u.id = s.user_id "
		     "  WHERE s.id_hash = $1 AND s.expires_at > now() AND s.idle_until > now()), "
		     "t AS (UPDATE sessions SET last_seen_at = now(), "
		     "  idle_until = least(expires_at, now() + $2::int * interval '1 minute') "
		     "  WHERE id_hash = (SELECT id_hash FROM s) "
		     "  AND last_seen_at < now() - interval '1 minute') "
		     "SELECT user_id, name, role, csrf_token FROM s", 2, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		s->user_id = db_int64(r, 0, 0, 0);
		snprintf(s->user, sizeof(s->user), "%s", db_str(r, 0, 1));
		snprintf(s->role, sizeof(s->role), "%s", db_str(r, 0, 2));
		snprintf(s->csrf, sizeof(s->csrf), "%s", db_str(r, 0, 3));
		*found = 1;
	}
	PQclear(r);
	return 0;
}

int
db_session_delete(PGconn *db, const char *id_hash, struct err *e)
{
	const char *p[1] = { id_hash };

	return db_query(db, "DELETE FROM sessions WHERE id_hash = $1", 1, p, NULL, e);
}

int
db_session_prune(PGconn *db, long *n, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, "DELETE FROM sessions WHERE expires_at < now() OR idle_until < now()",
		     0, NULL, &r, e) < 0)
		return -1;
	*n = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

/* ---------------------------------------------------------------- API keys */

int
apikey_validate_scope(const char *scope, struct err *e)
{
	if (scope == NULL || (strcmp(scope, "read") != 0 && strcmp(scope, "full") != 0))
		return err_set(e, ERR_USAGE, "scope '%s' is not valid: read or full",
			       scope ? scope : "");
	return 0;
}

int
db_apikey_add(PGconn *db, const char *key_hash, const char *last4, const char *description,
	      const char *scope, const char *created_by, int64_t *id, struct err *e)
{
	const char *p[5] = { key_hash, last4, description, scope, created_by };
	PGresult *r = NULL;

	if (description == NULL || description[0] == '\0' || strlen(description) > 200)
		return err_set(e, ERR_USAGE, "a key needs a description of 1-200 characters");
	if (apikey_validate_scope(scope, e) < 0)
		return -1;
	if (db_query(db, "INSERT INTO api_keys (key_hash, last4, description, scope, created_by) "
		     "VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p, &r, e) < 0)
		return -1;
	*id = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

static const char key_cols[] =
	"SELECT id, last4, description, scope, created_by, " US("created_at") ", "
	US("revoked_at") ", " US("last_used_at") " FROM api_keys ";

static void
key_row(const PGresult *r, int i, struct db_apikey *k)
{
	memset(k, 0, sizeof(*k));
	k->id = db_int64(r, i, 0, 0);
	snprintf(k->last4, sizeof(k->last4), "%s", db_str(r, i, 1));
	snprintf(k->description, sizeof(k->description), "%s", db_str(r, i, 2));
	snprintf(k->scope, sizeof(k->scope), "%s", db_str(r, i, 3));
	snprintf(k->created_by, sizeof(k->created_by), "%s", db_str(r, i, 4));
	k->created_us = db_int64(r, i, 5, 0);
	k->revoked_us = db_int64(r, i, 6, 0);
	k->last_used_us = db_int64(r, i, 7, 0);
}

int
db_apikey_lookup(PGconn *db, const char *key_hash, struct db_apikey *k, int *found,
		 struct err *e)
{
	const char *p[1] = { key_hash };
	PGresult *r = NULL;
	char sql[512];

	*found = 0;
	snprintf(sql, sizeof(sql), "%sWHERE key_hash = $1 AND revoked_at IS NULL", key_cols);
	if (db_query(db, sql, 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		key_row(r, 0, k);
		*found = 1;
	}
	PQclear(r);
	return 0;
}

int
db_apikey_list(PGconn *db, struct db_apikey **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	char sql[512];
	int rows;

	*list = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql), "%sORDER BY id", key_cols);
	if (db_query(db, sql, 0, NULL, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		PQclear(r);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (int i = 0; i < rows; i++)
		key_row(r, i, &(*list)[i]);
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

int
db_apikey_revoke(PGconn *db, int64_t id, struct err *e)
{
	char ids[24];
	const char *p[1] = { db_fmt_int64(ids, sizeof(ids), id) };
	PGresult *r = NULL;
	int rows;

	if (db_query(db, "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at "
		     "IS NULL RETURNING id", 1, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows == 0)
		return err_set(e, ERR_NOTFOUND, "no live API key with id %lld (see 'comradarr "
			       "apikey list')", (long long)id);
	return 0;
}

int
db_apikey_used(PGconn *db, int64_t id, const char *method, const char *route, int status,
	       struct err *e)
{
	char ids[24], st[16];
	const char *p[4] = { db_fmt_int64(ids, sizeof(ids), id), method, route, st };

	snprintf(st, sizeof(st), "%d", status);
	return db_query(db, "WITH u AS (INSERT INTO api_key_usage (key_id, method, route, status) "
			"VALUES ($1, $2, $3, $4::int)) "
			"UPDATE api_keys SET last_used_at = now() WHERE id = $1", 4, p, NULL, e);
}

/* ---------------------------------------------------------------- audit */

int
db_audit(PGconn *db, const char *actor, const char *address, const char *action,
	 const char *target, const char *outcome, json_t *detail, struct err *e)
{
	char *d;
	const char *p[6] = { actor, address, action, target, outcome, NULL };
	int ret;

	if (detail == NULL)
		detail = json_object();
	d = json_dumps(detail, JSON_COMPACT);
	p[5] = d;
	json_decref(detail);
	if (d == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ret = db_query(db, "INSERT INTO audit_log (actor, address, action, target, outcome, detail) "
		       "VALUES ($1, $2, $3, $4, $5, $6::jsonb)", 6, p, NULL, e);
	free(d);
	return ret;
}

int
db_audit_list(PGconn *db, int64_t before_id, long limit, json_t **out, struct err *e)
{
	char b[24], l[24];
	const char *p[2] = { db_fmt_int64(b, sizeof(b), before_id), l };
	PGresult *r = NULL;
	json_t *a;

	*out = NULL;
	snprintf(l, sizeof(l), "%ld", limit);
	if (db_query(db, "SELECT id, " US("at") ", actor, address, action, target, outcome, "
		     "detail::text FROM audit_log WHERE ($1::bigint = 0 OR id < $1::bigint) "
		     "ORDER BY id DESC LIMIT $2::int", 2, p, &r, e) < 0)
		return -1;
	a = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s}", "id", (json_int_t)db_int64(r, i, 0, 0),
				      "at_us", (json_int_t)db_int64(r, i, 1, 0), "actor",
				      db_str(r, i, 2), "action", db_str(r, i, 4), "outcome",
				      db_str(r, i, 6));

		if (db_str(r, i, 3) != NULL)
			json_object_set_new(o, "address", json_string(db_str(r, i, 3)));
		if (db_str(r, i, 5) != NULL)
			json_object_set_new(o, "target", json_string(db_str(r, i, 5)));
		json_object_set_new(o, "detail", json_loads(db_str(r, i, 7), 0, NULL));
		json_array_append_new(a, o);
	}
	PQclear(r);
	*out = a;
	return 0;
}
