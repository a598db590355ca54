/*
 * test_fakearr.c - the fake *arr server behaves like the apps where the
 * client depends on it: paging, auth, command lifecycle, dedupe, ledger,
 * faults, sizes.  Talks to a real fakearr over loopback.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakearr_ctl.h"
#include "core/clock.h"
#include "core/banned.h"

#define NOW "1767225600"	/* 2026-01-01T00:00:00Z, for the fake clock */

static struct fakearr fa;

static void
start(const char *const args[])
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_start(&fa, NULL, args, &e) == 0, "fakearr_start: %s", e.msg);
}

static json_t *
call(const char *method, const char *path, const char *body)
{
	struct err e = ERR_INIT;
	json_t *out = NULL;

	ck_assert_msg(fakearr_call(&fa, method, path, body, &out, &e) == 0,
		      "%s %s: expected 2xx, got: %s", method, path, e.msg);
	return out;
}

static long
jint(json_t *o, const char *k)
{
	ck_assert_msg(json_is_integer(json_object_get(o, k)), "expected integer member \"%s\"", k);
	return (long)json_integer_value(json_object_get(o, k));
}

static void
teardown(void)
{
	fakearr_stop(&fa);
	unsetenv("COMRADARR_FAKE_NOW");
}

START_TEST(test_ping_needs_no_key_and_api_answers_401_with_empty_body)
{
	static const char *const args[] = { "--app", "sonarr", NULL };
	struct fakearr_resp r;
	struct err e = ERR_INIT;
	char v[64];

	start(args);
	fakearr_request(&fa, "GET", "/ping", NULL, NULL, &r, &e);
	ck_assert_msg(r.status == 200 && strstr(r.body, "\"OK\"") != NULL,
		      "/ping: expected 200 {status:OK}, got %ld %s", r.status, r.body);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series", NULL, NULL, &r, &e);
	ck_assert_msg(r.status == 401 && r.body_len == 0,
		      "no key: expected 401 with empty body, got %ld with %zu bytes", r.status, r.body_len);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series", "wrong-key", NULL, &r, &e);
	ck_assert_msg(r.status == 401 && r.body_len == 0, "wrong key: expected 401 empty, got %ld", r.status);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series?apikey=fakearr-test-key-0123456789abcdef",
			NULL, NULL, &r, &e);
	ck_assert_msg(r.status == 200, "apikey query: expected 200, got %ld", r.status);
	ck_assert_msg(fakearr_resp_header(&r, "X-Application-Version", v, sizeof(v)) == 0 &&
		      strncmp(v, "4.", 2) == 0, "expected X-Application-Version 4.x, got \"%s\"", v);
	fakearr_resp_free(&r);
}
END_TEST

