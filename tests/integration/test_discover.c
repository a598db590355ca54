/*
 * comradarr-discover's stage against a real PostgreSQL (Req 3, 4, 11.1,
 * 11.4; the design reference's "Data Lifecycle"): mirror fixtures written
 * in SQL, and a fake *arr synced into the mirror for the --via-wanted
 * cross-check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <curl/curl.h>
#include <sodium.h>

#include "core/clock.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/db.h"
#include "stage/discover.h"
#include "stage/explain.h"
#include "stage/sync.h"
#include "fakearr_ctl.h"
#include "pgtest.h"

/* 2026-01-01T00:00:00Z */
#define NOW_S 1767225600LL
#define NOW_US (NOW_S * 1000000LL)
#define DAY_S 86400LL

static struct pgtest T;
static struct secret_key K;
static struct fakearr F;

/* What a run printed: candidate lines kept as JSON. */
struct seen {
	json_t *lines;		/* array of candidate objects */
	json_t *summary;
};

static void
on_line(void *arg, const char *event, json_t *obj)
{
	struct seen *s = arg;

	if (strcmp(event, "candidate") == 0) {
		json_array_append(s->lines, obj);
	} else {
		json_decref(s->summary);
		s->summary = json_incref(obj);
		json_object_set_new(s->summary, "event", json_string(event));
	}
}

static void
setup(void)
{
	struct err e = ERR_INIT;

	pgtest_create(&T, "discover");
	ck_assert_msg(secret_key_parse(getenv("SECRET_KEY"), &K, &e) == 0, "%s", e.msg);
	memset(&F, 0, sizeof(F));
}

static void
teardown(void)
{
	fakearr_stop(&F);
	pgtest_drop(&T);
}

static int64_t
add_connector(const char *name, const char *type, const char *url, const char *key)
{
	struct connector c;
	struct err e = ERR_INIT;
	int64_t id;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.type, sizeof(c.type), "%s", type);
	c.url = strdup(url);
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 5000;
	ck_assert_msg(db_connector_add(T.conn, &K, &c, key, &e) == 0, "add: %s", e.msg);
	id = c.id;
	connector_release(&c);
	return id;
}

static void
load(const char *name, struct connector *c)
{
	struct err e = ERR_INIT;

	ck_assert_msg(db_connector_get(T.conn, name, c, &e) == 0, "%s", e.msg);
}

/* Discover `name` at NOW (or now_us), collecting its lines. */
static void
run(const char *name, int64_t now_us, int via_wanted, struct seen *s, struct discover_report *r)
{
	struct connector c;
	struct discover_opts o;
	struct err e = ERR_INIT;

	load(name, &c);
	memset(&o, 0, sizeof(o));
	o.now_us = now_us;
	o.via_wanted = via_wanted;
	o.key = &K;
	o.line = on_line;
	o.line_arg = s;
	s->lines = json_array();
	s->summary = NULL;
	ck_assert_msg(discover_connector(T.conn, &c, &o, r, &e) == 0, "discover '%s': %s", name,
		      e.msg);
	ck_assert_int_eq(r->status, DISCOVER_DONE);
	connector_release(&c);
}

static void
seen_free(struct seen *s)
{
	json_decref(s->lines);
	json_decref(s->summary);
}

/* Is the candidate (type, kind, arr id) among the lines? */
static json_t *
find(const struct seen *s, const char *type, const char *kind, int id)
{
	size_t i;
	json_t *v;

	json_array_foreach(s->lines, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "type")), type) == 0 &&
		    strcmp(json_string_value(json_object_get(v, "kind")), kind) == 0 &&
		    json_integer_value(json_object_get(v, "id")) == id)
			return v;
	}
	return NULL;
}

/*
 * A Sonarr mirror: series "Lost" (arr 10, profile 1) with season 1 of
 * episodes 101.., and "Quiet" (arr 11, profile 2 which takes no upgrades).
 * Episodes are added by ep().
 */
