/*
 * settings.c - user settings in the database.  See settings.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/events.h"
#include "core/log.h"
#include "db/settings.h"
#include "core/banned.h"

static int
from_row(const PGresult *r, int row, const struct setting_def *d, struct db_setting *out,
	 struct err *e)
{
	out->def = d;
	out->value = d->dflt;
	out->is_default = 1;
	out->updated_at[0] = '\0';
	if (r == NULL || row < 0)
		return 0;
	if (settings_parse_json(d, db_str(r, row, 1), &out->value, e) < 0)
		return -1;
	out->is_default = 0;
	snprintf(out->updated_at, sizeof(out->updated_at), "%s", db_str(r, row, 2));
	return 0;
}

#define SELECT_SETTINGS "SELECT key, value::text, " \
	"to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM settings "

int
db_setting_get(PGconn *db, const struct setting_def *d, struct db_setting *out, struct err *e)
{
	const char *p[1] = { d->key };
	PGresult *r = NULL;
	int ret;

	if (db_query(db, SELECT_SETTINGS "WHERE key = $1", 1, p, &r, e) < 0)
		return -1;
	ret = from_row(PQntuples(r) == 1 ? r : NULL, 0, d, out, e);
	PQclear(r);
	return ret;
}

int
db_setting_list(PGconn *db, struct db_setting **list, size_t *n, struct err *e)
{
	size_t count;
	const struct setting_def *defs = settings_all(&count);
	PGresult *r = NULL;
	int ret = -1;

	*list = calloc(count, sizeof(**list));
	*n = 0;
	if (*list == NULL)
		return err_set(e, ERR_NOMEM, "out of memory listing settings");
	if (db_query(db, SELECT_SETTINGS, 0, NULL, &r, e) < 0)
		goto out;
	for (size_t i = 0; i < count; i++) {
		int row = -1;

		for (int j = 0; j < PQntuples(r); j++)
			if (strcmp(db_str(r, j, 0), defs[i].key) == 0)
				row = j;
		if (from_row(row >= 0 ? r : NULL, row, &defs[i], &(*list)[i], e) < 0)
			goto out;
	}
	*n = count;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0) {
		free(*list);
		*list = NULL;
	}
	return ret;
}

int
db_setting_set(PGconn *db, const struct setting_def *d, long long value, int reset,
	       long long *prev, struct err *e)
{
	char vb[32];
	const char *p[2] = { d->key, settings_format_json(d, value, vb, sizeof(vb)) };
	struct db_setting before;
	json_t *pl;

	if (db_begin(db, e) < 0)
		return -1;
	/* two concurrent changes of one key take turns, so each event's
	 * "previous" is the value the other one wrote */
	if (db_query(db, "SELECT pg_advisory_xact_lock(hashtext('settings:' || $1))", 1, p, NULL,
		     e) < 0)
		goto fail;
	if (db_setting_get(db, d, &before, e) < 0)
		goto fail;
	if (reset) {
		if (db_query(db, "DELETE FROM settings WHERE key = $1", 1, p, NULL, e) < 0)
			goto fail;
		value = d->dflt;
	} else if (db_query(db, "INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) "
			    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "
			    "updated_at = now()", 2, p, NULL, e) < 0) {
		goto fail;
	}
	pl = json_pack("{s:s, s:I, s:I, s:b}", "key", d->key, "value", (json_int_t)value,
		       "previous", (json_int_t)before.value, "default", reset);
	if (d->type == SETTING_BOOL) {
		json_object_set_new(pl, "value", json_boolean(value));
		json_object_set_new(pl, "previous", json_boolean(before.value));
	} else if (d->type == SETTING_ENUM) {
		char a[32], b[32];

		json_object_set_new(pl, "value", json_string(settings_format(d, value, a, sizeof(a))));
		json_object_set_new(pl, "previous",
				    json_string(settings_format(d, before.value, b, sizeof(b))));
	}
	if (db_event_insert(db, "setting_changed", 0, NULL, pl, e) < 0 || db_commit(db, e) < 0)
		goto fail;
	if (prev != NULL)
		*prev = before.value;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
db_setting_int(PGconn *db, const char *key, long long *out, struct err *e)
{
	const struct setting_def *d = settings_find(key);
	struct db_setting s;

	if (d == NULL)
		return err_set(e, ERR_INTERNAL, "no setting named '%s'", key);
	if (db_setting_get(db, d, &s, e) < 0)
		return -1;
	*out = s.value;
	return 0;
}

int
db_setting_apply_log_level(PGconn *db, enum log_level fallback, struct err *e)
{
	const struct setting_def *d = settings_find(SETTING_LOG_LEVEL);
	struct db_setting s;

	if (d == NULL)
		return err_set(e, ERR_INTERNAL, "no setting named '%s'", SETTING_LOG_LEVEL);
	if (db_setting_get(db, d, &s, e) < 0)
		return -1;
	log_set_level(s.is_default ? fallback : (enum log_level)s.value);
	return 0;
}
