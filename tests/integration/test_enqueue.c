/*
 * comradarr-enqueue's stage against a real PostgreSQL (Req 5.1, 6, 29.4,
 * 29.5; Properties 9, 10, 17 end to end): season packs or episodes, movie
 * batches, candidate lines in, and concurrent runs that never queue an
 * entry twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#include "core/jsonl.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/queue.h"
#include "db/queue_add.h"
#include "db/throttle.h"
#include "policy/batch.h"
#include "stage/discover.h"
#include "stage/enqueue.h"
#include "stage/explain.h"
#include "pgtest.h"

/* 2026-01-01T00:00:00Z */
#define NOW_S 1767225600LL
#define NOW_US (NOW_S * 1000000LL)
#define DAY_S 86400LL

static struct pgtest T;
static struct secret_key K;
static int64_t tv, films;

static void
setup(void)
{
	struct err e = ERR_INIT;

	pgtest_create(&T, "enqueue");
	ck_assert_msg(secret_key_parse(getenv("SECRET_KEY"), &K, &e) == 0, "%s", e.msg);
	ck_assert_msg(db_throttle_seed_presets(T.conn, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	pgtest_drop(&T);
}

static int64_t
add_connector(const char *name, const char *type)
{
	struct connector c;
	struct err e = ERR_INIT;
	int64_t id;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.type, sizeof(c.type), "%s", type);
	c.url = strdup("http://127.0.0.1:1");
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 5000;
	ck_assert_msg(db_connector_add(T.conn, &K, &c, "0123456789abcdef0123456789abcdef", &e) == 0,
		      "add: %s", e.msg);
	id = c.id;
	connector_release(&c);
	return id;
}

static void
tv_fixture(void)
{
	char sql[1024];

	tv = add_connector("tv", "sonarr");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO series (connector_id, arr_id, title, monitored) VALUES "
		 " (%lld, 10, 'Lost', true), (%lld, 11, 'Quiet', true); "
		 "INSERT INTO seasons (series_id, season_number, monitored, total_episode_count) "
		 " SELECT id, n, true, 10 FROM series, generate_series(1, 3) n",
		 (long long)tv, (long long)tv);
	pgtest_exec(&T, sql);
}

/*
 * Season `season` of series arr `series`: `total` episodes aired weekly up
 * to a month ago, the first `missing` of them without a file.  Episode arr
 * ids are series*1000 + season*100 + number.
 */
static void
season(int series, int season, int total, int missing)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		 " episode_number, title, air_date_utc, runtime, monitored, has_file, episode_file_id) "
		 "SELECT %lld, s.id, %d * 1000 + %d * 100 + n, %d, n, 'Ep ' || n, "
		 " to_timestamp(%lld) - (%d - n + 4) * interval '7 days', 45, true, n > %d, "
		 " CASE WHEN n > %d THEN n ELSE NULL END "
		 "FROM series s, generate_series(1, %d) n WHERE s.connector_id = %lld AND s.arr_id = %d",
		 (long long)tv, series, season, season, NOW_S, total, missing, missing, total,
		 (long long)tv, series);
	pgtest_exec(&T, sql);
}

static void
discover(const char *name, FILE *out)
{
	struct connector c;
	struct discover_opts o;
	struct discover_report r;
	struct jsonl j;
	struct err e = ERR_INIT;

	ck_assert_msg(db_connector_get(T.conn, name, &c, &e) == 0, "%s", e.msg);
	memset(&o, 0, sizeof(o));
	jsonl_init(&j, out);
	o.now_us = NOW_US;
	o.out = out != NULL ? &j : NULL;
	ck_assert_msg(discover_connector(T.conn, &c, &o, &r, &e) == 0, "discover: %s", e.msg);
	connector_release(&c);
}

static void
enqueue(FILE *in, FILE *out, struct enqueue_report *r)
{
	struct enqueue_opts o;
	struct jsonl j;
	struct err e = ERR_INIT;

	memset(&o, 0, sizeof(o));
	jsonl_init(&j, out);
	o.in = in;
	o.now_us = NOW_US;
	o.out = &j;
	ck_assert_msg(enqueue_run(T.conn, &o, r, &e) == 0, "enqueue: %s", e.msg);
}

