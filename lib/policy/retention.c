/*
 * retention.c - UTC days for pruning and statistics.  See retention.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/retention.h"
#include "core/banned.h"

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
retention_cutoff_us(int64_t now_us, int days)
{
	if (days < 1)
		days = 1;
	return (floor_div(now_us, RETENTION_DAY_US) - days) * RETENTION_DAY_US;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
days_in_month(int64_t y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : n[m - 1];
}

int
retention_parse_day(const char *opt, const char *text, int64_t *days, struct err *e)
{
	int y = 0, m = 0, d = 0;

	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		goto bad;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
			goto bad;
	y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
	m = (text[5] - '0') * 10 + (text[6] - '0');
	d = (text[8] - '0') * 10 + (text[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		goto bad;
	*days = days_from_civil(y, m, d);
	return 0;
bad:
	return err_set(e, ERR_USAGE, "%s '%s' is not a date: use YYYY-MM-DD (a UTC day, 1970 or later)",
		       opt, text != NULL ? text : "");
}

const char *
retention_format_day(int64_t days, char *buf, unsigned long size)
{
	int64_t y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d", (long long)y, m, d);
	return buf;
}
