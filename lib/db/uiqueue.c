/*
 * uiqueue.c - the web UI's queue and content reads (see uiqueue.h).
 */
#include <stdio.h>
#include <string.h>

#include "db/counts.h"
#include "db/db.h"
#include "db/uiqueue.h"
#include "db/uistats.h"
#include "core/banned.h"

#define EPOCH(x) "coalesce(floor(date_part('epoch', " x "))::bigint, 0)"

/* the title of a registry entry's item */
#define ENTRY_TITLE \
	"coalesce(m.title || coalesce(' (' || m.year || ')', ''), s.title || ' S' ||" \
	" lpad(e.season_number::text, 2, '0') || coalesce('E' || lpad(e.episode_number::text, 2, '0'), ''))"

int
db_ui_queue(PGconn *db, int limit, json_t **out, struct err *e)
{
	/* the first limit batches first, then their details: a window or
	 * a subquery over the whole queue would cost per batch queued */
	static const char sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.n), '[]')::text FROM ("
		" SELECT row_number() OVER (ORDER BY q.priority DESC, q.scheduled_at, q.id) AS n,"
		"  q.id, c.name AS connector, q.command, q.season_number AS season,"
		"  (SELECT count(*) FROM request_queue_items i WHERE i.queue_id = q.id) AS items,"
		"  q.indexer_queries AS queries, q.priority, " EPOCH("q.scheduled_at") " AS scheduled,"
		"  CASE WHEN q.sent_at IS NOT NULL THEN 'sent'"
		"       WHEN q.claimed_by IS NOT NULL AND q.lease_expires_at > now() THEN 'claimed'"
		"       WHEN q.scheduled_at <= now() THEN 'due' ELSE 'waiting' END AS state,"
		"  " EPOCH("q.sent_at") " AS sent,"
		"  (SELECT coalesce(json_agg(t.title), '[]') FROM ("
		"    SELECT " ENTRY_TITLE " AS title"
		"    FROM request_queue_items i JOIN search_registry r ON r.id = i.registry_id"
		"    LEFT JOIN movies m ON m.id = r.movie_id"
		"    LEFT JOIN episodes e ON e.id = r.episode_id LEFT JOIN series s ON s.id = e.series_id"
		"    WHERE i.queue_id = q.id ORDER BY i.registry_id LIMIT 3) t) AS titles"
		" FROM (SELECT * FROM request_queue ORDER BY priority DESC, scheduled_at, id LIMIT $1::int) q"
		" JOIN connectors c ON c.id = q.connector_id) x";
	char lim[16];
	const char *p[1] = { lim };

	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 1000 ? limit : 100);
	return db_ui_json(db, sql, 1, p, out, e);
}

int
db_ui_outcomes(PGconn *db, int limit, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.started DESC, x.id DESC), '[]')::text FROM ("
		" SELECT id, connector_name AS connector, command, content_kind AS kind, title, outcome,"
		"  items_grabbed AS grabbed, indexer_queries AS queries, " EPOCH("started_at") " AS started,"
		"  duration_ms, message"
		" FROM search_history ORDER BY started_at DESC, id DESC LIMIT $1::int) x";
	char lim[16];
	const char *p[1] = { lim };

	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 500 ? limit : 20);
	return db_ui_json(db, sql, 1, p, out, e);
}

int
db_ui_throttle(PGconn *db, json_t **out, struct err *e)
{
	/* throttle_ledger_recent (connector_id, at) bounds both sums; a
	 * connector without an assignment uses the moderate preset */
	static const char sql[] =
		"SELECT coalesce(json_agg(json_build_object("
		"  'connector', c.name, 'profile', coalesce(p.name, d.name),"
		"  'minute', (SELECT coalesce(sum(cost), 0) FROM throttle_ledger l"
		"             WHERE l.connector_id = c.id AND l.at > now() - interval '1 minute'),"
		"  'rpm', coalesce(p.requests_per_minute, d.requests_per_minute),"
		"  'today', (SELECT coalesce(sum(cost), 0) FROM throttle_ledger l"
		"            WHERE l.connector_id = c.id AND l.at >= date_trunc('day', now())),"
		"  'budget', coalesce(p.daily_budget, d.daily_budget),"
		"  'paused_until', CASE WHEN ts.paused_until > now() THEN " EPOCH("ts.paused_until") " ELSE 0 END,"
		"  'pause_reason', CASE WHEN ts.paused_until > now() THEN ts.pause_reason END"
		" ) ORDER BY c.name), '[]')::text"
		" FROM connectors c"
		" LEFT JOIN throttle_assignments a ON a.connector_id = c.id"
		" LEFT JOIN throttle_profiles p ON p.id = a.profile_id"
		" LEFT JOIN throttle_profiles d ON d.name = 'moderate'"
		" LEFT JOIN throttle_state ts ON ts.connector_id = c.id"
		" WHERE c.type <> 'prowlarr'";

	return db_ui_json(db, sql, 0, NULL, out, e);
}

