/*
 * cron.h - five-field cron schedules in a time zone (Req 8.1, 19.3).
 *
 *   minute hour day-of-month month day-of-week
 *
 * Each field takes *, numbers, lists (1,15), ranges (1-5), steps (*\/15,
 * 0-30/10, and 5/15 meaning 5-max/15) and, for months and weekdays, the
 * English three-letter names (JAN, MON; any case).  Weekday 0 and 7 are
 * Sunday.  @hourly @daily (@midnight) @weekly @monthly @yearly
 * (@annually) are accepted; @reboot is not (there is no daemon to reboot).
 *
 * Day matching follows Vixie cron: when the day-of-month or day-of-week
 * field starts with '*', a day must match both; when both are restricted,
 * either one is enough ("0 0 1 * MON" = the 1st and every Monday).
 *
 * Times are matched on the local wall clock of a struct policy_tz.  Across
 * daylight-saving changes (as Vixie and cronie cron do):
 *   - a local time skipped by a spring-forward gap fires once, at the
 *     instant the gap ends (a 02:30 job runs at 03:00 that night);
 *   - a local time repeated by a fall-back overlap fires at its first
 *     occurrence only, unless the hour field is every hour, in which case
 *     the job keeps its rhythm through both occurrences (a "*\/15 * * * *"
 *     job fires every 15 minutes of real time).
 */
#ifndef COMRADARR_POLICY_CRON_H
#define COMRADARR_POLICY_CRON_H

#include <stddef.h>
#include <stdint.h>

#include "policy/tz.h"

struct err;

struct cron {
	uint64_t minutes;	/* bit n: minute n, 0..59 */
	uint32_t hours;		/* 0..23 */
	uint32_t mdays;		/* 1..31 */
	uint16_t months;	/* 1..12 */
	uint8_t wdays;		/* 0..6, Sunday = 0 */
	int mday_star;		/* the field began with '*' (Vixie rule) */
	int wday_star;
};

/*
 * Parse expr.  Returns 0, or -1 with ERR_CONFIG and a message that quotes
 * the expression and names the field, e.g. "cron expression '61 * * * *':
 * minute 61 is out of range 0-59".  A schedule that can never fire
 * ("0 0 31 2 *") is rejected too.
 */
int cron_parse(const char *expr, struct cron *c, struct err *e);

/* Does the local civil time match? (y, month 1..12, day, hour, minute) */
int cron_match_local(const struct cron *c, int64_t y, int month, int day,
		     int hour, int minute);

/*
 * The first firing instant strictly after after_utc_s (seconds since the
 * epoch), with the DST rules above.  Looks at most 10 years ahead.
 * Returns 0 and sets *next, or -1 (ERR_CONFIG when tz fails, ERR_NOTFOUND
 * when nothing fires within 10 years).
 */
int cron_next(const struct cron *c, int64_t after_utc_s,
	      const struct policy_tz *tz, int64_t *next, struct err *e);

/*
 * A human-readable description (Req 19.3): "every 15 minutes",
 * "at 03:00 every day", "at 02:30 on Monday through Friday",
 * "every hour at :05", "at 00:00 on day 1 of the month in January".
 * Always NUL-terminates; returns the length it needed (like snprintf).
 */
size_t cron_describe(const struct cron *c, char *buf, size_t size);

#endif
