/*
 * test_policy_backoff.c - exponential backoff and outcome decisions
 * (Req 5.5, 5.6; Properties 7 and 8).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "policy/backoff.h"

#define SEED 0x5eed0001ULL

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

static struct backoff_params
params(int64_t base, int mult, int64_t max, int jitter)
{
	struct backoff_params p = { base, mult, max, jitter };

	return p;
}

static struct backoff_policy
policy(int max_attempts)
{
	struct backoff_policy p;

	memset(&p, 0, sizeof(p));
	p.params = params(60000, 200, 3600000, 0);
	p.max_attempts = max_attempts;
	p.indexer_error_divisor = 4;
	p.rate_limited_ms = 7200000;
	p.import_wait_ms = 600000;
	return p;
}

START_TEST(delay_doubles_from_base_until_the_cap)
{
	struct backoff_params p = params(1000, 200, 10000, 0);
	int64_t want[] = { 0, 1000, 2000, 4000, 8000, 10000, 10000 };

	for (int a = 0; a < 7; a++)
		ck_assert_msg(backoff_delay_ms(a, &p, 1) == want[a],
			      "attempt %d: expected %lld ms, got %lld", a,
			      (long long)want[a],
			      (long long)backoff_delay_ms(a, &p, 1));
}
END_TEST

START_TEST(delay_with_multiplier_100_is_constant)
{
	struct backoff_params p = params(5000, 100, 50000, 0);

	for (int a = 1; a < 50; a++)
		ck_assert_int_eq(backoff_delay_ms(a, &p, 9), 5000);
}
END_TEST

START_TEST(delay_saturates_for_huge_attempts_without_overflow)
{
	struct backoff_params p = params(1, 1000, 365LL * 86400000, 0);

	ck_assert_int_eq(backoff_delay_ms(1, &p, 0), 1);
	ck_assert_int_eq(backoff_delay_ms(2, &p, 0), 10);
	ck_assert_int_eq(backoff_delay_ms(1000000, &p, 0), 365LL * 86400000);
	ck_assert_int_eq(backoff_delay_ms(INT32_MAX, &p, 0), 365LL * 86400000);
}
END_TEST

START_TEST(jitter_only_shortens_within_its_percentage)
{
	struct backoff_params p = params(100000, 200, 100000000, 20);
	uint64_t s = SEED;
	int differed = 0;

	for (int i = 0; i < 20000; i++) {
		int a = (int)rnd(&s, 1, 12);
		uint64_t seed = prng(&s);
		int64_t d = backoff_delay_ms(a, &p, seed);
		struct backoff_params q = p;
		int64_t full;

		q.jitter_pct = 0;
		full = backoff_delay_ms(a, &q, seed);
		ck_assert_msg(d <= full && d >= full - full * 20 / 100,
			      "seed %llu attempt %d: %lld not in [%lld, %lld]",
			      (unsigned long long)seed, a, (long long)d,
			      (long long)(full - full / 5), (long long)full);
		differed += d != full;
		/* pure: the same seed gives the same delay */
		ck_assert_int_eq(d, backoff_delay_ms(a, &p, seed));
	}
	ck_assert_msg(differed > 19000, "jitter should usually change the delay, changed %d of 20000",
		      differed);
}
END_TEST

/* Property 7: monotone in attempt (without jitter) and capped, always. */
START_TEST(property7_monotone_and_capped_for_random_params)
{
	uint64_t s = SEED + 7;

	for (int it = 0; it < 5000; it++) {
		struct backoff_params p;
		int64_t prev = 0;

		p.base_ms = rnd(&s, 1, 86400000);
		p.multiplier_pct = (int)rnd(&s, 100, 1000);
		p.max_ms = rnd(&s, p.base_ms, 365LL * 86400000);
		p.jitter_pct = (int)rnd(&s, 0, 50);
		ck_assert_int_eq(backoff_params_validate(&p, NULL), 0);
		for (int a = 1; a <= 40; a++) {
			struct backoff_params q = p;
			int64_t dj = backoff_delay_ms(a, &p, prng(&s)), d;

			q.jitter_pct = 0;
			d = backoff_delay_ms(a, &q, 0);
			if (d < prev || d > p.max_ms || dj > p.max_ms ||
			    dj < 1 || (a == 1 && d != p.base_ms))
				ck_abort_msg("iteration %d attempt %d base %lld mult %d max %lld: delay %lld after %lld (jittered %lld)",
					     it, a, (long long)p.base_ms,
					     p.multiplier_pct, (long long)p.max_ms,
					     (long long)d, (long long)prev,
					     (long long)dj);
			prev = d;
		}
	}
}
END_TEST

