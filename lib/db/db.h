/*
 * db.h - connecting to PostgreSQL and small query helpers.
 *
 * Every connection carries fallback_application_name = the tool's name, so
 * pg_stat_activity shows who is doing what.  With DATABASE_URL unset the
 * tools connect to the embedded cluster over its private unix socket (see
 * embedded.h).  Helpers fill a struct err with PostgreSQL's message, never
 * with the connection string (it may hold a password).
 */
#ifndef COMRADARR_DB_DB_H
#define COMRADARR_DB_DB_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"

/* Connect.  appname: "comradarr-sync".  The caller PQfinish()es *out. */
int db_connect(const struct config *cfg, const char *appname, PGconn **out, struct err *e);

/* The connection string for cfg (DATABASE_URL or the embedded socket);
 * malloc'd. Never log it. */
char *db_conninfo(const struct config *cfg);

/* Run a command (no rows wanted). */
int db_exec(PGconn *c, const char *sql, struct err *e);

/*
 * Run a parameterised statement.  On success *res is set (caller PQclear()s;
 * pass NULL to discard).  Text parameters; NULL entries are SQL NULL.
 */
int db_query(PGconn *c, const char *sql, int nparams, const char *const *params,
	     PGresult **res, struct err *e);

/* As db_query, with binary-capable parameters (for bytea). */
int db_query_bin(PGconn *c, const char *sql, int nparams, const char *const *values,
		 const int *lengths, const int *formats, PGresult **res, struct err *e);

/*
 * COPY len bytes of text-format rows (tab-separated, one per line, escaped
 * as COPY expects) into a table: copy_sql is "COPY table (cols) FROM STDIN".
 * One round trip for any number of rows; errors as db_query().
 */
int db_copy_in(PGconn *c, const char *copy_sql, const char *data, size_t len, struct err *e);

int db_begin(PGconn *c, struct err *e);
int db_commit(PGconn *c, struct err *e);
/* Roll back if a transaction is open; never fails the caller. */
void db_rollback(PGconn *c);

/*
 * Session-level advisory locks, keyed by (class, id): class is one of
 * DB_LOCK_* so different users of the lock space never collide.
 * db_try_lock returns 1 taken, 0 held by someone else, -1 error.
 */
enum db_lock_class {
	DB_LOCK_MIGRATE = 1,
	DB_LOCK_SYNC = 2,	/* id = connector id */
	DB_LOCK_DISCOVER = 3,
	DB_LOCK_ENQUEUE = 4,
	DB_LOCK_MAINT = 5,
	DB_LOCK_BACKUP = 6,
	DB_LOCK_SCHEDULE = 7	/* id = connector id: a sweep in progress */
};
int db_lock(PGconn *c, enum db_lock_class cls, int id, struct err *e);
int db_try_lock(PGconn *c, enum db_lock_class cls, int id, struct err *e);
int db_unlock(PGconn *c, enum db_lock_class cls, int id, struct err *e);

/* Field helpers: NULL/empty-safe conversions of a result cell. */
const char *db_str(const PGresult *r, int row, int col);	/* NULL when SQL NULL */
int64_t db_int64(const PGresult *r, int row, int col, int64_t dflt);
int db_bool(const PGresult *r, int row, int col);

/* Unescape a bytea cell (text format) into malloc'd bytes; caller frees. */
int db_bytea(const PGresult *r, int row, int col, unsigned char **out, size_t *len, struct err *e);

/*
 * SQL for the time unit lib/ uses, microseconds since the epoch:
 * DB_SQL_TS("$2") turns a bigint parameter into a timestamptz, and
 * DB_SQL_US("col") a timestamptz into a bigint (NULL stays NULL).  The
 * latter goes through float8, not extract()'s numeric: numeric arithmetic
 * on four columns was a quarter of the "top 500 eligible" query.  Exact: a
 * float8 holds every microsecond count up to the year 2255, and round()
 * takes off the division's last-bit error.
 */
#define DB_SQL_TS(n) "('epoch'::timestamptz + (" n ")::bigint * interval '1 microsecond')"
#define DB_SQL_US(x) "round(date_part('epoch', " x ") * 1000000)::bigint"

/*
 * Append a PostgreSQL array literal of v[0..n) ("{1,2,3}") to b, for a
 * text parameter cast to integer[] / bigint[].  0, or -1 when b is full.
 */
int db_array_int(struct buf *b, const int *v, size_t n);
int db_array_int64(struct buf *b, const int64_t *v, size_t n);

/* Format int64 into buf for a text parameter. */
const char *db_fmt_int64(char *buf, size_t size, int64_t v);

#endif
