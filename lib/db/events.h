/*
 * events.h - the outbox: one row per state change, written in the same
 * transaction as the change itself (README, "every state change and its
 * event are written in one transaction").
 */
#ifndef COMRADARR_DB_EVENTS_H
#define COMRADARR_DB_EVENTS_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/*
 * Insert an event of kind for connector_id (<= 0: none) with correlation
 * id corr (NULL: none) and payload (stolen; NULL: {}).  Runs in whatever
 * transaction the caller has open.
 */
int db_event_insert(PGconn *db, const char *kind, int64_t connector_id, const char *corr,
		    json_t *payload, struct err *e);

#endif
