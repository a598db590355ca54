/*
 * counts.c - the web UI's counters (see counts.h).
 */
#include <stdio.h>
#include <string.h>

#include "db/counts.h"
#include "db/db.h"
#include "core/banned.h"

int
db_counts_fold(PGconn *db, struct err *e)
{
	/*
	 * The DELETE takes only committed deltas and locks them, so a second
	 * fold at once moves other rows; the upsert runs in key order, so two
	 * folds lock counter rows in the same order and cannot deadlock.
	 */
	static const char sql[] =
		"WITH d AS (DELETE FROM ui_count_deltas RETURNING series_id, connector_id, kind, state, n)"
		" INSERT INTO ui_counts (series_id, connector_id, kind, state, n)"
		" SELECT series_id, connector_id, kind, state, sum(n) FROM d GROUP BY 1, 2, 3, 4"
		" HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4"
		" ON CONFLICT (series_id, connector_id, kind, state) DO UPDATE SET n = ui_counts.n + EXCLUDED.n";

	return db_query(db, sql, 0, NULL, NULL, e);
}

/* the counters as the tables say they should be */
#define TRUTH \
	"SELECT 0::bigint AS series_id, connector_id, search_type AS kind, state, count(*) AS n" \
	" FROM search_registry GROUP BY 2, 3, 4" \
	" UNION ALL SELECT series_id, connector_id, search_type, state, count(*) FROM search_registry" \
	" WHERE series_id IS NOT NULL GROUP BY 1, 2, 3, 4" \
	" UNION ALL SELECT 0, connector_id, 'batch', '', count(*) FROM request_queue GROUP BY 2" \
	" UNION ALL SELECT 0, 0, 'item', '', count(*) FROM request_queue_items HAVING count(*) > 0"

int
db_counts_recount(PGconn *db, int lock_timeout_ms, long *drift, struct err *e)
{
	static const char drift_sql[] =
		"WITH truth AS (" TRUTH "),"
		" cur AS (SELECT series_id, connector_id, kind, state, sum(n) AS n FROM ("
		"  SELECT series_id, connector_id, kind, state, n FROM ui_counts UNION ALL"
		"  SELECT series_id, connector_id, kind, state, n FROM ui_count_deltas) x GROUP BY 1, 2, 3, 4)"
		" SELECT count(*) FROM truth t FULL JOIN cur c USING (series_id, connector_id, kind, state)"
		" WHERE coalesce(t.n, 0) <> coalesce(c.n, 0)";
	int own = PQtransactionStatus(db) == PQTRANS_IDLE;
	PGresult *r = NULL;
	char lock[96];

	if (drift != NULL)
		*drift = 0;
	if (own && db_begin(db, e) < 0)
		return -1;
	/*
	 * EXCLUSIVE on the deltas waits for every transaction that has
	 * written one to end, and holds new ones back at their trigger: from
	 * here the tables' committed rows and the deltas describe the same
	 * moment.  It never waits while holding anything else, so it cannot
	 * deadlock; a long sync in flight makes it give up instead.
	 */
	snprintf(lock, sizeof(lock), "SET LOCAL lock_timeout = %d", lock_timeout_ms > 0 ? lock_timeout_ms : 0);
	if (db_exec(db, lock, e) < 0)
		goto fail;
	if (db_exec(db, "LOCK TABLE ui_count_deltas IN EXCLUSIVE MODE", e) < 0) {
		if (strstr(e->msg, "lock timeout") != NULL)
			err_set(e, ERR_CONFLICT, "the counters were not recounted: writers kept the "
				"registry busy for %d ms", lock_timeout_ms);
		goto fail;
	}
	if (db_exec(db, "SET LOCAL lock_timeout = 0", e) < 0 ||
	    db_query(db, drift_sql, 0, NULL, &r, e) < 0)
		goto fail;
	if (drift != NULL)
		*drift = (long)db_int64(r, 0, 0, 0);
	PQclear(r);
	r = NULL;
	if (db_exec(db, "DELETE FROM ui_count_deltas", e) < 0 || db_exec(db, "DELETE FROM ui_counts", e) < 0 ||
	    db_exec(db, "INSERT INTO ui_counts (series_id, connector_id, kind, state, n) " TRUTH, e) < 0)
		goto fail;
	if (own && db_commit(db, e) < 0)
		return -1;
	return 0;
fail:
	PQclear(r);
	if (own)
		db_rollback(db);
	return -1;
}

int
db_counts_triggers(PGconn *db, int enable, struct err *e)
{
	static const char *const tables[] = { "search_registry", "request_queue", "request_queue_items" };
	char sql[256];

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		const char *v = enable ? "ENABLE" : "DISABLE";

		snprintf(sql, sizeof(sql), "ALTER TABLE %s %s TRIGGER ui_counts_ins, %s TRIGGER ui_counts_del,"
			 " %s TRIGGER ui_counts_trunc%s", tables[i], v, v, v,
			 i == 0 ? (enable ? ", ENABLE TRIGGER ui_counts_upd" : ", DISABLE TRIGGER ui_counts_upd") : "");
		if (db_exec(db, sql, e) < 0)
			return -1;
	}
	return 0;
}

int
db_library_recount(PGconn *db, int64_t connector_id, struct err *e)
{
	/* seasons: one row a season, not an episode; the series' own flag
	 * counts too (an unmonitored series is not wanted) */
	static const char sql[] =
		"INSERT INTO library_counts (connector_id, items, have, counted_at)"
		" SELECT c.id, coalesce(sum(l.items), 0), coalesce(sum(l.have), 0), now() FROM connectors c"
		" LEFT JOIN ("
		"  SELECT s.connector_id, sum(se.episode_count)::bigint AS items,"
		"         sum(least(se.episode_file_count, se.episode_count))::bigint AS have"
		"  FROM series s JOIN seasons se ON se.series_id = s.id"
		"  WHERE s.monitored AND se.monitored AND se.season_number > 0"
		"    AND ($1::bigint = 0 OR s.connector_id = $1::bigint) GROUP BY s.connector_id"
		"  UNION ALL"
		"  SELECT connector_id, count(*) FILTER (WHERE monitored),"
		"         count(*) FILTER (WHERE monitored AND has_file)"
		"  FROM movies WHERE $1::bigint = 0 OR connector_id = $1::bigint GROUP BY connector_id"
		" ) l ON l.connector_id = c.id"
		" WHERE $1::bigint = 0 OR c.id = $1::bigint GROUP BY c.id"
		" ON CONFLICT (connector_id) DO UPDATE SET items = EXCLUDED.items, have = EXCLUDED.have,"
		"  counted_at = EXCLUDED.counted_at";
	char cid[24];
	const char *p[1];

	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	return db_query(db, sql, 1, p, NULL, e);
}
