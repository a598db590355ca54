/*
 * ui_routes.h - the web UI's part of the route table: its pages (each with
 * the access it needs, like every route) and its embedded assets.
 * web_routes_register() (routes.c) calls ui_routes_register() last.
 *
 * Pages answer HTML; a POST answers 303 to the page it changed (with a
 * short "done" code the page turns into a fixed message, never text from
 * the request), or the form again with the error shown next to its field
 * (422).  Handlers read the database through lib/db only.
 */
#ifndef COMRADARR_WEB_UI_ROUTES_H
#define COMRADARR_WEB_UI_ROUTES_H

#include <libpq-fe.h>

#include <jansson.h>
#include "core/err.h"
#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/web.h"

int ui_routes_register(struct web_router *r, struct err *e);

/* shared by the handler files (ui_routes.c, ui_conn.c) */
void ui_page_for(struct ui_page *p, struct web_req *req, const char *title, const char *nav);
/* Mark p live (app.js follows api/events) from the newest event on. */
void ui_page_live(struct ui_page *p, PGconn *db);
int ui_send(struct web_resp *resp, int status, struct html *h);
int ui_redirect(struct web_req *req, struct web_resp *resp, const char *path);
/* A page that says what went wrong (status 4xx/5xx), in the frame. */
int ui_error_page(struct web_req *req, struct web_resp *resp, int status, const struct err *e);
/* A form field of the request's body into buf; NULL when absent. */
const char *ui_field(struct web_req *req, const char *name, char *buf, size_t size);

/*
 * Call an API handler for a form (ui_auth.c): body (stolen; NULL keeps the
 * request's) becomes the JSON it reads, wiped afterwards; *answer gets its
 * parsed answer (NULL if none), the status is returned, and resp is left
 * empty but for the headers the handler set (a session cookie).
 */
int ui_call_api(struct web_req *req, struct web_resp *resp, web_handler_fn fn, json_t *body,
		json_t **answer);
/* The answer's error message, or fallback. */
const char *ui_api_message(const json_t *answer, const char *fallback);

/* sign in and out (ui_auth.c) */
int ui_login(struct web_req *req, struct web_resp *resp);
int ui_login_post(struct web_req *req, struct web_resp *resp);
int ui_logout(struct web_req *req, struct web_resp *resp);
/* the second step of a login with TOTP (ui_auth.c) */
int ui_login_totp(struct web_req *req, struct web_resp *resp);
int ui_login_totp_post(struct web_req *req, struct web_resp *resp);

/* the signed-in user's account: two-factor enrolment (ui_page_account.c) */
int ui_account(struct web_req *req, struct web_resp *resp);
int ui_account_totp_setup(struct web_req *req, struct web_resp *resp);
int ui_account_totp_confirm(struct web_req *req, struct web_resp *resp);
int ui_account_totp_disable(struct web_req *req, struct web_resp *resp);
int ui_account_totp_recovery(struct web_req *req, struct web_resp *resp);
int ui_account_totp_reset(struct web_req *req, struct web_resp *resp);

/* settings (ui_settings.c) */
int ui_settings(struct web_req *req, struct web_resp *resp);
int ui_settings_profile(struct web_req *req, struct web_resp *resp);
int ui_settings_password(struct web_req *req, struct web_resp *resp);
int ui_settings_user_add(struct web_req *req, struct web_resp *resp);
int ui_settings_user_delete(struct web_req *req, struct web_resp *resp);
int ui_settings_key_add(struct web_req *req, struct web_resp *resp);
int ui_settings_key_revoke(struct web_req *req, struct web_resp *resp);

/* connector pages (ui_conn.c) */
int ui_connectors(struct web_req *req, struct web_resp *resp);
int ui_connector_new(struct web_req *req, struct web_resp *resp);
int ui_connector_create(struct web_req *req, struct web_resp *resp);
int ui_connector_show(struct web_req *req, struct web_resp *resp);
int ui_connector_edit(struct web_req *req, struct web_resp *resp);
int ui_connector_save(struct web_req *req, struct web_resp *resp);
int ui_connector_test(struct web_req *req, struct web_resp *resp);
int ui_connector_enable(struct web_req *req, struct web_resp *resp);
int ui_connector_disable(struct web_req *req, struct web_resp *resp);
int ui_connector_delete(struct web_req *req, struct web_resp *resp);
int ui_connector_sync(struct web_req *req, struct web_resp *resp);

#endif
