/*
 * ui_sched.c - the schedules pages' handlers and the dashboard's sweeps
 * panel data (see ui_sched.h).  Storage is lib/db/schedule.h, every rule
 * is lib/stage/sweep.h or lib/policy/cron_preset.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "db/schedule.h"
#include "db/uistats.h"
#include "policy/cron_preset.h"
#include "stage/sweep.h"
#include "web/api.h"
#include "web/server.h"
#include "web/ui_form.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "web/ui_sched.h"
#include "web/zones.h"
#include "core/banned.h"

#define PREVIEW_RUNS	6
#define WEEK_S		(7 * 86400)

static int
fail(struct web_req *req, struct web_resp *resp, const struct err *e)
{
	return ui_error_page(req, resp, e->kind == ERR_NOTFOUND ? 404 : e->kind == ERR_USAGE ? 400 :
			     e->kind == ERR_CONFLICT ? 409 : 500, e);
}

/* The fixed messages of this page's "done" codes: never text from the URL. */
static const char *
done_message(struct web_req *req)
{
	static const char *const msgs[][2] = {
		{ "added", "the schedule was added" },
		{ "saved", "the schedule was saved" },
		{ "removed", "the schedule and its run history were removed" },
		{ "enabled", "the schedule is enabled" },
		{ "disabled", "the schedule is disabled: it does not run until enabled" },
		{ "ran", "the sweep ran: its outcome is under Last run" },
		{ NULL, NULL }
	};
	char code[16];
	const char *c = web_req_query(req, "done", code, sizeof(code));

	for (size_t i = 0; c != NULL && msgs[i][0] != NULL; i++)
		if (strcmp(c, msgs[i][0]) == 0)
			return msgs[i][1];
	return NULL;
}

/* ------------------------------------------------------------ data */

int
ui_sweeps_load(struct web_req *req, PGconn *db, int64_t now_s, json_t **out, struct err *e)
{
	struct sweep_zones *zones;
	struct schedule_running *run = NULL;
	struct schedule *list = NULL;
	size_t nrun = 0, n = 0;
	json_t *running;

	*out = NULL;
	if (db_schedule_running(db, &run, &nrun, e) < 0)
		return -1;
	if (db_schedule_list(db, &list, &n, e) < 0) {
		free(run);
		return -1;
	}
	running = json_array();
	for (size_t i = 0; i < nrun; i++) {
		json_t *o = json_pack("{s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:i,s:i,s:I,s:I}",
				      "schedule", run[i].name, "sweep", run[i].sweep,
				      "due_s", (json_int_t)(run[i].due_us / 1000000),
				      "started_s", (json_int_t)(run[i].started_us / 1000000),
				      "progress_s", (json_int_t)(run[i].progress_us / 1000000),
				      "stage", run[i].stage, "current", run[i].current,
				      "done", run[i].done, "total", run[i].total,
				      "found", (json_int_t)run[i].found,
				      "queued", (json_int_t)run[i].queued);

		if (run[i].connector[0] != '\0')
			json_object_set_new(o, "connector", json_string(run[i].connector));
		json_array_append_new(running, o);
	}
	/* the zone lock is held for the computing only, never across a query */
	zones = web_zones_take(req);
	*out = json_pack("{s:o,s:o}", "running", running, "next",
			 sweep_upcoming(list, n, now_s, 86400, UI_SWEEPS_NEXT, zones));
	web_zones_give(req, zones);
	free(run);
	free(list);
	return 0;
}

