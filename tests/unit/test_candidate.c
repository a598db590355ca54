/*
 * test_candidate.c - the candidate line (what discover prints and enqueue
 * reads back) and the mapping of a registry row onto the priority score
 * (Req 5.1, Property 5: deterministic, monotonic in each factor).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "stage/candidate.h"

#define NOW_US (1767225600LL * 1000000LL)
#define DAY_US (86400LL * 1000000LL)

static enum candidate_parse
parse(const char *line, struct candidate_key *k, char *why)
{
	return candidate_parse_line(line, strlen(line), k, why, 160);
}

START_TEST(a_discover_line_round_trips_to_its_key)
{
	struct registry_row row;
	struct candidate_key k;
	char why[160], *text;
	json_t *o;

	memset(&row, 0, sizeof(row));
	row.kind = REGISTRY_EPISODE;
	row.type = REGISTRY_UPGRADE;
	row.arr_id = 4321;
	row.series_title = "Lost";
	row.season_number = 2;
	row.episode_number = 5;
	row.state = "pending";
	row.released_us = NOW_US - 30 * DAY_US;
	row.missing_since_us = REGISTRY_NO_TIME;
	row.last_search_us = REGISTRY_NO_TIME;
	o = candidate_json("tv", &row, 123);
	json_object_set_new(o, "event", json_string("candidate"));
	text = json_dumps(o, JSON_COMPACT);
	ck_assert_int_eq(parse(text, &k, why), CANDIDATE_OK);
	ck_assert_str_eq(k.connector, "tv");
	ck_assert_int_eq(k.kind, REGISTRY_EPISODE);
	ck_assert_int_eq(k.type, REGISTRY_UPGRADE);
	ck_assert_int_eq(k.arr_id, 4321);
	ck_assert_msg(strstr(text, "\"series\":\"Lost\"") != NULL, "jq can select on series: %s",
		      text);
	free(text);
	json_decref(o);
}
END_TEST

START_TEST(malformed_and_unknown_lines_are_bad_with_a_reason)
{
	struct candidate_key k;
	char why[160];
	static const char *const bad[] = {
		"not json", "[1,2]", "{\"ts\":1}", "{\"event\":\"mystery\"}",
		"{\"event\":\"candidate\",\"type\":\"gap\",\"kind\":\"episode\",\"id\":1}",
		"{\"event\":\"candidate\",\"connector\":\"tv\",\"type\":\"hole\",\"kind\":\"episode\",\"id\":1}",
		"{\"event\":\"candidate\",\"connector\":\"tv\",\"type\":\"gap\",\"kind\":\"show\",\"id\":1}",
		"{\"event\":\"candidate\",\"connector\":\"tv\",\"type\":\"gap\",\"kind\":\"movie\",\"id\":0}",
		"{\"event\":\"candidate\",\"connector\":\"tv\",\"type\":\"gap\",\"kind\":\"movie\",\"id\":\"7\"}",
		"{\"event\":\"candidate\",\"connector\":\"tv\",\"type\":\"gap\",\"kind\":\"movie\",\"id\":9999999999}",
		NULL
	};

	for (int i = 0; bad[i] != NULL; i++) {
		why[0] = '\0';
		ck_assert_msg(parse(bad[i], &k, why) == CANDIDATE_BAD, "expected BAD for %s", bad[i]);
		ck_assert_msg(why[0] != '\0', "a reason for %s", bad[i]);
	}
}
END_TEST

START_TEST(summary_and_blank_lines_are_ignored)
{
	struct candidate_key k;
	char why[160];

	ck_assert_int_eq(parse("", &k, why), CANDIDATE_IGNORED);
	ck_assert_int_eq(parse("   \t", &k, why), CANDIDATE_IGNORED);
	ck_assert_int_eq(parse("{\"event\":\"discover_done\",\"gaps\":3}", &k, why),
			 CANDIDATE_IGNORED);
	ck_assert_int_eq(parse("{\"event\":\"enqueue_done\"}", &k, why), CANDIDATE_IGNORED);
}
END_TEST

static struct registry_row
base_row(void)
{
	struct registry_row r;

	memset(&r, 0, sizeof(r));
	r.kind = REGISTRY_EPISODE;
	r.type = REGISTRY_GAP;
	r.released_us = NOW_US - 100 * DAY_US;
	r.missing_since_us = NOW_US - 20 * DAY_US;
	r.last_search_us = NOW_US - 3 * DAY_US;
	r.attempts = 2;
	return r;
}

/* Property 5 through the row mapping: each factor moves the score the
 * documented way, and the same row always scores the same. */
START_TEST(the_row_priority_is_deterministic_and_monotonic_in_each_factor)
{
	struct priority_weights w;
	struct registry_row r = base_row(), x;
	int s0, s1;

	priority_weights_default(&w);
	s0 = candidate_priority(&r, NOW_US, &w, NULL);
	ck_assert_int_eq(candidate_priority(&r, NOW_US, &w, NULL), s0);
	x = r;
	x.released_us = NOW_US - 10 * DAY_US;	/* newer content: higher */
	ck_assert_int_gt(candidate_priority(&x, NOW_US, &w, NULL), s0);
	x = r;
	x.missing_since_us = NOW_US - 120 * DAY_US;	/* missing longer: lower */
	ck_assert_int_lt(candidate_priority(&x, NOW_US, &w, NULL), s0);
	x = r;
	x.attempts = 5;	/* more failures: lower */
	ck_assert_int_lt(candidate_priority(&x, NOW_US, &w, NULL), s0);
	x = r;
	x.series_override = 50;	/* inherited series override: higher */
	s1 = candidate_priority(&x, NOW_US, &w, NULL);
	ck_assert_int_gt(s1, s0);
	x.item_override = 50;	/* the item's own on top */
	ck_assert_int_gt(candidate_priority(&x, NOW_US, &w, NULL), s1);
	x = r;
	x.type = REGISTRY_UPGRADE;	/* gaps before upgrades by default */
	ck_assert_int_lt(candidate_priority(&x, NOW_US, &w, NULL), s0);
	x = r;
	x.last_search_us = NOW_US - 1 * DAY_US;	/* searched just now: lower */
	ck_assert_int_lt(candidate_priority(&x, NOW_US, &w, NULL), s0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("candidate");
	TCase *tc = tcase_create("candidate");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, a_discover_line_round_trips_to_its_key);
	tcase_add_test(tc, malformed_and_unknown_lines_are_bad_with_a_reason);
	tcase_add_test(tc, summary_and_blank_lines_are_ignored);
	tcase_add_test(tc, the_row_priority_is_deterministic_and_monotonic_in_each_factor);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
