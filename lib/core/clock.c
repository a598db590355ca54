#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/banned.h"

/*
 * The fake clock: -1 means real time.  Read from COMRADARR_FAKE_NOW once, on
 * first use; tests in one process may move it with clock_set_fake().
 */
static int64_t fake_us = -1;
static int fake_loaded;

static void
load_fake(void)
{
	const char *s;
	int64_t us;
	char *end;
	long long secs;

	if (fake_loaded)
		return;
	fake_loaded = 1;
	s = getenv("COMRADARR_FAKE_NOW");
	if (s == NULL || *s == '\0')
		return;
	errno = 0;
	secs = strtoll(s, &end, 10);
	if (errno == 0 && *end == '\0') {
		fake_us = (int64_t)secs * 1000000;
		return;
	}
	if (clock_parse_iso8601(s, &us) == 0)
		fake_us = us;
}

int64_t
clock_now_us(void)
{
	struct timespec ts;

	load_fake();
	if (fake_us >= 0)
		return fake_us;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

time_t
clock_now(void)
{
	return (time_t)(clock_now_us() / 1000000);
}

int64_t
clock_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
clock_set_fake(int64_t usec)
{
	fake_loaded = 1;
	fake_us = usec;
}

int
clock_is_fake(void)
{
	load_fake();
	return fake_us >= 0;
}

void
clock_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	if (clock_is_fake()) {
		fake_us += (int64_t)ms * 1000;
		return;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil), so we never depend on TZ or timegm. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
clock_parse_iso8601(const char *s, int64_t *usec)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, frac_us = 0, off = 0;
	int64_t t;

	if (s == NULL)
		return -1;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' || digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &se) < 0)
				return -1;
		}
		if (*p == '.' || *p == ',') {
			int scale = 100000;

			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p)) {
				frac_us += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om = 0;

			p++;
			if (digits(&p, 2, &oh) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) && digits(&p, 2, &om) < 0)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p != '\0')
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*usec = t * 1000000 + frac_us;
	return 0;
}
