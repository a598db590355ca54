/*
 * stats.c - rolling history up into stats_daily, and reading it.
 * See stats.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/stats.h"
#include "core/banned.h"

#define UTC_DAY(col) "((" col ") AT TIME ZONE 'UTC')::date"

/* Every roll-up: $1 the first day to recompute ('epoch' date + days), NULL for all. */
#define FROM_DAY(col) "($1::integer IS NULL OR " UTC_DAY(col) " >= DATE '1970-01-01' + $1::integer)"

static const char *const rollup_sql[DB_STATS_NSOURCES] = {
	[DB_STATS_SEARCHES] =
	"WITH up AS (INSERT INTO stats_daily AS s (day, connector, searches, grabbed, no_results, "
	" indexer_errors, rate_limited, timeouts, errors, indexer_queries, items_grabbed, "
	" gaps_filled, upgrades_grabbed, search_ms_sum, search_ms_max) "
	"SELECT " UTC_DAY("started_at") ", connector_name, count(*), "
	" count(*) FILTER (WHERE outcome = 'grabbed'), "
	" count(*) FILTER (WHERE outcome = 'no_results'), "
	" count(*) FILTER (WHERE outcome = 'indexer_error'), "
	" count(*) FILTER (WHERE outcome = 'rate_limited'), "
	" count(*) FILTER (WHERE outcome = 'timeout'), "
	" count(*) FILTER (WHERE outcome = 'error'), "
	" coalesce(sum(indexer_queries), 0), coalesce(sum(items_grabbed), 0), "
	" coalesce(sum(items_grabbed) FILTER (WHERE search_type = 'gap'), 0), "
	" coalesce(sum(items_grabbed) FILTER (WHERE search_type = 'upgrade'), 0), "
	" coalesce(sum(greatest(duration_ms, 0)), 0), coalesce(max(greatest(duration_ms, 0)), 0) "
	"FROM search_history WHERE " FROM_DAY("started_at") " GROUP BY 1, 2 "
	"ON CONFLICT (day, connector) DO UPDATE SET searches = EXCLUDED.searches, "
	" grabbed = EXCLUDED.grabbed, no_results = EXCLUDED.no_results, "
	" indexer_errors = EXCLUDED.indexer_errors, rate_limited = EXCLUDED.rate_limited, "
	" timeouts = EXCLUDED.timeouts, errors = EXCLUDED.errors, "
	" indexer_queries = EXCLUDED.indexer_queries, items_grabbed = EXCLUDED.items_grabbed, "
	" gaps_filled = EXCLUDED.gaps_filled, upgrades_grabbed = EXCLUDED.upgrades_grabbed, "
	" search_ms_sum = EXCLUDED.search_ms_sum, search_ms_max = EXCLUDED.search_ms_max, "
	" rolled_at = now() RETURNING day) "
	"SELECT count(*), count(DISTINCT day) FROM up",

	/* discover_done names its connector in the payload, so its figures
	 * survive the connector (whose id the event loses); gaps and upgrades
	 * are levels, the day's last discover's */
	[DB_STATS_EVENTS] =
	"WITH src AS (SELECT " UTC_DAY("e.created_at") " AS day, "
	" coalesce(e.payload->>'connector', c.name) AS connector, e.id, e.kind, e.payload "
	" FROM events e LEFT JOIN connectors c ON c.id = e.connector_id "
	" WHERE e.kind IN ('discover_done', 'enqueue_done') AND " FROM_DAY("e.created_at") "), "
	"up AS (INSERT INTO stats_daily AS s (day, connector, discovered, gaps_open, upgrades_open, "
	" queued) "
	"SELECT day, connector, "
	" coalesce(sum((payload->>'added')::bigint) FILTER (WHERE kind = 'discover_done'), 0), "
	" (array_agg((payload->>'gaps')::integer ORDER BY id DESC) "
	"   FILTER (WHERE kind = 'discover_done'))[1], "
	" (array_agg((payload->>'upgrades')::integer ORDER BY id DESC) "
	"   FILTER (WHERE kind = 'discover_done'))[1], "
	" coalesce(sum((payload->>'items')::bigint) FILTER (WHERE kind = 'enqueue_done'), 0) "
	"FROM src WHERE connector IS NOT NULL GROUP BY 1, 2 "
	"ON CONFLICT (day, connector) DO UPDATE SET discovered = EXCLUDED.discovered, "
	" gaps_open = EXCLUDED.gaps_open, upgrades_open = EXCLUDED.upgrades_open, "
	" queued = EXCLUDED.queued, rolled_at = now() RETURNING day) "
	"SELECT count(*), count(DISTINCT day) FROM up",

	[DB_STATS_HEALTH] =
	"WITH up AS (INSERT INTO stats_daily AS s (day, connector, health_checks, health_failures, "
	" responses, response_ms_sum, response_ms_max) "
	"SELECT " UTC_DAY("h.checked_at") ", c.name, count(*), "
	" count(*) FILTER (WHERE h.status IN ('unhealthy', 'offline')), count(h.response_ms), "
	" coalesce(sum(h.response_ms), 0), coalesce(max(h.response_ms), 0) "
	"FROM connector_health_history h JOIN connectors c ON c.id = h.connector_id "
	"WHERE " FROM_DAY("h.checked_at") " GROUP BY 1, 2 "
	"ON CONFLICT (day, connector) DO UPDATE SET health_checks = EXCLUDED.health_checks, "
	" health_failures = EXCLUDED.health_failures, responses = EXCLUDED.responses, "
	" response_ms_sum = EXCLUDED.response_ms_sum, response_ms_max = EXCLUDED.response_ms_max, "
	" rolled_at = now() RETURNING day) "
	"SELECT count(*), count(DISTINCT day) FROM up",

	/* a sample, not a sum: batches waiting now, on today's row */
	[DB_STATS_QUEUE] =
	"WITH up AS (INSERT INTO stats_daily AS s (day, connector, queue_depth) "
	"SELECT " UTC_DAY("now()") ", c.name, count(q.id) FROM connectors c "
	" LEFT JOIN request_queue q ON q.connector_id = c.id AND q.claimed_by IS NULL "
	"WHERE " FROM_DAY("now()") " GROUP BY 1, 2 "
	"ON CONFLICT (day, connector) DO UPDATE SET queue_depth = EXCLUDED.queue_depth, "
	" rolled_at = now() RETURNING day) "
	"SELECT count(*), count(DISTINCT day) FROM up",
};

