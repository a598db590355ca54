/*
 * api_auth.c - log in, log out, who am I, change my password (Req 10, 35).
 *
 * A failed login looks the same whether the user exists or not: the same
 * status, body and work (an unknown user's password is verified against a
 * dummy hash).  Before any of that, a per-address limit answers 429, so a
 * flood costs no Argon2 time and memory stays flat; at most two verifies run
 * at once.  After lock_attempts failures an account is locked for
 * lock_minutes, and the answer says for how long.
 *
 * With TOTP enabled, the right password makes no session but a pending
 * login (auth.h); api_login_totp takes the code and makes the session.
 * Only a caller who knows the password learns that the account has a
 * second factor: an unknown user and a wrong password answer as before.
 */
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "crypto/totp.h"
#include "db/totp.h"
#include "db/users.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/server.h"
#include "core/banned.h"

static int
login_failed(struct web_resp *resp)
{
	return web_resp_error(resp, 401, "login_failed", NULL, "wrong user name or password");
}

static int
locked(struct web_resp *resp, int64_t secs)
{
	char ra[24];

	snprintf(ra, sizeof(ra), "%lld", (long long)secs);
	web_resp_error(resp, 429, "locked", NULL, "too many failed logins: the account is locked "
		       "for %lld more minute%s", (long long)(secs + 59) / 60,
		       (secs + 59) / 60 == 1 ? "" : "s");
	web_resp_header(resp, "Retry-After", ra);
	return -1;
}

/* Every password check slot is taken: come back in a second. */
static int
busy(struct web_resp *resp)
{
	web_resp_error(resp, 503, "busy", NULL, "too many logins at once; retry in a second");
	web_resp_header(resp, "Retry-After", "1");
	return -1;
}

/*
 * Verify under the Argon2 slot limit; 1 match, 0 not, -1 error, -2 every
 * slot stayed busy for 250 ms.  Waiting longer would hold a server thread
 * hostage to a login flood; the caller answers 503 and the client retries.
 */
static int
verify(struct web_app *app, const char *hash, const char *password)
{
	struct err e = ERR_INIT;
	struct timespec until;
	int rc;

	if (app->argon_slots_ok) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (sem_timedwait(&app->argon_slots, &until) < 0)
			return -2;
	}
	rc = password_verify(hash, password, &e);
	if (app->argon_slots_ok)
		sem_post(&app->argon_slots);
	return rc;
}

int
web_password_check(struct web_app *app, const char *hash, const char *password)
{
	return verify(app, hash, password);
}

int
web_login_busy(struct web_resp *resp)
{
	return busy(resp);
}

static void
audit(PGconn *db, const struct web_req *req, const char *actor, const char *action,
      const char *target, const char *outcome, json_t *detail)
{
	struct err e = ERR_INIT;

	if (db_audit(db, actor, req->peer, action, target, outcome, detail, &e) < 0)
		log_warn("serve", "audit log not written: %s", e.msg);
}

/* New session id and CSRF token; the cookie and the answer (extra's
 * members added; stolen, may be NULL). */
static int
start_session(struct web_req *req, struct web_resp *resp, PGconn *db, const struct db_user *u,
	      json_t *extra)
{
	struct web_app *app = req->app;
	struct err e = ERR_INIT;
	char id[TOKEN_B64URL_SIZE(16)], csrf[TOKEN_B64URL_SIZE(32)], hash[65], old[128];
	char oldhash[65];
	const char *oh = NULL;
	int ret;

	json_t *answer;

	if (token_random_b64url(id, sizeof(id), 16) < 0 ||
	    token_random_b64url(csrf, sizeof(csrf), 32) < 0) {
		json_decref(extra);
		return web_resp_error(resp, 500, "internal", NULL, "no randomness");
	}
	token_sha256_hex(id, hash);
	/* rotation: whatever session id the browser came with dies here */
	if (web_req_cookie(req, web_session_cookie_name(req->tls), old, sizeof(old)) != NULL) {
		token_sha256_hex(old, oldhash);
		oh = oldhash;
	}
	if (db_session_create(db, u->id, hash, csrf, app->session_idle_minutes,
			      app->session_max_hours, req->peer, oh, &e) < 0) {
		sodium_memzero(id, sizeof(id));
		json_decref(extra);
		return web_resp_err(resp, &e);
	}
	web_session_cookie(resp, req->tls, id, (long)app->session_max_hours * 3600);
	sodium_memzero(id, sizeof(id));
	answer = json_pack("{s:s,s:s,s:s}", "user", u->name, "role", u->role, "csrf_token", csrf);
	if (extra != NULL) {
		json_object_update(answer, extra);
		json_decref(extra);
	}
	ret = web_resp_json(resp, 200, answer);
	sodium_memzero(csrf, sizeof(csrf));
	return ret;
}

