/*
 * sse.h - the live event stream: GET /api/events answered as server-sent
 * events (Accept: text/event-stream), fed from one shared reader.
 *
 * One thread, with one PostgreSQL connection of its own, LISTENs on the
 * outbox channel (sql/0016) and reads the new events once, in stream order
 * (db/evstream.h), into a bounded ring of formatted frames; every open
 * stream is a position in that ring.  The streams do not hold a pool
 * thread: an answer whose reader has nothing to send suspends its
 * connection (libmicrohttpd's suspend/resume) and the reader thread resumes
 * it when there is something.  A client resuming from an older event
 * (Last-Event-ID) is first sent the gap, a page at a time, read by the same
 * thread; then it joins the ring.
 *
 * Bounds: at most max_streams streams (503 beyond), max_per_principal per
 * user or API key (429 beyond); the ring keeps at most ring_bytes of frames,
 * and a stream that falls out of it (a client reading too slowly) is ended:
 * the browser reconnects with Last-Event-ID and is sent the gap from the
 * database.  Every heartbeat_s a comment line keeps proxies from closing an
 * idle stream and finds dead clients; every check_s the sessions and keys
 * of the open streams are checked again and a revoked or expired one's
 * stream ends.
 */
#ifndef COMRADARR_WEB_SSE_H
#define COMRADARR_WEB_SSE_H

#include <stddef.h>

#include "core/config.h"
#include "core/err.h"
#include "db/evstream.h"
#include "web/web.h"

struct web_sse_opts {
	const struct config *cfg;	/* the reader's own connection; kept by pointer */
	int max_streams;		/* 0: 256 */
	int max_per_principal;		/* 0: 8 */
	int heartbeat_s;		/* 0: 15 */
	int check_s;			/* 0: 10 */
	size_t ring_bytes;		/* 0: 1 MiB */
	int retry_ms;			/* the retry: hint; 0: 3000 */
};

struct web_sse;

/* Start the reader thread (it connects, and reconnects, on its own). */
int web_sse_new(const struct web_sse_opts *o, struct web_sse **out, struct err *e);

/*
 * Answer req with a stream starting after `from` (NULL: from now on),
 * leaving out the events with an id up to seen_upto that were visible in
 * *seen (NULL: none; db_evstream_after_id); unnamed: no "event:" lines (a
 * browser's onmessage then sees every event).  Refusals (limits, stopping)
 * are put in resp as JSON errors.
 */
int web_sse_answer(struct web_sse *h, struct web_req *req, struct web_resp *resp,
		   const struct db_evcursor *from, const struct db_evsnap *seen,
		   int64_t seen_upto, int unnamed);

/* Streams open now (the /metrics gauge), and ended for being too slow. */
long web_sse_open(struct web_sse *h);
long web_sse_dropped(struct web_sse *h);

/* End every stream now and refuse new ones (SIGTERM, before the server's
 * stop: streams would otherwise hold it for its whole grace time). */
void web_sse_shutdown(struct web_sse *h);

/* Stop the thread and free; after the server has stopped. */
void web_sse_free(struct web_sse *h);

#endif
