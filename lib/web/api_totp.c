/*
 * api_totp.c - a user's own second factor, and an administrator's reset of
 * someone else's (Req 10, 35; crypto/totp.h, db/totp.h).
 *
 *   GET  /api/auth/totp/status     state: enabled, pending, recovery codes left
 *   POST /api/auth/totp/setup      {password, algorithm?}: a new secret, shown
 *                                  this once (base32 and otpauth:// URI)
 *   POST /api/auth/totp/confirm    {code}: enabled; the recovery codes, shown
 *                                  this once
 *   POST /api/auth/totp/disable    {password} or {recovery_code}
 *   POST /api/auth/totp/recovery   {password}: ten new codes, the old ones void
 *   DELETE /api/users/{name}/totp  (admin) the lost-phone reset
 *
 * Only a session acts on its own account (an API key has no password to
 * confirm with); the server's CSRF rule covers every POST.  A wrong
 * password here is refused and audited like one on the password change,
 * not counted toward the lockout (the caller holds a session already), but
 * each check takes from the per-address login limit.  The secret is never in a log line (registered with the redactor) nor in
 * any answer but setup's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/log.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "db/totp.h"
#include "db/users.h"
#include "web/api.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/server.h"
#include "core/banned.h"

#define TOTP_ISSUER	"Comradarr"

static int
need_session(struct web_req *req, struct web_resp *resp)
{
	if (req->who.kind != WEB_SESSION || req->who.user_id == 0)
		return web_resp_error(resp, 400, "not_a_session", NULL, "only a signed-in user can "
				      "change their own two-factor authentication");
	return 0;
}

static int
need_key(const struct web_app *app, struct web_resp *resp)
{
	if (!app->have_key)
		return web_resp_error(resp, 503, "no_secret_key", NULL, "the server has no "
				      "SECRET_KEY to seal two-factor secrets with");
	return 0;
}

/*
 * The caller's password from body's "password" against the stored hash:
 * 0 right; -1 with the answer in resp (wrong: 403 and an audit line).
 */
static int
check_password(struct web_req *req, struct web_resp *resp, PGconn *db, const char *password,
	       const char *action)
{
	struct db_user u;
	struct err e = ERR_INIT;
	int found = 0, ok = 0;

	if (password == NULL)
		return web_resp_error(resp, 400, "invalid", "password", "send your current "
				      "password as \"password\"");
	/* a password guess like a login's: a stolen session cannot probe faster */
	if (web_login_limited(req, resp) < 0)
		return -1;
	if (db_user_get_login(db, req->who.user, &u, &found, &e) < 0)
		return web_resp_err(resp, &e);
	if (found && strlen(password) <= PASSWORD_MAX_BYTES)
		ok = web_password_check(req->app, u.password_hash, password);
	db_user_release(&u);
	if (ok == -2)
		return web_login_busy(resp);
	if (ok != 1) {
		api_audit(db, req, action, req->who.user, "refused",
			  json_pack("{s:s}", "reason", "wrong password"));
		return web_resp_error(resp, 403, "wrong_password", "password",
				      "the password is wrong");
	}
	return 0;
}

static json_t *
codes_json(char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE])
{
	json_t *a = json_array();

	for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
		json_array_append_new(a, json_string(codes[i]));
	return a;
}

int
api_totp_status(struct web_req *req, struct web_resp *resp)
{
	struct db_totp_status st;
	struct err e = ERR_INIT;
	PGconn *db;

	if (need_session(req, resp) < 0 || (db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_totp_status(db, req->who.user_id, &st, &e) < 0)
		return web_resp_err(resp, &e);
	return web_resp_json(resp, 200, json_pack("{s:b,s:b,s:s,s:i}", "enabled", st.enabled,
						  "pending", st.present && !st.enabled,
						  "algorithm", totp_alg_name(st.alg),
						  "recovery_codes_left", st.recovery_left));
}

int
api_totp_setup(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	unsigned char secret[TOTP_SECRET_MAX];
	char b32[TOTP_BASE32_MAX], *uri = NULL;
	struct err e = ERR_INIT;
	enum totp_alg alg = TOTP_SHA1;
	const char *algname;
	json_t *body = NULL;
	size_t len = 0;
	PGconn *db;
	int ret = -1;

	if (need_session(req, resp) < 0 || need_key(app, resp) < 0)
		return -1;
	if ((body = web_req_json(req, resp)) == NULL)
		return -1;
	algname = json_string_value(json_object_get(body, "algorithm"));
	if (algname != NULL && totp_alg_parse(algname, &alg, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "algorithm", "%s", e.msg);
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL ||
	    check_password(req, resp, db, json_string_value(json_object_get(body, "password")),
			   "user.totp.setup") < 0)
		goto out;
	if (db_totp_begin(db, app->key, req->who.user_id, alg, secret, &len, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	totp_base32(secret, len, b32, sizeof(b32));
	sodium_memzero(secret, sizeof(secret));
	log_secret_add(b32);
	uri = totp_uri(TOTP_ISSUER, req->who.user, alg, b32);
	if (uri == NULL) {
		web_resp_error(resp, 500, "internal", NULL, "out of memory");
		goto out;
	}
	api_audit(db, req, "user.totp.setup", req->who.user, "ok",
		  json_pack("{s:s}", "algorithm", totp_alg_name(alg)));
	/* the one answer that carries the secret: to its owner, to scan */
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:s,s:s,s:i,s:i,s:b}", "secret", b32,
						 "otpauth_uri", uri, "algorithm",
						 totp_alg_name(alg), "digits", TOTP_DIGITS,
						 "period", TOTP_PERIOD_S, "enabled", 0));
out:
	sodium_memzero(b32, sizeof(b32));
	if (uri != NULL) {
		sodium_memzero(uri, strlen(uri));
		free(uri);
	}
	json_decref(body);
	return ret;
}

