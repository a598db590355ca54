/*
 * test_policy_throttle.c - throttle presets, validation, admission and the
 * local-day helpers (Req 7.1-7.7, 28.3; Properties 11 and 12).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "policy/throttle.h"
#include "policy/tz.h"

#define SEED 0x7417ULL
#define S 1000000LL		/* one second in microseconds */
#define W THROTTLE_WINDOW_US

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

static const int32_t utc_off = 0;

static struct policy_tz
utc(void)
{
	struct policy_tz tz;

	policy_tz_fixed(&tz, &utc_off);
	return tz;
}

static struct throttle_profile
custom(int rpm, int batch, int daily)
{
	struct throttle_profile p;

	ck_assert_int_eq(throttle_preset_get(THROTTLE_MODERATE, &p), 0);
	snprintf(p.name, sizeof(p.name), "custom");
	p.requests_per_minute = rpm;
	p.batch_size = batch;
	p.daily_budget = daily;
	return p;
}

/* 2024-03-04 00:00:00 UTC, a Monday */
#define DAY0 (1709510400LL * S)

START_TEST(presets_are_valid_and_ordered_by_caution)
{
	struct throttle_profile c, m, a;
	struct err e = ERR_INIT;

	ck_assert_int_eq(throttle_preset_get(THROTTLE_CONSERVATIVE, &c), 0);
	ck_assert_int_eq(throttle_preset_get(THROTTLE_MODERATE, &m), 0);
	ck_assert_int_eq(throttle_preset_get(THROTTLE_AGGRESSIVE, &a), 0);
	ck_assert_msg(throttle_profile_validate(&c, &e) == 0, "%s", e.msg);
	ck_assert_msg(throttle_profile_validate(&m, &e) == 0, "%s", e.msg);
	ck_assert_msg(throttle_profile_validate(&a, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(c.requests_per_minute, 2);
	ck_assert_int_eq(c.daily_budget, 200);
	ck_assert_int_eq(m.requests_per_minute, 5);
	ck_assert_int_eq(m.daily_budget, 500);
	ck_assert_int_eq(a.requests_per_minute, 15);
	ck_assert_int_eq(a.daily_budget, 2000);
	ck_assert(c.requests_per_minute < m.requests_per_minute &&
		  m.requests_per_minute < a.requests_per_minute);
	ck_assert(c.cooldown_minutes > m.cooldown_minutes &&
		  m.cooldown_minutes > a.cooldown_minutes);
	ck_assert(c.rate_limit_cooldown_minutes > a.rate_limit_cooldown_minutes);
	ck_assert_int_eq(throttle_preset_get(THROTTLE_PRESET_MAX, &c), -1);
}
END_TEST

START_TEST(preset_lookup_by_name_ignores_case)
{
	struct throttle_profile p;
	struct err e = ERR_INIT;

	ck_assert_int_eq(throttle_preset_by_name("Conservative", &p, &e), 0);
	ck_assert_str_eq(p.name, "conservative");
	ck_assert_int_eq(throttle_preset_by_name("turbo", &p, &e), -1);
	ck_assert_int_eq(e.kind, ERR_NOTFOUND);
	ck_assert_msg(strstr(e.msg, "'turbo'") != NULL, "message was '%s'", e.msg);
}
END_TEST

static void
expect_invalid(struct throttle_profile p, const char *field)
{
	struct err e = ERR_INIT;

	ck_assert_msg(throttle_profile_validate(&p, &e) == -1,
		      "profile with bad %s was accepted", field);
	ck_assert_msg(strstr(e.msg, field) != NULL,
		      "message should name '%s', was '%s'", field, e.msg);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
}

START_TEST(custom_profile_validation_names_each_bad_field)
{
	struct throttle_profile p = custom(5, 5, 500), q;

	q = p; q.requests_per_minute = 0; expect_invalid(q, "requests_per_minute");
	q = p; q.requests_per_minute = 61; expect_invalid(q, "requests_per_minute");
	q = p; q.batch_size = 0; expect_invalid(q, "batch_size");
	q = p; q.batch_size = 11; q.requests_per_minute = 20; expect_invalid(q, "batch_size");
	q = p; q.batch_size = 6; expect_invalid(q, "batch_size");	/* > rpm */
	q = p; q.cooldown_minutes = 0; expect_invalid(q, "cooldown_minutes");
	q = p; q.daily_budget = 4; expect_invalid(q, "daily_budget");	/* < batch */
	q = p; q.daily_budget = -1; expect_invalid(q, "daily_budget");
	q = p; q.backoff_multiplier_pct = 99; expect_invalid(q, "backoff_multiplier_pct");
	q = p; q.backoff_max_minutes = p.cooldown_minutes - 1; expect_invalid(q, "backoff_max_minutes");
	q = p; q.rate_limit_cooldown_minutes = 0; expect_invalid(q, "rate_limit_cooldown_minutes");
	q = p; q.max_concurrent = 4; expect_invalid(q, "max_concurrent");
	q = p; q.name[0] = '\0'; expect_invalid(q, "name");
	/* each parameter independently (Req 7.6): unlimited budget is fine */
	q = p; q.daily_budget = 0;
	ck_assert_int_eq(throttle_profile_validate(&q, NULL), 0);
	q = p; q.requests_per_minute = 60; q.batch_size = 10;
	ck_assert_int_eq(throttle_profile_validate(&q, NULL), 0);
}
END_TEST

START_TEST(admits_into_an_empty_window)
{
	struct throttle_profile p = custom(5, 5, 500);
	struct throttle_usage u = { NULL, 0, 0, 0, 0 };
	struct throttle_verdict v;
	struct policy_tz tz = utc();

	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 5 * S, 5, &v, NULL), 0);
	ck_assert(v.allowed);
	ck_assert_int_eq(v.reason, THROTTLE_OK);
	ck_assert_int_eq(v.earliest_us, DAY0 + 5 * S);
	ck_assert_int_eq(v.budget_left, 500);
	ck_assert_int_eq(v.day_start_us, DAY0);
}
END_TEST