static int64_t tv;

static void
tv_fixture(void)
{
	char sql[2048];

	tv = add_connector("tv", "sonarr", "http://127.0.0.1:1", "0123456789abcdef0123456789abcdef");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO quality_profiles (connector_id, arr_id, name, upgrade_allowed, "
		 " cutoff_quality_id, cutoff_format_score, quality_ranks) VALUES "
		 " (%lld, 1, 'HD', true, 7, 100, '{1,4,5,3,7}'), "
		 " (%lld, 2, 'Keep', false, 7, 100, '{1,4,5,3,7}'); "
		 "INSERT INTO series (connector_id, arr_id, title, monitored, quality_profile_id) "
		 " VALUES (%lld, 10, 'Lost', true, 1), (%lld, 11, 'Quiet', true, 2); "
		 "INSERT INTO seasons (series_id, season_number, monitored) "
		 " SELECT id, n, true FROM series, generate_series(0, 2) n",
		 (long long)tv, (long long)tv, (long long)tv, (long long)tv);
	pgtest_exec(&T, sql);
}

/* An episode of series arr `series`: aired `aired_days_ago` (negative: in
 * the future), with runtime minutes; file quality/cf when has_file. */
static void
ep(int series, int arr_id, int season, int number, double aired_days_ago, int runtime,
   int monitored, int has_file, int quality, int cutoff_not_met, int cf)
{
	char sql[2048], fid[16];
	long long air = NOW_S - (long long)(aired_days_ago * DAY_S);

	/* the episode names its file by the *arr's file id: 5000 + its own */
	snprintf(fid, sizeof(fid), "%d", arr_id + 5000);

	if (has_file) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO episode_files (connector_id, series_id, arr_id, season_number, "
			 " quality_id, quality_name, custom_format_score, quality_cutoff_not_met) "
			 "SELECT %lld, id, %d, %d, %d, 'Q%d', %d, %s FROM series "
			 "WHERE connector_id = %lld AND arr_id = %d",
			 (long long)tv, arr_id + 5000, season, quality, quality, cf,
			 cutoff_not_met ? "true" : "false", (long long)tv, series);
		pgtest_exec(&T, sql);
	}
	snprintf(sql, sizeof(sql),
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		 " episode_number, title, air_date_utc, runtime, monitored, has_file, "
		 " episode_file_id) SELECT %lld, id, %d, %d, %d, 'Ep %d', to_timestamp(%lld), %d, "
		 " %s, %s, %s FROM series WHERE connector_id = %lld AND arr_id = %d",
		 (long long)tv, arr_id, season, number, arr_id, air, runtime,
		 monitored ? "true" : "false", has_file ? "true" : "false",
		 has_file ? fid : "NULL", (long long)tv, series);
	pgtest_exec(&T, sql);
}

static int64_t films;

static void
movie(int arr_id, int monitored, int available, int has_file, int cutoff_not_met, int cf,
      double released_days_ago)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO movies (connector_id, arr_id, title, year, monitored, is_available, "
		 " has_file, quality_id, quality_name, custom_format_score, quality_cutoff_not_met, "
		 " quality_profile_id, digital_release) VALUES (%lld, %d, 'Movie %d', 2020, %s, %s, "
		 " %s, %s, %s, %s, %s, 1, to_timestamp(%lld))",
		 (long long)films, arr_id, arr_id, monitored ? "true" : "false",
		 available ? "true" : "false", has_file ? "true" : "false", has_file ? "3" : "NULL",
		 has_file ? "'HDTV-720p'" : "NULL", has_file ? "0" : "NULL",
		 cutoff_not_met ? "true" : "false", NOW_S - (long long)(released_days_ago * DAY_S));
	(void)cf;
	pgtest_exec(&T, sql);
}

