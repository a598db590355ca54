/*
 * ui_page_account.c - the signed-in user's account page: two-factor
 * authentication (Req 10, 35), reachable from the settings page.
 *
 * Every change goes through the JSON API's handlers (api_totp.c) with
 * ui_call_api, so the checks (the password, the first code), the audit
 * lines and the rule that the secret is shown only to its owner while the
 * enrolment waits are the API's own.  The secret is on this page only in
 * that state; recovery codes only in the answer that made them.
 * Everything works without JavaScript: plain forms, a 303 after a change
 * that shows nothing new, the page itself after one that does (codes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crypto/totp.h"
#include "db/totp.h"
#include "web/app.h"
#include "web/qr.h"
#include "web/server.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "core/banned.h"

#define ISSUER	"Comradarr"

static void
password_field(struct html *h, const char *id)
{
	html_fmt(h, "<div class=\"field\"><label for=\"%s\">Your password</label><input "
		 "type=\"password\" id=\"%s\" name=\"password\" autocomplete=\"current-password\" "
		 "required></div>", id, id);
}

/* The base32 key in groups of four, as apps show and people type it. */
static void
grouped(struct html *h, const char *s)
{
	char g[8];

	for (size_t i = 0; s[i] != '\0'; i += 4) {
		snprintf(g, sizeof(g), "%.4s", s + i);
		if (i > 0)
			html_raw(h, " ");
		html_esc(h, g);
	}
}

static void
render_codes(struct html *h, const char *const *codes)
{
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-codes\" id=\"recovery-codes\">"
		 "<h2 id=\"h-codes\">Your recovery codes</h2><p>Each code signs you in once "
		 "when your phone is not at hand. Store them somewhere safe (a password "
		 "manager, a printout): <strong>they are shown only now</strong>.</p>"
		 "<ol class=\"codes mono\">");
	for (size_t i = 0; codes[i] != NULL; i++) {
		html_raw(h, "<li>");
		html_esc(h, codes[i]);
		html_raw(h, "</li>");
	}
	html_raw(h, "</ol></section>");
}

static void
render_off(struct html *h, const struct ui_page *p)
{
	html_raw(h, "<p>Off: your password alone signs you in. With it on, signing in also "
		 "asks for the 6-digit code an authenticator app (FreeOTP, Aegis, Google "
		 "Authenticator, 1Password, ...) shows.</p>");
	ui_form_post(h, p, "account/totp/setup", NULL);
	html_raw(h, "<div class=\"inline-fields\">");
	password_field(h, "setup-password");
	html_raw(h, "<div class=\"field\"><label for=\"algorithm\">Algorithm</label>"
		 "<select id=\"algorithm\" name=\"algorithm\"><option value=\"SHA1\" selected>"
		 "SHA-1 (every app)</option><option value=\"SHA256\">SHA-256</option>"
		 "<option value=\"SHA512\">SHA-512</option></select></div>"
		 "<button type=\"submit\" class=\"primary\">Set up</button></div>"
		 "<p class=\"hint small\">Keep SHA-1 unless you know your app reads the others: "
		 "some apps silently compute wrong codes for them.</p></form>");
}

