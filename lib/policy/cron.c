/*
 * cron.c - parsing, matching and the next firing time.
 * The description lives in cron_describe.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "policy/cron.h"

#include "core/banned.h"

struct field {
	const char *name;
	int lo, hi;
	const char *const *names;	/* 3-letter names from lo, or NULL */
};

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun",
	"jul", "aug", "sep", "oct", "nov", "dec", NULL
};
static const char *const wday_names[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL
};

static const struct field fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day of month", 1, 31, NULL },
	{ "month", 1, 12, month_names },
	{ "day of week", 0, 7, wday_names },	/* 7 folds to 0 */
};

static const struct {
	const char *name;
	const char *expr;
} macros[] = {
	{ "@yearly", "0 0 1 1 *" }, { "@annually", "0 0 1 1 *" },
	{ "@monthly", "0 0 1 * *" }, { "@weekly", "0 0 * * 0" },
	{ "@daily", "0 0 * * *" }, { "@midnight", "0 0 * * *" },
	{ "@hourly", "0 * * * *" },
};

/* Parse one value (number or name) from [s, end); *next after it. */
static int
parse_value(const struct field *f, const char *s, const char *end,
	    const char **next, int *v)
{
	const char *p = s;
	long n = 0;

	if (p < end && isdigit((unsigned char)*p)) {
		while (p < end && isdigit((unsigned char)*p)) {
			n = n * 10 + (*p - '0');
			if (n > 1000)
				return -1;
			p++;
		}
		*v = (int)n;
		*next = p;
		return 0;
	}
	if (f->names != NULL && end - p >= 3) {
		for (int i = 0; f->names[i] != NULL; i++) {
			if (strncasecmp(p, f->names[i], 3) == 0 &&
			    (end - p == 3 || !isalpha((unsigned char)p[3]))) {
				*v = f->lo + i;
				*next = p + 3;
				return 0;
			}
		}
	}
	return -1;
}

/* One comma-separated item: *, *\/s, a, a-b, a-b/s, a/s. */
static int
parse_item(const char *expr, const struct field *f, const char *s,
	   const char *end, uint64_t *bits, struct err *e)
{
	const char *p = s;
	int a, b, step = 1, is_star = 0;

	if (p < end && *p == '*') {
		a = f->lo;
		b = f->hi;
		p++;
		is_star = 1;
	} else {
		if (parse_value(f, p, end, &p, &a) < 0)
			goto bad;
		b = a;
		if (p < end && *p == '-') {
			p++;
			if (parse_value(f, p, end, &p, &b) < 0)
				goto bad;
		}
	}
	if (p < end && *p == '/') {
		p++;
		if (parse_value(&fields[0], p, end, &p, &step) < 0 || step < 1)
			goto bad;
		if (!is_star && b == a)	/* "5/15" = 5-max/15 */
			b = f->hi;
	}
	if (p != end)
		goto bad;
	if (a < f->lo || a > f->hi || b < f->lo || b > f->hi)
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s': %s %d is out of range %d-%d",
			       expr, f->name, a < f->lo || a > f->hi ? a : b,
			       f->lo, f->hi);
	if (a > b)
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s': %s range %d-%d runs backwards; write it as two ranges",
			       expr, f->name, a, b);
	if (step > f->hi - f->lo + 1 && !(a == b))
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s': %s step %d is larger than the field",
			       expr, f->name, step);
	for (int v = a; v <= b; v += step)
		*bits |= 1ULL << v;
	return 0;
bad:
	return err_set(e, ERR_CONFIG,
		       "cron expression '%s': %s '%.*s' is not a number, name, range or step",
		       expr, f->name, (int)(end - s), s);
}

static int
parse_field(const char *expr, const struct field *f, const char *s,
	    const char *end, uint64_t *bits, struct err *e)
{
	const char *p = s;

	*bits = 0;
	while (p <= end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;

		if (stop == p)
			return err_set(e, ERR_CONFIG,
				       "cron expression '%s': empty item in the %s field",
				       expr, f->name);
		if (parse_item(expr, f, p, stop, bits, e) < 0)
			return -1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

/* Whether some allowed month has an allowed day of month (Feb 29 counts). */
static int
mdays_possible(const struct cron *c)
{
	for (int m = 1; m <= 12; m++) {
		if (!(c->months & (1u << m)))
			continue;
		for (int d = 1; d <= policy_days_in_month(2000, m); d++)
			if (c->mdays & (1u << d))
				return 1;
	}
	return 0;
}

int
cron_parse(const char *expr, struct cron *c, struct err *e)
{
	const char *src = expr, *p, *start[5], *end[5];
	uint64_t bits[5];
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (expr == NULL)
		return err_set(e, ERR_CONFIG, "cron expression is missing");
	while (isspace((unsigned char)*src))
		src++;
	if (*src == '@') {
		size_t len = strcspn(src, " \t\r\n");

		for (size_t i = 0; i < sizeof(macros) / sizeof(macros[0]); i++)
			if (strlen(macros[i].name) == len &&
			    strncasecmp(src, macros[i].name, len) == 0 &&
			    src[len + strspn(src + len, " \t\r\n")] == '\0')
				return cron_parse(macros[i].expr, c, e);
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s' is not one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually",
			       expr);
	}
	for (p = src; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (n == 5)
			return err_set(e, ERR_CONFIG,
				       "cron expression '%s' has more than 5 fields; use minute hour day-of-month month day-of-week",
				       expr);
		start[n] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		end[n++] = p;
	}
	if (n != 5)
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s' has %d fields, not 5; use minute hour day-of-month month day-of-week",
			       expr, n);
	for (int i = 0; i < 5; i++)
		if (parse_field(expr, &fields[i], start[i], end[i], &bits[i], e) < 0)
			return -1;
	c->minutes = bits[0];
	c->hours = (uint32_t)bits[1];
	c->mdays = (uint32_t)bits[2];
	c->months = (uint16_t)bits[3];
	c->wdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
	c->mday_star = *start[2] == '*';
	c->wday_star = *start[4] == '*';
	if ((c->mday_star || c->wday_star) && !mdays_possible(c))
		return err_set(e, ERR_CONFIG,
			       "cron expression '%s' never fires: no chosen month has that day",
			       expr);
	return 0;
}

