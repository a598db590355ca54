/*
 * api_events.c - GET /api/events with "Accept: text/event-stream": the
 * outbox as server-sent events (sse.h).  Without that Accept the same route
 * pages the outbox as JSON (api_browse.c): one resource, two forms.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/evstream.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "web/sse.h"
#include "core/banned.h"

int
api_events_wants_stream(const struct web_req *req)
{
	const char *accept = web_req_header(req, "Accept");

	return accept != NULL && strstr(accept, "text/event-stream") != NULL;
}

/* A non-negative event id, or -1. */
static long long
event_id(const char *s)
{
	char *end = NULL;
	long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : v;
}

int
api_events_stream(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	const char *last = web_req_header(req, "Last-Event-ID");
	char after[32], ev[16];
	struct db_evcursor from;
	struct db_evsnap *seen = NULL;
	struct err e = ERR_INIT;
	long long id = -1;
	int by_page = 0, ret;
	PGconn *db;

	if (app->sse == NULL)
		return web_resp_error(resp, 503, "no_stream", NULL,
				      "this server has no event stream; page with ?after=N");
	if (web_req_has_query(req, "kind") || web_req_has_query(req, "limit"))
		return web_resp_error(resp, 400, "invalid", "kind",
				      "the stream carries every event; kind and limit are for paging");
	/* a browser reconnecting sends the last id it saw; ?after=N is where a
	 * page rendered with event N starts its first connection */
	if (last != NULL && last[0] != '\0') {
		if ((id = event_id(last)) < 0)
			return web_resp_error(resp, 400, "invalid", "Last-Event-ID",
					      "Last-Event-ID is an event id");
	} else if (web_req_has_query(req, "after")) {
		if ((id = event_id(web_req_query(req, "after", after, sizeof(after)))) < 0)
			return web_resp_error(resp, 400, "invalid", "after", "after is an event id");
		by_page = 1;
	}
	if (web_req_query(req, "event", ev, sizeof(ev)) != NULL && strcmp(ev, "message") != 0)
		return web_resp_error(resp, 400, "invalid", "event",
				      "event=message is the only choice (every event unnamed)");
	/* "from now on" is this request's now, not whenever the shared reader
	 * (which may still be connecting) last looked */
	if ((db = web_req_db(req, resp)) == NULL)
		return -1;
	/*
	 * Last-Event-ID came from a stream: everything before it in stream
	 * order was sent.  ?after=N comes from a page or a poll, which read by
	 * id: the client has what had an id up to N and was visible then, and
	 * nothing else (a transaction that took a lower id may commit later).
	 */
	if (by_page && (seen = malloc(sizeof(*seen))) == NULL)
		return web_resp_error(resp, 503, "busy", NULL, "out of memory; try again");
	if ((by_page ? db_evstream_after_id(db, (int64_t)id, &from, seen, &e) :
	     id >= 0 ? db_evstream_resume(db, (int64_t)id, &from, &e) :
	     db_evstream_head(db, &from, &e)) < 0) {
		free(seen);
		return web_resp_err(resp, &e);
	}
	ret = web_sse_answer(app->sse, req, resp, &from, seen, (int64_t)id,
			     web_req_has_query(req, "event"));
	free(seen);
	return ret;
}
