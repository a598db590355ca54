/*
 * api_queue.c - /api/queue: batches, per-connector status, pause, resume,
 * clear (Req 7.2-7.3, 18 over HTTP).  Every action is in the audit log.
 */
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/queue.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

int
api_queue_list(struct web_req *req, struct web_resp *resp)
{
	struct browse_filter f;
	struct api_qbuf qb;
	struct db_queue_batch *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	PGconn *db;
	json_t *a;

	if (api_filter(req, resp, &f, &qb) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_queue_list(db, f.connector, f.limit, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct db_queue_batch *b = &list[i];
		json_t *ids = json_array();

		for (int k = 0; k < b->nids; k++)
			json_array_append_new(ids, json_integer(b->arr_ids[k]));
		json_array_append_new(a, json_pack(
			"{s:I,s:I,s:s,s:i,s:i,s:I,s:s,s:o}", "id", (json_int_t)b->id,
			"connector_id", (json_int_t)b->connector_id, "command", b->command,
			"priority", b->priority, "indexer_queries", b->indexer_queries,
			"items", (json_int_t)b->nitems,
			"state", b->claimed_by[0] ? (b->command_id ? "sent" : "claimed") : "waiting",
			"arr_ids", ids));
		if (b->season_number >= 0)
			json_object_set_new(json_array_get(a, i), "season",
					    json_pack("{s:i,s:i}", "series_arr_id", b->series_arr_id,
						      "season", b->season_number));
		db_queue_batch_release(&list[i]);
	}
	free(list);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_queue_status(struct web_req *req, struct web_resp *resp)
{
	struct db_queue_counts *c = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	int paused = 0;
	PGconn *db = web_req_db(req, resp);
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_queue_paused(db, &paused, &e) < 0 ||
	    db_queue_counts(db, clock_now_us(), &c, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack(
			"{s:s,s:s,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
			"connector", c[i].connector, "health", c[i].health, "enabled", c[i].enabled,
			"auth_failed", c[i].auth_failed, "batches", (json_int_t)c[i].batches,
			"indexer_queries", (json_int_t)c[i].queries,
			"in_flight", (json_int_t)c[i].in_flight, "expired", (json_int_t)c[i].expired,
			"due", (json_int_t)c[i].due, "searching", (json_int_t)c[i].searching,
			"cooldown", (json_int_t)c[i].cooldown,
			"awaiting_import", (json_int_t)c[i].awaiting_import,
			"exhausted", (json_int_t)c[i].exhausted));
	free(c);
	return web_resp_json(resp, 200, json_pack("{s:b,s:o}", "paused", paused, "connectors", a));
}

static int
set_paused(struct web_req *req, struct web_resp *resp, int paused)
{
	struct err e = ERR_INIT;
	const char *reason = NULL;
	json_t *body = NULL;
	PGconn *db;
	int ret;

	/* the body is optional: {"reason": "..."} */
	if (req->body.len > 0) {
		if ((body = web_req_json(req, resp)) == NULL)
			return -1;
		reason = json_string_value(json_object_get(body, "reason"));
	}
	if ((db = web_req_db(req, resp)) == NULL) {
		json_decref(body);
		return -1;
	}
	if (db_queue_set_paused(db, paused, reason, &e) < 0) {
		json_decref(body);
		return web_resp_err(resp, &e);
	}
	api_audit(db, req, paused ? "queue.pause" : "queue.resume", NULL, "ok",
		  reason ? json_pack("{s:s}", "reason", reason) : NULL);
	ret = web_resp_json(resp, 200, json_pack("{s:b}", "paused", paused));
	json_decref(body);
	return ret;
}

int
api_queue_pause(struct web_req *req, struct web_resp *resp)
{
	return set_paused(req, resp, 1);
}

int
api_queue_resume(struct web_req *req, struct web_resp *resp)
{
	return set_paused(req, resp, 0);
}

int
api_queue_clear(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *connector = NULL;
	json_t *body = NULL;
	PGconn *db;
	long n = 0;
	int ret;

	if (req->body.len > 0) {
		if ((body = web_req_json(req, resp)) == NULL)
			return -1;
		connector = json_string_value(json_object_get(body, "connector"));
	}
	if ((db = web_req_db(req, resp)) == NULL) {
		json_decref(body);
		return -1;
	}
	if (db_queue_clear(db, connector, &n, &e) < 0) {
		json_decref(body);
		return web_resp_err(resp, &e);
	}
	api_audit(db, req, "queue.clear", connector, "ok", json_pack("{s:I}", "batches",
								      (json_int_t)n));
	ret = web_resp_json(resp, 200, json_pack("{s:I}", "batches_removed", (json_int_t)n));
	json_decref(body);
	return ret;
}
