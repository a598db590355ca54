/*
 * api_admin.c - administration over HTTP (admin role, by session only):
 * users, API keys, settings and the audit log.
 *
 * A new API key is in the answer to its creation and nowhere else, ever;
 * only its SHA-256 is stored.  Settings are shown through the redactor, so a
 * setting some feature stores a secret in is never sent back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/log.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "db/browse.h"
#include "db/settings.h"
#include "db/users.h"
#include "web/api.h"
#include "web/app.h"
#include "web/server.h"
#include "core/banned.h"

int
api_users_list(struct web_req *req, struct web_resp *resp)
{
	struct db_user *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	PGconn *db = web_req_db(req, resp);
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_user_list(db, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I,s:s,s:s,s:I,s:i,s:b}", "id",
						   (json_int_t)list[i].id, "name", list[i].name,
						   "role", list[i].role, "locked_for_s",
						   (json_int_t)list[i].locked_for_s, "failed_logins",
						   list[i].failed_logins, "totp", list[i].totp));
	free(list);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_users_add(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	json_t *body = web_req_json(req, resp);
	const char *name, *role, *pw;
	char *hash = NULL;
	int64_t id = 0;
	PGconn *db;
	int ret = -1;

	if (body == NULL)
		return -1;
	name = json_string_value(json_object_get(body, "name"));
	role = json_string_value(json_object_get(body, "role"));
	pw = json_string_value(json_object_get(body, "password"));
	if (role == NULL)
		role = "readonly";
	if (user_validate_name(name, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "name", "%s", e.msg);
		goto out;
	}
	if (user_validate_role(role, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "role", "%s", e.msg);
		goto out;
	}
	if (user_validate_password(pw, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "password", "%s", e.msg);
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (password_hash(pw, &hash, &e) < 0 || db_user_add(db, name, role, hash, &id, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "user.add", name, "ok", json_pack("{s:s}", "role", role));
	ret = web_resp_json(resp, 201, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id,
						 "name", name, "role", role));
out:
	free(hash);
	json_decref(body);
	return ret;
}

int
api_users_edit(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name"), *role, *pw;
	json_t *body = web_req_json(req, resp);
	char *hash = NULL;
	PGconn *db;
	int ret = -1;

	if (body == NULL)
		return -1;
	role = json_string_value(json_object_get(body, "role"));
	pw = json_string_value(json_object_get(body, "password"));
	if (role == NULL && pw == NULL) {
		web_resp_error(resp, 400, "invalid", NULL, "send a role, a password or both");
		goto out;
	}
	if (role != NULL && user_validate_role(role, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "role", "%s", e.msg);
		goto out;
	}
	if (pw != NULL && user_validate_password(pw, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "password", "%s", e.msg);
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if ((role != NULL && db_user_set_role(db, name, role, &e) < 0) ||
	    (pw != NULL && (password_hash(pw, &hash, &e) < 0 ||
			    db_user_set_password(db, name, hash, &e) < 0))) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, pw ? "user.password" : "user.role", name, "ok",
		  role ? json_pack("{s:s}", "role", role) : NULL);
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:b}", "name", name, "updated", 1));
out:
	free(hash);
	json_decref(body);
	return ret;
}

int
api_users_remove(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *name = web_req_param(req, "name");
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_user_remove(db, name, &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, "user.remove", name, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:s,s:b}", "name", name, "removed", 1));
}

int
api_keys_list(struct web_req *req, struct web_resp *resp)
{
	struct db_apikey *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	PGconn *db = web_req_db(req, resp);
	json_t *a;

	if (db == NULL)
		return -1;
	if (db_apikey_list(db, &list, &n, &e) < 0)
		return web_resp_err(resp, &e);
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "id", (json_int_t)list[i].id,
				      "last4", list[i].last4, "description", list[i].description,
				      "scope", list[i].scope, "created_by", list[i].created_by,
				      "revoked", list[i].revoked_us != 0);

		json_object_set_new(o, "last_used_us", list[i].last_used_us ?
				    json_integer(list[i].last_used_us) : json_null());
		json_array_append_new(a, o);
	}
	free(list);
	return web_resp_json(resp, 200, json_pack("{s:o}", "items", a));
}

int
api_keys_add(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	json_t *body = web_req_json(req, resp);
	const char *desc, *scope;
	char raw[TOKEN_B64URL_SIZE(32)], key[sizeof(raw) + 4], hash[65];
	int64_t id = 0;
	PGconn *db;
	int ret = -1;

	if (body == NULL)
		return -1;
	desc = json_string_value(json_object_get(body, "description"));
	scope = json_string_value(json_object_get(body, "scope"));
	if (scope == NULL)
		scope = "read";
	if (desc == NULL || desc[0] == '\0' || strlen(desc) > 200) {
		web_resp_error(resp, 400, "invalid", "description",
			       "a key needs a description of 1-200 characters");
		goto out;
	}
	if (apikey_validate_scope(scope, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "scope", "%s", e.msg);
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (token_random_b64url(raw, sizeof(raw), 32) < 0) {
		web_resp_error(resp, 500, "internal", NULL, "no randomness");
		goto out;
	}
	snprintf(key, sizeof(key), "cmr_%s", raw);
	sodium_memzero(raw, sizeof(raw));
	token_sha256_hex(key, hash);
	if (db_apikey_add(db, hash, key + strlen(key) - 4, desc, scope, req->who.user, &id,
			  &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "apikey.add", desc, "ok", json_pack("{s:I,s:s}", "id", (json_int_t)id,
							       "scope", scope));
	/* shown this once; the member is not named like a secret on purpose:
	 * the answer to its creation is the one place it must appear */
	ret = web_resp_json(resp, 201, json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id,
						 "scope", scope, "description", desc,
						 "new_key_shown_once", key));
	sodium_memzero(key, sizeof(key));