START_TEST(a_season_with_80_percent_missing_becomes_one_season_search)
{
	struct enqueue_report r;

	tv_fixture();
	season(10, 1, 10, 8);
	discover("tv", NULL);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 1);
	ck_assert_int_eq(r.season_packs, 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE command = "
				      "'SeasonSearch' AND series_arr_id = 10 AND season_number = 1 "
				      "AND indexer_queries = 1 AND cardinality(arr_ids) = 0"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 8);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'queued'"), 8);
	/* the batch carries the highest priority of its entries */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue q WHERE q.priority = "
				      "(SELECT max(priority) FROM search_registry)"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM events WHERE kind = 'enqueue_done'"),
			 1);
	{
		/* explain shows the entry's state, its batch and the season's decision */
		json_t *x = NULL, *reg;
		struct err e = ERR_INIT;

		ck_assert_msg(explain_item(T.conn, "tv", REGISTRY_EPISODE, 10101, NOW_US, &x, &e) == 0,
			      "explain: %s", e.msg);
		ck_assert_msg(json_is_true(json_object_get(json_object_get(x, "gap"), "candidate")),
			      "a gap");
		reg = json_array_get(json_object_get(x, "registry"), 0);
		ck_assert_str_eq(json_string_value(json_object_get(reg, "state")), "queued");
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(reg, "batch"),
								   "command")), "SeasonSearch");
		ck_assert_msg(json_is_object(json_object_get(reg, "breakdown")), "breakdown");
		/* the pack is queued now, so a further gap of the season would wait */
		ck_assert_str_eq(json_string_value(json_object_get(json_object_get(x, "batch"),
								   "season_reason")), "season_pack_cooldown");
		json_decref(x);
		ck_assert_int_eq(explain_item(T.conn, "tv", REGISTRY_EPISODE, 99999, NOW_US, &x, &e),
				 -1);
		ck_assert_int_eq(e.kind, ERR_NOTFOUND);
	}
}
END_TEST

START_TEST(a_season_with_two_missing_becomes_one_episode_search_of_two_ids)
{
	struct enqueue_report r;

	tv_fixture();
	season(10, 2, 10, 2);
	discover("tv", NULL);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE command = "
				      "'EpisodeSearch' AND arr_ids = '{10201,10202}' "
				      "AND indexer_queries = 2 AND series_arr_id = 10"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'queued'"), 2);
}
END_TEST

START_TEST(an_airing_season_is_searched_episode_by_episode)
{
	struct enqueue_report r;
	char sql[256];

	tv_fixture();
	season(10, 3, 10, 8);
	snprintf(sql, sizeof(sql), "UPDATE seasons SET next_airing = to_timestamp(%lld) "
		 "WHERE season_number = 3", NOW_S + 3 * DAY_S);
	pgtest_exec(&T, sql);
	discover("tv", NULL);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.season_packs, 0);
	/* moderate profile: 5 ids per command */
	ck_assert_int_eq(r.batches, 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT sum(cardinality(arr_ids)) FROM request_queue "
				      "WHERE command = 'EpisodeSearch'"), 8);
	ck_assert_int_eq(pgtest_count(&T, "SELECT sum(indexer_queries) FROM request_queue"), 8);
}
END_TEST

static void
movies(int n)
{
	char sql[512];

	films = add_connector("films", "radarr");
	snprintf(sql, sizeof(sql),
		 "INSERT INTO movies (connector_id, arr_id, title, year, monitored, is_available, "
		 " has_file, digital_release) SELECT %lld, n, 'Movie ' || n, 2020, true, true, false, "
		 " to_timestamp(%lld) - n * interval '1 day' FROM generate_series(1, %d) n",
		 (long long)films, NOW_S, n);
	pgtest_exec(&T, sql);
}

START_TEST(twenty_five_missing_movies_become_three_movies_search_batches)
{
	struct enqueue_report r;
	struct enqueue_opts o;
	struct err e = ERR_INIT;

	movies(25);
	discover("films", NULL);
	/* the default profile (moderate) sends 5 ids per command */
	memset(&o, 0, sizeof(o));
	o.now_us = NOW_US;
	o.dry_run = 1;
	ck_assert_msg(enqueue_run(T.conn, &o, &r, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(r.batches, 5);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue"), 0);
	/* a profile with 10 (Req 29.5) */
	ck_assert_msg(db_throttle_assign(T.conn, "films", "aggressive", &e) == 0, "%s", e.msg);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 3);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE command = "
				      "'MoviesSearch'"), 3);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE "
				      "cardinality(arr_ids) = 10"), 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE "
				      "cardinality(arr_ids) = 5"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(DISTINCT a) FROM request_queue, "
				      "unnest(arr_ids) a"), 25);
	/* the listing (comradarr queue list) reads them back whole */
	{
		struct db_queue_batch *list = NULL;
		size_t n = 0, items = 0;
		int ids = 0;

		ck_assert_msg(db_queue_list(T.conn, "films", 10, &list, &n, &e) == 0, "%s", e.msg);
		ck_assert_int_eq(n, 3);
		for (size_t i = 0; i < n; i++) {
			ck_assert_str_eq(list[i].command, "MoviesSearch");
			ck_assert_str_eq(list[i].claimed_by, "");
			ck_assert_int_eq(list[i].indexer_queries, list[i].nids);
			ck_assert_int_eq((int)list[i].nitems, list[i].nids);
			items += list[i].nitems;
			ids += list[i].nids;
			ck_assert(i == 0 || list[i - 1].priority >= list[i].priority);
			db_queue_batch_release(&list[i]);
		}
		ck_assert_int_eq(items, 25);
		ck_assert_int_eq(ids, 25);
		free(list);
	}
	/* a second run finds nothing eligible: nothing is queued twice */
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 0);
}
END_TEST

