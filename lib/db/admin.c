/*
 * admin.c - registry listing, priority overrides, connector history.  See
 * admin.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/admin.h"
#include "db/db.h"
#include "db/events.h"
#include "core/log.h"
#include "core/banned.h"

int
db_registry_list(PGconn *db, const struct db_registry_filter *f, PGresult **out, struct err *e)
{
	char lim[24];
	const char *p[5] = { f->connector, f->type, f->state, f->series,
			     db_fmt_int64(lim, sizeof(lim), f->limit > 0 ? f->limit : 100) };

	return db_query(db, "SELECT r.id, c.name, r.search_type, "
			"CASE WHEN r.episode_id IS NOT NULL THEN 'episode' ELSE 'movie' END, "
			"coalesce(e.arr_id, m.arr_id), s.title, e.season_number, e.episode_number, "
			"coalesce(e.title, m.title), r.state, r.attempts, r.priority, "
			DB_SQL_US("r.next_eligible_at") ", r.failure_category, qi.queue_id "
			"FROM search_registry r JOIN connectors c ON c.id = r.connector_id "
			"LEFT JOIN episodes e ON e.id = r.episode_id "
			"LEFT JOIN series s ON s.id = e.series_id "
			"LEFT JOIN movies m ON m.id = r.movie_id "
			"LEFT JOIN request_queue_items qi ON qi.registry_id = r.id "
			"WHERE ($1::text IS NULL OR c.name = $1) "
			"AND ($2::text IS NULL OR r.search_type = $2) "
			"AND ($3::text IS NULL OR r.state = $3) "
			"AND ($4::text IS NULL OR s.title ILIKE '%' || $4 || '%') "
			"ORDER BY r.priority DESC, r.id LIMIT $5::bigint", 5, p, out, e);
}

int
db_priority_set(PGconn *db, const char *connector, const char *what, int arr_id, int value,
		char **title, struct err *e)
{
	char id[16], v[16];
	const char *p[3] = { connector, id, v };
	const char *table = strcmp(what, "series") == 0 ? "series" :
			    strcmp(what, "movie") == 0 ? "movies" : "episodes";
	const char *name = strcmp(what, "episode") == 0 ?
			   "coalesce(t.title, '')" : "t.title";
	char sql[512];
	PGresult *r = NULL;
	int64_t cid;
	int ret = -1;

	*title = NULL;
	if (strcmp(what, "series") != 0 && strcmp(what, "episode") != 0 &&
	    strcmp(what, "movie") != 0)
		return err_set(e, ERR_USAGE, "'%s' is not series, episode or movie", what);
	snprintf(id, sizeof(id), "%d", arr_id);
	snprintf(v, sizeof(v), "%d", value);
	snprintf(sql, sizeof(sql), "UPDATE %s t SET priority_override = $3::integer FROM connectors c "
		 "WHERE c.name = $1 AND t.connector_id = c.id AND t.arr_id = $2::integer "
		 "RETURNING c.id, %s", table, name);
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, sql, 3, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "'%s' has no %s %d in the mirror; run comradarr-sync, or "
			"look the id up with 'comradarr registry list' or comradarr-discover",
			connector, what, arr_id);
		goto out;
	}
	cid = db_int64(r, 0, 0, 0);
	*title = strdup(db_str(r, 0, 1) ? db_str(r, 0, 1) : "");
	if (*title == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_event_insert(db, "priority_set", cid, log_get_correlation_id(),
			    json_pack("{s:s, s:s, s:i, s:i, s:s}", "connector", connector, "what", what,
				      "id", arr_id, "priority_override", value, "title", *title),
			    e) < 0 || db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0) {
		db_rollback(db);
		free(*title);
		*title = NULL;
	}
	return ret;
}

int
db_connector_health_history(PGconn *db, const char *connector, long limit, PGresult **out,
			    struct err *e)
{
	char lim[24];
	const char *p[2] = { connector, db_fmt_int64(lim, sizeof(lim), limit > 0 ? limit : 20) };

	return db_query(db, "SELECT " DB_SQL_US("h.checked_at") ", h.status, h.detail "
			"FROM connector_health_history h JOIN connectors c ON c.id = h.connector_id "
			"WHERE c.name = $1 ORDER BY h.checked_at DESC, h.id DESC LIMIT $2::bigint",
			2, p, out, e);
}

int
db_connector_sync_state(PGconn *db, const char *connector, PGresult **out, struct err *e)
{
	const char *p[1] = { connector };

	return db_query(db, "SELECT " DB_SQL_US("s.last_sync_at") ", "
			DB_SQL_US("s.last_full_sync_at") ", s.last_duration_ms, "
			"s.consecutive_failures, s.last_error, " DB_SQL_US("s.next_retry_at") ", "
			"s.last_counts::text FROM sync_state s JOIN connectors c "
			"ON c.id = s.connector_id WHERE c.name = $1", 1, p, out, e);
}
