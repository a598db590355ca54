/*
 * registry.c - the search registry's queries.  See registry.h.
 *
 * Every candidate query returns the same columns (REG_COLS below) so one
 * row reader serves discover, enqueue and explain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/registry.h"
#include "core/banned.h"

enum {
	C_REGISTRY_ID = 0, C_CONNECTOR_ID, C_KIND, C_TYPE, C_STATE, C_IS_NEW, C_ITEM_ID,
	C_ARR_ID, C_SERIES_ID, C_SERIES_ARR_ID, C_SERIES_TITLE, C_SEASON, C_EPISODE, C_YEAR,
	C_TITLE, C_REASON, C_QUALITY, C_CF, C_CUTOFF_CF, C_RELEASED, C_MISSING_SINCE,
	C_LAST_SEARCH, C_ATTEMPTS, C_SERIES_OVERRIDE, C_ITEM_OVERRIDE, C_PRIORITY,
	C_PACK_FAILED, C_NEXT_ELIGIBLE, C_COUNT
};

const char *
registry_kind_name(enum registry_kind k)
{
	return k == REGISTRY_MOVIE ? "movie" : "episode";
}

const char *
registry_type_name(enum registry_type t)
{
	return t == REGISTRY_UPGRADE ? "upgrade" : "gap";
}

int
registry_kind_parse(const char *s, enum registry_kind *out)
{
	if (s != NULL && strcmp(s, "episode") == 0)
		*out = REGISTRY_EPISODE;
	else if (s != NULL && strcmp(s, "movie") == 0)
		*out = REGISTRY_MOVIE;
	else
		return -1;
	return 0;
}

int
registry_type_parse(const char *s, enum registry_type *out)
{
	if (s != NULL && strcmp(s, "gap") == 0)
		*out = REGISTRY_GAP;
	else if (s != NULL && strcmp(s, "upgrade") == 0)
		*out = REGISTRY_UPGRADE;
	else
		return -1;
	return 0;
}

int
db_registry_tune(PGconn *db, struct err *e)
{
	return db_query(db, "SELECT set_config('work_mem', '64MB', true), "
			"set_config('jit', 'off', true)", 0, NULL, NULL, e);
}

int
db_registry_lock_mirror(PGconn *db, struct err *e)
{
	return db_exec(db, "LOCK TABLE episodes, movies IN SHARE MODE", e);
}

int
db_registry_analyze(PGconn *db, long changed, struct err *e)
{
	if (changed < REGISTRY_ANALYZE_MIN)
		return 0;
	return db_exec(db, "ANALYZE search_registry, request_queue_items", e);
}

int
db_registry_scope(PGconn *db, int64_t connector_id, struct registry_scope *out,
		  struct err *e)
{
	char id[24];
	const char *p[1] = { db_fmt_int64(id, sizeof(id), connector_id) };
	PGresult *r = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	out->connector_id = connector_id;
	if (db_query(db, "SELECT include_specials, gap_grace_minutes FROM connectors "
		     "WHERE id = $1", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "connector %lld is gone; list them with "
			"'comradarr connector list'", (long long)connector_id);
		goto out;
	}
	out->include_specials = db_bool(r, 0, 0);
	out->grace_minutes = (int)db_int64(r, 0, 1, 0);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

/* -------------------------------------------------------------- resolved */

/*
 * The one statement that removes resolved entries (the merge's clean-up
 * and discover both run it).  The upgrade rule is upgrade_wanted() (0008).
 * $2 false spares an entry being searched right now.
 */
