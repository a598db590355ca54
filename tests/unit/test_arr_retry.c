/*
 * Retry-After (seconds or HTTP-date, clamped; garbage -> -1), backoff
 * (monotone, capped, bounded jitter) and the typed errors (Req 23.3-23.5,
 * 28.1-28.5).
 */
#include <check.h>
#include <curl/curl.h>
#include <string.h>

#include "arr/httperr.h"
#include "arr/retry.h"
#include "core/clock.h"
#include "core/log.h"

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define NOW_US (784111777LL * 1000000LL)

START_TEST(test_retry_after_seconds)
{
	ck_assert_int_eq(arr_retry_after_parse("120", NOW_US), 120000);
	ck_assert_int_eq(arr_retry_after_parse("  0 ", NOW_US), 0);
	ck_assert_int_eq(arr_retry_after_parse("1", NOW_US), 1000);
}
END_TEST

START_TEST(test_retry_after_http_date)
{
	ck_assert_int_eq(arr_retry_after_parse("Sun, 06 Nov 1994 08:50:37 GMT", NOW_US),
			 60000);
	/* RFC 850 and asctime forms are accepted too (RFC 9110 5.6.7) */
	ck_assert_int_eq(arr_retry_after_parse("Sunday, 06-Nov-94 08:49:47 GMT", NOW_US),
			 10000);
	ck_assert_int_eq(arr_retry_after_parse("Sun Nov  6 08:49:57 1994", NOW_US),
			 20000);
	/* a date in the past means: now */
	ck_assert_int_eq(arr_retry_after_parse("Sat, 05 Nov 1994 08:49:37 GMT", NOW_US), 0);
}
END_TEST

