/*
 * settings.c - the table of user settings.  See settings.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/err.h"
#include "policy/priority.h"
#include "policy/settings.h"
#include "core/banned.h"

/*
 * The priority weights' ranges and defaults are priority.h's
 * (priority_weights_validate, priority_weights_default);
 * tests/unit/test_policy_settings.c fails when the two disagree.
 */
#define PW(k, lo, hi, d, unit, s) { "priority." k, SETTING_INT, lo, hi, d, unit, s, NULL }

/* Retention defaults: the design reference's pruning strategy (30 days of
 * history, exhausted entries forgotten after 30 days). */
/* in the order of enum log_level (core/log.h): the index is the level;
 * tests/unit/test_policy_settings.c checks them against log_level_name() */
static const char *const log_levels[] = { "error", "warn", "info", "debug", "trace", NULL };

static const struct setting_def defs[] = {
	{ "retention.search_history_days", SETTING_INT, 1, 3650, 30, "days",
	  "search history kept; older days remain as daily statistics", NULL },
	{ "retention.events_days", SETTING_INT, 1, 3650, 30, "days",
	  "events (the outbox) kept", NULL },
	{ "retention.health_history_days", SETTING_INT, 1, 3650, 30, "days",
	  "connector health checks kept; older days remain as daily statistics", NULL },
	/* the daily budget sums today's spend in TZ, up to 14 hours off UTC:
	   two days always covers it */
	{ "retention.throttle_ledger_days", SETTING_INT, 2, 365, 2, "days",
	  "throttle ledger kept (the budget needs the last local day)", NULL },
	{ "retention.exhausted_days", SETTING_INT, 1, 3650, 30, "days",
	  "an exhausted search entry is forgotten after this, so discover may try it again", NULL },
	{ "queue.paused", SETTING_BOOL, 0, 1, 0, "",
	  "no search is sent while true ('comradarr queue pause|resume')", NULL },
	/* QUEUE_MAX_PER_SERIES (lib/db/queue_add.h) is the default when unset */
	{ "queue.max_per_series", SETTING_INT, 1, 1000, 5, "searches",
	  "searches of one series queued or in flight at once (Req 6.4)", NULL },
	{ SETTING_LOG_LEVEL, SETTING_ENUM, 0, 4, 2, "",
	  "log level of every tool, applied by comradarr-serve at once and by the others at "
	  "start (unset: LOG_LEVEL)", log_levels },
	PW("base", 0, PRIORITY_MAX, 10000, "", "priority every item starts from"),
	PW("content_age_max", 0, PRIORITY_MAX, 3000, "", "bonus for content released now"),
	PW("content_age_span_days", 1, 36500, 365, "days", "age at which that bonus reaches 0"),
	PW("missing_max", 0, PRIORITY_MAX, 2000, "", "bonus for having been missing long"),
	PW("missing_span_days", 1, 36500, 180, "days", "time missing for the full bonus"),
	PW("failure_penalty", 0, PRIORITY_MAX, 500, "", "penalty per failed search"),
	PW("failure_penalty_max", 0, PRIORITY_MAX, 5000, "", "cap of the failure penalty"),
	PW("recent_search_max", 0, PRIORITY_MAX, 1000, "", "penalty for a search just made"),
	PW("recent_search_span_days", 1, 36500, 7, "days", "time for that penalty to fade"),
	PW("gap_bonus", 0, PRIORITY_MAX, 2000, "", "bonus for a missing item over an upgrade"),
	PW("upgrade_bonus", 0, PRIORITY_MAX, 0, "", "bonus for an upgrade"),
	PW("override_scale", 0, 100, 10, "", "weight of a user's priority override"),
};

const struct setting_def *
settings_all(size_t *n)
{
	*n = sizeof(defs) / sizeof(defs[0]);
	return defs;
}