/* The local midnights of zone in [from, to) as [{at_s, label "Mon 7"}]. */
static json_t *
day_marks(const char *zone, int64_t from, int64_t to)
{
	static const char *const wd[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	struct sweep_when w;
	json_t *a = json_array();
	int64_t t = from;

	if (sweep_check("0 0 * * *", zone, &w, NULL, 0, NULL) < 0)
		return a;
	for (int i = 0; i < 9; i++) {
		int64_t next, y, days;
		int32_t off = 0;
		int m, d;
		char label[16];

		if (policy_local_next_day_start(&w.tz, t, &next) < 0 || next >= to ||
		    sweep_offset(&w, next, &off, NULL) < 0)
			break;
		days = policy_floor_div(next + off, 86400);
		policy_civil_from_days(days, &y, &m, &d);
		/* 1970-01-01 was a Thursday */
		snprintf(label, sizeof(label), "%s %d", wd[(int)(((days % 7) + 11) % 7)], d);
		json_array_append_new(a, json_pack("{s:I,s:s}", "at_s", (json_int_t)next, "label", label));
		t = next;
	}
	return a;
}

int
ui_schedules(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct schedule *list = NULL;
	struct ui_sched_list v;
	struct sweep_zones *zones = NULL;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	json_t *items = NULL, *plan = NULL, *days = NULL, *sweeps = NULL;
	int64_t now = clock_now();
	const char *zone = api_default_zone(req);
	size_t n = 0;
	int rc;

	if (db == NULL)
		return 0;
	if (db_schedule_list(db, &list, &n, &e) < 0 ||
	    ui_sweeps_load(req, db, now, &sweeps, &e) < 0) {
		free(list);
		return fail(req, resp, &e);
	}
	zones = web_zones_take(req);
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, sweep_schedule_json(&list[i], now, zones));
	plan = sweep_plan(list, n, now, now + WEEK_S, zones);
	web_zones_give(req, zones);
	days = day_marks(zone, now, now + WEEK_S);
	memset(&v, 0, sizeof(v));
	v.schedules = items;
	v.plan = plan;
	v.days = days;
	v.zone = zone;
	v.sweeps = sweeps;
	ui_page_for(&p, req, "Schedules", "schedules");
	p.flash_ok = done_message(req);
	ui_page_live(&p, db);
	html_init(&h);
	ui_render_schedules(&h, &p, &v, now);
	rc = ui_send(resp, 200, &h);
	json_decref(items);
	json_decref(plan);
	json_decref(days);
	json_decref(sweeps);
	free(list);
	return rc;
}

/* ------------------------------------------------------------ the editor */

/*
 * What the editor shows and posts.  fields: where the values come from
 * (the form body, or the query of GET schedules/preview).
 */
struct sched_input {
	struct schedule s;
	struct cron_preset preset;
	json_t *v;		/* the values to show back */
	const char *bad_field;
	char error[512];
};

typedef const char *(*field_fn)(struct web_req *req, const char *name, char *buf, size_t size);

static const char *
from_query(struct web_req *req, const char *name, char *buf, size_t size)
{
	return web_req_query(req, name, buf, size);
}

struct days_acc {
	uint8_t bits;
};

static int
add_day(const char *value, void *arg)
{
	struct days_acc *d = arg;
	int64_t v;

	if (ui_parse_int(value, 0, 6, &v) == 0)
		d->bits |= (uint8_t)(1U << v);
	return 0;
}

/* the days checked, from the body (several "day" fields) or the query */
static uint8_t
read_days(struct web_req *req, int from_body)
{
	struct days_acc d = { 0 };

	if (from_body) {
		ui_form_each(req->body.data, req->body.len, "day", add_day, &d);
	} else {
		/* the script sends the days as one comma-separated "days" value */
		char buf[32], *save = NULL, *tok;

		if (web_req_query(req, "days", buf, sizeof(buf)) != NULL)
			for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save))
				add_day(tok, &d);
	}
	return d.bits;
}

/* get's value, or "" (never a half-decoded buffer) when absent or undecodable */
static const char *
fetch(field_fn get, struct web_req *req, const char *name, char *buf, size_t size)
{
	if (get(req, name, buf, size) == NULL) {
		buf[0] = '\0';
		return NULL;
	}
	return buf;
}

static int
bad(struct sched_input *in, const char *field, const char *msg)
{
	in->bad_field = field;
	snprintf(in->error, sizeof(in->error), "%s", msg);
	return -1;
}

/* Read and check the editor's fields; 0, or -1 with bad_field and error set.
 * in->v is always filled (for showing the form again). */
static int
read_input(struct web_req *req, field_fn get, int from_body, const char *fixed_name,
	   struct sched_input *in)
{
	char name[80] = "", conn[80] = "", sweep[16] = "", preset[16] = "", cron[256] = "";
	char zone[160] = "", num[24], max[24] = "", en[8];
	int64_t minute = 0, hour = 3, hours = 6, maxv = 0;
	enum cron_preset_kind kind = CRON_PRESET_CUSTOM;
	struct err e = ERR_INIT;
	const char *field = NULL;
	json_t *days;
	int enabled;