static void
render_pending(struct html *h, const struct ui_page *p, const struct ui_account_view *v)
{
	html_raw(h, "<p><span class=\"badge warn\">waiting for a code</span></p>"
		 "<ol class=\"steps\"><li><p>Add this account to your authenticator app: scan "
		 "the code, open the link on this device, or type the key.</p>"
		 "<div class=\"totp-enrol\">");
	if (v->uri != NULL) {
		struct html q;

		/* an SVG drawn here from the URI: no script, no image request
		 * that would carry the secret anywhere */
		html_init(&q);
		if (qr_svg(&q.b, v->uri, "QR code of the authenticator key") == 0 && !html_failed(&q)) {
			html_raw(h, "<figure class=\"qr\">");
			html_raw(h, q.b.data);
			html_raw(h, "</figure>");
		}
		if (q.b.data != NULL)
			sodium_memzero(q.b.data, q.b.len);
		html_release(&q);
	}
	html_raw(h, "<div><dl class=\"kv\"><dt>Key</dt><dd><code id=\"totp-secret\">");
	if (v->secret_b32 != NULL)
		grouped(h, v->secret_b32);
	html_raw(h, "</code></dd><dt>Type</dt><dd>time-based, 6 digits, 30 seconds, ");
	html_esc(h, v->algorithm);
	html_raw(h, "</dd><dt>Account</dt><dd>");
	html_esc(h, p->user);
	html_raw(h, "</dd></dl>");
	if (v->uri != NULL) {
		html_raw(h, "<p><a id=\"totp-uri\" href=\"");
		html_esc(h, v->uri);
		html_raw(h, "\">Open in an authenticator app</a></p>");
	}
	html_raw(h, "</div></div></li><li><p>Enter the code the app shows now.</p>");
	ui_form_post(h, p, "account/totp/confirm", NULL);
	html_raw(h, "<div class=\"inline-fields\"><div class=\"field\"><label for=\"code\">"
		 "Code from the app</label><input type=\"text\" id=\"code\" name=\"code\" "
		 "inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9 ]{6,7}\" "
		 "maxlength=\"7\" required></div><button type=\"submit\" class=\"primary\">"
		 "Turn on</button></div></form></li></ol>"
		 "<details><summary>Start over with a new key</summary>");
	render_off(h, p);
	html_raw(h, "</details>");
}

static void
render_on(struct html *h, const struct ui_page *p, const struct ui_account_view *v)
{
	html_raw(h, "<p><span class=\"badge ok\">on</span> Signing in asks for a code (");
	html_esc(h, v->algorithm);
	html_fmt(h, "). %d recovery code%s left.</p>", v->recovery_left,
		 v->recovery_left == 1 ? "" : "s");
	html_raw(h, "<div class=\"grid grid-2\"><div><h3>New recovery codes</h3>"
		 "<p class=\"small\">Ten new codes; the old ones stop working.</p>");
	ui_form_post(h, p, "account/totp/recovery", NULL);
	password_field(h, "recovery-password");
	html_raw(h, "<button type=\"submit\">Make new codes</button></form></div>"
		 "<div><h3>Turn off</h3><p class=\"small\">Signing in will ask for the password "
		 "only.</p>");
	ui_form_post(h, p, "account/totp/disable", "Turn two-factor authentication off?");
	password_field(h, "disable-password");
	html_raw(h, "<button type=\"submit\" class=\"danger\">Turn off</button></form></div></div>");
}

static void
render_users(struct html *h, const struct ui_page *p, const json_t *users)
{
	const json_t *o;
	size_t i, n = 0;

	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-users-2fa\"><h2 id=\"h-users-2fa\">"
		 "Users' two-factor authentication</h2><p class=\"small\">A user who lost their "
		 "phone and their recovery codes: reset it, and they sign in with the password "
		 "alone until they set it up again. Every reset is in the audit log.</p>");
	json_array_foreach(users, i, o) {
		if (!uj_bool(o, "totp"))
			continue;
		if (n++ == 0)
			html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">"
				 "User</th><th scope=\"col\">Role</th><th scope=\"col\">Actions</th>"
				 "</tr></thead><tbody>");
		html_raw(h, "<tr><td>");
		html_esc(h, uj_str(o, "name"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "role"));
		html_raw(h, "</td><td><form method=\"post\" action=\"account/users/");
		html_url(h, uj_str(o, "name"));
		html_raw(h, "/totp-reset\" data-confirm=\"Reset this user's two-factor "
			 "authentication?\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"small danger\" aria-label=\"Reset the "
			 "two-factor authentication of ");
		html_esc(h, uj_str(o, "name"));
		html_raw(h, "\">Reset</button></form></td></tr>");
	}
	if (n > 0)
		html_raw(h, "</tbody></table></div>");
	else
		html_raw(h, "<p>No user has two-factor authentication on.</p>");
	html_raw(h, "</section>");
}

