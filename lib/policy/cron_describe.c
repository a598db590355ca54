/*
 * cron_describe.c - cron schedules in words (Req 19.3).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "policy/cron.h"

#include "core/banned.h"

struct out {
	char *buf;
	size_t size, len;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static int
count(uint64_t bits)
{
	return __builtin_popcountll(bits);
}

static int
lowest(uint64_t bits)
{
	return __builtin_ctzll(bits);
}

/* bits == {0, step, 2*step, ...} below n, with step dividing n */
static int
even_step(uint64_t bits, int n)
{
	int step;

	if (!(bits & 1) || count(bits) < 2)
		return 0;
	step = lowest(bits & ~1ULL);
	if (n % step != 0)
		return 0;
	for (int v = 0; v < n; v++)
		if (((bits >> v) & 1) != (v % step == 0))
			return 0;
	return step;
}

static const char *const month_words[13] = {
	"", "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};
static const char *const wday_words[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	"Saturday"
};

/* "1, 3 and 5", runs of 3+ as "Monday through Friday" */
static void
put_list(struct out *o, uint64_t bits, int lo, int hi,
	 const char *const *words)
{
	int seg_lo[64], seg_hi[64], nseg = 0;

	for (int v = lo; v <= hi; v++) {
		int end = v;

		if (!((bits >> v) & 1))
			continue;
		while (end + 1 <= hi && ((bits >> (end + 1)) & 1))
			end++;
		if (end - v >= 2) {
			seg_lo[nseg] = v;
			seg_hi[nseg++] = end;
			v = end;
		} else {
			seg_lo[nseg] = seg_hi[nseg] = v;
			nseg++;
		}
	}
	for (int i = 0; i < nseg; i++) {
		if (i > 0)
			put(o, i == nseg - 1 ? " and " : ", ");
		if (words)
			put(o, "%s", words[seg_lo[i]]);
		else
			put(o, "%d", seg_lo[i]);
		if (seg_hi[i] != seg_lo[i]) {
			if (words)
				put(o, " through %s", words[seg_hi[i]]);
			else
				put(o, " through %d", seg_hi[i]);
		}
	}
}

static void
put_days(struct out *o, const struct cron *c)
{
	int all_m = (c->mdays & 0xfffffffeu) == 0xfffffffeu;
	int all_w = (c->wdays & 0x7f) == 0x7f;

	if (all_m && all_w) {
		put(o, " every day");
		return;
	}
	if (!all_m) {
		put(o, count(c->mdays) == 1 ? " on day " : " on days ");
		put_list(o, c->mdays, 1, 31, NULL);
		put(o, " of the month");
	}
	if (!all_w) {
		/* Vixie: both restricted means either; a '*' means both */
		if (!all_m)
			put(o, c->mday_star || c->wday_star ? " if it is a" :
			    " or on");
		else
			put(o, " on");
		put(o, " ");
		put_list(o, c->wdays, 0, 6, wday_words);
	}
}

size_t
cron_describe(const struct cron *c, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	int all_min = c->minutes == (1ULL << 60) - 1;
	int all_hour = (c->hours & 0xffffff) == 0xffffff;
	int mstep = even_step(c->minutes, 60), hstep = even_step(c->hours, 24);
	int fixed_time = 0;

	if (size > 0)
		buf[0] = '\0';
	if (all_min && all_hour) {
		put(&o, "every minute");
	} else if (mstep && all_hour) {
		put(&o, "every %d minutes", mstep);
	} else if (all_hour) {
		put(&o, "every hour at ");
		for (int m = 0, k = 0; m < 60; m++)
			if ((c->minutes >> m) & 1)
				put(&o, "%s:%02d", k++ == 0 ? "" :
				    k == count(c->minutes) ? " and " : ", ", m);
	} else if (count(c->minutes) == 1 && hstep && count(c->hours) > 2) {
		put(&o, "every %d hours at :%02d", hstep, lowest(c->minutes));
	} else if (count(c->minutes) * count(c->hours) <= 6 && !all_min) {
		int k = 0, total = count(c->minutes) * count(c->hours);

		put(&o, "at ");
		for (int h = 0; h < 24; h++)
			for (int m = 0; m < 60; m++)
				if ((c->hours >> h) & 1 && (c->minutes >> m) & 1) {
					put(&o, "%s%02d:%02d", k == 0 ? "" :
					    k == total - 1 ? " and " : ", ", h, m);
					k++;
				}
		fixed_time = 1;
	} else {
		if (all_min) {
			put(&o, "every minute");
		} else if (mstep) {
			put(&o, "every %d minutes", mstep);
		} else {
			put(&o, "at minute ");
			put_list(&o, c->minutes, 0, 59, NULL);
		}
		put(&o, " during hour ");
		put_list(&o, c->hours, 0, 23, NULL);
	}
	if (fixed_time || (c->mdays & 0xfffffffeu) != 0xfffffffeu ||
	    (c->wdays & 0x7f) != 0x7f)
		put_days(&o, c);
	if ((c->months & 0x1ffe) != 0x1ffe) {
		put(&o, " in ");
		put_list(&o, c->months, 1, 12, month_words);
	}
	return o.len;
}
