/*
 * queue.h - the request queue as the dispatcher sees it: claim under a
 * lease, record the command id, finish with an outcome, rescue expired
 * leases; and the queue controls (pause, resume, clear, list).
 *
 * The life of a batch (request_queue row) and its registry entries:
 *
 *   enqueued      claimed_by NULL                    entries "queued"
 *   claimed       claimed_by, lease, sent_at, ledger  entries "searching"
 *                 (one transaction with the throttle admission)
 *   sent          command_id, command_queued_at recorded BEFORE waiting
 *   finished      row deleted; entries awaiting_import / cooldown /
 *                 exhausted, a search_history row and an event, all in
 *                 one transaction
 *
 * A dispatcher that dies leaves its lease to expire; any dispatcher then
 * rescues the batch (db_queue_rescue) and reconciles with the *arr rather
 * than sending blindly.  Leases use the database's clock, the one clock
 * every host shares.  Claims take FOR UPDATE SKIP LOCKED and the
 * connector's throttle lock (db/throttle.h), so concurrent dispatchers
 * never take the same batch and never overspend.
 */
#ifndef COMRADARR_DB_QUEUE_H
#define COMRADARR_DB_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "db/throttle.h"
#include "policy/backoff.h"
#include "policy/batch.h"

#define DB_QUEUE_WORKER_MAX 96

struct db_queue_item {
	int64_t registry_id;
	int arr_id;		/* the episode's or movie's id in the *arr */
	int attempts;		/* before this search */
	char search_type[8];	/* gap | upgrade */
};

/* An item the re-check took out of a batch before it was sent. */
struct db_queue_dropped {
	int64_t registry_id;	/* 0: its entry was already gone */
	int arr_id;		/* 0 when unknown (deleted from a season pack) */
	char reason[16];	/* deleted, downloading, unmonitored, has_file,
				 * cutoff_met, resolved (queue_item_recheck) */
};

/* What the re-check did to the batch as a whole. */
enum db_recheck_result {
	DB_RECHECK_KEPT = 0,	/* sent as it is, or with fewer ids */
	DB_RECHECK_RESOLVED,	/* nothing left to search: removed unsent */
	DB_RECHECK_SEASON_FALLBACK	/* a season pack no longer qualifies:
					 * removed unsent, its entries pending
					 * and marked pack_failed (Req 6.5) */
};

/* "kept", "resolved", "season_fallback" */
const char *db_recheck_name(enum db_recheck_result r);

struct db_queue_batch {
	int64_t id;
	int64_t connector_id;
	char command[24];	/* EpisodeSearch, SeasonSearch, SeriesSearch, MoviesSearch */
	int series_arr_id;	/* -1 when none */
	int season_number;	/* -1 when none */
	int arr_ids[BATCH_MAX_IDS];
	int nids;
	int indexer_queries;
	int priority;
	int64_t scheduled_us;
	char claimed_by[DB_QUEUE_WORKER_MAX];
	int64_t lease_expires_us;	/* the database's clock */
	int command_id;		/* 0: not recorded */
	int64_t sent_us;	/* when the send was admitted; 0: never */
	int64_t command_queued_us;	/* the *arr's clock; 0: unknown */
	int64_t ledger_id;
	int rescues;
	/* malloc'd; db_queue_batch_release() */
	struct db_queue_item *items;
	size_t nitems;
	/* the claim's re-check (db_queue_claim): what it took out */
	enum db_recheck_result recheck;
	struct db_queue_dropped *dropped;	/* malloc'd, may be NULL */
	size_t ndropped;
};

void db_queue_batch_release(struct db_queue_batch *b);

enum db_claim_status {
	DB_CLAIM_OK = 0,	/* *out is claimed; the throttle was paid */
	DB_CLAIM_NONE,		/* nothing due for this connector */
	DB_CLAIM_THROTTLED,	/* due, but the throttle said wait: see d */
	DB_CLAIM_BUSY,		/* max_concurrent commands already in flight */
	DB_CLAIM_PAUSED,	/* the whole queue is paused */
	DB_CLAIM_TOO_BIG,	/* the top batch costs more than the profile
				 * ever allows: *out is set (not claimed) so
				 * the caller can drop it for re-batching */
	DB_CLAIM_RESOLVED	/* the re-check left nothing to send: the
				 * batch is gone, nothing was spent; *out
				 * says what was dropped (out->recheck) */
};

struct db_claim_opts {
	int64_t connector_id;
	const struct throttle_profile *profile;
	const struct policy_tz *tz;
	int64_t now_us;		/* <= 0: the database's clock */
	const char *worker;	/* "host:pid", stored in claimed_by */
	int lease_s;		/* 1 .. 86400 */
};

