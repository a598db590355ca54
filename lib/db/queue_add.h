/*
 * queue_add.h - adding batches to the request queue (Req 5, 6, 29.4-29.5)
 * and the season statistics batching decides from.  The dispatcher's side
 * of the queue (claim, finish, ...) is queue.h.
 *
 * A batch is one request_queue row (its id is the batch id) and one
 * request_queue_items row per registry entry it searches for.  The primary
 * key on request_queue_items.registry_id means an entry can never be in two
 * batches: a second writer fails rather than duplicating, whatever the
 * timing.  Entries move pending -> queued in the same statement batch.
 */
#ifndef COMRADARR_DB_QUEUE_ADD_H
#define COMRADARR_DB_QUEUE_ADD_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "policy/batch.h"

/* One season's numbers for batch_season_decide(). */
struct queue_season {
	int64_t series_id;	/* series.id */
	int season_number;
	struct batch_season s;
	int counted;		/* s.total_episodes and s.aired_episodes were
				 * counted (else both 0: see
				 * db_queue_pack_seasons()) */
};

/*
 * Statistics for the listed seasons of a connector at now_us: episodes in
 * the mirror, aired, monitored-aired-missing, still airing (nextAiring in
 * the future), a SeasonSearch for it queued or cooling down after finding
 * nothing (pack_in_cooldown), and a pack that found nothing before
 * (pack_failed).  *out is malloc'd (free()), one per season found.
 */
int db_queue_seasons(PGconn *db, int64_t connector_id, int64_t now_us,
		     const int64_t *series_ids, const int *seasons, size_t n,
		     struct queue_season **out, size_t *nout, struct err *e);

/*
 * For the whole connector: the seasons with at least count_from missing
 * episodes, with all their episodes counted (counted 1), and those with a
 * pack queued or cooling down whatever their count (the others: total and
 * aired 0, counted 0).  batch_season_decide() never makes a pack of a
 * season with fewer than min_missing missing episodes and decides the
 * same for it whatever its totals (episodes, or wait while a pack cools
 * down), so for a season of a gap this does not list it would say
 * "episodes": enqueue passes the connector's min_missing (INT_MAX with
 * packs disabled) and reads no more of the mirror than the packs need.
 */
int db_queue_pack_seasons(PGconn *db, int64_t connector_id, int64_t now_us, int count_from,
			  struct queue_season **out, size_t *nout, struct err *e);

/* How many commands of one series may be queued or in flight at once
 * (Req 6.4): the setting "queue.max_per_series" (1..1000), else
 * QUEUE_MAX_PER_SERIES. */
#define QUEUE_MAX_PER_SERIES 5
int db_queue_max_per_series(PGconn *db, int *out, struct err *e);

/* The connector's Episode and Season searches queued or in flight, one
 * entry per batch, for batch_eligible().  *out malloc'd (free()). */
int db_queue_series_running(PGconn *db, int64_t connector_id, struct batch_running **out,
			    size_t *n, struct err *e);

/* The connector's season pack settings (0003 columns on connectors),
 * validated; the documented defaults for a connector that is gone. */
int db_queue_season_config(PGconn *db, int64_t connector_id, struct batch_season_config *out,
			   struct err *e);

/* The batch size (ids per command) of the connector's throttle profile:
 * its assignment, else the "moderate" preset, else BATCH_MAX_IDS. */
int db_queue_batch_size(PGconn *db, int64_t connector_id, int *out, struct err *e);

/* One command to queue and the registry entries it covers. */
struct queue_new {
	const struct batch_cmd *cmd;
	int series_arr_id;	/* Episode/SeasonSearch: the *arr's series id */
	const int64_t *registry_ids;	/* the entries it searches for */
	const int *priorities;	/* each entry's new priority */
	size_t nentries;
	int64_t id;		/* out: the batch id */
};

/*
 * Insert the batches (inside the caller's transaction), scheduled at
 * scheduled_us, their items, and move the entries to "queued" with their
 * priorities.  Fails (ERR_CONFLICT) if any entry is already in a batch.
 */
int db_queue_add(PGconn *db, struct queue_new *batches, size_t n, int64_t scheduled_us,
		 struct err *e);

#endif
