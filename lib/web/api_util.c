/*
 * api_util.c - paging, filters and the audit trail for the API handlers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/users.h"
#include "web/api.h"
#include "core/banned.h"

static int
opt_str(struct web_req *req, struct web_resp *resp, const char *name, char *buf, size_t size,
	const char **out)
{
	*out = NULL;
	if (!web_req_has_query(req, name))
		return 0;
	if (web_req_query(req, name, buf, size) == NULL || buf[0] == '\0')
		return web_resp_error(resp, 400, "invalid", name, "'%s' is empty, too long or "
				      "badly encoded", name);
	*out = buf;
	return 0;
}

static int
opt_int(struct web_req *req, struct web_resp *resp, const char *name, long long lo, long long hi,
	long long *out)
{
	char buf[32], *end = NULL;
	long long v;

	if (!web_req_has_query(req, name))
		return 0;
	if (web_req_query(req, name, buf, sizeof(buf)) == NULL)
		return web_resp_error(resp, 400, "invalid", name, "'%s' must be a number", name);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0' || v < lo || v > hi)
		return web_resp_error(resp, 400, "invalid", name, "'%s' must be a number from %lld "
				      "to %lld", name, lo, hi);
	*out = v;
	return 0;
}

int
api_filter(struct web_req *req, struct web_resp *resp, struct browse_filter *f,
	   struct api_qbuf *b)
{
	long long after = 0, before = 0, limit = 50;

	memset(f, 0, sizeof(*f));
	if (opt_str(req, resp, "connector", b->connector, sizeof(b->connector), &f->connector) < 0 ||
	    opt_str(req, resp, "state", b->state, sizeof(b->state), &f->state) < 0 ||
	    opt_str(req, resp, "type", b->type, sizeof(b->type), &f->type) < 0 ||
	    opt_str(req, resp, "kind", b->kind, sizeof(b->kind), &f->kind) < 0 ||
	    opt_str(req, resp, "q", b->q, sizeof(b->q), &f->q) < 0 ||
	    opt_int(req, resp, "after", 0, INT64_MAX, &after) < 0 ||
	    opt_int(req, resp, "before", 0, INT64_MAX, &before) < 0 ||
	    opt_int(req, resp, "limit", 1, BROWSE_LIMIT_MAX, &limit) < 0)
		return -1;
	if (f->type != NULL && strcmp(f->type, "gap") != 0 && strcmp(f->type, "upgrade") != 0)
		return web_resp_error(resp, 400, "invalid", "type", "type is gap or upgrade");
	f->after = after;
	f->before = before;
	f->limit = (long)limit;
	return 0;
}

int
api_page(struct web_resp *resp, json_t *items, long limit, const char *key)
{
	size_t n = json_array_size(items);
	json_t *next = json_null();

	if (n > 0 && (long)n == limit) {
		json_t *last = json_object_get(json_array_get(items, n - 1), "id");

		next = json_pack("{s:I}", key, json_integer_value(last));
	}
	return web_resp_json(resp, 200, json_pack("{s:o,s:o}", "items", items, "next", next));
}

void
api_audit(PGconn *db, const struct web_req *req, const char *action, const char *target,
	  const char *outcome, json_t *detail)
{
	struct err e = ERR_INIT;

	if (db_audit(db, req->who.user[0] ? req->who.user : "anonymous", req->peer, action, target,
		     outcome, detail, &e) < 0)
		log_warn("serve", "audit log not written: %s", e.msg);
}
