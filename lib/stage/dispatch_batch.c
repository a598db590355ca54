/*
 * dispatch_batch.c - one batch: POST the command, record its id, poll to a
 * terminal state, learn what it grabbed from the *arr's history and queue,
 * and write the outcome; and the reconciliation of a rescued batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arr/app.h"
#include "arr/command.h"
#include "arr/parse.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "db/events.h"
#include "stage/dispatch_int.h"
#include "core/banned.h"

static int
is_movie(const struct db_queue_batch *b)
{
	return strcmp(b->command, "MoviesSearch") == 0;
}

static int
build_body(const struct db_queue_batch *b, json_t **out, struct err *e)
{
	if (strcmp(b->command, "EpisodeSearch") == 0)
		return arr_command_episode_search(b->arr_ids, (size_t)b->nids, out, e);
	if (strcmp(b->command, "MoviesSearch") == 0)
		return arr_command_movies_search(b->arr_ids, (size_t)b->nids, out, e);
	if (strcmp(b->command, "SeasonSearch") == 0)
		return arr_command_season_search(b->series_arr_id, b->season_number, out, e);
	if (strcmp(b->command, "SeriesSearch") == 0)
		return arr_command_series_search(b->series_arr_id, out, e);
	return err_set(e, ERR_USAGE, "batch %lld: unknown command '%s'", (long long)b->id, b->command);
}

/* ---------------------------------------------------------------- grabs */

struct grab_scan {
	const struct db_queue_batch *b;
	int *grabbed;		/* per item */
	int movie;
	int64_t since_us;
};

static void
mark(struct grab_scan *g, int arr_id)
{
	for (size_t i = 0; arr_id > 0 && i < g->b->nitems; i++)
		if (g->b->items[i].arr_id == arr_id)
			g->grabbed[i] = 1;
}

static int
on_history(const struct arr_history *h, void *arg, struct err *e)
{
	struct grab_scan *g = arg;

	(void)e;
	if (strcasecmp(h->event_type, "grabbed") == 0)
		mark(g, g->movie ? h->movie_id : h->episode_id);
	return 0;
}

static int
on_queue(const struct arr_queue_item *q, void *arg, struct err *e)
{
	struct grab_scan *g = arg;

	(void)e;
	if (q->added == ARR_NO_TIME || q->added >= g->since_us)
		mark(g, g->movie ? q->movie_id : q->episode_id);
	return 0;
}

/* Which entries did the search grab?  History first (the record of what
 * happened), the download queue when history shows nothing. */
static int
find_grabs(struct dctx *x, const struct db_queue_batch *b, int64_t since_us, int *grabbed,
	   struct err *e)
{
	struct grab_scan g = { b, grabbed, is_movie(b), since_us };
	int n = 0;

	if (arr_history_since(x->cl, since_us, "grabbed", on_history, &g, e) < 0)
		return -1;
	for (size_t i = 0; i < b->nitems; i++)
		n += grabbed[i];
	if (n == 0 && arr_queue_each(x->cl, on_queue, &g, e) < 0)
		return -1;
	n = 0;
	for (size_t i = 0; i < b->nitems; i++)
		n += grabbed[i];
	return n;
}

static int
on_health(const struct arr_health_item *h, void *arg, struct err *e)
{
	int *bad = arg;

	(void)e;
	if (strncasecmp(h->source, "Indexer", 7) == 0 &&
	    (strcmp(h->type, "warning") == 0 || strcmp(h->type, "error") == 0))
		*bad = 1;
	return 0;
}

/* A search that found nothing while the app reports failing indexers is an
 * indexer error, not the item's fault (API-NOTES: errors are swallowed). */
static int
indexers_failing(struct dctx *x)
{
	struct err e = ERR_INIT;
	int bad = 0;

	if (arr_health_each(x->cl, on_health, &bad, &e) < 0)
		return 0;
	return bad;
}

/* ---------------------------------------------------------------- lease */

/* Renews a batch's lease while any request for it is in flight: a POST
 * the app is slow to answer, or a minute of 429/503 retries, must not
 * let another dispatcher rescue the batch and send it again. */
struct lease_keeper {
	struct dctx *x;
	const struct db_queue_batch *b;
	int lost;
};

