/*
 * test_policy_priority.c - the priority score (Req 5.1, Property 5).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/priority.h"

#define SEED 0x9a10ULL
#define DAY 86400LL
#define NOW 1700000000LL

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

static int
score(const struct priority_input *in)
{
	struct priority_weights w;

	priority_weights_default(&w);
	return priority_score(in, &w, NULL);
}

static int64_t
rtime(uint64_t *s)
{
	return rnd(s, 0, 9) == 0 ? PRIORITY_TIME_UNKNOWN :
		NOW - rnd(s, -30 * DAY, 4000 * DAY);
}

static void
random_input(uint64_t *s, struct priority_input *in)
{
	priority_input_init(in, NOW);
	in->type = rnd(s, 0, 1) ? PRIORITY_UPGRADE : PRIORITY_GAP;
	in->released = rtime(s);
	in->missing_since = rtime(s);
	in->last_search = rtime(s);
	in->attempts = (int)rnd(s, -2, 30);
	in->series_override = (int)rnd(s, -1200, 1200);
	in->item_override = (int)rnd(s, -1200, 1200);
}

static void
random_weights(uint64_t *s, struct priority_weights *w)
{
	w->base = (int)rnd(s, 0, 20000);
	w->content_age_max = (int)rnd(s, 0, 10000);
	w->content_age_span_days = (int)rnd(s, 1, 3650);
	w->missing_max = (int)rnd(s, 0, 10000);
	w->missing_span_days = (int)rnd(s, 1, 3650);
	w->failure_penalty = (int)rnd(s, 0, 3000);
	w->failure_penalty_max = (int)rnd(s, 0, 20000);
	w->recent_search_max = (int)rnd(s, 0, 5000);
	w->recent_search_span_days = (int)rnd(s, 1, 60);
	w->gap_bonus = (int)rnd(s, 0, 5000);
	w->upgrade_bonus = (int)rnd(s, 0, 5000);
	w->override_scale = (int)rnd(s, 0, 100);
}

START_TEST(defaults_are_valid)
{
	struct priority_weights w;
	struct err e = ERR_INIT;

	priority_weights_default(&w);
	ck_assert_msg(priority_weights_validate(&w, &e) == 0, "%s", e.msg);
	w.missing_span_days = 0;
	ck_assert_int_eq(priority_weights_validate(&w, &e), -1);
	ck_assert_msg(strstr(e.msg, "'missing_span_days'") != NULL, "message was '%s'", e.msg);
}
END_TEST

START_TEST(newer_content_scores_higher)
{
	struct priority_input a, b;

	priority_input_init(&a, NOW);
	priority_input_init(&b, NOW);
	a.released = NOW - 2 * DAY;
	b.released = NOW - 200 * DAY;
	ck_assert_int_gt(score(&a), score(&b));
}
END_TEST

START_TEST(longer_missing_scores_lower)
{
	struct priority_input a, b;

	priority_input_init(&a, NOW);
	priority_input_init(&b, NOW);
	a.missing_since = NOW - 2 * DAY;
	b.missing_since = NOW - 100 * DAY;
	ck_assert_int_gt(score(&a), score(&b));
}
END_TEST

START_TEST(each_failed_attempt_lowers_the_score)
{
	struct priority_input in;
	int prev;

	priority_input_init(&in, NOW);
	prev = score(&in);
	for (int a = 1; a <= 10; a++) {
		int s;

		in.attempts = a;
		s = score(&in);
		ck_assert_msg(s == prev - 500, "attempt %d: expected %d, got %d", a, prev - 500, s);
		prev = s;
	}
	in.attempts = 11;	/* the penalty is capped at 5000 */
	ck_assert_int_eq(score(&in), prev);
}
END_TEST

START_TEST(gaps_outrank_upgrades_by_default)
{
	struct priority_input g, u;

	priority_input_init(&g, NOW);
	priority_input_init(&u, NOW);
	u.type = PRIORITY_UPGRADE;
	ck_assert_int_eq(score(&g) - score(&u), 2000);
}
END_TEST

START_TEST(item_override_applies_on_top_of_series)
{
	struct priority_input in;
	struct priority_breakdown b;
	struct priority_weights w;
	int plain;

	priority_weights_default(&w);
	priority_input_init(&in, NOW);
	plain = priority_score(&in, &w, NULL);
	in.series_override = 100;
	ck_assert_int_eq(priority_score(&in, &w, NULL), plain + 1000);
	in.item_override = -30;
	ck_assert_int_eq(priority_score(&in, &w, &b), plain + 700);
	ck_assert_int_eq(b.override, 700);
	in.series_override = 5000;	/* clamped to the limit */
	in.item_override = 0;
	ck_assert_int_eq(priority_score(&in, &w, NULL), plain + 10000);
}
END_TEST

