/*
 * ui_routes.c - the web UI's routes and its dashboard, content, queue and
 * analytics handlers (see ui_routes.h).  The connector pages are ui_conn.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/uiact.h"
#include "db/uiqueue.h"
#include "db/uistats.h"
#include "db/queue.h"
#include "stage/explain.h"
#include "web/server.h"
#include "web/ui_assets.h"
#include "web/ui_form.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "web/ui_sched.h"
#include "web/ui_sections.h"
#include "core/banned.h"

#define PAGE(m, p, a, h)	{ m, p, a, WEB_ROUTE_PAGE, h, 0, NULL, NULL, 0 }
#define DASH_DAYS		14
#define ANALYTICS_DAYS_MAX	366
#define BULK_MAX		1000

/* ------------------------------------------------------------ shared */

/* The fixed messages a "done" code stands for: a page never shows text
 * that came in the URL. */
static const char *
done_message(const char *code)
{
	static const char *const msgs[][2] = {
		{ "paused", "the queue is paused" },
		{ "resumed", "the queue is running again" },
		{ "cleared", "the waiting batches were removed" },
		{ "priority", "the batch's priority was changed" },
		{ "removed", "the batch was removed; its items are pending again" },
		{ "bulk", "the selected items were updated" },
		{ "bulk_none", "nothing changed: the selected items are queued or being searched, "
			"and those stay with the dispatcher until their batch ends" },
		{ "saved", "the connector was saved" },
		{ "added", "the connector was added" },
		{ "deleted", "the connector was removed" },
		{ "enabled", "the connector is enabled" },
		{ "disabled", "the connector is disabled" },
		{ "synced", "the library was synced" },
		{ "profile", "the profile was added" },
		{ "user", "the user was added" },
		{ "user_removed", "the user was removed" },
		{ "key_revoked", "the key was revoked: requests with it are refused from now on" },
		{ "sync_skipped", "a sync of this connector is already running" },
		{ NULL, NULL }
	};
	size_t i;

	for (i = 0; code != NULL && msgs[i][0] != NULL; i++)
		if (strcmp(code, msgs[i][0]) == 0)
			return msgs[i][1];
	return NULL;
}

void
ui_page_for(struct ui_page *p, struct web_req *req, const char *title, const char *nav)
{
	char done[32];

	memset(p, 0, sizeof(*p));
	p->title = title;
	p->nav = nav;
	p->user = req->who.user[0] != '\0' ? req->who.user : NULL;
	p->csrf = req->who.csrf[0] != '\0' ? req->who.csrf : NULL;
	p->base = req->srv != NULL ? web_server_base_url(req->srv) : "/";
	p->flash_ok = done_message(web_req_query(req, "done", done, sizeof(done)));
}

void
ui_page_live(struct ui_page *p, PGconn *db)
{
	struct err e = ERR_INIT;
	int64_t id = 0;

	/* without the id the page still works: it just does not follow */
	if (db_ui_last_event(db, &id, &e) == 0) {
		p->live = 1;
		p->events_after = (long long)id;
	}
}

int
ui_send(struct web_resp *resp, int status, struct html *h)
{
	int rc;

	if (html_failed(h)) {
		html_release(h);
		return web_resp_error(resp, 500, "internal", NULL, "the page could not be built");
	}
	rc = web_resp_bytes(resp, status, "text/html; charset=utf-8", h->b.data, h->b.len);
	html_release(h);
	return rc;
}

int
ui_redirect(struct web_req *req, struct web_resp *resp, const char *path)
{
	const char *base = req->srv != NULL ? web_server_base_url(req->srv) : "/";
	char loc[WEB_PATH_MAX + 64];

	snprintf(loc, sizeof(loc), "%s%s", base, path);
	web_resp_bytes(resp, 303, "text/plain; charset=utf-8", "see other\n", 10);
	return web_resp_header(resp, "Location", loc);
}

