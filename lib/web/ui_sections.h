/*
 * ui_sections.h - the settings page's own pages (Req 21): notification
 * channels, backups, and the log level control on the settings page.
 *
 * Rendering (ui_page_channels.c, ui_page_backups.c) is pure: HTML from
 * the JSON the API answers (api_channels.c, api_backups.c), so a unit
 * test can render any of it from a literal.  The handlers
 * (ui_channels.c, ui_backups.c) call those API handlers through
 * ui_call_api, so a form's checks, audit lines and secrecy are the API's
 * own.  A credential is never written into a page: its input is a
 * password field that is always empty, and only its masked tail is shown.
 */
#ifndef COMRADARR_WEB_UI_SECTIONS_H
#define COMRADARR_WEB_UI_SECTIONS_H

#include <stdint.h>

#include <jansson.h>

#include "core/err.h"
#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/web.h"

/* Add the pages' routes (ui_routes_register calls it). */
int ui_sections_register(struct web_router *r, struct err *e);

/* The fixed message a "done" code of these pages stands for, or NULL. */
const char *ui_sections_done(const char *code);

/* ------------------------------------------------------------ settings page */

/* The settings page's part: links to the pages, and for administrators
 * the log level (level: its name; is_set: stored, not LOG_LEVEL's). */
void ui_render_settings_sections(struct html *h, const struct ui_page *p, int admin,
				 const char *level, int is_set);

/* ------------------------------------------------------------ channels */

/* The list: api_channels_list's items; test: a test's answer to show
 * ({channel, ok, status, answer, error}) or NULL; admin: may change. */
void ui_render_channels(struct html *h, const struct ui_page *p, const json_t *items,
			const json_t *test, int admin, int64_t now_s);

/*
 * The add/edit form of one type.  v: the channel as the API shows it
 * (or the posted values to show back, never a credential); editing: the
 * name and type cannot change and an empty credential keeps the stored
 * one; bad_field: the field an error is about (or NULL).
 */
struct ui_channel_form {
	const json_t *v;
	const json_t *connectors;	/* db_ui_connector_names: the filter's choices */
	const char *type;
	int editing;
	const char *bad_field;
	const char *field_error;
};
void ui_render_channel_form(struct html *h, const struct ui_page *p,
			    const struct ui_channel_form *f);

/* Is type one a form exists for (the eight of lib/notify)? */
int ui_channel_type_known(const char *type);

/* The channel pages' handlers (ui_channels.c). */
int ui_channels(struct web_req *req, struct web_resp *resp);
int ui_channel_new(struct web_req *req, struct web_resp *resp);
int ui_channel_create(struct web_req *req, struct web_resp *resp);
int ui_channel_edit(struct web_req *req, struct web_resp *resp);
int ui_channel_save(struct web_req *req, struct web_resp *resp);
int ui_channel_test(struct web_req *req, struct web_resp *resp);
int ui_channel_enable(struct web_req *req, struct web_resp *resp);
int ui_channel_disable(struct web_req *req, struct web_resp *resp);
int ui_channel_delete(struct web_req *req, struct web_resp *resp);

/* ------------------------------------------------------------ backups */

/* api_backups_list's answer {items, dir, job}; verify: a verification's
 * answer to show ({name, ok, detail}) or NULL. */
void ui_render_backups(struct html *h, const struct ui_page *p, const json_t *list,
		       const json_t *verify, int64_t now_s);

#endif