static void
films_fixture(void)
{
	char sql[512];

	films = add_connector("films", "radarr", "http://127.0.0.1:2",
			      "abcdef0123456789abcdef0123456789");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO quality_profiles (connector_id, arr_id, name, upgrade_allowed, "
		 " cutoff_quality_id, cutoff_format_score) VALUES (%lld, 1, 'HD', true, 7, 0)",
		 (long long)films);
	pgtest_exec(&T, sql);
}

START_TEST(unaired_and_unavailable_items_never_become_candidates)
{
	struct seen s;
	struct discover_report r;

	tv_fixture();
	ep(10, 101, 1, 1, 30, 45, 1, 0, 0, 0, 0);	/* aired a month ago: gap */
	ep(10, 102, 1, 2, -7, 45, 1, 0, 0, 0, 0);	/* airs next week */
	ep(10, 103, 1, 3, 0.02, 45, 1, 0, 0, 0, 0);	/* started 29 min ago, runs 45 */
	ep(10, 104, 1, 4, 30, 45, 0, 0, 0, 0, 0);	/* unmonitored */
	ep(10, 105, 1, 5, 30, 45, 1, 1, 7, 0, 100);	/* has a good file */
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "episode", 101) != NULL, "the aired episode is a gap");
	ck_assert_msg(find(&s, "gap", "episode", 102) == NULL, "an unaired episode is no gap");
	ck_assert_msg(find(&s, "gap", "episode", 103) == NULL,
		      "an episode still airing (air date + runtime ahead) is no gap");
	ck_assert_msg(find(&s, "gap", "episode", 104) == NULL, "unmonitored is no gap");
	ck_assert_int_eq(r.gaps, 1);
	ck_assert_int_eq(r.added, 1);
	seen_free(&s);
	{
		/* explain names the rule that keeps each one out */
		json_t *x = NULL;
		struct err e = ERR_INIT;
		char *txt;

		ck_assert_msg(explain_item(T.conn, "tv", REGISTRY_EPISODE, 102, NOW_US, &x, &e) == 0,
			      "%s", e.msg);
		txt = json_dumps(json_object_get(x, "gap"), JSON_COMPACT);
		ck_assert_msg(strstr(txt, "\"candidate\":false") && strstr(txt, "not aired yet"),
			      "unaired explained: %s", txt);
		free(txt);
		json_decref(x);
		ck_assert_msg(explain_item(T.conn, "tv", REGISTRY_EPISODE, 104, NOW_US, &x, &e) == 0,
			      "%s", e.msg);
		txt = json_dumps(json_object_get(x, "gap"), JSON_COMPACT);
		ck_assert_msg(strstr(txt, "not monitored") != NULL, "unmonitored explained: %s", txt);
		free(txt);
		json_decref(x);
		ck_assert_msg(explain_item(T.conn, "tv", REGISTRY_EPISODE, 101, NOW_US, &x, &e) == 0,
			      "%s", e.msg);
		ck_assert_msg(json_is_true(json_object_get(json_object_get(x, "gap"), "candidate")),
			      "the candidate is explained as one");
		ck_assert_int_eq(json_array_size(json_object_get(x, "registry")), 1);
		json_decref(x);
	}

	/* a grace period of two months holds the month-old episode back */
	pgtest_exec(&T, "UPDATE connectors SET gap_grace_minutes = 86400 WHERE name = 'tv'");
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "episode", 101) == NULL, "within the grace period");
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 0);
	seen_free(&s);

	films_fixture();
	movie(1, 1, 1, 0, 0, 0, 100);	/* available, missing: gap */
	movie(2, 1, 0, 0, 0, 0, -30);	/* not available yet */
	movie(3, 0, 1, 0, 0, 0, 100);	/* unmonitored */
	run("films", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "movie", 1) != NULL, "the available movie is a gap");
	ck_assert_msg(find(&s, "gap", "movie", 2) == NULL, "an unavailable movie is no gap");
	ck_assert_msg(find(&s, "gap", "movie", 3) == NULL, "an unmonitored movie is no gap");
	ck_assert_int_eq(r.gaps, 1);
	seen_free(&s);
}
END_TEST

