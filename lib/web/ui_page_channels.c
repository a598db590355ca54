/*
 * ui_page_channels.c - the notification channels page and its add/edit
 * form (Req 21.3): each type with its own labelled fields, credentials as
 * password inputs that are never filled in, events, severity, batching,
 * quiet hours and the hourly cap.  See ui_sections.h.
 */
#include <inttypes.h>
#include <string.h>

#include "web/ui_pages.h"
#include "web/ui_sections.h"
#include "core/banned.h"

/* One input of a type's form: a config member or a credential. */
struct chfield {
	const char *type;
	const char *member;	/* config or secrets member */
	int secret;
	int required;
	const char *label;
	const char *input;	/* "url", "text", "email" */
	const char *placeholder;
	const char *hint;
};

static const struct chfield fields[] = {
	{ "discord", "url", 1, 1, "Webhook URL", "url", "https://discord.com/api/webhooks/...",
	  "Server Settings \xe2\x86\x92 Integrations \xe2\x86\x92 Webhooks. It holds its own token: "
	  "stored encrypted." },
	{ "slack", "url", 1, 1, "Webhook URL", "url", "https://hooks.slack.com/services/...",
	  "An incoming webhook of your Slack app: stored encrypted." },
	{ "telegram", "token", 1, 1, "Bot token", "text", "123456:ABC...", "From @BotFather." },
	{ "telegram", "chat_id", 0, 1, "Chat id", "text", "-1001234567890",
	  "The chat, group or channel the bot writes to." },
	{ "telegram", "url", 0, 0, "API server", "url", "https://api.telegram.org",
	  "Only for a self-hosted Bot API server." },
	{ "pushover", "token", 1, 1, "Application token", "text", NULL, NULL },
	{ "pushover", "user", 1, 1, "User key", "text", NULL, NULL },
	{ "gotify", "url", 0, 1, "Server URL", "url", "https://gotify.example.org", NULL },
	{ "gotify", "token", 1, 1, "Application token", "text", NULL, NULL },
	{ "ntfy", "url", 0, 1, "Server URL", "url", "https://ntfy.sh", NULL },
	{ "ntfy", "topic", 0, 1, "Topic", "text", "comradarr", NULL },
	{ "ntfy", "token", 1, 0, "Access token", "text", NULL, "Only for a protected topic." },
	{ "ntfy", "tags", 0, 0, "Tags", "text", "tv,comradarr", "Comma-separated." },
	{ "email", "url", 0, 1, "SMTP server", "url", "smtp://mail.example.org:587",
	  "smtp:// (STARTTLS) or smtps://." },
	{ "email", "from", 0, 1, "From", "text", "comradarr@example.org", NULL },
	{ "email", "to", 0, 1, "To", "text", "you@example.org", "Comma-separated addresses." },
	{ "email", "username", 0, 0, "SMTP login", "text", NULL, NULL },
	{ "email", "password", 1, 0, "SMTP password", "text", NULL, NULL },
	{ "webhook", "url", 1, 1, "Webhook URL", "url", "https://example.org/hooks/comradarr",
	  "Requests are signed: X-Comradarr-Signature, see comradarr-notify(1)." },
	{ "webhook", "hmac_secret", 1, 1, "Signing secret", "text", NULL,
	  "The receiver checks each request's HMAC-SHA256 with it." },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, NULL }
};

static const char *const types[][2] = {
	{ "discord", "Discord" }, { "telegram", "Telegram" }, { "slack", "Slack" },
	{ "pushover", "Pushover" }, { "gotify", "Gotify" }, { "ntfy", "ntfy" },
	{ "email", "E-mail" }, { "webhook", "Webhook (signed)" }, { NULL, NULL }
};

int
ui_channel_type_known(const char *type)
{
	for (int i = 0; type != NULL && types[i][0] != NULL; i++)
		if (strcmp(types[i][0], type) == 0)
			return 1;
	return 0;
}

