/*
 * ui_sections.c - the routes of the settings page's own pages, their
 * fixed messages, the settings page's links and log level control, and
 * the backups page's handlers (see ui_sections.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/settings.h"
#include "web/app.h"
#include "web/server.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "web/ui_sections.h"
#include "core/banned.h"

#define PAGE(m, p, a, h)	{ m, p, a, WEB_ROUTE_PAGE, h, 0, NULL, NULL, 0 }
#define PAGE_BODY(m, p, a, h, n) { m, p, a, WEB_ROUTE_PAGE, h, n, NULL, NULL, 0 }

const char *
ui_sections_done(const char *code)
{
	static const char *const msgs[][2] = {
		{ "ch_added", "the channel was added: send it a test message" },
		{ "ch_saved", "the channel was saved" },
		{ "ch_enabled", "the channel is enabled" },
		{ "ch_disabled", "the channel is disabled: no event is routed to it" },
		{ "ch_removed", "the channel was removed" },
		{ "backup_made", "the backup was made" },
		{ "backup_running", "the backup is being made in the background" },
		{ "log_level", "the log level was changed; every tool uses it from now on" },
		{ NULL, NULL }
	};

	for (size_t i = 0; code != NULL && msgs[i][0] != NULL; i++)
		if (strcmp(code, msgs[i][0]) == 0)
			return msgs[i][1];
	return NULL;
}

/* ------------------------------------------------------------ settings page */

void
ui_render_settings_sections(struct html *h, const struct ui_page *p, int admin, const char *level,
			    int is_set)
{
	static const char *const levels[] = { "error", "warn", "info", "debug", "trace", NULL };

	html_raw(h, "<section class=\"card sections\" aria-labelledby=\"h-more\"><h2 id=\"h-more\">Notifications, "
		 "backups and logs</h2><div class=\"actions\">"
		 "<a class=\"btn\" href=\"settings/channels\">Notification channels</a>");
	if (admin)
		html_raw(h, "<a class=\"btn\" href=\"settings/backups\">Backups</a>");
	html_raw(h, "</div>");
	if (admin) {
		html_raw(h, "<h3>Log level</h3>");
		ui_form_post(h, p, "settings/log-level", NULL);
		html_raw(h, "<div class=\"inline-fields\"><div class=\"field\"><label for=\"log_level\">Level of "
			 "every tool</label><select id=\"log_level\" name=\"level\">");
		html_fmt(h, "<option value=\"\"%s>from LOG_LEVEL (the environment)</option>", is_set ? "" :
			 " selected");
		for (int i = 0; levels[i] != NULL; i++)
			html_fmt(h, "<option value=\"%s\"%s>%s</option>", levels[i],
				 is_set && level != NULL && strcmp(level, levels[i]) == 0 ? " selected" : "",
				 levels[i]);
		html_raw(h, "</select></div><button type=\"submit\">Apply</button></div><div class=\"hint\">"
			 "Now: <strong id=\"log-level-now\">");
		html_esc(h, level);
		html_raw(h, "</strong>. The server applies a change at once, the other tools at their next "
			 "start; debug traces every request, trace adds the bodies (secrets masked).</div></form>");
	}
	html_raw(h, "</section>");
}

/* PUT /api/settings/log.level, for ui_call_api */
static int
put_log_level(struct web_req *req, struct web_resp *resp)
{
	return api_settings_put_key(req, resp, SETTING_LOG_LEVEL);
}

static int
ui_log_level(struct web_req *req, struct web_resp *resp)
{
	char level[16];
	json_t *answer = NULL;
	struct err e = ERR_INIT;
	int status;

	if (ui_field(req, "level", level, sizeof(level)) == NULL)
		level[0] = '\0';
	status = ui_call_api(req, resp, put_log_level,
			     json_pack("{s:o}", "value", level[0] ? json_string(level) : json_null()),
			     &answer);
	if (status == 200) {
		json_decref(answer);
		return ui_redirect(req, resp, "settings?done=log_level");
	}
	err_set(&e, ERR_USAGE, "%s", ui_api_message(answer, "the log level was not changed"));
	json_decref(answer);
	return ui_error_page(req, resp, status, &e);
}

/* ------------------------------------------------------------ backups */

