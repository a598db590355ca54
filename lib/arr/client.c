#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <sodium.h>

#include "arr/client.h"
#include "arr/httperr.h"
#include "arr/jsplit.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/banned.h"

#ifndef COMRADARR_VERSION
#define COMRADARR_VERSION "0.0.0"
#endif

#define USER_AGENT "comradarr/" COMRADARR_VERSION \
	" (+https://github.com/comradarr/comradarr)"
/* How much of an error answer we keep for its message. */
#define ERROR_BODY_MAX 4096

struct arr_client {
	CURL *curl;
	enum arr_app app;
	enum arr_dialect dialect;
	char *base_url;		/* no trailing '/' */
	char *shown_url;	/* base_url without any user:password@ */
	char *api_key;
	struct curl_slist *hdr_key;	/* Accept + X-Api-Key */
	struct curl_slist *hdr_post;	/* the same + Content-Type */
	struct curl_slist *hdr_plain;	/* Accept only (/ping) */
	long timeout_ms;
	int tls_verify;
	size_t max_body;
	size_t max_element;
	struct arr_retry retry;
	uint32_t rnd;
	unsigned long requests;
	unsigned long long bytes;	/* body bytes received */
	char app_version[32];
	char curl_err[CURL_ERROR_SIZE];
	/* arr_client_set_keepalive() */
	arr_keepalive_fn keepalive;
	void *keepalive_arg;
	long keepalive_ms;
	int64_t keepalive_last_us;	/* monotonic */
};

/* One try of one request. */
struct xfer {
	struct arr_client *c;
	const char *what;	/* "GET /api/v3/series" */
	int stream;
	long status;
	long retry_after_ms;
	struct buf body;
	struct jsplit split;
	arr_element_fn fn;
	void *arg;
	unsigned long delivered;
	int cb_failed;
	struct err cb_err;
};

static void
wipe_slist(struct curl_slist *l)
{
	for (; l != NULL; l = l->next)
		sodium_memzero(l->data, strlen(l->data));
}

void
arr_client_free(struct arr_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	wipe_slist(c->hdr_key);
	wipe_slist(c->hdr_post);
	curl_slist_free_all(c->hdr_key);
	curl_slist_free_all(c->hdr_post);
	curl_slist_free_all(c->hdr_plain);
	if (c->api_key != NULL) {
		sodium_memzero(c->api_key, strlen(c->api_key));
		free(c->api_key);
	}
	free(c->base_url);
	free(c->shown_url);
	free(c);
}