START_TEST(event_exactly_sixty_seconds_old_no_longer_counts)
{
	struct throttle_profile p = custom(5, 5, 0);
	struct throttle_event ev[] = { { DAY0, 5 } };
	struct throttle_usage u = { ev, 1, 0, 0, 0 };
	struct throttle_verdict v;
	struct policy_tz tz = utc();

	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + W - 1, 1, &v, NULL), 0);
	ck_assert_msg(!v.allowed && v.reason == THROTTLE_RATE,
		      "1 us before the window ends: expected rate denial, got %s",
		      throttle_reason_name(v.reason));
	ck_assert_int_eq(v.earliest_us, DAY0 + W);
	ck_assert_int_eq(v.window_used, 5);
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + W, 1, &v, NULL), 0);
	ck_assert_msg(v.allowed, "at exactly 60 s: expected allowed, got %s",
		      throttle_reason_name(v.reason));
	ck_assert_int_eq(v.budget_left, -1);
}
END_TEST

START_TEST(earliest_time_drops_only_as_many_events_as_needed)
{
	struct throttle_profile p = custom(10, 10, 0);
	struct throttle_event ev[] = {
		{ DAY0 + 30 * S, 4 }, { DAY0 + 10 * S, 3 }, { DAY0 + 20 * S, 3 },
	};
	struct throttle_usage u = { ev, 3, 0, 0, 0 };
	struct throttle_verdict v;
	struct policy_tz tz = utc();

	/* at 40 s: 10 used; cost 6 needs the events at 10 s and 20 s gone */
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 40 * S, 6, &v, NULL), 0);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.earliest_us, DAY0 + 80 * S);
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 40 * S, 3, &v, NULL), 0);
	ck_assert_int_eq(v.earliest_us, DAY0 + 70 * S);
}
END_TEST

START_TEST(batch_larger_than_any_limit_is_never_admitted)
{
	struct throttle_profile p = custom(5, 5, 500);
	struct throttle_usage u = { NULL, 0, 0, 0, 0 };
	struct throttle_verdict v;
	struct policy_tz tz = utc();
	struct err e = ERR_INIT;

	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0, 6, &v, NULL), 0);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.reason, THROTTLE_TOO_BIG);
	ck_assert_int_eq(v.earliest_us, BACKOFF_NEVER);
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0, 0, &v, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
}
END_TEST

