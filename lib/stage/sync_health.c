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
#include "db/db.h"
#include "db/events.h"
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
      const char *status, const char *detail, struct err *e)
{
	char id[24];
	const struct arr_system_status *st = &rep->status;
	const char *p[7] = { db_fmt_int64(id, sizeof(id), c->id),
			     rep->facts.answered ? st->app_name : NULL,
			     rep->facts.answered ? st->version : NULL,
			     rep->api_version[0] ? rep->api_version : NULL, status,
			     detail[0] ? detail : NULL, rep->facts.auth_failed ? "t" : "f" };
	int ret = -1;

	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "UPDATE connectors SET app_name = coalesce($2, app_name), "
		     "app_version = coalesce($3, app_version), api_version = coalesce($4, api_version), "
		     "health = $5, health_detail = $6, health_checked_at = now(), auth_failed = $7, "
		     "last_ok_at = CASE WHEN $5 IN ('healthy', 'degraded') THEN now() ELSE last_ok_at END, "
		     "updated_at = now() WHERE id = $1", 7, p, NULL, e) < 0)
		goto out;
	{
		const char *hp[3] = { p[0], status, p[5] };

		if (db_query(db, "INSERT INTO connector_health_history (connector_id, status, detail) "
			     "VALUES ($1, $2, $3)", 3, hp, NULL, e) < 0)
			goto out;
	}
	/* Req 1.5: a change (notably to unhealthy) is told to the user. */
	if (strcmp(c->health, status) != 0 &&
	    db_event_insert(db, "connector_health_changed", c->id, log_get_correlation_id(),
			    json_pack("{s:s, s:s, s:s, s:s?}", "connector", c->name,
				      "from", c->health, "to", status, "detail", p[5]), e) < 0)
		goto out;
	if (db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int
sync_health_check(PGconn *db, const struct connector *c, const struct sync_opts *o,
		  struct sync_report *r, struct err *e)
{
	struct arr_client *client = NULL;
	struct arr_probe_report rep;
	int64_t t0 = clock_mono_us();
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
	if (arr_probe(client, &rep, e) < 0)
		goto out;
	r->api_calls = arr_client_requests(client);
	status = arr_health_name(rep.health);
	snprintf(r->health, sizeof(r->health), "%s", status);
	detail_of(&rep, detail, sizeof(detail));
	if (store(db, c, &rep, status, detail, e) < 0)
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