/* a registry condition for a state filter, on alias r */
static const char *
state_cond(const char *state)
{
	if (state == NULL)
		return NULL;
	if (strcmp(state, "missing") == 0)
		return "r.search_type = 'gap' AND r.state <> 'exhausted'";
	if (strcmp(state, "upgrade") == 0)
		return "r.search_type = 'upgrade' AND r.state <> 'exhausted'";
	if (strcmp(state, "queued") == 0)
		return "r.state = 'queued'";
	if (strcmp(state, "searching") == 0)
		return "r.state IN ('searching', 'awaiting_import')";
	if (strcmp(state, "exhausted") == 0)
		return "r.state = 'exhausted'";
	return NULL;
}

/* the same condition on a series' counters (ui_counts, alias uc) */
static const char *
counts_cond(const char *state)
{
	if (strcmp(state, "missing") == 0)
		return "uc.kind = 'gap' AND uc.state <> 'exhausted'";
	if (strcmp(state, "upgrade") == 0)
		return "uc.kind = 'upgrade' AND uc.state <> 'exhausted'";
	if (strcmp(state, "queued") == 0)
		return "uc.state = 'queued'";
	if (strcmp(state, "searching") == 0)
		return "uc.state IN ('searching', 'awaiting_import')";
	return "uc.state = 'exhausted'";
}

