/*
 * throttle.c - presets, profile validation and admission.
 */
#include <stdint.h>
#include <stdio.h>
#include <strings.h>

#include "core/err.h"
#include "policy/batch.h"
#include "policy/throttle.h"

#include "core/banned.h"

static const struct throttle_profile presets[THROTTLE_PRESET_MAX] = {
	[THROTTLE_CONSERVATIVE] = {
		.name = "conservative",
		.requests_per_minute = 2,
		.batch_size = 2,
		.cooldown_minutes = 24 * 60,
		.daily_budget = 200,
		.backoff_multiplier_pct = 200,
		.backoff_max_minutes = 30 * 24 * 60,
		.rate_limit_cooldown_minutes = 6 * 60,
		.max_concurrent = 1,
	},
	[THROTTLE_MODERATE] = {
		.name = "moderate",
		.requests_per_minute = 5,
		.batch_size = 5,
		.cooldown_minutes = 12 * 60,
		.daily_budget = 500,
		.backoff_multiplier_pct = 200,
		.backoff_max_minutes = 14 * 24 * 60,
		.rate_limit_cooldown_minutes = 2 * 60,
		.max_concurrent = 2,
	},
	[THROTTLE_AGGRESSIVE] = {
		.name = "aggressive",
		.requests_per_minute = 15,
		.batch_size = 10,
		.cooldown_minutes = 4 * 60,
		.daily_budget = 2000,
		.backoff_multiplier_pct = 150,
		.backoff_max_minutes = 7 * 24 * 60,
		.rate_limit_cooldown_minutes = 30,
		.max_concurrent = 3,
	},
};

int
throttle_preset_get(enum throttle_preset which, struct throttle_profile *p)
{
	if ((int)which < 0 || which >= THROTTLE_PRESET_MAX)
		return -1;
	*p = presets[which];
	return 0;
}

int
throttle_preset_by_name(const char *name, struct throttle_profile *p,
			struct err *e)
{
	for (int i = 0; i < THROTTLE_PRESET_MAX; i++) {
		if (strcasecmp(name, presets[i].name) == 0) {
			*p = presets[i];
			return 0;
		}
	}
	return err_set(e, ERR_NOTFOUND,
		       "throttle preset '%s' does not exist; use conservative, moderate or aggressive",
		       name);
}

static int
range(struct err *e, const struct throttle_profile *p, const char *field,
      long long v, long long lo, long long hi, const char *hint)
{
	if (v >= lo && v <= hi)
		return 0;
	return err_set(e, ERR_CONFIG,
		       "throttle profile '%s': %s %lld is out of range; use %lld to %lld%s",
		       p->name, field, v, lo, hi, hint);
}

int
throttle_profile_validate(const struct throttle_profile *p, struct err *e)
{
	int n = 0;

	while (n < THROTTLE_NAME_MAX && p->name[n] != '\0')
		n++;
	if (n == 0 || n == THROTTLE_NAME_MAX)
		return err_set(e, ERR_CONFIG,
			       "throttle profile name must be 1 to %d characters",
			       THROTTLE_NAME_MAX - 1);
	if (range(e, p, "requests_per_minute", p->requests_per_minute, 1, 60,
		  " (indexer queries per minute)") < 0 ||
	    range(e, p, "batch_size", p->batch_size, 1,
		  p->requests_per_minute < BATCH_MAX_IDS ?
		  p->requests_per_minute : BATCH_MAX_IDS,
		  " (at most 10 ids per command and no more than requests_per_minute)") < 0 ||
	    range(e, p, "cooldown_minutes", p->cooldown_minutes, 1,
		  30 * 24 * 60, " (up to 30 days)") < 0 ||
	    range(e, p, "backoff_multiplier_pct", p->backoff_multiplier_pct,
		  100, 1000, " (200 doubles each attempt)") < 0 ||
	    range(e, p, "backoff_max_minutes", p->backoff_max_minutes,
		  p->cooldown_minutes, 365 * 24 * 60,
		  " (at least cooldown_minutes, up to a year)") < 0 ||
	    range(e, p, "rate_limit_cooldown_minutes",
		  p->rate_limit_cooldown_minutes, 1, 7 * 24 * 60,
		  " (up to 7 days)") < 0 ||
	    range(e, p, "max_concurrent", p->max_concurrent, 1, 3,
		  " (the apps run 3 commands at once)") < 0)
		return -1;
	if (p->daily_budget != 0 &&
	    range(e, p, "daily_budget", p->daily_budget, p->batch_size,
		  1000000, " (or 0 for unlimited; at least batch_size)") < 0)
		return -1;
	return 0;
}

void
throttle_profile_backoff(const struct throttle_profile *p, int max_attempts,
			 struct backoff_policy *out)
{
	out->params.base_ms = (int64_t)p->cooldown_minutes * 60000;
	out->params.multiplier_pct = p->backoff_multiplier_pct;
	out->params.max_ms = (int64_t)p->backoff_max_minutes * 60000;
	out->params.jitter_pct = 10;
	out->max_attempts = max_attempts;
	out->indexer_error_divisor = 4;
	out->rate_limited_ms = (int64_t)p->rate_limit_cooldown_minutes * 60000;
	out->import_wait_ms = out->params.base_ms;
}

