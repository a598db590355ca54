/*
 * counts.h - the counters the web UI reads instead of counting per request
 * (sql/0019_counts.sql): registry entries by type and state per connector
 * and per series, queue batches and items (ui_counts, kept by triggers), and
 * each connector's library size and files (library_counts, kept by the sync).
 *
 * Triggers append deltas (ui_count_deltas) so writers never wait on each
 * other; db_counts_fold moves them into ui_counts; db_counts_recount rebuilds
 * ui_counts from the tables and says how far the counters had drifted.
 */
#ifndef COMRADARR_DB_COUNTS_H
#define COMRADARR_DB_COUNTS_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

/*
 * Move the committed deltas into ui_counts: one statement, its own
 * transaction when none is open.  Cheap when there is nothing to move, so
 * the page reads call it first.  Two folds at once each move other rows.
 */
int db_counts_fold(PGconn *db, struct err *e);

/*
 * Rebuild ui_counts from search_registry, request_queue and
 * request_queue_items; *drift (may be NULL) is how many counters were not
 * what a recount says, 0 unless a bug let one drift.  Waits at most
 * lock_timeout_ms for writers in flight (0: as long as it takes) and then
 * fails with ERR_CONFLICT, changing nothing.  Opens its own transaction
 * unless one is open (a restore runs it inside its own).
 */
int db_counts_recount(PGconn *db, int lock_timeout_ms, long *drift, struct err *e);

/* The schema version that brought the counters (sql/0019_counts.sql). */
#define DB_COUNTS_SINCE 19

/*
 * Stop (enable 0) or restart (1) the counting triggers, in the caller's
 * transaction: a restore loads the counters a backup holds together with
 * the rows they count, which the triggers would count a second time.
 */
int db_counts_triggers(PGconn *db, int enable, struct err *e);

/*
 * Count connector_id's library again into library_counts (0: every
 * connector): monitored episodes and those with a file, summed by season,
 * or monitored movies and those with a file.  In the caller's transaction.
 */
int db_library_recount(PGconn *db, int64_t connector_id, struct err *e);

#endif
