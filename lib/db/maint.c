/*
 * maint.c - comradarr-maint's statements.  See maint.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/maint.h"
#include "core/banned.h"

#define CUTOFF DB_SQL_TS("$1")

static const struct db_prune_def prunes[DB_PRUNE_N] = {
	[DB_PRUNE_SEARCH_HISTORY] = {
		"search_history", "retention.search_history_days", DB_STATS_SEARCHES,
		"DELETE FROM search_history WHERE started_at < " CUTOFF
	},
	[DB_PRUNE_EVENTS] = {
		"events", "retention.events_days", DB_STATS_EVENTS,
		/*
		 * Never an event comradarr-notify still needs: one an enabled
		 * channel has not routed yet (above its cursor), or one waiting
		 * in a channel's batching window or quiet hours.  A message, once
		 * made, carries its own text.
		 */
		"DELETE FROM events WHERE created_at < " CUTOFF
		" AND NOT EXISTS (SELECT 1 FROM notify_channels c WHERE c.enabled"
		" AND c.stopped_reason IS NULL AND (events.xid, events.id) > (c.cursor_xid, c.cursor_id))"
		" AND NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.event_id = events.id"
		" AND d.state = 'waiting')"
	},
	[DB_PRUNE_HEALTH] = {
		"connector_health_history", "retention.health_history_days", DB_STATS_HEALTH,
		"DELETE FROM connector_health_history WHERE checked_at < " CUTOFF
	},
	/* search_history holds the same spend per search: nothing to roll up */
	[DB_PRUNE_LEDGER] = {
		"throttle_ledger", "retention.throttle_ledger_days", -1,
		"DELETE FROM throttle_ledger WHERE at < " CUTOFF
	},
	/* Req 11.3: forgotten, an exhausted item may become a candidate again */
	[DB_PRUNE_EXHAUSTED] = {
		"search_registry", "retention.exhausted_days", -1,
		"DELETE FROM search_registry WHERE state = 'exhausted' AND updated_at < " CUTOFF
	},
};

const struct db_prune_def *
db_prune_get(enum db_prune which)
{
	return which < DB_PRUNE_N ? &prunes[which] : NULL;
}

/* Run a DELETE and count what it removed. */
static int
delete_count(PGconn *db, const char *sql, int nparams, const char *const *p, long *rows,
	     struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, sql, nparams, p, &r, e) < 0)
		return -1;
	*rows = strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

int
db_maint_prune(PGconn *db, enum db_prune which, int64_t cutoff_us, long *rows, struct err *e)
{
	char cb[24];
	const char *p[1] = { db_fmt_int64(cb, sizeof(cb), cutoff_us) };

	*rows = 0;
	if (which >= DB_PRUNE_N)
		return err_set(e, ERR_INTERNAL, "no prune %d", (int)which);
	if (delete_count(db, prunes[which].delete_sql, 1, p, rows, e) < 0)
		return err_prefix(e, "pruning %s", prunes[which].table);
	return 0;
}

static const struct {
	const char *table;
	int bug;
	const char *sql;
} orphans[DB_ORPHAN_N] = {
	/* the 0007 triggers cascade every delete of an episode or movie */
	[DB_ORPHAN_REGISTRY] = { "search_registry", 1,
		"DELETE FROM search_registry r WHERE (r.episode_id IS NOT NULL AND NOT EXISTS "
		"(SELECT 1 FROM episodes x WHERE x.id = r.episode_id)) OR (r.movie_id IS NOT NULL "
		"AND NOT EXISTS (SELECT 1 FROM movies x WHERE x.id = r.movie_id))" },
	[DB_ORPHAN_QUEUE_ITEMS] = { "request_queue_items", 1,
		"DELETE FROM request_queue_items i WHERE NOT EXISTS (SELECT 1 FROM search_registry r "
		"WHERE r.id = i.registry_id) OR NOT EXISTS (SELECT 1 FROM request_queue q "
		"WHERE q.id = i.queue_id)" },
	/* A sync that removes every item of a waiting batch cascades its
	 * items away and leaves the batch, which would spend a search on
	 * ids the *arr no longer has.  Only unclaimed batches: a dispatcher
	 * that claims one first keeps it (the DELETE re-checks claimed_by on
	 * the row it waited for), and one that comes after skips it. */
	[DB_ORPHAN_EMPTY_BATCHES] = { "request_queue", 0,
		"DELETE FROM request_queue q WHERE q.claimed_by IS NULL AND NOT EXISTS "
		"(SELECT 1 FROM request_queue_items i WHERE i.queue_id = q.id)" },
};

const char *
db_orphan_table(enum db_orphan which)
{
	return which < DB_ORPHAN_N ? orphans[which].table : "?";
}

int
db_orphan_is_bug(enum db_orphan which)
{
	return which < DB_ORPHAN_N ? orphans[which].bug : 0;
}

int
db_maint_orphans(PGconn *db, enum db_orphan which, long *rows, struct err *e)
{
	*rows = 0;
	if (which >= DB_ORPHAN_N)
		return err_set(e, ERR_INTERNAL, "no orphan check %d", (int)which);
	if (delete_count(db, orphans[which].sql, 0, NULL, rows, e) < 0)
		return err_prefix(e, "cleaning orphans of %s", orphans[which].table);
	return 0;
}

int
db_maint_vacuum(PGconn *db, const char *table, struct err *e)
{
	char *id = PQescapeIdentifier(db, table, strlen(table));
	char sql[160];
	int ret;

	if (id == NULL)
		return err_set(e, ERR_DB, "cannot quote table name '%s'", table);
	snprintf(sql, sizeof(sql), "VACUUM (ANALYZE) %s", id);
	PQfreemem(id);
	ret = db_exec(db, sql, e);
	if (ret < 0)
		err_prefix(e, "vacuuming %s", table);
	return ret;
}

int
db_maint_sizes(PGconn *db, struct db_table_size **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT c.relname, pg_total_relation_size(c.oid), c.reltuples::bigint, "
		     "coalesce(s.n_dead_tup, 0) FROM pg_class c "
		     "JOIN pg_namespace ns ON ns.oid = c.relnamespace "
		     "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
		     "WHERE c.relkind = 'r' AND ns.nspname = current_schema() "
		     "ORDER BY 2 DESC, 1", 0, NULL, &r, e) < 0)
		return -1;
	*list = calloc((size_t)PQntuples(r) + 1, sizeof(**list));
	if (*list == NULL) {
		err_set(e, ERR_NOMEM, "out of memory listing tables");
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct db_table_size *t = &(*list)[i];

		snprintf(t->name, sizeof(t->name), "%s", db_str(r, i, 0));
		t->bytes = db_int64(r, i, 1, 0);
		t->rows = db_int64(r, i, 2, -1);
		t->dead_rows = db_int64(r, i, 3, 0);
	}
	*n = (size_t)PQntuples(r);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_maint_table_bytes(PGconn *db, const char *table, int64_t *bytes, struct err *e)
{
	const char *p[1] = { table };
	PGresult *r = NULL;

	if (db_query(db, "SELECT coalesce(pg_total_relation_size(to_regclass(quote_ident($1))), 0)",
		     1, p, &r, e) < 0)
		return -1;
	*bytes = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}
