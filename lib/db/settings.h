/*
 * settings.h - reading and writing the user settings of policy/settings.h
 * in the settings table (sql/0001_core.sql).
 *
 * A key missing from the table has its default; a change is written with
 * its "setting_changed" event in one transaction, so the web UI and
 * comradarr-notify see it, and every reader picks it up at its next read
 * (Req 30.4: no restart).
 */
#ifndef COMRADARR_DB_SETTINGS_H
#define COMRADARR_DB_SETTINGS_H

#include <libpq-fe.h>

#include "core/err.h"
#include "core/log.h"
#include "policy/settings.h"

struct db_setting {
	const struct setting_def *def;
	long long value;
	int is_default;		/* no row: the value is the default */
	char updated_at[40];	/* RFC 3339, "" when default */
};

/* The current value of d. */
int db_setting_get(PGconn *db, const struct setting_def *d, struct db_setting *out,
		   struct err *e);

/* Every known setting, in policy/settings.h's order; *list is malloc'd. */
int db_setting_list(PGconn *db, struct db_setting **list, size_t *n, struct err *e);

/*
 * Store value (already validated by settings_parse) for d, or with reset
 * remove the row so the default applies; *prev gets the value before.
 * One transaction with its "setting_changed" event.
 */
int db_setting_set(PGconn *db, const struct setting_def *d, long long value, int reset,
		   long long *prev, struct err *e);

/*
 * Apply log.level (SETTING_LOG_LEVEL) to this process's logger: the
 * stored level, or fallback (LOG_LEVEL, the environment's) when unset.
 * Every tool calls it once it has a database (cli_db); comradarr-serve
 * again whenever it may have changed.  On a database error nothing
 * changes.
 */
int db_setting_apply_log_level(PGconn *db, enum log_level fallback, struct err *e);

/* The value of an integer setting by key, or its default; for readers. */
int db_setting_int(PGconn *db, const char *key, long long *out, struct err *e);

#endif
