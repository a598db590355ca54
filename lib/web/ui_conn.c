/*
 * ui_conn.c - the connector pages' handlers (Req 16).  The API key the
 * form posts is registered with the log redactor at once, sealed by
 * db_connector_add/update, wiped from memory, and never written into an
 * answer: a re-rendered form has an empty key field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "arr/app.h"
#include "arr/client.h"
#include "arr/probe.h"
#include "arr/retry.h"
#include "core/log.h"
#include "crypto/mask.h"
#include "db/connectors.h"
#include "db/uiact.h"
#include "db/uistats.h"
#include "stage/connect.h"
#include "stage/sync.h"
#include "web/app.h"
#include "web/server.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "core/banned.h"

#define KEY_MAX		256
#define TEST_TIMEOUT_MS	10000

static const struct secret_key *
app_key(struct web_req *req)
{
	const struct web_app *app = req->app;

	return app != NULL && app->have_key ? app->key : NULL;
}

static int
fail(struct web_req *req, struct web_resp *resp, const struct err *e)
{
	return ui_error_page(req, resp, e->kind == ERR_NOTFOUND ? 404 : e->kind == ERR_USAGE ? 400 :
			     e->kind == ERR_CONFLICT ? 409 : 500, e);
}

/* the summary object of connector name in db_ui_connectors's answer */
static json_t *
summary_of(PGconn *db, const char *name, struct err *e)
{
	json_t *list = NULL, *c, *found = NULL;
	size_t i;

	if (db_ui_connectors(db, &list, e) < 0)
		return NULL;
	json_array_foreach(list, i, c)
		if (name != NULL && uj_str(c, "name") != NULL && strcmp(uj_str(c, "name"), name) == 0)
			found = json_incref(c);
	json_decref(list);
	if (found == NULL)
		err_set(e, ERR_NOTFOUND, "no connector '%s'", name != NULL ? name : "");
	return found;
}

int
ui_connectors(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	json_t *list = NULL;
	int rc;

	if (db == NULL)
		return 0;
	if (db_ui_connectors(db, &list, &e) < 0)
		return fail(req, resp, &e);
	ui_page_for(&p, req, "Connectors", "connectors");
	ui_page_live(&p, db);
	html_init(&h);
	ui_render_connectors(&h, &p, list, (int64_t)time(NULL));
	rc = ui_send(resp, 200, &h);
	json_decref(list);
	return rc;
}

static int
form_page(struct web_req *req, struct web_resp *resp, int status, const char *title,
	  const struct ui_connector_form *f, const char *flash_err)
{
	struct ui_page p;
	struct html h;

	ui_page_for(&p, req, title, "connectors");
	p.flash_err = flash_err;
	html_init(&h);
	ui_render_connector_form(&h, &p, f);
	return ui_send(resp, status, &h);
}

int
ui_connector_new(struct web_req *req, struct web_resp *resp)
{
	struct ui_connector_form f;
	json_t *v = json_pack("{s:s, s:b}", "type", "sonarr", "enabled", 1);
	int rc;

	memset(&f, 0, sizeof(f));
	f.v = v;
	rc = form_page(req, resp, 200, "Add a connector", &f, NULL);
	json_decref(v);
	return rc;
}

/* What the form posted, checked; the key (when given) into key[].  On a
 * bad field, f->bad_field and f->field_error say which and why. */
struct posted {
	struct connector c;
	char url[2048];
	char key[KEY_MAX];
	int have_key;
	json_t *v;		/* the values to show back (never the key) */
};