void
ui_render_account(struct html *h, const struct ui_page *p, const struct ui_account_view *v)
{
	ui_page_begin(h, p);
	ui_page_main(h, p);
	if (v->codes != NULL)
		render_codes(h, v->codes);
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-totp\"><h2 id=\"h-totp\">"
		 "Two-factor authentication</h2>");
	if (v->no_account)
		html_raw(h, "<p>Two-factor authentication belongs to a user account; in this "
			 "authentication mode you are not signed in as one.</p>");
	else if (v->enabled)
		render_on(h, p, v);
	else if (v->pending)
		render_pending(h, p, v);
	else
		render_off(h, p);
	html_raw(h, "</section>");
	if (v->users != NULL)
		render_users(h, p, v->users);
	ui_page_end(h, p);
}

/* ------------------------------------------------------------ handlers */

static const char *
done_text(struct web_req *req)
{
	static const char *const msgs[][2] = {
		{ "totp_setup", "add the key to your app, then enter the code it shows" },
		{ "totp_off", "two-factor authentication is off" },
		{ "totp_reset", "the user's two-factor authentication was reset" },
		{ NULL, NULL }
	};
	char done[32];
	const char *d = web_req_query(req, "done", done, sizeof(done));

	for (size_t i = 0; d != NULL && msgs[i][0] != NULL; i++)
		if (strcmp(d, msgs[i][0]) == 0)
			return msgs[i][1];
	return NULL;
}

/*
 * Build and send the page: state from the database; codes (NULL-terminated)
 * to show once; error for the flash.
 */
static int
account_page(struct web_req *req, struct web_resp *resp, int status, const char *error,
	     const char *const *codes)
{
	struct web_app *app = req->app;
	struct ui_account_view v;
	struct db_totp_status st;
	struct err e = ERR_INIT;
	unsigned char secret[TOTP_SECRET_MAX];
	char b32[TOTP_BASE32_MAX];
	json_t *answer = NULL;
	struct ui_page p;
	struct html h;
	size_t len = 0;
	PGconn *db;
	int rc;

	memset(&v, 0, sizeof(v));
	b32[0] = '\0';
	v.codes = codes;
	v.algorithm = "SHA1";
	if ((db = web_req_db(req, resp)) == NULL)
		return 0;
	if (req->who.kind != WEB_SESSION || req->who.user_id == 0) {
		v.no_account = 1;
	} else {
		if (db_totp_status(db, req->who.user_id, &st, &e) < 0)
			return ui_error_page(req, resp, 500, &e);
		v.enabled = st.enabled;
		v.pending = st.present && !st.enabled;
		v.algorithm = totp_alg_name(st.alg);
		v.recovery_left = st.recovery_left;
	}
	if (v.pending && app->have_key &&
	    db_totp_pending_secret(db, app->key, req->who.user_id, secret, &len, &st.alg, &e) == 0) {
		totp_base32(secret, len, b32, sizeof(b32));
		sodium_memzero(secret, sizeof(secret));
		v.secret_b32 = b32;
		v.uri = totp_uri(ISSUER, req->who.user, st.alg, b32);
	}
	if (strcmp(req->who.role, "admin") == 0 && req->who.kind == WEB_SESSION &&
	    ui_call_api(req, resp, api_users_list, NULL, &answer) == 200)
		v.users = json_object_get(answer, "items");
	ui_page_for(&p, req, "Account", "settings");
	if (error != NULL)
		p.flash_err = error;
	else if (p.flash_ok == NULL)
		p.flash_ok = done_text(req);
	html_init(&h);
	ui_render_account(&h, &p, &v);
	/* the page may hold the secret: the copy that is sent is resp's (and
	 * dynamic answers are Cache-Control: no-store, resp.c) */
	if (html_failed(&h))
		rc = web_resp_error(resp, 500, "internal", NULL, "the page could not be built");
	else
		rc = web_resp_bytes(resp, status, "text/html; charset=utf-8", h.b.data, h.b.len);
	if (h.b.data != NULL)
		sodium_memzero(h.b.data, h.b.len);
	html_release(&h);
	sodium_memzero(b32, sizeof(b32));
	if (v.uri != NULL) {
		sodium_memzero((char *)v.uri, strlen(v.uri));
		free((char *)v.uri);
	}
	json_decref(answer);
	return rc;
}