START_TEST(recent_search_lowers_until_its_span_ends)
{
	struct priority_input a, b, c;

	priority_input_init(&a, NOW);
	b = c = a;
	b.last_search = NOW - DAY;
	c.last_search = NOW - 8 * DAY;
	ck_assert_int_lt(score(&b), score(&a));
	ck_assert_int_eq(score(&c), score(&a));
}
END_TEST

START_TEST(breakdown_adds_up_and_matches_documented_example)
{
	struct priority_input in;
	struct priority_breakdown b;
	struct priority_weights w;
	int s;

	priority_weights_default(&w);
	priority_input_init(&in, NOW);
	in.released = NOW - 73 * DAY;		/* 1/5 of a year: 2400 */
	in.missing_since = NOW - 45 * DAY;	/* 1/4 of 180 days: 500 */
	in.attempts = 2;			/* 1000 */
	in.last_search = NOW - 7 * DAY / 2;	/* half of 7 days: 500 */
	s = priority_score(&in, &w, &b);
	ck_assert_int_eq(b.content_age, 2400);
	ck_assert_int_eq(b.missing, 500);
	ck_assert_int_eq(b.failures, 1000);
	ck_assert_int_eq(b.recent_search, 500);
	ck_assert_int_eq(b.search_type, 2000);
	ck_assert_int_eq(s, 10000 + 2400 + 2000 - 500 - 1000 - 500);
	ck_assert_int_eq(b.raw, s);
}
END_TEST

/* Property 5: deterministic, bounded, and monotone in every factor. */
START_TEST(property5_deterministic_bounded_and_monotone)
{
	uint64_t s = SEED;

	for (int it = 0; it < 100000; it++) {
		struct priority_weights w;
		struct priority_input in, m;
		struct priority_breakdown b;
		int sc, sc2;

		random_weights(&s, &w);
		random_input(&s, &in);
		REQUIRE(priority_weights_validate(&w, NULL) == 0, "weights invalid");
		sc = priority_score(&in, &w, &b);
		sc2 = priority_score(&in, &w, NULL);
		REQUIRE(sc == sc2 && sc == b.score, "iteration %d: not deterministic", it);
		REQUIRE(sc >= PRIORITY_MIN && sc <= PRIORITY_MAX,
			"iteration %d: score %d out of bounds", it, sc);
		REQUIRE(b.raw == (int64_t)b.base + b.content_age + b.search_type +
			b.override - b.missing - b.failures - b.recent_search,
			"iteration %d: breakdown does not add up", it);

		/* older release: never higher */
		m = in;
		if (m.released != PRIORITY_TIME_UNKNOWN) {
			m.released -= rnd(&s, 1, 400 * DAY);
			REQUIRE(priority_score(&m, &w, NULL) <= sc,
				"iteration %d: older release %lld scored higher than %lld",
				it, (long long)m.released, (long long)in.released);
		}
		/* missing longer: never higher */
		m = in;
		if (m.missing_since != PRIORITY_TIME_UNKNOWN) {
			m.missing_since -= rnd(&s, 1, 400 * DAY);
			REQUIRE(priority_score(&m, &w, NULL) <= sc,
				"iteration %d: missing longer scored higher", it);
		}
		/* one more failure: never higher */
		m = in;
		m.attempts = (in.attempts < 0 ? 0 : in.attempts) + 1;
		REQUIRE(priority_score(&m, &w, NULL) <= sc,
			"iteration %d: attempt %d scored higher than %d", it,
			m.attempts, in.attempts);
		/* searched more recently: never higher */
		m = in;
		m.last_search = NOW - rnd(&s, 0, 30 * DAY);
		if (in.last_search == PRIORITY_TIME_UNKNOWN || m.last_search >= in.last_search)
			REQUIRE(priority_score(&m, &w, NULL) <= sc,
				"iteration %d: recent search scored higher", it);
		/* a higher override: never lower */
		m = in;
		m.item_override = in.item_override + (int)rnd(&s, 1, 300);
		REQUIRE(priority_score(&m, &w, NULL) >= sc,
			"iteration %d: raising the override lowered the score", it);
		/* gap vs upgrade follows the bonuses */
		m = in;
		m.type = PRIORITY_GAP;
		in.type = PRIORITY_UPGRADE;
		if (w.gap_bonus >= w.upgrade_bonus)
			REQUIRE(priority_score(&m, &w, NULL) >= priority_score(&in, &w, NULL),
				"iteration %d: gap below upgrade", it);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_priority");
	TCase *tc = tcase_create("priority");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, defaults_are_valid);
	tcase_add_test(tc, newer_content_scores_higher);
	tcase_add_test(tc, longer_missing_scores_lower);
	tcase_add_test(tc, each_failed_attempt_lowers_the_score);
	tcase_add_test(tc, gaps_outrank_upgrades_by_default);
	tcase_add_test(tc, item_override_applies_on_top_of_series);
	tcase_add_test(tc, recent_search_lowers_until_its_span_ends);
	tcase_add_test(tc, breakdown_adds_up_and_matches_documented_example);
	tcase_add_test(tc, property5_deterministic_bounded_and_monotone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
