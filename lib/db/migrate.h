/*
 * migrate.h - schema migrations (sql/NNNN_name.sql).
 *
 * The files are compiled into the library (sql/embed.sh), so a binary always
 * carries the schema it was written for.  db_migrate() applies the missing
 * ones in order, each in its own transaction, under a session advisory lock
 * so two concurrent runs (two hosts starting at once) are safe: the second
 * waits, then finds nothing to do.  Each applied migration is recorded in
 * schema_migrations with the SHA-256 of its text; an applied migration whose
 * text has since changed is refused, as is a database that has migrations
 * this binary does not know (it is newer than us).
 */
#ifndef COMRADARR_DB_MIGRATE_H
#define COMRADARR_DB_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/err.h"

struct migration {
	int version;
	const char *name;	/* "0001_core" */
	const char *sql;
	size_t len;
};

/* Generated from sql/; terminated by an entry with name NULL. */
extern const struct migration db_migrations[];
extern const size_t db_migrations_count;

enum migration_state {
	MIGRATION_PENDING,
	MIGRATION_APPLIED,
	MIGRATION_CHANGED,	/* applied, but the file's text differs now */
	MIGRATION_UNKNOWN	/* in the database, not in this binary */
};

typedef void (*migrate_cb)(void *arg, int version, const char *name,
			   enum migration_state state, const char *applied_at);

/*
 * Apply pending migrations.  cb (may be NULL) is told about each one applied
 * (state MIGRATION_APPLIED); *applied counts them.  On failure nothing of the
 * failing migration remains, and e names the file and PostgreSQL's message.
 */
int db_migrate(PGconn *conn, migrate_cb cb, void *arg, int *applied, struct err *e);

/* Report every migration's state through cb, changing nothing. *pending
 * counts the ones not applied.  Fails (after reporting) on CHANGED/UNKNOWN. */
int db_migrate_status(PGconn *conn, migrate_cb cb, void *arg, int *pending, struct err *e);

/* The hex SHA-256 of a migration's text, into out[65]. */
void db_migration_checksum(const struct migration *m, char out[65]);

#endif
