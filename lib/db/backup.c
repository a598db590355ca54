#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/backup.h"
#include "db/db.h"
#include "db/migrate.h"
#include "core/banned.h"

/* The scratch schema a restore builds before the swap.  Inside the
 * restore's transaction only: no other session ever sees it. */
#define SCRATCH "comradarr_restore"

/* How long the swap waits for a running tool to let go of a table. */
#define RESTORE_LOCK_TIMEOUT "'60s'"

const char *const db_mirror_tables[] = {
	"series", "seasons", "episode_files", "episodes", "movies", "quality_profiles",
	"sync_state", "download_queue", "search_registry", "request_queue",
	"request_queue_items", "ui_counts", "ui_count_deltas", "library_counts", NULL
};

static int
pg_fail(PGconn *db, const PGresult *r, const char *what, struct err *e)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(db);
	char msg[400];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", m != NULL && m[0] != '\0' ? m : PQerrorMessage(db));
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return err_set(e, ERR_DB, "%s: %s", what, msg);
}

/* "schema"."name" (schema NULL: just the name), malloc'd. */
static char *
ident(PGconn *db, const char *schema, const char *name)
{
	char *a = NULL, *b = PQescapeIdentifier(db, name, strlen(name)), *out = NULL;

	if (b == NULL)
		return NULL;
	if (schema != NULL) {
		a = PQescapeIdentifier(db, schema, strlen(schema));
		if (a == NULL || asprintf(&out, "%s.%s", a, b) < 0)
			out = NULL;
	} else {
		out = strdup(b);
	}
	PQfreemem(a);
	PQfreemem(b);
	return out;
}

