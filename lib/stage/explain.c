/*
 * explain.c - the answer to "why (not) this item?".  See explain.h.
 *
 * The gap rules are the ones db/registry.c's queries apply, restated one by
 * one so each failing rule can be named; test_discover checks both agree.
 * Whether a file is below its cutoffs is the database's answer (the SQL
 * functions of 0008 that discover and the clean-up use), not restated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/explain.h"
#include "db/queue_add.h"
#include "db/registry.h"
#include "policy/batch.h"
#include "stage/candidate.h"
#include "stage/explain.h"
#include "core/banned.h"

static int64_t
t_at(const PGresult *r, int col)
{
	return PQgetisnull(r, 0, col) ? REGISTRY_NO_TIME : db_int64(r, 0, col, 0);
}

static void
set_time(json_t *o, const char *k, int64_t us)
{
	char b[40];

	if (us == REGISTRY_NO_TIME) {
		json_object_set_new(o, k, json_null());
		return;
	}
	jsonl_format_ts(us, b, sizeof(b));
	json_object_set_new(o, k, json_string(b));
}

static void
why(json_t *a, const char *s)
{
	json_array_append_new(a, json_string(s));
}

/* The gap and upgrade verdicts, each with every rule that fails. */
static void
verdicts(const PGresult *f, enum registry_kind kind, int64_t now_us, json_t *out,
	 char *upgrade_reason, size_t rsize)
{
	json_t *gn = json_array(), *un = json_array();
	int64_t rel = t_at(f, F_RELEASED);
	int64_t grace_us = db_int64(f, 0, F_GRACE, 0) * 60 * 1000000LL;
	int monitored = db_bool(f, 0, F_MONITORED) && db_bool(f, 0, F_SERIES_MON) &&
			db_bool(f, 0, F_SEASON_MON);
	int has_file = db_bool(f, 0, F_HAS_FILE);
	int special = kind == REGISTRY_EPISODE && db_int64(f, 0, F_SEASON, -1) == 0 &&
		      !db_bool(f, 0, F_SPECIALS);

	if (!db_bool(f, 0, F_MONITORED))
		why(gn, "not monitored");
	else if (!db_bool(f, 0, F_SERIES_MON))
		why(gn, "its series is not monitored");
	else if (!db_bool(f, 0, F_SEASON_MON))
		why(gn, "its season is not monitored");
	if (special)
		why(gn, "a special (season 0): the connector leaves specials out");
	if (db_bool(f, 0, F_DOWNLOADING))
		why(gn, "in the download queue already");
	if (has_file)
		why(gn, "has a file");
	if (kind == REGISTRY_EPISODE) {
		int64_t runtime_us = db_int64(f, 0, F_RUNTIME, 0) * 60 * 1000000LL;

		if (rel == REGISTRY_NO_TIME)
			why(gn, "no air date yet");
		else if (rel > now_us || rel + runtime_us > now_us)
			why(gn, "not aired yet (air date plus runtime is ahead)");
		else if (rel + runtime_us + grace_us > now_us)
			why(gn, "aired, but still within the connector's grace period");
	} else {
		if (!db_bool(f, 0, F_AVAILABLE))
			why(gn, "not available yet (isAvailable false)");
		else if (grace_us > 0 && rel != REGISTRY_NO_TIME && rel + grace_us > now_us)
			why(gn, "released, but still within the connector's grace period");
	}
	json_object_set_new(out, "gap", json_pack("{s:b, s:o}", "candidate",
						  json_array_size(gn) == 0, "why_not", gn));

	snprintf(upgrade_reason, rsize, "none");
	if (!has_file || PQgetisnull(f, 0, F_QUALITY)) {
		why(un, "has no file");
	} else {
		int cf_known = !PQgetisnull(f, 0, F_CF);

		if (db_bool(f, 0, F_CUTOFF_NOT_MET))
			snprintf(upgrade_reason, rsize, "quality_below_cutoff");
		else if (db_bool(f, 0, F_CF_BELOW))
			snprintf(upgrade_reason, rsize, "cf_score_below_cutoff");
		else
			why(un, cf_known ? "quality and custom-format score meet the cutoff" :
			    "quality meets the cutoff (custom-format score unknown)");
	}
	if (!monitored)
		why(un, "not monitored (item, season or series)");
	if (!db_bool(f, 0, F_UPGRADE_ALLOWED))
		why(un, "its quality profile does not allow upgrades");
	if (special)
		why(un, "a special (season 0): the connector leaves specials out");
	if (db_bool(f, 0, F_DOWNLOADING))
		why(un, "in the download queue already");
	json_object_set_new(out, "upgrade", json_pack("{s:b, s:s, s:o}", "candidate",
						      json_array_size(un) == 0, "reason",
						      upgrade_reason, "why_not", un));
}

