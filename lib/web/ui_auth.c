/*
 * ui_auth.c - the sign-in page and the sign-out button of the web UI.
 *
 * A plain HTML form posts user and password (no JavaScript needed).  The
 * checks are the JSON API's own (api_login: the per-address limit, the
 * same answer for an unknown user as for a wrong password, the lockout,
 * the session cookie and its rotation): the form is turned into the JSON
 * body api_login reads, and its answer into a redirect to the dashboard
 * (keeping the cookie it set) or the form again with its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "web/app.h"
#include "web/server.h"
#include "web/ui_form.h"
#include "web/ui_layout.h"
#include "web/ui_routes.h"
#include "core/banned.h"

#define USER_FIELD_MAX	128
#define PASSWORD_FIELD_MAX	1024

static int
login_form(struct web_req *req, struct web_resp *resp, int status, const char *user, const char *error)
{
	struct html h;

	html_init(&h);
	ui_login_page(&h, req->srv != NULL ? web_server_base_url(req->srv) : "/", NULL, user, error, 0);
	return ui_send(resp, status, &h);
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
	json_t *body, *answer;
	char *json;
	int rc;

	if (ui_field(req, "user", user, sizeof(user)) == NULL || user[0] == '\0')
		return login_form(req, resp, 400, NULL, "enter your user name");
	if (ui_field(req, "password", pass, sizeof(pass)) == NULL || pass[0] == '\0')
		return login_form(req, resp, 400, user, "enter your password");
	body = json_pack("{s:s, s:s}", "username", user, "password", pass);
	json = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	/* the form's bytes (with the password) are wiped and replaced by the
	 * JSON api_login reads; that copy is wiped after it */
	sodium_memzero(pass, sizeof(pass));
	if (req->body.data != NULL)
		sodium_memzero(req->body.data, req->body.len);
	buf_reset(&req->body);
	if (json == NULL || buf_append_str(&req->body, json) < 0) {
		if (json != NULL)
			sodium_memzero(json, strlen(json));
		free(json);
		return web_resp_error(resp, 500, "internal", NULL, "out of memory");
	}
	sodium_memzero(json, strlen(json));
	free(json);
	api_login(req, resp);
	sodium_memzero(req->body.data, req->body.len);
	if (resp->status == 200) {
		/* the cookie header stays; the body (the CSRF token) goes */
		buf_reset(&resp->body);
		return ui_redirect(req, resp, "");
	}
	/* its error message is fit for a user (and never holds a secret) */
	answer = json_loadb(resp->body.data != NULL ? resp->body.data : "", resp->body.len, 0, NULL);
	snprintf(msg, sizeof(msg), "%s",
		 json_string_value(json_object_get(json_object_get(answer, "error"), "message")) != NULL ?
		 json_string_value(json_object_get(json_object_get(answer, "error"), "message")) :
		 "signing in failed; try again");
	json_decref(answer);
	rc = resp->status >= 400 ? resp->status : 500;
	return login_form(req, resp, rc, user, msg);
}

int
ui_logout(struct web_req *req, struct web_resp *resp)
{
	if (req->who.kind == WEB_SESSION)
		api_logout(req, resp);
	buf_reset(&resp->body);
	return ui_redirect(req, resp, "login");
}