static void
keep_lease(void *arg)
{
	struct lease_keeper *k = arg;
	struct err e = ERR_INIT;

	if (k->lost)
		return;
	if (db_queue_renew(k->x->db, k->b, k->x->worker, k->x->lease_s, &e) < 0) {
		k->lost = e.kind == ERR_CONFLICT;
		log_warn("dispatch", "connector '%s': batch %lld: cannot renew its lease while the "
			 "app answers: %s", k->x->c->name, (long long)k->b->id, e.msg);
	}
}

static void
lease_keep(struct dctx *x, struct lease_keeper *k, const struct db_queue_batch *b)
{
	k->x = x;
	k->b = b;
	k->lost = 0;
	/* three renewals per lease: one late renewal still keeps it */
	arr_client_set_keepalive(x->cl, keep_lease, k, (long)x->lease_s * 1000 / 3);
}

static void
lease_unkeep(struct dctx *x)
{
	arr_client_set_keepalive(x->cl, NULL, NULL, 0);
}

/* -------------------------------------------------------------- outcome */

static json_t *
ids_json(const struct db_queue_batch *b)
{
	json_t *a = json_array();

	for (int i = 0; i < b->nids; i++)
		json_array_append_new(a, json_integer(b->arr_ids[i]));
	return a;
}

/*
 * Decide every entry's fate and write it.  outcome is what the command
 * came to without grabs; grabs found in history override it per entry.
 * check_grabs: ask the *arr (not when it refused the command).
 */
