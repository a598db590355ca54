/*
 * ui_page_conn.c - the connector pages (Req 16): the list with status
 * colours and quick stats, the add/edit form with "test connection", and
 * one connector's page with its health history.  The API key is never
 * written into a page: the form's key field is always empty, and an edit
 * shows only the key's last four characters (masked).
 */
#include <inttypes.h>
#include <string.h>

#include "web/ui_pages.h"
#include "core/banned.h"

static const char *const types[] = { "sonarr", "radarr", "whisparr", NULL };

static void
conn_link(struct html *h, const char *name, const char *suffix)
{
	html_raw(h, "connectors/");
	html_url(h, name);
	html_raw(h, suffix);
}

void
ui_render_connectors(struct html *h, const struct ui_page *p, const json_t *list, int64_t now_s)
{
	const json_t *c;
	size_t i;

	ui_page_begin(h, p);
	html_raw(h, "<a class=\"btn primary\" href=\"connectors/new\">Add connector</a>");
	ui_page_main(h, p);
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-list\"><h2 id=\"h-list\">Your *arr applications</h2>");
	if (json_array_size(list) == 0) {
		html_raw(h, "<p class=\"empty\">No connectors yet. Add Sonarr, Radarr or Whisparr with its URL and API key "
			 "(Settings \xe2\x86\x92 General in the app).</p></section>");
		ui_page_end(h, p);
		return;
	}
	html_raw(h, "<div class=\"table-wrap\" id=\"conn-list\" data-live><table><thead><tr>"
		 "<th scope=\"col\">Status</th><th scope=\"col\">Name</th><th scope=\"col\">Type</th>"
		 "<th scope=\"col\" class=\"hide-sm\">URL</th><th scope=\"col\" class=\"num\">Gaps</th>"
		 "<th scope=\"col\" class=\"num\">Upgrades</th><th scope=\"col\" class=\"num hide-sm\">Queued</th>"
		 "<th scope=\"col\" class=\"hide-sm\">Last sync</th><th scope=\"col\">Actions</th></tr></thead><tbody>");
	json_array_foreach(list, i, c) {
		const char *name = uj_str(c, "name");
		int enabled = uj_bool(c, "enabled");

		html_raw(h, "<tr><td>");
		ui_status(h, enabled ? uj_str(c, "health") : "disabled");
		html_raw(h, "</td><td><a href=\"");
		conn_link(h, name, "");
		html_raw(h, "\"><strong>");
		html_esc(h, name);
		html_raw(h, "</strong></a>");
		if (uj_str(c, "app_version") != NULL) {
			html_raw(h, "<div class=\"dim small\">");
			html_esc(h, uj_str(c, "app_name"));
			html_raw(h, " ");
			html_esc(h, uj_str(c, "app_version"));
			html_raw(h, "</div>");
		}
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(c, "type"));
		html_raw(h, "</td><td class=\"hide-sm mono small\">");
		html_esc(h, uj_str(c, "url"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "gaps"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "upgrades"));
		html_raw(h, "</td><td class=\"num hide-sm\">");
		html_int(h, uj_int(c, "queued"));
		html_raw(h, "</td><td class=\"hide-sm\">");
		html_ago(h, uj_int(c, "last_sync"), now_s);
		html_raw(h, "</td><td><div class=\"actions\">");
		html_raw(h, "<a class=\"btn small\" href=\"");
		conn_link(h, name, "/edit");
		html_raw(h, "\">Edit</a>");
		html_raw(h, "<form method=\"post\" action=\"");
		conn_link(h, name, "/test");
		html_raw(h, "\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"small\">Test</button></form>");
		html_raw(h, "<form method=\"post\" action=\"");
		conn_link(h, name, "/sync");
		html_raw(h, "\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"small\">Sync</button></form>");
		html_raw(h, "<form method=\"post\" action=\"");
		conn_link(h, name, enabled ? "/disable" : "/enable");
		html_raw(h, "\">");
		ui_csrf(h, p);
		html_fmt(h, "<button type=\"submit\" class=\"small\">%s</button></form>", enabled ? "Disable" : "Enable");
		html_raw(h, "</div></td></tr>");
	}
	html_raw(h, "</tbody></table></div></section>");
	ui_page_end(h, p);
}

