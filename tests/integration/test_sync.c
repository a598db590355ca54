/*
 * comradarr-sync's stage against a real PostgreSQL and the fake *arr
 * (Req 1.4, 2, 3.4, 11.4, 27.8, 37.5; "Property 18": after any library
 * mutations and a full sync the mirror equals the app's library).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/buf.h"
#include "core/clock.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/mirror.h"
#include "stage/sync.h"
#include "fakearr_ctl.h"
#include "pgtest.h"

static struct pgtest T;
static struct secret_key K;
static struct fakearr F, F2;

static void
setup(void)
{
	struct err e = ERR_INIT;

	pgtest_create(&T, "sync");
	ck_assert_msg(secret_key_parse(getenv("SECRET_KEY"), &K, &e) == 0, "%s", e.msg);
	memset(&F, 0, sizeof(F));
	memset(&F2, 0, sizeof(F2));
	/* retries sleep through the clock: a fake one makes them instant */
	clock_set_fake(1700000000LL * 1000000LL);
}

static void
teardown(void)
{
	fakearr_stop(&F);
	fakearr_stop(&F2);
	clock_set_fake(-1);
	pgtest_drop(&T);
}

static void
start(struct fakearr *f, const char *app, const char *series)
{
	struct err e = ERR_INIT;
	const char *const tv[] = { "--app", app, "--series", series, "--seasons", "2",
				   "--episodes", "4", "--seed", "7", NULL };
	const char *const mv[] = { "--app", app, "--movies", series, "--seed", "7", NULL };

	ck_assert_msg(fakearr_start(f, NULL, strstr(app, "radarr") || strcmp(app, "whisparr3") == 0
				    ? mv : tv, &e) == 0, "fakearr: %s", e.msg);
}

static void
add(const char *name, const char *type, struct fakearr *f)
{
	struct connector c;
	struct err e = ERR_INIT;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.type, sizeof(c.type), "%s", type);
	c.url = strdup(f->url);
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 5000;
	ck_assert_msg(db_connector_add(T.conn, &K, &c, f->api_key, &e) == 0, "add: %s", e.msg);
	connector_release(&c);
}

/* Sync connector `name` (reloaded so health changes are seen). */
static int
sync(const char *name, int full, struct sync_report *r, struct err *e)
{
	struct connector c;
	struct sync_opts o;
	struct err ge = ERR_INIT;
	int rc;

	memset(&o, 0, sizeof(o));
	o.full = full;
	o.key = &K;
	o.force = 1;
	o.retry.base_ms = 10;
	o.retry.attempts = 3;
	ck_assert_msg(db_connector_get(T.conn, name, &c, &ge) == 0, "%s", ge.msg);
	rc = sync_connector(T.conn, &c, &o, r, e);
	connector_release(&c);
	return rc;
}

static void
sync_ok(const char *name, int full, struct sync_report *r)
{
	struct err e = ERR_INIT;

	ck_assert_msg(sync(name, full, r, &e) == 0, "sync of '%s' failed: %s", name, e.msg);
	ck_assert_msg(r->status == SYNC_DONE, "sync of '%s' was skipped: %s", name, r->reason);
}

static void
call(struct fakearr *f, const char *method, const char *path, const char *body)
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_call(f, method, path, body, NULL, &e) == 0, "%s %s: %s", method, path,
		      e.msg);
}

static long long
count(const char *sql)
{
	return pgtest_count(&T, sql);
}

/*
 * The mirror as the fake's dump lines would say it, sorted, one line per
 * item, and the same from the fake: Property 18 compares the two.
 */
