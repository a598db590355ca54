/*
 * dispatch_prowlarr.c - Prowlarr indexer status, cached in prowlarr_status
 * and refreshed every few minutes (Req 38).  Informational only: a failure
 * marks the cache stale and never stops a search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/app.h"
#include "arr/prowlarr.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "stage/dispatch_int.h"
#include "stage/connect.h"
#include "core/banned.h"

struct pscan {
	json_t *disabled;
	int64_t now_us;
};

static int
on_status(const struct arr_indexer_status *s, void *arg, struct err *e)
{
	struct pscan *p = arg;
	char till[40] = "", fail[40] = "";

	(void)e;
	if (!arr_indexer_disabled(s, p->now_us))
		return 0;
	jsonl_format_ts(s->disabled_till, till, sizeof(till));
	if (s->most_recent_failure != ARR_NO_TIME)
		jsonl_format_ts(s->most_recent_failure, fail, sizeof(fail));
	json_array_append_new(p->disabled, json_pack("{s:i, s:s, s:s}", "indexer_id", s->indexer_id,
			      "disabled_till", till, "most_recent_failure", fail));
	return 0;
}

void
dispatch_prowlarr(PGconn *db, const struct dispatch_opts *o, const struct connector *c)
{
	struct arr_retry once = { 0, 0, 1 };	/* informational: never wait on it */
	struct arr_client *cl = NULL;
	struct pscan ps = { NULL, clock_now_us() };
	struct err e = ERR_INIT;
	char idb[24], ageb[24], *text = NULL;
	const char *p[3] = { db_fmt_int64(idb, sizeof(idb), c->id),
			     db_fmt_int64(ageb, sizeof(ageb), DISPATCH_PROWLARR_REFRESH_S), NULL };
	PGresult *r = NULL;
	struct dctx x;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.c = c;
	/* fresh enough?  (the database's clock: shared by every host) */
	if (db_query(db, "SELECT 1 FROM prowlarr_status WHERE connector_id = $1 AND "
		     "tried_at > now() - $2::integer * interval '1 second'", 2, p, &r, &e) < 0 ||
	    PQntuples(r) > 0)
		goto out;
	ps.disabled = json_array();
	if (stage_client_open(o->key, c, &once, &cl, &e) < 0 ||
	    arr_indexer_status_each(cl, on_status, &ps, &e) < 0)
		goto stale;
	text = json_dumps(ps.disabled, JSON_COMPACT);
	p[2] = text;
	db_query(db, "INSERT INTO prowlarr_status (connector_id, fetched_at, tried_at, error, disabled) "
		 "SELECT $1, now(), now(), NULL, $3::jsonb WHERE $2::integer IS NOT NULL ON CONFLICT (connector_id) DO UPDATE SET "
		 "fetched_at = now(), tried_at = now(), error = NULL, disabled = EXCLUDED.disabled",
		 3, p, NULL, NULL);
	if (json_array_size(ps.disabled) > 0)
		log_warn("dispatch", "prowlarr '%s': %zu indexers disabled (searches go on; informational)",
			 c->name, json_array_size(ps.disabled));
	dispatch_emit(&x, "prowlarr_status", json_pack("{s:O, s:b}", "disabled", ps.disabled,
		      "stale", 0));
	goto out;
stale:
	p[2] = e.msg;
	db_query(db, "INSERT INTO prowlarr_status (connector_id, tried_at, error) SELECT $1, now(), $3 "
		 "WHERE $2::integer IS NOT NULL "
		 "ON CONFLICT (connector_id) DO UPDATE SET tried_at = now(), error = EXCLUDED.error",
		 3, p, NULL, NULL);
	log_warn("dispatch", "prowlarr '%s' unreachable, showing cached indexer status: %s", c->name, e.msg);
	dispatch_emit(&x, "prowlarr_status", json_pack("{s:b, s:s}", "stale", 1, "error", e.msg));
out:
	free(text);
	json_decref(ps.disabled);
	arr_client_free(cl);
	PQclear(r);
}