static int
read_form(struct web_req *req, struct posted *po, struct ui_connector_form *f, int editing)
{
	char name[80], type[16], tbuf[16], en[8];
	struct err e = ERR_INIT;
	int64_t timeout = 30;

	memset(&po->c, 0, sizeof(po->c));
	po->have_key = 0;
	po->key[0] = '\0';
	if (ui_field(req, "name", name, sizeof(name)) == NULL)
		name[0] = '\0';
	if (ui_field(req, "type", type, sizeof(type)) == NULL)
		type[0] = '\0';
	if (ui_field(req, "url", po->url, sizeof(po->url)) == NULL)
		po->url[0] = '\0';
	if (ui_field(req, "api_key", po->key, sizeof(po->key)) != NULL && po->key[0] != '\0') {
		po->have_key = 1;
		log_secret_add(po->key);
	}
	if (editing)
		snprintf(name, sizeof(name), "%s", web_req_param(req, "name") ? web_req_param(req, "name") : "");
	po->c.enabled = ui_field(req, "enabled", en, sizeof(en)) != NULL;
	po->c.tls_verify = 1;
	po->v = json_pack("{s:s, s:s, s:s, s:b}", "name", name, "type", type, "url", po->url, "enabled",
			  po->c.enabled);
	f->v = po->v;
	f->editing = editing;
	if (connector_validate_name(name, &e) < 0) {
		f->bad_field = "name";
		goto bad;
	}
	if (connector_validate_type(type, &e) < 0) {
		f->bad_field = "type";
		goto bad;
	}
	if (connector_normalise_url(po->url, &e) < 0) {
		f->bad_field = "url";
		goto bad;
	}
	if (!editing && !po->have_key) {
		err_set(&e, ERR_USAGE, "the API key is needed to reach the app");
		f->bad_field = "api_key";
		goto bad;
	}
	if (po->have_key && connector_validate_api_key(po->key, &e) < 0) {
		f->bad_field = "api_key";
		goto bad;
	}
	if (ui_parse_int(ui_field(req, "timeout", tbuf, sizeof(tbuf)), 1, 600, &timeout) < 0) {
		err_set(&e, ERR_USAGE, "a timeout is 1 to 600 seconds");
		f->bad_field = "timeout";
		goto bad;
	}
	json_object_set_new(po->v, "timeout_ms", json_integer(timeout * 1000));
	/* validated above: connector_validate_name keeps it within the field */
	snprintf(po->c.name, sizeof(po->c.name), "%.*s", (int)sizeof(po->c.name) - 1, name);
	snprintf(po->c.type, sizeof(po->c.type), "%s", type);
	po->c.url = po->url;
	po->c.timeout_ms = (int)timeout * 1000;
	return 0;
bad:
	json_object_set_new(po->v, "timeout_ms", json_integer(timeout * 1000));
	/* a static-lifetime copy: the form page is rendered before we return */
	snprintf(f->error_buf, sizeof(f->error_buf), "%s", e.msg);
	f->field_error = f->error_buf;
	return -1;
}

static void
posted_release(struct posted *po)
{
	sodium_memzero(po->key, sizeof(po->key));
	json_decref(po->v);
	po->v = NULL;
}

/*
 * Probe the app with the posted values (and the posted key, or the stored
 * one of stored when none was posted): {ok, health, app, version, api,
 * message, warnings}.  The report never holds the key.  With record, what
 * the probe learned becomes that connector's health (with its history);
 * a failure to store it is logged, the page still shows the test.
 */
static json_t *
probe(struct web_req *req, const struct posted *po, const struct connector *stored,
      PGconn *db, const struct connector *record, struct err *e)
{
	struct arr_client_opts co;
	struct arr_client *client = NULL;
	struct arr_probe_report *r = NULL;
	json_t *out = NULL, *w;
	int i, ms;

	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (po->have_key || stored == NULL) {
		memset(&co, 0, sizeof(co));
		co.app = arr_app_from_name(po->c.type);
		co.base_url = po->c.url;
		co.api_key = po->key;
		co.timeout_ms = po->c.timeout_ms < TEST_TIMEOUT_MS ? po->c.timeout_ms : TEST_TIMEOUT_MS;
		co.tls_verify = 1;
		co.retry.attempts = 1;
		if (arr_client_new(&co, &client, e) < 0)
			goto out;
	} else {
		struct connector c = *stored;
		struct arr_retry once;

		arr_retry_defaults(&once);
		once.attempts = 1;
		c.url = (char *)po->c.url;
		c.timeout_ms = po->c.timeout_ms < TEST_TIMEOUT_MS ? po->c.timeout_ms : TEST_TIMEOUT_MS;
		if (stage_client_open(app_key(req), &c, &once, &client, e) < 0)
			goto out;
	}
	if (stage_probe(client, r, &ms, e) < 0)
		goto out;
	if (db != NULL && record != NULL) {
		struct err re = ERR_INIT;

		if (stage_probe_record(db, record, r, ms, &re) < 0)
			log_warn("serve", "the connection test was not recorded: %s", re.msg);
	}
	out = json_pack("{s:b, s:s, s:b, s:i}", "ok", r->health == ARR_HEALTH_HEALTHY || r->health == ARR_HEALTH_DEGRADED,
			"health", arr_health_name(r->health), "auth_failed", r->facts.auth_failed,
			"response_ms", ms);
	if (r->facts.answered) {
		json_object_set_new(out, "app", json_string(r->status.app_name));
		json_object_set_new(out, "version", json_string(r->status.version));
		json_object_set_new(out, "api", json_string(r->api_version));
	}
	if (r->first_error.kind != ERR_NONE)
		json_object_set_new(out, "message", json_string(r->first_error.msg));
	else if (r->nitems > 0)
		json_object_set_new(out, "message", json_string(r->items[0].message));
	w = json_array();
	for (i = 0; i < r->nwarnings; i++)
		json_array_append_new(w, json_string(r->warnings[i]));
	json_object_set_new(out, "warnings", w);
out:
	arr_client_free(client);
	free(r);
	return out;
}