START_TEST(test_wanted_missing_pages_are_one_based_descending_by_default)
{
	static const char *const args[] = { "--app", "sonarr", "--series", "20", "--specials",
		"--missing", "0.3", "--unaired", "0.1", NULL };
	json_t *sum, *p, *all = json_object();
	long total, page, seen = 0;
	const char *prev = NULL;
	char path[128];
	size_t i;

	start(args);
	sum = call("GET", "/__fake/library/summary", NULL);
	p = call("GET", "/api/v3/wanted/missing", NULL);
	total = jint(p, "totalRecords");
	ck_assert_msg(total == jint(sum, "wanted_missing") && total > 20,
		      "totalRecords %ld, summary says %ld", total, jint(sum, "wanted_missing"));
	ck_assert_msg(jint(p, "page") == 1 && jint(p, "pageSize") == 10,
		      "defaults: expected page 1 pageSize 10, got %ld %ld", jint(p, "page"), jint(p, "pageSize"));
	ck_assert_str_eq(json_string_value(json_object_get(p, "sortDirection")), "descending");
	ck_assert_int_eq(json_array_size(json_object_get(p, "records")), 10);
	json_decref(p);

	for (page = 1; seen < total + 7; page++) {
		json_t *recs, *r;

		snprintf(path, sizeof(path), "/api/v3/wanted/missing?page=%ld&pageSize=7", page);
		p = call("GET", path, NULL);
		recs = json_object_get(p, "records");
		if (json_array_size(recs) == 0) {
			json_decref(p);
			break;
		}
		json_array_foreach(recs, i, r) {
			const char *d = json_string_value(json_object_get(r, "airDateUtc"));
			char key[32];

			ck_assert_msg(d != NULL, "record without airDateUtc");
			ck_assert_msg(jint(r, "seasonNumber") != 0, "missing must exclude specials");
			ck_assert_msg(prev == NULL || strcmp(prev, d) >= 0,
				      "expected descending airDateUtc, got %s after %s", d, prev);
			snprintf(key, sizeof(key), "%ld", jint(r, "id"));
			ck_assert_msg(json_object_get(all, key) == NULL, "episode %s on two pages", key);
			json_object_set_new(all, key, json_true());
			free((void *)prev);
			prev = strdup(d);
			seen++;
		}
		json_decref(p);
	}
	free((void *)prev);
	ck_assert_msg(seen == total, "paged through %ld records, totalRecords %ld", seen, total);

	p = call("GET", "/api/v3/wanted/missing?sortDirection=ascending&pageSize=2", NULL);
	ck_assert_msg(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(p, "records"), 0), "airDateUtc")),
			     json_string_value(json_object_get(json_array_get(json_object_get(p, "records"), 1), "airDateUtc"))) <= 0,
		      "ascending: first two records out of order");
	json_decref(p);
	json_decref(all);
	json_decref(sum);
}
END_TEST

START_TEST(test_episode_list_without_filter_is_400)
{
	static const char *const args[] = { "--app", "sonarr", NULL };
	struct err e = ERR_INIT;
	json_t *out = NULL;

	start(args);
	ck_assert(fakearr_call(&fa, "GET", "/api/v3/episode", NULL, &out, &e) < 0);
	ck_assert_msg(e.http_status == 400, "expected 400 without seriesId, got %d", e.http_status);
	json_decref(out);
	out = call("GET", "/api/v3/episode?seriesId=1&includeEpisodeFile=true", NULL);
	ck_assert_msg(json_array_size(out) == 30, "series 1: expected 30 episodes, got %zu", json_array_size(out));
	json_decref(out);
}
END_TEST

/* The ids of the first n missing episodes, as a JSON array text. */
static void
missing_ids(char *out, size_t size, int n, int *count)
{
	json_t *p, *r;
	size_t i;
	int len = snprintf(out, size, "[");
	char path[96];

	snprintf(path, sizeof(path), "/api/v3/wanted/missing?pageSize=%d", n);
	p = call("GET", path, NULL);
	*count = 0;
	json_array_foreach(json_object_get(p, "records"), i, r) {
		len += snprintf(out + len, size - (size_t)len, "%s%ld", i ? "," : "", jint(r, "id"));
		(*count)++;
	}
	snprintf(out + len, size - (size_t)len, "]");
	json_decref(p);
}

static const char *
status_of(long id)
{
	static char st[32];
	char path[64];
	json_t *c;

	snprintf(path, sizeof(path), "/api/v3/command/%ld", id);
	c = call("GET", path, NULL);
	snprintf(st, sizeof(st), "%s", json_string_value(json_object_get(c, "status")));
	json_decref(c);
	return st;
}