static int
backups_page(struct web_req *req, struct web_resp *resp, int status, const json_t *verify,
	     const char *error)
{
	json_t *list = NULL;
	struct ui_page p;
	struct html h;
	char msg[512] = "", done[32];
	int st, rc;

	st = ui_call_api(req, resp, api_backups_list, NULL, &list);
	if (st != 200) {
		struct err e = ERR_INIT;

		err_set(&e, ERR_INTERNAL, "%s", ui_api_message(list, "the backups could not be listed"));
		json_decref(list);
		return ui_error_page(req, resp, st >= 400 ? st : 500, &e);
	}
	if (error != NULL)
		snprintf(msg, sizeof(msg), "%s", error);
	ui_page_for(&p, req, "Backups", "settings");
	if (p.flash_ok == NULL)
		p.flash_ok = ui_sections_done(web_req_query(req, "done", done, sizeof(done)));
	p.flash_err = msg[0] ? msg : NULL;
	html_init(&h);
	ui_render_backups(&h, &p, list, verify, (int64_t)time(NULL));
	rc = ui_send(resp, status, &h);
	json_decref(list);
	return rc;
}

static int
ui_backups(struct web_req *req, struct web_resp *resp)
{
	return backups_page(req, resp, 200, NULL, NULL);
}

static int
ui_backup_create(struct web_req *req, struct web_resp *resp)
{
	char b[8];
	json_t *answer = NULL;
	char msg[512];
	int status;

	status = ui_call_api(req, resp, api_backups_create,
			     json_pack("{s:b}", "no_mirror", ui_field(req, "no_mirror", b, sizeof(b)) != NULL),
			     &answer);
	if (status == 201 || status == 202) {
		json_decref(answer);
		return ui_redirect(req, resp, status == 201 ? "settings/backups?done=backup_made" :
				   "settings/backups?done=backup_running");
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the backup was not made"));
	json_decref(answer);
	return backups_page(req, resp, status, NULL, msg);
}

static int
ui_backup_verify(struct web_req *req, struct web_resp *resp)
{
	json_t *answer = NULL;
	char msg[512];
	int status, rc;

	status = ui_call_api(req, resp, api_backups_verify, NULL, &answer);
	if (status != 200) {
		snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the backup was not verified"));
		json_decref(answer);
		return backups_page(req, resp, status, NULL, msg);
	}
	rc = backups_page(req, resp, 200, answer, NULL);
	json_decref(answer);
	return rc;
}

/* ------------------------------------------------------------ the table */

static const struct web_route table[] = {
	/* notification channels: anyone signed in reads and tests (as the API) */
	PAGE("GET", "/settings/channels", WEB_READ, ui_channels),
	PAGE("GET", "/settings/channels/new", WEB_ADMIN, ui_channel_new),
	PAGE_BODY("POST", "/settings/channels/new", WEB_ADMIN, ui_channel_create, 16384),
	PAGE("GET", "/settings/channels/{name}/edit", WEB_ADMIN, ui_channel_edit),
	PAGE_BODY("POST", "/settings/channels/{name}/edit", WEB_ADMIN, ui_channel_save, 16384),
	PAGE("POST", "/settings/channels/{name}/test", WEB_WRITE, ui_channel_test),
	PAGE("POST", "/settings/channels/{name}/enable", WEB_ADMIN, ui_channel_enable),
	PAGE("POST", "/settings/channels/{name}/disable", WEB_ADMIN, ui_channel_disable),
	PAGE("POST", "/settings/channels/{name}/delete", WEB_ADMIN, ui_channel_delete),
	/* backups: administrators only (downloads are api/backups/NAME/download) */
	PAGE("GET", "/settings/backups", WEB_ADMIN, ui_backups),
	PAGE("POST", "/settings/backups/create", WEB_ADMIN, ui_backup_create),
	PAGE("POST", "/settings/backups/{name}/verify", WEB_ADMIN, ui_backup_verify),
	/* the log level (Req 31.5) */
	PAGE("POST", "/settings/log-level", WEB_ADMIN, ui_log_level),
};

int
ui_sections_register(struct web_router *r, struct err *e)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (web_router_add(r, &table[i], e) < 0)
			return -1;
	return 0;
}
