/*
 * test_sweep.c - when schedules are due (lib/stage/sweep.h) in real IANA
 * zones: the next firing agrees with a brute-force minute walker over a
 * year of Europe/Berlin, America/New_York and Australia/Lord_Howe (a
 * half-hour DST shift); catch-up runs once; DST days run once; checks name
 * the field and suggest zones.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/err.h"
#include "policy/cron.h"
#include "policy/tz.h"
#include "stage/sweep.h"

/* Check records every passing ck_assert; hot loops only report failures. */
#define REQUIRE(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

static uint64_t
prng(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int
rnd(uint64_t *s, int lo, int hi)
{
	return lo + (int)(prng(s) % (uint64_t)(hi - lo + 1));
}

#define Y2025 1735689600LL	/* 2025-01-01 00:00Z */
#define MINUTES (366 * 1440)

/*
 * The reference offsets, minute by minute, from the C library with TZ set
 * once: independent of the span cache in tz_zone.c that cron_next goes
 * through.
 */
static int32_t *
reference_offsets(const char *zone, int64_t start)
{
	int32_t *off = malloc(sizeof(*off) * MINUTES);
	char spec[160];

	ck_assert_ptr_nonnull(off);
	snprintf(spec, sizeof(spec), ":%s", zone);
	setenv("TZ", spec, 1);
	tzset();
	for (int i = 0; i < MINUTES; i++) {
		time_t t = (time_t)(start + (int64_t)i * 60);
		struct tm tm;

		localtime_r(&t, &tm);
		off[i] = (int32_t)tm.tm_gmtoff;
	}
	unsetenv("TZ");
	tzset();
	return off;
}

static int
local_match(const struct cron *c, int64_t local)
{
	int64_t days = policy_floor_div(local, 86400), y, secs = local - days * 86400;
	int m, d;

	policy_civil_from_days(days, &y, &m, &d);
	return cron_match_local(c, y, m, d, (int)(secs / 3600), (int)(secs % 3600 / 60));
}

/* A random field: *, a value, a list, a range, a step. */
static void
field(uint64_t *s, char *buf, size_t size, int lo, int hi, int hot)
{
	int a = rnd(s, lo, hi), b = rnd(s, lo, hi);

	switch (rnd(s, 0, 6)) {
	case 0: case 1: snprintf(buf, size, "*"); break;
	case 2: snprintf(buf, size, "%d", hot >= 0 && rnd(s, 0, 1) ? hot : a); break;
	case 3: snprintf(buf, size, "%d,%d", a, b); break;
	case 4: snprintf(buf, size, "%d-%d", a < b ? a : b, a < b ? b : a); break;
	case 5: snprintf(buf, size, "*/%d", rnd(s, 2, (hi - lo) / 2 + 1)); break;
	default: snprintf(buf, size, "%d-%d/%d", lo, hi, rnd(s, 2, 7)); break;
	}
}

static void
random_expr(uint64_t *s, char *buf, size_t size)
{
	char f[5][32];

	field(s, f[0], sizeof(f[0]), 0, 59, rnd(s, 0, 1) ? 30 : 45);
	/* 01:xx and 02:xx are where the DST changes of these zones happen */
	field(s, f[1], sizeof(f[1]), 0, 23, rnd(s, 1, 2));
	field(s, f[2], sizeof(f[2]), 1, 28, -1);
	snprintf(f[3], sizeof(f[3]), "*");
	field(s, f[4], sizeof(f[4]), 0, 6, 0);
	/* keep most expressions firing often enough to cross the DST days */
	if (rnd(s, 0, 2) != 0)
		snprintf(f[2], sizeof(f[2]), "*");
	snprintf(buf, size, "%s %s %s %s %s", f[0], f[1], f[2], f[3], f[4]);
}

/*
 * Property: over a year, cron_next lists exactly the minutes the walker
 * finds, under the rules of cron.h: a local minute that exists fires; in a
 * spring-forward gap the skipped minutes fire once, at the instant the gap
 * ends; a minute repeated by a fall-back fires only the first time unless
 * the hour field is every hour.
 */
static void
walk_zone(const char *zone, int trials, uint64_t seed)
{
	int32_t *off = reference_offsets(zone, Y2025);
	struct policy_tz tz;
	struct policy_tz_zone z;
	struct err e = ERR_INIT;
	uint64_t s = seed;
	int transitions = 0;

	ck_assert_msg(policy_tz_zone_init(&tz, &z, zone, &e) == 0, "%s", e.msg);
	for (int i = 1; i < MINUTES; i++)
		transitions += off[i] != off[i - 1];
	ck_assert_int_eq(transitions, 2);
	for (int trial = 0; trial < trials; trial++) {
		char expr[200];
		struct cron c;
		int64_t cur = Y2025, end = Y2025 + (int64_t)(MINUTES - 1) * 60, got;
		int every_hour, repeat_left = 0;
		long fired = 0;

		random_expr(&s, expr, sizeof(expr));
		REQUIRE(cron_parse(expr, &c, NULL) == 0, "'%s' rejected", expr);
		every_hour = (c.hours & 0xffffff) == 0xffffff;
		for (int i = 1; i < MINUTES - 1; i++) {
			int64_t u = Y2025 + (int64_t)i * 60;
			int want = 0;

			if (off[i] > off[i - 1]) {
				/* local [u + old, u + new) never happens */
				for (int64_t l = u + off[i - 1]; l < u + off[i] && !want; l += 60)
					want = local_match(&c, l);
				want = want || local_match(&c, u + off[i]);
			} else {
				if (off[i] < off[i - 1])
					repeat_left = (off[i - 1] - off[i]) / 60;
				want = local_match(&c, u + off[i]) && (every_hour || repeat_left == 0);
				if (repeat_left > 0)
					repeat_left--;
			}
			if (!want)
				continue;
			REQUIRE(cron_next(&c, cur, &tz, &got, &e) == 0, "%s '%s': %s", zone, expr, e.msg);
			REQUIRE(got == u, "%s trial %d '%s' after %lld: expected %lld, got %lld", zone,
				trial, expr, (long long)cur, (long long)u, (long long)got);
			cur = got;
			fired++;
		}
		if (cron_next(&c, cur, &tz, &got, NULL) == 0)
			REQUIRE(got >= end, "%s trial %d '%s': extra firing at %lld", zone, trial, expr,
				(long long)got);
	}
	free(off);
}

START_TEST(next_agrees_with_a_minute_walker_in_berlin)
{
	walk_zone("Europe/Berlin", 40, 0xbe41ULL);
}
END_TEST

START_TEST(next_agrees_with_a_minute_walker_in_new_york)
{
	walk_zone("America/New_York", 40, 0x4e59ULL);
}
END_TEST

START_TEST(next_agrees_with_a_minute_walker_in_lord_howe)
{
	walk_zone("Australia/Lord_Howe", 40, 0x1d40ULL);
}
END_TEST

/* w is filled in place: its tz points into it, so it cannot be copied */
static void
when(const char *cron, const char *zone, struct sweep_when *w)
{
	struct err e = ERR_INIT;

	ck_assert_msg(sweep_check(cron, zone, w, NULL, 0, &e) == 0, "%s", e.msg);
}

/*
 * A runner every minute through a day: each due time it is told about
 * once, last_due moving forward as db_schedule_claim() moves it.
 */
static int
runs_in_a_day(const struct sweep_when *w, int64_t day_start, int64_t *first_due)
{
	int64_t last = day_start - 1;
	int runs = 0;

	for (int64_t now = day_start; now < day_start + 86400; now += 60) {
		int64_t due;
		int missed;

		ck_assert_int_eq(sweep_due(w, last, now, &due, &missed, NULL), 0);
		if (due == 0)
			continue;
		ck_assert_int_gt(due, last);
		ck_assert_int_le(due, now);
		ck_assert_int_eq(missed, 0);
		if (runs++ == 0)
			*first_due = due;
		last = due;
	}
	return runs;
}

START_TEST(a_0230_berlin_run_happens_once_on_both_dst_days)
{
	struct sweep_when w;
	int64_t due = 0;

	when("30 2 * * *", "Europe/Berlin", &w);

	/* 2025-03-30: 02:30 does not exist; it runs at 03:00 CEST = 01:00Z */
	ck_assert_int_eq(runs_in_a_day(&w, 1743292800 /* 03-30 00:00Z */, &due), 1);
	ck_assert_int_eq(due, 1743296400);
	/* 2025-10-26: 02:30 happens twice; it runs at the first, 00:30Z */
	ck_assert_int_eq(runs_in_a_day(&w, 1761436800 /* 10-26 00:00Z */, &due), 1);
	ck_assert_int_eq(due, 1761438600);
}
END_TEST

START_TEST(hourly_runs_every_hour_of_a_fall_back_day)
{
	struct sweep_when w;
	int64_t due = 0;

	when("0 * * * *", "Europe/Berlin", &w);

	/* 25 local hours, 24 hours of real time at :00 UTC: every one runs */
	ck_assert_int_eq(runs_in_a_day(&w, 1761436800, &due), 24);
}
END_TEST

START_TEST(catch_up_runs_once_for_every_missed_time)
{
	struct sweep_when w;
	int64_t due;
	int missed;

	when("0 * * * *", "UTC", &w);

	/* down from 10:00 to 15:20: one run, due 15:00, standing for 5 */
	ck_assert_int_eq(sweep_due(&w, Y2025 + 10 * 3600, Y2025 + 15 * 3600 + 1200, &due, &missed,
				   NULL), 0);
	ck_assert_int_eq(due, Y2025 + 15 * 3600);
	ck_assert_int_eq(missed, 4);
	/* after it, nothing until 16:00 */
	ck_assert_int_eq(sweep_due(&w, due, Y2025 + 15 * 3600 + 3599, &due, &missed, NULL), 0);
	ck_assert_int_eq(due, 0);
	/* a clock that went back to before the last due time finds nothing */
	ck_assert_int_eq(sweep_due(&w, Y2025 + 15 * 3600, Y2025 + 12 * 3600, &due, &missed, NULL), 0);
	ck_assert_int_eq(due, 0);
	/* 40 days down: only the last 31 days count */
	ck_assert_int_eq(sweep_due(&w, Y2025, Y2025 + 40 * 86400, &due, &missed, NULL), 0);
	ck_assert_int_eq(due, Y2025 + 40 * 86400);
	ck_assert_int_eq(missed, 31 * 24 - 1);
}
END_TEST

START_TEST(every_minute_catch_up_after_a_month_is_quick)
{
	struct sweep_when w;
	int64_t due;
	int missed;

	when("* * * * *", "Australia/Lord_Howe", &w);

	/* 44,640 firings through the zone adapter: the span cache keeps it
	 * from asking tzdata for each */
	ck_assert_int_eq(sweep_due(&w, Y2025, Y2025 + 40 * 86400, &due, &missed, NULL), 0);
	ck_assert_int_eq(due, Y2025 + 40 * 86400);
	ck_assert_int_eq(missed, 31 * 1440 - 1);
}
END_TEST

START_TEST(next_lists_runs_in_order)
{
	struct sweep_when w;
	int64_t t[3];
	int32_t off;

	when("30 2 * * *", "Europe/Berlin", &w);

	ck_assert_int_eq(sweep_next(&w, 1743206400 /* 03-29 00:00Z */, t, 3, NULL), 3);
	ck_assert_int_eq(t[0], 1743211800);	/* 03-29 02:30 CET */
	ck_assert_int_eq(t[1], 1743296400);	/* 03-30 03:00 CEST, after the gap */
	ck_assert_int_eq(t[2], 1743381000);	/* 03-31 02:30 CEST */
	ck_assert_int_eq(sweep_offset(&w, t[0], &off, NULL), 0);
	ck_assert_int_eq(off, 3600);
	ck_assert_int_eq(sweep_offset(&w, t[2], &off, NULL), 0);
	ck_assert_int_eq(off, 7200);
}
END_TEST

START_TEST(checks_name_the_field_and_suggest_zones)
{
	struct err e = ERR_INIT;
	char warn[256];
	char desc[256];
	struct sweep_when w;

	ck_assert_int_eq(sweep_check("60 * * * *", "UTC", NULL, warn, sizeof(warn), &e), -1);
	ck_assert_msg(strstr(e.msg, "minute 60") != NULL, "%s", e.msg);
	err_clear(&e);
	ck_assert_int_eq(sweep_check("0 3 * * *", "Europe/Berln", NULL, warn, sizeof(warn), &e), -1);
	ck_assert_msg(strstr(e.msg, "'Europe/Berlin'") != NULL, "%s", e.msg);
	err_clear(&e);
	ck_assert_int_eq(sweep_check("0 3 * * *", "Lord_Howe", NULL, warn, sizeof(warn), &e), -1);
	ck_assert_msg(strstr(e.msg, "'Australia/Lord_Howe'") != NULL, "%s", e.msg);
	err_clear(&e);
	/* fires in January, never on February 31: a warning, not an error */
	ck_assert_int_eq(sweep_check("0 0 31 1,2 *", "UTC", NULL, warn, sizeof(warn), &e), 0);
	ck_assert_str_eq(warn, "day-of-month 31 never occurs in February");
	ck_assert_int_eq(sweep_check("0 0 30 * *", "UTC", NULL, warn, sizeof(warn), &e), 0);
	ck_assert_str_eq(warn, "day-of-month 30 never occurs in February");
	ck_assert_int_eq(sweep_check("0 0 29 2 *", "UTC", NULL, warn, sizeof(warn), &e), 0);
	ck_assert_str_eq(warn, "day-of-month 29 never occurs in February outside leap years");
	ck_assert_int_eq(sweep_check("0 3 * * *", "UTC", &w, warn, sizeof(warn), &e), 0);
	ck_assert_str_eq(warn, "");
	/* never at all is an error */
	ck_assert_int_eq(sweep_check("0 0 31 2 *", "UTC", NULL, warn, sizeof(warn), &e), -1);
	err_clear(&e);
	when("30 2 * * *", "Europe/Berlin", &w);
	sweep_describe(&w, "Europe/Berlin", desc, sizeof(desc));
	ck_assert_str_eq(desc, "at 02:30 every day in Europe/Berlin");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tw = tcase_create("walker");
	TCase *td = tcase_create("due");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tw, 300);
	tcase_add_test(tw, next_agrees_with_a_minute_walker_in_berlin);
	tcase_add_test(tw, next_agrees_with_a_minute_walker_in_new_york);
	tcase_add_test(tw, next_agrees_with_a_minute_walker_in_lord_howe);
	tcase_set_timeout(td, 60);
	tcase_add_test(td, a_0230_berlin_run_happens_once_on_both_dst_days);
	tcase_add_test(td, hourly_runs_every_hour_of_a_fall_back_day);
	tcase_add_test(td, catch_up_runs_once_for_every_missed_time);
	tcase_add_test(td, every_minute_catch_up_after_a_month_is_quick);
	tcase_add_test(td, next_lists_runs_in_order);
	tcase_add_test(td, checks_name_the_field_and_suggest_zones);
	suite_add_tcase(s, tw);
	suite_add_tcase(s, td);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
