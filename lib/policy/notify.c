/*
 * notify.c - notification policy.  See notify.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/jsonl.h"
#include "policy/backoff.h"
#include "policy/notify.h"
#include "core/banned.h"

static const char *const sev_names[] = { "info", "warning", "error" };

const char *
notify_severity_name(enum notify_severity s)
{
	return s >= NOTIFY_INFO && s <= NOTIFY_ERROR ? sev_names[s] : "info";
}

int
notify_severity_parse(const char *name, enum notify_severity *s)
{
	for (int i = 0; i <= NOTIFY_ERROR; i++) {
		if (strcmp(name, sev_names[i]) == 0) {
			*s = (enum notify_severity)i;
			return 0;
		}
	}
	return -1;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static const char *
pstr(const struct notify_event *ev, const char *key)
{
	return ev->payload ? json_string_value(json_object_get(ev->payload, key)) : NULL;
}

static json_int_t
pint(const struct notify_event *ev, const char *key)
{
	return ev->payload ? json_integer_value(json_object_get(ev->payload, key)) : 0;
}

static const char *const error_kinds[] = {
	"connector_auth_failed", "connector_unhealthy", "batch_dropped", "notify_channel_stopped",
	NULL
};
static const char *const warning_kinds[] = {
	"budget_exhausted", "queue_paused", "queue_cleared", "lease_rescued", NULL
};

static int
in_list(const char *const *list, const char *kind)
{
	for (; *list != NULL; list++) {
		if (strcmp(*list, kind) == 0)
			return 1;
	}
	return 0;
}

enum notify_severity
notify_event_severity(const struct notify_event *ev)
{
	if (in_list(error_kinds, ev->kind) || ends_with(ev->kind, "_failed"))
		return NOTIFY_ERROR;
	if (in_list(warning_kinds, ev->kind))
		return NOTIFY_WARNING;
	if (strcmp(ev->kind, "connector_health_changed") == 0) {
		const char *to = pstr(ev, "to");

		if (to != NULL && (strcmp(to, "unhealthy") == 0 || strcmp(to, "offline") == 0))
			return NOTIFY_ERROR;
		return to != NULL && strcmp(to, "healthy") == 0 ? NOTIFY_INFO : NOTIFY_WARNING;
	}
	return NOTIFY_INFO;
}

/* The per-item stream of a sync and the queue's own bookkeeping: a user
 * asks for these by name, never by default. */
static const char *const chatty_kinds[] = {
	"item_added", "item_removed", "file_gained", "file_lost", "monitored_changed",
	"cutoff_changed", "search_dispatched", "search_released", "lease_rescued",
	"queue_resumed", "notify_failed",
	/* configuration changes and routine sweeps: the audit trail has them */
	"schedule_added", "schedule_updated", "schedule_removed", "setting_changed",
	"sweep_done", "sweep_skipped", NULL
};

int
notify_kind_default(const char *kind)
{
	return !in_list(chatty_kinds, kind);
}

const char *const *
notify_kinds_not_default(void)
{
	return chatty_kinds;
}

int
notify_kind_valid(const char *kind)
{
	size_t n = strlen(kind);

	if (n == 0 || n > 63 || !islower((unsigned char)kind[0]))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!islower((unsigned char)kind[i]) && !isdigit((unsigned char)kind[i]) &&
		    kind[i] != '_')
			return 0;
	}
	return 1;
}

int
notify_filter_match(const struct notify_filter *f, const struct notify_event *ev)
{
	if (f->kinds == NULL) {
		if (!notify_kind_default(ev->kind))
			return 0;
	} else {
		int hit = 0;

		for (size_t i = 0; i < f->nkinds && !hit; i++)
			hit = strcmp(f->kinds[i], ev->kind) == 0 || strcmp(f->kinds[i], "all") == 0;
		if (!hit)
			return 0;
	}
	if (notify_event_severity(ev) < f->min_severity)
		return 0;
	if (f->connectors != NULL && f->nconnectors > 0 && ev->connector_id > 0) {
		for (size_t i = 0; i < f->nconnectors; i++) {
			if (f->connectors[i] == ev->connector_id)
				return 1;
		}
		return 0;
	}
	return 1;
}

/* ------------------------------------------------------------ quiet hours */

