/*
 * stats.h - the numbers /metrics reports from the database (Req 32): queue
 * depth, registry entries by state, searches by outcome, indexer queries
 * spent today against the daily budget, connector health.
 *
 * One round trip; each row is (metric, connector, label, value), where label
 * is the metric's one extra dimension (a state, an outcome, a health) or
 * NULL.  Metric names are the suffix after "comradarr_".
 */
#ifndef COMRADARR_DB_STATS_H
#define COMRADARR_DB_STATS_H

#include <libpq-fe.h>

#include "core/err.h"

typedef void (*db_stat_fn)(void *arg, const char *metric, const char *connector,
			   const char *label, double value);

int db_stats(PGconn *db, db_stat_fn fn, void *arg, struct err *e);

#endif
