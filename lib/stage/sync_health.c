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

/* A one-line detail: the first error, else the app's first health message. */
static void
detail_of(const struct arr_probe_report *rep, char *out, size_t size)
{
	int i;

	out[0] = '\0';
	if (rep->first_error.kind != ERR_NONE) {
		snprintf(out, size, "%s", rep->first_error.msg);
		return;
	}
	for (i = 0; i < rep->nitems; i++) {
		if (strcmp(rep->items[i].type, "error") == 0 || strcmp(rep->items[i].type, "warning") == 0) {
			snprintf(out, size, "%s: %s", rep->items[i].source, rep->items[i].message);
			return;
		}
	}
}

static int
store(PGconn *db, const struct connector *c, const struct arr_probe_report *rep,
      const char *status, const char *detail, int response_ms, struct err *e)
{
	const struct arr_system_status *st = &rep->status;
	const char *d = detail[0] ? detail : NULL;

	return db_connector_set_probe(db, c->id, rep->facts.answered ? st->app_name : NULL,
				      rep->facts.answered ? st->version : NULL,
				      rep->api_version[0] ? rep->api_version : NULL, status, d,
				      rep->facts.auth_failed, response_ms,
				      strcmp(c->health, status) == 0 ? NULL :
				      json_pack("{s:s, s:s, s:s, s:s?}", "connector", c->name,
						"from", c->health, "to", status, "detail", d), e);
}

int
sync_health_check(PGconn *db, const struct connector *c, const struct sync_opts *o,
		  struct sync_report *r, struct err *e)
{
	struct arr_client *client = NULL;
	struct arr_probe_report rep;
	int64_t t0 = clock_mono_us(), t_probe;
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
	t_probe = clock_mono_us();
	if (arr_probe(client, &rep, e) < 0)
		goto out;
	response_ms = (int)((clock_mono_us() - t_probe) / 1000);
	r->api_calls = arr_client_requests(client);
	status = arr_health_name(rep.health);
	snprintf(r->health, sizeof(r->health), "%s", status);
	detail_of(&rep, detail, sizeof(detail));
	if (store(db, c, &rep, status, detail, response_ms, e) < 0)
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