static int
parse_hhmm(const char *s, const char **end, int *min)
{
	int h = 0, m = 0, nd = 0;

	while (isdigit((unsigned char)*s) && nd < 2) {
		h = h * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || *s != ':' || !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]))
		return -1;
	m = (s[1] - '0') * 10 + (s[2] - '0');
	if (h > 23 || m > 59)
		return -1;
	*min = h * 60 + m;
	*end = s + 3;
	return 0;
}

int
notify_quiet_parse(const char *text, struct notify_quiet *q, struct err *e)
{
	const char *p = text;

	memset(q, 0, sizeof(*q));
	if (parse_hhmm(p, &p, &q->start_min) < 0 || *p++ != '-' ||
	    parse_hhmm(p, &p, &q->end_min) < 0 || *p != '\0')
		return err_set(e, ERR_USAGE, "quiet hours '%s' are not HH:MM-HH:MM (e.g. 22:00-07:00)",
			       text);
	if (q->start_min == q->end_min)
		return err_set(e, ERR_USAGE, "quiet hours '%s' start and end at the same time; to "
			       "silence a channel, disable it", text);
	q->enabled = 1;
	return 0;
}

/*
 * The UTC second at which the local wall clock of the day starting at
 * day_start (UTC) reads minute.  Local seconds L satisfy L = u + off(u);
 * two rounds of u = L - off(u) settle it on either side of a DST change.
 * A wall time that does not exist (in a spring-forward gap) comes out at
 * the transition's far side, which is when that time "would have" been.
 */
static int
local_minute_to_utc(const struct policy_tz *tz, int64_t day_start, int minute, int64_t *out)
{
	int32_t off;
	int64_t local, u;

	if (tz->offset(tz->ctx, day_start, &off) < 0)
		return -1;
	local = day_start + off + (int64_t)minute * 60;
	u = local - off;
	for (int i = 0; i < 2; i++) {
		if (tz->offset(tz->ctx, u, &off) < 0)
			return -1;
		u = local - off;
	}
	*out = u;
	return 0;
}

int
notify_quiet_check(const struct notify_quiet *q, const struct policy_tz *tz, int64_t utc_s,
		   int *quiet, int64_t *until_s)
{
	int32_t off;
	int64_t day, next, m;

	*quiet = 0;
	*until_s = utc_s;
	if (!q->enabled)
		return 0;
	if (tz->offset(tz->ctx, utc_s, &off) < 0 || policy_local_day_start(tz, utc_s, &day) < 0)
		return -1;
	m = (policy_floor_div(utc_s + off, 60) % 1440 + 1440) % 1440;
	if (q->start_min < q->end_min)
		*quiet = m >= q->start_min && m < q->end_min;
	else
		*quiet = m >= q->start_min || m < q->end_min;
	if (!*quiet)
		return 0;
	/* the end is today, unless the window wraps and started today */
	if (q->start_min > q->end_min && m >= q->start_min) {
		if (policy_local_next_day_start(tz, utc_s, &next) < 0)
			return -1;
		day = next;
	}
	if (local_minute_to_utc(tz, day, q->end_min, until_s) < 0)
		return -1;
	if (*until_s <= utc_s)	/* a gap ate the end: it is over now */
		*until_s = utc_s + 1;
	return 0;
}

int
notify_group_due(int64_t oldest_us, int window_s, int64_t now_us)
{
	return now_us - oldest_us >= (int64_t)window_s * 1000000;
}

int64_t
notify_rate_next(int max_per_hour, int sent_last_hour, int64_t oldest_sent_us, int64_t now_us)
{
	if (max_per_hour <= 0 || sent_last_hour < max_per_hour)
		return now_us;
	return oldest_sent_us + 3600LL * 1000000 > now_us ? oldest_sent_us + 3600LL * 1000000 :
	       now_us;
}

/* ------------------------------------------------------------ templates */

static const char *const placeholders[] = {
	"content_title", "content_year", "connector_name", "connector_type", "event_type",
	"timestamp", "statistics", "url", NULL
};

