/*
 * auth.c - the authenticate step, sessions' cookies, the first
 * administrator and the application's limits (see auth.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "db/users.h"
#include "db/webhook.h"
#include "web/auth.h"
#include "web/server.h"
#include "web/backup_job.h"
#include "core/banned.h"

int
web_app_init(struct web_app *app, const struct config *cfg, struct err *e)
{
	app->cfg = cfg;
	app->lock_attempts = 5;
	app->lock_minutes = 15;
	app->session_idle_minutes = 60 * 24;
	app->session_max_hours = 24 * 30;
	app->started_us = clock_now_us();
	/* logins per address: 10 at once, then one every 6 s by default.
	 * Checked before any password hash is computed, so a flood costs no
	 * Argon2 time. */
	if (app->login_per_minute <= 0)
		app->login_per_minute = 10;
	app->addr_limit = web_limiter_new(4096, app->login_per_minute, app->login_per_minute);
	/* requests per API key: 600 a minute, bursts of 120 */
	app->key_limit = web_limiter_new(1024, 120, 600);
	app->backup_job = web_backup_job_new(cfg);
	if (app->addr_limit == NULL || app->key_limit == NULL || app->backup_job == NULL) {
		web_app_release(app);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (sem_init(&app->argon_slots, 0, 2) == 0)
		app->argon_slots_ok = 1;
	{
		char pw[33];

		token_random_hex(pw, 16);
		if (password_hash(pw, &app->dummy_hash, e) < 0) {
			web_app_release(app);
			return -1;
		}
		sodium_memzero(pw, sizeof(pw));
	}
	return 0;
}

void
web_app_release(struct web_app *app)
{
	web_limiter_free(app->addr_limit);
	web_limiter_free(app->key_limit);
	app->addr_limit = app->key_limit = NULL;
	/* a backup in flight is cancelled and its thread waited for */
	web_backup_job_free(app->backup_job);
	app->backup_job = NULL;
	if (app->argon_slots_ok)
		sem_destroy(&app->argon_slots);
	app->argon_slots_ok = 0;
	free(app->dummy_hash);
	app->dummy_hash = NULL;
}

int
web_addr_is_local(const char *addr)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, addr, a) == 1)
		return a[0] == 127 || a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		       (a[0] == 192 && a[1] == 168);
	if (inet_pton(AF_INET6, addr, a) == 1) {
		static const unsigned char lo[16] = { [15] = 1 };

		if (memcmp(a, lo, 16) == 0 || (a[0] & 0xfe) == 0xfc)
			return 1;
		/* ::ffff:a.b.c.d */
		if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0) {
			char v4[INET_ADDRSTRLEN];

			snprintf(v4, sizeof(v4), "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			return web_addr_is_local(v4);
		}
	}
	return 0;
}

const char *
web_session_cookie_name(int tls)
{
	/* Browsers take a __Host- cookie only with Secure, which plain HTTP
	 * cannot set: over plain HTTP the session has the plain name. */
	return tls ? "__Host-comradarr_session" : "comradarr_session";
}

int
web_session_cookie(struct web_resp *resp, int tls, const char *value, long max_age_s)
{
	char c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
		 web_session_cookie_name(tls), value, max_age_s, tls ? "; Secure" : "");
	return web_resp_header(resp, "Set-Cookie", c);
}

const char *
web_login_cookie_name(int tls)
{
	return tls ? "__Host-comradarr_login" : "comradarr_login";
}

int
web_login_cookie(struct web_resp *resp, int tls, const char *value, long max_age_s)
{
	char c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%ld%s",
		 web_login_cookie_name(tls), value, max_age_s, tls ? "; Secure" : "");
	return web_resp_header(resp, "Set-Cookie", c);
}