int
ui_connector_create(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct ui_connector_form f;
	struct posted po;
	struct err e = ERR_INIT;
	char act[8];
	json_t *test = NULL;
	int rc;

	if (db == NULL)
		return 0;
	memset(&f, 0, sizeof(f));
	memset(&po, 0, sizeof(po));
	if (read_form(req, &po, &f, 0) < 0) {
		rc = form_page(req, resp, 422, "Add a connector", &f, "check the highlighted field");
		goto out;
	}
	if (ui_field(req, "do", act, sizeof(act)) != NULL && strcmp(act, "test") == 0) {
		test = probe(req, &po, NULL, NULL, NULL, &e);
		f.test = test;
		rc = form_page(req, resp, 200, "Add a connector", &f, test == NULL ? e.msg : NULL);
		goto out;
	}
	if (app_key(req) == NULL) {
		rc = form_page(req, resp, 503, "Add a connector", &f,
			       "no secret key: set SECRET_KEY_FILE for comradarr-serve to store API keys");
		goto out;
	}
	if (db_connector_add(db, app_key(req), &po.c, po.key, &e) < 0) {
		if (e.kind == ERR_CONFLICT) {
			f.bad_field = "name";
			snprintf(f.error_buf, sizeof(f.error_buf), "%s", e.msg);
			f.field_error = f.error_buf;
		}
		rc = form_page(req, resp, e.kind == ERR_CONFLICT ? 409 : 500, "Add a connector", &f,
			       e.kind == ERR_DB ? "the database refused the connector" : e.msg);
		goto out;
	}
	/* the first health check now, so the list shows it healthy (or why
	 * not) rather than "unknown" until the next sync */
	test = probe(req, &po, NULL, db, &po.c, &e);
	rc = ui_redirect(req, resp, "connectors?done=added");
out:
	json_decref(test);
	posted_release(&po);
	return rc;
}

