/*
 * send.c - one request per message, per service (e-mail: email.c).  See
 * notify.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "notify/notify.h"
#include "notify/send_int.h"
#include "core/banned.h"

#define BODY_MAX (64 * 1024)	/* of an answer: we only keep its start */


static size_t
write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;

	if (r->answer.len + len > BODY_MAX)
		return len;	/* keep the start, swallow the rest */
	return buf_append(&r->answer, p, len) < 0 ? 0 : len;
}

static size_t
header_cb(char *p, size_t size, size_t n, void *arg)
{
	struct req *r = arg;
	size_t len = size * n;

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		char v[64];
		size_t m = len - 12 < sizeof(v) - 1 ? len - 12 : sizeof(v) - 1;
		char *end;
		double secs;

		memcpy(v, p + 12, m);
		v[m] = '\0';
		secs = strtod(v, &end);
		if (end != v && secs >= 0) {
			r->retry_after_ms = (long)(secs * 1000);
		} else {
			time_t t = curl_getdate(v, NULL);

			if (t > 0)
				r->retry_after_ms = (long)((int64_t)t * 1000 - clock_now_us() / 1000);
		}
		if (r->retry_after_ms > 3600L * 1000)
			r->retry_after_ms = 3600L * 1000;
	}
	return len;
}

static enum err_kind
curl_kind(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: return ERR_NET_REFUSED;
	case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY: return ERR_NET_DNS;
	case CURLE_OPERATION_TIMEDOUT: return ERR_NET_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return ERR_NET_TLS;
	case CURLE_LOGIN_DENIED: return ERR_AUTH;
	default: return ERR_NET;
	}
}

static int
tls_verify(const json_t *config)
{
	json_t *v = json_object_get(config, "tls_verify");

	return v == NULL || json_is_true(v);
}

/* One line of the answer, redacted: "ok", or a service's error message. */
static void
excerpt(const struct buf *b, char *out, size_t size)
{
	char *red;
	size_t n = 0;

	out[0] = '\0';
	if (b->data == NULL)
		return;
	red = log_redact(b->data);
	if (red == NULL)
		return;
	for (const char *p = red; *p != '\0' && n + 1 < size; p++)
		out[n++] = (*p == '\r' || *p == '\n' || *p == '\t') ? ' ' : *p;
	out[n] = '\0';
	free(red);
}

void
common_opts(CURL *h, struct req *r)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->curl_err);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, tls_verify(r->config) ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, tls_verify(r->config) ? 2L : 0L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
}

/*
 * The transport failed: say so without the URL (it may hold a token).  curl's
 * own message names the host at most; it still goes through the redactor.
 */
int
transport_error(const char *service, CURLcode c, const struct req *r, struct err *e)
{
	char *red = log_redact(r->curl_err[0] ? r->curl_err : curl_easy_strerror(c));
	int ret = err_set(e, curl_kind(c), "%s: %s", service, red ? red : "transport failure");

	free(red);
	return ret;
}

/* Discord's and Telegram's 429 answers say how long to wait in the body. */
static long
body_retry_after(const struct buf *b)
{
	json_t *j, *v;
	long ms = -1;

	if (b->data == NULL || (j = json_loads(b->data, 0, NULL)) == NULL)
		return -1;
	v = json_object_get(j, "retry_after");
	if (v == NULL)
		v = json_object_get(json_object_get(j, "parameters"), "retry_after");
	if (json_is_number(v))
		ms = (long)(json_number_value(v) * 1000);
	json_decref(j);
	return ms;
}

static int
http_post(const char *service, const char *url, struct curl_slist *hdr, const char *body,
	  size_t len, struct req *r, struct notify_answer *ans, struct err *e)
{
	CURL *h = curl_easy_init();
	CURLcode c;
	long status = 0;
	int ret = -1;

	if (h == NULL)
		return err_set(e, ERR_NOMEM, "out of memory starting a request");
	common_opts(h, r);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)len);
	c = curl_easy_perform(h);
	if (c != CURLE_OK) {
		transport_error(service, c, r, e);
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (ans != NULL) {
		ans->status = status;
		excerpt(&r->answer, ans->text, sizeof(ans->text));
	}
	if (status >= 200 && status < 300) {
		ret = 0;
		goto out;
	}
	{
		char ex[200];

		excerpt(&r->answer, ex, sizeof(ex));
		err_set(e, status == 401 || status == 403 ? ERR_AUTH : status == 429 ? ERR_RATELIMIT :
			status >= 500 ? ERR_SERVER : ERR_HTTP, "%s answered %ld%s%s", service, status,
			ex[0] ? ": " : "", ex);
		e->http_status = (int)status;
		if (status == 429) {
			long b = body_retry_after(&r->answer);

			e->retry_after_ms = r->retry_after_ms >= 0 ? r->retry_after_ms : b;
		}
	}
out:
	curl_easy_cleanup(h);
	return ret;
}

