/*
 * api_channels.c - /api/channels: notification channels over HTTP (Req 9,
 * 21.3): list, show, add, edit, enable, disable, remove, and a real test
 * message.
 *
 * Credentials go in and never come out.  A body carries them in "secrets"
 * ({"url": ..., "token": ..., "user": ..., "password": ..., "hmac_secret":
 * ...}); each is registered with the log redactor on arrival, sealed by
 * lib/db/notify.c and wiped from memory; answers show them only as
 * secrets_masked ({name, masked}: the last 4 characters).  On an edit a
 * credential left out or empty keeps the stored one.  The credentials are
 * sealed to the channel's address (config.url and tls_verify): moving a
 * channel needs them given again, or "move_credentials": true to send the
 * stored ones to the new address (the shell's --yes).
 *
 * The JSON shape of a channel is notify_channel_json()'s, the one
 * `comradarr channel show` prints, plus "last" (the newest message's state).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/connectors.h"
#include "db/notify.h"
#include "db/uisettings.h"
#include "notify/notify.h"
#include "policy/notify.h"
#include "policy/tz.h"
#include "stage/notify.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

static const char *const secret_names[] = { "url", "token", "user", "password", "hmac_secret",
					    NULL };
static const char *const config_strings[] = { "url", "chat_id", "topic", "from", "username",
					      "tags", NULL };

static const struct secret_key *
app_key(struct web_req *req)
{
	const struct web_app *app = req->app;

	return app != NULL && app->have_key ? app->key : NULL;
}

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* json_equal, where two absent members are the same too */
static int
same(const json_t *a, const json_t *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && json_equal(a, b));
}

static json_t *
with_last(json_t *o, const json_t *last)
{
	const json_t *l = json_object_get(last, json_string_value(json_object_get(o, "channel")));

	json_object_set_new(o, "last", l ? json_deep_copy(l) : json_null());
	return o;
}

int
api_channels_list(struct web_req *req, struct web_resp *resp)
{
	struct notify_channel *list = NULL;
	struct err e = ERR_INIT;
	json_t *a, *last = NULL;
	size_t n = 0;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_notify_channel_list(db, &list, &n, &e) < 0 || db_ui_channel_last(db, &last, &e) < 0) {
		notify_channel_list_free(list, n);
		return web_resp_err(resp, &e);
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, with_last(notify_channel_json(db, app_key(req), &list[i]),
						   last));
	notify_channel_list_free(list, n);
	json_decref(last);
	/* config holds no credential, but a receiver's text or a user's
	 * template might: everything passes the redactor like foreign text */
	log_redact_json(a);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_channels_show(struct web_req *req, struct web_resp *resp)
{
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *o, *last = NULL;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	memset(&c, 0, sizeof(c));
	if (db_notify_channel_get(db, web_req_param(req, "name"), &c, &e) < 0 ||
	    db_ui_channel_last(db, &last, &e) < 0) {
		notify_channel_release(&c);
		return web_resp_err(resp, &e);
	}
	o = with_last(notify_channel_json(db, app_key(req), &c), last);
	json_decref(last);
	notify_channel_release(&c);
	log_redact_json(o);
	return web_resp_json(resp, 200, o);
}

/* ------------------------------------------------------------ bodies */

/* A 400 naming field; -1 */
static int
bad(struct web_resp *resp, const char *field, const char *msg)
{
	return web_resp_error(resp, 400, "invalid", field, "%s", msg);
}

