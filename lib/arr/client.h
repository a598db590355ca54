/*
 * client.h - the HTTP client for one *arr connector (Req 23, 28).
 *
 * One libcurl easy handle per connector, reused for every request so the
 * connection stays open (~66 us per loopback request against ~207 us for a
 * fresh handle).  A client is not thread-safe: one thread per connector.
 *
 * Every request sends:
 *   X-Api-Key: <key>     (never the query string; /ping goes without it)
 *   User-Agent: comradarr/VERSION (+https://github.com/comradarr/comradarr)
 *   Accept-Encoding: whatever curl can decode (gzip)
 * The key is registered with log_secret_add() when the client is made, so
 * no log line, curl error or echoed body can show it.
 *
 * Timeouts (Req 23.2, 23.4): a plain request must finish within timeout_ms;
 * a streamed list (arr_client_get_each) may take as long as it needs but is
 * cut when no byte arrives for timeout_ms, so a 250 MB /movie is not killed
 * for being big.  Redirects are not followed (the key must not travel to
 * another host): a 3xx is an ERR_HTTP asking for the final URL.
 *
 * Errors are typed (httperr.h).  Retryable kinds (err_kind_retryable) are
 * retried with exponential backoff and jitter (retry.h), sleeping through
 * clock_sleep_ms().  A 429/503 Retry-After longer than the backoff ceiling is
 * not slept through: the call fails with ERR_RATELIMIT / ERR_STARTING and
 * e->retry_after_ms so the caller pauses the connector (Req 28.3).  A POST
 * is retried only when the app cannot have acted on it (refused connection,
 * 429, 503).  A streamed list is retried only if no element was delivered.
 */
#ifndef COMRADARR_ARR_CLIENT_H
#define COMRADARR_ARR_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "arr/model.h"
#include "arr/retry.h"
#include "core/err.h"

#define ARR_DEFAULT_TIMEOUT_MS 30000L
#define ARR_DEFAULT_MAX_BODY ((size_t)64 << 20)	/* a whole-document answer */
#define ARR_DEFAULT_MAX_ELEMENT ((size_t)16 << 20)	/* one list element */

struct arr_client_opts {
	enum arr_app app;	/* the configured type; ARR_APP_UNKNOWN for a probe */
	const char *base_url;	/* "http://host:8989" or ".../sonarr" with a URL base */
	const char *api_key;
	long timeout_ms;	/* 0 = ARR_DEFAULT_TIMEOUT_MS */
	int tls_verify;		/* 1 = verify certificates and host (Req 28.6) */
	size_t max_body;	/* 0 = ARR_DEFAULT_MAX_BODY */
	size_t max_element;	/* 0 = ARR_DEFAULT_MAX_ELEMENT */
	struct arr_retry retry;	/* zero = defaults (retry.h) */
};

struct arr_client;

/* Copies everything it needs from o.  Free with arr_client_free(). */
int arr_client_new(const struct arr_client_opts *o, struct arr_client **out,
		   struct err *e);
/* Wipes the key from memory.  NULL is fine. */
void arr_client_free(struct arr_client *c);

/*
 * The dialect decides paths and parsing.  It starts as the configured app's
 * (Whisparr: v3 until system/status says otherwise); app.h sets it from
 * system/status.
 */
void arr_client_set_dialect(struct arr_client *c, enum arr_dialect d);
enum arr_dialect arr_client_dialect(const struct arr_client *c);
enum arr_app arr_client_app(const struct arr_client *c);
/* "/api/v3", or "/api/v1" for Prowlarr. */
const char *arr_client_api(const struct arr_client *c);
/* The X-Application-Version of the last answer ("" if none). */
const char *arr_client_app_version(const struct arr_client *c);
/* Requests sent (tries, including retries) since the client was made. */
unsigned long arr_client_requests(const struct arr_client *c);
/* Body bytes received (as the server sent them) since the client was made. */
unsigned long long arr_client_bytes(const struct arr_client *c);

/*
 * Work that must go on while a request is in flight (a dispatcher's claim
 * lease, Req 37.2): fn(arg) is called every interval_ms of real time
 * during transfers and the sleeps between retries, in this thread, never
 * inside another call of this client.  NULL fn stops it.  The client does
 * nothing with the outcome: fn records what it needs.
 */
typedef void (*arr_keepalive_fn)(void *arg);
void arr_client_set_keepalive(struct arr_client *c, arr_keepalive_fn fn, void *arg,
			      long interval_ms);

/*
 * GET path (with query, starting with '/') and parse the whole body as one
 * JSON document.  *out is a new reference the caller decrefs.  For small
 * answers (status, health, one page); lists use arr_client_get_each.
 */
int arr_client_get_json(struct arr_client *c, const char *path, json_t **out,
			struct err *e);

/*
 * Called for each element of a streamed list; elem is borrowed (valid only
 * during the call).  Return 0 to go on, -1 with e filled to stop.
 */
typedef int (*arr_element_fn)(json_t *elem, void *arg, struct err *e);

/*
 * GET a JSON array and hand its elements to fn one at a time as they arrive
 * (Req 37.1): memory is one element, whatever the list's size.
 */
int arr_client_get_each(struct arr_client *c, const char *path,
			arr_element_fn fn, void *arg, struct err *e);

/*
 * POST body (serialised compactly) to path; the answer must have status
 * expect (e.g. 201), else a typed error.  *out (may be NULL to discard)
 * receives the parsed answer, a new reference, or NULL for an empty body.
 */
int arr_client_post_json(struct arr_client *c, const char *path,
			 const json_t *body, long expect, json_t **out,
			 struct err *e);

/* GET /ping without the key, one try: 0 when it answers 2xx. */
int arr_client_ping(struct arr_client *c, struct err *e);

#endif