START_TEST(concurrent_enqueue_runs_never_duplicate_a_queue_row)
{
	pid_t pids[4];
	int ok = 0;

	movies(60);
	discover("films", NULL);
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			PGconn *db = NULL;
			struct enqueue_opts o;
			struct enqueue_report r;
			struct err e = ERR_INIT;
			int rc;

			if (db_connect(&T.cfg, "comradarr-test", &db, &e) < 0)
				_exit(2);
			memset(&o, 0, sizeof(o));
			o.now_us = NOW_US;
			rc = enqueue_run(db, &o, &r, &e);
			PQfinish(db);
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int st;

		waitpid(pids[i], &st, 0);
		ok += WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	ck_assert_int_eq(ok, 4);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue_items"), 60);
	ck_assert_int_eq(pgtest_count(&T, "SELECT sum(cardinality(arr_ids)) FROM request_queue"), 60);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(DISTINCT a) FROM request_queue, "
				      "unnest(arr_ids) a"), 60);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'queued'"), 60);
}
END_TEST

/* Copy the lines of `in` that contain `needle` to a new temporary file. */
static FILE *
grep_lines(FILE *in, const char *needle, const char *extra)
{
	FILE *out = tmpfile();
	char line[8192];

	rewind(in);
	if (extra != NULL)
		fputs(extra, out);
	while (fgets(line, sizeof(line), in) != NULL)
		if (strstr(line, needle) != NULL)
			fputs(line, out);
	rewind(out);
	return out;
}

START_TEST(candidate_lines_narrow_what_is_queued_and_bad_lines_are_reported)
{
	struct enqueue_report r;
	FILE *cand = tmpfile(), *in, *out = tmpfile();
	char buf[8192];
	size_t n;

	tv_fixture();
	season(10, 2, 10, 2);
	season(11, 2, 10, 2);
	discover("tv", cand);
	in = grep_lines(cand, "\"series\":\"Lost\"",
			"this is not json\n"
			"{\"event\":\"mystery\",\"ts\":\"x\"}\n"
			"{\"event\":\"discover_done\",\"connector\":\"tv\"}\n"
			"{\"event\":\"candidate\",\"connector\":\"nope\",\"type\":\"gap\","
			"\"kind\":\"episode\",\"id\":1}\n");
	enqueue(in, out, &r);
	ck_assert_int_eq(r.bad_lines, 3);
	ck_assert_int_eq(r.items, 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry r JOIN episodes e "
				      "ON e.id = r.episode_id JOIN series s ON s.id = e.series_id "
				      "WHERE r.state = 'queued' AND s.title = 'Lost'"), 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'pending'"), 2);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, "\"event\":\"input_skipped\"") != NULL, "skips reported: %s", buf);
	ck_assert_msg(strstr(buf, "\"line\":1") != NULL && strstr(buf, "\"line\":2") != NULL &&
		      strstr(buf, "\"line\":4") != NULL, "line numbers given: %s", buf);
	ck_assert_msg(strstr(buf, "\"line\":3") == NULL, "a summary line is not an error: %s", buf);
	fclose(cand);
	fclose(in);
	fclose(out);
}
END_TEST

