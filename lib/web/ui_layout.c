/*
 * ui_layout.c - the shared page frame (see ui_layout.h).
 */
#include <string.h>

#include "web/ui_assets.h"
#include "web/ui_layout.h"
#include "core/banned.h"

const struct ui_nav_entry ui_nav[] = {
	{ "dashboard", "Dashboard", "./" },
	{ "connectors", "Connectors", "connectors" },
	{ "content", "Content", "content" },
	{ "queue", "Queue", "queue" },
	{ "schedules", "Schedules", "schedules" },
	{ "analytics", "Analytics", "analytics" },
	{ "settings", "Settings", "settings" },
	{ NULL, NULL, NULL }
};

/* Feather-style outline icons (24x24, stroke only; app.css strokes them). */
static const char *
nav_icon(const char *key)
{
	if (strcmp(key, "dashboard") == 0)
		return "<rect x=\"3\" y=\"3\" width=\"7\" height=\"9\"/><rect x=\"14\" y=\"3\" width=\"7\" height=\"5\"/>"
		       "<rect x=\"14\" y=\"12\" width=\"7\" height=\"9\"/><rect x=\"3\" y=\"16\" width=\"7\" height=\"5\"/>";
	if (strcmp(key, "connectors") == 0)
		return "<path d=\"M9 7V3M15 7V3M7 7h10v4a5 5 0 0 1-10 0z\"/><path d=\"M12 16v5\"/>";
	if (strcmp(key, "content") == 0)
		return "<rect x=\"2\" y=\"4\" width=\"20\" height=\"14\" rx=\"2\"/><path d=\"M8 21h8M12 18v3\"/>";
	if (strcmp(key, "queue") == 0)
		return "<path d=\"M8 6h13M8 12h13M8 18h13\"/><circle cx=\"3.5\" cy=\"6\" r=\"1\"/>"
		       "<circle cx=\"3.5\" cy=\"12\" r=\"1\"/><circle cx=\"3.5\" cy=\"18\" r=\"1\"/>";
	if (strcmp(key, "schedules") == 0)
		return "<circle cx=\"12\" cy=\"12\" r=\"9\"/><path d=\"M12 7v5l3 2\"/>";
	if (strcmp(key, "analytics") == 0)
		return "<path d=\"M3 3v18h18\"/><path d=\"M7 15l4-4 3 3 5-6\"/>";
	return "<circle cx=\"12\" cy=\"12\" r=\"3\"/><path d=\"M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8"
	       "l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5"
	       " 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3"
	       "a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1"
	       "a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0"
	       " 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4"
	       "h-.1a1.7 1.7 0 0 0-1.5 1z\"/>";
}

static const char logo[] =
	"<svg viewBox=\"0 0 32 32\" aria-hidden=\"true\"><circle cx=\"16\" cy=\"16\" r=\"11\" fill=\"none\""
	" stroke=\"#4fb3ff\" stroke-width=\"3.2\"/><path d=\"M16 9v7.5l5 3.2\" fill=\"none\" stroke=\"#3fcf6e\""
	" stroke-width=\"3.2\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/></svg>";

/* an asset's URL relative to <base>: its fingerprinted path without the '/' */
static const char *
asset(const char *name)
{
	const char *u = ui_asset_url(name);

	return u[0] == '/' ? u + 1 : u;
}

static void
head(struct html *h, const char *title, const char *base, const struct ui_page *p)
{
	html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"");
	if (p != NULL && p->live)
		html_fmt(h, " data-events=\"api/events\" data-events-after=\"%lld\"", p->events_after);
	html_raw(h, "><head><meta charset=\"utf-8\"><base href=\"");
	html_esc(h, base != NULL && base[0] == '/' ? base : "/");
	html_raw(h, "\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		 "<meta name=\"color-scheme\" content=\"dark light\"><title>");
	html_esc(h, title);
	html_raw(h, " \xc2\xb7 Comradarr</title>");
	html_fmt(h, "<link rel=\"icon\" href=\"%s\" type=\"image/svg+xml\">", asset("favicon.svg"));
	html_fmt(h, "<link rel=\"stylesheet\" href=\"%s\">", asset("app.css"));
	/* theme.js blocks on purpose: it sets the saved theme before the
	 * first paint; app.js waits for the document */
	html_fmt(h, "<script src=\"%s\"></script>", asset("theme.js"));
	html_fmt(h, "<script src=\"%s\" defer></script>", asset("app.js"));
	html_raw(h, "</head>");
}

