#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db/db.h"
#include "db/migrate.h"
#include "core/banned.h"

static const char create_table_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";

void
db_migration_checksum(const struct migration *m, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)m->sql, m->len);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

static const struct migration *
find_migration(int version)
{
	for (size_t i = 0; i < db_migrations_count; i++) {
		if (db_migrations[i].version == version)
			return &db_migrations[i];
	}
	return NULL;
}

/* Walk applied rows and the embedded list together; report and count. */
static int
check_applied(PGconn *c, migrate_cb cb, void *arg, int *pending, int report_pending,
	      struct err *e)
{
	PGresult *r = NULL;
	int ret = -1, bad = 0, npending = 0;
	char sum[65];

	if (db_query(c, "SELECT version, name, checksum, "
			"to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
			"FROM schema_migrations ORDER BY version", 0, NULL, &r, e) < 0)
		goto out;
	for (int i = 0; i < PQntuples(r); i++) {
		int v = (int)db_int64(r, i, 0, -1);
		const struct migration *m = find_migration(v);

		if (m == NULL) {
			if (cb != NULL)
				cb(arg, v, PQgetvalue(r, i, 1), MIGRATION_UNKNOWN, PQgetvalue(r, i, 3));
			if (!bad)
				err_set(e, ERR_CONFLICT,
					"the database has migration '%s' which this build of comradarr "
					"does not know; it was migrated by a newer version: upgrade comradarr",
					PQgetvalue(r, i, 1));
			bad = 1;
			continue;
		}
		db_migration_checksum(m, sum);
		if (strcmp(sum, PQgetvalue(r, i, 2)) != 0) {
			if (cb != NULL)
				cb(arg, v, m->name, MIGRATION_CHANGED, PQgetvalue(r, i, 3));
			if (!bad)
				err_set(e, ERR_CONFLICT,
					"migration '%s.sql' was changed after it was applied (checksum "
					"differs); an applied migration must never change: restore it and "
					"put the change in a new migration", m->name);
			bad = 1;
		} else if (cb != NULL && report_pending) {
			cb(arg, v, m->name, MIGRATION_APPLIED, PQgetvalue(r, i, 3));
		}
	}
	for (size_t k = 0; k < db_migrations_count; k++) {
		int found = 0;

		for (int i = 0; i < PQntuples(r); i++) {
			if (db_int64(r, i, 0, -1) == db_migrations[k].version)
				found = 1;
		}
		if (!found) {
			npending++;
			if (cb != NULL && report_pending)
				cb(arg, db_migrations[k].version, db_migrations[k].name,
				   MIGRATION_PENDING, NULL);
		}
	}
	if (pending != NULL)
		*pending = npending;
	if (bad)
		goto out;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

static int
is_applied(PGconn *c, int version, int *applied, struct err *e)
{
	char v[16];
	const char *params[1] = { v };
	PGresult *r = NULL;

	snprintf(v, sizeof(v), "%d", version);
	if (db_query(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params, &r, e) < 0)
		return -1;
	*applied = PQntuples(r) > 0;
	PQclear(r);
	return 0;
}

static int
apply_one(PGconn *c, const struct migration *m, struct err *e)
{
	char v[16], sum[65];
	const char *params[3] = { v, m->name, sum };
	int ret = -1;

	snprintf(v, sizeof(v), "%d", m->version);
	db_migration_checksum(m, sum);
	if (db_begin(c, e) < 0)
		goto out;
	if (db_exec(c, m->sql, e) < 0) {
		err_prefix(e, "migration '%s.sql' failed", m->name);
		goto out;
	}
	if (db_query(c, "INSERT INTO schema_migrations (version, name, checksum) "
			"VALUES ($1, $2, $3)", 3, params, NULL, e) < 0)
		goto out;
	if (db_commit(c, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(c);
	return ret;
}

int
db_migrate(PGconn *c, migrate_cb cb, void *arg, int *applied, struct err *e)
{
	int locked = 0, ret = -1, n = 0;

	if (applied != NULL)
		*applied = 0;
	/* Quietly: "relation already exists, skipping" is noise here. */
	if (db_exec(c, "SET client_min_messages = warning", e) < 0)
		goto out;
	if (db_lock(c, DB_LOCK_MIGRATE, 0, e) < 0)
		goto out;
	locked = 1;
	if (db_exec(c, create_table_sql, e) < 0)
		goto out;
	if (check_applied(c, NULL, NULL, NULL, 0, e) < 0)
		goto out;
	for (size_t i = 0; i < db_migrations_count; i++) {
		const struct migration *m = &db_migrations[i];
		int done = 0;

		if (is_applied(c, m->version, &done, e) < 0)
			goto out;
		if (done)
			continue;
		if (apply_one(c, m, e) < 0)
			goto out;
		n++;
		if (cb != NULL)
			cb(arg, m->version, m->name, MIGRATION_APPLIED, NULL);
	}
	ret = 0;
out:
	if (locked) {
		struct err ignored = ERR_INIT;

		db_unlock(c, DB_LOCK_MIGRATE, 0, &ignored);
	}
	if (applied != NULL)
		*applied = n;
	return ret;
}

int
db_migrate_status(PGconn *c, migrate_cb cb, void *arg, int *pending, struct err *e)
{
	PGresult *r = NULL;
	int exists;

	if (db_query(c, "SELECT to_regclass('schema_migrations') IS NOT NULL", 0, NULL, &r, e) < 0)
		return -1;
	exists = db_bool(r, 0, 0);
	PQclear(r);
	if (!exists) {
		for (size_t k = 0; k < db_migrations_count; k++) {
			if (cb != NULL)
				cb(arg, db_migrations[k].version, db_migrations[k].name,
				   MIGRATION_PENDING, NULL);
		}
		if (pending != NULL)
			*pending = (int)db_migrations_count;
		return 0;
	}
	return check_applied(c, cb, arg, pending, 1, e);
}
