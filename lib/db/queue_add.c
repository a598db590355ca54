/*
 * queue_add.c - new batches and season statistics.  See queue_add.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/queue_add.h"
#include "db/state.h"
#include "policy/throttle.h"
#include "core/banned.h"

/*
 * Both season queries take $1 connector, $2 now (microseconds), $3 the
 * count from which a season's episodes are all counted, and build k (the
 * seasons) and ms (their missing episodes, from the partial index
 * episodes_gaps: monitored, no file) before these.  The pack flags only
 * look at the few pack_failed entries and queued season searches.
 */
#define SEASON_FLAGS \
	"pf AS (SELECT e.series_id AS sid, e.season_number AS sn, " \
	"  bool_or(r.next_eligible_at > " DB_SQL_TS("$2") ") AS cooling, " \
	"  bool_or(r.search_type = 'gap') AS failed " \
	" FROM search_registry r JOIN episodes e ON e.id = r.episode_id " \
	" WHERE r.connector_id = $1 AND r.pack_failed GROUP BY 1, 2), " \
	"qp AS (SELECT DISTINCT s.id AS sid, q.season_number AS sn FROM request_queue q " \
	" JOIN series s ON s.connector_id = q.connector_id AND s.arr_id = q.series_arr_id " \
	" WHERE q.connector_id = $1 AND q.command = 'SeasonSearch') "
#define SEASON_MISSING(narrow) \
	"ms AS (SELECT e.series_id AS sid, e.season_number AS sn, count(*) AS missing " \
	" FROM episodes e WHERE e.connector_id = $1 AND e.monitored AND NOT e.has_file " \
	"  AND e.air_date_utc <= " DB_SQL_TS("$2") narrow " GROUP BY 1, 2) "
/* One row per season of k, in queue_season order (seasons_read()); a
 * season with fewer than $3 missing skips the count of all its episodes. */
#define SEASON_ROWS \
	"SELECT k.sid, k.sn, t.total, t.aired, coalesce(ms.missing, 0), " \
	" coalesce(ss.next_airing > " DB_SQL_TS("$2") ", false), " \
	" qp.sid IS NOT NULL OR coalesce(pf.cooling, false), coalesce(pf.failed, false), " \
	" coalesce(ms.missing, 0) >= $3 " \
	"FROM k LEFT JOIN ms ON ms.sid = k.sid AND ms.sn = k.sn " \
	"CROSS JOIN LATERAL (SELECT count(*) AS total, " \
	"  count(*) FILTER (WHERE e.air_date_utc <= " DB_SQL_TS("$2") ") AS aired " \
	"  FROM episodes e WHERE e.series_id = k.sid AND e.season_number = k.sn " \
	"  AND coalesce(ms.missing, 0) >= $3) t " \
	"LEFT JOIN seasons ss ON ss.series_id = k.sid AND ss.season_number = k.sn " \
	"LEFT JOIN pf ON pf.sid = k.sid AND pf.sn = k.sn " \
	"LEFT JOIN qp ON qp.sid = k.sid AND qp.sn = k.sn "

/* The listed seasons ($4 series ids, $5 season numbers) that exist
 * (explain asks for one). */
static const char seasons_sql[] =
	"WITH k AS (SELECT DISTINCT * FROM unnest($4::bigint[], $5::integer[]) AS k(sid, sn)), "
	SEASON_MISSING(" AND (e.series_id, e.season_number) IN (SELECT sid, sn FROM k)") ", "
	SEASON_FLAGS SEASON_ROWS "WHERE ms.sid IS NOT NULL OR t.total > 0";

/*
 * Connector-wide: the seasons a pack decision can depend on.  Missing
 * episodes are counted per season from the index-only scan of episodes_gaps
 * (no list of seasons travels in); only seasons with at least $3 of them
 * count all their episodes, and seasons with a pack queued or cooling down
 * come back whatever their count.  Enqueue needs nothing else: every other
 * season of a gap gets episode searches (see queue_add.h).
 * Sending the 100,000 gap seasons of the benchmark as arrays and reading
 * 100,000 rows back took 0.7 s; this returns its 1,000 packs in 0.1 s.
 */
static const char pack_seasons_sql[] =
	"WITH " SEASON_MISSING("") ", " SEASON_FLAGS ", "
	"k AS (SELECT sid, sn FROM ms WHERE missing >= $3 "
	" UNION SELECT sid, sn FROM pf WHERE cooling UNION SELECT sid, sn FROM qp) "
	SEASON_ROWS;