START_TEST(daily_budget_denies_until_next_local_midnight)
{
	struct throttle_profile p = custom(5, 5, 100);
	struct throttle_usage u = { NULL, 0, DAY0, 98, 0 };
	struct throttle_verdict v;
	const int32_t berlin_winter = 3600;
	struct policy_tz tz;

	policy_tz_fixed(&tz, &berlin_winter);
	/* 12:00 UTC; local day began 23:00 UTC the day before */
	u.spent_day_start_us = DAY0 - 3600 * S;
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 12 * 3600 * S, 2, &v, NULL), 0);
	ck_assert(v.allowed);
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 12 * 3600 * S, 3, &v, NULL), 0);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.reason, THROTTLE_DAILY_BUDGET);
	ck_assert_int_eq(v.budget_left, 2);
	ck_assert_int_eq(v.earliest_us, DAY0 + 23 * 3600 * S);
	/* Property 12: one microsecond later it is a new day and the old
	 * count no longer applies */
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 23 * 3600 * S, 5, &v, NULL), 0);
	ck_assert_msg(v.allowed, "after local midnight expected allowed, got %s",
		      throttle_reason_name(v.reason));
	ck_assert_int_eq(v.budget_left, 100);
	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 23 * 3600 * S - 1, 5, &v, NULL), 0);
	ck_assert(!v.allowed);
}
END_TEST

START_TEST(pause_wins_and_earliest_combines_every_limit)
{
	struct throttle_profile p = custom(5, 5, 10);
	struct throttle_event ev[] = { { DAY0 + 86400 * S - 10 * S, 5 } };
	struct throttle_usage u = { ev, 1, DAY0, 10, DAY0 + 86400 * S - 5 * S };
	struct throttle_verdict v;
	struct policy_tz tz = utc();

	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0 + 86400 * S - 8 * S, 1, &v, NULL), 0);
	ck_assert(!v.allowed);
	ck_assert_int_eq(v.reason, THROTTLE_PAUSED);
	/* pause ends at -5 s, the budget at midnight, the window at +50 s */
	ck_assert_int_eq(v.earliest_us, DAY0 + 86400 * S + 50 * S);
}
END_TEST

START_TEST(retry_after_is_clamped_or_defaults_to_profile)
{
	struct throttle_profile p = custom(5, 5, 0);

	p.rate_limit_cooldown_minutes = 90;
	ck_assert_int_eq(throttle_retry_after_ms(&p, -1), 90LL * 60000);
	ck_assert_int_eq(throttle_retry_after_ms(&p, 0), 1000);
	ck_assert_int_eq(throttle_retry_after_ms(&p, 1000), 1000);
	ck_assert_int_eq(throttle_retry_after_ms(&p, 120000), 120000);
	ck_assert_int_eq(throttle_retry_after_ms(&p, 24L * 3600 * 1000 + 1), 24LL * 3600 * 1000);
}
END_TEST

START_TEST(concurrency_slot_follows_max_concurrent)
{
	struct throttle_profile p = custom(5, 5, 0);

	p.max_concurrent = 2;
	ck_assert(throttle_slot_free(&p, 0));
	ck_assert(throttle_slot_free(&p, 1));
	ck_assert(!throttle_slot_free(&p, 2));
}
END_TEST

/*
 * Property 11: whatever the arrival sequence, what is admitted never puts
 * more than rpm queries in ANY 60 s window, nor more than the budget in
 * any local day.  And the earliest time given on a denial is exact: it is
 * admitted there (when nothing else is sent) and denied 1 us before.
 */
