/*
 * test_policy_notify.c - which events a channel hears, quiet hours across
 * midnight and DST, the hourly cap, digests, templates and retries (Req 9).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "policy/notify.h"
#include "policy/tz.h"

#define REQUIRE(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)
#define US 1000000LL

static struct notify_event
ev(const char *kind, int64_t conn, const char *cname, json_t *payload)
{
	struct notify_event e;

	memset(&e, 0, sizeof(e));
	e.id = 1;
	e.kind = kind;
	e.connector_id = conn;
	e.connector_name = cname;
	e.connector_type = cname ? "sonarr" : NULL;
	e.created_us = 1700000000LL * US;
	e.payload = payload;
	return e;
}

START_TEST(severity_of_kinds)
{
	json_t *down = json_pack("{s:s, s:s}", "from", "healthy", "to", "unhealthy");
	json_t *up = json_pack("{s:s, s:s}", "from", "degraded", "to", "healthy");
	json_t *deg = json_pack("{s:s, s:s}", "from", "healthy", "to", "degraded");
	struct notify_event a = ev("connector_auth_failed", 1, "tv", NULL);
	struct notify_event f = ev("backup_failed", 0, NULL, NULL);
	struct notify_event b = ev("budget_exhausted", 1, "tv", NULL);
	struct notify_event s = ev("search_outcome", 1, "tv", NULL);
	struct notify_event h1 = ev("connector_health_changed", 1, "tv", down);
	struct notify_event h2 = ev("connector_health_changed", 1, "tv", up);
	struct notify_event h3 = ev("connector_health_changed", 1, "tv", deg);

	ck_assert_int_eq(notify_event_severity(&a), NOTIFY_ERROR);
	ck_assert_int_eq(notify_event_severity(&f), NOTIFY_ERROR);
	ck_assert_int_eq(notify_event_severity(&b), NOTIFY_WARNING);
	ck_assert_int_eq(notify_event_severity(&s), NOTIFY_INFO);
	ck_assert_int_eq(notify_event_severity(&h1), NOTIFY_ERROR);
	ck_assert_int_eq(notify_event_severity(&h2), NOTIFY_INFO);
	ck_assert_int_eq(notify_event_severity(&h3), NOTIFY_WARNING);
	json_decref(down);
	json_decref(up);
	json_decref(deg);
}
END_TEST

START_TEST(filter_kinds_severity_connectors)
{
	const char *kinds[] = { "search_outcome", "item_added" };
	const char *all[] = { "all" };
	int64_t conns[] = { 2 };
	struct notify_filter f = { NULL, 0, NOTIFY_INFO, NULL, 0 };
	struct notify_event s = ev("search_outcome", 1, "tv", NULL);
	struct notify_event i = ev("item_added", 1, "tv", NULL);
	struct notify_event q = ev("queue_paused", 0, NULL, NULL);
	struct notify_event a = ev("connector_auth_failed", 2, "films", NULL);

	/* the default selection leaves the per-item stream out */
	ck_assert(notify_filter_match(&f, &s));
	ck_assert(!notify_filter_match(&f, &i));
	/* and configuration changes and routine sweeps; a failed sweep is heard */
	ck_assert(!notify_kind_default("schedule_added"));
	ck_assert(!notify_kind_default("setting_changed"));
	ck_assert(!notify_kind_default("sweep_done"));
	ck_assert(notify_kind_default("sweep_failed"));
	f.kinds = kinds;
	f.nkinds = 2;
	ck_assert(notify_filter_match(&f, &i));
	ck_assert(!notify_filter_match(&f, &q));
	f.kinds = all;
	f.nkinds = 1;
	ck_assert(notify_filter_match(&f, &q));
	f.min_severity = NOTIFY_WARNING;
	ck_assert(!notify_filter_match(&f, &s));
	ck_assert(notify_filter_match(&f, &q));
	ck_assert(notify_filter_match(&f, &a));
	f.min_severity = NOTIFY_INFO;
	f.connectors = conns;
	f.nconnectors = 1;
	ck_assert(!notify_filter_match(&f, &s));	/* connector 1 */
	ck_assert(notify_filter_match(&f, &a));		/* connector 2 */
	ck_assert(notify_filter_match(&f, &q));		/* no connector: everyone's */
	ck_assert(notify_kind_valid("search_outcome"));
	ck_assert(!notify_kind_valid("Search"));
	ck_assert(!notify_kind_valid(""));
	ck_assert(!notify_kind_valid("a-b"));
}
END_TEST

