/*
 * api_connectors.c - /api/connectors: list, show, add, edit, remove, test.
 *
 * An API key goes in (add, edit) and never comes out: answers carry only
 * api_key_masked (every character but the last four replaced, Req 36.2).
 * A key received is registered with the log redactor at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/probe.h"
#include "core/log.h"
#include "crypto/mask.h"
#include "db/connectors.h"
#include "stage/connect.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

static json_t *
connector_json(const struct web_app *app, const struct connector *c)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:i,s:s,s:b}", "id", (json_int_t)c->id,
			      "name", c->name, "type", c->type, "url", c->url, "enabled", c->enabled,
			      "tls_verify", c->tls_verify, "timeout_ms", c->timeout_ms,
			      "health", c->health, "auth_failed", c->auth_failed);
	char *key = NULL, *m = NULL;
	struct err e = ERR_INIT;

	if (app->have_key && db_connector_api_key(app->key, c, &key, &e) == 0) {
		m = secret_mask(key);
		sodium_memzero(key, strlen(key));
		free(key);
	}
	json_object_set_new(o, "api_key_masked", m ? json_string(m) : json_null());
	free(m);
	if (c->health_detail)
		json_object_set_new(o, "health_detail", json_string(c->health_detail));
	if (c->app_name)
		json_object_set_new(o, "app_name", json_string(c->app_name));
	if (c->app_version)
		json_object_set_new(o, "app_version", json_string(c->app_version));
	if (c->api_version)
		json_object_set_new(o, "api_version", json_string(c->api_version));
	return o;
}

int
api_connectors_list(struct web_req *req, struct web_resp *resp)
{
	struct connector *list = NULL;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);
	size_t n = 0;
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_connector_list(db, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, connector_json(req->app, &list[i]));
	connector_list_free(list, n);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_connectors_show(struct web_req *req, struct web_resp *resp)
{
	struct connector c;
	struct err e = ERR_INIT;
	PGconn *db = web_req_db(req, resp);
	int ret;

	if (db == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0)
		return web_resp_err(resp, &e);
	ret = web_resp_json(resp, 200, connector_json(req->app, &c));
	connector_release(&c);
	return ret;
}

static int
need_key(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;

	if (!app->have_key)
		return web_resp_error(resp, 503, "no_secret_key", NULL, "the server cannot seal API "
				      "keys: its secret key is missing (see the server log)");
	return 0;
}

/* Apply the editable members of body to c; a bad one: 400 naming it. */
static int
apply_fields(struct web_resp *resp, json_t *body, struct connector *c, char **urlbuf)
{
	struct err e = ERR_INIT;
	json_t *v;

	if ((v = json_object_get(body, "name")) != NULL) {
		if (!json_is_string(v) || connector_validate_name(json_string_value(v), &e) < 0)
			return web_resp_error(resp, 400, "invalid", "name", "%s",
					      e.msg[0] ? e.msg : "name must be a string");
		snprintf(c->name, sizeof(c->name), "%s", json_string_value(v));
	}
	if ((v = json_object_get(body, "url")) != NULL) {
		char *u = json_is_string(v) ? strdup(json_string_value(v)) : NULL;

		if (u == NULL || connector_normalise_url(u, &e) < 0) {
			free(u);
			return web_resp_error(resp, 400, "invalid", "url", "%s",
					      e.msg[0] ? e.msg : "url must be a string");
		}
		free(*urlbuf);
		*urlbuf = u;
		c->url = u;
	}
	if ((v = json_object_get(body, "enabled")) != NULL) {
		if (!json_is_boolean(v))
			return web_resp_error(resp, 400, "invalid", "enabled", "enabled is true or false");
		c->enabled = json_is_true(v);
	}
	if ((v = json_object_get(body, "tls_verify")) != NULL) {
		if (!json_is_boolean(v))
			return web_resp_error(resp, 400, "invalid", "tls_verify",
					      "tls_verify is true or false");
		c->tls_verify = json_is_true(v);
	}
	if ((v = json_object_get(body, "timeout_ms")) != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1000 ||
		    json_integer_value(v) > 600000)
			return web_resp_error(resp, 400, "invalid", "timeout_ms",
					      "timeout_ms is 1000 to 600000");
		c->timeout_ms = (int)json_integer_value(v);
	}
	return 0;
}

/* The body's api_key, registered with the redactor; NULL when absent. */
static int
body_key(struct web_resp *resp, json_t *body, const char **key)
{
	json_t *v = json_object_get(body, "api_key");
	struct err e = ERR_INIT;

	*key = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return web_resp_error(resp, 400, "invalid", "api_key", "api_key must be a string");
	log_secret_add(json_string_value(v));
	if (connector_validate_api_key(json_string_value(v), &e) < 0)
		return web_resp_error(resp, 400, "invalid", "api_key", "%s", e.msg);
	*key = json_string_value(v);
	return 0;
}