START_TEST(property11_no_window_or_day_ever_exceeds_the_profile)
{
	uint64_t s = SEED;
	enum { N = 400 };
	static struct throttle_event sent[N];
	const int32_t offs[] = { 0, 3600, -18000, 19800, 45900 };

	for (int trial = 0; trial < 1500; trial++) {
		int rpm = (int)rnd(&s, 1, 20);
		int batch = (int)rnd(&s, 1, rpm < 10 ? rpm : 10);
		int budget = rnd(&s, 0, 3) == 0 ? 0 : (int)rnd(&s, batch, 150);
		struct throttle_profile p = custom(rpm, batch, budget);
		int32_t off = offs[rnd(&s, 0, 4)];
		struct policy_tz tz;
		int64_t now = DAY0 + rnd(&s, 0, 86400) * S, day = 0, spent = 0;
		size_t nsent = 0;

		policy_tz_fixed(&tz, &off);
		for (int step = 0; step < N && nsent < N; step++) {
			/* at most 20 events fit in a window: the caller's
			 * "recent" list is the last 64 */
			size_t tail = nsent > 64 ? nsent - 64 : 0;
			struct throttle_usage u = { sent + tail, nsent - tail, day, spent, 0 };
			struct throttle_verdict v, v2;
			int cost = (int)rnd(&s, 1, batch);

			/* bursts, near-window gaps and long idle stretches */
			switch (rnd(&s, 0, 3)) {
			case 0: now += rnd(&s, 0, 2 * S); break;
			case 1: now += rnd(&s, W - 2, W + 2); break;
			case 2: now += rnd(&s, 0, W); break;
			default: now += rnd(&s, 0, 6 * 3600 * S); break;
			}
			REQUIRE(throttle_admit(&p, &u, &tz, now, cost, &v, NULL) == 0, "throttle_admit failed");
			if (!v.allowed) {
				REQUIRE(v.earliest_us > now,
					      "trial %d step %d: denied but earliest %lld <= now %lld",
					      trial, step, (long long)v.earliest_us, (long long)now);
				REQUIRE(throttle_admit(&p, &u, &tz, v.earliest_us - 1, cost, &v2, NULL) == 0, "throttle_admit failed");
				REQUIRE(!v2.allowed || v.earliest_us - 1 == now,
					      "trial %d step %d: earliest %lld not tight (rpm %d budget %d cost %d)",
					      trial, step, (long long)v.earliest_us, rpm, budget, cost);
				REQUIRE(throttle_admit(&p, &u, &tz, v.earliest_us, cost, &v2, NULL) == 0, "throttle_admit failed");
				REQUIRE(v2.allowed,
					      "trial %d step %d: not admitted at its earliest time (%s)",
					      trial, step, throttle_reason_name(v2.reason));
				if (rnd(&s, 0, 1)) {
					now = v.earliest_us;
					v = v2;
				}
			}
			if (v.allowed) {
				sent[nsent].at_us = now;
				sent[nsent].cost = cost;
				nsent++;
				if (v.day_start_us != day) {
					day = v.day_start_us;
					spent = 0;
				}
				spent += cost;
			}
		}
		/* every window [t, t+60 s): its worst start is an event */
		for (size_t i = 0; i < nsent; i++) {
			int64_t sum = 0;

			for (size_t j = i; j < nsent && sent[j].at_us < sent[i].at_us + W; j++)
				sum += sent[j].cost;
			REQUIRE(sum <= rpm,
				      "seed %llu trial %d: window from %lld holds %lld > rpm %d",
				      (unsigned long long)SEED, trial,
				      (long long)sent[i].at_us, (long long)sum, rpm);
		}
		if (budget != 0) {
			for (size_t i = 0; i < nsent;) {
				int64_t ds, sum = 0;
				size_t j = i;

				REQUIRE(policy_local_day_start(&tz, sent[i].at_us / S, &ds) == 0, "day start failed");
				for (; j < nsent; j++) {
					int64_t dj;

					REQUIRE(policy_local_day_start(&tz, sent[j].at_us / S, &dj) == 0, "day start failed");
					if (dj != ds)
						break;
					sum += sent[j].cost;
				}
				REQUIRE(sum <= budget,
					      "trial %d: local day %lld spent %lld > budget %d",
					      trial, (long long)ds, (long long)sum, budget);
				i = j;
			}
		}
	}
}
END_TEST

/* Property 12: a full window, once 60 s have passed, is forgotten; counts
 * from before the reset do not affect what comes after. */
