/*
 * test_sweep_plan.c - the cron builder's presets (lib/policy/cron_preset.h)
 * round-trip through the parser, and the views of schedules the web pages
 * use (lib/stage/sweep.h): the one check names the field, a preview lists
 * runs with their offsets across a DST change, the next runs across
 * schedules come soonest first, and the week's plan marks overlapping
 * sweeps of one connector and nothing else.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/cron.h"
#include "policy/cron_preset.h"
#include "stage/sweep.h"

#define MON_2025_06_02 1748822400LL	/* 2025-06-02 00:00Z, a Monday */

static void
build_ok(const struct cron_preset *p, const char *want)
{
	struct err e = ERR_INIT;
	struct cron c;
	struct cron_preset back;
	char buf[64];

	ck_assert_msg(cron_preset_build(p, buf, sizeof(buf), NULL, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(buf, want);
	/* what it builds parses, and is recognised as the same preset */
	ck_assert_msg(cron_parse(buf, &c, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(cron_preset_detect(&c, &back), p->kind);
	ck_assert_int_eq(back.minute, p->minute);
	if (p->kind == CRON_PRESET_DAILY || p->kind == CRON_PRESET_WEEKLY)
		ck_assert_int_eq(back.hour, p->hour);
	if (p->kind == CRON_PRESET_HOURS)
		ck_assert_int_eq(back.every_hours, p->every_hours);
	if (p->kind == CRON_PRESET_WEEKLY)
		ck_assert_int_eq(back.days, p->days);
}

START_TEST(presets_build_and_are_recognised)
{
	struct cron_preset p = { CRON_PRESET_HOURLY, 5, 0, 0, 0 };

	build_ok(&p, "5 * * * *");
	p.kind = CRON_PRESET_HOURS;
	p.every_hours = 6;
	build_ok(&p, "5 */6 * * *");
	p.every_hours = 5;	/* 0,5,10,15,20: still "every 5 hours" */
	build_ok(&p, "5 */5 * * *");
	p.kind = CRON_PRESET_DAILY;
	p.hour = 3;
	p.minute = 30;
	build_ok(&p, "30 3 * * *");
	p.kind = CRON_PRESET_WEEKLY;
	p.days = (1 << 1) | (1 << 3) | (1 << 5);
	build_ok(&p, "30 3 * * 1,3,5");
	p.days = 1;
	build_ok(&p, "30 3 * * 0");
}
END_TEST

START_TEST(presets_refuse_what_they_cannot_say)
{
	struct cron_preset p = { CRON_PRESET_HOURS, 0, 0, 13, 0 };
	struct err e = ERR_INIT;
	const char *field = NULL;
	char buf[64];

	ck_assert_int_lt(cron_preset_build(&p, buf, sizeof(buf), &field, &e), 0);
	ck_assert_str_eq(field, "every_hours");
	p.kind = CRON_PRESET_WEEKLY;
	p.hour = 2;
	ck_assert_int_lt(cron_preset_build(&p, buf, sizeof(buf), &field, &e), 0);
	ck_assert_str_eq(field, "days");
	ck_assert_ptr_nonnull(strstr(e.msg, "at least one day"));
	p.kind = CRON_PRESET_DAILY;
	p.minute = 60;
	ck_assert_int_lt(cron_preset_build(&p, buf, sizeof(buf), &field, &e), 0);
	ck_assert_str_eq(field, "minute");
	p.minute = 0;
	p.hour = 24;
	ck_assert_int_lt(cron_preset_build(&p, buf, sizeof(buf), &field, &e), 0);
	ck_assert_str_eq(field, "hour");
}
END_TEST

static enum cron_preset_kind
detect(const char *expr)
{
	struct err e = ERR_INIT;
	struct cron c;
	struct cron_preset p;

	ck_assert_msg(cron_parse(expr, &c, &e) == 0, "%s", e.msg);
	return cron_preset_detect(&c, &p);
}

START_TEST(other_spellings_of_a_preset_are_recognised_and_the_rest_is_custom)
{
	ck_assert_int_eq(detect("@hourly"), CRON_PRESET_HOURLY);
	ck_assert_int_eq(detect("0 0-23 * * *"), CRON_PRESET_HOURLY);
	ck_assert_int_eq(detect("@daily"), CRON_PRESET_DAILY);
	ck_assert_int_eq(detect("0 0,12 * * *"), CRON_PRESET_HOURS);
	ck_assert_int_eq(detect("15 2 * * MON-FRI"), CRON_PRESET_WEEKLY);
	ck_assert_int_eq(detect("*/15 * * * *"), CRON_PRESET_CUSTOM);
	ck_assert_int_eq(detect("0 3 1 * *"), CRON_PRESET_CUSTOM);
	ck_assert_int_eq(detect("0 3 * 1 *"), CRON_PRESET_CUSTOM);
	ck_assert_int_eq(detect("0 1,5 * * *"), CRON_PRESET_CUSTOM);
	ck_assert_int_eq(detect("0 */13 * * *"), CRON_PRESET_CUSTOM);	/* 0 and 13 */
}
END_TEST

static struct schedule
sched(const char *name, int64_t conn_id, const char *conn, const char *cron, const char *zone)
{
	struct schedule s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.connector_id = conn_id;
	snprintf(s.connector, sizeof(s.connector), "%s", conn);
	snprintf(s.sweep, sizeof(s.sweep), "gaps");
	snprintf(s.cron, sizeof(s.cron), "%s", cron);
	snprintf(s.zone, sizeof(s.zone), "%s", zone);
	s.enabled = 1;
	return s;
}

START_TEST(the_check_names_the_field)
{
	struct schedule s = sched("nightly", 1, "tv", "30 2 * * *", "Europe/Berlin");
	struct err e = ERR_INIT;
	const char *field = NULL;
	char warn[128];

	ck_assert_int_eq(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_ptr_null(field);
	snprintf(s.name, sizeof(s.name), "bad name");
	ck_assert_int_lt(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_str_eq(field, "name");
	snprintf(s.name, sizeof(s.name), "ok");
	snprintf(s.cron, sizeof(s.cron), "60 * * * *");
	ck_assert_int_lt(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_str_eq(field, "cron");
	ck_assert_ptr_nonnull(strstr(e.msg, "minute 60"));
	snprintf(s.cron, sizeof(s.cron), "0 0 31 * *");
	snprintf(s.zone, sizeof(s.zone), "Europe/Berln");
	ck_assert_int_lt(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_str_eq(field, "zone");
	ck_assert_ptr_nonnull(strstr(e.msg, "Europe/Berlin"));
	snprintf(s.zone, sizeof(s.zone), "UTC");
	ck_assert_int_eq(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_ptr_nonnull(strstr(warn, "February"));
	snprintf(s.sweep, sizeof(s.sweep), "movies");
	ck_assert_int_lt(sweep_schedule_check(&s, warn, sizeof(warn), &field, &e), 0);
	ck_assert_str_eq(field, "sweep");
}
END_TEST

START_TEST(a_preview_shows_the_offset_change_of_a_dst_night)
{
	/* 2025-03-29 12:00Z: Berlin moves to +02:00 on the 30th at 02:00 local */
	struct err e = ERR_INIT;
	const char *field = NULL;
	json_t *p = sweep_preview("30 2 * * *", "Europe/Berlin", 1743249600LL, 3, &field, &e);
	json_t *runs;

	ck_assert_msg(p != NULL, "%s", e.msg);
	runs = json_object_get(p, "runs");
	ck_assert_int_eq(json_array_size(runs), 3);
	ck_assert_str_eq(json_string_value(json_object_get(p, "description")),
			 "at 02:30 every day in Europe/Berlin");
	/* 02:30 does not exist on the 30th: it runs once when the gap ends */
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(runs, 0), "local")),
			 "2025-03-30 03:00 +02:00");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(runs, 1), "local")),
			 "2025-03-31 02:30 +02:00");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(runs, 1),
							    "utc_offset_s")), 7200);
	json_decref(p);
	ck_assert_ptr_null(sweep_preview("0 25 * * *", "UTC", 0, 3, &field, &e));
	ck_assert_str_eq(field, "cron");
	ck_assert_ptr_null(sweep_preview("0 2 * * *", "Mars/Olympus", 0, 3, &field, &e));
	ck_assert_str_eq(field, "zone");
	ck_assert_ptr_null(sweep_preview("0 2 * * *", "UTC", 0, 0, &field, &e));
	ck_assert_str_eq(field, "count");
}
END_TEST

