/*
 * Pure pieces around the client: command builders (Req 29.4-29.5), the
 * pager's dedupe and stop rule (Req 29.1-29.2), the probe's status table
 * (Req 1.4) and version warnings, and dialect selection.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr/app.h"
#include "arr/command.h"
#include "arr/page.h"
#include "arr/parse.h"
#include "arr/probe.h"
#include "arr/radarr.h"

START_TEST(test_episode_search_takes_up_to_ten_ids)
{
	int ids[11] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	json_t *body = NULL;
	struct err e = ERR_INIT;
	char *s;

	ck_assert_int_eq(arr_command_episode_search(ids, 10, &body, &e), 0);
	s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"episodeIds\":[1,2,3,4,5,6,7,8,9,10],\"name\":\"EpisodeSearch\"}");
	free(s);
	json_decref(body);
	ck_assert_int_eq(arr_command_episode_search(ids, 11, &body, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	ck_assert_ptr_null(body);
	ck_assert_int_eq(arr_command_episode_search(ids, 0, &body, &e), -1);
}
END_TEST

START_TEST(test_movies_search_refuses_more_than_ten_and_bad_ids)
{
	int ids[12] = { 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	int bad[2] = { 3, 0 };
	json_t *body = NULL;
	struct err e = ERR_INIT;
	char *s;

	ck_assert_int_eq(arr_command_movies_search(ids, 12, &body, &e), -1);
	ck_assert_msg(strstr(e.msg, "12") != NULL, "message should say how many: %s", e.msg);
	ck_assert_int_eq(arr_command_movies_search(bad, 2, &body, &e), -1);
	ck_assert_int_eq(arr_command_movies_search(ids, 1, &body, &e), 0);
	s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"movieIds\":[5],\"name\":\"MoviesSearch\"}");
	free(s);
	json_decref(body);
}
END_TEST

START_TEST(test_season_and_series_search_bodies)
{
	json_t *body = NULL;
	char *s;

	ck_assert_int_eq(arr_command_season_search(12, 0, &body, NULL), 0);
	s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"name\":\"SeasonSearch\",\"seasonNumber\":0,\"seriesId\":12}");
	free(s);
	json_decref(body);
	ck_assert_int_eq(arr_command_series_search(12, &body, NULL), 0);
	s = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_str_eq(s, "{\"name\":\"SeriesSearch\",\"seriesId\":12}");
	free(s);
	json_decref(body);
	ck_assert_int_eq(arr_command_series_search(0, &body, NULL), -1);
	ck_assert_int_eq(arr_command_season_search(1, -1, &body, NULL), -1);
}
END_TEST

static int got[8192];
static int ngot;

static int
record(json_t *r, void *arg, struct err *e)
{
	(void)arg;
	(void)e;
	got[ngot++] = (int)json_integer_value(json_object_get(r, "id"));
	return 0;
}

START_TEST(test_pager_dedupes_overlapping_pages_and_stops_at_total)
{
	/* page 2 repeats id 3 (an item left page 1 while we walked) */
	const char *pages[] = {
		"{\"page\":1,\"pageSize\":3,\"totalRecords\":7,\"records\":[{\"id\":1},{\"id\":2},{\"id\":3}]}",
		"{\"page\":2,\"pageSize\":3,\"totalRecords\":7,\"records\":[{\"id\":3},{\"id\":4},{\"id\":5}]}",
		"{\"page\":3,\"pageSize\":3,\"totalRecords\":7,\"records\":[{\"id\":6}]}",
	};
	struct arr_pager p;
	int i = 0;

	ngot = 0;
	arr_pager_init(&p, 3);
	while (!p.done) {
		json_t *doc;

		ck_assert_msg(i < 3, "pager asked for page %d of a 7-record list", p.next_page);
		doc = json_loads(pages[i++], 0, NULL);
		ck_assert_int_eq(arr_pager_feed(&p, doc, record, NULL, NULL), 0);
		json_decref(doc);
	}
	ck_assert_int_eq(i, 3);
	ck_assert_int_eq(ngot, 6);
	for (int k = 0; k < 6; k++)
		ck_assert_int_eq(got[k], k + 1);
	ck_assert_uint_eq(p.duplicates, 1);
	arr_pager_release(&p);
}
END_TEST

