/*
 * stats.h - the daily statistics (stats_daily, sql/0012_maint.sql):
 * rolling history up into them, and reading them back (Req 12).
 *
 * The roll-up recomputes, from each source table, every UTC day that table
 * still holds, and writes only that source's columns of the day's rows
 * (INSERT ... ON CONFLICT DO UPDATE).  History is pruned in whole UTC days
 * (policy/retention.h), so a day still held is complete: recomputing it
 * changes nothing that pruning has not already made final, and a day whose
 * rows are gone keeps the figures last computed from them.  So the roll-up
 * can run any number of times, and must run, in the same transaction,
 * before any prune of its source (lib/stage/maint.c does).
 *
 * `comradarr stats` reads live figures the same way: it runs the roll-up
 * in a transaction it then rolls back, so today's searches are counted
 * without a single query of its own to keep in step with this one.
 */
#ifndef COMRADARR_DB_STATS_H
#define COMRADARR_DB_STATS_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

enum db_stats_source {
	DB_STATS_SEARCHES,	/* search_history */
	DB_STATS_EVENTS,	/* events: discover_done, enqueue_done */
	DB_STATS_HEALTH,	/* connector_health_history */
	DB_STATS_QUEUE,		/* request_queue now: today's queue depth */
	DB_STATS_NSOURCES
};

/* "searches", "events", "health", "queue" */
const char *db_stats_source_name(enum db_stats_source s);

/*
 * Recompute src's columns for every day it holds on or after from_day
 * (days since 1970-01-01; < 0: every day).  *groups: the (day, connector)
 * rows written; *days: how many distinct days.  Runs in the caller's
 * transaction, and serialises it with every other roll-up until it ends
 * (a table lock readers never wait for).
 */
int db_stats_rollup(PGconn *db, enum db_stats_source src, int64_t from_day, long *groups,
		    long *days, struct err *e);

struct db_stats_filter {
	const char *connector;	/* NULL: every connector */
	int64_t from_day, to_day;	/* inclusive, days since 1970-01-01; < 0: open */
	int by_week;		/* ISO weeks (starting Monday) instead of days */
};

/* One period and connector. */
struct db_stats_row {
	char period[11];	/* YYYY-MM-DD: the day, or the week's Monday */
	char connector[64];
	int64_t connector_id;	/* 0 when the connector no longer exists */
	long days;		/* days of the period with figures */
	long searches, grabbed, no_results, indexer_errors, rate_limited, timeouts, errors;
	long long indexer_queries;
	long items_grabbed, gaps_filled, upgrades_grabbed;
	long long search_ms_sum;
	long search_ms_max;
	long discovered, queued;
	long gaps_open, upgrades_open;	/* -1: no discover in the period */
	long health_checks, health_failures;
	long queue_depth;	/* -1: not sampled */
	long responses;		/* health checks that timed the *arr */
	long long response_ms_sum;
	long response_ms_max;
};

/*
 * The rows f selects, by period then connector, from stats_daily as it is
 * plus today's figures (the roll-up, rolled back).  *rows is malloc'd.
 */
int db_stats_query(PGconn *db, const struct db_stats_filter *f, struct db_stats_row **rows,
		   size_t *n, struct err *e);

#endif