START_TEST(test_command_lifecycle_follows_the_fake_clock_and_grabs)
{
	static const char *const args[] = { "--app", "sonarr", "--series", "5", "--missing", "0.5",
		"--command-ms", "10000", "--grab", "1", "--import", "1", NULL };
	char ids[512], body[640], loc[64];
	struct fakearr_resp r;
	struct err e = ERR_INIT;
	json_t *c, *h, *q, *sum0, *sum1;
	long id;
	int n;

	setenv("COMRADARR_FAKE_NOW", NOW, 1);
	start(args);
	missing_ids(ids, sizeof(ids), 3, &n);
	ck_assert_int_eq(n, 3);
	sum0 = call("GET", "/__fake/library/summary", NULL);
	snprintf(body, sizeof(body), "{\"name\":\"episodeSearch\",\"episodeIds\":%s}", ids);
	fakearr_request(&fa, "POST", "/api/v3/command", fa.api_key, body, &r, &e);
	ck_assert_msg(r.status == 201, "POST command: expected 201, got %ld %s", r.status, r.body);
	ck_assert_msg(fakearr_resp_header(&r, "Location", loc, sizeof(loc)) == 0, "no Location header");
	c = json_loads(r.body, 0, NULL);
	id = jint(c, "id");
	ck_assert_str_eq(json_string_value(json_object_get(c, "status")), "queued");
	ck_assert_str_eq(json_string_value(json_object_get(c, "name")), "EpisodeSearch");
	json_decref(c);
	fakearr_resp_free(&r);

	/* The same search again while it is queued is the same command. */
	c = call("POST", "/api/v3/command", body);
	ck_assert_msg(jint(c, "id") == id, "identical command: expected id %ld, got %ld", id, jint(c, "id"));
	json_decref(c);

	json_decref(call("POST", "/__fake/clock", "{\"advance_ms\":3000}"));
	ck_assert_str_eq(status_of(id), "started");
	json_decref(call("POST", "/__fake/clock", "{\"advance_ms\":7000}"));
	ck_assert_str_eq(status_of(id), "completed");
	snprintf(loc, sizeof(loc), "/api/v3/command/%ld", id);
	c = call("GET", loc, NULL);
	ck_assert_str_eq(json_string_value(json_object_get(c, "result")), "successful");
	ck_assert_msg(strstr(json_string_value(json_object_get(c, "message")), "3 reports downloaded") != NULL,
		      "message: expected \"3 reports downloaded\", got \"%s\"",
		      json_string_value(json_object_get(c, "message")));
	json_decref(c);

	h = call("GET", "/api/v3/history/since?date=2025-12-31T00:00:00Z&eventType=grabbed", NULL);
	ck_assert_msg(json_array_size(h) == 3, "expected 3 grabbed records, got %zu", json_array_size(h));
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(h, 0), "eventType")), "grabbed");
	json_decref(h);
	q = call("GET", "/api/v3/queue", NULL);
	ck_assert_msg(jint(q, "totalRecords") == 3, "expected 3 queue entries, got %ld", jint(q, "totalRecords"));
	json_decref(q);

	/* A further --command-ms later the grabs are imported. */
	json_decref(call("POST", "/__fake/clock", "{\"advance_ms\":10000}"));
	sum1 = call("GET", "/__fake/library/summary", NULL);
	ck_assert_msg(jint(sum1, "wanted_missing") == jint(sum0, "wanted_missing") - 3,
		      "after import: expected %ld missing, got %ld", jint(sum0, "wanted_missing") - 3,
		      jint(sum1, "wanted_missing"));
	ck_assert_int_eq(jint(sum1, "queue"), 0);
	json_decref(sum0);
	json_decref(sum1);

	/* Every POST is in the ledger, in order; DELETE clears it. */
	h = call("GET", "/__fake/ledger", NULL);
	ck_assert_msg(json_array_size(h) == 2, "ledger: expected 2 entries, got %zu", json_array_size(h));
	ck_assert_int_eq(jint(json_array_get(h, 1), "seq"), 2);
	ck_assert_int_eq(jint(json_array_get(h, 1), "id"), id);
	json_decref(h);
	json_decref(call("DELETE", "/__fake/ledger", NULL));
	h = call("GET", "/__fake/ledger", NULL);
	ck_assert_int_eq(json_array_size(h), 0);
	json_decref(h);

	/* A new identical search after completion is a new command. */
	c = call("POST", "/api/v3/command", body);
	ck_assert_msg(jint(c, "id") != id, "a completed command must not be reused");
	json_decref(c);
}
END_TEST

