/*
 * queue_int.h - what queue.c (the dispatcher's side) and queue_ctl.c (the
 * controls and listings) share.  Not part of the library's API: use
 * queue.h.
 */
#ifndef COMRADARR_DB_QUEUE_INT_H
#define COMRADARR_DB_QUEUE_INT_H

#include <libpq-fe.h>

#include "db/db.h"
#include "db/queue.h"
#include "db/throttle.h"	/* DB_SQL_US */

/* The columns of a request_queue row "q" that db_queue_batch_from_row()
 * reads, in its order (16 of them). */
#define DB_QUEUE_BATCH_COLS "q.id, q.connector_id, q.command, coalesce(q.series_arr_id, -1), " \
	"coalesce(q.season_number, -1), array_to_string(q.arr_ids, ','), q.indexer_queries, " \
	"q.priority, " DB_SQL_US("q.scheduled_at") ", coalesce(q.claimed_by, ''), " \
	"coalesce(" DB_SQL_US("q.lease_expires_at") ", 0), coalesce(q.command_id, 0), " \
	"coalesce(" DB_SQL_US("q.sent_at") ", 0), " \
	"coalesce(" DB_SQL_US("q.command_queued_at") ", 0), coalesce(q.ledger_id, 0), q.rescues"
#define DB_QUEUE_BATCH_NCOLS 16

/* Fill *b from row of a result selecting DB_QUEUE_BATCH_COLS first; no
 * items. */
void db_queue_batch_from_row(const PGresult *r, int row, struct db_queue_batch *b);

#endif