int
ui_error_page(struct web_req *req, struct web_resp *resp, int status, const struct err *e)
{
	struct ui_page p;
	struct html h;

	ui_page_for(&p, req, status == 404 ? "Not found" : "Something went wrong", NULL);
	/* lib messages never hold a secret; a database error's detail stays in
	 * the log, the page says what the user can do */
	p.flash_err = e->kind == ERR_DB ? "the database did not answer; try again in a moment" : e->msg;
	html_init(&h);
	ui_page_begin(&h, &p);
	ui_page_main(&h, &p);
	html_raw(&h, "<p><a class=\"btn\" href=\"./\">Back to the dashboard</a></p>");
	ui_page_end(&h, &p);
	return ui_send(resp, status, &h);
}

static int
fail(struct web_req *req, struct web_resp *resp, const struct err *e)
{
	int status = e->kind == ERR_NOTFOUND ? 404 : e->kind == ERR_USAGE ? 400 :
		e->kind == ERR_CONFLICT ? 409 : 500;

	return ui_error_page(req, resp, status, e);
}

const char *
ui_field(struct web_req *req, const char *name, char *buf, size_t size)
{
	return ui_form_get(req->body.data, req->body.len, name, buf, size);
}

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* "YYYY-MM-DD" of t (UTC) */
static void
day_of(int64_t t, char out[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
		snprintf(out, 16, "1970-01-01");
}

/* a strict YYYY-MM-DD into seconds at its UTC midnight; -1 when not one */
static int64_t
parse_day(const char *s)
{
	struct tm tm;
	char *end;

	if (s == NULL || strlen(s) != 10)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end == NULL || *end != '\0' || tm.tm_year < 70 || tm.tm_year > 1100)
		return -1;
	return (int64_t)timegm(&tm);
}

/* ------------------------------------------------------------ dashboard */

