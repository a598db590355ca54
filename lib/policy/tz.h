/*
 * tz.h - local time for the policy layer without reading the environment.
 *
 * The decisions in lib/policy are pure: they never call localtime_r() or
 * read TZ themselves.  Wherever a decision depends on a local calendar
 * (the throttle's daily budget resets at local midnight, a cron schedule
 * fires at local wall-clock times) it takes a struct policy_tz, which
 * answers one question: what is the UTC offset in force at this instant?
 *
 * policy_tz_fixed() gives a constant offset (UTC itself is offset 0) and is
 * pure.  tz_zone.c provides the IANA-zone answer through tzdata.
 *
 * All instants here are seconds since the epoch (UTC); "local seconds" are
 * the same count shifted by the offset, so local midnight is a multiple of
 * 86400 in local seconds.
 */
#ifndef COMRADARR_POLICY_TZ_H
#define COMRADARR_POLICY_TZ_H

#include <stdint.h>

struct policy_tz {
	/* Set *off_s to the offset (local - UTC, seconds, e.g. +3600 for
	 * CET) in force at utc_s.  Returns 0, or -1 when the zone cannot
	 * answer (the caller then fails with an error). */
	int (*offset)(void *ctx, int64_t utc_s, int32_t *off_s);
	void *ctx;
};

/* A fixed offset: *fixed_off holds the offset in seconds and must outlive
 * tz.  policy_tz_fixed(&tz, &zero) is UTC. */
void policy_tz_fixed(struct policy_tz *tz, const int32_t *fixed_off);

/* Civil calendar arithmetic (proleptic Gregorian, any year). */
int64_t policy_days_from_civil(int64_t y, int m, int d);
void policy_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday for a day count since 1970-01-01. */
int policy_weekday(int64_t days);
int policy_days_in_month(int64_t y, int m);

/* Floor division that rounds toward negative infinity (for times before
 * 1970). */
int64_t policy_floor_div(int64_t a, int64_t b);

/*
 * The first UTC second of the local calendar day containing utc_s.  On a
 * day whose midnight falls in a DST gap (a few zones switch at 00:00) the
 * day starts at the transition.  Returns 0 or -1 when tz fails.
 */
int policy_local_day_start(const struct policy_tz *tz, int64_t utc_s,
			   int64_t *start);

/* The first UTC second of the next local calendar day after the one
 * containing utc_s (always > utc_s).  Returns 0 or -1. */
int policy_local_next_day_start(const struct policy_tz *tz, int64_t utc_s,
				int64_t *start);

/*
 * An IANA zone ("Europe/Berlin") answered by the C library's tzdata
 * (tz_zone.c).  This is the one part of lib/policy that is not pure: it
 * switches TZ and calls tzset() + localtime_r() under a process-wide mutex
 * (its only global), so concurrent callers in one process are safe, but
 * other code reading TZ at the same moment is not; the tools are
 * single-threaded where they use it.  The name is checked against the
 * zoneinfo directory ($TZDIR or /usr/share/zoneinfo) because the C library
 * silently falls back to UTC for a zone it does not know.
 *
 * zone is caller-owned storage that must outlive tz.  Returns 0, or -1
 * with ERR_CONFIG for an unknown or malformed name.
 */
struct err;
#define POLICY_TZ_SEGMENTS 8
struct policy_tz_zone {
	char name[128];
	/*
	 * Spans of constant offset already found, so a cron walk over weeks
	 * asks tzdata a few dozen times instead of once per candidate minute
	 * (each answer switches TZ and re-reads the zone file).  A span is
	 * found by probing a day at a time and bisecting the change, which
	 * assumes no zone changes its offset and back within one day (none
	 * has since tzdata records began).
	 */
	struct {
		int64_t lo, hi;	/* [lo, hi) has offset off */
		int32_t off;
	} seg[POLICY_TZ_SEGMENTS];
	int nseg, next;
};
int policy_tz_zone_init(struct policy_tz *tz, struct policy_tz_zone *zone,
			const char *iana_name, struct err *e);

#endif