void
ui_csrf(struct html *h, const struct ui_page *p)
{
	if (p == NULL || p->csrf == NULL)
		return;
	html_raw(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_esc(h, p->csrf);
	html_raw(h, "\">");
}

void
ui_form_post(struct html *h, const struct ui_page *p, const char *action, const char *confirm)
{
	html_raw(h, "<form method=\"post\" action=\"");
	html_esc(h, action);
	html_raw(h, "\"");
	if (confirm != NULL) {
		html_raw(h, " data-confirm=\"");
		html_esc(h, confirm);
		html_raw(h, "\"");
	}
	html_raw(h, ">");
	ui_csrf(h, p);
}

void
ui_badge(struct html *h, const char *word)
{
	const char *w = word != NULL ? word : "unknown";

	html_fmt(h, "<span class=\"badge %s\">", ui_status_class(w));
	html_esc(h, w);
	html_raw(h, "</span>");
}

void
ui_status(struct html *h, const char *word)
{
	const char *w = word != NULL ? word : "unknown";

	html_fmt(h, "<span class=\"status\"><span class=\"dot %s\" aria-hidden=\"true\"></span>", ui_status_class(w));
	html_esc(h, w);
	html_raw(h, "</span>");
}

static void
flash(struct html *h, const struct ui_page *p)
{
	if (p->flash_err != NULL) {
		html_raw(h, "<div class=\"flash bad\" role=\"alert\"><strong>Error:</strong> ");
		html_esc(h, p->flash_err);
		html_raw(h, "</div>");
	}
	if (p->flash_ok != NULL) {
		html_raw(h, "<div class=\"flash ok\" role=\"status\"><strong>Done:</strong> ");
		html_esc(h, p->flash_ok);
		html_raw(h, "</div>");
	}
}

void
ui_page_begin(struct html *h, const struct ui_page *p)
{
	size_t i;

	head(h, p->title, p->base, p);
	html_raw(h, "<body><a class=\"skip\" href=\"#main\">Skip to content</a><div class=\"shell\">"
		 "<nav class=\"side\" id=\"nav\" aria-label=\"Main\">");
	html_fmt(h, "<a class=\"brand\" href=\"./\">%sComradarr</a><ul class=\"nav\">", logo);
	for (i = 0; ui_nav[i].key != NULL; i++) {
		int cur = p->nav != NULL && strcmp(p->nav, ui_nav[i].key) == 0;

		html_fmt(h, "<li><a href=\"%s\"%s><svg viewBox=\"0 0 24 24\" aria-hidden=\"true\">%s</svg>%s</a></li>",
			 ui_nav[i].path, cur ? " aria-current=\"page\"" : "", nav_icon(ui_nav[i].key),
			 ui_nav[i].label);
	}
	html_raw(h, "</ul><div class=\"side-foot\">");
	if (p->user != NULL) {
		html_raw(h, "Signed in as <strong>");
		html_esc(h, p->user);
		html_raw(h, "</strong><br>");
		ui_form_post(h, p, "logout", NULL);
		html_raw(h, "<button type=\"submit\" class=\"linkish\">Sign out</button></form>");
	}
	html_raw(h, "</div></nav><div class=\"main\"><header class=\"top\">"
		 "<a class=\"btn menu-btn\" href=\"#nav\">Menu</a><h1 class=\"grow\">");
	html_esc(h, p->title);
	html_raw(h, "</h1>");
	if (p->live)
		html_raw(h, "<span class=\"live\" data-live-status><span class=\"dot\" aria-hidden=\"true\"></span> static</span>");
	/* hidden until app.js can make it work; the system theme applies without it */
	html_raw(h, "<button type=\"button\" class=\"small\" data-theme-toggle hidden aria-pressed=\"false\">"
		 "Theme: <span class=\"theme-label\">System</span></button>");
}

void
ui_page_main(struct html *h, const struct ui_page *p)
{
	html_raw(h, "</header><main class=\"content\" id=\"main\" tabindex=\"-1\">");
	flash(h, p);
}

void
ui_page_end(struct html *h, const struct ui_page *p)
{
	(void)p;
	html_fmt(h, "</main></div></div></body></html>\n");
}

void
ui_login_page(struct html *h, const char *base, const char *csrf, const char *user,
	      const char *error, int totp)
{
	struct ui_page p = { "Sign in", NULL, NULL, csrf, NULL, error, 0, base, 0 };

	head(h, "Sign in", base, NULL);
	html_raw(h, "<body><main class=\"login-wrap\" id=\"main\"><div class=\"login card\">");
	html_fmt(h, "<div class=\"brand\">%sComradarr</div>", logo);
	html_raw(h, "<h1 class=\"sr\">Sign in</h1>");
	if (error != NULL) {
		html_raw(h, "<div class=\"flash bad\" role=\"alert\"><strong>Error:</strong> ");
		html_esc(h, error);
		html_raw(h, "</div>");
	}
	ui_form_post(h, &p, totp ? "login/totp" : "login", NULL);
	if (totp) {
		html_raw(h, "<div class=\"field\"><label for=\"code\">Authentication code</label>"
			 "<input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\""
			 " autocomplete=\"one-time-code\" required autofocus>"
			 "<div class=\"hint\">The 6 digits from your authenticator app, or a recovery code.</div></div>"
			 "<button type=\"submit\" class=\"primary\">Verify</button></form>");
	} else {
		html_raw(h, "<div class=\"field\"><label for=\"user\">User name</label>"
			 "<input type=\"text\" id=\"user\" name=\"user\" autocomplete=\"username\" required");
		if (user != NULL && *user != '\0') {
			html_raw(h, " value=\"");
			html_esc(h, user);
			html_raw(h, "\"");
		} else {
			html_raw(h, " autofocus");
		}
		html_raw(h, "></div><div class=\"field\"><label for=\"password\">Password</label>"
			 "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required");
		if (user != NULL && *user != '\0')
			html_raw(h, " autofocus");
		html_raw(h, "></div><button type=\"submit\" class=\"primary\">Sign in</button></form>");
	}
	html_raw(h, "</div></main></body></html>\n");
}
