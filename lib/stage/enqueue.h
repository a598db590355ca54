/*
 * enqueue.h - comradarr-enqueue's work: eligible search entries become
 * prioritised batches in the request queue (Req 5.1, 6, 29.4, 29.5).
 *
 * Input is either candidate lines (candidate.h) read from a stream — only
 * the listed items are queued, and only if their entry is still eligible —
 * or, with no stream, every eligible entry of the selected connectors.
 * Unknown or malformed lines are reported with their line number
 * ("input_skipped") and skipped.
 *
 * Per connector, in one transaction under its DB_LOCK_ENQUEUE advisory
 * lock (a concurrent run waits, then finds the entries already queued):
 *   1. the eligible entries (pending, or cooldown/failed/awaiting_import
 *      whose time has come, in no batch), locked FOR UPDATE SKIP LOCKED;
 *   2. each one's priority from the weights in settings (candidate.h);
 *   3. per season with missing episodes, batch_season_decide(): a
 *      SeasonSearch, EpisodeSearches, or wait while a pack cools down;
 *   4. batch_form(): SeasonSearch per season, EpisodeSearch per series and
 *      MoviesSearch per connector of at most the throttle profile's batch
 *      size (<= 10) ids, each with its expected indexer queries;
 *   5. the batches, their items, entries -> queued, an "enqueue_done"
 *      event; COMMIT (a failure writes nothing).
 * Then one "queued" JSON line per batch and an "enqueue_done" line.
 */
#ifndef COMRADARR_STAGE_ENQUEUE_H
#define COMRADARR_STAGE_ENQUEUE_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"

#define ENQUEUE_MAX_LINE (64 * 1024)

/* As discover_line_fn: lines for a human format (obj borrowed). */
typedef void (*enqueue_line_fn)(void *arg, const char *event, json_t *obj);

struct enqueue_opts {
	FILE *in;		/* candidate lines; NULL: every eligible entry */
	const char *const *connectors;	/* NULL-terminated names; NULL: all
					 * enabled (from-registry mode) */
	long limit;		/* per connector, highest priority first; 0: all */
	int dry_run;		/* decide and report, write nothing */
	int64_t now_us;		/* 0: clock_now_us() */
	struct jsonl *out;
	enqueue_line_fn line;
	void *line_arg;
};

struct enqueue_report {
	long lines;		/* input lines read */
	long bad_lines;		/* malformed or unknown, skipped */
	long not_eligible;	/* listed but not eligible now */
	long connectors;	/* connectors worked on */
	long failed;		/* connectors that failed */
	long batches;
	long items;		/* entries queued */
	long season_packs;	/* SeasonSearch batches */
	long waiting;		/* entries held back by a cooling season pack */
	long held;		/* entries held back by the per-series limit
				 * (queue.max_per_series, Req 6.4) */
	long indexer_queries;	/* expected, over all batches */
	int64_t duration_ms;
};

/*
 * Run.  Returns 0 when every connector worked (or there was nothing to
 * do), -1 when one failed (e says why; r->failed counts them; the others
 * are committed).
 */
int enqueue_run(PGconn *db, const struct enqueue_opts *o, struct enqueue_report *r,
		struct err *e);

#endif
