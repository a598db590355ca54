/*
 * ui_layout.h - the frame every web UI page shares: <head> with the
 * fingerprinted CSS and JS, a skip link, the sidebar (a drawer on small
 * screens), the top bar with the page title and the theme toggle, the
 * flash message, and the landmarks an accessibility check looks for
 * (banner, navigation, main).
 *
 * Links: every page has <base href="BASE_URL"> and writes its links,
 * form actions and asset URLs relative ("queue", "assets/app.1a2b.css"),
 * so the UI works under any BASE_URL without threading it through.
 *
 * Forms: every form that changes something is a POST carrying the
 * session's CSRF token in a hidden field named "csrf" (ui_csrf); the
 * server checks it with the Origin (see the serve issue's CSRF rule).
 */
#ifndef COMRADARR_WEB_UI_LAYOUT_H
#define COMRADARR_WEB_UI_LAYOUT_H

#include "web/ui_html.h"

struct ui_page {
	const char *title;	/* the page's <h1> and <title> */
	const char *nav;	/* the sidebar entry to mark current ("dashboard", ...) */
	const char *user;	/* the signed-in user's name, or NULL */
	const char *csrf;	/* the session's CSRF token, or NULL */
	const char *flash_ok;	/* a message after a successful action, or NULL */
	const char *flash_err;	/* an error to show clearly, or NULL */
	int live;		/* the page listens to /api/events (app.js) */
	const char *base;	/* BASE_URL ("/" or "/prefix/"); NULL: "/" */
	long long events_after;	/* live pages: the newest event the page shows */
};

/* The sidebar's entries, in order: key, label, path. */
struct ui_nav_entry {
	const char *key;
	const char *label;
	const char *path;
};
extern const struct ui_nav_entry ui_nav[];

void ui_page_begin(struct html *h, const struct ui_page *p);
/* Optional: buttons at the right of the top bar; call between
 * ui_page_begin's top bar and ui_page_main. */
void ui_page_main(struct html *h, const struct ui_page *p);
void ui_page_end(struct html *h, const struct ui_page *p);

/* The hidden CSRF field (nothing when p->csrf is NULL). */
void ui_csrf(struct html *h, const struct ui_page *p);
/* <form method="post" action="ACTION"> and its CSRF field.  confirm, when
 * not NULL, is the question app.js asks before submitting. */
void ui_form_post(struct html *h, const struct ui_page *p, const char *action, const char *confirm);

/* A pill in the status colours: <span class="badge ok">healthy</span>. */
void ui_badge(struct html *h, const char *word);
/* A coloured dot then the word. */
void ui_status(struct html *h, const char *word);

/* The login page (its own frame: no sidebar).  error is shown when set;
 * totp asks for the second factor. */
void ui_login_page(struct html *h, const char *base, const char *csrf, const char *user,
		   const char *error, int totp);

#endif
