/*
 * browse.h - read-only pages for the API and the UI: registry entries,
 * search history, the event outbox, the library (series, movies).
 *
 * Every page is keyset-paged (Req 23): the caller passes the last id it saw
 * and gets the next `limit` rows in id order, so page 1,000 costs what page
 * 1 costs and rows inserted meanwhile never shift a page.  Each returns the
 * page as JSON text (malloc'd): {"items": [{"id", ...}, ...], "next":
 * {"after": N} (or "before" for history) when the page is full, else null}.
 */
#ifndef COMRADARR_DB_BROWSE_H
#define COMRADARR_DB_BROWSE_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

#define BROWSE_LIMIT_MAX 500

struct browse_filter {
	const char *connector;	/* name; NULL: all */
	const char *state;	/* registry state; NULL: any */
	const char *type;	/* gap | upgrade; NULL: any */
	const char *kind;	/* episode | movie (registry), event kind (events); NULL: any */
	const char *q;		/* title contains, case-insensitive; NULL: any */
	int64_t after;		/* ascending pages: ids above this */
	int64_t before;		/* descending pages (history): ids below this; 0: newest */
	long limit;		/* 1 .. BROWSE_LIMIT_MAX */
};

/* Registry entries with their item's title, ascending id. */
int db_browse_registry(PGconn *db, const struct browse_filter *f, char **out, struct err *e);
/* search_history, newest first (f->before). */
int db_browse_history(PGconn *db, const struct browse_filter *f, char **out, struct err *e);
/* The outbox, ascending id (f->after; f->kind an event kind). */
int db_browse_events(PGconn *db, const struct browse_filter *f, char **out, struct err *e);
/* Series (with missing-episode counts) or movies of the library, ascending id. */
int db_browse_series(PGconn *db, const struct browse_filter *f, char **out, struct err *e);
int db_browse_movies(PGconn *db, const struct browse_filter *f, char **out, struct err *e);

/* Settings as one JSON object {key: value}; one setting's value. */
int db_settings_all(PGconn *db, json_t **out, struct err *e);
/* Store value (not stolen) under key; ERR_USAGE when the key is malformed. */
int db_setting_put(PGconn *db, const char *key, const json_t *value, struct err *e);

#endif
