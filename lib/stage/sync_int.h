/*
 * sync_int.h - what sync.c, sync_state.c and sync_health.c share.  Not
 * part of the library's API: use sync.h.
 */
#ifndef COMRADARR_STAGE_SYNC_INT_H
#define COMRADARR_STAGE_SYNC_INT_H

#include "arr/client.h"
#include "stage/sync.h"

/* One connector's library sync: what the phases and callbacks share. */
struct run {
	const struct connector *c;
	const struct sync_opts *o;
	struct sync_report *r;
	struct arr_client *client;
	struct mirror *m;
	enum arr_dialect dialect;
	unsigned long skipped_items;	/* in the series / movie list */
	unsigned long skipped_children;	/* in episode lists */
	unsigned long more_requests;	/* made by the fetch threads' clients */
	unsigned long long more_bytes;
	int workers;			/* fetch threads (sync.concurrency) */
	long items;			/* rows streamed, for progress */
	long total;
};

/* Count n more rows streamed and report progress now and then. */
void sync_progress(struct run *x, long n);

/*
 * Fetch the episodes (with their files) of the series ids[0..n) into the
 * mirror's running episode COPY, with x->workers threads, each with its
 * own client: the threads do HTTP, JSON and row formatting, this thread
 * only sends the rows, so the fetch overlaps the COPY (sync_fetch.c).  A
 * request that fails after its retries fails the whole fetch.
 */
int sync_fetch_episodes(struct run *x, const int *ids, size_t n, struct err *e);

/* The setting "sync.concurrency" (1..8), or SYNC_DEFAULT_CONCURRENCY. */
int sync_concurrency(PGconn *db, int *out, struct err *e);

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