START_TEST(test_pager_stops_on_an_empty_page)
{
	struct arr_pager p;
	json_t *doc = json_loads("{\"page\":4,\"totalRecords\":5000,\"records\":[]}", 0, NULL);

	arr_pager_init(&p, 1000);
	ck_assert_int_eq(arr_pager_feed(&p, doc, record, NULL, NULL), 0);
	ck_assert(p.done);
	json_decref(doc);
	arr_pager_release(&p);
	ck_assert(arr_page_more(1, 1000, 1001, 1000));
	ck_assert(!arr_page_more(2, 1000, 1001, 1));
	ck_assert(!arr_page_more(1, 1000, 1000, 1000));
	ck_assert(!arr_page_more(1, 1000, 5000, 0));
}
END_TEST

START_TEST(test_pager_refuses_a_document_that_is_not_a_page)
{
	struct arr_pager p;
	struct err e = ERR_INIT;
	json_t *doc = json_loads("[{\"id\":1}]", 0, NULL);

	arr_pager_init(&p, 0);
	ck_assert_int_eq(arr_pager_feed(&p, doc, record, NULL, &e), -1);
	ck_assert_int_eq(e.kind, ERR_PARSE);
	json_decref(doc);
	arr_pager_release(&p);
}
END_TEST

START_TEST(test_pager_remembers_many_ids)
{
	struct arr_pager p;
	json_t *doc = json_object(), *recs = json_array();

	for (int i = 0; i < 5000; i++)
		json_array_append_new(recs, json_pack("{s:i}", "id", i % 2500));
	json_object_set_new(doc, "records", recs);
	json_object_set_new(doc, "totalRecords", json_integer(5000));
	arr_pager_init(&p, 5000);
	ngot = 0;
	ck_assert_int_eq(arr_pager_feed(&p, doc, record, NULL, NULL), 0);
	ck_assert_uint_eq(p.delivered, 2500);
	ck_assert_uint_eq(p.duplicates, 2500);
	json_decref(doc);
	arr_pager_release(&p);
}
END_TEST

START_TEST(test_probe_status_table)
{
	static const struct {
		struct arr_probe_facts f;
		enum arr_health want;
		const char *why;
	} table[] = {
		{ { 0, 0, 0, 1, 0, 0 }, ARR_HEALTH_HEALTHY, "answers, no health entries" },
		{ { 0, 0, 0, 1, 1, 0 }, ARR_HEALTH_DEGRADED, "a warning entry" },
		{ { 0, 0, 0, 1, 0, 2 }, ARR_HEALTH_DEGRADED, "error entries" },
		{ { 0, 0, 1, 1, 0, 0 }, ARR_HEALTH_DEGRADED, "one 5xx on health" },
		{ { 0, 1, 0, 0, 0, 0 }, ARR_HEALTH_UNHEALTHY, "key refused" },
		{ { 0, 1, 0, 1, 0, 0 }, ARR_HEALTH_UNHEALTHY, "key refused later" },
		{ { 0, 0, 2, 0, 0, 0 }, ARR_HEALTH_UNHEALTHY, "repeated 5xx" },
		{ { 0, 0, 3, 1, 0, 0 }, ARR_HEALTH_UNHEALTHY, "repeated 5xx after status" },
		{ { 1, 0, 0, 0, 0, 0 }, ARR_HEALTH_OFFLINE, "cannot connect" },
		{ { 0, 0, 0, 0, 0, 0 }, ARR_HEALTH_UNHEALTHY, "answers but not an *arr" },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum arr_health h = arr_probe_classify(&table[i].f);

		ck_assert_msg(h == table[i].want, "%s: expected %s, got %s", table[i].why,
			      arr_health_name(table[i].want), arr_health_name(h));
	}
}
END_TEST

