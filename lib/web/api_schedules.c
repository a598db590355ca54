/*
 * api_schedules.c - /api/schedules and /api/cron/preview: sweep schedules
 * over HTTP (Req 19), the same acts as `comradarr schedule`.  What a
 * schedule may hold is checked by sweep_schedule_check() and its
 * description, next run and preview come from lib/stage/sweep.h: nothing
 * about cron is decided here.  Every change is in the audit log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/schedule.h"
#include "stage/sweep.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "web/ui_html.h"
#include "web/zones.h"
#include "core/banned.h"

#define PREVIEW_DEFAULT	5

/* The zone a schedule gets when none is given: the server's TZ, else UTC
 * (what `comradarr schedule add` does). */
const char *
api_default_zone(const struct web_req *req)
{
	const struct web_app *app = req->app;

	return app != NULL && app->cfg != NULL && app->cfg->tz != NULL && app->cfg->tz[0] != '\0' ?
		app->cfg->tz : "UTC";
}

void
api_schedule_defaults(struct web_req *req, PGconn *db, int64_t id, const char *name,
		      const char *type)
{
	struct schedule added[DB_SCHEDULE_DEFAULTS];
	struct err e = ERR_INIT;
	int n = 0;

	/* gaps hourly and upgrades daily, as `comradarr connector add` does, so
	 * enabling the timers is enough (Prowlarr has no library to sweep) */
	if (strcmp(type, "prowlarr") == 0)
		return;
	if (db_schedule_defaults(db, id, name, api_default_zone(req), clock_now_us(), added, &n,
				 &e) < 0) {
		log_warn("serve", "connector '%s' was added without its default schedules: %s",
			 name, e.msg);
		return;
	}
	for (int i = 0; i < n; i++)
		api_audit(db, req, "schedule.add", added[i].name, "ok",
			  json_pack("{s:s,s:s}", "cron", added[i].cron, "zone", added[i].zone));
}

int
api_schedules_list(struct web_req *req, struct web_resp *resp)
{
	struct schedule *list = NULL;
	struct sweep_zones *zones;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);
	int64_t now = clock_now();
	size_t n = 0;
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_schedule_list(db, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	zones = web_zones_take(req);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, sweep_schedule_json(&list[i], now, zones));
	web_zones_give(req, zones);
	free(list);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_schedules_show(struct web_req *req, struct web_resp *resp)
{
	struct schedule s;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_schedule_get(db, web_req_param(req, "name"), &s, &e) < 0)
		return web_resp_err(resp, &e);
	return web_resp_json(resp, 200, sweep_schedule_json(&s, clock_now(), NULL));
}

static int
copy_str(struct web_resp *resp, json_t *v, const char *field, char *dst, size_t size)
{
	if (!json_is_string(v))
		return web_resp_error(resp, 400, "invalid", field, "%s must be a string", field);
	if (strlen(json_string_value(v)) >= size)
		return web_resp_error(resp, 400, "invalid", field, "%s is longer than %zu characters",
				      field, size - 1);
	snprintf(dst, size, "%s", json_string_value(v));
	return 0;
}

/* Apply the body's members to s; a bad one: 400 naming it. */
static int
apply(struct web_resp *resp, json_t *body, struct schedule *s)
{
	static const char *const known[] = { "name", "connector", "all_connectors", "sweep", "cron",
					     "zone", "max_items", "enabled", NULL };
	const char *key;
	json_t *v;

	/* a typo ("zone_name") is an error, not a silent default */
	json_object_foreach(body, key, v) {
		int ok = 0;

		for (int i = 0; known[i] != NULL; i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok)
			return web_resp_error(resp, 400, "invalid", key, "unknown member '%.60s'", key);
	}
	if ((v = json_object_get(body, "name")) != NULL &&
	    copy_str(resp, v, "name", s->name, sizeof(s->name)) < 0)
		return -1;
	if ((v = json_object_get(body, "connector")) != NULL) {
		if (json_is_null(v))
			s->connector[0] = '\0';
		else if (copy_str(resp, v, "connector", s->connector, sizeof(s->connector)) < 0)
			return -1;
	}
	if ((v = json_object_get(body, "all_connectors")) != NULL) {
		if (!json_is_boolean(v))
			return web_resp_error(resp, 400, "invalid", "all_connectors",
					      "all_connectors is true or false");
		if (json_is_true(v) && json_object_get(body, "connector") != NULL &&
		    !json_is_null(json_object_get(body, "connector")))
			return web_resp_error(resp, 400, "invalid", "connector", "give a connector or "
					      "all_connectors, not both");
		if (json_is_true(v))
			s->connector[0] = '\0';
	}
	if ((v = json_object_get(body, "sweep")) != NULL &&
	    copy_str(resp, v, "sweep", s->sweep, sizeof(s->sweep)) < 0)
		return -1;
	if ((v = json_object_get(body, "cron")) != NULL &&
	    copy_str(resp, v, "cron", s->cron, sizeof(s->cron)) < 0)
		return -1;
	if ((v = json_object_get(body, "zone")) != NULL &&
	    copy_str(resp, v, "zone", s->zone, sizeof(s->zone)) < 0)
		return -1;
	if ((v = json_object_get(body, "max_items")) != NULL) {
		if (json_is_null(v))
			s->max_items = 0;
		else if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			 json_integer_value(v) > 1000000)
			return web_resp_error(resp, 400, "invalid", "max_items",
					      "max_items is 1 to 1000000, or null for no limit");
		else
			s->max_items = (long)json_integer_value(v);
	}
	if ((v = json_object_get(body, "enabled")) != NULL) {
		if (!json_is_boolean(v))
			return web_resp_error(resp, 400, "invalid", "enabled", "enabled is true or false");
		s->enabled = json_is_true(v);
	}
	return 0;
}