/* Cut s to at most max code points (UTF-8), marking the cut with "...". */
static char *
cut(const char *s, size_t max)
{
	size_t cps = 0, i = 0, keep = 0;
	char *out;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cps == max - 3)
				keep = i;
			cps++;
		}
	}
	if (cps <= max)
		return strdup(s);
	out = malloc(keep + 4);
	if (out == NULL)
		return NULL;
	memcpy(out, s, keep);
	memcpy(out + keep, "...", 4);
	return out;
}

const char *
cfg_str(const json_t *config, const char *key, const char *dflt)
{
	const char *v = json_string_value(json_object_get(config, key));

	return v != NULL && v[0] != '\0' ? v : dflt;
}

static int
priority(const json_t *config, const struct notify_message *m, int info, int warn, int error)
{
	json_t *v = json_object_get(config, "priority");

	if (json_is_integer(v))
		return (int)json_integer_value(v);
	return m->severity == NOTIFY_ERROR ? error : m->severity == NOTIFY_WARNING ? warn : info;
}

/* Append base and path to b, without doubling the slash between. */
static int
join_url(struct buf *b, const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return buf_append(b, base, n) < 0 || buf_append_str(b, path) < 0 ? -1 : 0;
}

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

/* The text a service with one field shows: title, blank line, body. */
static char *
plain_text(const struct notify_message *m, size_t max)
{
	struct buf b = BUF_INIT;
	char *all, *c;

	if (buf_appendf(&b, "%s\n\n%s", m->title, m->body) < 0) {
		buf_release(&b);
		return NULL;
	}
	all = buf_detach(&b);
	c = cut(all, max);
	free(all);
	return c;
}

static int
send_json(const char *service, const char *url, struct curl_slist *extra, char *body,
	  struct req *r, struct notify_answer *ans, struct err *e)
{
	struct curl_slist *hdr = curl_slist_append(extra, "Content-Type: application/json");
	int ret;

	if (body == NULL || hdr == NULL) {
		free(body);
		curl_slist_free_all(hdr != NULL ? hdr : extra);
		return err_set(e, ERR_NOMEM, "out of memory building a %s message", service);
	}
	ret = http_post(service, url, hdr, body, strlen(body), r, ans, e);
	curl_slist_free_all(hdr);
	free(body);
	return ret;
}

static int
send_discord(const json_t *s, const struct notify_message *m, struct req *r,
	     struct notify_answer *ans, struct err *e)
{
	static const int colours[] = { 0x3b82f6, 0xf59e0b, 0xef4444 };
	struct buf url = BUF_INIT;
	char *t = cut(m->title, 256), *d = cut(m->body, 4096), *content = cut(m->title, 2000);
	int ret = -1;

	if (t == NULL || d == NULL || content == NULL ||
	    buf_appendf(&url, "%s%swait=true", cfg_str(s, "url", ""),
			strchr(cfg_str(s, "url", ""), '?') ? "&" : "?") < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = send_json("discord", url.data, NULL,
			dump(json_pack("{s:s, s:s, s:[{s:s, s:s, s:i}]}", "username", "Comradarr",
				       "content", content, "embeds", "title", t, "description", d,
				       "color", colours[m->severity])), r, ans, e);
out:
	buf_release_secret(&url);
	free(t);
	free(d);
	free(content);
	return ret;
}

static int
send_slack(const json_t *s, const struct notify_message *m, struct req *r,
	   struct notify_answer *ans, struct err *e)
{
	char *h = cut(m->title, 150), *b = cut(m->body, 3000);
	int ret;

	if (h == NULL || b == NULL) {
		free(h);
		free(b);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	ret = send_json("slack", cfg_str(s, "url", ""), NULL,
			dump(json_pack("{s:s, s:[{s:s, s:{s:s, s:s}}, {s:s, s:{s:s, s:s}}]}",
				       "text", m->title, "blocks",
				       "type", "header", "text", "type", "plain_text", "text", h,
				       "type", "section", "text", "type", "mrkdwn", "text", b)),
			r, ans, e);
	free(h);
	free(b);
	return ret;
}

static int
send_telegram(const json_t *c, const json_t *s, const struct notify_message *m, struct req *r,
	      struct notify_answer *ans, struct err *e)
{
	struct buf url = BUF_INIT;
	char *text = plain_text(m, 4096);
	json_t *chat = json_object_get(c, "chat_id");
	int ret = -1;