START_TEST(upcoming_runs_come_soonest_first_and_skip_disabled_ones)
{
	struct schedule l[3] = {
		sched("a-daily", 1, "tv", "0 3 * * *", "UTC"),
		sched("b-hourly", 2, "films", "20 * * * *", "UTC"),
		sched("c-off", 1, "tv", "* * * * *", "UTC"),
	};
	json_t *u;

	l[2].enabled = 0;
	u = sweep_upcoming(l, 3, MON_2025_06_02, 86400, 5, NULL);
	ck_assert_int_eq(json_array_size(u), 5);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(u, 0), "schedule")),
			 "b-hourly");
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(u, 0), "at_s")),
			 MON_2025_06_02 + 20 * 60);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(u, 3), "schedule")),
			 "a-daily");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(u, 3), "at")),
			 "2025-06-02T03:00:00.000Z");
	json_decref(u);
	/* nothing within the window: nothing listed */
	u = sweep_upcoming(l, 1, MON_2025_06_02 + 4 * 3600, 3600, 5, NULL);
	ck_assert_int_eq(json_array_size(u), 0);
	json_decref(u);
}
END_TEST

static long
clash_count(const json_t *lane)
{
	size_t i;
	json_t *v;
	long n = 0;

	json_array_foreach(json_object_get(lane, "clash"), i, v)
		n += json_integer_value(v);
	return n;
}