static void
field_error(struct html *h, const struct ui_connector_form *f, const char *field)
{
	if (f->bad_field != NULL && strcmp(f->bad_field, field) == 0 && f->field_error != NULL) {
		html_fmt(h, "<div class=\"error\" id=\"%s-error\">", field);
		html_esc(h, f->field_error);
		html_raw(h, "</div>");
	}
}

static const char *
invalid(const struct ui_connector_form *f, const char *field)
{
	return f->bad_field != NULL && strcmp(f->bad_field, field) == 0 ? " invalid" : "";
}

static void
described(struct html *h, const struct ui_connector_form *f, const char *field)
{
	if (f->bad_field != NULL && strcmp(f->bad_field, field) == 0)
		html_fmt(h, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", field);
}

static void
test_result(struct html *h, const json_t *t)
{
	const char *health = uj_str(t, "health");
	const json_t *w;
	size_t i;

	html_fmt(h, "<div class=\"flash %s\" role=\"status\" id=\"test-result\"><strong>Connection test: </strong>",
		 uj_bool(t, "ok") ? "ok" : "bad");
	ui_badge(h, health);
	if (uj_str(t, "app") != NULL) {
		html_raw(h, " ");
		html_esc(h, uj_str(t, "app"));
		html_raw(h, " ");
		html_esc(h, uj_str(t, "version"));
		if (uj_str(t, "api") != NULL) {
			html_raw(h, " (API ");
			html_esc(h, uj_str(t, "api"));
			html_raw(h, ")");
		}
	}
	if (uj_str(t, "message") != NULL) {
		html_raw(h, "<div>");
		html_esc(h, uj_str(t, "message"));
		html_raw(h, "</div>");
	}
	json_array_foreach(json_object_get(t, "warnings"), i, w) {
		html_raw(h, "<div class=\"small\">");
		html_esc(h, json_string_value(w));
		html_raw(h, "</div>");
	}
	html_raw(h, "</div>");
}

void
ui_render_connector_form(struct html *h, const struct ui_page *p, const struct ui_connector_form *f)
{
	const char *name = uj_str(f->v, "name"), *type = uj_str(f->v, "type");
	const char *last4 = uj_str(f->v, "key_last4");
	int64_t timeout = uj_int(f->v, "timeout_ms");
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	if (f->test != NULL)
		test_result(h, f->test);
	html_raw(h, "<section class=\"card\"><form method=\"post\" action=\"");
	if (f->editing)
		conn_link(h, name, "/edit");
	else
		html_raw(h, "connectors/new");
	html_raw(h, "\" novalidate>");
	ui_csrf(h, p);
	html_fmt(h, "<div class=\"field%s\"><label for=\"name\">Name</label>", invalid(f, "name"));
	html_raw(h, "<input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"63\""
		 " pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}\" autocomplete=\"off\" value=\"");
	html_esc(h, name);
	html_raw(h, "\"");
	if (f->editing)
		html_raw(h, " readonly");
	described(h, f, "name");
	html_raw(h, "><div class=\"hint\">Letters, digits, dot, dash, underscore: how the shell and the logs name it.</div>");
	field_error(h, f, "name");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"type\">Type</label><select id=\"type\" name=\"type\"",
		 invalid(f, "type"));
	if (f->editing)
		html_raw(h, " disabled");
	described(h, f, "type");
	html_raw(h, ">");
	for (i = 0; types[i] != NULL; i++)
		html_fmt(h, "<option value=\"%s\"%s>%c%s</option>", types[i],
			 type != NULL && strcmp(type, types[i]) == 0 ? " selected" : "",
			 types[i][0] - 'a' + 'A', types[i] + 1);
	html_raw(h, "</select>");
	if (f->editing) {
		html_raw(h, "<input type=\"hidden\" name=\"type\" value=\"");
		html_esc(h, type);
		html_raw(h, "\">");
	}
	field_error(h, f, "type");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"url\">URL</label>", invalid(f, "url"));
	html_raw(h, "<input type=\"url\" id=\"url\" name=\"url\" required placeholder=\"http://sonarr:8989\" value=\"");
	html_esc(h, uj_str(f->v, "url"));
	html_raw(h, "\"");
	described(h, f, "url");
	html_raw(h, "><div class=\"hint\">The address Comradarr reaches the app at, with its URL base if it has one.</div>");
	field_error(h, f, "url");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"api_key\">API key</label>", invalid(f, "api_key"));
	/* never a value: the key is not sent back to the browser */
	html_raw(h, "<input type=\"password\" id=\"api_key\" name=\"api_key\" autocomplete=\"new-password\"");
	if (!f->editing)
		html_raw(h, " required");
	described(h, f, "api_key");
	html_raw(h, "><div class=\"hint\">");
	if (f->editing && last4 != NULL) {
		html_raw(h, "Stored: <span class=\"mono\">");
		html_esc(h, last4);
		html_raw(h, "</span>. Leave empty to keep it.");
	} else {
		html_raw(h, "From the app's Settings \xe2\x86\x92 General. Stored encrypted; never shown again.");
	}
	html_raw(h, "</div>");
	field_error(h, f, "api_key");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"timeout\">Timeout (seconds)</label>", invalid(f, "timeout"));
	html_fmt(h, "<input type=\"number\" id=\"timeout\" name=\"timeout\" min=\"1\" max=\"600\" value=\"%" PRId64 "\"",
		 timeout > 0 ? timeout / 1000 : 30);
	described(h, f, "timeout");
	html_raw(h, ">");
	field_error(h, f, "timeout");
	html_fmt(h, "</div><div class=\"field\"><label for=\"enabled\"><input type=\"checkbox\" id=\"enabled\" name=\"enabled\" value=\"1\"%s> Enabled</label></div>",
		 json_object_get(f->v, "enabled") == NULL || uj_bool(f->v, "enabled") ? " checked" : "");
	html_raw(h, "<div class=\"actions\"><button type=\"submit\" class=\"primary\" name=\"do\" value=\"save\">Save</button>"
		 "<button type=\"submit\" name=\"do\" value=\"test\">Test connection</button>"
		 "<a class=\"btn\" href=\"connectors\">Cancel</a></div></form></section>");
	if (f->editing) {
		html_raw(h, "<section class=\"card\"><h2>Remove</h2><p class=\"dim\">Removes the connector and "
			 "everything Comradarr keeps about its library. The app itself is not touched.</p>");
		html_raw(h, "<form method=\"post\" action=\"");
		conn_link(h, name, "/delete");
		html_raw(h, "\" data-confirm=\"Remove this connector and its mirror?\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"danger\">Remove connector</button></form></section>");
	}
	ui_page_end(h, p);
}