START_TEST(quiet_parse)
{
	struct notify_quiet q;
	struct err e = ERR_INIT;

	ck_assert_int_eq(notify_quiet_parse("22:00-07:30", &q, &e), 0);
	ck_assert_int_eq(q.start_min, 22 * 60);
	ck_assert_int_eq(q.end_min, 7 * 60 + 30);
	ck_assert_int_eq(notify_quiet_parse("9:05-10:00", &q, &e), 0);
	ck_assert_int_eq(q.start_min, 9 * 60 + 5);
	ck_assert_int_eq(notify_quiet_parse("22:00-22:00", &q, &e), -1);
	ck_assert_int_eq(notify_quiet_parse("24:00-07:00", &q, &e), -1);
	ck_assert_int_eq(notify_quiet_parse("22:00", &q, &e), -1);
	ck_assert_int_eq(notify_quiet_parse("22:00-07:00x", &q, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "HH:MM-HH:MM"));
}
END_TEST

/* 2026-01-15 00:00:00 UTC */
#define JAN15 1768435200LL

START_TEST(quiet_wraps_midnight)
{
	struct notify_quiet q;
	struct policy_tz tz;
	int32_t plus2 = 2 * 3600;
	int quiet;
	int64_t until;

	policy_tz_fixed(&tz, &plus2);
	ck_assert_int_eq(notify_quiet_parse("22:00-07:00", &q, NULL), 0);
	/* 21:59 local (19:59 UTC): not quiet */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, JAN15 + 19 * 3600 + 59 * 60, &quiet, &until), 0);
	ck_assert(!quiet);
	/* 23:00 local: quiet until 07:00 local tomorrow = 05:00 UTC tomorrow */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, JAN15 + 21 * 3600, &quiet, &until), 0);
	ck_assert(quiet);
	ck_assert_int_eq(until, JAN15 + 86400 + 5 * 3600);
	/* 03:00 local the next day: the same end */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, JAN15 + 86400 + 1 * 3600, &quiet, &until), 0);
	ck_assert(quiet);
	ck_assert_int_eq(until, JAN15 + 86400 + 5 * 3600);
	/* 07:00 local exactly: over */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, JAN15 + 86400 + 5 * 3600, &quiet, &until), 0);
	ck_assert(!quiet);
}
END_TEST

/* Property: with a fixed offset, a quiet instant's end is in the future,
 * the second before it is quiet and the end itself is not. */
START_TEST(quiet_property_fixed)
{
	uint64_t s = 42;

	for (int i = 0; i < 20000; i++) {
		struct notify_quiet q = { 1, 0, 0 };
		struct policy_tz tz;
		int32_t off;
		int64_t t, until, u2;
		int quiet, quiet2;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		q.start_min = (int)((s >> 33) % 1440);
		q.end_min = (int)((s >> 13) % 1440);
		if (q.start_min == q.end_min)
			continue;
		off = (int32_t)((int64_t)((s >> 40) % 97) - 48) * 900;	/* -12h..+12h */
		t = JAN15 + (int64_t)((s >> 7) % (400 * 86400));
		policy_tz_fixed(&tz, &off);
		REQUIRE(notify_quiet_check(&q, &tz, t, &quiet, &until) == 0, "check failed");
		if (!quiet)
			continue;
		REQUIRE(until > t && until - t <= 86400, "end %lld not within a day of %lld",
			(long long)until, (long long)t);
		REQUIRE(notify_quiet_check(&q, &tz, until - 1, &quiet2, &u2) == 0 && quiet2 &&
			u2 == until, "the second before the end is not quiet with the same end");
		REQUIRE(notify_quiet_check(&q, &tz, until, &quiet2, &u2) == 0 && !quiet2,
			"still quiet at the end (%d-%d, off %d)", q.start_min, q.end_min, (int)off);
	}
}
END_TEST

START_TEST(quiet_across_dst)
{
	struct policy_tz tz;
	struct policy_tz_zone z;
	struct notify_quiet q;
	struct err e = ERR_INIT;
	int quiet;
	int64_t until;
	/* 2026-03-28 23:00 CET = 22:00 UTC; clocks go forward 2026-03-29 01:00 UTC */
	int64_t spring = 1774735200LL;
	/* 2026-10-24 23:00 CEST = 21:00 UTC; clocks go back 2026-10-25 01:00 UTC */
	int64_t autumn = 1792875600LL;

	if (policy_tz_zone_init(&tz, &z, "Europe/Berlin", &e) < 0) {
		fprintf(stderr, "SKIP quiet_across_dst: %s\n", e.msg);
		return;
	}
	ck_assert_int_eq(notify_quiet_parse("22:00-07:00", &q, NULL), 0);
	/* the short night ends at 07:00 CEST = 05:00 UTC */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, spring, &quiet, &until), 0);
	ck_assert(quiet);
	ck_assert_int_eq(until, spring + 7 * 3600);
	/* the long night ends at 07:00 CET = 06:00 UTC */
	ck_assert_int_eq(notify_quiet_check(&q, &tz, autumn, &quiet, &until), 0);
	ck_assert(quiet);
	ck_assert_int_eq(until, autumn + 9 * 3600);
	/* 02:30 does not exist on the spring night: the end comes at the far side */
	ck_assert_int_eq(notify_quiet_parse("01:00-02:30", &q, NULL), 0);
	ck_assert_int_eq(notify_quiet_check(&q, &tz, spring + 3 * 3600 - 60, &quiet, &until), 0);
	ck_assert(quiet);
	ck_assert(until > spring + 3 * 3600 - 60 && until <= spring + 4 * 3600 + 1800);
}
END_TEST

