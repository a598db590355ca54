/*
 * api_webhooks.c - POST /api/webhooks/{connector}: what Sonarr, Radarr and
 * Whisparr tell us as it happens (arr/webhook.h, db/webhook.h), so a
 * search's outcome and a new gap are known without waiting for a sync.
 * A malformed payload is 400 and changes nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "arr/webhook.h"
#include "db/webhook.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

int
api_webhook(struct web_req *req, struct web_resp *resp)
{
	struct arr_webhook *w;
	struct db_webhook_result r;
	struct err e = ERR_INIT;
	PGconn *db;
	int ret = -1;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return web_resp_error(resp, 500, "internal", NULL, "out of memory");
	if (arr_webhook_parse(req->body.data ? req->body.data : "", req->body.len, w, &e) < 0) {
		web_resp_error(resp, 400, "invalid_payload", NULL, "%s", e.msg);
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_webhook_apply(db, req->who.key_id, w, req->request_id, &r, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:s,s:I,s:I}", "event_type", w->event_type,
						 "action", arr_webhook_kind_name(w->kind),
						 "items", (json_int_t)r.items,
						 "entries", (json_int_t)r.entries));
out:
	free(w);
	return ret;
}
