/*
 * send_int.h - what the services' senders share inside lib/notify: the
 * request's state and libcurl set up one way (no redirects, the timeouts,
 * TLS as the channel says, the answer's start kept for the error line).
 */
#ifndef COMRADARR_NOTIFY_SEND_INT_H
#define COMRADARR_NOTIFY_SEND_INT_H

#include <curl/curl.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"
#include "notify/notify.h"

#define USER_AGENT "comradarr/" COMRADARR_VERSION

struct req {
	const json_t *config;
	struct buf answer;
	long retry_after_ms;
	char curl_err[CURL_ERROR_SIZE];
};

void common_opts(CURL *h, struct req *r);
/* The transport failed: an error without the URL (it may hold a token). */
int transport_error(const char *service, CURLcode c, const struct req *r, struct err *e);
/* config's string at key; dflt when missing or empty. */
const char *cfg_str(const json_t *config, const char *key, const char *dflt);

int notify_send_email(const json_t *config, const json_t *secrets, const struct notify_message *m,
		      struct req *r, struct notify_answer *ans, struct err *e);

#endif
