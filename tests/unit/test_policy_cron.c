/*
 * test_policy_cron.c - cron parsing, next firing time across time zones
 * and DST, and descriptions (Req 8.1, 19.3).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/cron.h"
#include "policy/tz.h"

#define SEED 0xc90eULL

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

static int64_t
rnd(uint64_t *s, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(prng(s) % (uint64_t)(hi - lo + 1));
}

static struct cron
parse(const char *expr)
{
	struct cron c;
	struct err e = ERR_INIT;

	ck_assert_msg(cron_parse(expr, &c, &e) == 0, "'%s' rejected: %s", expr, e.msg);
	return c;
}

static void
bad(const char *expr, const char *fragment)
{
	struct cron c;
	struct err e = ERR_INIT;

	ck_assert_msg(cron_parse(expr, &c, &e) == -1, "'%s' accepted", expr);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, fragment) != NULL,
		      "'%s': message should contain '%s', was '%s'", expr, fragment, e.msg);
}

static const int32_t zero = 0;

static int64_t
next_in(const char *expr, const struct policy_tz *tz, int64_t after)
{
	struct cron c = parse(expr);
	struct err e = ERR_INIT;
	int64_t n = 0;

	ck_assert_msg(cron_next(&c, after, tz, &n, &e) == 0, "'%s': %s", expr, e.msg);
	return n;
}

static int64_t
next_utc(const char *expr, int64_t after)
{
	struct policy_tz tz;

	policy_tz_fixed(&tz, &zero);
	return next_in(expr, &tz, after);
}

/* 2024-03-04 00:00:00 UTC, a Monday */
#define MON 1709510400LL

START_TEST(fields_lists_ranges_steps_and_names)
{
	struct cron c = parse("*/15 9-17 * JAN,jul mon-FRI");

	ck_assert_uint_eq(c.minutes, (1ULL << 0) | (1ULL << 15) | (1ULL << 30) | (1ULL << 45));
	ck_assert_uint_eq(c.hours, 0x3fe00u);
	ck_assert_uint_eq(c.months, (1u << 1) | (1u << 7));
	ck_assert_uint_eq(c.wdays, 0x3eu);
	ck_assert(c.mday_star && !c.wday_star);
	c = parse("5/20 0-12/6 1,15 * 7");
	ck_assert_uint_eq(c.minutes, (1ULL << 5) | (1ULL << 25) | (1ULL << 45));
	ck_assert_uint_eq(c.hours, (1u << 0) | (1u << 6) | (1u << 12));
	ck_assert_uint_eq(c.wdays, 1u);	/* 7 is Sunday */
	ck_assert(!c.mday_star && !c.wday_star);
	c = parse("  0   0  *  *  *  ");
	ck_assert_uint_eq(c.minutes, 1);
}
END_TEST

START_TEST(macros_expand_to_their_schedules)
{
	struct cron a = parse("@daily"), b = parse("0 0 * * *");

	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	a = parse("@hourly");
	b = parse("0 * * * *");
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	a = parse("@WEEKLY");
	b = parse("0 0 * * 0");
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	a = parse("@yearly");
	b = parse("@annually");
	ck_assert(memcmp(&a, &b, sizeof(a)) == 0);
	parse("@monthly");
	parse("@midnight");
	bad("@reboot", "@hourly");
}
END_TEST

START_TEST(invalid_expressions_name_the_problem)
{
	bad("61 * * * *", "minute 61 is out of range 0-59");
	bad("* 24 * * *", "hour 24");
	bad("* * 0 * *", "day of month 0");
	bad("* * * 13 *", "month 13");
	bad("* * * * 8", "day of week 8");
	bad("* * * *", "4 fields");
	bad("* * * * * *", "more than 5");
	bad("5-1 * * * *", "backwards");
	bad("*/0 * * * *", "'*/0'");
	bad("a * * * *", "'a'");
	bad("1,,2 * * * *", "empty item");
	bad("* * * FOO *", "'FOO'");
	bad("0 0 31 2,4 *", "never fires");
	bad("0 0 30 2 *", "never fires");
	bad("", "0 fields");
	parse("0 0 29 2 *");	/* leap days exist */
	parse("0 0 31 2 MON");	/* both restricted: every Monday */
}
END_TEST

