/*
 * tz.c - pure calendar arithmetic and local-day boundaries.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy/tz.h"

#include "core/banned.h"

static int
fixed_offset(void *ctx, int64_t utc_s, int32_t *off_s)
{
	(void)utc_s;
	*off_s = *(const int32_t *)ctx;
	return 0;
}

void
policy_tz_fixed(struct policy_tz *tz, const int32_t *fixed_off)
{
	tz->offset = fixed_offset;
	/* ctx is void * by convention; the callback only reads through it */
	tz->ctx = (void *)(uintptr_t)fixed_off;
}

int64_t
policy_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * Days since 1970-01-01 for a proleptic Gregorian date.  The year is
 * shifted to start in March so the leap day is the last day of the
 * shifted year, and whole 400-year eras (146097 days) are counted apart.
 */
int64_t
policy_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = policy_floor_div(y, 400);
	yoe = y - era * 400;				/* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;	/* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	/* 0..146096 */
	return era * 146097 + doe - 719468;
}

void
policy_civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = policy_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = yoe + era * 400 + (mm <= 2);
}

int
policy_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday (4) */
	int64_t w = (days + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

int
policy_days_in_month(int64_t y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return len[m - 1] + (m == 2 && leap);
}

/* Local day number (days since 1970-01-01 in local time) of utc_s. */
static int
local_day(const struct policy_tz *tz, int64_t utc_s, int64_t *day)
{
	int32_t off;

	if (tz->offset(tz->ctx, utc_s, &off) < 0)
		return -1;
	*day = policy_floor_div(utc_s + off, 86400);
	return 0;
}

int
policy_local_day_start(const struct policy_tz *tz, int64_t utc_s,
		       int64_t *start)
{
	int64_t day, d1, d0, lo, hi, mid, guess;
	int32_t off;
	int ret = -1;

	if (local_day(tz, utc_s, &day) < 0)
		goto out;
	/* Fast path: midnight shifted by the offset in force now, or by
	 * the offset in force at that guess (a change earlier today). */
	if (tz->offset(tz->ctx, utc_s, &off) < 0)
		goto out;
	guess = day * 86400 - off;
	for (int i = 0; i < 2; i++) {
		if (guess <= utc_s) {
			if (local_day(tz, guess, &d1) < 0 ||
			    local_day(tz, guess - 1, &d0) < 0)
				goto out;
			if (d1 == day && d0 < day) {
				*start = guess;
				ret = 0;
				goto out;
			}
		}
		if (tz->offset(tz->ctx, guess, &off) < 0)
			goto out;
		guess = day * 86400 - off;
	}
	/* Midnight does not exist today (a gap at 00:00) or the zone is
	 * unusual: the smallest instant whose local day is today, found by
	 * bisection over the two days before utc_s. */
	lo = utc_s - 2 * 86400;	/* local day < day */
	hi = utc_s;		/* local day == day */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (local_day(tz, mid, &d1) < 0)
			goto out;
		if (d1 >= day)
			hi = mid;
		else
			lo = mid;
	}
	*start = hi;
	ret = 0;
out:
	return ret;
}

int
policy_local_next_day_start(const struct policy_tz *tz, int64_t utc_s,
			    int64_t *start)
{
	int64_t today, probe, next;
	int ret = -1;

	if (policy_local_day_start(tz, utc_s, &today) < 0)
		goto out;
	/* Local days last 23 to 25 hours (a skipped date makes a 0-hour
	 * one): 36 hours after today's start is in a later day. */
	probe = today + 36 * 3600;
	for (;;) {
		if (policy_local_day_start(tz, probe, &next) < 0)
			goto out;
		if (next > utc_s)
			break;
		probe += 24 * 3600;
	}
	*start = next;
	ret = 0;
out:
	return ret;
}
