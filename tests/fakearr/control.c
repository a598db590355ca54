/*
 * control.c - the control API under /__fake/ (no key; in no spec): the
 * ledger of commands received, fault injection, library mutations, the
 * library summary and dump, health and indexer status, the clock and the
 * request counters.  Bodies in and out are JSON.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/banned.h"

static const char *const fault_names[FA_F_MAX] = {
	"auth", "startup", "status5xx", "latency", "ratelimit",
	"unknown_fields", "missing_fields", "truncate", "drop"
};

static json_t *
body_json(struct fa_req *r, struct fa_reply *rp)
{
	json_error_t jerr;
	json_t *v = json_loadb(r->body, r->body_len, 0, &jerr);

	if (v == NULL) {
		char msg[256];

		snprintf(msg, sizeof(msg), "body is not JSON: %s", jerr.text);
		fa_reply_error(rp, MHD_HTTP_BAD_REQUEST, msg);
	}
	return v;
}

static json_t *
faults_json(struct fa_state *st)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < st->n_faults; i++) {
		struct fa_fault *f = &st->faults[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:I}", "kind", fault_names[f->kind],
				      "path", f->path, "method", f->method, "count", (json_int_t)f->count));
	}
	return a;
}

static void
fault_post(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	json_t *b = body_json(r, rp), *v;
	const char *kind = json_string_value(json_object_get(b, "kind"));
	struct fa_fault f;
	int i;

	if (b == NULL)
		return;
	memset(&f, 0, sizeof(f));
	f.kind = FA_F_MAX;
	for (i = 0; kind != NULL && i < FA_F_MAX; i++)
		if (strcmp(kind, fault_names[i]) == 0)
			f.kind = (enum fa_fault_kind)i;
	if (f.kind == FA_F_MAX || st->n_faults >= FA_MAX_FAULTS) {
		fa_reply_error(rp, MHD_HTTP_BAD_REQUEST, f.kind == FA_F_MAX ?
			       "unknown fault \"kind\": use auth, startup, status5xx, latency, ratelimit, "
			       "unknown_fields, missing_fields, truncate or drop" :
			       "too many faults: DELETE /__fake/fault first");
		goto out;
	}
	v = json_object_get(b, "count");
	f.count = json_is_integer(v) ? (long)json_integer_value(v) : -1;
	if (f.count == 0)
		f.count = -1;
	v = json_object_get(b, "rate");
	f.rate = json_is_number(v) ? json_number_value(v) : 1.0;
	v = json_object_get(b, "ms");
	f.ms = json_is_integer(v) ? (long)json_integer_value(v) : 100;
	v = json_object_get(b, "every");
	f.every = json_is_integer(v) ? (long)json_integer_value(v) : 10;
	v = json_object_get(b, "status");
	f.status = json_is_integer(v) ? (int)json_integer_value(v) : 500;
	v = json_object_get(b, "retry_after");
	if (json_is_string(v))
		snprintf(f.retry_after, sizeof(f.retry_after), "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(f.retry_after, sizeof(f.retry_after), "%lld", (long long)json_integer_value(v));
	else
		snprintf(f.retry_after, sizeof(f.retry_after), "5");
	v = json_object_get(b, "path");
	if (json_is_string(v))
		snprintf(f.path, sizeof(f.path), "%s", json_string_value(v));
	v = json_object_get(b, "method");
	if (json_is_string(v))
		snprintf(f.method, sizeof(f.method), "%s", json_string_value(v));
	f.before = json_is_true(json_object_get(b, "before"));
	st->faults[st->n_faults++] = f;
	fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:o}", "faults", faults_json(st)));
out:
	json_decref(b);
}

static void
set_array(struct fa_req *r, struct fa_reply *rp, json_t **slot)
{
	json_t *b = body_json(r, rp);

	if (b == NULL)
		return;
	if (!json_is_array(b)) {
		json_decref(b);
		fa_reply_error(rp, MHD_HTTP_BAD_REQUEST, "body must be a JSON array");
		return;
	}
	json_decref(*slot);
	*slot = b;
	fa_reply_json(rp, MHD_HTTP_OK, json_incref(b));
}

static void
clock_post(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	json_t *b = body_json(r, rp);
	json_t *now = json_object_get(b, "now_us"), *adv = json_object_get(b, "advance_ms");

	if (b == NULL)
		return;
	if (json_is_integer(now))
		clock_set_fake((int64_t)json_integer_value(now));
	else if (json_is_integer(adv))
		clock_set_fake(clock_now_us() + (int64_t)json_integer_value(adv) * 1000);
	else if (json_is_null(now))
		clock_set_fake(-1);
	fa_tick(st, 0);
	fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:I, s:b}", "now_us", (json_int_t)st->now_us,
						 "fake", clock_is_fake()));
	json_decref(b);
}

static void
mutate_post(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	json_t *b = body_json(r, rp), *res;
	char err[256];

	if (b == NULL)
		return;
	res = fa_mutate(st, b, err, sizeof(err));
	if (res == NULL)
		fa_reply_error(rp, MHD_HTTP_BAD_REQUEST, err);
	else
		fa_reply_json(rp, MHD_HTTP_OK, res);
	json_decref(b);
}

int
fa_control(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path + 7;	/* after "/__fake" */
	int get = strcmp(r->method, "GET") == 0;
	int post = strcmp(r->method, "POST") == 0;
	int del = strcmp(r->method, "DELETE") == 0;

	if (strcmp(p, "/ledger") == 0 && (get || del)) {
		if (del) {
			json_array_clear(st->ledger);
			st->ledger_seq = 0;
		}
		fa_reply_json(rp, MHD_HTTP_OK, json_deep_copy(st->ledger));
	} else if (strcmp(p, "/fault") == 0 && post) {
		fault_post(st, r, rp);
	} else if (strcmp(p, "/fault") == 0 && (get || del)) {
		if (del)
			st->n_faults = 0;
		fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:o}", "faults", faults_json(st)));
	} else if (strcmp(p, "/mutate") == 0 && post) {
		mutate_post(st, r, rp);
	} else if (strcmp(p, "/library/summary") == 0 && get) {
		fa_reply_json(rp, MHD_HTTP_OK, fa_summary(st));
	} else if (strcmp(p, "/library/dump") == 0 && get) {
		rp->stream = fa_stream_new(st, FA_REC_DUMP, NULL, 0, 0, "", "", 0);
		rp->content_type = "application/x-ndjson";
	} else if (strcmp(p, "/health") == 0 && post) {
		set_array(r, rp, &st->health);
	} else if (strcmp(p, "/indexerstatus") == 0 && post) {
		set_array(r, rp, &st->indexerstatus);
	} else if (strcmp(p, "/clock") == 0 && (post || get)) {
		if (get)
			fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:I, s:b}", "now_us",
				      (json_int_t)st->now_us, "fake", clock_is_fake()));
		else
			clock_post(st, r, rp);
	} else if (strcmp(p, "/import") == 0 && post) {
		size_t before = st->hist.n;

		fa_tick(st, 1);
		fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:I}", "events",
			      (json_int_t)(st->hist.n - before)));
	} else if (strcmp(p, "/stats") == 0 && get) {
		fa_reply_json(rp, MHD_HTTP_OK, json_pack("{s:I, s:O, s:I}",
			      "requests", (json_int_t)st->requests, "by_path", st->by_path,
			      "bytes_sent", (json_int_t)st->bytes_sent));
	} else if (strcmp(p, "/stats") == 0 && del) {
		st->requests = 0;
		st->bytes_sent = 0;
		json_object_clear(st->by_path);
		fa_reply_json(rp, MHD_HTTP_OK, json_object());
	} else {
		return 0;
	}
	return 1;
}
