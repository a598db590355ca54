/*
 * test_policy_settings.c - the settings table (typed values, ranges,
 * defaults, agreement with the priority weights) and the UTC days that
 * retention and statistics are counted in.
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/log.h"
#include "policy/priority.h"
#include "policy/retention.h"
#include "policy/settings.h"

#define DAY RETENTION_DAY_US

START_TEST(every_key_is_found_and_well_formed)
{
	size_t n;
	const struct setting_def *all = settings_all(&n);

	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct setting_def *d = &all[i];

		ck_assert_ptr_eq(settings_find(d->key), d);
		/* the settings table's CHECK: ^[a-z][a-z0-9_.]*$ */
		ck_assert_msg(d->key[0] >= 'a' && d->key[0] <= 'z', "%s", d->key);
		ck_assert_msg(strspn(d->key, "abcdefghijklmnopqrstuvwxyz0123456789_.") == strlen(d->key),
			      "%s", d->key);
		ck_assert_msg(d->min <= d->dflt && d->dflt <= d->max, "%s default out of range", d->key);
		ck_assert_msg(d->type != SETTING_BOOL || (d->min == 0 && d->max == 1), "%s", d->key);
		ck_assert_msg(d->summary[0] != '\0', "%s has no summary", d->key);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(all[j].key, d->key) != 0, "%s twice", d->key);
	}
	ck_assert_ptr_null(settings_find("retention.nope"));
	ck_assert_ptr_null(settings_find(""));
	ck_assert_ptr_null(settings_find(NULL));
}
END_TEST

START_TEST(log_level_is_a_name_of_the_loggers_levels)
{
	const struct setting_def *d = settings_find(SETTING_LOG_LEVEL);
	struct err e = ERR_INIT;
	char buf[32];
	long long v = -1;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->type, SETTING_ENUM);
	/* index = enum log_level: the logger takes the value as it is */
	for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_TRACE; l++) {
		ck_assert_str_eq(d->choices[l], log_level_name((enum log_level)l));
		ck_assert_int_eq(settings_parse(d, log_level_name((enum log_level)l), &v, &e), 0);
		ck_assert_int_eq(v, l);
	}
	ck_assert_ptr_null(d->choices[d->max + 1]);
	ck_assert_int_eq(d->dflt, LOG_LEVEL_INFO);
	ck_assert_int_eq(settings_parse(d, "DEBUG", &v, &e), 0);
	ck_assert_int_eq(v, LOG_LEVEL_DEBUG);
	ck_assert_int_eq(settings_parse(d, "loud", &v, &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "error, warn, info, debug, trace"));
	/* stored as a JSON string, read back the same way */
	ck_assert_str_eq(settings_format_json(d, 3, buf, sizeof(buf)), "\"debug\"");
	ck_assert_str_eq(settings_format(d, 3, buf, sizeof(buf)), "debug");
	ck_assert_int_eq(settings_parse_json(d, "\"warn\"", &v, &e), 0);
	ck_assert_int_eq(v, LOG_LEVEL_WARN);
	ck_assert_int_eq(settings_parse_json(d, "3", &v, &e), -1);
	ck_assert_int_eq(settings_parse_json(d, "\"loud\"", &v, &e), -1);
}
END_TEST

