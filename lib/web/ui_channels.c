/*
 * ui_channels.c - the notification channel pages' handlers (see
 * ui_sections.h).  A form becomes the JSON body of the API handler that
 * does the same (api_channels.c); credentials from the form are wiped
 * with the request body and never written back into a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db/notify.h"
#include "db/uistats.h"
#include "web/app.h"
#include "web/ui_form.h"
#include "web/server.h"
#include "web/ui_pages.h"
#include "web/ui_routes.h"
#include "web/ui_sections.h"
#include "core/banned.h"

/* the credentials a form may carry (ui_page_channels.c's fields) */
static const char *const secret_members[] = { "url", "token", "user", "password", "hmac_secret",
					      NULL };
static const char *const config_members[] = { "url", "chat_id", "topic", "from", "to",
					      "username", "tags", NULL };

static int
is_admin(const struct web_req *req)
{
	return web_access_allows(WEB_ADMIN, &req->who);
}

static void
page_for(struct ui_page *p, struct web_req *req, const char *title)
{
	char done[32];

	ui_page_for(p, req, title, "settings");
	if (p->flash_ok == NULL)
		p->flash_ok = ui_sections_done(web_req_query(req, "done", done, sizeof(done)));
}

/* The list, with a test's outcome or an error on top. */
static int
list_page(struct web_req *req, struct web_resp *resp, int status, const json_t *test,
	  const char *error)
{
	json_t *answer = NULL;
	struct ui_page p;
	struct html h;
	char msg[512] = "";
	int st, rc;

	st = ui_call_api(req, resp, api_channels_list, NULL, &answer);
	if (st != 200) {
		struct err e = ERR_INIT;

		err_set(&e, ERR_INTERNAL, "%s", ui_api_message(answer, "the channels could not be read"));
		json_decref(answer);
		return ui_error_page(req, resp, st >= 400 ? st : 500, &e);
	}
	if (error != NULL)
		snprintf(msg, sizeof(msg), "%s", error);
	page_for(&p, req, "Notification channels");
	p.flash_err = msg[0] ? msg : NULL;
	html_init(&h);
	ui_render_channels(&h, &p, json_object_get(answer, "items"), test, is_admin(req),
			   (int64_t)time(NULL));
	rc = ui_send(resp, status, &h);
	json_decref(answer);
	return rc;
}

int
ui_channels(struct web_req *req, struct web_resp *resp)
{
	return list_page(req, resp, 200, NULL, NULL);
}

static int
form_page(struct web_req *req, struct web_resp *resp, int status, const struct ui_channel_form *f,
	  const char *flash_err)
{
	struct ui_channel_form ff = *f;
	struct err e = ERR_INIT;
	json_t *names = NULL;
	PGconn *db = web_req_db(req, resp);
	struct ui_page p;
	struct html h;
	int rc;

	/* the connector filter's choices; without them the form still stands */
	if (db != NULL && db_ui_connector_names(db, &names, &e) == 0)
		ff.connectors = names;
	f = &ff;

	page_for(&p, req, f->editing ? "Edit channel" : "Add a notification channel");
	p.flash_err = flash_err;
	html_init(&h);
	ui_render_channel_form(&h, &p, f);
	rc = ui_send(resp, status, &h);
	json_decref(names);
	return rc;
}

int
ui_channel_new(struct web_req *req, struct web_resp *resp)
{
	struct ui_channel_form f;
	char type[16];
	json_t *v = json_pack("{s:s, s:b, s:{}}", "events", "default", "enabled", 1, "config");
	int rc;

	memset(&f, 0, sizeof(f));
	f.type = web_req_query(req, "type", type, sizeof(type));
	if (!ui_channel_type_known(f.type))
		f.type = "discord";
	f.v = v;
	rc = form_page(req, resp, 200, &f, NULL);
	json_decref(v);
	return rc;
}

static int
add_name(const char *value, void *arg)
{
	if (json_array_size(arg) >= 64)
		return 1;
	json_array_append_new(arg, json_string(value));
	return 0;
}

/*
 * The templates textarea, "kind: text" per line, into an object; NULL when
 * a line has no ':' (the API then refuses the field, the form says how).
 * stored: the channel's templates now, each one without a line removed.
 */
