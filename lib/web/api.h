/*
 * api.h - helpers the JSON API's handlers share (lib/web/api_*.c).
 */
#ifndef COMRADARR_WEB_API_H
#define COMRADARR_WEB_API_H

#include <jansson.h>
#include <libpq-fe.h>

#include "db/browse.h"
#include "web/web.h"

/*
 * Read the paging and filter query parameters (connector, state, type, kind,
 * q, after, before, limit) into f, with buf as storage for the strings.  A
 * malformed one: 400 naming it in resp, and -1.
 */
struct api_qbuf {
	char connector[64], state[24], type[16], kind[48], q[128];
};
int api_filter(struct web_req *req, struct web_resp *resp, struct browse_filter *f,
	       struct api_qbuf *buf);

/*
 * Answer a page: {"items": [...], "next": "?after=N" cursor or null}.
 * key is "after" (ascending) or "before" (descending).
 */
int api_page(struct web_resp *resp, json_t *items, long limit, const char *key);

/* Write an audit row for the caller (errors are logged, not answered). */
void api_audit(PGconn *db, const struct web_req *req, const char *action, const char *target,
	       const char *outcome, json_t *detail);

/* The zone a new schedule or a preview gets when none is given: the
 * server's TZ, else "UTC" (api_schedules.c). */
const char *api_default_zone(const struct web_req *req);

/* A connector just added gets the default schedules (db_schedule_defaults,
 * in api_default_zone); a failure is logged, the connector stays. */
void api_schedule_defaults(struct web_req *req, PGconn *db, int64_t id, const char *name,
			   const char *type);

#endif
