/*
 * dispatch_int.h - what the dispatch stage's files share (not an API).
 */
#ifndef COMRADARR_STAGE_DISPATCH_INT_H
#define COMRADARR_STAGE_DISPATCH_INT_H

#include <jansson.h>

#include "arr/client.h"
#include "db/connectors.h"
#include "db/queue.h"
#include "db/throttle.h"
#include "policy/backoff.h"
#include "stage/dispatch.h"

/* One connector's state during a cycle. */
struct dctx {
	PGconn *db;
	const struct dispatch_opts *o;
	struct dispatch_report *rep;
	const struct connector *c;
	struct arr_client *cl;
	struct db_throttle_profile prof;
	struct backoff_policy pol;
	const struct policy_tz *tz;
	const char *worker;
	int lease_s;
	int stop;		/* nothing more for this connector this cycle */
	int failed;		/* ... because it failed (401, unreachable) */
};

/* A JSON line with "connector" set (obj stolen, may be NULL). */
void dispatch_emit(struct dctx *x, const char *event, json_t *obj);
void dispatch_hook(struct dctx *x, enum dispatch_point at);
/* A step failed: logged (what: what was not done and what happens next),
 * a "dispatch_error" line, counted in the report's errors. */
void dispatch_failed(struct dctx *x, const char *what, const struct err *e);

/* Send, wait for and finish a batch this worker just claimed. */
int dispatch_batch(struct dctx *x, struct db_queue_batch *b, struct err *e);
/* Reconcile and finish a batch rescued from an expired lease. */
int dispatch_rescued(struct dctx *x, struct db_queue_batch *b, struct err *e);

/* Refresh a Prowlarr connector's cached indexer status when it is older
 * than the refresh interval; never fails the cycle (Req 38.5-38.6). */
void dispatch_prowlarr(PGconn *db, const struct dispatch_opts *o, const struct connector *c);

#endif