/*
 * Claim the connector's most urgent due batch (priority, then scheduled
 * time) in one transaction with the throttle admission: the ledger row, the
 * claim, registry entries -> searching, and a "search_dispatched" event.
 *
 * Before the throttle is asked, every item is re-checked against the
 * mirror and the stored download queue (the view queue_item_recheck,
 * 0008): an item deleted, downloading, unmonitored, with its file (gap)
 * or meeting its cutoffs (upgrade) is dropped - its entry removed, the
 * batch's ids and cost recomputed, a "search_dropped" event - so only what
 * is still wanted is sent and paid for.  A batch left with nothing is
 * removed unsent (DB_CLAIM_RESOLVED); so is a season pack whose season no
 * longer qualifies, its entries falling back to episode searches as after
 * a failed pack.  out->dropped lists what was taken out (also with
 * DB_CLAIM_OK).
 *
 * Returns 0 with *st saying what happened (d, may be NULL, gets the
 * throttle's decision), or -1 on a database error.
 */
int db_queue_claim(PGconn *db, const struct db_claim_opts *o, struct db_queue_batch *out,
		   enum db_claim_status *st, struct db_throttle_decision *d, struct err *e);

/*
 * Take over one batch whose lease expired (connector_id 0: any connector):
 * claimed_by = worker, a new lease, rescues + 1, a "lease_rescued" event.
 * *found is 0 when there was none.
 */
int db_queue_rescue(PGconn *db, int64_t connector_id, const char *worker, int lease_s,
		    struct db_queue_batch *out, int *found, struct err *e);

/* Record the command the *arr accepted (before waiting on it) and renew
 * the lease.  The lease lost to a rescuer: ERR_CONFLICT. */
int db_queue_record_command(PGconn *db, const struct db_queue_batch *b, const char *worker,
			    int command_id, int64_t arr_queued_us, int lease_s, struct err *e);

/* Extend the lease while waiting; lost: ERR_CONFLICT. */
int db_queue_renew(PGconn *db, const struct db_queue_batch *b, const char *worker, int lease_s,
		   struct err *e);

/*
 * Give a claimed batch back untouched (the *arr certainly did not act on
 * it: 401, app starting, refused connection): entries -> queued, the
 * ledger row refunded, scheduled no earlier than retry_us (0: now).
 */
int db_queue_release(PGconn *db, const struct db_queue_batch *b, const char *worker,
		     int64_t retry_us, struct err *e);

/* Remove a batch that can never be sent as it is (too big for the
 * profile): its entries return to "pending" so enqueue batches them again. */
int db_queue_drop(PGconn *db, const struct db_queue_batch *b, const char *reason, struct err *e);

/* One entry's fate after a search. */
struct db_item_result {
	int64_t registry_id;
	int grabbed;
	struct backoff_decision d;
	enum backoff_outcome outcome;	/* the entry's own outcome */
};

struct db_outcome {
	const char *connector_name;
	enum backoff_outcome outcome;	/* the batch's, for search_history */
	const struct db_item_result *items;	/* one per batch item */
	size_t nitems;
	int items_grabbed;
	int pack_failed;		/* SeasonSearch found nothing (Req 6.5) */
	int64_t started_us, ended_us;
	const char *message;		/* the *arr's message, or why */
	const char *correlation_id;	/* may be NULL */
};

/*
 * Finish a batch in one transaction: each entry's state, attempts, next
 * eligible time and failure category; a search_history row; a
 * "search_outcome" event; the batch deleted.  Lease lost: ERR_CONFLICT and
 * nothing written.
 */
int db_queue_finish(PGconn *db, const struct db_queue_batch *b, const char *worker,
		    const struct db_outcome *o, struct err *e);

/* ---- controls (`comradarr queue ...`) */

/* settings "queue.paused", with a "queue_paused" / "queue_resumed" event. */
int db_queue_set_paused(PGconn *db, int paused, const char *reason, struct err *e);
int db_queue_paused(PGconn *db, int *paused, struct err *e);

/* Remove unclaimed batches (connector NULL: all), entries back to
 * "pending"; *n gets the number removed; one "queue_cleared" event. */
int db_queue_clear(PGconn *db, const char *connector, long *n, struct err *e);

/* Batches in dispatch order (connector NULL: all), at most limit.
 * *list is malloc'd: free each with db_queue_batch_release, then free(). */
int db_queue_list(PGconn *db, const char *connector, long limit, struct db_queue_batch **list,
		  size_t *n, struct err *e);

/* Per-connector counts for `queue status`. */
struct db_queue_counts {
	int64_t connector_id;
	char connector[64];
	char health[16];
	int enabled, auth_failed;
	long batches, queries, in_flight, expired, due;
	long searching, cooldown, awaiting_import, exhausted;
};
int db_queue_counts(PGconn *db, int64_t now_us, struct db_queue_counts **list, size_t *n,
		    struct err *e);

#endif