	if (text == NULL || join_url(&url, cfg_str(c, "url", "https://api.telegram.org"), "/bot") < 0 ||
	    buf_appendf(&url, "%s/sendMessage", cfg_str(s, "token", "")) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = send_json("telegram", url.data, NULL,
			dump(json_pack("{s:O, s:s, s:b}", "chat_id", chat, "text", text,
				       "disable_web_page_preview", 1)), r, ans, e);
out:
	buf_release_secret(&url);
	free(text);
	return ret;
}

static int
send_gotify(const json_t *c, const json_t *s, const struct notify_message *m, struct req *r,
	    struct notify_answer *ans, struct err *e)
{
	struct buf url = BUF_INIT, key = BUF_INIT;
	struct curl_slist *hdr = NULL;
	/* Gotify's scale is 0..10; ours -2..5 maps onto it */
	int prio = priority(c, m, 1, 3, 5) * 2, ret = -1;

	if (join_url(&url, cfg_str(c, "url", ""), "/message") < 0 ||
	    buf_appendf(&key, "X-Gotify-Key: %s", cfg_str(s, "token", "")) < 0 ||
	    (hdr = curl_slist_append(NULL, key.data)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = send_json("gotify", url.data, hdr,
			dump(json_pack("{s:s, s:s, s:i}", "title", m->title, "message", m->body,
				       "priority", prio > 0 ? prio : 0)), r, ans, e);
	hdr = NULL;
out:
	curl_slist_free_all(hdr);
	buf_release(&url);
	buf_release_secret(&key);
	return ret;
}

/* A header value: no CR/LF (a header injection), at most 250 bytes. */
static int
header(struct curl_slist **l, const char *name, const char *value)
{
	struct buf b = BUF_INIT;
	struct curl_slist *n;

	if (buf_appendf(&b, "%s: ", name) < 0)
		return -1;
	for (const char *p = value; *p != '\0' && b.len < 250; p++) {
		if (buf_putc(&b, *p == '\r' || *p == '\n' ? ' ' : *p) < 0) {
			buf_release(&b);
			return -1;
		}
	}
	n = curl_slist_append(*l, b.data);
	buf_release_secret(&b);
	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

static int
send_ntfy(const json_t *c, const json_t *s, const struct notify_message *m, struct req *r,
	  struct notify_answer *ans, struct err *e)
{
	struct buf url = BUF_INIT, auth = BUF_INIT;
	struct curl_slist *hdr = NULL;
	char prio[8], *body = cut(m->body, 4000);
	const char *token = cfg_str(s, "token", NULL);
	int p = priority(c, m, 3, 4, 5), ret = -1;

	snprintf(prio, sizeof(prio), "%d", p < 1 ? 1 : p > 5 ? 5 : p);
	if (body == NULL || join_url(&url, cfg_str(c, "url", ""), "/") < 0 ||
	    buf_append_str(&url, cfg_str(c, "topic", "")) < 0 ||
	    header(&hdr, "Title", m->title) < 0 || header(&hdr, "Priority", prio) < 0 ||
	    header(&hdr, "Content-Type", "text/plain; charset=utf-8") < 0 ||
	    (cfg_str(c, "tags", NULL) && header(&hdr, "Tags", cfg_str(c, "tags", "")) < 0) ||
	    (token && (buf_appendf(&auth, "Bearer %s", token) < 0 ||
		       header(&hdr, "Authorization", auth.data) < 0))) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = http_post("ntfy", url.data, hdr, body, strlen(body), r, ans, e);
out:
	curl_slist_free_all(hdr);
	buf_release(&url);
	buf_release_secret(&auth);
	free(body);
	return ret;
}

static int
form_field(struct buf *b, CURL *h, const char *k, const char *v)
{
	char *esc = curl_easy_escape(h, v, 0);
	int ret = esc == NULL ? -1 : buf_appendf(b, "%s%s=%s", b->len ? "&" : "", k, esc);

	if (esc != NULL) {
		sodium_memzero(esc, strlen(esc));
		curl_free(esc);
	}
	return ret;
}

static int
send_pushover(const json_t *c, const json_t *s, const struct notify_message *m, struct req *r,
	      struct notify_answer *ans, struct err *e)
{
	struct buf url = BUF_INIT, form = BUF_INIT;
	struct curl_slist *hdr = NULL;
	CURL *h = curl_easy_init();
	char prio[8], *t = cut(m->title, 250), *msg = cut(m->body, 1024);
	int p = priority(c, m, 0, 0, 1), ret = -1;

	snprintf(prio, sizeof(prio), "%d", p < -2 ? -2 : p > 1 ? 1 : p);
	if (h == NULL || t == NULL || msg == NULL ||
	    join_url(&url, cfg_str(c, "url", "https://api.pushover.net"), "/1/messages.json") < 0 ||
	    form_field(&form, h, "token", cfg_str(s, "token", "")) < 0 ||
	    form_field(&form, h, "user", cfg_str(s, "user", "")) < 0 ||
	    form_field(&form, h, "title", t) < 0 || form_field(&form, h, "message", msg) < 0 ||
	    form_field(&form, h, "priority", prio) < 0 ||
	    header(&hdr, "Content-Type", "application/x-www-form-urlencoded") < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = http_post("pushover", url.data, hdr, form.data, form.len, r, ans, e);
out:
	if (h != NULL)
		curl_easy_cleanup(h);
	curl_slist_free_all(hdr);
	buf_release(&url);
	buf_release_secret(&form);
	free(t);
	free(msg);
	return ret;
}

void
notify_webhook_signature(const char *secret, const char *timestamp, const char *body,
			 size_t body_len, char out[72])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

static int
send_webhook(const json_t *s, const struct notify_message *m, struct req *r,
	     struct notify_answer *ans, struct err *e)
{
	struct curl_slist *hdr = NULL;
	char ts[24], sig[72], id[24], *body;
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:I, s:b}", "event_type", m->kind,
			      "severity", notify_severity_name(m->severity), "title", m->title,
			      "body", m->body, "count", m->nevents, "channel",
			      m->channel ? m->channel : "", "message_id", (json_int_t)m->id,
			      "test", m->id == 0);
	int ret = -1;

	if (j != NULL)
		json_object_set_new(j, "events", m->events ? json_deep_copy(m->events) :
				    json_array());
	body = j ? dump(j) : NULL;
	snprintf(ts, sizeof(ts), "%lld", (long long)(clock_now_us() / 1000000));
	snprintf(id, sizeof(id), "%lld", (long long)m->id);
	if (body == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	notify_webhook_signature(cfg_str(s, "hmac_secret", ""), ts, body, strlen(body), sig);
	if (header(&hdr, "X-Comradarr-Timestamp", ts) < 0 ||
	    header(&hdr, "X-Comradarr-Signature", sig) < 0 ||
	    header(&hdr, "X-Comradarr-Delivery", id) < 0 ||
	    header(&hdr, "X-Comradarr-Event", m->kind) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = send_json("webhook", cfg_str(s, "url", ""), hdr, body, r, ans, e);
	body = NULL;
	hdr = NULL;
out:
	curl_slist_free_all(hdr);
	free(body);
	return ret;
}

/* Every secret string, registered with the redactor before it is used. */
static void
register_secrets(const json_t *secrets)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)secrets, k, v) {
		if (json_is_string(v))
			log_secret_add(json_string_value(v));
	}
}

int
notify_send(const char *type, const json_t *config, const json_t *secrets,
	    const struct notify_message *m, struct notify_answer *ans, struct err *e)
{
	struct req r;
	int ret;

	if (ans != NULL)
		memset(ans, 0, sizeof(*ans));
	if (notify_channel_check(type, config, secrets, e) < 0)
		return -1;
	register_secrets(secrets);
	memset(&r, 0, sizeof(r));
	r.config = config;
	r.retry_after_ms = -1;
	buf_init(&r.answer, BODY_MAX + 1);
	if (strcmp(type, "discord") == 0)
		ret = send_discord(secrets, m, &r, ans, e);
	else if (strcmp(type, "slack") == 0)
		ret = send_slack(secrets, m, &r, ans, e);
	else if (strcmp(type, "telegram") == 0)
		ret = send_telegram(config, secrets, m, &r, ans, e);
	else if (strcmp(type, "gotify") == 0)
		ret = send_gotify(config, secrets, m, &r, ans, e);
	else if (strcmp(type, "ntfy") == 0)
		ret = send_ntfy(config, secrets, m, &r, ans, e);
	else if (strcmp(type, "pushover") == 0)
		ret = send_pushover(config, secrets, m, &r, ans, e);
	else if (strcmp(type, "email") == 0)
		ret = notify_send_email(config, secrets, m, &r, ans, e);
	else
		ret = send_webhook(secrets, m, &r, ans, e);
	buf_release(&r.answer);
	return ret;
}