static const char resolved_sql[] =
	"WITH g AS (DELETE FROM search_registry r USING episodes e WHERE r.connector_id = $1 "
	"  AND ($2::boolean OR r.state <> 'searching') AND r.search_type = 'gap' "
	"  AND r.episode_id = e.id AND e.has_file RETURNING 1), "
	"gm AS (DELETE FROM search_registry r USING movies mv WHERE r.connector_id = $1 "
	"  AND ($2::boolean OR r.state <> 'searching') AND r.search_type = 'gap' "
	"  AND r.movie_id = mv.id AND mv.has_file RETURNING 1), "
	"u AS (DELETE FROM search_registry r USING episodes e JOIN series s ON s.id = e.series_id "
	"  LEFT JOIN episode_files f ON f.connector_id = e.connector_id "
	"   AND f.arr_id = e.episode_file_id "
	"  LEFT JOIN quality_profiles p ON p.connector_id = s.connector_id "
	"   AND p.arr_id = s.quality_profile_id "
	"  WHERE r.connector_id = $1 AND ($2::boolean OR r.state <> 'searching') "
	"  AND r.search_type = 'upgrade' AND r.episode_id = e.id "
	"  AND NOT upgrade_wanted(e.has_file AND f.arr_id IS NOT NULL, f.quality_cutoff_not_met, "
	"   f.custom_format_score, p.cutoff_format_score, p.upgrade_allowed) RETURNING 1), "
	"um AS (DELETE FROM search_registry r USING movies mv "
	"  LEFT JOIN quality_profiles p ON p.connector_id = mv.connector_id "
	"   AND p.arr_id = mv.quality_profile_id "
	"  WHERE r.connector_id = $1 AND ($2::boolean OR r.state <> 'searching') "
	"  AND r.search_type = 'upgrade' AND r.movie_id = mv.id "
	"  AND NOT upgrade_wanted(mv.has_file, mv.quality_cutoff_not_met, mv.custom_format_score, "
	"   p.cutoff_format_score, p.upgrade_allowed) RETURNING 1) "
	"SELECT (SELECT count(*) FROM g) + (SELECT count(*) FROM gm) "
	" + (SELECT count(*) FROM u) + (SELECT count(*) FROM um)";

int
db_registry_remove_resolved(PGconn *db, int64_t connector_id, int searching_too, long *removed,
			    struct err *e)
{
	char id[24];
	const char *p[2] = { db_fmt_int64(id, sizeof(id), connector_id),
			     searching_too ? "true" : "false" };
	PGresult *r = NULL;

