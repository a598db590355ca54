/*
 * limit.h - a fixed-size, thread-safe table of token buckets keyed by a
 * string (a peer address, an API key id): the per-address login limit and
 * the per-key request limit.
 *
 * The table never grows: it has `slots` entries and a key that finds its
 * slot taken by another evicts it (the bucket of an address that has been
 * quiet long enough is full again anyway).  So a flood of logins from many
 * addresses keeps memory flat; an attacker who cycles addresses to evict
 * his own bucket only gets what a fresh address gets.
 */
#ifndef COMRADARR_WEB_LIMIT_H
#define COMRADARR_WEB_LIMIT_H

#include <stdint.h>

struct web_limiter;

/* burst tokens, refilled at per_minute tokens a minute. */
struct web_limiter *web_limiter_new(unsigned slots, double burst, double per_minute);
void web_limiter_free(struct web_limiter *l);

/*
 * Take one token for key at now_us.  Returns 0 when allowed, else the
 * seconds until a token is back (>= 1), for Retry-After.
 */
long web_limiter_take(struct web_limiter *l, const char *key, int64_t now_us);

#endif