static struct arr_system_status
status(const char *app, const char *version)
{
	struct arr_system_status st;

	memset(&st, 0, sizeof(st));
	snprintf(st.app_name, sizeof(st.app_name), "%s", app);
	snprintf(st.version, sizeof(st.version), "%s", version);
	ck_assert_int_eq(arr_version_parse(version, st.version_parts), 0);
	return st;
}

START_TEST(test_probe_warns_about_type_and_version)
{
	struct arr_probe_report r;
	struct arr_system_status st;

	memset(&r, 0, sizeof(r));
	st = status("Sonarr", "4.0.14.2939");
	arr_probe_check_version(ARR_APP_SONARR, &st, &r);
	ck_assert_int_eq(r.nwarnings, 0);

	st = status("Radarr", "5.2.6.8376");
	arr_probe_check_version(ARR_APP_SONARR, &st, &r);
	ck_assert_int_eq(r.nwarnings, 2);
	ck_assert_msg(strstr(r.warnings[0], "Radarr") && strstr(r.warnings[0], "sonarr"),
		      "got '%s'", r.warnings[0]);
	ck_assert_msg(strstr(r.warnings[1], "5.6.0.8846"), "got '%s'", r.warnings[1]);

	memset(&r, 0, sizeof(r));
	st = status("Radarr", "5.6.0.8846");
	arr_probe_check_version(ARR_APP_RADARR, &st, &r);
	ck_assert_int_eq(r.nwarnings, 0);
	st = status("Sonarr", "3.0.10.1567");
	arr_probe_check_version(ARR_APP_SONARR, &st, &r);
	ck_assert_int_eq(r.nwarnings, 1);
}
END_TEST

START_TEST(test_dialect_comes_from_app_name_and_version)
{
	struct arr_system_status st;
	enum arr_dialect d;
	struct err e = ERR_INIT;

	st = status("Whisparr", "2.0.0.548");
	ck_assert_int_eq(arr_dialect_from_status(&st, &d, &e), 0);
	ck_assert_int_eq(d, ARR_DIALECT_WHISPARR_V2);
	st = status("Whisparr", "3.0.0.1000");
	ck_assert_int_eq(arr_dialect_from_status(&st, &d, &e), 0);
	ck_assert_int_eq(d, ARR_DIALECT_WHISPARR_V3);
	st = status("Prowlarr", "1.20.0");
	ck_assert_int_eq(arr_dialect_from_status(&st, &d, &e), 0);
	ck_assert_int_eq(d, ARR_DIALECT_PROWLARR);
	st = status("Lidarr", "2.0");
	ck_assert_int_eq(arr_dialect_from_status(&st, &d, &e), -1);
	ck_assert_int_eq(e.kind, ERR_PARSE);
	{
		int old[4] = { 5, 6, 0, 8845 }, ok[4] = { 5, 6, 0, 8846 }, v6[4] = { 6, 0, 0, 1 };

		ck_assert(!arr_radarr_has_wanted(ARR_DIALECT_RADARR, old));
		ck_assert(arr_radarr_has_wanted(ARR_DIALECT_RADARR, ok));
		ck_assert(arr_radarr_has_wanted(ARR_DIALECT_RADARR, v6));
		ck_assert(!arr_radarr_has_wanted(ARR_DIALECT_WHISPARR_V3, v6));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_command");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_episode_search_takes_up_to_ten_ids);
	tcase_add_test(tc, test_movies_search_refuses_more_than_ten_and_bad_ids);
	tcase_add_test(tc, test_season_and_series_search_bodies);
	tcase_add_test(tc, test_pager_dedupes_overlapping_pages_and_stops_at_total);
	tcase_add_test(tc, test_pager_stops_on_an_empty_page);
	tcase_add_test(tc, test_pager_refuses_a_document_that_is_not_a_page);
	tcase_add_test(tc, test_pager_remembers_many_ids);
	tcase_add_test(tc, test_probe_status_table);
	tcase_add_test(tc, test_probe_warns_about_type_and_version);
	tcase_add_test(tc, test_dialect_comes_from_app_name_and_version);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