START_TEST(test_retry_after_garbage_is_minus_one)
{
	const char *bad[] = { NULL, "", "   ", "soon", "12abc", "-5", "1.5",
			      "Sun, 99 Foo 1994", "0x10" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(arr_retry_after_parse(bad[i], NOW_US) == -1,
			      "expected -1 for '%s', got %ld", bad[i] ? bad[i] : "(null)",
			      arr_retry_after_parse(bad[i], NOW_US));
}
END_TEST

START_TEST(test_retry_after_huge_values_are_clamped)
{
	ck_assert_int_eq(arr_retry_after_parse("86400", NOW_US), ARR_RETRY_AFTER_MAX_MS);
	ck_assert_int_eq(arr_retry_after_parse("99999999999999999999999", NOW_US),
			 ARR_RETRY_AFTER_MAX_MS);
	ck_assert_int_eq(arr_retry_after_parse("Fri, 01 Jan 2100 00:00:00 GMT", NOW_US),
			 ARR_RETRY_AFTER_MAX_MS);
}
END_TEST

START_TEST(test_backoff_is_monotone_and_capped)
{
	struct arr_retry r = { 100, 5000, 10 };
	long prev = 0;

	for (int a = 0; a < 64; a++) {
		long d = arr_backoff_cap_ms(&r, a);

		ck_assert_msg(d >= prev, "attempt %d: %ld < previous %ld", a, d, prev);
		ck_assert_msg(d <= 5000, "attempt %d: %ld over the cap", a, d);
		prev = d;
	}
	ck_assert_int_eq(arr_backoff_cap_ms(&r, 0), 100);
	ck_assert_int_eq(arr_backoff_cap_ms(&r, 1), 200);
	ck_assert_int_eq(arr_backoff_cap_ms(&r, 3), 800);
	ck_assert_int_eq(arr_backoff_cap_ms(&r, 63), 5000);
}
END_TEST

START_TEST(test_backoff_jitter_is_bounded)
{
	struct arr_retry r = { 500, 30000, 4 };
	uint32_t st = 12345;
	long lo = 1L << 30, hi = 0;

	for (int i = 0; i < 10000; i++) {
		int a = i % 8;
		long cap = arr_backoff_cap_ms(&r, a);
		long d = arr_backoff_ms(&r, a, arr_retry_rand(&st));

		ck_assert_msg(d >= cap / 2 && d <= cap, "attempt %d: %ld outside [%ld, %ld]",
			      a, d, cap / 2, cap);
		if (a == 0) {
			lo = d < lo ? d : lo;
			hi = d > hi ? d : hi;
		}
	}
	ck_assert_msg(hi - lo > 100, "jitter should spread: %ld..%ld", lo, hi);
	/* edge values of the random number stay inside too */
	ck_assert_int_eq(arr_backoff_ms(&r, 0, 0), 250);
	ck_assert(arr_backoff_ms(&r, 0, UINT32_MAX) <= 500);
}
END_TEST

START_TEST(test_http_statuses_map_to_kinds)
{
	static const struct { long status; enum err_kind kind; } table[] = {
		{ 401, ERR_AUTH }, { 403, ERR_AUTH }, { 404, ERR_NOTFOUND },
		{ 429, ERR_RATELIMIT }, { 503, ERR_STARTING }, { 500, ERR_SERVER },
		{ 502, ERR_SERVER }, { 599, ERR_SERVER }, { 400, ERR_HTTP },
		{ 301, ERR_HTTP }, { 418, ERR_HTTP },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct err e = ERR_INIT;

		ck_assert_int_eq(arr_http_status_error(table[i].status, "GET /x", NULL, 0,
						       5000, &e), -1);
		ck_assert_msg(e.kind == table[i].kind, "HTTP %ld: expected %s, got %s",
			      table[i].status, err_kind_name(table[i].kind),
			      err_kind_name(e.kind));
		ck_assert_int_eq(e.http_status, table[i].status);
		ck_assert_int_eq(e.retry_after_ms,
				 table[i].status == 429 || table[i].status == 503 ? 5000 : -1);
	}
}
END_TEST

START_TEST(test_error_bodies_are_excerpted_and_redacted)
{
	struct err e = ERR_INIT;
	const char *body = "{\"message\":\"bad apikey=0123456789abcdef given\","
			   "\"description\":\"stack...\"}";

	log_secret_add("s3cr3t-key-value");
	arr_http_status_error(500, "GET /api/v3/series", body, strlen(body), -1, &e);
	ck_assert_msg(strstr(e.msg, "0123456789abcdef") == NULL, "key leaked: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "bad apikey=") != NULL, "message lost: %s", e.msg);
	ck_assert_msg(strstr(e.msg, "stack") == NULL, "description kept: %s", e.msg);

	body = "<html>s3cr3t-key-value\n<b>oops</b></html>";
	arr_http_status_error(502, "GET /x", body, strlen(body), -1, &e);
	ck_assert_msg(strstr(e.msg, "s3cr3t-key-value") == NULL, "secret leaked: %s", e.msg);
	ck_assert_msg(strchr(e.msg, '\n') == NULL, "newline kept: %s", e.msg);
	log_secret_clear();
}
END_TEST

START_TEST(test_curl_failures_map_to_network_kinds)
{
	ck_assert_int_eq(arr_curl_error_kind(CURLE_COULDNT_CONNECT), ERR_NET_REFUSED);
	ck_assert_int_eq(arr_curl_error_kind(CURLE_COULDNT_RESOLVE_HOST), ERR_NET_DNS);
	ck_assert_int_eq(arr_curl_error_kind(CURLE_OPERATION_TIMEDOUT), ERR_NET_TIMEOUT);
	ck_assert_int_eq(arr_curl_error_kind(CURLE_PEER_FAILED_VERIFICATION), ERR_NET_TLS);
	ck_assert_int_eq(arr_curl_error_kind(CURLE_SSL_CONNECT_ERROR), ERR_NET_TLS);
	ck_assert_int_eq(arr_curl_error_kind(CURLE_RECV_ERROR), ERR_NET);
	ck_assert(err_kind_retryable(ERR_NET_TIMEOUT));
	ck_assert(!err_kind_retryable(ERR_AUTH));
	ck_assert(!err_kind_retryable(ERR_NET_TLS));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_retry");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_retry_after_seconds);
	tcase_add_test(tc, test_retry_after_http_date);
	tcase_add_test(tc, test_retry_after_garbage_is_minus_one);
	tcase_add_test(tc, test_retry_after_huge_values_are_clamped);
	tcase_add_test(tc, test_backoff_is_monotone_and_capped);
	tcase_add_test(tc, test_backoff_jitter_is_bounded);
	tcase_add_test(tc, test_http_statuses_map_to_kinds);
	tcase_add_test(tc, test_error_bodies_are_excerpted_and_redacted);
	tcase_add_test(tc, test_curl_failures_map_to_network_kinds);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
