/*
 * web.h - the HTTP server's request, answer and route table
 * (comradarr-serve, Req 10, 34, 35).
 *
 * There is ONE way to add something the server answers: web_router_add()
 * with a struct web_route that names its method, its path pattern, the
 * access it needs and what answers it.  A route without an access level is
 * refused, so "forgot to protect the settings endpoint" cannot happen: the
 * server checks access before any handler runs, and tests walk the table
 * (web_router_each) to prove every non-public route refuses an anonymous
 * caller.
 *
 * A request reaches the table only after web_path_normalise() (path.h) has
 * accepted its path: no "..", ".", "//", encoded dots or slashes, NUL,
 * control characters, backslashes or trailing dots, at most WEB_PATH_MAX
 * bytes.  Matching is then exact and case-sensitive, segment by segment;
 * "{name}" in a pattern captures one segment.  A path no pattern matches is
 * 404; a path some pattern matches under another method is 405 with Allow.
 *
 * Three kinds of route (enum web_route_kind):
 *   WEB_ROUTE_API    handler(req, resp) answers JSON (web_resp_json);
 *                    anonymous callers of a protected route get 401 JSON
 *   WEB_ROUTE_PAGE   handler answers HTML (or anything); anonymous callers
 *                    of a protected page are redirected (302) to the
 *                    router's login page instead of a 401
 *   WEB_ROUTE_ASSET  no handler: body/len/content_type are served as they
 *                    are (embedded CSS, JS, images), with an ETag
 * Pages and assets are how the web UI plugs in: see web_router_add_asset().
 *
 * Every answer, from a handler or from the server itself (404, 405, 413,
 * 500 ...), carries the security headers (web_security_headers): a CSP with
 * default-src 'self' and no inline script, frame-ancestors 'none' and
 * X-Frame-Options DENY, X-Content-Type-Options nosniff, Referrer-Policy
 * same-origin, Cache-Control no-store (assets: no-cache + ETag), and HSTS
 * when the request came over TLS.  Errors are {"error":{"code","message"}}
 * (plus "field" for a bad input) and never carry a secret.
 */
#ifndef COMRADARR_WEB_WEB_H
#define COMRADARR_WEB_WEB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/err.h"

#define WEB_PATH_MAX		1024	/* longest path accepted, bytes */
#define WEB_MAX_SEGMENTS	16	/* per pattern / path */
#define WEB_MAX_PARAMS		4	/* "{x}" captures per pattern */
#define WEB_MAX_HEADERS		8	/* extra answer headers a handler may set */
#define WEB_BODY_MAX_DEFAULT	(64 * 1024)	/* request body cap unless a route says */

/*
 * Who may call a route.  0 is deliberately not a level: a route whose
 * access was left out is refused at registration.
 */
enum web_access {
	WEB_ACCESS_UNSET = 0,
	WEB_PUBLIC,	/* anyone (login, /healthz) */
	WEB_READ,	/* any logged-in user, or an API key of scope read or full */
	WEB_WRITE,	/* role admin or user, or an API key of scope full */
	WEB_ADMIN,	/* role admin, by session only (never an API key) */
	WEB_HOOK	/* an *arr's webhook call: the secret of the connector the
			 * path names ({connector}), nothing else */
};

enum web_route_kind { WEB_ROUTE_API = 0, WEB_ROUTE_PAGE, WEB_ROUTE_ASSET };

/* Who the caller turned out to be (filled by the auth step). */
enum web_principal_kind { WEB_ANON = 0, WEB_SESSION, WEB_APIKEY, WEB_HOOKCALL };

struct web_principal {
	enum web_principal_kind kind;
	int64_t user_id;		/* sessions; the key's owner for keys */
	char user[80];			/* a user name, or "apikey:ID" */
	char role[16];			/* admin | user | readonly */
	int64_t key_id;			/* WEB_APIKEY; WEB_HOOKCALL: the connector's id */
	char scope[8];			/* WEB_APIKEY: read | full */
	char session_hash[65];		/* WEB_SESSION: sha256 hex of the id */
	char csrf[64];			/* WEB_SESSION: the session's CSRF token */
};

struct web_server;
struct web_req;
struct web_resp;

typedef int (*web_handler_fn)(struct web_req *req, struct web_resp *resp);

struct web_route {
	const char *method;		/* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern;		/* "/api/connectors/{name}", normalised form */
	enum web_access access;
	enum web_route_kind kind;
	web_handler_fn handler;		/* API and PAGE */
	size_t body_max;		/* 0: WEB_BODY_MAX_DEFAULT */
	/* ASSET only: served as is; the bytes must outlive the server */
	const char *content_type;
	const unsigned char *body;
	size_t len;
};

struct web_router;

/* An empty table; NULL when memory ran out.  login_page: where an anonymous
 * visitor of a protected PAGE is sent ("/login"), relative to BASE_URL. */
struct web_router *web_router_new(const char *login_page);
void web_router_free(struct web_router *r);
const char *web_router_login_page(const struct web_router *r);

/*
 * Add a route (copied; strings are kept by pointer: use literals or data
 * that outlives the router).  Refused (ERR_USAGE, e says why): no access
 * level, a pattern that is not in normalised form or has too many segments
 * or captures, an API/PAGE route without a handler, an ASSET without bytes
 * or content type or with a method other than GET, the same method and
 * pattern twice.
 */
int web_router_add(struct web_router *r, const struct web_route *route, struct err *e);

/* Add an embedded file served at GET path (HEAD is answered too). */
int web_router_add_asset(struct web_router *r, const char *path, enum web_access access,
			 const char *content_type, const unsigned char *body, size_t len,
			 struct err *e);

/* Call fn for every route in the order added (the security suite walks it). */
void web_router_each(const struct web_router *r,
		     void (*fn)(const struct web_route *route, void *arg), void *arg);