out:
	json_decref(body);
	return ret;
}

int
api_keys_revoke(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *ids = web_req_param(req, "id");
	char *end = NULL;
	long long id;
	PGconn *db;

	errno = 0;
	id = strtoll(ids, &end, 10);
	if (errno != 0 || *end != '\0' || id < 1)
		return web_resp_error(resp, 404, "not_found", "id", "no API key with id '%s'", ids);
	if ((db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_apikey_revoke(db, id, &e) < 0)
		return web_resp_err(resp, &e);
	api_audit(db, req, "apikey.revoke", ids, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "revoked", 1));
}

/* A setting whose name says it holds a secret: never stored here, never shown. */
static int
setting_is_secret(const char *key)
{
	static const char *const words[] = { "password", "passwd", "secret", "token", "apikey",
					     "api_key", "credential", "private", NULL };

	for (int i = 0; words[i] != NULL; i++)
		if (strstr(key, words[i]) != NULL)
			return 1;
	return log_field_is_secret(key);
}

int
api_settings_get(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	json_t *s = NULL;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_settings_all(db, &s, &e) < 0)
		return web_resp_err(resp, &e);
	{
		const char *k;
		json_t *v;

		json_object_foreach(s, k, v)
			if (setting_is_secret(k))
				json_object_set_new(s, k, json_string("[REDACTED]"));
	}
	log_redact_json(s);
	return web_resp_json(resp, 200, s);
}

/*
 * A setting of policy/settings.h: checked against its type and range,
 * stored with its setting_changed event (db_setting_set), and the log
 * level applied to this server at once (Req 31.5).  {"value": null}
 * resets it to its default.
 */
static int
put_typed(struct web_req *req, struct web_resp *resp, PGconn *db, const struct setting_def *d,
	  json_t *v)
{
	const struct web_app *app = req->app;
	struct err e = ERR_INIT;
	char text[64], shown[32];
	long long value = d->dflt, prev = 0;
	int reset = json_is_null(v);

	if (json_is_string(v))
		snprintf(text, sizeof(text), "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(text, sizeof(text), "%lld", (long long)json_integer_value(v));
	else if (json_is_boolean(v))
		snprintf(text, sizeof(text), "%s", json_is_true(v) ? "true" : "false");
	else if (!reset)
		return web_resp_error(resp, 400, "invalid", "value", "setting '%s' takes a %s",
				      d->key, d->type == SETTING_INT ? "number" :
				      d->type == SETTING_BOOL ? "boolean" : "name");
	if (!reset && settings_parse(d, text, &value, &e) < 0)
		return web_resp_error(resp, 400, "invalid", "value", "%s", e.msg);
	if (db_setting_set(db, d, value, reset, &prev, &e) < 0)
		return web_resp_err(resp, &e);
	if (strcmp(d->key, SETTING_LOG_LEVEL) == 0 &&
	    db_setting_apply_log_level(db, app->cfg ? app->cfg->log_level : LOG_LEVEL_INFO, &e) < 0)
		log_warn("serve", "the new log level was stored but not applied: %s", e.msg);
	settings_format(d, value, shown, sizeof(shown));
	api_audit(db, req, "setting.set", d->key, "ok",
		  json_pack("{s:s, s:b}", "value", shown, "default", reset));
	return web_resp_json(resp, 200, json_pack("{s:s, s:s, s:b}", "key", d->key, "value", shown,
						  "default", reset));
}

int
api_settings_put(struct web_req *req, struct web_resp *resp)
{
	return api_settings_put_key(req, resp, web_req_param(req, "key"));
}

int
api_settings_put_key(struct web_req *req, struct web_resp *resp, const char *key)
{
	struct err e = ERR_INIT;
	json_t *body = web_req_json(req, resp), *v;
	PGconn *db;
	int ret = -1;

	if (body == NULL)
		return -1;
	v = json_object_get(body, "value");
	if (key == NULL) {
		web_resp_error(resp, 404, "not_found", "key", "which setting?");
		goto out;
	}
	if (v == NULL) {
		web_resp_error(resp, 400, "invalid", "value", "send {\"value\": ...}");
		goto out;
	}
	if (settings_find(key) != NULL) {
		if ((db = web_req_db(req, resp)) != NULL)
			ret = put_typed(req, resp, db, settings_find(key), v);
		goto out;
	}
	if (setting_is_secret(key)) {
		web_resp_error(resp, 400, "invalid", "key", "secrets are not settings: they have "
			       "their own sealed storage");
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_setting_put(db, key, v, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "setting.set", key, "ok", json_pack("{s:O}", "value", v));
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:O}", "key", key, "value", v));
out:
	json_decref(body);
	return ret;
}

int
api_audit_list(struct web_req *req, struct web_resp *resp)
{
	struct browse_filter f;
	struct api_qbuf qb;
	struct err e = ERR_INIT;
	json_t *items = NULL;
	PGconn *db;

	if (api_filter(req, resp, &f, &qb) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_audit_list(db, f.before, f.limit, &items, &e) < 0)
		return web_resp_err(resp, &e);
	return api_page(resp, items, f.limit, "before");
}
