/*
 * server.c - libmicrohttpd glue and the request pipeline (see server.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "crypto/token.h"
#include "db/db.h"
#include "web/path.h"
#include "web/server.h"
#include "web/ui_assets.h"
#include "web/ui_form.h"
#include "core/banned.h"

struct web_server {
	struct web_server_opts o;
	struct MHD_Daemon *d;
	int fd;
	int port;
	char base[256];			/* BASE_URL without the trailing '/' ("" for "/") */
	pthread_mutex_t mu;
	pthread_cond_t idle;
	long inflight;			/* requests between first call and completion (atomic) */
	int stopping;			/* web_server_stop: new requests get 503 (atomic) */
};

/* Per request: what the several calls of the access handler share. */
struct reqctx {
	struct web_req req;
	struct web_resp resp;
	int64_t start_us;
	int answered;			/* resp is final (error before the handler) */
	int too_big;
	size_t body_max;
	PGconn *db;
};

/* ------------------------------------------------------------ helpers */

const char *
web_req_header(const struct web_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
web_req_query(const struct web_req *req, const char *name, char *buf, size_t size)
{
	const char *raw = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);

	if (raw == NULL || web_query_decode(raw, strlen(raw), buf, size) < 0)
		return NULL;
	return buf;
}

int
web_req_has_query(const struct web_req *req, const char *name)
{
	return MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name),
					     NULL, NULL) == MHD_YES;
}

const char *
web_req_cookie(const struct web_req *req, const char *name, char *buf, size_t size)
{
	const char *v = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
	size_t n;

	if (v == NULL || size == 0)
		return NULL;
	n = strlen(v);
	if (n >= size)
		return NULL;
	memcpy(buf, v, n + 1);
	return buf;
}

const char *
web_server_base_url(const struct web_server *s)
{
	return s->o.base_url;
}

PGconn *
web_req_db(struct web_req *req, struct web_resp *resp)
{
	struct reqctx *rc = (struct reqctx *)req;	/* req is the first member */
	struct err e = ERR_INIT;

	if (rc->db != NULL)
		return rc->db;
	if (req->srv->o.pool == NULL || db_pool_get(req->srv->o.pool, &rc->db, &e) < 0) {
		log_write(LOG_LEVEL_WARN, "serve", json_pack("{s:s}", "request_id", req->request_id),
			  "no database connection: %s", e.msg);
		web_resp_error(resp, 503, "database_unavailable", NULL,
			       "the database is not reachable; try again");
		return NULL;
	}
	/* pg_stat_activity and the server's log then name the request: the
	 * same id as X-Request-Id and the access log (one short round trip) */
	{
		char name[64];
		const char *p[1] = { name };

		snprintf(name, sizeof(name), "comradarr-serve %s", req->request_id);
		if (db_query(rc->db, "SELECT set_config('application_name', $1, false)", 1, p, NULL,
			     &e) < 0) {
			db_pool_put(req->srv->o.pool, rc->db);
			rc->db = NULL;
			web_resp_err(resp, &e);
			return NULL;
		}
	}
	return rc->db;
}

