/*
 * schedule.h - the schedules and schedule_runs tables (Req 8, 19; sql/0009).
 *
 * Only storage lives here: what a cron expression means and when a
 * schedule is due is lib/stage/sweep.h's business.  A due time is run at
 * most once because db_schedule_claim() inserts its schedule_runs row in
 * the statement that moves last_due_at forward, under the schedule row's
 * lock: a second runner (another host, the same timer) finds last_due_at
 * already there and claims nothing.
 */
#ifndef COMRADARR_DB_SCHEDULE_H
#define COMRADARR_DB_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

struct schedule {
	int64_t id;
	char name[64];
	int64_t connector_id;	/* 0: every enabled connector */
	char connector[64];	/* its name; "" for every connector */
	char sweep[16];		/* gaps | upgrades | all */
	char cron[201];
	char zone[128];
	long max_items;		/* 0: no limit */
	int enabled;
	int64_t created_us;
	int64_t last_due_us;	/* 0: never due yet */
	/* the latest run (by due time); last_status "" when none */
	int64_t last_run_due_us, last_started_us, last_finished_us;
	char last_status[16];	/* running | done | skipped | failed */
	long last_found, last_queued;
};

/* A claimed run: which schedule, which due time. */
struct schedule_run {
	int64_t schedule_id;
	int64_t due_us;
	int attempts;
	int missed;
};

/*
 * Insert s (s->connector names the connector, "" for all; s->id is set),
 * with created_at = now_us, and a "schedule_added" event, in one
 * transaction.  A taken name is ERR_CONFLICT; a missing connector
 * ERR_NOTFOUND.
 */
int db_schedule_add(PGconn *db, struct schedule *s, int64_t now_us, struct err *e);

/*
 * Save every field of s (found by s->id; renames allowed) with a
 * "schedule_updated" event.  A new cron or zone counts from now_us: the
 * new expression's times before the edit are not "missed", so an edit
 * never starts a catch-up run of its own.
 */
int db_schedule_update(PGconn *db, const struct schedule *s, int64_t now_us, struct err *e);

/* Remove by name with its runs, and a "schedule_removed" event. */
int db_schedule_remove(PGconn *db, const char *name, struct err *e);

/* Load by name (ERR_NOTFOUND says how to list them). */
int db_schedule_get(PGconn *db, const char *name, struct schedule *s, struct err *e);

/* Every schedule, by name; *list is malloc'd (free()). */
int db_schedule_list(PGconn *db, struct schedule **list, size_t *n, struct err *e);

/*
 * Claim due_us of schedule id for a run starting at now_us: *claimed is 1
 * when this caller owns it (the row is 'running'), 0 when the schedule is
 * disabled, gone, or already at or past due_us (another runner, or a
 * clock that went back).  missed: the earlier due times it stands for.
 */
int db_schedule_claim(PGconn *db, int64_t id, int64_t due_us, int64_t now_us, int missed,
		      const char *runner, int *claimed, struct err *e);

/*
 * Runs still 'running' whose started_at is before stale_us were left by a
 * runner that died.  Those on their first attempt are taken again
 * (attempts 2, started_at now_us) and returned in *runs (malloc'd) for the
 * caller to run; those already retried become 'failed', each with a
 * "sweep_failed" event, and are counted in *failed.
 */
int db_schedule_reclaim(PGconn *db, int64_t now_us, int64_t stale_us, struct schedule_run **runs,
			size_t *n, long *failed, struct err *e);

/* The outcome of a run. */
struct schedule_outcome {
	const char *status;	/* done | skipped | failed */
	long found, queued, skipped;
	int missed, attempts;
	const char *detail;	/* why skipped or failed; NULL */
};

/*
 * Record the outcome of (s, due_us) at now_us and write its event
 * ("sweep_done", "sweep_skipped" or "sweep_failed") to the outbox, in one
 * transaction.
 */
int db_schedule_finish(PGconn *db, const struct schedule *s, int64_t due_us, int64_t now_us,
		       const struct schedule_outcome *o, struct err *e);

/*
 * The default schedules of a new connector (Req 8.1): "NAME-gaps" hourly
 * and "NAME-upgrades" daily at 03:30 in zone (half past, so it never meets
 * the hourly gap sweep of the same connector, which would skip it), unless
 * a schedule of that name exists.  The ones created (each with its event)
 * are copied to added[0..*n).
 */
#define DB_SCHEDULE_DEFAULTS 2
int db_schedule_defaults(PGconn *db, int64_t connector_id, const char *connector, const char *zone,
			 int64_t now_us, struct schedule added[DB_SCHEDULE_DEFAULTS], int *n,
			 struct err *e);

/*
 * How far a running sweep has got (sql/0017): written by the sweep as it
 * goes, one short statement each time, outside any transaction of its own.
 */
struct schedule_progress {
	const char *stage;	/* discover | enqueue */
	const char *connector;	/* the one being swept; NULL */
	int done, total;	/* connectors finished, and to sweep */
	long found, queued;	/* so far */
};
int db_schedule_progress(PGconn *db, int64_t id, int64_t due_us, const struct schedule_progress *p,
			 struct err *e);

/* A run still 'running', with its progress (db_schedule_running). */
struct schedule_running {
	char name[64];
	char connector[64];	/* the schedule's; "" for every connector */
	char sweep[16];
	int64_t due_us, started_us, progress_us;	/* progress_us 0: none yet */
	char stage[16];		/* "" before the first connector */
	char current[64];	/* the connector being swept */
	int done, total, attempts;
	long found, queued;
	char runner[160];
};

/* Every run now 'running' (the partial index sql/0009 keeps for them),
 * oldest first; *list is malloc'd (free()). */
int db_schedule_running(PGconn *db, struct schedule_running **list, size_t *n, struct err *e);

#endif