int
db_ui_content(PGconn *db, const struct ui_content_filter *f, json_t **out, struct err *e)
{
	const char *cond = state_cond(f->state);
	char lim[16], kid[24] = "";
	const char *p[6];
	struct buf sql = BUF_INIT;
	int want_s, want_m, ret = -1;

	if (f->state != NULL && cond == NULL)
		return err_set(e, ERR_USAGE, "unknown state '%s': missing, upgrade, queued, searching or exhausted",
			       f->state);
	if (f->type != NULL && strcmp(f->type, "series") != 0 && strcmp(f->type, "movie") != 0)
		return err_set(e, ERR_USAGE, "unknown type '%s': series or movie", f->type);
	want_s = f->type == NULL || strcmp(f->type, "series") == 0;
	want_m = f->type == NULL || strcmp(f->type, "movie") == 0;
	snprintf(lim, sizeof(lim), "%d", f->limit >= 1 && f->limit <= 200 ? f->limit : 50);
	/* the keyset: "s123" or "m456"; anything else starts at the top */
	if (f->after != NULL && (f->after[0] == 's' || f->after[0] == 'm') &&
	    strspn(f->after + 1, "0123456789") == strlen(f->after + 1) &&
	    strlen(f->after + 1) > 0 && strlen(f->after + 1) < 19)
		snprintf(kid, sizeof(kid), "%s", f->after);
	p[0] = f->connector;
	p[1] = f->q != NULL && *f->q != '\0' ? f->q : NULL;
	p[2] = kid[0] ? (kid[0] == 's' ? "s" : "m") : NULL;
	p[3] = kid[0] ? kid + 1 : NULL;
	p[4] = lim;
	/*
	 * Each branch walks its title index (series_title, movies_title:
	 * lower(title), id) from the keyset on and stops at the page's end:
	 * "lower(title) >= the key's" is the index condition, the row
	 * comparison only drops the key's own title's earlier rows.  The
	 * search (contains, ILIKE) and the filters are checked on the walk;
	 * a series' state comes from its ui_counts rows, not its episodes.
	 */
	buf_append_str(&sql,
		"WITH k AS (SELECT lower(t.title) AS t, $3::text AS kind, $4::bigint AS id FROM ("
		"  SELECT title FROM series WHERE $3::text = 's' AND id = $4::bigint"
		"  UNION ALL SELECT title FROM movies WHERE $3::text = 'm' AND id = $4::bigint) t),"
		" pat AS (SELECT '%' || replace(replace(replace($2::text, '\\', '\\\\'), '%', '\\%'), '_', '\\_')"
		"         || '%' AS p),"
		" page AS (SELECT * FROM (");
	if (want_s) {
		buf_append_str(&sql,
			"(SELECT 's' AS kind, s.id, s.title, s.year, s.connector_id FROM series s"
			" WHERE ($1::text IS NULL OR s.connector_id = (SELECT id FROM connectors WHERE name = $1::text))"
			" AND ($2::text IS NULL OR s.title ILIKE (SELECT p FROM pat))"
			" AND lower(s.title) >= coalesce((SELECT t FROM k), '')"
			" AND (NOT EXISTS (SELECT 1 FROM k) OR (lower(s.title), 's', s.id) > (SELECT t, kind, id FROM k))");
		if (cond != NULL)
			buf_appendf(&sql, " AND EXISTS (SELECT 1 FROM ui_counts uc WHERE uc.series_id = s.id"
				    " AND uc.n > 0 AND %s)", counts_cond(f->state));
		buf_append_str(&sql, " ORDER BY lower(s.title), s.id LIMIT $5::int + 1)");
	}
	if (want_s && want_m)
		buf_append_str(&sql, " UNION ALL ");
	if (want_m) {
		buf_append_str(&sql,
			"(SELECT 'm' AS kind, m.id, m.title, m.year, m.connector_id FROM movies m"
			" WHERE ($1::text IS NULL OR m.connector_id = (SELECT id FROM connectors WHERE name = $1::text))"
			" AND ($2::text IS NULL OR m.title ILIKE (SELECT p FROM pat))"
			" AND lower(m.title) >= coalesce((SELECT t FROM k), '')"
			" AND (NOT EXISTS (SELECT 1 FROM k) OR (lower(m.title), 'm', m.id) > (SELECT t, kind, id FROM k))");
		if (cond != NULL)
			buf_appendf(&sql, " AND EXISTS (SELECT 1 FROM search_registry r WHERE r.movie_id = m.id AND %s)",
				    cond);
		buf_append_str(&sql, " ORDER BY lower(m.title), m.id LIMIT $5::int + 1)");
	}
	buf_append_str(&sql,
		") u ORDER BY lower(u.title), u.kind, u.id LIMIT $5::int + 1)"
		" SELECT json_build_object('rows', coalesce((SELECT json_agg(x ORDER BY x.n) FROM ("
		"  SELECT row_number() OVER (ORDER BY lower(pg.title), pg.kind, pg.id) AS n,"
		"   pg.kind || pg.id AS key, CASE pg.kind WHEN 's' THEN 'series' ELSE 'movie' END AS kind,"
		"   pg.id, pg.title, pg.year, c.name AS connector,"
		"   CASE pg.kind WHEN 's' THEN (SELECT coalesce(sum(se.episode_count), 0) FROM seasons se"
		"     WHERE se.series_id = pg.id AND se.season_number > 0) ELSE 1 END AS items,"
		"   CASE pg.kind WHEN 's' THEN (SELECT coalesce(sum(least(se.episode_file_count, se.episode_count)), 0)"
		"     FROM seasons se WHERE se.series_id = pg.id AND se.season_number > 0)"
		"     ELSE (SELECT mm.has_file::int FROM movies mm WHERE mm.id = pg.id) END AS have,"
		"   rs.gaps, rs.upgrades, rs.state,"
		"   CASE pg.kind WHEN 'm' THEN (SELECT mm.quality_name FROM movies mm WHERE mm.id = pg.id) END AS quality"
		"  FROM (SELECT * FROM page ORDER BY lower(title), kind, id LIMIT $5::int) pg"
		"  JOIN connectors c ON c.id = pg.connector_id"
		/* a movie's entries by its index; a series' from its counters
		 * (a few rows, not one per episode) */
		"  CROSS JOIN LATERAL (SELECT"
		"    coalesce(sum(rr.n) FILTER (WHERE rr.kind = 'gap' AND rr.state <> 'exhausted'), 0)::bigint AS gaps,"
		"    coalesce(sum(rr.n) FILTER (WHERE rr.kind = 'upgrade' AND rr.state <> 'exhausted'), 0)::bigint"
		"      AS upgrades,"
		"    min(rr.state) FILTER (WHERE pg.kind = 'm') AS state"
		"    FROM (SELECT r.search_type AS kind, r.state, 1::bigint AS n FROM search_registry r"
		"          WHERE pg.kind = 'm' AND r.movie_id = pg.id"
		"          UNION ALL"
		"          SELECT uc.kind, uc.state, uc.n FROM ui_counts uc"
		"          WHERE pg.kind = 's' AND uc.series_id = pg.id AND uc.n <> 0) rr"
		"  ) rs) x), '[]'),"
		" 'next', CASE WHEN (SELECT count(*) FROM page) > $5::int THEN"
		"   (SELECT kind || id FROM (SELECT * FROM page ORDER BY lower(title), kind, id"
		"    OFFSET $5::int - 1 LIMIT 1) l) END)::text");
	if (sql.data == NULL) {
		err_set(e, ERR_NOMEM, "out of memory building the content query");
		goto out;
	}
	/* the series' counters as of now (counts.h) */
	if (db_counts_fold(db, e) < 0)
		goto out;
	ret = db_ui_json(db, sql.data, 5, p, out, e);
out:
	buf_release(&sql);
	return ret;
}