	*removed = 0;
	if (db_query(db, resolved_sql, 2, p, &r, e) < 0)
		return -1;
	*removed = (long)db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

/* ------------------------------------------------------------ candidates */

/*
 * The candidate subqueries ("c"), one per kind and type.  Parameters:
 * episodes $1 connector, $2 now, $3 specials, $4 grace minutes, $5 wanted
 * ids; movies $1 connector, $2 now, $3 grace minutes, $4 wanted ids.  %s is
 * the "missing" / "below cutoff" test: the mirror's, or the *arr's list.
 */
#define EP_COLS \
	"e.id AS item_id, e.arr_id, e.series_id, s.arr_id AS series_arr_id, " \
	"s.title AS series_title, e.season_number, coalesce(e.episode_number, -1) AS episode_number, " \
	"0 AS year, e.title, e.air_date_utc AS released, e.last_search_time AS item_last_search, " \
	"s.priority_override AS series_override, e.priority_override AS item_override, "

#define EP_COMMON \
	" e.connector_id = $1 AND (e.season_number <> 0 OR $3::boolean) " \
	" AND NOT EXISTS (SELECT 1 FROM download_queue d WHERE d.connector_id = $1 " \
	"  AND d.kind = 'episode' AND d.arr_id = e.arr_id) "

static const char ep_gap_fmt[] =
	"SELECT " EP_COLS "'missing'::text AS reason, NULL::text AS quality_name, "
	" NULL::integer AS cf_score, NULL::integer AS cutoff_cf "
	"FROM episodes e JOIN series s ON s.id = e.series_id "
	"LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number "
	"WHERE " EP_COMMON " AND %s "
	/* aired: the air date (sargable, for episodes_gaps) plus runtime and grace */
	" AND e.air_date_utc <= " DB_SQL_TS("$2")
	" AND e.air_date_utc + make_interval(mins => coalesce(e.runtime, 0) + $4::integer) "
	"  <= " DB_SQL_TS("$2");

static const char ep_gap_mirror[] =
	"e.monitored AND NOT e.has_file AND s.monitored AND coalesce(ss.monitored, true)";
static const char ep_gap_wanted[] = "e.arr_id = ANY($5::integer[])";

/* The custom-format rule of 0008, inlined by the planner. */
#define CF_BELOW(f) "cf_below_cutoff(" f ".custom_format_score, p.cutoff_format_score)"

static const char ep_up_fmt[] =
	"SELECT " EP_COLS "%s AS reason, f.quality_name, f.custom_format_score AS cf_score, "
	" coalesce(p.cutoff_format_score, 0) AS cutoff_cf "
	"FROM episode_files f "
	"JOIN episodes e ON e.connector_id = f.connector_id AND e.episode_file_id = f.arr_id "
	" AND e.has_file "
	"JOIN series s ON s.id = e.series_id "
	"LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number "
	"LEFT JOIN quality_profiles p ON p.connector_id = s.connector_id "
	" AND p.arr_id = s.quality_profile_id "
	"WHERE f.connector_id = $1 AND " EP_COMMON " AND coalesce(p.upgrade_allowed, true) "
	" AND $2::bigint IS NOT NULL AND $4::integer IS NOT NULL AND %s";

/*
 * The mirror's episode upgrades, files first: the files below the cutoff
 * (quality flag or custom-format score against the series' profile) are
 * found without touching episodes, and only those are joined to their
 * episodes, through episodes_file (OFFSET 0 keeps the lateral join a
 * nested loop).  Joining all files to all episodes first and filtering
 * after, as a hash join does, read 1M episodes for 20k candidates:
 * 2.7 s instead of 0.3 s on the benchmark's mirror.  The files themselves
 * come from two index scans ORed (episode_files_cutoff, and a range of
 * episode_files_score below the connector's highest cutoff score, 0007)
 * rather than a scan of all files.  The series (and so the profile) is the
 * file's: a file belongs to one series.
 */
static const char ep_up_files_fmt[] =
	"SELECT " EP_COLS "CASE WHEN f.quality_cutoff_not_met THEN 'quality_below_cutoff' "
	" ELSE 'cf_score_below_cutoff' END AS reason, f.quality_name, "
	" f.custom_format_score AS cf_score, coalesce(p.cutoff_format_score, 0) AS cutoff_cf "
	"FROM episode_files f "
	"JOIN series s ON s.id = f.series_id "
	"LEFT JOIN quality_profiles p ON p.connector_id = s.connector_id "
	" AND p.arr_id = s.quality_profile_id "
	"CROSS JOIN LATERAL (SELECT * FROM episodes e1 WHERE e1.connector_id = f.connector_id "
	" AND e1.episode_file_id = f.arr_id AND e1.has_file OFFSET 0) e "
	"LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number "
	"WHERE f.connector_id = $1 AND s.monitored AND coalesce(p.upgrade_allowed, true) "
	/* sargable superset first: below the highest cutoff of any profile
	 * (0 for a series whose profile is not mirrored) */
	" AND (f.quality_cutoff_not_met OR f.custom_format_score < (SELECT "
	"  greatest(max(cutoff_format_score), 0) FROM quality_profiles WHERE connector_id = $1)) "
	" AND (f.quality_cutoff_not_met OR " CF_BELOW("f") ") "
	" AND " EP_COMMON " AND e.monitored AND coalesce(ss.monitored, true) "
	" AND $2::bigint IS NOT NULL AND $4::integer IS NOT NULL";

static const char ep_up_reason_wanted[] =
	"CASE WHEN e.arr_id = ANY($5::integer[]) THEN 'quality_below_cutoff' "
	"ELSE 'cf_score_below_cutoff' END";
#define EP_MONITORED "e.monitored AND s.monitored AND coalesce(ss.monitored, true)"
static const char ep_up_wanted[] =
	"(e.arr_id = ANY($5::integer[]) OR (" EP_MONITORED " AND " CF_BELOW("f") "))";

#define MV_COLS \
	"m.id AS item_id, m.arr_id, NULL::bigint AS series_id, NULL::integer AS series_arr_id, " \
	"NULL::text AS series_title, -1 AS season_number, -1 AS episode_number, " \
	"coalesce(m.year, 0) AS year, m.title, " REGISTRY_SQL_MOVIE_RELEASED " AS released, " \
	"m.last_search_time AS item_last_search, 0 AS series_override, " \
	"m.priority_override AS item_override, "
#define MV_COMMON \
	" m.connector_id = $1 AND NOT EXISTS (SELECT 1 FROM download_queue d " \
	"  WHERE d.connector_id = $1 AND d.kind = 'movie' AND d.arr_id = m.arr_id) "

static const char mv_gap_fmt[] =
	"SELECT " MV_COLS "'missing'::text AS reason, NULL::text AS quality_name, "
	" NULL::integer AS cf_score, NULL::integer AS cutoff_cf "
	"FROM movies m WHERE " MV_COMMON " AND m.is_available AND %s "
	" AND ($3::integer = 0 OR coalesce(" REGISTRY_SQL_MOVIE_RELEASED ", '-infinity') "
	"  + make_interval(mins => $3::integer) <= " DB_SQL_TS("$2") ")";
static const char mv_gap_mirror[] = "m.monitored AND NOT m.has_file";
static const char mv_gap_wanted[] = "m.arr_id = ANY($4::integer[])";

static const char mv_up_fmt[] =
	"SELECT " MV_COLS "%s AS reason, m.quality_name, m.custom_format_score AS cf_score, "
	" coalesce(p.cutoff_format_score, 0) AS cutoff_cf "
	"FROM movies m LEFT JOIN quality_profiles p ON p.connector_id = m.connector_id "
	" AND p.arr_id = m.quality_profile_id "
	"WHERE " MV_COMMON " AND m.has_file AND coalesce(p.upgrade_allowed, true) "
	" AND $2::bigint IS NOT NULL AND $3::integer IS NOT NULL AND %s";
static const char mv_up_reason_mirror[] =
	"CASE WHEN m.quality_cutoff_not_met THEN 'quality_below_cutoff' "
	"ELSE 'cf_score_below_cutoff' END";
static const char mv_up_reason_wanted[] =
	"CASE WHEN m.arr_id = ANY($4::integer[]) THEN 'quality_below_cutoff' "
	"ELSE 'cf_score_below_cutoff' END";
static const char mv_up_mirror[] =
	"m.monitored AND (m.quality_cutoff_not_met OR " CF_BELOW("m") ")";
static const char mv_up_wanted[] =
	"(m.arr_id = ANY($4::integer[]) OR (m.monitored AND " CF_BELOW("m") "))";

/* For the benchmark's EXPLAIN: the mirror's episode gap query. */
const char db_registry_gap_select_sql[] =
	"SELECT " EP_COLS "'missing'::text AS reason "
	"FROM episodes e JOIN series s ON s.id = e.series_id "
	"LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number "
	"WHERE " EP_COMMON " AND e.monitored AND NOT e.has_file AND s.monitored "
	" AND coalesce(ss.monitored, true) AND e.air_date_utc <= " DB_SQL_TS("$2")
	" AND e.air_date_utc + make_interval(mins => coalesce(e.runtime, 0) + $4::integer) "
	"  <= " DB_SQL_TS("$2");

/*
 * Around the candidates: every candidate with its entry, if it has one.
 * Entries are created afterwards by db_registry_create() with their
 * priority, so a new row is written once (the priority is in an index:
 * writing it again would double the index work).  Arguments: fk, type,
 * kind, type, fk, type, order.
 */
static const char wrap_fmt[] =
	"WITH c AS (%s) "
	"SELECT r.id, $1::bigint, '%s', '%s', coalesce(r.state, 'pending'), "
	" r.id IS NULL, c.item_id, c.arr_id, c.series_id, c.series_arr_id, c.series_title, "
	" c.season_number, c.episode_number, c.year, c.title, c.reason, c.quality_name, "
	" c.cf_score, c.cutoff_cf, " DB_SQL_US("c.released") ", "
	DB_SQL_US("coalesce(r.created_at, " DB_SQL_TS("$2") ")") ", "
	DB_SQL_US("coalesce(r.last_searched_at, c.item_last_search)") ", coalesce(r.attempts, 0), "
	" coalesce(c.series_override, 0), coalesce(c.item_override, 0), coalesce(r.priority, 0), "
	" coalesce(r.pack_failed, false), " DB_SQL_US("r.next_eligible_at") " "
	"FROM c LEFT JOIN search_registry r ON r.%s = c.item_id AND r.search_type = '%s' "
	"ORDER BY %s";

int
db_registry_discover(PGconn *db, const struct registry_scope *sc, enum registry_kind kind,
		     enum registry_type type, int64_t now_us, const int *wanted_ids,
		     size_t nwanted, PGresult **rows, long *new_count, struct err *e)
{
	struct buf inner = BUF_INIT, sql = BUF_INIT, ids = BUF_INIT;
	char cid[24], now[24], grace[16];
	const char *p[5];
	int np = 0, wanted = wanted_ids != NULL, rc = 0;
	const char *fk = kind == REGISTRY_MOVIE ? "movie_id" : "episode_id";
	PGresult *r = NULL;
	int ret = -1;

	if (rows != NULL)
		*rows = NULL;
	*new_count = 0;
	if (kind == REGISTRY_EPISODE && type == REGISTRY_GAP)
		rc = buf_appendf(&inner, ep_gap_fmt, wanted ? ep_gap_wanted : ep_gap_mirror);
	else if (kind == REGISTRY_EPISODE && !wanted)
		rc = buf_append_str(&inner, ep_up_files_fmt);
	else if (kind == REGISTRY_EPISODE)
		rc = buf_appendf(&inner, ep_up_fmt, ep_up_reason_wanted, ep_up_wanted);
	else if (type == REGISTRY_GAP)
		rc = buf_appendf(&inner, mv_gap_fmt, wanted ? mv_gap_wanted : mv_gap_mirror);
	else
		rc = buf_appendf(&inner, mv_up_fmt, wanted ? mv_up_reason_wanted : mv_up_reason_mirror,
				 wanted ? mv_up_wanted : mv_up_mirror);
	if (rc < 0 || buf_appendf(&sql, wrap_fmt, inner.data, registry_kind_name(kind),
				  registry_type_name(type), fk, registry_type_name(type),
				  kind == REGISTRY_MOVIE ? "c.arr_id" :
				  "c.series_id, c.season_number, c.episode_number, c.arr_id") < 0) {
		err_set(e, ERR_NOMEM, "out of memory building the candidate query");
		goto out;
	}
	snprintf(grace, sizeof(grace), "%d", sc->grace_minutes);
	p[np++] = db_fmt_int64(cid, sizeof(cid), sc->connector_id);
	p[np++] = db_fmt_int64(now, sizeof(now), now_us);
	if (kind == REGISTRY_EPISODE)
		p[np++] = sc->include_specials ? "true" : "false";
	p[np++] = grace;
	if (wanted) {
		if (db_array_int(&ids, wanted_ids, nwanted) < 0) {
			err_set(e, ERR_NOMEM, "out of memory listing wanted ids");
			goto out;
		}
		p[np++] = ids.data;
	}
	if (db_query(db, sql.data, np, p, &r, e) < 0) {
		err_prefix(e, "finding %s %ss", registry_kind_name(kind), registry_type_name(type));
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++)
		if (PQgetisnull(r, i, C_REGISTRY_ID))
			(*new_count)++;
	if (rows != NULL) {
		*rows = r;
		r = NULL;
	}
	ret = 0;
out:
	PQclear(r);
	buf_release(&inner);
	buf_release(&sql);
	buf_release(&ids);
	return ret;
}

static int64_t
time_at(const PGresult *r, int i, int col)
{
	return PQgetisnull(r, i, col) ? REGISTRY_NO_TIME : db_int64(r, i, col, 0);
}

void
db_registry_row_at(const PGresult *r, int i, struct registry_row *row)
{
	memset(row, 0, sizeof(*row));
	row->registry_id = db_int64(r, i, C_REGISTRY_ID, 0);
	row->connector_id = db_int64(r, i, C_CONNECTOR_ID, 0);
	if (registry_kind_parse(db_str(r, i, C_KIND), &row->kind) < 0)
		row->kind = REGISTRY_EPISODE;
	if (registry_type_parse(db_str(r, i, C_TYPE), &row->type) < 0)
		row->type = REGISTRY_GAP;
	row->state = db_str(r, i, C_STATE);
	row->is_new = db_bool(r, i, C_IS_NEW);
	row->item_id = db_int64(r, i, C_ITEM_ID, 0);
	row->arr_id = (int)db_int64(r, i, C_ARR_ID, 0);
	row->series_id = db_int64(r, i, C_SERIES_ID, 0);
	row->series_arr_id = (int)db_int64(r, i, C_SERIES_ARR_ID, 0);
	row->series_title = db_str(r, i, C_SERIES_TITLE);
	row->season_number = (int)db_int64(r, i, C_SEASON, -1);
	row->episode_number = (int)db_int64(r, i, C_EPISODE, -1);
	row->year = (int)db_int64(r, i, C_YEAR, 0);
	row->title = db_str(r, i, C_TITLE);
	row->reason = db_str(r, i, C_REASON);
	row->quality_name = db_str(r, i, C_QUALITY);
	row->has_cf_score = !PQgetisnull(r, i, C_CF);
	row->cf_score = (int)db_int64(r, i, C_CF, 0);
	row->cutoff_format_score = (int)db_int64(r, i, C_CUTOFF_CF, 0);
	row->released_us = time_at(r, i, C_RELEASED);
	row->missing_since_us = time_at(r, i, C_MISSING_SINCE);
	row->last_search_us = time_at(r, i, C_LAST_SEARCH);
	row->attempts = (int)db_int64(r, i, C_ATTEMPTS, 0);
	row->series_override = (int)db_int64(r, i, C_SERIES_OVERRIDE, 0);
	row->item_override = (int)db_int64(r, i, C_ITEM_OVERRIDE, 0);
	row->priority = (int)db_int64(r, i, C_PRIORITY, 0);
	row->pack_failed = db_bool(r, i, C_PACK_FAILED);
	row->next_eligible_us = time_at(r, i, C_NEXT_ELIGIBLE);
}

/* For db_registry_create(): an item id and where it was listed. */
struct item_at {
	int64_t item;
	size_t at;
};

static int
item_at_cmp(const void *a, const void *b)
{
	const struct item_at *x = a, *y = b;

	return (x->item > y->item) - (x->item < y->item);
}

int
db_registry_create(PGconn *db, int64_t connector_id, enum registry_kind kind,
		   enum registry_type type, int64_t now_us, const int64_t *item_ids,
		   const int *prio, size_t n, int64_t *out_ids, struct err *e)
{
	struct buf a = BUF_INIT, b = BUF_INIT, sql = BUF_INIT;
	const char *fk = kind == REGISTRY_MOVIE ? "movie_id" : "episode_id";
	char cid[24], now[24];
	const char *p[5];
	struct item_at *ix = NULL;
	PGresult *r = NULL;
	int ret = -1;

	if (n == 0)
		return 0;
	ix = calloc(n, sizeof(*ix));
	/*
	 * New ids are matched to the items here, not by joining RETURNING to
	 * the list in SQL: that join sorted both sides (spilling to disk) and
	 * cost more than the insert's own index work.  No ON CONFLICT: the
	 * items are new by the candidate query, under the connector's discover
	 * lock; were one not, the unique index fails the transaction, which is
	 * the right answer to a bug (and the speculative insertion cost 0.15 s
	 * on the benchmark's 108,900 entries).
	 */
	/* an episode's entry carries its series (sql/0019_counts.sql): the
	 * join here, not the row trigger that fills it for other writers */
	if (ix == NULL || db_array_int64(&a, item_ids, n) < 0 || db_array_int(&b, prio, n) < 0 ||
	    buf_appendf(&sql, "INSERT INTO search_registry "
			"(connector_id, %s, series_id, search_type, priority, created_at, updated_at) "
			"SELECT $1, v.item, %s, $2, v.p, " DB_SQL_TS("$3") ", " DB_SQL_TS("$3") " "
			"FROM unnest($4::bigint[], $5::integer[]) AS v(item, p) %s"
			"RETURNING %s, id", fk, kind == REGISTRY_MOVIE ? "NULL::bigint" : "ep.series_id",
			kind == REGISTRY_MOVIE ? "" : "LEFT JOIN episodes ep ON ep.id = v.item ", fk) < 0) {
		err_set(e, ERR_NOMEM, "out of memory creating search entries");
		goto out;
	}
	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	p[1] = registry_type_name(type);
	p[2] = db_fmt_int64(now, sizeof(now), now_us);
	p[3] = a.data;
	p[4] = b.data;
	if (db_query(db, sql.data, 5, p, &r, e) < 0) {
		err_prefix(e, "creating search entries");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		out_ids[i] = 0;
		ix[i].item = item_ids[i];
		ix[i].at = i;
	}
	qsort(ix, n, sizeof(*ix), item_at_cmp);
	for (int i = 0; i < PQntuples(r); i++) {
		struct item_at key = { db_int64(r, i, 0, 0), 0 };
		struct item_at *hit = bsearch(&key, ix, n, sizeof(*ix), item_at_cmp);

		if (hit != NULL)
			out_ids[hit->at] = db_int64(r, i, 1, 0);
	}
	ret = 0;
out:
	PQclear(r);
	free(ix);
	buf_release(&a);
	buf_release(&b);
	buf_release(&sql);
	return ret;
}

int
db_registry_remove_unlisted(PGconn *db, int64_t connector_id, enum registry_kind kind,
			    enum registry_type type, const int64_t *keep, size_t nkeep,
			    long *removed, struct err *e)
{
	struct buf ids = BUF_INIT;
	char cid[24];
	const char *p[4];
	PGresult *r = NULL;
	int ret = -1;

	if (db_array_int64(&ids, keep, nkeep) < 0) {
		err_set(e, ERR_NOMEM, "out of memory listing registry ids");
		goto out;
	}
	p[0] = db_fmt_int64(cid, sizeof(cid), connector_id);
	p[1] = registry_type_name(type);
	p[2] = registry_kind_name(kind);
	p[3] = ids.data;
	/*
	 * NOT IN over a subquery is a hashed subplan: one hash of the kept ids.
	 * "<> ALL(array)" scans the array per entry, and an anti join is
	 * planned as a nested loop when the entries were created in this same
	 * transaction (no statistics yet): both quadratic, measured at 22 s
	 * for 25k entries.
	 */
	if (db_query(db, "WITH d AS (DELETE FROM search_registry r WHERE r.connector_id = $1 "
		     "AND r.search_type = $2 AND r.state = 'pending' "
		     "AND (r.episode_id IS NOT NULL) = ($3 = 'episode') "
		     "AND r.id NOT IN (SELECT unnest($4::bigint[])) "
		     "RETURNING 1) SELECT count(*) FROM d", 4, p, &r, e) < 0)
		goto out;
	*removed += (long)db_int64(r, 0, 0, 0);
	ret = 0;
out:
	PQclear(r);
	buf_release(&ids);
	return ret;
}

int
db_registry_set_priorities(PGconn *db, const int64_t *ids, const int *prio, size_t n,
			   struct err *e)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	const char *p[2];
	int ret = -1;

	if (n == 0)
		return 0;
	if (db_array_int64(&a, ids, n) < 0 || db_array_int(&b, prio, n) < 0) {
		err_set(e, ERR_NOMEM, "out of memory listing priorities");
		goto out;
	}
	p[0] = a.data;
	p[1] = b.data;
	if (db_query(db, "UPDATE search_registry r SET priority = v.p "
		     "FROM unnest($1::bigint[], $2::integer[]) AS v(id, p) "
		     "WHERE r.id = v.id AND r.priority <> v.p", 2, p, NULL, e) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&a);
	buf_release(&b);
	return ret;
}
