/*
 * notify.h - one round of comradarr-notify: route the outbox to channels,
 * compose messages, send the due ones (Req 9).  The protocol and its crash
 * behaviour are in lib/db/notify.h; the decisions in lib/policy/notify.h.
 */
#ifndef COMRADARR_STAGE_NOTIFY_H
#define COMRADARR_STAGE_NOTIFY_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"

/* Events read per channel per transaction while routing. */
#define NOTIFY_ROUTE_BATCH 5000
/* Events whose payloads a message carries (a webhook's "events"); "count"
 * says how many it stands for. */
#define NOTIFY_MESSAGE_EVENTS 100

struct notify_opts {
	const struct secret_key *key;
	const char *base_url;		/* fills {url}; NULL: none */
	struct jsonl *out;		/* JSON lines (NULL: none) */
	/* human output instead of JSON lines (NULL: JSON lines) */
	void (*line)(void *arg, const char *event, json_t *obj);
	void *line_arg;
	long max_messages;		/* stop sending after this many (0: no limit) */
};

struct notify_report {
	long channels;		/* channels routed */
	long routed;		/* deliveries created */
	long messages;		/* messages composed */
	long held;		/* deliveries waiting for quiet hours to end */
	long dropped;		/* deliveries dropped in quiet hours */
	long sent, retried, failed, stopped, deferred;
	long errors;		/* channels whose routing failed */
};

/*
 * One round.  Returns 0, or -1 when the database failed (e says why); a
 * receiver's failure is not an error of the run, it is counted and retried.
 */
int notify_run(PGconn *db, const struct notify_opts *o, struct notify_report *r, struct err *e);

/* ------------------------------------------------------------ channels */

struct notify_channel;
struct notify_answer;

/*
 * A channel as `comradarr channel list|show` prints it and the web API
 * answers it: its settings, its credentials only as {name, masked} (the
 * last 4 characters), and with db its delivery counts (waiting, pending,
 * sent, failed).  k NULL: the credentials show as not decryptable.
 */
json_t *notify_channel_json(PGconn *db, const struct secret_key *k,
			    const struct notify_channel *c);

/*
 * Send the test message through c's own sender (lib/notify): 0 when the
 * receiver accepted it, else -1 with e saying why (no secret in it); ans
 * gets the receiver's answer either way.  Nothing is stored.
 */
int notify_channel_test(const struct secret_key *k, const struct notify_channel *c,
			struct notify_answer *ans, struct err *e);

/* Wipe the strings of an opened credentials object, then free it. */
void notify_secrets_free(json_t *secrets);

#endif
