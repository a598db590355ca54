/*
 * sweep.h - scheduled sweeps: when a schedule is due, and running it
 * (Req 8, 19).
 *
 * A sweep is discover (gap candidates, upgrade candidates or both) then
 * enqueue of what discover found, for the schedule's connector or for
 * every enabled one, in this process.  sweep_run() is what the minutely
 * timer starts ('comradarr schedule run'):
 *
 *   1. runs left 'running' for more than SWEEP_STALE_S by a runner that
 *      died are retried once, then given up as failed (db_schedule_reclaim);
 *   2. for each enabled schedule, the latest due time in
 *      (max(created, last due), now], looking back at most
 *      SWEEP_LOOKBACK_S, is claimed (db_schedule_claim): after downtime a
 *      schedule runs once for all the times it missed, never once per
 *      missed time, and a due time at or before the last one claimed
 *      (a clock that went back, another host) is never run;
 *   3. each connector of a claimed run is swept under the advisory lock
 *      (DB_LOCK_SCHEDULE, connector id); a connector whose lock is held is
 *      still being swept and is skipped (Req 8.3);
 *   4. the outcome is stored with its sweep_done, sweep_skipped or
 *      sweep_failed event in the outbox (Req 8.4).
 *
 * DST follows cron.h: a local time skipped by a spring-forward gap fires
 * once when the gap ends, a fixed local time repeated by a fall-back
 * overlap fires once (its first occurrence).
 */
#ifndef COMRADARR_STAGE_SWEEP_H
#define COMRADARR_STAGE_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"
#include "db/schedule.h"
#include "policy/cron.h"
#include "policy/tz.h"

#define SWEEP_LOOKBACK_S (31LL * 86400)	/* older due times are forgotten */
#define SWEEP_STALE_S (30LL * 60)	/* a run 'running' this long was abandoned */

/* A schedule's expression and zone, parsed.  Not to be copied: tz points
 * into zone. */
struct sweep_when {
	struct cron cron;
	struct policy_tz tz;
	struct policy_tz_zone zone;
};

/*
 * Check a cron expression and zone (Req 19.2).  Errors name the field
 * ("minute 60 is out of range 0-59"); an unknown zone suggests the closest
 * names from zone1970.tab.  warn (may be NULL) gets a warning for a day
 * that never occurs in some chosen month ("day-of-month 31 never occurs in
 * February"), or "" when there is nothing to say.  w is filled when w is
 * not NULL.
 */
int sweep_check(const char *cron, const char *zone, struct sweep_when *w, char *warn,
		size_t warnsize, struct err *e);

/* "at 03:00 every day in Europe/Berlin"; like snprintf. */
size_t sweep_describe(const struct sweep_when *w, const char *zone, char *buf, size_t size);

/* The next n firings strictly after after_s (seconds since the epoch) into
 * out; returns how many were found (fewer when it stops firing), or -1. */
int sweep_next(const struct sweep_when *w, int64_t after_s, int64_t *out, int n, struct err *e);

/* The UTC offset (seconds) of the zone at t, for showing runs. */
int sweep_offset(const struct sweep_when *w, int64_t t, int32_t *off, struct err *e);

/*
 * The due time to run at now_s, if any: the latest firing in
 * (since_s, now_s], since_s raised to now_s - SWEEP_LOOKBACK_S.  *due_s is
 * 0 when none; *missed counts the earlier firings in that span it stands
 * for.
 */
int sweep_due(const struct sweep_when *w, int64_t since_s, int64_t now_s, int64_t *due_s,
	      int *missed, struct err *e);

/*
 * Schedules in one zone share its cache of offset spans (tz.h): each fresh
 * zone asks tzdata a few dozen times, about 10 ms, which a runner or a page
 * with many schedules would otherwise pay for every one of them.
 * sweep_share_zone points w at the pool's copy of its zone, adding it when
 * there is room (a full pool leaves w on its own copy).
 */
#define SWEEP_ZONE_POOL 16
struct sweep_zones {
	struct policy_tz_zone zone[SWEEP_ZONE_POOL];
	int n;
};
void sweep_share_zone(struct sweep_when *w, struct sweep_zones *pool);

/* What one sweep_run() did. */
struct sweep_report {
	long schedules;		/* enabled schedules looked at */
	long claimed;		/* due times this process ran */
	long retried;		/* abandoned runs retried */
	long given_up;		/* abandoned runs given up as failed */
	long done, skipped, failed;	/* outcomes of the runs */
	long errors;		/* schedules that could not be evaluated */
};