START_TEST(params_validation_names_the_field)
{
	struct err e = ERR_INIT;
	struct backoff_params p = params(0, 200, 1000, 0);

	ck_assert_int_eq(backoff_params_validate(&p, &e), -1);
	ck_assert_msg(strstr(e.msg, "base") != NULL, "message was '%s'", e.msg);
	p = params(1000, 99, 1000, 0);
	ck_assert_int_eq(backoff_params_validate(&p, &e), -1);
	ck_assert_msg(strstr(e.msg, "multiplier") != NULL, "message was '%s'", e.msg);
	p = params(1000, 200, 999, 0);
	ck_assert_int_eq(backoff_params_validate(&p, &e), -1);
	ck_assert_msg(strstr(e.msg, "maximum") != NULL, "message was '%s'", e.msg);
	p = params(1000, 200, 1000, 51);
	ck_assert_int_eq(backoff_params_validate(&p, &e), -1);
	ck_assert_msg(strstr(e.msg, "jitter") != NULL, "message was '%s'", e.msg);
	p = params(1000, 200, 1000, 50);
	ck_assert_int_eq(backoff_params_validate(&p, &e), 0);
}
END_TEST

/* Property 8: exhausted exactly at max attempts, not one earlier. */
START_TEST(property8_exhausted_exactly_at_max_attempts)
{
	for (int max = 1; max <= 30; max++) {
		struct backoff_policy p = policy(max);
		int attempts = 0;

		for (int i = 1; i <= max; i++) {
			struct backoff_decision d;

			ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS,
				attempts, &p, 1000, 5, &d, NULL), 0);
			ck_assert_int_eq(d.attempts, i);
			if (i < max)
				ck_assert_msg(d.state == BACKOFF_COOLDOWN,
					      "max %d: search %d should cool down, got %s",
					      max, i, backoff_state_name(d.state));
			else
				ck_assert_msg(d.state == BACKOFF_EXHAUSTED &&
					      d.next_eligible_us == BACKOFF_NEVER,
					      "max %d: search %d should exhaust, got %s",
					      max, i, backoff_state_name(d.state));
			attempts = d.attempts;
		}
	}
}
END_TEST

START_TEST(generic_error_counts_and_exhausts_like_no_results)
{
	struct backoff_policy p = policy(3);
	struct backoff_decision d;

	ck_assert_int_eq(backoff_decide(BACKOFF_ERROR, 2, &p, 0, 1, &d, NULL), 0);
	ck_assert_int_eq(d.state, BACKOFF_EXHAUSTED);
	ck_assert_int_eq(d.counted, 1);
}
END_TEST

START_TEST(no_results_cooldown_follows_backoff_from_now)
{
	struct backoff_policy p = policy(10);
	struct backoff_decision d;
	int64_t now = 1700000000LL * 1000000;

	/* third search: delay 60 s * 2^2 = 240 s */
	ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS, 2, &p, now, 1, &d, NULL), 0);
	ck_assert_int_eq(d.state, BACKOFF_COOLDOWN);
	ck_assert_int_eq(d.delay_ms, 240000);
	ck_assert_int_eq(d.next_eligible_us, now + 240000LL * 1000);
}
END_TEST

START_TEST(indexer_error_is_shorter_and_does_not_count)
{
	uint64_t s = SEED + 8;

	for (int it = 0; it < 5000; it++) {
		struct backoff_policy p = policy((int)rnd(&s, 2, 50));
		struct backoff_decision nr, ie;
		int att = (int)rnd(&s, 0, p.max_attempts - 2);
		uint64_t seed = prng(&s);

		p.params.base_ms = rnd(&s, 1, 100000000);
		p.params.max_ms = p.params.base_ms * rnd(&s, 1, 100);
		p.params.jitter_pct = (int)rnd(&s, 0, 50);
		p.indexer_error_divisor = (int)rnd(&s, 2, 100);
		ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS, att, &p, 0, seed, &nr, NULL), 0);
		ck_assert_int_eq(backoff_decide(BACKOFF_INDEXER_ERROR, att, &p, 0, seed, &ie, NULL), 0);
		ck_assert_msg(ie.delay_ms < nr.delay_ms,
			      "iteration %d: indexer error %lld ms should be < no results %lld ms",
			      it, (long long)ie.delay_ms, (long long)nr.delay_ms);
		ck_assert_int_eq(ie.attempts, att);
		ck_assert_int_eq(ie.counted, 0);
		ck_assert_int_eq(ie.state, BACKOFF_COOLDOWN);
	}
}
END_TEST

START_TEST(indexer_errors_never_exhaust)
{
	struct backoff_policy p = policy(2);
	struct backoff_decision d;

	ck_assert_int_eq(backoff_decide(BACKOFF_INDEXER_ERROR, 5, &p, 0, 1, &d, NULL), 0);
	ck_assert_int_eq(d.state, BACKOFF_COOLDOWN);
	ck_assert_int_eq(d.attempts, 5);
}
END_TEST

