/* `comradarr connector test` against the fake in every app mode and with
 * every fault it can inject (Req 1.2-1.4, 16.3, 28): the answer a user sees,
 * its exit status, and what is stored with the connector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "fakearr_ctl.h"
#include "pgtest.h"
#include "proc.h"

#define KEY "abcdef0123456789abcdef0123456789"

static struct pgtest T;
static struct fakearr F;

static void
setup(void)
{
	pgtest_create(&T, "probe");
	memset(&F, 0, sizeof(F));
}

static void
teardown(void)
{
	fakearr_stop(&F);
	pgtest_drop(&T);
}

static void
start_fake(const char *app, const char *version)
{
	struct err e = ERR_INIT;
	/* NULL-terminated: room for the optional --version pair and the end */
	const char *args[9] = { "--app", app, "--api-key", KEY, "--series", "2", NULL, NULL, NULL };

	if (version != NULL) {
		args[6] = "--version";
		args[7] = version;
	}
	ck_assert_msg(fakearr_start(&F, NULL, args, &e) == 0, "fake: %s", e.msg);
}

static void
fault(const char *json)
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_call(&F, "POST", "/__fake/fault", json, NULL, &e) == 0, "fault: %s", e.msg);
}

static void
add(const char *name, const char *type, const char *url, const char *key, const char *timeout)
{
	const char *argv[] = { "comradarr", "connector", "add", name, "--type", type, "--url", url,
			       "--api-key-file", "-", "--timeout", timeout, NULL };
	struct proc_result r;
	char input[128];

	snprintf(input, sizeof(input), "%s\n", key);
	ck_assert_int_eq(proc_run(argv, input, &r), 0);
	ck_assert_msg(r.status == 0, "connector add failed: %s", r.err);
	proc_result_free(&r);
}

/* Run `comradarr connector test NAME --json`; return the parsed line. */
static json_t *
probe(const char *name, int want_status)
{
	const char *argv[] = { "comradarr", "connector", "test", name, "--json", NULL };
	struct proc_result r;
	json_t *j;

	ck_assert_int_eq(proc_run(argv, NULL, &r), 0);
	ck_assert_msg(r.status == want_status, "connector test %s: exit %d, wanted %d\nstdout: %s\nstderr: %s",
		      name, r.status, want_status, r.out, r.err);
	ck_assert_msg(strstr(r.out, KEY) == NULL && strstr(r.err, KEY) == NULL,
		      "the API key was printed");
	j = json_loads(r.out, 0, NULL);
	ck_assert_msg(j != NULL, "not a JSON line: %s", r.out);
	proc_result_free(&r);
	return j;
}

static const char *
jstr(json_t *j, const char *k)
{
	const char *v = json_string_value(json_object_get(j, k));

	return v ? v : "";
}

START_TEST(every_app_mode_is_recognised)
{
	static const struct { const char *app, *type, *app_name, *api; } modes[] = {
		{ "sonarr", "sonarr", "Sonarr", "v3" },
		{ "radarr", "radarr", "Radarr", "v3" },
		{ "whisparr2", "whisparr", "Whisparr", "v3" },
		{ "whisparr3", "whisparr", "Whisparr", "v3" },
		{ "prowlarr", "prowlarr", "Prowlarr", "v1" },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char name[32], sql[256];
		json_t *j;

		start_fake(modes[i].app, NULL);
		snprintf(name, sizeof(name), "c%zu", i);
		add(name, modes[i].type, F.url, KEY, "5");
		j = probe(name, 0);
		ck_assert_msg(strcmp(jstr(j, "health"), "healthy") == 0, "%s: health %s", modes[i].app,
			      jstr(j, "health"));
		ck_assert_str_eq(jstr(j, "app_name"), modes[i].app_name);
		ck_assert_str_eq(jstr(j, "api_version"), modes[i].api);
		ck_assert_int_eq(json_array_size(json_object_get(j, "warnings")), 0);
		json_decref(j);
		/* Req 1.3: the detected version is stored, and the check is in the history */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM connectors c JOIN connector_health_history h "
			 "ON h.connector_id = c.id WHERE c.name = '%s' AND c.app_version IS NOT NULL "
			 "AND c.health = 'healthy' AND h.status = 'healthy'", name);
		ck_assert_int_eq(pgtest_count(&T, sql), 1);
		fakearr_stop(&F);
	}
}
END_TEST

START_TEST(wrong_key_is_unhealthy_and_marked_auth_failed)
{
	json_t *j;

	start_fake("sonarr", NULL);
	add("tv", "sonarr", F.url, "ffffffffffffffffffffffffffffffff", "5");
	j = probe("tv", 1);
	ck_assert_str_eq(jstr(j, "health"), "unhealthy");
	ck_assert(json_is_true(json_object_get(j, "auth_failed")));
	ck_assert_ptr_nonnull(strstr(jstr(j, "advice"), "API key"));
	json_decref(j);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM connectors WHERE auth_failed"), 1);
}
END_TEST

