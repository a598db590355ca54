/*
 * app.h - what comradarr-serve's handlers share (req->app): settings read
 * at start, the key that opens stored secrets, the in-memory rate limiters.
 * cmd/comradarr-serve.c fills one and hands it to web_server_start().
 */
#ifndef COMRADARR_WEB_APP_H
#define COMRADARR_WEB_APP_H

#include <semaphore.h>
#include <stdint.h>

#include "core/config.h"
#include "crypto/secretbox.h"
#include "web/limit.h"
#include "web/metrics.h"
#include "web/web.h"

enum web_auth_mode {
	WEB_AUTH_FULL = 0,	/* every protected route needs a login or a key */
	WEB_AUTH_LOCAL,		/* loopback and RFC 1918 peers act as an admin */
	WEB_AUTH_DISABLED	/* everyone acts as an admin (refused unless confirmed) */
};

struct web_sse;

struct web_app {
	const struct config *cfg;
	const struct secret_key *key;	/* NULL: no connector key can be used */
	int have_key;
	enum web_auth_mode auth_mode;
	/* lockout (Req 35) */
	int lock_attempts;		/* failed logins before a lock */
	int lock_minutes;
	int login_per_minute;		/* per address, and the burst; set before web_app_init */
	/* sessions */
	int session_idle_minutes;
	int session_max_hours;
	/* the /health details are public too (default: summary only) */
	int health_public_details;
	struct web_limiter *addr_limit;	/* login attempts per address */
	struct web_limiter *key_limit;	/* requests per API key */
	int64_t started_us;
	struct web_metrics *metrics;	/* the server's counters; NULL: none */
	/* Argon2id takes 46 MiB and ~70 ms a verify (crypto/password.h): at
	 * most this many at once, so a login flood cannot exhaust memory */
	sem_t argon_slots;
	int argon_slots_ok;
	/* verified for an unknown user, so it costs what a real one costs */
	char *dummy_hash;
	/* the backups page's background backup (backup_job.h); NULL: none */
	struct web_backup_job *backup_job;
	/* the live event stream (sse.h); NULL: GET /api/events pages only */
	struct web_sse *sse;
	/* the schedule views' warm time zones (zones.h); NULL: none */
	struct web_zones *zones;
};

/*
 * Between requests (comradarr-serve calls it every few seconds): apply a
 * log level stored by another process (app_poll.c).
 */
struct db_pool;
void web_app_poll(struct web_app *app, struct db_pool *pool);

/*
 * Add every route comradarr-serve answers to r: this is the route table.
 * New routes go in lib/web/routes.c, nowhere else.
 */
int web_routes_register(struct web_router *r, struct err *e);