int
notify_template_validate(const char *tmpl, struct err *e)
{
	size_t cps = 0;

	for (const char *p = tmpl; *p != '\0'; p++)
		cps += ((unsigned char)*p & 0xc0) != 0x80;	/* UTF-8: count lead bytes */
	if (cps > NOTIFY_TEMPLATE_MAX)
		return err_set(e, ERR_USAGE, "the template is %zu characters long; at most %d",
			       cps, NOTIFY_TEMPLATE_MAX);
	for (const char *p = strchr(tmpl, '{'); p != NULL; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}');
		int known = 0;

		if (close == NULL)
			return err_set(e, ERR_USAGE, "the template has a '{' without its '}'");
		for (int i = 0; placeholders[i] != NULL && !known; i++)
			known = (size_t)(close - p - 1) == strlen(placeholders[i]) &&
				strncmp(p + 1, placeholders[i], (size_t)(close - p - 1)) == 0;
		if (!known)
			return err_set(e, ERR_USAGE, "unknown placeholder '%.*s' in the template: use "
				       "{content_title}, {content_year}, {connector_name}, "
				       "{connector_type}, {event_type}, {timestamp}, {statistics} "
				       "or {url}", (int)(close - p + 1), p);
	}
	return 0;
}

void
notify_text_release(struct notify_text *t)
{
	free(t->title);
	free(t->body);
	t->title = t->body = NULL;
}

/* The title of one item, whatever the payload calls it. */
static const char *
content_title(const struct notify_event *ev)
{
	static const char *const keys[] = { "title", "series", "movie", NULL };

	for (int i = 0; keys[i] != NULL; i++) {
		if (pstr(ev, keys[i]) != NULL)
			return pstr(ev, keys[i]);
	}
	return "";
}

/* "gaps: 3, upgrades: 1": the payload's numbers, in its order. */
static int
statistics(struct buf *b, const struct notify_event *ev)
{
	const char *k;
	json_t *v;
	int first = 1;

	if (ev->payload == NULL)
		return 0;
	json_object_foreach((json_t *)ev->payload, k, v) {
		if (!json_is_integer(v) || strcmp(k, "queue_id") == 0 || strcmp(k, "command_id") == 0 ||
		    ends_with(k, "_id"))
			continue;
		if (buf_appendf(b, "%s%s: %lld", first ? "" : ", ", k,
				(long long)json_integer_value(v)) < 0)
			return -1;
		first = 0;
	}
	return 0;
}

static int
expand(struct buf *b, const char *tmpl, const struct notify_event *ev, const char *base_url)
{
	for (const char *p = tmpl; *p != '\0'; p++) {
		const char *close;
		char ts[40];
		size_t n;
		int r = 0;

		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			if (buf_putc(b, *p) < 0)
				return -1;
			continue;
		}
		n = (size_t)(close - p - 1);
#define IS(name) (n == strlen(name) && strncmp(p + 1, name, n) == 0)
		if (IS("content_title"))
			r = buf_append_str(b, content_title(ev));
		else if (IS("content_year"))
			r = pint(ev, "year") > 0 ? buf_appendf(b, "%lld", (long long)pint(ev, "year")) : 0;
		else if (IS("connector_name"))
			r = buf_append_str(b, ev->connector_name ? ev->connector_name : "");
		else if (IS("connector_type"))
			r = buf_append_str(b, ev->connector_type ? ev->connector_type : "");
		else if (IS("event_type"))
			r = buf_append_str(b, ev->kind);
		else if (IS("timestamp")) {
			jsonl_format_ts(ev->created_us, ts, sizeof(ts));
			r = buf_append_str(b, ts);
		} else if (IS("statistics"))
			r = statistics(b, ev);
		else if (IS("url"))
			r = base_url ? buf_appendf(b, "%sevents/%lld", base_url, (long long)ev->id) : 0;
		else
			r = buf_append(b, p, n + 2);
#undef IS
		if (r < 0)
			return -1;
		p = close;
	}
	return 0;
}

/* The built-in sentence for one event when the channel has no template;
 * NULL: the generic line. */
static const char *
default_template(const struct notify_event *ev)
{
	const char *k = ev->kind;

	if (strcmp(k, "search_outcome") == 0)
		return strcmp(pstr(ev, "outcome") ? pstr(ev, "outcome") : "", "grabbed") == 0 ?
		       "{connector_name}: a search grabbed a release ({statistics})" :
		       "{connector_name}: a search ended without a grab ({statistics})";
	if (strcmp(k, "discover_done") == 0)
		return "{connector_name}: discovery finished ({statistics})";
	if (strcmp(k, "connector_health_changed") == 0)
		return "{connector_name} ({connector_type}) changed health";
	if (strcmp(k, "connector_auth_failed") == 0)
		return "{connector_name}: the API key was refused; check it with 'comradarr connector "
		       "test {connector_name}'";
	if (strcmp(k, "connector_unhealthy") == 0)
		return "{connector_name} was marked unhealthy ({statistics})";
	if (strcmp(k, "item_added") == 0)
		return "{connector_name}: {content_title} was added";
	return NULL;
}

