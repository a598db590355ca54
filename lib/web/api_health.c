/*
 * api_health.c - /healthz (liveness), /readyz (readiness) and /health
 * (Req 32).
 *
 * /healthz answers without touching the database: the process is alive and
 * serving.  /readyz is 200 only when the database answers and its schema is
 * the one this binary expects.  /health is the summary anyone may read
 * (status, version, database) plus, for a logged-in caller or when
 * HEALTH_PUBLIC=details, each connector's health, the queue and memory.
 * Status: 200 "ok", or 503 "degraded" when the database is unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "db/connectors.h"
#include "db/migrate.h"
#include "db/queue.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

int
api_healthz(struct web_req *req, struct web_resp *resp)
{
	static const char ok[] = "{\"status\":\"ok\"}\n";

	/* what web_resp_json would make of {"status":"ok"}, without building
	 * and printing a JSON value on the hottest route */
	(void)req;
	return web_resp_bytes(resp, 200, "application/json", ok, sizeof(ok) - 1);
}

/* 0: the schema is current; else -1 with why. */
static int
schema_ready(struct web_req *req, struct web_resp *scratch, const char **why)
{
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, scratch);
	int pending = 0;

	if (db == NULL) {
		*why = "database unreachable";
		return -1;
	}
	if (db_migrate_status(db, NULL, NULL, &pending, &e) < 0) {
		*why = e.kind == ERR_DB ? "database unreachable" : "database schema unknown to this version";
		return -1;
	}
	if (pending > 0) {
		*why = "migrations pending: run 'comradarr migrate'";
		return -1;
	}
	return 0;
}

int
api_readyz(struct web_req *req, struct web_resp *resp)
{
	struct web_resp scratch;
	const char *why = NULL;
	int rc;

	memset(&scratch, 0, sizeof(scratch));
	rc = schema_ready(req, &scratch, &why);
	web_resp_release(&scratch);
	if (rc < 0)
		return web_resp_json(resp, 503, json_pack("{s:s,s:s}", "status", "not_ready",
							  "reason", why));
	return web_resp_json(resp, 200, json_pack("{s:s}", "status", "ready"));
}

static long long
rss_bytes(void)
{
	long long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld %lld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (long long)sysconf(_SC_PAGESIZE);
}

static json_t *
connectors_json(PGconn *db, struct err *e)
{
	struct connector *list = NULL;
	size_t n = 0;
	json_t *a;

	if (db_connector_list(db, &list, &n, e) < 0)
		return NULL;
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:s,s:s,s:b,s:s}", "name", list[i].name, "type", list[i].type,
				      "enabled", list[i].enabled, "health", list[i].health);

		if (list[i].health_detail != NULL)
			json_object_set_new(o, "detail", json_string(list[i].health_detail));
		if (list[i].health_checked_us > 0)
			json_object_set_new(o, "checked_us", json_integer(list[i].health_checked_us));
		json_array_append_new(a, o);
	}
	connector_list_free(list, n);
	return a;
}

static json_t *
queue_json(PGconn *db, struct err *e)
{
	struct db_queue_counts *c = NULL;
	size_t n = 0;
	int paused = 0;
	long batches = 0, queries = 0, in_flight = 0;

	if (db_queue_paused(db, &paused, e) < 0 || db_queue_counts(db, clock_now_us(), &c, &n, e) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		batches += c[i].batches;
		queries += c[i].queries;
		in_flight += c[i].in_flight;
	}
	free(c);
	return json_pack("{s:b,s:i,s:i,s:i}", "paused", paused, "batches", (json_int_t)batches,
			 "indexer_queries", (json_int_t)queries, "in_flight", (json_int_t)in_flight);
}

int
api_health(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct web_resp scratch;
	struct err e = ERR_INIT;
	const char *why = NULL;
	int ready, details;
	json_t *o;

	memset(&scratch, 0, sizeof(scratch));
	ready = schema_ready(req, &scratch, &why) == 0;
	web_resp_release(&scratch);
	o = json_pack("{s:s,s:s,s:{s:b}}", "status", ready ? "ok" : "degraded",
		      "version", COMRADARR_VERSION, "database", "reachable", ready);
	if (!ready)
		json_object_set_new(json_object_get(o, "database"), "reason", json_string(why));
	details = req->who.kind != WEB_ANON || (app != NULL && app->health_public_details);
	if (details) {
		PGconn *db = ready ? web_req_db(req, resp) : NULL;

		json_object_set_new(o, "uptime_s", json_integer(app ? (clock_now_us() -
								       app->started_us) / 1000000 : 0));
		json_object_set_new(o, "rss_bytes", json_integer(rss_bytes()));
		if (db != NULL) {
			json_t *c = connectors_json(db, &e), *q = c ? queue_json(db, &e) : NULL;

			if (c == NULL || q == NULL) {
				json_decref(c);
				json_decref(o);
				return web_resp_err(resp, &e);
			}
			json_object_set_new(o, "connectors", c);
			json_object_set_new(o, "queue", q);
		}
	}
	return web_resp_json(resp, ready ? 200 : 503, o);
}