START_TEST(test_unknown_command_is_500_and_unknown_id_404)
{
	static const char *const args[] = { "--app", "sonarr", NULL };
	struct err e = ERR_INIT;
	json_t *out = NULL;

	start(args);
	ck_assert(fakearr_call(&fa, "POST", "/api/v3/command", "{\"name\":\"MoviesSearch\",\"movieIds\":[1]}", &out, &e) < 0);
	ck_assert_msg(e.http_status == 500, "MoviesSearch on Sonarr: expected 500, got %d", e.http_status);
	json_decref(out);
	ck_assert(fakearr_call(&fa, "GET", "/api/v3/command/999", NULL, &out, &e) < 0);
	ck_assert_msg(e.http_status == 404, "unknown command id: expected 404, got %d", e.http_status);
	json_decref(out);
}
END_TEST

START_TEST(test_a_million_episodes_generate_quickly)
{
	static const char *const args[] = { "--app", "sonarr", "--series", "20000", "--seasons", "5",
		"--episodes", "10", NULL };
	int64_t t0 = clock_mono_us(), ms;
	json_t *sum, *p;

	start(args);
	ms = (clock_mono_us() - t0) / 1000;
	printf("fakearr: 1,000,000 episodes generated and listening in %lld ms\n", (long long)ms);
	ck_assert_msg(ms < 10000, "generation took %lld ms, expected well under 10 s", (long long)ms);
	sum = call("GET", "/__fake/library/summary", NULL);
	ck_assert_int_eq(jint(sum, "episodes"), 1000000);
	t0 = clock_mono_us();
	p = call("GET", "/api/v3/wanted/missing?pageSize=1000", NULL);
	printf("fakearr: wanted/missing page of 1000 over 1M episodes in %lld ms\n",
	       (long long)(clock_mono_us() - t0) / 1000);
	ck_assert_int_eq(jint(p, "totalRecords"), jint(sum, "wanted_missing"));
	json_decref(p);
	json_decref(sum);
}
END_TEST

static long
status_after_fault(const char *fault, const char *path, struct fakearr_resp *r)
{
	struct err e = ERR_INIT;

	json_decref(call("DELETE", "/__fake/fault", NULL));
	if (fault != NULL)
		json_decref(call("POST", "/__fake/fault", fault));
	fakearr_request(&fa, "GET", path, fa.api_key, NULL, r, &e);
	return r->status;
}

