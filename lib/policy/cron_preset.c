/*
 * cron_preset.c - the cron builder's shapes.  See cron_preset.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "policy/cron_preset.h"
#include "core/banned.h"

#define ALL_HOURS	((1U << 24) - 1)
#define ALL_MDAYS	0xfffffffeU	/* 1..31 */
#define ALL_MONTHS	0x1ffeU		/* 1..12 */
#define ALL_WDAYS	0x7fU		/* 0..6 */

static const char *const names[] = { "custom", "hourly", "hours", "daily", "weekly" };

const char *
cron_preset_name(enum cron_preset_kind k)
{
	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "custom";
}

int
cron_preset_parse_kind(const char *s, enum cron_preset_kind *k)
{
	for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*k = (enum cron_preset_kind)i;
			return 0;
		}
	}
	return -1;
}

static int
bad(const char **field, const char *name, struct err *e, const char *msg)
{
	if (field != NULL)
		*field = name;
	return err_set(e, ERR_USAGE, "%s", msg);
}

int
cron_preset_build(const struct cron_preset *p, char *buf, size_t size, const char **field,
		  struct err *e)
{
	char days[20] = "";
	size_t len = 0;
	int n;

	if (field != NULL)
		*field = NULL;
	if (p->kind == CRON_PRESET_CUSTOM || (unsigned)p->kind > CRON_PRESET_WEEKLY)
		return bad(field, "preset", e, "choose a preset, or write the expression yourself");
	if (p->minute < 0 || p->minute > 59)
		return bad(field, "minute", e, "the minute is 0 to 59");
	if ((p->kind == CRON_PRESET_DAILY || p->kind == CRON_PRESET_WEEKLY) &&
	    (p->hour < 0 || p->hour > 23))
		return bad(field, "hour", e, "the hour is 0 to 23");
	if (p->kind == CRON_PRESET_HOURS &&
	    (p->every_hours < CRON_PRESET_HOURS_MIN || p->every_hours > CRON_PRESET_HOURS_MAX))
		return bad(field, "every_hours", e, "every 2 to 12 hours (for every hour choose "
			   "hourly, for once a day choose daily)");
	if (p->kind == CRON_PRESET_WEEKLY) {
		if ((p->days & ALL_WDAYS) == 0)
			return bad(field, "days", e, "choose at least one day of the week");
		for (int d = 0; d < 7; d++)
			if ((p->days >> d) & 1)
				len += (size_t)snprintf(days + len, sizeof(days) - len, "%s%d",
							len ? "," : "", d);
	}
	switch (p->kind) {
	case CRON_PRESET_HOURLY:
		n = snprintf(buf, size, "%d * * * *", p->minute);
		break;
	case CRON_PRESET_HOURS:
		n = snprintf(buf, size, "%d */%d * * *", p->minute, p->every_hours);
		break;
	case CRON_PRESET_DAILY:
		n = snprintf(buf, size, "%d %d * * *", p->minute, p->hour);
		break;
	default:
		n = snprintf(buf, size, "%d %d * * %s", p->minute, p->hour,
			     (p->days & ALL_WDAYS) == ALL_WDAYS ? "*" : days);
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return err_set(e, ERR_INTERNAL, "the expression does not fit its buffer");
	return 0;
}

static int
single(uint64_t bits)
{
	return bits != 0 && (bits & (bits - 1)) == 0;
}

enum cron_preset_kind
cron_preset_detect(const struct cron *c, struct cron_preset *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = CRON_PRESET_CUSTOM;
	if (!single(c->minutes) || c->months != ALL_MONTHS || c->mdays != ALL_MDAYS ||
	    !c->mday_star)
		return p->kind;
	p->minute = __builtin_ctzll(c->minutes);
	if (c->wdays == ALL_WDAYS && c->wday_star) {
		if (c->hours == ALL_HOURS) {
			p->kind = CRON_PRESET_HOURLY;
		} else if (single(c->hours)) {
			p->hour = __builtin_ctz(c->hours);
			p->kind = CRON_PRESET_DAILY;
		} else if (c->hours & 1) {
			/* 0, N, 2N, ... below 24: what "*\/N" means */
			int step = __builtin_ctz(c->hours & ~1U);
			uint32_t want = 0;

			for (int h = 0; h < 24; h += step)
				want |= 1U << h;
			if (want == c->hours && step >= CRON_PRESET_HOURS_MIN &&
			    step <= CRON_PRESET_HOURS_MAX) {
				p->every_hours = step;
				p->kind = CRON_PRESET_HOURS;
			}
		}
	} else if (single(c->hours) && !c->wday_star) {
		p->hour = __builtin_ctz(c->hours);
		p->days = c->wdays & ALL_WDAYS;
		p->kind = CRON_PRESET_WEEKLY;
	}
	if (p->kind == CRON_PRESET_CUSTOM)
		p->minute = 0;
	return p->kind;
}