START_TEST(a_queued_season_pack_holds_new_gaps_back_and_a_failed_one_falls_back)
{
	struct enqueue_report r;
	char sql[512];

	tv_fixture();
	season(10, 1, 10, 8);
	discover("tv", NULL);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.season_packs, 1);
	/* a ninth episode of the season goes missing while the pack is queued */
	pgtest_exec(&T, "UPDATE episodes SET has_file = false, episode_file_id = NULL "
		    "WHERE arr_id = 10109");
	discover("tv", NULL);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.waiting, 1);
	ck_assert_int_eq(r.batches, 0);
	/* the pack found nothing: the dispatcher put its entries in cooldown
	 * with pack_failed; once the cooldown is over, episodes (Req 6.5) */
	snprintf(sql, sizeof(sql), "DELETE FROM request_queue; UPDATE search_registry SET "
		 "state = 'cooldown', attempts = 1, pack_failed = true, next_eligible_at = "
		 "to_timestamp(%lld)", NOW_S - 60);
	pgtest_exec(&T, sql);
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.season_packs, 0);
	ck_assert_int_eq(r.items, 9);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE command = "
				      "'EpisodeSearch'"), 2);
}
END_TEST

/* The season statistics behind the pack decision (Req 6.1, 6.3): enqueue
 * reads only the seasons that could become a pack or must wait for one,
 * connector-wide, and that changes no decision. */
START_TEST(pack_seasons_list_what_can_change_a_decision_and_decide_the_same)
{
	struct queue_season *all = NULL, *pack = NULL;
	size_t nall = 0, npack = 0;
	struct batch_season_config cfg;
	struct err e = ERR_INIT;
	int64_t sid[4];
	int sn[4] = { 1, 2, 3, 4 };
	char *lost, sql[512];

	tv_fixture();
	season(10, 1, 10, 8);
	season(10, 2, 10, 2);
	season(10, 3, 10, 0);
	season(10, 4, 10, 2);
	/* a season search for season 4 is queued: its episodes must wait */
	snprintf(sql, sizeof(sql), "INSERT INTO request_queue (connector_id, command, "
		 "series_arr_id, season_number, indexer_queries, priority) "
		 "VALUES (%lld, 'SeasonSearch', 10, 4, 1, 1)", (long long)tv);
	pgtest_exec(&T, sql);
	lost = pgtest_scalar(&T, "SELECT id FROM series WHERE arr_id = 10");
	sid[0] = sid[1] = sid[2] = sid[3] = strtoll(lost, NULL, 10);
	free(lost);
	ck_assert_msg(db_queue_seasons(T.conn, tv, NOW_US, sid, sn, 4, &all, &nall, &e) == 0,
		      "%s", e.msg);
	ck_assert_msg(db_queue_pack_seasons(T.conn, tv, NOW_US, 3, &pack, &npack, &e) == 0,
		      "%s", e.msg);
	ck_assert_msg(nall == 4 && npack == 2, "expected 4 and 2 seasons, got %zu and %zu",
		      nall, npack);
	batch_season_config_default(&cfg);
	for (size_t j = 0; j < nall; j++) {
		const struct queue_season *a = &all[j], *f = NULL;
		enum batch_season_choice want = batch_season_decide(&a->s, &cfg, NULL);

		ck_assert_int_eq(a->counted, 1);
		for (size_t i = 0; i < npack; i++)
			if (pack[i].season_number == a->season_number)
				f = &pack[i];
		if (f == NULL) {
			/* unlisted: enqueue searches its gaps one by one */
			ck_assert_msg(want == BATCH_EPISODES || want == BATCH_NOTHING,
				      "season %d is not listed but decides %s", a->season_number,
				      batch_season_choice_name(want));
			continue;
		}
		ck_assert_int_eq(f->s.missing_aired, a->s.missing_aired);
		ck_assert_int_eq(batch_season_decide(&f->s, &cfg, NULL), want);
		if (f->season_number == 1) {
			ck_assert_msg(f->counted && f->s.total_episodes == 10 &&
				      f->s.aired_episodes == 10 && f->s.missing_aired == 8 &&
				      want == BATCH_SEASON,
				      "season 1: expected a pack of 10 episodes, 10 aired, 8 missing; "
				      "got %d, %d, %d, counted %d", f->s.total_episodes,
				      f->s.aired_episodes, f->s.missing_aired, f->counted);
		} else {
			ck_assert_msg(f->season_number == 4 && !f->counted &&
				      f->s.pack_in_cooldown && want == BATCH_WAIT,
				      "season %d: expected season 4, waiting on its pack, not counted",
				      f->season_number);
		}
	}
	free(all);
	free(pack);
}
END_TEST

/* --limit takes the highest priorities first (the series override of
 * Req 5.1 puts "Quiet" ahead); without it the order is batch_form()'s. */