static int
finish(struct dctx *x, struct db_queue_batch *b, enum backoff_outcome outcome, int check_grabs,
       const char *message, int64_t started_us, struct err *e)
{
	struct db_item_result *res = calloc(b->nitems + 1, sizeof(*res));
	int *grabbed = calloc(b->nitems + 1, sizeof(int));
	struct db_outcome o;
	int64_t now = clock_now_us(), since;
	int ngrab = 0, ret = -1;
	char msg[600];

	if (res == NULL || grabbed == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the *arr's own clock when we know it; our send time otherwise */
	since = b->command_queued_us > 0 ? b->command_queued_us - 1000000 : b->sent_us - 60000000;
	if (check_grabs) {
		struct err ge = ERR_INIT;

		ngrab = find_grabs(x, b, since, grabbed, &ge);
		if (ngrab < 0) {
			log_warn("dispatch", "connector '%s': cannot read history for batch %lld: %s",
				 x->c->name, (long long)b->id, ge.msg);
			ngrab = 0;
			if (outcome == BACKOFF_NO_RESULTS)
				outcome = BACKOFF_TIMEOUT;	/* unknown, not "nothing found" */
		}
	}
	if (ngrab == 0 && outcome == BACKOFF_NO_RESULTS && indexers_failing(x))
		outcome = BACKOFF_INDEXER_ERROR;
	for (size_t i = 0; i < b->nitems; i++) {
		res[i].registry_id = b->items[i].registry_id;
		res[i].grabbed = grabbed[i];
		res[i].outcome = grabbed[i] ? BACKOFF_GRABBED : outcome;
		if (backoff_decide(res[i].outcome, b->items[i].attempts, &x->pol, now,
				   (uint64_t)b->items[i].registry_id * 2654435761u +
				   (uint64_t)b->items[i].attempts, &res[i].d, e) < 0)
			goto out;
	}
	dispatch_hook(x, DISPATCH_AT_DECIDED);
	memset(&o, 0, sizeof(o));
	o.connector_name = x->c->name;
	o.outcome = ngrab > 0 ? BACKOFF_GRABBED : outcome;
	o.items = res;
	o.nitems = b->nitems;
	o.items_grabbed = ngrab;
	o.pack_failed = strcmp(b->command, "SeasonSearch") == 0 && o.outcome == BACKOFF_NO_RESULTS;
	o.started_us = started_us > 0 ? started_us : now;
	o.ended_us = now;
	snprintf(msg, sizeof(msg), "%s", message ? message : "");
	o.message = msg;
	o.correlation_id = log_get_correlation_id();
	if (db_queue_finish(x->db, b, x->worker, &o, e) < 0) {
		if (e->kind == ERR_CONFLICT)
			log_warn("dispatch", "%s", e->msg);
		goto out;
	}
	x->rep->batches++;
	x->rep->grabbed += ngrab;
	if (o.outcome == BACKOFF_NO_RESULTS)
		x->rep->no_results++;
	else if (o.outcome != BACKOFF_GRABBED)
		x->rep->failed++;
	{
		json_t *j = json_pack("{s:I, s:s, s:o, s:i, s:s, s:i, s:i, s:I}",
				      "queue_id", (json_int_t)b->id, "command", b->command,
				      "arr_ids", ids_json(b), "queries", b->indexer_queries,
				      "outcome", backoff_outcome_name(o.outcome), "items", (int)b->nitems,
				      "grabbed", ngrab, "duration_ms",
				      (json_int_t)((o.ended_us - o.started_us) / 1000));

		if (b->command_id)
			json_object_set_new(j, "command_id", json_integer(b->command_id));
		if (b->series_arr_id >= 0)
			json_object_set_new(j, "series_id", json_integer(b->series_arr_id));
		if (b->season_number >= 0)
			json_object_set_new(j, "season", json_integer(b->season_number));
		if (b->rescues > 0)
			json_object_set_new(j, "rescued", json_true());
		dispatch_emit(x, "search", j);
	}
	ret = 0;
out:
	free(res);
	free(grabbed);
	return ret;
}

/* Poll to a terminal state under the deadline, renewing the lease. */
static int
poll(struct dctx *x, struct db_queue_batch *b, struct arr_command *cmd, int *timed_out,
     struct err *e)
{
	int timeout_s = x->o->command_timeout_s > 0 ? x->o->command_timeout_s :
			DISPATCH_COMMAND_TIMEOUT_S;
	long poll_ms = x->o->poll_ms > 0 ? x->o->poll_ms : DISPATCH_POLL_MS;
	int64_t deadline = clock_now_us() + (int64_t)timeout_s * 1000000;

	*timed_out = 0;
	dispatch_hook(x, DISPATCH_AT_POLLING);
	while (!arr_command_state_terminal(cmd->state)) {
		struct err ge = ERR_INIT;

		if (clock_now_us() >= deadline) {
			*timed_out = 1;
			return 0;
		}
		clock_sleep_ms(poll_ms);
		if (arr_command_get(x->cl, b->command_id, cmd, &ge) < 0) {
			/* a transient failure while waiting is not an outcome */
			if (ge.kind == ERR_AUTH)
				return err_set(e, ge.kind, "%s", ge.msg);
			log_debug("dispatch", "polling command %d: %s", b->command_id, ge.msg);
		}
		if (db_queue_renew(x->db, b, x->worker, x->lease_s, e) < 0)
			return -1;
		dispatch_hook(x, DISPATCH_AT_POLLING);
	}
	return 0;
}

/* From a terminal (or timed-out) command to the outcome. */
static int
conclude(struct dctx *x, struct db_queue_batch *b, struct arr_command *cmd, int timed_out,
	 int64_t started_us, struct err *e)
{
	enum backoff_outcome oc = BACKOFF_NO_RESULTS;
	char msg[600];

	if (cmd->queued > 0 && b->command_queued_us == 0)
		b->command_queued_us = cmd->queued;
	snprintf(msg, sizeof(msg), "%s", cmd->message);
	if (timed_out) {
		oc = BACKOFF_TIMEOUT;
		snprintf(msg, sizeof(msg), "command %d still %s at the deadline", cmd->id, cmd->status);
	} else {
		switch (cmd->state) {
		case ARR_CMD_COMPLETED:
		case ARR_CMD_GONE:	/* forgotten: history knows what it did */
			oc = BACKOFF_NO_RESULTS;
			break;
		case ARR_CMD_ORPHANED:	/* the app restarted under it */
			oc = BACKOFF_TIMEOUT;
			break;
		default:
			oc = BACKOFF_ERROR;
			break;
		}
		if (cmd->state == ARR_CMD_GONE)
			snprintf(msg, sizeof(msg), "command %d is gone from the app (404)", b->command_id);
	}
	return finish(x, b, oc, 1, msg, started_us, e);
}

static int send_batch(struct dctx *x, struct db_queue_batch *b, struct err *e);
static int rescue_batch(struct dctx *x, struct db_queue_batch *b, struct err *e);

int
dispatch_batch(struct dctx *x, struct db_queue_batch *b, struct err *e)
{
	struct lease_keeper k;
	int ret;

	lease_keep(x, &k, b);
	ret = send_batch(x, b, e);
	lease_unkeep(x);
	return ret;
}

int
dispatch_rescued(struct dctx *x, struct db_queue_batch *b, struct err *e)
{
	struct lease_keeper k;
	int ret;

	lease_keep(x, &k, b);
	ret = rescue_batch(x, b, e);
	lease_unkeep(x);
	return ret;
}

static int
send_batch(struct dctx *x, struct db_queue_batch *b, struct err *e)
{
	struct arr_command cmd;
	json_t *body = NULL;
	int64_t started = clock_now_us();
	int timed_out = 0, ret = -1;
	struct err pe = ERR_INIT;

	memset(&cmd, 0, sizeof(cmd));
	dispatch_hook(x, DISPATCH_AT_CLAIMED);
	if (build_body(b, &body, e) < 0) {
		ret = finish(x, b, BACKOFF_ERROR, 0, e->msg, started, e);
		goto out;
	}
	if (arr_command_send(x->cl, body, &cmd, &pe) < 0) {
		switch (pe.kind) {
		case ERR_AUTH:
			/* Req 28.1: mark the connector and stop; nothing was searched */
			x->stop = x->failed = 1;
			{
				struct db_connector_health h;

				memset(&h, 0, sizeof(h));
				h.connector_id = x->c->id;
				h.connector = x->c->name;
				h.health = "unhealthy";
				h.detail = "the API key was refused (401)";
				h.auth_failed = 1;
				h.event = "connector_auth_failed";
				h.payload = json_pack("{s:s, s:s}", "connector", x->c->name,
						      "message", pe.msg);
				if (db_connector_health(x->db, &h, e) < 0)
					dispatch_failed(x, "cannot mark the connector auth-failed (it "
							"stays enabled; the next run finds the 401 again)", e);
			}
			if (db_queue_release(x->db, b, x->worker, 0, e) < 0)
				dispatch_failed(x, "cannot give the batch back after a 401 (its lease "
						"expires and a later run reconciles it)", e);
			else
				x->rep->released++;
			dispatch_emit(x, "connector_auth_failed", json_pack("{s:s}", "message", pe.msg));
			ret = 0;
			goto out;
		case ERR_RATELIMIT: {
			/* Req 7.3, 28.3: pause the connector, extended cooldown */
			int64_t ms = throttle_retry_after_ms(&x->prof.p, pe.retry_after_ms);

			if (db_throttle_pause(x->db, x->c->id, clock_now_us() + ms * 1000, "rate_limited",
					      e) < 0)
				dispatch_failed(x, "cannot record the rate-limit pause (this run stops "
						"sending to it; the next may try before the app allows)", e);
			dispatch_emit(x, "connector_paused", json_pack("{s:s, s:I}", "reason",
				      "rate_limited", "resumes_in_s", (json_int_t)(ms / 1000)));
			x->stop = 1;
			ret = finish(x, b, BACKOFF_RATE_LIMITED, 0, pe.msg, started, e);
			goto out;
		}
		case ERR_STARTING:
		case ERR_NET_REFUSED:
		case ERR_NET_DNS:
			/* the app cannot have acted on it: give it back, try later */
			x->stop = x->failed = 1;
			if (db_queue_release(x->db, b, x->worker, clock_now_us() + 60LL * 1000000,
					     e) < 0) {
				dispatch_failed(x, "cannot give the batch back (its lease expires and "
						"a later run reconciles it)", e);
				ret = 0;
				goto out;
			}
			x->rep->released++;
			dispatch_emit(x, "search_released", json_pack("{s:I, s:s, s:s}", "queue_id",
				      (json_int_t)b->id, "reason", err_kind_name(pe.kind), "message", pe.msg));
			ret = 0;
			goto out;
		case ERR_NET_TIMEOUT:
		case ERR_NET:
			/* it may or may not have arrived: never send it again blindly,
			 * a timeout's cooldown covers both cases */
			ret = finish(x, b, BACKOFF_TIMEOUT, 1, pe.msg, started, e);
			goto out;
		default:
			ret = finish(x, b, BACKOFF_ERROR, 0, pe.msg, started, e);
			goto out;
		}
	}
	x->rep->sent++;
	x->rep->queries += b->indexer_queries;
	dispatch_hook(x, DISPATCH_AT_POSTED);
	if (db_queue_record_command(x->db, b, x->worker, cmd.id, cmd.queued, x->lease_s, e) < 0)
		goto out;
	b->command_id = cmd.id;
	b->command_queued_us = cmd.queued;
	dispatch_hook(x, DISPATCH_AT_RECORDED);
	if (poll(x, b, &cmd, &timed_out, e) < 0)
		goto out;
	ret = conclude(x, b, &cmd, timed_out, started, e);
out:
	json_decref(body);
	return ret;
}

/* ------------------------------------------------------------- rescue */

static int
ids_equal(json_t *arr, const struct db_queue_batch *b)
{
	int seen[BATCH_MAX_IDS] = { 0 };
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) != (size_t)b->nids)
		return 0;
	json_array_foreach(arr, i, v) {
		int found = 0;

		for (int k = 0; k < b->nids; k++) {
			if (!seen[k] && b->arr_ids[k] == (int)json_integer_value(v)) {
				seen[k] = found = 1;
				break;
			}
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Our command in the app's list (running, or finished minutes ago)? */
static int
find_in_list(struct dctx *x, const struct db_queue_batch *b, struct arr_command *out, struct err *e)
{
	char path[64];
	json_t *list = NULL, *c;
	size_t i;
	int found = 0;

	snprintf(path, sizeof(path), "%s/command", arr_client_api(x->cl));
	if (arr_client_get_json(x->cl, path, &list, e) < 0)
		return -1;
	json_array_foreach(list, i, c) {
		json_t *body = json_object_get(c, "body");
		const char *name = json_string_value(json_object_get(c, "name"));
		struct arr_command tmp;
		int match = 0;

		if (name == NULL || strcasecmp(name, b->command) != 0 || !json_is_object(body))
			continue;
		if (strcmp(b->command, "EpisodeSearch") == 0)
			match = ids_equal(json_object_get(body, "episodeIds"), b);
		else if (strcmp(b->command, "MoviesSearch") == 0)
			match = ids_equal(json_object_get(body, "movieIds"), b);
		else
			match = json_integer_value(json_object_get(body, "seriesId")) == b->series_arr_id &&
				(strcmp(b->command, "SeriesSearch") == 0 ||
				 json_integer_value(json_object_get(body, "seasonNumber")) == b->season_number);
		if (match && arr_command_parse(c, &tmp, NULL) == 0 && (!found || tmp.id > out->id)) {
			*out = tmp;
			found = 1;
		}
	}
	json_decref(list);
	return found;
}

static int
rescue_batch(struct dctx *x, struct db_queue_batch *b, struct err *e)
{
	struct arr_command cmd;
	int timed_out = 0;
	char msg[160];

	memset(&cmd, 0, sizeof(cmd));
	log_info("dispatch", "connector '%s': rescuing batch %lld (command %d)", x->c->name,
		 (long long)b->id, b->command_id);
	if (b->rescues > DISPATCH_MAX_RESCUES) {
		snprintf(msg, sizeof(msg), "given up after %d lease rescues", b->rescues - 1);
		return finish(x, b, BACKOFF_ERROR, 1, msg, b->sent_us, e);
	}
	if (b->command_id == 0) {
		int found = find_in_list(x, b, &cmd, e);

		if (found < 0) {
			/* cannot ask the app now: leave the lease to expire again */
			return -1;
		}
		if (found) {
			if (db_queue_record_command(x->db, b, x->worker, cmd.id, cmd.queued,
						    x->lease_s, e) < 0)
				return -1;
			b->command_id = cmd.id;
			b->command_queued_us = cmd.queued;
		} else if (b->sent_us > 0 &&
			   clock_now_us() - b->sent_us < (int64_t)DISPATCH_ARR_MEMORY_S * 1000000) {
			/* young enough that the app would still list it: never received */
			x->rep->released++;
			dispatch_emit(x, "search_released", json_pack("{s:I, s:s}", "queue_id",
				      (json_int_t)b->id, "reason", "not_received"));
			return db_queue_release(x->db, b, x->worker, 0, e);
		} else {
			/* unknowable: a cooldown covers both "sent" and "not sent" */
			return finish(x, b, BACKOFF_TIMEOUT, 1, "the dispatcher stopped before "
				      "recording the command and the app no longer lists it",
				      b->sent_us, e);
		}
	} else if (arr_command_get(x->cl, b->command_id, &cmd, e) < 0) {
		return -1;
	}
	if (poll(x, b, &cmd, &timed_out, e) < 0)
		return -1;
	return conclude(x, b, &cmd, timed_out, b->sent_us, e);
}
