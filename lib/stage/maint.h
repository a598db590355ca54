/*
 * maint.h - comradarr-maint's work: keep the database small and its
 * statistics whole (Req 12, 13).
 *
 * The steps, in this order, each selectable:
 *
 *   rollup   history -> stats_daily (db/stats.h), every day still held
 *   prune    per table, older than its retention setting: search history,
 *            events, health history (each rolled up again first, in the
 *            same transaction, so a day is never deleted unrolled), the
 *            throttle ledger, exhausted search entries (Req 11.3)
 *   orphans  search entries whose item left the mirror, queue items whose
 *            entry or batch is gone (Req 13.2); the triggers of 0007
 *            should leave none, so one found is a warning
 *   counts   the web UI's counters (db/counts.h) against a recount of the
 *            registry, the queue and each library; a counter that drifted
 *            is a warning, and is corrected
 *   vacuum   VACUUM (ANALYZE) of the tables this run changed, and of any
 *            with dead rows (Req 13.1)
 *   sizes    bytes and rows of every table
 *
 * One transaction per table and step: a step that fails is rolled back
 * whole and the next still runs; a step that commits leaves a consistent
 * database (pruned days already rolled up).  With dry_run each step runs
 * the same statements and rolls back, so the counts are exactly what a
 * real run would remove; vacuum is reported, not run.
 *
 * One maint at a time, across hosts: the DB_LOCK_MAINT advisory lock.  A
 * run that finds it held reports "maint_skipped" and succeeds (the work is
 * being done).  Nothing here waits on a dispatch or sync: prunes delete
 * only rows no tool writes any more, and VACUUM's lock does not conflict
 * with reads or writes.
 */
#ifndef COMRADARR_STAGE_MAINT_H
#define COMRADARR_STAGE_MAINT_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"

enum maint_step {
	MAINT_ROLLUP = 1 << 0,
	MAINT_PRUNE = 1 << 1,
	MAINT_ORPHANS = 1 << 2,
	MAINT_VACUUM = 1 << 3,
	MAINT_SIZES = 1 << 4,
	MAINT_COUNTS = 1 << 5,
	MAINT_ALL = (1 << 6) - 1
};

/* "rollup" -> MAINT_ROLLUP; 0 for an unknown name. */
unsigned maint_step_parse(const char *name);
/* The names, comma-separated, for messages: "rollup, prune, ..." */
const char *maint_step_names(void);

/* As discover_line_fn: a line for a human format (obj borrowed). */
typedef void (*maint_line_fn)(void *arg, const char *event, json_t *obj);

struct maint_opts {
	unsigned steps;		/* MAINT_* bits; 0 means all */
	int dry_run;
	int64_t now_us;		/* 0: the clock */
	struct jsonl *out;
	maint_line_fn line;	/* set: lines go here instead of out */
	void *line_arg;
};

struct maint_report {
	int skipped;		/* another maint held the lock */
	int steps_run, steps_failed;
	long rolled;		/* stats_daily rows written */
	long pruned;		/* rows pruned, every table */
	long orphans;
	int vacuumed;		/* tables */
	int64_t duration_ms;
};

/*
 * Run the steps.  0 when every step succeeded (or the run was skipped);
 * -1 otherwise, with e the first failure (each failure also reported as a
 * "maint_failed" line) and r telling how many steps did run.
 */
int maint_run(PGconn *db, const struct maint_opts *o, struct maint_report *r, struct err *e);

#endif