const struct setting_def *
settings_find(const char *key)
{
	for (size_t i = 0; key != NULL && i < sizeof(defs) / sizeof(defs[0]); i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

static int
range_error(const struct setting_def *d, const char *text, struct err *e)
{
	if (d->type == SETTING_ENUM) {
		char names[128] = "";

		for (size_t i = 0; d->choices[i] != NULL; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", d->choices[i]);
		return err_set(e, ERR_CONFIG, "setting '%s' is one of %s, not '%s'", d->key, names,
			       text);
	}
	if (d->type == SETTING_BOOL)
		return err_set(e, ERR_CONFIG, "setting '%s' is a switch: use true or false, not '%s'",
			       d->key, text);
	return err_set(e, ERR_CONFIG, "setting '%s' must be a whole number from %lld to %lld%s%s%s, "
		       "not '%s'", d->key, d->min, d->max, d->unit[0] ? " (" : "", d->unit,
		       d->unit[0] ? ")" : "", text);
}

int
settings_parse(const struct setting_def *d, const char *text, long long *out, struct err *e)
{
	static const char *const yes[] = { "true", "on", "yes", "1" };
	static const char *const no[] = { "false", "off", "no", "0" };
	char *end;
	long long v;

	if (text == NULL)
		text = "";
	if (d->type == SETTING_ENUM) {
		for (long long i = 0; d->choices[i] != NULL; i++)
			if (strcasecmp(text, d->choices[i]) == 0) {
				*out = i;
				return 0;
			}
		return range_error(d, text, e);
	}
	if (d->type == SETTING_BOOL) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcasecmp(text, yes[i]) == 0) {
				*out = 1;
				return 0;
			}
			if (strcasecmp(text, no[i]) == 0) {
				*out = 0;
				return 0;
			}
		}
		return range_error(d, text, e);
	}
	errno = 0;
	v = strtoll(text, &end, 10);
	/* strtoll skips leading blanks and takes a sign; only digits are a number here */
	if (errno != 0 || end == text || *end != '\0' || text[0] == ' ' || text[0] == '+' ||
	    v < d->min || v > d->max)
		return range_error(d, text, e);
	*out = v;
	return 0;
}

int
settings_parse_json(const struct setting_def *d, const char *json, long long *out, struct err *e)
{
	if (d->type == SETTING_ENUM) {
		/* a JSON string: "debug", quotes included */
		size_t n = json ? strlen(json) : 0;
		char name[64];

		if (n >= 2 && n - 2 < sizeof(name) && json[0] == '"' && json[n - 1] == '"') {
			memcpy(name, json + 1, n - 2);
			name[n - 2] = '\0';
			if (settings_parse(d, name, out, e) == 0)
				return 0;
		}
		return err_set(e, ERR_CONFIG, "stored setting '%s' is %s, which is not one of its "
			       "names: run 'comradarr settings set %s VALUE' (or 'settings reset "
			       "%s')", d->key, json ? json : "null", d->key, d->key);
	}
	if (settings_parse(d, json, out, e) == 0 &&
	    (d->type == SETTING_INT || strcmp(json, "true") == 0 || strcmp(json, "false") == 0))
		return 0;
	return err_set(e, ERR_CONFIG, "stored setting '%s' is %s, which is not %s: "
		       "run 'comradarr settings set %s VALUE' (or 'settings reset %s')", d->key, json,
		       d->type == SETTING_BOOL ? "true or false" : "a number in its range",
		       d->key, d->key);
}

const char *
settings_format(const struct setting_def *d, long long v, char *buf, size_t size)
{
	if (d->type == SETTING_ENUM)
		snprintf(buf, size, "%s", v >= d->min && v <= d->max ? d->choices[v] : "?");
	else if (d->type == SETTING_BOOL)
		snprintf(buf, size, "%s", v ? "true" : "false");
	else
		snprintf(buf, size, "%lld", v);
	return buf;
}

const char *
settings_format_json(const struct setting_def *d, long long v, char *buf, size_t size)
{
	if (d->type == SETTING_ENUM) {
		/* the names are plain words: nothing to escape */
		snprintf(buf, size, "\"%s\"", v >= d->min && v <= d->max ? d->choices[v] : "?");
		return buf;
	}
	return settings_format(d, v, buf, size);
}