START_TEST(quality_and_custom_format_upgrades_are_found_when_the_profile_allows)
{
	struct seen s;
	struct discover_report r;
	json_t *v;

	tv_fixture();
	ep(10, 201, 1, 1, 90, 45, 1, 1, 4, 1, 100);	/* quality below the cutoff */
	ep(10, 202, 1, 2, 90, 45, 1, 1, 7, 0, 50);	/* quality met, CF 50 < 100 */
	ep(10, 203, 1, 3, 90, 45, 1, 1, 7, 0, 150);	/* both met */
	ep(11, 204, 1, 1, 90, 45, 1, 1, 4, 1, 0);	/* profile takes no upgrades */
	run("tv", NOW_US, 0, &s, &r);
	v = find(&s, "upgrade", "episode", 201);
	ck_assert_msg(v != NULL, "quality below the cutoff is an upgrade");
	ck_assert_str_eq(json_string_value(json_object_get(v, "reason")), "quality_below_cutoff");
	v = find(&s, "upgrade", "episode", 202);
	ck_assert_msg(v != NULL, "a custom-format score below cutoffFormatScore is an upgrade");
	ck_assert_str_eq(json_string_value(json_object_get(v, "reason")), "cf_score_below_cutoff");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "cf_score")), 50);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "cutoff_cf_score")), 100);
	ck_assert_msg(find(&s, "upgrade", "episode", 203) == NULL, "a file meeting both is kept");
	ck_assert_msg(find(&s, "upgrade", "episode", 204) == NULL,
		      "no upgrade when the profile does not allow upgrades");
	ck_assert_int_eq(r.upgrades, 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE search_type = 'upgrade' AND state = 'pending'"), 2);
	seen_free(&s);
}
END_TEST

START_TEST(specials_are_left_out_unless_the_connector_includes_them)
{
	struct seen s;
	struct discover_report r;

	tv_fixture();
	ep(10, 301, 0, 1, 400, 45, 1, 0, 0, 0, 0);
	ep(10, 302, 1, 1, 400, 45, 1, 0, 0, 0, 0);
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "episode", 301) == NULL, "season 0 left out by default");
	ck_assert_int_eq(r.gaps, 1);
	seen_free(&s);
	pgtest_exec(&T, "UPDATE connectors SET include_specials = true WHERE name = 'tv'");
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "episode", 301) != NULL, "season 0 when included");
	seen_free(&s);
}
END_TEST

START_TEST(items_in_the_download_queue_are_not_candidates)
{
	struct seen s;
	struct discover_report r;
	char sql[256];

	tv_fixture();
	ep(10, 401, 1, 1, 30, 45, 1, 0, 0, 0, 0);
	ep(10, 402, 1, 2, 30, 45, 1, 0, 0, 0, 0);
	snprintf(sql, sizeof(sql), "INSERT INTO download_queue (connector_id, kind, arr_id) "
		 "VALUES (%lld, 'episode', 402)", (long long)tv);
	pgtest_exec(&T, sql);
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_msg(find(&s, "gap", "episode", 401) != NULL, "a missing episode is a gap");
	ck_assert_msg(find(&s, "gap", "episode", 402) == NULL, "one being downloaded is not");
	seen_free(&s);
}
END_TEST

