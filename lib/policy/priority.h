/*
 * priority.h - the search priority score (Req 5.1, Property 5).
 *
 * A deterministic integer: the same input and weights always give the same
 * score, higher is searched first.  Pure: `now` is a parameter.  Each factor
 * is reported separately so `comradarr explain` can show why an item sits
 * where it does.
 *
 *   score = clamp(base + content_age + search_type + override
 *                 - missing - failures - recent_search,
 *                 PRIORITY_MIN, PRIORITY_MAX)
 *
 *   content_age    newer content scores higher: the full bonus for content
 *                  released now (or not yet), falling linearly to 0 at
 *                  content_age_span_days old (likelier on indexers while new)
 *   missing        longer-missing scores lower: rises linearly to
 *                  missing_max at missing_span_days (if not found yet, it is
 *                  probably hard to find)
 *   failures       failure_penalty per failed attempt, up to
 *                  failure_penalty_max (stops hammering for the unavailable)
 *   recent_search  recent_search_max right after a search, falling to 0
 *                  after recent_search_span_days (rotates through items)
 *   search_type    gap_bonus for gaps, upgrade_bonus for upgrades
 *   override       series override plus the item's own (the item applies
 *                  on top of what it inherits), each -1000..1000, times
 *                  override_scale
 */
#ifndef COMRADARR_POLICY_PRIORITY_H
#define COMRADARR_POLICY_PRIORITY_H

#include <stdint.h>

struct err;

#define PRIORITY_MIN 0
#define PRIORITY_MAX 100000
#define PRIORITY_OVERRIDE_LIMIT 1000
/* an unknown time (no air date, never searched) */
#define PRIORITY_TIME_UNKNOWN INT64_MIN

enum priority_search_type { PRIORITY_GAP = 0, PRIORITY_UPGRADE };

struct priority_weights {
	int base;			/* default 10000 */
	int content_age_max;		/* default 3000 */
	int content_age_span_days;	/* default 365 */
	int missing_max;		/* default 2000 */
	int missing_span_days;		/* default 180 */
	int failure_penalty;		/* default 500 per attempt */
	int failure_penalty_max;	/* default 5000 */
	int recent_search_max;		/* default 1000 */
	int recent_search_span_days;	/* default 7 */
	int gap_bonus;			/* default 2000 */
	int upgrade_bonus;		/* default 0 */
	int override_scale;		/* default 10 */
};

/* Fill the documented defaults. */
void priority_weights_default(struct priority_weights *w);
/* Every weight 0..PRIORITY_MAX, spans 1..36500 days, override_scale
 * 0..100; the message names the weight. */
int priority_weights_validate(const struct priority_weights *w,
			      struct err *e);

/* Times are seconds since the epoch; PRIORITY_TIME_UNKNOWN where unknown. */
struct priority_input {
	enum priority_search_type type;
	int64_t now;
	int64_t released;	/* airDateUtc / digital or physical release */
	int64_t missing_since;	/* first seen missing (or added) */
	int64_t last_search;	/* lastSearchTime */
	int attempts;		/* failed searches so far */
	int series_override;	/* -1000..1000, inherited by its episodes */
	int item_override;	/* -1000..1000, on top of the series' */
};

/* Sets every time to unknown and everything else to 0. */
void priority_input_init(struct priority_input *in, int64_t now);

struct priority_breakdown {
	int base;
	int content_age;	/* added */
	int search_type;	/* added */
	int override;		/* added (may be negative) */
	int missing;		/* subtracted */
	int failures;		/* subtracted */
	int recent_search;	/* subtracted */
	int64_t raw;		/* before clamping */
	int score;
};

/*
 * The score, PRIORITY_MIN..PRIORITY_MAX.  w must have passed
 * priority_weights_validate(); out-of-range inputs (overrides beyond the
 * limit, negative attempts, times in the future) are clamped, never
 * trusted.  breakdown may be NULL.
 */
int priority_score(const struct priority_input *in,
		   const struct priority_weights *w,
		   struct priority_breakdown *breakdown);

#endif
