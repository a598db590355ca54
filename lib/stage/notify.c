/*
 * notify.c - route, compose, send.  See notify.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/notify.h"
#include "notify/notify.h"
#include "policy/notify.h"
#include "policy/tz.h"
#include "stage/notify.h"
#include "core/banned.h"

static void
emit(const struct notify_opts *o, const char *event, json_t *obj)
{
	if (o->line != NULL) {
		o->line(o->line_arg, event, obj);
		json_decref(obj);
	} else if (o->out != NULL) {
		jsonl_emit(o->out, event, obj);
	} else {
		json_decref(obj);
	}
}

/* A result row as the policy's event; payload is kept in *pl (caller
 * decrefs). */
static void
row_event(const PGresult *r, int i, struct notify_event *ev, json_t **pl)
{
	memset(ev, 0, sizeof(*ev));
	ev->id = db_int64(r, i, NEV_ID, 0);
	ev->kind = PQgetvalue(r, i, NEV_KIND);
	ev->connector_id = db_int64(r, i, NEV_CONNECTOR_ID, 0);
	ev->connector_name = db_str(r, i, NEV_CONNECTOR_NAME);
	ev->connector_type = db_str(r, i, NEV_CONNECTOR_TYPE);
	ev->created_us = db_int64(r, i, NEV_CREATED_US, 0);
	*pl = json_loads(PQgetvalue(r, i, NEV_PAYLOAD), 0, NULL);
	ev->payload = *pl;
}

struct filter_store {
	const char *kinds[256];
	int64_t conns[64];
	struct notify_filter f;
};

static void
channel_filter(const struct notify_channel *c, struct filter_store *s)
{
	size_t i;
	json_t *v;

	memset(s, 0, sizeof(*s));
	s->f.min_severity = c->min_severity;
	if (c->events != NULL) {
		json_array_foreach(c->events, i, v) {
			if (s->f.nkinds < sizeof(s->kinds) / sizeof(s->kinds[0]))
				s->kinds[s->f.nkinds++] = json_string_value(v);
		}
		s->f.kinds = s->kinds;
	}
	if (c->connectors != NULL) {
		json_array_foreach(c->connectors, i, v) {
			if (s->f.nconnectors < sizeof(s->conns) / sizeof(s->conns[0]))
				s->conns[s->f.nconnectors++] = json_integer_value(json_object_get(v, "id"));
		}
		s->f.connectors = s->conns;
	}
}

/* "{a,b}" of the kinds the channel named, or of those the default leaves
 * out; NULL for "all".  Kinds are snake_case (notify_kind_valid()), so they
 * need no quoting; anything else in a row is skipped. */
static int
kinds_param(const struct notify_channel *c, char **in, char **out)
{
	struct buf b = BUF_INIT;
	const char *const *list = NULL;
	size_t i, n = 0;
	json_t *v;

	*in = *out = NULL;
	if (c->events != NULL) {
		json_array_foreach(c->events, i, v) {
			if (strcmp(json_string_value(v) ? json_string_value(v) : "", "all") == 0)
				return 0;
		}
	} else {
		list = notify_kinds_not_default();
	}
	if (buf_putc(&b, '{') < 0)
		return -1;
	if (list != NULL) {
		for (; *list != NULL; list++)
			if (buf_appendf(&b, "%s%s", n++ ? "," : "", *list) < 0)
				goto nomem;
	} else {
		json_array_foreach(c->events, i, v) {
			const char *k = json_string_value(v);

			if (k != NULL && notify_kind_valid(k) &&
			    buf_appendf(&b, "%s%s", n++ ? "," : "", k) < 0)
				goto nomem;
		}
	}
	if (buf_putc(&b, '}') < 0)
		goto nomem;
	if (c->events != NULL)
		*in = buf_detach(&b);
	else
		*out = buf_detach(&b);
	return 0;
nomem:
	buf_release(&b);
	return -1;
}

