/*
 * uistats.c - the web UI's read queries (see uistats.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

#include "db/counts.h"
#include "db/db.h"
#include "db/uistats.h"
#include "core/banned.h"

/* seconds since the epoch, 0 for NULL */
#define EPOCH(x) "coalesce(floor(date_part('epoch', " x "))::bigint, 0)"

int
db_ui_json(PGconn *db, const char *sql, int nparams, const char *const *params, json_t **out,
	   struct err *e)
{
	PGresult *r = NULL;
	json_error_t je;
	const char *s;
	int ret = -1;

	*out = NULL;
	if (db_query(db, sql, nparams, params, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1 || PQnfields(r) != 1) {
		err_set(e, ERR_INTERNAL, "a web UI query returned no document");
		goto out;
	}
	/* SQL NULL: the thing asked for does not exist (the caller decides) */
	s = db_str(r, 0, 0);
	if (s == NULL) {
		*out = json_null();
		ret = 0;
		goto out;
	}
	*out = json_loads(s, JSON_DECODE_ANY, &je);
	if (*out == NULL) {
		err_set(e, ERR_INTERNAL, "a web UI query returned malformed JSON: %s", je.text);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

/*
 * Registry counts per connector come from ui_counts (series_id 0), folded
 * just before; library counts from library_counts, which the sync keeps;
 * today's searches from search_history_connector (connector_id,
 * started_at), a range of one day.  No count here grows with the library.
 */
static const char connectors_sql[] =
	"WITH reg AS ("
	"  SELECT connector_id,"
	"         sum(n) FILTER (WHERE kind = 'gap' AND state <> 'exhausted')::bigint AS gaps,"
	"         sum(n) FILTER (WHERE kind = 'upgrade' AND state <> 'exhausted')::bigint AS upgrades,"
	"         sum(n) FILTER (WHERE kind IN ('gap', 'upgrade') AND state = 'queued')::bigint AS queued,"
	"         sum(n) FILTER (WHERE kind IN ('gap', 'upgrade') AND state IN ('searching', 'awaiting_import'))::bigint"
	"           AS searching,"
	"         sum(n) FILTER (WHERE kind IN ('gap', 'upgrade') AND state = 'exhausted')::bigint AS exhausted"
	"  FROM ui_counts WHERE series_id = 0 GROUP BY connector_id),"
	" today AS ("
	"  SELECT connector_id, count(*) AS searches, count(*) FILTER (WHERE outcome = 'grabbed') AS grabbed"
	"  FROM search_history WHERE started_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'"
	"  GROUP BY connector_id)"
	" SELECT coalesce(json_agg(json_build_object("
	"  'id', c.id, 'name', c.name, 'type', c.type, 'url', c.url, 'enabled', c.enabled,"
	"  'health', c.health, 'health_detail', c.health_detail,"
	"  'health_checked', " EPOCH("c.health_checked_at") ","
	"  'app_name', c.app_name, 'app_version', c.app_version, 'auth_failed', c.auth_failed,"
	"  'last_sync', " EPOCH("ss.last_sync_at") ", 'sync_error', ss.last_error,"
	"  'sync_failures', coalesce(ss.consecutive_failures, 0),"
	"  'items', coalesce(l.items, 0), 'have', coalesce(l.have, 0),"
	"  'gaps', coalesce(r.gaps, 0), 'upgrades', coalesce(r.upgrades, 0),"
	"  'queued', coalesce(r.queued, 0), 'searching', coalesce(r.searching, 0),"
	"  'exhausted', coalesce(r.exhausted, 0),"
	"  'searches_today', coalesce(t.searches, 0), 'grabbed_today', coalesce(t.grabbed, 0)"
	" ) ORDER BY c.name), '[]')::text"
	" FROM connectors c"
	" LEFT JOIN sync_state ss ON ss.connector_id = c.id"
	" LEFT JOIN reg r ON r.connector_id = c.id"
	" LEFT JOIN library_counts l ON l.connector_id = c.id"
	" LEFT JOIN today t ON t.connector_id = c.id";

int
db_ui_connectors(PGconn *db, json_t **out, struct err *e)
{
	if (db_counts_fold(db, e) < 0)
		return -1;
	return db_ui_json(db, connectors_sql, 0, NULL, out, e);
}

/* No registry counts here: the per-connector ones (db_ui_connectors) add
 * up to them, and a page that needs both reads the registry once. */
static const char totals_sql[] =
	"SELECT json_build_object("
	" 'queued', (SELECT coalesce(sum(n), 0) FROM ui_counts WHERE series_id = 0 AND kind = 'item'),"
	" 'batches', (SELECT coalesce(sum(n), 0) FROM ui_counts WHERE series_id = 0 AND kind = 'batch'),"
	" 'searches_today', (SELECT count(*) FROM search_history WHERE started_at >="
	"    date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),"
	" 'grabbed_today', (SELECT count(*) FROM search_history WHERE outcome = 'grabbed' AND started_at >="
	"    date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),"
	" 'searches_7d', (SELECT count(*) FROM search_history WHERE started_at >= now() - interval '7 days'),"
	" 'grabbed_7d', (SELECT count(*) FROM search_history WHERE outcome = 'grabbed'"
	"    AND started_at >= now() - interval '7 days'),"
	" 'paused', coalesce((SELECT value = 'true'::jsonb FROM settings WHERE key = 'queue.paused'), false)"
	")::text";

int
db_ui_connector_names(PGconn *db, json_t **out, struct err *e)
{
	return db_ui_json(db, "SELECT coalesce(json_agg(json_build_object('name', name, 'type', type)"
			  " ORDER BY name), '[]')::text FROM connectors", 0, NULL, out, e);
}

int
db_ui_totals(PGconn *db, json_t **out, struct err *e)
{
	/* queue sizes from ui_counts, folded first (counts.h) */
	if (db_counts_fold(db, e) < 0)
		return -1;
	return db_ui_json(db, totals_sql, 0, NULL, out, e);
}

int
db_ui_activity(PGconn *db, int limit, int64_t after_id, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text FROM ("
		" SELECT ev.id, " EPOCH("ev.created_at") " AS at, ev.kind, c.name AS connector, ev.payload"
		" FROM events ev LEFT JOIN connectors c ON c.id = ev.connector_id"
		" WHERE ev.id > $2::bigint ORDER BY ev.id DESC LIMIT $1::int) x";
	char lim[24], after[24];
	const char *p[2];

	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 500 ? limit : 50);
	p[0] = lim;
	p[1] = db_fmt_int64(after, sizeof(after), after_id > 0 ? after_id : 0);
	return db_ui_json(db, sql, 2, p, out, e);
}

int
db_ui_daily(PGconn *db, const char *from_day, const char *to_day, int64_t connector_id,
	    json_t **out, struct err *e)
{
	/* search_history_time bounds the scan to the range; generate_series
	 * gives every day a row so a chart has no holes */
	static const char sql[] =
		"WITH d AS (SELECT generate_series($1::date, $2::date, interval '1 day')::date AS day),"
		" h AS ("
		"  SELECT (started_at AT TIME ZONE 'UTC')::date AS day, count(*) AS searches,"
		"         count(*) FILTER (WHERE outcome = 'grabbed') AS grabbed,"
		"         count(*) FILTER (WHERE outcome = 'no_results') AS no_results,"
		"         count(*) FILTER (WHERE outcome NOT IN ('grabbed', 'no_results')) AS failed,"
		"         coalesce(sum(indexer_queries), 0) AS queries,"
		"         coalesce(sum(cardinality(arr_ids)), 0) AS items"
		"  FROM search_history"
		"  WHERE started_at >= $1::date AT TIME ZONE 'UTC'"
		"    AND started_at < ($2::date + 1) AT TIME ZONE 'UTC'"
		"    AND ($3::bigint <= 0 OR connector_id = $3::bigint)"
		"  GROUP BY 1)"
		" SELECT coalesce(json_agg(json_build_object('day', to_char(d.day, 'YYYY-MM-DD'),"
		"  'searches', coalesce(h.searches, 0), 'grabbed', coalesce(h.grabbed, 0),"
		"  'no_results', coalesce(h.no_results, 0), 'failed', coalesce(h.failed, 0),"
		"  'queries', coalesce(h.queries, 0), 'items', coalesce(h.items, 0)) ORDER BY d.day), '[]')::text"
		" FROM d LEFT JOIN h ON h.day = d.day";
	char cid[24];
	const char *p[3];

	p[0] = from_day;
	p[1] = to_day;
	p[2] = db_fmt_int64(cid, sizeof(cid), connector_id);
	return db_ui_json(db, sql, 3, p, out, e);
}

int
db_ui_completion(PGconn *db, int days, const json_t *connectors, json_t **out, struct err *e)
{
	/* today's figures are the ones db_ui_connectors just counted: one
	 * upsert of a few rows, no second pass over the library */
	static const char record_sql[] =
		"INSERT INTO completion_history (connector_id, day, have, total)"
		" SELECT id, (now() AT TIME ZONE 'UTC')::date, least(have, total), total"
		" FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS t (id, have, total)"
		" ON CONFLICT (connector_id, day) DO UPDATE SET have = EXCLUDED.have, total = EXCLUDED.total";
	static const char read_sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.connector), '[]')::text FROM ("
		" SELECT c.name AS connector,"
		"  (array_agg(h.have ORDER BY h.day DESC))[1] AS have,"
		"  (array_agg(h.total ORDER BY h.day DESC))[1] AS total,"
		"  json_agg(CASE WHEN h.total > 0 THEN round(100.0 * h.have / h.total, 2) ELSE 0 END"
		"           ORDER BY h.day) AS trend"
		" FROM connectors c JOIN completion_history h ON h.connector_id = c.id"
		" WHERE h.day > (now() AT TIME ZONE 'UTC')::date - $1::int"
		" GROUP BY c.name) x";
	struct buf ids = BUF_INIT, have = BUF_INIT, total = BUF_INIT;
	const json_t *c;
	const char *p[3];
	char d[16];
	size_t i;
	int ret = -1;

	buf_putc(&ids, '{');
	buf_putc(&have, '{');
	buf_putc(&total, '{');
	json_array_foreach(connectors, i, c) {
		const char *type = json_string_value(json_object_get(c, "type"));
		long long items = (long long)json_integer_value(json_object_get(c, "items"));

		if (type == NULL || strcmp(type, "prowlarr") == 0)
			continue;
		buf_appendf(&ids, "%s%lld", ids.len > 1 ? "," : "",
			    (long long)json_integer_value(json_object_get(c, "id")));
		buf_appendf(&have, "%s%lld", have.len > 1 ? "," : "",
			    (long long)json_integer_value(json_object_get(c, "have")));
		buf_appendf(&total, "%s%lld", total.len > 1 ? "," : "", items);
	}
	if (buf_putc(&ids, '}') < 0 || buf_putc(&have, '}') < 0 || buf_putc(&total, '}') < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	p[0] = ids.data;
	p[1] = have.data;
	p[2] = total.data;
	if (db_query(db, record_sql, 3, p, NULL, e) < 0)
		goto out;
	snprintf(d, sizeof(d), "%d", days > 0 && days <= 366 ? days : 14);
	p[0] = d;
	ret = db_ui_json(db, read_sql, 1, p, out, e);
out:
	buf_release(&ids);
	buf_release(&have);
	buf_release(&total);
	return ret;
}

int
db_ui_last_event(PGconn *db, int64_t *id, struct err *e)
{
	PGresult *r = NULL;

	/* the primary key's index, read backwards: one row */
	if (db_query(db, "SELECT coalesce(max(id), 0) FROM events", 0, NULL, &r, e) < 0)
		return -1;
	*id = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

int
db_ui_hardest(PGconn *db, int limit, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.attempts DESC, x.id), '[]')::text FROM ("
		" SELECT r.id, c.name AS connector, CASE WHEN r.movie_id IS NULL THEN 'series' ELSE 'movie' END AS kind,"
		"  coalesce(r.movie_id, e.series_id) AS item_id,"
		"  coalesce(m.title || coalesce(' (' || m.year || ')', ''), s.title || ' S' ||"
		"   lpad(e.season_number::text, 2, '0') || coalesce('E' || lpad(e.episode_number::text, 2, '0'), '')) AS title,"
		"  r.search_type AS type, r.state, r.attempts, " EPOCH("r.last_searched_at") " AS last_searched"
		" FROM (SELECT * FROM search_registry WHERE attempts > 0 ORDER BY attempts DESC, id LIMIT $1::int) r"
		" JOIN connectors c ON c.id = r.connector_id"
		" LEFT JOIN movies m ON m.id = r.movie_id"
		" LEFT JOIN episodes e ON e.id = r.episode_id LEFT JOIN series s ON s.id = e.series_id) x";
	char lim[16];
	const char *p[1] = { lim };

	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 100 ? limit : 10);
	return db_ui_json(db, sql, 1, p, out, e);
}
