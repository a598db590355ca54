/*
 * api_browse.c - keyset-paged reads: the registry, the library, search
 * history, the event outbox; and explain (why an item is or is not a
 * candidate).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "db/registry.h"
#include "stage/explain.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

typedef int (*browse_fn)(PGconn *db, const struct browse_filter *f, json_t **out, struct err *e);

static int
browse(struct web_req *req, struct web_resp *resp, browse_fn fn, const char *key)
{
	struct browse_filter f;
	struct api_qbuf qb;
	struct err e = ERR_INIT;
	json_t *items = NULL;
	PGconn *db;

	if (api_filter(req, resp, &f, &qb) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (fn(db, &f, &items, &e) < 0)
		return web_resp_err(resp, &e);
	return api_page(resp, items, f.limit, key);
}

int
api_registry(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_registry, "after");
}

int
api_series(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_series, "after");
}

int
api_movies(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_movies, "after");
}

int
api_history(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_history, "before");
}

int
api_events(struct web_req *req, struct web_resp *resp)
{
	return browse(req, resp, db_browse_events, "after");
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