/* The body's config members into c->config; unknown members refused. */
static int
apply_config(struct web_resp *resp, json_t *cfg, struct notify_channel *c)
{
	const char *k;
	json_t *v;

	if (!json_is_object(cfg))
		return bad(resp, "config", "config is an object");
	json_object_foreach(cfg, k, v) {
		if (in_list(config_strings, k)) {
			char *s;
			size_t n;

			if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
				json_object_del(c->config, k);
				continue;
			}
			if (!json_is_string(v) || json_string_length(v) > 2048)
				return web_resp_error(resp, 400, "invalid", k, "config.%s is a string "
						      "of at most 2048 bytes", k);
			s = strdup(json_string_value(v));
			if (s == NULL)
				return web_resp_error(resp, 500, "internal", NULL, "out of memory");
			n = strlen(s);
			/* as `comradarr channel --url` stores it: no trailing '/' */
			while (strcmp(k, "url") == 0 && n > 0 && s[n - 1] == '/')
				s[--n] = '\0';
			json_object_set_new(c->config, k, json_string(s));
			free(s);
		} else if (strcmp(k, "to") == 0) {
			json_t *to = json_array(), *x;
			size_t i;

			if (json_is_string(v)) {
				/* "a@x, b@y" from a form */
				char *copy = strdup(json_string_value(v)), *p, *save = NULL;

				for (p = copy ? strtok_r(copy, ", ", &save) : NULL; p != NULL;
				     p = strtok_r(NULL, ", ", &save))
					json_array_append_new(to, json_string(p));
				free(copy);
			} else if (json_is_array(v) && json_array_size(v) <= 32) {
				json_array_foreach(v, i, x) {
					if (!json_is_string(x)) {
						json_decref(to);
						return bad(resp, "to", "config.to is a list of addresses");
					}
					json_array_append_new(to, json_string(json_string_value(x)));
				}
			} else {
				json_decref(to);
				return bad(resp, "to", "config.to is a list of at most 32 addresses");
			}
			json_object_set_new(c->config, "to", to);
		} else if (strcmp(k, "starttls") == 0 || strcmp(k, "tls_verify") == 0) {
			if (!json_is_boolean(v))
				return web_resp_error(resp, 400, "invalid", k, "config.%s is true or "
						      "false", k);
			json_object_set(c->config, k, v);
		} else if (strcmp(k, "priority") == 0) {
			if (json_is_null(v)) {
				json_object_del(c->config, k);
				continue;
			}
			if (!json_is_integer(v))
				return bad(resp, "priority", "config.priority is a number from -2 to 5");
			json_object_set(c->config, k, v);
		} else {
			return web_resp_error(resp, 400, "invalid", "config", "config has no member "
					      "'%.64s'", k);
		}
	}
	return 0;
}

static int
apply_events(struct web_resp *resp, json_t *v, struct notify_channel *c)
{
	json_t *a, *x;
	size_t i;

	if (json_is_string(v) && strcmp(json_string_value(v), "default") == 0) {
		json_decref(c->events);
		c->events = NULL;
		return 0;
	}
	if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
		json_decref(c->events);
		c->events = json_pack("[s]", "all");
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > 200)
		return bad(resp, "events", "events is \"default\", \"all\" or a list of event kinds "
			   "(comradarr(7))");
	a = json_array();
	json_array_foreach(v, i, x) {
		const char *k = json_string_value(x);

		if (k == NULL || (strcmp(k, "all") != 0 && !notify_kind_valid(k))) {
			json_decref(a);
			return web_resp_error(resp, 400, "invalid", "events", "'%.64s' is not an "
					      "event kind (comradarr(7) lists them)", k ? k : "?");
		}
		json_array_append_new(a, json_string(k));
	}
	json_decref(c->events);
	c->events = a;
	return 0;
}

static int
apply_connectors(PGconn *db, struct web_resp *resp, json_t *v, struct notify_channel *c)
{
	struct err e = ERR_INIT;
	json_t *a, *x;
	size_t i;

	if ((json_is_string(v) && strcmp(json_string_value(v), "all") == 0) || json_is_null(v)) {
		json_decref(c->connectors);
		c->connectors = NULL;
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > 64)
		return bad(resp, "connectors", "connectors is \"all\" or a list of connector names");
	a = json_array();
	json_array_foreach(v, i, x) {
		struct connector k;

		memset(&k, 0, sizeof(k));
		if (!json_is_string(x) || db_connector_get(db, json_string_value(x), &k, &e) < 0) {
			json_decref(a);
			if (e.kind == ERR_DB)
				return web_resp_err(resp, &e);
			return web_resp_error(resp, 400, "invalid", "connectors", "no connector "
					      "'%.64s'", json_is_string(x) ? json_string_value(x) : "?");
		}
		json_array_append_new(a, json_pack("{s:I, s:s}", "id", (json_int_t)k.id, "name",
						   k.name));
		connector_release(&k);
	}
	json_decref(c->connectors);
	c->connectors = json_array_size(a) ? a : NULL;
	if (c->connectors == NULL)
		json_decref(a);
	return 0;
}

