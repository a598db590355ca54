/*
 * server.h - the HTTP server: libmicrohttpd with a pool of threads, in
 * front of one route table (web.h).
 *
 * What happens to a request, in this order, before any handler runs:
 *   1. BASE_URL is taken off the path (a path outside it is 404), and the
 *      rest is canonicalised (path.h): anything ambiguous is 400.
 *   2. The route is found: 404, or 405 with Allow.
 *   3. A body longer than the route's body_max is refused with 413 as soon
 *      as Content-Length says so, or when the bytes pass the cap.
 *   4. opts.authenticate fills req->who (a session cookie or an X-Api-Key
 *      header; auth.h).
 *   5. Access: an anonymous caller of a protected route gets 401 (API) or a
 *      302 to the login page (PAGE); a caller without the level gets 403.
 *   6. CSRF (every method but GET and HEAD): a cross-site Sec-Fetch-Site or
 *      a foreign Origin is 403; a session must also send one of the two,
 *      same-origin, and its token in X-CSRF-Token (except on public routes,
 *      which do not act with its authority: logging in again).  API keys are
 *      not ambient credentials (a browser never adds the header on its own)
 *      and need no token.
 * Then the handler answers.  Every answer gets the security headers, the
 * X-Request-Id, and goes to opts.on_done for the access log.
 *
 * Threads: libmicrohttpd's internal thread pool (opts.threads) polls with
 * epoll; handlers run on those threads and may block on PostgreSQL through
 * web_req_db(), which takes a connection from the pool for the rest of the
 * request.
 */
#ifndef COMRADARR_WEB_SERVER_H
#define COMRADARR_WEB_SERVER_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "db/pool.h"
#include "web/metrics.h"
#include "web/web.h"

struct web_server_opts {
	const char *host;		/* listen address, numeric or a name */
	int port;			/* 0: any free port (web_server_port says which) */
	const char *base_url;		/* "/" or "/prefix/" */
	int threads;			/* worker threads (>= 1) */
	unsigned timeout_s;		/* idle connection timeout (slow clients) */
	unsigned conn_limit;		/* open connections at most */
	const struct web_router *router;
	struct db_pool *pool;		/* NULL: web_req_db always answers 503 */
	/* peers whose X-Forwarded-For / X-Forwarded-Proto are believed:
	 * comma-separated numeric addresses; NULL or "": nobody */
	const char *trusted_proxies;
	/* step 4; NULL: everyone is anonymous.  Returns 0, or -1 having put an
	 * answer in resp (a revoked key: 401; a key over its rate: 429). */
	int (*authenticate)(struct web_req *req, struct web_resp *resp);
	/* after the handler (or the refusal) with the request's database
	 * still at hand: API key usage is recorded here; may be NULL */
	void (*after)(struct web_req *req, struct web_resp *resp);
	/* after each answer (access log); may be NULL */
	void (*on_done)(void *arg, const struct web_req *req, const struct web_resp *resp,
			int64_t duration_us);
	void *on_done_arg;
	void *app;			/* given to handlers as req->app */
	struct web_metrics *metrics;	/* counts every answer; may be NULL */
};

struct web_server;

/* Bind and start serving; e says why not (address in use, bad host). */
int web_server_start(const struct web_server_opts *o, struct web_server **out, struct err *e);

/* The port actually bound. */
int web_server_port(const struct web_server *s);

/*
 * Stop: accept nothing new, let requests in flight finish (up to grace_ms),
 * then close every connection and free the server.
 */
void web_server_stop(struct web_server *s, int grace_ms);

/*
 * The request's database connection (taken from the pool on first use,
 * given back when the answer is sent).  NULL when none can be had: resp
 * then holds a 503 and the handler just returns.
 */
PGconn *web_req_db(struct web_req *req, struct web_resp *resp);

/* The server's BASE_URL ("/" or "/prefix/"), for building links. */
const char *web_server_base_url(const struct web_server *s);

#endif