/* Route new events to c; the caller holds c's row lock. */
static int
route(PGconn *db, const struct notify_channel *c, long *routed, struct err *e)
{
	struct filter_store fs;
	char *kin = NULL, *kout = NULL;
	PGresult *r = NULL;
	int64_t *ids = NULL;
	size_t nids = 0;
	char xmin[32], cur_xid[32];
	int64_t cur_id = 0;
	int ret = -1, rows;
	long n;

	channel_filter(c, &fs);
	if (kinds_param(c, &kin, &kout) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		if (db_notify_new_events(db, c, kin, kout, NOTIFY_ROUTE_BATCH, &r, xmin, sizeof(xmin),
					 e) < 0)
			goto out;
		rows = PQntuples(r);
		free(ids);
		ids = calloc(rows > 0 ? (size_t)rows : 1, sizeof(*ids));
		if (ids == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		nids = 0;
		for (int i = 0; i < rows; i++) {
			struct notify_event ev;
			json_t *pl;

			row_event(r, i, &ev, &pl);
			if (notify_filter_match(&fs.f, &ev))
				ids[nids++] = ev.id;
			json_decref(pl);
		}
		/* a full batch moves the cursor to its last event, a short one to
		 * the horizon: nothing below it can appear any more */
		if (rows == NOTIFY_ROUTE_BATCH) {
			snprintf(cur_xid, sizeof(cur_xid), "%s", PQgetvalue(r, rows - 1, NEV_XID));
			cur_id = db_int64(r, rows - 1, NEV_ID, 0);
		} else {
			snprintf(cur_xid, sizeof(cur_xid), "%s", xmin);
			cur_id = 0;
		}
		if (db_notify_route(db, c->id, ids, nids, cur_xid, cur_id, &n, e) < 0)
			goto out;
		*routed += n;
		PQclear(r);
		r = NULL;
		if (rows < NOTIFY_ROUTE_BATCH)
			break;
	}
	ret = 0;
out:
	PQclear(r);
	free(ids);
	free(kin);
	free(kout);
	return ret;
}

static json_t *
event_json(const struct notify_event *ev)
{
	char ts[40];
	json_t *o = json_object();

	jsonl_format_ts(ev->created_us, ts, sizeof(ts));
	json_object_set_new(o, "id", json_integer(ev->id));
	json_object_set_new(o, "kind", json_string(ev->kind));
	json_object_set_new(o, "created_at", json_string(ts));
	if (ev->connector_name != NULL)
		json_object_set_new(o, "connector", json_string(ev->connector_name));
	json_object_set_new(o, "payload", ev->payload ? json_deep_copy(ev->payload) : json_object());
	return o;
}

/* Compose the due groups of one kind, rows [lo, hi) of r. */
static int
compose_group(PGconn *db, const struct notify_channel *c, const struct notify_opts *o,
	      const PGresult *r, int lo, int hi, int64_t now_us, struct notify_report *rep,
	      struct err *e)
{
	size_t n = (size_t)(hi - lo);
	struct notify_event *evs = calloc(n, sizeof(*evs));
	json_t **pls = calloc(n, sizeof(*pls)), *payloads = json_array();
	int64_t *ids = calloc(n, sizeof(*ids)), oldest = INT64_MAX, mid = 0;
	enum notify_severity sev = NOTIFY_INFO;
	struct notify_text t = { NULL, NULL };
	const char *tmpl;
	int ret = -1;

	if (evs == NULL || pls == NULL || ids == NULL || payloads == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* decide before reading any payload */
	for (int i = lo; i < hi; i++) {
		if (db_int64(r, i, NEV_CREATED_US, 0) < oldest)
			oldest = db_int64(r, i, NEV_CREATED_US, 0);
	}
	if (!notify_group_due(oldest, c->batch_window_s, now_us)) {
		ret = 0;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		row_event(r, lo + (int)i, &evs[i], &pls[i]);
		ids[i] = evs[i].id;
		if (notify_event_severity(&evs[i]) > sev)
			sev = notify_event_severity(&evs[i]);
		/* the message carries the first events in full, the count of all */
		if (i < NOTIFY_MESSAGE_EVENTS)
			json_array_append_new(payloads, event_json(&evs[i]));
	}
	tmpl = json_string_value(json_object_get(c->templates, evs[0].kind));
	if (notify_render(evs, n, tmpl, o->base_url, &t, e) < 0)
		goto out;
	if (db_notify_message_add(db, c->id, evs[0].kind, sev, t.title, t.body, payloads, ids, n,
				  &mid, e) < 0) {
		payloads = NULL;
		goto out;
	}
	payloads = NULL;
	rep->messages++;
	emit(o, "notify_composed", json_pack("{s:s, s:I, s:s, s:i, s:s}", "channel", c->name,
					     "message_id", (json_int_t)mid, "kind", evs[0].kind,
					     "events", (int)n, "severity", notify_severity_name(sev)));
	ret = 0;
out:
	for (size_t i = 0; pls != NULL && i < n; i++)
		json_decref(pls[i]);
	json_decref(payloads);
	notify_text_release(&t);
	free(evs);
	free(pls);
	free(ids);
	return ret;
}

static int
compose(PGconn *db, const struct notify_channel *c, const struct notify_opts *o,
	struct notify_report *rep, struct err *e)
{
	PGresult *r = NULL;
	struct policy_tz tz;
	struct policy_tz_zone zone;
	int32_t utc = 0;
	int64_t now_us = clock_now_us(), until = 0;
	int quiet = 0, rows, ret = -1;

	if (db_notify_waiting(db, c->id, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	if (rows == 0) {
		ret = 0;
		goto out;
	}
	if (c->quiet.enabled) {
		if (strcmp(c->quiet_tz, "UTC") == 0)
			policy_tz_fixed(&tz, &utc);
		else if (policy_tz_zone_init(&tz, &zone, c->quiet_tz, e) < 0)
			goto out;
		if (notify_quiet_check(&c->quiet, &tz, now_us / 1000000, &quiet, &until) < 0) {
			err_set(e, ERR_CONFIG, "the time zone '%s' of channel '%s' cannot answer",
				c->quiet_tz, c->name);
			goto out;
		}
	}
	if (quiet) {
		char ts[40];

		jsonl_format_ts(until * 1000000, ts, sizeof(ts));
		if (c->quiet_drop) {
			int64_t *ids = calloc((size_t)rows, sizeof(*ids));

			if (ids == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			for (int i = 0; i < rows; i++)
				ids[i] = db_int64(r, i, NEV_ID, 0);
			if (db_notify_drop(db, c->id, ids, (size_t)rows, e) < 0) {
				free(ids);
				goto out;
			}
			free(ids);
			rep->dropped += rows;
			emit(o, "notify_dropped", json_pack("{s:s, s:i, s:s}", "channel", c->name,
							    "events", rows, "reason", "quiet_hours"));
		} else {
			rep->held += rows;
			emit(o, "notify_held", json_pack("{s:s, s:i, s:s}", "channel", c->name,
							 "events", rows, "until", ts));
		}
		ret = 0;
		goto out;
	}
	for (int lo = 0; lo < rows;) {
		int hi = lo + 1;

		while (hi < rows && strcmp(PQgetvalue(r, hi, NEV_KIND), PQgetvalue(r, lo, NEV_KIND)) == 0)
			hi++;
		if (compose_group(db, c, o, r, lo, hi, now_us, rep, e) < 0)
			goto out;
		lo = hi;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

/* Route and compose every channel, each in its own transaction. */
static int
prepare(PGconn *db, const struct notify_opts *o, struct notify_report *rep, struct err *e)
{
	int64_t after = 0;

	for (;;) {
		struct notify_channel c;
		struct err ce = ERR_INIT;
		int found;

		if (db_notify_lock_next_channel(db, after, &c, &found, e) < 0)
			return -1;
		if (!found)
			return 0;
		after = c.id;
		rep->channels++;
		if (route(db, &c, &rep->routed, &ce) < 0 || compose(db, &c, o, rep, &ce) < 0 ||
		    db_commit(db, &ce) < 0) {
			db_rollback(db);
			if (ce.kind == ERR_DB && PQstatus(db) != CONNECTION_OK) {
				*e = ce;
				notify_channel_release(&c);
				return -1;
			}
			rep->errors++;
			emit(o, "notify_error", json_pack("{s:s, s:s, s:s}", "channel", c.name,
							  "error", err_kind_name(ce.kind),
							  "message", ce.msg));
		}
		notify_channel_release(&c);
	}
}

static json_t *
due_json(const struct notify_due *d, const struct notify_decision *v, long status,
	 const char *answer, const char *error)
{
	json_t *j = json_pack("{s:s, s:s, s:I, s:s, s:i, s:i}", "channel", d->channel, "type",
			      d->type, "message_id", (json_int_t)d->id, "kind", d->kind,
			      "events", d->nevents, "attempts", v->attempts);

	if (status > 0)
		json_object_set_new(j, "status", json_integer(status));
	if (answer != NULL && answer[0] != '\0')
		json_object_set_new(j, "answer", json_string(answer));
	if (error != NULL)
		json_object_set_new(j, "error", json_string(error));
	if (v->verdict == NOTIFY_RETRY)
		json_object_set_new(j, "retry_in_ms",
				    json_integer((v->next_us - d->now_us) / 1000));
	return j;
}

static int
send_one(PGconn *db, struct notify_due *d, const struct notify_opts *o,
	 struct notify_report *rep, struct err *e)
{
	static const char *const events[] = {
		"notify_sent", "notify_retry", "notify_failed", "notify_channel_stopped"
	};
	struct notify_message m;
	struct notify_answer ans;
	struct notify_decision v;
	struct err se = ERR_INIT;
	json_t *secrets = NULL;
	int64_t next = notify_rate_next(d->ch.max_per_hour, d->sent_last_hour, d->oldest_sent_us,
					d->now_us);
	char *error = NULL;
	int rc;

	if (next > d->now_us) {
		char ts[40];

		jsonl_format_ts(next, ts, sizeof(ts));
		if (db_notify_defer(db, d->id, next, e) < 0)
			return -1;
		rep->deferred++;
		emit(o, "notify_deferred", json_pack("{s:s, s:I, s:s, s:i}", "channel", d->channel,
						     "message_id", (json_int_t)d->id, "until", ts,
						     "max_per_hour", d->ch.max_per_hour));
		return 0;
	}
	memset(&ans, 0, sizeof(ans));
	memset(&m, 0, sizeof(m));
	m.id = d->id;
	m.kind = d->kind;
	m.severity = d->severity;
	m.title = d->title;
	m.body = d->body;
	m.nevents = d->nevents;
	m.events = d->payload;
	m.channel = d->channel;
	if (db_notify_channel_secrets(o->key, &d->ch, &secrets, &se) < 0) {
		/* credentials that do not open are the channel's problem, for good */
		v.verdict = NOTIFY_STOP;
		v.attempts = d->attempts;
		v.next_us = d->now_us;
		rc = -1;
	} else {
		rc = notify_send(d->type, d->ch.config, secrets, &m, &ans, &se);
		notify_retry_decide(rc == 0 ? ERR_NONE : se.kind, se.http_status, se.retry_after_ms,
				    d->attempts, d->now_us, (uint64_t)d->id, &v);
	}
	if (secrets != NULL)
		json_decref(secrets);
	if (rc < 0)
		error = log_redact(se.msg);
	if (db_notify_message_done(db, d, &v, ans.status, ans.text, error, e) < 0) {
		free(error);
		return -1;
	}
	switch (v.verdict) {
	case NOTIFY_SENT: rep->sent++; break;
	case NOTIFY_RETRY: rep->retried++; break;
	case NOTIFY_FAILED: rep->failed++; break;
	case NOTIFY_STOP: rep->stopped++; break;
	}
	/* after the commit: a line never claims what did not happen */
	emit(o, events[v.verdict], due_json(d, &v, ans.status, ans.text, error));
	free(error);
	return 0;
}

int
notify_run(PGconn *db, const struct notify_opts *o, struct notify_report *r, struct err *e)
{
	int64_t seen[256];
	size_t nseen = 0;

	memset(r, 0, sizeof(*r));
	if (prepare(db, o, r, e) < 0)
		return -1;
	for (;;) {
		struct notify_due d;
		int found, again = 0;

		if (o->max_messages > 0 && r->sent + r->retried + r->failed + r->stopped >= o->max_messages)
			break;
		if (db_notify_lock_due(db, &d, &found, e) < 0)
			return -1;
		if (!found)
			break;
		/* ordered by due time: a message seen already in this round
		 * means everything due was tried once */
		for (size_t i = 0; i < nseen && !again; i++)
			again = seen[i] == d.id;
		if (again || nseen == sizeof(seen) / sizeof(seen[0])) {
			db_rollback(db);
			notify_due_release(&d);
			break;
		}
		seen[nseen++] = d.id;
		if (send_one(db, &d, o, r, e) < 0) {
			notify_due_release(&d);
			return -1;
		}
		notify_due_release(&d);
	}
	return 0;
}