static const char *
type_label(const char *type)
{
	for (int i = 0; type != NULL && types[i][0] != NULL; i++)
		if (strcmp(types[i][0], type) == 0)
			return types[i][1];
	return type;
}

static void
ch_link(struct html *h, const char *name, const char *suffix)
{
	html_raw(h, "settings/channels/");
	html_url(h, name);
	html_raw(h, suffix);
}

/* "default", "all", or the kinds, for the list */
static void
events_text(struct html *h, const json_t *events)
{
	const json_t *k;
	size_t i;

	if (json_is_string(events)) {
		html_raw(h, strcmp(json_string_value(events), "default") == 0 ?
			 "<span class=\"dim\">the default selection</span>" : "");
		return;
	}
	if (json_array_size(events) == 1 && json_string_value(json_array_get(events, 0)) != NULL &&
	    strcmp(json_string_value(json_array_get(events, 0)), "all") == 0) {
		html_raw(h, "all events");
		return;
	}
	json_array_foreach(events, i, k) {
		if (i > 0)
			html_raw(h, ", ");
		if (i == 4) {
			html_fmt(h, "and %zu more", json_array_size(events) - 4);
			break;
		}
		html_raw(h, "<span class=\"mono small\">");
		html_esc(h, json_string_value(k));
		html_raw(h, "</span>");
	}
}

static void
test_result(struct html *h, const json_t *t)
{
	html_fmt(h, "<div class=\"flash %s\" role=\"status\" id=\"test-result\"><strong>Test message to ",
		 uj_bool(t, "ok") ? "ok" : "bad");
	html_esc(h, uj_str(t, "channel"));
	html_raw(h, ":</strong> ");
	if (uj_bool(t, "ok"))
		html_raw(h, "the receiver accepted it");
	else
		html_raw(h, "not delivered");
	if (uj_int(t, "status") > 0)
		html_fmt(h, " (status %" PRId64 ")", uj_int(t, "status"));
	html_raw(h, ".");
	if (!uj_bool(t, "ok") && uj_str(t, "error") != NULL) {
		html_raw(h, "<div>");
		html_esc(h, uj_str(t, "error"));
		html_raw(h, "</div>");
	}
	if (uj_str(t, "answer") != NULL && uj_str(t, "answer")[0] != '\0') {
		html_raw(h, "<div class=\"small mono\">");
		html_esc_n(h, uj_str(t, "answer"), 300);
		html_raw(h, "</div>");
	}
	html_raw(h, "</div>");
}

static void
small_post(struct html *h, const struct ui_page *p, const char *name, const char *suffix,
	   const char *label, const char *cls, const char *confirm)
{
	html_raw(h, "<form method=\"post\" action=\"");
	ch_link(h, name, suffix);
	html_raw(h, "\"");
	if (confirm != NULL) {
		html_raw(h, " data-confirm=\"");
		html_esc(h, confirm);
		html_raw(h, "\"");
	}
	html_raw(h, ">");
	ui_csrf(h, p);
	html_fmt(h, "<button type=\"submit\" class=\"small%s\">%s</button></form>", cls, label);
}