/* The one check, answered as a 400 naming the field. */
static int
check(struct web_resp *resp, const struct schedule *s, char *warn, size_t size)
{
	const char *field = NULL;
	struct err e = ERR_INIT;

	if (sweep_schedule_check(s, warn, size, &field, &e) < 0)
		return web_resp_error(resp, 400, "invalid", field, "%s", e.msg);
	return 0;
}

/* The stored schedule (by name) as the answer, with the check's warning. */
static int
answer(PGconn *db, struct web_resp *resp, int status, const char *name, const char *warn)
{
	struct schedule s;
	struct err e = ERR_INIT;
	json_t *o;

	if (db_schedule_get(db, name, &s, &e) < 0)
		return web_resp_err(resp, &e);
	o = sweep_schedule_json(&s, clock_now(), NULL);
	if (warn != NULL && warn[0] != '\0')
		json_object_set_new(o, "warning", json_string(warn));
	return web_resp_json(resp, status, o);
}

/* A missing connector is the connector field's fault, not a missing route. */
static int
store_err(struct web_resp *resp, const struct err *e)
{
	if (e->kind == ERR_NOTFOUND && strstr(e->msg, "connector") != NULL)
		return web_resp_error(resp, 400, "invalid", "connector", "%s", e->msg);
	if (e->kind == ERR_CONFLICT)
		return web_resp_error(resp, 409, "conflict", "name", "%s", e->msg);
	return web_resp_err(resp, e);
}

int
api_schedules_add(struct web_req *req, struct web_resp *resp)
{
	struct schedule s;
	struct err e = ERR_INIT;
	char warn[256] = "";
	json_t *body;
	PGconn *db;
	int ret = -1;

	if ((body = web_req_json(req, resp)) == NULL)
		return -1;
	memset(&s, 0, sizeof(s));
	snprintf(s.sweep, sizeof(s.sweep), "all");
	snprintf(s.zone, sizeof(s.zone), "%s", api_default_zone(req));
	s.enabled = 1;
	if (apply(resp, body, &s) < 0)
		goto out;
	if (json_object_get(body, "cron") == NULL || json_object_get(body, "name") == NULL) {
		web_resp_error(resp, 400, "invalid", json_object_get(body, "name") == NULL ? "name" :
			       "cron", "name and cron are needed");
		goto out;
	}
	if (s.connector[0] == '\0' && !json_is_true(json_object_get(body, "all_connectors"))) {
		web_resp_error(resp, 400, "invalid", "connector", "which connector? give connector, "
			       "or all_connectors: true");
		goto out;
	}
	if (check(resp, &s, warn, sizeof(warn)) < 0 || (db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_schedule_add(db, &s, clock_now_us(), &e) < 0) {
		store_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "schedule.add", s.name, "ok", json_pack("{s:s,s:s}", "cron", s.cron,
								     "zone", s.zone));
	ret = answer(db, resp, 201, s.name, warn);
out:
	json_decref(body);
	return ret;
}

int
api_schedules_edit(struct web_req *req, struct web_resp *resp)
{
	struct schedule s;
	struct err e = ERR_INIT;
	char warn[256] = "";
	json_t *body;
	PGconn *db;
	int ret = -1;

	if ((body = web_req_json(req, resp)) == NULL)
		return -1;
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_schedule_get(db, web_req_param(req, "name"), &s, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (apply(resp, body, &s) < 0 || check(resp, &s, warn, sizeof(warn)) < 0)
		goto out;
	if (db_schedule_update(db, &s, clock_now_us(), &e) < 0) {
		store_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "schedule.edit", s.name, "ok", json_pack("{s:s,s:s,s:b}", "cron", s.cron,
								      "zone", s.zone, "enabled",
								      s.enabled));
	ret = answer(db, resp, 200, s.name, warn);
out:
	json_decref(body);
	return ret;
}

int
api_schedules_remove(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_schedule_remove(db, name, &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, "schedule.remove", name, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:s,s:b}", "schedule", name, "removed", 1));
}

static int
set_enabled(struct web_req *req, struct web_resp *resp, int enabled)
{
	struct schedule s;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_schedule_get(db, web_req_param(req, "name"), &s, &e) < 0)
		return web_resp_err(resp, &e);
	s.enabled = enabled;
	if (db_schedule_update(db, &s, clock_now_us(), &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, enabled ? "schedule.enable" : "schedule.disable", s.name, "ok", NULL);
	return answer(db, resp, 200, s.name, NULL);
}

int
api_schedules_enable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 1);
}