/* An integer member in [lo, hi] into *out; absent: unchanged. */
static int
int_member(struct web_resp *resp, json_t *body, const char *k, long lo, long hi, int *out)
{
	json_t *v = json_object_get(body, k);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return web_resp_error(resp, 400, "invalid", k, "%s is a number from %ld to %ld", k, lo,
				      hi);
	*out = (int)json_integer_value(v);
	return 0;
}

/* Everything of the body but name, type and secrets. */
static int
apply_body(PGconn *db, struct web_resp *resp, json_t *body, struct notify_channel *c)
{
	struct err e = ERR_INIT;
	json_t *v;

	if ((v = json_object_get(body, "config")) != NULL && apply_config(resp, v, c) < 0)
		return -1;
	if ((v = json_object_get(body, "enabled")) != NULL) {
		if (!json_is_boolean(v))
			return bad(resp, "enabled", "enabled is true or false");
		c->enabled = json_is_true(v);
	}
	if ((v = json_object_get(body, "events")) != NULL && apply_events(resp, v, c) < 0)
		return -1;
	if ((v = json_object_get(body, "min_severity")) != NULL &&
	    (!json_is_string(v) || notify_severity_parse(json_string_value(v), &c->min_severity) < 0))
		return bad(resp, "min_severity", "min_severity is info, warning or error");
	if ((v = json_object_get(body, "connectors")) != NULL &&
	    apply_connectors(db, resp, v, c) < 0)
		return -1;
	if (int_member(resp, body, "batch_window_s", 0, 86400, &c->batch_window_s) < 0 ||
	    int_member(resp, body, "max_per_hour", 0, 3600, &c->max_per_hour) < 0)
		return -1;
	if ((v = json_object_get(body, "quiet_hours")) != NULL) {
		if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
			memset(&c->quiet, 0, sizeof(c->quiet));
		else if (!json_is_string(v) || notify_quiet_parse(json_string_value(v), &c->quiet, &e) < 0)
			return bad(resp, "quiet_hours", e.msg[0] ? e.msg : "quiet_hours is HH:MM-HH:MM");
	}
	if ((v = json_object_get(body, "quiet_tz")) != NULL) {
		struct policy_tz tz;
		struct policy_tz_zone z;
		const char *name = json_string_value(v);

		if (name == NULL || strlen(name) >= sizeof(c->quiet_tz) ||
		    (strcmp(name, "UTC") != 0 && policy_tz_zone_init(&tz, &z, name, &e) < 0))
			return bad(resp, "quiet_tz", e.msg[0] ? e.msg : "quiet_tz is a time zone name");
		snprintf(c->quiet_tz, sizeof(c->quiet_tz), "%s", name);
	}
	if ((v = json_object_get(body, "quiet_mode")) != NULL) {
		const char *m = json_string_value(v);

		if (m == NULL || (strcmp(m, "hold") != 0 && strcmp(m, "drop") != 0))
			return bad(resp, "quiet_mode", "quiet_mode is hold or drop");
		c->quiet_drop = strcmp(m, "drop") == 0;
	}
	if ((v = json_object_get(body, "templates")) != NULL) {
		const char *k;
		json_t *t;

		if (!json_is_object(v))
			return bad(resp, "templates", "templates is an object: {\"KIND\": \"TEXT\"}");
		json_object_foreach(v, k, t) {
			if (!notify_kind_valid(k))
				return web_resp_error(resp, 400, "invalid", "templates", "'%.64s' is "
						      "not an event kind", k);
			if (json_is_null(t) || (json_is_string(t) && json_string_length(t) == 0)) {
				json_object_del(c->templates, k);
				continue;
			}
			if (!json_is_string(t) || notify_template_validate(json_string_value(t), &e) < 0)
				return bad(resp, "templates", e.msg[0] ? e.msg : "a template is text");
			json_object_set_new(c->templates, k, json_string(json_string_value(t)));
		}
	}
	return 0;
}

/*
 * The body's "secrets": each non-empty one registered with the redactor
 * and put in into (a new channel's, or a copy of the stored ones).
 * *given: how many were.
 */
