/*
 * notify.h - sending one message to one notification service (Req 9.1).
 *
 * The only layer that talks to notification services.  A channel is a type
 * and two JSON objects: config (what is not secret: a server URL, a chat id,
 * a topic, addresses, a priority) and secrets (tokens, passwords, webhook
 * URLs, the HMAC secret), which the caller opened from their sealed box.
 * Every string in secrets is registered with log_secret_add() before a
 * request is made, so a secret that ends up in a curl error, a URL or an
 * answer is masked wherever it is shown.
 *
 * The types and what each needs ("c." config, "s." secrets):
 *
 *   discord   s.url                       POST s.url?wait=true, JSON with an embed
 *   slack     s.url                       POST s.url, JSON with blocks
 *   telegram  s.token, c.chat_id [c.url]  POST c.url/bot<token>/sendMessage
 *   pushover  s.token, s.user [c.url]     POST c.url/1/messages.json, a form
 *   gotify    c.url, s.token              POST c.url/message, X-Gotify-Key
 *   ntfy      c.url, c.topic [s.token]    POST c.url/<topic>, Title/Priority/Tags
 *   email     c.url (smtp:// or smtps://), c.from, c.to [c.username,
 *             s.password, c.starttls]     SMTP; STARTTLS is required on
 *                                         smtp:// unless c.starttls is false
 *   webhook   s.url, s.hmac_secret        POST s.url, JSON; signed (below)
 *
 * Every type also takes c.tls_verify (default true) and c.priority (-2..5,
 * the service's own scale; default: from the message's severity).
 *
 * A webhook request carries
 *
 *	X-Comradarr-Timestamp: <unix seconds>
 *	X-Comradarr-Signature: sha256=<hex HMAC-SHA256(hmac_secret, timestamp "." body)>
 *	X-Comradarr-Delivery: <message id>
 *
 * so a receiver checks the signature over the raw body, refuses a timestamp
 * more than a few minutes old (a replay), and drops a delivery id it has
 * seen (a resend after a crash).  Discord's and Telegram's limits (2000 and
 * 4096 characters) are respected by cutting the text at a character
 * boundary, never by failing.
 *
 * No redirect is followed: a secret in a URL or header must not travel to a
 * host the user did not name.
 */
#ifndef COMRADARR_NOTIFY_NOTIFY_H
#define COMRADARR_NOTIFY_NOTIFY_H

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "policy/notify.h"

#define NOTIFY_TIMEOUT_MS 30000
#define NOTIFY_ANSWER_MAX 512		/* what is kept of a receiver's answer */

/* Is type one of the eight? */
int notify_type_valid(const char *type);

/*
 * Check a channel's config and secrets before anything is stored: the
 * required members are there, URLs have the right scheme, priorities are in
 * range.  The message names the option to give, never a secret's value.
 */
int notify_channel_check(const char *type, const json_t *config, const json_t *secrets,
			 struct err *e);

/* The secrets a type must have, NULL-terminated ("url", "token", ...). */
const char *const *notify_type_secrets(const char *type);

/* Where a channel sends, for display and for binding its sealed secrets:
 * config's url, or "" when the address itself is a secret. */
const char *notify_channel_address(const json_t *config);

struct notify_message {
	int64_t id;			/* the idempotency key; 0 for a test */
	const char *kind;		/* "search_outcome", or "test" */
	enum notify_severity severity;
	const char *title;
	const char *body;
	int nevents;
	const json_t *events;		/* array of the events' payloads (webhook) */
	const char *channel;		/* the channel's name */
};

struct notify_answer {
	long status;			/* HTTP status, or the last SMTP reply code */
	char text[NOTIFY_ANSWER_MAX];	/* the answer's start, redacted, one line */
};

/*
 * Send m.  0 when the service accepted it (2xx, or SMTP 250); else -1 with e
 * saying why: e->kind is ERR_AUTH (401/403, a refused SMTP login),
 * ERR_RATELIMIT (429, e->retry_after_ms from Retry-After or the body's
 * retry_after), ERR_SERVER (5xx), ERR_HTTP (other statuses), a network
 * kind, or ERR_USAGE for a channel that is not set up right; e->http_status
 * is set when there was an answer.  ans (may be NULL) gets the answer
 * either way.
 */
int notify_send(const char *type, const json_t *config, const json_t *secrets,
		const struct notify_message *m, struct notify_answer *ans, struct err *e);

/*
 * The webhook signature: "sha256=" and 64 hex digits of
 * HMAC-SHA256(secret, timestamp "." body) into out (at least 72 bytes).
 */
void notify_webhook_signature(const char *secret, const char *timestamp, const char *body,
			      size_t body_len, char out[72]);

#endif
