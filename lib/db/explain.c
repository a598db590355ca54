/*
 * explain.c - the reads behind `comradarr explain`.  See explain.h.
 */
#include <stdio.h>

#include "db/db.h"
#include "db/explain.h"
#include "core/banned.h"

static const char episode_sql[] =
	"SELECT e.id, e.title, e.season_number, e.episode_number, " DB_SQL_US("e.air_date_utc") ", "
	" coalesce(e.runtime, 0), e.monitored, e.has_file, s.monitored, "
	" coalesce(ss.monitored, true), s.title, s.arr_id, e.series_id, f.quality_name, "
	" f.quality_cutoff_not_met, f.custom_format_score, coalesce(p.upgrade_allowed, true), "
	" coalesce(p.cutoff_format_score, 0), p.name, "
	" EXISTS (SELECT 1 FROM download_queue d WHERE d.connector_id = c.id "
	"  AND d.kind = 'episode' AND d.arr_id = e.arr_id), c.include_specials, "
	" c.gap_grace_minutes, e.priority_override, s.priority_override, "
	DB_SQL_US("e.last_search_time") ", true, 0, c.season_pack_enabled, "
	" c.season_pack_threshold_pct, c.season_pack_min_missing, "
	" upgrade_wanted(e.has_file AND f.arr_id IS NOT NULL, f.quality_cutoff_not_met, "
	"  f.custom_format_score, p.cutoff_format_score, p.upgrade_allowed), "
	" cf_below_cutoff(f.custom_format_score, p.cutoff_format_score) "
	"FROM connectors c JOIN episodes e ON e.connector_id = c.id "
	"JOIN series s ON s.id = e.series_id "
	"LEFT JOIN seasons ss ON ss.series_id = e.series_id AND ss.season_number = e.season_number "
	"LEFT JOIN episode_files f ON f.connector_id = e.connector_id "
	" AND f.arr_id = e.episode_file_id "
	"LEFT JOIN quality_profiles p ON p.connector_id = s.connector_id "
	" AND p.arr_id = s.quality_profile_id "
	"WHERE c.name = $1 AND e.arr_id = $2::integer";

static const char movie_sql[] =
	"SELECT m.id, m.title, -1, -1, "
	DB_SQL_US(REGISTRY_SQL_MOVIE_RELEASED) ", "
	" 0, m.monitored, m.has_file, true, true, NULL, NULL, NULL, m.quality_name, "
	" m.quality_cutoff_not_met, m.custom_format_score, coalesce(p.upgrade_allowed, true), "
	" coalesce(p.cutoff_format_score, 0), p.name, "
	" EXISTS (SELECT 1 FROM download_queue d WHERE d.connector_id = c.id "
	"  AND d.kind = 'movie' AND d.arr_id = m.arr_id), true, c.gap_grace_minutes, "
	" m.priority_override, 0, " DB_SQL_US("m.last_search_time") ", m.is_available, "
	" coalesce(m.year, 0), false, 50, 3, "
	" upgrade_wanted(m.has_file, m.quality_cutoff_not_met, m.custom_format_score, "
	"  p.cutoff_format_score, p.upgrade_allowed), "
	" cf_below_cutoff(m.custom_format_score, p.cutoff_format_score) "
	"FROM connectors c JOIN movies m ON m.connector_id = c.id "
	"LEFT JOIN quality_profiles p ON p.connector_id = m.connector_id "
	" AND p.arr_id = m.quality_profile_id "
	"WHERE c.name = $1 AND m.arr_id = $2::integer";

static const char registry_sql[] =
	"SELECT r.id, r.search_type, r.state, r.attempts, " DB_SQL_US("r.next_eligible_at") ", "
	DB_SQL_US("r.last_searched_at") ", " DB_SQL_US("r.created_at") ", r.priority, r.pack_failed, "
	" r.failure_category, qi.queue_id, q.command "
	"FROM search_registry r LEFT JOIN request_queue_items qi ON qi.registry_id = r.id "
	"LEFT JOIN request_queue q ON q.id = qi.queue_id "
	"WHERE r.%s = $1 ORDER BY r.search_type";

int
db_explain_item(PGconn *db, const char *connector, enum registry_kind kind, int arr_id,
		PGresult **out, struct err *e)
{
	char id[16];
	const char *p[2] = { connector, id };

	snprintf(id, sizeof(id), "%d", arr_id);
	return db_query(db, kind == REGISTRY_MOVIE ? movie_sql : episode_sql, 2, p, out, e);
}

int
db_explain_entries(PGconn *db, enum registry_kind kind, int64_t item_id, PGresult **out,
		   struct err *e)
{
	char iid[24], sql[1024];
	const char *p[1] = { db_fmt_int64(iid, sizeof(iid), item_id) };

	snprintf(sql, sizeof(sql), registry_sql, kind == REGISTRY_MOVIE ? "movie_id" : "episode_id");
	return db_query(db, sql, 1, p, out, e);
}
