/*
 * cron_preset.h - the schedule editor's cron builder (Req 19.2): the few
 * shapes most people want, turned into a cron expression and recognised in
 * one.
 *
 *   hourly           "M * * * *"
 *   every N hours    "M *\/N * * *"     (N 2..12: the hours restart at midnight)
 *   daily at         "M H * * *"
 *   weekly on days   "M H * * D,D,..."  (weekdays 0..6, Sunday 0)
 *
 * The expression is what gets stored; a preset is only a way to write one.
 * Recognising reads the parsed struct cron (cron.h owns the syntax), so
 * "@hourly", "0 * * * *" and "0 0-23 * * *" are all "hourly at :00", and an
 * expression that is none of these is CRON_PRESET_CUSTOM.  The web editor
 * builds on the server (no-JavaScript forms post the builder's fields) and
 * the script asks the server to build too, so this is the only place the
 * shapes are written.
 */
#ifndef COMRADARR_POLICY_CRON_PRESET_H
#define COMRADARR_POLICY_CRON_PRESET_H

#include <stddef.h>
#include <stdint.h>

#include "policy/cron.h"

struct err;

enum cron_preset_kind {
	CRON_PRESET_CUSTOM = 0,	/* the raw expression, as typed */
	CRON_PRESET_HOURLY,
	CRON_PRESET_HOURS,
	CRON_PRESET_DAILY,
	CRON_PRESET_WEEKLY
};

#define CRON_PRESET_HOURS_MIN	2
#define CRON_PRESET_HOURS_MAX	12

struct cron_preset {
	enum cron_preset_kind kind;
	int minute;		/* 0..59 */
	int hour;		/* 0..23: DAILY, WEEKLY */
	int every_hours;	/* HOURS: 2..12 */
	uint8_t days;		/* WEEKLY: bit d = weekday d (Sunday 0) */
};

/* "custom", "hourly", "hours", "daily", "weekly"; and back (-1: unknown). */
const char *cron_preset_name(enum cron_preset_kind k);
int cron_preset_parse_kind(const char *s, enum cron_preset_kind *k);

/*
 * Write p's expression into buf.  -1 with ERR_USAGE naming the builder's
 * field ("minute", "hour", "every_hours", "days") when a value is out of
 * range or a weekly preset has no day; CUSTOM is an ERR_USAGE too (there is
 * nothing to build).  *field (may be NULL) gets that field's name.
 */
int cron_preset_build(const struct cron_preset *p, char *buf, size_t size, const char **field,
		      struct err *e);

/* The preset c is, or CRON_PRESET_CUSTOM (p still gets minute 0, hour 0). */
enum cron_preset_kind cron_preset_detect(const struct cron *c, struct cron_preset *p);

#endif
