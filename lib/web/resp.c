/*
 * resp.c - building answers, and reading a request's parameters and body
 * (see web.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "web/web.h"
#include "core/banned.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " \
	    "frame-ancestors 'none'"

static const char *const sec_plain[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", "no-store",
	NULL
};

static const char *const sec_plain_cache[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", WEB_CACHE_REVALIDATE,
	NULL
};

static const char *const sec_tls[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", "no-store",
	"Strict-Transport-Security", "max-age=31536000",
	NULL
};

static const char *const sec_tls_cache[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", WEB_CACHE_REVALIDATE,
	"Strict-Transport-Security", "max-age=31536000",
	NULL
};

/* a fingerprinted asset: its URL changes with its content */
static const char *const sec_plain_immutable[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", WEB_CACHE_IMMUTABLE,
	NULL
};

static const char *const sec_tls_immutable[] = {
	"Content-Security-Policy", CSP,
	"X-Frame-Options", "DENY",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "same-origin",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin",
	"Cache-Control", WEB_CACHE_IMMUTABLE,
	"Strict-Transport-Security", "max-age=31536000",
	NULL
};

const char *const *
web_security_headers(int tls, int cacheable)
{
	if (cacheable == 2)
		return tls ? sec_tls_immutable : sec_plain_immutable;
	if (tls)
		return cacheable ? sec_tls_cache : sec_tls;
	return cacheable ? sec_plain_cache : sec_plain;
}

/* Another answer replaces a file answer: the file is closed. */
static void
drop_file(struct web_resp *resp)
{
	if (resp->has_file)
		close(resp->file_fd);
	resp->has_file = 0;
}

int
web_resp_json(struct web_resp *resp, int status, json_t *v)
{
	char *s;

	drop_file(resp);

	if (v == NULL)
		return web_resp_error(resp, 500, "internal", NULL, "out of memory");
	s = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	buf_reset(&resp->body);
	if (s == NULL || buf_append_str(&resp->body, s) < 0 || buf_putc(&resp->body, '\n') < 0) {
		free(s);
		resp->status = 500;
		resp->content_type = "application/json";
		return -1;
	}
	free(s);
	resp->status = status;
	resp->content_type = "application/json";
	return 0;
}

int
web_resp_error(struct web_resp *resp, int status, const char *code, const char *field,
	       const char *fmt, ...)
{
	char msg[512];
	char *safe;
	json_t *err;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	safe = log_redact(msg);
	err = json_pack("{s:s,s:s}", "code", code, "message", safe ? safe : "error");
	free(safe);
	if (err != NULL && field != NULL)
		json_object_set_new(err, "field", json_string(field));
	resp->error_code = code;
	web_resp_json(resp, status, json_pack("{s:o}", "error", err));
	return -1;
}

int
web_resp_err(struct web_resp *resp, const struct err *e)
{
	switch (e->kind) {
	case ERR_NOTFOUND:
		return web_resp_error(resp, 404, "not_found", NULL, "%s", e->msg);
	case ERR_USAGE:
	case ERR_CONFIG:
		return web_resp_error(resp, 400, "invalid", NULL, "%s", e->msg);
	case ERR_CONFLICT:
		return web_resp_error(resp, 409, "conflict", NULL, "%s", e->msg);
	case ERR_DB:
		log_warn("serve", "database error: %s", e->msg);
		return web_resp_error(resp, 503, "database_error", NULL,
				      "the database refused the request; see the server log");
	default:
		/* the details go to the log, not to the caller */
		log_warn("serve", "internal error: %s", e->msg);
		return web_resp_error(resp, 500, "internal", NULL, "internal error; see the server log");
	}
}

int
web_resp_bytes(struct web_resp *resp, int status, const char *content_type, const void *data,
	       size_t len)
{
	drop_file(resp);
	buf_reset(&resp->body);
	if (len > 0 && buf_append(&resp->body, data, len) < 0)
		return web_resp_error(resp, 500, "internal", NULL, "out of memory");
	resp->status = status;
	resp->content_type = content_type;
	return 0;
}

int
web_resp_file(struct web_resp *resp, int status, const char *content_type, int fd, uint64_t len)
{
	buf_reset(&resp->body);
	drop_file(resp);
	resp->has_file = 1;
	resp->file_fd = fd;
	resp->file_len = len;
	resp->status = status;
	resp->content_type = content_type;
	return 0;
}

int
web_resp_header(struct web_resp *resp, const char *name, const char *value)
{
	if (resp->nheaders == WEB_MAX_HEADERS || name == NULL || value == NULL ||
	    strpbrk(name, "\r\n: ") != NULL || strpbrk(value, "\r\n") != NULL)
		return -1;
	resp->hname[resp->nheaders] = strdup(name);
	resp->hvalue[resp->nheaders] = strdup(value);
	if (resp->hname[resp->nheaders] == NULL || resp->hvalue[resp->nheaders] == NULL) {
		free(resp->hname[resp->nheaders]);
		free(resp->hvalue[resp->nheaders]);
		return -1;
	}
	resp->nheaders++;
	return 0;
}

void
web_resp_release(struct web_resp *resp)
{
	for (int i = 0; i < resp->nheaders; i++) {
		free(resp->hname[i]);
		free(resp->hvalue[i]);
	}
	resp->nheaders = 0;
	buf_release(&resp->body);
	drop_file(resp);
	/* a stream never handed to libmicrohttpd (it frees those itself) */
	if (resp->stream_free != NULL)
		resp->stream_free(resp->stream_arg);
	resp->stream_free = NULL;
	resp->stream_arg = NULL;
}

const char *
web_req_param(const struct web_req *req, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < req->params.n; i++)
		if (strncmp(req->params.name[i], name, n) == 0 && req->params.name[i][n] == '}')
			return req->params.value[i];
	return NULL;
}

json_t *
web_req_json(struct web_req *req, struct web_resp *resp)
{
	json_error_t je;
	json_t *v;

	if (req->body.len == 0) {
		web_resp_error(resp, 400, "invalid_json", NULL, "a JSON object body is needed");
		return NULL;
	}
	v = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL || !json_is_object(v)) {
		json_decref(v);
		web_resp_error(resp, 400, "invalid_json", NULL, "the body is not a JSON object");
		return NULL;
	}
	return v;
}
