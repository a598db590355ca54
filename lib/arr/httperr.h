/*
 * httperr.h - turn a transport failure or an HTTP status into a typed error
 * (Req 23.3, 28.1-28.5).
 *
 * Pure: the client calls these after each try, tests call them with tables.
 * Messages name the request ("GET /api/v3/series") and never the API key;
 * any text taken from the response goes through log_redact() and is cut
 * to a short excerpt.
 */
#ifndef COMRADARR_ARR_HTTPERR_H
#define COMRADARR_ARR_HTTPERR_H

#include <stddef.h>

#include "core/err.h"

/* A CURLcode -> ERR_NET_REFUSED, _DNS, _TIMEOUT, _TLS or ERR_NET. */
enum err_kind arr_curl_error_kind(int curlcode);

/*
 * Fill e for a non-2xx answer and return -1.  what: "GET /api/v3/series";
 * body/len: the (possibly partial) response body, may be NULL;
 * retry_after_ms: the parsed Retry-After or -1.  Sets e->http_status and,
 * for 429/503, e->retry_after_ms.
 */
int arr_http_status_error(long status, const char *what, const char *body,
			  size_t len, long retry_after_ms, struct err *e);

/*
 * A short, redacted, single-line excerpt of an *arr error body into out:
 * the "message" or "errorMessage" member when the body is JSON, else the
 * first bytes.  out is "" for an empty body.
 */
void arr_body_excerpt(const char *body, size_t len, char *out, size_t size);

#endif
