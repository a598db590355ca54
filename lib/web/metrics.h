/*
 * metrics.h - counters of the HTTP server for /metrics (Req 32): requests by
 * route and status class, and a latency histogram per route.
 *
 * One slot per route of the table (plus one for requests no route took),
 * updated with atomic adds from the server threads: no lock on the request
 * path.  Rendering reads them without a lock too; a scrape may see a
 * request counted in _count and not yet in a bucket, which Prometheus
 * tolerates.
 */
#ifndef COMRADARR_WEB_METRICS_H
#define COMRADARR_WEB_METRICS_H

#include <stdint.h>

#include "core/buf.h"
#include "web/web.h"

#define WEB_METRICS_BUCKETS 10

struct web_metrics;

struct web_metrics *web_metrics_new(const struct web_router *r);
void web_metrics_free(struct web_metrics *m);

/* One answered request (route NULL: refused before routing). */
void web_metrics_observe(struct web_metrics *m, const struct web_route *route, int status,
			 int64_t duration_us);

/* Append the Prometheus text of the counters to b. */
int web_metrics_render(const struct web_metrics *m, struct buf *b);

#endif
