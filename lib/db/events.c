/*
 * events.c - the outbox.  See events.h.
 */
#include <stdlib.h>

#include "db/db.h"
#include "db/events.h"
#include "core/banned.h"

int
db_event_insert(PGconn *db, const char *kind, int64_t connector_id, const char *corr,
		json_t *payload, struct err *e)
{
	char idbuf[24];
	char *text = payload != NULL ? json_dumps(payload, JSON_COMPACT) : NULL;
	const char *p[4] = {
		kind, connector_id > 0 ? db_fmt_int64(idbuf, sizeof(idbuf), connector_id) : NULL,
		corr, text != NULL ? text : "{}"
	};
	int ret;

	if (payload != NULL && text == NULL) {
		json_decref(payload);
		return err_set(e, ERR_NOMEM, "out of memory writing a '%s' event", kind);
	}
	json_decref(payload);
	ret = db_query(db, "INSERT INTO events (kind, connector_id, correlation_id, payload) "
		       "VALUES ($1, $2, $3, $4::jsonb)", 4, p, NULL, e);
	free(text);
	return ret;
}
