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