START_TEST(short_startup_window_is_retried)
{
	json_t *j;

	start_fake("sonarr", NULL);
	fault("{\"kind\":\"startup\",\"count\":2}");
	add("tv", "sonarr", F.url, KEY, "5");
	j = probe("tv", 0);
	ck_assert_str_eq(jstr(j, "health"), "healthy");
	json_decref(j);
}
END_TEST

START_TEST(app_health_warnings_make_it_degraded)
{
	struct err e = ERR_INIT;
	json_t *j;

	start_fake("sonarr", NULL);
	ck_assert(fakearr_call(&F, "POST", "/__fake/health",
			       "[{\"source\":\"IndexerSearchCheck\",\"type\":\"warning\","
			       "\"message\":\"Indexers unavailable due to failures\"}]", NULL, &e) == 0);
	add("tv", "sonarr", F.url, KEY, "5");
	j = probe("tv", 0);
	ck_assert_str_eq(jstr(j, "health"), "degraded");
	ck_assert_int_eq(json_array_size(json_object_get(j, "health_items")), 1);
	json_decref(j);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM connectors WHERE health = 'degraded' "
				      "AND health_detail LIKE '%Indexers unavailable%'"), 1);
}
END_TEST

START_TEST(nothing_listening_is_offline)
{
	json_t *j;

	add("tv", "sonarr", "http://127.0.0.1:1", KEY, "5");
	j = probe("tv", 1);
	ck_assert_str_eq(jstr(j, "health"), "offline");
	ck_assert_str_eq(jstr(j, "error_kind"), "net_refused");
	json_decref(j);
}
END_TEST

START_TEST(slow_app_times_out_saying_how_long)
{
	json_t *j;

	start_fake("sonarr", NULL);
	fault("{\"kind\":\"latency\",\"ms\":2500}");
	add("tv", "sonarr", F.url, KEY, "1");
	j = probe("tv", 1);
	ck_assert_str_eq(jstr(j, "health"), "offline");
	ck_assert_str_eq(jstr(j, "error_kind"), "net_timeout");
	ck_assert_msg(strstr(jstr(j, "error"), "1") != NULL, "timeout error does not say how long: %s",
		      jstr(j, "error"));
	json_decref(j);
}
END_TEST

START_TEST(persistent_server_errors_are_unhealthy)
{
	json_t *j;

	start_fake("radarr", NULL);
	fault("{\"kind\":\"status5xx\",\"rate\":1.0,\"path\":\"/api/v3\"}");
	add("films", "radarr", F.url, KEY, "5");
	j = probe("films", 1);
	ck_assert_str_eq(jstr(j, "health"), "unhealthy");
	json_decref(j);
}
END_TEST

START_TEST(wrong_type_and_old_version_warn)
{
	json_t *j;

	start_fake("radarr", NULL);
	add("tv", "sonarr", F.url, KEY, "5");
	j = probe("tv", 0);
	{
		char *w = json_dumps(json_object_get(j, "warnings"), 0);

		ck_assert_int_ge(json_array_size(json_object_get(j, "warnings")), 1);
		ck_assert_msg(w != NULL && strstr(w, "Radarr") != NULL, "warnings: %s", w);
		free(w);
	}
	json_decref(j);
	fakearr_stop(&F);

	start_fake("radarr", "5.2.0.8000");
	add("old", "radarr", F.url, KEY, "5");
	j = probe("old", 0);
	ck_assert_int_ge(json_array_size(json_object_get(j, "warnings")), 1);
	json_decref(j);
}
END_TEST

START_TEST(dropped_connections_are_reported_not_crashed_on)
{
	json_t *j;

	start_fake("sonarr", NULL);
	fault("{\"kind\":\"drop\"}");
	add("tv", "sonarr", F.url, KEY, "5");
	j = probe("tv", 1);
	ck_assert_msg(strcmp(jstr(j, "health"), "offline") == 0 || strcmp(jstr(j, "health"), "unhealthy") == 0,
		      "health %s", jstr(j, "health"));
	json_decref(j);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("connector_probe");
	TCase *tc = tcase_create("probe");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_app_mode_is_recognised);
	tcase_add_test(tc, wrong_key_is_unhealthy_and_marked_auth_failed);
	tcase_add_test(tc, short_startup_window_is_retried);
	tcase_add_test(tc, app_health_warnings_make_it_degraded);
	tcase_add_test(tc, nothing_listening_is_offline);
	tcase_add_test(tc, slow_app_times_out_saying_how_long);
	tcase_add_test(tc, persistent_server_errors_are_unhealthy);
	tcase_add_test(tc, wrong_type_and_old_version_warn);
	tcase_add_test(tc, dropped_connections_are_reported_not_crashed_on);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
