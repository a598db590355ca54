/*
 * registry_eligible.c - the registry entries enqueue may queue now, with
 * what batching and priority need, in one query (split from registry.c:
 * discovery writes the registry, enqueue reads it here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/registry.h"
#include "core/banned.h"

#define ELIGIBLE_COLS \
	"SELECT r.id, r.connector_id, " \
	" CASE WHEN r.episode_id IS NOT NULL THEN 'episode' ELSE 'movie' END, r.search_type, " \
	" r.state, false, coalesce(r.episode_id, r.movie_id), coalesce(e.arr_id, m.arr_id), " \
	" e.series_id, s.arr_id, NULL::text, coalesce(e.season_number, -1), " \
	" coalesce(e.episode_number, -1), coalesce(m.year, 0), NULL::text, " \
	" NULL::text, NULL::text, NULL::integer, NULL::integer, " \
	DB_SQL_US("coalesce(e.air_date_utc, " REGISTRY_SQL_MOVIE_RELEASED ")") ", " DB_SQL_US("r.created_at") ", " \
	DB_SQL_US("coalesce(r.last_searched_at, e.last_search_time, m.last_search_time)") ", " \
	" r.attempts, coalesce(s.priority_override, 0), " \
	" coalesce(e.priority_override, m.priority_override, 0), r.priority, r.pack_failed, " \
	DB_SQL_US("r.next_eligible_at") " FROM search_registry r "

/*
 * No titles (NULL in their columns): batches are made of ids, and the
 * titles are the widest text of a row, sent 128,700 times by the
 * benchmark's full read for nothing.
 *
 * A connector whose items are all of one kind joins only that kind's
 * tables: the other side is a row of NULLs the planner folds into the
 * column list.  The movies join of a Sonarr connector's "top 500" was a
 * fifth of the query (500 probes that never find a row) and its planning.
 */
/*
 * Episodes by primary key, one probe per entry (OFFSET 0 keeps the lateral
 * a nested loop): entries are created in episode order, so the probes walk
 * the index forwards.  The planner's hash join read all 1M episodes of the
 * benchmark's mirror to find 128,700: 1.75 s against 1.0 s.
 */
#define ELIGIBLE_EPISODES \
	"LEFT JOIN LATERAL (SELECT e1.arr_id, e1.series_id, e1.season_number, " \
	" e1.episode_number, e1.air_date_utc, e1.last_search_time, e1.priority_override " \
	" FROM episodes e1 WHERE e1.id = r.episode_id OFFSET 0) e ON true " \
	"LEFT JOIN series s ON s.id = e.series_id "
#define ELIGIBLE_MOVIES "LEFT JOIN movies m ON m.id = r.movie_id "
#define ELIGIBLE_NO_EPISODES \
	"CROSS JOIN (SELECT NULL::integer AS arr_id, NULL::bigint AS series_id, " \
	" NULL::integer AS season_number, NULL::integer AS episode_number, " \
	" NULL::timestamptz AS air_date_utc, NULL::timestamptz AS last_search_time, " \
	" NULL::integer AS priority_override) e " \
	"CROSS JOIN (SELECT NULL::integer AS arr_id, NULL::integer AS priority_override) s "
#define ELIGIBLE_NO_MOVIES \
	"CROSS JOIN (SELECT NULL::integer AS arr_id, NULL::integer AS year, " \
	" NULL::timestamptz AS digital_release, NULL::timestamptz AS physical_release, " \
	" NULL::timestamptz AS release_date, NULL::timestamptz AS in_cinemas, " \
	" NULL::timestamptz AS last_search_time, NULL::integer AS priority_override) m "

#define ELIGIBLE_WHERE \
	"WHERE r.connector_id = $1 " \
	" AND r.state IN ('pending', 'cooldown', 'failed', 'awaiting_import') " \
	" AND (r.next_eligible_at IS NULL OR r.next_eligible_at <= " DB_SQL_TS("$2") ") " \
	" AND NOT EXISTS (SELECT 1 FROM request_queue_items qi WHERE qi.registry_id = r.id) "

const char db_registry_top_eligible_sql[] =
	ELIGIBLE_COLS ELIGIBLE_EPISODES ELIGIBLE_NO_MOVIES ELIGIBLE_WHERE
	" AND r.episode_id IS NOT NULL ORDER BY r.priority DESC, r.id LIMIT $3::bigint";

