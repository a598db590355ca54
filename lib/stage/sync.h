/*
 * sync.h - comradarr-sync's work for one connector (Req 1.4-1.5, 2, 37.5).
 *
 * A library sync:
 *   - takes the connector's advisory lock (DB_LOCK_SYNC); held elsewhere,
 *     the sync is skipped, which is success: the work is being done;
 *   - skips a disabled or unhealthy connector, and one backing off after
 *     failures (unless opts.force);
 *   - Sonarr / Whisparr v2: streams the series list into the mirror and
 *     fetches episodes (with their files, one request per series) only for
 *     the series whose fingerprint changed, or for all in a full sync;
 *     Radarr / Whisparr v3: streams the movie list.  Quality profiles are
 *     fetched in a full sync and when the mirror has none, so an unchanged
 *     library costs one request;
 *   - merges, writes events and sync_state, and commits once: a failure
 *     anywhere leaves the mirror as it was;
 *   - on failure counts consecutive failures, sets the next retry time with
 *     exponential backoff, marks the connector unhealthy at the threshold
 *     (setting "sync.failure_threshold", default 3) and on a 401 marks it
 *     auth_failed, each with an event (Req 2.6).
 * A health check (opts.health_only): /ping, /api, system/status and
 * /health; the status is stored with its history, and a change writes a
 * "connector_health_changed" event.
 *
 * Reports go to opts.out as JSON lines: one per change event, then one
 * "sync_done" (or "sync_skipped", "sync_failed", "health") per connector.
 * Nothing here prints to stdout or exits.
 */
#ifndef COMRADARR_STAGE_SYNC_H
#define COMRADARR_STAGE_SYNC_H

#include <stdint.h>

#include <libpq-fe.h>

#include "arr/retry.h"
#include "core/err.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/mirror.h"

#define SYNC_DEFAULT_FAILURE_THRESHOLD 3
/* Requests at once to one *arr during a sync (Req 37.2). */
#define SYNC_DEFAULT_CONCURRENCY 2

/* Called now and then while items stream in: items so far, total (0 if unknown). */
typedef void (*sync_progress_fn)(void *arg, const char *connector, long items, long total);

struct sync_opts {
	int full;		/* full reconciliation (Req 2.2) */
	int health_only;	/* only the health check (Req 1.4) */
	int force;		/* sync even while backing off after failures */
	int failure_threshold;	/* 0: the setting, else SYNC_DEFAULT_FAILURE_THRESHOLD */
	int concurrency;	/* episode requests at once; 0: the setting "sync.concurrency" */
	const struct secret_key *key;	/* decrypts the API keys */
	struct jsonl *out;	/* JSON lines; NULL for none */
	struct arr_retry retry;	/* per-request retries; zero = the client's defaults */
	sync_progress_fn progress;	/* may be NULL */
	void *progress_arg;
};

enum sync_status {
	SYNC_DONE = 0,
	SYNC_SKIPPED,		/* locked elsewhere, disabled, unhealthy, backing off */
	SYNC_FAILED
};

struct sync_report {
	enum sync_status status;
	char reason[160];		/* why it was skipped */
	int full;
	struct mirror_counts counts;
	long items_listed;		/* series or movies in the list */
	long refetched;			/* series whose episodes were fetched */
	long skipped_records;		/* malformed records left out (Req 27.8) */
	long queue_items;		/* in the app's download queue now */
	long movie_scores;		/* movie files whose custom-format score was read */
	unsigned long api_calls;	/* requests made (tries, retries included) */
	unsigned long long bytes;	/* *arr answer bytes received */
	int64_t duration_ms;
	int64_t fetch_ms;		/* of which: listing, fetching and staging */
	int64_t merge_ms;		/* and merging into the mirror */
	char health[16];		/* health check: the new status */
	char previous_health[16];
};

/*
 * Sync (or health-check) connector c using db, which must not be inside a
 * transaction.  Returns 0 when done or skipped (r->status says which), -1
 * when it failed (r->status SYNC_FAILED, e says why; the failure is already
 * recorded in sync_state).
 */
int sync_connector(PGconn *db, const struct connector *c, const struct sync_opts *o,
		   struct sync_report *r, struct err *e);

/* The health check alone (what sync_connector does with health_only). */
int sync_health_check(PGconn *db, const struct connector *c, const struct sync_opts *o,
		      struct sync_report *r, struct err *e);

/* The setting "sync.failure_threshold" (a positive integer), or the default. */
int sync_failure_threshold(PGconn *db, int *out, struct err *e);

#endif