static int
take_secrets(struct web_resp *resp, json_t *body, json_t *into, int *given)
{
	json_t *s = json_object_get(body, "secrets"), *v;
	const char *k;

	*given = 0;
	if (s == NULL)
		return 0;
	if (!json_is_object(s))
		return bad(resp, "secrets", "secrets is an object");
	/* register first: a message about a bad one below must not show it */
	json_object_foreach(s, k, v)
		if (json_is_string(v))
			log_secret_add(json_string_value(v));
	json_object_foreach(s, k, v) {
		if (!in_list(secret_names, k))
			return web_resp_error(resp, 400, "invalid", "secrets", "secrets has no member "
					      "'%.64s': url, token, user, password, hmac_secret", k);
		if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
			continue;	/* left empty: keep the stored one */
		if (!json_is_string(v) || json_string_length(v) > 4096)
			return web_resp_error(resp, 400, "invalid", k, "secrets.%s is a string of at "
					      "most 4096 bytes", k);
		json_object_set_new(into, k, json_string(json_string_value(v)));
		(*given)++;
	}
	return 0;
}

static int
need_key(struct web_req *req, struct web_resp *resp)
{
	if (app_key(req) == NULL)
		return web_resp_error(resp, 503, "no_secret_key", NULL, "the server cannot seal "
				      "credentials: its secret key is missing (see the server log)");
	return 0;
}

/* The stored row as the answer (masked credentials, counts). */
static int
answer_channel(struct web_req *req, struct web_resp *resp, PGconn *db, const char *name,
	       int status)
{
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *o;

	memset(&c, 0, sizeof(c));
	if (db_notify_channel_get(db, name, &c, &e) < 0) {
		notify_channel_release(&c);
		return web_resp_err(resp, &e);
	}
	o = notify_channel_json(db, app_key(req), &c);
	json_object_set_new(o, "last", json_null());
	notify_channel_release(&c);
	log_redact_json(o);
	return web_resp_json(resp, status, o);
}

int
api_channels_add(struct web_req *req, struct web_resp *resp)
{
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *body = NULL, *secrets = json_object();
	const char *name, *type;
	PGconn *db;
	int ret = -1, given;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0 || (body = web_req_json(req, resp)) == NULL)
		goto out;
	if (take_secrets(resp, body, secrets, &given) < 0)
		goto out;
	name = json_string_value(json_object_get(body, "name"));
	type = json_string_value(json_object_get(body, "type"));
	if (name == NULL || notify_channel_validate_name(name, &e) < 0) {
		bad(resp, "name", e.msg[0] ? e.msg : "a channel needs a name");
		goto out;
	}
	if (type == NULL || !notify_type_valid(type)) {
		bad(resp, "type", "type is discord, telegram, slack, pushover, gotify, ntfy, email "
		    "or webhook");
		goto out;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.type, sizeof(c.type), "%s", type);
	snprintf(c.quiet_tz, sizeof(c.quiet_tz), "UTC");
	c.enabled = 1;
	c.batch_window_s = 300;
	c.config = json_object();
	c.templates = json_object();
	/* STARTTLS is required on smtp:// unless said otherwise, as the shell's */
	if (strcmp(type, "email") == 0)
		json_object_set_new(c.config, "starttls", json_true());
	if ((db = web_req_db(req, resp)) == NULL || apply_body(db, resp, body, &c) < 0)
		goto out;
	if (notify_channel_check(c.type, c.config, secrets, &e) < 0) {
		bad(resp, NULL, e.msg);
		goto out;
	}
	if (db_notify_channel_add(db, app_key(req), &c, secrets, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "channel.add", c.name, "ok", json_pack("{s:s}", "type", c.type));
	ret = answer_channel(req, resp, db, c.name, 201);
out:
	notify_secrets_free(secrets);
	notify_channel_release(&c);
	json_decref(body);
	return ret;
}

