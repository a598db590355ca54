/*
 * dispatch.c - the cycle: connectors, rescue, claim under the throttle,
 * waiting for the window, the summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "arr/app.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "stage/dispatch_int.h"
#include "stage/connect.h"
#include "core/banned.h"

void
dispatch_emit(struct dctx *x, const char *event, json_t *obj)
{
	if (obj == NULL)
		obj = json_object();
	if (x->c != NULL)
		json_object_set_new(obj, "connector", json_string(x->c->name));
	if (x->o->out != NULL)
		jsonl_emit(x->o->out, event, obj);
	else
		json_decref(obj);
}

void
dispatch_failed(struct dctx *x, const char *what, const struct err *e)
{
	x->rep->errors++;
	log_error("dispatch", "connector '%s': %s: %s", x->c->name, what, e->msg);
	dispatch_emit(x, "dispatch_error", json_pack("{s:s, s:s, s:s}", "kind",
		      err_kind_name(e->kind), "what", what, "message", e->msg));
}

void
dispatch_hook(struct dctx *x, enum dispatch_point at)
{
	if (x->o->hook != NULL)
		x->o->hook(x->o->hook_arg, at);
}

/* Wait for other dispatchers' commands to finish: real time, briefly
 * (this is other processes' progress, not a time the clock decides). */