size_t web_router_count(const struct web_router *r);

/* May who call a route that needs `need`?  (WEB_ACCESS_UNSET: nobody.) */
int web_access_allows(enum web_access need, const struct web_principal *who);

/* The outcome of matching a normalised path. */
enum web_match { WEB_MATCH_OK = 0, WEB_MATCH_NOT_FOUND, WEB_MATCH_BAD_METHOD };

struct web_params {
	int n;
	const char *name[WEB_MAX_PARAMS];	/* pattern's "{name}", without braces */
	char value[WEB_MAX_PARAMS][256];	/* the path's segment, decoded */
};

/*
 * Find the route for method and a normalised path.  HEAD matches GET.  On
 * WEB_MATCH_BAD_METHOD, allow (if not NULL) gets "GET, POST" for the Allow
 * header.
 */
enum web_match web_router_match(const struct web_router *r, const char *method,
				const char *path, const struct web_route **out,
				struct web_params *params, char *allow, size_t allow_size);

/* ------------------------------------------------------------ requests */

struct web_req {
	struct web_server *srv;
	void *conn;			/* the MHD connection (server.c only) */
	const char *method;
	char path[WEB_PATH_MAX + 1];	/* normalised, BASE_URL removed */
	const struct web_route *route;
	struct web_params params;
	struct buf body;		/* capped at the route's body_max */
	char peer[64];			/* the real peer address (or trusted proxy's client) */
	int tls;			/* came over TLS (or a trusted proxy says so) */
	char request_id[40];		/* X-Request-Id in (if sane) or a fresh one */
	struct web_principal who;
	void *app;			/* the application's context (web_server_opts.app) */
};

/* A request header (case-insensitive), or NULL. */
const char *web_req_header(const struct web_req *req, const char *name);
/* A query parameter, percent-decoded into buf; NULL when absent or undecodable. */
const char *web_req_query(const struct web_req *req, const char *name, char *buf, size_t size);
/* Is the query parameter there at all (any value, decodable or not)? */
int web_req_has_query(const struct web_req *req, const char *name);
/* A cookie's value, or NULL (copied into buf). */
const char *web_req_cookie(const struct web_req *req, const char *name, char *buf, size_t size);
/* A capture of the route's pattern, or NULL. */
const char *web_req_param(const struct web_req *req, const char *name);
/*
 * Parse the body as a JSON object.  NULL (resp already holds a 400) when it
 * is not one; the caller then just returns.
 */
json_t *web_req_json(struct web_req *req, struct web_resp *resp);

/* ------------------------------------------------------------ answers */

struct web_resp {
	int status;
	const char *content_type;
	struct buf body;
	const unsigned char *static_body;	/* ASSET: served without copying */
	size_t static_len;
	int nheaders;
	char *hname[WEB_MAX_HEADERS];
	char *hvalue[WEB_MAX_HEADERS];
	int cacheable;			/* assets: 1 no-cache + ETag instead of no-store, 2 immutable */
	const char *static_etag;	/* assets: the route's ETag, if it has one */
	const char *error_code;		/* for the access log */
	/* web_resp_file: the answer streams from this open file */
	int has_file;
	int file_fd;
	uint64_t file_len;
	/* A streamed answer (the event stream, sse.h): the body is pulled from
	 * stream_read (libmicrohttpd's content reader contract) until it ends;
	 * stream_free(stream_arg) is called once, whether it was sent or not.
	 * The request's database connection goes back to the pool first. */
	ssize_t (*stream_read)(void *arg, uint64_t pos, char *buf, size_t max);
	void (*stream_free)(void *arg);
	void *stream_arg;
};

/* Answer status with a JSON value (stolen). */
int web_resp_json(struct web_resp *resp, int status, json_t *v);
/*
 * Answer {"error":{"code":code,"message":msg[,"field":field]}}.  msg must
 * not hold a secret; it is also passed through the log redactor.
 */
int web_resp_error(struct web_resp *resp, int status, const char *code, const char *field,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Map a lib error to a status and error answer (ERR_NOTFOUND 404, ERR_USAGE 400,
 * ERR_CONFLICT 409, others 500 with a generic message: no internals leak). */
int web_resp_err(struct web_resp *resp, const struct err *e);
/* Answer raw bytes (copied) with a content type. */
int web_resp_bytes(struct web_resp *resp, int status, const char *content_type,
		   const void *data, size_t len);
/*
 * Answer status with the len bytes of the open file fd, read as they are
 * sent (a download of any size in bounded memory).  fd is the answer's
 * from now on: closed when sent, or by web_resp_release if never sent.
 */
int web_resp_file(struct web_resp *resp, int status, const char *content_type, int fd,
		  uint64_t len);
/* Add a header (copied).  Names and values with CR, LF or NUL are refused:
 * no header injection.  -1 when refused or full. */
int web_resp_header(struct web_resp *resp, const char *name, const char *value);
void web_resp_release(struct web_resp *resp);

/*
 * The security headers every answer carries, as name/value pairs in a
 * NULL-terminated static array (tls adds Strict-Transport-Security).
 * cacheable (web_resp.cacheable) picks Cache-Control: 0 no-store, 1
 * no-cache, 2 "public, max-age=31536000, immutable".
 */
const char *const *web_security_headers(int tls, int cacheable);

/*
 * Cache-Control of what may be cached (cacheable 1 and 2 above): an
 * embedded file under its plain URL is checked again each time (its ETag
 * makes that a 304); under its content-hashed URL, whose name changes with
 * the content, it is kept for a year without asking.
 */
#define WEB_CACHE_REVALIDATE	"no-cache"
#define WEB_CACHE_IMMUTABLE	"public, max-age=31536000, immutable"

#endif
