/*
 * browse.c - keyset-paged read-only listings (see browse.h).
 *
 * Each query turns its rows into JSON in PostgreSQL (json_build_object,
 * json_agg): one text cell per page, instead of a column-by-column copy
 * that must be kept in step with the SELECT list.  The registry's page, the
 * biggest and most read, is the exception (rows_json): there the JSON
 * functions cost more than the query.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/browse.h"
#include "db/db.h"
#include "core/banned.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/*
 * Run inner (columns id and j, ordered and limited by $limit_param) and
 * wrap its rows in one page object, built by PostgreSQL as text:
 *   {"items": [j, ...], "next": {"after"|"before": last id} or null}
 * The server hands the text on as it is: parsing 500 objects into jansson
 * and printing them again cost ~10 ms of CPU a page (tests/bench/serve.sh).
 */
static int
page_json(PGconn *db, const char *inner, int desc, int limit_param, int n,
	  const char *const *p, char **out, struct err *e)
{
	char sql[4096];
	PGresult *r = NULL;
	int len;

	*out = NULL;
	len = snprintf(sql, sizeof(sql),
		       "WITH page AS (%s) SELECT json_build_object('items', "
		       "coalesce(json_agg(j ORDER BY id %s), '[]'::json), 'next', "
		       "CASE WHEN count(*) = $%d::int THEN json_build_object('%s', %s(id)) END)::text "
		       "FROM page", inner, desc ? "DESC" : "", limit_param,
		       desc ? "before" : "after", desc ? "min" : "max");
	if (len < 0 || (size_t)len >= sizeof(sql))
		return err_set(e, ERR_INTERNAL, "browse query too long");
	if (db_query(db, sql, n, p, &r, e) < 0)
		return -1;
	*out = strdup(db_str(r, 0, 0) ? db_str(r, 0, 0) : "{\"items\":[],\"next\":null}");
	PQclear(r);
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

static long
clamp(long limit)
{
	return limit < 1 ? 50 : limit > BROWSE_LIMIT_MAX ? BROWSE_LIMIT_MAX : limit;
}

/* A column of a page written as JSON here rather than by PostgreSQL. */
struct jcol {
	const char *key;
	int num;		/* the text is a number: written as is */
};

/* s as a JSON string: quotes, backslashes and control characters escaped */
static int
json_str(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;
	int rc = buf_putc(b, '"');

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		rc |= buf_append(b, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			rc |= buf_putc(b, '\\');
			rc |= buf_putc(b, (char)c);
		} else {
			char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

			rc |= buf_append(b, u, sizeof(u));
		}
		run = s + 1;
	}
	rc |= buf_append(b, run, (size_t)(s - run));
	return rc | buf_putc(b, '"');
}

/*
 * The rows of r (columns as cols, column 0 the keyset id) as the page object
 * page_json makes: {"items": [{...}, ...], "next": {"after": last id} or
 * null}.  For the registry's 500-entry page PostgreSQL's json_build_object
 * was most of the query's time (~15 of ~20 ms under load, the joins 0.7 ms):
 * plain text columns and this loop cost a fraction of it.
 */