START_TEST(the_week_plan_marks_overlaps_of_one_connector_only)
{
	struct schedule l[4] = {
		/* tv: daily 03:00 and daily 03:10 overlap; films at 03:00 does not */
		sched("tv-gaps", 1, "tv", "0 3 * * *", "UTC"),
		sched("tv-upgrades", 1, "tv", "10 3 * * *", "UTC"),
		sched("films-gaps", 2, "films", "0 3 * * *", "UTC"),
		/* every connector on Sundays at 12:00: meets nobody */
		sched("all-weekly", 0, "", "0 12 * * 0", "UTC"),
	};
	json_t *p = sweep_plan(l, 4, MON_2025_06_02, MON_2025_06_02 + 7 * 86400, NULL), *lanes;

	lanes = json_object_get(p, "lanes");
	ck_assert_int_eq(json_array_size(lanes), 4);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(lanes, 0), "runs")), 7);
	ck_assert_int_eq(clash_count(json_array_get(lanes, 0)), 7);
	ck_assert_int_eq(clash_count(json_array_get(lanes, 1)), 7);
	ck_assert_int_eq(clash_count(json_array_get(lanes, 2)), 0);
	ck_assert_int_eq(json_array_size(json_object_get(json_array_get(lanes, 3), "runs")), 1);
	ck_assert_int_eq(clash_count(json_array_get(lanes, 3)), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(p, "clashes")), 14);
	json_decref(p);
	/* an every-connector sweep meets each of them */
	snprintf(l[3].cron, sizeof(l[3].cron), "5 3 * * 1");
	p = sweep_plan(l, 4, MON_2025_06_02, MON_2025_06_02 + 7 * 86400, NULL);
	lanes = json_object_get(p, "lanes");
	ck_assert_int_eq(clash_count(json_array_get(lanes, 2)), 1);
	ck_assert_int_eq(clash_count(json_array_get(lanes, 3)), 1);
	json_decref(p);
}
END_TEST

START_TEST(a_plan_of_a_minutely_schedule_is_cut_and_says_so)
{
	struct schedule l[1] = { sched("busy", 1, "tv", "* * * * *", "UTC") };
	json_t *p = sweep_plan(l, 1, MON_2025_06_02, MON_2025_06_02 + 7 * 86400, NULL);
	json_t *lane = json_array_get(json_object_get(p, "lanes"), 0);

	ck_assert_int_eq(json_array_size(json_object_get(lane, "runs")), SWEEP_PLAN_MAX_RUNS);
	ck_assert(json_is_true(json_object_get(lane, "truncated")));
	ck_assert_int_eq(clash_count(lane), 0);
	json_decref(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sweep_plan");
	TCase *tc = tcase_create("plan");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, presets_build_and_are_recognised);
	tcase_add_test(tc, presets_refuse_what_they_cannot_say);
	tcase_add_test(tc, other_spellings_of_a_preset_are_recognised_and_the_rest_is_custom);
	tcase_add_test(tc, the_check_names_the_field);
	tcase_add_test(tc, a_preview_shows_the_offset_change_of_a_dst_night);
	tcase_add_test(tc, upcoming_runs_come_soonest_first_and_skip_disabled_ones);
	tcase_add_test(tc, the_week_plan_marks_overlaps_of_one_connector_only);
	tcase_add_test(tc, a_plan_of_a_minutely_schedule_is_cut_and_says_so);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