START_TEST(hourly_cap)
{
	int64_t now = 1000 * 3600 * US;

	ck_assert_int_eq(notify_rate_next(0, 500, now - 10, now), now);
	ck_assert_int_eq(notify_rate_next(3, 2, now - 10 * US, now), now);
	ck_assert_int_eq(notify_rate_next(3, 3, now - 600 * US, now), now + 3000 * US);
	/* property: the answer is never in the past and lets exactly max through */
	for (int cap = 1; cap < 20; cap++) {
		for (int sent = 0; sent < 25; sent++) {
			int64_t next = notify_rate_next(cap, sent, now - 1800 * US, now);

			REQUIRE(next >= now, "wait in the past");
			REQUIRE((next == now) == (sent < cap), "cap %d sent %d", cap, sent);
		}
	}
}
END_TEST

START_TEST(group_window)
{
	ck_assert(notify_group_due(0, 0, 0));
	ck_assert(!notify_group_due(0, 300, 299 * US));
	ck_assert(notify_group_due(0, 300, 300 * US));
}
END_TEST

START_TEST(digest_discover)
{
	json_t *p[3];
	struct notify_event evs[3];
	struct notify_text t;
	struct err e = ERR_INIT;

	p[0] = json_pack("{s:i, s:i}", "gaps", 10, "upgrades", 1);
	p[1] = json_pack("{s:i, s:i}", "gaps", 3, "upgrades", 0);
	p[2] = json_pack("{s:i, s:i}", "gaps", 2, "upgrades", 1);
	evs[0] = ev("discover_done", 1, "tv", p[0]);
	evs[1] = ev("discover_done", 2, "anime", p[1]);
	evs[2] = ev("discover_done", 3, "films", p[2]);
	ck_assert_int_eq(notify_render(evs, 3, NULL, NULL, &t, &e), 0);
	ck_assert_msg(strncmp(t.body, "Found 15 missing items and 2 upgrades across 3 connectors",
			      57) == 0, "summary: %s", t.body);
	ck_assert_ptr_nonnull(strstr(t.body, "\n- anime: discovery finished (gaps: 3, upgrades: 0)"));
	ck_assert_str_eq(t.title, "Comradarr: 3 x discovery finished");
	notify_text_release(&t);
	for (int i = 0; i < 3; i++)
		json_decref(p[i]);
}
END_TEST

START_TEST(digest_episodes_and_cut)
{
	json_t *p[14];
	struct notify_event evs[14];
	struct notify_text t;
	struct err e = ERR_INIT;

	for (int i = 0; i < 14; i++) {
		p[i] = json_pack("{s:s, s:i, s:s}", "type", "episode", "series_arr_id", i % 3,
				 "title", "Pilot");
		evs[i] = ev("item_added", 1, "tv", p[i]);
	}
	ck_assert_int_eq(notify_render(evs, 14, NULL, NULL, &t, &e), 0);
	ck_assert_msg(strncmp(t.body, "Found 14 new episodes across 3 series", 37) == 0, "%s", t.body);
	ck_assert_ptr_nonnull(strstr(t.body, "... and 4 more"));
	notify_text_release(&t);
	for (int i = 0; i < 14; i++)
		json_decref(p[i]);
}
END_TEST

