/*
 * queue_ctl.c - the queue controls behind `comradarr queue`: pause,
 * resume, clear, list and the status counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/events.h"
#include "db/queue.h"
#include "db/queue_int.h"
#include "core/banned.h"

int
db_queue_set_paused(PGconn *db, int paused, const char *reason, struct err *e)
{
	const char *p[1] = { paused ? "true" : "false" };
	json_t *pl = json_object();

	if (reason != NULL)
		json_object_set_new(pl, "reason", json_string(reason));
	if (db_begin(db, e) < 0) {
		json_decref(pl);
		return -1;
	}
	if (db_query(db, "INSERT INTO settings (key, value) VALUES ('queue.paused', $1::jsonb) "
		     "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
		     1, p, NULL, e) < 0) {
		json_decref(pl);
		db_rollback(db);
		return -1;
	}
	if (db_event_insert(db, paused ? "queue_paused" : "queue_resumed", 0, NULL, pl, e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_queue_clear(PGconn *db, const char *connector, long *n, struct err *e)
{
	const char *p[1] = { connector };
	PGresult *r = NULL;
	json_t *pl = json_object();
	int ret = -1;

	*n = 0;
	if (connector != NULL)
		json_object_set_new(pl, "connector", json_string(connector));
	if (db_begin(db, e) < 0)
		goto out;
	if (connector != NULL) {
		if (db_query(db, "SELECT 1 FROM connectors WHERE name = $1", 1, p, &r, e) < 0)
			goto fail;
		if (PQntuples(r) != 1) {
			err_set(e, ERR_NOTFOUND, "no connector named '%s': see 'comradarr connector list'",
				connector);
			goto fail;
		}
		PQclear(r);
		r = NULL;
	}
	/* claimed batches are in flight: their outcome still has to be heard */
	if (db_query(db, "WITH gone AS (DELETE FROM request_queue q USING connectors c "
		     "WHERE c.id = q.connector_id AND q.claimed_by IS NULL "
		     "AND ($1::text IS NULL OR c.name = $1) RETURNING q.id) "
		     "SELECT count(*) FROM gone", 1, p, &r, e) < 0)
		goto fail;
	*n = (long)db_int64(r, 0, 0, 0);
	/* entries no batch holds any more go back to pending for the next enqueue */
	if (db_query(db, "UPDATE search_registry r SET state = 'pending', updated_at = now() "
		     "WHERE r.state = 'queued' AND NOT EXISTS (SELECT 1 FROM request_queue_items i "
		     "WHERE i.registry_id = r.id)", 0, NULL, NULL, e) < 0)
		goto fail;
	json_object_set_new(pl, "batches", json_integer(*n));
	if (db_event_insert(db, "queue_cleared", 0, NULL, pl, e) < 0) {
		pl = NULL;
		goto fail;
	}
	pl = NULL;
	if (db_commit(db, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	db_rollback(db);
out:
	json_decref(pl);
	PQclear(r);
	return ret;
}

int
db_queue_list(PGconn *db, const char *connector, long limit, struct db_queue_batch **list,
	      size_t *n, struct err *e)
{
	char lb[24];
	const char *p[2] = { connector, db_fmt_int64(lb, sizeof(lb), limit > 0 ? limit : 100) };
	PGresult *r = NULL;
	int ret = -1, rows;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT " DB_QUEUE_BATCH_COLS ", "
		     "(SELECT count(*) FROM request_queue_items i WHERE i.queue_id = q.id) "
		     "FROM request_queue q JOIN connectors c ON c.id = q.connector_id "
		     "WHERE ($1::text IS NULL OR c.name = $1) "
		     "ORDER BY q.claimed_by IS NULL, q.priority DESC, q.scheduled_at, q.id LIMIT $2",
		     2, p, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		struct db_queue_batch *b = &(*list)[i];

		db_queue_batch_from_row(r, i, b);
		b->nitems = (size_t)db_int64(r, i, DB_QUEUE_BATCH_NCOLS, 0);
	}
	*n = (size_t)rows;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_queue_counts(PGconn *db, int64_t now_us, struct db_queue_counts **list, size_t *n,
		struct err *e)
{
	char nb[24];
	const char *p[1] = { db_fmt_int64(nb, sizeof(nb), now_us) };
	PGresult *r = NULL;
	int ret = -1, rows;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT c.id, c.name, c.health, c.enabled, c.auth_failed, "
		     "count(q.id), coalesce(sum(q.indexer_queries), 0), "
		     "count(q.id) FILTER (WHERE q.claimed_by IS NOT NULL AND q.lease_expires_at > now()), "
		     "count(q.id) FILTER (WHERE q.claimed_by IS NOT NULL AND q.lease_expires_at <= now()), "
		     "count(q.id) FILTER (WHERE q.claimed_by IS NULL AND q.scheduled_at <= "
		     DB_SQL_TS("$1") "), "
		     "coalesce(max(st.searching), 0), coalesce(max(st.cooldown), 0), "
		     "coalesce(max(st.awaiting), 0), coalesce(max(st.exhausted), 0) "
		     "FROM connectors c LEFT JOIN request_queue q ON q.connector_id = c.id "
		     /* one pass over the registry for every connector and state
		      * (no index on state: 0007) */
		     "LEFT JOIN (SELECT r.connector_id, "
		     " count(*) FILTER (WHERE r.state = 'searching') AS searching, "
		     " count(*) FILTER (WHERE r.state = 'cooldown') AS cooldown, "
		     " count(*) FILTER (WHERE r.state = 'awaiting_import') AS awaiting, "
		     " count(*) FILTER (WHERE r.state = 'exhausted') AS exhausted "
		     " FROM search_registry r GROUP BY 1) st ON st.connector_id = c.id "
		     "WHERE c.type <> 'prowlarr' GROUP BY c.id ORDER BY c.name", 1, p, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		struct db_queue_counts *c = &(*list)[i];

		c->connector_id = db_int64(r, i, 0, 0);
		snprintf(c->connector, sizeof(c->connector), "%s", db_str(r, i, 1));
		snprintf(c->health, sizeof(c->health), "%s", db_str(r, i, 2));
		c->enabled = db_bool(r, i, 3);
		c->auth_failed = db_bool(r, i, 4);
		c->batches = (long)db_int64(r, i, 5, 0);
		c->queries = (long)db_int64(r, i, 6, 0);
		c->in_flight = (long)db_int64(r, i, 7, 0);
		c->expired = (long)db_int64(r, i, 8, 0);
		c->due = (long)db_int64(r, i, 9, 0);
		c->searching = (long)db_int64(r, i, 10, 0);
		c->cooldown = (long)db_int64(r, i, 11, 0);
		c->awaiting_import = (long)db_int64(r, i, 12, 0);
		c->exhausted = (long)db_int64(r, i, 13, 0);
	}
	*n = (size_t)rows;
	ret = 0;
out:
	PQclear(r);
	return ret;
}
