/*
 * test_policy_batch.c - season pack decision and command formation
 * (Req 6.1-6.5, 29.4, 29.5; Properties 9, 10 and 17).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "policy/batch.h"

#define SEED 0xba7c4ULL

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

static struct batch_season
season(int total, int aired, int missing)
{
	struct batch_season s = { total, aired, missing, 0, 0, 0 };

	return s;
}

static void
expect(struct batch_season s, enum batch_season_choice want,
       enum batch_season_reason why)
{
	struct batch_season_config c;
	enum batch_season_reason r;
	enum batch_season_choice got;

	batch_season_config_default(&c);
	got = batch_season_decide(&s, &c, &r);
	ck_assert_msg(got == want && r == why,
		      "season %d/%d aired, %d missing: expected %s (%s), got %s (%s)",
		      s.aired_episodes, s.total_episodes, s.missing_aired,
		      batch_season_choice_name(want), batch_season_reason_name(why),
		      batch_season_choice_name(got), batch_season_reason_name(r));
}

START_TEST(fully_aired_season_over_half_missing_gets_a_pack)
{
	expect(season(10, 10, 6), BATCH_SEASON, BATCH_R_THRESHOLD_MET);
	expect(season(10, 10, 10), BATCH_SEASON, BATCH_R_THRESHOLD_MET);
}
END_TEST

START_TEST(exactly_the_threshold_is_not_above_it)
{
	expect(season(10, 10, 5), BATCH_EPISODES, BATCH_R_BELOW_THRESHOLD);
	/* 7/13 = 53.8% is above 50; 6/13 = 46.2% is not */
	expect(season(13, 13, 7), BATCH_SEASON, BATCH_R_THRESHOLD_MET);
	expect(season(13, 13, 6), BATCH_EPISODES, BATCH_R_BELOW_THRESHOLD);
}
END_TEST

START_TEST(airing_season_always_searches_episodes)
{
	struct batch_season s = season(10, 8, 8);

	s.next_airing_set = 1;
	expect(s, BATCH_EPISODES, BATCH_R_AIRING);
	s = season(10, 10, 10);
	s.next_airing_set = 1;	/* a finale announced but not aired */
	expect(s, BATCH_EPISODES, BATCH_R_AIRING);
}
END_TEST

START_TEST(unaired_episodes_without_next_airing_block_a_pack)
{
	expect(season(10, 9, 9), BATCH_EPISODES, BATCH_R_NOT_FULLY_AIRED);
}
END_TEST

START_TEST(fewer_than_minimum_missing_searches_episodes)
{
	expect(season(4, 4, 2), BATCH_EPISODES, BATCH_R_TOO_FEW_MISSING);
	expect(season(4, 4, 3), BATCH_SEASON, BATCH_R_THRESHOLD_MET);
	expect(season(1, 1, 1), BATCH_EPISODES, BATCH_R_TOO_FEW_MISSING);
}
END_TEST

START_TEST(pack_cooldown_waits_then_failed_pack_falls_back)
{
	struct batch_season s = season(10, 10, 8);

	s.pack_in_cooldown = 1;
	s.pack_failed = 1;
	expect(s, BATCH_WAIT, BATCH_R_PACK_COOLDOWN);
	s.pack_in_cooldown = 0;
	expect(s, BATCH_EPISODES, BATCH_R_PACK_FAILED);
}
END_TEST

START_TEST(disabled_packs_and_nothing_missing)
{
	struct batch_season s = season(10, 10, 10);
	struct batch_season_config c;
	enum batch_season_reason r;

	batch_season_config_default(&c);
	c.pack_enabled = 0;
	ck_assert_int_eq(batch_season_decide(&s, &c, &r), BATCH_EPISODES);
	ck_assert_int_eq(r, BATCH_R_PACK_DISABLED);
	expect(season(10, 10, 0), BATCH_NOTHING, BATCH_R_NOTHING_MISSING);
}
END_TEST

START_TEST(season_config_validation)
{
	struct batch_season_config c;
	struct err e = ERR_INIT;

	batch_season_config_default(&c);
	ck_assert_int_eq(c.threshold_pct, 50);
	ck_assert_int_eq(c.min_missing, 3);
	ck_assert_int_eq(batch_season_config_validate(&c, &e), 0);
	c.threshold_pct = 101;
	ck_assert_int_eq(batch_season_config_validate(&c, &e), -1);
	ck_assert_msg(strstr(e.msg, "threshold") != NULL, "message was '%s'", e.msg);
	c.threshold_pct = 50;
	c.min_missing = 0;
	ck_assert_int_eq(batch_season_config_validate(&c, &e), -1);
}
END_TEST

