/*
 * sync_int.h - what sync.c, sync_state.c and sync_health.c share.  Not
 * part of the library's API: use sync.h.
 */
#ifndef COMRADARR_STAGE_SYNC_INT_H
#define COMRADARR_STAGE_SYNC_INT_H

#include "arr/client.h"
#include "stage/sync.h"

/* A client for c with its key decrypted (and wiped again here). */
int sync_client_new(const struct connector *c, const struct sync_opts *o,
		    struct arr_client **out, struct err *e);

/* An event row for connector c, inside the caller's transaction; payload
 * is stolen. */
int sync_event_insert(PGconn *db, int64_t connector_id, const char *kind, json_t *payload,
		      struct err *e);

/* Emit a JSON line with "connector" set; obj is stolen. */
void sync_emit(const struct sync_opts *o, const struct connector *c, const char *event,
	       json_t *obj);

/* sync_state: consecutive failures and the next retry time (0 = none). */
int sync_state_get(PGconn *db, int64_t connector_id, int *failures, int64_t *next_retry_us,
		   struct err *e);
/* Success, inside the mirror's transaction. */
int sync_state_ok(PGconn *db, int64_t connector_id, int full, int64_t duration_ms,
		  json_t *counts, struct err *e);
/* Failure, in a transaction of its own: count, back off, maybe mark the
 * connector unhealthy / auth-failed with events.  Returns -1 only when
 * the database refused (then e2 says why). */
int sync_state_failed(PGconn *db, const struct connector *c, const struct sync_opts *o,
		      int failures_before, const struct err *why, struct err *e2);

#endif