const char *
db_stats_source_name(enum db_stats_source s)
{
	static const char *const names[DB_STATS_NSOURCES] = {
		"searches", "events", "health", "queue"
	};

	return s < DB_STATS_NSOURCES ? names[s] : "?";
}

int
db_stats_rollup(PGconn *db, enum db_stats_source src, int64_t from_day, long *groups,
		long *days, struct err *e)
{
	char fb[24];
	const char *p[1] = { from_day >= 0 ? db_fmt_int64(fb, sizeof(fb), from_day) : NULL };
	PGresult *r = NULL;

	*groups = *days = 0;
	if (src >= DB_STATS_NSOURCES)
		return err_set(e, ERR_INTERNAL, "no statistics source %d", (int)src);
	/*
	 * One roll-up transaction at a time.  Each source's statement locks
	 * the same (day, connector) rows in its own order, so two
	 * transactions rolling up several sources (maint's prunes, 'comradarr
	 * stats') could deadlock on them.  This mode conflicts only with
	 * itself and with writes to the table, which only roll-ups make:
	 * readers never wait.  Held until the caller's commit or rollback.
	 */
	if (db_exec(db, "LOCK TABLE stats_daily IN SHARE ROW EXCLUSIVE MODE", e) < 0 ||
	    db_query(db, rollup_sql[src], 1, p, &r, e) < 0)
		return err_prefix(e, "rolling up %s", db_stats_source_name(src));
	*groups = (long)db_int64(r, 0, 0, 0);
	*days = (long)db_int64(r, 0, 1, 0);
	PQclear(r);
	return 0;
}

/* The query's columns, in order: one list, read by position below. */
enum {
	C_PERIOD, C_CONNECTOR, C_CONNECTOR_ID, C_DAYS, C_SEARCHES, C_GRABBED, C_NO_RESULTS,
	C_INDEXER_ERRORS, C_RATE_LIMITED, C_TIMEOUTS, C_ERRORS, C_QUERIES, C_ITEMS_GRABBED,
	C_GAPS_FILLED, C_UPGRADES_GRABBED, C_MS_SUM, C_MS_MAX, C_DISCOVERED, C_QUEUED,
	C_GAPS_OPEN, C_UPGRADES_OPEN, C_CHECKS, C_FAILURES, C_DEPTH, C_RESPONSES, C_RESP_SUM,
	C_RESP_MAX
};

#define LAST(col) "(array_agg(" col " ORDER BY day DESC) FILTER (WHERE " col " IS NOT NULL))[1]"

