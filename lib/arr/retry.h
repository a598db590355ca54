/*
 * retry.h - when to try an *arr request again (Req 23.5, 28.3-28.4).
 *
 * Pure arithmetic: the client (client.h) sleeps through clock_sleep_ms(),
 * so with a fake clock a test runs every retry instantly.
 */
#ifndef COMRADARR_ARR_RETRY_H
#define COMRADARR_ARR_RETRY_H

#include <stdint.h>

/* Retry-After values above this are clamped: a proxy asking for a day
 * should pause the connector (the caller's job), not block a call. */
#define ARR_RETRY_AFTER_MAX_MS (3600L * 1000L)

struct arr_retry {
	long base_ms;		/* first delay; 0 = 500 */
	long max_ms;		/* no delay is longer; 0 = 30000 */
	int attempts;		/* total tries including the first; 0 = 4, 1 = no retry */
};

/* The defaults above, for a zeroed struct. */
void arr_retry_defaults(struct arr_retry *r);

/*
 * The delay before retry number attempt (0 = the first retry) without
 * jitter: base * 2^attempt, capped at max.  Never decreases with attempt.
 */
long arr_backoff_cap_ms(const struct arr_retry *r, int attempt);

/*
 * The same with "equal jitter": a value in [cap/2, cap] picked by rnd, so
 * many clients that failed together do not retry together.
 */
long arr_backoff_ms(const struct arr_retry *r, int attempt, uint32_t rnd);

/*
 * A Retry-After header value (RFC 9110: delay-seconds or an HTTP-date) ->
 * milliseconds from now_us, clamped to [0, ARR_RETRY_AFTER_MAX_MS].
 * Returns -1 for NULL, empty or garbage, so the caller falls back to its
 * own backoff.
 */
long arr_retry_after_parse(const char *value, int64_t now_us);

/* A small PRNG step (xorshift32) for jitter; *state must not be 0. */
uint32_t arr_retry_rand(uint32_t *state);

#endif