static char *
mirror_text(int tv)
{
	return pgtest_scalar(&T, tv ?
		"SELECT coalesce(string_agg(l, E'\\n' ORDER BY l), '') FROM ("
		" SELECT format('series %s %s %s', arr_id, monitored, quality_profile_id) AS l FROM series"
		" UNION ALL SELECT format('episode %s %s %s %s %s %s %s %s', e.arr_id, s.arr_id, "
		"  e.season_number, e.monitored, e.has_file, coalesce(e.episode_file_id, 0), "
		"  coalesce(f.quality_id, 0), coalesce(f.custom_format_score, 0)) FROM episodes e "
		"  JOIN series s ON s.id = e.series_id LEFT JOIN episode_files f "
		"  ON f.connector_id = e.connector_id AND f.arr_id = e.episode_file_id) x" :
		"SELECT coalesce(string_agg(l, E'\\n' ORDER BY l), '') FROM ("
		" SELECT format('movie %s %s %s %s %s', arr_id, monitored, has_file, "
		"  coalesce(movie_file_id, 0), coalesce(quality_id, 0)) AS l FROM movies) x");
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
fake_text(struct fakearr *f, int tv)
{
	struct fakearr_resp r;
	struct err e = ERR_INIT;
	struct buf out = BUF_INIT;
	char **lines = NULL, *save = NULL, *p;
	size_t n = 0, i;

	ck_assert_msg(fakearr_request(f, "GET", "/__fake/library/dump", NULL, NULL, &r, &e) == 0,
		      "dump: %s", e.msg);
	lines = calloc(r.body_len / 10 + 2, sizeof(char *));
	for (p = strtok_r(r.body, "\n", &save); p != NULL; p = strtok_r(NULL, "\n", &save)) {
		json_t *j = json_loads(p, 0, NULL);
		const char *type = json_string_value(json_object_get(j, "type"));
		char l[256];

#define I(k) (int)json_integer_value(json_object_get(j, k))
#define B(k) (json_is_true(json_object_get(j, k)) ? "t" : "f")
		if (tv && strcmp(type, "series") == 0)
			snprintf(l, sizeof(l), "series %d %s %d", I("id"), B("monitored"), I("profileId"));
		else if (tv && strcmp(type, "episode") == 0)
			snprintf(l, sizeof(l), "episode %d %d %d %s %s %d %d %d", I("id"), I("seriesId"),
				 I("season"), B("monitored"), B("hasFile"), I("fileId"), I("qualityId"),
				 I("cfScore"));
		else if (!tv && strcmp(type, "movie") == 0)
			snprintf(l, sizeof(l), "movie %d %s %s %d %d", I("id"), B("monitored"),
				 B("hasFile"), I("fileId"), I("qualityId"));
		else
			l[0] = '\0';
#undef I
#undef B
		json_decref(j);
		if (l[0] != '\0')
			lines[n++] = strdup(l);
	}
	qsort(lines, n, sizeof(char *), line_cmp);
	buf_append_str(&out, "");
	for (i = 0; i < n; i++) {
		buf_appendf(&out, "%s%s", i ? "\n" : "", lines[i]);
		free(lines[i]);
	}
	free(lines);
	fakearr_resp_free(&r);
	return buf_detach(&out);
}

static void
assert_mirror_equals_fake(struct fakearr *f, int tv, const char *when)
{
	char *a = mirror_text(tv), *b = fake_text(f, tv);

	ck_assert_msg(a != NULL && b != NULL && strcmp(a, b) == 0,
		      "%s: the mirror differs from the library\nmirror:\n%.2000s\nlibrary:\n%.2000s",
		      when, a ? a : "(null)", b ? b : "(null)");
	free(a);
	free(b);
}

START_TEST(first_sync_mirrors_the_series_library_and_an_unchanged_one_costs_one_request)
{
	struct sync_report r;

	start(&F, "sonarr", "6");
	add("tv", "sonarr", &F);
	sync_ok("tv", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM series"), 6);
	ck_assert_int_eq(count("SELECT count(*) FROM seasons"), 12);
	ck_assert_int_eq(count("SELECT count(*) FROM episodes"), 48);
	ck_assert_int_gt(count("SELECT count(*) FROM quality_profiles"), 0);
	/* A first import is one event with the counts, not one per item. */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'item_added'"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'library_imported' "
			       "AND (payload->>'series')::int = 6 AND (payload->>'episodes')::int = 48"),
			 1);
	ck_assert_int_eq(r.counts.events, 1);
	assert_mirror_equals_fake(&F, 1, "after the first sync");
	ck_assert_int_eq(count("SELECT count(*) FROM sync_state WHERE last_sync_at IS NOT NULL "
			       "AND consecutive_failures = 0"), 1);

	sync_ok("tv", 0, &r);
	/* the series list, and one page of the download queue */
	ck_assert_msg(r.api_calls == 2, "an unchanged library should cost 2 requests, took %lu",
		      r.api_calls);
	ck_assert_int_eq(r.refetched, 0);
	ck_assert_int_eq(r.counts.events, 0);
	ck_assert_int_eq(r.counts.series_updated + r.counts.episodes_updated + r.counts.files_written +
			 r.counts.seasons_written, 0);
}
END_TEST

