/*
 * http.c - the libmicrohttpd side: collecting a request, counting it,
 * applying the injected faults, checking the API key, routing, and turning
 * a struct fa_reply into a response.
 *
 * Thread per connection; one mutex (st->mu) guards the state, held while a
 * handler runs and per chunk while a big answer streams.  The handler uses
 * the two-call pattern (answer on the second call) so connections stay
 * alive between requests, as a real client's reused handle expects.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/banned.h"

#define MAX_BODY (4 * 1024 * 1024)

struct conn {
	struct buf body;
	int too_big;
};

const char *
fa_req_arg(const struct fa_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

long
fa_req_long(const struct fa_req *r, const char *name, long def, int *bad)
{
	const char *v = fa_req_arg(r, name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	n = strtol(v, &end, 10);
	if (*end != '\0') {
		if (bad != NULL)
			*bad = 1;
		return -1;
	}
	return n;
}

int
fa_req_bool(const struct fa_req *r, const char *name, int def)
{
	const char *v = fa_req_arg(r, name);

	if (v == NULL || *v == '\0')
		return def;
	return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

void
fa_reply_json(struct fa_reply *rp, int status, json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	rp->status = status;
	buf_reset(&rp->body);
	if (s != NULL)
		buf_append_str(&rp->body, s);
	free(s);
	json_decref(v);
}

void
fa_reply_error(struct fa_reply *rp, int status, const char *message)
{
	fa_reply_json(rp, status, json_pack("{s:s, s:s}", "message", message,
					    "description", message));
}

void
fa_reply_jw(struct fa_reply *rp, struct jw *w, int status)
{
	rp->status = status;
	buf_reset(&rp->body);
	jw_init(w, &rp->body, 0, 0);
}

static void
count_request(struct fa_state *st, const char *path)
{
	json_t *n;

	st->requests++;
	n = json_object_get(st->by_path, path);
	if (n != NULL)
		json_integer_set(n, json_integer_value(n) + 1);
	else if (json_object_size(st->by_path) < 10000)
		json_object_set_new(st->by_path, path, json_integer(1));
}

static int
key_ok(struct fa_state *st, struct MHD_Connection *c)
{
	const char *k = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Api-Key");

	if (k == NULL)
		k = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "apikey");
	if (k == NULL) {
		const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");

		if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0)
			k = a + 7;
	}
	return k != NULL && strcmp(k, st->o.api_key) == 0;
}

static double
fault_roll(struct fa_state *st)
{
	st->fault_rng = fa_hash(st->fault_rng, 0x5eed, 1);
	return (double)(st->fault_rng >> 11) * (1.0 / 9007199254740992.0);
}

/* Forget the faults whose count ran out (count -1 never does). */
static void
faults_compact(struct fa_state *st)
{
	int i, j = 0;

	for (i = 0; i < st->n_faults; i++)
		if (st->faults[i].count != 0)
			st->faults[j++] = st->faults[i];
	st->n_faults = j;
}

static int
fault_matches(const struct fa_fault *f, const struct fa_req *r)
{
	return (f->path[0] == '\0' || strncmp(r->path, f->path, strlen(f->path)) == 0) &&
	       (f->method[0] == '\0' || strcmp(r->method, f->method) == 0);
}

/* Latency injected before a request is acted on ("before": true): the
 * sum of the matching faults' ms, each counted as fired. */
static long
latency_before(struct fa_state *st, const struct fa_req *r)
{
	long ms = 0;

	for (int i = 0; i < st->n_faults; i++) {
		struct fa_fault *f = &st->faults[i];

		if (f->kind != FA_F_LATENCY || !f->before || !fault_matches(f, r))
			continue;
		ms += f->ms;
		if (f->count > 0)
			f->count--;
	}
	faults_compact(st);
	return ms;
}

/*
 * Apply the faults that match this path.  Returns 1 when a fault answered
 * (rp filled or rp->drop set); *sleep_ms gets any latency to add.
 */
static int
apply_faults(struct fa_state *st, struct fa_req *r, struct fa_reply *rp, long *sleep_ms)
{
	int i, answered = 0;

	for (i = 0; i < st->n_faults; i++) {
		struct fa_fault *f = &st->faults[i];
		int fired = 1;

		if (!fault_matches(f, r) || (f->kind == FA_F_LATENCY && f->before))
			continue;
		switch (f->kind) {
		case FA_F_DROP:
			rp->drop = 1;
			break;
		case FA_F_AUTH:
			rp->status = MHD_HTTP_UNAUTHORIZED;
			break;
		case FA_F_STARTUP:
			fa_reply_json(rp, MHD_HTTP_SERVICE_UNAVAILABLE, json_pack("{s:s}",
				      "errorMessage", "The application is starting up, try again later"));
			break;
		case FA_F_RATELIMIT:
			fa_reply_json(rp, 429, json_pack("{s:s}", "message", "Too Many Requests"));
			snprintf(rp->retry_after, sizeof(rp->retry_after), "%s", f->retry_after);
			break;
		case FA_F_5XX:
			fired = f->rate >= 1.0 || fault_roll(st) < f->rate;
			if (fired)
				fa_reply_error(rp, f->status, "Internal Server Error (injected fault)");
			break;
		case FA_F_LATENCY:
			*sleep_ms += f->ms;
			break;
		case FA_F_UNKNOWN:
			r->fault_flags |= FA_ADD_UNKNOWN;
			break;
		case FA_F_MISSING:
			r->missing_every = f->every > 0 ? f->every : 10;
			break;
		case FA_F_TRUNCATE:
			r->truncate = 1;
			break;
		case FA_F_MAX:
			fired = 0;
			break;
		}
		if (!fired)
			continue;
		if (f->count > 0)
			f->count--;
		if (f->kind == FA_F_DROP || f->kind == FA_F_AUTH || f->kind == FA_F_STARTUP ||
		    f->kind == FA_F_RATELIMIT || f->kind == FA_F_5XX) {
			answered = 1;
			break;
		}
	}
	faults_compact(st);
	return answered;
}