int
web_login_limited(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	long wait = web_limiter_take(app->addr_limit, req->peer, clock_mono_us());
	char ra[24];

	if (wait <= 0)
		return 0;
	snprintf(ra, sizeof(ra), "%ld", wait);
	web_resp_error(resp, 429, "rate_limited", NULL,
		       "too many login attempts from this address; retry in %ld s", wait);
	web_resp_header(resp, "Retry-After", ra);
	return -1;
}

/*
 * The password was right and u has TOTP enabled: a pending login instead
 * of a session.  The token goes out twice, as the JSON field (scripts) and
 * as the login cookie (the web UI's form), and is stored only as a hash.
 */
static int
start_pending(struct web_req *req, struct web_resp *resp, PGconn *db, const struct db_user *u)
{
	struct err e = ERR_INIT;
	char tok[TOKEN_B64URL_SIZE(16)], hash[65];
	int ret;

	if (token_random_b64url(tok, sizeof(tok), 16) < 0)
		return web_resp_error(resp, 500, "internal", NULL, "no randomness");
	token_sha256_hex(tok, hash);
	if (db_login_pending_add(db, hash, u->id, WEB_LOGIN_PENDING_S, req->peer, &e) < 0) {
		sodium_memzero(tok, sizeof(tok));
		return web_resp_err(resp, &e);
	}
	web_login_cookie(resp, req->tls, tok, WEB_LOGIN_PENDING_S);
	ret = web_resp_json(resp, 200, json_pack("{s:s,s:b,s:s,s:i}", "user", u->name,
						 "totp_required", 1, "pending_token", tok,
						 "expires_in_s", WEB_LOGIN_PENDING_S));
	sodium_memzero(tok, sizeof(tok));
	return ret;
}