static int
seasons_read(PGresult *r, struct queue_season **out, size_t *nout, struct err *e)
{
	*out = calloc((size_t)PQntuples(r) + 1, sizeof(**out));
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory reading season statistics");
	for (int i = 0; i < PQntuples(r); i++) {
		struct queue_season *s = &(*out)[i];

		s->series_id = db_int64(r, i, 0, 0);
		s->season_number = (int)db_int64(r, i, 1, 0);
		s->s.total_episodes = (int)db_int64(r, i, 2, 0);
		s->s.aired_episodes = (int)db_int64(r, i, 3, 0);
		s->s.missing_aired = (int)db_int64(r, i, 4, 0);
		s->s.next_airing_set = db_bool(r, i, 5);
		s->s.pack_in_cooldown = db_bool(r, i, 6);
		s->s.pack_failed = db_bool(r, i, 7);
		s->counted = db_bool(r, i, 8);
	}
	*nout = (size_t)PQntuples(r);
	return 0;
}

int
db_queue_pack_seasons(PGconn *db, int64_t connector_id, int64_t now_us, int count_from,
		      struct queue_season **out, size_t *nout, struct err *e)
{
	char cid[24], now[24], from[16];
	const char *p[3];
	PGresult *r = NULL;
	int ret;

	*out = NULL;
	*nout = 0;
	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	p[1] = db_fmt_int64(now, sizeof(now), now_us);
	snprintf(from, sizeof(from), "%d", count_from);
	p[2] = from;
	if (db_query(db, pack_seasons_sql, 3, p, &r, e) < 0) {
		err_prefix(e, "reading season statistics");
		return -1;
	}
	ret = seasons_read(r, out, nout, e);
	PQclear(r);
	return ret;
}

int
db_queue_max_per_series(PGconn *db, int *out, struct err *e)
{
	char v[32];
	int found = 0;
	char *end;
	long n;

	*out = QUEUE_MAX_PER_SERIES;
	if (db_setting_text(db, "queue.max_per_series", v, sizeof(v), &found, e) < 0)
		return -1;
	if (!found)
		return 0;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > 1000)
		return err_set(e, ERR_CONFIG, "setting 'queue.max_per_series' is %s; set a whole "
			       "number from 1 to 1000", v);
	*out = (int)n;
	return 0;
}

int
db_queue_series_running(PGconn *db, int64_t connector_id, struct batch_running **out, size_t *n,
			struct err *e)
{
	char cid[24];
	const char *p[1] = { db_fmt_int64(cid, sizeof(cid), connector_id) };
	PGresult *r = NULL;

	*out = NULL;
	*n = 0;
	if (db_query(db, "SELECT s.id FROM request_queue q JOIN series s "
		     "ON s.connector_id = q.connector_id AND s.arr_id = q.series_arr_id "
		     "WHERE q.connector_id = $1 AND q.command IN ('EpisodeSearch', 'SeasonSearch')",
		     1, p, &r, e) < 0)
		return -1;
	*out = calloc((size_t)PQntuples(r) + 1, sizeof(**out));
	if (*out == NULL) {
		PQclear(r);
		return err_set(e, ERR_NOMEM, "out of memory listing queued searches");
	}
	for (int i = 0; i < PQntuples(r); i++) {
		(*out)[i].connector_id = connector_id;
		(*out)[i].series_id = db_int64(r, i, 0, 0);
	}
	*n = (size_t)PQntuples(r);
	PQclear(r);
	return 0;
}

int
db_queue_season_config(PGconn *db, int64_t connector_id, struct batch_season_config *out,
		       struct err *e)
{
	char cid[24];
	const char *p[1] = { db_fmt_int64(cid, sizeof(cid), connector_id) };
	PGresult *r = NULL;

