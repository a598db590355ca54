/*
 * backoff.c - exponential backoff and the per-outcome cooldown decision.
 */
#include <stdint.h>
#include <string.h>

#include "core/err.h"
#include "policy/backoff.h"

#include "core/banned.h"

#define DAY_MS (86400LL * 1000)
#define MAX_DELAY_MS (365 * DAY_MS)

static const char *const outcome_names[BACKOFF_OUTCOME_MAX] = {
	[BACKOFF_GRABBED] = "grabbed",
	[BACKOFF_NO_RESULTS] = "no_results",
	[BACKOFF_INDEXER_ERROR] = "indexer_error",
	[BACKOFF_RATE_LIMITED] = "rate_limited",
	[BACKOFF_TIMEOUT] = "timeout",
	[BACKOFF_ERROR] = "error",
};

const char *
backoff_outcome_name(enum backoff_outcome o)
{
	if ((int)o < 0 || o >= BACKOFF_OUTCOME_MAX)
		return "unknown";
	return outcome_names[o];
}

int
backoff_outcome_parse(const char *name, enum backoff_outcome *o)
{
	for (int i = 0; i < BACKOFF_OUTCOME_MAX; i++) {
		if (strcmp(name, outcome_names[i]) == 0) {
			*o = (enum backoff_outcome)i;
			return 0;
		}
	}
	return -1;
}

const char *
backoff_state_name(enum backoff_state s)
{
	switch (s) {
	case BACKOFF_AWAITING_IMPORT:
		return "awaiting_import";
	case BACKOFF_COOLDOWN:
		return "cooldown";
	case BACKOFF_EXHAUSTED:
		return "exhausted";
	}
	return "unknown";
}

int
backoff_params_validate(const struct backoff_params *p, struct err *e)
{
	if (p->base_ms < 1 || p->base_ms > MAX_DELAY_MS)
		return err_set(e, ERR_CONFIG,
			       "backoff base %lld ms is out of range; use 1 ms to 365 days",
			       (long long)p->base_ms);
	if (p->multiplier_pct < 100 || p->multiplier_pct > 1000)
		return err_set(e, ERR_CONFIG,
			       "backoff multiplier %d%% is out of range; use 100 (constant) to 1000 (x10 per attempt)",
			       p->multiplier_pct);
	if (p->max_ms < p->base_ms || p->max_ms > MAX_DELAY_MS)
		return err_set(e, ERR_CONFIG,
			       "backoff maximum %lld ms is out of range; use the base delay (%lld ms) up to 365 days",
			       (long long)p->max_ms, (long long)p->base_ms);
	if (p->jitter_pct < 0 || p->jitter_pct > 50)
		return err_set(e, ERR_CONFIG,
			       "backoff jitter %d%% is out of range; use 0 to 50",
			       p->jitter_pct);
	return 0;
}

/* splitmix64's finaliser: a well-mixed 64-bit value from a seed. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int64_t
backoff_delay_ms(int attempt, const struct backoff_params *p,
		 uint64_t jitter_seed)
{
	int64_t base, max, d, maxcut;
	int mult, jitter;
	uint64_t r;

	if (attempt <= 0)
		return 0;
	base = clamp64(p->base_ms, 1, MAX_DELAY_MS);
	max = clamp64(p->max_ms, base, MAX_DELAY_MS);
	mult = (int)clamp64(p->multiplier_pct, 100, 1000);
	jitter = (int)clamp64(p->jitter_pct, 0, 50);

	/* d * mult stays below 2^45: d <= 365 days in ms < 2^35 */
	d = base;
	for (int i = 1; i < attempt && d < max; i++) {
		d = d * mult / 100;
		if (mult == 100)
			break;
	}
	if (d > max)
		d = max;

	/* Jitter only shortens: the cap holds whatever the seed. */
	maxcut = d * jitter / 100;
	r = mix64(jitter_seed ^ mix64((uint64_t)attempt)) >> 44; /* 20 bits */
	d -= (int64_t)(((uint64_t)maxcut * r) >> 20);
	return d;
}

int
backoff_policy_validate(const struct backoff_policy *p, struct err *e)
{
	if (backoff_params_validate(&p->params, e) < 0)
		return -1;
	if (p->max_attempts < 1 || p->max_attempts > 1000)
		return err_set(e, ERR_CONFIG,
			       "maximum attempts %d is out of range; use 1 to 1000",
			       p->max_attempts);
	if (p->indexer_error_divisor < 2 || p->indexer_error_divisor > 100)
		return err_set(e, ERR_CONFIG,
			       "indexer error divisor %d is out of range; use 2 to 100",
			       p->indexer_error_divisor);
	if (p->rate_limited_ms < 0 || p->rate_limited_ms > MAX_DELAY_MS)
		return err_set(e, ERR_CONFIG,
			       "rate-limit cooldown %lld ms is out of range; use 0 to 365 days",
			       (long long)p->rate_limited_ms);
	if (p->import_wait_ms < 0 || p->import_wait_ms > MAX_DELAY_MS)
		return err_set(e, ERR_CONFIG,
			       "import wait %lld ms is out of range; use 0 to 365 days",
			       (long long)p->import_wait_ms);
	return 0;
}

static int64_t
add_ms(int64_t now_us, int64_t ms)
{
	/* ms <= 365 days: ms * 1000 cannot overflow; now + that can */
	if (now_us > INT64_MAX - ms * 1000)
		return INT64_MAX - 1;
	return now_us + ms * 1000;
}

int
backoff_decide(enum backoff_outcome outcome, int attempts,
	       const struct backoff_policy *p, int64_t now_us,
	       uint64_t jitter_seed, struct backoff_decision *out,
	       struct err *e)
{
	int64_t failure_delay;
	int next;

	if (backoff_policy_validate(p, e) < 0)
		return -1;
	if (attempts < 0)
		attempts = 0;
	next = attempts < p->max_attempts ? attempts + 1 : p->max_attempts;
	/* the delay a counted failure would get now */
	failure_delay = backoff_delay_ms(next, &p->params, jitter_seed);

	memset(out, 0, sizeof(*out));
	out->attempts = attempts;
	out->state = BACKOFF_COOLDOWN;
	switch (outcome) {
	case BACKOFF_GRABBED:
		out->counted = 1;
		out->attempts = next;
		out->state = BACKOFF_AWAITING_IMPORT;
		out->delay_ms = p->import_wait_ms;
		break;
	case BACKOFF_NO_RESULTS:
	case BACKOFF_ERROR:
		out->counted = 1;
		out->attempts = next;
		if (next >= p->max_attempts) {
			out->state = BACKOFF_EXHAUSTED;
			out->delay_ms = 0;
			out->next_eligible_us = BACKOFF_NEVER;
			return 0;
		}
		out->delay_ms = failure_delay;
		break;
	case BACKOFF_INDEXER_ERROR:
		out->delay_ms = failure_delay / p->indexer_error_divisor;
		break;
	case BACKOFF_TIMEOUT:
		out->delay_ms = backoff_delay_ms(1, &p->params, jitter_seed);
		break;
	case BACKOFF_RATE_LIMITED:
		out->delay_ms = failure_delay > p->rate_limited_ms ?
			failure_delay : p->rate_limited_ms;
		break;
	default:
		return err_set(e, ERR_USAGE,
			       "search outcome %d is unknown; use one of grabbed, no_results, indexer_error, rate_limited, timeout, error",
			       (int)outcome);
	}
	out->next_eligible_us = add_ms(now_us, out->delay_ms);
	return 0;
}