START_TEST(test_each_fault_kind_does_what_it_says)
{
	static const char *const args[] = { "--app", "sonarr", "--series", "4", NULL };
	struct fakearr_resp r;
	struct err e = ERR_INIT;
	char v[64];
	json_t *j;
	int64_t t0;
	int i;

	start(args);
	ck_assert_int_eq(status_after_fault("{\"kind\":\"auth\"}", "/api/v3/series", &r), 401);
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"startup\",\"count\":2}", "/api/v3/series", &r), 503);
	ck_assert_msg(strstr(r.body, "errorMessage") != NULL, "503 body: %s", r.body);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series", fa.api_key, NULL, &r, &e);
	ck_assert_int_eq(r.status, 503);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series", fa.api_key, NULL, &r, &e);
	ck_assert_msg(r.status == 200, "startup count 2: third request expected 200, got %ld", r.status);
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"status5xx\",\"rate\":1.0}", "/api/v3/series", &r), 500);
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"ratelimit\",\"retry_after\":\"5\"}", "/api/v3/series", &r), 429);
	ck_assert(fakearr_resp_header(&r, "Retry-After", v, sizeof(v)) == 0);
	ck_assert_str_eq(v, "5");
	fakearr_resp_free(&r);
	ck_assert_int_eq(status_after_fault("{\"kind\":\"ratelimit\",\"retry_after\":\"Wed, 21 Oct 2026 07:28:00 GMT\"}",
					    "/api/v3/series", &r), 429);
	ck_assert(fakearr_resp_header(&r, "Retry-After", v, sizeof(v)) == 0);
	ck_assert_str_eq(v, "Wed, 21 Oct 2026 07:28:00 GMT");
	fakearr_resp_free(&r);

	/* Injected latency is real time by design: it is what it tests. */
	t0 = clock_mono_us();
	ck_assert_int_eq(status_after_fault("{\"kind\":\"latency\",\"ms\":200}", "/api/v3/system/status", &r), 200);
	ck_assert_msg(clock_mono_us() - t0 >= 200000, "latency 200 ms: answered in %lld us",
		      (long long)(clock_mono_us() - t0));
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"unknown_fields\"}", "/api/v3/series", &r), 200);
	ck_assert_msg(strstr(r.body, "fakeUnknownField") != NULL, "unknown_fields: no extra field in the list");
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"missing_fields\",\"every\":2}", "/api/v3/series", &r), 200);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(json_array_size(j) == 4, "expected 4 series");
	for (i = 0; i < 4; i++)
		ck_assert_msg((json_object_get(json_array_get(j, (size_t)i), "id") == NULL) == (i % 2 == 1),
			      "missing_fields every 2: record %d id presence wrong", i);
	json_decref(j);
	fakearr_resp_free(&r);

	ck_assert_int_eq(status_after_fault("{\"kind\":\"truncate\"}", "/api/v3/series", &r), 200);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j == NULL, "truncate: the body should not parse as JSON");
	fakearr_resp_free(&r);
	ck_assert_int_eq(status_after_fault("{\"kind\":\"truncate\"}", "/api/v3/system/status", &r), 200);
	ck_assert_msg(json_loads(r.body, 0, NULL) == NULL, "truncate: a small answer should be cut too");
	fakearr_resp_free(&r);

	status_after_fault("{\"kind\":\"drop\"}", "/api/v3/series", &r);
	ck_assert_msg(r.transport_error, "drop: expected the connection closed without an answer");
	fakearr_resp_free(&r);

	/* A path limits a fault. */
	ck_assert_int_eq(status_after_fault("{\"kind\":\"status5xx\",\"path\":\"/api/v3/series\"}",
					    "/api/v3/system/status", &r), 200);
	fakearr_resp_free(&r);
	fakearr_request(&fa, "GET", "/api/v3/series", fa.api_key, NULL, &r, &e);
	ck_assert_msg(r.status == 500, "status5xx on /api/v3/series: expected 500, got %ld", r.status);
	fakearr_resp_free(&r);
	json_decref(call("DELETE", "/__fake/fault", NULL));
	j = call("GET", "/__fake/stats", NULL);
	ck_assert_msg(jint(j, "requests") > 20 && jint(j, "bytes_sent") > 0, "stats not counting");
	json_decref(j);
}
END_TEST

START_TEST(test_radarr_movie_list_leaves_custom_formats_out_of_movie_file)
{
	static const char *const args[] = { "--app", "radarr", "--movies", "20", "--missing", "0", NULL };
	json_t *l, *m;
	char path[64];

	start(args);
	l = call("GET", "/api/v3/movie", NULL);
	ck_assert_int_eq(json_array_size(l), 20);
	m = json_object_get(json_array_get(l, 0), "movieFile");
	ck_assert_msg(m != NULL && json_object_get(m, "customFormatScore") == NULL,
		      "list: movieFile must not carry customFormatScore");
	snprintf(path, sizeof(path), "/api/v3/movie/%ld", jint(json_array_get(l, 0), "id"));
	json_decref(l);
	l = call("GET", path, NULL);
	ck_assert_msg(json_object_get(json_object_get(l, "movieFile"), "customFormatScore") != NULL,
		      "/movie/{id}: movieFile must carry customFormatScore");
	json_decref(l);
	l = call("GET", "/api/v3/wanted/cutoff", NULL);
	ck_assert_msg(json_object_get(l, "totalRecords") != NULL, "Radarr 6 has wanted/cutoff");
	json_decref(l);
}
END_TEST

