/*
 * dispatch.h - comradarr-dispatch's cycle: queue -> POST /command under the
 * throttle, poll, outcome (Req 5.2-5.6, 6.5, 7, 11, 28, 37.2, 38).
 *
 * One cycle, for every enabled *arr connector (or the one named):
 *   - rescue batches whose lease expired (a dispatcher died): reconcile
 *     with the *arr - the recorded command id, else a matching command in
 *     its command list - instead of sending again;
 *   - claim due batches in priority order, each in one transaction with the
 *     throttle admission (db/queue.h, db/throttle.h), POST the command,
 *     record its id BEFORE waiting, poll it to a terminal state under a
 *     deadline, then decide from the *arr's history (grabbed events since
 *     the command was queued) and queue, never from the command's result;
 *   - write each entry's state, search_history and the event in one
 *     transaction; one "search" JSON line per batch.
 * A connector is skipped while disabled, unhealthy or after a 401; paused
 * after a 429 (Retry-After honoured and clamped) and once its daily budget
 * is spent.  Waiting for the rpm window sleeps through clock_sleep_ms(), so
 * an injected clock makes a simulated day run in seconds.  Prowlarr
 * connectors are read for indexer status (cached, informational only).
 * The summary is a "dispatch_done" line.  Nothing here prints to stdout.
 */
#ifndef COMRADARR_STAGE_DISPATCH_H
#define COMRADARR_STAGE_DISPATCH_H

#include <signal.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "arr/retry.h"
#include "core/err.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"
#include "policy/tz.h"

#define DISPATCH_LEASE_S 60
#define DISPATCH_POLL_MS 2000
#define DISPATCH_COMMAND_TIMEOUT_S 600
#define DISPATCH_MAX_WAIT_MS (5L * 60 * 1000)
#define DISPATCH_PROWLARR_REFRESH_S 300
#define DISPATCH_MAX_RESCUES 5
/* How long the apps keep a finished command in GET /command (API-NOTES):
 * a rescued send younger than this that is not listed was never received. */
#define DISPATCH_ARR_MEMORY_S 240

/* Points in a batch's life, for the crash tests' hook. */
enum dispatch_point {
	DISPATCH_AT_CLAIMED = 0,	/* claimed and paid, before the POST */
	DISPATCH_AT_POSTED,		/* the *arr took it, id not yet recorded */
	DISPATCH_AT_RECORDED,		/* id recorded, before polling */
	DISPATCH_AT_POLLING,		/* between two polls */
	DISPATCH_AT_DECIDED,		/* outcome known, not yet written */
	DISPATCH_POINT_MAX
};

typedef void (*dispatch_hook_fn)(void *arg, enum dispatch_point at);

struct dispatch_opts {
	const struct secret_key *key;	/* decrypts the API keys */
	const char *connector;		/* NULL: every connector */
	const char *worker;		/* claimed_by; NULL: "host:pid" */
	const struct policy_tz *tz;	/* local day for budgets; NULL: UTC */
	int lease_s;			/* 0: DISPATCH_LEASE_S */
	long poll_ms;			/* 0: DISPATCH_POLL_MS */
	int command_timeout_s;		/* 0: DISPATCH_COMMAND_TIMEOUT_S */
	long max_wait_ms;		/* longest wait for the rpm window inside
					 * one cycle; 0: DISPATCH_MAX_WAIT_MS,
					 * < 0: do not wait */
	long max_batches;		/* stop after this many (0: no limit) */
	struct arr_retry retry;		/* per-request retries; zero: defaults */
	struct jsonl *out;		/* JSON lines; NULL for none */
	const volatile sig_atomic_t *stop;	/* set (by a signal): finish the
					 * batch in hand and return; may be NULL */
	dispatch_hook_fn hook;		/* tests only; NULL */
	void *hook_arg;
};

struct dispatch_report {
	long batches;		/* finished (sent or reconciled) */
	long sent;		/* commands POSTed */
	long queries;		/* indexer queries spent */
	long grabbed;		/* entries grabbed */
	long no_results, failed;	/* batches */
	long rescued, released, throttled_waits;
	long dropped;		/* items the claim's re-check took out */
	long resolved;		/* batches it removed unsent (nothing left,
				 * or a season pack no longer qualifying) */
	long errors;		/* steps that failed (each logged and a
				 * "dispatch_error" line): the run did part */
	long connectors, connectors_failed;
};

/* Run one cycle.  Returns 0, or -1 when nothing could be done (database
 * gone); a failing connector is counted in connectors_failed instead. */
int dispatch_run(PGconn *db, const struct dispatch_opts *o, struct dispatch_report *rep,
		 struct err *e);

#endif