static json_t *
templates_of(const char *text, const json_t *stored)
{
	json_t *o = json_object(), *v;
	const char *p = text, *k;

	json_object_foreach((json_t *)stored, k, v)
		json_object_set_new(o, k, json_string(""));
	while (p != NULL && *p != '\0') {
		const char *nl = strpbrk(p, "\r\n"), *end = nl ? nl : p + strlen(p), *colon;
		char kind[64], line[2048];
		size_t n = (size_t)(end - p);

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : NULL;
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		if (line[0] == '\0')
			continue;
		if ((colon = strchr(line, ':')) == NULL) {
			json_decref(o);
			return NULL;
		}
		snprintf(kind, sizeof(kind), "%.*s", (int)(colon - line), line);
		kind[strcspn(kind, " ")] = '\0';
		for (k = colon + 1; *k == ' '; k++)
			;
		json_object_set_new(o, kind, json_string(k));
	}
	return o;
}

/* "a, b" into a JSON array of the non-empty words */
static json_t *
words(const char *s)
{
	json_t *a = json_array();
	char *copy = strdup(s), *p, *save = NULL;

	for (p = copy ? strtok_r(copy, ", ", &save) : NULL; p != NULL; p = strtok_r(NULL, ", ", &save))
		json_array_append_new(a, json_string(p));
	free(copy);
	return a;
}

/*
 * The posted form as the API's body (*body, with credentials) and as the
 * values to show back (*shown, without them).  editing: empty fields are
 * sent as empty (they clear a config member, or keep a credential).
 */