START_TEST(next_is_strictly_after)
{
	ck_assert_int_eq(next_utc("0 * * * *", MON), MON + 3600);
	ck_assert_int_eq(next_utc("0 * * * *", MON - 1), MON);
	ck_assert_int_eq(next_utc("* * * * *", MON + 59), MON + 60);
	ck_assert_int_eq(next_utc("*/15 * * * *", MON + 15 * 60), MON + 30 * 60);
	ck_assert_int_eq(next_utc("0 3 * * *", MON + 4 * 3600), MON + 86400 + 3 * 3600);
}
END_TEST

START_TEST(vixie_day_rule_or_when_both_restricted)
{
	/* MON is Monday 4 March; the 1st or any Friday: Friday 8 March */
	ck_assert_int_eq(next_utc("0 0 1 * FRI", MON), MON + 4 * 86400);
	/* with a '*' day-of-month, both must hold: Fridays only */
	ck_assert_int_eq(next_utc("0 0 * * FRI", MON), MON + 4 * 86400);
	/* "*\/2" counts as '*': odd days that are Fridays: 15 March */
	ck_assert_int_eq(next_utc("0 0 */2 * FRI", MON), MON + 11 * 86400);
	/* 13th that is a Friday (both via '*' in dow? no: OR) */
	ck_assert_int_eq(next_utc("0 0 13 * *", MON), MON + 9 * 86400);
}
END_TEST

START_TEST(leap_day_schedule_finds_the_next_leap_year)
{
	/* after 2024-03-04: 2028-02-29 00:00 UTC */
	ck_assert_int_eq(next_utc("0 0 29 2 *", MON), 1835395200);
}
END_TEST

START_TEST(fixed_offset_zone_shifts_the_wall_clock)
{
	const int32_t ist = 5 * 3600 + 30 * 60;
	struct policy_tz tz;

	policy_tz_fixed(&tz, &ist);
	/* 03:00 IST = 21:30 UTC the day before */
	ck_assert_int_eq(next_in("0 3 * * *", &tz, MON), MON + 21 * 3600 + 1800);
}
END_TEST

static struct policy_tz
zone(const char *name, struct policy_tz_zone *z)
{
	struct policy_tz tz;
	struct err e = ERR_INIT;

	ck_assert_msg(policy_tz_zone_init(&tz, z, name, &e) == 0, "%s", e.msg);
	return tz;
}

START_TEST(spring_forward_gap_fires_once_when_the_gap_ends)
{
	struct policy_tz_zone z;
	struct policy_tz tz = zone("Europe/Berlin", &z);

	/* 2024-03-31 02:30 does not exist in Berlin: 03:00 CEST = 01:00Z */
	ck_assert_int_eq(next_in("30 2 * * *", &tz, 1711800000), 1711846800);
	/* the next day at 02:30 CEST = 00:30Z */
	ck_assert_int_eq(next_in("30 2 * * *", &tz, 1711846800), 1711931400);
	/* every 30 minutes: 00:30Z (01:30 CET), 01:00Z (gap end), 01:30Z */
	ck_assert_int_eq(next_in("*/30 * * * *", &tz, 1711846800 - 3600), 1711846800 - 1800);
	ck_assert_int_eq(next_in("*/30 * * * *", &tz, 1711846800 - 1800), 1711846800);
	ck_assert_int_eq(next_in("*/30 * * * *", &tz, 1711846800), 1711846800 + 1800);
}
END_TEST

START_TEST(fall_back_overlap_fires_fixed_times_once_and_keeps_rhythm)
{
	struct policy_tz_zone z;
	struct policy_tz tz = zone("Europe/Berlin", &z);
	const int64_t t0 = 1729987200;	/* 2024-10-27 00:00Z = 02:00 CEST */
	int64_t t = t0 - 600;

	/* 02:30 happens at 00:30Z (CEST) and 01:30Z (CET): only the first */
	ck_assert_int_eq(next_in("30 2 * * *", &tz, t0 - 3600), t0 + 1800);
	ck_assert_int_eq(next_in("30 2 * * *", &tz, t0 + 1800), t0 + 86400 + 5400);
	/* every 30 minutes keeps firing every 30 minutes of real time */
	for (int i = 0; i < 8; i++) {
		int64_t n = next_in("*/30 * * * *", &tz, t);

		ck_assert_msg(n == t0 + i * 1800,
			      "step %d: expected %lld, got %lld", i,
			      (long long)(t0 + i * 1800), (long long)n);
		t = n;
	}
}
END_TEST

