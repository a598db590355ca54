/*
 * test_policy_cutoff.c - the upgrade candidate decision (Req 4.1;
 * Property 3 style: candidate exactly when the rule says so).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/cutoff.h"

#define SEED 0xc0ffULL

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

/* Sonarr's "HD-1080p"-like profile: HDTV-720p(4) < WEB 720p group(1001:
 * WEBDL-720p 5, WEBRip-720p 14) < Bluray-720p(6) < HDTV-1080p(9) <
 * WEB 1080p group(1002: WEBDL-1080p 3, WEBRip-1080p 15) < Bluray-1080p(7) */
static const struct cutoff_quality hd[] = {
	{ 4, 1 }, { 1001, 2 }, { 5, 2 }, { 14, 2 }, { 6, 3 }, { 9, 4 },
	{ 1002, 5 }, { 3, 5 }, { 15, 5 }, { 7, 6 },
};

static struct cutoff_profile
profile(int cutoff, int allowed, int cf_cutoff)
{
	struct cutoff_profile p = { hd, sizeof(hd) / sizeof(hd[0]), cutoff, allowed, cf_cutoff };

	return p;
}

static struct cutoff_verdict
decide(struct cutoff_profile p, int q, int cf, enum cutoff_flag flag)
{
	struct cutoff_file f = { q, cf, flag };
	struct cutoff_verdict v;

	REQUIRE(cutoff_decide(&p, &f, &v, NULL) == 0, "cutoff %d not in profile", p.cutoff_quality_id);
	return v;
}

START_TEST(quality_below_cutoff_is_a_candidate)
{
	struct cutoff_verdict v = decide(profile(1002, 1, 0), 9, 0, CUTOFF_FLAG_UNKNOWN);

	ck_assert(v.candidate);
	ck_assert_str_eq(cutoff_reason_name(v.reason), "quality_below_cutoff");
}
END_TEST

START_TEST(member_of_the_cutoff_group_meets_the_cutoff)
{
	/* WEBRip-1080p is in the WEB 1080p group the cutoff names */
	ck_assert(!decide(profile(1002, 1, 0), 15, 0, CUTOFF_FLAG_UNKNOWN).candidate);
	ck_assert(!decide(profile(1002, 1, 0), 7, 0, CUTOFF_FLAG_UNKNOWN).candidate);
}
END_TEST

START_TEST(custom_format_score_below_cutoff_is_a_candidate)
{
	struct cutoff_verdict v = decide(profile(1002, 1, 100), 3, 99, CUTOFF_FLAG_MET);

	ck_assert(v.candidate);
	ck_assert_str_eq(cutoff_reason_name(v.reason), "cf_score_below_cutoff");
	ck_assert(!decide(profile(1002, 1, 100), 3, 100, CUTOFF_FLAG_MET).candidate);
}
END_TEST

START_TEST(upgrades_disabled_means_no_candidate)
{
	struct cutoff_verdict v = decide(profile(1002, 0, 100), 4, 0, CUTOFF_FLAG_NOT_MET);

	ck_assert(!v.candidate);
	ck_assert_int_eq(v.reason, CUTOFF_NONE);
	ck_assert(v.upgrades_disabled);
}
END_TEST

START_TEST(the_apps_flag_wins_for_quality_and_disagreement_is_reported)
{
	struct cutoff_verdict v = decide(profile(1002, 1, 0), 7, 0, CUTOFF_FLAG_NOT_MET);

	ck_assert(v.candidate);
	ck_assert(v.flag_disagrees);
	v = decide(profile(1002, 1, 0), 4, 0, CUTOFF_FLAG_MET);
	ck_assert(!v.candidate);
	ck_assert(v.flag_disagrees);
	v = decide(profile(1002, 1, 0), 4, 0, CUTOFF_FLAG_NOT_MET);
	ck_assert(!v.flag_disagrees);
}
END_TEST

START_TEST(unknown_file_quality_is_below_cutoff_unless_flag_says_met)
{
	struct cutoff_verdict v = decide(profile(1002, 1, 0), 19, 0, CUTOFF_FLAG_UNKNOWN);

	ck_assert(v.candidate && v.quality_unknown);
	ck_assert(!decide(profile(1002, 1, 0), 19, 0, CUTOFF_FLAG_MET).candidate);
}
END_TEST

START_TEST(cutoff_missing_from_profile_is_an_error)
{
	struct cutoff_profile p = profile(31, 1, 0);
	struct cutoff_file f = { 3, 0, CUTOFF_FLAG_UNKNOWN };
	struct cutoff_verdict v;
	struct err e = ERR_INIT;

	ck_assert_int_eq(cutoff_decide(&p, &f, &v, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	ck_assert_msg(strstr(e.msg, "31") != NULL, "message was '%s'", e.msg);
}
END_TEST

/* Property 3: candidate iff upgrades allowed and (quality below cutoff or
 * score below cutoff score); improving a file never makes it one. */
START_TEST(property3_candidate_exactly_when_the_rule_says)
{
	uint64_t s = SEED;
	size_t n = sizeof(hd) / sizeof(hd[0]);

	for (int it = 0; it < 200000; it++) {
		struct cutoff_profile p = profile(hd[rnd(&s, 0, (int64_t)n - 1)].quality_id,
						  (int)rnd(&s, 0, 1), (int)rnd(&s, -50, 50));
		int qi = (int)rnd(&s, 0, (int64_t)n - 1), cf = (int)rnd(&s, -60, 60), cr = 0;
		struct cutoff_verdict v = decide(p, hd[qi].quality_id, cf, CUTOFF_FLAG_UNKNOWN);
		int want;

		for (size_t i = 0; i < n; i++)
			if (hd[i].quality_id == p.cutoff_quality_id)
				cr = hd[i].rank;
		want = p.upgrade_allowed && (hd[qi].rank < cr || cf < p.cutoff_format_score);
		REQUIRE(v.candidate == want,
			"iteration %d: quality %d (rank %d) cutoff %d (rank %d) cf %d/%d allowed %d: expected %d, got %d",
			it, hd[qi].quality_id, hd[qi].rank, p.cutoff_quality_id, cr, cf,
			p.cutoff_format_score, p.upgrade_allowed, want, v.candidate);
		REQUIRE(!v.candidate || v.reason != CUTOFF_NONE, "candidate without a reason");
		if (!v.candidate) {
			/* a better file (higher rank, higher score) stays done */
			for (size_t i = 0; i < n; i++)
				if (hd[i].rank >= hd[qi].rank)
					REQUIRE(!decide(p, hd[i].quality_id, cf + 5,
							CUTOFF_FLAG_UNKNOWN).candidate,
						"iteration %d: improving the file made it a candidate", it);
		}
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_cutoff");
	TCase *tc = tcase_create("cutoff");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, quality_below_cutoff_is_a_candidate);
	tcase_add_test(tc, member_of_the_cutoff_group_meets_the_cutoff);
	tcase_add_test(tc, custom_format_score_below_cutoff_is_a_candidate);
	tcase_add_test(tc, upgrades_disabled_means_no_candidate);
	tcase_add_test(tc, the_apps_flag_wins_for_quality_and_disagreement_is_reported);
	tcase_add_test(tc, unknown_file_quality_is_below_cutoff_unless_flag_says_met);
	tcase_add_test(tc, cutoff_missing_from_profile_is_an_error);
	tcase_add_test(tc, property3_candidate_exactly_when_the_rule_says);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