static void
read_form(struct web_req *req, const char *type, int editing, const json_t *stored_templates,
	  json_t **body, json_t **shown)
{
	char buf[4200], id[40];
	json_t *cfg = json_object(), *sec = json_object(), *b;
	int64_t n;

	b = json_object();
	if (!editing && ui_field(req, "name", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "name", json_string(buf));
	if (!editing)
		json_object_set_new(b, "type", json_string(type));
	for (int i = 0; config_members[i] != NULL; i++) {
		snprintf(id, sizeof(id), "c_%s", config_members[i]);
		if (ui_field(req, id, buf, sizeof(buf)) == NULL)
			continue;
		if (strcmp(config_members[i], "to") == 0)
			json_object_set_new(cfg, "to", words(buf));
		else if (buf[0] != '\0' || editing)
			json_object_set_new(cfg, config_members[i], json_string(buf));
	}
	json_object_set_new(cfg, "tls_verify", json_boolean(ui_field(req, "c_tls_verify", buf,
								     sizeof(buf)) != NULL));
	if (strcmp(type, "email") == 0)
		json_object_set_new(cfg, "starttls", json_boolean(ui_field(req, "c_starttls", buf,
									   sizeof(buf)) != NULL));
	for (int i = 0; secret_members[i] != NULL; i++) {
		snprintf(id, sizeof(id), "s_%s", secret_members[i]);
		if (ui_field(req, id, buf, sizeof(buf)) != NULL && buf[0] != '\0')
			json_object_set_new(sec, secret_members[i], json_string(buf));
	}
	sodium_memzero(buf, sizeof(buf));
	json_object_set_new(b, "config", cfg);
	json_object_set_new(b, "enabled", json_boolean(ui_field(req, "enabled", buf,
								sizeof(buf)) != NULL));
	if (ui_field(req, "events_mode", buf, sizeof(buf)) != NULL) {
		if (strcmp(buf, "custom") == 0) {
			char list[2048] = "";

			ui_field(req, "events_list", list, sizeof(list));
			json_object_set_new(b, "events", words(list));
		} else {
			json_object_set_new(b, "events", json_string(strcmp(buf, "all") == 0 ? "all" :
								     "default"));
		}
	}
	if (ui_field(req, "min_severity", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "min_severity", json_string(buf));
	if (ui_parse_int(ui_field(req, "batch_window_s", buf, sizeof(buf)), 0, 86400, &n) == 0)
		json_object_set_new(b, "batch_window_s", json_integer(n));
	else if (ui_field(req, "batch_window_s", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "batch_window_s", json_string(buf));	/* refused, named */
	if (ui_parse_int(ui_field(req, "max_per_hour", buf, sizeof(buf)), 0, 3600, &n) == 0)
		json_object_set_new(b, "max_per_hour", json_integer(n));
	else if (ui_field(req, "max_per_hour", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "max_per_hour", json_string(buf));
	if (ui_field(req, "quiet_hours", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "quiet_hours", buf[0] ? json_string(buf) : json_null());
	if (ui_field(req, "quiet_tz", buf, sizeof(buf)) != NULL && buf[0] != '\0')
		json_object_set_new(b, "quiet_tz", json_string(buf));
	if (ui_field(req, "quiet_mode", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "quiet_mode", json_string(buf));
	if (editing && ui_field(req, "move_credentials", buf, sizeof(buf)) != NULL)
		json_object_set_new(b, "move_credentials", json_true());
	{
		json_t *names = json_array(), *tmpl;
		char *text = calloc(1, 16384);

		ui_form_each(req->body.data, req->body.len, "conn", add_name, names);
		json_object_set_new(b, "connectors", json_array_size(names) ? names : json_string("all"));
		if (json_array_size(names) == 0)
			json_decref(names);
		if (text != NULL && ui_field(req, "templates", text, 16384) != NULL) {
			tmpl = templates_of(text, stored_templates);
			/* a string where an object belongs: refused, and named */
			json_object_set_new(b, "templates", tmpl ? tmpl : json_string(text));
		}
		free(text);
	}
	*shown = json_deep_copy(b);
	/* shown as the API shows a channel: connectors as [{name}], no emptied templates */
	if (json_is_array(json_object_get(b, "connectors"))) {
		json_t *a = json_array(), *x;
		size_t i;

		json_array_foreach(json_object_get(b, "connectors"), i, x)
			json_array_append_new(a, json_pack("{s:O}", "name", x));
		json_object_set_new(*shown, "connectors", a);
	}
	{
		json_t *t = json_object_get(*shown, "templates"), *x;
		const char *k;
		void *tmp;

		json_object_foreach_safe(t, tmp, k, x)
			if (json_string_length(x) == 0)
				json_object_del(t, k);
	}
	if (editing)
		json_object_set_new(*shown, "channel", json_string(web_req_param(req, "name")));
	else
		json_object_set_new(*shown, "channel", json_copy(json_object_get(b, "name")));
	if (json_is_null(json_object_get(*shown, "quiet_hours")))
		json_object_del(*shown, "quiet_hours");
	json_object_set_new(b, "secrets", sec);
	*body = b;
}

/* The API's refusal as the form shows it: next to its field when there is one. */
static void
refusal(const json_t *answer, struct ui_channel_form *f, char *msg, size_t size)
{
	const char *field = json_string_value(json_object_get(json_object_get(answer, "error"), "field"));
	static const char *const own[] = { "name", "min_severity", "batch_window_s", "max_per_hour",
					   "quiet_hours", "quiet_tz", "quiet_mode", "templates", NULL };

	snprintf(msg, size, "%s", ui_api_message(answer, "the channel was not saved"));
	f->field_error = msg;
	f->bad_field = NULL;
	for (int i = 0; field != NULL && own[i] != NULL; i++)
		if (strcmp(field, own[i]) == 0)
			f->bad_field = own[i];
	if (field != NULL && strcmp(field, "events") == 0)
		f->bad_field = "events_list";
	if (field != NULL && strcmp(field, "templates") == 0 &&
	    strncmp(msg, "templates is an object", 22) == 0)
		snprintf(msg, size, "write each template on a line of its own: kind: text");
}

int
ui_channel_create(struct web_req *req, struct web_resp *resp)
{
	struct ui_channel_form f;
	json_t *body, *shown, *answer = NULL;
	char type[16], msg[512];
	int status, rc;

	memset(&f, 0, sizeof(f));
	if (ui_field(req, "type", type, sizeof(type)) == NULL || !ui_channel_type_known(type)) {
		struct err e = ERR_INIT;

		err_set(&e, ERR_USAGE, "choose the channel's type first");
		return ui_error_page(req, resp, 400, &e);
	}
	read_form(req, type, 0, NULL, &body, &shown);
	status = ui_call_api(req, resp, api_channels_add, body, &answer);
	if (status == 201) {
		json_decref(answer);
		json_decref(shown);
		return ui_redirect(req, resp, "settings/channels?done=ch_added");
	}
	f.v = shown;
	f.type = type;
	refusal(answer, &f, msg, sizeof(msg));
	rc = form_page(req, resp, status >= 400 && status < 500 ? 422 : status, &f,
		       "the channel was not added: check the highlighted field");
	json_decref(answer);
	json_decref(shown);
	return rc;
}

int
ui_channel_edit(struct web_req *req, struct web_resp *resp)
{
	struct ui_channel_form f;
	json_t *answer = NULL;
	int status, rc;

	status = ui_call_api(req, resp, api_channels_show, NULL, &answer);
	if (status != 200) {
		struct err e = ERR_INIT;

		err_set(&e, status == 404 ? ERR_NOTFOUND : ERR_INTERNAL, "%s",
			ui_api_message(answer, "the channel could not be read"));
		json_decref(answer);
		return ui_error_page(req, resp, status, &e);
	}
	memset(&f, 0, sizeof(f));
	f.v = answer;
	f.type = uj_str(answer, "type");
	f.editing = 1;
	rc = form_page(req, resp, 200, &f, NULL);
	json_decref(answer);
	return rc;
}

int
ui_channel_save(struct web_req *req, struct web_resp *resp)
{
	struct ui_channel_form f;
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *body, *shown, *answer = NULL, *stored = NULL;
	char msg[512], type[16];
	PGconn *db = web_req_db(req, resp);
	int status, rc;

	if (db == NULL)
		return 0;
	/* the stored type decides which fields the form has */
	memset(&c, 0, sizeof(c));
	if (db_notify_channel_get(db, web_req_param(req, "name"), &c, &e) < 0) {
		notify_channel_release(&c);
		return ui_error_page(req, resp, e.kind == ERR_NOTFOUND ? 404 : 500, &e);
	}
	snprintf(type, sizeof(type), "%s", c.type);
	read_form(req, type, 1, c.templates, &body, &shown);
	notify_channel_release(&c);
	status = ui_call_api(req, resp, api_channels_edit, body, &answer);
	if (status == 200) {
		json_decref(answer);
		json_decref(shown);
		return ui_redirect(req, resp, "settings/channels?done=ch_saved");
	}
	/* shown again: what was posted, with the stored credentials' tails */
	if (ui_call_api(req, resp, api_channels_show, NULL, &stored) == 200)
		json_object_set(shown, "secrets_masked", json_object_get(stored, "secrets_masked"));
	memset(&f, 0, sizeof(f));
	f.v = shown;
	f.type = type;
	f.editing = 1;
	refusal(answer, &f, msg, sizeof(msg));
	rc = form_page(req, resp, status >= 400 && status < 500 ? 422 : status, &f,
		       "the channel was not saved: check the highlighted field");
	json_decref(stored);
	json_decref(answer);
	json_decref(shown);
	return rc;
}

int
ui_channel_test(struct web_req *req, struct web_resp *resp)
{
	json_t *answer = NULL;
	char msg[512];
	int status, rc;

	status = ui_call_api(req, resp, api_channels_test, NULL, &answer);
	if (status != 200) {
		snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the test was not sent"));
		json_decref(answer);
		return list_page(req, resp, status, NULL, msg);
	}
	rc = list_page(req, resp, 200, answer, NULL);
	json_decref(answer);
	return rc;
}

/* enable, disable, remove: the API's handler, then back to the list */
static int
act(struct web_req *req, struct web_resp *resp, web_handler_fn fn, const char *done)
{
	json_t *answer = NULL;
	char msg[512];
	int status;

	status = ui_call_api(req, resp, fn, NULL, &answer);
	if (status < 300) {
		json_decref(answer);
		return ui_redirect(req, resp, done);
	}
	snprintf(msg, sizeof(msg), "%s", ui_api_message(answer, "the change was refused"));
	json_decref(answer);
	return list_page(req, resp, status, NULL, msg);
}

int
ui_channel_enable(struct web_req *req, struct web_resp *resp)
{
	return act(req, resp, api_channels_enable, "settings/channels?done=ch_enabled");
}

int
ui_channel_disable(struct web_req *req, struct web_resp *resp)
{
	return act(req, resp, api_channels_disable, "settings/channels?done=ch_disabled");
}

int
ui_channel_delete(struct web_req *req, struct web_resp *resp)
{
	return act(req, resp, api_channels_remove, "settings/channels?done=ch_removed");
}
