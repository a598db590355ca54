/*
 * maint.h - the statements of comradarr-maint: pruning, orphan clean-up,
 * VACUUM and the size report (lib/stage/maint.h runs them, one
 * transaction per step).
 *
 * Every prune deletes only rows older than a cutoff, rows no other tool
 * writes or locks any more: a dispatch or sync inserting new rows never
 * waits for it, however long the step takes.
 */
#ifndef COMRADARR_DB_MAINT_H
#define COMRADARR_DB_MAINT_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "db/stats.h"

enum db_prune {
	DB_PRUNE_SEARCH_HISTORY,	/* search_history, by started_at */
	DB_PRUNE_EVENTS,		/* events, by created_at */
	DB_PRUNE_HEALTH,		/* connector_health_history, by checked_at */
	DB_PRUNE_LEDGER,		/* throttle_ledger, by at */
	DB_PRUNE_EXHAUSTED,		/* exhausted search_registry entries, by updated_at */
	DB_PRUNE_N
};

struct db_prune_def {
	const char *table;
	const char *setting;		/* its retention, policy/settings.h */
	int rollup;			/* a stats source to roll up first, or -1 */
	const char *delete_sql;		/* $1: the cutoff, microseconds since the epoch */
};

const struct db_prune_def *db_prune_get(enum db_prune which);

/* Delete which's rows older than cutoff_us; *rows deleted.  In the caller's
 * transaction. */
int db_maint_prune(PGconn *db, enum db_prune which, int64_t cutoff_us, long *rows,
		   struct err *e);

enum db_orphan {
	DB_ORPHAN_REGISTRY,		/* search entries whose episode or movie is gone */
	DB_ORPHAN_QUEUE_ITEMS,		/* queue items whose entry or batch is gone */
	DB_ORPHAN_EMPTY_BATCHES,	/* waiting batches whose every item is gone */
	DB_ORPHAN_N
};

/* "search_registry", "request_queue_items", "request_queue" */
const char *db_orphan_table(enum db_orphan which);

/* 1 when finding one means a cascade failed (a bug), 0 when ordinary work
 * leaves them (a sync removing every item of a waiting batch). */
int db_orphan_is_bug(enum db_orphan which);

/* Delete which's orphans; *rows found.  In the caller's transaction. */
int db_maint_orphans(PGconn *db, enum db_orphan which, long *rows, struct err *e);

/* VACUUM (ANALYZE) one table of the current schema (outside a transaction). */
int db_maint_vacuum(PGconn *db, const char *table, struct err *e);

struct db_table_size {
	char name[64];
	int64_t bytes;		/* with its indexes and TOAST */
	int64_t rows;		/* the planner's estimate; -1 never analyzed */
	int64_t dead_rows;	/* as the statistics collector last counted */
};

/* Every table of the current schema, largest first; *list malloc'd. */
int db_maint_sizes(PGconn *db, struct db_table_size **list, size_t *n, struct err *e);

/* One table's size in bytes (0 if there is no such table). */
int db_maint_table_bytes(PGconn *db, const char *table, int64_t *bytes, struct err *e);

#endif