	memset(&in->s, 0, sizeof(in->s));
	memset(&in->preset, 0, sizeof(in->preset));
	in->bad_field = NULL;
	in->error[0] = '\0';
	if (fixed_name != NULL)
		snprintf(name, sizeof(name), "%s", fixed_name);
	else
		fetch(get, req, "name", name, sizeof(name));
	fetch(get, req, "connector", conn, sizeof(conn));
	if (fetch(get, req, "sweep", sweep, sizeof(sweep)) == NULL || sweep[0] == '\0')
		snprintf(sweep, sizeof(sweep), "all");
	fetch(get, req, "preset", preset, sizeof(preset));
	fetch(get, req, "cron", cron, sizeof(cron));
	if (fetch(get, req, "zone", zone, sizeof(zone)) == NULL || zone[0] == '\0')
		snprintf(zone, sizeof(zone), "%s", api_default_zone(req));
	fetch(get, req, "max_items", max, sizeof(max));
	/* the GET preview has no checkbox state to read: it keeps "enabled" */
	enabled = !from_body || fetch(get, req, "enabled", en, sizeof(en)) != NULL;
	in->preset.days = read_days(req, from_body);
	days = json_array();
	for (int d = 0; d < 7; d++)
		json_array_append_new(days, json_boolean((in->preset.days >> d) & 1));
	if (cron_preset_parse_kind(preset, &kind) < 0)
		kind = CRON_PRESET_CUSTOM;
	in->preset.kind = kind;
	in->v = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "name", name, "connector", conn,
			  "sweep", sweep, "preset", cron_preset_name(kind), "cron", cron, "zone", zone,
			  "enabled", enabled, "days", days);
	/* the builder's numbers, shown back whatever they are */
	if (fetch(get, req, "minute", num, sizeof(num)) != NULL &&
	    ui_parse_int(num, 0, 59, &minute) < 0)
		return bad(in, "minute", "the minute is 0 to 59");
	if (fetch(get, req, "hour", num, sizeof(num)) != NULL && ui_parse_int(num, 0, 23, &hour) < 0)
		return bad(in, "hour", "the hour is 0 to 23");
	if (fetch(get, req, "every_hours", num, sizeof(num)) != NULL &&
	    ui_parse_int(num, 0, 24, &hours) < 0)
		return bad(in, "every_hours", "every 2 to 12 hours");
	json_object_set_new(in->v, "minute", json_integer(minute));
	json_object_set_new(in->v, "hour", json_integer(hour));
	json_object_set_new(in->v, "hours", json_integer(hours));
	if (max[0] != '\0' && ui_parse_int(max, 1, 1000000, &maxv) < 0)
		return bad(in, "max_items", "at most 1 to 1000000 searches, or empty for no limit");
	json_object_set_new(in->v, "max_items", json_integer(maxv));
	in->preset.minute = (int)minute;
	in->preset.hour = (int)hour;
	in->preset.every_hours = (int)hours;
	if (kind != CRON_PRESET_CUSTOM) {
		/* the builder writes the expression (the one place: cron_preset.c) */
		if (cron_preset_build(&in->preset, cron, sizeof(cron), &field, &e) < 0)
			return bad(in, field, e.msg);
		json_object_set_new(in->v, "cron", json_string(cron));
	}
	if (strlen(name) >= sizeof(in->s.name))
		return bad(in, "name", "a name is at most 63 characters");
	if (strlen(cron) >= sizeof(in->s.cron))
		return bad(in, "cron", "the expression is at most 200 characters");
	if (strlen(zone) >= sizeof(in->s.zone))
		return bad(in, "zone", "that is not a time zone name");
	if (strlen(conn) >= sizeof(in->s.connector))
		return bad(in, "connector", "no such connector");
	/* lengths checked above; the precision only tells the compiler */
	snprintf(in->s.name, sizeof(in->s.name), "%.*s", (int)sizeof(in->s.name) - 1, name);
	snprintf(in->s.connector, sizeof(in->s.connector), "%.*s", (int)sizeof(in->s.connector) - 1,
		 conn);
	snprintf(in->s.sweep, sizeof(in->s.sweep), "%.*s", (int)sizeof(in->s.sweep) - 1, sweep);
	snprintf(in->s.cron, sizeof(in->s.cron), "%.*s", (int)sizeof(in->s.cron) - 1, cron);
	snprintf(in->s.zone, sizeof(in->s.zone), "%.*s", (int)sizeof(in->s.zone) - 1, zone);
	in->s.max_items = (long)maxv;
	in->s.enabled = enabled;
	return 0;
}