void
ui_render_connector(struct html *h, const struct ui_page *p, const json_t *c, const json_t *history,
		    int64_t now_s)
{
	const char *name = uj_str(c, "name");
	const json_t *ev;
	size_t i;

	ui_page_begin(h, p);
	html_raw(h, "<a class=\"btn\" href=\"");
	conn_link(h, name, "/edit");
	html_raw(h, "\">Edit</a>");
	ui_page_main(h, p);
	if (uj_bool(c, "auth_failed") || (uj_str(c, "health") != NULL &&
	    (strcmp(uj_str(c, "health"), "unhealthy") == 0 || strcmp(uj_str(c, "health"), "offline") == 0))) {
		/* Req 16.5: an error comes with what to do about it */
		html_raw(h, "<div class=\"flash bad\" role=\"alert\"><strong>This connector has a problem.</strong> ");
		if (uj_bool(c, "auth_failed"))
			html_raw(h, "The app refused the API key: copy it again from the app's Settings \xe2\x86\x92 General and ");
		else
			html_raw(h, "The app did not answer: check that it runs and that the URL is right, then ");
		html_raw(h, "<a href=\"");
		conn_link(h, name, "/edit");
		html_raw(h, "\">edit the connector</a> and test it.</div>");
	}
	html_raw(h, "<div class=\"stats\">");
	html_raw(h, "<div class=\"stat\"><div class=\"label\">Health</div><div class=\"value\">");
	ui_status(h, uj_bool(c, "enabled") ? uj_str(c, "health") : "disabled");
	html_raw(h, "</div><div class=\"sub\">checked ");
	html_ago(h, uj_int(c, "health_checked"), now_s);
	html_raw(h, "</div></div><div class=\"stat\"><div class=\"label\">Library</div><div class=\"value\">");
	html_pct(h, uj_int(c, "have"), uj_int(c, "items"));
	html_raw(h, "</div><div class=\"sub\">");
	html_int(h, uj_int(c, "have"));
	html_raw(h, " of ");
	html_int(h, uj_int(c, "items"));
	html_raw(h, " monitored</div></div><div class=\"stat\"><div class=\"label\">Gaps / upgrades</div><div class=\"value\">");
	html_int(h, uj_int(c, "gaps"));
	html_raw(h, " / ");
	html_int(h, uj_int(c, "upgrades"));
	html_raw(h, "</div><div class=\"sub\">");
	html_int(h, uj_int(c, "exhausted"));
	html_raw(h, " given up</div></div><div class=\"stat\"><div class=\"label\">Searches today</div><div class=\"value\">");
	html_int(h, uj_int(c, "searches_today"));
	html_raw(h, "</div><div class=\"sub\">");
	html_int(h, uj_int(c, "grabbed_today"));
	html_raw(h, " grabbed</div></div></div>");

	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\"><h2>Configuration</h2><table><tbody>");
	html_raw(h, "<tr><th scope=\"row\">Type</th><td>");
	html_esc(h, uj_str(c, "type"));
	html_raw(h, "</td></tr><tr><th scope=\"row\">URL</th><td class=\"mono\">");
	html_esc(h, uj_str(c, "url"));
	html_raw(h, "</td></tr><tr><th scope=\"row\">App</th><td>");
	html_esc(h, uj_str(c, "app_name") != NULL ? uj_str(c, "app_name") : "not seen yet");
	html_raw(h, " ");
	html_esc(h, uj_str(c, "app_version"));
	html_raw(h, "</td></tr><tr><th scope=\"row\">Last sync</th><td>");
	html_ago(h, uj_int(c, "last_sync"), now_s);
	if (uj_str(c, "sync_error") != NULL) {
		html_raw(h, " <span class=\"badge bad\">failed</span> <span class=\"small\">");
		html_esc(h, uj_str(c, "sync_error"));
		html_raw(h, "</span>");
	}
	html_raw(h, "</td></tr>");
	if (uj_str(c, "health_detail") != NULL) {
		html_raw(h, "<tr><th scope=\"row\">Detail</th><td>");
		html_esc(h, uj_str(c, "health_detail"));
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table><div class=\"actions\">");
	html_raw(h, "<form method=\"post\" action=\"");
	conn_link(h, name, "/test");
	html_raw(h, "\">");
	ui_csrf(h, p);
	html_raw(h, "<button type=\"submit\">Test connection</button></form>");
	html_raw(h, "<form method=\"post\" action=\"");
	conn_link(h, name, "/sync");
	html_raw(h, "\">");
	ui_csrf(h, p);
	html_raw(h, "<button type=\"submit\" class=\"primary\">Sync now</button></form>"
		 "<a class=\"btn\" href=\"content?connector=");
	html_url(h, name);
	html_raw(h, "\">Browse its library</a></div></section>");

	html_raw(h, "<section class=\"card\"><h2>Health history</h2>");
	if (json_array_size(history) == 0)
		html_raw(h, "<p class=\"empty\">No checks recorded yet.</p>");
	else
		html_raw(h, "<ul class=\"feed\">");
	json_array_foreach(history, i, ev) {
		html_raw(h, "<li>");
		html_ago(h, uj_int(ev, "at"), now_s);
		html_raw(h, "<span class=\"what\">");
		ui_badge(h, uj_str(ev, "status"));
		if (uj_str(ev, "detail") != NULL) {
			html_raw(h, " ");
			html_esc(h, uj_str(ev, "detail"));
		}
		html_raw(h, "</span></li>");
	}
	if (json_array_size(history) > 0)
		html_raw(h, "</ul>");
	html_raw(h, "</section></div>");
	ui_page_end(h, p);
}