START_TEST(entries_are_created_once_and_keep_their_state)
{
	struct seen s;
	struct discover_report r;
	json_t *v;

	tv_fixture();
	ep(10, 501, 1, 1, 30, 45, 1, 0, 0, 0, 0);
	ep(10, 502, 1, 2, 30, 45, 1, 0, 0, 0, 0);
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_int_eq(r.added, 2);
	v = find(&s, "gap", "episode", 501);
	ck_assert_msg(v != NULL, "candidate line for 501");
	ck_assert_str_eq(json_string_value(json_object_get(v, "series")), "Lost");
	ck_assert_int_eq(json_integer_value(json_object_get(v, "season")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "episode")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(v, "series_id")), 10);
	ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "pending");
	ck_assert_msg(json_is_true(json_object_get(v, "new")), "first seen: new");
	ck_assert_msg(json_is_object(json_object_get(v, "priority_inputs")), "priority inputs");
	ck_assert_int_gt(json_integer_value(json_object_get(v, "priority")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(s.summary, "event")), "discover_done");
	/* the priority is stored on the entry */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry WHERE priority > 0"),
			 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM events WHERE kind = 'discover_done'"),
			 1);
	seen_free(&s);

	pgtest_exec(&T, "UPDATE search_registry SET state = 'cooldown', attempts = 2, "
		    "next_eligible_at = now() + interval '1 day' "
		    "WHERE episode_id = (SELECT id FROM episodes WHERE arr_id = 501)");
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_int_eq(r.added, 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 2);
	v = find(&s, "gap", "episode", 501);
	ck_assert_str_eq(json_string_value(json_object_get(v, "state")), "cooldown");
	ck_assert_msg(json_is_false(json_object_get(v, "new")), "seen before: not new");
	ck_assert_int_eq(pgtest_count(&T, "SELECT attempts FROM search_registry WHERE "
				      "state = 'cooldown'"), 2);
	seen_free(&s);
}
END_TEST

START_TEST(resolved_and_no_longer_qualifying_entries_leave_the_registry)
{
	struct seen s;
	struct discover_report r;

	tv_fixture();
	ep(10, 601, 1, 1, 30, 45, 1, 0, 0, 0, 0);	/* will get a file: resolved */
	ep(10, 602, 1, 2, 30, 45, 1, 0, 0, 0, 0);	/* will be unmonitored, pending */
	ep(10, 603, 1, 3, 30, 45, 1, 0, 0, 0, 0);	/* unmonitored while cooling down */
	ep(10, 604, 1, 4, 30, 45, 1, 1, 7, 0, 50);	/* CF upgrade, then CF raised */
	ep(10, 605, 1, 5, 30, 45, 1, 0, 0, 0, 0);	/* exhausted, then gets a file */
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_int_eq(r.added, 5);
	seen_free(&s);
	pgtest_exec(&T, "UPDATE search_registry SET state = 'cooldown', "
		    "next_eligible_at = now() + interval '1 day' WHERE episode_id = "
		    "(SELECT id FROM episodes WHERE arr_id = 603)");
	pgtest_exec(&T, "UPDATE search_registry SET state = 'exhausted' WHERE episode_id = "
		    "(SELECT id FROM episodes WHERE arr_id = 605)");
	pgtest_exec(&T, "UPDATE episodes SET has_file = true WHERE arr_id IN (601, 605)");
	pgtest_exec(&T, "UPDATE episodes SET monitored = false WHERE arr_id IN (602, 603)");
	pgtest_exec(&T, "UPDATE episode_files SET custom_format_score = 120 WHERE arr_id = 5604");
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_int_eq(r.removed, 4);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry r JOIN episodes e "
				      "ON e.id = r.episode_id WHERE e.arr_id = 603 "
				      "AND r.state = 'cooldown'"), 1);
	seen_free(&s);
}
END_TEST

