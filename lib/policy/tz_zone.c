/*
 * tz_zone.c - UTC offsets of an IANA zone, from the C library's tzdata.
 *
 * The only impure file in lib/policy (see tz.h): it switches TZ under a
 * mutex, asks localtime_r() for tm_gmtoff and restores TZ.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/err.h"
#include "policy/tz.h"

#include "core/banned.h"

/* Serialises every TZ switch in this process (tz.h documents it). */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

/* tzdata's answer (tz_lock held). */
static int
zone_offset_raw(const struct policy_tz_zone *zone, int64_t utc_s, int32_t *off_s)
{
	char saved[256], spec[sizeof(zone->name) + 2];
	const char *old;
	int had_old = 0, ret = -1;
	time_t t = (time_t)utc_s;
	struct tm tm;

	old = getenv("TZ");
	if (old != NULL && strlen(old) < sizeof(saved)) {
		snprintf(saved, sizeof(saved), "%s", old);
		had_old = 1;
	}
	snprintf(spec, sizeof(spec), ":%s", zone->name);
	if (setenv("TZ", spec, 1) < 0)
		goto out;
	tzset();
	if (localtime_r(&t, &tm) == NULL)
		goto restore;
	*off_s = (int32_t)tm.tm_gmtoff;
	ret = 0;
restore:
	if (had_old)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
out:
	return ret;
}

#define DAY_S 86400
#define REACH_S (32LL * DAY_S)	/* how far a span is extended each way */

/*
 * The first instant after lo whose offset is not off, knowing lo has off
 * and hi has another (bisection).
 */
static int
bisect(const struct policy_tz_zone *zone, int64_t lo, int64_t hi, int32_t off, int64_t *edge)
{
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;
		int32_t o;

		if (zone_offset_raw(zone, mid, &o) < 0)
			return -1;
		if (o == off)
			lo = mid;
		else
			hi = mid;
	}
	*edge = hi;
	return 0;
}

/* The span of constant offset around t, probed a day at a time. */
static int
find_span(const struct policy_tz_zone *zone, int64_t t, int64_t *lo, int64_t *hi, int32_t *off)
{
	int32_t o;
	int64_t a = t, b = t;

	if (zone_offset_raw(zone, t, off) < 0)
		return -1;
	for (;;) {
		if (b - t >= REACH_S) {
			b = b + 1;	/* known up to b inclusive */
			break;
		}
		if (zone_offset_raw(zone, b + DAY_S, &o) < 0)
			return -1;
		if (o != *off) {
			if (bisect(zone, b, b + DAY_S, *off, &b) < 0)
				return -1;
			break;
		}
		b += DAY_S;
	}
	for (;;) {
		if (t - a >= REACH_S)
			break;
		if (zone_offset_raw(zone, a - DAY_S, &o) < 0)
			return -1;
		if (o != *off) {
			int64_t edge;

			/* the last instant with the other offset is edge - 1 */
			if (bisect(zone, a - DAY_S, a, o, &edge) < 0)
				return -1;
			a = edge;
			break;
		}
		a -= DAY_S;
	}
	*lo = a;
	*hi = b;
	return 0;
}

static int
zone_offset(void *ctx, int64_t utc_s, int32_t *off_s)
{
	struct policy_tz_zone *zone = ctx;
	int64_t lo, hi;
	int32_t off;
	int ret = -1;

	pthread_mutex_lock(&tz_lock);
	for (int i = 0; i < zone->nseg; i++) {
		if (utc_s >= zone->seg[i].lo && utc_s < zone->seg[i].hi) {
			*off_s = zone->seg[i].off;
			ret = 0;
			goto out;
		}
	}
	if (find_span(zone, utc_s, &lo, &hi, &off) < 0)
		goto out;
	zone->seg[zone->next].lo = lo;
	zone->seg[zone->next].hi = hi;
	zone->seg[zone->next].off = off;
	zone->next = (zone->next + 1) % POLICY_TZ_SEGMENTS;
	if (zone->nseg < POLICY_TZ_SEGMENTS)
		zone->nseg++;
	*off_s = off;
	ret = 0;
out:
	pthread_mutex_unlock(&tz_lock);
	return ret;
}

static int
zone_name_ok(const char *name)
{
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+'))
			return 0;
	}
	return 1;
}

int
policy_tz_zone_init(struct policy_tz *tz, struct policy_tz_zone *zone,
		    const char *iana_name, struct err *e)
{
	char path[512];
	const char *dir = getenv("TZDIR");
	int n;

	if (iana_name == NULL || !zone_name_ok(iana_name) ||
	    strlen(iana_name) >= sizeof(zone->name))
		return err_set(e, ERR_CONFIG,
			       "time zone '%s' is not a valid IANA name; use one like 'Europe/Berlin' or 'UTC'",
			       iana_name ? iana_name : "");
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	n = snprintf(path, sizeof(path), "%s/%s", dir, iana_name);
	if (n < 0 || (size_t)n >= sizeof(path) || access(path, R_OK) < 0)
		return err_set(e, ERR_CONFIG,
			       "time zone '%s' is not in the zoneinfo database at '%s'; check the name or install tzdata",
			       iana_name, dir);
	memset(zone, 0, sizeof(*zone));
	snprintf(zone->name, sizeof(zone->name), "%s", iana_name);
	tz->offset = zone_offset;
	tz->ctx = zone;
	return 0;
}
