/*
 * sync_state.c - the bookkeeping of syncs: sync_state rows, consecutive
 * failures with backoff, and marking a connector unhealthy or auth-failed
 * with an event in the same transaction (Req 2.6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/events.h"
#include "policy/backoff.h"
#include "stage/sync_int.h"
#include "core/banned.h"

/* A failed sync waits 1 min, 2, 4 ... up to 6 h before the timer tries
 * again; jitter spreads connectors that failed together. */
static const struct backoff_params retry_params = {
	60 * 1000, 200, 6 * 3600 * 1000, 20
};

/* An integer setting from lo to hi, or def when unset or out of range. */
static int
setting_int(PGconn *db, const char *key, int def, long lo, long hi, int *out, struct err *e)
{
	const char *p[1] = { key };
	PGresult *r = NULL;
	const char *v;
	long n;
	char *end;

	*out = def;
	if (db_query(db, "SELECT value::text FROM settings WHERE key = $1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) > 0 && (v = db_str(r, 0, 0)) != NULL) {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= lo && n <= hi)
			*out = (int)n;
		else
			log_warn("sync", "setting '%s' is %s; using %d: set a whole number from "
				 "%ld to %ld", key, v, def, lo, hi);
	}
	PQclear(r);
	return 0;
}

int
sync_failure_threshold(PGconn *db, int *out, struct err *e)
{
	return setting_int(db, "sync.failure_threshold", SYNC_DEFAULT_FAILURE_THRESHOLD, 1, 1000,
			   out, e);
}

int
sync_concurrency(PGconn *db, int *out, struct err *e)
{
	return setting_int(db, "sync.concurrency", SYNC_DEFAULT_CONCURRENCY, 1, 8, out, e);
}

int
sync_state_get(PGconn *db, int64_t connector_id, int *failures, int64_t *next_retry_us,
	       struct err *e)
{
	char id[24];
	const char *p[1] = { db_fmt_int64(id, sizeof(id), connector_id) };
	PGresult *r = NULL;

	*failures = 0;
	*next_retry_us = 0;
	if (db_query(db, "SELECT consecutive_failures, "
		     "(extract(epoch FROM next_retry_at) * 1000000)::bigint "
		     "FROM sync_state WHERE connector_id = $1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) > 0) {
		*failures = (int)db_int64(r, 0, 0, 0);
		*next_retry_us = db_int64(r, 0, 1, 0);
	}
	PQclear(r);
	return 0;
}

int
sync_state_ok(PGconn *db, int64_t connector_id, int full, int64_t duration_ms, json_t *counts,
	      struct err *e)
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

/* Mark the connector unhealthy (and auth-failed), with its history row. */
static int
mark(PGconn *db, const struct connector *c, int auth, const char *detail, struct err *e)
{
	char id[24];
	const char *p[3] = { db_fmt_int64(id, sizeof(id), c->id), detail, auth ? "t" : "f" };

	if (db_query(db, "UPDATE connectors SET health = 'unhealthy', health_detail = $2, "
		     "health_checked_at = now(), auth_failed = auth_failed OR $3::boolean, "
		     "updated_at = now() WHERE id = $1", 3, p, NULL, e) < 0)
		return -1;
	return db_query(db, "INSERT INTO connector_health_history (connector_id, status, detail) "
			"VALUES ($1, 'unhealthy', $2)", 2, p, NULL, e);
}

int
sync_state_failed(PGconn *db, const struct connector *c, const struct sync_opts *o,
		  int failures_before, const struct err *why, struct err *e)
{
	int failures = failures_before + 1, threshold = o->failure_threshold, ret = -1;
	int auth = why->kind == ERR_AUTH, unhealthy = strcmp(c->health, "unhealthy") == 0;
	int64_t delay_ms = backoff_delay_ms(failures, &retry_params, (uint64_t)c->id);
	int64_t next_us = clock_now_us() + delay_ms * 1000;
	char id[24], n[24], next[24];
	const char *p[4] = { db_fmt_int64(id, sizeof(id), c->id), db_fmt_int64(n, sizeof(n), failures),
			     why->msg, db_fmt_int64(next, sizeof(next), next_us) };

	if (threshold <= 0 && sync_failure_threshold(db, &threshold, e) < 0)
		return -1;
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "INSERT INTO sync_state AS s (connector_id, consecutive_failures, "
		     " last_error, next_retry_at) VALUES ($1, $2, $3, to_timestamp($4::bigint / 1e6)) "
		     "ON CONFLICT (connector_id) DO UPDATE SET consecutive_failures = $2, "
		     " last_error = $3, next_retry_at = excluded.next_retry_at", 4, p, NULL, e) < 0)
		goto out;
	if (auth && !c->auth_failed) {
		if (mark(db, c, 1, "the API key was refused (401/403)", e) < 0 ||
		    db_event_insert(db, "connector_auth_failed", c->id, log_get_correlation_id(),
				    json_pack("{s:s, s:s}", "connector", c->name, "message", why->msg),
				    e) < 0)
			goto out;
		unhealthy = 1;
	}
	if (!unhealthy && failures >= threshold) {
		char detail[256];

		snprintf(detail, sizeof(detail), "%d consecutive sync failures", failures);
		if (mark(db, c, 0, detail, e) < 0 ||
		    db_event_insert(db, "connector_unhealthy", c->id, log_get_correlation_id(),
				    json_pack("{s:s, s:i, s:s}", "connector", c->name,
					      "failures", failures, "message", why->msg), e) < 0)
			goto out;
		log_warn("sync", "'%s' marked unhealthy after %d consecutive failures; it is "
			 "skipped until 'comradarr-sync --health-only' finds it healthy", c->name,
			 failures);
	}
	if (db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}