/* Is addr one of the comma-separated list? */
static int
in_list(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list;

	if (list == NULL)
		return 0;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		while (len > 0 && *p == ' ') {
			p++;
			len--;
		}
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == n && memcmp(p, addr, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

/* The real peer; a trusted proxy's X-Forwarded-For (last hop) and Proto. */
static void
set_peer(struct web_server *s, struct web_req *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const char *xff, *proto;

	snprintf(req->peer, sizeof(req->peer), "unknown");
	/* inet_ntop, not getnameinfo: the same numeric text for a fraction
	 * of the work on every request */
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		const void *a = sa->sa_family == AF_INET6 ?
			(const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr :
			(const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;

		if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
		    inet_ntop(sa->sa_family, a, req->peer, sizeof(req->peer)) == NULL)
			snprintf(req->peer, sizeof(req->peer), "unknown");
	}
	if (s->o.trusted_proxies == NULL || !in_list(s->o.trusted_proxies, req->peer))
		return;
	xff = web_req_header(req, "X-Forwarded-For");
	if (xff != NULL) {
		const char *last = strrchr(xff, ',');
		char addr[64];
		struct in6_addr a6;
		struct in_addr a4;

		last = last ? last + 1 : xff;
		while (*last == ' ')
			last++;
		snprintf(addr, sizeof(addr), "%s", last);
		addr[strcspn(addr, " ")] = '\0';
		if (inet_pton(AF_INET, addr, &a4) == 1 || inet_pton(AF_INET6, addr, &a6) == 1)
			snprintf(req->peer, sizeof(req->peer), "%s", addr);
	}
	proto = web_req_header(req, "X-Forwarded-Proto");
	if (proto != NULL && strcmp(proto, "https") == 0)
		req->tls = 1;
}

/*
 * A fresh request id: 8 random bytes in hex, like log_new_correlation_id,
 * but drawn from a per-thread pool filled 64 ids at a time.  One getrandom
 * call per request was a tenth of /healthz's CPU time.
 */
static void
new_request_id(char *out, size_t size)
{
	static _Thread_local unsigned char pool[8 * 64];
	static _Thread_local size_t used = sizeof(pool);

	if (used == sizeof(pool)) {
		randombytes_buf(pool, sizeof(pool));
		used = 0;
	}
	sodium_bin2hex(out, size, pool + used, 8);
	used += 8;
}

/* An incoming X-Request-Id is kept only when it is short and plain. */
static void
set_request_id(struct web_req *req)
{
	const char *in = web_req_header(req, "X-Request-Id");
	size_t n = in ? strlen(in) : 0;

	if (n > 0 && n < sizeof(req->request_id) &&
	    strspn(in, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n) {
		memcpy(req->request_id, in, n + 1);
		return;
	}
	new_request_id(req->request_id, sizeof(req->request_id));
}

static int
state_changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/*
 * Step 6 (server.h).  The expected origin is the scheme this request came
 * over and the Host it was sent to: a page on another site cannot make a
 * browser send our Host with its Origin.
 */
static int
csrf_check(struct web_req *req, struct web_resp *resp)
{
	const char *site = web_req_header(req, "Sec-Fetch-Site");
	const char *origin = web_req_header(req, "Origin");
	const char *host = web_req_header(req, "Host");
	const char *token;
	char want[300], form_token[128];

	if (!state_changing(req->method))
		return 0;
	if (site != NULL && strcmp(site, "same-origin") != 0)
		return web_resp_error(resp, 403, "cross_site", NULL,
				      "cross-site request refused");
	if (origin != NULL) {
		snprintf(want, sizeof(want), "%s://%s", req->tls ? "https" : "http",
			 host ? host : "");
		if (host == NULL || strcmp(origin, want) != 0)
			return web_resp_error(resp, 403, "cross_origin", NULL,
					      "request from another origin refused");
	}
	/* A public route (logging in) does not act with the session's
	 * authority, so it needs no token: the origin checks above suffice. */
	if (req->who.kind != WEB_SESSION || req->route->access == WEB_PUBLIC)
		return 0;
	if (site == NULL && origin == NULL)
		return web_resp_error(resp, 403, "origin_missing", NULL,
				      "a browser session's change needs an Origin header");
	/* --auth local/disabled callers have no session row and so no token:
	 * for them the same-origin check above is the whole defence */
	token = web_req_header(req, "X-CSRF-Token");
	/* a plain HTML form (the web UI without JavaScript) cannot send a
	 * header: its token is the body field "csrf" */
	if (token == NULL && ui_form_is_urlencoded(web_req_header(req, "Content-Type")))
		token = ui_form_get(req->body.data, req->body.len, "csrf", form_token, sizeof(form_token));
	if (req->who.csrf[0] != '\0' && (token == NULL || !token_equal(token, req->who.csrf)))
		return web_resp_error(resp, 403, "csrf", NULL,
				      "missing or wrong X-CSRF-Token for this session");
	return 0;
}

/* Steps 1, 2 and the body cap: on the first call, before any body. */
static void
route_request(struct web_server *s, struct reqctx *rc, const char *url)
{
	struct web_req *req = &rc->req;
	struct web_resp *resp = &rc->resp;
	char allow[128];
	const char *why, *rest = url, *cl;
	enum web_match m;

	if (s->base[0] != '\0') {
		size_t bl = strlen(s->base);

		if (strncmp(url, s->base, bl) != 0 || (url[bl] != '/' && url[bl] != '\0')) {
			web_resp_error(resp, 404, "not_found", NULL, "no such page");
			rc->answered = 1;
			return;
		}
		rest = url[bl] == '\0' ? "/" : url + bl;
	}
	if (web_path_normalise(rest, req->path, sizeof(req->path), &why) < 0) {
		req->path[0] = '\0';	/* the log shows "-", not half a path */
		web_resp_error(resp, 400, "bad_path", NULL, "%s", why ? why : "bad path");
		rc->answered = 1;
		return;
	}
	m = web_router_match(s->o.router, req->method, req->path, &req->route, &req->params,
			     allow, sizeof(allow));
	if (m == WEB_MATCH_NOT_FOUND) {
		web_resp_error(resp, 404, "not_found", NULL, "no such page");
		rc->answered = 1;
		return;
	}
	if (m == WEB_MATCH_BAD_METHOD) {
		web_resp_error(resp, 405, "method_not_allowed", NULL, "method not allowed here");
		web_resp_header(resp, "Allow", allow);
		rc->answered = 1;
		return;
	}
	rc->body_max = req->route->body_max ? req->route->body_max : WEB_BODY_MAX_DEFAULT;
	buf_init(&req->body, rc->body_max);
	cl = web_req_header(req, "Content-Length");
	if (cl != NULL) {
		char *end = NULL;
		unsigned long long v;

		errno = 0;
		v = strtoull(cl, &end, 10);
		if (errno != 0 || end == cl || *end != '\0' || v > rc->body_max) {
			web_resp_error(resp, 413, "body_too_large", NULL,
				       "request body over %zu bytes", rc->body_max);
			rc->answered = 1;
		}
	}
}

/* Steps 4-6 and the handler: on the last call, with the whole body. */
static void run_steps(struct web_server *s, struct reqctx *rc);

static void
run_request(struct web_server *s, struct reqctx *rc)
{
	run_steps(s, rc);
	if (s->o.after != NULL)
		s->o.after(&rc->req, &rc->resp);
}

static void
run_steps(struct web_server *s, struct reqctx *rc)
{
	struct web_req *req = &rc->req;
	struct web_resp *resp = &rc->resp;
	const struct web_route *rt = req->route;

	if (rc->too_big) {
		web_resp_error(resp, 413, "body_too_large", NULL, "request body over %zu bytes",
			       rc->body_max);
		return;
	}
	if (s->o.authenticate != NULL && s->o.authenticate(req, resp) < 0) {
		if (resp->status == 0)
			web_resp_error(resp, 500, "internal", NULL, "internal error");
		return;
	}
	if (!web_access_allows(rt->access, &req->who)) {
		if (req->who.kind != WEB_ANON) {
			web_resp_error(resp, 403, "forbidden", NULL,
				       "your account or key may not do this");
		} else if (rt->kind == WEB_ROUTE_PAGE) {
			char loc[WEB_PATH_MAX + 300];

			snprintf(loc, sizeof(loc), "%s%s", s->base,
				 web_router_login_page(s->o.router));
			web_resp_bytes(resp, 302, "text/plain; charset=utf-8", "login needed\n", 13);
			web_resp_header(resp, "Location", loc);
		} else {
			web_resp_error(resp, 401, "unauthenticated", NULL, "log in or send an API key");
		}
		return;
	}
	if (csrf_check(req, resp) < 0)
		return;
	if (rt->kind == WEB_ROUTE_ASSET) {
		resp->status = 200;
		resp->content_type = rt->content_type;
		resp->static_body = rt->body;
		resp->static_len = rt->len;
		resp->cacheable = 1;
		/* a fingerprinted URL names this exact content: a year,
		 * immutable; the embedded table has its ETag already */
		{
			int immutable = 0;
			const struct ui_asset *a = ui_asset_by_path(req->path, &immutable);

			if (a != NULL && a->data == rt->body) {
				resp->static_etag = a->etag;
				resp->cacheable = immutable ? 2 : 1;
			}
		}
		return;
	}
	/* LOG_LEVEL debug (Req 31.3): which route answers whom */
	if (log_enabled(LOG_LEVEL_DEBUG))
		log_write(LOG_LEVEL_DEBUG, "http", json_pack("{s:s, s:s, s:s, s:s}", "request_id",
			  req->request_id, "method", req->method, "route", rt->pattern, "user",
			  req->who.user), "%s %s", req->method, req->path);
	if (rt->handler(req, resp) < 0 && resp->status == 0)
		web_resp_error(resp, 500, "internal", NULL, "internal error");
	if (resp->status == 0)
		web_resp_error(resp, 500, "internal", NULL, "the handler gave no answer");
}

/* ETag of an asset: its BLAKE2b digest, so a change is never cached over. */
static void
asset_etag(const unsigned char *body, size_t len, char out[36])
{
	unsigned char h[16];

	crypto_generichash(h, sizeof(h), body, len, NULL, 0);
	out[0] = '"';
	sodium_bin2hex(out + 1, 33, h, sizeof(h));
	out[33] = '"';
	out[34] = '\0';
}

static enum MHD_Result
send_answer(struct web_server *s, struct reqctx *rc)
{
	struct web_resp *resp = &rc->resp;
	struct MHD_Response *r;
	const char *const *sec;
	enum MHD_Result ret;
	char etag[36];
	int status = resp->status;

	if (resp->static_body != NULL) {
		const char *inm = web_req_header(&rc->req, "If-None-Match");

		if (resp->static_etag != NULL)
			snprintf(etag, sizeof(etag), "%s", resp->static_etag);
		else
			asset_etag(resp->static_body, resp->static_len, etag);
		if (ui_etag_matches(inm, etag)) {
			status = resp->status = 304;
			r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		} else {
			r = MHD_create_response_from_buffer(resp->static_len,
							    (void *)(uintptr_t)resp->static_body,
							    MHD_RESPMEM_PERSISTENT);
		}
		if (r != NULL)
			MHD_add_response_header(r, "ETag", etag);
	} else if (resp->has_file) {
		/* libmicrohttpd reads the file as the client takes it, and
		 * closes it with the response; a slow download holds no pool
		 * connection */
		if (rc->db != NULL) {
			db_pool_put(s->o.pool, rc->db);
			rc->db = NULL;
		}
		r = MHD_create_response_from_fd64(resp->file_len, resp->file_fd);
		if (r != NULL)
			resp->has_file = 0;
	} else if (resp->stream_read != NULL) {
		/* the stream lives on without the request's pool connection:
		 * it would otherwise hold one for as long as the client listens */
		if (rc->db != NULL) {
			db_pool_put(s->o.pool, rc->db);
			rc->db = NULL;
		}
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, resp->stream_read,
						      resp->stream_arg, resp->stream_free);
		if (r != NULL)
			resp->stream_free = NULL;	/* libmicrohttpd frees it now */
	} else {
		r = MHD_create_response_from_buffer(resp->body.len,
						    resp->body.data ? resp->body.data : (void *)"",
						    MHD_RESPMEM_MUST_COPY);
	}
	if (r == NULL)
		return MHD_NO;
	if (resp->content_type != NULL && status != 304)
		MHD_add_response_header(r, "Content-Type", resp->content_type);
	for (sec = web_security_headers(rc->req.tls, resp->cacheable); *sec != NULL; sec += 2)
		MHD_add_response_header(r, sec[0], sec[1]);
	for (int i = 0; i < resp->nheaders; i++)
		MHD_add_response_header(r, resp->hname[i], resp->hvalue[i]);
	MHD_add_response_header(r, "X-Request-Id", rc->req.request_id);
	ret = MHD_queue_response(rc->req.conn, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct web_server *s = cls;
	struct reqctx *rc = *con_cls;

	(void)version;
	if (rc == NULL) {
		rc = calloc(1, sizeof(*rc));
		if (rc == NULL)
			return MHD_NO;
		*con_cls = rc;
		rc->start_us = clock_mono_us();
		rc->req.srv = s;
		rc->req.conn = conn;
		rc->req.method = method;
		rc->req.app = s->o.app;
		set_request_id(&rc->req);
		set_peer(s, &rc->req);
		/* no lock per request: only the last one out, with a stop
		 * waiting, needs the mutex (on_completed) */
		__atomic_add_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&s->stopping, __ATOMIC_SEQ_CST)) {
			web_resp_error(&rc->resp, 503, "stopping", NULL, "the server is stopping");
			web_resp_header(&rc->resp, "Connection", "close");
			rc->answered = 1;
			return send_answer(s, rc);
		}
		route_request(s, rc, url);
		if (rc->answered)
			return send_answer(s, rc);
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!rc->answered && !rc->too_big &&
		    buf_append(&rc->req.body, upload, *upload_size) < 0)
			rc->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (rc->answered)
		return MHD_YES;	/* already queued on the first call */
	rc->answered = 1;
	run_request(s, rc);
	return send_answer(s, rc);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct web_server *s = cls;
	struct reqctx *rc = *con_cls;

	(void)conn;
	(void)toe;
	if (rc == NULL)
		return;
	if (rc->resp.status != 0) {
		int64_t us = clock_mono_us() - rc->start_us;

		if (s->o.metrics != NULL)
			web_metrics_observe(s->o.metrics, rc->req.route, rc->resp.status, us);
		if (s->o.on_done != NULL)
			s->o.on_done(s->o.on_done_arg, &rc->req, &rc->resp, us);
	}
	if (rc->db != NULL)
		db_pool_put(s->o.pool, rc->db);
	buf_release_secret(&rc->req.body);
	web_resp_release(&rc->resp);
	sodium_memzero(&rc->req.who, sizeof(rc->req.who));
	free(rc);
	*con_cls = NULL;
	/* the broadcast under the mutex: a stop that read inflight > 0 under
	 * it is then already waiting, and wakes */
	if (__atomic_sub_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST) == 0) {
		pthread_mutex_lock(&s->mu);
		pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
	}
}