START_TEST(incremental_sync_sees_each_kind_of_change_and_writes_its_event)
{
	struct sync_report r;
	long long ep, before;

	start(&F, "sonarr", "4");
	add("tv", "sonarr", &F);
	sync_ok("tv", 0, &r);
	/* an episode without a file that has a gap entry */
	ep = count("SELECT min(arr_id) FROM episodes WHERE NOT has_file AND season_number > 0");
	ck_assert_int_gt(ep, 0);
	pgtest_exec(&T, "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		    "SELECT connector_id, id, 'gap' FROM episodes WHERE arr_id = "
		    "(SELECT min(arr_id) FROM episodes WHERE NOT has_file AND season_number > 0)");
	{
		char body[128];

		snprintf(body, sizeof(body), "{\"op\":\"add_episode_file\",\"id\":%lld,\"quality\":7}", ep);
		call(&F, "POST", "/__fake/mutate", body);
	}
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"set_monitored\",\"type\":\"series\",\"id\":2,"
	     "\"monitored\":false}");
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"add_series\",\"count\":1}");
	before = count("SELECT count(*) FROM events");
	sync_ok("tv", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'file_gained'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'monitored_changed' "
			       "AND payload->>'type' = 'series'"), 1);
	/* the new series (the first four came in the import event) */
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'item_added'"), 1);
	ck_assert_msg(count("SELECT count(*) FROM search_registry") == 0,
		      "a file gained must clear the gap entry (Req 3.4)");
	ck_assert_int_gt(count("SELECT count(*) FROM events") - before, 2);
	assert_mirror_equals_fake(&F, 1, "after an incremental sync");
}
END_TEST

START_TEST(removed_series_cascades_to_episodes_and_search_state)
{
	struct sync_report r;

	start(&F, "sonarr", "3");
	add("tv", "sonarr", &F);
	sync_ok("tv", 0, &r);
	pgtest_exec(&T, "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		    "SELECT e.connector_id, e.id, 'gap' FROM episodes e JOIN series s "
		    "ON s.id = e.series_id WHERE s.arr_id = 1 AND NOT e.has_file");
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"remove_series\",\"id\":1}");
	sync_ok("tv", 0, &r);
	ck_assert_int_eq(r.counts.series_removed, 1);
	ck_assert_int_eq(count("SELECT count(*) FROM series WHERE arr_id = 1"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM episodes e JOIN series s ON s.id = e.series_id "
			       "WHERE s.arr_id = 1"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM search_registry"), 0);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'item_removed' AND "
			       "payload->>'type' = 'series'"), 1);
}
END_TEST

START_TEST(movies_are_mirrored_with_file_quality_and_changes)
{
	struct sync_report r;

	start(&F, "radarr", "30");
	add("films", "radarr", &F);
	sync_ok("films", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM movies"), 30);
	assert_mirror_equals_fake(&F, 0, "after the first movie sync");
	{
		char body[96];

		snprintf(body, sizeof(body), "{\"op\":\"set_movie_file\",\"id\":%lld,"
			 "\"has_file\":false}", count("SELECT min(arr_id) FROM movies WHERE has_file"));
		call(&F, "POST", "/__fake/mutate", body);
	}
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"set_monitored\",\"type\":\"movie\",\"id\":4,"
	     "\"monitored\":false}");
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"remove_movie\",\"id\":5}");
	sync_ok("films", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'file_lost'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'item_removed'"), 1);
	ck_assert_int_ge(count("SELECT count(*) FROM events WHERE kind = 'monitored_changed'"), 1);
	assert_mirror_equals_fake(&F, 0, "after movie changes");
	sync_ok("films", 0, &r);
	ck_assert_int_eq(r.counts.events, 0);
	ck_assert_int_eq(r.counts.movies_updated, 0);
}
END_TEST