/* "http://user:pw@host/x" -> "http://[REDACTED]@host/x" for messages. */
static char *
shown_url(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host, *at, *slash;
	struct buf b = BUF_INIT;

	if (scheme == NULL)
		return strdup(url);
	host = scheme + 3;
	slash = strchr(host, '/');
	at = memchr(host, '@', slash != NULL ? (size_t)(slash - host) : strlen(host));
	if (at == NULL)
		return strdup(url);
	if (buf_append(&b, url, (size_t)(host - url)) < 0 ||
	    buf_append_str(&b, "[REDACTED]") < 0 || buf_append_str(&b, at) < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static enum arr_dialect
default_dialect(enum arr_app app)
{
	switch (app) {
	case ARR_APP_RADARR:
		return ARR_DIALECT_RADARR;
	case ARR_APP_WHISPARR:
		return ARR_DIALECT_WHISPARR_V3;
	case ARR_APP_PROWLARR:
		return ARR_DIALECT_PROWLARR;
	default:
		return ARR_DIALECT_SONARR;
	}
}

static struct curl_slist *
add_header(struct curl_slist *l, const char *h, int *failed)
{
	struct curl_slist *n = curl_slist_append(l, h);

	if (n == NULL)
		*failed = 1;
	return n != NULL ? n : l;
}

int
arr_client_new(const struct arr_client_opts *o, struct arr_client **out,
	       struct err *e)
{
	struct arr_client *c = NULL;
	struct buf keyh = BUF_INIT;
	size_t n;
	int failed = 0, ret = -1;

	*out = NULL;
	if (o->base_url == NULL || (strncmp(o->base_url, "http://", 7) != 0 &&
				    strncmp(o->base_url, "https://", 8) != 0)) {
		err_set(e, ERR_CONFIG, "connector URL '%s' must start with http:// "
			"or https://", o->base_url != NULL ? o->base_url : "");
		goto out;
	}
	if (o->api_key == NULL || o->api_key[0] == '\0' ||
	    strpbrk(o->api_key, "\r\n") != NULL) {
		err_set(e, ERR_CONFIG, "the connector has no usable API key; copy "
			"it from the app's Settings > General");
		goto out;
	}
	log_secret_add(o->api_key);
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		goto nomem;
	c->app = o->app;
	c->dialect = default_dialect(o->app);
	c->base_url = strdup(o->base_url);
	c->api_key = strdup(o->api_key);
	if (c->base_url == NULL || c->api_key == NULL)
		goto nomem;
	n = strlen(c->base_url);
	while (n > 0 && c->base_url[n - 1] == '/')
		c->base_url[--n] = '\0';
	c->shown_url = shown_url(c->base_url);
	if (c->shown_url == NULL)
		goto nomem;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : ARR_DEFAULT_TIMEOUT_MS;
	c->tls_verify = o->tls_verify;
	c->max_body = o->max_body ? o->max_body : ARR_DEFAULT_MAX_BODY;
	c->max_element = o->max_element ? o->max_element : ARR_DEFAULT_MAX_ELEMENT;
	c->retry = o->retry;
	arr_retry_defaults(&c->retry);
	c->rnd = (uint32_t)clock_mono_us() ^ ((uint32_t)getpid() << 16) ^
		 (uint32_t)(uintptr_t)c;
	if (c->rnd == 0)
		c->rnd = 1;
	if (buf_appendf(&keyh, "X-Api-Key: %s", c->api_key) < 0)
		goto nomem;
	c->hdr_plain = add_header(NULL, "Accept: application/json", &failed);
	c->hdr_key = add_header(NULL, "Accept: application/json", &failed);
	c->hdr_key = add_header(c->hdr_key, keyh.data, &failed);
	c->hdr_post = add_header(NULL, "Accept: application/json", &failed);
	c->hdr_post = add_header(c->hdr_post, keyh.data, &failed);
	c->hdr_post = add_header(c->hdr_post, "Content-Type: application/json", &failed);
	/* no "Expect: 100-continue" round trip for small command bodies */
	c->hdr_post = add_header(c->hdr_post, "Expect:", &failed);
	if (failed)
		goto nomem;
	c->curl = curl_easy_init();
	if (c->curl == NULL) {
		err_set(e, ERR_INTERNAL, "cannot start an HTTP client (curl_easy_init "
			"failed); check that libcurl is installed correctly");
		goto out;
	}
	*out = c;
	c = NULL;
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory making the *arr client");
out:
	buf_release_secret(&keyh);
	arr_client_free(c);
	return ret;
}

void
arr_client_set_dialect(struct arr_client *c, enum arr_dialect d)
{
	c->dialect = d;
}

enum arr_dialect
arr_client_dialect(const struct arr_client *c)
{
	return c->dialect;
}

enum arr_app
arr_client_app(const struct arr_client *c)
{
	return c->app;
}

const char *
arr_client_api(const struct arr_client *c)
{
	return c->dialect == ARR_DIALECT_PROWLARR ? "/api/v1" : "/api/v3";
}

const char *
arr_client_app_version(const struct arr_client *c)
{
	return c->app_version;
}

unsigned long
arr_client_requests(const struct arr_client *c)
{
	return c->requests;
}

unsigned long long
arr_client_bytes(const struct arr_client *c)
{
	return c->bytes;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	char line[256];
	const char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new status line (after 100 Continue): forget the old one */
		x->status = 0;
		x->retry_after_ms = -1;
		return len;
	}
	if (len >= sizeof(line))
		return len;	/* no header we read is this long */
	memcpy(line, p, len);
	line[len] = '\0';
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
			   line[len - 1] == ' '))
		line[--len] = '\0';
	v = strchr(line, ':');
	if (v == NULL)
		return size * n;
	v++;
	while (*v == ' ' || *v == '\t')
		v++;
	if (strncasecmp(line, "Retry-After:", 12) == 0)
		x->retry_after_ms = arr_retry_after_parse(v, clock_now_us());
	else if (strncasecmp(line, "X-Application-Version:", 22) == 0) {
		size_t k = strlen(v);

		if (k >= sizeof(x->c->app_version))
			k = sizeof(x->c->app_version) - 1;
		memcpy(x->c->app_version, v, k);
		x->c->app_version[k] = '\0';
	}
	return size * n;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	x->c->bytes += len;
	if (x->status == 0)
		curl_easy_getinfo(x->c->curl, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->status < 200 || x->status > 299) {
		/* an error answer: keep its start for the message */
		size_t room = x->body.len < ERROR_BODY_MAX ? ERROR_BODY_MAX - x->body.len : 0;

		if (room > 0)
			buf_append(&x->body, p, len < room ? len : room);
		return len;
	}
	if (x->stream) {
		if (jsplit_feed(&x->split, p, len, &x->cb_err) < 0) {
			x->cb_failed = 1;
			return 0;
		}
		return len;
	}
	if (buf_append(&x->body, p, len) < 0) {
		err_set(&x->cb_err, ERR_PARSE, "the answer to '%s' is over %zu bytes; "
			"refusing it", x->what, x->c->max_body);
		x->cb_failed = 1;
		return 0;
	}
	return len;
}

