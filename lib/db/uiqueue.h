/*
 * uiqueue.h - the web UI's queue and content reads, as JSON documents
 * built by PostgreSQL (see uistats.h for the conventions).
 */
#ifndef COMRADARR_DB_UIQUEUE_H
#define COMRADARR_DB_UIQUEUE_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/*
 * The first limit batches in dispatch order (priority, then the time they
 * are due): [{id, connector, command, season, items, queries, priority,
 * scheduled, state (waiting|due|claimed|sent), sent, titles: [...]}]; the
 * titles are those of its first three entries.
 */
int db_ui_queue(PGconn *db, int limit, json_t **out, struct err *e);

/* The latest limit searches: [{id, connector, command, kind, title,
 * outcome, grabbed, queries, started, duration_ms, message}]. */
int db_ui_outcomes(PGconn *db, int limit, json_t **out, struct err *e);

/* Indexer queries spent per connector in the last minute and today, with
 * its profile's limits: [{connector, profile, minute, rpm, today, budget,
 * paused_until, pause_reason}]. */
int db_ui_throttle(PGconn *db, json_t **out, struct err *e);

/* The content browser's filters (Req 17.1, 17.2). */
struct ui_content_filter {
	const char *connector;	/* a name, or NULL: all */
	const char *type;	/* "series" | "movie" | NULL: both */
	const char *state;	/* missing upgrade queued searching exhausted, or NULL: all */
	const char *q;		/* title contains (case-insensitive), or NULL */
	const char *after;	/* the keyset: the last row's "key" of the previous page */
	int limit;		/* rows per page, 1..200 */
};

/*
 * One page of series and movies by title: {rows: [{key, kind, id, title,
 * year, connector, items, have, gaps, upgrades, state, quality}], next: key
 * or null}.  Paging is by keyset (title, kind, id), never OFFSET, so page
 * 500 costs what page 1 does.
 */
int db_ui_content(PGconn *db, const struct ui_content_filter *f, json_t **out, struct err *e);

/*
 * A series with its seasons and episodes and each episode's registry
 * entries: {id, title, year, connector, status, seasons: [{number, have,
 * total, episodes: [{id, arr_id, number, title, aired, has_file, quality,
 * entries: [{id, type, state, attempts, priority, last_searched}]}]}]};
 * or a movie: {id, arr_id, title, year, connector, has_file, quality,
 * entries: [...], history: [...]}.  ERR_NOTFOUND when there is none.
 */
int db_ui_series(PGconn *db, int64_t id, json_t **out, struct err *e);
int db_ui_movie(PGconn *db, int64_t id, json_t **out, struct err *e);

#endif
