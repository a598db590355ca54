/*
 * app_poll.c - what comradarr-serve picks up between requests: a log
 * level set by another process (`comradarr settings set log.level`, or
 * another server on the same database).  A change through this server's
 * own API is applied in the request (api_admin.c); this covers the rest.
 */
#include "core/log.h"
#include "db/pool.h"
#include "db/settings.h"
#include "web/app.h"
#include "core/banned.h"

void
web_app_poll(struct web_app *app, struct db_pool *pool)
{
	struct err e = ERR_INIT;
	enum log_level before = log_get_level();
	PGconn *db = NULL;

	if (pool == NULL || db_pool_get(pool, &db, &e) < 0)
		return;	/* the database is away: /health says so, nothing to do here */
	if (db_setting_apply_log_level(db, app->cfg ? app->cfg->log_level : LOG_LEVEL_INFO, &e) < 0)
		log_debug("serve", "log.level not read: %s", e.msg);
	else if (log_get_level() != before)
		log_write(LOG_LEVEL_INFO, "serve",
			  json_pack("{s:s, s:s}", "from", log_level_name(before), "to",
				    log_level_name(log_get_level())),
			  "log level changed to %s", log_level_name(log_get_level()));
	db_pool_put(pool, db);
}
