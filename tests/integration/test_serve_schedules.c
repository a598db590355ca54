/*
 * test_serve_schedules.c - /api/schedules and /api/cron/preview over real
 * HTTP on loopback against a real database: a preview and its validation
 * errors in the one error shape, add / edit / enable / disable / remove,
 * "run now" running a real sweep that records its progress, and the access
 * levels (a read-only key and a read-only user are refused every change).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "clitest.h"
#include "pgtest.h"
#include "proc.h"
#include "servectl.h"

#define ADMIN_PW "correct horse battery staple"
#define USER_PW "a user password of some length"
#define RO_PW "a reader's long enough password"

static struct pgtest T;
static struct servectl S;

static void
setup(void)
{
	struct err e = ERR_INIT;
	const char *const args[] = { "--threads", "4", NULL };

	pgtest_create(&T, "serve_sched");
	clitest_add_user("admin", "admin", ADMIN_PW);
	clitest_add_user("ursula", "user", USER_PW);
	clitest_add_user("rita", "readonly", RO_PW);
	/* a connector with a small mirror: three monitored episodes without a file */
	pgtest_exec(&T, "INSERT INTO connectors (name, type, url, api_key_enc) VALUES "
		    "('tv', 'sonarr', 'http://127.0.0.1:9', '\\x00')");
	pgtest_exec(&T, "INSERT INTO series (connector_id, arr_id, title, monitored) "
		    "VALUES (1, 1, 'Swept Show', true)");
	pgtest_exec(&T, "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		    "episode_number, title, monitored, has_file, air_date_utc) SELECT 1, 1, g, 1, g, "
		    "'Ep ' || g, true, false, now() - interval '30 days' FROM generate_series(1, 3) g");
	ck_assert_msg(servectl_start(&S, args, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	char *err;

	servectl_stop(&S);
	err = servectl_output(&S, 1);
	ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		      "comradarr-serve: %s", err);
	free(err);
	servectl_cleanup(&S);
	pgtest_drop(&T);
}

static json_t *
call(const char *method, const char *path, const char *const hdrs[], const char *body, long want)
{
	struct http_resp r;
	json_t *j;

	ck_assert_msg(http_do(&S, method, path, hdrs, body, &r) == 0, "%s %s: no answer", method,
		      path);
	ck_assert_msg(r.status == want, "%s %s: status %ld, wanted %ld: %s", method, path, r.status,
		      want, r.body);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, r.body);
	http_resp_free(&r);
	return j;
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* A 400 in the one error shape naming field, its message holding text. */
static void
refused(const char *method, const char *path, const char *const hdrs[], const char *body,
	const char *field, const char *text)
{
	json_t *j = call(method, path, hdrs, body, 400), *err = json_object_get(j, "error");

	ck_assert_str_eq(jstr(err, "code"), "invalid");
	ck_assert_msg(jstr(err, "field") != NULL && strcmp(jstr(err, "field"), field) == 0,
		      "%s %s: field %s, wanted %s", method, path, jstr(err, "field"), field);
	ck_assert_msg(strstr(jstr(err, "message"), text) != NULL, "%s %s: message '%s' lacks '%s'",
		      method, path, jstr(err, "message"), text);
	json_decref(j);
}

START_TEST(preview_lists_runs_and_names_the_bad_field)
{
	struct http_session s;
	json_t *j, *runs;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	{
		const char *h[] = { s.cookie, s.origin_hdr, s.csrf_hdr, "Content-Type: application/json",
				    NULL };

		j = call("POST", "/api/cron/preview", h, "{\"cron\":\"30 2 * * *\",\"zone\":"
			 "\"Europe/Berlin\",\"count\":3}", 200);
		ck_assert_str_eq(jstr(j, "description"), "at 02:30 every day in Europe/Berlin");
		runs = json_object_get(j, "runs");
		ck_assert_int_eq(json_array_size(runs), 3);
		ck_assert_ptr_nonnull(strstr(jstr(json_array_get(runs, 0), "local"), " 02:30 +0"));
		ck_assert_int_lt(json_integer_value(json_object_get(json_array_get(runs, 0), "at_s")),
				 json_integer_value(json_object_get(json_array_get(runs, 1), "at_s")));
		json_decref(j);
		/* GET says the same; the server's zone (UTC here) when none is given */
		j = call("GET", "/api/cron/preview?cron=0+*%2F6+*+*+*&count=4", h, NULL, 200);
		ck_assert_str_eq(jstr(j, "zone"), "UTC");
		ck_assert_int_eq(json_array_size(json_object_get(j, "runs")), 4);
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
			json_object_get(j, "runs"), 0), "at_s")) % 21600, 0);
		json_decref(j);
		refused("GET", "/api/cron/preview?cron=61+*+*+*+*", h, NULL, "cron", "minute 61");
		refused("GET", "/api/cron/preview?cron=0+0+31+2+*", h, NULL, "cron", "never");
		refused("GET", "/api/cron/preview?cron=0+2+*+*+*&zone=Europe%2FBerln", h, NULL,
			"zone", "Europe/Berlin");
		refused("GET", "/api/cron/preview?cron=0+2+*+*+*&count=101", h, NULL, "count", "1 to 100");
		refused("POST", "/api/cron/preview", h, "{\"zone\":\"UTC\"}", "cron", "cron expression");
		/* a warning is not an error */
		j = call("GET", "/api/cron/preview?cron=0+0+31+*+*", h, NULL, 200);
		ck_assert_ptr_nonnull(strstr(jstr(j, "warning"), "February"));
		json_decref(j);
	}
}
END_TEST

