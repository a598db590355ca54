/*
 * ui_settings.c - the settings page (Req 21): throttle profiles, your
 * password, and for administrators the users, the API keys (a new key is
 * shown once, on the page that created it) and the audit log.  Changes go
 * through the JSON API's handlers (ui_call_api), so their checks and audit
 * lines are the API's own.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/log.h"
#include "db/settings.h"
#include "db/throttle.h"
#include "db/users.h"
#include "web/app.h"
#include "web/server.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "web/ui_sections.h"
#include "core/banned.h"

struct settings_view {
	const json_t *profiles;		/* [{name, preset, rpm, batch, cooldown, budget, attempts}] */
	const json_t *users;		/* api_users_list's items, admins only */
	const json_t *keys;		/* api_keys_list's items, admins only */
	const json_t *audit;		/* db_audit_list, admins only */
	const char *new_key;		/* shown once */
	int admin;
	const char *log_level;		/* the level now, and whether log.level is set */
	int log_level_set;
};

static json_t *
profiles_json(PGconn *db, struct err *e)
{
	struct db_throttle_profile *list = NULL;
	size_t n = 0, i;
	json_t *a;

	if (db_throttle_profile_list(db, &list, &n, e) < 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:b, s:i, s:i, s:i, s:i, s:i}", "name", list[i].p.name,
						   "preset", list[i].preset, "rpm", list[i].p.requests_per_minute,
						   "batch", list[i].p.batch_size, "cooldown", list[i].p.cooldown_minutes,
						   "budget", list[i].p.daily_budget, "attempts", list[i].max_attempts));
	free(list);
	return a;
}

static void
field(struct html *h, const char *id, const char *label, const char *type, const char *extra)
{
	html_fmt(h, "<div class=\"field\"><label for=\"%s\">%s</label><input type=\"%s\" id=\"%s\" name=\"%s\" %s></div>",
		 id, label, type, id, id, extra);
}

