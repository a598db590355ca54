#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>

#include "arr/httperr.h"
#include "arr/jget.h"
#include "core/log.h"
#include "core/banned.h"

enum err_kind
arr_curl_error_kind(int curlcode)
{
	switch ((CURLcode)curlcode) {
	case CURLE_COULDNT_CONNECT:
		return ERR_NET_REFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return ERR_NET_DNS;
	case CURLE_OPERATION_TIMEDOUT:
		return ERR_NET_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return ERR_NET_TLS;
	default:
		return ERR_NET;
	}
}

void
arr_body_excerpt(const char *body, size_t len, char *out, size_t size)
{
	char raw[256];
	json_t *j = NULL;
	char *red = NULL;
	size_t n = 0;

	out[0] = '\0';
	if (body == NULL || len == 0 || size == 0)
		return;
	j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
	if (json_is_array(j) && json_array_size(j) > 0) {
		/* 400: an array of validation failures; the first says enough */
		json_t *first = json_array_get(j, 0);

		json_incref(first);
		json_decref(j);
		j = first;
	}
	if (json_is_object(j) &&
	    (jget_str(j, "message", raw, sizeof(raw)) ||
	     jget_str(j, "errorMessage", raw, sizeof(raw))) && raw[0] != '\0') {
		n = strlen(raw);
	} else {
		n = len < sizeof(raw) - 1 ? len : sizeof(raw) - 1;
		memcpy(raw, body, n);
		raw[n] = '\0';
		n = strlen(raw);	/* stop at an embedded NUL */
	}
	json_decref(j);
	/* one line, printable: an error message is not a place for markup */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7f)
			raw[i] = ' ';
	red = log_redact(raw);
	jget_copy(out, size, red != NULL ? red : "");
	free(red);
}

int
arr_http_status_error(long status, const char *what, const char *body,
		      size_t len, long retry_after_ms, struct err *e)
{
	char ex[160];
	const char *sep;

	arr_body_excerpt(body, len, ex, sizeof(ex));
	sep = ex[0] != '\0' ? ": " : "";
	if (status == 401 || status == 403) {
		err_set(e, ERR_AUTH, "'%s' was refused (HTTP %ld): the API key is "
			"wrong; copy it from the app's Settings > General", what,
			status);
	} else if (status == 404) {
		err_set(e, ERR_NOTFOUND, "'%s' not found (HTTP 404)%s%s; check the "
			"connector URL and the app's version", what, sep, ex);
	} else if (status == 429) {
		err_set(e, ERR_RATELIMIT, "'%s' was rate limited (HTTP 429); "
			"pausing requests to this connector", what);
	} else if (status == 503) {
		err_set(e, ERR_STARTING, "'%s': the app is starting or unavailable "
			"(HTTP 503)%s%s; it will be retried", what, sep, ex);
	} else if (status >= 500 && status <= 599) {
		err_set(e, ERR_SERVER, "'%s' failed in the app (HTTP %ld)%s%s; "
			"see the app's logs", what, status, sep, ex);
	} else if (status >= 300 && status <= 399) {
		err_set(e, ERR_HTTP, "'%s' was redirected (HTTP %ld); set the "
			"connector URL to the final address, including any URL base",
			what, status);
	} else {
		err_set(e, ERR_HTTP, "'%s' answered HTTP %ld%s%s", what, status,
			sep, ex);
	}
	if (e != NULL) {
		e->http_status = (int)status;
		e->retry_after_ms = (status == 429 || status == 503) ? retry_after_ms : -1;
	}
	return -1;
}