/* The path as sent: we decode it ourselves (path.h), exactly once. */
static size_t
no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_write(LOG_LEVEL_DEBUG, "http", NULL, "%s", msg);
}

static int
listen_socket(const char *host, int port, int *fd_out, int *port_out, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, one = 1, gai, saved = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0)
		return err_set(e, ERR_CONFIG, "cannot listen on '%s': %s", host, gai_strerror(gai));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return err_set(e, ERR_CONFIG, "cannot listen on %s port %d: %s", host, port,
			       strerror(saved ? saved : EADDRNOTAVAIL));
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			*port_out = ntohs(ss.ss_family == AF_INET6 ?
					  ((struct sockaddr_in6 *)&ss)->sin6_port :
					  ((struct sockaddr_in *)&ss)->sin_port);
	}
	*fd_out = fd;
	return 0;
}

int
web_server_start(const struct web_server_opts *o, struct web_server **out, struct err *e)
{
	struct web_server *s;
	size_t bl;

	*out = NULL;
	if (o->router == NULL)
		return err_set(e, ERR_USAGE, "no route table");
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	s->o = *o;
	s->fd = -1;
	if (s->o.base_url == NULL)
		s->o.base_url = "/";
	bl = strlen(s->o.base_url);
	if (bl >= sizeof(s->base) || s->o.base_url[0] != '/') {
		free(s);
		return err_set(e, ERR_CONFIG, "BASE_URL must be a path starting with '/'");
	}
	memcpy(s->base, s->o.base_url, bl + 1);
	while (bl > 0 && s->base[bl - 1] == '/')
		s->base[--bl] = '\0';
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->idle, NULL);
	if (listen_socket(o->host ? o->host : "0.0.0.0", o->port, &s->fd, &s->port, e) < 0)
		goto fail;
	/* suspend/resume: an event stream with nothing to send parks its
	 * connection instead of a worker thread (sse.h) */
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
				MHD_USE_TURBO | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
				0, NULL, NULL, on_request, s,
				MHD_OPTION_LISTEN_SOCKET, s->fd,
				MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)(o->threads > 0 ? o->threads : 1),
				MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 30u,
				MHD_OPTION_CONNECTION_LIMIT, o->conn_limit ? o->conn_limit : 1024u,
				/* request line + headers must fit: 16 KiB is room for any
				 * browser's cookies and far from a memory problem */
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
				MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_END);
	if (s->d == NULL) {
		err_set(e, ERR_INTERNAL, "the HTTP server did not start");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
	return -1;
}

int
web_server_port(const struct web_server *s)
{
	return s->port;
}

void
web_server_stop(struct web_server *s, int grace_ms)
{
	struct timespec until;

	if (s == NULL)
		return;
	/*
	 * No new requests from here on: they are answered 503.  Not
	 * MHD_quiesce_daemon(): on an epoll daemon with worker threads it races
	 * the workers' own removal of the listening socket and aborts the
	 * process now and then (an open libmicrohttpd defect, seen here when
	 * event streams kept the workers busy at the moment of the stop).
	 */
	__atomic_store_n(&s->stopping, 1, __ATOMIC_SEQ_CST);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_ms / 1000;
	until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->mu);
	while (__atomic_load_n(&s->inflight, __ATOMIC_SEQ_CST) > 0)
		if (pthread_cond_timedwait(&s->idle, &s->mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->d);	/* closes the listening socket too */
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