/* A session id as we make them: url-safe base64, nothing else. */
static int
plausible_token(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n >= 16 && n <= max &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

/* The whole-server modes: a caller without credentials acts as an admin. */
static void
act_as_admin(struct web_req *req)
{
	req->who.kind = WEB_SESSION;
	snprintf(req->who.user, sizeof(req->who.user), "%s",
		 ((const struct web_app *)req->app)->auth_mode == WEB_AUTH_DISABLED ?
		 "(auth disabled)" : "(local)");
	snprintf(req->who.role, sizeof(req->who.role), "admin");
}

static int
by_api_key(struct web_req *req, struct web_resp *resp, const char *key)
{
	const struct web_app *app = req->app;
	struct db_apikey k;
	struct err e = ERR_INIT;
	char hash[65], id[32];
	PGconn *db;
	int found = 0;
	long wait;

	if (!plausible_token(key, 128))
		return web_resp_error(resp, 401, "invalid_api_key", NULL, "the API key is not valid");
	db = web_req_db(req, resp);
	if (db == NULL)
		return -1;
	token_sha256_hex(key, hash);
	if (db_apikey_lookup(db, hash, &k, &found, &e) < 0)
		return web_resp_err(resp, &e);
	if (!found)
		return web_resp_error(resp, 401, "invalid_api_key", NULL,
				      "the API key is not valid or was revoked");
	req->who.kind = WEB_APIKEY;
	req->who.key_id = k.id;
	snprintf(req->who.scope, sizeof(req->who.scope), "%s", k.scope);
	snprintf(req->who.user, sizeof(req->who.user), "apikey:%lld", (long long)k.id);
	snprintf(id, sizeof(id), "%lld", (long long)k.id);
	wait = web_limiter_take(app->key_limit, id, clock_mono_us());
	if (wait > 0) {
		char ra[24];

		snprintf(ra, sizeof(ra), "%ld", wait);
		web_resp_error(resp, 429, "rate_limited", NULL,
			       "too many requests with this key; retry in %ld s", wait);
		web_resp_header(resp, "Retry-After", ra);
		return -1;
	}
	return 0;
}

/*
 * A webhook route: the secret of the connector in the path, from
 * X-Webhook-Secret or a Basic password (what the apps' Webhook connection
 * can send).  Nothing else opens these routes, and the secret opens nothing
 * else.
 */
static int
by_hook_secret(struct web_req *req, struct web_resp *resp)
{
	const char *given = web_req_header(req, "X-Webhook-Secret");
	const char *authz = web_req_header(req, "Authorization");
	const char *name = web_req_param(req, "connector");
	unsigned char raw[256];
	char secret[257], hash[65];
	struct err e = ERR_INIT;
	size_t len = 0;
	int64_t id = 0;
	int ok = 0;
	PGconn *db;

	secret[0] = '\0';
	if (given != NULL) {
		snprintf(secret, sizeof(secret), "%s", given);
	} else if (authz != NULL && strncmp(authz, "Basic ", 6) == 0 &&
		   sodium_base642bin(raw, sizeof(raw) - 1, authz + 6, strlen(authz + 6), NULL, &len,
				     NULL, sodium_base64_VARIANT_ORIGINAL) == 0) {
		const unsigned char *colon = memchr(raw, ':', len);

		if (colon != NULL) {
			size_t n = len - (size_t)(colon + 1 - raw);

			memcpy(secret, colon + 1, n);
			secret[n] = '\0';
		}
		sodium_memzero(raw, sizeof(raw));
	}
	if (secret[0] == '\0' || name == NULL)
		return 0;	/* anonymous: the access check answers 401 */
	token_sha256_hex(secret, hash);
	sodium_memzero(secret, sizeof(secret));
	if ((db = web_req_db(req, resp)) == NULL)
		return -1;
	if (db_webhook_check(db, name, hash, &id, &ok, &e) < 0)
		return web_resp_err(resp, &e);
	if (ok) {
		req->who.kind = WEB_HOOKCALL;
		req->who.key_id = id;
		snprintf(req->who.user, sizeof(req->who.user), "webhook:%s", name);
	}
	return 0;
}

int
web_auth_request(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;
	const char *key = web_req_header(req, "X-Api-Key");
	const char *authz = web_req_header(req, "Authorization");
	char cookie[128];

	memset(&req->who, 0, sizeof(req->who));
	if (req->route->access == WEB_HOOK)
		return by_hook_secret(req, resp);
	/* a key in the URL ends up in logs and histories: refused, loudly */
	if (web_req_has_query(req, "apikey") || web_req_has_query(req, "api_key"))
		return web_resp_error(resp, 400, "api_key_in_url", NULL,
				      "send the API key in the X-Api-Key header, never in the URL");
	/* Prometheus and most HTTP tools send a token as a Bearer credential */
	if (key == NULL && authz != NULL && strncmp(authz, "Bearer ", 7) == 0)
		key = authz + 7;
	if (key != NULL)
		return by_api_key(req, resp, key);
	if (web_req_cookie(req, web_session_cookie_name(req->tls), cookie, sizeof(cookie)) != NULL &&
	    plausible_token(cookie, 64)) {
		struct db_session s;
		struct err e = ERR_INIT;
		char hash[65];
		int found = 0;
		PGconn *db = web_req_db(req, resp);

		if (db == NULL)
			return -1;
		token_sha256_hex(cookie, hash);
		sodium_memzero(cookie, sizeof(cookie));
		if (db_session_get(db, hash, app->session_idle_minutes, &s, &found, &e) < 0)
			return web_resp_err(resp, &e);
		if (found) {
			req->who.kind = WEB_SESSION;
			req->who.user_id = s.user_id;
			snprintf(req->who.user, sizeof(req->who.user), "%s", s.user);
			snprintf(req->who.role, sizeof(req->who.role), "%s", s.role);
			snprintf(req->who.csrf, sizeof(req->who.csrf), "%s", s.csrf);
			memcpy(req->who.session_hash, hash, sizeof(hash));
			sodium_memzero(&s, sizeof(s));
			return 0;
		}
	}
	if (app->auth_mode == WEB_AUTH_DISABLED ||
	    (app->auth_mode == WEB_AUTH_LOCAL && web_addr_is_local(req->peer)))
		act_as_admin(req);
	return 0;
}

void
web_auth_after(struct web_req *req, struct web_resp *resp)
{
	struct err e = ERR_INIT;
	struct web_resp scratch;
	PGconn *db;

	if (req->who.kind != WEB_APIKEY || req->route == NULL)
		return;
	memset(&scratch, 0, sizeof(scratch));
	db = web_req_db(req, &scratch);
	if (db == NULL || db_apikey_used(db, req->who.key_id, req->method, req->route->pattern,
					 resp->status, &e) < 0)
		log_warn("serve", "API key %lld: usage not recorded: %s",
			 (long long)req->who.key_id, e.msg[0] ? e.msg : "no database");
	web_resp_release(&scratch);
}

int
web_auth_bootstrap(PGconn *db, const struct config *cfg, struct err *e)
{
	char *hash = NULL;
	long n = 0;
	int ret = -1;

	if (cfg->admin_user == NULL || cfg->admin_user[0] == '\0')
		return 0;
	if (db_user_count(db, &n, e) < 0)
		return -1;
	if (n > 0) {
		log_info("serve", "users exist: ADMIN_USER and ADMIN_PASS are ignored");
		return 0;
	}
	if (cfg->admin_pass == NULL)
		return err_set(e, ERR_CONFIG, "ADMIN_USER is set but ADMIN_PASS is not: set both "
			       "(or ADMIN_PASS_FILE), or use 'comradarr user add'");
	if (user_validate_name(cfg->admin_user, e) < 0 ||
	    user_validate_password(cfg->admin_pass, e) < 0) {
		err_prefix(e, "ADMIN_USER/ADMIN_PASS");
		return -1;
	}
	if (password_hash(cfg->admin_pass, &hash, e) < 0)
		return -1;
	if (db_user_add(db, cfg->admin_user, "admin", hash, NULL, e) < 0 ||
	    db_audit(db, "env:ADMIN_USER", NULL, "user.add", cfg->admin_user, "ok",
		     json_pack("{s:s}", "role", "admin"), e) < 0)
		goto out;
	log_info("serve", "created the first administrator '%s' from ADMIN_USER", cfg->admin_user);
	ret = 0;
out:
	free(hash);
	return ret;
}