START_TEST(add_edit_enable_run_and_remove)
{
	struct http_session s;
	json_t *j, *items, *lr;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	{
		const char *h[] = { s.cookie, s.origin_hdr, s.csrf_hdr, "Content-Type: application/json",
				    NULL };

		j = call("POST", "/api/schedules", h, "{\"name\":\"nightly\",\"connector\":\"tv\","
			 "\"cron\":\"30 2 * * *\",\"zone\":\"Europe/Berlin\",\"sweep\":\"gaps\"}", 201);
		ck_assert_str_eq(jstr(j, "schedule"), "nightly");
		ck_assert_str_eq(jstr(j, "connector"), "tv");
		ck_assert_str_eq(jstr(j, "description"), "at 02:30 every day in Europe/Berlin");
		ck_assert_ptr_nonnull(jstr(j, "next"));
		ck_assert(json_is_true(json_object_get(j, "enabled")));
		ck_assert_ptr_null(json_object_get(j, "last_run"));
		json_decref(j);
		/* every field's error names it; nothing is stored */
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"connector\":\"nope\",\"cron\":"
			"\"0 * * * *\"}", "connector", "no connector named 'nope'");
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"connector\":\"tv\",\"cron\":"
			"\"0 24 * * *\"}", "cron", "hour 24");
		refused("POST", "/api/schedules", h, "{\"name\":\"x y\",\"connector\":\"tv\",\"cron\":"
			"\"0 * * * *\"}", "name", "not valid");
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"connector\":\"tv\",\"cron\":"
			"\"0 * * * *\",\"sweep\":\"films\"}", "sweep", "gaps, upgrades or all");
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"connector\":\"tv\",\"cron\":"
			"\"0 * * * *\",\"max_items\":0}", "max_items", "1 to 1000000");
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"connector\":\"tv\",\"cron\":"
			"\"0 * * * *\",\"zone_name\":\"UTC\"}", "zone_name", "unknown member");
		refused("POST", "/api/schedules", h, "{\"name\":\"x\",\"cron\":\"0 * * * *\"}",
			"connector", "which connector");
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedules WHERE name = 'x'"), 0);
		j = call("POST", "/api/schedules", h, "{\"name\":\"nightly\",\"all_connectors\":true,"
			 "\"cron\":\"0 * * * *\"}", 409);
		ck_assert_str_eq(jstr(json_object_get(j, "error"), "field"), "name");
		json_decref(j);
		/* a schedule of every connector, with a warning that is not an error */
		j = call("POST", "/api/schedules", h, "{\"name\":\"monthly\",\"all_connectors\":true,"
			 "\"cron\":\"0 1 31 * *\",\"max_items\":50}", 201);
		ck_assert(json_is_true(json_object_get(j, "all_connectors")));
		ck_assert_ptr_nonnull(strstr(jstr(j, "warning"), "February"));
		ck_assert_int_eq(json_integer_value(json_object_get(j, "max_items")), 50);
		json_decref(j);

		j = call("PATCH", "/api/schedules/nightly", h, "{\"cron\":\"0 4 * * 1-5\","
			 "\"max_items\":null}", 200);
		ck_assert_ptr_nonnull(strstr(jstr(j, "description"), "04:00"));
		ck_assert_str_eq(jstr(j, "zone"), "Europe/Berlin");
		json_decref(j);
		refused("PATCH", "/api/schedules/nightly", h, "{\"zone\":\"Berlin\"}", "zone",
			"Europe/Berlin");
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedules WHERE name = "
					      "'nightly' AND zone = 'Europe/Berlin' AND cron = "
					      "'0 4 * * 1-5'"), 1);
		json_decref(call("PATCH", "/api/schedules/none", h, "{\"cron\":\"0 4 * * *\"}", 404));

		j = call("POST", "/api/schedules/nightly/disable", h, NULL, 200);
		ck_assert(json_is_false(json_object_get(j, "enabled")));
		ck_assert_ptr_null(json_object_get(j, "next"));
		json_decref(j);
		/* a disabled schedule does not run, even when asked */
		j = call("POST", "/api/schedules/nightly/run", h, NULL, 409);
		ck_assert_ptr_nonnull(strstr(jstr(json_object_get(j, "error"), "message"), "disabled"));
		json_decref(j);
		json_decref(call("POST", "/api/schedules/nightly/enable", h, NULL, 200));

		/* run now: a real sweep of tv's mirror, its progress recorded */
		j = call("POST", "/api/schedules/nightly/run", h, NULL, 200);
		ck_assert_str_eq(jstr(j, "status"), "done");
		ck_assert_int_eq(json_integer_value(json_object_get(j, "found")), 3);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "queued")), 3);
		json_decref(j);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedule_runs r JOIN schedules s "
					      "ON s.id = r.schedule_id WHERE s.name = 'nightly' AND "
					      "r.status = 'done' AND r.connectors_total = 1 AND "
					      "r.connectors_done = 1 AND r.stage = 'enqueue' AND "
					      "r.current_connector = 'tv' AND r.progress_at IS NOT NULL "
					      "AND r.runner LIKE 'web:ursula %'"), 1);
		/* the minutely runner's next due time is still the expression's */
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedules WHERE name = "
					      "'nightly' AND last_due_at <= now()"), 1);

		j = call("GET", "/api/schedules", h, NULL, 200);
		items = json_object_get(j, "items");
		ck_assert_int_eq(json_array_size(items), 2);
		ck_assert_str_eq(jstr(json_array_get(items, 0), "schedule"), "monthly");
		lr = json_object_get(json_array_get(items, 1), "last_run");
		ck_assert_str_eq(jstr(lr, "status"), "done");
		ck_assert_int_eq(json_integer_value(json_object_get(lr, "queued")), 3);
		ck_assert_ptr_nonnull(jstr(json_array_get(items, 1), "next"));
		json_decref(j);

		json_decref(call("DELETE", "/api/schedules/monthly", h, NULL, 200));
		json_decref(call("GET", "/api/schedules/monthly", h, NULL, 404));
		json_decref(call("DELETE", "/api/schedules/monthly", h, NULL, 404));
	}
	/* 2 adds, the edit, disable, the refused run, enable, the run, the removal */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action LIKE "
				      "'schedule.%' AND actor = 'ursula'"), 8);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'schedule.run' AND outcome = 'failed'"), 1);
}
END_TEST