int
ui_connector_show(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	json_t *c = NULL, *hist = NULL;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	if ((c = summary_of(db, web_req_param(req, "name"), &e)) == NULL ||
	    db_ui_health_history(db, uj_int(c, "id"), 20, &hist, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	ui_page_for(&p, req, uj_str(c, "name"), "connectors");
	html_init(&h);
	ui_render_connector(&h, &p, c, hist, (int64_t)time(NULL));
	rc = ui_send(resp, 200, &h);
out:
	json_decref(c);
	json_decref(hist);
	return rc;
}

/* the stored connector, as the form shows it: key as its masked last 4 */
static json_t *
stored_values(const struct secret_key *k, const struct connector *c)
{
	json_t *v = json_pack("{s:s, s:s, s:s, s:b, s:i}", "name", c->name, "type", c->type, "url", c->url,
			      "enabled", c->enabled, "timeout_ms", c->timeout_ms);
	struct err e = ERR_INIT;
	char *key = NULL, *masked;

	if (k != NULL && db_connector_api_key(k, c, &key, &e) == 0) {
		masked = secret_mask(key);
		if (masked != NULL) {
			json_object_set_new(v, "key_last4", json_string(masked));
			free(masked);
		}
		sodium_memzero(key, strlen(key));
		free(key);
	}
	return v;
}

int
ui_connector_edit(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct ui_connector_form f;
	struct connector c;
	struct err e = ERR_INIT;
	json_t *v;
	int rc;

	if (db == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0)
		return fail(req, resp, &e);
	memset(&f, 0, sizeof(f));
	v = stored_values(app_key(req), &c);
	f.v = v;
	f.editing = 1;
	rc = form_page(req, resp, 200, "Edit connector", &f, NULL);
	json_decref(v);
	connector_release(&c);
	return rc;
}

int
ui_connector_save(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct ui_connector_form f;
	struct connector c;
	struct posted po;
	struct err e = ERR_INIT;
	json_t *test = NULL;
	char act[8];
	int rc;

	if (db == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	memset(&po, 0, sizeof(po));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	if (read_form(req, &po, &f, 1) < 0) {
		rc = form_page(req, resp, 422, "Edit connector", &f, "check the highlighted field");
		goto out;
	}
	if (ui_field(req, "do", act, sizeof(act)) != NULL && strcmp(act, "test") == 0) {
		test = probe(req, &po, &c, NULL, NULL, &e);
		f.test = test;
		rc = form_page(req, resp, 200, "Edit connector", &f, test == NULL ? e.msg : NULL);
		goto out;
	}
	if (po.have_key && app_key(req) == NULL) {
		rc = form_page(req, resp, 503, "Edit connector", &f,
			       "no secret key: set SECRET_KEY_FILE for comradarr-serve to store API keys");
		goto out;
	}
	free(c.url);
	c.url = strdup(po.url);
	c.enabled = po.c.enabled;
	c.timeout_ms = po.c.timeout_ms;
	if (c.url == NULL || db_connector_update(db, app_key(req), &c, po.have_key ? po.key : NULL, &e) < 0) {
		rc = form_page(req, resp, 500, "Edit connector", &f,
			       c.url == NULL ? "out of memory" : e.kind == ERR_DB ? "the database refused the change" : e.msg);
		goto out;
	}
	rc = ui_redirect(req, resp, "connectors?done=saved");
out:
	json_decref(test);
	posted_release(&po);
	connector_release(&c);
	return rc;
}

int
ui_connector_test(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct ui_connector_form f;
	struct connector c;
	struct posted po;
	struct err e = ERR_INIT;
	json_t *v = NULL, *test = NULL;
	int rc;

	if (db == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	memset(&po, 0, sizeof(po));
	memset(&f, 0, sizeof(f));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		rc = fail(req, resp, &e);
		goto out;
	}
	snprintf(po.c.type, sizeof(po.c.type), "%s", c.type);
	po.c.url = c.url;
	po.c.timeout_ms = c.timeout_ms;
	test = probe(req, &po, &c, db, &c, &e);
	v = stored_values(app_key(req), &c);
	f.v = v;
	f.editing = 1;
	f.test = test;
	rc = form_page(req, resp, 200, "Edit connector", &f, test == NULL ? e.msg : NULL);
out:
	json_decref(v);
	json_decref(test);
	connector_release(&c);
	return rc;
}

static int
set_enabled(struct web_req *req, struct web_resp *resp, int enabled)
{
	PGconn *db = web_req_db(req, resp);
	struct connector c;
	struct err e = ERR_INIT;
	int rc;

	if (db == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0)
		return fail(req, resp, &e);
	c.enabled = enabled;
	if (db_connector_update(db, app_key(req), &c, NULL, &e) < 0)
		rc = fail(req, resp, &e);
	else
		rc = ui_redirect(req, resp, enabled ? "connectors?done=enabled" : "connectors?done=disabled");
	connector_release(&c);
	return rc;
}

int
ui_connector_enable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 1);
}

int
ui_connector_disable(struct web_req *req, struct web_resp *resp)
{
	return set_enabled(req, resp, 0);
}

int
ui_connector_delete(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct err e = ERR_INIT;

	if (db == NULL)
		return 0;
	if (db_connector_remove(db, web_req_param(req, "name"), &e) < 0)
		return fail(req, resp, &e);
	return ui_redirect(req, resp, "connectors?done=deleted");
}

/*
 * Sync now (Req 16.5's quick action): the same sync the timer runs, in
 * this request.  A small library takes a second or two; a large one keeps
 * this request until it is done (the timer is the way for those).  Held by
 * another sync: skipped, which is success.
 */
int
ui_connector_sync(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct sync_opts o;
	struct sync_report *r = NULL;
	struct connector c;
	struct err e = ERR_INIT;
	char path[128];
	int rc;

	if (db == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0)
		return fail(req, resp, &e);
	r = calloc(1, sizeof(*r));
	memset(&o, 0, sizeof(o));
	o.force = 1;
	o.key = app_key(req);
	if (r == NULL)
		rc = web_resp_error(resp, 500, "internal", NULL, "out of memory");
	else if (o.key == NULL)
		rc = ui_error_page(req, resp, 503, &(struct err){ ERR_CONFIG, 0, -1,
				   "no secret key: set SECRET_KEY_FILE for comradarr-serve to reach the apps" });
	else if (sync_health_check(db, &c, &o, r, &e) < 0 || sync_connector(db, &c, &o, r, &e) < 0 ||
		 r->status == SYNC_FAILED)
		rc = fail(req, resp, e.kind != ERR_NONE ? &e : &(struct err){ ERR_INTERNAL, 0, -1,
			  "the sync failed: see the connector's health and the serve log" });
	else {
		snprintf(path, sizeof(path), "connectors/%s?done=%s", c.name,
			 r->status == SYNC_SKIPPED ? "sync_skipped" : "synced");
		rc = ui_redirect(req, resp, path);
	}
	free(r);
	connector_release(&c);
	return rc;
}