static void
render(struct html *h, const struct ui_page *p, const struct settings_view *v, int64_t now_s)
{
	const json_t *o;
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	if (v->new_key != NULL) {
		html_raw(h, "<div class=\"flash ok\" role=\"status\" id=\"new-key\"><strong>Your new API key</strong> "
			 "(shown this once: copy it now, only its last 4 characters are kept):"
			 "<div class=\"mono\">");
		html_esc(h, v->new_key);
		html_raw(h, "</div></div>");
	}
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-prof\"><h2 id=\"h-prof\">Throttle profiles</h2>"
		 "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Name</th>"
		 "<th scope=\"col\" class=\"num\">Queries / min</th><th scope=\"col\" class=\"num\">Batch</th>"
		 "<th scope=\"col\" class=\"num\">Cooldown (min)</th><th scope=\"col\" class=\"num\">Daily budget</th>"
		 "<th scope=\"col\" class=\"num\">Tries</th></tr></thead><tbody>");
	json_array_foreach(v->profiles, i, o) {
		html_raw(h, "<tr><td>");
		html_esc(h, uj_str(o, "name"));
		if (uj_bool(o, "preset"))
			html_raw(h, " <span class=\"badge\">preset</span>");
		html_fmt(h, "</td><td class=\"num\">%" PRId64 "</td><td class=\"num\">%" PRId64 "</td><td class=\"num\">%"
			 PRId64 "</td><td class=\"num\">", uj_int(o, "rpm"), uj_int(o, "batch"), uj_int(o, "cooldown"));
		html_int(h, uj_int(o, "budget"));
		html_fmt(h, "</td><td class=\"num\">%" PRId64 "</td></tr>", uj_int(o, "attempts"));
	}
	html_raw(h, "</tbody></table></div><h3>New profile</h3>");
	ui_form_post(h, p, "settings/profiles", NULL);
	html_raw(h, "<div class=\"inline-fields\">");
	field(h, "pname", "Name", "text", "required maxlength=\"63\"");
	field(h, "rpm", "Queries / min", "number", "min=\"1\" max=\"60\" value=\"5\" required");
	field(h, "batch", "Batch", "number", "min=\"1\" max=\"10\" value=\"10\" required");
	field(h, "budget", "Daily budget", "number", "min=\"0\" max=\"1000000\" value=\"500\" required");
	html_raw(h, "<button type=\"submit\">Add profile</button></div></form></section>");

	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-pw\"><h2 id=\"h-pw\">Your password</h2>");
	ui_form_post(h, p, "settings/password", NULL);
	html_raw(h, "<div class=\"inline-fields\">");
	field(h, "current_password", "Current password", "password", "autocomplete=\"current-password\" required");
	field(h, "new_password", "New password (12 characters or more)", "password",
	      "autocomplete=\"new-password\" minlength=\"12\" required");
	html_raw(h, "<button type=\"submit\">Change</button></div></form>"
		 "<p class=\"small\"><a href=\"account\">Two-factor authentication</a>: a code "
		 "from an authenticator app at every sign-in.</p></section>");
	ui_render_settings_sections(h, p, v->admin, v->log_level, v->log_level_set);

	if (!v->admin) {
		ui_page_end(h, p);
		return;
	}
	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\" aria-labelledby=\"h-users\"><h2 id=\"h-users\">Users</h2>"
		 "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Role</th>"
		 "<th scope=\"col\">State</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
	json_array_foreach(v->users, i, o) {
		html_raw(h, "<tr><td>");
		html_esc(h, uj_str(o, "name"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "role"));
		html_raw(h, "</td><td>");
		ui_badge(h, uj_int(o, "locked_for_s") > 0 ? "locked" : "active");
		html_raw(h, "</td><td><div class=\"actions\"><form method=\"post\" action=\"settings/users/");
		html_url(h, uj_str(o, "name"));
		html_raw(h, "/delete\" data-confirm=\"Remove this user?\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"small danger\">Remove</button></form></div></td></tr>");
	}
	html_raw(h, "</tbody></table></div><h3>New user</h3>");
	ui_form_post(h, p, "settings/users", NULL);
	html_raw(h, "<div class=\"inline-fields\">");
	field(h, "uname", "Name", "text", "required maxlength=\"64\" autocomplete=\"off\"");
	html_raw(h, "<div class=\"field\"><label for=\"role\">Role</label><select id=\"role\" name=\"role\">"
		 "<option value=\"user\">user</option><option value=\"readonly\">readonly</option>"
		 "<option value=\"admin\">admin</option></select></div>");
	field(h, "upass", "Password", "password", "autocomplete=\"new-password\" minlength=\"12\" required");
	html_raw(h, "<button type=\"submit\">Add user</button></div></form></section>");

	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-keys\"><h2 id=\"h-keys\">API keys</h2>"
		 "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Key</th><th scope=\"col\">Description</th>"
		 "<th scope=\"col\">Scope</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
	json_array_foreach(v->keys, i, o) {
		html_raw(h, "<tr><td class=\"mono\">\xe2\x80\xa6");
		html_esc(h, uj_str(o, "last4"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "description"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "scope"));
		html_raw(h, "</td><td>");
		if (uj_bool(o, "revoked")) {
			ui_badge(h, "revoked");
		} else {
			html_fmt(h, "<form method=\"post\" action=\"settings/apikeys/%" PRId64 "/revoke\""
				 " data-confirm=\"Revoke this key? Scripts using it stop at once.\">", uj_int(o, "id"));
			ui_csrf(h, p);
			html_raw(h, "<button type=\"submit\" class=\"small danger\">Revoke</button></form>");
		}
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table></div><h3>New key</h3>");
	ui_form_post(h, p, "settings/apikeys", NULL);
	html_raw(h, "<div class=\"inline-fields\">");
	field(h, "description", "Description", "text", "required maxlength=\"200\"");
	html_raw(h, "<div class=\"field\"><label for=\"scope\">Scope</label><select id=\"scope\" name=\"scope\">"
		 "<option value=\"read\">read</option><option value=\"full\">full</option></select></div>"
		 "<button type=\"submit\">Create key</button></div></form></section></div>");

	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-audit\"><h2 id=\"h-audit\">Audit log</h2>");
	if (json_array_size(v->audit) == 0)
		html_raw(h, "<p class=\"empty\">Nothing recorded yet.</p>");
	else
		html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>"
			 "<th scope=\"col\">Address</th><th scope=\"col\">What</th><th scope=\"col\">Outcome</th></tr></thead><tbody>");
	json_array_foreach(v->audit, i, o) {
		html_raw(h, "<tr><td class=\"nowrap small\">");
		html_ago(h, uj_int(o, "at_us") / 1000000, now_s);
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "actor"));
		html_raw(h, "</td><td class=\"mono small\">");
		html_esc(h, uj_str(o, "address"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(o, "action"));
		if (uj_str(o, "target") != NULL) {
			html_raw(h, " <span class=\"dim\">");
			html_esc(h, uj_str(o, "target"));
			html_raw(h, "</span>");
		}
		html_raw(h, "</td><td>");
		ui_badge(h, uj_str(o, "outcome"));
		html_raw(h, "</td></tr>");
	}
	if (json_array_size(v->audit) > 0)
		html_raw(h, "</tbody></table></div>");
	html_raw(h, "</section>");
	ui_page_end(h, p);
}

