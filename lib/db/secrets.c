#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db/connectors.h"
#include "db/db.h"
#include "db/events.h"
#include "db/notify.h"
#include "db/secrets.h"
#include "core/banned.h"

typedef int (*reseal_fn)(PGconn *db, const struct secret_key *old_key,
			 const struct secret_key *new_key, int *resealed, int *already,
			 struct err *e);

/* Columns whose associated data is more than (table, column, row id). */
static const struct {
	const char *table, *column;
	reseal_fn fn;
} special[] = {
	{ "connectors", "api_key_enc", db_connector_reseal },
	{ "notify_channels", "secret_enc", db_notify_channel_reseal },
};

static const char sealed_columns_sql[] =
	"SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
	"WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' "
	"AND a.atttypid = 'bytea'::regtype AND a.attname LIKE '%\\_enc' AND NOT a.attisdropped "
	"ORDER BY 1, 2";

int
db_secret_key_ids(PGconn *db, char ids[DB_KEY_IDS_MAX][17], size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int ret;

	*n = 0;
	if (db_query(db, "SELECT current_schema()", 0, NULL, &r, e) < 0)
		return -1;
	ret = db_schema_key_ids(db, PQgetvalue(r, 0, 0), ids, n, e);
	PQclear(r);
	return ret;
}

/* (table, column, id) binding: SELECT ... FOR UPDATE, re-seal, UPDATE. */
static int
reseal_generic(PGconn *db, const char *table, const char *column,
	       const struct secret_key *old_key, const struct secret_key *new_key,
	       struct db_reseal_report *rep, struct err *e)
{
	char *t = PQescapeIdentifier(db, table, strlen(table));
	char *c = PQescapeIdentifier(db, column, strlen(column));
	char *sel = NULL, *upd = NULL;
	PGresult *r = NULL;
	unsigned char *box = NULL, *out = NULL, id[8];
	size_t len = 0, outlen = 0;
	int ret = -1;

	if (t == NULL || c == NULL ||
	    asprintf(&sel, "SELECT id, %s FROM %s WHERE %s IS NOT NULL ORDER BY id FOR UPDATE",
		     c, t, c) < 0 ||
	    asprintf(&upd, "UPDATE %s SET %s = $2 WHERE id = $1", t, c) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_query(db, sel, 0, NULL, &r, e) < 0) {
		err_prefix(e, "sealed column %s.%s (it needs an id column, or a re-seal function "
			   "of its own in lib/db/secrets.c)", table, column);
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		free(box);
		box = NULL;
		free(out);
		out = NULL;
		if (db_bytea(r, i, 1, &box, &len, e) < 0)
			goto out;
		if (secretbox_key_id(box, len, id) == 0 && memcmp(id, new_key->id, 8) == 0) {
			rep->already++;
			continue;
		}
		if (secretbox_reseal(old_key, new_key, table, column,
				     (long long)db_int64(r, i, 0, 0), box, len, &out, &outlen, e) < 0) {
			err_prefix(e, "%s.%s of row %s", table, column, PQgetvalue(r, i, 0));
			goto out;
		}
		{
			const char *vals[2] = { PQgetvalue(r, i, 0), (const char *)out };
			int lens[2] = { 0, (int)outlen }, fmts[2] = { 0, 1 };

			if (db_query_bin(db, upd, 2, vals, lens, fmts, NULL, e) < 0)
				goto out;
		}
		rep->resealed++;
	}
	ret = 0;
out:
	PQfreemem(t);
	PQfreemem(c);
	free(sel);
	free(upd);
	free(box);
	free(out);
	PQclear(r);
	return ret;
}

int
db_secrets_reseal(PGconn *db, const struct secret_key *old_key, const struct secret_key *new_key,
		  struct db_reseal_report *rep, struct err *e)
{
	PGresult *cols = NULL;
	char oldhex[17], newhex[17];
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, sealed_columns_sql, 0, NULL, &cols, e) < 0)
		goto out;
	for (int i = 0; i < PQntuples(cols); i++) {
		const char *t = PQgetvalue(cols, i, 0), *c = PQgetvalue(cols, i, 1);
		size_t k;

		rep->columns++;
		for (k = 0; k < sizeof(special) / sizeof(special[0]); k++)
			if (strcmp(special[k].table, t) == 0 && strcmp(special[k].column, c) == 0)
				break;
		if (k < sizeof(special) / sizeof(special[0])) {
			int n = 0, a = 0;

			if (special[k].fn(db, old_key, new_key, &n, &a, e) < 0)
				goto out;
			rep->resealed += n;
			rep->already += a;
		} else if (reseal_generic(db, t, c, old_key, new_key, rep, e) < 0) {
			goto out;
		}
	}
	secret_key_id_hex(old_key, oldhex);
	secret_key_id_hex(new_key, newhex);
	if (db_event_insert(db, "secret_key_rotated", 0, NULL,
			    json_pack("{s:s, s:s, s:i}", "old_key_id", oldhex, "new_key_id", newhex,
				      "resealed", rep->resealed), e) < 0 ||
	    db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	PQclear(cols);
	return ret;
}