int
api_login(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	struct db_user u;
	struct db_totp_status ts;
	struct err e = ERR_INIT;
	json_t *body;
	const char *name, *password;
	PGconn *db;
	int found = 0, ok = 0, ret = -1;

	memset(&u, 0, sizeof(u));
	if (web_login_limited(req, resp) < 0)
		return -1;
	body = web_req_json(req, resp);
	if (body == NULL)
		return -1;
	name = json_string_value(json_object_get(body, "username"));
	password = json_string_value(json_object_get(body, "password"));
	if (name == NULL || password == NULL || strlen(name) > USER_NAME_MAX ||
	    strlen(password) > PASSWORD_MAX_BYTES) {
		web_resp_error(resp, 400, "invalid", name == NULL ? "username" : "password",
			       "send {\"username\": ..., \"password\": ...}");
		goto out;
	}
	db = web_req_db(req, resp);
	if (db == NULL)
		goto out;
	if (db_user_get_login(db, name, &u, &found, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (!found || u.locked_for_s > 0) {
		/* the same work either way */
		if (verify(app, app->dummy_hash, password) == -2) {
			busy(resp);
			goto out;
		}
		if (found) {
			audit(db, req, name, "login", name, "locked",
			      json_pack("{s:I}", "locked_for_s", (json_int_t)u.locked_for_s));
			locked(resp, u.locked_for_s);
		} else {
			audit(db, req, name, "login", NULL, "failed",
			      json_pack("{s:s}", "reason", "unknown user"));
			login_failed(resp);
		}
		goto out;
	}
	ok = verify(app, u.password_hash, password);
	if (ok == -2) {
		busy(resp);
		goto out;
	}
	if (ok != 1) {
		int64_t lock = 0;

		if (db_user_login_failed(db, u.id, app->lock_attempts, app->lock_minutes, &lock,
					 &e) < 0) {
			web_resp_err(resp, &e);
			goto out;
		}
		audit(db, req, name, "login", name, lock > 0 ? "locked" : "failed",
		      json_pack("{s:s}", "reason", "wrong password"));
		if (lock > 0)
			locked(resp, lock);
		else
			login_failed(resp);
		goto out;
	}
	if (db_totp_status(db, u.id, &ts, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (ts.enabled) {
		/* the failure count stays until the second step succeeds */
		if (start_pending(req, resp, db, &u) < 0)
			goto out;
		audit(db, req, name, "login.password", name, "ok",
		      json_pack("{s:s}", "second_factor", "required"));
		ret = 0;
		goto out;
	}
	if (start_session(req, resp, db, &u, NULL) < 0)
		goto out;
	audit(db, req, name, "login", name, "ok", NULL);
	ret = 0;
out:
	db_user_release(&u);
	json_decref(body);	/* jansson does not wipe: the password lives in freed memory */
	return ret;
}

/* A pending-login token as start_pending makes them. */
static int
plausible_pending(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= 16 && n <= 64 &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static int
login_expired(struct web_req *req, struct web_resp *resp)
{
	web_login_cookie(resp, req->tls, "", 0);
	return web_resp_error(resp, 401, "login_expired", NULL,
			      "this sign-in has expired or was finished already; sign in again");
}

/*
 * The second step: {"pending_token": ..., "code": ...} (or the login
 * cookie instead of the token).  The code is 6 digits from the app or one
 * recovery code.  Wrong codes count as failed logins (lockout); the token
 * is taken (deleted) only by the step that succeeds, so it is single-use
 * and a typo can be corrected until it expires or the account locks.
 */
int
api_login_totp(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	struct db_user u;
	struct err e = ERR_INIT;
	enum totp_result res = TOTP_WRONG;
	char cookie[128], hash[65], name[USER_NAME_MAX + 1];
	const char *tok, *code, *how;
	json_t *body;
	int64_t uid = 0;
	int found = 0, ok = 0, left = -1, ret = -1;
	PGconn *db;

	memset(&u, 0, sizeof(u));
	cookie[0] = '\0';
	if (web_login_limited(req, resp) < 0)
		return -1;
	body = web_req_json(req, resp);
	if (body == NULL)
		return -1;
	tok = json_string_value(json_object_get(body, "pending_token"));
	if (tok == NULL)
		tok = web_req_cookie(req, web_login_cookie_name(req->tls), cookie, sizeof(cookie));
	code = json_string_value(json_object_get(body, "code"));
	if (code == NULL || strlen(code) > 64) {
		web_resp_error(resp, 400, "invalid", "code", "send {\"pending_token\": ..., "
			       "\"code\": ...}: the 6 digits from the app or a recovery code");
		goto out;
	}
	if (!plausible_pending(tok)) {
		login_expired(req, resp);
		goto out;
	}
	token_sha256_hex(tok, hash);
	sodium_memzero(cookie, sizeof(cookie));
	if ((db = web_req_db(req, resp)) == NULL)
		goto out;
	if (db_login_pending_get(db, hash, &uid, name, &found, &e) < 0 ||
	    (found && db_user_get_login(db, name, &u, &found, &e) < 0)) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (!found) {
		login_expired(req, resp);
		goto out;
	}
	if (u.locked_for_s > 0) {
		(void)db_login_pending_drop_user(db, u.id, &e);
		audit(db, req, name, "login.totp", name, "locked",
		      json_pack("{s:I}", "locked_for_s", (json_int_t)u.locked_for_s));
		web_login_cookie(resp, req->tls, "", 0);
		locked(resp, u.locked_for_s);
		goto out;
	}
	if (totp_is_code(code)) {
		how = "totp";
		if (!app->have_key) {
			web_resp_error(resp, 503, "no_secret_key", NULL, "the server cannot open "
				       "two-factor secrets (SECRET_KEY is not available); use a "
				       "recovery code or ask an administrator");
			goto out;
		}
		if (db_totp_check(db, app->key, u.id, code, (int64_t)time(NULL), &res, &e) < 0) {
			web_resp_err(resp, &e);
			goto out;
		}
		ok = res == TOTP_OK;
	} else {
		how = "recovery_code";
		if (db_totp_recovery_use(db, u.id, code, &ok, &left, &e) < 0) {
			web_resp_err(resp, &e);
			goto out;
		}
	}
	if (!ok) {
		int64_t lock = 0;

		if (db_user_login_failed(db, u.id, app->lock_attempts, app->lock_minutes, &lock,
					 &e) < 0) {
			web_resp_err(resp, &e);
			goto out;
		}
		audit(db, req, name, "login.totp", name, lock > 0 ? "locked" : "failed",
		      json_pack("{s:s}", "reason", res == TOTP_REPLAYED ? "code used already" :
				strcmp(how, "totp") == 0 ? "wrong code" : "wrong recovery code"));
		if (lock > 0) {
			(void)db_login_pending_drop_user(db, u.id, &e);
			web_login_cookie(resp, req->tls, "", 0);
			locked(resp, lock);
		} else {
			web_resp_error(resp, 401, "wrong_code", "code", "the code is wrong or was "
				       "used already; wait for the next one, or use a recovery code");
		}
		goto out;
	}
	if (db_login_pending_take(db, hash, &found, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (!found) {
		/* another request finished this sign-in first */
		login_expired(req, resp);
		goto out;
	}
	web_login_cookie(resp, req->tls, "", 0);
	if (start_session(req, resp, db, &u, left >= 0 ? json_pack("{s:i}", "recovery_codes_left",
								   left) : NULL) < 0)
		goto out;
	audit(db, req, name, "login", name, "ok", json_pack("{s:s}", "second_factor", how));
	if (left >= 0)
		audit(db, req, name, "user.totp.recovery_used", name, "ok",
		      json_pack("{s:i}", "recovery_codes_left", left));
	ret = 0;
out:
	db_user_release(&u);
	json_decref(body);
	return ret;
}

int
api_logout(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	PGconn *db;

	if (req->who.kind != WEB_SESSION || req->who.session_hash[0] == '\0')
		return web_resp_error(resp, 400, "not_a_session", NULL, "no session to log out of");
	db = web_req_db(req, resp);
	if (db == NULL)
		return -1;
	if (db_session_delete(db, req->who.session_hash, &e) < 0)
		return web_resp_err(resp, &e);
	audit(db, req, req->who.user, "logout", req->who.user, "ok", NULL);
	web_session_cookie(resp, req->tls, "", 0);
	return web_resp_json(resp, 200, json_pack("{s:b}", "logged_out", 1));
}

int
api_session(struct web_req *req, struct web_resp *resp)
{
	json_t *o = json_pack("{s:s,s:s}", "user", req->who.user,
			      "kind", req->who.kind == WEB_APIKEY ? "api_key" : "session");

	if (req->who.kind == WEB_APIKEY)
		json_object_set_new(o, "scope", json_string(req->who.scope));
	else
		json_object_set_new(o, "role", json_string(req->who.role));
	if (req->who.csrf[0] != '\0')
		json_object_set_new(o, "csrf_token", json_string(req->who.csrf));
	return web_resp_json(resp, 200, o);
}

int
api_password(struct web_req *req, struct web_resp *resp)
{
	struct web_app *app = req->app;
	struct db_user u;
	struct err e = ERR_INIT;
	const char *cur, *next;
	char *hash = NULL;
	json_t *body = NULL;
	PGconn *db;
	int found = 0, ret = -1, ok = 0;

	memset(&u, 0, sizeof(u));
	if (req->who.kind != WEB_SESSION || req->who.session_hash[0] == '\0')
		return web_resp_error(resp, 400, "not_a_session", NULL,
				      "only a logged-in user can change their password");
	body = web_req_json(req, resp);
	if (body == NULL)
		return -1;
	cur = json_string_value(json_object_get(body, "current_password"));
	next = json_string_value(json_object_get(body, "new_password"));
	if (cur == NULL || next == NULL) {
		web_resp_error(resp, 400, "invalid", cur == NULL ? "current_password" : "new_password",
			       "send {\"current_password\": ..., \"new_password\": ...}");
		goto out;
	}
	if (user_validate_password(next, &e) < 0) {
		web_resp_error(resp, 400, "invalid", "new_password", "%s", e.msg);
		goto out;
	}
	db = web_req_db(req, resp);
	if (db == NULL)
		goto out;
	if (db_user_get_login(db, req->who.user, &u, &found, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	if (found && strlen(cur) <= PASSWORD_MAX_BYTES &&
	    (ok = verify(app, u.password_hash, cur)) == -2) {
		busy(resp);
		goto out;
	}
	if (!found || strlen(cur) > PASSWORD_MAX_BYTES || ok != 1) {
		audit(db, req, req->who.user, "user.password", req->who.user, "refused", NULL);
		web_resp_error(resp, 403, "wrong_password", "current_password",
			       "the current password is wrong");
		goto out;
	}
	if (password_hash(next, &hash, &e) < 0 ||
	    db_user_set_password(db, req->who.user, hash, &e) < 0) {
		web_resp_err(resp, &e);
		goto out;
	}
	audit(db, req, req->who.user, "user.password", req->who.user, "ok", NULL);
	/* every session died with the old password; this one starts afresh */
	if (start_session(req, resp, db, &u, NULL) < 0)
		goto out;
	ret = 0;
out:
	free(hash);
	db_user_release(&u);
	json_decref(body);
	return ret;
}
