#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "arr/retry.h"
#include "core/banned.h"

void
arr_retry_defaults(struct arr_retry *r)
{
	if (r->base_ms <= 0)
		r->base_ms = 500;
	if (r->max_ms <= 0)
		r->max_ms = 30000;
	if (r->max_ms < r->base_ms)
		r->max_ms = r->base_ms;
	if (r->attempts <= 0)
		r->attempts = 4;
}

long
arr_backoff_cap_ms(const struct arr_retry *r, int attempt)
{
	struct arr_retry d = *r;
	long delay;

	arr_retry_defaults(&d);
	delay = d.base_ms;
	for (int i = 0; i < attempt && delay < d.max_ms; i++)
		delay = delay > d.max_ms / 2 ? d.max_ms : delay * 2;
	return delay > d.max_ms ? d.max_ms : delay;
}

long
arr_backoff_ms(const struct arr_retry *r, int attempt, uint32_t rnd)
{
	long cap = arr_backoff_cap_ms(r, attempt);
	long half = cap / 2;

	return half + (long)(rnd % (uint32_t)(cap - half + 1));
}

uint32_t
arr_retry_rand(uint32_t *state)
{
	uint32_t x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static long
clamp_ms(long long ms)
{
	if (ms < 0)
		return 0;
	if (ms > ARR_RETRY_AFTER_MAX_MS)
		return ARR_RETRY_AFTER_MAX_MS;
	return (long)ms;
}

long
arr_retry_after_parse(const char *value, int64_t now_us)
{
	const char *p = value;
	time_t when;

	if (value == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return -1;
	if (isdigit((unsigned char)*p)) {
		const char *q = p;

		while (isdigit((unsigned char)*q))
			q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q == '\0') {
			/* delay-seconds; a huge number saturates, then clamps */
			char *end;
			long long secs;

			errno = 0;
			secs = strtoll(p, &end, 10);
			if (errno == ERANGE || secs > ARR_RETRY_AFTER_MAX_MS / 1000)
				return ARR_RETRY_AFTER_MAX_MS;
			return clamp_ms(secs * 1000);
		}
		return -1;
	}
	/* An HTTP-date needs a weekday name first; curl_getdate parses all
	 * three RFC 9110 forms but is lenient with garbage, so check that. */
	if (!isalpha((unsigned char)*p) || strchr(p, ':') == NULL)
		return -1;
	when = curl_getdate(p, NULL);
	if (when == (time_t)-1)
		return -1;
	return clamp_ms((long long)when * 1000 - now_us / 1000);
}
