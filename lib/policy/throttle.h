/*
 * throttle.h - throttle profiles and the admission decision (Req 7).
 *
 * A profile limits what one connector may send to its *arr and, through
 * it, to the indexers.  The unit everything is counted in is the INDEXER
 * QUERY, because that is what indexers rate-limit and ban for: a
 * SeasonSearch costs 1, an EpisodeSearch or MoviesSearch costs one per id
 * (API-NOTES: Sonarr runs one indexer query per episode).  So
 * requests_per_minute is "indexer queries per minute" and a batch never
 * carries more ids than the per-minute limit.
 *
 * Admission is a pure function: the caller (the dispatcher, holding its
 * counters in PostgreSQL) passes what was sent recently and what was
 * spent today; throttle_admit() says yes, or no and when to ask again.
 * All times are microseconds since the epoch.
 */
#ifndef COMRADARR_POLICY_THROTTLE_H
#define COMRADARR_POLICY_THROTTLE_H

#include <stddef.h>
#include <stdint.h>

#include "policy/backoff.h"
#include "policy/tz.h"

struct err;

#define THROTTLE_NAME_MAX 64
#define THROTTLE_WINDOW_US (60LL * 1000000)

struct throttle_profile {
	char name[THROTTLE_NAME_MAX];
	int requests_per_minute;	/* indexer queries per sliding 60 s, 1..60 */
	int batch_size;			/* ids per command, 1..10 and <= rpm */
	int cooldown_minutes;		/* first no-results cooldown, 1..43200 */
	int daily_budget;		/* queries per local day, 0 = unlimited,
					 * else batch_size..1000000 */
	int backoff_multiplier_pct;	/* 100..1000 (200 doubles) */
	int backoff_max_minutes;	/* cooldown_minutes..525600 */
	int rate_limit_cooldown_minutes;/* pause after a 429 with no
					 * Retry-After, and the item's extended
					 * cooldown, 1..10080 */
	int max_concurrent;		/* commands in flight per connector, 1..3
					 * (the apps run 3 commands at once) */
};

enum throttle_preset {
	THROTTLE_CONSERVATIVE = 0,
	THROTTLE_MODERATE,	/* the global default (Req 7.7) */
	THROTTLE_AGGRESSIVE,
	THROTTLE_PRESET_MAX
};

/*
 * The presets (Req 7.5).  Their numbers, and why:
 *
 *                 rpm batch cooldown daily backoff(x, max) 429-pause conc
 *   conservative    2   2    24 h     200   x2, 30 days     6 h       1
 *   moderate        5   5    12 h     500   x2, 14 days     2 h       2
 *   aggressive     15  10     4 h    2000   x1.5, 7 days   30 min     3
 *
 * Conservative is for users who fear a ban above all: one query every
 * 30 s on average and ~8 an hour over a day, so even a shared indexer
 * account keeps room for the apps' own RSS and interactive searches, and
 * an item that found nothing is not asked about again for a day, doubling
 * up to a month.  Moderate spends a mid-sized budget in short bursts of
 * one 5-episode command per minute.  Aggressive is for private or paid
 * indexers with generous limits: full 10-id commands, one every 40 s at
 * most, and items come back after hours rather than days.
 * Fills *p; returns 0, or -1 for an unknown preset.
 */
int throttle_preset_get(enum throttle_preset which, struct throttle_profile *p);
/* By name ("conservative", "moderate", "aggressive", any case). */
int throttle_preset_by_name(const char *name, struct throttle_profile *p,
			    struct err *e);

/* Range-check every field of a custom profile (Req 7.6); the message
 * names the field, the value and the allowed range. */
int throttle_profile_validate(const struct throttle_profile *p, struct err *e);

/* The item backoff policy a profile implies (jitter 10%, indexer errors
 * wait a quarter, grabs wait one cooldown for their import). */
void throttle_profile_backoff(const struct throttle_profile *p,
			      int max_attempts, struct backoff_policy *out);

/* One command already sent: when, and how many indexer queries. */
struct throttle_event {
	int64_t at_us;
	int cost;
};

struct throttle_usage {
	/* Commands sent recently, any order.  Those 60 s or more before
	 * now are ignored, so the caller may pass a longer history.  Those
	 * after now (another host's clock) count until 60 s after their
	 * own time. */
	const struct throttle_event *events;
	size_t nevents;
	/* Queries spent in the local day that began at spent_day_start_us.
	 * When now is in a later day the count is treated as 0: that is the
	 * daily reset (Req 7.4), decided here rather than by a timer. */
	int64_t spent_day_start_us;
	int64_t spent_today;
	int64_t paused_until_us;	/* 429 pause; <= now means none */
};

enum throttle_reason {
	THROTTLE_OK = 0,
	THROTTLE_PAUSED,	/* a 429 pause is running */
	THROTTLE_DAILY_BUDGET,	/* today's budget would be exceeded */
	THROTTLE_RATE,		/* the sliding 60 s window would overflow */
	THROTTLE_TOO_BIG	/* the batch costs more than the profile ever
				 * allows at once: split it */
};

struct throttle_verdict {
	int allowed;
	enum throttle_reason reason;	/* the first limit hit, in the
					 * order of the enum */
	int64_t earliest_us;	/* allowed: now; denied: the first instant
				 * every limit allows it (assuming nothing
				 * else is sent), or BACKOFF_NEVER */
	int64_t window_used;	/* queries counted in the window */
	int64_t budget_left;	/* today's remaining budget, -1 unlimited */
	int64_t day_start_us;	/* the local day now is in */
};

/*
 * May a command costing `cost` queries be sent at now_us?
 * The rule that makes Property 11 hold for ANY arrival sequence: every
 * sliding 60-second window [t, t+60 s) that contains now must stay within
 * requests_per_minute, so the queries of every event in (now - 60 s, inf)
 * plus cost must fit.  An event exactly 60 s old no longer counts.
 * The daily budget is counted per local day of tz (midnight in the
 * configured zone, Req 7.2): denied until the next local midnight.
 * Returns 0, or -1 on an invalid profile, cost < 1 or a failing tz.
 */
int throttle_admit(const struct throttle_profile *p,
		   const struct throttle_usage *u, const struct policy_tz *tz,
		   int64_t now_us, int cost, struct throttle_verdict *out,
		   struct err *e);

/* May another command start while in_flight are running? (1/0) */
int throttle_slot_free(const struct throttle_profile *p, int in_flight);

/*
 * How long to pause a connector after HTTP 429 (Req 7.3, 28.3):
 * the server's Retry-After when it sent one (retry_after_ms >= 0, as
 * lib/arr fills struct err), clamped to [1 s, 24 h] so a hostile or broken
 * header can neither hammer nor silence us forever; otherwise the
 * profile's rate_limit_cooldown_minutes.
 */
int64_t throttle_retry_after_ms(const struct throttle_profile *p,
				long retry_after_ms);

/* Stable name of a reason for JSON lines and `comradarr explain`. */
const char *throttle_reason_name(enum throttle_reason r);

#endif
