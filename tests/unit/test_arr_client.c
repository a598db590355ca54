/*
 * The HTTP client against a tiny loopback server of the test's own: the
 * headers it sends (Req 23.1), streaming a list, typed errors (Req 28),
 * retries on the fake clock (Req 23.5), command polling (Req 24.7) and the
 * pager over HTTP (Req 29).
 */
#include <check.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arr/app.h"
#include "arr/client.h"
#include "arr/command.h"
#include "arr/page.h"
#include "arr/probe.h"
#include "arr/radarr.h"
#include "core/clock.h"
#include "core/log.h"

#define KEY "test-key-0123456789abcdef"

static struct MHD_Daemon *daemon_;
static char base[64];

/* what the server saw, for the tests to check */
static char seen_key[128], seen_agent[256], seen_encoding[64], seen_query[256];
static char seen_body[256];
static int ping_had_key;
static int flaky_calls, poll_calls;

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned code, const char *body, const char *hname,
      const char *hval)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body),
		(void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "X-Application-Version", "5.6.0.8846");
	if (hname != NULL)
		MHD_add_response_header(r, hname, hval);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static char *
movies(int n)
{
	size_t cap = (size_t)n * 200 + 16, len = 0;
	char *s = malloc(cap);

	len += (size_t)snprintf(s + len, cap - len, "[\n");
	for (int i = 1; i <= n; i++)
		len += (size_t)snprintf(s + len, cap - len,
			"%s  {\"id\": %d, \"title\": \"M %d [x]\", \"tmdbId\": %d, "
			"\"hasFile\": %s}\n", i > 1 ? "," : "", i, i, 1000 + i,
			i % 2 ? "true" : "false");
	snprintf(s + len, cap - len, "]");
	return s;
}

static void
copy_header(struct MHD_Connection *c, const char *name, char *out, size_t size)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	snprintf(out, size, "%s", v ? v : "");
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload, size_t *upload_size, void **state)
{
	const char *page;

	(void)cls;
	(void)version;
	if (*state == NULL) {
		*state = (void *)1;
		seen_body[0] = '\0';
		return MHD_YES;
	}
	if (*upload_size > 0) {
		snprintf(seen_body, sizeof(seen_body), "%.*s", (int)*upload_size, upload);
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/ping") == 0) {
		ping_had_key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Api-Key") != NULL;
		return reply(c, 200, "{\"status\":\"OK\"}", NULL, NULL);
	}
	copy_header(c, "X-Api-Key", seen_key, sizeof(seen_key));
	copy_header(c, "User-Agent", seen_agent, sizeof(seen_agent));
	copy_header(c, "Accept-Encoding", seen_encoding, sizeof(seen_encoding));
	if (strcmp(seen_key, KEY) != 0)
		return reply(c, 401, "", NULL, NULL);
	if (strcmp(url, "/api") == 0)
		return reply(c, 200, "{\"current\":\"v3\",\"deprecated\":[]}", NULL, NULL);
	if (strcmp(url, "/api/v3/system/status") == 0)
		return reply(c, 200, "{\"appName\":\"Radarr\",\"version\":\"5.6.0.8846\","
			     "\"instanceName\":\"Radarr\"}", NULL, NULL);
	if (strcmp(url, "/api/v3/health") == 0)
		return reply(c, 200, "[{\"source\":\"IndexerRssCheck\",\"type\":\"warning\","
			     "\"message\":\"No indexers available\"}]", NULL, NULL);
	if (strcmp(url, "/api/v3/movie") == 0) {
		char *body = movies(3000);
		enum MHD_Result r = reply(c, 200, body, NULL, NULL);

		free(body);
		return r;
	}
	if (strcmp(url, "/api/v3/truncated") == 0)
		return reply(c, 200, "[{\"id\":1},{\"id\":", NULL, NULL);
	if (strcmp(url, "/api/v3/flaky") == 0)
		return ++flaky_calls <= 2 ? reply(c, 503, "{\"errorMessage\":\"starting\"}",
						  "Retry-After", "1")
					  : reply(c, 200, "{\"ok\":true}", NULL, NULL);
	if (strcmp(url, "/api/v3/limited") == 0) {
		flaky_calls++;
		return reply(c, 429, "", "Retry-After", "7200");
	}
	if (strcmp(url, "/api/v3/boom") == 0) {
		flaky_calls++;
		return reply(c, 500, "{\"message\":\"boom " KEY "\"}", NULL, NULL);
	}
	if (strcmp(url, "/api/v3/command") == 0 && strcmp(method, "POST") == 0)
		return reply(c, 201, "{\"id\":5,\"name\":\"MoviesSearch\",\"status\":\"queued\"}",
			     "Location", "/api/v3/command/5");
	if (strcmp(url, "/api/v3/command/5") == 0)
		return reply(c, 200, ++poll_calls < 3
			     ? "{\"id\":5,\"name\":\"MoviesSearch\",\"status\":\"started\"}"
			     : "{\"id\":5,\"name\":\"MoviesSearch\",\"status\":\"completed\","
			       "\"message\":\"Completed. 0 reports downloaded.\"}", NULL, NULL);
	if (strcmp(url, "/api/v3/command/6") == 0)
		return reply(c, 200, "{\"id\":6,\"name\":\"MoviesSearch\",\"status\":\"started\"}",
			     NULL, NULL);
	if (strcmp(url, "/api/v3/wanted/missing") == 0) {
		char body[512];
		int p;

		page = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page");
		p = page ? (int)strtol(page, NULL, 10) : 1;
		snprintf(seen_query, sizeof(seen_query), "%s/%s/%s",
			 MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sortKey"),
			 MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sortDirection"),
			 MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "monitored"));
		/* 5 records, 2 a page; page 2 overlaps page 1 by one record */
		snprintf(body, sizeof(body), "{\"page\":%d,\"pageSize\":2,\"totalRecords\":5,"
			 "\"records\":[%s]}", p,
			 p == 1 ? "{\"id\":1,\"title\":\"a\",\"tmdbId\":1},{\"id\":2,\"title\":\"b\",\"tmdbId\":2}" :
			 p == 2 ? "{\"id\":2,\"title\":\"b\",\"tmdbId\":2},{\"id\":3,\"title\":\"c\",\"tmdbId\":3}" :
			 p == 3 ? "{\"id\":4,\"title\":\"d\",\"tmdbId\":4}" : "");
		return reply(c, 200, body, NULL, NULL);
	}
	return reply(c, 404, "{\"message\":\"NotFound\"}", NULL, NULL);
}