/* Property 9: the decision equals the rule, for every input. */
START_TEST(property9_season_decision_matches_the_rules)
{
	uint64_t s = SEED + 9;

	for (int it = 0; it < 200000; it++) {
		struct batch_season_config c = {
			(int)rnd(&s, 0, 4) != 0, (int)rnd(&s, 0, 100), (int)rnd(&s, 1, 8)
		};
		int total = (int)rnd(&s, 0, 40);
		int aired = (int)rnd(&s, 0, total);
		struct batch_season x = {
			total, aired, (int)rnd(&s, 0, aired),
			rnd(&s, 0, 3) == 0, rnd(&s, 0, 5) == 0, rnd(&s, 0, 5) == 0
		};
		enum batch_season_reason r;
		enum batch_season_choice got = batch_season_decide(&x, &c, &r);
		int pack = c.pack_enabled && !x.pack_in_cooldown &&
			!x.next_airing_set && x.aired_episodes == x.total_episodes &&
			x.missing_aired >= c.min_missing &&
			x.missing_aired * 100 > c.threshold_pct * x.total_episodes &&
			!x.pack_failed && x.missing_aired > 0;
		enum batch_season_choice want = x.missing_aired == 0 ? BATCH_NOTHING :
			pack ? BATCH_SEASON :
			(c.pack_enabled && x.pack_in_cooldown) ? BATCH_WAIT : BATCH_EPISODES;

		REQUIRE(got == want,
			"iteration %d: total %d aired %d missing %d airing %d cooldown %d failed %d enabled %d thr %d min %d: expected %s, got %s (%s)",
			it, x.total_episodes, x.aired_episodes, x.missing_aired,
			x.next_airing_set, x.pack_in_cooldown, x.pack_failed,
			c.pack_enabled, c.threshold_pct, c.min_missing,
			batch_season_choice_name(want), batch_season_choice_name(got),
			batch_season_reason_name(r));
		REQUIRE(!(x.next_airing_set && got == BATCH_SEASON), "airing season packed");
	}
}
END_TEST

/* -------------------------------------------------------- formation */

static struct batch_item
ep(int64_t conn, int64_t series, int seasonno, int64_t id, int prio)
{
	struct batch_item it = { conn, BATCH_KIND_EPISODE, series, seasonno, id, prio, 0 };

	return it;
}

static struct batch_item
movie(int64_t conn, int64_t id, int prio)
{
	struct batch_item it = { conn, BATCH_KIND_MOVIE, 0, 0, id, prio, 0 };

	return it;
}

START_TEST(eleven_episodes_make_two_commands_of_ten_and_one)
{
	struct batch_item items[11];
	struct batch_plan plan;

	for (int i = 0; i < 11; i++)
		items[i] = ep(1, 7, 1, 100 + i, 500 - i);
	ck_assert_int_eq(batch_form(items, 11, 10, &plan, NULL), 0);
	ck_assert_uint_eq(plan.ncmds, 2);
	ck_assert_int_eq(plan.cmds[0].command, BATCH_CMD_EPISODE_SEARCH);
	ck_assert_int_eq(plan.cmds[0].nids, 10);
	ck_assert_int_eq(plan.cmds[0].priority, 500);
	ck_assert_int_eq(plan.cmds[0].expected_queries, 10);
	ck_assert_int_eq(plan.cmds[0].ids[0], 100);
	ck_assert_int_eq(plan.cmds[1].nids, 1);
	ck_assert_int_eq(plan.cmds[1].ids[0], 110);	/* the lowest priority */
	ck_assert_int_eq(plan.cmds[1].priority, 490);
	ck_assert_uint_eq(plan.item_cmd[10], 1);
	batch_plan_release(&plan);
}
END_TEST