static int
render_one(struct buf *b, const struct notify_event *ev, const char *tmpl, const char *base_url)
{
	const char *t = tmpl ? tmpl : default_template(ev);

	if (t == NULL) {
		/* no sentence for this kind: its name, connector and numbers */
		struct buf st = BUF_INIT;
		int r = statistics(&st, ev) < 0 || buf_append_str(b, ev->kind) < 0 ||
			(ev->connector_name && buf_appendf(b, " on %s", ev->connector_name) < 0) ||
			(st.len > 0 && buf_appendf(b, " (%s)", st.data) < 0) ? -1 : 0;

		buf_release(&st);
		return r;
	}
	if (expand(b, t, ev, base_url) < 0)
		return -1;
	if (strcmp(ev->kind, "connector_health_changed") == 0 && tmpl == NULL &&
	    pstr(ev, "to") != NULL && buf_appendf(b, ": %s -> %s%s%s",
						  pstr(ev, "from") ? pstr(ev, "from") : "?",
						  pstr(ev, "to"), pstr(ev, "detail") ? ", " : "",
						  pstr(ev, "detail") ? pstr(ev, "detail") : "") < 0)
		return -1;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* How many distinct connectors (by_connector) or payload[key] values evs
 * has; sorted, so a digest of 100000 events costs n log n, not n^2.  An
 * event of no connector is not counted as one.  0 when memory ran out. */
static size_t
count_distinct(const struct notify_event *evs, size_t n, const char *key, int by_connector)
{
	int64_t *v = malloc((n ? n : 1) * sizeof(*v));
	size_t m = 0, d = 0;

	if (v == NULL)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (by_connector && evs[i].connector_id <= 0)
			continue;
		v[m++] = by_connector ? evs[i].connector_id : (int64_t)pint(&evs[i], key);
	}
	qsort(v, m, sizeof(*v), cmp_i64);
	for (size_t i = 0; i < m; i++)
		d += i == 0 || v[i] != v[i - 1];
	free(v);
	return d;
}

/* The digest's first line, e.g. "Found 15 missing items and 2 upgrades
 * across 3 connectors" (design reference, "Notification Batching"). */
static int
summary(struct buf *b, const struct notify_event *evs, size_t n)
{
	const char *k = evs[0].kind;
	size_t nconn = count_distinct(evs, n, NULL, 1);
	const char *across = nconn == 1 ? "connector" : "connectors";
	long long a = 0, c = 0;

	if (strcmp(k, "discover_done") == 0) {
		for (size_t i = 0; i < n; i++) {
			a += pint(&evs[i], "gaps");
			c += pint(&evs[i], "upgrades");
		}
		return buf_appendf(b, "Found %lld missing items and %lld upgrades across %zu %s", a, c,
				   nconn, across);
	}
	if (strcmp(k, "search_outcome") == 0) {
		for (size_t i = 0; i < n; i++) {
			const char *o = pstr(&evs[i], "outcome");

			a += o != NULL && strcmp(o, "grabbed") == 0;
			c += pint(&evs[i], "items_grabbed");
		}
		return buf_appendf(b, "%zu searches: %lld grabbed a release (%lld items), %lld did "
				   "not, across %zu %s", n, a, c, (long long)n - a, nconn, across);
	}
	if (strcmp(k, "item_added") == 0) {
		size_t eps = 0;

		for (size_t i = 0; i < n; i++)
			eps += pstr(&evs[i], "type") && strcmp(pstr(&evs[i], "type"), "episode") == 0;
		if (eps == n)
			return buf_appendf(b, "Found %zu new episodes across %zu series", n,
					   count_distinct(evs, n, "series_arr_id", 0));
	}
	if (nconn == 0)
		return buf_appendf(b, "%zu %s events", n, k);
	return buf_appendf(b, "%zu %s events across %zu %s", n, k, nconn, across);
}

