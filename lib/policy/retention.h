/*
 * retention.h - where pruning stops, and the days statistics are kept by.
 *
 * Statistics are kept per UTC day (stats_daily), and history is pruned in
 * whole UTC days, so a day's source rows are either all present or all
 * gone.  That is what lets comradarr-maint recompute a day's aggregate from
 * whatever rows the day still has, any number of times, and never change
 * it by pruning: a day is recomputed only while it is complete.
 *
 * Pure: time is a parameter (microseconds since the epoch).
 */
#ifndef COMRADARR_POLICY_RETENTION_H
#define COMRADARR_POLICY_RETENTION_H

#include <stdint.h>

struct err;

#define RETENTION_DAY_US (86400LL * 1000000LL)

/*
 * The first instant kept when keeping `days` whole UTC days before today
 * (and today): the start of the UTC day `days` days before now's.  Rows
 * strictly before it are pruned.  days >= 1.
 */
int64_t retention_cutoff_us(int64_t now_us, int days);

/*
 * A calendar date "YYYY-MM-DD" (UTC day) into days since 1970-01-01.
 * Refuses anything else, including 2026-02-30, with a message naming the
 * option (opt: "--from").
 */
int retention_parse_day(const char *opt, const char *text, int64_t *days, struct err *e);

/* Days since 1970-01-01 back into "YYYY-MM-DD"; buf of at least 11 bytes. */
const char *retention_format_day(int64_t days, char *buf, unsigned long size);

#endif