START_TEST(eleven_movies_make_two_movies_searches)
{
	struct batch_item items[11];
	struct batch_plan plan;

	for (int i = 0; i < 11; i++)
		items[i] = movie(3, 900 + i, 100);
	ck_assert_int_eq(batch_form(items, 11, 10, &plan, NULL), 0);
	ck_assert_uint_eq(plan.ncmds, 2);
	ck_assert_int_eq(plan.cmds[0].command, BATCH_CMD_MOVIES_SEARCH);
	ck_assert_int_eq(plan.cmds[0].nids, 10);
	ck_assert_int_eq(plan.cmds[0].ids[0], 900);
	ck_assert_int_eq(plan.cmds[1].nids, 1);
	ck_assert_int_eq(plan.cmds[1].ids[0], 910);
	ck_assert_int_eq(plan.cmds[0].series_id, 0);
	batch_plan_release(&plan);
}
END_TEST

START_TEST(season_pack_items_become_one_season_search)
{
	struct batch_item items[] = {
		ep(1, 7, 2, 201, 300), ep(1, 7, 2, 202, 800), ep(1, 7, 2, 203, 100),
		ep(1, 7, 3, 301, 900),
	};
	struct batch_plan plan;

	for (int i = 0; i < 3; i++)
		items[i].season_pack = 1;
	ck_assert_int_eq(batch_form(items, 4, 10, &plan, NULL), 0);
	ck_assert_uint_eq(plan.ncmds, 2);
	ck_assert_int_eq(plan.cmds[0].command, BATCH_CMD_EPISODE_SEARCH);
	ck_assert_int_eq(plan.cmds[0].priority, 900);
	ck_assert_int_eq(plan.cmds[1].command, BATCH_CMD_SEASON_SEARCH);
	ck_assert_int_eq(plan.cmds[1].series_id, 7);
	ck_assert_int_eq(plan.cmds[1].season_number, 2);
	ck_assert_int_eq(plan.cmds[1].priority, 800);
	ck_assert_int_eq(plan.cmds[1].expected_queries, 1);
	ck_assert_int_eq(plan.cmds[1].nids, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_uint_eq(plan.item_cmd[i], 1);
	batch_plan_release(&plan);
}
END_TEST

START_TEST(duplicates_are_searched_once)
{
	struct batch_item items[] = {
		ep(1, 7, 1, 55, 100), ep(1, 7, 1, 55, 400), ep(2, 7, 1, 55, 1),
	};
	struct batch_plan plan;

	ck_assert_int_eq(batch_form(items, 3, 10, &plan, NULL), 0);
	ck_assert_uint_eq(plan.ncmds, 2);	/* connector 2 is another app */
	ck_assert_int_eq(plan.cmds[0].nids, 1);
	ck_assert_int_eq(plan.cmds[0].priority, 400);
	ck_assert_uint_eq(plan.item_cmd[0], plan.item_cmd[1]);
	ck_assert_uint_ne(plan.item_cmd[0], plan.item_cmd[2]);
	batch_plan_release(&plan);
}
END_TEST

START_TEST(bad_batch_size_and_empty_input)
{
	struct batch_item it = movie(1, 1, 1);
	struct batch_plan plan;
	struct err e = ERR_INIT;

	ck_assert_int_eq(batch_form(&it, 1, 11, &plan, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	ck_assert_int_eq(batch_form(&it, 1, 0, &plan, &e), -1);
	ck_assert_int_eq(batch_form(NULL, 0, 10, &plan, &e), 0);
	ck_assert_uint_eq(plan.ncmds, 0);
	batch_plan_release(&plan);
}
END_TEST

static void
random_items(uint64_t *s, struct batch_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		items[i].connector_id = rnd(s, 1, 3);
		items[i].kind = rnd(s, 0, 2) == 0 ? BATCH_KIND_MOVIE : BATCH_KIND_EPISODE;
		items[i].series_id = items[i].kind == BATCH_KIND_MOVIE ? 0 : rnd(s, 1, 6);
		items[i].season_number = (int)rnd(s, 0, 3);
		/* ids encode series and season so duplicates stay coherent */
		items[i].arr_id = items[i].series_id * 1000 + items[i].season_number * 100 +
			rnd(s, 0, 40);
		items[i].priority = (int)rnd(s, 0, 50);
		/* a whole season is packed or not */
		items[i].season_pack = items[i].kind == BATCH_KIND_EPISODE &&
			((items[i].series_id + items[i].season_number) % 3 == 0);
	}
}

/* Properties 10 and 17 over random candidate lists. */
START_TEST(property10_17_grouping_limits_and_coverage)
{
	uint64_t s = SEED + 10;
	static struct batch_item items[300], shuffled[300];
	static size_t pos[300];

	for (int it = 0; it < 2000; it++) {
		size_t n = (size_t)rnd(&s, 1, 300);
		int max = (int)rnd(&s, 1, 10);
		struct batch_plan plan, again;

		random_items(&s, items, n);
		REQUIRE(batch_form(items, n, max, &plan, NULL) == 0, "batch_form failed");
		for (size_t k = 0; k < plan.ncmds; k++) {
			const struct batch_cmd *c = &plan.cmds[k];

			/* Property 17: never more than max (<= 10) ids */
			REQUIRE(c->nids <= max && c->nids <= BATCH_MAX_IDS,
				"iteration %d: command %zu has %d ids, max %d", it, k, c->nids, max);
			REQUIRE(c->command == BATCH_CMD_SEASON_SEARCH ? c->nids == 0 &&
				c->expected_queries == 1 : c->nids >= 1 &&
				c->expected_queries == c->nids,
				"iteration %d: command %zu queries %d ids %d", it, k,
				c->expected_queries, c->nids);
			for (int j = 1; j < c->nids; j++)
				REQUIRE(c->ids[j - 1] < c->ids[j], "ids not ascending/unique");
			if (k > 0)
				REQUIRE(plan.cmds[k - 1].priority >= c->priority,
					"iteration %d: commands not in priority order", it);
		}
		for (size_t i = 0; i < n; i++) {
			const struct batch_cmd *c;
			int found = 0;

			REQUIRE(plan.item_cmd[i] < plan.ncmds, "item unmapped");
			c = &plan.cmds[plan.item_cmd[i]];
			/* Property 10: a command belongs to one connector and,
			 * for episodes, one series */
			REQUIRE(c->connector_id == items[i].connector_id, "connector mixed");
			if (items[i].kind == BATCH_KIND_EPISODE)
				REQUIRE(c->series_id == items[i].series_id,
					"iteration %d: episode of series %lld in a command for %lld",
					it, (long long)items[i].series_id, (long long)c->series_id);
			if (c->command == BATCH_CMD_SEASON_SEARCH) {
				REQUIRE(items[i].season_pack &&
					c->season_number == items[i].season_number,
					"season search covers a non-pack item");
				found = 1;
			}
			for (int j = 0; j < c->nids; j++)
				found |= c->ids[j] == items[i].arr_id;
			REQUIRE(found, "iteration %d: item %zu (id %lld) not in its command",
				it, i, (long long)items[i].arr_id);
			REQUIRE(c->priority >= items[i].priority, "batch priority below an item's");
		}
		/* grouping is tight: a series' episodes use ceil(k/max) commands */
		for (int64_t conn = 1; conn <= 3; conn++) {
			for (int64_t ser = 1; ser <= 6; ser++) {
				int ids = 0, cmds = 0;

				for (size_t k = 0; k < plan.ncmds; k++)
					if (plan.cmds[k].command == BATCH_CMD_EPISODE_SEARCH &&
					    plan.cmds[k].connector_id == conn &&
					    plan.cmds[k].series_id == ser) {
						ids += plan.cmds[k].nids;
						cmds++;
					}
				REQUIRE(cmds == (ids + max - 1) / max,
					"iteration %d: series %lld has %d ids in %d commands (max %d)",
					it, (long long)ser, ids, cmds, max);
			}
		}
		/* determinism: any input order gives the same commands */
		for (size_t i = 0; i < n; i++)
			pos[i] = i;
		for (size_t i = n - 1; i > 0; i--) {
			size_t j = (size_t)rnd(&s, 0, (int64_t)i), t = pos[i];

			pos[i] = pos[j];
			pos[j] = t;
		}
		for (size_t i = 0; i < n; i++)
			shuffled[i] = items[pos[i]];
		REQUIRE(batch_form(shuffled, n, max, &again, NULL) == 0, "batch_form failed");
		REQUIRE(again.ncmds == plan.ncmds, "iteration %d: %zu commands, shuffled %zu",
			it, plan.ncmds, again.ncmds);
		for (size_t k = 0; k < plan.ncmds; k++)
			REQUIRE(memcmp(&plan.cmds[k], &again.cmds[k], sizeof(plan.cmds[k])) == 0 ||
				(plan.cmds[k].nids == again.cmds[k].nids &&
				 memcmp(plan.cmds[k].ids, again.cmds[k].ids,
					sizeof(int64_t) * (size_t)plan.cmds[k].nids) == 0 &&
				 plan.cmds[k].priority == again.cmds[k].priority &&
				 plan.cmds[k].command == again.cmds[k].command),
				"iteration %d: command %zu differs after shuffling", it, k);
		batch_plan_release(&plan);
		batch_plan_release(&again);
	}
}
END_TEST

/* Property 6: the queue is worked highest priority first, whatever the
 * input order, and ties break the same way every time. */
START_TEST(property6_commands_come_out_highest_priority_first)
{
	uint64_t s = SEED + 6;
	static struct batch_item items[200];

	for (int it = 0; it < 2000; it++) {
		size_t n = (size_t)rnd(&s, 1, 200);
		struct batch_plan plan;

		for (size_t i = 0; i < n; i++)
			items[i] = movie(rnd(&s, 1, 2), (int64_t)i + 1, (int)rnd(&s, 0, 5));
		REQUIRE(batch_form(items, n, 1, &plan, NULL) == 0, "batch_form failed");
		REQUIRE(plan.ncmds == n, "one id per command expected");
		for (size_t k = 1; k < plan.ncmds; k++) {
			const struct batch_cmd *a = &plan.cmds[k - 1], *b = &plan.cmds[k];

			REQUIRE(a->priority > b->priority ||
				(a->priority == b->priority &&
				 (a->connector_id < b->connector_id ||
				  (a->connector_id == b->connector_id && a->ids[0] < b->ids[0]))),
				"iteration %d: command %zu (prio %d conn %lld id %lld) before (prio %d conn %lld id %lld)",
				it, k, a->priority, (long long)a->connector_id, (long long)a->ids[0],
				b->priority, (long long)b->connector_id, (long long)b->ids[0]);
		}
		batch_plan_release(&plan);
	}
}
END_TEST

START_TEST(per_series_limit_admits_in_order)
{
	struct batch_cmd cmds[5];
	struct batch_running running[] = { { 1, 7 } };
	int ok[5];

	memset(cmds, 0, sizeof(cmds));
	for (int i = 0; i < 5; i++) {
		cmds[i].command = BATCH_CMD_EPISODE_SEARCH;
		cmds[i].connector_id = 1;
		cmds[i].series_id = 7;
	}
	cmds[2].series_id = 8;
	cmds[3].command = BATCH_CMD_MOVIES_SEARCH;
	cmds[3].series_id = 0;
	cmds[4].connector_id = 2;	/* same series id, other app */
	ck_assert_uint_eq(batch_eligible(cmds, 5, running, 1, 2, ok), 4);
	ck_assert_int_eq(ok[0], 1);	/* 1 running + this = 2 */
	ck_assert_int_eq(ok[1], 0);
	ck_assert_int_eq(ok[2], 1);
	ck_assert_int_eq(ok[3], 1);
	ck_assert_int_eq(ok[4], 1);
	ck_assert_uint_eq(batch_eligible(cmds, 5, running, 1, 1, ok), 3);
	ck_assert_int_eq(ok[0], 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_batch");
	TCase *tc = tcase_create("season");
	TCase *tf = tcase_create("formation");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, fully_aired_season_over_half_missing_gets_a_pack);
	tcase_add_test(tc, exactly_the_threshold_is_not_above_it);
	tcase_add_test(tc, airing_season_always_searches_episodes);
	tcase_add_test(tc, unaired_episodes_without_next_airing_block_a_pack);
	tcase_add_test(tc, fewer_than_minimum_missing_searches_episodes);
	tcase_add_test(tc, pack_cooldown_waits_then_failed_pack_falls_back);
	tcase_add_test(tc, disabled_packs_and_nothing_missing);
	tcase_add_test(tc, season_config_validation);
	tcase_add_test(tc, property9_season_decision_matches_the_rules);
	tcase_set_timeout(tf, 120);
	tcase_add_test(tf, eleven_episodes_make_two_commands_of_ten_and_one);
	tcase_add_test(tf, eleven_movies_make_two_movies_searches);
	tcase_add_test(tf, season_pack_items_become_one_season_search);
	tcase_add_test(tf, duplicates_are_searched_once);
	tcase_add_test(tf, bad_batch_size_and_empty_input);
	tcase_add_test(tf, property10_17_grouping_limits_and_coverage);
	tcase_add_test(tf, property6_commands_come_out_highest_priority_first);
	tcase_add_test(tf, per_series_limit_admits_in_order);
	suite_add_tcase(s, tc);
	suite_add_tcase(s, tf);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
