/*
 * settings.h - every user setting Comradarr keeps in its database: name,
 * type, allowed range, default and meaning, defined once (Req 30.4).
 *
 * The settings table (sql/0001_core.sql) stores only what the user changed,
 * as JSON; a key missing there has the default written here.  `comradarr
 * settings get|set|list` validates through this table, and each reader
 * (maint's retention, the priority weights, the queue's pause switch) asks
 * for a key's value the same way, so a setting changed with `set` applies
 * at the next run of whatever reads it, without a restart.
 *
 * Pure: no I/O.  Values are integers: a count, a number of days, a switch
 * (0 and 1), or the index of a name among a setting's choices (stored as
 * the name, so the table reads "debug", not 3).
 */
#ifndef COMRADARR_POLICY_SETTINGS_H
#define COMRADARR_POLICY_SETTINGS_H

#include <stddef.h>

struct err;

enum setting_type {
	SETTING_INT,
	SETTING_BOOL,
	SETTING_ENUM	/* one of choices, stored by name; the value is its index */
};

struct setting_def {
	const char *key;	/* "retention.events_days" */
	enum setting_type type;
	long long min, max;	/* inclusive; 0 and 1 for a boolean */
	long long dflt;
	const char *unit;	/* "days", or "" */
	const char *summary;	/* one line for `settings list` and the man page */
	const char *const *choices;	/* SETTING_ENUM: the names, NULL-terminated */
};

/* Every setting, in the order `settings list` shows them; *n is the count. */
const struct setting_def *settings_all(size_t *n);

/* The definition of key, or NULL when there is no such setting. */
const struct setting_def *settings_find(const char *key);

/*
 * A value typed by a user ("90", "true", "off") into *out, validated
 * against d's type and range.  On failure the message names the setting
 * and what it accepts ("setting 'retention.events_days' must be a whole
 * number from 1 to 3650 (days)"), and *out is unchanged.
 */
int settings_parse(const struct setting_def *d, const char *text, long long *out,
		   struct err *e);

/*
 * The value as it was stored in the database (JSON text: "90", "true"),
 * validated the same way; a stored value out of range or of the wrong type
 * is an ERR_CONFIG error saying how to fix it.
 */
int settings_parse_json(const struct setting_def *d, const char *json, long long *out,
			struct err *e);

/* v as text for people ("90", "true", "debug"); buf of at least 24 bytes. */
const char *settings_format(const struct setting_def *d, long long v, char *buf, size_t size);
/* v as JSON text for storing ("90", "true", "\"debug\""). */
const char *settings_format_json(const struct setting_def *d, long long v, char *buf, size_t size);

/*
 * log.level: the log level of every tool, when set (its choices are
 * core/log.h's level names, index = enum log_level).  Unset, each tool
 * keeps LOG_LEVEL from its environment.
 */
#define SETTING_LOG_LEVEL "log.level"

#endif