int
api_schedules_disable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 0);
}

/* The run's closing line (sweep_done|skipped|failed), kept for the answer. */
static void
keep_outcome(void *arg, const char *event, json_t *obj)
{
	json_t **out = arg;

	if (strncmp(event, "sweep_", 6) != 0)
		return;
	json_decref(*out);
	*out = json_deep_copy(obj);
	json_object_set_new(*out, "status", json_string(event + 6));
}

int
api_schedules_run(struct web_req *req, struct web_resp *resp)
{
	struct sweep_opts o;
	struct sweep_report r;
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	json_t *outcome = NULL;
	char runner[96];
	PGconn *db = web_req_db(req, resp);
	int ret;

	if (db == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	o.line = keep_outcome;
	o.line_arg = &outcome;
	snprintf(runner, sizeof(runner), "web:%.80s", req->who.user[0] ? req->who.user : "anonymous");
	/* a failed sweep still answers its outcome: the run happened */
	if (sweep_run_now(db, name, runner, &o, &r, &e) < 0 && outcome == NULL) {
		api_audit(db, req, "schedule.run", name, "failed", NULL);
		return web_resp_err(resp, &e);
	}
	api_audit(db, req, "schedule.run", name, "ok",
		  json_pack("{s:s}", "status", outcome ? json_string_value(json_object_get(outcome,
										       "status")) : "?"));
	ret = web_resp_json(resp, 200, outcome != NULL ? outcome : json_pack("{s:s}", "schedule", name));
	return ret;
}

/* GET ?cron=&zone=&count= or POST {"cron","zone","count"}. */
int
api_cron_preview(struct web_req *req, struct web_resp *resp)
{
	char cron[256], zone[160], count[16];
	const char *c = NULL, *z = NULL, *field = NULL;
	struct err e = ERR_INIT;
	int64_t n = PREVIEW_DEFAULT;
	json_t *body = NULL, *o;

	if (strcmp(req->method, "POST") == 0) {
		json_t *v;

		if ((body = web_req_json(req, resp)) == NULL)
			return -1;
		c = json_string_value(json_object_get(body, "cron"));
		z = json_string_value(json_object_get(body, "zone"));
		if ((v = json_object_get(body, "count")) != NULL) {
			if (!json_is_integer(v)) {
				json_decref(body);
				return web_resp_error(resp, 400, "invalid", "count",
						      "count is a whole number from 1 to 100");
			}
			n = (int64_t)json_integer_value(v);
		}
	} else {
		c = web_req_query(req, "cron", cron, sizeof(cron));
		z = web_req_query(req, "zone", zone, sizeof(zone));
		if (web_req_has_query(req, "count") &&
		    ui_parse_int(web_req_query(req, "count", count, sizeof(count)), 1, 100, &n) < 0)
			return web_resp_error(resp, 400, "invalid", "count",
					      "count is a whole number from 1 to 100");
	}
	if (z == NULL || z[0] == '\0')
		z = api_default_zone(req);
	if (n < 1 || n > 100) {
		json_decref(body);
		return web_resp_error(resp, 400, "invalid", "count",
				      "count is a whole number from 1 to 100");
	}
	o = sweep_preview(c, z, clock_now(), (int)n, &field, &e);
	json_decref(body);
	if (o == NULL)
		return field != NULL ? web_resp_error(resp, 400, "invalid", field, "%s", e.msg) :
			web_resp_err(resp, &e);
	return web_resp_json(resp, 200, o);
}
