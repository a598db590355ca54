/*
 * backoff.h - how long an item waits before it is searched again.
 *
 * Pure: time is a parameter (microseconds since the epoch) and jitter
 * comes from a seed the caller passes, so the same inputs always give the
 * same answer and tests need no clock.
 *
 * Delays grow exponentially with the attempt number up to a cap
 * (Req 5.5, Property 7); jitter only ever shortens a delay, by at most
 * jitter_pct percent, so the cap is never exceeded and retries of items
 * that failed together spread out instead of returning as one burst.
 */
#ifndef COMRADARR_POLICY_BACKOFF_H
#define COMRADARR_POLICY_BACKOFF_H

#include <stdint.h>

struct err;

/* "Never" as a next-eligible time: the item is exhausted. */
#define BACKOFF_NEVER INT64_MAX

struct backoff_params {
	int64_t base_ms;	/* delay after the first failure, 1 ms .. 365 days */
	int multiplier_pct;	/* growth per attempt: 200 doubles; 100 .. 1000 */
	int64_t max_ms;		/* cap, >= base_ms, <= 365 days */
	int jitter_pct;		/* 0 .. 50: the delay is cut by up to this much */
};

/* Check every field's range; a message names the field and the range. */
int backoff_params_validate(const struct backoff_params *p, struct err *e);

/*
 * The delay before retry number `attempt` (1 = after the first failure):
 * min(max_ms, base_ms * (multiplier_pct/100)^(attempt-1)), computed in
 * integers with saturation, then shortened by a jitter fraction in
 * [0, jitter_pct%] drawn from (jitter_seed, attempt).  attempt <= 0 gives
 * 0.  Without jitter the result never decreases as attempt grows.
 * p must have passed backoff_params_validate(); out-of-range fields are
 * clamped rather than trusted.
 */
int64_t backoff_delay_ms(int attempt, const struct backoff_params *p,
			 uint64_t jitter_seed);

/* What a dispatched search came back with (design-reference Failure
 * Handling; the dispatcher classifies the command and history). */
enum backoff_outcome {
	BACKOFF_GRABBED = 0,	/* a release was grabbed: wait for the import */
	BACKOFF_NO_RESULTS,	/* the search found nothing to grab */
	BACKOFF_INDEXER_ERROR,	/* indexers failed; not the item's fault */
	BACKOFF_RATE_LIMITED,	/* 429 or an indexer rate-limit signal */
	BACKOFF_TIMEOUT,	/* the command did not finish in time */
	BACKOFF_ERROR,		/* the command failed or was aborted */
	BACKOFF_OUTCOME_MAX
};

enum backoff_state {
	BACKOFF_AWAITING_IMPORT = 0,
	BACKOFF_COOLDOWN,
	BACKOFF_EXHAUSTED
};

/*
 * The item-level policy, usually built from a throttle profile
 * (throttle_profile_backoff()).
 */
struct backoff_policy {
	struct backoff_params params;	/* no-results / error backoff */
	int max_attempts;		/* 1 .. 1000: exhausted at this many */
	int indexer_error_divisor;	/* 2 .. 100: indexer errors wait
					 * delay/divisor, strictly shorter */
	int64_t rate_limited_ms;	/* extended cooldown after a rate limit */
	int64_t import_wait_ms;		/* after a grab, search again only if
					 * nothing imported after this long */
};

int backoff_policy_validate(const struct backoff_policy *p, struct err *e);

struct backoff_decision {
	enum backoff_state state;
	int attempts;		/* the counter to store */
	int64_t delay_ms;	/* 0 when exhausted */
	int64_t next_eligible_us;	/* BACKOFF_NEVER when exhausted */
	int counted;		/* 1 if this outcome counted as an attempt */
};

/*
 * Decide what happens to an item after a search with `outcome`.
 * attempts is the stored counter before this search.
 *
 *   grabbed        attempts+1, awaiting_import for import_wait_ms
 *   no_results     attempts+1, cooldown of backoff_delay_ms(attempts+1),
 *   error          or exhausted when attempts+1 >= max_attempts (Req 5.6)
 *   indexer_error  counter unchanged (an outage must not exhaust a whole
 *                  library), cooldown = that same delay / divisor
 *   timeout        counter unchanged, the standard cooldown (base delay,
 *                  jittered): a transient failure
 *   rate_limited   counter unchanged, max(rate_limited_ms, the backoff
 *                  delay): an extended cooldown for the item; pausing the
 *                  connector is throttle_retry_after_ms()'s job
 *
 * An item already at max_attempts that gets a non-counting outcome stays
 * in cooldown; only counted failures exhaust.  Returns 0, or -1 with
 * ERR_USAGE for an unknown outcome or an invalid policy.
 */
int backoff_decide(enum backoff_outcome outcome, int attempts,
		   const struct backoff_policy *p, int64_t now_us,
		   uint64_t jitter_seed, struct backoff_decision *out,
		   struct err *e);

/* Stable names for JSON lines and `comradarr explain`. */
const char *backoff_outcome_name(enum backoff_outcome o);
const char *backoff_state_name(enum backoff_state s);
/* Parse a name back; returns 0 or -1. */
int backoff_outcome_parse(const char *name, enum backoff_outcome *o);

#endif
