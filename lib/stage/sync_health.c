/*
 * sync_health.c - the 5-minute health check (Req 1.4-1.5): probe the app,
 * store the status with its history, and write an event when it changed,
 * all in one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "arr/app.h"
#include "arr/probe.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/connectors.h"
#include "db/db.h"
#include "stage/sync_int.h"
#include "stage/connect.h"
#include "core/banned.h"

int
sync_health_check(PGconn *db, const struct connector *c, const struct sync_opts *o,
		  struct sync_report *r, struct err *e)
{
	struct arr_client *client = NULL;
	struct arr_probe_report rep;
	int64_t t0 = clock_mono_us();
	int response_ms;
	const char *status;
	char detail[512];
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (!c->enabled) {
		r->status = SYNC_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "disabled");
		sync_emit(o, c, "sync_skipped", json_pack("{s:s}", "reason", "disabled"));
		return 0;
	}
	snprintf(r->previous_health, sizeof(r->previous_health), "%s", c->health);
	if (stage_client_open(o->key, c, &o->retry, &client, e) < 0)
		goto out;
	if (stage_probe(client, &rep, &response_ms, e) < 0)
		goto out;
	r->api_calls = arr_client_requests(client);
	status = arr_health_name(rep.health);
	snprintf(r->health, sizeof(r->health), "%s", status);
	arr_probe_detail(&rep, detail, sizeof(detail));
	if (stage_probe_record(db, c, &rep, response_ms, e) < 0)
		goto out;
	r->duration_ms = (clock_mono_us() - t0) / 1000;
	r->status = SYNC_DONE;
	sync_emit(o, c, "health", json_pack("{s:s, s:s, s:b, s:s?, s:i}", "status", status,
		  "previous", c->health, "changed", strcmp(c->health, status) != 0,
		  "detail", detail[0] ? detail : NULL, "duration_ms", (int)r->duration_ms));
	if (strcmp(c->health, status) != 0)
		log_info("sync", "'%s' is now %s (was %s)", c->name, status, c->health);
	ret = 0;
out:
	if (ret < 0) {
		r->status = SYNC_FAILED;
		sync_emit(o, c, "sync_failed", json_pack("{s:s, s:s}", "error",
			  err_kind_name(e->kind), "message", e->msg));
	}
	arr_client_free(client);
	return ret;
}
