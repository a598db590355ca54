/*
 * state.h - small pieces of bookkeeping the stages keep in the database:
 * settings, a connector's sync state (failures and backoff), the cached
 * Prowlarr indexer status.  The stages decide; these only read and write.
 */
#ifndef COMRADARR_DB_STATE_H
#define COMRADARR_DB_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/* ---- settings (Req 30.4): values are JSON, read as their text */

/* The text of setting key into out; *found 0 when it is not set. */
int db_setting_text(PGconn *db, const char *key, char *out, size_t size, int *found,
		    struct err *e);

/* Every setting whose key starts with prefix: fn(key, value text). */
typedef int (*db_setting_fn)(const char *key, const char *value, void *arg, struct err *e);
int db_settings_each(PGconn *db, const char *prefix, db_setting_fn fn, void *arg, struct err *e);

/* ---- sync_state */

/* Consecutive failures and the next retry time (0: none). */
int db_sync_state_get(PGconn *db, int64_t connector_id, int *failures, int64_t *next_retry_us,
		      struct err *e);
/* A sync succeeded (counts: the sync_done summary, borrowed): failures
 * reset.  In the caller's transaction, if any. */
int db_sync_state_ok(PGconn *db, int64_t connector_id, int full, int64_t duration_ms,
		     const json_t *counts, struct err *e);
/* A sync failed: the count, the message and when to try again.  In the
 * caller's transaction, if any. */
int db_sync_state_failed(PGconn *db, int64_t connector_id, int failures, const char *message,
			 int64_t next_retry_us, struct err *e);

/* Has the connector's mirror any quality profile yet? */
int db_mirror_has_profiles(PGconn *db, int64_t connector_id, int *has, struct err *e);

/* ---- Prowlarr indexer status (Req 38), cached */

/* Was it tried less than max_age_s ago (the database's clock)? */
int db_prowlarr_status_fresh(PGconn *db, int64_t connector_id, int max_age_s, int *fresh,
			     struct err *e);
/* Read now: disabled is the JSON array of disabled indexers (borrowed). */
int db_prowlarr_status_ok(PGconn *db, int64_t connector_id, const json_t *disabled,
			  struct err *e);
/* Could not be read: the cache is kept and marked stale with why. */
int db_prowlarr_status_stale(PGconn *db, int64_t connector_id, const char *why, struct err *e);

#endif