int
throttle_slot_free(const struct throttle_profile *p, int in_flight)
{
	return in_flight < p->max_concurrent;
}

int64_t
throttle_retry_after_ms(const struct throttle_profile *p, long retry_after_ms)
{
	if (retry_after_ms < 0)
		return (int64_t)p->rate_limit_cooldown_minutes * 60000;
	if (retry_after_ms < 1000)
		return 1000;
	if (retry_after_ms > 24L * 3600 * 1000)
		return 24LL * 3600 * 1000;
	return retry_after_ms;
}

const char *
throttle_reason_name(enum throttle_reason r)
{
	switch (r) {
	case THROTTLE_OK:
		return "ok";
	case THROTTLE_PAUSED:
		return "paused";
	case THROTTLE_DAILY_BUDGET:
		return "daily_budget";
	case THROTTLE_RATE:
		return "requests_per_minute";
	case THROTTLE_TOO_BIG:
		return "batch_too_big";
	}
	return "unknown";
}

/* Queries of events still counting at time t: those with at > t - W. */
static int64_t
window_sum(const struct throttle_usage *u, int64_t t)
{
	int64_t sum = 0;

	for (size_t i = 0; i < u->nevents; i++)
		if (u->events[i].at_us > t - THROTTLE_WINDOW_US &&
		    u->events[i].cost > 0)
			sum += u->events[i].cost;
	return sum;
}

/*
 * The first t >= now at which the window leaves room for cost.  The sum
 * only drops when an event turns 60 s old, so the answer is now or one
 * of the instants at_i + W.  O(n^2) over a window of at most a few dozen
 * commands.
 */
static int64_t
rate_earliest(const struct throttle_usage *u, int64_t now, int64_t room)
{
	int64_t best = BACKOFF_NEVER, t;

	if (window_sum(u, now) <= room)
		return now;
	for (size_t i = 0; i < u->nevents; i++) {
		if (u->events[i].at_us > INT64_MAX - THROTTLE_WINDOW_US)
			continue;
		t = u->events[i].at_us + THROTTLE_WINDOW_US;
		if (t > now && t < best && window_sum(u, t) <= room)
			best = t;
	}
	return best;
}

static int64_t
floor_us_to_s(int64_t us)
{
	int64_t s = us / 1000000;

	if (us % 1000000 != 0 && us < 0)
		s--;
	return s;
}

static int
tz_error(struct err *e)
{
	return err_set(e, ERR_CONFIG,
		       "cannot tell the local day of the throttle's time zone; check the configured zone");
}

int
throttle_admit(const struct throttle_profile *p,
	       const struct throttle_usage *u, const struct policy_tz *tz,
	       int64_t now_us, int cost, struct throttle_verdict *out,
	       struct err *e)
{
	int64_t day_s, next_day_s, spent, earliest, rate_t;
	int ret = -1;

	if (throttle_profile_validate(p, e) < 0)
		goto out;
	if (cost < 1) {
		err_set(e, ERR_USAGE, "batch cost %d must be at least 1 query",
			cost);
		goto out;
	}
	if (policy_local_day_start(tz, floor_us_to_s(now_us), &day_s) < 0) {
		tz_error(e);
		goto out;
	}
	out->allowed = 0;
	out->reason = THROTTLE_OK;
	out->day_start_us = day_s * 1000000;
	spent = u->spent_day_start_us >= out->day_start_us ? u->spent_today : 0;
	if (spent < 0)
		spent = 0;
	out->budget_left = p->daily_budget == 0 ? -1 :
		(spent >= p->daily_budget ? 0 : p->daily_budget - spent);
	out->window_used = window_sum(u, now_us);
	earliest = now_us;

	if (cost > p->requests_per_minute ||
	    (p->daily_budget != 0 && cost > p->daily_budget)) {
		out->reason = THROTTLE_TOO_BIG;
		out->earliest_us = BACKOFF_NEVER;
		ret = 0;
		goto out;
	}
	if (u->paused_until_us > now_us) {
		out->reason = THROTTLE_PAUSED;
		earliest = u->paused_until_us;
	}
	if (p->daily_budget != 0 && spent + cost > p->daily_budget) {
		/* only here: with a real zone each offset costs a tzset() */
		if (policy_local_next_day_start(tz, floor_us_to_s(now_us),
						&next_day_s) < 0) {
			tz_error(e);
			goto out;
		}
		if (out->reason == THROTTLE_OK)
			out->reason = THROTTLE_DAILY_BUDGET;
		if (next_day_s * 1000000 > earliest)
			earliest = next_day_s * 1000000;
	}
	rate_t = rate_earliest(u, now_us, p->requests_per_minute - cost);
	if (rate_t > now_us) {
		if (out->reason == THROTTLE_OK)
			out->reason = THROTTLE_RATE;
		if (rate_t > earliest)
			earliest = rate_t;
	}
	out->allowed = out->reason == THROTTLE_OK;
	out->earliest_us = earliest;
	ret = 0;
out:
	return ret;
}