static const char query_sql[] =
	"SELECT to_char(period, 'YYYY-MM-DD'), connector, coalesce(max(c.id), 0), "
	" count(DISTINCT day), sum(searches), sum(grabbed), sum(no_results), sum(indexer_errors), "
	" sum(rate_limited), sum(timeouts), sum(errors), sum(indexer_queries), sum(items_grabbed), "
	" sum(gaps_filled), sum(upgrades_grabbed), sum(search_ms_sum), max(search_ms_max), "
	" sum(discovered), sum(queued), " LAST("gaps_open") ", " LAST("upgrades_open") ", "
	" sum(health_checks), sum(health_failures), " LAST("queue_depth") ", "
	" sum(responses), sum(response_ms_sum), max(response_ms_max) "
	"FROM (SELECT CASE WHEN $4::boolean THEN date_trunc('week', day)::date ELSE day END "
	"  AS period, * FROM stats_daily "
	"  WHERE ($1::text IS NULL OR connector = $1) "
	"  AND ($2::integer IS NULL OR day >= DATE '1970-01-01' + $2::integer) "
	"  AND ($3::integer IS NULL OR day <= DATE '1970-01-01' + $3::integer)) s "
	"LEFT JOIN connectors c ON c.name = s.connector "
	"GROUP BY period, connector ORDER BY period, connector";

static long
num(const PGresult *r, int row, int col, long dflt)
{
	return (long)db_int64(r, row, col, dflt);
}

int
db_stats_query(PGconn *db, const struct db_stats_filter *f, struct db_stats_row **rows,
	       size_t *n, struct err *e)
{
	char fb[24], tb[24];
	const char *p[4] = {
		f->connector,
		f->from_day >= 0 ? db_fmt_int64(fb, sizeof(fb), f->from_day) : NULL,
		f->to_day >= 0 ? db_fmt_int64(tb, sizeof(tb), f->to_day) : NULL,
		f->by_week ? "true" : "false"
	};
	PGresult *r = NULL;
	int ret = -1;

	*rows = NULL;
	*n = 0;
	if (db_begin(db, e) < 0)
		return -1;
	/* today's figures: the roll-up itself, undone below (see stats.h) */
	for (int s = 0; s < DB_STATS_NSOURCES; s++) {
		long groups, days;

		if (db_stats_rollup(db, (enum db_stats_source)s, f->from_day, &groups, &days, e) < 0)
			goto out;
	}
	if (db_query(db, query_sql, 4, p, &r, e) < 0)
		goto out;
	*rows = calloc((size_t)PQntuples(r) + 1, sizeof(**rows));
	if (*rows == NULL) {
		err_set(e, ERR_NOMEM, "out of memory reading statistics");
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct db_stats_row *x = &(*rows)[i];

		snprintf(x->period, sizeof(x->period), "%s", db_str(r, i, C_PERIOD));
		snprintf(x->connector, sizeof(x->connector), "%s", db_str(r, i, C_CONNECTOR));
		x->connector_id = db_int64(r, i, C_CONNECTOR_ID, 0);
		x->days = num(r, i, C_DAYS, 0);
		x->searches = num(r, i, C_SEARCHES, 0);
		x->grabbed = num(r, i, C_GRABBED, 0);
		x->no_results = num(r, i, C_NO_RESULTS, 0);
		x->indexer_errors = num(r, i, C_INDEXER_ERRORS, 0);
		x->rate_limited = num(r, i, C_RATE_LIMITED, 0);
		x->timeouts = num(r, i, C_TIMEOUTS, 0);
		x->errors = num(r, i, C_ERRORS, 0);
		x->indexer_queries = db_int64(r, i, C_QUERIES, 0);
		x->items_grabbed = num(r, i, C_ITEMS_GRABBED, 0);
		x->gaps_filled = num(r, i, C_GAPS_FILLED, 0);
		x->upgrades_grabbed = num(r, i, C_UPGRADES_GRABBED, 0);
		x->search_ms_sum = db_int64(r, i, C_MS_SUM, 0);
		x->search_ms_max = num(r, i, C_MS_MAX, 0);
		x->discovered = num(r, i, C_DISCOVERED, 0);
		x->queued = num(r, i, C_QUEUED, 0);
		x->gaps_open = num(r, i, C_GAPS_OPEN, -1);
		x->upgrades_open = num(r, i, C_UPGRADES_OPEN, -1);
		x->health_checks = num(r, i, C_CHECKS, 0);
		x->health_failures = num(r, i, C_FAILURES, 0);
		x->queue_depth = num(r, i, C_DEPTH, -1);
		x->responses = num(r, i, C_RESPONSES, 0);
		x->response_ms_sum = db_int64(r, i, C_RESP_SUM, 0);
		x->response_ms_max = num(r, i, C_RESP_MAX, 0);
	}
	*n = (size_t)PQntuples(r);
	ret = 0;
out:
	PQclear(r);
	db_rollback(db);
	if (ret < 0) {
		free(*rows);
		*rows = NULL;
	}
	return ret;
}
