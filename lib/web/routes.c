/*
 * routes.c - THE route table of comradarr-serve.  Every path the server
 * answers is a line here, with the access it needs; the server refuses a
 * line without one (web_router_add), and tests/cli/serve-security.sh walks
 * the table (comradarr-serve --list-routes) to prove each protected route
 * refuses an anonymous caller.
 *
 * Web pages and static assets (the web UI) are added by a register function
 * of their own, called at the end of web_routes_register(): a page is a
 * WEB_ROUTE_PAGE route with a handler (anonymous visitors of a protected
 * page are sent to /login), an embedded file is web_router_add_asset().
 */
#include <stddef.h>

#include "web/app.h"
#include "web/ui_routes.h"
#include "core/banned.h"

#define API(m, p, a, h)		{ m, p, a, WEB_ROUTE_API, h, 0, NULL, NULL, 0 }
#define API_BODY(m, p, a, h, n)	{ m, p, a, WEB_ROUTE_API, h, n, NULL, NULL, 0 }

static const struct web_route routes[] = {
	/* health (Req 32): which need no login is documented in comradarr-serve(1) */
	API("GET", "/healthz", WEB_PUBLIC, api_healthz),
	API("GET", "/readyz", WEB_PUBLIC, api_readyz),
	API("GET", "/health", WEB_PUBLIC, api_health),
};

int
web_routes_register(struct web_router *r, struct err *e)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (web_router_add(r, &routes[i], e) < 0)
			return -1;
	/* the web UI's pages and assets, last (lib/web/ui_routes.c) */
	return ui_routes_register(r, e);
}
