/*
 * api_metrics.c - GET /metrics in Prometheus' text format (Req 32), for a
 * logged-in user or an API key (Prometheus sends one as
 * "Authorization: Bearer KEY"; a read-scope key is enough).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/metrics.h"
#include "web/app.h"
#include "web/metrics.h"
#include "web/server.h"
#include "web/sse.h"
#include "core/banned.h"

struct render {
	struct buf *b;
	const char *last;	/* the metric whose HELP/TYPE was written last */
	int rc;
};

/* A label value as Prometheus reads it: \, " and newline escaped. */
static void
label(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			buf_putc(b, '\\');
		if (*v == '\n') {
			buf_append_str(b, "\\n");
			continue;
		}
		buf_putc(b, *v);
	}
}

static const char *
help_of(const char *metric, const char **label_name)
{
	static const struct { const char *m, *label, *help; } h[] = {
		{ "registry_entries", "state", "Search registry entries by state." },
		{ "queue_batches", NULL, "Batches waiting or in flight in the request queue." },
		{ "queue_indexer_queries", NULL, "Indexer queries the queued batches will cost." },
		{ "searches", "outcome", "Searches recorded in the history, by outcome." },
		{ "indexer_queries_24h", NULL, "Indexer queries spent in the last 24 hours." },
		{ "indexer_daily_budget", NULL, "The connector's daily indexer query budget." },
		{ "connector_health", "health", "1 for the connector's current health." },
		{ "queue_paused", NULL, "1 while the whole queue is paused." },
	};

	for (size_t i = 0; i < sizeof(h) / sizeof(h[0]); i++)
		if (strcmp(h[i].m, metric) == 0) {
			*label_name = h[i].label;
			return h[i].help;
		}
	*label_name = "label";
	return "";
}

static void
on_stat(void *arg, const char *metric, const char *connector, const char *lv, double v)
{
	struct render *r = arg;
	const char *lname = NULL, *help = help_of(metric, &lname);
	/* searches only grow: a counter; everything else is a level */
	const char *type = strcmp(metric, "searches") == 0 ? "counter" : "gauge";
	const char *suffix = strcmp(type, "counter") == 0 ? "_total" : "";

	if (r->last == NULL || strcmp(r->last, metric) != 0) {
		r->rc |= buf_appendf(r->b, "# HELP comradarr_%s%s %s\n# TYPE comradarr_%s%s %s\n",
				     metric, suffix, help, metric, suffix, type);
		r->last = metric;
	}
	r->rc |= buf_appendf(r->b, "comradarr_%s%s", metric, suffix);
	if (connector != NULL || (lv != NULL && lname != NULL)) {
		buf_putc(r->b, '{');
		if (connector != NULL) {
			buf_append_str(r->b, "connector=\"");
			label(r->b, connector);
			buf_putc(r->b, '"');
		}
		if (lv != NULL && lname != NULL) {
			buf_appendf(r->b, "%s%s=\"", connector ? "," : "", lname);
			label(r->b, lv);
			buf_putc(r->b, '"');
		}
		buf_putc(r->b, '}');
	}
	r->rc |= buf_appendf(r->b, " %.17g\n", v);
}

int
api_metrics(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct err e = ERR_INIT;
	struct buf b = BUF_INIT;
	struct render r = { &b, NULL, 0 };
	PGconn *db = web_req_db(req, resp);
	long rss = 0, pages = 0;
	FILE *f;
	int ret;

	if (db == NULL)
		return -1;
	buf_init(&b, 16u << 20);
	/* db_stats hands out the metric name of each row; rows of one metric
	 * are adjacent (UNION ALL keeps each branch's rows together) */
	if (db_stats(db, on_stat, &r, &e) < 0) {
		buf_release(&b);
		return web_resp_err(resp, &e);
	}
	r.rc |= buf_appendf(&b, "# HELP comradarr_build_info The running version.\n"
			    "# TYPE comradarr_build_info gauge\ncomradarr_build_info{version=\"%s\"} 1\n",
			    COMRADARR_VERSION);
	f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	r.rc |= buf_appendf(&b, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
			    "# TYPE process_resident_memory_bytes gauge\n"
			    "process_resident_memory_bytes %ld\n", rss * sysconf(_SC_PAGESIZE));
	r.rc |= buf_appendf(&b, "# HELP process_start_time_seconds Start time since the epoch.\n"
			    "# TYPE process_start_time_seconds gauge\n"
			    "process_start_time_seconds %.3f\n", (double)app->started_us / 1e6);
	r.rc |= buf_appendf(&b, "# HELP comradarr_event_streams Server-sent event streams open now.\n"
			    "# TYPE comradarr_event_streams gauge\ncomradarr_event_streams %ld\n"
			    "# HELP comradarr_event_streams_dropped_total Event streams ended for "
			    "falling behind.\n# TYPE comradarr_event_streams_dropped_total counter\n"
			    "comradarr_event_streams_dropped_total %ld\n",
			    web_sse_open(app->sse), web_sse_dropped(app->sse));
	if (app->metrics != NULL)
		r.rc |= web_metrics_render(app->metrics, &b);
	if (r.rc != 0) {
		buf_release(&b);
		return web_resp_error(resp, 500, "internal", NULL, "metrics too large");
	}
	ret = web_resp_bytes(resp, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len);
	buf_release(&b);
	return ret;
}
