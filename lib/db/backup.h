/*
 * backup.h - the database side of comradarr-backup(1): a consistent read of
 * every table, and a restore that replaces the whole schema at once.
 *
 * Reading.  db_backup_begin() opens one REPEATABLE READ, READ ONLY
 * transaction: every table copied after it sees the same snapshot, so a
 * backup taken while sync and dispatch run is one moment of the database
 * (why COPY and not pg_dump: no second binary whose version must match the
 * server's, and the rows stream through this process into the archive,
 * where they are digested as they pass).  Tables come in load order:
 * parents before the tables whose foreign keys name them, then creation
 * order, which also puts a table before those whose triggers check it
 * (0007 replaced some foreign keys with statement triggers).  Generated
 * columns are left out (PostgreSQL computes them again).
 *
 * Restoring.  Everything happens in one transaction, so a restore that
 * fails (or is killed) leaves the database exactly as it was:
 *
 *   1. db_restore_begin: a scratch schema, first on the search_path;
 *   2. db_restore_migrate up to the backup's schema version: the same
 *      tables, functions and triggers the backup was taken from;
 *   3. db_restore_clear, db_restore_defer_constraints, then
 *      db_restore_copy_*: every table's rows (statement triggers check
 *      them), then db_restore_build_constraints: keys, indexes, ANALYZE;
 *   4. db_restore_setval for every sequence, then db_restore_migrate to
 *      this build's version (Req 33.4: an older backup is migrated);
 *   5. db_restore_swap: drop the live schema, rename the scratch one in its
 *      place, commit.  Other sessions wait on the tables' locks for the
 *      instant of the swap (lock_timeout bounds how long we wait for them).
 *
 * The caller holds DB_LOCK_BACKUP and DB_LOCK_MIGRATE around all of it.
 */
#ifndef COMRADARR_DB_BACKUP_H
#define COMRADARR_DB_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

#define DB_NAME_MAX 64		/* PostgreSQL identifiers: 63 bytes */
#define DB_KEY_IDS_MAX 8

struct db_table_info {
	char name[DB_NAME_MAX];
	char **cols;		/* non-generated columns, in attribute order */
	size_t ncols;
};

struct db_sequence_info {
	char name[DB_NAME_MAX];
	int64_t last_value;
	int is_called;
};

struct db_migration_info {
	int version;
	char name[DB_NAME_MAX];
	char checksum[65];
};

struct db_snapshot {
	struct db_table_info *tables;	/* load order */
	size_t ntables;
	struct db_sequence_info *seqs;
	size_t nseqs;
	struct db_migration_info *migrations;
	size_t nmigrations;
	int schema_version;		/* the highest applied migration */
	/* the key ids (16 hex) that stored secrets are sealed with */
	char key_ids[DB_KEY_IDS_MAX][17];
	size_t nkey_ids;
};

void db_snapshot_release(struct db_snapshot *s);

/*
 * Open the snapshot and describe it.  exclude (NULL-terminated, may be
 * NULL) names tables left out (schema_migrations always is: the manifest
 * carries the schema version).  On success the transaction stays open
 * for db_backup_copy(); db_backup_end() closes it.
 */
int db_backup_begin(PGconn *db, const char *const *exclude, struct db_snapshot *s,
		    struct err *e);

/*
 * COPY one table out (text format), calling fn for each row (a whole line,
 * with its newline; valid during the call).  fn returns 0, or -1 to stop
 * (having filled e).  *rows counts them.
 */
typedef int (*db_row_fn)(void *arg, const char *row, size_t len, struct err *e);
int db_backup_copy(PGconn *db, const struct db_table_info *t, db_row_fn fn, void *arg,
		   int64_t *rows, struct err *e);

void db_backup_end(PGconn *db);

/* Step 1.  target[] receives the live schema's name (current_schema()). */
int db_restore_begin(PGconn *db, char target[DB_NAME_MAX], struct err *e);

/* Apply the embedded migrations with from < version <= to, in the scratch
 * schema, recording them in its schema_migrations. */
int db_restore_migrate(PGconn *db, int from, int to, int *applied, struct err *e);

/* Empty the scratch schema's copies of these tables: the rows some
 * migrations seed (settings, preset profiles) are in the backup too. */
int db_restore_clear(PGconn *db, const char *const *tables, size_t n, struct err *e);

/*
 * As pg_restore does: before the rows, drop the scratch schema's foreign
 * keys, primary and unique constraints and indexes (keeping their
 * definitions in *d); after them, build each once (one sort per index, one
 * join per foreign key) instead of updating them row by row.  Same names,
 * same definitions: what the migrations made.
 */
struct db_deferred {
	char **sql;		/* statements that build them again, in order */
	size_t n;
};
int db_restore_defer_constraints(PGconn *db, struct db_deferred *d, struct err *e);
int db_restore_build_constraints(PGconn *db, struct db_deferred *d, struct err *e);
void db_deferred_release(struct db_deferred *d);

/* Step 3: COPY into the scratch schema's table; cols as in the backup. */
int db_restore_copy_begin(PGconn *db, const char *table, char *const *cols, size_t ncols,
			  struct err *e);
int db_restore_copy_put(PGconn *db, const char *data, size_t len, struct err *e);
/* End the COPY; *rows is what the server loaded.  failed: abort it. */
int db_restore_copy_end(PGconn *db, int failed, int64_t *rows, struct err *e);

int db_restore_setval(PGconn *db, const char *seq, int64_t value, int is_called, struct err *e);

/* The key ids the scratch schema's sealed values carry (as in db_snapshot). */
int db_restore_key_ids(PGconn *db, char ids[DB_KEY_IDS_MAX][17], size_t *n, struct err *e);

/* Step 5: swap and commit. */
int db_restore_swap(PGconn *db, const char *target, struct err *e);

/* Roll back whatever step failed; the live schema is untouched. */
void db_restore_abort(PGconn *db);

/*
 * The content mirror and the search state that points into it: what
 * 'comradarr-backup create --no-mirror' leaves out, since a sync rebuilds
 * the mirror from the *arr apps (sync_state goes too, so that sync is a
 * full one).  NULL-terminated.
 */
extern const char *const db_mirror_tables[];

/* Key ids (16 hex) of every sealed value (bytea columns named *_enc) in
 * schema, at most DB_KEY_IDS_MAX distinct ones. */
int db_schema_key_ids(PGconn *db, const char *schema, char ids[DB_KEY_IDS_MAX][17], size_t *n,
		      struct err *e);

/* The highest migration this build carries. */
int db_schema_version_latest(void);

#endif