/* Req 6.4: at most queue.max_per_series searches of a series at once. */
START_TEST(a_series_gets_at_most_max_per_series_searches_at_once)
{
	struct enqueue_report r;

	tv_fixture();
	pgtest_exec(&T, "UPDATE connectors SET season_pack_enabled = false");
	pgtest_exec(&T, "INSERT INTO settings (key, value) VALUES ('queue.max_per_series', '1')");
	season(10, 1, 20, 12);	/* 12 missing: three EpisodeSearch of 5, 5, 2 */
	season(11, 1, 10, 3);
	discover("tv", NULL);
	memset(&r, 0, sizeof(r));
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 2);
	ck_assert_int_eq(r.held, 7);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue q JOIN series s ON "
				      "s.arr_id = q.series_arr_id WHERE s.arr_id = 10"), 1);
	/* the highest-priority batch went first; the rest wait, pending */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'pending'"), 7);
	/* while it is queued, the series gets nothing more */
	memset(&r, 0, sizeof(r));
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 0);
	ck_assert_int_eq(r.held, 7);
	/* a wider limit lets the rest in */
	pgtest_exec(&T, "UPDATE settings SET value = '5' WHERE key = 'queue.max_per_series'");
	memset(&r, 0, sizeof(r));
	enqueue(NULL, NULL, &r);
	ck_assert_int_eq(r.batches, 2);
	ck_assert_int_eq(r.held, 0);
}
END_TEST

START_TEST(a_limit_queues_the_highest_priority_entries_first)
{
	struct enqueue_opts o;
	struct enqueue_report r;
	struct err e = ERR_INIT;

	tv_fixture();
	season(10, 2, 10, 2);
	season(11, 2, 10, 2);
	pgtest_exec(&T, "UPDATE series SET priority_override = 100 WHERE arr_id = 11");
	discover("tv", NULL);
	memset(&o, 0, sizeof(o));
	o.now_us = NOW_US;
	o.limit = 2;
	ck_assert_msg(enqueue_run(T.conn, &o, &r, &e) == 0, "enqueue: %s", e.msg);
	ck_assert_int_eq(r.items, 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE "
				      "arr_ids = '{11201,11202}'"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry "
				      "WHERE state = 'pending'"), 2);
}
END_TEST

START_TEST(discover_piped_through_jq_into_enqueue_queues_the_selection)
{
	char cmd[1024];
	const char *bin = getenv("COMRADARR_BIN_DIR");
	int rc;

	if (bin == NULL)
		bin = "build/bin";
	if (system("command -v jq >/dev/null 2>&1") != 0) {
		printf("SKIPPED: pipeline test: jq not installed\n");
		return;
	}
	tv_fixture();
	season(10, 2, 10, 2);
	season(11, 2, 10, 2);
	snprintf(cmd, sizeof(cmd), "COMRADARR_FAKE_NOW=%lld %s/comradarr-discover --connector tv "
		 "| jq -c 'select(.series==\"Lost\")' | COMRADARR_FAKE_NOW=%lld "
		 "%s/comradarr-enqueue > /dev/null", NOW_S, bin, NOW_S, bin);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "pipeline exit %d", rc);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue WHERE "
				      "arr_ids = '{10201,10202}'"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue"), 1);
	/* alone from a timer (stdin not a pipe): every eligible entry */
	snprintf(cmd, sizeof(cmd), "COMRADARR_FAKE_NOW=%lld %s/comradarr-enqueue < /dev/null "
		 "> /dev/null", NOW_S, bin);
	rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "enqueue exit %d", rc);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM request_queue"), 2);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("enqueue");
	TCase *tc = tcase_create("enqueue");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	if (sodium_init() < 0)
		return 1;
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_season_with_80_percent_missing_becomes_one_season_search);
	tcase_add_test(tc, a_season_with_two_missing_becomes_one_episode_search_of_two_ids);
	tcase_add_test(tc, an_airing_season_is_searched_episode_by_episode);
	tcase_add_test(tc, twenty_five_missing_movies_become_three_movies_search_batches);
	tcase_add_test(tc, concurrent_enqueue_runs_never_duplicate_a_queue_row);
	tcase_add_test(tc, a_series_gets_at_most_max_per_series_searches_at_once);
	tcase_add_test(tc, candidate_lines_narrow_what_is_queued_and_bad_lines_are_reported);
	tcase_add_test(tc, a_queued_season_pack_holds_new_gaps_back_and_a_failed_one_falls_back);
	tcase_add_test(tc, discover_piped_through_jq_into_enqueue_queues_the_selection);
	tcase_add_test(tc, pack_seasons_list_what_can_change_a_decision_and_decide_the_same);
	tcase_add_test(tc, a_limit_queues_the_highest_priority_entries_first);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
