/*
 * notify.h - notification channels, and the outbox's way to them (Req 9, 36).
 *
 * A channel's credentials are one JSON object sealed with the secret box,
 * bound to the row and to where they are sent (its type, config.url and TLS
 * setting), so a row whose address was changed in SQL no longer opens and
 * nothing is sent to the new place.
 *
 * The delivery protocol (lib/stage/notify.c drives it; every step is one
 * transaction, so kill -9 anywhere loses nothing):
 *
 *   route    lock a channel row FOR UPDATE SKIP LOCKED, read the events of
 *            transactions that finished since its cursor (0010_notify.sql
 *            says why the cursor is a transaction id), insert a delivery
 *            row for each event the channel wants, move the cursor.  A
 *            second notifier skips the locked channel.
 *   compose  in the same transaction: waiting deliveries whose batching
 *            window has passed become one message per kind, rendered once;
 *            in quiet hours they wait, or are dropped.
 *   send     lock one due message and its channel FOR UPDATE SKIP LOCKED,
 *            send it while holding the locks, record the verdict, commit.
 *            A crash during the send rolls back: the message is sent again
 *            by the next run (at most the one in flight repeats, with the
 *            same idempotency key); two notifiers never send one message.
 */
#ifndef COMRADARR_DB_NOTIFY_H
#define COMRADARR_DB_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "crypto/secretbox.h"
#include "policy/notify.h"

struct notify_channel {
	int64_t id;
	char name[64];
	char type[16];
	int enabled;
	json_t *config;			/* object, owned */
	unsigned char *secret_enc;
	size_t secret_enc_len;
	json_t *events;			/* array of kinds, or NULL: the default */
	enum notify_severity min_severity;
	json_t *connectors;		/* [{"id": 1, "name": "tv"}], or NULL: every one */
	int batch_window_s;
	struct notify_quiet quiet;
	char quiet_tz[64];
	int quiet_drop;			/* quiet hours drop instead of holding */
	int max_per_hour;
	json_t *templates;		/* {"kind": "text"} */
	char *stopped_reason;		/* NULL unless a permanent failure stopped it */
};

void notify_channel_release(struct notify_channel *c);
void notify_channel_list_free(struct notify_channel *list, size_t n);

/* 1-63 letters, digits, '.', '_', '-', starting with a letter or digit. */
int notify_channel_validate_name(const char *name, struct err *e);

/* Insert c with secrets (sealed here); c->id is set.  ERR_CONFLICT on a
 * duplicate name. */
int db_notify_channel_add(PGconn *db, const struct secret_key *k, struct notify_channel *c,
			  const json_t *secrets, struct err *e);
int db_notify_channel_get(PGconn *db, const char *name, struct notify_channel *c, struct err *e);
int db_notify_channel_list(PGconn *db, struct notify_channel **list, size_t *n, struct err *e);
/* Save every setting of c by id; secrets non-NULL: seal and store them
 * (they must be given when the address or TLS setting changed).  Enabling
 * clears stopped_reason. */
int db_notify_channel_update(PGconn *db, const struct secret_key *k, const struct notify_channel *c,
			     const json_t *secrets, struct err *e);
int db_notify_channel_remove(PGconn *db, const char *name, struct err *e);

/* Open c's credentials (*out: a JSON object; every string registered with
 * the log redactor).  An address changed outside Comradarr fails closed. */
int db_notify_channel_secrets(const struct secret_key *k, const struct notify_channel *c,
			      json_t **out, struct err *e);

/*
 * comradarr key rotate (lib/db/secrets.c): re-seal every channel's
 * credentials from old_key to new_key with their own associated data (the
 * type, address and TLS setting); boxes already under new_key are counted
 * in *already.  Inside the caller's transaction.
 */
int db_notify_channel_reseal(PGconn *db, const struct secret_key *old_key,
			     const struct secret_key *new_key, int *resealed, int *already,
			     struct err *e);