START_TEST(a_failing_series_request_rolls_the_connector_back_and_others_continue)
{
	struct sync_report r;
	struct err e = ERR_INIT;
	char *before, *after;

	start(&F, "sonarr", "4");
	start(&F2, "radarr", "10");
	add("tv", "sonarr", &F);
	add("films", "radarr", &F2);
	sync_ok("tv", 0, &r);
	before = mirror_text(1);
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"add_series\",\"count\":2}");
	call(&F, "POST", "/__fake/fault", "{\"kind\":\"status5xx\",\"path\":\"/api/v3/episode\","
	     "\"status\":500}");
	ck_assert_int_eq(sync("tv", 1, &r, &e), -1);
	ck_assert_int_eq(r.status, SYNC_FAILED);
	after = mirror_text(1);
	ck_assert_msg(strcmp(before, after) == 0, "a failed sync changed the mirror");
	ck_assert_int_eq(count("SELECT consecutive_failures FROM sync_state s JOIN connectors c "
			       "ON c.id = s.connector_id WHERE c.name = 'tv'"), 1);
	sync_ok("films", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM movies"), 10);
	free(before);
	free(after);
}
END_TEST

START_TEST(malformed_records_are_skipped_and_the_sync_completes_without_deleting)
{
	struct sync_report r;

	start(&F, "sonarr", "6");
	add("tv", "sonarr", &F);
	sync_ok("tv", 0, &r);
	call(&F, "POST", "/__fake/fault", "{\"kind\":\"missing_fields\",\"path\":\"/api/v3/series\","
	     "\"every\":3}");
	sync_ok("tv", 1, &r);
	ck_assert_int_gt(r.skipped_records, 0);
	ck_assert_msg(count("SELECT count(*) FROM series") == 6,
		      "series left out of a list with malformed records must be kept");
}
END_TEST

START_TEST(a_refused_key_marks_the_connector_auth_failed_with_an_event)
{
	struct sync_report r;
	struct err e = ERR_INIT;

	start(&F, "sonarr", "2");
	add("tv", "sonarr", &F);
	call(&F, "POST", "/__fake/fault", "{\"kind\":\"auth\"}");
	ck_assert_int_eq(sync("tv", 0, &r, &e), -1);
	ck_assert_int_eq(e.kind, ERR_AUTH);
	ck_assert_int_eq(count("SELECT count(*) FROM connectors WHERE auth_failed AND "
			       "health = 'unhealthy'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'connector_auth_failed'"), 1);
	/* unhealthy connectors are skipped until a health check clears them */
	ck_assert_int_eq(sync("tv", 0, &r, &e), 0);
	ck_assert_int_eq(r.status, SYNC_SKIPPED);
}
END_TEST

