#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "db/config_io.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/events.h"
#include "db/throttle.h"
#include "core/banned.h"

/* What is state, identity or secret rather than configuration. */
#define CONNECTOR_SKIP "'id', 'api_key_enc', 'app_name', 'app_version', 'api_version', " \
	"'health', 'health_detail', 'health_checked_at', 'auth_failed', 'last_ok_at', " \
	"'created_at', 'updated_at'"
#define PROFILE_SKIP "'id', 'preset', 'created_at', 'updated_at'"

static const char export_sql[] =
	"SELECT jsonb_build_object("
	" 'connectors', (SELECT coalesce(jsonb_agg(("
	"   SELECT jsonb_object_agg(key, value) FROM jsonb_each(to_jsonb(c)) "
	"   WHERE key NOT IN (" CONNECTOR_SKIP ") AND key NOT LIKE '%\\_enc') ORDER BY c.name), "
	"   '[]') FROM connectors c),"
	" 'profiles', (SELECT coalesce(jsonb_agg(to_jsonb(p) - ARRAY[" PROFILE_SKIP "] "
	"   ORDER BY p.name), '[]') FROM throttle_profiles p WHERE NOT p.preset),"
	" 'assignments', (SELECT coalesce(jsonb_object_agg(c.name, p.name), '{}') "
	"   FROM throttle_assignments a JOIN connectors c ON c.id = a.connector_id "
	"   JOIN throttle_profiles p ON p.id = a.profile_id),"
	" 'settings', (SELECT coalesce(jsonb_object_agg(key, value ORDER BY key), '{}') "
	"   FROM settings))::text";

int
db_config_export(PGconn *db, json_t **out, struct err *e)
{
	PGresult *r = NULL;
	json_t *doc = NULL, *body;
	json_error_t je;
	char ts[40];
	int ret = -1;

	*out = NULL;
	/* one snapshot: a connector and its assignment agree */
	if (db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e) < 0)
		return -1;
	if (db_query(db, export_sql, 0, NULL, &r, e) < 0)
		goto out;
	body = json_loads(PQgetvalue(r, 0, 0), 0, &je);
	if (body == NULL) {
		err_set(e, ERR_INTERNAL, "the exported configuration is not JSON: %s", je.text);
		goto out;
	}
	jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
	doc = json_pack("{s:s, s:i, s:s, s:s}", "format", DB_CONFIG_FORMAT, "format_version",
			DB_CONFIG_FORMAT_VERSION, "app_version", COMRADARR_VERSION, "exported_at", ts);
	json_object_update(doc, body);
	json_decref(body);
	*out = doc;
	ret = 0;
out:
	db_rollback(db);
	PQclear(r);
	return ret;
}

int
db_config_check(json_t *cfg, struct err *e)
{
	json_t *v;
	size_t i;

	if (!json_is_object(cfg) || !json_is_string(json_object_get(cfg, "format")) ||
	    strcmp(json_string_value(json_object_get(cfg, "format")), DB_CONFIG_FORMAT) != 0)
		return err_set(e, ERR_USAGE, "this is not a comradarr configuration (no \"format\": "
			       "\"" DB_CONFIG_FORMAT "\")");
	if (json_integer_value(json_object_get(cfg, "format_version")) != DB_CONFIG_FORMAT_VERSION)
		return err_set(e, ERR_USAGE, "configuration format version %lld is not one this "
			       "comradarr reads (%d)",
			       (long long)json_integer_value(json_object_get(cfg, "format_version")),
			       DB_CONFIG_FORMAT_VERSION);
	if (!json_is_array(json_object_get(cfg, "connectors")) ||
	    !json_is_array(json_object_get(cfg, "profiles")) ||
	    !json_is_object(json_object_get(cfg, "assignments")) ||
	    !json_is_object(json_object_get(cfg, "settings")))
		return err_set(e, ERR_USAGE, "the configuration lacks connectors, profiles, "
			       "assignments or settings");
	json_array_foreach(json_object_get(cfg, "connectors"), i, v) {
		if (!json_is_string(json_object_get(v, "name")) ||
		    !json_is_string(json_object_get(v, "type")) ||
		    !json_is_string(json_object_get(v, "url")))
			return err_set(e, ERR_USAGE, "connector %zu of the configuration has no name, "
				       "type or url", i + 1);
	}
	json_array_foreach(json_object_get(cfg, "profiles"), i, v) {
		if (!json_is_string(json_object_get(v, "name")))
			return err_set(e, ERR_USAGE, "profile %zu of the configuration has no name",
				       i + 1);
	}
	return 0;
}

/*
 * The quoted columns of table that obj names, less the skipped ones (and
 * any *_enc): "a, b, c", or "" when none.  Malloc'd.
 */
