/*
 * clock.h - the one place Comradarr asks what time it is.
 *
 * Tests inject a clock with COMRADARR_FAKE_NOW (an RFC 3339 time or seconds
 * since the epoch) so nothing waits for real minutes; clock_set_fake() does
 * the same in-process.  Sleeping goes through clock_sleep_ms(), which with a
 * fake clock advances the fake time instead of sleeping.
 */
#ifndef COMRADARR_CORE_CLOCK_H
#define COMRADARR_CORE_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Microseconds since the epoch (real or fake). */
int64_t clock_now_us(void);
/* Seconds since the epoch (real or fake). */
time_t clock_now(void);
/* Monotonic microseconds for measuring durations; never faked. */
int64_t clock_mono_us(void);

/* usec < 0 returns to the real clock. */
void clock_set_fake(int64_t usec);
int clock_is_fake(void);
void clock_sleep_ms(long ms);

/* Parse RFC 3339 / ISO 8601 ("2024-01-02T03:04:05Z", ".123", "+02:00",
 * or a bare date "2024-01-02").  Returns 0 and sets *usec, or -1. */
int clock_parse_iso8601(const char *s, int64_t *usec);

#endif