static void
route(struct fa_state *st, struct fa_req *r, struct fa_reply *rp, long *sleep_ms)
{
	if (strncmp(r->path, "/__fake/", 8) == 0) {
		if (!fa_control(st, r, rp))
			fa_reply_error(rp, MHD_HTTP_NOT_FOUND, "no such control endpoint");
		return;
	}
	if (apply_faults(st, r, rp, sleep_ms))
		return;
	if (strcmp(r->path, "/ping") == 0) {
		fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:s}", "status", "OK"));
		return;
	}
	if (strncmp(r->path, "/api", 4) != 0) {
		rp->status = MHD_HTTP_NOT_FOUND;
		return;
	}
	if (!key_ok(st, r->conn)) {
		rp->status = MHD_HTTP_UNAUTHORIZED;	/* empty body, like the apps */
		return;
	}
	if (fa_api_common(st, r, rp) || fa_api_paged(st, r, rp))
		return;
	if (fa_app_is_tv(st) && fa_api_tv(st, r, rp))
		return;
	if (fa_app_is_movie(st) && fa_api_movie(st, r, rp))
		return;
	rp->status = MHD_HTTP_NOT_FOUND;
}

static enum MHD_Result
send_reply(struct fa_state *st, struct MHD_Connection *c, const char *path,
	   struct fa_reply *rp, int truncate)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (rp->stream != NULL) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024,
							 fa_stream_read, rp->stream,
							 fa_stream_done);
		if (resp == NULL)
			fa_stream_free(rp->stream);
		rp->stream = NULL;
	} else {
		size_t len = rp->body.len;

		if (truncate)
			len /= 2;
		resp = MHD_create_response_from_buffer(len, len ? rp->body.data : (void *)"",
						       MHD_RESPMEM_MUST_COPY);
		pthread_mutex_lock(&st->mu);
		st->bytes_sent += len;
		pthread_mutex_unlock(&st->mu);
	}
	if (resp == NULL)
		return MHD_NO;
	if (rp->content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
	if (strncmp(path, "/api", 4) == 0)
		MHD_add_response_header(resp, "X-Application-Version", st->o.version);
	if (rp->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, rp->location);
	if (rp->retry_after[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, rp->retry_after);
	ret = MHD_queue_response(c, (unsigned)rp->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
	const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct fa_state *st = cls;
	struct conn *cn = *con_cls;
	struct fa_req r;
	struct fa_reply rp;
	long sleep_ms = 0;
	enum MHD_Result ret;

	(void)version;
	if (cn == NULL) {
		cn = calloc(1, sizeof(*cn));
		if (cn == NULL)
			return MHD_NO;
		buf_init(&cn->body, MAX_BODY);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (buf_append(&cn->body, upload, *upload_size) < 0)
			cn->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	memset(&rp, 0, sizeof(rp));
	buf_init(&rp.body, 0);
	rp.status = MHD_HTTP_OK;
	r.conn = c;
	r.method = method;
	r.path = url;
	r.body = cn->body.data ? cn->body.data : "";
	r.body_len = cn->body.len;

	if (strncmp(url, "/__fake/", 8) != 0) {
		long before;

		pthread_mutex_lock(&st->mu);
		before = latency_before(st, &r);
		pthread_mutex_unlock(&st->mu);
		if (before > 0) {
			struct timespec ts = { before / 1000, (before % 1000) * 1000000L };

			nanosleep(&ts, NULL);	/* the request reaches the app late */
		}
	}
	pthread_mutex_lock(&st->mu);
	count_request(st, url);
	fa_tick(st, 0);
	if (cn->too_big)
		fa_reply_error(&rp, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
	else
		route(st, &r, &rp, &sleep_ms);
	pthread_mutex_unlock(&st->mu);

	if (sleep_ms > 0) {
		struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);	/* injected latency is real time by design */
	}
	if (rp.drop) {
		buf_release(&rp.body);
		fa_stream_free(rp.stream);
		return MHD_NO;
	}
	if (rp.content_type == NULL && (rp.body.len > 0 || rp.stream != NULL))
		rp.content_type = "application/json; charset=utf-8";
	if (rp.stream != NULL)
		fa_stream_set_faults(rp.stream, r.missing_every,
				     (r.fault_flags & FA_ADD_UNKNOWN) != 0, r.truncate);
	ret = send_reply(st, c, url, &rp, r.truncate);
	buf_release(&rp.body);
	return ret;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (cn == NULL)
		return;
	buf_release(&cn->body);
	free(cn);
	*con_cls = NULL;
}

void *
fa_http_start(struct fa_state *st, int *port, char *errbuf, size_t errsize)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)st->o.port);
	if (inet_pton(AF_INET, st->o.bind, &sa.sin_addr) != 1) {
		snprintf(errbuf, errsize, "bad --bind address \"%s\": give an IPv4 address", st->o.bind);
		return NULL;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_ERROR_LOG,
			     (uint16_t)st->o.port, NULL, NULL, handler, st,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, st,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
			     MHD_OPTION_END);
	if (d == NULL) {
		snprintf(errbuf, errsize, "cannot listen on %s:%d: is the port in use?",
			 st->o.bind, st->o.port);
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*port = info != NULL ? info->port : st->o.port;
	return d;
}

void
fa_http_stop(void *daemon)
{
	if (daemon != NULL)
		MHD_stop_daemon(daemon);
}
