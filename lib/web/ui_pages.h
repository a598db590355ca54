/*
 * ui_pages.h - the web UI's pages, rendered from the JSON documents that
 * lib/db/uistats.h and uiqueue.h return.  Pure functions of their input
 * (and now_s, for "5 min ago"): the handlers in ui_routes.c read the
 * database and pick the answer; these only write HTML, so a unit test can
 * render any page from a literal document.
 *
 * Every POST form carries the CSRF field (ui_form_post); every control
 * has a label; tables have header cells; status words use ui_badge or
 * ui_status (one colour code).
 */
#ifndef COMRADARR_WEB_UI_PAGES_H
#define COMRADARR_WEB_UI_PAGES_H

#include <stdint.h>

#include <jansson.h>

#include "web/ui_html.h"
#include "web/ui_layout.h"

/* json helpers: NULL / 0 when absent or of another type */
const char *uj_str(const json_t *o, const char *key);
int64_t uj_int(const json_t *o, const char *key);
double uj_num(const json_t *o, const char *key);
int uj_bool(const json_t *o, const char *key);

/* One line of the activity feed for an event {id, at, kind, connector, payload}. */
void ui_activity_item(struct html *h, const json_t *ev, int64_t now_s);

/* Add the registry's totals (gaps, upgrades, searching, exhausted) to a
 * db_ui_totals object, summed from db_ui_connectors' per-connector counts. */
void ui_totals_add_registry(json_t *totals, const json_t *connectors);

struct ui_dashboard {
	const json_t *connectors;	/* db_ui_connectors */
	const json_t *totals;		/* db_ui_totals */
	const json_t *activity;		/* db_ui_activity */
	const json_t *daily;		/* db_ui_daily, the last 14 days */
	const json_t *completion;	/* db_ui_completion */
	const json_t *queue;		/* db_ui_queue, the first few */
};
void ui_render_dashboard(struct html *h, const struct ui_page *p, const struct ui_dashboard *d,
			 int64_t now_s);

void ui_render_connectors(struct html *h, const struct ui_page *p, const json_t *connectors,
			  int64_t now_s);

/* The add/edit form.  v: the values to show back ({name, type, url,
 * enabled, timeout_ms, key_last4}); editing: the name cannot change and an
 * empty key keeps the stored one; bad_field: the field an error is about;
 * test: a connection test's result {ok, app, version, health, message}. */
struct ui_connector_form {
	const json_t *v;
	int editing;
	const char *bad_field;
	const char *field_error;
	const json_t *test;
	char error_buf[512];	/* holds field_error when it is built */
};
void ui_render_connector_form(struct html *h, const struct ui_page *p,
			      const struct ui_connector_form *f);

/* One connector's page: its summary object and health history
 * ([{at, status, detail}]). */
void ui_render_connector(struct html *h, const struct ui_page *p, const json_t *c,
			 const json_t *history, int64_t now_s);

struct ui_content_view {
	const char *connector, *type, *state, *q, *after;
	const json_t *page;		/* db_ui_content */
	const json_t *connectors;	/* for the connector filter */
};
void ui_render_content(struct html *h, const struct ui_page *p, const struct ui_content_view *v);
void ui_render_series(struct html *h, const struct ui_page *p, const json_t *s, int64_t now_s);
void ui_render_movie(struct html *h, const struct ui_page *p, const json_t *m,
		     const json_t *explain, int64_t now_s);

struct ui_queue_view {
	const json_t *queue;		/* db_ui_queue */
	const json_t *throttle;		/* db_ui_throttle */
	const json_t *outcomes;		/* db_ui_outcomes */
	const json_t *totals;		/* db_ui_totals (paused, counts) */
};
void ui_render_queue(struct html *h, const struct ui_page *p, const struct ui_queue_view *v,
		     int64_t now_s);

struct ui_analytics_view {
	const char *from, *to;		/* YYYY-MM-DD */
	const char *connector;		/* NULL: all */
	const json_t *daily;		/* db_ui_daily over [from, to] */
	const json_t *connectors;	/* db_ui_connectors: the comparison */
	const json_t *throttle;		/* budgets */
	const json_t *hardest;		/* db_ui_hardest */
};
void ui_render_analytics(struct html *h, const struct ui_page *p, const struct ui_analytics_view *v);

/* The daily figures as CSV (header line, one line per day). */
void ui_daily_csv(struct html *h, const json_t *daily);

/*
 * The account page's two-factor card (ui_page_account.c): off (a form to
 * start), waiting for its first code (the secret as base32, the otpauth://
 * link and its QR code, the code form), or on (recovery codes left, new
 * codes, turn off).  codes: recovery codes to show this once (NULL: none).
 * users: for an admin, api_users_list's items (the reset buttons); NULL
 * for others.  no_account: the auth mode has no user to enrol.
 */
struct ui_account_view {
	int enabled, pending, no_account;
	const char *algorithm;		/* "SHA1" ... */
	int recovery_left;
	const char *secret_b32, *uri;	/* while pending */
	const char *const *codes;	/* NULL-terminated, or NULL */
	const json_t *users;
};
void ui_render_account(struct html *h, const struct ui_page *p, const struct ui_account_view *v);

#endif