/* The handlers, by area (lib/web/api_*.c). */
int api_healthz(struct web_req *req, struct web_resp *resp);
int api_readyz(struct web_req *req, struct web_resp *resp);
int api_health(struct web_req *req, struct web_resp *resp);
int api_login(struct web_req *req, struct web_resp *resp);
int api_logout(struct web_req *req, struct web_resp *resp);
int api_session(struct web_req *req, struct web_resp *resp);
int api_password(struct web_req *req, struct web_resp *resp);
int api_connectors_list(struct web_req *req, struct web_resp *resp);
int api_connectors_show(struct web_req *req, struct web_resp *resp);
int api_connectors_add(struct web_req *req, struct web_resp *resp);
int api_connectors_edit(struct web_req *req, struct web_resp *resp);
int api_connectors_remove(struct web_req *req, struct web_resp *resp);
int api_connectors_test(struct web_req *req, struct web_resp *resp);
int api_queue_list(struct web_req *req, struct web_resp *resp);
int api_queue_status(struct web_req *req, struct web_resp *resp);
int api_queue_pause(struct web_req *req, struct web_resp *resp);
int api_queue_resume(struct web_req *req, struct web_resp *resp);
int api_queue_clear(struct web_req *req, struct web_resp *resp);
int api_registry(struct web_req *req, struct web_resp *resp);
int api_registry_bulk(struct web_req *req, struct web_resp *resp);
int api_series(struct web_req *req, struct web_resp *resp);
int api_movies(struct web_req *req, struct web_resp *resp);
int api_history(struct web_req *req, struct web_resp *resp);
int api_events(struct web_req *req, struct web_resp *resp);
int api_explain(struct web_req *req, struct web_resp *resp);
int api_users_list(struct web_req *req, struct web_resp *resp);
int api_users_add(struct web_req *req, struct web_resp *resp);
int api_users_edit(struct web_req *req, struct web_resp *resp);
int api_users_remove(struct web_req *req, struct web_resp *resp);
int api_keys_list(struct web_req *req, struct web_resp *resp);
int api_keys_add(struct web_req *req, struct web_resp *resp);
int api_keys_revoke(struct web_req *req, struct web_resp *resp);
int api_settings_get(struct web_req *req, struct web_resp *resp);
int api_settings_put(struct web_req *req, struct web_resp *resp);
/* PUT /api/settings/KEY for a key of the caller's choosing (a form's) */
int api_settings_put_key(struct web_req *req, struct web_resp *resp, const char *key);
int api_audit_list(struct web_req *req, struct web_resp *resp);
int api_metrics(struct web_req *req, struct web_resp *resp);
int api_webhook(struct web_req *req, struct web_resp *resp);
int api_profiles(struct web_req *req, struct web_resp *resp);
/* GET /api/events as server-sent events (api_events.c) */
int api_events_wants_stream(const struct web_req *req);
int api_events_stream(struct web_req *req, struct web_resp *resp);
/* the second factor: the login's second step (api_auth.c), enrolment and
 * an admin's reset (api_totp.c) */
int api_login_totp(struct web_req *req, struct web_resp *resp);
int api_totp_status(struct web_req *req, struct web_resp *resp);
int api_totp_setup(struct web_req *req, struct web_resp *resp);
int api_totp_confirm(struct web_req *req, struct web_resp *resp);
int api_totp_disable(struct web_req *req, struct web_resp *resp);
int api_totp_recovery(struct web_req *req, struct web_resp *resp);
int api_users_totp_reset(struct web_req *req, struct web_resp *resp);
/* sweep schedules (api_schedules.c) */
int api_schedules_list(struct web_req *req, struct web_resp *resp);
int api_schedules_show(struct web_req *req, struct web_resp *resp);
int api_schedules_add(struct web_req *req, struct web_resp *resp);
int api_schedules_edit(struct web_req *req, struct web_resp *resp);
int api_schedules_remove(struct web_req *req, struct web_resp *resp);
int api_schedules_enable(struct web_req *req, struct web_resp *resp);
int api_schedules_disable(struct web_req *req, struct web_resp *resp);
int api_schedules_run(struct web_req *req, struct web_resp *resp);
int api_cron_preview(struct web_req *req, struct web_resp *resp);

/* notification channels and backups (api_channels.c, api_backups.c) */
int api_channels_list(struct web_req *req, struct web_resp *resp);
int api_channels_show(struct web_req *req, struct web_resp *resp);
int api_channels_add(struct web_req *req, struct web_resp *resp);
int api_channels_edit(struct web_req *req, struct web_resp *resp);
int api_channels_enable(struct web_req *req, struct web_resp *resp);
int api_channels_disable(struct web_req *req, struct web_resp *resp);
int api_channels_remove(struct web_req *req, struct web_resp *resp);
int api_channels_test(struct web_req *req, struct web_resp *resp);
int api_backups_list(struct web_req *req, struct web_resp *resp);
int api_backups_create(struct web_req *req, struct web_resp *resp);
int api_backups_download(struct web_req *req, struct web_resp *resp);
int api_backups_verify(struct web_req *req, struct web_resp *resp);

#endif