#define DISPATCH_BUSY_NAPS 250	/* x 20 ms */
static void
nap(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Why a connector is not searched now, or NULL. */
static const char *
skip_reason(const struct connector *c)
{
	if (!c->enabled)
		return "disabled";
	if (c->auth_failed)
		return "auth_failed";
	if (strcmp(c->health, "unhealthy") == 0 || strcmp(c->health, "offline") == 0)
		return "unhealthy";
	return NULL;
}

enum step { STEP_WORKED, STEP_IDLE, STEP_WAIT, STEP_BUSY };

/* The claim's re-check took items out of b: one "search_dropped" line. */
static void
report_dropped(struct dctx *x, const struct db_queue_batch *b)
{
	json_t *dl, *ids;

	if (b->ndropped == 0 && b->recheck == DB_RECHECK_KEPT)
		return;
	x->rep->dropped += (long)b->ndropped;
	if (b->recheck != DB_RECHECK_KEPT)
		x->rep->resolved++;
	dl = json_array();
	for (size_t i = 0; i < b->ndropped; i++)
		json_array_append_new(dl, json_pack("{s:i, s:s}", "arr_id", b->dropped[i].arr_id,
						    "reason", b->dropped[i].reason));
	ids = json_array();
	for (int i = 0; i < b->nids; i++)
		json_array_append_new(ids, json_integer(b->arr_ids[i]));
	log_info("dispatch", "connector '%s': batch %lld: %zu item(s) no longer need a search "
		 "(%s)", x->c->name, (long long)b->id, b->ndropped, db_recheck_name(b->recheck));
	dispatch_emit(x, "search_dropped", json_pack("{s:I, s:s, s:o, s:o, s:s}", "queue_id",
		      (json_int_t)b->id, "command", b->command, "arr_ids", ids, "dropped", dl,
		      "batch", db_recheck_name(b->recheck)));
}

/* One unit of work for a connector: a rescue, or a claimed batch. */
static enum step
step(struct dctx *x, int64_t *wake_us, struct err *e)
{
	struct db_queue_batch b;
	struct db_claim_opts co;
	struct db_throttle_decision d;
	enum db_claim_status st;
	int found = 0;

	memset(&b, 0, sizeof(b));
	if (db_queue_rescue(x->db, x->c->id, x->worker, x->lease_s, &b, &found, e) < 0)
		return STEP_IDLE;
	if (found) {
		x->rep->rescued++;
		if (dispatch_rescued(x, &b, e) < 0) {
			char what[128];

			snprintf(what, sizeof(what), "rescued batch %lld not reconciled yet (its lease "
				 "expires again and a later run retries)", (long long)b.id);
			dispatch_failed(x, what, e);
		}
		db_queue_batch_release(&b);
		return STEP_WORKED;
	}
	memset(&co, 0, sizeof(co));
	co.connector_id = x->c->id;
	co.profile = &x->prof.p;
	co.tz = x->tz;
	co.now_us = clock_is_fake() ? clock_now_us() : 0;
	co.worker = x->worker;
	co.lease_s = x->lease_s;
	if (db_queue_claim(x->db, &co, &b, &st, &d, e) < 0) {
		x->stop = x->failed = 1;
		dispatch_emit(x, "dispatch_error", json_pack("{s:s, s:s}", "kind",
			      err_kind_name(e->kind), "message", e->msg));
		return STEP_IDLE;
	}
	switch (st) {
	case DB_CLAIM_OK:
		report_dropped(x, &b);
		if (dispatch_batch(x, &b, e) < 0) {
			char what[160];

			snprintf(what, sizeof(what), "batch %lld: outcome not recorded (%s)",
				 (long long)b.id, e->kind == ERR_CONFLICT ? "another dispatcher "
				 "took it over and records it" : "its lease expires and a later run "
				 "reconciles it with the app");
			dispatch_failed(x, what, e);
		}
		db_queue_batch_release(&b);
		return STEP_WORKED;
	case DB_CLAIM_RESOLVED:
		/* nothing was sent or spent: on to the next batch */
		report_dropped(x, &b);
		db_queue_batch_release(&b);
		return STEP_WORKED;
	case DB_CLAIM_NONE:
		return STEP_IDLE;
	case DB_CLAIM_PAUSED:
		dispatch_emit(x, "queue_paused", NULL);
		x->stop = 1;
		return STEP_IDLE;
	case DB_CLAIM_BUSY:
		return STEP_BUSY;
	case DB_CLAIM_TOO_BIG:
		log_warn("dispatch", "batch %lld of '%s' costs %d queries, more than profile '%s' "
			 "allows at once: returned to enqueue", (long long)b.id, x->c->name,
			 b.indexer_queries, x->prof.p.name);
		if (db_queue_drop(x->db, &b, "too_big", e) < 0) {
			/* the same batch would come back at once: stop here */
			dispatch_failed(x, "cannot return a batch too big for the profile to enqueue; "
					"raise the profile's limits or 'comradarr queue clear'", e);
			x->stop = x->failed = 1;
			db_queue_batch_release(&b);
			return STEP_IDLE;
		}
		db_queue_batch_release(&b);
		return STEP_WORKED;
	case DB_CLAIM_THROTTLED:
		break;
	}
	if (d.v.reason == THROTTLE_DAILY_BUDGET) {
		int first = 0;

		if (db_throttle_note_budget(x->db, x->c->id, d.v.day_start_us, d.v.earliest_us,
					    &first, e) < 0)
			dispatch_failed(x, "the daily budget ran out but could not be recorded "
					"(no budget_exhausted event this time)", e);
		dispatch_emit(x, "budget_exhausted", json_pack("{s:I, s:b}", "resumes_in_s",
			      (json_int_t)((d.v.earliest_us - d.now_us) / 1000000), "first", first));
		x->stop = 1;
		return STEP_IDLE;
	}
	if (d.v.reason == THROTTLE_PAUSED) {
		dispatch_emit(x, "connector_paused", json_pack("{s:s, s:I}", "reason",
			      d.pause_reason, "resumes_in_s",
			      (json_int_t)((d.paused_until_us - d.now_us) / 1000000)));
		x->stop = 1;
		return STEP_IDLE;
	}
	*wake_us = d.v.earliest_us;
	/* a wait measured on the same clock the decision used */
	if (!clock_is_fake())
		*wake_us = clock_now_us() + (d.v.earliest_us - d.now_us);
	return STEP_WAIT;
}

static int
list_connectors(PGconn *db, const struct dispatch_opts *o, struct connector **list, size_t *n,
		struct err *e)
{
	if (db_connector_list(db, list, n, e) < 0)
		return -1;
	if (o->connector == NULL)
		return 0;
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*list)[i].name, o->connector) == 0) {
			if (i != 0) {
				struct connector t = (*list)[0];

				(*list)[0] = (*list)[i];
				(*list)[i] = t;
			}
			/* only the named one is worked on; the rest are released */
			for (size_t j = 1; j < *n; j++)
				connector_release(&(*list)[j]);
			*n = 1;
			return 0;
		}
	}
	connector_list_free(*list, *n);
	*list = NULL;
	*n = 0;
	return err_set(e, ERR_NOTFOUND, "no connector named '%s': see 'comradarr connector list'",
		       o->connector);
}