START_TEST(read_only_keys_and_users_are_refused_every_change)
{
	char *ro = clitest_add_key("read"), *full = clitest_add_key("full");
	char rohdr[128], fullhdr[128];
	struct http_session s;
	json_t *j;

	snprintf(rohdr, sizeof(rohdr), "X-Api-Key: %s", ro);
	snprintf(fullhdr, sizeof(fullhdr), "X-Api-Key: %s", full);
	pgtest_exec(&T, "INSERT INTO schedules (name, connector_id, sweep, cron, zone) VALUES "
		    "('hourly', 1, 'gaps', '0 * * * *', 'UTC')");
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &s), 200);
	{
		const char *rk[] = { rohdr, "Content-Type: application/json", NULL };
		const char *fk[] = { fullhdr, "Content-Type: application/json", NULL };
		const char *rs[] = { s.cookie, s.origin_hdr, s.csrf_hdr,
				     "Content-Type: application/json", NULL };
		const char *const *who[] = { rk, rs };

		for (int w = 0; w < 2; w++) {
			json_decref(call("GET", "/api/schedules", who[w], NULL, 200));
			json_decref(call("GET", "/api/schedules/hourly", who[w], NULL, 200));
			json_decref(call("GET", "/api/cron/preview?cron=0+*+*+*+*", who[w], NULL, 200));
			json_decref(call("POST", "/api/cron/preview", who[w], "{\"cron\":\"@daily\"}",
					 200));
			json_decref(call("POST", "/api/schedules", who[w], "{\"name\":\"n\","
					 "\"all_connectors\":true,\"cron\":\"0 * * * *\"}", 403));
			json_decref(call("PATCH", "/api/schedules/hourly", who[w], "{\"cron\":\"5 * * * *\"}",
					 403));
			json_decref(call("POST", "/api/schedules/hourly/disable", who[w], NULL, 403));
			json_decref(call("POST", "/api/schedules/hourly/run", who[w], NULL, 403));
			json_decref(call("DELETE", "/api/schedules/hourly", who[w], NULL, 403));
		}
		/* nobody at all: 401 */
		json_decref(call("GET", "/api/schedules", NULL, NULL, 401));
		json_decref(call("GET", "/api/cron/preview?cron=0+*+*+*+*", NULL, NULL, 401));
		/* a full key changes schedules (automation), without a CSRF token */
		j = call("PATCH", "/api/schedules/hourly", fk, "{\"cron\":\"5 * * * *\"}", 200);
		ck_assert_str_eq(jstr(j, "cron"), "5 * * * *");
		json_decref(j);
		j = call("POST", "/api/schedules", fk, "{\"name\":\"by-key\",\"connector\":\"tv\","
			 "\"cron\":\"@daily\"}", 201);
		ck_assert_str_eq(jstr(j, "sweep"), "all");
		json_decref(j);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedules WHERE cron = '0 * * * *' "
				      "OR name = 'n'"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM schedule_runs"), 0);
	free(ro);
	free(full);
}
END_TEST