static int
ui_dashboard(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct ui_dashboard d = { NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	json_t *conn = NULL, *tot = NULL, *act = NULL, *daily = NULL, *comp = NULL, *q = NULL;
	json_t *sweeps = NULL;
	struct err e = ERR_INIT;
	char from[16], to[16];
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	day_of(now_s() - (DASH_DAYS - 1) * 86400, from);
	day_of(now_s(), to);
	if (db_ui_connectors(db, &conn, &e) < 0 || db_ui_totals(db, &tot, &e) < 0 ||
	    db_ui_activity(db, 12, 0, &act, &e) < 0 || db_ui_daily(db, from, to, 0, &daily, &e) < 0 ||
	    db_ui_completion(db, DASH_DAYS, conn, &comp, &e) < 0 || db_ui_queue(db, 5, &q, &e) < 0 ||
	    ui_sweeps_load(req, db, now_s(), &sweeps, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	ui_totals_add_registry(tot, conn);
	d.connectors = conn;
	d.totals = tot;
	d.activity = act;
	d.daily = daily;
	d.completion = comp;
	d.queue = q;
	d.sweeps = sweeps;
	ui_page_for(&p, req, "Dashboard", "dashboard");
	ui_page_live(&p, db);
	html_init(&h);
	ui_render_dashboard(&h, &p, &d, now_s());
	rc = ui_send(resp, 200, &h);
out:
	json_decref(conn);
	json_decref(tot);
	json_decref(act);
	json_decref(daily);
	json_decref(comp);
	json_decref(q);
	json_decref(sweeps);
	return rc;
}

/* ------------------------------------------------------------ content */

static int
ui_content(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	char conn[80], type[16], state[16], q[256], after[32];
	struct ui_content_filter f;
	struct ui_content_view v;
	json_t *page = NULL, *list = NULL;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	memset(&v, 0, sizeof(v));
	/* an empty select means "all" */
	v.connector = f.connector = web_req_query(req, "connector", conn, sizeof(conn));
	v.type = f.type = web_req_query(req, "type", type, sizeof(type));
	v.state = f.state = web_req_query(req, "state", state, sizeof(state));
	v.q = f.q = web_req_query(req, "q", q, sizeof(q));
	v.after = f.after = web_req_query(req, "after", after, sizeof(after));
	if (f.connector != NULL && f.connector[0] == '\0')
		v.connector = f.connector = NULL;
	if (f.type != NULL && f.type[0] == '\0')
		v.type = f.type = NULL;
	if (f.state != NULL && f.state[0] == '\0')
		v.state = f.state = NULL;
	f.limit = 50;
	if (db_ui_content(db, &f, &page, &e) < 0 || db_ui_connector_names(db, &list, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	v.page = page;
	v.connectors = list;
	ui_page_for(&p, req, "Content", "content");
	html_init(&h);
	ui_render_content(&h, &p, &v);
	rc = ui_send(resp, 200, &h);
out:
	json_decref(page);
	json_decref(list);
	return rc;
}

static int
id_param(struct web_req *req, int64_t *id)
{
	return ui_parse_int(web_req_param(req, "id"), 1, INT64_MAX, id);
}

static int
ui_series(struct web_req *req, struct web_resp *resp)
{
	PGconn *db;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	json_t *s = NULL;
	int64_t id;
	int rc;

	if (id_param(req, &id) < 0) {
		err_set(&e, ERR_NOTFOUND, "no such series");
		return fail(req, resp, &e);
	}
	if ((db = web_req_db(req, resp)) == NULL)
		return 0;
	if (db_ui_series(db, id, &s, &e) < 0)
		return fail(req, resp, &e);
	ui_page_for(&p, req, uj_str(s, "title"), "content");
	html_init(&h);
	ui_render_series(&h, &p, s, now_s());
	rc = ui_send(resp, 200, &h);
	json_decref(s);
	return rc;
}

static int
ui_movie(struct web_req *req, struct web_resp *resp)
{
	PGconn *db;
	struct err e = ERR_INIT, ee = ERR_INIT;
	struct ui_page p;
	struct html h;
	json_t *m = NULL, *ex = NULL;
	int64_t id;
	int rc;

	if (id_param(req, &id) < 0) {
		err_set(&e, ERR_NOTFOUND, "no such movie");
		return fail(req, resp, &e);
	}
	if ((db = web_req_db(req, resp)) == NULL)
		return 0;
	if (db_ui_movie(db, id, &m, &e) < 0)
		return fail(req, resp, &e);
	/* the explanation is a help, not the page: without it the page stands */
	if (explain_item(db, uj_str(m, "connector"), REGISTRY_MOVIE, (int)uj_int(m, "arr_id"), 0, &ex, &ee) < 0)
		ex = NULL;
	ui_page_for(&p, req, uj_str(m, "title"), "content");
	html_init(&h);
	ui_render_movie(&h, &p, m, ex, now_s());
	rc = ui_send(resp, 200, &h);
	json_decref(m);
	json_decref(ex);
	return rc;
}

struct keys {
	const char *v[BULK_MAX];
	char *own[BULK_MAX];
	size_t n;
};

static int
add_key(const char *value, void *arg)
{
	struct keys *k = arg;

	if (k->n >= BULK_MAX)
		return 1;
	k->own[k->n] = strdup(value);
	if (k->own[k->n] == NULL)
		return 1;
	k->v[k->n] = k->own[k->n];
	k->n++;
	return 0;
}

static int
ui_content_bulk(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct keys *k = NULL;
	enum ui_bulk_action action;
	struct err e = ERR_INIT;
	char abuf[16], pbuf[16];
	int64_t prio = UI_BULK_TOP_PRIORITY;
	long changed = 0;
	size_t i;
	int rc;

	if (db == NULL)
		return 0;
	if (ui_bulk_action_parse(ui_field(req, "action", abuf, sizeof(abuf)), &action) < 0) {
		err_set(&e, ERR_USAGE, "choose what to do with the selected items");
		return fail(req, resp, &e);
	}
	if (action == UI_BULK_PRIORITY &&
	    ui_parse_int(ui_field(req, "priority", pbuf, sizeof(pbuf)), -100000, 100000, &prio) < 0) {
		err_set(&e, ERR_USAGE, "a priority is a whole number from -100000 to 100000");
		return fail(req, resp, &e);
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return web_resp_error(resp, 500, "internal", NULL, "out of memory");
	ui_form_each(req->body.data, req->body.len, "item", add_key, k);
	if (k->n == 0) {
		err_set(&e, ERR_USAGE, "select at least one item first");
		rc = fail(req, resp, &e);
	} else if (db_ui_bulk(db, action, (int)prio, k->v, k->n, &changed, &e) < 0) {
		rc = fail(req, resp, &e);
	} else {
		rc = ui_redirect(req, resp, changed > 0 ? "content?done=bulk" : "content?done=bulk_none");
	}
	for (i = 0; i < k->n; i++)
		free(k->own[i]);
	free(k);
	return rc;
}

/* ------------------------------------------------------------ queue */

static int
ui_queue(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	json_t *q = NULL, *thr = NULL, *out = NULL, *tot = NULL;
	struct ui_queue_view v;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	if (db_ui_queue(db, 50, &q, &e) < 0 || db_ui_throttle(db, &thr, &e) < 0 ||
	    db_ui_outcomes(db, 20, &out, &e) < 0 || db_ui_totals(db, &tot, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	v.queue = q;
	v.throttle = thr;
	v.outcomes = out;
	v.totals = tot;
	ui_page_for(&p, req, "Queue", "queue");
	ui_page_live(&p, db);
	html_init(&h);
	ui_render_queue(&h, &p, &v, now_s());
	rc = ui_send(resp, 200, &h);
out:
	json_decref(q);
	json_decref(thr);
	json_decref(out);
	json_decref(tot);
	return rc;
}

static int
queue_pause(struct web_req *req, struct web_resp *resp, int paused)
{
	PGconn *db = web_req_db(req, resp);
	struct err e = ERR_INIT;

	if (db == NULL)
		return 0;
	if (db_queue_set_paused(db, paused, "from the web UI", &e) < 0)
		return fail(req, resp, &e);
	return ui_redirect(req, resp, paused ? "queue?done=paused" : "queue?done=resumed");
}

static int
ui_queue_pause(struct web_req *req, struct web_resp *resp)
{
	return queue_pause(req, resp, 1);
}

static int
ui_queue_resume(struct web_req *req, struct web_resp *resp)
{
	return queue_pause(req, resp, 0);
}

static int
ui_queue_clear(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct err e = ERR_INIT;
	long n = 0;

	if (db == NULL)
		return 0;
	if (db_queue_clear(db, NULL, &n, &e) < 0)
		return fail(req, resp, &e);
	return ui_redirect(req, resp, "queue?done=cleared");
}

static int
ui_batch_priority(struct web_req *req, struct web_resp *resp)
{
	PGconn *db;
	struct err e = ERR_INIT;
	int64_t id, prio;
	char pbuf[16];

	if (id_param(req, &id) < 0 ||
	    ui_parse_int(ui_field(req, "priority", pbuf, sizeof(pbuf)), -100000, 100000, &prio) < 0) {
		err_set(&e, ERR_USAGE, "a priority is a whole number from -100000 to 100000");
		return fail(req, resp, &e);
	}
	if ((db = web_req_db(req, resp)) == NULL)
		return 0;
	if (db_ui_batch_priority(db, id, (int)prio, &e) < 0)
		return fail(req, resp, &e);
	return ui_redirect(req, resp, "queue?done=priority");
}

static int
ui_batch_remove(struct web_req *req, struct web_resp *resp)
{
	PGconn *db;
	struct err e = ERR_INIT;
	int64_t id;

	if (id_param(req, &id) < 0) {
		err_set(&e, ERR_NOTFOUND, "no such batch");
		return fail(req, resp, &e);
	}
	if ((db = web_req_db(req, resp)) == NULL)
		return 0;
	if (db_ui_batch_remove(db, id, &e) < 0)
		return fail(req, resp, &e);
	return ui_redirect(req, resp, "queue?done=removed");
}

/* ------------------------------------------------------------ analytics */

/* from/to of the request, defaulting to the last 30 days; -1 when bad */
static int
date_range(struct web_req *req, char from[16], char to[16], struct err *e)
{
	char fb[32], tb[32];
	const char *f = web_req_query(req, "from", fb, sizeof(fb));
	const char *t = web_req_query(req, "to", tb, sizeof(tb));
	int64_t fs, ts;

	ts = t != NULL && *t != '\0' ? parse_day(t) : now_s() / 86400 * 86400;
	fs = f != NULL && *f != '\0' ? parse_day(f) : ts - 29 * 86400;
	if (fs < 0 || ts < 0)
		return err_set(e, ERR_USAGE, "dates are written YYYY-MM-DD");
	if (fs > ts)
		return err_set(e, ERR_USAGE, "the range starts after it ends");
	if ((ts - fs) / 86400 >= ANALYTICS_DAYS_MAX)
		return err_set(e, ERR_USAGE, "a range covers at most %d days", ANALYTICS_DAYS_MAX);
	day_of(fs, from);
	day_of(ts, to);
	return 0;
}

static int
ui_analytics(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	json_t *daily = NULL, *conn = NULL, *thr = NULL, *hard = NULL;
	struct ui_analytics_view v;
	struct err e = ERR_INIT;
	char from[16], to[16];
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	if (date_range(req, from, to, &e) < 0 || db_ui_daily(db, from, to, 0, &daily, &e) < 0 ||
	    db_ui_connectors(db, &conn, &e) < 0 || db_ui_throttle(db, &thr, &e) < 0 ||
	    db_ui_hardest(db, 10, &hard, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	memset(&v, 0, sizeof(v));
	v.hardest = hard;
	v.from = from;
	v.to = to;
	v.daily = daily;
	v.connectors = conn;
	v.throttle = thr;
	ui_page_for(&p, req, "Analytics", "analytics");
	html_init(&h);
	ui_render_analytics(&h, &p, &v);
	rc = ui_send(resp, 200, &h);
out:
	json_decref(daily);
	json_decref(conn);
	json_decref(thr);
	json_decref(hard);
	return rc;
}

static int
ui_analytics_csv(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct err e = ERR_INIT;
	char from[16], to[16], disp[96];
	json_t *daily = NULL;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	if (date_range(req, from, to, &e) < 0 || db_ui_daily(db, from, to, 0, &daily, &e) < 0)
		return web_resp_err(resp, &e);
	html_init(&h);
	ui_daily_csv(&h, daily);
	json_decref(daily);
	if (html_failed(&h)) {
		html_release(&h);
		return web_resp_error(resp, 500, "internal", NULL, "the export could not be built");
	}
	rc = web_resp_bytes(resp, 200, "text/csv; charset=utf-8", h.b.data, h.b.len);
	html_release(&h);
	snprintf(disp, sizeof(disp), "attachment; filename=\"comradarr-daily-%s-%s.csv\"", from, to);
	web_resp_header(resp, "Content-Disposition", disp);
	return rc;
}

/* ------------------------------------------------------------ the table */

static const struct web_route ui_table[] = {
	PAGE("GET", "/login", WEB_PUBLIC, ui_login),
	{ "POST", "/login", WEB_PUBLIC, WEB_ROUTE_PAGE, ui_login_post, 4096, NULL, NULL, 0 },
	PAGE("POST", "/logout", WEB_READ, ui_logout),
	PAGE("GET", "/", WEB_READ, ui_dashboard),
	PAGE("GET", "/content", WEB_READ, ui_content),
	PAGE("POST", "/content/bulk", WEB_WRITE, ui_content_bulk),
	PAGE("GET", "/content/series/{id}", WEB_READ, ui_series),
	PAGE("GET", "/content/movie/{id}", WEB_READ, ui_movie),
	PAGE("GET", "/queue", WEB_READ, ui_queue),
	PAGE("POST", "/queue/pause", WEB_WRITE, ui_queue_pause),
	PAGE("POST", "/queue/resume", WEB_WRITE, ui_queue_resume),
	PAGE("POST", "/queue/clear", WEB_WRITE, ui_queue_clear),
	PAGE("POST", "/queue/{id}/priority", WEB_WRITE, ui_batch_priority),
	PAGE("POST", "/queue/{id}/remove", WEB_WRITE, ui_batch_remove),
	PAGE("GET", "/analytics", WEB_READ, ui_analytics),
	PAGE("GET", "/analytics/daily.csv", WEB_READ, ui_analytics_csv),
	PAGE("GET", "/connectors", WEB_READ, ui_connectors),
	PAGE("GET", "/connectors/new", WEB_WRITE, ui_connector_new),
	PAGE("POST", "/connectors/new", WEB_WRITE, ui_connector_create),
	PAGE("GET", "/connectors/{name}", WEB_READ, ui_connector_show),
	PAGE("GET", "/connectors/{name}/edit", WEB_WRITE, ui_connector_edit),
	PAGE("POST", "/connectors/{name}/edit", WEB_WRITE, ui_connector_save),
	PAGE("POST", "/connectors/{name}/test", WEB_WRITE, ui_connector_test),
	PAGE("POST", "/connectors/{name}/enable", WEB_WRITE, ui_connector_enable),
	PAGE("POST", "/connectors/{name}/disable", WEB_WRITE, ui_connector_disable),
	PAGE("POST", "/connectors/{name}/delete", WEB_ADMIN, ui_connector_delete),
	PAGE("POST", "/connectors/{name}/sync", WEB_WRITE, ui_connector_sync),
	PAGE("GET", "/settings", WEB_READ, ui_settings),
	PAGE("POST", "/settings/profiles", WEB_WRITE, ui_settings_profile),
	PAGE("POST", "/settings/password", WEB_READ, ui_settings_password),
	PAGE("POST", "/settings/users", WEB_ADMIN, ui_settings_user_add),
	PAGE("POST", "/settings/users/{name}/delete", WEB_ADMIN, ui_settings_user_delete),
	PAGE("POST", "/settings/apikeys", WEB_ADMIN, ui_settings_key_add),
	PAGE("POST", "/settings/apikeys/{id}/revoke", WEB_ADMIN, ui_settings_key_revoke),
	/* the second factor: the login's code step (public, like /login: it
	 * carries the pending login's cookie) and the account page */
	PAGE("GET", "/login/totp", WEB_PUBLIC, ui_login_totp),
	{ "POST", "/login/totp", WEB_PUBLIC, WEB_ROUTE_PAGE, ui_login_totp_post, 4096, NULL, NULL, 0 },
	PAGE("GET", "/account", WEB_READ, ui_account),
	PAGE("POST", "/account/totp/setup", WEB_READ, ui_account_totp_setup),
	PAGE("POST", "/account/totp/confirm", WEB_READ, ui_account_totp_confirm),
	PAGE("POST", "/account/totp/disable", WEB_READ, ui_account_totp_disable),
	PAGE("POST", "/account/totp/recovery", WEB_READ, ui_account_totp_recovery),
	PAGE("POST", "/account/users/{name}/totp-reset", WEB_ADMIN, ui_account_totp_reset),
	/* sweep schedules (ui_sched.c): the same access as /api/schedules */
	PAGE("GET", "/schedules", WEB_READ, ui_schedules),
	PAGE("GET", "/schedules/preview", WEB_READ, ui_schedule_preview),
	PAGE("GET", "/schedules/new", WEB_WRITE, ui_schedule_new),
	PAGE("POST", "/schedules/new", WEB_WRITE, ui_schedule_create),
	PAGE("GET", "/schedules/{name}/edit", WEB_WRITE, ui_schedule_edit),
	PAGE("POST", "/schedules/{name}/edit", WEB_WRITE, ui_schedule_save),
	PAGE("POST", "/schedules/{name}/enable", WEB_WRITE, ui_schedule_enable),
	PAGE("POST", "/schedules/{name}/disable", WEB_WRITE, ui_schedule_disable),
	PAGE("POST", "/schedules/{name}/run", WEB_WRITE, ui_schedule_run),
	PAGE("POST", "/schedules/{name}/delete", WEB_WRITE, ui_schedule_delete),
};

int
ui_routes_register(struct web_router *r, struct err *e)
{
	size_t i;

	for (i = 0; i < sizeof(ui_table) / sizeof(ui_table[0]); i++)
		if (web_router_add(r, &ui_table[i], e) < 0)
			return -1;
	/* the settings page's own pages: channels, backups, log level */
	if (ui_sections_register(r, e) < 0)
		return -1;
	/* each asset at its fingerprinted URL and at its plain name */
	for (i = 0; i < ui_assets_count; i++) {
		const struct ui_asset *a = &ui_assets[i];

		/* the router keeps the path pointers: both are static strings */
		if (web_router_add_asset(r, a->url, WEB_PUBLIC, a->type, a->data, a->len, e) < 0 ||
		    web_router_add_asset(r, a->plain, WEB_PUBLIC, a->type, a->data, a->len, e) < 0)
			return -1;
	}
	return 0;
}