/* Called with each line for the caller's format (obj borrowed). */
typedef void (*sweep_line_fn)(void *arg, const char *event, json_t *obj);

struct sweep_opts {
	int64_t now_us;		/* 0: clock_now_us() */
	const char *only;	/* a schedule name: only that one; NULL: all */
	struct jsonl *out;	/* schedule_run and sweep_* lines; NULL: none */
	sweep_line_fn line;	/* set: lines go here instead */
	void *line_arg;
};

/*
 * Run what is due (db outside a transaction).  Returns 0 when every run
 * finished (done or skipped), -1 when one failed or a schedule could not
 * be evaluated (e says the first reason; r counts them).
 */
int sweep_run(PGconn *db, const struct sweep_opts *o, struct sweep_report *r, struct err *e);

/* ------------------------------------------------------- run now, progress */

/*
 * Run schedule name at once, whatever its expression says (the web UI's
 * "run now").  The run is claimed as a due time of now (to the microsecond), so
 * it is recorded like any other and the minutely runner's next due time is
 * the expression's next one after now: a run now stands for a due time
 * that fell since the last run, it never adds one.  A disabled schedule is
 * ERR_CONFLICT (enable it first), as is a due time already claimed at or
 * after now (a clock that went back).  runner says who asked ("web:NAME"); o->now_us and o->line/out
 * as for sweep_run.  r counts the one run.
 */
int sweep_run_now(PGconn *db, const char *name, const char *runner, const struct sweep_opts *o,
		  struct sweep_report *r, struct err *e);

/* ------------------------------------------------ views of the schedules */

/*
 * The views below take a zone pool (sweep_share_zone): a long-lived one (a
 * server keeps one, under its own lock: the pool is written as zones warm
 * up) makes the zones' offsets a cost paid once instead of per call; NULL
 * uses a pool of the call's own.
 */

/*
 * Check everything a schedule holds before it is stored (the CLI and the
 * web's one check): the name's rule, the sweep kind, max_items, the
 * expression and the zone (sweep_check).  On error *field (may be NULL)
 * names the offending member ("name", "sweep", "max_items", "cron",
 * "zone"); warn as for sweep_check.
 */
int sweep_schedule_check(const struct schedule *s, char *warn, size_t warnsize,
			 const char **field, struct err *e);

/* "2026-03-29 03:00 +02:00": t on the wall clock of UTC offset off. */
void sweep_fmt_local(int64_t t, int32_t off, char *buf, size_t size);

/*
 * A schedule as JSON (the CLI's lines and the API's answers): its fields,
 * "description", "next" (enabled only; UTC, RFC 3339) and "next_s" (seconds),
 * "last_run" {due, status, started, finished, found, queued}.  New reference.
 */
json_t *sweep_schedule_json(const struct schedule *s, int64_t now_s, struct sweep_zones *pool);

/*
 * The next n runs of an expression in a zone after after_s, as
 * {"cron","zone","description","warning"?,"runs":[{"at","at_s","local",
 * "utc_offset_s"}]}.  -1 with *field "cron" or "zone" when either is bad.
 */
json_t *sweep_preview(const char *cron, const char *zone, int64_t after_s, int n,
		      const char **field, struct err *e);

/*
 * The next runs across every enabled schedule in (now_s, now_s + within_s],
 * soonest first, at most max: [{"schedule","connector"?,"sweep","at_s",
 * "at"}].  Schedules that do not parse are left out.  New reference.
 */
json_t *sweep_upcoming(const struct schedule *list, size_t n, int64_t now_s, int64_t within_s,
		       size_t max, struct sweep_zones *pool);

/*
 * Two sweeps of a common connector that start closer than this are an
 * overlap: the later one most likely finds the first still running and is
 * skipped (Req 8.3).  A schedule of every connector shares one with all.
 */
#define SWEEP_CLASH_S		(15 * 60)
#define SWEEP_PLAN_MAX_RUNS	2000	/* per schedule in a plan; the rest are counted */

/*
 * The runs of every enabled schedule in [from_s, to_s) for a timeline
 * (Req 19.4): {"from_s","to_s","lanes":[{"schedule","connector"?,"sweep",
 * "description","runs":[at_s...],"clash":[0|1...],"more":N}],"clashes":N}.
 * A run is marked 1 in "clash" when a run of another schedule that shares
 * its connector starts within SWEEP_CLASH_S of it.  New reference.
 */
json_t *sweep_plan(const struct schedule *list, size_t n, int64_t from_s, int64_t to_s,
		   struct sweep_zones *pool);

#endif