START_TEST(a_503_window_while_the_app_starts_is_retried)
{
	struct sync_report r;

	start(&F, "sonarr", "2");
	add("tv", "sonarr", &F);
	call(&F, "POST", "/__fake/fault", "{\"kind\":\"startup\",\"count\":2,\"retry_after\":0}");
	sync_ok("tv", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM series"), 2);
}
END_TEST

START_TEST(consecutive_failures_mark_the_connector_unhealthy_at_the_threshold)
{
	struct sync_report r;
	struct err e = ERR_INIT;
	int i;

	start(&F, "sonarr", "2");
	add("tv", "sonarr", &F);
	pgtest_exec(&T, "INSERT INTO settings (key, value) VALUES ('sync.failure_threshold', '2')");
	call(&F, "POST", "/__fake/fault", "{\"kind\":\"status5xx\",\"status\":500}");
	for (i = 0; i < 2; i++) {
		err_clear(&e);
		ck_assert_int_eq(sync("tv", 0, &r, &e), -1);
	}
	ck_assert_int_eq(count("SELECT count(*) FROM connectors WHERE health = 'unhealthy'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'connector_unhealthy'"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM sync_state WHERE next_retry_at IS NOT NULL"), 1);
}
END_TEST

START_TEST(a_second_sync_of_the_same_connector_skips)
{
	struct sync_report r;
	struct err e = ERR_INIT;
	PGconn *other = NULL;
	long long id;

	start(&F, "sonarr", "2");
	add("tv", "sonarr", &F);
	id = count("SELECT id FROM connectors WHERE name = 'tv'");
	ck_assert_msg(db_connect(&T.cfg, "comradarr-test", &other, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(db_try_lock(other, DB_LOCK_SYNC, (int)id, &e), 1);
	ck_assert_int_eq(sync("tv", 0, &r, &e), 0);
	ck_assert_int_eq(r.status, SYNC_SKIPPED);
	ck_assert_int_eq(count("SELECT count(*) FROM series"), 0);
	/* Unlock before closing: a closed connection's backend lets go of its
	 * locks only when it has exited, which a loaded machine delays. */
	ck_assert_msg(db_unlock(other, DB_LOCK_SYNC, (int)id, &e) == 0, "%s", e.msg);
	PQfinish(other);
	sync_ok("tv", 0, &r);
}
END_TEST

START_TEST(health_check_stores_status_history_and_an_event_on_change)
{
	struct sync_report r;
	struct connector c;
	struct sync_opts o;
	struct err e = ERR_INIT;

	start(&F, "sonarr", "1");
	add("tv", "sonarr", &F);
	memset(&o, 0, sizeof(o));
	o.key = &K;
	o.health_only = 1;
	ck_assert_int_eq(db_connector_get(T.conn, "tv", &c, &e), 0);
	ck_assert_msg(sync_connector(T.conn, &c, &o, &r, &e) == 0, "%s", e.msg);
	connector_release(&c);
	ck_assert_str_eq(r.health, "healthy");
	ck_assert_int_eq(count("SELECT count(*) FROM connector_health_history"), 1);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'connector_health_changed'"), 1);
	ck_assert_int_eq(db_connector_get(T.conn, "tv", &c, &e), 0);
	ck_assert_int_eq(sync_connector(T.conn, &c, &o, &r, &e), 0);
	connector_release(&c);
	ck_assert_int_eq(count("SELECT count(*) FROM connector_health_history"), 2);
	ck_assert_int_eq(count("SELECT count(*) FROM events WHERE kind = 'connector_health_changed'"), 1);
}
END_TEST

/* Property 18 (Req 2.2): any mutations, then a sync => mirror == library. */
START_TEST(after_random_mutations_and_syncs_the_mirror_equals_the_library)
{
	struct sync_report r;
	int round;

	start(&F, "sonarr", "8");
	start(&F2, "radarr", "40");
	add("tv", "sonarr", &F);
	add("films", "radarr", &F2);
	sync_ok("tv", 0, &r);
	sync_ok("films", 0, &r);
	for (round = 0; round < 6; round++) {
		char body[96];

		snprintf(body, sizeof(body), "{\"op\":\"random\",\"seed\":%d,\"count\":12}", 100 + round);
		call(&F, "POST", "/__fake/mutate", body);
		call(&F2, "POST", "/__fake/mutate", body);
		/* alternate: incremental rounds must converge too, full must always */
		sync_ok("tv", round % 2, &r);
		sync_ok("films", round % 2, &r);
		sync_ok("tv", 1, &r);
		assert_mirror_equals_fake(&F, 1, "series app");
		assert_mirror_equals_fake(&F2, 0, "movie app");
	}
}
END_TEST

/* sync.concurrency threads (Req 37.2) fetch episodes in parallel: the
 * mirror must be the same as one thread makes, every request counted. */
START_TEST(episodes_fetched_by_several_threads_equal_the_library_and_are_counted)
{
	struct sync_report r;

	start(&F, "sonarr", "9");
	add("tv", "sonarr", &F);
	pgtest_exec(&T, "INSERT INTO settings (key, value) VALUES ('sync.concurrency', '3')");
	sync_ok("tv", 1, &r);
	assert_mirror_equals_fake(&F, 1, "after a full sync with 3 fetch threads");
	/* qualityprofile + series + one episode list per series + the download queue */
	ck_assert_msg(r.api_calls == 3 + 9, "expected 12 requests, the report says %lu",
		      r.api_calls);
	ck_assert_int_eq(r.refetched, 9);
	ck_assert_int_eq(r.counts.episodes_added, 72);
	ck_assert_msg(r.bytes > 0, "the answer bytes were not counted");
	call(&F, "POST", "/__fake/mutate", "{\"op\":\"random\",\"seed\":3,\"count\":6}");
	pgtest_exec(&T, "UPDATE settings SET value = '1' WHERE key = 'sync.concurrency'");
	sync_ok("tv", 1, &r);
	assert_mirror_equals_fake(&F, 1, "after a full sync with 1 fetch thread");
}
END_TEST

/* What the app is downloading is stored (issue "discover": nothing in the
 * download queue is a candidate) and leaves when the download does. */
START_TEST(the_download_queue_is_mirrored_and_emptied_with_the_app)
{
	const char *const args[] = { "--app", "radarr", "--movies", "20", "--seed", "7",
				     "--missing", "0.5", "--command-ms", "60000", "--grab", "1.0",
				     "--import", "0", NULL };
	struct fakearr_resp resp;
	struct sync_report r;
	struct err e = ERR_INIT;
	char body[256], *ids;

	ck_assert_msg(fakearr_start(&F, NULL, args, &e) == 0, "fakearr: %s", e.msg);
	add("films", "radarr", &F);
	sync_ok("films", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM download_queue"), 0);
	ids = pgtest_scalar(&T, "SELECT string_agg(arr_id::text, ',' ORDER BY arr_id) FROM "
			   "(SELECT arr_id FROM movies WHERE monitored AND NOT has_file "
			   "ORDER BY arr_id LIMIT 2) m");
	ck_assert_ptr_nonnull(ids);
	snprintf(body, sizeof(body), "{\"name\":\"MoviesSearch\",\"movieIds\":[%s]}", ids);
	ck_assert_int_eq(fakearr_request(&F, "POST", "/api/v3/command", F.api_key, body, &resp, &e), 0);
	ck_assert_int_eq(resp.status, 201);
	fakearr_resp_free(&resp);
	/* a minute on the fake's clock: the search completes and grabs; the
	 * downloads would import one more minute later */
	call(&F, "POST", "/__fake/clock", "{\"advance_ms\":60000}");

	sync_ok("films", 0, &r);
	ck_assert_int_eq(r.queue_items, 2);
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM download_queue WHERE kind = 'movie' "
			 "AND arr_id IN (%s)", ids);
		ck_assert_int_eq(count(sql), 2);
	}
	/* unchanged: nothing is written again */
	sync_ok("films", 0, &r);
	ck_assert_int_eq(count("SELECT count(*) FROM download_queue"), 2);
	/* the downloads finish: the rows leave */
	call(&F, "POST", "/__fake/import", "{}");
	sync_ok("films", 0, &r);
	ck_assert_int_eq(r.queue_items, 0);
	ck_assert_int_eq(count("SELECT count(*) FROM download_queue"), 0);
	free(ids);
}
END_TEST

START_TEST(copy_text_escapes_what_the_copy_format_needs)
{
	struct buf b = BUF_INIT;

	ck_assert_int_eq(mirror_copy_text(&b, "a\\b\tc\nd\re"), 0);
	ck_assert_str_eq(b.data, "a\\\\b\\tc\\nd\\re");
	buf_reset(&b);
	ck_assert_int_eq(mirror_copy_text(&b, NULL), 0);
	ck_assert_str_eq(b.data, "\\N");
	buf_release(&b);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("sync");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, first_sync_mirrors_the_series_library_and_an_unchanged_one_costs_one_request);
	tcase_add_test(tc, incremental_sync_sees_each_kind_of_change_and_writes_its_event);
	tcase_add_test(tc, removed_series_cascades_to_episodes_and_search_state);
	tcase_add_test(tc, movies_are_mirrored_with_file_quality_and_changes);
	tcase_add_test(tc, a_failing_series_request_rolls_the_connector_back_and_others_continue);
	tcase_add_test(tc, malformed_records_are_skipped_and_the_sync_completes_without_deleting);
	tcase_add_test(tc, a_refused_key_marks_the_connector_auth_failed_with_an_event);
	tcase_add_test(tc, a_503_window_while_the_app_starts_is_retried);
	tcase_add_test(tc, consecutive_failures_mark_the_connector_unhealthy_at_the_threshold);
	tcase_add_test(tc, a_second_sync_of_the_same_connector_skips);
	tcase_add_test(tc, health_check_stores_status_history_and_an_event_on_change);
	tcase_add_test(tc, after_random_mutations_and_syncs_the_mirror_equals_the_library);
	tcase_add_test(tc, episodes_fetched_by_several_threads_equal_the_library_and_are_counted);
	tcase_add_test(tc, copy_text_escapes_what_the_copy_format_needs);
	tcase_add_test(tc, the_download_queue_is_mirrored_and_emptied_with_the_app);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
