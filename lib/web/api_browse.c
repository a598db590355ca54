/*
 * api_browse.c - keyset-paged reads: the registry, the library, search
 * history, the event outbox; and explain (why an item is or is not a
 * candidate).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "db/registry_bulk.h"
#include "stage/explain.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

typedef int (*browse_fn)(PGconn *db, const struct browse_filter *f, char **out, struct err *e);

/* The page comes as JSON text from PostgreSQL and goes out as it is. */
static int
browse(struct web_req *req, struct web_resp *resp, browse_fn fn)
{
	struct browse_filter f;
	struct api_qbuf qb;
	struct err e = ERR_INIT;
	char *page = NULL;
	PGconn *db;
	int ret;

	if (api_filter(req, resp, &f, &qb) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (fn(db, &f, &page, &e) < 0)
		return web_resp_err(resp, &e);
	ret = web_resp_bytes(resp, 200, "application/json", page, strlen(page));
	free(page);
	return ret;
}

int
api_registry(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_registry);
}

int
api_series(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_series);
}

int
api_movies(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_movies);
}

int
api_history(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_history);
}

int
api_events(struct web_req *req, struct web_resp *resp)
{
	if (api_events_wants_stream(req))
		return api_events_stream(req, resp);
	return browse(req, resp, db_browse_events);
}

int
api_explain(struct web_req *req, struct web_resp *resp)
{
	enum registry_kind kind;
	struct err e = ERR_INIT;
	const char *ids = web_req_param(req, "id");
	char *end = NULL;
	json_t *out = NULL;
	PGconn *db;
	long id;

	if (registry_kind_parse(web_req_param(req, "kind"), &kind) < 0)
		return web_resp_error(resp, 404, "not_found", "kind", "kind is episode or movie");
	errno = 0;
	id = strtol(ids, &end, 10);
	if (errno != 0 || *end != '\0' || id < 1 || id > 2147483647L)
		return web_resp_error(resp, 400, "invalid", "id", "id is the *arr's numeric id");
	if ((db = web_req_db(req, resp)) == NULL)
		return -1;
	if (explain_item(db, web_req_param(req, "connector"), kind, (int)id, 0, &out, &e) < 0)
		return web_resp_err(resp, &e);
	return web_resp_json(resp, 200, out);
}

/* POST /api/registry/bulk {"action", "ids": [...], "priority"} */
int
api_registry_bulk(struct web_req *req, struct web_resp *resp)
{
	static const char *const actions[] = { "search_now", "priority", "remove" };
	json_t *body = web_req_json(req, resp), *ids, *v;
	int64_t list[REGISTRY_BULK_MAX];
	struct err e = ERR_INIT;
	const char *action;
	int act = -1, prio = 0, ret = -1;
	size_t i, n;
	long changed = 0;
	PGconn *db;

	if (body == NULL)
		return -1;
	action = json_string_value(json_object_get(body, "action"));
	for (int k = 0; action != NULL && k < 3; k++)
		if (strcmp(action, actions[k]) == 0)
			act = k;
	if (act < 0) {
		web_resp_error(resp, 400, "invalid", "action", "action is search_now, priority or remove");
		goto out;
	}
	ids = json_object_get(body, "ids");
	n = json_array_size(ids);
	if (!json_is_array(ids) || n == 0 || n > REGISTRY_BULK_MAX) {
		web_resp_error(resp, 400, "invalid", "ids", "ids is a list of 1 to %d entry ids",
			       REGISTRY_BULK_MAX);
		goto out;
	}
	json_array_foreach(ids, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			web_resp_error(resp, 400, "invalid", "ids", "ids[%zu] is not an entry id", i);
			goto out;
		}
		list[i] = json_integer_value(v);
	}
	if (act == REGISTRY_BULK_PRIORITY) {
		v = json_object_get(body, "priority");
		if (!json_is_integer(v) || json_integer_value(v) < -100 || json_integer_value(v) > 100) {
			web_resp_error(resp, 400, "invalid", "priority", "priority is -100 to 100");
			goto out;
		}
		prio = (int)json_integer_value(v);
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_registry_bulk(db, (enum registry_bulk_action)act, list, n, prio, req->who.user,
			     &changed, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "registry.bulk", action, "ok",
		  json_pack("{s:I,s:I}", "requested", (json_int_t)n, "changed", (json_int_t)changed));
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:I,s:I}", "action", action, "requested",
						 (json_int_t)n, "changed", (json_int_t)changed));
out:
	json_decref(body);
	return ret;
}
