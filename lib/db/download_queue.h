/*
 * download_queue.h - what each *arr is downloading right now, as of the last
 * sync.  Discovery leaves these items out: searching for something already
 * on its way would spend indexer queries for nothing (issue "discover").
 */
#ifndef COMRADARR_DB_DOWNLOAD_QUEUE_H
#define COMRADARR_DB_DOWNLOAD_QUEUE_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/*
 * Make the connector's rows exactly items: a JSON array of objects
 * {"kind": "episode"|"movie", "arr_id": N, "title": "...", "status": "..."}
 * (borrowed).  One statement; rows that did not change are not written.
 * *changed (may be NULL) counts rows inserted, updated or deleted.  Runs in
 * the caller's transaction, if any.
 */
int db_download_queue_replace(PGconn *db, int64_t connector_id, const json_t *items,
			      long *changed, struct err *e);

#endif