int
ui_account(struct web_req *req, struct web_resp *resp)
{
	return account_page(req, resp, 200, NULL, NULL);
}

/* Call fn with body; on success 303 to done, else the page with the message. */
static int
via_api(struct web_req *req, struct web_resp *resp, web_handler_fn fn, json_t *body,
	const char *done)
{
	json_t *answer = NULL;
	char msg[512];
	int status = ui_call_api(req, resp, fn, body, &answer);

	if (status < 300) {
		json_decref(answer);
		return ui_redirect(req, resp, done);
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the change was refused"));
	json_decref(answer);
	return account_page(req, resp, status, msg, NULL);
}

/* Call fn with body; show the recovery codes of its answer on the page. */
static int
show_codes(struct web_req *req, struct web_resp *resp, web_handler_fn fn, json_t *body)
{
	const char *codes[TOTP_RECOVERY_CODES + 1];
	json_t *answer = NULL, *a;
	char msg[512];
	size_t i, n;
	int status = ui_call_api(req, resp, fn, body, &answer), rc;

	if (status >= 300) {
		snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the change was refused"));
		json_decref(answer);
		return account_page(req, resp, status, msg, NULL);
	}
	a = json_object_get(answer, "recovery_codes");
	n = json_array_size(a) < TOTP_RECOVERY_CODES ? json_array_size(a) : TOTP_RECOVERY_CODES;
	for (i = 0; i < n; i++)
		codes[i] = json_string_value(json_array_get(a, i));
	codes[n] = NULL;
	rc = account_page(req, resp, 200, NULL, codes);
	json_decref(answer);
	return rc;
}

int
ui_account_totp_setup(struct web_req *req, struct web_resp *resp)
{
	char pw[1024], alg[16];
	json_t *body;

	if (ui_field(req, "password", pw, sizeof(pw)) == NULL || pw[0] == '\0')
		return account_page(req, resp, 422, "enter your password", NULL);
	if (ui_field(req, "algorithm", alg, sizeof(alg)) == NULL)
		snprintf(alg, sizeof(alg), "SHA1");
	body = json_pack("{s:s, s:s}", "password", pw, "algorithm", alg);
	sodium_memzero(pw, sizeof(pw));
	/* the answer holds the secret: the page shows it from the database,
	 * after a redirect, so a reload does not post the password again */
	return via_api(req, resp, api_totp_setup, body, "account?done=totp_setup");
}

int
ui_account_totp_confirm(struct web_req *req, struct web_resp *resp)
{
	char code[16];

	if (ui_field(req, "code", code, sizeof(code)) == NULL || code[0] == '\0')
		return account_page(req, resp, 422, "enter the code your app shows", NULL);
	return show_codes(req, resp, api_totp_confirm, json_pack("{s:s}", "code", code));
}

int
ui_account_totp_recovery(struct web_req *req, struct web_resp *resp)
{
	char pw[1024];
	json_t *body;

	if (ui_field(req, "password", pw, sizeof(pw)) == NULL || pw[0] == '\0')
		return account_page(req, resp, 422, "enter your password", NULL);
	body = json_pack("{s:s}", "password", pw);
	sodium_memzero(pw, sizeof(pw));
	return show_codes(req, resp, api_totp_recovery, body);
}

int
ui_account_totp_disable(struct web_req *req, struct web_resp *resp)
{
	char pw[1024];
	json_t *body;

	if (ui_field(req, "password", pw, sizeof(pw)) == NULL || pw[0] == '\0')
		return account_page(req, resp, 422, "enter your password", NULL);
	body = json_pack("{s:s}", "password", pw);
	sodium_memzero(pw, sizeof(pw));
	return via_api(req, resp, api_totp_disable, body, "account?done=totp_off");
}

int
ui_account_totp_reset(struct web_req *req, struct web_resp *resp)
{
	return via_api(req, resp, api_users_totp_reset, NULL, "account?done=totp_reset");
}