/* the settings page, with a message and (once) a new key */
static int
settings_page(struct web_req *req, struct web_resp *resp, int status, const char *err_msg, const char *new_key)
{
	PGconn *db = web_req_db(req, resp);
	struct settings_view v;
	json_t *prof = NULL, *users = NULL, *keys = NULL, *audit = NULL;
	struct err e = ERR_INIT;
	struct ui_page p;
	struct html h;
	int rc;

	if (db == NULL)
		return 0;
	memset(&v, 0, sizeof(v));
	v.admin = req->who.kind == WEB_SESSION && strcmp(req->who.role, "admin") == 0;
	if ((prof = profiles_json(db, &e)) == NULL)
		return ui_error_page(req, resp, 500, &e);
	if (v.admin) {
		json_t *a = NULL;

		if (ui_call_api(req, resp, api_users_list, NULL, &a) == 200)
			users = json_incref(json_object_get(a, "items"));
		json_decref(a);
		a = NULL;
		if (ui_call_api(req, resp, api_keys_list, NULL, &a) == 200)
			keys = json_incref(json_object_get(a, "items"));
		json_decref(a);
		if (db_audit_list(db, 0, 30, &audit, &e) < 0)
			audit = NULL;
	}
	v.profiles = prof;
	v.users = users;
	v.keys = keys;
	v.audit = audit;
	v.new_key = new_key;
	{
		struct db_setting ll;

		/* the level this server logs at (log.level, or LOG_LEVEL's) */
		v.log_level = log_level_name(log_get_level());
		if (db_setting_get(db, settings_find(SETTING_LOG_LEVEL), &ll, &e) == 0)
			v.log_level_set = !ll.is_default;
	}
	ui_page_for(&p, req, "Settings", "settings");
	if (p.flash_ok == NULL) {
		char done[32];

		p.flash_ok = ui_sections_done(web_req_query(req, "done", done, sizeof(done)));
	}
	p.flash_err = err_msg;
	html_init(&h);
	render(&h, &p, &v, (int64_t)time(NULL));
	rc = ui_send(resp, status, &h);
	json_decref(prof);
	json_decref(users);
	json_decref(keys);
	json_decref(audit);
	return rc;
}

int
ui_settings(struct web_req *req, struct web_resp *resp)
{
	return settings_page(req, resp, 200, NULL, NULL);
}

int
ui_settings_profile(struct web_req *req, struct web_resp *resp)
{
	PGconn *db = web_req_db(req, resp);
	struct db_throttle_profile prof;
	struct err e = ERR_INIT;
	char name[THROTTLE_NAME_MAX], b[16];
	int64_t rpm, batch, budget;

	if (db == NULL)
		return 0;
	if (ui_field(req, "pname", name, sizeof(name)) == NULL ||
	    ui_parse_int(ui_field(req, "rpm", b, sizeof(b)), 1, 60, &rpm) < 0 ||
	    ui_parse_int(ui_field(req, "batch", b, sizeof(b)), 1, 10, &batch) < 0 ||
	    ui_parse_int(ui_field(req, "budget", b, sizeof(b)), 0, 1000000, &budget) < 0)
		return settings_page(req, resp, 422, "a profile needs a name, 1-60 queries a minute, "
				     "a batch of 1-10 and a daily budget of 0-1000000", NULL);
	/* the rest from the moderate preset: the one definition of sane numbers */
	memset(&prof, 0, sizeof(prof));
	if (db_throttle_profile_get(db, "moderate", &prof, &e) < 0)
		return settings_page(req, resp, 500, e.msg, NULL);
	snprintf(prof.p.name, sizeof(prof.p.name), "%s", name);
	prof.p.requests_per_minute = (int)rpm;
	prof.p.batch_size = (int)batch;
	prof.p.daily_budget = (int)budget;
	prof.preset = 0;
	if (db_throttle_profile_add(db, &prof, &e) < 0)
		return settings_page(req, resp, e.kind == ERR_CONFLICT ? 409 : 422, e.msg, NULL);
	return ui_redirect(req, resp, "settings?done=profile");
}

