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

#include "arr/webhook.h"
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
	API("GET", "/metrics", WEB_READ, api_metrics),
	/* sessions */
	API_BODY("POST", "/api/auth/login", WEB_PUBLIC, api_login, 4096),
	API("POST", "/api/auth/logout", WEB_READ, api_logout),
	API("GET", "/api/auth/session", WEB_READ, api_session),
	API_BODY("POST", "/api/auth/password", WEB_READ, api_password, 4096),
	/* connectors: keys go in, never come out */
	API("GET", "/api/connectors", WEB_READ, api_connectors_list),
	API("GET", "/api/connectors/{name}", WEB_READ, api_connectors_show),
	API_BODY("POST", "/api/connectors", WEB_ADMIN, api_connectors_add, 8192),
	API_BODY("PATCH", "/api/connectors/{name}", WEB_ADMIN, api_connectors_edit, 8192),
	API("DELETE", "/api/connectors/{name}", WEB_ADMIN, api_connectors_remove),
	API("POST", "/api/connectors/{name}/test", WEB_WRITE, api_connectors_test),
	API("GET", "/api/profiles", WEB_READ, api_profiles),
	/* the search queue */
	API("GET", "/api/queue", WEB_READ, api_queue_list),
	API("GET", "/api/queue/status", WEB_READ, api_queue_status),
	API_BODY("POST", "/api/queue/pause", WEB_WRITE, api_queue_pause, 4096),
	API("POST", "/api/queue/resume", WEB_WRITE, api_queue_resume),
	API_BODY("POST", "/api/queue/clear", WEB_WRITE, api_queue_clear, 4096),
	/* reading: registry, library, history, outbox, explain */
	API("GET", "/api/registry", WEB_READ, api_registry),
	API_BODY("POST", "/api/registry/bulk", WEB_WRITE, api_registry_bulk, 16384),
	API("GET", "/api/series", WEB_READ, api_series),
	API("GET", "/api/movies", WEB_READ, api_movies),
	API("GET", "/api/history", WEB_READ, api_history),
	API("GET", "/api/events", WEB_READ, api_events),
	API("GET", "/api/explain/{connector}/{kind}/{id}", WEB_READ, api_explain),
	/* the *arr apps' webhooks: the connector's secret, nothing else */
	API_BODY("POST", "/api/webhooks/{connector}", WEB_HOOK, api_webhook, ARR_WEBHOOK_MAX_BODY),
	/* administration: sessions of admins only, never an API key */
	API("GET", "/api/users", WEB_ADMIN, api_users_list),
	API_BODY("POST", "/api/users", WEB_ADMIN, api_users_add, 4096),
	API_BODY("PATCH", "/api/users/{name}", WEB_ADMIN, api_users_edit, 4096),
	API("DELETE", "/api/users/{name}", WEB_ADMIN, api_users_remove),
	API("GET", "/api/apikeys", WEB_ADMIN, api_keys_list),
	API_BODY("POST", "/api/apikeys", WEB_ADMIN, api_keys_add, 4096),
	API("DELETE", "/api/apikeys/{id}", WEB_ADMIN, api_keys_revoke),
	API("GET", "/api/settings", WEB_ADMIN, api_settings_get),
	API_BODY("PUT", "/api/settings/{key}", WEB_ADMIN, api_settings_put, 16384),
	API("GET", "/api/audit", WEB_ADMIN, api_audit_list),
	/* notification channels (api_channels.c): credentials go in, only
	 * their last 4 characters come out; changes are for administrators */
	API("GET", "/api/channels", WEB_READ, api_channels_list),
	API("GET", "/api/channels/{name}", WEB_READ, api_channels_show),
	API_BODY("POST", "/api/channels", WEB_ADMIN, api_channels_add, 16384),
	API_BODY("PATCH", "/api/channels/{name}", WEB_ADMIN, api_channels_edit, 16384),
	API("POST", "/api/channels/{name}/enable", WEB_ADMIN, api_channels_enable),
	API("POST", "/api/channels/{name}/disable", WEB_ADMIN, api_channels_disable),
	API("DELETE", "/api/channels/{name}", WEB_ADMIN, api_channels_remove),
	API("POST", "/api/channels/{name}/test", WEB_WRITE, api_channels_test),
	/* backups (api_backups.c): administrators only; downloads stream the
	 * file; no upload and no restore over HTTP (a shell act) */
	API("GET", "/api/backups", WEB_ADMIN, api_backups_list),
	API_BODY("POST", "/api/backups", WEB_ADMIN, api_backups_create, 4096),
	API("GET", "/api/backups/{name}/download", WEB_ADMIN, api_backups_download),
	API("POST", "/api/backups/{name}/verify", WEB_ADMIN, api_backups_verify),
	/* the second factor (api_totp.c): the login's second step is public like
	 * the first (it carries the pending token); enrolment is the caller's
	 * own account, by session; the lost-phone reset is an admin's */
	API_BODY("POST", "/api/auth/totp", WEB_PUBLIC, api_login_totp, 4096),
	API("GET", "/api/auth/totp/status", WEB_READ, api_totp_status),
	API_BODY("POST", "/api/auth/totp/setup", WEB_READ, api_totp_setup, 4096),
	API_BODY("POST", "/api/auth/totp/confirm", WEB_READ, api_totp_confirm, 4096),
	API_BODY("POST", "/api/auth/totp/disable", WEB_READ, api_totp_disable, 4096),
	API_BODY("POST", "/api/auth/totp/recovery", WEB_READ, api_totp_recovery, 4096),
	API("DELETE", "/api/users/{name}/totp", WEB_ADMIN, api_users_totp_reset),
	/* sweep schedules (Req 19): reading and previewing is any login or key;
	 * changing or running one is a write, like the queue's actions (a full
	 * API key may automate it), not an administration */
	API("GET", "/api/schedules", WEB_READ, api_schedules_list),
	API("GET", "/api/schedules/{name}", WEB_READ, api_schedules_show),
	API_BODY("POST", "/api/schedules", WEB_WRITE, api_schedules_add, 4096),
	API_BODY("PATCH", "/api/schedules/{name}", WEB_WRITE, api_schedules_edit, 4096),
	API("DELETE", "/api/schedules/{name}", WEB_WRITE, api_schedules_remove),
	API("POST", "/api/schedules/{name}/enable", WEB_WRITE, api_schedules_enable),
	API("POST", "/api/schedules/{name}/disable", WEB_WRITE, api_schedules_disable),
	API("POST", "/api/schedules/{name}/run", WEB_WRITE, api_schedules_run),
	API("GET", "/api/cron/preview", WEB_READ, api_cron_preview),
	API_BODY("POST", "/api/cron/preview", WEB_READ, api_cron_preview, 4096),
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
