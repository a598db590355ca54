/*
 * queue.c - claim, record, renew, release, finish and rescue batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/db.h"
#include "db/events.h"
#include "db/queue.h"
#include "db/queue_add.h"
#include "db/queue_int.h"
#include "policy/batch.h"
#include "core/banned.h"


void
db_queue_batch_release(struct db_queue_batch *b)
{
	if (b == NULL)
		return;
	free(b->items);
	b->items = NULL;
	b->nitems = 0;
	free(b->dropped);
	b->dropped = NULL;
	b->ndropped = 0;
}

void
db_queue_batch_from_row(const PGresult *r, int row, struct db_queue_batch *b)
{
	const char *ids = db_str(r, row, 5);

	memset(b, 0, sizeof(*b));
	b->id = db_int64(r, row, 0, 0);
	b->connector_id = db_int64(r, row, 1, 0);
	snprintf(b->command, sizeof(b->command), "%s", db_str(r, row, 2) ? db_str(r, row, 2) : "");
	b->series_arr_id = (int)db_int64(r, row, 3, -1);
	b->season_number = (int)db_int64(r, row, 4, -1);
	while (ids != NULL && *ids != '\0' && b->nids < BATCH_MAX_IDS) {
		char *end;
		long v = strtol(ids, &end, 10);

		if (end == ids)
			break;
		b->arr_ids[b->nids++] = (int)v;
		ids = *end == ',' ? end + 1 : end;
	}
	b->indexer_queries = (int)db_int64(r, row, 6, 0);
	b->priority = (int)db_int64(r, row, 7, 0);
	b->scheduled_us = db_int64(r, row, 8, 0);
	snprintf(b->claimed_by, sizeof(b->claimed_by), "%s", db_str(r, row, 9) ? db_str(r, row, 9) : "");
	b->lease_expires_us = db_int64(r, row, 10, 0);
	b->command_id = (int)db_int64(r, row, 11, 0);
	b->sent_us = db_int64(r, row, 12, 0);
	b->command_queued_us = db_int64(r, row, 13, 0);
	b->ledger_id = db_int64(r, row, 14, 0);
	b->rescues = (int)db_int64(r, row, 15, 0);
}

/* The registry entries of a batch, with their *arr ids. */
static int
load_items(PGconn *db, struct db_queue_batch *b, struct err *e)
{
	char idbuf[24];
	const char *p[1] = { db_fmt_int64(idbuf, sizeof(idbuf), b->id) };
	PGresult *r = NULL;
	int ret = -1, rows;

	if (db_query(db, "SELECT r.id, coalesce(ep.arr_id, m.arr_id, 0), r.attempts, r.search_type "
		     "FROM request_queue_items i JOIN search_registry r ON r.id = i.registry_id "
		     "LEFT JOIN episodes ep ON ep.id = r.episode_id "
		     "LEFT JOIN movies m ON m.id = r.movie_id "
		     "WHERE i.queue_id = $1 ORDER BY r.id", 1, p, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	free(b->items);
	b->items = calloc((size_t)rows + 1, sizeof(*b->items));
	if (b->items == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		struct db_queue_item *it = &b->items[i];

		it->registry_id = db_int64(r, i, 0, 0);
		it->arr_id = (int)db_int64(r, i, 1, 0);
		it->attempts = (int)db_int64(r, i, 2, 0);
		snprintf(it->search_type, sizeof(it->search_type), "%s", db_str(r, i, 3));
	}
	b->nitems = (size_t)rows;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

static json_t *
batch_payload(const struct db_queue_batch *b)
{
	json_t *o = json_object(), *ids = json_array();

	json_object_set_new(o, "queue_id", json_integer(b->id));
	json_object_set_new(o, "command", json_string(b->command));
	for (int i = 0; i < b->nids; i++)
		json_array_append_new(ids, json_integer(b->arr_ids[i]));
	json_object_set_new(o, "arr_ids", ids);
	if (b->series_arr_id >= 0)
		json_object_set_new(o, "series_id", json_integer(b->series_arr_id));
	if (b->season_number >= 0)
		json_object_set_new(o, "season", json_integer(b->season_number));
	json_object_set_new(o, "indexer_queries", json_integer(b->indexer_queries));
	return o;
}

/* ------------------------------------------------------------- re-check */

static int
add_dropped(struct db_queue_batch *b, size_t *cap, int64_t registry_id, int arr_id,
	    const char *reason)
{
	if (b->ndropped == *cap) {
		size_t n = *cap ? *cap * 2 : 8;
		struct db_queue_dropped *d = realloc(b->dropped, n * sizeof(*d));

		if (d == NULL)
			return -1;
		b->dropped = d;
		*cap = n;
	}
	b->dropped[b->ndropped].registry_id = registry_id;
	b->dropped[b->ndropped].arr_id = arr_id;
	snprintf(b->dropped[b->ndropped].reason, sizeof(b->dropped[0].reason), "%s", reason);
	b->ndropped++;
	return 0;
}

const char *
db_recheck_name(enum db_recheck_result r)
{
	switch (r) {
	case DB_RECHECK_KEPT: return "kept";
	case DB_RECHECK_RESOLVED: return "resolved";
	case DB_RECHECK_SEASON_FALLBACK: return "season_fallback";
	}
	return "kept";
}

/* Would enqueue make season pack b now?  Its rule (batch_season_decide)
 * on the season's numbers as the mirror has them now, less what the queued
 * pack itself adds (it is the pack: not "a pack queued"). */
static int
season_still_qualifies(PGconn *db, const struct db_queue_batch *b, int64_t series_id,
		       int64_t now_us, int *ok, struct err *e)
{
	struct batch_season_config sc;
	struct queue_season *qs = NULL;
	size_t n = 0;
	int season = b->season_number;

	*ok = 0;
	if (db_queue_season_config(db, b->connector_id, &sc, e) < 0 ||
	    db_queue_seasons(db, b->connector_id, now_us, &series_id, &season, 1, &qs, &n, e) < 0)
		return -1;
	if (n == 1) {
		qs[0].s.pack_in_cooldown = 0;
		qs[0].s.pack_failed = 0;
		*ok = batch_season_decide(&qs[0].s, &sc, NULL) == BATCH_SEASON;
	}
	free(qs);
	return 0;
}

/*
 * The claim's re-check of batch b (locked FOR UPDATE, not yet claimed),
 * inside the claim's transaction: see db_queue_claim() in queue.h.
 */
static int
recheck(PGconn *db, struct db_queue_batch *b, int64_t now_us, struct err *e)
{
	char x[3][24];
	const char *p[3] = { db_fmt_int64(x[0], sizeof(x[0]), b->id) };
	PGresult *r = NULL;
	struct buf gone = BUF_INIT, ids = BUF_INIT;
	int64_t *gone_ids = NULL, series_id = 0;
	int keep[BATCH_MAX_IDS], nkeep = 0, left = 0;
	size_t cap = 0, ngone = 0;
	int listed = strcmp(b->command, "EpisodeSearch") == 0 ||
		     strcmp(b->command, "MoviesSearch") == 0;
	json_t *pl, *dl;
	int ret = -1, rows;

	b->recheck = DB_RECHECK_KEPT;
	if (db_query(db, "SELECT registry_id, coalesce(arr_id, 0), resolved, series_id "
		     "FROM queue_item_recheck WHERE queue_id = $1 ORDER BY arr_id", 1, p, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	gone_ids = calloc((size_t)rows + 1, sizeof(*gone_ids));
	if (gone_ids == NULL)
		goto nomem;
	for (int i = 0; i < rows; i++) {
		const char *why = db_str(r, i, 2);
		int64_t reg = db_int64(r, i, 0, 0);
		int arr_id = (int)db_int64(r, i, 1, 0);

		if (series_id == 0)
			series_id = db_int64(r, i, 3, 0);
		if (why == NULL) {
			left++;
			if (listed && nkeep < BATCH_MAX_IDS)
				keep[nkeep++] = arr_id;
			continue;
		}
		if (reg != 0)
			gone_ids[ngone++] = reg;
		if (add_dropped(b, &cap, reg, arr_id, why) < 0)
			goto nomem;
	}
	if (listed ? nkeep == 0 : left == 0) {
		b->recheck = DB_RECHECK_RESOLVED;
	} else if (strcmp(b->command, "SeasonSearch") == 0) {
		/* asked every time: the sync that gave episodes their files
		 * may have removed their entries (and queue items) already */
		int ok = 0;

		if (season_still_qualifies(db, b, series_id, now_us, &ok, e) < 0)
			goto out;
		if (!ok)
			b->recheck = DB_RECHECK_SEASON_FALLBACK;
	}
	if (b->ndropped == 0 && b->recheck == DB_RECHECK_KEPT) {
		ret = 0;
		goto out;
	}
	if (ngone > 0) {
		const char *g[1];

		if (db_array_int64(&gone, gone_ids, ngone) < 0)
			goto nomem;
		g[0] = gone.data;
		/* the entries go; their queue items go with them (0007) */
		if (db_query(db, "DELETE FROM search_registry WHERE id = ANY($1::bigint[])", 1, g,
			     NULL, e) < 0)
			goto out;
	}
	if (b->recheck == DB_RECHECK_SEASON_FALLBACK &&
	    db_query(db, "UPDATE search_registry r SET state = 'pending', pack_failed = true, "
		     "updated_at = now() FROM request_queue_items i WHERE i.queue_id = $1 "
		     "AND r.id = i.registry_id", 1, p, NULL, e) < 0)
		goto out;
	if (b->recheck != DB_RECHECK_KEPT) {
		if (db_query(db, "DELETE FROM request_queue WHERE id = $1", 1, p, NULL, e) < 0)
			goto out;
	} else if (listed) {
		/* fewer ids, and only their queries are charged */
		if (db_array_int(&ids, keep, (size_t)nkeep) < 0)
			goto nomem;
		p[1] = ids.data;
		p[2] = db_fmt_int64(x[2], sizeof(x[2]), nkeep);
		if (db_query(db, "UPDATE request_queue SET arr_ids = $2::integer[], "
			     "indexer_queries = $3 WHERE id = $1", 3, p, NULL, e) < 0)
			goto out;
		memcpy(b->arr_ids, keep, (size_t)nkeep * sizeof(keep[0]));
		b->nids = nkeep;
		b->indexer_queries = nkeep;
	}
	pl = batch_payload(b);
	dl = json_array();
	for (size_t i = 0; i < b->ndropped; i++)
		json_array_append_new(dl, json_pack("{s:i, s:s}", "arr_id", b->dropped[i].arr_id,
						    "reason", b->dropped[i].reason));
	json_object_set_new(pl, "dropped", dl);
	json_object_set_new(pl, "batch", json_string(db_recheck_name(b->recheck)));
	if (db_event_insert(db, "search_dropped", b->connector_id, NULL, pl, e) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory re-checking batch %lld", (long long)b->id);
out:
	PQclear(r);
	free(gone_ids);
	buf_release(&gone);
	buf_release(&ids);
	return ret;
}

int
db_queue_paused(PGconn *db, int *paused, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, "SELECT value = 'true'::jsonb FROM settings WHERE key = 'queue.paused'",
		     0, NULL, &r, e) < 0)
		return -1;
	*paused = PQntuples(r) == 1 && db_bool(r, 0, 0);
	PQclear(r);
	return 0;
}

int
db_queue_claim(PGconn *db, const struct db_claim_opts *o, struct db_queue_batch *out,
	       enum db_claim_status *st, struct db_throttle_decision *d, struct err *e)
{
	char b[5][24];
	const char *p[5];
	PGresult *r = NULL;
	struct db_throttle_decision dd;
	int ret = -1, paused = 0, commit = 0;

	if (d == NULL)
		d = &dd;
	memset(d, 0, sizeof(*d));
	memset(out, 0, sizeof(*out));
	*st = DB_CLAIM_NONE;
	if (db_begin(db, e) < 0)
		return -1;
	if (db_queue_paused(db, &paused, e) < 0)
		goto out;
	if (paused) {
		*st = DB_CLAIM_PAUSED;
		ret = 0;
		goto out;
	}
	if (db_throttle_lock(db, o->connector_id, e) < 0)
		goto out;
	p[0] = db_fmt_int64(b[0], sizeof(b[0]), o->connector_id);
	/* commands in flight: live leases only; expired ones are rescued */
	if (db_query(db, "SELECT count(*) FROM request_queue WHERE connector_id = $1 AND "
		     "claimed_by IS NOT NULL AND lease_expires_at > now()", 1, p, &r, e) < 0)
		goto out;
	if (!throttle_slot_free(o->profile, (int)db_int64(r, 0, 0, 0))) {
		*st = DB_CLAIM_BUSY;
		ret = 0;
		goto out;
	}
	PQclear(r);
	r = NULL;
	/* "now" for the schedule and the throttle: the injected clock when
	 * there is one, else the database's (ordered across hosts) */
	d->now_us = o->now_us;
	if (d->now_us <= 0 && db_now_us(db, &d->now_us, e) < 0)
		goto out;
	p[1] = db_fmt_int64(b[1], sizeof(b[1]), d->now_us);
	if (db_query(db, "SELECT " DB_QUEUE_BATCH_COLS " FROM request_queue q WHERE q.connector_id = $1 "
		     "AND q.claimed_by IS NULL AND q.scheduled_at <= " DB_SQL_TS("$2")
		     " ORDER BY q.priority DESC, q.scheduled_at, q.id LIMIT 1 FOR UPDATE SKIP LOCKED",
		     2, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		ret = 0;
		goto out;
	}
	db_queue_batch_from_row(r, 0, out);
	PQclear(r);
	r = NULL;
	if (recheck(db, out, d->now_us, e) < 0)
		goto out;
	if (out->recheck != DB_RECHECK_KEPT) {
		*st = DB_CLAIM_RESOLVED;
		commit = 1;
		ret = 0;
		goto out;
	}
	if (db_throttle_check(db, o->connector_id, o->profile, o->tz, d->now_us,
			      out->indexer_queries, d, e) < 0)
		goto out;
	if (!d->v.allowed) {
		*st = d->v.reason == THROTTLE_TOO_BIG ? DB_CLAIM_TOO_BIG : DB_CLAIM_THROTTLED;
		ret = 0;
		goto out;
	}
	if (db_throttle_spend(db, o->connector_id, d->now_us, out->indexer_queries, out->id,
			      o->worker, &out->ledger_id, e) < 0)
		goto out;
	p[0] = db_fmt_int64(b[0], sizeof(b[0]), out->id);
	p[2] = o->worker;
	p[3] = db_fmt_int64(b[3], sizeof(b[3]), o->lease_s);
	p[4] = db_fmt_int64(b[4], sizeof(b[4]), out->ledger_id);
	if (db_query(db, "UPDATE request_queue SET claimed_by = $3, "
		     "lease_expires_at = clock_timestamp() + $4::integer * interval '1 second', "
		     "sent_at = " DB_SQL_TS("$2") ", ledger_id = $5, command_id = NULL, "
		     "command_queued_at = NULL WHERE id = $1", 5, p, NULL, e) < 0)
		goto out;
	if (db_query(db, "UPDATE search_registry r SET state = 'searching', "
		     "last_searched_at = " DB_SQL_TS("$2") ", updated_at = now() "
		     "FROM request_queue_items i WHERE i.queue_id = $1 AND r.id = i.registry_id",
		     2, p, NULL, e) < 0)
		goto out;
	if (load_items(db, out, e) < 0)
		goto out;
	snprintf(out->claimed_by, sizeof(out->claimed_by), "%s", o->worker);
	out->sent_us = d->now_us;
	if (db_event_insert(db, "search_dispatched", o->connector_id, NULL, batch_payload(out), e) < 0)
		goto out;
	*st = DB_CLAIM_OK;
	commit = 1;
	ret = 0;
out:
	PQclear(r);
	if (commit) {
		if (db_commit(db, e) < 0) {
			db_rollback(db);
			db_queue_batch_release(out);
			return -1;
		}
	} else {
		/* a refused attempt consumes nothing */
		db_rollback(db);
		if (*st != DB_CLAIM_TOO_BIG)
			db_queue_batch_release(out);
	}
	return ret;
}

int
db_queue_rescue(PGconn *db, int64_t connector_id, const char *worker, int lease_s,
		struct db_queue_batch *out, int *found, struct err *e)
{
	char b[3][24];
	const char *p[3] = {
		connector_id > 0 ? db_fmt_int64(b[0], sizeof(b[0]), connector_id) : NULL,
		worker, db_fmt_int64(b[2], sizeof(b[2]), lease_s)
	};
	PGresult *r = NULL;
	json_t *pl;
	int ret = -1;

	*found = 0;
	memset(out, 0, sizeof(*out));
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "SELECT " DB_QUEUE_BATCH_COLS " FROM request_queue q WHERE q.claimed_by IS NOT NULL "
		     "AND q.lease_expires_at < now() AND ($1::bigint IS NULL OR q.connector_id = $1) "
		     "ORDER BY q.lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		ret = 0;
		goto out;
	}
	db_queue_batch_from_row(r, 0, out);
	PQclear(r);
	r = NULL;
	pl = batch_payload(out);
	json_object_set_new(pl, "previous_worker", json_string(out->claimed_by));
	json_object_set_new(pl, "command_id", out->command_id ? json_integer(out->command_id) : json_null());
	p[0] = db_fmt_int64(b[0], sizeof(b[0]), out->id);
	if (db_query(db, "UPDATE request_queue SET claimed_by = $2, rescues = rescues + 1, "
		     "lease_expires_at = clock_timestamp() + $3::integer * interval '1 second' "
		     "WHERE id = $1", 3, p, NULL, e) < 0 ||
	    load_items(db, out, e) < 0 ||
	    db_event_insert(db, "lease_rescued", out->connector_id, NULL, pl, e) < 0)
		goto out;
	if (db_commit(db, e) < 0)
		goto out;
	snprintf(out->claimed_by, sizeof(out->claimed_by), "%s", worker);
	out->rescues++;
	*found = 1;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0 || !*found) {
		db_rollback(db);
		db_queue_batch_release(out);
	}
	return ret;
}

/* UPDATE ... WHERE id = $1 AND claimed_by = $2; no row: the lease is lost. */
static int
update_claimed(PGconn *db, const char *sql, int n, const char *const *p, int64_t id, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, sql, n, p, &r, e) < 0)
		return -1;
	if (strtol(PQcmdTuples(r), NULL, 10) != 1) {
		err_set(e, ERR_CONFLICT, "batch %lld: the lease was taken over by another dispatcher",
			(long long)id);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_queue_record_command(PGconn *db, const struct db_queue_batch *b, const char *worker,
			int command_id, int64_t arr_queued_us, int lease_s, struct err *e)
{
	char x[4][24];
	const char *p[5] = {
		db_fmt_int64(x[0], sizeof(x[0]), b->id), worker,
		db_fmt_int64(x[1], sizeof(x[1]), command_id),
		arr_queued_us > 0 ? db_fmt_int64(x[2], sizeof(x[2]), arr_queued_us) : NULL,
		db_fmt_int64(x[3], sizeof(x[3]), lease_s)
	};

	return update_claimed(db, "UPDATE request_queue SET command_id = $3, command_queued_at = "
			      DB_SQL_TS("$4") ", lease_expires_at = clock_timestamp() + "
			      "$5::integer * interval '1 second' WHERE id = $1 AND claimed_by = $2",
			      5, p, b->id, e);
}

int
db_queue_renew(PGconn *db, const struct db_queue_batch *b, const char *worker, int lease_s,
	       struct err *e)
{
	char x[2][24];
	const char *p[3] = {
		db_fmt_int64(x[0], sizeof(x[0]), b->id), worker,
		db_fmt_int64(x[1], sizeof(x[1]), lease_s)
	};

	return update_claimed(db, "UPDATE request_queue SET lease_expires_at = clock_timestamp() + "
			      "$3::integer * interval '1 second' WHERE id = $1 AND claimed_by = $2",
			      3, p, b->id, e);
}

int
db_queue_release(PGconn *db, const struct db_queue_batch *b, const char *worker, int64_t retry_us,
		 struct err *e)
{
	char x[2][24];
	const char *p[3] = {
		db_fmt_int64(x[0], sizeof(x[0]), b->id), worker,
		retry_us > 0 ? db_fmt_int64(x[1], sizeof(x[1]), retry_us) : NULL
	};

	if (db_begin(db, e) < 0)
		return -1;
	if (update_claimed(db, "UPDATE request_queue SET claimed_by = NULL, lease_expires_at = NULL, "
			   "sent_at = NULL, command_id = NULL, command_queued_at = NULL, ledger_id = NULL, "
			   "scheduled_at = greatest(scheduled_at, coalesce(" DB_SQL_TS("$3")
			   ", scheduled_at)) WHERE id = $1 AND claimed_by = $2", 3, p, b->id, e) < 0 ||
	    db_query(db, "UPDATE search_registry r SET state = 'queued', updated_at = now() "
		     "FROM request_queue_items i WHERE i.queue_id = $1 AND r.id = i.registry_id",
		     1, p, NULL, e) < 0 ||
	    db_throttle_refund(db, b->ledger_id, e) < 0 ||
	    db_event_insert(db, "search_released", b->connector_id, NULL, batch_payload(b), e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_queue_drop(PGconn *db, const struct db_queue_batch *b, const char *reason, struct err *e)
{
	char x[24];
	const char *p[1] = { db_fmt_int64(x, sizeof(x), b->id) };
	json_t *pl = batch_payload(b);

	json_object_set_new(pl, "reason", json_string(reason));
	if (db_begin(db, e) < 0) {
		json_decref(pl);
		return -1;
	}
	if (db_query(db, "UPDATE search_registry r SET state = 'pending', updated_at = now() "
		     "FROM request_queue_items i WHERE i.queue_id = $1 AND r.id = i.registry_id",
		     1, p, NULL, e) < 0 ||
	    db_query(db, "DELETE FROM request_queue WHERE id = $1 AND claimed_by IS NULL",
		     1, p, NULL, e) < 0) {
		json_decref(pl);
		db_rollback(db);
		return -1;
	}
	if (db_event_insert(db, "batch_dropped", b->connector_id, NULL, pl, e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static const char *
state_name(enum backoff_state s)
{
	switch (s) {
	case BACKOFF_AWAITING_IMPORT: return "awaiting_import";
	case BACKOFF_COOLDOWN: return "cooldown";
	case BACKOFF_EXHAUSTED: return "exhausted";
	}
	return "cooldown";
}

static const char *
content_kind(const char *command)
{
	if (strcmp(command, "SeasonSearch") == 0)
		return "season";
	if (strcmp(command, "SeriesSearch") == 0)
		return "series";
	if (strcmp(command, "MoviesSearch") == 0)
		return "movie";
	return "episode";
}

/* Postgres array literals of the entries' new values. */
static int
item_arrays(const struct db_outcome *o, struct buf *ids, struct buf *states, struct buf *att,
	    struct buf *next, struct buf *cats)
{
	int rc = 0;

	rc |= buf_append_str(ids, "{") | buf_append_str(states, "{") | buf_append_str(att, "{") |
	      buf_append_str(next, "{") | buf_append_str(cats, "{");
	for (size_t i = 0; i < o->nitems; i++) {
		const struct db_item_result *it = &o->items[i];
		const char *sep = i ? "," : "";
		const char *cat = it->grabbed ? "NULL" : backoff_outcome_name(it->outcome);

		rc |= buf_appendf(ids, "%s%lld", sep, (long long)it->registry_id);
		rc |= buf_appendf(states, "%s%s", sep, state_name(it->d.state));
		rc |= buf_appendf(att, "%s%d", sep, it->d.attempts);
		if (it->d.next_eligible_us == BACKOFF_NEVER)
			rc |= buf_appendf(next, "%sNULL", sep);
		else
			rc |= buf_appendf(next, "%s%lld", sep, (long long)it->d.next_eligible_us);
		rc |= buf_appendf(cats, "%s%s", sep, cat);
	}
	rc |= buf_append_str(ids, "}") | buf_append_str(states, "}") | buf_append_str(att, "}") |
	      buf_append_str(next, "}") | buf_append_str(cats, "}");
	return rc ? -1 : 0;
}

static const char *
bstr(const struct buf *b)
{
	return b->data != NULL ? b->data : "";
}

int
db_queue_finish(PGconn *db, const struct db_queue_batch *b, const char *worker,
		const struct db_outcome *o, struct err *e)
{
	struct buf ids, states, att, next, cats, arr;
	char x[8][24];
	const char *p[12];
	json_t *pl;
	int ret = -1;

	buf_init(&ids, 1 << 20);
	buf_init(&states, 1 << 20);
	buf_init(&att, 1 << 20);
	buf_init(&next, 1 << 20);
	buf_init(&cats, 1 << 20);
	buf_init(&arr, 4096);
	if (item_arrays(o, &ids, &states, &att, &next, &cats) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	buf_append_str(&arr, "{");
	for (int i = 0; i < b->nids; i++)
		buf_appendf(&arr, "%s%d", i ? "," : "", b->arr_ids[i]);
	buf_append_str(&arr, "}");
	if (db_begin(db, e) < 0)
		goto out;
	p[0] = db_fmt_int64(x[0], sizeof(x[0]), b->id);
	p[1] = worker;
	if (update_claimed(db, "UPDATE request_queue SET lease_expires_at = lease_expires_at "
			   "WHERE id = $1 AND claimed_by = $2", 2, p, b->id, e) < 0)
		goto fail;
	p[0] = bstr(&ids);
	p[1] = bstr(&states);
	p[2] = bstr(&att);
	p[3] = bstr(&next);
	p[4] = bstr(&cats);
	p[5] = o->pack_failed ? "true" : "false";
	if (db_query(db, "UPDATE search_registry r SET state = u.state, attempts = u.attempts, "
		     "next_eligible_at = CASE WHEN u.next IS NULL THEN NULL ELSE "
		     DB_SQL_TS("u.next") " END, failure_category = u.cat, "
		     "pack_failed = r.pack_failed OR $6::boolean, updated_at = now() "
		     "FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::text[]) "
		     "AS u(id, state, attempts, next, cat) WHERE r.id = u.id", 6, p, NULL, e) < 0)
		goto fail;
	p[0] = db_fmt_int64(x[0], sizeof(x[0]), b->connector_id);
	p[1] = o->connector_name;
	p[2] = b->command;
	p[3] = b->command_id ? db_fmt_int64(x[1], sizeof(x[1]), b->command_id) : NULL;
	p[4] = b->nitems ? b->items[0].search_type : NULL;
	p[5] = content_kind(b->command);
	p[6] = bstr(&arr);
	p[7] = db_fmt_int64(x[2], sizeof(x[2]), b->indexer_queries);
	p[8] = backoff_outcome_name(o->outcome);
	p[9] = db_fmt_int64(x[3], sizeof(x[3]), o->items_grabbed);
	p[10] = o->message;
	p[11] = db_fmt_int64(x[4], sizeof(x[4]), o->started_us);
	{
		const char *hp[13];
		char endb[24];

		memcpy(hp, p, sizeof(p));
		hp[12] = db_fmt_int64(endb, sizeof(endb), o->ended_us > o->started_us ?
				      o->ended_us : o->started_us);
		if (db_query(db, "INSERT INTO search_history (connector_id, connector_name, command, "
			     "command_id, search_type, content_kind, arr_ids, indexer_queries, outcome, "
			     "items_grabbed, message, started_at, ended_at) VALUES ($1, $2, $3, $4, $5, "
			     "$6, $7::integer[], $8, $9, $10, $11, " DB_SQL_TS("$12") ", "
			     DB_SQL_TS("$13") ")", 13, hp, NULL, e) < 0)
			goto fail;
	}
	pl = batch_payload(b);
	json_object_set_new(pl, "outcome", json_string(backoff_outcome_name(o->outcome)));
	json_object_set_new(pl, "items", json_integer((json_int_t)o->nitems));
	json_object_set_new(pl, "items_grabbed", json_integer(o->items_grabbed));
	if (b->command_id)
		json_object_set_new(pl, "command_id", json_integer(b->command_id));
	if (db_event_insert(db, "search_outcome", b->connector_id, o->correlation_id, pl, e) < 0)
		goto fail;
	p[0] = db_fmt_int64(x[0], sizeof(x[0]), b->id);
	if (db_query(db, "DELETE FROM request_queue WHERE id = $1", 1, p, NULL, e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	db_rollback(db);
out:
	buf_release(&ids);
	buf_release(&states);
	buf_release(&att);
	buf_release(&next);
	buf_release(&cats);
	buf_release(&arr);
	return ret;
}