int
db_registry_eligible(PGconn *db, int64_t connector_id, unsigned kinds, int64_t now_us,
		     long limit, int lock, const struct registry_keys *k, PGresult **rows,
		     struct err *e)
{
	struct buf sql = BUF_INIT, ea = BUF_INIT, et = BUF_INIT, ma = BUF_INIT, mt = BUF_INIT;
	char cid[24], now[24], lim[24];
	const char *p[7];
	int np = 3;
	int ret = -1;

	*rows = NULL;
	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	p[1] = db_fmt_int64(now, sizeof(now), now_us);
	p[2] = limit > 0 ? db_fmt_int64(lim, sizeof(lim), limit) : NULL;
	if (kinds == 0)
		kinds = REGISTRY_EPISODES | REGISTRY_MOVIES;
	if (buf_append_str(&sql, ELIGIBLE_COLS) < 0 ||
	    buf_append_str(&sql, (kinds & REGISTRY_EPISODES) ? ELIGIBLE_EPISODES :
			   ELIGIBLE_NO_EPISODES) < 0 ||
	    buf_append_str(&sql, (kinds & REGISTRY_MOVIES) ? ELIGIBLE_MOVIES :
			   ELIGIBLE_NO_MOVIES) < 0 ||
	    buf_append_str(&sql, ELIGIBLE_WHERE) < 0 ||
	    (kinds == REGISTRY_EPISODES &&
	     buf_append_str(&sql, " AND r.episode_id IS NOT NULL ") < 0) ||
	    (kinds == REGISTRY_MOVIES &&
	     buf_append_str(&sql, " AND r.movie_id IS NOT NULL ") < 0))
		goto nomem;
	if (k != NULL) {
		/* Two hashed IN lists, one per kind, not an OR'ed join. */
		int first_e = 1, first_m = 1;

		if (buf_putc(&ea, '{') < 0 || buf_putc(&et, '{') < 0 || buf_putc(&ma, '{') < 0 ||
		    buf_putc(&mt, '{') < 0)
			goto nomem;
		for (size_t i = 0; i < k->n; i++) {
			int mv = strcmp(k->kind[i], "movie") == 0;
			struct buf *a = mv ? &ma : &ea, *t = mv ? &mt : &et;
			int *first = mv ? &first_m : &first_e;

			if (buf_appendf(a, "%s%d", *first ? "" : ",", k->arr_id[i]) < 0 ||
			    buf_appendf(t, "%s%s", *first ? "" : ",",
					strcmp(k->type[i], "upgrade") == 0 ? "upgrade" : "gap") < 0)
				goto nomem;
			*first = 0;
		}
		if (buf_putc(&ea, '}') < 0 || buf_putc(&et, '}') < 0 || buf_putc(&ma, '}') < 0 ||
		    buf_putc(&mt, '}') < 0)
			goto nomem;
		p[np++] = ea.data;
		p[np++] = et.data;
		p[np++] = ma.data;
		p[np++] = mt.data;
		if (buf_append_str(&sql, " AND CASE WHEN r.episode_id IS NOT NULL "
				   "THEN (e.arr_id, r.search_type) IN (SELECT * FROM "
				   "unnest($4::integer[], $5::text[])) "
				   "ELSE (m.arr_id, r.search_type) IN (SELECT * FROM "
				   "unnest($6::integer[], $7::text[])) END ") < 0)
			goto nomem;
	}
	/* Without a limit enqueue takes them all and batch_form() orders:
	 * sorting 100k wide rows here would cost more than the join. */
	if ((limit > 0 && buf_append_str(&sql, "ORDER BY r.priority DESC, r.id ") < 0) ||
	    buf_append_str(&sql, "LIMIT $3::bigint") < 0 ||
	    (lock && buf_append_str(&sql, " FOR UPDATE OF r SKIP LOCKED") < 0))
		goto nomem;
	if (db_query(db, sql.data, np, p, rows, e) < 0) {
		err_prefix(e, "reading eligible search entries");
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory building the eligible query");
out:
	buf_release(&sql);
	buf_release(&ea);
	buf_release(&et);
	buf_release(&ma);
	buf_release(&mt);
	return ret;
}