int
api_connectors_add(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct connector c;
	struct err e = ERR_INIT;
	json_t *body;
	const char *key = NULL, *type;
	char *url = NULL;
	PGconn *db;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0 || (body = web_req_json(req, resp)) == NULL)
		return -1;
	type = json_string_value(json_object_get(body, "type"));
	c.enabled = 1;
	c.tls_verify = 1;
	c.timeout_ms = 30000;
	if (type == NULL || connector_validate_type(type, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "type", "%s",
			       e.msg[0] ? e.msg : "type is needed: sonarr, radarr, whisparr, prowlarr");
		goto out;
	}
	snprintf(c.type, sizeof(c.type), "%s", type);
	if (body_key(resp, body, &key) < 0 || apply_fields(resp, body, &c, &url) < 0)
		goto out;
	if (c.name[0] == '\0' || c.url == NULL || key == NULL) {
		web_resp_error(resp, 400, "invalid", c.name[0] == '\0' ? "name" :
			       c.url == NULL ? "url" : "api_key", "name, type, url and api_key are needed");
		goto out;
	}
	db = web_req_db(req, resp);
	if (db == NULL)
		goto out;
	if (db_connector_add(db, app->key, &c, key, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "connector.add", c.name, "ok", json_pack("{s:s,s:s}", "type", c.type,
								      "url", c.url));
	{
		struct connector stored;

		/* the row as stored (health, the sealed key's mask) */
		memset(&stored, 0, sizeof(stored));
		if (db_connector_get(db, c.name, &stored, &e) < 0)
			web_resp_err(resp, &e);
		else
			ret = web_resp_json(resp, 201, connector_json(app, &stored));
		connector_release(&stored);
	}
out:
	c.url = NULL;	/* url is ours, freed below */
	free(url);
	connector_release(&c);
	json_decref(body);
	return ret;
}

int
api_connectors_edit(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct connector c;
	struct err e = ERR_INIT;
	json_t *body;
	const char *key = NULL;
	char *url = NULL, *old_url = NULL;
	PGconn *db;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0 || (body = web_req_json(req, resp)) == NULL)
		return -1;
	db = web_req_db(req, resp);
	if (db == NULL)
		goto out;
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	old_url = c.url;
	if (body_key(resp, body, &key) < 0 || apply_fields(resp, body, &c, &url) < 0)
		goto out;
	/* A stored key is sealed to its address (connectors.h): a new address
	 * needs the key given again, or the old one would go somewhere new. */
	if (key == NULL && url != NULL && strcmp(url, old_url) != 0) {
		web_resp_error(resp, 400, "invalid", "api_key", "a new url needs the api_key again: "
			       "the stored key is sealed for the old address");
		goto out;
	}
	if (db_connector_update(db, app->key, &c, key, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "connector.edit", c.name, "ok",
		  json_pack("{s:b}", "api_key_changed", key != NULL));
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:b}", "name", c.name, "updated", 1));
out:
	if (url != NULL) {
		c.url = old_url;
		free(url);
	}
	connector_release(&c);
	json_decref(body);
	return ret;
}

int
api_connectors_remove(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_connector_remove(db, name, &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, "connector.remove", name, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:s,s:b}", "name", name, "removed", 1));
}

int
api_connectors_test(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	struct connector c;
	struct arr_client *client = NULL;
	struct arr_probe_report *r = NULL;
	struct err e = ERR_INIT;
	json_t *o = NULL, *items;
	PGconn *db;
	int ret = -1, response_ms;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_connector_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL || stage_client_open(app->key, &c, NULL, &client, &e) < 0 ||
	    stage_probe(client, r, &response_ms, &e) < 0) {
		if (r == NULL)
			err_set(&e, ERR_NOMEM, "out of memory");
		web_resp_err(resp, &e);
		goto out;
	}
	if (stage_probe_record(db, &c, r, response_ms, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	o = json_pack("{s:s,s:s,s:b}", "name", c.name, "health", arr_health_name(r->health),
		      "auth_failed", r->facts.auth_failed);
	if (r->facts.answered) {
		json_object_set_new(o, "app_name", json_string(r->status.app_name));
		json_object_set_new(o, "app_version", json_string(r->status.version));
		json_object_set_new(o, "api_version", json_string(r->api_version));
	}
	items = json_array();
	for (int i = 0; i < r->nitems; i++)
		json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "source", r->items[i].source,
						       "type", r->items[i].type,
						       "message", r->items[i].message));
	json_object_set_new(o, "health_items", items);
	if (r->first_error.kind != ERR_NONE) {
		json_object_set_new(o, "error_kind", json_string(err_kind_name(r->first_error.kind)));
		json_object_set_new(o, "error", json_string(r->first_error.msg));
	}
	/* what the *arr said passes the redactor like any foreign text */
	log_redact_json(o);
	api_audit(db, req, "connector.test", c.name, "ok",
		  json_pack("{s:s}", "health", arr_health_name(r->health)));
	ret = web_resp_json(resp, 200, o);
out:
	arr_client_free(client);
	free(r);
	connector_release(&c);
	return ret;
}
