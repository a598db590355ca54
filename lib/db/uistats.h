/*
 * uistats.h - what the web UI's pages read: per-connector summaries, the
 * dashboard's totals, the activity feed, daily search figures and library
 * completion.  PostgreSQL builds each answer as one JSON document
 * (json_build_object / json_agg), so a page costs one round trip per
 * panel and the shapes below are written once, here.
 *
 * Every query is bounded by an index or by the size of a small table
 * (connectors, seasons, movies, one day's search_history); none scans the
 * episodes of a 1M-episode mirror per request.  Times are seconds since
 * the epoch (0: never).  The caller json_decref()s *out.
 */
#ifndef COMRADARR_DB_UISTATS_H
#define COMRADARR_DB_UISTATS_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/*
 * One object per connector, by name:
 *   id name type url enabled health health_detail health_checked
 *   app_name app_version auth_failed last_sync sync_error sync_failures
 *   items have (library: episodes or movies, and those with a file)
 *   gaps upgrades queued searching exhausted (registry entries)
 *   searches_today grabbed_today
 */
int db_ui_connectors(PGconn *db, json_t **out, struct err *e);

/* Just the names, by name: [{name, type}] (filters' choices). */
int db_ui_connector_names(PGconn *db, json_t **out, struct err *e);

/*
 * {queued, batches, searches_today, grabbed_today, searches_7d, grabbed_7d,
 *  paused}.  The registry's totals are the sums of db_ui_connectors'.
 */
int db_ui_totals(PGconn *db, json_t **out, struct err *e);

/*
 * The latest limit events (newest first), with id > after_id when
 * after_id > 0: [{id, at, kind, connector, payload}].
 */
int db_ui_activity(PGconn *db, int limit, int64_t after_id, json_t **out, struct err *e);

/*
 * Searches per day for the days [from_day, to_day] (dates "YYYY-MM-DD",
 * UTC; every day present, zeros included), for connector_id (<= 0: all):
 * [{day, searches, grabbed, no_results, failed, queries, items}].
 */
int db_ui_daily(PGconn *db, const char *from_day, const char *to_day, int64_t connector_id,
		json_t **out, struct err *e);

/*
 * Record today's completion of every connector from connectors (what
 * db_ui_connectors answered: id, type, items, have; an upsert of one row
 * each) and return the last `days` days of it:
 * [{connector, have, total, trend: [pct, ...] oldest first}].
 */
int db_ui_completion(PGconn *db, int days, const json_t *connectors, json_t **out, struct err *e);

/*
 * The limit entries searched most often (search_registry_attempts):
 * [{id, connector, kind, item_id, title, type, state, attempts, last_searched}].
 */
int db_ui_hardest(PGconn *db, int limit, json_t **out, struct err *e);

/* The newest event's id (0 when none): where a live page starts reading. */
int db_ui_last_event(PGconn *db, int64_t *id, struct err *e);

/* Run sql (one row, one json column) with params and parse it into *out. */
int db_ui_json(PGconn *db, const char *sql, int nparams, const char *const *params,
	       json_t **out, struct err *e);

#endif