int
db_ui_series(PGconn *db, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT (SELECT json_build_object('id', s.id, 'arr_id', s.arr_id, 'title', s.title, 'year', s.year,"
		"  'connector', c.name, 'status', s.status, 'monitored', s.monitored,"
		"  'seasons', coalesce((SELECT json_agg(json_build_object('number', se.season_number,"
		"    'have', se.episode_file_count, 'total', se.episode_count, 'monitored', se.monitored,"
		"    'episodes', coalesce((SELECT json_agg(json_build_object('id', e.id, 'arr_id', e.arr_id,"
		"      'number', e.episode_number, 'title', e.title, 'aired', " EPOCH("e.air_date_utc") ","
		"      'has_file', e.has_file, 'monitored', e.monitored,"
		"      'quality', (SELECT f.quality_name FROM episode_files f"
		"                  WHERE f.connector_id = e.connector_id AND f.arr_id = e.episode_file_id),"
		"      'entries', coalesce((SELECT json_agg(json_build_object('id', r.id, 'type', r.search_type,"
		"        'state', r.state, 'attempts', r.attempts, 'priority', r.priority,"
		"        'last_searched', " EPOCH("r.last_searched_at") ") ORDER BY r.search_type)"
		"        FROM search_registry r WHERE r.episode_id = e.id), '[]')"
		"      ) ORDER BY e.episode_number NULLS LAST, e.id)"
		"      FROM episodes e WHERE e.series_id = s.id AND e.season_number = se.season_number), '[]')"
		"   ) ORDER BY se.season_number DESC) FROM seasons se WHERE se.series_id = s.id), '[]'))"
		" FROM series s JOIN connectors c ON c.id = s.connector_id WHERE s.id = $1::bigint)::text";
	char ids[24];
	const char *p[1];

	p[0] = db_fmt_int64(ids, sizeof(ids), id);
	if (db_ui_json(db, sql, 1, p, out, e) < 0)
		return -1;
	if (json_is_null(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, ERR_NOTFOUND, "no series %lld", (long long)id);
	}
	return 0;
}

int
db_ui_movie(PGconn *db, int64_t id, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT (SELECT json_build_object('id', m.id, 'arr_id', m.arr_id, 'title', m.title, 'year', m.year,"
		"  'connector', c.name, 'status', m.status, 'monitored', m.monitored, 'has_file', m.has_file,"
		"  'quality', m.quality_name, 'cutoff_not_met', m.quality_cutoff_not_met,"
		"  'last_search', " EPOCH("m.last_search_time") ","
		"  'entries', coalesce((SELECT json_agg(json_build_object('id', r.id, 'type', r.search_type,"
		"    'state', r.state, 'attempts', r.attempts, 'priority', r.priority,"
		"    'last_searched', " EPOCH("r.last_searched_at") ")) FROM search_registry r"
		"    WHERE r.movie_id = m.id), '[]'),"
		"  'history', coalesce((SELECT json_agg(h ORDER BY h.started DESC) FROM ("
		"    SELECT h.outcome, " EPOCH("h.started_at") " AS started, h.message, h.indexer_queries AS queries"
		"    FROM search_history h WHERE h.connector_id = m.connector_id AND m.arr_id = ANY (h.arr_ids)"
		"    AND h.content_kind = 'movie' ORDER BY h.started_at DESC LIMIT 20) h), '[]'))"
		" FROM movies m JOIN connectors c ON c.id = m.connector_id WHERE m.id = $1::bigint)::text";
	char ids[24];
	const char *p[1];

	p[0] = db_fmt_int64(ids, sizeof(ids), id);
	if (db_ui_json(db, sql, 1, p, out, e) < 0)
		return -1;
	if (json_is_null(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, ERR_NOTFOUND, "no movie %lld", (long long)id);
	}
	return 0;
}