static char *
columns_of(PGconn *db, const char *table, const char *obj, const char *skip, struct err *e)
{
	const char *p[2] = { table, obj };
	PGresult *r = NULL;
	char *sql = NULL, *out = NULL;

	if (asprintf(&sql, "SELECT coalesce(string_agg(quote_ident(attname), ', ' ORDER BY attnum), "
		     "'') FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 "
		     "AND NOT attisdropped AND attgenerated = '' "
		     "AND attname IN (SELECT jsonb_object_keys($2::jsonb)) "
		     "AND attname NOT IN (%s) AND attname NOT LIKE '%%\\_enc'", skip) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (db_query(db, sql, 2, p, &r, e) == 0) {
		out = strdup(PQgetvalue(r, 0, 0));
		if (out == NULL)
			err_set(e, ERR_NOMEM, "out of memory");
	}
	free(sql);
	PQclear(r);
	return out;
}

static int
import_profile(PGconn *db, json_t *p, struct err *e)
{
	char *obj = json_dumps(p, JSON_COMPACT), *cols = NULL, *sql = NULL;
	const char *params[1] = { obj };
	PGresult *r = NULL;
	int ret = -1;

	if (obj == NULL || (cols = columns_of(db, "throttle_profiles", obj, PROFILE_SKIP, e)) == NULL)
		goto out;
	if (asprintf(&sql, "INSERT INTO throttle_profiles (%s) SELECT %s FROM "
		     "jsonb_populate_record(NULL::throttle_profiles, $1::jsonb) "
		     "ON CONFLICT (name) DO UPDATE SET (%s) = (SELECT %s FROM "
		     "jsonb_populate_record(NULL::throttle_profiles, $1::jsonb)), updated_at = now() "
		     "WHERE NOT throttle_profiles.preset", cols, cols, cols, cols) < 0) {
		sql = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_query(db, sql, 1, params, &r, e) < 0) {
		err_prefix(e, "profile '%s'", json_string_value(json_object_get(p, "name")));
		goto out;
	}
	if (strcmp(PQcmdTuples(r), "1") != 0) {
		err_set(e, ERR_CONFLICT, "profile '%s' is a preset, which an import cannot change",
			json_string_value(json_object_get(p, "name")));
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	free(obj);
	free(cols);
	free(sql);
	return ret;
}

static int
import_connector(PGconn *db, const struct secret_key *k, json_t *cj, const char *key,
		 struct err *e)
{
	struct connector c;
	char *obj = NULL, *cols = NULL, *sql = NULL, idbuf[24];
	json_t *v;
	int ret = -1;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", json_string_value(json_object_get(cj, "name")));
	snprintf(c.type, sizeof(c.type), "%s", json_string_value(json_object_get(cj, "type")));
	c.url = strdup(json_string_value(json_object_get(cj, "url")));
	v = json_object_get(cj, "enabled");
	c.enabled = v == NULL || json_is_true(v);
	v = json_object_get(cj, "tls_verify");
	c.tls_verify = v == NULL || json_is_true(v);
	c.timeout_ms = json_is_integer(json_object_get(cj, "timeout_ms")) ?
		(int)json_integer_value(json_object_get(cj, "timeout_ms")) : 30000;
	if (c.url == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the key is sealed for this URL and TLS setting: they are set here
	 * and never by the generic update below */
	if (db_connector_add(db, k, &c, key, e) < 0)
		goto out;
	obj = json_dumps(cj, JSON_COMPACT);
	if (obj == NULL || (cols = columns_of(db, "connectors", obj, CONNECTOR_SKIP ", 'name', "
					      "'type', 'url', 'tls_verify'", e)) == NULL)
		goto out;
	if (cols[0] != '\0') {
		const char *params[2] = { db_fmt_int64(idbuf, sizeof(idbuf), c.id), obj };

		if (asprintf(&sql, "UPDATE connectors SET (%s) = (SELECT %s FROM "
			     "jsonb_populate_record(NULL::connectors, $2::jsonb)) WHERE id = $1",
			     cols, cols) < 0) {
			sql = NULL;
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (db_query(db, sql, 2, params, NULL, e) < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		err_prefix(e, "connector '%s'", c.name);
	connector_release(&c);
	free(obj);
	free(cols);
	free(sql);
	return ret;
}

int
db_config_import(PGconn *db, const struct secret_key *k, json_t *cfg, const char *const *keys,
		 struct db_config_import_report *r, struct err *e)
{
	json_t *v;
	const char *name;
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (db_config_check(cfg, e) < 0 || db_begin(db, e) < 0)
		return -1;
	/* an assignment may name a preset: a fresh database has none yet */
	if (db_throttle_seed_presets(db, e) < 0)
		goto out;
	json_array_foreach(json_object_get(cfg, "profiles"), i, v) {
		if (import_profile(db, v, e) < 0)
			goto out;
		r->profiles++;
	}
	json_array_foreach(json_object_get(cfg, "connectors"), i, v) {
		if (import_connector(db, k, v, keys[i], e) < 0)
			goto out;
		r->connectors++;
	}
	json_object_foreach(json_object_get(cfg, "assignments"), name, v) {
		if (!json_is_string(v)) {
			err_set(e, ERR_USAGE, "the assignment of connector '%s' is not a profile name",
				name);
			goto out;
		}
		if (db_throttle_assign(db, name, json_string_value(v), e) < 0)
			goto out;
		r->assignments++;
	}
	json_object_foreach(json_object_get(cfg, "settings"), name, v) {
		char *val = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		const char *params[2] = { name, val };
		int rc;

		if (val == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		rc = db_query(db, "INSERT INTO settings (key, value) VALUES ($1, $2::jsonb) "
				  "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "
				  "updated_at = now()", 2, params, NULL, e);
		free(val);
		if (rc < 0) {
			err_prefix(e, "setting '%s'", name);
			goto out;
		}
		r->settings++;
	}
	if (db_event_insert(db, "config_imported", 0, NULL,
			    json_pack("{s:i, s:i, s:i, s:i}", "connectors", r->connectors, "profiles",
				      r->profiles, "assignments", r->assignments, "settings",
				      r->settings), e) < 0 ||
	    db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}
