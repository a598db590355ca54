/*
 * state.c - settings, sync state and the Prowlarr status cache.  See state.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/state.h"
#include "core/banned.h"

int
db_setting_text(PGconn *db, const char *key, char *out, size_t size, int *found, struct err *e)
{
	const char *p[1] = { key };
	PGresult *r = NULL;

	*found = 0;
	out[0] = '\0';
	if (db_query(db, "SELECT value::text FROM settings WHERE key = $1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) > 0 && db_str(r, 0, 0) != NULL) {
		snprintf(out, size, "%s", db_str(r, 0, 0));
		*found = 1;
	}
	PQclear(r);
	return 0;
}

int
db_settings_each(PGconn *db, const char *prefix, db_setting_fn fn, void *arg, struct err *e)
{
	const char *p[1] = { prefix };
	PGresult *r = NULL;
	int ret = -1;

	/* a prefix match on the primary key, not LIKE: no pattern characters */
	if (db_query(db, "SELECT key, value::text FROM settings "
		     "WHERE left(key, length($1)) = $1 ORDER BY key", 1, p, &r, e) < 0)
		return -1;
	for (int i = 0; i < PQntuples(r); i++)
		if (fn(db_str(r, i, 0), db_str(r, i, 1), arg, e) < 0)
			goto out;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_sync_state_get(PGconn *db, int64_t connector_id, int *failures, int64_t *next_retry_us,
		  struct err *e)
{
	char id[24];
	const char *p[1] = { db_fmt_int64(id, sizeof(id), connector_id) };
	PGresult *r = NULL;

	*failures = 0;
	*next_retry_us = 0;
	if (db_query(db, "SELECT consecutive_failures, " DB_SQL_US("next_retry_at")
		     " FROM sync_state WHERE connector_id = $1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) > 0) {
		*failures = (int)db_int64(r, 0, 0, 0);
		*next_retry_us = db_int64(r, 0, 1, 0);
	}
	PQclear(r);
	return 0;
}

int
db_sync_state_ok(PGconn *db, int64_t connector_id, int full, int64_t duration_ms,
		 const json_t *counts, struct err *e)
{
	char id[24], ms[24];
	char *text = json_dumps(counts, JSON_COMPACT);
	const char *p[4] = { db_fmt_int64(id, sizeof(id), connector_id), full ? "t" : "f",
			     db_fmt_int64(ms, sizeof(ms), duration_ms), text };
	int ret;

	if (text == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ret = db_query(db, "INSERT INTO sync_state AS s (connector_id, last_sync_at, "
		       " last_full_sync_at, last_duration_ms, last_counts, consecutive_failures, "
		       " last_error, next_retry_at) "
		       "VALUES ($1, now(), CASE WHEN $2::boolean THEN now() END, $3, $4::jsonb, 0, "
		       " NULL, NULL) "
		       "ON CONFLICT (connector_id) DO UPDATE SET last_sync_at = excluded.last_sync_at, "
		       " last_full_sync_at = coalesce(excluded.last_full_sync_at, s.last_full_sync_at), "
		       " last_duration_ms = excluded.last_duration_ms, "
		       " last_counts = excluded.last_counts, consecutive_failures = 0, "
		       " last_error = NULL, next_retry_at = NULL", 4, p, NULL, e);
	free(text);
	return ret;
}

int
db_sync_state_failed(PGconn *db, int64_t connector_id, int failures, const char *message,
		     int64_t next_retry_us, struct err *e)
{
	char id[24], n[24], next[24];
	const char *p[4] = { db_fmt_int64(id, sizeof(id), connector_id),
			     db_fmt_int64(n, sizeof(n), failures), message,
			     db_fmt_int64(next, sizeof(next), next_retry_us) };

	return db_query(db, "INSERT INTO sync_state AS s (connector_id, consecutive_failures, "
			" last_error, next_retry_at) VALUES ($1, $2, $3, " DB_SQL_TS("$4") ") "
			"ON CONFLICT (connector_id) DO UPDATE SET consecutive_failures = $2, "
			" last_error = $3, next_retry_at = excluded.next_retry_at", 4, p, NULL, e);
}

int
db_mirror_has_profiles(PGconn *db, int64_t connector_id, int *has, struct err *e)
{
	char id[24];
	const char *p[1] = { db_fmt_int64(id, sizeof(id), connector_id) };
	PGresult *r = NULL;

	*has = 0;
	if (db_query(db, "SELECT EXISTS (SELECT 1 FROM quality_profiles WHERE connector_id = $1)",
		     1, p, &r, e) < 0)
		return -1;
	*has = db_bool(r, 0, 0);
	PQclear(r);
	return 0;
}

int
db_prowlarr_status_fresh(PGconn *db, int64_t connector_id, int max_age_s, int *fresh,
			 struct err *e)
{
	char id[24], age[24];
	const char *p[2] = { db_fmt_int64(id, sizeof(id), connector_id),
			     db_fmt_int64(age, sizeof(age), max_age_s) };
	PGresult *r = NULL;

	*fresh = 0;
	if (db_query(db, "SELECT 1 FROM prowlarr_status WHERE connector_id = $1 AND "
		     "tried_at > now() - $2::integer * interval '1 second'", 2, p, &r, e) < 0)
		return -1;
	*fresh = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

int
db_prowlarr_status_ok(PGconn *db, int64_t connector_id, const json_t *disabled, struct err *e)
{
	char id[24];
	char *text = json_dumps(disabled, JSON_COMPACT);
	const char *p[2] = { db_fmt_int64(id, sizeof(id), connector_id), text };
	int ret;

	if (text == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ret = db_query(db, "INSERT INTO prowlarr_status (connector_id, fetched_at, tried_at, error, "
		       "disabled) VALUES ($1, now(), now(), NULL, $2::jsonb) "
		       "ON CONFLICT (connector_id) DO UPDATE SET fetched_at = now(), "
		       "tried_at = now(), error = NULL, disabled = EXCLUDED.disabled", 2, p, NULL, e);
	free(text);
	return ret;
}

int
db_prowlarr_status_stale(PGconn *db, int64_t connector_id, const char *why, struct err *e)
{
	char id[24];
	const char *p[2] = { db_fmt_int64(id, sizeof(id), connector_id), why };

	return db_query(db, "INSERT INTO prowlarr_status (connector_id, tried_at, error) "
			"VALUES ($1, now(), $2) ON CONFLICT (connector_id) DO UPDATE SET "
			"tried_at = now(), error = EXCLUDED.error", 2, p, NULL, e);
}