/* ------------------------------------------------------------ delivery */

/* Outbox rows for the policy: columns of every events result below. */
enum {
	NEV_ID = 0, NEV_KIND, NEV_CONNECTOR_ID, NEV_CONNECTOR_NAME, NEV_CONNECTOR_TYPE,
	NEV_CREATED_US, NEV_PAYLOAD, NEV_XID
};

/*
 * Begin a transaction and lock the next routable channel after after_id
 * (enabled, not stopped; locked ones are skipped).  *found = 0 when none is
 * left (the transaction is then rolled back).
 */
int db_notify_lock_next_channel(PGconn *db, int64_t after_id, struct notify_channel *c,
				int *found, struct err *e);

/*
 * Up to limit events past c's cursor from finished transactions, oldest
 * first; *xmin is the horizon (text) the cursor may move to when fewer than
 * limit came back.  kinds_in / kinds_out (array literals, "{a,b}"; NULL: no
 * condition) narrow the kinds read: the policy still decides, this only
 * spares reading what it would refuse.
 */
int db_notify_new_events(PGconn *db, const struct notify_channel *c, const char *kinds_in,
			 const char *kinds_out, int limit, PGresult **res, char *xmin,
			 size_t xmin_size, struct err *e);

/* Insert deliveries for event ids (ON CONFLICT: already there, skipped) and
 * set the cursor to (xid, id).  Returns the number inserted in *n. */
int db_notify_route(PGconn *db, int64_t channel_id, const int64_t *ids, size_t nids,
		    const char *cursor_xid, int64_t cursor_id, long *n, struct err *e);

/* The channel's waiting deliveries with their events, by kind then id. */
int db_notify_waiting(PGconn *db, int64_t channel_id, PGresult **res, struct err *e);

/* Mark deliveries dropped (quiet hours with --quiet-mode drop). */
int db_notify_drop(PGconn *db, int64_t channel_id, const int64_t *ids, size_t n, struct err *e);

/* Store a rendered message for event ids; *id is its id. */
int db_notify_message_add(PGconn *db, int64_t channel_id, const char *kind,
			  enum notify_severity sev, const char *title, const char *body,
			  json_t *payloads, const int64_t *ids, size_t n, int64_t *id,
			  struct err *e);

/* A due message, with what the sender needs of its channel. */
struct notify_due {
	int64_t id;
	int64_t channel_id;
	char channel[64];
	char type[16];
	char kind[64];
	enum notify_severity severity;
	int nevents;
	int attempts;
	char *title, *body;
	json_t *payload;		/* array of the events' payloads */
	struct notify_channel ch;	/* for opening the secrets */
	int sent_last_hour;
	int64_t oldest_sent_us;
	int64_t now_us;			/* the database's clock */
};

void notify_due_release(struct notify_due *d);

/* Begin and lock the next due message and its channel (SKIP LOCKED);
 * *found = 0 when none is due (rolled back).  The caller commits through
 * db_notify_message_done()/_defer() or rolls back. */
int db_notify_lock_due(PGconn *db, struct notify_due *d, int *found, struct err *e);

/* Rate cap: try again at next_us; commits. */
int db_notify_defer(PGconn *db, int64_t id, int64_t next_us, struct err *e);

/*
 * Record a send's verdict and commit: the message and its deliveries become
 * sent, stay pending until next_us, or failed; NOTIFY_STOP also stops the
 * channel.  A failure or a stop writes its own outbox event
 * ("notify_failed", "notify_channel_stopped") in the same transaction.
 */
int db_notify_message_done(PGconn *db, const struct notify_due *d,
			   const struct notify_decision *v, long status, const char *answer,
			   const char *error, struct err *e);

/* Counts for 'comradarr channel show': waiting, pending, sent, failed. */
int db_notify_channel_stats(PGconn *db, int64_t channel_id, long counts[4], struct err *e);

#endif