START_TEST(templates)
{
	json_t *p = json_pack("{s:s, s:i, s:i, s:i}", "title", "Dune", "year", 2021, "gaps", 2,
			      "queue_id", 5);
	struct notify_event one = ev("discover_done", 7, "films", p);
	struct notify_text t;
	struct err e = ERR_INIT;

	one.id = 99;
	ck_assert_int_eq(notify_template_validate("{content_title} ({content_year}) on "
						  "{connector_name}", &e), 0);
	ck_assert_int_eq(notify_template_validate("{title}", &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "'{title}'"));
	ck_assert_int_eq(notify_template_validate("oops {url", &e), -1);
	{
		/* the limit counts characters, not bytes: 2000 two-byte characters pass */
		char big[2 * NOTIFY_TEMPLATE_MAX + 3];

		for (int i = 0; i < NOTIFY_TEMPLATE_MAX; i++)
			memcpy(big + 2 * i, "\xc3\xa9", 2);
		big[2 * NOTIFY_TEMPLATE_MAX] = '\0';
		ck_assert_int_eq(notify_template_validate(big, &e), 0);
		memcpy(big + 2 * NOTIFY_TEMPLATE_MAX, "x", 2);
		ck_assert_int_eq(notify_template_validate(big, &e), -1);
	}
	ck_assert_int_eq(notify_render(&one, 1, "{content_title} ({content_year}) on "
				       "{connector_name}/{connector_type}: {event_type} at {timestamp}; "
				       "{statistics} {url}", "http://h/c/", &t, &e), 0);
	ck_assert_str_eq(t.body, "Dune (2021) on films/sonarr: discover_done at "
			 "2023-11-14T22:13:20.000Z; year: 2021, gaps: 2 http://h/c/events/99");
	ck_assert_str_eq(t.title, "Comradarr: discovery finished on films");
	notify_text_release(&t);
	/* an event with no sentence of its own still reads */
	one.kind = "backup_done";
	ck_assert_int_eq(notify_render(&one, 1, NULL, NULL, &t, &e), 0);
	ck_assert_str_eq(t.body, "backup_done on films (year: 2021, gaps: 2)");
	notify_text_release(&t);
	json_decref(p);
}
END_TEST

START_TEST(retries)
{
	struct notify_decision d;
	int64_t now = 5000 * US;

	notify_retry_decide(ERR_NONE, 204, -1, 0, now, 1, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_SENT);
	notify_retry_decide(ERR_AUTH, 401, -1, 0, now, 1, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_STOP);
	notify_retry_decide(ERR_HTTP, 404, -1, 0, now, 1, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_STOP);
	notify_retry_decide(ERR_AUTH, 0, -1, 0, now, 1, &d);	/* SMTP login refused */
	ck_assert_int_eq(d.verdict, NOTIFY_STOP);
	notify_retry_decide(ERR_USAGE, 0, -1, 0, now, 1, &d);	/* a credential missing */
	ck_assert_int_eq(d.verdict, NOTIFY_STOP);
	notify_retry_decide(ERR_NET_TLS, 0, -1, 0, now, 1, &d);	/* may be fixed server-side */
	ck_assert_int_eq(d.verdict, NOTIFY_RETRY);
	notify_retry_decide(ERR_HTTP, 400, -1, 0, now, 1, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_FAILED);
	/* a 429 waits exactly its Retry-After and is not an attempt */
	notify_retry_decide(ERR_RATELIMIT, 429, 7000, 3, now, 1, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_RETRY);
	ck_assert_int_eq(d.next_us, now + 7000 * 1000);
	ck_assert_int_eq(d.attempts, 3);
	notify_retry_decide(ERR_RATELIMIT, 429, 10, 3, now, 1, &d);
	ck_assert_int_eq(d.next_us, now + US);
	/* 5xx: growing waits, then given up */
	{
		int64_t prev = 0;
		int a = 0;

		for (;;) {
			notify_retry_decide(ERR_SERVER, 500, -1, a, now, 0, &d);
			if (d.verdict != NOTIFY_RETRY)
				break;
			REQUIRE(d.next_us - now >= prev * 8 / 10, "wait shrank at %d", a);
			REQUIRE(d.next_us - now <= NOTIFY_RETRY_MAX_MS * 1000LL, "over the cap");
			prev = d.next_us - now;
			a = d.attempts;
		}
		ck_assert_int_eq(d.verdict, NOTIFY_FAILED);
		ck_assert_int_eq(d.attempts, NOTIFY_MAX_ATTEMPTS);
	}
	notify_retry_decide(ERR_NET_REFUSED, 0, -1, 0, now, 0, &d);
	ck_assert_int_eq(d.verdict, NOTIFY_RETRY);
	ck_assert(d.next_us > now);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_notify");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, severity_of_kinds);
	tcase_add_test(tc, filter_kinds_severity_connectors);
	tcase_add_test(tc, quiet_parse);
	tcase_add_test(tc, quiet_wraps_midnight);
	tcase_add_test(tc, quiet_property_fixed);
	tcase_add_test(tc, quiet_across_dst);
	tcase_add_test(tc, hourly_cap);
	tcase_add_test(tc, group_window);
	tcase_add_test(tc, digest_discover);
	tcase_add_test(tc, digest_episodes_and_cut);
	tcase_add_test(tc, templates);
	tcase_add_test(tc, retries);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
