/*
 * metrics.c - HTTP counters in Prometheus' text format (see metrics.h).
 */
#include <stdlib.h>
#include <string.h>

#include "web/metrics.h"
#include "core/banned.h"

/* seconds; the last bucket, +Inf, is the count */
static const double bounds[WEB_METRICS_BUCKETS - 1] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5
};
static const int64_t bounds_us[WEB_METRICS_BUCKETS - 1] = {
	1000, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000
};

struct slot {
	uint64_t status[6];		/* 1xx .. 5xx by hundred; [0] unused */
	uint64_t bucket[WEB_METRICS_BUCKETS];
	uint64_t sum_us;
	uint64_t count;
};

struct web_metrics {
	const struct web_router *router;
	const struct web_route **routes;	/* index -> route */
	size_t n;				/* routes; slot n is "unrouted" */
	struct slot *slots;
};

static void
collect(const struct web_route *route, void *arg)
{
	struct web_metrics *m = arg;

	m->routes[m->n++] = route;
}

struct web_metrics *
web_metrics_new(const struct web_router *r)
{
	struct web_metrics *m = calloc(1, sizeof(*m));
	size_t n = web_router_count(r);

	if (m == NULL)
		return NULL;
	m->routes = calloc(n + 1, sizeof(*m->routes));
	m->slots = calloc(n + 1, sizeof(*m->slots));
	if (m->routes == NULL || m->slots == NULL) {
		web_metrics_free(m);
		return NULL;
	}
	m->router = r;
	web_router_each(r, collect, m);
	return m;
}

void
web_metrics_free(struct web_metrics *m)
{
	if (m == NULL)
		return;
	free(m->routes);
	free(m->slots);
	free(m);
}

void
web_metrics_observe(struct web_metrics *m, const struct web_route *route, int status,
		    int64_t duration_us)
{
	size_t i = m->n;
	struct slot *s;
	int b;

	/* the table is small and fixed: a walk finds the slot */
	for (size_t k = 0; route != NULL && k < m->n; k++)
		if (m->routes[k] == route) {
			i = k;
			break;
		}
	s = &m->slots[i];
	if (status >= 100 && status < 600)
		__atomic_fetch_add(&s->status[status / 100], 1, __ATOMIC_RELAXED);
	for (b = 0; b < WEB_METRICS_BUCKETS - 1 && duration_us > bounds_us[b]; b++)
		;
	__atomic_fetch_add(&s->bucket[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->sum_us, (uint64_t)(duration_us > 0 ? duration_us : 0),
			   __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->count, 1, __ATOMIC_RELAXED);
}

static uint64_t
get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int
web_metrics_render(const struct web_metrics *m, struct buf *b)
{
	int rc = 0;

	rc |= buf_append_str(b, "# HELP comradarr_http_requests_total HTTP requests answered, "
			     "by route and status class.\n"
			     "# TYPE comradarr_http_requests_total counter\n");
	for (size_t i = 0; i <= m->n; i++) {
		const char *method = i < m->n ? m->routes[i]->method : "";
		const char *route = i < m->n ? m->routes[i]->pattern : "(none)";

		for (int c = 1; c <= 5; c++) {
			uint64_t v = get(&m->slots[i].status[c]);

			if (v > 0)
				rc |= buf_appendf(b, "comradarr_http_requests_total{method=\"%s\","
						  "route=\"%s\",code=\"%dxx\"} %llu\n", method, route,
						  c, (unsigned long long)v);
		}
	}
	rc |= buf_append_str(b, "# HELP comradarr_http_request_duration_seconds Time from the "
			     "request's first byte to its answer, by route.\n"
			     "# TYPE comradarr_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= m->n; i++) {
		const char *method = i < m->n ? m->routes[i]->method : "";
		const char *route = i < m->n ? m->routes[i]->pattern : "(none)";
		uint64_t cum = 0, count = get(&m->slots[i].count);

		if (count == 0)
			continue;
		for (int k = 0; k < WEB_METRICS_BUCKETS - 1; k++) {
			cum += get(&m->slots[i].bucket[k]);
			rc |= buf_appendf(b, "comradarr_http_request_duration_seconds_bucket{method=\"%s\","
					  "route=\"%s\",le=\"%g\"} %llu\n", method, route, bounds[k],
					  (unsigned long long)cum);
		}
		cum += get(&m->slots[i].bucket[WEB_METRICS_BUCKETS - 1]);
		rc |= buf_appendf(b, "comradarr_http_request_duration_seconds_bucket{method=\"%s\","
				  "route=\"%s\",le=\"+Inf\"} %llu\n", method, route,
				  (unsigned long long)cum);
		rc |= buf_appendf(b, "comradarr_http_request_duration_seconds_sum{method=\"%s\","
				  "route=\"%s\"} %.6f\n", method, route,
				  (double)get(&m->slots[i].sum_us) / 1e6);
		rc |= buf_appendf(b, "comradarr_http_request_duration_seconds_count{method=\"%s\","
				  "route=\"%s\"} %llu\n", method, route, (unsigned long long)cum);
	}
	return rc ? -1 : 0;
}