/* The values of a stored schedule, the builder set from its expression. */
static json_t *
values_of(const struct schedule *s)
{
	struct cron_preset p;
	struct cron c;
	json_t *days = json_array();

	memset(&p, 0, sizeof(p));
	p.hour = 3;
	p.every_hours = 6;
	if (cron_parse(s->cron, &c, NULL) == 0)
		cron_preset_detect(&c, &p);
	if (p.kind != CRON_PRESET_HOURS)
		p.every_hours = 6;
	for (int d = 0; d < 7; d++)
		json_array_append_new(days, json_boolean((p.days >> d) & 1));
	return json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:o,s:s,s:s,s:I,s:b}", "name", s->name,
			 "connector", s->connector, "sweep", s->sweep, "preset",
			 cron_preset_name(p.kind), "minute", p.minute, "hour", p.hour, "hours",
			 p.every_hours, "days", days, "cron", s->cron, "zone", s->zone, "max_items",
			 (json_int_t)s->max_items, "enabled", s->enabled);
}

static int
form_page(struct web_req *req, struct web_resp *resp, PGconn *db, int status, int editing,
	  const json_t *v, const char *bad_field, const char *error)
{
	struct ui_sched_form f;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	json_t *conns = NULL, *pv = NULL;
	const char *pfield = NULL;
	int rc;

	memset(&f, 0, sizeof(f));
	if (db != NULL && db_ui_connector_names(db, &conns, &e) < 0)
		return fail(req, resp, &e);
	/* the preview is shown whenever the expression reads, even beside
	 * another field's error */
	if (bad_field == NULL || (strcmp(bad_field, "cron") != 0 && strcmp(bad_field, "zone") != 0))
		pv = sweep_preview(uj_str(v, "cron"), uj_str(v, "zone"), clock_now(), PREVIEW_RUNS,
				   &pfield, &e);
	if (pv == NULL && bad_field == NULL && pfield != NULL) {
		/* shown at its field; a preview asked for keeps its 200 */
		bad_field = pfield;
		error = e.msg;
	}
	f.v = v;
	f.connectors = conns;
	f.preview = pv;
	f.editing = editing;
	f.bad_field = bad_field;
	f.field_error = error;
	ui_page_for(&p, req, editing ? "Edit schedule" : "Add a schedule", "schedules");
	html_init(&h);
	ui_render_sched_form(&h, &p, &f);
	rc = ui_send(resp, status, &h);
	json_decref(conns);
	json_decref(pv);
	return rc;
}

int
ui_schedule_new(struct web_req *req, struct web_resp *resp)
{
	struct schedule s;
	json_t *v;
	int rc;

	memset(&s, 0, sizeof(s));
	snprintf(s.sweep, sizeof(s.sweep), "all");
	snprintf(s.cron, sizeof(s.cron), "0 3 * * *");
	snprintf(s.zone, sizeof(s.zone), "%s", api_default_zone(req));
	s.enabled = 1;
	v = values_of(&s);
	rc = form_page(req, resp, web_req_db(req, resp), 200, 0, v, NULL, NULL);
	json_decref(v);
	return rc;
}

int
ui_schedule_preview(struct web_req *req, struct web_resp *resp)
{
	struct sched_input in;
	int rc;

	memset(&in, 0, sizeof(in));
	read_input(req, from_query, 0, NULL, &in);
	rc = form_page(req, resp, web_req_db(req, resp), 200, 0, in.v, in.bad_field,
		       in.bad_field ? in.error : NULL);
	json_decref(in.v);
	return rc;
}

static const char *
from_body(struct web_req *req, const char *name, char *buf, size_t size)
{
	return ui_field(req, name, buf, size);
}