START_TEST(new_york_daily_job_keeps_local_time_across_dst)
{
	struct policy_tz_zone z;
	struct policy_tz tz = zone("America/New_York", &z);

	/* 03:00 EST = 08:00Z before 2024-03-10, 03:00 EDT = 07:00Z after */
	ck_assert_int_eq(next_in("0 3 * * *", &tz, 1709971200 /* 03-09 08:00Z */), 1710054000);
	ck_assert_int_eq(next_in("0 3 * * *", &tz, 1710054000), 1710140400);
}
END_TEST

/*
 * A fast fake zone with one spring-forward (T1) and one fall-back (T2),
 * so the property test can compare against a minute-by-minute reference.
 */
struct fakezone {
	int64_t t1, t2;
};

static int
fake_offset(void *ctx, int64_t u, int32_t *off)
{
	const struct fakezone *f = ctx;

	*off = (u >= f->t1 && u < f->t2) ? 7200 : 3600;
	return 0;
}

static int
local_match(const struct cron *c, int64_t local)
{
	int64_t days = policy_floor_div(local, 86400), y, secs = local - days * 86400;
	int m, d;

	policy_civil_from_days(days, &y, &m, &d);
	return cron_match_local(c, y, m, d, (int)(secs / 3600), (int)(secs % 3600 / 60));
}

static void
random_expr(uint64_t *s, char *buf, size_t size)
{
	static const char *const mins[] = { "*", "*/15", "0", "30", "5,35", "0-10/5", "*/7", "59" };
	static const char *const hours[] = { "*", "2", "1-3", "*/2", "0,12", "2,3", "23", "*/6" };
	static const char *const mdays[] = { "*", "*", "1", "1-7", "*/2", "15,31", "27-31" };
	static const char *const wdays[] = { "*", "*", "SUN", "MON-FRI", "6", "0,3" };

	snprintf(buf, size, "%s %s %s * %s", mins[rnd(s, 0, 7)], hours[rnd(s, 0, 7)],
		 mdays[rnd(s, 0, 6)], wdays[rnd(s, 0, 5)]);
}

/* Property: cron_next lists exactly the reference firings, in order. */
START_TEST(next_matches_a_minute_by_minute_reference_across_dst)
{
	uint64_t s = SEED;
	/* 2025-03-30 01:00Z spring forward, 2025-10-26 01:00Z fall back */
	struct fakezone fz = { 1743296400, 1761440400 };
	struct policy_tz tz = { fake_offset, &fz };

	for (int trial = 0; trial < 120; trial++) {
		char expr[64];
		struct cron c;
		int every_hour, gap_fired = 0;
		int64_t start = (trial % 2 ? fz.t2 : fz.t1) - rnd(&s, 0, 20) * 86400 - rnd(&s, 0, 86399);
		int64_t end = start + 25 * 86400, cur = start;

		random_expr(&s, expr, sizeof(expr));
		REQUIRE(cron_parse(expr, &c, NULL) == 0, "'%s' rejected", expr);
		every_hour = c.hours == 0xffffff;
		for (int64_t u = (start / 60 + 1) * 60; u < end; u += 60) {
			int32_t off;
			int64_t want = -1, got;

			fake_offset(&fz, u, &off);
			if (u == fz.t1) {
				/* local 02:00-02:59 skipped: fire once at t1 */
				for (int64_t l = u + 3600; l < u + 7200 && !gap_fired; l += 60)
					if (local_match(&c, l))
						gap_fired = 1;
				if (gap_fired || local_match(&c, u + off))
					want = u;
			} else if (local_match(&c, u + off) &&
				   (every_hour || u < fz.t2 || u >= fz.t2 + 3600)) {
				want = u;
			}
			if (want < 0)
				continue;
			REQUIRE(cron_next(&c, cur, &tz, &got, NULL) == 0, "'%s' failed", expr);
			REQUIRE(got == want,
				"trial %d '%s' after %lld: expected %lld, got %lld",
				trial, expr, (long long)cur, (long long)want, (long long)got);
			cur = got;
		}
		{
			int64_t got;

			if (cron_next(&c, cur, &tz, &got, NULL) == 0)
				REQUIRE(got >= end, "trial %d '%s': extra firing at %lld",
					trial, expr, (long long)got);
		}
	}
}
END_TEST