static int
day_match(const struct cron *c, int64_t y, int m, int d)
{
	int wd = policy_weekday(policy_days_from_civil(y, m, d));
	int dom = (c->mdays >> d) & 1, dow = (c->wdays >> wd) & 1;

	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

int
cron_match_local(const struct cron *c, int64_t y, int month, int day,
		 int hour, int minute)
{
	return ((c->months >> month) & 1) && day_match(c, y, month, day) &&
		((c->hours >> hour) & 1) && ((c->minutes >> minute) & 1);
}

#define HORIZON_S (10LL * 366 * 86400)

/*
 * The first local time >= from (local seconds, any second) on a minute
 * boundary that matches, skipping whole months, days and hours that
 * cannot.  Returns 0, or -1 past limit.
 */
static int
next_local(const struct cron *c, int64_t from, int64_t limit, int64_t *out)
{
	int64_t l = policy_floor_div(from + 59, 60) * 60;

	while (l <= limit) {
		int64_t days = policy_floor_div(l, 86400), y;
		int64_t secs = l - days * 86400;
		int m, d, h = (int)(secs / 3600), mi = (int)(secs % 3600 / 60);

		policy_civil_from_days(days, &y, &m, &d);
		if (!((c->months >> m) & 1)) {
			l = (m == 12 ? policy_days_from_civil(y + 1, 1, 1) :
			     policy_days_from_civil(y, m + 1, 1)) * 86400;
		} else if (!day_match(c, y, m, d)) {
			l = (days + 1) * 86400;
		} else if (!((c->hours >> h) & 1)) {
			l = days * 86400 + (int64_t)(h + 1) * 3600;
		} else if (!((c->minutes >> mi) & 1)) {
			l += 60;
		} else {
			*out = l;
			return 0;
		}
	}
	return -1;
}

static int
offset_at(const struct policy_tz *tz, int64_t u, int32_t *off)
{
	return tz->offset(tz->ctx, u, off);
}

/*
 * The instants whose local time is l: one normally, two in an overlap
 * (ascending), none in a gap, where *gap_end is the instant the gap ends.
 */
static int
map_local(const struct policy_tz *tz, int64_t l, int64_t inst[2], int *n,
	  int64_t *gap_end, int32_t *max_off)
{
	int32_t oa, ob, o;
	int64_t cand[2], lo, hi;

	*n = 0;
	if (offset_at(tz, l - 86400, &oa) < 0 || offset_at(tz, l + 86400, &ob) < 0)
		return -1;
	*max_off = oa > ob ? oa : ob;
	cand[0] = l - (oa > ob ? oa : ob);	/* the earlier instant */
	cand[1] = l - (oa > ob ? ob : oa);
	for (int i = 0; i < 2; i++) {
		if (i == 1 && cand[1] == cand[0])
			break;
		if (offset_at(tz, cand[i], &o) < 0)
			return -1;
		if (cand[i] + o == l)
			inst[(*n)++] = cand[i];
	}
	if (*n > 0)
		return 0;
	/* a gap: the first instant whose local time is past l */
	lo = l - 86400 - 14 * 3600;
	hi = l + 86400;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(tz, mid, &o) < 0)
			return -1;
		if (mid + o > l)
			hi = mid;
		else
			lo = mid;
	}
	*gap_end = hi;
	return 0;
}

static int
tz_error(struct err *e)
{
	return err_set(e, ERR_CONFIG,
		       "cannot tell the UTC offset of the schedule's time zone; check the configured zone");
}

int
cron_next(const struct cron *c, int64_t after_utc_s,
	  const struct policy_tz *tz, int64_t *next, struct err *e)
{
	int32_t o1, o2, max_off;
	int64_t l, best = INT64_MAX, inst[2], gap_end, limit;
	int n, every_hour = (c->hours & 0xffffff) == 0xffffff, ret = -1;

	if (offset_at(tz, after_utc_s, &o1) < 0 ||
	    offset_at(tz, after_utc_s + 86400, &o2) < 0) {
		tz_error(e);
		goto out;
	}
	/* start early enough to see a repeated hour after a fall-back */
	l = after_utc_s + (o1 < o2 ? o1 : o2);
	limit = l + HORIZON_S;
	for (;;) {
		if (next_local(c, l, limit, &l) < 0)
			break;
		if (map_local(tz, l, inst, &n, &gap_end, &max_off) < 0) {
			tz_error(e);
			goto out;
		}
		if (best != INT64_MAX && l - max_off > best)
			break;	/* every instant of l and later is later */
		if (n == 0 && gap_end > after_utc_s && gap_end < best)
			best = gap_end;
		for (int i = 0; i < n; i++) {
			if (i == 1 && !every_hour)
				break;	/* fixed hours fire once */
			if (inst[i] > after_utc_s && inst[i] < best)
				best = inst[i];
		}
		l += 60;
	}
	if (best == INT64_MAX) {
		err_set(e, ERR_NOTFOUND,
			"cron schedule never fires in the next 10 years; check the day and month fields");
		goto out;
	}
	*next = best;
	ret = 0;
out:
	return ret;
}