void
ui_render_channels(struct html *h, const struct ui_page *p, const json_t *items,
		   const json_t *test, int admin, int64_t now_s)
{
	const json_t *c;
	size_t i;

	ui_page_begin(h, p);
	if (admin)
		html_raw(h, "<a class=\"btn primary\" href=\"settings/channels/new\">Add channel</a>");
	ui_page_main(h, p);
	if (test != NULL)
		test_result(h, test);
	html_raw(h, "<p class=\"dim\"><a href=\"settings\">Settings</a> \xe2\x86\x92 Notification channels. "
		 "comradarr-notify delivers the events each channel wants; \xe2\x80\x9cSend test\xe2\x80\x9d "
		 "sends a real message now.</p>");
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-ch\"><h2 id=\"h-ch\">Channels</h2>");
	if (json_array_size(items) == 0) {
		html_raw(h, "<p class=\"empty\">No channels yet. Add Discord, Telegram, Slack, Pushover, Gotify, "
			 "ntfy, e-mail or a signed webhook.</p></section>");
		ui_page_end(h, p);
		return;
	}
	html_raw(h, "<div class=\"table-wrap\"><table id=\"channel-list\"><thead><tr><th scope=\"col\">State</th>"
		 "<th scope=\"col\">Name</th><th scope=\"col\" class=\"hide-sm\">Type</th>"
		 "<th scope=\"col\" class=\"hide-sm\">Events</th>"
		 "<th scope=\"col\" class=\"hide-sm\">Credentials</th><th scope=\"col\">Last delivery</th>"
		 "<th scope=\"col\">Actions</th></tr></thead><tbody>");
	json_array_foreach(items, i, c) {
		const char *name = uj_str(c, "channel");
		const json_t *last = json_object_get(c, "last"), *s;
		int enabled = uj_bool(c, "enabled");
		size_t k;

		html_raw(h, "<tr><td>");
		ui_status(h, uj_str(c, "stopped_reason") ? "failed" : enabled ? "enabled" : "disabled");
		html_raw(h, "</td><td><strong>");
		html_esc(h, name);
		html_raw(h, "</strong>");
		if (uj_str(c, "stopped_reason") != NULL) {
			html_raw(h, "<div class=\"small\">stopped: ");
			html_esc(h, uj_str(c, "stopped_reason"));
			html_raw(h, "</div>");
		}
		html_raw(h, "</td><td class=\"hide-sm\">");
		html_esc(h, type_label(uj_str(c, "type")));
		html_raw(h, "</td><td class=\"hide-sm\">");
		events_text(h, json_object_get(c, "events"));
		html_raw(h, "<div class=\"dim small\">");
		html_esc(h, uj_str(c, "min_severity"));
		html_raw(h, " and up");
		if (uj_str(c, "quiet_hours") != NULL) {
			html_raw(h, "; quiet ");
			html_esc(h, uj_str(c, "quiet_hours"));
		}
		html_raw(h, "</div></td><td class=\"hide-sm mono small\">");
		json_array_foreach(json_object_get(c, "secrets_masked"), k, s) {
			if (k > 0)
				html_raw(h, "<br>");
			if (uj_str(s, "error") != NULL) {
				html_raw(h, "cannot be opened");
				continue;
			}
			html_esc(h, uj_str(s, "name"));
			html_raw(h, " \xe2\x80\xa6");
			/* the masked form ends in the last 4 characters */
			{
				const char *m = uj_str(s, "masked");
				size_t n = m ? strlen(m) : 0;

				html_esc(h, n > 4 ? m + n - 4 : "set");
			}
		}
		html_raw(h, "</td><td>");
		if (last == NULL || json_is_null(last)) {
			html_raw(h, "<span class=\"dim\">nothing sent yet</span>");
		} else {
			ui_badge(h, uj_str(last, "state"));
			html_raw(h, " ");
			html_ago(h, uj_int(last, "at"), now_s);
			if (uj_str(last, "error") != NULL) {
				html_raw(h, "<div class=\"small\">");
				html_esc_n(h, uj_str(last, "error"), 160);
				html_raw(h, "</div>");
			}
		}
		html_raw(h, "</td><td><div class=\"actions\">");
		small_post(h, p, name, "/test", "Send test", "", NULL);
		if (admin) {
			html_raw(h, "<a class=\"btn small\" href=\"");
			ch_link(h, name, "/edit");
			html_raw(h, "\">Edit</a>");
			small_post(h, p, name, enabled ? "/disable" : "/enable", enabled ? "Disable" : "Enable",
				   "", NULL);
			small_post(h, p, name, "/delete", "Remove", " danger",
				   "Remove this channel and its delivery history?");
		}
		html_raw(h, "</div></td></tr>");
	}
	html_raw(h, "</tbody></table></div></section>");
	ui_page_end(h, p);
}

/* ------------------------------------------------------------ the form */

