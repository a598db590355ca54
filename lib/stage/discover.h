/*
 * discover.h - comradarr-discover's work for one connector (Req 3, 4, 11).
 *
 * From the content mirror alone (no *arr request), in one transaction under
 * the connector's DB_LOCK_DISCOVER advisory lock (held elsewhere: skipped,
 * which is success):
 *   1. entries the mirror says are resolved are removed (Req 3.4, 4.4);
 *   2. gap candidates: monitored episode, season and series (or movie)
 *      without a file, aired (air date + runtime + the connector's grace;
 *      Whisparr v2 scenes by release date) or available (Radarr/Whisparr v3
 *      isAvailable, + grace after the release), season 0 only with
 *      include_specials, nothing in the *arr's download queue;
 *   3. upgrade candidates: monitored, with a file whose quality is below the
 *      profile's cutoff (the app's qualityCutoffNotMet) or whose
 *      custom-format score is below cutoffFormatScore, profile allowing
 *      upgrades;
 *   4. a pending entry for each new candidate (Req 3.3, 4.3); pending
 *      entries that no longer qualify are removed; entries in other states
 *      (cooldown, exhausted, queued...) are left alone unless resolved;
 *   5. every candidate's priority (Req 5.1) is stored on its entry;
 *   6. a "discover_done" event in the outbox; COMMIT.
 * Then one "candidate" JSON line per candidate (candidate.h) and a
 * "discover_done" line.
 *
 * With via_wanted the "missing" and "below cutoff" tests come from the
 * *arr's wanted/missing and wanted/cutoff endpoints (Req 3.2, 4.2) instead
 * of the mirror, as a cross-check; Whisparr v3 and Radarr before 5.6 have
 * none and fail with ERR_USAGE.  Nothing here prints to stdout or exits.
 */
#ifndef COMRADARR_STAGE_DISCOVER_H
#define COMRADARR_STAGE_DISCOVER_H

#include <stdint.h>

#include <jansson.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"

/* Called instead of writing to out, for a human format: event and the
 * line's members (borrowed). */
typedef void (*discover_line_fn)(void *arg, const char *event, json_t *obj);

struct discover_opts {
	int via_wanted;		/* use the *arr's wanted endpoints */
	int gaps, upgrades;	/* which to look for; both 0 means both */
	int quiet;		/* no candidate lines, only the summary */
	int64_t now_us;		/* 0: clock_now_us() */
	const struct secret_key *key;	/* via_wanted: decrypts the API key */
	struct jsonl *out;	/* NULL: no lines */
	discover_line_fn line;	/* set: lines go here instead */
	void *line_arg;
};

enum discover_status { DISCOVER_DONE = 0, DISCOVER_SKIPPED, DISCOVER_FAILED };

struct discover_report {
	enum discover_status status;
	char reason[160];	/* why skipped */
	long gaps, upgrades;	/* candidates now */
	long added;		/* entries created */
	long removed;		/* entries removed: resolved or no longer qualifying */
	long wanted_missing, wanted_cutoff;	/* records the *arr listed (via_wanted) */
	unsigned long api_calls;
	int64_t duration_ms;
};

/*
 * Discover for connector c (db must not be inside a transaction).  A
 * Prowlarr connector is skipped.  Returns 0 when done or skipped, -1 on
 * failure (nothing written, r->status DISCOVER_FAILED).
 */
int discover_connector(PGconn *db, const struct connector *c, const struct discover_opts *o,
		       struct discover_report *r, struct err *e);

#endif