int
api_totp_confirm(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE];
	enum totp_result res = TOTP_WRONG;
	struct err e = ERR_INIT;
	const char *code;
	json_t *body = NULL;
	PGconn *db;
	int ret = -1;

	if (need_session(req, resp) < 0 || need_key(app, resp) < 0)
		return -1;
	if ((body = web_req_json(req, resp)) == NULL)
		return -1;
	code = json_string_value(json_object_get(body, "code"));
	if (code == NULL || !totp_is_code(code)) {
		web_resp_error(resp, 400, "invalid", "code", "send the 6 digits your "
			       "authenticator app shows now as \"code\"");
		goto out;
	}
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_totp_confirm(db, app->key, req->who.user_id, code, (int64_t)time(NULL), &res,
			    codes, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (res != TOTP_OK) {
		api_audit(db, req, "user.totp.enable", req->who.user, "refused",
			  json_pack("{s:s}", "reason", "wrong code"));
		web_resp_error(resp, 422, "wrong_code", "code", "that code does not match: check "
			       "the app's clock and try the code it shows now");
		goto out;
	}
	api_audit(db, req, "user.totp.enable", req->who.user, "ok", NULL);
	ret = web_resp_json(resp, 200, json_pack("{s:b,s:o}", "enabled", 1, "recovery_codes",
						 codes_json(codes)));
	sodium_memzero(codes, sizeof(codes));
out:
	json_decref(body);
	return ret;
}

int
api_totp_disable(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	const char *pw, *rc;
	json_t *body = NULL;
	int removed = 0, ok = 0, left = 0, ret = -1;
	PGconn *db;

	if (need_session(req, resp) < 0 || (body = web_req_json(req, resp)) == NULL)
		return -1;
	pw = json_string_value(json_object_get(body, "password"));
	rc = json_string_value(json_object_get(body, "recovery_code"));
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (pw == NULL && rc != NULL) {
		if (db_totp_recovery_use(db, req->who.user_id, rc, &ok, &left, &e) < 0) {
			web_resp_err(resp, &e);
			goto out;
		}
		if (!ok) {
			api_audit(db, req, "user.totp.disable", req->who.user, "refused",
				  json_pack("{s:s}", "reason", "wrong recovery code"));
			web_resp_error(resp, 403, "wrong_code", "recovery_code",
				       "that recovery code is not one of yours or was used");
			goto out;
		}
		api_audit(db, req, "user.totp.recovery_used", req->who.user, "ok",
			  json_pack("{s:i}", "recovery_codes_left", left));
	} else if (check_password(req, resp, db, pw, "user.totp.disable") < 0) {
		goto out;
	}
	if (db_totp_remove(db, req->who.user_id, &removed, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (!removed) {
		web_resp_error(resp, 404, "not_found", NULL, "two-factor authentication is not "
			       "enabled for '%s'", req->who.user);
		goto out;
	}
	api_audit(db, req, "user.totp.disable", req->who.user, "ok",
		  json_pack("{s:s}", "with", rc != NULL && pw == NULL ? "recovery_code" : "password"));
	ret = web_resp_json(resp, 200, json_pack("{s:b}", "enabled", 0));
out:
	json_decref(body);
	return ret;
}

int
api_totp_recovery(struct web_req *req, struct web_resp *resp)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE];
	struct err e = ERR_INIT;
	json_t *body = NULL;
	PGconn *db;
	int ret = -1;

	if (need_session(req, resp) < 0 || (body = web_req_json(req, resp)) == NULL)
		return -1;
	if ((db = web_req_db(req, resp)) == NULL ||
	    check_password(req, resp, db, json_string_value(json_object_get(body, "password")),
			   "user.totp.recovery") < 0)
		goto out;
	if (db_totp_recovery_renew(db, req->who.user_id, codes, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	api_audit(db, req, "user.totp.recovery", req->who.user, "ok", NULL);
	ret = web_resp_json(resp, 200, json_pack("{s:o}", "recovery_codes", codes_json(codes)));
	sodium_memzero(codes, sizeof(codes));
out:
	json_decref(body);
	return ret;
}

int
api_users_totp_reset(struct web_req *req, struct web_resp *resp)
{
	const char *name = web_req_param(req, "name");
	struct db_user u;
	struct err e = ERR_INIT;
	int found = 0, removed = 0;
	PGconn *db = web_req_db(req, resp);

	if (db == NULL)
		return -1;
	if (db_user_get_login(db, name, &u, &found, &e) < 0)
		return web_resp_err(resp, &e);
	db_user_release(&u);
	if (!found)
		return web_resp_error(resp, 404, "not_found", NULL, "no user named '%s'", name);
	if (db_totp_remove(db, u.id, &removed, &e) < 0)
		return web_resp_err(resp, &e);
	if (!removed)
		return web_resp_error(resp, 404, "not_found", NULL, "'%s' has no two-factor "
				      "authentication to reset", name);
	api_audit(db, req, "user.totp.reset", name, "ok", NULL);
	return web_resp_json(resp, 200, json_pack("{s:s,s:b}", "name", name, "enabled", 0));
}