static int
on_element(const char *data, size_t len, void *arg, struct err *e)
{
	struct xfer *x = arg;
	json_error_t je;
	json_t *j;
	int rc;

	j = json_loadb(data, len, JSON_DECODE_ANY, &je);
	if (j == NULL)
		/* je.text may quote the input: keep only the position */
		return err_set(e, ERR_PARSE, "element %lu of the answer to '%s' is "
			       "not valid JSON (line %d, column %d); the app sent a "
			       "broken list", x->delivered + 1, x->what, je.line,
			       je.column);
	x->delivered++;
	rc = x->fn(j, x->arg, e);
	json_decref(j);
	return rc;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow);

static void
set_options(struct arr_client *c, struct xfer *x, const char *method,
	    const char *url, const char *body, int with_key)
{
	CURL *h = c->curl;
	long secs = c->timeout_ms / 1000 > 0 ? c->timeout_ms / 1000 : 1;

	/* reset keeps live connections, DNS and TLS session caches */
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->tls_verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->tls_verify ? 2L : 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	if (x->stream) {
		/* a big list may take minutes; a silent peer may not */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, secs);
	} else {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	}
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	if (c->keepalive != NULL) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->hdr_post);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body != NULL ? body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
				 (long)(body != NULL ? strlen(body) : 0));
	} else {
		curl_easy_setopt(h, CURLOPT_HTTPHEADER,
				 with_key ? c->hdr_key : c->hdr_plain);
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	}
}

void
arr_client_set_keepalive(struct arr_client *c, arr_keepalive_fn fn, void *arg, long interval_ms)
{
	c->keepalive = fn;
	c->keepalive_arg = arg;
	c->keepalive_ms = interval_ms > 0 ? interval_ms : 1000;
	c->keepalive_last_us = clock_mono_us();
}

/* Call the keepalive when its interval has passed (real time: a lease
 * runs on the database's clock, whatever clock the caller injected). */
static void
keepalive_tick(struct arr_client *c)
{
	int64_t now;

	if (c->keepalive == NULL)
		return;
	now = clock_mono_us();
	if (now - c->keepalive_last_us < (int64_t)c->keepalive_ms * 1000)
		return;
	c->keepalive_last_us = now;
	c->keepalive(c->keepalive_arg);
}

/* libcurl calls this about once a second while a transfer waits, more
 * often while bytes move. */
static int
xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	keepalive_tick(ud);
	return 0;
}

/* Sleep between retries, in slices no longer than the keepalive's
 * interval so it keeps being called. */