static int
broken_offset(void *ctx, int64_t u, int32_t *off)
{
	(void)ctx;
	(void)u;
	(void)off;
	return -1;
}

START_TEST(failing_zone_is_an_error)
{
	struct cron c = parse("0 3 * * *");
	struct policy_tz tz = { broken_offset, NULL };
	struct err e = ERR_INIT;
	int64_t n;

	ck_assert_int_eq(cron_next(&c, MON, &tz, &n, &e), -1);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
}
END_TEST

static void
described(const char *expr, const char *want)
{
	struct cron c = parse(expr);
	char buf[256];
	size_t n = cron_describe(&c, buf, sizeof(buf));

	ck_assert_msg(strcmp(buf, want) == 0, "'%s': expected \"%s\", got \"%s\"", expr, want, buf);
	ck_assert_uint_eq(n, strlen(want));
}

START_TEST(descriptions_read_naturally)
{
	described("* * * * *", "every minute");
	described("*/15 * * * *", "every 15 minutes");
	described("0 3 * * *", "at 03:00 every day");
	described("@daily", "at 00:00 every day");
	described("5 * * * *", "every hour at :05");
	described("0,30 * * * *", "every 30 minutes");
	described("0,20 * * * *", "every hour at :00 and :20");
	described("0 */6 * * *", "every 6 hours at :00");
	described("30 2 * * 1-5", "at 02:30 on Monday through Friday");
	described("0 0 1 1 *", "at 00:00 on day 1 of the month in January");
	described("0 4 1,15 * *", "at 04:00 on days 1 and 15 of the month");
	described("0 0 1 * FRI", "at 00:00 on day 1 of the month or on Friday");
	described("0 9,17 * * SAT,SUN", "at 09:00 and 17:00 on Sunday and Saturday");
	described("*/10 9-17 * * MON-FRI",
		  "every 10 minutes during hour 9 through 17 on Monday through Friday");
}
END_TEST

START_TEST(description_truncates_safely)
{
	struct cron c = parse("30 2 * * 1-5");
	char buf[8];
	size_t n = cron_describe(&c, buf, sizeof(buf));

	ck_assert_uint_eq(n, strlen("at 02:30 on Monday through Friday"));
	ck_assert_str_eq(buf, "at 02:3");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_cron");
	TCase *tp = tcase_create("parse");
	TCase *tn = tcase_create("next");
	TCase *td = tcase_create("describe");
	SRunner *sr;
	int failed;

	tcase_add_test(tp, fields_lists_ranges_steps_and_names);
	tcase_add_test(tp, macros_expand_to_their_schedules);
	tcase_add_test(tp, invalid_expressions_name_the_problem);
	tcase_set_timeout(tn, 120);
	tcase_add_test(tn, next_is_strictly_after);
	tcase_add_test(tn, vixie_day_rule_or_when_both_restricted);
	tcase_add_test(tn, leap_day_schedule_finds_the_next_leap_year);
	tcase_add_test(tn, fixed_offset_zone_shifts_the_wall_clock);
	tcase_add_test(tn, spring_forward_gap_fires_once_when_the_gap_ends);
	tcase_add_test(tn, fall_back_overlap_fires_fixed_times_once_and_keeps_rhythm);
	tcase_add_test(tn, new_york_daily_job_keeps_local_time_across_dst);
	tcase_add_test(tn, next_matches_a_minute_by_minute_reference_across_dst);
	tcase_add_test(tn, failing_zone_is_an_error);
	tcase_add_test(td, descriptions_read_naturally);
	tcase_add_test(td, description_truncates_safely);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tn);
	suite_add_tcase(s, td);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