START_TEST(test_whisparr_modes_are_told_apart_by_version)
{
	static const char *const a2[] = { "--app", "whisparr2", NULL };
	static const char *const a3[] = { "--app", "whisparr3", NULL };
	struct err e = ERR_INIT;
	json_t *s, *eps, *out = NULL;

	start(a2);
	s = call("GET", "/api/v3/system/status", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(s, "appName")), "Whisparr");
	ck_assert_msg(json_string_value(json_object_get(s, "version"))[0] == '2', "whisparr2: version 2.x");
	json_decref(s);
	eps = call("GET", "/api/v3/episode?seriesId=1", NULL);
	ck_assert_msg(json_object_get(json_array_get(eps, 0), "releaseDate") != NULL &&
		      json_object_get(json_array_get(eps, 0), "episodeNumber") == NULL &&
		      json_object_get(json_array_get(eps, 0), "airDateUtc") == NULL,
		      "whisparr2 scenes: releaseDate, no episodeNumber/airDateUtc");
	ck_assert_msg(jint(json_array_get(eps, 0), "seasonNumber") > 2000, "whisparr2 seasons are years");
	json_decref(eps);
	fakearr_stop(&fa);

	start(a3);
	s = call("GET", "/api/v3/system/status", NULL);
	ck_assert_msg(json_string_value(json_object_get(s, "version"))[0] == '3', "whisparr3: version 3.x");
	json_decref(s);
	ck_assert(fakearr_call(&fa, "GET", "/api/v3/wanted/missing", NULL, &out, &e) < 0);
	ck_assert_msg(e.http_status == 404, "whisparr3 has no wanted: expected 404, got %d", e.http_status);
	json_decref(out);
}
END_TEST

START_TEST(test_mutations_change_what_the_api_answers)
{
	static const char *const args[] = { "--app", "sonarr", "--series", "3", "--missing", "0", NULL };
	json_t *s0, *s1, *m;

	start(args);
	s0 = call("GET", "/__fake/library/summary", NULL);
	m = call("POST", "/__fake/mutate", "{\"op\":\"remove_episode_file\",\"id\":2}");
	ck_assert_int_eq(json_array_size(json_object_get(m, "changed")), 1);
	json_decref(m);
	s1 = call("GET", "/__fake/library/summary", NULL);
	ck_assert_msg(jint(s1, "episode_files") == jint(s0, "episode_files") - 1 &&
		      jint(s1, "wanted_missing") == jint(s0, "wanted_missing") + 1,
		      "remove_episode_file: expected one file fewer and one more missing");
	json_decref(s1);
	json_decref(call("POST", "/__fake/mutate", "{\"op\":\"add_series\",\"count\":2}"));
	s1 = call("GET", "/__fake/library/summary", NULL);
	ck_assert_int_eq(jint(s1, "series"), jint(s0, "series") + 2);
	json_decref(s0);
	json_decref(s1);
	m = call("GET", "/api/v3/series", NULL);
	ck_assert_int_eq(json_array_size(m), 5);
	json_decref(m);
	m = call("POST", "/__fake/mutate", "{\"op\":\"random\",\"seed\":7,\"count\":25}");
	ck_assert_msg(json_array_size(json_object_get(m, "changed")) == 25,
		      "random 25: expected 25 changes, got %zu", json_array_size(json_object_get(m, "changed")));
	json_decref(m);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("fakearr");
	TCase *tc = tcase_create("server");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ping_needs_no_key_and_api_answers_401_with_empty_body);
	tcase_add_test(tc, test_wanted_missing_pages_are_one_based_descending_by_default);
	tcase_add_test(tc, test_episode_list_without_filter_is_400);
	tcase_add_test(tc, test_command_lifecycle_follows_the_fake_clock_and_grabs);
	tcase_add_test(tc, test_unknown_command_is_500_and_unknown_id_404);
	tcase_add_test(tc, test_a_million_episodes_generate_quickly);
	tcase_add_test(tc, test_each_fault_kind_does_what_it_says);
	tcase_add_test(tc, test_radarr_movie_list_leaves_custom_formats_out_of_movie_file);
	tcase_add_test(tc, test_whisparr_modes_are_told_apart_by_version);
	tcase_add_test(tc, test_mutations_change_what_the_api_answers);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
