/*
 * auth.h - who is calling (Req 10, 34, 35): the server's authenticate step,
 * login, logout and the first administrator.
 *
 * A caller is one of:
 *   - a session: the cookie "__Host-comradarr_session" (over TLS or a
 *     trusted proxy that says https) or "comradarr_session" (plain HTTP,
 *     where browsers refuse the __Host- prefix), whose SHA-256 names a row
 *     in sessions that has neither idled out nor passed its absolute expiry;
 *   - an API key in the X-Api-Key header (never a query parameter), whose
 *     SHA-256 names a key that is not revoked; limited per key (429 with
 *     Retry-After);
 *   - anonymous.
 * In --auth local mode a peer on loopback or a private (RFC 1918, ULA)
 * address with no credentials acts as an admin; with --auth disabled,
 * everyone does.  The peer is the socket's, or a trusted proxy's
 * X-Forwarded-For (server.h).
 */
#ifndef COMRADARR_WEB_AUTH_H
#define COMRADARR_WEB_AUTH_H

#include <libpq-fe.h>

#include "core/config.h"
#include "web/app.h"
#include "web/web.h"

/* Defaults and the limiters; started_us.  Release with web_app_release. */
int web_app_init(struct web_app *app, const struct config *cfg, struct err *e);
void web_app_release(struct web_app *app);

/* The server's authenticate step (web_server_opts.authenticate). */
int web_auth_request(struct web_req *req, struct web_resp *resp);

/* Record an API key's request (web_server_opts.after). */
void web_auth_after(struct web_req *req, struct web_resp *resp);

/*
 * With ADMIN_USER and ADMIN_PASS set and no user yet: create that admin
 * (refusing a short password).  Users exist: nothing (logged).
 */
int web_auth_bootstrap(PGconn *db, const struct config *cfg, struct err *e);

/* The session cookie's name for a request over TLS or not, and a
 * Set-Cookie for it (max_age_s 0: delete). */
const char *web_session_cookie_name(int tls);
int web_session_cookie(struct web_resp *resp, int tls, const char *value, long max_age_s);

/*
 * The second factor (Req 35; crypto/totp.h, db/totp.h).  A right password
 * for an account with TOTP enabled makes no session: api_login answers
 * {"totp_required": true, "pending_token": ...} and sets the login cookie
 * (HttpOnly, SameSite=Strict, WEB_LOGIN_PENDING_S long); POST
 * /api/auth/totp with the token (the JSON field or the cookie) and a code
 * or a recovery code then makes the session.  The token is single-use and
 * stored as its SHA-256 (login_pending); a wrong code counts toward the
 * same per-user lockout and per-address limit as a wrong password.
 */
#define WEB_LOGIN_PENDING_S	300
const char *web_login_cookie_name(int tls);
int web_login_cookie(struct web_resp *resp, int tls, const char *value, long max_age_s);

/*
 * Check a password under the Argon2 slot limit (api_auth.c): 1 match,
 * 0 not, -1 error, -2 every slot stayed busy; web_login_busy then puts the
 * 503 in resp.
 */
int web_password_check(struct web_app *app, const char *hash, const char *password);
int web_login_busy(struct web_resp *resp);
/* Take one attempt from the per-address login limit: 0, or -1 with a 429
 * (and Retry-After) in resp when the address has spent it. */
int web_login_limited(struct web_req *req, struct web_resp *resp);

/* Is addr loopback or private (10/8, 172.16/12, 192.168/16, fc00::/7)? */
int web_addr_is_local(const char *addr);

#endif