static void
retry_sleep(struct arr_client *c, long ms)
{
	while (ms > 0) {
		long step = c->keepalive != NULL && c->keepalive_ms < ms ? c->keepalive_ms : ms;

		clock_sleep_ms(step);
		ms -= step;
		keepalive_tick(c);
	}
}

static int
transport_error(struct arr_client *c, const char *what, CURLcode rc,
		long long elapsed_ms, struct err *e)
{
	enum err_kind kind = arr_curl_error_kind((int)rc);
	char *detail = log_redact(c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
	const char *d = detail != NULL ? detail : curl_easy_strerror(rc);
	int ret;

	switch (kind) {
	case ERR_NET_TIMEOUT:
		ret = err_set(e, kind, "'%s' on '%s' timed out after %lld ms (limit "
			      "%ld ms); check that the app is up, or raise the "
			      "connector's timeout", what, c->shown_url, elapsed_ms,
			      c->timeout_ms);
		break;
	case ERR_NET_REFUSED:
		ret = err_set(e, kind, "'%s': connection to '%s' refused; check the "
			      "URL and port and that the app is running", what,
			      c->shown_url);
		break;
	case ERR_NET_DNS:
		ret = err_set(e, kind, "'%s': the host of '%s' does not resolve; "
			      "check the connector URL", what, c->shown_url);
		break;
	case ERR_NET_TLS:
		ret = err_set(e, kind, "'%s': TLS with '%s' failed (%s); fix the "
			      "certificate or turn TLS verification off for this "
			      "connector", what, c->shown_url, d);
		break;
	default:
		ret = err_set(e, kind, "'%s' on '%s' failed: %s", what,
			      c->shown_url, d);
		break;
	}
	free(detail);
	return ret;
}

/*
 * One try.  For a whole-document answer *out gets the parsed body (NULL
 * when it is empty and allow_empty).
 */
static int
try_once(struct arr_client *c, struct xfer *x, const char *method,
	 const char *path, const char *body, int with_key, long expect,
	 json_t **out, struct err *e)
{
	struct buf url = BUF_INIT;
	int64_t t0;
	long long elapsed_ms;
	CURLcode rc;
	int ret = -1;

	if (buf_appendf(&url, "%s%s", c->base_url, path) < 0) {
		err_set(e, ERR_NOMEM, "out of memory building the URL for '%s'", x->what);
		goto out;
	}
	set_options(c, x, method, url.data, body, with_key);
	c->curl_err[0] = '\0';
	c->requests++;
	t0 = clock_mono_us();
	rc = curl_easy_perform(c->curl);
	elapsed_ms = (long long)((clock_mono_us() - t0) / 1000);
	if (x->status == 0)
		curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &x->status);
	log_debug("arr", "%s -> %ld in %lld ms", x->what, x->status, elapsed_ms);
	if (x->cb_failed) {
		if (e != NULL)
			*e = x->cb_err;
		goto out;
	}
	if (rc != CURLE_OK) {
		transport_error(c, x->what, rc, elapsed_ms, e);
		goto out;
	}
	if (x->status < 200 || x->status > 299 || (expect != 0 && x->status != expect)) {
		if (x->status >= 200 && x->status <= 299)
			err_set(e, ERR_HTTP, "'%s' answered HTTP %ld where %ld was "
				"expected; is this the right app?", x->what,
				x->status, expect);
		else
			arr_http_status_error(x->status, x->what, x->body.data,
					      x->body.len, x->retry_after_ms, e);
		if (e != NULL)
			e->http_status = (int)x->status;
		goto out;
	}
	if (x->stream) {
		if (jsplit_finish(&x->split, e) < 0) {
			err_prefix(e, "'%s'", x->what);
			goto out;
		}
	} else if (out != NULL) {
		json_error_t je;

		*out = NULL;
		if (x->body.len > 0) {
			*out = json_loadb(x->body.data, x->body.len, JSON_DECODE_ANY, &je);
			if (*out == NULL) {
				err_set(e, ERR_PARSE, "the answer to '%s' is not valid "
					"JSON (line %d, column %d); is the URL an "
					"*arr app?", x->what, je.line, je.column);
				goto out;
			}
		}
	}
	ret = 0;
out:
	buf_release(&url);
	if (ret < 0 && e != NULL && e->http_status == 0)
		e->http_status = (int)x->status;
	return ret;
}

