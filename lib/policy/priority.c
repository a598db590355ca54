/*
 * priority.c - the search priority score.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "policy/priority.h"

#include "core/banned.h"

void
priority_weights_default(struct priority_weights *w)
{
	w->base = 10000;
	w->content_age_max = 3000;
	w->content_age_span_days = 365;
	w->missing_max = 2000;
	w->missing_span_days = 180;
	w->failure_penalty = 500;
	w->failure_penalty_max = 5000;
	w->recent_search_max = 1000;
	w->recent_search_span_days = 7;
	w->gap_bonus = 2000;
	w->upgrade_bonus = 0;
	w->override_scale = 10;
}

int
priority_weights_validate(const struct priority_weights *w, struct err *e)
{
	const struct { const char *name; int v, lo, hi; } f[] = {
		{ "base", w->base, 0, PRIORITY_MAX },
		{ "content_age_max", w->content_age_max, 0, PRIORITY_MAX },
		{ "content_age_span_days", w->content_age_span_days, 1, 36500 },
		{ "missing_max", w->missing_max, 0, PRIORITY_MAX },
		{ "missing_span_days", w->missing_span_days, 1, 36500 },
		{ "failure_penalty", w->failure_penalty, 0, PRIORITY_MAX },
		{ "failure_penalty_max", w->failure_penalty_max, 0, PRIORITY_MAX },
		{ "recent_search_max", w->recent_search_max, 0, PRIORITY_MAX },
		{ "recent_search_span_days", w->recent_search_span_days, 1, 36500 },
		{ "gap_bonus", w->gap_bonus, 0, PRIORITY_MAX },
		{ "upgrade_bonus", w->upgrade_bonus, 0, PRIORITY_MAX },
		{ "override_scale", w->override_scale, 0, 100 },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].v < f[i].lo || f[i].v > f[i].hi)
			return err_set(e, ERR_CONFIG,
				       "priority weight '%s' = %d is out of range; use %d to %d",
				       f[i].name, f[i].v, f[i].lo, f[i].hi);
	return 0;
}

void
priority_input_init(struct priority_input *in, int64_t now)
{
	memset(in, 0, sizeof(*in));
	in->now = now;
	in->released = PRIORITY_TIME_UNKNOWN;
	in->missing_since = PRIORITY_TIME_UNKNOWN;
	in->last_search = PRIORITY_TIME_UNKNOWN;
}

static int64_t
clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Seconds from `then` to `now`, 0 when then is later; -1 when unknown.
 * Capped at 1000 years so the products below cannot overflow. */
static int64_t
age(int64_t now, int64_t then)
{
	const int64_t cap = 1000LL * 366 * 86400;

	if (then == PRIORITY_TIME_UNKNOWN)
		return -1;
	if (then >= now)
		return 0;
	if (now - then > cap || now - then < 0)	/* < 0: wrapped */
		return cap;
	return now - then;
}

/* max * (span - min(a, span)) / span: full at 0, falling to 0 at span */
static int
decay(int max, int span_days, int64_t a)
{
	int64_t span = (int64_t)span_days * 86400;

	a = clamp(a, 0, span);
	return (int)((int64_t)max * (span - a) / span);
}

int
priority_score(const struct priority_input *in,
	       const struct priority_weights *w,
	       struct priority_breakdown *breakdown)
{
	struct priority_breakdown b;
	int64_t a, ov;

	memset(&b, 0, sizeof(b));
	b.base = (int)clamp(w->base, 0, PRIORITY_MAX);

	a = age(in->now, in->released);
	/* unknown release: no bonus, no penalty */
	b.content_age = a < 0 ? 0 :
		decay((int)clamp(w->content_age_max, 0, PRIORITY_MAX),
		      (int)clamp(w->content_age_span_days, 1, 36500), a);

	a = age(in->now, in->missing_since);
	b.missing = a < 0 ? 0 : (int)clamp(w->missing_max, 0, PRIORITY_MAX) -
		decay((int)clamp(w->missing_max, 0, PRIORITY_MAX),
		      (int)clamp(w->missing_span_days, 1, 36500), a);

	b.failures = (int)clamp((int64_t)clamp(in->attempts, 0, 1000000) *
				clamp(w->failure_penalty, 0, PRIORITY_MAX),
				0, clamp(w->failure_penalty_max, 0, PRIORITY_MAX));

	a = age(in->now, in->last_search);
	b.recent_search = a < 0 ? 0 :
		decay((int)clamp(w->recent_search_max, 0, PRIORITY_MAX),
		      (int)clamp(w->recent_search_span_days, 1, 36500), a);

	b.search_type = (int)clamp(in->type == PRIORITY_UPGRADE ?
				   w->upgrade_bonus : w->gap_bonus,
				   0, PRIORITY_MAX);

	ov = clamp(in->series_override, -PRIORITY_OVERRIDE_LIMIT,
		   PRIORITY_OVERRIDE_LIMIT) +
		clamp(in->item_override, -PRIORITY_OVERRIDE_LIMIT,
		      PRIORITY_OVERRIDE_LIMIT);
	b.override = (int)(ov * clamp(w->override_scale, 0, 100));

	b.raw = (int64_t)b.base + b.content_age + b.search_type + b.override -
		b.missing - b.failures - b.recent_search;
	b.score = (int)clamp(b.raw, PRIORITY_MIN, PRIORITY_MAX);
	if (breakdown != NULL)
		*breakdown = b;
	return b.score;
}