/* "(c1, c2, ...)" quoted, malloc'd. */
static char *
col_list(PGconn *db, char *const *cols, size_t n)
{
	struct buf b = BUF_INIT;

	buf_putc(&b, '(');
	for (size_t i = 0; i < n; i++) {
		char *q = PQescapeIdentifier(db, cols[i], strlen(cols[i]));

		if (q == NULL || buf_appendf(&b, "%s%s", i ? ", " : "", q) < 0) {
			PQfreemem(q);
			buf_release(&b);
			return NULL;
		}
		PQfreemem(q);
	}
	if (buf_putc(&b, ')') < 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

void
db_snapshot_release(struct db_snapshot *s)
{
	for (size_t i = 0; i < s->ntables; i++) {
		for (size_t j = 0; j < s->tables[i].ncols; j++)
			free(s->tables[i].cols[j]);
		free(s->tables[i].cols);
	}
	free(s->tables);
	free(s->seqs);
	free(s->migrations);
	memset(s, 0, sizeof(*s));
}

static int
excluded(const char *name, const char *const *exclude)
{
	if (strcmp(name, "schema_migrations") == 0)
		return 1;
	for (size_t i = 0; exclude != NULL && exclude[i] != NULL; i++)
		if (strcmp(name, exclude[i]) == 0)
			return 1;
	return 0;
}

/*
 * Load order: Kahn's algorithm over the foreign keys, taking the oldest
 * ready table (lowest oid) each time.  Creation order keeps a table after
 * the ones its checking triggers read, which foreign keys do not show.
 */
static int
load_tables(PGconn *db, const char *const *exclude, struct db_snapshot *s, struct err *e)
{
	PGresult *t = NULL, *fk = NULL, *c = NULL;
	size_t n;
	int *done = NULL, ret = -1;

	if (db_query(db, "SELECT c.oid::bigint, c.relname FROM pg_class c "
			 "WHERE c.relnamespace = current_schema()::regnamespace "
			 "AND c.relkind = 'r' AND NOT c.relispartition ORDER BY c.oid",
		     0, NULL, &t, e) < 0 ||
	    db_query(db, "SELECT conrelid::bigint, confrelid::bigint FROM pg_constraint "
			 "WHERE contype = 'f' AND conrelid <> confrelid "
			 "AND connamespace = current_schema()::regnamespace", 0, NULL, &fk, e) < 0)
		goto out;
	n = (size_t)PQntuples(t);
	s->tables = calloc(n ? n : 1, sizeof(*s->tables));
	done = calloc(n ? n : 1, sizeof(*done));
	if (s->tables == NULL || done == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (excluded(PQgetvalue(t, (int)i, 1), exclude))
			done[i] = 1;
	for (;;) {
		size_t pick = n;

		for (size_t i = 0; i < n && pick == n; i++) {
			const char *oid = PQgetvalue(t, (int)i, 0);
			int ready = !done[i];

			for (int k = 0; ready && k < PQntuples(fk); k++) {
				if (strcmp(PQgetvalue(fk, k, 0), oid) != 0)
					continue;
				for (size_t j = 0; j < n; j++)
					if (!done[j] && strcmp(PQgetvalue(t, (int)j, 0),
								 PQgetvalue(fk, k, 1)) == 0)
						ready = 0;
			}
			if (ready)
				pick = i;
		}
		if (pick == n)
			break;
		done[pick] = 1;
		snprintf(s->tables[s->ntables].name, DB_NAME_MAX, "%s", PQgetvalue(t, (int)pick, 1));
		s->ntables++;
	}
	for (size_t i = 0; i < n; i++) {
		if (!done[i]) {
			err_set(e, ERR_DB, "the foreign keys of table '%s' form a cycle: no load "
				"order exists", PQgetvalue(t, (int)i, 1));
			goto out;
		}
	}
	for (size_t i = 0; i < s->ntables; i++) {
		struct db_table_info *ti = &s->tables[i];
		const char *p[1] = { ti->name };

		PQclear(c);
		c = NULL;
		if (db_query(db, "SELECT a.attname FROM pg_attribute a "
				 "WHERE a.attrelid = (quote_ident(current_schema()) || '.' || "
				 "quote_ident($1))::regclass "
				 "AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' "
				 "ORDER BY a.attnum", 1, p, &c, e) < 0)
			goto out;
		ti->ncols = (size_t)PQntuples(c);
		ti->cols = calloc(ti->ncols ? ti->ncols : 1, sizeof(char *));
		if (ti->cols == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		for (size_t j = 0; j < ti->ncols; j++) {
			ti->cols[j] = strdup(PQgetvalue(c, (int)j, 0));
			if (ti->cols[j] == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
	}
	ret = 0;
out:
	free(done);
	PQclear(t);
	PQclear(fk);
	PQclear(c);
	return ret;
}

static int
load_sequences(PGconn *db, struct db_snapshot *s, struct err *e)
{
	PGresult *r = NULL, *v = NULL;
	int ret = -1;

	if (db_query(db, "SELECT relname FROM pg_class WHERE relkind = 'S' "
			 "AND relnamespace = current_schema()::regnamespace ORDER BY relname",
		     0, NULL, &r, e) < 0)
		goto out;
	s->seqs = calloc((size_t)PQntuples(r) + 1, sizeof(*s->seqs));
	if (s->seqs == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		char *q = ident(db, NULL, PQgetvalue(r, i, 0)), *sql = NULL;

		if (q == NULL || asprintf(&sql, "SELECT last_value, is_called FROM %s", q) < 0) {
			free(q);
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		free(q);
		PQclear(v);
		v = NULL;
		if (db_query(db, sql, 0, NULL, &v, e) < 0) {
			free(sql);
			goto out;
		}
		free(sql);
		snprintf(s->seqs[i].name, DB_NAME_MAX, "%s", PQgetvalue(r, i, 0));
		s->seqs[i].last_value = db_int64(v, 0, 0, 1);
		s->seqs[i].is_called = db_bool(v, 0, 1);
		s->nseqs++;
	}
	ret = 0;
out:
	PQclear(r);
	PQclear(v);
	return ret;
}

int
db_schema_key_ids(PGconn *db, const char *schema, char ids[DB_KEY_IDS_MAX][17], size_t *n, struct err *e)
{
	const char *p[1] = { schema };
	PGresult *cols = NULL, *r = NULL;
	int ret = -1;

	*n = 0;
	if (db_query(db, "SELECT c.relname, a.attname FROM pg_attribute a "
			 "JOIN pg_class c ON c.oid = a.attrelid "
			 "WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' "
			 "AND a.atttypid = 'bytea'::regtype AND a.attname LIKE '%\\_enc' "
			 "AND NOT a.attisdropped ORDER BY 1, 2", 1, p, &cols, e) < 0)
		goto out;
	for (int i = 0; i < PQntuples(cols); i++) {
		char *t = ident(db, schema, PQgetvalue(cols, i, 0));
		char *c = ident(db, NULL, PQgetvalue(cols, i, 1)), *sql = NULL;
		int rc;

		rc = t && c ? asprintf(&sql, "SELECT DISTINCT encode(substring(%s from 2 for 8), "
				       "'hex') FROM %s WHERE length(%s) > 8", c, t, c) : -1;
		free(t);
		free(c);
		if (rc < 0) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		PQclear(r);
		r = NULL;
		rc = db_query(db, sql, 0, NULL, &r, e);
		free(sql);
		if (rc < 0)
			goto out;
		for (int k = 0; k < PQntuples(r); k++) {
			size_t j;

			for (j = 0; j < *n; j++)
				if (strcmp(ids[j], PQgetvalue(r, k, 0)) == 0)
					break;
			if (j == *n && *n < DB_KEY_IDS_MAX)
				snprintf(ids[(*n)++], 17, "%s", PQgetvalue(r, k, 0));
		}
	}
	ret = 0;
out:
	PQclear(cols);
	PQclear(r);
	return ret;
}

int
db_backup_begin(PGconn *db, const char *const *exclude, struct db_snapshot *s, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", e) < 0)
		return -1;
	if (db_query(db, "SELECT version, name, checksum FROM schema_migrations ORDER BY version",
		     0, NULL, &r, e) < 0)
		goto out;
	s->migrations = calloc((size_t)PQntuples(r) + 1, sizeof(*s->migrations));
	if (s->migrations == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		struct db_migration_info *m = &s->migrations[s->nmigrations++];

		m->version = (int)db_int64(r, i, 0, 0);
		snprintf(m->name, sizeof(m->name), "%s", PQgetvalue(r, i, 1));
		snprintf(m->checksum, sizeof(m->checksum), "%s", PQgetvalue(r, i, 2));
		if (m->version > s->schema_version)
			s->schema_version = m->version;
	}
	PQclear(r);
	r = NULL;
	if (db_query(db, "SELECT current_schema()", 0, NULL, &r, e) < 0)
		goto out;
	if (load_tables(db, exclude, s, e) < 0 || load_sequences(db, s, e) < 0 ||
	    db_schema_key_ids(db, PQgetvalue(r, 0, 0), s->key_ids, &s->nkey_ids, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0) {
		db_rollback(db);
		db_snapshot_release(s);
	}
	return ret;
}

int
db_backup_copy(PGconn *db, const struct db_table_info *t, db_row_fn fn, void *arg,
	       int64_t *rows, struct err *e)
{
	char *name = ident(db, NULL, t->name), *cols = col_list(db, t->cols, t->ncols);
	char *sql = NULL, *row = NULL;
	PGresult *r = NULL;
	int ret = -1, n, stopped = 0;

	*rows = 0;
	if (name == NULL || cols == NULL ||
	    asprintf(&sql, "COPY %s %s TO STDOUT", name, cols) < 0) {
		sql = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	r = PQexec(db, sql);
	if (r == NULL || PQresultStatus(r) != PGRES_COPY_OUT) {
		pg_fail(db, r, "cannot copy a table", e);
		goto out;
	}
	PQclear(r);
	r = NULL;
	while ((n = PQgetCopyData(db, &row, 0)) > 0) {
		if (!stopped && fn(arg, row, (size_t)n, e) < 0)
			stopped = 1;	/* drain the rest: the connection stays usable */
		else if (!stopped)
			(*rows)++;
		PQfreemem(row);
		row = NULL;
	}
	if (n == -2) {
		pg_fail(db, NULL, "copying a table failed", e);
		goto out;
	}
	while ((r = PQgetResult(db)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !stopped) {
			pg_fail(db, r, "copying a table failed", e);
			stopped = 1;
		}
		PQclear(r);
	}
	if (stopped)
		goto out;
	ret = 0;
out:
	PQclear(r);
	free(name);
	free(cols);
	free(sql);
	return ret;
}

void
db_backup_end(PGconn *db)
{
	db_rollback(db);
}

/* ------------------------------------------------------------ restore */

int
db_restore_begin(PGconn *db, char target[DB_NAME_MAX], struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	if (db_begin(db, e) < 0)
		return -1;
	if (db_exec(db, "SET LOCAL lock_timeout = " RESTORE_LOCK_TIMEOUT, e) < 0 ||
	    db_exec(db, "SET LOCAL client_min_messages = warning", e) < 0 ||
	    db_query(db, "SELECT current_schema()", 0, NULL, &r, e) < 0)
		goto out;
	if (db_str(r, 0, 0) == NULL) {
		err_set(e, ERR_DB, "the database has no schema to restore into (the search_path "
			"names none that exists): create one, or fix the search_path");
		goto out;
	}
	if (strcmp(PQgetvalue(r, 0, 0), SCRATCH) == 0) {
		err_set(e, ERR_DB, "the search_path starts with '" SCRATCH "', the schema a "
			"restore uses for itself");
		goto out;
	}
	snprintf(target, DB_NAME_MAX, "%s", PQgetvalue(r, 0, 0));
	if (db_exec(db, "DROP SCHEMA IF EXISTS " SCRATCH " CASCADE", e) < 0 ||
	    db_exec(db, "CREATE SCHEMA " SCRATCH, e) < 0 ||
	    db_exec(db, "SET LOCAL search_path = " SCRATCH, e) < 0 ||
	    db_exec(db, "CREATE TABLE schema_migrations (version integer PRIMARY KEY, "
			"name text NOT NULL, checksum text NOT NULL, "
			"applied_at timestamptz NOT NULL DEFAULT now())", e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int
db_restore_migrate(PGconn *db, int from, int to, int *applied, struct err *e)
{
	*applied = 0;
	for (size_t i = 0; i < db_migrations_count; i++) {
		const struct migration *m = &db_migrations[i];
		char v[16], sum[65];
		const char *p[3] = { v, m->name, sum };

		if (m->version <= from || m->version > to)
			continue;
		snprintf(v, sizeof(v), "%d", m->version);
		db_migration_checksum(m, sum);
		if (db_exec(db, m->sql, e) < 0)
			return err_prefix(e, "migration '%s.sql' failed", m->name);
		if (db_query(db, "INSERT INTO " SCRATCH ".schema_migrations (version, name, checksum) "
				 "VALUES ($1, $2, $3)", 3, p, NULL, e) < 0)
			return -1;
		(*applied)++;
	}
	return 0;
}

int
db_restore_clear(PGconn *db, const char *const *tables, size_t n, struct err *e)
{
	struct buf b = BUF_INIT;
	int ret = -1;

	if (n == 0)
		return 0;
	buf_append_str(&b, "TRUNCATE ");
	for (size_t i = 0; i < n; i++) {
		char *t = ident(db, SCRATCH, tables[i]);

		if (t == NULL || buf_appendf(&b, "%s%s", i ? ", " : "", t) < 0) {
			free(t);
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		free(t);
	}
	/* CASCADE: a table left out (--no-mirror) may reference one of these;
	 * in the scratch schema it is empty anyway */
	if (buf_append_str(&b, " CASCADE") < 0 || db_exec(db, b.data, e) < 0)
		goto out;
	ret = 0;
out:
	buf_release(&b);
	return ret;
}

void
db_deferred_release(struct db_deferred *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->sql[i]);
	free(d->sql);
	memset(d, 0, sizeof(*d));
}

/* Run each drop of r's column 0, keeping column 1 (its rebuild) in d. */
static int
defer_rows(PGconn *db, PGresult *r, struct db_deferred *d, struct err *e)
{
	char **p = realloc(d->sql, (d->n + (size_t)PQntuples(r) + 1) * sizeof(char *));

	if (p == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	d->sql = p;
	for (int i = 0; i < PQntuples(r); i++) {
		d->sql[d->n] = strdup(PQgetvalue(r, i, 1));
		if (d->sql[d->n] == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		d->n++;
		if (db_exec(db, PQgetvalue(r, i, 0), e) < 0)
			return -1;
	}
	return 0;
}

int
db_restore_defer_constraints(PGconn *db, struct db_deferred *d, struct err *e)
{
	/* drop order: foreign keys, then the keys they name, then the other
	 * indexes; rebuilt in the reverse kind order (see the ORDER BYs) */
	static const char *const q[3] = {
		"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), "
		"format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, "
		"pg_get_constraintdef(oid)) FROM pg_constraint "
		"WHERE connamespace = '" SCRATCH "'::regnamespace AND contype = 'f' ORDER BY oid",
		"SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, conname), "
		"format('ALTER TABLE %s ADD CONSTRAINT %I %s', conrelid::regclass, conname, "
		"pg_get_constraintdef(oid)) FROM pg_constraint "
		"WHERE connamespace = '" SCRATCH "'::regnamespace AND contype IN ('p', 'u') "
		"ORDER BY oid",
		"SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid) "
		"FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
		"WHERE c.relnamespace = '" SCRATCH "'::regnamespace "
		"AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
		"ORDER BY i.indexrelid"
	};
	struct db_deferred kinds[3];
	PGresult *r = NULL;
	int ret = -1;

	memset(d, 0, sizeof(*d));
	memset(kinds, 0, sizeof(kinds));
	for (int k = 0; k < 3; k++) {
		if (db_query(db, q[k], 0, NULL, &r, e) < 0 || defer_rows(db, r, &kinds[k], e) < 0)
			goto out;
		PQclear(r);
		r = NULL;
	}
	/* rebuild: indexes, then keys, then the foreign keys on them */
	for (int k = 2; k >= 0; k--) {
		char **p = realloc(d->sql, (d->n + kinds[k].n + 1) * sizeof(char *));

		if (p == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		d->sql = p;
		for (size_t i = 0; i < kinds[k].n; i++) {
			d->sql[d->n++] = kinds[k].sql[i];
			kinds[k].sql[i] = NULL;
		}
	}
	ret = 0;
out:
	PQclear(r);
	for (int k = 0; k < 3; k++)
		db_deferred_release(&kinds[k]);
	return ret;
}

int
db_restore_build_constraints(PGconn *db, struct db_deferred *d, struct err *e)
{
	for (size_t i = 0; i < d->n; i++)
		if (db_exec(db, d->sql[i], e) < 0)
			return err_prefix(e, "rebuilding the restored schema's keys and indexes");
	/* the planner's statistics for what was just loaded (only that) */
	{
		PGresult *r = NULL;
		char *sql = NULL;
		int rc;

		if (db_query(db, "SELECT string_agg(format('%I.%I', nspname, relname), ', ') "
				 "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
				 "WHERE nspname = '" SCRATCH "' AND relkind = 'r'", 0, NULL, &r, e) < 0)
			return -1;
		if (db_str(r, 0, 0) == NULL) {
			PQclear(r);
			return 0;
		}
		rc = asprintf(&sql, "ANALYZE %s", PQgetvalue(r, 0, 0));
		PQclear(r);
		if (rc < 0)
			return err_set(e, ERR_NOMEM, "out of memory");
		rc = db_exec(db, sql, e);
		free(sql);
		return rc;
	}
}

int
db_restore_copy_begin(PGconn *db, const char *table, char *const *cols, size_t ncols,
		      struct err *e)
{
	char *name = ident(db, SCRATCH, table), *cl = col_list(db, cols, ncols), *sql = NULL;
	PGresult *r = NULL;
	int ret = -1;

	if (name == NULL || cl == NULL || asprintf(&sql, "COPY %s %s FROM STDIN", name, cl) < 0) {
		sql = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	r = PQexec(db, sql);
	if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN) {
		pg_fail(db, r, "cannot restore a table", e);
		err_prefix(e, "table '%s'", table);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	free(name);
	free(cl);
	free(sql);
	return ret;
}

int
db_restore_copy_put(PGconn *db, const char *data, size_t len, struct err *e)
{
	while (len > 0) {
		int n = len > (1u << 20) ? 1 << 20 : (int)len;

		if (PQputCopyData(db, data, n) != 1)
			return pg_fail(db, NULL, "sending rows failed", e);
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int
db_restore_copy_end(PGconn *db, int failed, int64_t *rows, struct err *e)
{
	PGresult *r;
	int ret = failed ? -1 : 0;

	*rows = 0;
	if (PQputCopyEnd(db, failed ? "the backup could not be read" : NULL) != 1 && !failed)
		ret = pg_fail(db, NULL, "ending a table's rows failed", e);
	while ((r = PQgetResult(db)) != NULL) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			*rows = strtoll(PQcmdTuples(r), NULL, 10);
		else if (ret == 0)
			ret = pg_fail(db, r, "restoring a table failed", e);
		PQclear(r);
	}
	return ret;
}

int
db_restore_setval(PGconn *db, const char *seq, int64_t value, int is_called, struct err *e)
{
	char *name = ident(db, SCRATCH, seq), v[24];
	const char *p[3] = { name, v, is_called ? "true" : "false" };
	int ret;

	if (name == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	db_fmt_int64(v, sizeof(v), value);
	ret = db_query(db, "SELECT setval($1::regclass, $2::bigint, $3::boolean)", 3, p, NULL, e);
	free(name);
	return ret < 0 ? err_prefix(e, "sequence '%s'", seq) : 0;
}

int
db_restore_key_ids(PGconn *db, char ids[DB_KEY_IDS_MAX][17], size_t *n, struct err *e)
{
	return db_schema_key_ids(db, SCRATCH, ids, n, e);
}

int
db_restore_swap(PGconn *db, const char *target, struct err *e)
{
	char *t = ident(db, NULL, target), *sql = NULL;
	const char *p[1] = { target };
	PGresult *acl = NULL;
	int ret = -1;

	/* The live schema's owner and grants (in PostgreSQL 15 'public' belongs
	 * to pg_database_owner and every role may use it), to give the renamed
	 * scratch schema, which the restoring role created, the same. */
	if (db_query(db, "SELECT format('ALTER SCHEMA %I OWNER TO %s', nspname, nspowner::regrole) "
			 "FROM pg_namespace WHERE nspname = $1 UNION ALL "
			 "SELECT format('GRANT %s ON SCHEMA %I TO %s', a.privilege_type, n.nspname, "
			 "CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END) "
			 "FROM pg_namespace n, aclexplode(n.nspacl) a "
			 "WHERE n.nspname = $1 AND a.grantee <> n.nspowner", 1, p, &acl, e) < 0)
		goto out;
	if (t == NULL || asprintf(&sql, "DROP SCHEMA %s CASCADE", t) < 0) {
		sql = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_exec(db, sql, e) < 0) {
		if (strstr(e->msg, "lock timeout") != NULL)
			err_set(e, ERR_CONFLICT, "another session kept using the database for a "
				"minute: stop the timers and the web server (systemctl stop "
				"'comradarr-*'), then restore again");
		goto out;
	}
	free(sql);
	if (asprintf(&sql, "ALTER SCHEMA " SCRATCH " RENAME TO %s", t) < 0) {
		sql = NULL;
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (db_exec(db, sql, e) < 0)
		goto out;
	/* each in a savepoint: a role that may not give the schema away still
	 * restores, into a schema it owns (as 'comradarr migrate' would make) */
	for (int i = 0; i < PQntuples(acl); i++) {
		struct err ignored = ERR_INIT;

		if (db_exec(db, "SAVEPOINT restore_acl", e) < 0)
			goto out;
		if (db_exec(db, PQgetvalue(acl, i, 0), &ignored) < 0) {
			if (db_exec(db, "ROLLBACK TO SAVEPOINT restore_acl", e) < 0)
				goto out;
		} else if (db_exec(db, "RELEASE SAVEPOINT restore_acl", e) < 0) {
			goto out;
		}
	}
	if (db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	PQclear(acl);
	free(t);
	free(sql);
	return ret;
}

void
db_restore_abort(PGconn *db)
{
	PGresult *r;

	/* a COPY left open must be ended before anything else is sent */
	if (PQtransactionStatus(db) == PQTRANS_ACTIVE) {
		PQputCopyEnd(db, "restore aborted");
		while ((r = PQgetResult(db)) != NULL)
			PQclear(r);
	}
	db_rollback(db);
}

int
db_schema_version_latest(void)
{
	int v = 0;

	for (size_t i = 0; i < db_migrations_count; i++)
		if (db_migrations[i].version > v)
			v = db_migrations[i].version;
	return v;
}
