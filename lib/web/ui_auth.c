/*
 * ui_auth.c - the sign-in page and the sign-out button of the web UI.
 *
 * A plain HTML form posts user and password (no JavaScript needed).  The
 * checks are the JSON API's own (api_login: the per-address limit, the
 * same answer for an unknown user as for a wrong password, the lockout,
 * the session cookie and its rotation): the form is turned into the JSON
 * body api_login reads, and its answer into a redirect to the dashboard
 * (keeping the cookie it set) or the form again with its message.
 *
 * With TOTP on, api_login's answer is a pending login instead (and the
 * login cookie): the page asks for the code, and POST /login/totp hands it
 * to api_login_totp the same way, which reads the token from that cookie.
 *
 * ui_call_api() does the same for any API handler, so a settings form
 * changes things through the one implementation the JSON API has (its
 * checks, its audit lines), never a second copy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web/app.h"
#include "web/auth.h"
#include "web/server.h"
#include "web/ui_form.h"
#include "web/ui_layout.h"
#include "web/ui_routes.h"
#include "core/banned.h"

#define USER_FIELD_MAX	128
#define PASSWORD_FIELD_MAX	1024

int
ui_call_api(struct web_req *req, struct web_resp *resp, web_handler_fn fn, json_t *body, json_t **answer)
{
	int status;

	*answer = NULL;
	if (body != NULL) {
		char *json = json_dumps(body, JSON_COMPACT);

		json_decref(body);
		if (req->body.data != NULL)
			sodium_memzero(req->body.data, req->body.len);
		buf_reset(&req->body);
		if (json == NULL || buf_append_str(&req->body, json) < 0) {
			if (json != NULL)
				sodium_memzero(json, strlen(json));
			free(json);
			return 500;
		}
		sodium_memzero(json, strlen(json));
		free(json);
	}
	fn(req, resp);
	status = resp->status != 0 ? resp->status : 500;
	*answer = json_loadb(resp->body.data != NULL ? resp->body.data : "", resp->body.len, 0, NULL);
	if (req->body.data != NULL)
		sodium_memzero(req->body.data, req->body.len);
	/* the answer is the caller's to make now (headers such as a cookie stay) */
	if (resp->body.data != NULL)
		sodium_memzero(resp->body.data, resp->body.len);
	buf_reset(&resp->body);
	resp->status = 0;
	resp->content_type = NULL;
	return status;
}

const char *
ui_api_message(const json_t *answer, const char *fallback)
{
	const char *m = json_string_value(json_object_get(json_object_get(answer, "error"), "message"));

	return m != NULL ? m : fallback;
}

static int
login_page(struct web_req *req, struct web_resp *resp, int status, const char *user,
	   const char *error, int totp)
{
	struct html h;

	html_init(&h);
	ui_login_page(&h, req->srv != NULL ? web_server_base_url(req->srv) : "/", NULL, user, error,
		      totp);
	return ui_send(resp, status, &h);
}

static int
login_form(struct web_req *req, struct web_resp *resp, int status, const char *user, const char *error)
{
	return login_page(req, resp, status, user, error, 0);
}

int
ui_login(struct web_req *req, struct web_resp *resp)
{
	if (req->who.kind == WEB_SESSION)
		return ui_redirect(req, resp, "");
	return login_form(req, resp, 200, NULL, NULL);
}

int
ui_login_post(struct web_req *req, struct web_resp *resp)
{
	char user[USER_FIELD_MAX], pass[PASSWORD_FIELD_MAX], msg[512];
	json_t *body, *answer = NULL;
	int status;

	if (ui_field(req, "user", user, sizeof(user)) == NULL || user[0] == '\0')
		return login_form(req, resp, 400, NULL, "enter your user name");
	if (ui_field(req, "password", pass, sizeof(pass)) == NULL || pass[0] == '\0')
		return login_form(req, resp, 400, user, "enter your password");
	body = json_pack("{s:s, s:s}", "username", user, "password", pass);
	sodium_memzero(pass, sizeof(pass));
	status = ui_call_api(req, resp, api_login, body, &answer);
	if (status == 200 && json_is_true(json_object_get(answer, "totp_required"))) {
		json_decref(answer);
		/* the login cookie api_login set goes with the code form */
		return login_page(req, resp, 200, NULL, NULL, 1);
	}
	if (status == 200) {
		json_decref(answer);
		/* the session cookie api_login set goes with the redirect */
		return ui_redirect(req, resp, "");
	}
	/* its message is fit for a user, and never holds a secret */
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "signing in failed; try again"));
	json_decref(answer);
	return login_form(req, resp, status >= 400 ? status : 500, user, msg);
}

/* The code form again while a login waits for its code; else the start. */
int
ui_login_totp(struct web_req *req, struct web_resp *resp)
{
	char tok[128];

	if (req->who.kind == WEB_SESSION)
		return ui_redirect(req, resp, "");
	if (web_req_cookie(req, web_login_cookie_name(req->tls), tok, sizeof(tok)) == NULL)
		return ui_redirect(req, resp, "login");
	sodium_memzero(tok, sizeof(tok));
	return login_page(req, resp, 200, NULL, NULL, 1);
}

int
ui_login_totp_post(struct web_req *req, struct web_resp *resp)
{
	char code[80], msg[512];
	json_t *answer = NULL;
	const char *err;
	int status, again;

	if (ui_field(req, "code", code, sizeof(code)) == NULL || code[0] == '\0')
		return login_page(req, resp, 400, NULL, "enter the code from your authenticator "
				  "app, or a recovery code", 1);
	status = ui_call_api(req, resp, api_login_totp, json_pack("{s:s}", "code", code), &answer);
	sodium_memzero(code, sizeof(code));
	if (status == 200) {
		json_decref(answer);
		return ui_redirect(req, resp, "");
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "signing in failed; try again"));
	err = json_string_value(json_object_get(json_object_get(answer, "error"), "code"));
	/* a typo or a busy moment: the same login goes on; expired or locked:
	 * start again */
	again = err != NULL && (strcmp(err, "wrong_code") == 0 || strcmp(err, "rate_limited") == 0 ||
				strcmp(err, "busy") == 0 || strcmp(err, "invalid") == 0);
	json_decref(answer);
	return login_page(req, resp, status >= 400 ? status : 500, NULL, msg, again);
}

int
ui_logout(struct web_req *req, struct web_resp *resp)
{
	json_t *answer = NULL;

	if (req->who.kind == WEB_SESSION)
		ui_call_api(req, resp, api_logout, NULL, &answer);
	json_decref(answer);
	return ui_redirect(req, resp, "login");
}
