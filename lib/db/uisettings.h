/*
 * uisettings.h - what the web UI's settings sections read and write that
 * no other module keeps: each notification channel's last delivery, and
 * the verification of the archives in the backup directory
 * (sql/0018_settings_ui.sql).  Times are seconds since the epoch.  The
 * caller json_decref()s *out.
 */
#ifndef COMRADARR_DB_UISETTINGS_H
#define COMRADARR_DB_UISETTINGS_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"

/*
 * Each channel's newest message, keyed by the channel's name:
 *   {"NAME": {state, kind, at, attempts, http_status, error}}
 * state is pending, sent or failed; at is when it was sent, or created
 * while pending.  A channel that never had a message is absent.  One
 * index probe per channel (notify_messages_channel).
 */
int db_ui_channel_last(PGconn *db, json_t **out, struct err *e);

/* A verification's outcome for one archive. */
struct db_backup_check {
	const char *name;		/* the file's base name */
	int64_t bytes;
	int64_t mtime_us;		/* with bytes: which version of the file */
	int ok;
	const char *detail;		/* why not, when !ok; NULL otherwise */
	int schema_version;		/* when ok */
	const char *checked_by;		/* the user who asked */
};

/* Record (or replace) the check of c->name. */
int db_backup_check_put(PGconn *db, const struct db_backup_check *c, struct err *e);

/*
 * Every recorded check, keyed by file name:
 *   {"NAME": {bytes, mtime_us, ok, detail, schema_version, checked_by, at}}
 * The caller compares bytes and mtime_us with the file as it is now.
 */
int db_backup_checks(PGconn *db, json_t **out, struct err *e);

/* Forget checks of files that are gone (names: the files still there). */
int db_backup_checks_prune(PGconn *db, char *const *names, size_t n, struct err *e);

#endif