/* The batch an eligible gap of this episode would join. */
static int
batch_for(PGconn *db, int64_t connector_id, const PGresult *f, enum registry_kind kind,
	  int64_t now_us, json_t *out, struct err *e)
{
	struct batch_season_config sc;
	struct queue_season *qs = NULL;
	size_t n = 0;
	int size;

	if (db_queue_batch_size(db, connector_id, &size, e) < 0)
		return -1;
	if (kind == REGISTRY_MOVIE) {
		json_object_set_new(out, "batch", json_pack("{s:s, s:i}", "command", "MoviesSearch",
							    "max_ids", size));
		return 0;
	}
	{
		int64_t sid = db_int64(f, 0, F_SERIES_ID, 0);
		int sn = (int)db_int64(f, 0, F_SEASON, 0);
		enum batch_season_reason reason = BATCH_R_NOTHING_MISSING;
		enum batch_season_choice ch = BATCH_EPISODES;
		json_t *b;

		if (db_queue_seasons(db, connector_id, now_us, &sid, &sn, 1, &qs, &n, e) < 0)
			return -1;
		sc.pack_enabled = db_bool(f, 0, F_PACK_ENABLED);
		sc.threshold_pct = (int)db_int64(f, 0, F_PACK_PCT, 50);
		sc.min_missing = (int)db_int64(f, 0, F_PACK_MIN, 3);
		if (n == 1)
			ch = batch_season_decide(&qs[0].s, &sc, &reason);
		b = json_pack("{s:s, s:s, s:s, s:i}", "command",
			      ch == BATCH_SEASON ? "SeasonSearch" : ch == BATCH_WAIT ? "none (wait)" :
			      "EpisodeSearch", "season_choice", batch_season_choice_name(ch),
			      "season_reason", batch_season_reason_name(reason), "max_ids", size);
		if (n == 1)
			json_object_set_new(b, "season", json_pack(
				"{s:i, s:i, s:i, s:b, s:b, s:b, s:i, s:i}",
				"total_episodes", qs[0].s.total_episodes,
				"aired_episodes", qs[0].s.aired_episodes,
				"missing_aired", qs[0].s.missing_aired,
				"airing", qs[0].s.next_airing_set,
				"pack_in_cooldown", qs[0].s.pack_in_cooldown,
				"pack_failed", qs[0].s.pack_failed,
				"threshold_pct", sc.threshold_pct, "min_missing", sc.min_missing));
		json_object_set_new(out, "batch", b);
		free(qs);
	}
	return 0;
}