/* create and save: preview, or check and store and go back to the list */
static int
submit(struct web_req *req, struct web_resp *resp, const char *editing)
{
	PGconn *db = web_req_db(req, resp);
	struct sched_input in;
	struct schedule old;
	struct err e = ERR_INIT;
	const char *field = NULL;
	char what[16] = "", warn[256];
	int rc, is_preview;

	if (db == NULL)
		return 0;
	memset(&in, 0, sizeof(in));
	is_preview = ui_field(req, "do", what, sizeof(what)) != NULL && strcmp(what, "preview") == 0;
	if (editing != NULL && db_schedule_get(db, editing, &old, &e) < 0)
		return fail(req, resp, &e);
	if (read_input(req, from_body, 1, editing, &in) < 0) {
		rc = form_page(req, resp, db, is_preview ? 200 : 422, editing != NULL, in.v,
			       in.bad_field, in.error);
		goto out;
	}
	if (is_preview) {
		rc = form_page(req, resp, db, 200, editing != NULL, in.v, NULL, NULL);
		goto out;
	}
	if (sweep_schedule_check(&in.s, warn, sizeof(warn), &field, &e) < 0) {
		rc = form_page(req, resp, db, 422, editing != NULL, in.v, field, e.msg);
		goto out;
	}
	if (editing != NULL) {
		in.s.id = old.id;
		rc = db_schedule_update(db, &in.s, clock_now_us(), &e);
	} else {
		rc = db_schedule_add(db, &in.s, clock_now_us(), &e);
	}
	if (rc < 0) {
		/* a missing connector is the connector field's fault */
		field = e.kind == ERR_CONFLICT ? "name" : e.kind == ERR_NOTFOUND ? "connector" : NULL;
		if (field == NULL && e.kind != ERR_USAGE) {
			rc = fail(req, resp, &e);
			goto out;
		}
		rc = form_page(req, resp, db, e.kind == ERR_CONFLICT ? 409 : 422, editing != NULL,
			       in.v, field, e.msg);
		goto out;
	}
	api_audit(db, req, editing ? "schedule.edit" : "schedule.add", in.s.name, "ok",
		  json_pack("{s:s,s:s}", "cron", in.s.cron, "zone", in.s.zone));
	rc = ui_redirect(req, resp, editing ? "schedules?done=saved" : "schedules?done=added");
out:
	json_decref(in.v);
	return rc;
}

int
ui_schedule_create(struct web_req *req, struct web_resp *resp)
{
	return submit(req, resp, NULL);
}

int
ui_schedule_save(struct web_req *req, struct web_resp *resp)
{
	return submit(req, resp, web_req_param(req, "name"));
}

int
ui_schedule_edit(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct schedule s;
	struct err e = ERR_INIT;
	json_t *v;
	int rc;

	if (db == NULL)
		return 0;
	if (db_schedule_get(db, web_req_param(req, "name"), &s, &e) < 0)
		return fail(req, resp, &e);
	v = values_of(&s);
	rc = form_page(req, resp, db, 200, 1, v, NULL, NULL);
	json_decref(v);
	return rc;
}

/* ------------------------------------------------------------ actions */

static int
set_enabled(struct web_req *req, struct web_resp *resp, int enabled)
{
	PGconn *db = web_req_db(req, resp);
	struct schedule s;
	struct err e = ERR_INIT;

	if (db == NULL)
		return 0;
	if (db_schedule_get(db, web_req_param(req, "name"), &s, &e) < 0)
		return fail(req, resp, &e);
	s.enabled = enabled;
	if (db_schedule_update(db, &s, clock_now_us(), &e) < 0)
		return fail(req, resp, &e);
	api_audit(db, req, enabled ? "schedule.enable" : "schedule.disable", s.name, "ok", NULL);
	return ui_redirect(req, resp, enabled ? "schedules?done=enabled" : "schedules?done=disabled");
}

int
ui_schedule_enable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 1);
}

int
ui_schedule_disable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 0);
}

int
ui_schedule_delete(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	const char *name = web_req_param(req, "name");
	struct err e = ERR_INIT;

	if (db == NULL)
		return 0;
	if (db_schedule_remove(db, name, &e) < 0)
		return fail(req, resp, &e);
	api_audit(db, req, "schedule.remove", name, "ok", NULL);
	return ui_redirect(req, resp, "schedules?done=removed");
}

int
ui_schedule_run(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	const char *name = web_req_param(req, "name");
	struct sweep_opts o;
	struct sweep_report r;
	struct err e = ERR_INIT;
	char runner[96];

	if (db == NULL)
		return 0;
	memset(&o, 0, sizeof(o));
	snprintf(runner, sizeof(runner), "web:%.80s", req->who.user[0] ? req->who.user : "anonymous");
	/* a sweep that failed still ran: its outcome is on the list */
	if (sweep_run_now(db, name, runner, &o, &r, &e) < 0 && r.claimed == 0) {
		api_audit(db, req, "schedule.run", name, "failed", NULL);
		return fail(req, resp, &e);
	}
	api_audit(db, req, "schedule.run", name, r.failed ? "failed" : "ok", NULL);
	return ui_redirect(req, resp, "schedules?done=ran");
}