int
dispatch_run(PGconn *db, const struct dispatch_opts *o, struct dispatch_report *rep, struct err *e)
{
	struct connector *list = NULL;
	struct dctx *xs = NULL;
	struct policy_tz utc;
	static const int32_t zero = 0;
	char worker[DB_QUEUE_WORKER_MAX], host[64];
	size_t n = 0;
	long waited_ms = 0, busy_naps = 0;
	long max_wait = o->max_wait_ms == 0 ? DISPATCH_MAX_WAIT_MS : o->max_wait_ms;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	policy_tz_fixed(&utc, &zero);
	if (o->worker != NULL) {
		snprintf(worker, sizeof(worker), "%s", o->worker);
	} else {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		snprintf(worker, sizeof(worker), "%s:%ld", host, (long)getpid());
	}
	if (db_throttle_seed_presets(db, e) < 0 || list_connectors(db, o, &list, &n, e) < 0)
		goto out;
	xs = calloc(n + 1, sizeof(*xs));
	if (xs == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct dctx *x = &xs[i];
		struct err ce = ERR_INIT;
		const char *why;

		x->db = db;
		x->o = o;
		x->rep = rep;
		x->c = &list[i];
		x->tz = o->tz != NULL ? o->tz : &utc;
		x->worker = worker;
		x->lease_s = o->lease_s > 0 ? o->lease_s : DISPATCH_LEASE_S;
		if (strcmp(list[i].type, "prowlarr") == 0) {
			x->stop = 1;
			if (list[i].enabled)
				dispatch_prowlarr(db, o, &list[i]);
			continue;
		}
		rep->connectors++;
		why = skip_reason(&list[i]);
		if (why != NULL) {
			x->stop = 1;
			dispatch_emit(x, "connector_skipped", json_pack("{s:s}", "reason", why));
			continue;
		}
		if (db_throttle_for_connector(db, list[i].id, &x->prof, &ce) < 0 ||
		    stage_client_open(o->key, &list[i], &o->retry, &x->cl, &ce) < 0) {
			x->stop = x->failed = 1;
			rep->connectors_failed++;
			log_error("dispatch", "connector '%s': %s", list[i].name, ce.msg);
			dispatch_emit(x, "dispatch_error", json_pack("{s:s, s:s}", "kind",
				      err_kind_name(ce.kind), "message", ce.msg));
			continue;
		}
		throttle_profile_backoff(&x->prof.p, x->prof.max_attempts, &x->pol);
	}
	/* Round-robin over the connectors, one unit of work each, until every
	 * one is idle, stopped or waiting longer than we may wait. */
	for (;;) {
		int worked = 0, busy = 0;
		int64_t wake = 0;

		for (size_t i = 0; i < n; i++) {
			struct dctx *x = &xs[i];
			int64_t w = 0;
			struct err se = ERR_INIT;

			if (x->stop)
				continue;
			if ((o->max_batches > 0 && rep->batches >= o->max_batches) ||
			    (o->stop != NULL && *o->stop))
				break;
			switch (step(x, &w, &se)) {
			case STEP_WORKED:
				worked = 1;
				break;
			case STEP_BUSY:
				busy = 1;
				break;
			case STEP_WAIT:
				if (wake == 0 || w < wake)
					wake = w;
				break;
			case STEP_IDLE:
				x->stop = 1;
				break;
			}
			if (x->failed && !x->stop)
				x->stop = 1;
		}
		if ((o->max_batches > 0 && rep->batches >= o->max_batches) ||
		    (o->stop != NULL && *o->stop))
			break;
		if (worked) {
			busy_naps = 0;
			continue;
		}
		/* every slot held by other dispatchers: wait for one, but not for
		 * a dead one's lease (rescued by a later run) */
		if (busy && ++busy_naps <= DISPATCH_BUSY_NAPS) {
			nap();
			continue;
		}
		if (wake == 0)
			break;
		{
			int64_t ms = (wake - clock_now_us() + 999) / 1000;

			if (ms < 1)
				ms = 1;
			if (max_wait < 0 || waited_ms + ms > max_wait) {
				struct dctx tmp = { 0 };

				tmp.o = o;
				dispatch_emit(&tmp, "throttled", json_pack("{s:I}", "wait_ms", (json_int_t)ms));
				break;
			}
			rep->throttled_waits++;
			waited_ms += (long)ms;
			clock_sleep_ms((long)ms);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (xs[i].failed && xs[i].cl != NULL)
			rep->connectors_failed++;
	ret = 0;
out:
	{
		struct dctx tmp = { 0 };

		tmp.o = o;
		dispatch_emit(&tmp, "dispatch_done", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			      "batches", (json_int_t)rep->batches, "sent", (json_int_t)rep->sent,
			      "queries", (json_int_t)rep->queries, "grabbed", (json_int_t)rep->grabbed,
			      "no_results", (json_int_t)rep->no_results, "failed", (json_int_t)rep->failed,
			      "rescued", (json_int_t)rep->rescued, "released", (json_int_t)rep->released,
			      "dropped", (json_int_t)rep->dropped, "resolved", (json_int_t)rep->resolved,
			      "errors", (json_int_t)rep->errors,
			      "connectors", (json_int_t)rep->connectors,
			      "connectors_failed", (json_int_t)rep->connectors_failed));
	}
	for (size_t i = 0; xs != NULL && i < n; i++)
		arr_client_free(xs[i].cl);
	free(xs);
	connector_list_free(list, n);
	return ret;
}