static void
start_server(void)
{
	const union MHD_DaemonInfo *info;

	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
				   NULL, NULL, handler, NULL,
				   MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
	ck_assert_ptr_nonnull(daemon_);
	info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)info->port);
	flaky_calls = poll_calls = 0;
	clock_set_fake(1700000000LL * 1000000LL);
}

static void
stop_server(void)
{
	MHD_stop_daemon(daemon_);
	clock_set_fake(-1);
}

static struct arr_client *
client(const char *url, const char *key)
{
	struct arr_client_opts o = { ARR_APP_RADARR, url, key, 2000, 1, 0, 0,
				     { 100, 2000, 4 } };
	struct arr_client *c = NULL;
	struct err e = ERR_INIT;

	ck_assert_msg(arr_client_new(&o, &c, &e) == 0, "%s", e.msg);
	return c;
}

START_TEST(test_requests_carry_key_agent_and_gzip_but_ping_has_no_key)
{
	struct arr_client *c = client(base, KEY);
	struct arr_system_status st;
	struct err e = ERR_INIT;

	ck_assert_msg(arr_client_ping(c, &e) == 0, "%s", e.msg);
	ck_assert_msg(!ping_had_key, "/ping must go without the key");
	ck_assert_msg(arr_client_detect(c, &st, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(seen_key, KEY);
	ck_assert_str_eq(seen_agent, "comradarr/" COMRADARR_VERSION
			 " (+https://github.com/comradarr/comradarr)");
	ck_assert_msg(strstr(seen_encoding, "gzip") != NULL, "Accept-Encoding was '%s'",
		      seen_encoding);
	ck_assert_str_eq(st.app_name, "Radarr");
	ck_assert_int_eq(arr_client_dialect(c), ARR_DIALECT_RADARR);
	ck_assert_str_eq(arr_client_app_version(c), "5.6.0.8846");
	arr_client_free(c);
}
END_TEST

static int
count_movie(const struct arr_movie *m, void *arg, struct err *e)
{
	long *n = arg;

	(void)e;
	ck_assert_int_eq(m->id, *n + 1);
	ck_assert_int_eq(m->tmdb_id, 1000 + m->id);
	(*n)++;
	return 0;
}

START_TEST(test_movie_list_is_streamed_element_by_element)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	long n = 0;

	ck_assert_msg(arr_movie_each(c, count_movie, &n, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(n, 3000);
	arr_client_free(c);
}
END_TEST

static int
ignore(json_t *j, void *arg, struct err *e)
{
	(void)j;
	(void)arg;
	(void)e;
	return 0;
}

START_TEST(test_truncated_list_is_a_parse_error)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;

	ck_assert_int_eq(arr_client_get_each(c, "/api/v3/truncated", ignore, NULL, &e), -1);
	ck_assert_msg(e.kind == ERR_PARSE, "expected parse, got %s: %s",
		      err_kind_name(e.kind), e.msg);
	arr_client_free(c);
}
END_TEST

START_TEST(test_wrong_key_is_an_auth_error_without_the_key_in_it)
{
	struct arr_client *c = client(base, "wrong-key-00000000");
	struct arr_system_status st;
	struct err e = ERR_INIT;
	unsigned long before = arr_client_requests(c);

	ck_assert_int_eq(arr_system_status_get(c, &st, &e), -1);
	ck_assert_int_eq(e.kind, ERR_AUTH);
	ck_assert_int_eq(e.http_status, 401);
	ck_assert_msg(strstr(e.msg, "wrong-key") == NULL, "key in message: %s", e.msg);
	ck_assert_msg(arr_client_requests(c) - before == 1, "auth errors are not retried");
	arr_client_free(c);
}
END_TEST

START_TEST(test_503_is_retried_with_backoff_on_the_fake_clock)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	json_t *j = NULL;
	int64_t t0 = clock_now_us();

	ck_assert_msg(arr_client_get_json(c, "/api/v3/flaky", &j, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(flaky_calls, 3);
	/* two waits, each at least the Retry-After of 1 s */
	ck_assert_msg(clock_now_us() - t0 >= 2000000, "slept %lld us",
		      (long long)(clock_now_us() - t0));
	json_decref(j);
	arr_client_free(c);
}
END_TEST

START_TEST(test_long_retry_after_is_left_to_the_caller)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	json_t *j = NULL;

	ck_assert_int_eq(arr_client_get_json(c, "/api/v3/limited", &j, &e), -1);
	ck_assert_int_eq(e.kind, ERR_RATELIMIT);
	ck_assert_int_eq(e.retry_after_ms, 3600000);
	ck_assert_int_eq(flaky_calls, 1);
	arr_client_free(c);
}
END_TEST

START_TEST(test_500_is_retried_then_reported_redacted)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	json_t *j = NULL;

	ck_assert_int_eq(arr_client_get_json(c, "/api/v3/boom", &j, &e), -1);
	ck_assert_int_eq(e.kind, ERR_SERVER);
	ck_assert_int_eq(flaky_calls, 4);
	ck_assert_msg(strstr(e.msg, KEY) == NULL, "key in message: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "boom") != NULL, "body lost: %s", e.msg);
	arr_client_free(c);
}
END_TEST

START_TEST(test_refused_connection_is_typed)
{
	struct arr_client *c = client("http://127.0.0.1:1", KEY);
	struct err e = ERR_INIT;

	ck_assert_int_eq(arr_client_ping(c, &e), -1);
	ck_assert_msg(e.kind == ERR_NET_REFUSED, "expected net_refused, got %s: %s",
		      err_kind_name(e.kind), e.msg);
	arr_client_free(c);
}
END_TEST

START_TEST(test_command_is_posted_and_polled_to_completion)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	struct arr_command cmd;
	int ids[2] = { 7, 9 };
	json_t *body = NULL;

	ck_assert_int_eq(arr_command_movies_search(ids, 2, &body, &e), 0);
	ck_assert_msg(arr_command_send(c, body, &cmd, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(seen_body, "{\"name\":\"MoviesSearch\",\"movieIds\":[7,9]}");
	ck_assert_int_eq(cmd.id, 5);
	ck_assert_msg(arr_command_wait(c, 5, clock_now_us() + 60000000, 1000, &cmd, &e) == 0,
		      "%s", e.msg);
	ck_assert_int_eq(cmd.state, ARR_CMD_COMPLETED);
	ck_assert_int_eq(poll_calls, 3);
	/* a forgotten command is finished, not an error */
	ck_assert_int_eq(arr_command_get(c, 99, &cmd, &e), 0);
	ck_assert_int_eq(cmd.state, ARR_CMD_GONE);
	/* one that never ends stops at the deadline */
	ck_assert_int_eq(arr_command_wait(c, 6, clock_now_us() + 10000000, 1000, &cmd, &e), -1);
	ck_assert_int_eq(e.kind, ERR_NET_TIMEOUT);
	json_decref(body);
	arr_client_free(c);
}
END_TEST

static int
collect_id(const struct arr_movie *m, void *arg, struct err *e)
{
	int *ids = arg;

	(void)e;
	ids[++ids[0]] = m->id;
	return 0;
}

START_TEST(test_wanted_pages_are_walked_sorted_and_deduped)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	int ids[16] = { 0 };

	ck_assert_msg(arr_wanted_movie_each(c, ARR_WANTED_MISSING, 1, collect_id, ids, &e) == 0,
		      "%s", e.msg);
	ck_assert_str_eq(seen_query, "movieMetadata.sortTitle/ascending/true");
	/* pageSize 1000 asked, the server pages by 2 and says 5 in total: the
	 * first page's 2 records already satisfy page*1000 >= 5 */
	ck_assert_int_eq(ids[0], 2);
	arr_client_free(c);
}
END_TEST

static int
page_ids(json_t *r, void *arg, struct err *e)
{
	int *ids = arg;

	(void)e;
	ids[++ids[0]] = (int)json_integer_value(json_object_get(r, "id"));
	return 0;
}

START_TEST(test_small_pages_follow_total_records)
{
	struct arr_client *c = client(base, KEY);
	struct err e = ERR_INIT;
	int ids[16] = { 0 };
	struct arr_page_query q = { "/api/v3/wanted/missing", "monitored=false",
				    "movieMetadata.sortTitle", NULL, 2 };

	ck_assert_msg(arr_page_each(c, &q, page_ids, ids, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(ids[0], 4);
	ck_assert_int_eq(ids[1], 1);
	ck_assert_int_eq(ids[2], 2);
	ck_assert_int_eq(ids[3], 3);
	ck_assert_int_eq(ids[4], 4);
	arr_client_free(c);
}
END_TEST

START_TEST(test_probe_reports_a_degraded_radarr)
{
	struct arr_client *c = client(base, KEY);
	struct arr_probe_report r;
	struct err e = ERR_INIT;

	ck_assert_int_eq(arr_probe(c, &r, &e), 0);
	ck_assert_msg(r.health == ARR_HEALTH_DEGRADED, "expected degraded, got %s (%s)",
		      arr_health_name(r.health), r.first_error.msg);
	ck_assert_str_eq(r.api_version, "v3");
	ck_assert_str_eq(r.status.version, "5.6.0.8846");
	ck_assert_int_eq(r.nitems, 1);
	ck_assert_str_eq(r.items[0].message, "No indexers available");
	ck_assert_int_eq(r.nwarnings, 0);
	arr_client_free(c);

	c = client("http://127.0.0.1:1", KEY);
	ck_assert_int_eq(arr_probe(c, &r, &e), 0);
	ck_assert_int_eq(r.health, ARR_HEALTH_OFFLINE);
	arr_client_free(c);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_client");
	TCase *tc = tcase_create("loopback");
	SRunner *sr;
	int failed;

	log_set_level(LOG_LEVEL_ERROR);
	tcase_add_checked_fixture(tc, start_server, stop_server);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_requests_carry_key_agent_and_gzip_but_ping_has_no_key);
	tcase_add_test(tc, test_movie_list_is_streamed_element_by_element);
	tcase_add_test(tc, test_truncated_list_is_a_parse_error);
	tcase_add_test(tc, test_wrong_key_is_an_auth_error_without_the_key_in_it);
	tcase_add_test(tc, test_503_is_retried_with_backoff_on_the_fake_clock);
	tcase_add_test(tc, test_long_retry_after_is_left_to_the_caller);
	tcase_add_test(tc, test_500_is_retried_then_reported_redacted);
	tcase_add_test(tc, test_refused_connection_is_typed);
	tcase_add_test(tc, test_command_is_posted_and_polled_to_completion);
	tcase_add_test(tc, test_wanted_pages_are_walked_sorted_and_deduped);
	tcase_add_test(tc, test_small_pages_follow_total_records);
	tcase_add_test(tc, test_probe_reports_a_degraded_radarr);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
