/*
 * ui_assets.h - the web UI's static files (lib/web/ui/), compiled into the
 * library by lib/web/ui/embed.sh so comradarr-serve never reads them from
 * disk and a page always names the exact build of its CSS and JS.
 *
 * Each file has two addresses: its fingerprinted URL (/assets/app.1a2b3c4d.css),
 * served with "Cache-Control: public, max-age=31536000, immutable", and its
 * plain name (/assets/app.css), served with "no-cache" so an old bookmark or
 * a tool still gets the current file after revalidating its ETag.
 */
#ifndef COMRADARR_WEB_UI_ASSETS_H
#define COMRADARR_WEB_UI_ASSETS_H

#include <stddef.h>

struct ui_asset {
	const char *name;	/* "app.css" */
	const char *url;	/* "/assets/app.1a2b3c4d.css" */
	const char *plain;	/* "/assets/app.css" */
	const char *type;	/* Content-Type */
	const char *etag;	/* strong ETag, quotes included */
	const unsigned char *data;	/* NUL-terminated, not counted in len */
	size_t len;
};

/* The generated table, ended by an entry whose name is NULL. */
extern const struct ui_asset ui_assets[];
extern const size_t ui_assets_count;

/* The asset called name ("app.css"), or NULL. */
const struct ui_asset *ui_asset_by_name(const char *name);

/*
 * The asset a request path asks for: its fingerprinted URL (*immutable set
 * to 1) or /assets/<name> (*immutable set to 0).  NULL when none matches;
 * the comparison is exact, so no path trick reaches anything else.
 */
const struct ui_asset *ui_asset_by_path(const char *path, int *immutable);

/* The fingerprinted URL of name, or "" when there is no such asset. */
const char *ui_asset_url(const char *name);

/*
 * Does an If-None-Match header value (NULL: absent) match etag?  Handles a
 * list ("a", "b"), weak validators (W/"a" matches "a", as RFC 9110 says a
 * GET's comparison is weak) and "*".
 */
int ui_etag_matches(const char *if_none_match, const char *etag);

#endif
