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
#include "db/connectors.h"
#include "db/state.h"
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
	char v[64];
	int found;
	long n;
	char *end;

	*out = def;
	if (db_setting_text(db, key, v, sizeof(v), &found, e) < 0)
		return -1;
	if (found) {
		n = strtol(v, &end, 10);
		if (*end == '\0' && n >= lo && n <= hi)
			*out = (int)n;
		else
			log_warn("sync", "setting '%s' is %s; using %d: set a whole number from "
				 "%ld to %ld", key, v, def, lo, hi);
	}
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
	return db_sync_state_get(db, connector_id, failures, next_retry_us, e);
}

int
sync_state_ok(PGconn *db, int64_t connector_id, int full, int64_t duration_ms, json_t *counts,
	      struct err *e)
{
	return db_sync_state_ok(db, connector_id, full, duration_ms, counts, e);
}

/* Mark the connector unhealthy (and auth-failed) with its event, in the
 * caller's transaction. */
static int
mark(PGconn *db, const struct connector *c, int auth, const char *detail, const char *event,
     json_t *payload, struct err *e)
{
	struct db_connector_health h;

	memset(&h, 0, sizeof(h));
	h.connector_id = c->id;
	h.connector = c->name;
	h.health = "unhealthy";
	h.detail = detail;
	h.auth_failed = auth ? 1 : -1;
	h.event = event;
	h.payload = payload;
	return db_connector_health(db, &h, e);
}

int
sync_state_failed(PGconn *db, const struct connector *c, const struct sync_opts *o,
		  int failures_before, const struct err *why, struct err *e)
{
	int failures = failures_before + 1, threshold = o->failure_threshold, ret = -1;
	int auth = why->kind == ERR_AUTH, unhealthy = strcmp(c->health, "unhealthy") == 0;
	int64_t delay_ms = backoff_delay_ms(failures, &retry_params, (uint64_t)c->id);
	int64_t next_us = clock_now_us() + delay_ms * 1000;
	if (threshold <= 0 && sync_failure_threshold(db, &threshold, e) < 0)
		return -1;
	if (db_begin(db, e) < 0)
		return -1;
	if (db_sync_state_failed(db, c->id, failures, why->msg, next_us, e) < 0)
		goto out;
	if (auth && !c->auth_failed) {
		if (mark(db, c, 1, "the API key was refused (401/403)", "connector_auth_failed",
			 json_pack("{s:s, s:s}", "connector", c->name, "message", why->msg), e) < 0)
			goto out;
		unhealthy = 1;
	}
	if (!unhealthy && failures >= threshold) {
		char detail[256];

		snprintf(detail, sizeof(detail), "%d consecutive sync failures", failures);
		if (mark(db, c, 0, detail, "connector_unhealthy",
			 json_pack("{s:s, s:i, s:s}", "connector", c->name, "failures", failures,
				   "message", why->msg), e) < 0)
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