START_TEST(the_summary_line_says_what_changed)
{
	struct seen s;
	struct discover_report r;

	tv_fixture();
	ep(10, 701, 1, 1, 30, 45, 1, 0, 0, 0, 0);
	ep(10, 702, 1, 2, 30, 45, 1, 1, 4, 1, 100);
	run("tv", NOW_US, 0, &s, &r);
	ck_assert_int_eq(json_integer_value(json_object_get(s.summary, "gaps")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(s.summary, "upgrades")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(s.summary, "added")), 2);
	ck_assert_str_eq(json_string_value(json_object_get(s.summary, "source")), "mirror");
	seen_free(&s);
}
END_TEST

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The set of "type:id" among the lines, sorted, as one string. */
static char *
key_set(const struct seen *s)
{
	size_t i, n = json_array_size(s->lines);
	char **k = calloc(n + 1, sizeof(char *));
	char *out = calloc(n * 32 + 1, 1);
	size_t at = 0;
	json_t *v;

	json_array_foreach(s->lines, i, v) {
		k[i] = malloc(32);
		snprintf(k[i], 32, "%s:%lld", json_string_value(json_object_get(v, "type")),
			 (long long)json_integer_value(json_object_get(v, "id")));
	}
	qsort(k, n, sizeof(char *), cmp_str);
	for (i = 0; i < n; i++) {
		at += (size_t)snprintf(out + at, n * 32 + 1 - at, "%s ", k[i]);
		free(k[i]);
	}
	free(k);
	return out;
}

static void
sync_fake(const char *name)
{
	struct connector c;
	struct sync_opts o;
	struct sync_report r;
	struct err e = ERR_INIT;

	load(name, &c);
	memset(&o, 0, sizeof(o));
	o.full = 1;
	o.force = 1;
	o.key = &K;
	ck_assert_msg(sync_connector(T.conn, &c, &o, &r, &e) == 0, "sync: %s", e.msg);
	connector_release(&c);
}

static void
agree(const char *app, const char *type)
{
	struct err e = ERR_INIT;
	const char *const tv_args[] = { "--app", app, "--series", "6", "--seasons", "3",
					"--episodes", "8", "--seed", "11", "--specials", NULL };
	const char *const mv_args[] = { "--app", app, "--movies", "60", "--seed", "11", NULL };
	struct seen a, b;
	struct discover_report r;
	char *ka, *kb;

	ck_assert_msg(fakearr_start(&F, NULL, strcmp(type, "radarr") == 0 ? mv_args : tv_args,
				    &e) == 0, "fakearr: %s", e.msg);
	add_connector("lib", type, F.url, F.api_key);
	sync_fake("lib");
	run("lib", 0, 0, &a, &r);
	ck_assert_int_gt(r.gaps, 0);
	ck_assert_int_gt(r.upgrades, 0);
	run("lib", 0, 1, &b, &r);
	ck_assert_int_gt(r.wanted_missing, 0);
	ka = key_set(&a);
	kb = key_set(&b);
	ck_assert_msg(strcmp(ka, kb) == 0, "mirror and wanted disagree:\nmirror: %s\nwanted: %s",
		      ka, kb);
	ck_assert_int_eq(r.added, 0);
	ck_assert_int_eq(r.removed, 0);
	free(ka);
	free(kb);
	seen_free(&a);
	seen_free(&b);
}

static long
sync_movies(const char *name, int full)
{
	struct connector c;
	struct sync_opts o;
	struct sync_report r;
	struct err e = ERR_INIT;

	load(name, &c);
	memset(&o, 0, sizeof(o));
	o.full = full;
	o.force = 1;
	o.key = &K;
	ck_assert_msg(sync_connector(T.conn, &c, &o, &r, &e) == 0, "sync: %s", e.msg);
	connector_release(&c);
	return r.movie_scores;
}

static long long
fake_summary(const char *key)
{
	struct err e = ERR_INIT;
	json_t *sum = NULL;
	long long v;

	ck_assert_msg(fakearr_call(&F, "GET", "/__fake/library/summary", NULL, &sum, &e) == 0,
		      "summary: %s", e.msg);
	v = (long long)json_integer_value(json_object_get(sum, key));
	json_decref(sum);
	return v;
}

/*
 * Radarr's /movie list leaves customFormatScore out (the fake too): the
 * scores come from /moviefile, for every file that can be such an upgrade
 * on a full sync and for new or changed files on an incremental one, and
 * discover finds the movies below cutoffFormatScore as it does episodes.
 */