static void
field_error(struct html *h, const struct ui_channel_form *f, const char *field)
{
	if (f->bad_field != NULL && strcmp(f->bad_field, field) == 0 && f->field_error != NULL) {
		html_fmt(h, "<div class=\"error\" id=\"%s-error\">", field);
		html_esc(h, f->field_error);
		html_raw(h, "</div>");
	}
}

static void
field_open(struct html *h, const struct ui_channel_form *f, const char *id, const char *label)
{
	int bad = f->bad_field != NULL && strcmp(f->bad_field, id) == 0;

	html_fmt(h, "<div class=\"field%s\"><label for=\"%s\">%s</label>", bad ? " invalid" : "", id,
		 label);
}

/* aria-invalid and the error's id on the input of the bad field */
static void
described(struct html *h, const struct ui_channel_form *f, const char *id)
{
	if (f->bad_field != NULL && strcmp(f->bad_field, id) == 0)
		html_fmt(h, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
}

/* The stored credential's masked tail, from v's secrets_masked. */
static const char *
stored_tail(const json_t *v, const char *member)
{
	const json_t *s;
	size_t i;

	json_array_foreach(json_object_get(v, "secrets_masked"), i, s) {
		const char *m = uj_str(s, "masked");

		if (uj_str(s, "name") != NULL && strcmp(uj_str(s, "name"), member) == 0 && m != NULL)
			return strlen(m) > 4 ? m + strlen(m) - 4 : "";
	}
	return NULL;
}

static void
type_field(struct html *h, const struct ui_channel_form *f, const struct chfield *d)
{
	const json_t *cfg = json_object_get(f->v, "config");
	char id[40];

	snprintf(id, sizeof(id), "%s_%s", d->secret ? "s" : "c", d->member);
	field_open(h, f, id, d->label);
	if (d->secret) {
		const char *tail = f->editing ? stored_tail(f->v, d->member) : NULL;

		/* never a value: a credential does not come back to the browser */
		html_fmt(h, "<input type=\"password\" id=\"%s\" name=\"%s\" autocomplete=\"new-password\"%s",
			 id, id, d->required && !f->editing ? " required" : "");
		described(h, f, id);
		html_raw(h, "><div class=\"hint\">");
		if (tail != NULL) {
			html_raw(h, "Stored: <span class=\"mono\">\xe2\x80\xa6");
			html_esc(h, tail[0] ? tail : "set");
			html_raw(h, "</span>. Leave empty to keep it. ");
		}
		if (d->hint != NULL)
			html_esc(h, d->hint);
		else if (tail == NULL)
			html_raw(h, "Stored encrypted; never shown again.");
		html_raw(h, "</div>");
	} else {
		const json_t *val = json_object_get(cfg, d->member);

		html_fmt(h, "<input type=\"%s\" id=\"%s\" name=\"%s\"%s", d->input, id, id,
			 d->required ? " required" : "");
		if (d->placeholder != NULL) {
			html_raw(h, " placeholder=\"");
			html_esc(h, d->placeholder);
			html_raw(h, "\"");
		}
		html_raw(h, " value=\"");
		if (json_is_string(val)) {
			html_esc(h, json_string_value(val));
		} else if (json_is_array(val)) {
			const json_t *x;
			size_t i;

			json_array_foreach(val, i, x) {
				if (i > 0)
					html_raw(h, ", ");
				html_esc(h, json_string_value(x));
			}
		}
		html_raw(h, "\"");
		described(h, f, id);
		html_raw(h, ">");
		if (d->hint != NULL) {
			html_raw(h, "<div class=\"hint\">");
			html_esc(h, d->hint);
			html_raw(h, "</div>");
		}
	}
	field_error(h, f, id);
	html_raw(h, "</div>");
}

static void
option(struct html *h, const char *value, const char *label, const char *current)
{
	html_raw(h, "<option value=\"");
	html_esc(h, value);
	html_raw(h, "\"");
	if (current != NULL && strcmp(current, value) == 0)
		html_raw(h, " selected");
	html_raw(h, ">");
	html_esc(h, label);
	html_raw(h, "</option>");
}

static void
events_fields(struct html *h, const struct ui_channel_form *f)
{
	const json_t *ev = json_object_get(f->v, "events");
	const char *mode = "default";

	if (json_is_array(ev)) {
		mode = json_array_size(ev) == 1 && json_string_value(json_array_get(ev, 0)) != NULL &&
			strcmp(json_string_value(json_array_get(ev, 0)), "all") == 0 ? "all" : "custom";
	}
	html_raw(h, "<fieldset class=\"field choices\"><legend>Events</legend>");
	html_fmt(h, "<label><input type=\"radio\" name=\"events_mode\" value=\"default\"%s> The default "
		 "selection (outcomes, failures, health; not the per-item stream)</label>",
		 strcmp(mode, "default") == 0 ? " checked" : "");
	html_fmt(h, "<label><input type=\"radio\" name=\"events_mode\" value=\"all\"%s> Every event</label>",
		 strcmp(mode, "all") == 0 ? " checked" : "");
	html_fmt(h, "<label><input type=\"radio\" name=\"events_mode\" value=\"custom\"%s> Only these:</label>",
		 strcmp(mode, "custom") == 0 ? " checked" : "");
	html_raw(h, "<label for=\"events_list\" class=\"sr\">Event kinds</label>"
		 "<input type=\"text\" id=\"events_list\" name=\"events_list\" placeholder=\"search_outcome, "
		 "connector_health_changed, sweep_failed\" value=\"");
	if (strcmp(mode, "custom") == 0) {
		const json_t *k;
		size_t i;

		json_array_foreach(ev, i, k) {
			if (i > 0)
				html_raw(h, ", ");
			html_esc(h, json_string_value(k));
		}
	}
	html_raw(h, "\"");
	described(h, f, "events_list");
	html_raw(h, "><div class=\"hint\">Event kinds as comradarr(7) lists them, comma-separated.</div>");
	field_error(h, f, "events_list");
	html_raw(h, "</fieldset>");
}

/* Which connectors' events (none ticked: all), and the templates. */
static void
filter_fields(struct html *h, const struct ui_channel_form *f)
{
	const json_t *chosen = json_object_get(f->v, "connectors"), *c, *x;
	const char *kind;
	size_t i, j;

	if (json_array_size(f->connectors) > 0) {
		html_raw(h, "<fieldset class=\"field choices\"><legend>Connectors</legend>");
		json_array_foreach(f->connectors, i, c) {
			const char *name = uj_str(c, "name");
			int on = 0;

			json_array_foreach(chosen, j, x)
				on |= name != NULL && uj_str(x, "name") != NULL && strcmp(uj_str(x, "name"), name) == 0;
			html_fmt(h, "<label for=\"conn-%zu\"><input type=\"checkbox\" id=\"conn-%zu\" name=\"conn\" value=\"",
				 i, i);
			html_esc(h, name);
			html_fmt(h, "\"%s> ", on ? " checked" : "");
			html_esc(h, name);
			html_raw(h, "</label>");
		}
		html_raw(h, "<div class=\"hint\">Only the events of the ticked ones; none ticked: every connector.</div>"
			 "</fieldset>");
	}
	field_open(h, f, "templates", "Message templates");
	html_raw(h, "<textarea id=\"templates\" name=\"templates\" rows=\"3\" placeholder=\"search_outcome: "
		 "{content_title} ({connector_name}): {event_type}\"");
	described(h, f, "templates");
	html_raw(h, ">");
	/* text the API refused comes back as it was typed */
	html_esc(h, uj_str(f->v, "templates"));
	json_object_foreach((json_t *)json_object_get(f->v, "templates"), kind, x) {
		html_esc(h, kind);
		html_raw(h, ": ");
		html_esc(h, json_string_value(x));
		html_raw(h, "\n");
	}
	html_raw(h, "</textarea><div class=\"hint\">One line per event kind, \xe2\x80\x9ckind: text\xe2\x80\x9d, with {content_title}, "
		 "{content_year}, {connector_name}, {connector_type}, {event_type}, {timestamp}, {statistics}, {url}. "
		 "Kinds without a line get the standard message.</div>");
	field_error(h, f, "templates");
	html_raw(h, "</div>");
}

void
ui_render_channel_form(struct html *h, const struct ui_page *p, const struct ui_channel_form *f)
{
	const char *name = uj_str(f->v, "channel");
	const json_t *cfg = json_object_get(f->v, "config");
	int64_t window = json_object_get(f->v, "batch_window_s") ? uj_int(f->v, "batch_window_s") : 300;
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<p class=\"dim\"><a href=\"settings\">Settings</a> \xe2\x86\x92 <a href=\"settings/channels\">"
		 "Notification channels</a></p>");
	if (!f->editing) {
		/* the type decides the fields: chosen first, without JavaScript too */
		html_raw(h, "<section class=\"card\"><form method=\"get\" action=\"settings/channels/new\" "
			 "class=\"row\"><div class=\"field grow\"><label for=\"type\">Type</label>"
			 "<select id=\"type\" name=\"type\" data-autosubmit>");
		for (i = 0; types[i][0] != NULL; i++)
			option(h, types[i][0], types[i][1], f->type);
		html_raw(h, "</select></div><button type=\"submit\">Show its fields</button></form></section>");
	}
	html_raw(h, "<section class=\"card\"><h2>");
	html_esc(h, type_label(f->type));
	html_raw(h, "</h2><form method=\"post\" action=\"");
	if (f->editing)
		ch_link(h, name, "/edit");
	else
		html_raw(h, "settings/channels/new");
	html_raw(h, "\" novalidate>");
	ui_csrf(h, p);
	html_raw(h, "<input type=\"hidden\" name=\"type\" value=\"");
	html_esc(h, f->type);
	html_raw(h, "\">");
	field_open(h, f, "name", "Name");
	html_raw(h, "<input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"63\" "
		 "pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]{0,62}\" autocomplete=\"off\" value=\"");
	html_esc(h, name);
	html_raw(h, "\"");
	if (f->editing)
		html_raw(h, " readonly");
	described(h, f, "name");
	html_raw(h, "><div class=\"hint\">Letters, digits, dot, dash, underscore.</div>");
	field_error(h, f, "name");
	html_raw(h, "</div><div class=\"grid grid-2\"><div>");
	for (i = 0; fields[i].type != NULL; i++)
		if (strcmp(fields[i].type, f->type) == 0)
			type_field(h, f, &fields[i]);
	if (strcmp(f->type, "email") == 0)
		html_fmt(h, "<div class=\"field\"><label for=\"c_starttls\"><input type=\"checkbox\" "
			 "id=\"c_starttls\" name=\"c_starttls\" value=\"1\"%s> Require STARTTLS on smtp://</label></div>",
			 json_is_false(json_object_get(cfg, "starttls")) ? "" : " checked");
	html_fmt(h, "<div class=\"field\"><label for=\"c_tls_verify\"><input type=\"checkbox\" id=\"c_tls_verify\" "
		 "name=\"c_tls_verify\" value=\"1\"%s> Verify TLS certificates</label></div>",
		 json_is_false(json_object_get(cfg, "tls_verify")) ? "" : " checked");
	if (f->editing)
		html_raw(h, "<div class=\"field\"><label for=\"move_credentials\"><input type=\"checkbox\" "
			 "id=\"move_credentials\" name=\"move_credentials\" value=\"1\"> Send the stored "
			 "credentials to a new address</label><div class=\"hint\">Needed when the URL or the TLS "
			 "setting changes and the credentials are not given again.</div></div>");
	html_raw(h, "</div><div>");
	events_fields(h, f);
	field_open(h, f, "min_severity", "Minimum severity");
	html_raw(h, "<select id=\"min_severity\" name=\"min_severity\">");
	option(h, "info", "info", uj_str(f->v, "min_severity"));
	option(h, "warning", "warning", uj_str(f->v, "min_severity"));
	option(h, "error", "error", uj_str(f->v, "min_severity"));
	html_raw(h, "</select></div>");
	field_open(h, f, "batch_window_s", "Batching window (seconds)");
	html_fmt(h, "<input type=\"number\" id=\"batch_window_s\" name=\"batch_window_s\" min=\"0\" max=\"86400\" "
		 "value=\"%" PRId64 "\"", window);
	described(h, f, "batch_window_s");
	html_raw(h, "><div class=\"hint\">Similar events within it become one digest; 0 sends each at once.</div>");
	field_error(h, f, "batch_window_s");
	html_raw(h, "</div>");
	field_open(h, f, "max_per_hour", "At most this many messages an hour");
	html_fmt(h, "<input type=\"number\" id=\"max_per_hour\" name=\"max_per_hour\" min=\"0\" max=\"3600\" "
		 "value=\"%" PRId64 "\"", uj_int(f->v, "max_per_hour"));
	described(h, f, "max_per_hour");
	html_raw(h, "><div class=\"hint\">0: no cap.</div>");
	field_error(h, f, "max_per_hour");
	html_raw(h, "</div><div class=\"inline-fields\">");
	field_open(h, f, "quiet_hours", "Quiet hours");
	html_raw(h, "<input type=\"text\" id=\"quiet_hours\" name=\"quiet_hours\" placeholder=\"22:00-07:00\" "
		 "pattern=\"[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]\" value=\"");
	html_esc(h, uj_str(f->v, "quiet_hours"));
	html_raw(h, "\"");
	described(h, f, "quiet_hours");
	html_raw(h, ">");
	field_error(h, f, "quiet_hours");
	html_raw(h, "</div>");
	field_open(h, f, "quiet_tz", "Time zone");
	html_raw(h, "<input type=\"text\" id=\"quiet_tz\" name=\"quiet_tz\" placeholder=\"Europe/Berlin\" value=\"");
	html_esc(h, uj_str(f->v, "quiet_tz") ? uj_str(f->v, "quiet_tz") : "UTC");
	html_raw(h, "\"");
	described(h, f, "quiet_tz");
	html_raw(h, ">");
	field_error(h, f, "quiet_tz");
	html_raw(h, "</div>");
	field_open(h, f, "quiet_mode", "In quiet hours");
	html_raw(h, "<select id=\"quiet_mode\" name=\"quiet_mode\">");
	option(h, "hold", "hold, then send a digest", uj_str(f->v, "quiet_mode"));
	option(h, "drop", "drop", uj_str(f->v, "quiet_mode"));
	html_raw(h, "</select></div></div>");
	filter_fields(h, f);
	html_fmt(h, "<div class=\"field\"><label for=\"enabled\"><input type=\"checkbox\" id=\"enabled\" "
		 "name=\"enabled\" value=\"1\"%s> Enabled</label></div>",
		 json_object_get(f->v, "enabled") == NULL || uj_bool(f->v, "enabled") ? " checked" : "");
	html_raw(h, "</div></div>");
	if (f->bad_field == NULL && f->field_error != NULL) {
		html_raw(h, "<div class=\"error\" role=\"alert\">");
		html_esc(h, f->field_error);
		html_raw(h, "</div>");
	}
	html_raw(h, "<div class=\"actions\"><button type=\"submit\" class=\"primary\">Save</button>"
		 "<a class=\"btn\" href=\"settings/channels\">Cancel</a></div></form></section>");
	if (f->editing) {
		/* the saved channel: a real message now, or away with it */
		html_raw(h, "<section class=\"card\"><h2>Test and remove</h2><p class=\"dim\">Send test uses "
			 "what is saved: save a change first.</p><div class=\"actions\">");
		small_post(h, p, name, "/test", "Send test", "", NULL);
		small_post(h, p, name, "/delete", "Remove channel", " danger",
			   "Remove this channel and its delivery history?");
		html_raw(h, "</div></section>");
	}
	ui_page_end(h, p);
}