static const char *
title_for(const char *kind)
{
	if (strcmp(kind, "search_outcome") == 0)
		return "search finished";
	if (strcmp(kind, "discover_done") == 0)
		return "discovery finished";
	if (strcmp(kind, "connector_health_changed") == 0)
		return "connector health changed";
	return kind;
}

int
notify_render(const struct notify_event *evs, size_t n, const char *tmpl,
	      const char *base_url, struct notify_text *out, struct err *e)
{
	struct buf t = BUF_INIT, b = BUF_INIT;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return err_set(e, ERR_INTERNAL, "nothing to render");
	if (n == 1) {
		if (buf_appendf(&t, "Comradarr: %s%s%s", title_for(evs[0].kind),
				evs[0].connector_name ? " on " : "",
				evs[0].connector_name ? evs[0].connector_name : "") < 0 ||
		    render_one(&b, &evs[0], tmpl, base_url) < 0)
			goto nomem;
	} else {
		if (buf_appendf(&t, "Comradarr: %zu x %s", n, title_for(evs[0].kind)) < 0 ||
		    summary(&b, evs, n) < 0)
			goto nomem;
		for (size_t i = 0; i < n && i < NOTIFY_DIGEST_LINES; i++) {
			if (buf_append_str(&b, "\n- ") < 0 || render_one(&b, &evs[i], tmpl, base_url) < 0)
				goto nomem;
		}
		if (n > NOTIFY_DIGEST_LINES &&
		    buf_appendf(&b, "\n... and %zu more", n - NOTIFY_DIGEST_LINES) < 0)
			goto nomem;
	}
	if (b.data == NULL && buf_append_str(&b, "") < 0)
		goto nomem;
	out->title = buf_detach(&t);
	out->body = buf_detach(&b);
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory rendering a notification");
out:
	buf_release(&t);
	buf_release(&b);
	return ret;
}

/* ------------------------------------------------------------ retries */

const char *
notify_verdict_name(enum notify_verdict v)
{
	static const char *const names[] = { "sent", "retry", "failed", "stopped" };

	return v >= NOTIFY_SENT && v <= NOTIFY_STOP ? names[v] : "failed";
}

void
notify_retry_decide(enum err_kind kind, int http_status, long retry_after_ms, int attempts,
		    int64_t now_us, uint64_t seed, struct notify_decision *out)
{
	static const struct backoff_params bp = {
		NOTIFY_RETRY_BASE_MS, 200, NOTIFY_RETRY_MAX_MS, 20
	};

	out->attempts = attempts;
	out->next_us = now_us;
	if (kind == ERR_NONE) {
		out->verdict = NOTIFY_SENT;
		out->attempts = attempts + 1;
		return;
	}
	/* a channel set up wrong (a credential missing, an address that is
	 * not one) cannot get better by waiting either */
	if (http_status == 401 || http_status == 403 || http_status == 404 || http_status == 410 ||
	    (http_status == 0 && (kind == ERR_AUTH || kind == ERR_USAGE || kind == ERR_CONFIG ||
				  kind == ERR_CRYPTO))) {
		out->verdict = NOTIFY_STOP;
		out->attempts = attempts + 1;
		return;
	}
	if (http_status == 429 || kind == ERR_RATELIMIT) {
		long ms = retry_after_ms > 0 ? retry_after_ms :
			  (long)backoff_delay_ms(attempts + 1, &bp, seed);

		if (ms < 1000)
			ms = 1000;
		if (ms > NOTIFY_RETRY_MAX_MS)
			ms = NOTIFY_RETRY_MAX_MS;
		out->verdict = NOTIFY_RETRY;
		out->next_us = now_us + (int64_t)ms * 1000;
		return;
	}
	out->attempts = attempts + 1;
	/* the receiver understood and refused this message: sending it again
	 * cannot help (a 400 for a malformed body, a 413 for a long one) */
	if (http_status >= 400 && http_status < 500 && http_status != 408) {
		out->verdict = NOTIFY_FAILED;
		return;
	}
	if (out->attempts >= NOTIFY_MAX_ATTEMPTS) {
		out->verdict = NOTIFY_FAILED;
		return;
	}
	out->verdict = NOTIFY_RETRY;
	out->next_us = now_us + backoff_delay_ms(out->attempts, &bp, seed) * 1000;
}