int
explain_item(PGconn *db, const char *connector, enum registry_kind kind, int arr_id,
	     int64_t now_us, json_t **out, struct err *e)
{
	char ureason[32];
	PGresult *f = NULL, *reg = NULL;
	struct priority_weights w;
	struct connector c;
	json_t *o = NULL, *ra;
	int ret = -1;

	*out = NULL;
	memset(&c, 0, sizeof(c));
	if (now_us == 0)
		now_us = clock_now_us();
	if (db_connector_get(db, connector, &c, e) < 0 || candidate_weights_load(db, &w, e) < 0 ||
	    db_explain_item(db, connector, kind, arr_id, &f, e) < 0)
		goto out;
	if (PQntuples(f) != 1) {
		err_set(e, ERR_NOTFOUND, "'%s' has no %s %d in the mirror; run comradarr-sync, "
			"or look the id up with comradarr-discover", connector,
			registry_kind_name(kind), arr_id);
		goto out;
	}
	o = json_object();
	json_object_set_new(o, "connector", json_string(connector));
	json_object_set_new(o, "kind", json_string(registry_kind_name(kind)));
	json_object_set_new(o, "id", json_integer(arr_id));
	json_object_set_new(o, "title", db_str(f, 0, F_TITLE) ? json_string(db_str(f, 0, F_TITLE))
			    : json_null());
	if (kind == REGISTRY_EPISODE) {
		json_object_set_new(o, "series", json_string(db_str(f, 0, F_SERIES_TITLE)));
		json_object_set_new(o, "series_id", json_integer(db_int64(f, 0, F_SERIES_ARR, 0)));
		json_object_set_new(o, "season", json_integer(db_int64(f, 0, F_SEASON, 0)));
		json_object_set_new(o, "episode", PQgetisnull(f, 0, F_EPISODE) ? json_null() :
				    json_integer(db_int64(f, 0, F_EPISODE, 0)));
		set_time(o, "air_date", t_at(f, F_RELEASED));
	} else {
		json_object_set_new(o, "year", json_integer(db_int64(f, 0, F_YEAR, 0)));
		json_object_set_new(o, "available", json_boolean(db_bool(f, 0, F_AVAILABLE)));
		set_time(o, "release_date", t_at(f, F_RELEASED));
	}
	json_object_set_new(o, "monitored", json_boolean(db_bool(f, 0, F_MONITORED)));
	json_object_set_new(o, "has_file", json_boolean(db_bool(f, 0, F_HAS_FILE)));
	if (db_str(f, 0, F_QUALITY) != NULL)
		json_object_set_new(o, "file", json_pack("{s:s, s:b, s:o, s:o, s:i, s:b}",
			"quality", db_str(f, 0, F_QUALITY), "quality_cutoff_not_met",
			db_bool(f, 0, F_CUTOFF_NOT_MET), "cf_score", PQgetisnull(f, 0, F_CF) ?
			json_null() : json_integer(db_int64(f, 0, F_CF, 0)), "profile",
			db_str(f, 0, F_PROFILE) ? json_string(db_str(f, 0, F_PROFILE)) : json_null(),
			"cutoff_cf_score", (int)db_int64(f, 0, F_CUTOFF_CF, 0),
			"upgrade_allowed", db_bool(f, 0, F_UPGRADE_ALLOWED)));
	verdicts(f, kind, now_us, o, ureason, sizeof(ureason));

	if (db_explain_entries(db, kind, db_int64(f, 0, F_ID, 0), &reg, e) < 0)
		goto out;
	ra = json_array();
	json_object_set_new(o, "registry", ra);
	for (int i = 0; i < PQntuples(reg); i++) {
		struct registry_row row;
		struct priority_breakdown b;
		json_t *x;

		memset(&row, 0, sizeof(row));
		row.kind = kind;
		(void)registry_type_parse(db_str(reg, i, 1), &row.type);
		row.released_us = t_at(f, F_RELEASED);
		row.missing_since_us = PQgetisnull(reg, i, 6) ? REGISTRY_NO_TIME :
				       db_int64(reg, i, 6, 0);
		row.last_search_us = !PQgetisnull(reg, i, 5) ? db_int64(reg, i, 5, 0) :
				     t_at(f, F_LAST_SEARCH);
		row.attempts = (int)db_int64(reg, i, 3, 0);
		row.series_override = (int)db_int64(f, 0, F_SERIES_OVERRIDE, 0);
		row.item_override = (int)db_int64(f, 0, F_ITEM_OVERRIDE, 0);
		candidate_priority(&row, now_us, &w, &b);
		x = json_pack("{s:I, s:s, s:s, s:i, s:i, s:o, s:b}", "registry_id",
			      (json_int_t)db_int64(reg, i, 0, 0), "type", db_str(reg, i, 1),
			      "state", db_str(reg, i, 2), "attempts", row.attempts,
			      "stored_priority", (int)db_int64(reg, i, 7, 0),
			      "breakdown", candidate_breakdown_json(&b),
			      "pack_failed", db_bool(reg, i, 8));
		set_time(x, "next_eligible_at", PQgetisnull(reg, i, 4) ? REGISTRY_NO_TIME :
			 db_int64(reg, i, 4, 0));
		set_time(x, "last_searched_at", PQgetisnull(reg, i, 5) ? REGISTRY_NO_TIME :
			 db_int64(reg, i, 5, 0));
		json_object_set_new(x, "failure_category", db_str(reg, i, 9) ?
				    json_string(db_str(reg, i, 9)) : json_null());
		json_object_set_new(x, "batch", PQgetisnull(reg, i, 10) ? json_null() :
				    json_pack("{s:I, s:s}", "id", (json_int_t)db_int64(reg, i, 10, 0),
					      "command", db_str(reg, i, 11)));
		json_array_append_new(ra, x);
	}
	if (batch_for(db, c.id, f, kind, now_us, o, e) < 0)
		goto out;
	*out = o;
	o = NULL;
	ret = 0;
out:
	json_decref(o);
	PQclear(f);
	PQclear(reg);
	connector_release(&c);
	return ret;
}
