/*
 * webhook.c - webhook secrets and effects (see webhook.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db/counts.h"
#include "db/db.h"
#include "db/events.h"
#include "db/webhook.h"
#include "core/banned.h"

int
db_webhook_set_secret(PGconn *db, const char *connector, const char *hash, struct err *e)
{
	const char *p[2] = { connector, hash };
	PGresult *r = NULL;
	int rows;

	if (db_query(db, "INSERT INTO webhook_secrets (connector_id, secret_hash) "
		     "SELECT id, $2 FROM connectors WHERE name = $1 "
		     "ON CONFLICT (connector_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, "
		     "created_at = now() RETURNING connector_id", 2, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows == 0)
		return err_set(e, ERR_NOTFOUND, "no connector named '%s' (see 'comradarr connector "
			       "list')", connector);
	return 0;
}

int
db_webhook_remove(PGconn *db, const char *connector, struct err *e)
{
	const char *p[1] = { connector };
	PGresult *r = NULL;
	int rows;

	if (db_query(db, "DELETE FROM webhook_secrets w USING connectors c WHERE c.id = "
		     "w.connector_id AND c.name = $1 RETURNING w.connector_id", 1, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	PQclear(r);
	if (rows == 0)
		return err_set(e, ERR_NOTFOUND, "connector '%s' has no webhook secret", connector);
	return 0;
}

int
db_webhook_check(PGconn *db, const char *connector, const char *hash, int64_t *connector_id,
		 int *ok, struct err *e)
{
	const char *p[2] = { connector, hash };
	PGresult *r = NULL;

	*ok = 0;
	if (db_query(db, "SELECT c.id FROM connectors c JOIN webhook_secrets w ON w.connector_id "
		     "= c.id WHERE c.name = $1 AND w.secret_hash = $2", 2, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		*connector_id = db_int64(r, 0, 0, 0);
		*ok = 1;
	}
	PQclear(r);
	return 0;
}

static long
changed(PGresult *r)
{
	return strtol(PQcmdTuples(r), NULL, 10);
}

/* Run one statement of the call; *n += the rows it touched. */
static int
step(PGconn *db, const char *sql, const char *const *p, int np, long *n, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, sql, np, p, &r, e) < 0)
		return -1;
	*n += changed(r);
	PQclear(r);
	return 0;
}

int
db_webhook_apply(PGconn *db, int64_t connector_id, const struct arr_webhook *w,
		 const char *correlation_id, struct db_webhook_result *res, struct err *e)
{
	struct buf ids = BUF_INIT;
	char cid[24], sid[16], upg[2];
	const char *p[4] = { db_fmt_int64(cid, sizeof(cid), connector_id), NULL, sid, upg };
	const char *item = w->movie ? "movies" : "episodes";
	const char *fk = w->movie ? "movie_id" : "episode_id";
	char sql[1024], kind[48];
	json_t *payload;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	snprintf(sid, sizeof(sid), "%d", w->series_arr_id);
	snprintf(upg, sizeof(upg), "%d", w->is_upgrade ? 1 : 0);
	if (db_array_int(&ids, w->ids, (size_t)w->nids) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	p[1] = ids.data ? ids.data : "{}";
	if (db_begin(db, e) < 0)
		goto out;
	switch (w->kind) {
	case ARR_HOOK_GRAB:
		snprintf(sql, sizeof(sql),
			 "UPDATE search_registry r SET state = 'awaiting_import', updated_at = now() "
			 "FROM %s i WHERE i.connector_id = $1 AND i.arr_id = ANY($2::int[]) "
			 "AND r.%s = i.id AND r.state IN ('pending', 'searching', 'cooldown', 'failed')",
			 item, fk);
		if (step(db, sql, p, 2, &res->entries, e) < 0)
			goto out;
		break;
	case ARR_HOOK_DOWNLOAD:
		snprintf(sql, sizeof(sql), "UPDATE %s SET has_file = true WHERE connector_id = $1 "
			 "AND arr_id = ANY($2::int[]) AND NOT has_file", item);
		if (step(db, sql, p, 2, &res->items, e) < 0)
			goto out;
		snprintf(sql, sizeof(sql),
			 "DELETE FROM search_registry r USING %s i WHERE i.connector_id = $1 "
			 "AND i.arr_id = ANY($2::int[]) AND r.%s = i.id "
			 "AND (r.search_type = 'gap' OR $3::int = 1)", item, fk);
		{
			const char *p3[3] = { p[0], p[1], upg };

			if (step(db, sql, p3, 3, &res->entries, e) < 0)
				goto out;
		}
		break;
	case ARR_HOOK_FILE_DELETE:
		snprintf(sql, sizeof(sql), "UPDATE %s SET has_file = false, %s = NULL "
			 "WHERE connector_id = $1 AND arr_id = ANY($2::int[]) AND has_file", item,
			 w->movie ? "movie_file_id" : "episode_file_id");
		if (step(db, sql, p, 2, &res->items, e) < 0)
			goto out;
		break;
	case ARR_HOOK_ITEM_DELETE:
		if (w->movie) {
			if (step(db, "DELETE FROM movies WHERE connector_id = $1 AND arr_id = "
				 "ANY($2::int[])", p, 2, &res->items, e) < 0)
				goto out;
		} else {
			const char *ps[2] = { p[0], sid };

			if (step(db, "DELETE FROM series WHERE connector_id = $1 AND arr_id = $2::int",
				 ps, 2, &res->items, e) < 0)
				goto out;
		}
		break;
	case ARR_HOOK_HEALTH:
	case ARR_HOOK_HEALTH_RESTORED:
	case ARR_HOOK_OTHER:
	default:
		break;
	}
	/* the dashboard's library figures, with the change: a movie's file is
	 * the library's own row; an episode's counts by season, which only a
	 * sync brings, unless the whole series left */
	if (res->items > 0 && (w->movie || w->kind == ARR_HOOK_ITEM_DELETE) &&
	    db_library_recount(db, connector_id, e) < 0)
		goto out;
	payload = json_pack("{s:s,s:s,s:I,s:I}", "event_type", w->event_type, "kind",
			    w->movie ? "movie" : "episode", "items", (json_int_t)res->items,
			    "entries", (json_int_t)res->entries);
	if (w->nids > 0) {
		json_t *a = json_array();

		for (int i = 0; i < w->nids && i < 100; i++)
			json_array_append_new(a, json_integer(w->ids[i]));
		json_object_set_new(payload, "arr_ids", a);
	}
	if (w->message[0] != '\0')
		json_object_set_new(payload, "message", json_string(w->message));
	if (w->level[0] != '\0')
		json_object_set_new(payload, "level", json_string(w->level));
	snprintf(kind, sizeof(kind), "webhook_%s", arr_webhook_kind_name(w->kind));
	if (db_event_insert(db, kind, connector_id, correlation_id, payload, e) < 0 ||
	    db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	buf_release(&ids);
	return ret;
}
