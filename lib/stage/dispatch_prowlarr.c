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
#include "db/state.h"
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
	struct err we = ERR_INIT;
	struct dctx x;
	int fresh = 0;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.c = c;
	/* fresh enough?  (the database's clock: shared by every host) */
	if (db_prowlarr_status_fresh(db, c->id, DISPATCH_PROWLARR_REFRESH_S, &fresh, &e) < 0) {
		log_warn("dispatch", "prowlarr '%s': cannot read the cached indexer status: %s",
			 c->name, e.msg);
		goto out;
	}
	if (fresh)
		goto out;
	ps.disabled = json_array();
	if (stage_client_open(o->key, c, &once, &cl, &e) < 0 ||
	    arr_indexer_status_each(cl, on_status, &ps, &e) < 0)
		goto stale;
	/* informational: a status that cannot be stored is read again next time */
	if (db_prowlarr_status_ok(db, c->id, ps.disabled, &we) < 0)
		log_warn("dispatch", "prowlarr '%s': cannot store the indexer status: %s", c->name,
			 we.msg);
	if (json_array_size(ps.disabled) > 0)
		log_warn("dispatch", "prowlarr '%s': %zu indexers disabled (searches go on; informational)",
			 c->name, json_array_size(ps.disabled));
	dispatch_emit(&x, "prowlarr_status", json_pack("{s:O, s:b}", "disabled", ps.disabled,
		      "stale", 0));
	goto out;
stale:
	if (db_prowlarr_status_stale(db, c->id, e.msg, &we) < 0)
		log_warn("dispatch", "prowlarr '%s': cannot mark the cached status stale: %s",
			 c->name, we.msg);
	log_warn("dispatch", "prowlarr '%s' unreachable, showing cached indexer status: %s", c->name, e.msg);
	dispatch_emit(&x, "prowlarr_status", json_pack("{s:b, s:s}", "stale", 1, "error", e.msg));
out:
	json_decref(ps.disabled);
	arr_client_free(cl);
}
