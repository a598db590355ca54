/*
 * auth.c - the authenticate step and the application's limits (see auth.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "web/auth.h"
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
	/* logins per address: 10 at once, then one every 6 s.  Checked before
	 * any password hash is computed, so a flood costs no Argon2 time. */
	app->addr_limit = web_limiter_new(4096, 10, 10);
	/* requests per API key: 600 a minute, bursts of 120 */
	app->key_limit = web_limiter_new(1024, 120, 600);
	if (app->addr_limit == NULL || app->key_limit == NULL) {
		web_app_release(app);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

void
web_app_release(struct web_app *app)
{
	web_limiter_free(app->addr_limit);
	web_limiter_free(app->key_limit);
	app->addr_limit = app->key_limit = NULL;
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

int
web_auth_request(struct web_req *req, struct web_resp *resp)
{
	const struct web_app *app = req->app;

	(void)resp;
	memset(&req->who, 0, sizeof(req->who));
	if (app->auth_mode == WEB_AUTH_DISABLED ||
	    (app->auth_mode == WEB_AUTH_LOCAL && web_addr_is_local(req->peer)))
		act_as_admin(req);
	return 0;
}