START_TEST(property12_counters_reset_at_window_and_day_boundaries)
{
	uint64_t s = SEED + 12;

	for (int trial = 0; trial < 3000; trial++) {
		int rpm = (int)rnd(&s, 1, 60);
		int batch = (int)rnd(&s, 1, rpm < 10 ? rpm : 10);
		struct throttle_profile p = custom(rpm, batch, 0);
		struct throttle_event ev[60];
		size_t n = 0;
		int64_t t0 = DAY0 + rnd(&s, 0, 1000) * S, last = t0;
		int used = 0;
		struct throttle_usage u;
		struct throttle_verdict v;
		struct policy_tz tz = utc();

		while (used < rpm) {
			int c = (int)rnd(&s, 1, rpm - used);

			last = t0 + rnd(&s, 0, 59 * S);
			ev[n].at_us = last;
			ev[n].cost = c;
			n++;
			used += c;
		}
		u = (struct throttle_usage){ ev, n, 0, 0, 0 };
		REQUIRE(throttle_admit(&p, &u, &tz, t0 + 59 * S, 1, &v, NULL) == 0, "throttle_admit failed");
		REQUIRE(!v.allowed, "trial %d: full window admitted", trial);
		/* 60 s after the newest event the whole window is free */
		for (size_t i = 0; i < n; i++)
			if (ev[i].at_us > last)
				last = ev[i].at_us;
		REQUIRE(throttle_admit(&p, &u, &tz, last + W, batch, &v, NULL) == 0, "throttle_admit failed");
		REQUIRE(v.allowed && v.window_used == 0,
			      "trial %d: after the window, used %lld", trial,
			      (long long)v.window_used);
	}
	/* the day counter: spent on a previous day is ignored */
	{
		struct throttle_profile p = custom(5, 5, 10);
		struct throttle_usage u = { NULL, 0, DAY0 - 86400 * S, 10, 0 };
		struct throttle_verdict v;
		struct policy_tz tz = utc();

		REQUIRE(throttle_admit(&p, &u, &tz, DAY0, 5, &v, NULL) == 0, "throttle_admit failed");
		ck_assert(v.allowed);
		ck_assert_int_eq(v.budget_left, 10);
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

START_TEST(failing_zone_is_an_error_not_a_guess)
{
	struct throttle_profile p = custom(5, 5, 100);
	struct throttle_usage u = { NULL, 0, 0, 0, 0 };
	struct throttle_verdict v;
	struct policy_tz tz = { broken_offset, NULL };
	struct err e = ERR_INIT;

	ck_assert_int_eq(throttle_admit(&p, &u, &tz, DAY0, 1, &v, &e), -1);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, "time zone") != NULL, "message was '%s'", e.msg);
}
END_TEST

/* ------------------------------------------------------------ tz helpers */

START_TEST(civil_date_round_trips_across_eras)
{
	for (int64_t d = -800000; d <= 800000; d += 7) {
		int64_t y;
		int m, dd;

		policy_civil_from_days(d, &y, &m, &dd);
		REQUIRE(policy_days_from_civil(y, m, dd) == d,
			      "day %lld -> %lld-%d-%d does not round-trip",
			      (long long)d, (long long)y, m, dd);
		REQUIRE(dd >= 1 && dd <= policy_days_in_month(y, m), "day %d out of month", dd);
	}
	ck_assert_int_eq(policy_days_from_civil(1970, 1, 1), 0);
	ck_assert_int_eq(policy_days_from_civil(2000, 3, 1), 11017);
	ck_assert_int_eq(policy_weekday(0), 4);	/* Thursday */
	ck_assert_int_eq(policy_weekday(-1), 3);
	ck_assert_int_eq(policy_days_in_month(2000, 2), 29);
	ck_assert_int_eq(policy_days_in_month(1900, 2), 28);
	ck_assert_int_eq(policy_days_in_month(2024, 2), 29);
}
END_TEST

static void
expect_day_start(const struct policy_tz *tz, int64_t at, int64_t want,
		 const char *what)
{
	int64_t got, next;

	ck_assert_int_eq(policy_local_day_start(tz, at, &got), 0);
	ck_assert_msg(got == want, "%s: day start expected %lld, got %lld",
		      what, (long long)want, (long long)got);
	ck_assert_int_eq(policy_local_next_day_start(tz, want - 1, &next), 0);
	ck_assert_msg(next == want, "%s: next day start from the second before expected %lld, got %lld",
		      what, (long long)want, (long long)next);
}

START_TEST(local_day_start_with_fixed_offsets)
{
	const int32_t minus5 = -5 * 3600, plus545 = 5 * 3600 + 45 * 60;
	struct policy_tz tz;

	policy_tz_fixed(&tz, &minus5);
	expect_day_start(&tz, 1709510400 + 3600, 1709510400 - 86400 + 5 * 3600, "UTC-5 early");
	policy_tz_fixed(&tz, &plus545);
	expect_day_start(&tz, 1709510400 + 20 * 3600, 1709510400 + 86400 - plus545, "UTC+5:45");
}
END_TEST