static int
rows_json(const PGresult *r, const struct jcol *cols, int ncols, long limit, char **out, struct err *e)
{
	struct buf b = BUF_INIT;
	int n = PQntuples(r), rc = buf_append_str(&b, "{\"items\":[");

	for (int i = 0; i < n; i++) {
		rc |= buf_append_str(&b, i ? ",{" : "{");
		for (int c = 0; c < ncols; c++) {
			/* 8,000 fields a page: appends, not a printf each */
			if (c > 0)
				rc |= buf_putc(&b, ',');
			rc |= buf_putc(&b, '"');
			rc |= buf_append_str(&b, cols[c].key);
			rc |= buf_append(&b, "\":", 2);
			if (PQgetisnull(r, i, c))
				rc |= buf_append_str(&b, "null");
			else if (cols[c].num)
				rc |= buf_append_str(&b, PQgetvalue(r, i, c));
			else
				rc |= json_str(&b, PQgetvalue(r, i, c));
		}
		rc |= buf_putc(&b, '}');
	}
	if (n > 0 && n == limit)
		rc |= buf_appendf(&b, "],\"next\":{\"after\":%s}}", PQgetvalue(r, n - 1, 0));
	else
		rc |= buf_append_str(&b, "],\"next\":null}");
	if (rc != 0) {
		buf_release(&b);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	*out = buf_detach(&b);
	return 0;
}

int
db_browse_registry(PGconn *db, const struct browse_filter *f, char **out, struct err *e)
{
	static const struct jcol cols[] = {
		{ "id", 1 }, { "connector", 0 }, { "kind", 0 }, { "arr_id", 1 }, { "type", 0 },
		{ "state", 0 }, { "attempts", 1 }, { "priority", 1 }, { "failure_category", 0 },
		{ "last_searched_at", 0 }, { "next_eligible_at", 0 }, { "series", 0 }, { "season", 1 },
		{ "episode", 1 }, { "title", 0 }, { "year", 1 },
	};
	char after[24], limit[24];
	const char *p[7] = { db_fmt_int64(after, sizeof(after), f->after), f->connector, f->state,
			     f->type, f->kind, f->q, limit };
	PGresult *r = NULL;
	int ret;

	*out = NULL;
	snprintf(limit, sizeof(limit), "%ld", clamp(f->limit));
	/* the columns in the order of cols[] */
	if (db_query(db,
		"SELECT r.id, c.name, "
		"CASE WHEN r.episode_id IS NOT NULL THEN 'episode' ELSE 'movie' END, "
		"coalesce(ep.arr_id, m.arr_id), r.search_type, r.state, r.attempts, r.priority, "
		"r.failure_category, " TS("r.last_searched_at") ", " TS("r.next_eligible_at") ", "
		"s.title, ep.season_number, ep.episode_number, coalesce(ep.title, m.title), m.year "
		"FROM search_registry r JOIN connectors c ON c.id = r.connector_id "
		"LEFT JOIN episodes ep ON ep.id = r.episode_id "
		"LEFT JOIN series s ON s.id = ep.series_id "
		"LEFT JOIN movies m ON m.id = r.movie_id "
		"WHERE r.id > $1::bigint "
		"AND ($2::text IS NULL OR c.name = $2) "
		"AND ($3::text IS NULL OR r.state = $3) "
		"AND ($4::text IS NULL OR r.search_type = $4) "
		"AND ($5::text IS NULL OR ($5 = 'episode') = (r.episode_id IS NOT NULL)) "
		"AND ($6::text IS NULL OR coalesce(s.title, m.title) ILIKE "
		"'%' || replace(replace(replace($6, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') "
		"ORDER BY r.id LIMIT $7::int", 7, p, &r, e) < 0)
		return -1;
	if (PQnfields(r) != (int)(sizeof(cols) / sizeof(cols[0]))) {
		PQclear(r);
		return err_set(e, ERR_INTERNAL, "the registry page has %d columns, not %zu", PQnfields(r),
			       sizeof(cols) / sizeof(cols[0]));
	}
	ret = rows_json(r, cols, (int)(sizeof(cols) / sizeof(cols[0])), clamp(f->limit), out, e);
	PQclear(r);
	return ret;
}

int
db_browse_history(PGconn *db, const struct browse_filter *f, char **out, struct err *e)
{
	char before[24], limit[24];
	const char *p[3] = { db_fmt_int64(before, sizeof(before), f->before), f->connector, limit };

	snprintf(limit, sizeof(limit), "%ld", clamp(f->limit));
	return page_json(db,
		"SELECT h.id AS id, json_build_object('id', h.id, 'connector', h.connector_name, "
		"'command', h.command, 'command_id', h.command_id, 'search_type', h.search_type, "
		"'content_kind', h.content_kind, 'arr_ids', h.arr_ids, 'title', h.title, "
		"'indexer_queries', h.indexer_queries, 'outcome', h.outcome, "
		"'items_grabbed', h.items_grabbed, 'message', h.message, "
		"'started_at', " TS("h.started_at") ", 'duration_ms', h.duration_ms) AS j "
		"FROM search_history h "
		"WHERE ($1::bigint = 0 OR h.id < $1::bigint) "
		"AND ($2::text IS NULL OR h.connector_name = $2) "
		"ORDER BY h.id DESC LIMIT $3::int", 1, 3, 3, p, out, e);
}

int
db_browse_events(PGconn *db, const struct browse_filter *f, char **out, struct err *e)
{
	char after[24], limit[24];
	const char *p[3] = { db_fmt_int64(after, sizeof(after), f->after), f->kind, limit };

	snprintf(limit, sizeof(limit), "%ld", clamp(f->limit));
	return page_json(db,
		"SELECT v.id AS id, json_build_object('id', v.id, 'kind', v.kind, "
		"'at', " TS("v.created_at") ", 'connector', c.name, "
		"'correlation_id', v.correlation_id, 'payload', v.payload) AS j "
		"FROM events v LEFT JOIN connectors c ON c.id = v.connector_id "
		"WHERE v.id > $1::bigint AND ($2::text IS NULL OR v.kind = $2) "
		"ORDER BY v.id LIMIT $3::int", 0, 3, 3, p, out, e);
}

int
db_browse_series(PGconn *db, const struct browse_filter *f, char **out, struct err *e)
{
	char after[24], limit[24];
	const char *p[4] = { db_fmt_int64(after, sizeof(after), f->after), f->connector, f->q,
			     limit };

	snprintf(limit, sizeof(limit), "%ld", clamp(f->limit));
	return page_json(db,
		"SELECT s.id AS id, json_build_object('id', s.id, 'connector', c.name, 'arr_id', s.arr_id, "
		"'title', s.title, 'year', s.year, 'status', s.status, 'monitored', s.monitored, "
		"'episodes', (SELECT count(*) FROM episodes ep WHERE ep.series_id = s.id), "
		"'missing', (SELECT count(*) FROM episodes ep WHERE ep.series_id = s.id "
		"  AND ep.monitored AND NOT ep.has_file)) AS j "
		"FROM series s JOIN connectors c ON c.id = s.connector_id "
		"WHERE s.id > $1::bigint AND ($2::text IS NULL OR c.name = $2) "
		"AND ($3::text IS NULL OR s.title ILIKE "
		"'%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') "
		"ORDER BY s.id LIMIT $4::int", 0, 4, 4, p, out, e);
}

int
db_browse_movies(PGconn *db, const struct browse_filter *f, char **out, struct err *e)
{
	char after[24], limit[24];
	const char *p[4] = { db_fmt_int64(after, sizeof(after), f->after), f->connector, f->q,
			     limit };

	snprintf(limit, sizeof(limit), "%ld", clamp(f->limit));
	return page_json(db,
		"SELECT m.id AS id, json_build_object('id', m.id, 'connector', c.name, 'arr_id', m.arr_id, "
		"'title', m.title, 'year', m.year, 'monitored', m.monitored, "
		"'has_file', m.has_file, 'quality', m.quality_name, "
		"'cutoff_not_met', m.quality_cutoff_not_met) AS j "
		"FROM movies m JOIN connectors c ON c.id = m.connector_id "
		"WHERE m.id > $1::bigint AND ($2::text IS NULL OR c.name = $2) "
		"AND ($3::text IS NULL OR m.title ILIKE "
		"'%' || replace(replace(replace($3, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%') "
		"ORDER BY m.id LIMIT $4::int", 0, 4, 4, p, out, e);
}

int
db_settings_all(PGconn *db, json_t **out, struct err *e)
{
	PGresult *r = NULL;

	*out = NULL;
	if (db_query(db, "SELECT coalesce(json_object_agg(key, value ORDER BY key), '{}')::text "
		     "FROM settings", 0, NULL, &r, e) < 0)
		return -1;
	*out = json_loads(db_str(r, 0, 0), 0, NULL);
	PQclear(r);
	if (*out == NULL)
		return err_set(e, ERR_INTERNAL, "the database answered malformed JSON");
	return 0;
}

int
db_setting_put(PGconn *db, const char *key, const json_t *value, struct err *e)
{
	char *v = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	const char *p[2] = { key, v };
	size_t n = key ? strlen(key) : 0;
	int ret;

	if (v == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (n == 0 || n > 100 || key[0] < 'a' || key[0] > 'z' ||
	    strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789_.") != n) {
		free(v);
		return err_set(e, ERR_USAGE, "setting name '%.100s' is not valid: lowercase letters, "
			       "digits, '_' and '.'", key ? key : "");
	}
	ret = db_query(db, "INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) "
		       "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
		       2, p, NULL, e);
	free(v);
	return ret;
}
