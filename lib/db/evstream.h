/*
 * evstream.h - reading the outbox for comradarr-serve's live event stream
 * (GET /api/events as server-sent events; lib/web/sse.h).
 *
 * Order.  Outbox ids are taken when a row is inserted but seen when its
 * transaction commits, so "every id above N" would miss the event of a long
 * transaction that commits after a later, shorter one.  The stream therefore
 * reads in (xid, id) order and only events of transactions older than every
 * transaction still running (xid < pg_snapshot_xmin): that set never grows
 * below what was read, so a cursor (xid, id) never skips or repeats an
 * event (the same rule as the notification channels, sql/0010).  An event
 * id N names its cursor: (the xid of event N, N).
 */
#ifndef COMRADARR_DB_EVSTREAM_H
#define COMRADARR_DB_EVSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

/* The channel sql/0016's trigger notifies after each insert into events. */
#define DB_EVSTREAM_CHANNEL "comradarr_events"

struct db_evcursor {
	uint64_t xid;			/* the writing transaction (xid8) */
	int64_t id;			/* the outbox id */
};

/* a < b in stream order: -1, 0, 1 */
int db_evcursor_cmp(const struct db_evcursor *a, const struct db_evcursor *b);

/* LISTEN on DB_EVSTREAM_CHANNEL (a connection of its own: it stays idle). */
int db_evstream_listen(PGconn *db, struct err *e);

/* Read what arrived on db's socket; *got = 1 when a notification came. */
int db_evstream_notified(PGconn *db, int *got, struct err *e);

/* The cursor of the newest event that can be read now ({0, 0}: none). */
int db_evstream_head(PGconn *db, struct db_evcursor *out, struct err *e);

/*
 * The cursor a client that has seen event `id` resumes from.  When that
 * event is gone (pruned) or id is 0: just before the oldest event with a
 * larger id; with none, the head.
 */
int db_evstream_resume(PGconn *db, int64_t id, struct db_evcursor *out, struct err *e);

/*
 * The running transactions at a moment (pg_current_snapshot): an event was
 * visible then when its xid is below xmin, or below xmax and not in xip.
 * nxip < 0: too many were running to list (visible() then says no for any
 * xid from xmin up: at worst an event is sent twice, never lost).
 */
#define DB_EVSNAP_XIP 64
struct db_evsnap {
	uint64_t xmin, xmax;
	uint64_t xip[DB_EVSNAP_XIP];
	int nxip;
};

int db_evsnap_visible(const struct db_evsnap *s, uint64_t xid);

/*
 * A client that has every event with an id up to `id` that it could see
 * (a page rendered with it; GET /api/events?after=id): the cursor to read
 * from, low enough for every event with a larger id and every transaction
 * still running; the stream then leaves out the events with an id up to
 * `id` that were visible in *snap (the client has those).
 */
int db_evstream_after_id(PGconn *db, int64_t id, struct db_evcursor *out,
			 struct db_evsnap *snap, struct err *e);

/* One event: its cursor, kind, and the JSON object GET /api/events pages. */
typedef int (*db_evstream_fn)(void *arg, const struct db_evcursor *c, const char *kind,
			      const char *json, size_t len);

/*
 * Call fn for each readable event after `after` (and not after `upto`, if
 * not NULL), in stream order, at most limit; *n how many.  fn returning -1
 * stops the walk (no error).
 */
int db_evstream_read(PGconn *db, const struct db_evcursor *after, const struct db_evcursor *upto,
		     int limit, db_evstream_fn fn, void *arg, int *n, struct err *e);

/*
 * Which of these sessions (sha256 hex of their ids) are still live and
 * which API keys are not revoked: alive_s[i] / alive_k[i] set to 1 or 0.
 * Reading does not push a session's idle deadline: an open stream is not
 * the user's activity.
 */
int db_evstream_alive(PGconn *db, const char *const *sessions, size_t ns,
		      const int64_t *keys, size_t nk, unsigned char *alive_s,
		      unsigned char *alive_k, struct err *e);

#endif