/* Can a failed POST be sent again without risk of acting twice? */
static int
post_retryable(enum err_kind k)
{
	return k == ERR_NET_REFUSED || k == ERR_NET_DNS || k == ERR_RATELIMIT ||
	       k == ERR_STARTING;
}

static int
request(struct arr_client *c, const char *method, const char *path,
	const char *body, int with_key, long expect, int tries,
	arr_element_fn fn, void *arg, json_t **out, struct err *e)
{
	struct err tmp = ERR_INIT;
	struct err *er = e != NULL ? e : &tmp;
	char what[256];
	int ret = -1;

	snprintf(what, sizeof(what), "%s %s", method, path);
	for (int attempt = 0;; attempt++) {
		struct xfer x;
		long delay;
		int rc;

		memset(&x, 0, sizeof(x));
		x.c = c;
		x.what = what;
		x.stream = fn != NULL;
		x.retry_after_ms = -1;
		x.fn = fn;
		x.arg = arg;
		err_clear(&x.cb_err);
		buf_init(&x.body, c->max_body);
		if (x.stream)
			jsplit_init(&x.split, c->max_element, on_element, &x);
		err_clear(er);
		rc = try_once(c, &x, method, path, body, with_key, expect, out, er);
		if (x.stream)
			jsplit_release(&x.split);
		buf_release(&x.body);
		if (rc == 0) {
			ret = 0;
			break;
		}
		if (!err_kind_retryable(er->kind) || attempt + 1 >= tries ||
		    x.delivered > 0 ||
		    (strcmp(method, "POST") == 0 && !post_retryable(er->kind)))
			break;
		delay = arr_backoff_ms(&c->retry, attempt, arr_retry_rand(&c->rnd));
		if (er->retry_after_ms >= 0) {
			if (er->retry_after_ms > c->retry.max_ms)
				break;	/* a long pause is the caller's decision */
			if (er->retry_after_ms > delay)
				delay = er->retry_after_ms;
		}
		log_info("arr", "%s (try %d of %d); trying again in %ld ms", er->msg,
			 attempt + 1, tries, delay);
		retry_sleep(c, delay);
	}
	return ret;
}

int
arr_client_get_json(struct arr_client *c, const char *path, json_t **out,
		    struct err *e)
{
	int rc;

	rc = request(c, "GET", path, NULL, 1, 0, c->retry.attempts, NULL, NULL,
		     out, e);
	if (rc == 0 && *out == NULL)
		return err_set(e, ERR_PARSE, "'GET %s' answered with an empty body; "
			       "is the URL an *arr app?", path);
	return rc;
}

int
arr_client_get_each(struct arr_client *c, const char *path, arr_element_fn fn,
		    void *arg, struct err *e)
{
	return request(c, "GET", path, NULL, 1, 0, c->retry.attempts, fn, arg,
		       NULL, e);
}

int
arr_client_post_json(struct arr_client *c, const char *path, const json_t *body,
		     long expect, json_t **out, struct err *e)
{
	char *s = json_dumps(body, JSON_COMPACT);
	json_t *res = NULL;
	int ret;

	if (s == NULL)
		return err_set(e, ERR_NOMEM, "out of memory encoding the body of "
			       "'POST %s'", path);
	ret = request(c, "POST", path, s, 1, expect, c->retry.attempts, NULL,
		      NULL, &res, e);
	free(s);
	if (out != NULL)
		*out = res;
	else
		json_decref(res);
	return ret;
}

int
arr_client_ping(struct arr_client *c, struct err *e)
{
	/* the body ({"status":"OK"}, or "Pong" on old builds) does not matter */
	return request(c, "GET", "/ping", NULL, 0, 0, 1, NULL, NULL, NULL, e);
}