START_TEST(movie_custom_format_upgrades_are_found_from_moviefile_scores)
{
	struct err e = ERR_INIT;
	const char *const args[] = { "--app", "radarr", "--movies", "60", "--seed", "5",
				     "--missing", "0.1", "--cutoff", "0", "--cf-below", "0.4",
				     "--unmonitored", "0", NULL };
	struct seen s;
	struct discover_report r;
	long long below, files, id;
	size_t i, cf = 0;
	json_t *v;
	char body[128];

	ck_assert_msg(fakearr_start(&F, NULL, args, &e) == 0, "fakearr: %s", e.msg);
	add_connector("films", "radarr", F.url, F.api_key);
	below = fake_summary("cf_below");
	ck_assert_int_gt(below, 0);
	files = sync_movies("films", 1);
	ck_assert_int_eq(files, pgtest_count(&T, "SELECT count(*) FROM movies WHERE has_file"));
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM movies WHERE has_file AND "
				      "custom_format_score IS NULL"), 0);
	run("films", 0, 0, &s, &r);
	json_array_foreach(s.lines, i, v)
		if (strcmp(json_string_value(json_object_get(v, "reason")), "cf_score_below_cutoff") == 0)
			cf++;
	ck_assert_msg((long long)cf == below, "discover found %zu custom-format upgrades, the app "
		      "has %lld", cf, below);
	seen_free(&s);
	/* nothing changed: an incremental sync reads no score */
	ck_assert_int_eq(sync_movies("films", 0), 0);
	/* a new file: its score, and only its, is read */
	id = pgtest_count(&T, "SELECT min(arr_id) FROM movies WHERE has_file AND "
			  "custom_format_score >= 100");
	snprintf(body, sizeof(body), "{\"op\":\"change_quality\",\"id\":%lld,\"quality\":7,"
		 "\"cf\":20}", id);
	ck_assert_msg(fakearr_call(&F, "POST", "/__fake/mutate", body, NULL, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(sync_movies("films", 0), 1);
	snprintf(body, sizeof(body), "SELECT custom_format_score FROM movies WHERE arr_id = %lld", id);
	ck_assert_int_eq(pgtest_count(&T, body), 20);
	run("films", 0, 0, &s, &r);
	v = find(&s, "upgrade", "movie", (int)id);
	ck_assert_msg(v != NULL, "the movie whose new file scores 20 is an upgrade");
	ck_assert_str_eq(json_string_value(json_object_get(v, "reason")), "cf_score_below_cutoff");
	seen_free(&s);
}
END_TEST

START_TEST(via_wanted_agrees_with_the_mirror_on_a_fake_sonarr)
{
	agree("sonarr", "sonarr");
}
END_TEST

START_TEST(via_wanted_agrees_with_the_mirror_on_a_fake_radarr)
{
	agree("radarr", "radarr");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("discover");
	TCase *tc = tcase_create("discover");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	if (sodium_init() < 0)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, unaired_and_unavailable_items_never_become_candidates);
	tcase_add_test(tc, quality_and_custom_format_upgrades_are_found_when_the_profile_allows);
	tcase_add_test(tc, specials_are_left_out_unless_the_connector_includes_them);
	tcase_add_test(tc, items_in_the_download_queue_are_not_candidates);
	tcase_add_test(tc, entries_are_created_once_and_keep_their_state);
	tcase_add_test(tc, resolved_and_no_longer_qualifying_entries_leave_the_registry);
	tcase_add_test(tc, the_summary_line_says_what_changed);
	tcase_add_test(tc, via_wanted_agrees_with_the_mirror_on_a_fake_sonarr);
	tcase_add_test(tc, via_wanted_agrees_with_the_mirror_on_a_fake_radarr);
	tcase_add_test(tc, movie_custom_format_upgrades_are_found_from_moviefile_scores);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	curl_global_cleanup();
	return failed ? 1 : 0;
}
