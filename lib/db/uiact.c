/*
 * uiact.c - the web UI's changes (see uiact.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/events.h"
#include "db/uiact.h"
#include "db/uistats.h"
#include "core/banned.h"

#define STR_(x) #x
#define STR(x) STR_(x)

int
db_ui_health_history(PGconn *db, int64_t connector_id, int limit, json_t **out, struct err *e)
{
	static const char sql[] =
		"SELECT coalesce(json_agg(x ORDER BY x.at DESC), '[]')::text FROM ("
		" SELECT floor(date_part('epoch', checked_at))::bigint AS at, status, detail"
		" FROM connector_health_history WHERE connector_id = $1::bigint"
		" ORDER BY checked_at DESC LIMIT $2::int) x";
	char id[24], lim[16];
	const char *p[2] = { id, lim };

	db_fmt_int64(id, sizeof(id), connector_id);
	snprintf(lim, sizeof(lim), "%d", limit > 0 && limit <= 500 ? limit : 20);
	return db_ui_json(db, sql, 2, p, out, e);
}

/* Lock the batch if it is still waiting: 1 waiting, 0 claimed/sent, -1
 * error (ERR_NOTFOUND when gone). */
static int
lock_waiting(PGconn *db, int64_t batch_id, int64_t *connector_id, struct err *e)
{
	PGresult *r = NULL;
	char id[24];
	const char *p[1] = { id };
	int ret = -1;

	db_fmt_int64(id, sizeof(id), batch_id);
	if (db_query(db, "SELECT connector_id, claimed_by IS NULL AND sent_at IS NULL"
		     " FROM request_queue WHERE id = $1::bigint FOR UPDATE", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		err_set(e, ERR_NOTFOUND, "batch %lld is not in the queue any more", (long long)batch_id);
		goto out;
	}
	*connector_id = db_int64(r, 0, 0, 0);
	ret = db_bool(r, 0, 1);
out:
	PQclear(r);
	return ret;
}

int
db_ui_batch_priority(PGconn *db, int64_t batch_id, int priority, struct err *e)
{
	char id[24], prio[16];
	const char *p[2] = { id, prio };
	int64_t cid = 0;
	int w;

	db_fmt_int64(id, sizeof(id), batch_id);
	snprintf(prio, sizeof(prio), "%d", priority);
	if (db_begin(db, e) < 0)
		return -1;
	w = lock_waiting(db, batch_id, &cid, e);
	if (w == 0)
		err_set(e, ERR_CONFLICT, "batch %lld is being dispatched: its priority no longer matters",
			(long long)batch_id);
	if (w <= 0 ||
	    db_query(db, "UPDATE request_queue SET priority = $2::int WHERE id = $1::bigint", 2, p, NULL, e) < 0 ||
	    db_event_insert(db, "queue_batch_changed", cid, NULL,
			    json_pack("{s:I, s:i}", "queue_id", (json_int_t)batch_id, "priority", priority), e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_ui_batch_remove(PGconn *db, int64_t batch_id, struct err *e)
{
	char id[24];
	const char *p[1] = { id };
	int64_t cid = 0;
	int w;

	db_fmt_int64(id, sizeof(id), batch_id);
	if (db_begin(db, e) < 0)
		return -1;
	w = lock_waiting(db, batch_id, &cid, e);
	if (w == 0)
		err_set(e, ERR_CONFLICT, "batch %lld is being dispatched and cannot be removed now",
			(long long)batch_id);
	/* entries back to pending first, then the batch (its items cascade) */
	if (w <= 0 ||
	    db_query(db, "UPDATE search_registry SET state = 'pending', updated_at = now()"
		     " WHERE id IN (SELECT registry_id FROM request_queue_items WHERE queue_id = $1::bigint)"
		     " AND state = 'queued'", 1, p, NULL, e) < 0 ||
	    db_query(db, "DELETE FROM request_queue WHERE id = $1::bigint", 1, p, NULL, e) < 0 ||
	    db_event_insert(db, "queue_batch_removed", cid, NULL,
			    json_pack("{s:I}", "queue_id", (json_int_t)batch_id), e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
ui_bulk_action_parse(const char *s, enum ui_bulk_action *out)
{
	static const char *const names[] = { "queue", "priority", "ignore", "reset" };
	size_t i;

	for (i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum ui_bulk_action)i;
			return 0;
		}
	return -1;
}

/* "s12" / "m34" into the series or movie id list; -1 when malformed */
static int
split_keys(const char *const *keys, size_t n, struct buf *series, struct buf *movies)
{
	int64_t *s = NULL, *m = NULL;
	size_t ns = 0, nm = 0, i;
	int ret = -1;

	s = calloc(n + 1, sizeof(*s));
	m = calloc(n + 1, sizeof(*m));
	if (s == NULL || m == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		char *end;
		long long v;

		if (keys[i] == NULL || (keys[i][0] != 's' && keys[i][0] != 'm') || keys[i][1] == '\0')
			goto out;
		v = strtoll(keys[i] + 1, &end, 10);
		if (*end != '\0' || v <= 0)
			goto out;
		if (keys[i][0] == 's')
			s[ns++] = v;
		else
			m[nm++] = v;
	}
	if (db_array_int64(series, s, ns) < 0 || db_array_int64(movies, m, nm) < 0)
		goto out;
	ret = 0;
out:
	free(s);
	free(m);
	return ret;
}

int
db_ui_bulk(PGconn *db, enum ui_bulk_action action, int priority, const char *const *keys, size_t nkeys,
	   long *changed, struct err *e)
{
	static const char *const set[] = {
		[UI_BULK_QUEUE] = "priority = " STR(UI_BULK_TOP_PRIORITY) ", next_eligible_at = now(),"
			" state = CASE WHEN state IN ('cooldown', 'failed', 'exhausted') THEN 'pending' ELSE state END",
		[UI_BULK_PRIORITY] = "priority = $3::int",
		[UI_BULK_IGNORE] = "state = 'exhausted'",
		[UI_BULK_RESET] = "state = 'pending', attempts = 0, next_eligible_at = now(), failure_category = NULL",
	};
	static const char *const names[] = { "queue", "priority", "ignore", "reset" };
	struct buf sql = BUF_INIT, series = BUF_INIT, movies = BUF_INIT;
	char prio[16];
	const char *p[3];
	PGresult *r = NULL;
	int ret = -1;

	*changed = 0;
	if (nkeys == 0 || nkeys > 1000) {
		err_set(e, ERR_USAGE, "select between 1 and 1000 items");
		goto out;
	}
	if (split_keys(keys, nkeys, &series, &movies) < 0) {
		err_set(e, ERR_USAGE, "an item is not a series or a movie of this library");
		goto out;
	}
	snprintf(prio, sizeof(prio), "%d", priority);
	p[0] = series.data;
	p[1] = movies.data;
	p[2] = prio;
	/* entries in a batch or being searched belong to the dispatcher */
	if (buf_appendf(&sql, "UPDATE search_registry SET %s, updated_at = now()"
			" WHERE (episode_id IN (SELECT id FROM episodes WHERE series_id = ANY ($1::bigint[]))"
			"        OR movie_id = ANY ($2::bigint[]))"
			" AND state NOT IN ('queued', 'searching', 'awaiting_import')"
			" AND NOT EXISTS (SELECT 1 FROM request_queue_items i WHERE i.registry_id = search_registry.id)"
			" AND $3::int IS NOT NULL", set[action]) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_begin(db, e) < 0)
		goto out;
	if (db_query(db, sql.data, 3, p, &r, e) < 0)
		goto fail;
	*changed = strtol(PQcmdTuples(r), NULL, 10);
	if (db_event_insert(db, "content_bulk_action", 0, NULL,
			    json_pack("{s:s, s:i, s:i}", "action", names[action], "items", (int)nkeys,
				      "entries", (int)*changed), e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	db_rollback(db);
out:
	PQclear(r);
	buf_release(&sql);
	buf_release(&series);
	buf_release(&movies);
	return ret;
}