/* the form's fields into the JSON an API handler reads, then its answer */
static int
via_api(struct web_req *req, struct web_resp *resp, web_handler_fn fn, json_t *body, const char *done)
{
	json_t *answer = NULL;
	char msg[512];
	int status;

	status = ui_call_api(req, resp, fn, body, &answer);
	if (status < 300) {
		json_decref(answer);
		return ui_redirect(req, resp, done);
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the change was refused"));
	json_decref(answer);
	return settings_page(req, resp, status, msg, NULL);
}

int
ui_settings_password(struct web_req *req, struct web_resp *resp)
{
	char cur[1024], next[1024];
	json_t *body;

	if (ui_field(req, "current_password", cur, sizeof(cur)) == NULL ||
	    ui_field(req, "new_password", next, sizeof(next)) == NULL)
		return settings_page(req, resp, 422, "enter the current and the new password", NULL);
	body = json_pack("{s:s, s:s}", "current_password", cur, "new_password", next);
	sodium_memzero(cur, sizeof(cur));
	sodium_memzero(next, sizeof(next));
	/* a changed password ends every session, this one too: sign in again */
	return via_api(req, resp, api_password, body, "login");
}

int
ui_settings_user_add(struct web_req *req, struct web_resp *resp)
{
	char name[80], role[16], pw[1024];
	json_t *body;

	if (ui_field(req, "uname", name, sizeof(name)) == NULL || ui_field(req, "role", role, sizeof(role)) == NULL ||
	    ui_field(req, "upass", pw, sizeof(pw)) == NULL)
		return settings_page(req, resp, 422, "a user needs a name, a role and a password", NULL);
	body = json_pack("{s:s, s:s, s:s}", "name", name, "role", role, "password", pw);
	sodium_memzero(pw, sizeof(pw));
	return via_api(req, resp, api_users_add, body, "settings?done=user");
}

int
ui_settings_user_delete(struct web_req *req, struct web_resp *resp)
{
	return via_api(req, resp, api_users_remove, NULL, "settings?done=user_removed");
}

int
ui_settings_key_add(struct web_req *req, struct web_resp *resp)
{
	char desc[256], scope[16];
	json_t *body, *answer = NULL;
	char msg[512];
	int status, rc;

	if (ui_field(req, "description", desc, sizeof(desc)) == NULL || ui_field(req, "scope", scope, sizeof(scope)) == NULL)
		return settings_page(req, resp, 422, "a key needs a description and a scope", NULL);
	body = json_pack("{s:s, s:s}", "description", desc, "scope", scope);
	status = ui_call_api(req, resp, api_keys_add, body, &answer);
	if (status == 201) {
		/* shown on this answer only: never stored, never in a URL */
		rc = settings_page(req, resp, 201, NULL, uj_str(answer, "new_key_shown_once"));
		if (uj_str(answer, "new_key_shown_once") != NULL)
			sodium_memzero((char *)uj_str(answer, "new_key_shown_once"),
				       strlen(uj_str(answer, "new_key_shown_once")));
		json_decref(answer);
		return rc;
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the key was not created"));
	json_decref(answer);
	return settings_page(req, resp, status, msg, NULL);
}

int
ui_settings_key_revoke(struct web_req *req, struct web_resp *resp)
{
	return via_api(req, resp, api_keys_revoke, NULL, "settings?done=key_revoked");
}