START_TEST(a_connector_added_over_http_gets_its_default_schedules)
{
	struct http_session s;
	json_t *j, *items;

	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	{
		const char *h[] = { s.cookie, s.origin_hdr, s.csrf_hdr, "Content-Type: application/json",
				    NULL };

		json_decref(call("POST", "/api/connectors", h, "{\"name\":\"films\",\"type\":\"radarr\","
				 "\"url\":\"http://127.0.0.1:9\",\"api_key\":\"0123456789abcdef0123\"}", 201));
		json_decref(call("POST", "/api/connectors", h, "{\"name\":\"idx\",\"type\":\"prowlarr\","
				 "\"url\":\"http://127.0.0.1:9\",\"api_key\":\"0123456789abcdef0123\"}", 201));
		j = call("GET", "/api/schedules", h, NULL, 200);
		items = json_object_get(j, "items");
		ck_assert_int_eq(json_array_size(items), 2);
		ck_assert_str_eq(jstr(json_array_get(items, 0), "schedule"), "films-gaps");
		ck_assert_str_eq(jstr(json_array_get(items, 0), "description"), "every hour at :00 in UTC");
		ck_assert_str_eq(jstr(json_array_get(items, 1), "schedule"), "films-upgrades");
		ck_assert_str_eq(jstr(json_array_get(items, 1), "connector"), "films");
		json_decref(j);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'schedule.add' AND actor = 'admin'"), 2);
}
END_TEST

START_TEST(the_dashboard_shows_a_running_sweep_with_its_progress)
{
	struct http_session s;
	struct http_resp r;

	pgtest_exec(&T, "INSERT INTO schedules (name, connector_id, sweep, cron, zone) VALUES "
		    "('tv-now', 1, 'gaps', '0 * * * *', 'UTC')");
	/* what a sweep writes as it goes (lib/stage/sweep.c's progress) */
	pgtest_exec(&T, "INSERT INTO schedule_runs (schedule_id, due_at, started_at, stage, "
		    "current_connector, connectors_total, connectors_done, found, queued, progress_at) "
		    "SELECT id, date_trunc('hour', now()), now() - interval '2 minutes', 'discover', 'tv', "
		    "3, 1, 42, 7, now() FROM schedules WHERE name = 'tv-now'");
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &s), 200);
	{
		const char *h[] = { s.cookie, NULL };

		ck_assert_int_eq(http_do(&S, "GET", "/", h, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strstr(r.body, "aria-label=\"1 of 3 connectors swept\"") != NULL &&
			      strstr(r.body, "Looking for candidates in tv") != NULL &&
			      strstr(r.body, "42 found, 7 queued so far") != NULL,
			      "no progress on the dashboard: %.400s", strstr(r.body, "h-sweeps") ?
			      strstr(r.body, "h-sweeps") : r.body);
		/* and the next run of the hourly schedule */
		ck_assert_ptr_nonnull(strstr(r.body, "<strong>tv-now</strong>"));
		http_resp_free(&r);
		/* the schedules page too, read-only */
		ck_assert_int_eq(http_do(&S, "GET", "/schedules", h, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_ptr_nonnull(strstr(r.body, "Looking for candidates in tv"));
		ck_assert_ptr_nonnull(strstr(r.body, "class=\"lane-label\" x=\"4\" y=\"41\">tv-now</text>"));
		http_resp_free(&r);
	}
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("serve_schedules");
	TCase *tc = tcase_create("schedules");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, preview_lists_runs_and_names_the_bad_field);
	tcase_add_test(tc, add_edit_enable_run_and_remove);
	tcase_add_test(tc, read_only_keys_and_users_are_refused_every_change);
	tcase_add_test(tc, a_connector_added_over_http_gets_its_default_schedules);
	tcase_add_test(tc, the_dashboard_shows_a_running_sweep_with_its_progress);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