/* Edit, enable and disable: enabled -1 (from the body), 0 or 1. */
static int
edit(struct web_req *req, struct web_resp *resp, int enabled)
{
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *body = NULL, *secrets = NULL, *oldcfg = NULL, *v;
	const char *old = web_req_param(req, "name");
	PGconn *db;
	int ret = -1, given = 0, moved;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0)
		goto out;
	if (enabled < 0 && (body = web_req_json(req, resp)) == NULL)
		goto out;
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_notify_channel_get(db, old, &c, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	oldcfg = json_deep_copy(c.config);
	/* the stored credentials open under the old address only: before any change */
	if (db_notify_channel_secrets(app_key(req), &c, &secrets, &e) < 0) {
		secrets = json_object();
		err_clear(&e);
	}
	if (body != NULL) {
		if (take_secrets(resp, body, secrets, &given) < 0 || apply_body(db, resp, body, &c) < 0)
			goto out;
		if ((v = json_object_get(body, "name")) != NULL) {
			if (!json_is_string(v) || notify_channel_validate_name(json_string_value(v),
									       &e) < 0) {
				bad(resp, "name", e.msg[0] ? e.msg : "name is a string");
				goto out;
			}
			snprintf(c.name, sizeof(c.name), "%s", json_string_value(v));
		}
		if ((v = json_object_get(body, "type")) != NULL &&
		    (!json_is_string(v) || strcmp(json_string_value(v), c.type) != 0)) {
			bad(resp, "type", "a channel's type cannot change: add a new channel");
			goto out;
		}
	} else {
		c.enabled = enabled;
	}
	if (notify_channel_check(c.type, c.config, secrets, &e) < 0) {
		bad(resp, "secrets", e.msg);
		goto out;
	}
	moved = !same(json_object_get(oldcfg, "url"), json_object_get(c.config, "url")) ||
		json_is_false(json_object_get(oldcfg, "tls_verify")) !=
		json_is_false(json_object_get(c.config, "tls_verify"));
	if (moved && !given && !json_is_true(json_object_get(body, "move_credentials"))) {
		bad(resp, "secrets", "the stored credentials are sealed for the old address: give "
		    "them again, or send \"move_credentials\": true to use them at the new one");
		goto out;
	}
	if (db_notify_channel_update(db, app_key(req), &c, moved || given ? secrets : NULL, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, enabled == 1 ? "channel.enable" : enabled == 0 ? "channel.disable" :
		  "channel.edit", c.name, "ok", json_pack("{s:b, s:b}", "credentials_changed",
							 given > 0, "moved", moved));
	ret = answer_channel(req, resp, db, c.name, 200);
out:
	notify_secrets_free(secrets);
	json_decref(oldcfg);
	notify_channel_release(&c);
	json_decref(body);
	return ret;
}

int
api_channels_edit(struct web_req *req, struct web_resp *resp)
{
	return edit(req, resp, -1);
}

int
api_channels_enable(struct web_req *req, struct web_resp *resp)
{
	return edit(req, resp, 1);
}

int
api_channels_disable(struct web_req *req, struct web_resp *resp)
{
	return edit(req, resp, 0);
}

int
api_channels_remove(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_notify_channel_remove(db, name, &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, "channel.remove", name, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:s, s:b}", "channel", name, "removed", 1));
}

/*
 * A real message through the channel's sender, in this request (a
 * receiver that does not answer costs NOTIFY_TIMEOUT_MS at most).  The
 * answer says what the receiver said; a refusal is 200 with ok false, not
 * an HTTP error: the request itself went well.
 */
int
api_channels_test(struct web_req *req, struct web_resp *resp)
{
	struct notify_channel c;
	struct notify_answer ans;
	struct err e = ERR_INIT;
	json_t *o;
	PGconn *db;
	int ok;

	memset(&c, 0, sizeof(c));
	if (need_key(req, resp) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_notify_channel_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		notify_channel_release(&c);
		return web_resp_err(resp, &e);
	}
	ok = notify_channel_test(app_key(req), &c, &ans, &e) == 0;
	o = json_pack("{s:s, s:s, s:b, s:s}", "channel", c.name, "type", c.type, "ok", ok,
		      "answer", ans.text);
	if (ans.status > 0)
		json_object_set_new(o, "status", json_integer(ans.status));
	if (!ok) {
		json_object_set_new(o, "error_kind", json_string(err_kind_name(e.kind)));
		json_object_set_new(o, "error", json_string(e.msg));
	}
	log_redact_json(o);
	api_audit(db, req, "channel.test", c.name, ok ? "ok" : "failed",
		  ans.status > 0 ? json_pack("{s:i}", "status", (int)ans.status) : NULL);
	notify_channel_release(&c);
	return web_resp_json(resp, 200, o);
}