START_TEST(integers_are_accepted_exactly_within_their_range)
{
	const struct setting_def *d = settings_find("retention.events_days");
	struct err e = ERR_INIT;
	long long v = -7;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(settings_parse(d, "1", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(settings_parse(d, "3650", &v, &e), 0);
	ck_assert_int_eq(v, 3650);
	v = -7;
	ck_assert_int_eq(settings_parse(d, "0", &v, &e), -1);
	ck_assert_int_eq(v, -7);	/* untouched on failure */
	ck_assert_int_eq(e.kind, ERR_CONFIG);
	/* the message names the setting, the range and the unit */
	ck_assert_str_eq(e.msg, "setting 'retention.events_days' must be a whole number from 1 to "
			 "3650 (days), not '0'");
	ck_assert_int_eq(settings_parse(d, "3651", &v, &e), -1);
}
END_TEST

START_TEST(anything_but_plain_digits_is_refused)
{
	const struct setting_def *d = settings_find("retention.search_history_days");
	static const char *const bad[] = {
		"", " 5", "5 ", "+5", "5x", "x5", "5.0", "1e2", "0x10", "99999999999999999999999",
		"-", "true", NULL
	};
	struct err e = ERR_INIT;
	long long v = 0;

	for (int i = 0; bad[i] != NULL; i++)
		ck_assert_msg(settings_parse(d, bad[i], &v, &e) == -1, "'%s' accepted", bad[i]);
	ck_assert_int_eq(settings_parse(d, NULL, &v, &e), -1);
	ck_assert_int_eq(settings_parse(d, "-5", &v, &e), -1);	/* below 1 */
}
END_TEST

START_TEST(switches_take_the_usual_words)
{
	const struct setting_def *d = settings_find("queue.paused");
	struct err e = ERR_INIT;
	long long v = 7;

	ck_assert_int_eq(d->type, SETTING_BOOL);
	ck_assert_int_eq(settings_parse(d, "TRUE", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(settings_parse(d, "off", &v, &e), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(settings_parse(d, "yes", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(settings_parse(d, "2", &v, &e), -1);
	ck_assert_str_eq(e.msg, "setting 'queue.paused' is a switch: use true or false, not '2'");
}
END_TEST

START_TEST(stored_values_must_be_json_of_the_right_type)
{
	const struct setting_def *b = settings_find("queue.paused");
	const struct setting_def *n = settings_find("retention.events_days");
	struct err e = ERR_INIT;
	long long v = 0;
	char buf[24];

	ck_assert_int_eq(settings_parse_json(b, "true", &v, &e), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(settings_parse_json(b, "false", &v, &e), 0);
	ck_assert_int_eq(v, 0);
	/* words a user may type are not JSON a tool may store */
	ck_assert_int_eq(settings_parse_json(b, "\"on\"", &v, &e), -1);
	ck_assert_int_eq(settings_parse_json(b, "1", &v, &e), -1);
	ck_assert_int_eq(settings_parse_json(n, "\"30\"", &v, &e), -1);
	ck_assert_int_eq(e.kind, ERR_CONFIG);
	ck_assert_msg(strstr(e.msg, "comradarr settings set retention.events_days") != NULL, "%s",
		      e.msg);
	ck_assert_int_eq(settings_parse_json(n, "12", &v, &e), 0);
	ck_assert_int_eq(v, 12);
	/* what format writes, parse_json reads back */
	ck_assert_str_eq(settings_format(b, 1, buf, sizeof(buf)), "true");
	ck_assert_int_eq(settings_parse_json(b, buf, &v, &e), 0);
	ck_assert_str_eq(settings_format(n, 3650, buf, sizeof(buf)), "3650");
}
END_TEST

/* The priority weights' defaults and ranges are priority.h's: the two must
 * never drift apart. */
static const struct {
	const char *key;
	size_t off;
} weights[] = {
	{ "priority.base", offsetof(struct priority_weights, base) },
	{ "priority.content_age_max", offsetof(struct priority_weights, content_age_max) },
	{ "priority.content_age_span_days", offsetof(struct priority_weights, content_age_span_days) },
	{ "priority.missing_max", offsetof(struct priority_weights, missing_max) },
	{ "priority.missing_span_days", offsetof(struct priority_weights, missing_span_days) },
	{ "priority.failure_penalty", offsetof(struct priority_weights, failure_penalty) },
	{ "priority.failure_penalty_max", offsetof(struct priority_weights, failure_penalty_max) },
	{ "priority.recent_search_max", offsetof(struct priority_weights, recent_search_max) },
	{ "priority.recent_search_span_days",
	  offsetof(struct priority_weights, recent_search_span_days) },
	{ "priority.gap_bonus", offsetof(struct priority_weights, gap_bonus) },
	{ "priority.upgrade_bonus", offsetof(struct priority_weights, upgrade_bonus) },
	{ "priority.override_scale", offsetof(struct priority_weights, override_scale) },
};

START_TEST(priority_settings_agree_with_the_priority_weights)
{
	struct priority_weights dflt;
	size_t n, npriority = 0;
	const struct setting_def *all = settings_all(&n);

	priority_weights_default(&dflt);
	for (size_t i = 0; i < n; i++)
		npriority += strncmp(all[i].key, "priority.", 9) == 0;
	ck_assert_uint_eq(npriority, sizeof(weights) / sizeof(weights[0]));
	for (size_t i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		const struct setting_def *d = settings_find(weights[i].key);
		struct priority_weights w = dflt;
		int *f = (int *)((char *)&w + weights[i].off);
		struct err e = ERR_INIT;

		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(d->dflt, *(int *)((char *)&dflt + weights[i].off));
		*f = (int)d->min;
		ck_assert_msg(priority_weights_validate(&w, &e) == 0, "%s min: %s", d->key, e.msg);
		*f = (int)d->max;
		ck_assert_msg(priority_weights_validate(&w, &e) == 0, "%s max: %s", d->key, e.msg);
		*f = (int)d->min - 1;
		ck_assert_msg(priority_weights_validate(&w, &e) == -1, "%s below min accepted", d->key);
		*f = (int)d->max + 1;
		ck_assert_msg(priority_weights_validate(&w, &e) == -1, "%s above max accepted", d->key);
	}
}
END_TEST

START_TEST(cutoff_keeps_whole_utc_days)
{
	/* 2026-12-07T14:30:00Z */
	int64_t now = INT64_C(1796653800) * 1000000;
	int64_t today = now - now % DAY;

	ck_assert_int_eq(today % DAY, 0);
	ck_assert_int_eq(retention_cutoff_us(now, 1), today - DAY);
	ck_assert_int_eq(retention_cutoff_us(now, 90), today - 90 * DAY);
	/* at midnight exactly, today is the day that starts then */
	ck_assert_int_eq(retention_cutoff_us(today, 1), today - DAY);
	ck_assert_int_eq(retention_cutoff_us(today - 1, 1), today - 2 * DAY);
	/* never keeps less than yesterday */
	ck_assert_int_eq(retention_cutoff_us(now, 0), today - DAY);
	/* before the epoch, days still start at midnight */
	ck_assert_int_eq(retention_cutoff_us(-1, 1), -2 * DAY);
}
END_TEST

START_TEST(cutoff_is_on_a_day_boundary_for_any_time)
{
	uint64_t s = 12345;

	for (int i = 0; i < 100000; i++) {
		int64_t now, c;
		int days;

		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		now = (int64_t)(s >> 12) % (INT64_C(4000000000) * 1000000);
		days = 1 + (int)((s >> 40) % 3650);
		c = retention_cutoff_us(now, days);
		if (c % DAY != 0 || c > now - (int64_t)days * DAY || c <= now - (int64_t)(days + 1) * DAY)
			ck_abort_msg("cutoff %lld for now %lld, %d days", (long long)c, (long long)now,
				     days);
	}
}
END_TEST

START_TEST(days_parse_and_format_round_trip)
{
	struct err e = ERR_INIT;
	int64_t d;
	char buf[16];

	ck_assert_int_eq(retention_parse_day("--from", "1970-01-01", &d, &e), 0);
	ck_assert_int_eq(d, 0);
	ck_assert_int_eq(retention_parse_day("--from", "2026-12-07", &d, &e), 0);
	ck_assert_int_eq(d, 1796653800 / 86400);
	ck_assert_int_eq(retention_parse_day("--to", "2024-02-29", &d, &e), 0);
	ck_assert_str_eq(retention_format_day(d, buf, sizeof(buf)), "2024-02-29");
	for (int64_t x = 0; x < 200000; x += 7) {
		int64_t back;

		retention_format_day(x, buf, sizeof(buf));
		if (retention_parse_day("--from", buf, &back, &e) != 0 || back != x)
			ck_abort_msg("day %lld formatted as %s read back as %lld", (long long)x, buf,
				     (long long)back);
	}
}
END_TEST

START_TEST(bad_dates_are_refused_with_the_option_named)
{
	static const char *const bad[] = {
		"2026-02-29", "2100-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01",
		"26-01-01", "2026/01/01", "2026-01-01T00:00", "1969-12-31", "", "abcd-ef-gh", NULL
	};
	struct err e = ERR_INIT;
	int64_t d;

	for (int i = 0; bad[i] != NULL; i++)
		ck_assert_msg(retention_parse_day("--to", bad[i], &d, &e) == -1, "'%s'", bad[i]);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	ck_assert_msg(strncmp(e.msg, "--to '", 6) == 0, "%s", e.msg);
	ck_assert_int_eq(retention_parse_day("--to", "2000-02-29", &d, &e), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("policy_settings");
	TCase *tc = tcase_create("settings");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, every_key_is_found_and_well_formed);
	tcase_add_test(tc, integers_are_accepted_exactly_within_their_range);
	tcase_add_test(tc, log_level_is_a_name_of_the_loggers_levels);
	tcase_add_test(tc, anything_but_plain_digits_is_refused);
	tcase_add_test(tc, switches_take_the_usual_words);
	tcase_add_test(tc, stored_values_must_be_json_of_the_right_type);
	tcase_add_test(tc, priority_settings_agree_with_the_priority_weights);
	tcase_add_test(tc, cutoff_keeps_whole_utc_days);
	tcase_add_test(tc, cutoff_is_on_a_day_boundary_for_any_time);
	tcase_add_test(tc, days_parse_and_format_round_trip);
	tcase_add_test(tc, bad_dates_are_refused_with_the_option_named);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