START_TEST(local_day_start_in_real_zones_across_dst)
{
	struct policy_tz tz;
	struct policy_tz_zone z;
	struct err e = ERR_INIT;
	int64_t next;

	ck_assert_msg(policy_tz_zone_init(&tz, &z, "Europe/Berlin", &e) == 0, "%s", e.msg);
	/* 2024-03-31: 23 hours long; starts 2024-03-30T23:00Z */
	expect_day_start(&tz, 1711886400 /* 12:00Z */, 1711839600, "Berlin spring day");
	ck_assert_int_eq(policy_local_next_day_start(&tz, 1711886400, &next), 0);
	ck_assert_int_eq(next, 1711922400);	/* 2024-03-31T22:00Z */
	/* 2024-10-27: 25 hours long */
	expect_day_start(&tz, 1730030400, 1729980000, "Berlin autumn day");
	ck_assert_int_eq(policy_local_next_day_start(&tz, 1730030400, &next), 0);
	ck_assert_int_eq(next - 1729980000, 25 * 3600);

	/* Havana springs forward at midnight: 2023-03-12 starts at 01:00
	 * local (05:00Z), there is no 00:00 */
	ck_assert_msg(policy_tz_zone_init(&tz, &z, "America/Havana", &e) == 0, "%s", e.msg);
	expect_day_start(&tz, 1678640400 /* 17:00Z */, 1678597200, "Havana midnight gap");

	/* Apia skipped 2011-12-30: the day after 29 Dec is 31 Dec */
	ck_assert_msg(policy_tz_zone_init(&tz, &z, "Pacific/Apia", &e) == 0, "%s", e.msg);
	ck_assert_int_eq(policy_local_next_day_start(&tz, 1325152800 /* 29th 00:00 local */, &next), 0);
	ck_assert_int_eq(next, 1325239200);	/* 2011-12-31 00:00 +14 */
}
END_TEST

START_TEST(unknown_or_malformed_zone_is_a_config_error)
{
	struct policy_tz tz;
	struct policy_tz_zone z;
	struct err e = ERR_INIT;

	ck_assert_int_eq(policy_tz_zone_init(&tz, &z, "Mars/Olympus", &e), -1);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, "'Mars/Olympus'") != NULL, "message was '%s'", e.msg);
	ck_assert_int_eq(policy_tz_zone_init(&tz, &z, "../../etc/passwd", &e), -1);
	ck_assert_int_eq(policy_tz_zone_init(&tz, &z, "", &e), -1);
	ck_assert_int_eq(policy_tz_zone_init(&tz, &z, "UTC", &e), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_throttle");
	TCase *tc = tcase_create("throttle");
	TCase *tp = tcase_create("properties");
	TCase *tt = tcase_create("tz");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, presets_are_valid_and_ordered_by_caution);
	tcase_add_test(tc, preset_lookup_by_name_ignores_case);
	tcase_add_test(tc, custom_profile_validation_names_each_bad_field);
	tcase_add_test(tc, admits_into_an_empty_window);
	tcase_add_test(tc, event_exactly_sixty_seconds_old_no_longer_counts);
	tcase_add_test(tc, earliest_time_drops_only_as_many_events_as_needed);
	tcase_add_test(tc, batch_larger_than_any_limit_is_never_admitted);
	tcase_add_test(tc, daily_budget_denies_until_next_local_midnight);
	tcase_add_test(tc, pause_wins_and_earliest_combines_every_limit);
	tcase_add_test(tc, retry_after_is_clamped_or_defaults_to_profile);
	tcase_add_test(tc, concurrency_slot_follows_max_concurrent);
	tcase_add_test(tc, failing_zone_is_an_error_not_a_guess);
	tcase_set_timeout(tp, 120);
	tcase_add_test(tp, property11_no_window_or_day_ever_exceeds_the_profile);
	tcase_add_test(tp, property12_counters_reset_at_window_and_day_boundaries);
	tcase_add_test(tt, civil_date_round_trips_across_eras);
	tcase_add_test(tt, local_day_start_with_fixed_offsets);
	tcase_add_test(tt, local_day_start_in_real_zones_across_dst);
	tcase_add_test(tt, unknown_or_malformed_zone_is_a_config_error);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tp);
	suite_add_tcase(s, tt);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
