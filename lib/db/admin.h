/*
 * admin.h - what `comradarr registry list`, `comradarr priority set` and
 * `comradarr connector history` read and write (Req 5, 11.2, 16.4).
 */
#ifndef COMRADARR_DB_ADMIN_H
#define COMRADARR_DB_ADMIN_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

/* Filters of the registry listing; NULL / 0: any. */
struct db_registry_filter {
	const char *connector;	/* name */
	const char *type;	/* gap | upgrade */
	const char *state;	/* pending, queued, searching, ... */
	const char *series;	/* title, case-insensitive substring */
	long limit;		/* <= 0: 100 */
};

/* The columns of db_registry_list()'s rows. */
enum {
	DB_RL_ID = 0, DB_RL_CONNECTOR, DB_RL_TYPE, DB_RL_KIND, DB_RL_ARR_ID, DB_RL_SERIES,
	DB_RL_SEASON, DB_RL_EPISODE, DB_RL_TITLE, DB_RL_STATE, DB_RL_ATTEMPTS, DB_RL_PRIORITY,
	DB_RL_NEXT_ELIGIBLE, DB_RL_FAILURE, DB_RL_QUEUE_ID
};

/* Entries, highest priority first.  next_eligible is microseconds or NULL. */
int db_registry_list(PGconn *db, const struct db_registry_filter *f, PGresult **out,
		     struct err *e);

/*
 * Set a priority override (Req 5.1: -1000..1000) of a series (what), or of
 * one episode or movie, named by the *arr's id on connector, with a
 * "priority_set" event, in one transaction.  *title gets the item's title
 * (malloc'd, free()).  ERR_NOTFOUND when the connector or item is unknown.
 */
int db_priority_set(PGconn *db, const char *connector, const char *what, int arr_id, int value,
		    char **title, struct err *e);

/* The connector's health checks, newest first, at most limit: checked_at
 * (us), status, detail. */
int db_connector_health_history(PGconn *db, const char *connector, long limit, PGresult **out,
				struct err *e);

/* Its sync state, one row or none: last_sync_at, last_full_sync_at (us),
 * last_duration_ms, consecutive_failures, last_error, next_retry_at (us),
 * last_counts (JSON text). */
int db_connector_sync_state(PGconn *db, const char *connector, PGresult **out, struct err *e);

#endif