START_TEST(rate_limited_gets_extended_cooldown)
{
	struct backoff_policy p = policy(10);
	struct backoff_decision d, nr;

	ck_assert_int_eq(backoff_decide(BACKOFF_RATE_LIMITED, 0, &p, 0, 1, &d, NULL), 0);
	ck_assert_int_eq(d.delay_ms, 7200000);
	ck_assert_int_eq(d.attempts, 0);
	/* when the backoff has grown past it, the longer one wins */
	ck_assert_int_eq(backoff_decide(BACKOFF_RATE_LIMITED, 8, &p, 0, 1, &d, NULL), 0);
	ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS, 8, &p, 0, 1, &nr, NULL), 0);
	ck_assert_int_ge(d.delay_ms, nr.delay_ms);
	ck_assert_int_ge(d.delay_ms, 7200000);
}
END_TEST

START_TEST(timeout_gets_standard_cooldown_without_counting)
{
	struct backoff_policy p = policy(10);
	struct backoff_decision d;

	ck_assert_int_eq(backoff_decide(BACKOFF_TIMEOUT, 6, &p, 0, 1, &d, NULL), 0);
	ck_assert_int_eq(d.state, BACKOFF_COOLDOWN);
	ck_assert_int_eq(d.delay_ms, 60000);
	ck_assert_int_eq(d.attempts, 6);
}
END_TEST

START_TEST(grabbed_awaits_import_even_at_max)
{
	struct backoff_policy p = policy(3);
	struct backoff_decision d;

	ck_assert_int_eq(backoff_decide(BACKOFF_GRABBED, 2, &p, 10, 1, &d, NULL), 0);
	ck_assert_int_eq(d.state, BACKOFF_AWAITING_IMPORT);
	ck_assert_int_eq(d.next_eligible_us, 10 + 600000LL * 1000);
	ck_assert_int_eq(d.attempts, 3);
}
END_TEST

START_TEST(unknown_outcome_and_bad_policy_are_errors)
{
	struct backoff_policy p = policy(3);
	struct backoff_decision d;
	struct err e = ERR_INIT;

	ck_assert_int_eq(backoff_decide((enum backoff_outcome)99, 0, &p, 0, 1, &d, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	p.max_attempts = 0;
	ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS, 0, &p, 0, 1, &d, &e), -1);
	ck_assert_msg(strstr(e.msg, "maximum attempts") != NULL, "message was '%s'", e.msg);
}
END_TEST

START_TEST(next_eligible_saturates_near_end_of_time)
{
	struct backoff_policy p = policy(10);
	struct backoff_decision d;

	ck_assert_int_eq(backoff_decide(BACKOFF_NO_RESULTS, 0, &p, INT64_MAX - 5, 1, &d, NULL), 0);
	ck_assert_int_lt(d.next_eligible_us, BACKOFF_NEVER);
	ck_assert_int_gt(d.next_eligible_us, INT64_MAX - 6);
}
END_TEST

START_TEST(outcome_names_round_trip)
{
	for (int i = 0; i < BACKOFF_OUTCOME_MAX; i++) {
		enum backoff_outcome o;

		ck_assert_int_eq(backoff_outcome_parse(backoff_outcome_name((enum backoff_outcome)i), &o), 0);
		ck_assert_int_eq(o, i);
	}
	{
		enum backoff_outcome o;

		ck_assert_int_eq(backoff_outcome_parse("found", &o), -1);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_backoff");
	TCase *tc = tcase_create("backoff");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, delay_doubles_from_base_until_the_cap);
	tcase_add_test(tc, delay_with_multiplier_100_is_constant);
	tcase_add_test(tc, delay_saturates_for_huge_attempts_without_overflow);
	tcase_add_test(tc, jitter_only_shortens_within_its_percentage);
	tcase_add_test(tc, property7_monotone_and_capped_for_random_params);
	tcase_add_test(tc, params_validation_names_the_field);
	tcase_add_test(tc, property8_exhausted_exactly_at_max_attempts);
	tcase_add_test(tc, generic_error_counts_and_exhausts_like_no_results);
	tcase_add_test(tc, no_results_cooldown_follows_backoff_from_now);
	tcase_add_test(tc, indexer_error_is_shorter_and_does_not_count);
	tcase_add_test(tc, indexer_errors_never_exhaust);
	tcase_add_test(tc, rate_limited_gets_extended_cooldown);
	tcase_add_test(tc, timeout_gets_standard_cooldown_without_counting);
	tcase_add_test(tc, grabbed_awaits_import_even_at_max);
	tcase_add_test(tc, unknown_outcome_and_bad_policy_are_errors);
	tcase_add_test(tc, next_eligible_saturates_near_end_of_time);
	tcase_add_test(tc, outcome_names_round_trip);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