	batch_season_config_default(out);
	if (db_query(db, "SELECT season_pack_enabled, season_pack_threshold_pct, "
		     "season_pack_min_missing FROM connectors WHERE id = $1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		out->pack_enabled = db_bool(r, 0, 0);
		out->threshold_pct = (int)db_int64(r, 0, 1, out->threshold_pct);
		out->min_missing = (int)db_int64(r, 0, 2, out->min_missing);
	}
	PQclear(r);
	return batch_season_config_validate(out, e);
}

int
db_queue_seasons(PGconn *db, int64_t connector_id, int64_t now_us, const int64_t *series_ids,
		 const int *seasons, size_t n, struct queue_season **out, size_t *nout,
		 struct err *e)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	char cid[24], now[24];
	const char *p[5];
	PGresult *r = NULL;
	int ret = -1;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if (db_array_int64(&a, series_ids, n) < 0 || db_array_int(&b, seasons, n) < 0) {
		err_set(e, ERR_NOMEM, "out of memory listing seasons");
		goto out;
	}
	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	p[1] = db_fmt_int64(now, sizeof(now), now_us);
	p[2] = "0";	/* count all of every listed season */
	p[3] = a.data;
	p[4] = b.data;
	if (db_query(db, seasons_sql, 5, p, &r, e) < 0) {
		err_prefix(e, "reading season statistics");
		goto out;
	}
	if (seasons_read(r, out, nout, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	buf_release(&a);
	buf_release(&b);
	return ret;
}

int
db_queue_batch_size(PGconn *db, int64_t connector_id, int *out, struct err *e)
{
	char cid[24];
	const char *p[1] = { db_fmt_int64(cid, sizeof(cid), connector_id) };
	PGresult *r = NULL;
	struct throttle_profile tp;

	*out = BATCH_MAX_IDS;
	if (throttle_preset_by_name("moderate", &tp, NULL) == 0)
		*out = tp.batch_size;
	if (db_query(db, "SELECT coalesce((SELECT p.batch_size FROM throttle_assignments a "
		     "JOIN throttle_profiles p ON p.id = a.profile_id WHERE a.connector_id = $1), "
		     "(SELECT batch_size FROM throttle_profiles WHERE name = 'moderate'))",
		     1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
		*out = (int)db_int64(r, 0, 0, BATCH_MAX_IDS);
	if (*out < 1 || *out > BATCH_MAX_IDS)
		*out = BATCH_MAX_IDS;
	PQclear(r);
	return 0;
}

int
db_queue_add(PGconn *db, struct queue_new *batches, size_t n, int64_t scheduled_us,
	     struct err *e)
{
	struct buf qid = BUF_INIT, conn = BUF_INIT, cmd = BUF_INIT, ser = BUF_INIT, sea = BUF_INIT,
		   ids = BUF_INIT, cost = BUF_INIT, prio = BUF_INIT;
	struct buf items = BUF_INIT, rid = BUF_INIT, rp = BUF_INIT;
	char when[24], cnt[24];
	const char *p[9];
	PGresult *r = NULL;
	int ret = -1;

	if (n == 0)
		return 0;
	/* Batch ids first, so items can name their batch without relying on
	 * the order RETURNING gives rows back in. */
	p[0] = db_fmt_int64(cnt, sizeof(cnt), (int64_t)n);
	if (db_query(db, "SELECT nextval(pg_get_serial_sequence('request_queue', 'id')) "
		     "FROM generate_series(1, $1::integer)", 1, p, &r, e) < 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		batches[i].id = db_int64(r, (int)i, 0, 0);
	PQclear(r);
	r = NULL;
	if (buf_putc(&qid, '{') < 0 || buf_putc(&conn, '{') < 0 || buf_putc(&cmd, '{') < 0 ||
	    buf_putc(&ser, '{') < 0 || buf_putc(&sea, '{') < 0 || buf_putc(&ids, '{') < 0 ||
	    buf_putc(&cost, '{') < 0 || buf_putc(&prio, '{') < 0 || buf_putc(&rid, '{') < 0 ||
	    buf_putc(&rp, '{') < 0)
		goto nomem;
	for (size_t i = 0, k = 0; i < n; i++) {
		const struct batch_cmd *c = batches[i].cmd;
		const char *sep = i ? "," : "";
		int season = c->command == BATCH_CMD_SEASON_SEARCH;

		/* ids as one text per batch: "{1,2,3}", parsed back in SQL */
		if (buf_appendf(&qid, "%s%lld", sep, (long long)batches[i].id) < 0 ||
		    buf_appendf(&conn, "%s%lld", sep, (long long)c->connector_id) < 0 ||
		    buf_appendf(&cmd, "%s%s", sep, batch_command_name(c->command)) < 0 ||
		    (c->command == BATCH_CMD_MOVIES_SEARCH ?
		     buf_appendf(&ser, "%sNULL", sep) :
		     buf_appendf(&ser, "%s%d", sep, batches[i].series_arr_id)) < 0 ||
		    (season ? buf_appendf(&sea, "%s%d", sep, c->season_number) :
		     buf_appendf(&sea, "%sNULL", sep)) < 0 ||
		    buf_appendf(&ids, "%s\"{", sep) < 0 ||
		    buf_appendf(&cost, "%s%d", sep, c->expected_queries) < 0 ||
		    buf_appendf(&prio, "%s%d", sep, c->priority) < 0)
			goto nomem;
		for (int j = 0; j < c->nids; j++)
			if (buf_appendf(&ids, j ? ",%lld" : "%lld", (long long)c->ids[j]) < 0)
				goto nomem;
		if (buf_append_str(&ids, "}\"") < 0)
			goto nomem;
		for (size_t j = 0; j < batches[i].nentries; j++, k++) {
			const char *s2 = k ? "," : "";

			if (buf_appendf(&items, "%lld\t%lld\n",
					(long long)batches[i].registry_ids[j],
					(long long)batches[i].id) < 0 ||
			    buf_appendf(&rid, "%s%lld", s2, (long long)batches[i].registry_ids[j]) < 0 ||
			    buf_appendf(&rp, "%s%d", s2, batches[i].priorities[j]) < 0)
				goto nomem;
		}
	}
	if (buf_putc(&qid, '}') < 0 || buf_putc(&conn, '}') < 0 || buf_putc(&cmd, '}') < 0 ||
	    buf_putc(&ser, '}') < 0 || buf_putc(&sea, '}') < 0 || buf_putc(&ids, '}') < 0 ||
	    buf_putc(&cost, '}') < 0 || buf_putc(&prio, '}') < 0 || buf_putc(&rid, '}') < 0 ||
	    buf_putc(&rp, '}') < 0)
		goto nomem;
	p[0] = qid.data;
	p[1] = conn.data;
	p[2] = cmd.data;
	p[3] = ser.data;
	p[4] = sea.data;
	p[5] = ids.data;
	p[6] = cost.data;
	p[7] = prio.data;
	p[8] = db_fmt_int64(when, sizeof(when), scheduled_us);
	if (db_query(db, "INSERT INTO request_queue (id, connector_id, command, series_arr_id, "
		     "season_number, arr_ids, indexer_queries, priority, scheduled_at, created_at) "
		     "OVERRIDING SYSTEM VALUE "
		     "SELECT v.id, v.conn, v.cmd, v.ser, v.sea, v.ids::integer[], v.cost, v.prio, "
		     DB_SQL_TS("$9") ", " DB_SQL_TS("$9") " FROM unnest($1::bigint[], $2::bigint[], $3::text[], "
		     "$4::integer[], $5::integer[], $6::text[], $7::integer[], $8::integer[]) "
		     "AS v(id, conn, cmd, ser, sea, ids, cost, prio)", 9, p, NULL, e) < 0) {
		err_prefix(e, "queueing batches");
		goto out;
	}
	/* COPY: 128,700 items in 0.3 s where an INSERT of arrays took 1.1 s
	 * (with 0001's per-row foreign keys; 0007 explains their triggers) */
	if (db_copy_in(db, "COPY request_queue_items (registry_id, queue_id) FROM STDIN",
		       items.data ? items.data : "", items.len, e) < 0) {
		if (strstr(e->msg, "request_queue_items_pkey") != NULL)
			e->kind = ERR_CONFLICT;
		err_prefix(e, "queueing search entries");
		goto out;
	}
	p[0] = rid.data;
	p[1] = rp.data;
	p[2] = db_fmt_int64(when, sizeof(when), scheduled_us);
	if (db_query(db, "UPDATE search_registry r SET state = 'queued', priority = v.p, "
		     "updated_at = " DB_SQL_TS("$3") " FROM unnest($1::bigint[], "
		     "$2::integer[]) AS v(id, p) WHERE r.id = v.id", 3, p, NULL, e) < 0) {
		err_prefix(e, "marking search entries queued");
		goto out;
	}
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory queueing %zu batches", n);
out:
	PQclear(r);
	buf_release(&qid);
	buf_release(&conn);
	buf_release(&cmd);
	buf_release(&ser);
	buf_release(&sea);
	buf_release(&ids);
	buf_release(&cost);
	buf_release(&prio);
	buf_release(&items);
	buf_release(&rid);
	buf_release(&rp);
	return ret;
}
