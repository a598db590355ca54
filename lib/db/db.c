#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "db/db.h"
#include "db/embedded.h"
#include "core/banned.h"

/* "Comr" in ASCII: the high half of every advisory lock key we take, so our
 * locks never meet another application's in a shared database. */
#define DB_LOCK_NAMESPACE 0x436f6d72LL

char *
db_conninfo(const struct config *cfg)
{
	if (cfg->database_url != NULL)
		return strdup(cfg->database_url);
	return db_embedded_conninfo(cfg);
}

/* PostgreSQL's messages end in a newline and may span lines: one line. */
static void
set_pg_err(struct err *e, const char *what, const char *pgmsg)
{
	char msg[400];
	size_t n;

	snprintf(msg, sizeof(msg), "%s", pgmsg != NULL ? pgmsg : "unknown error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	for (char *p = msg; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	}
	err_set(e, ERR_DB, "%s: %s", what, msg);
}

/* libpq's parse error with every quoted fragment (of the URL) cut out, in a
 * static buffer: "invalid port number: \"...\"" says which part is wrong. */
static const char *
unquoted(const char *msg)
{
	static __thread char out[200];
	size_t n = 0;
	int in = 0;

	for (const char *p = msg; *p != '\0' && n < sizeof(out) - 8; p++) {
		if (*p == '"') {
			if (!in) {
				memcpy(out + n, "\"...\"", 5);
				n += 5;
			}
			in = !in;
			continue;
		}
		if (!in && *p != '\n')
			out[n++] = *p;
	}
	out[n] = '\0';
	return out;
}

int
db_connect(const struct config *cfg, const char *appname, PGconn **out, struct err *e)
{
	const char *keys[] = { "dbname", "fallback_application_name", "connect_timeout", NULL };
	const char *vals[] = { NULL, appname, "10", NULL };
	char *conninfo = NULL;
	PGconn *c = NULL;
	int ret = -1;

	*out = NULL;
	conninfo = db_conninfo(cfg);
	if (conninfo == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	vals[0] = conninfo;
	/*
	 * A malformed DATABASE_URL: libpq's message quotes the part it could not
	 * read, which may be the password.  Say what is wrong without any of it;
	 * a well-formed one's password is registered with the logger so no
	 * message can show it.
	 */
	{
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);

		if (opts == NULL) {
			err_set(e, ERR_CONFIG, "%s is not a valid PostgreSQL connection URL or "
				"key=value string (%s); see comradarr(5)",
				cfg->database_url != NULL ? "DATABASE_URL" : "the embedded connection",
				perr != NULL ? unquoted(perr) : "out of memory");
			PQfreemem(perr);
			goto out;
		}
		for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
			if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
				log_secret_add(o->val);
		PQconninfoFree(opts);
	}
	c = PQconnectdbParams(keys, vals, 1);
	if (c == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		if (cfg->database_url != NULL) {
			set_pg_err(e, "cannot connect to the database given by DATABASE_URL",
				   PQerrorMessage(c));
		} else {
			set_pg_err(e, "cannot connect to the embedded database", PQerrorMessage(c));
			err_prefix(e, "no DATABASE_URL is set and the embedded cluster under '%s' is not "
				   "running (start it with 'comradarr db start', or create it first with "
				   "'comradarr db init')", cfg->home);
		}
		goto out;
	}
	/* All timestamps we write are timestamptz; make text output unambiguous. */
	if (db_exec(c, "SET TIME ZONE 'UTC'", e) < 0)
		goto out;
	*out = c;
	c = NULL;
	ret = 0;
out:
	if (c != NULL)
		PQfinish(c);
	free(conninfo);
	return ret;
}

int
db_exec(PGconn *c, const char *sql, struct err *e)
{
	PGresult *r = PQexec(c, sql);
	int ret = -1;

	if (r == NULL || (PQresultStatus(r) != PGRES_COMMAND_OK &&
			  PQresultStatus(r) != PGRES_TUPLES_OK)) {
		set_pg_err(e, "database error", PQerrorMessage(c));
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_query_bin(PGconn *c, const char *sql, int nparams, const char *const *values,
	     const int *lengths, const int *formats, PGresult **res, struct err *e)
{
	PGresult *r;
	ExecStatusType st;

	if (res != NULL)
		*res = NULL;
	r = PQexecParams(c, sql, nparams, NULL, values, lengths, formats, 0);
	st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

		set_pg_err(e, "database error", PQerrorMessage(c));
		/* 23505 unique_violation: callers turn it into "already exists" */
		if (state != NULL && strcmp(state, "23505") == 0)
			e->kind = ERR_CONFLICT;
		PQclear(r);
		return -1;
	}
	if (res != NULL)
		*res = r;
	else
		PQclear(r);
	return 0;
}

int
db_query(PGconn *c, const char *sql, int nparams, const char *const *params,
	 PGresult **res, struct err *e)
{
	return db_query_bin(c, sql, nparams, params, NULL, NULL, res, e);
}

int
db_copy_in(PGconn *c, const char *copy_sql, const char *data, size_t len, struct err *e)
{
	PGresult *r = PQexec(c, copy_sql);
	int ret = 0, reported = 0;

	if (r == NULL || PQresultStatus(r) != PGRES_COPY_IN) {
		set_pg_err(e, "database error", PQerrorMessage(c));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	/* Whole rows in pieces under libpq's int length; the server does not
	 * care where a piece ends. */
	while (len > 0 && ret == 0) {
		int n = len > (1u << 20) ? 1 << 20 : (int)len;

		if (PQputCopyData(c, data, n) != 1)
			ret = -1;
		data += n;
		len -= (size_t)n;
	}
	if (PQputCopyEnd(c, ret == 0 ? NULL : "the client failed sending rows") != 1)
		ret = -1;
	/* Always drain: the connection is unusable until the COPY's results are read. */
	while ((r = PQgetResult(c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && !reported) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

			set_pg_err(e, "database error", PQresultErrorMessage(r));
			if (state != NULL && strcmp(state, "23505") == 0)
				e->kind = ERR_CONFLICT;
			reported = 1;
			ret = -1;
		}
		PQclear(r);
	}
	if (ret < 0 && !reported)
		set_pg_err(e, "database error", PQerrorMessage(c));
	return ret;
}

int
db_begin(PGconn *c, struct err *e)
{
	return db_exec(c, "BEGIN", e);
}

int
db_commit(PGconn *c, struct err *e)
{
	return db_exec(c, "COMMIT", e);
}

void
db_rollback(PGconn *c)
{
	if (PQtransactionStatus(c) != PQTRANS_IDLE) {
		PGresult *r = PQexec(c, "ROLLBACK");

		PQclear(r);
	}
}

static int
lock_call(PGconn *c, const char *fn, enum db_lock_class cls, int id, int *got, struct err *e)
{
	char sql[128], key[32];
	const char *params[1];
	PGresult *r = NULL;
	int ret = -1;

	snprintf(key, sizeof(key), "%" PRId64,
		 (int64_t)((DB_LOCK_NAMESPACE << 32) | ((int64_t)(cls & 0xff) << 24) | (id & 0xffffff)));
	params[0] = key;
	snprintf(sql, sizeof(sql), "SELECT %s($1::bigint)", fn);
	if (db_query(c, sql, 1, params, &r, e) < 0)
		goto out;
	if (got != NULL)
		*got = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_lock(PGconn *c, enum db_lock_class cls, int id, struct err *e)
{
	return lock_call(c, "pg_advisory_lock", cls, id, NULL, e);
}

int
db_try_lock(PGconn *c, enum db_lock_class cls, int id, struct err *e)
{
	int got = 0;

	if (lock_call(c, "pg_try_advisory_lock", cls, id, &got, e) < 0)
		return -1;
	return got;
}

int
db_unlock(PGconn *c, enum db_lock_class cls, int id, struct err *e)
{
	return lock_call(c, "pg_advisory_unlock", cls, id, NULL, e);
}

const char *
db_str(const PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}

int64_t
db_int64(const PGresult *r, int row, int col, int64_t dflt)
{
	const char *s;
	char *end;
	long long v;

	if (PQgetisnull(r, row, col))
		return dflt;
	s = PQgetvalue(r, row, col);
	v = strtoll(s, &end, 10);
	if (end == s)
		return dflt;
	return (int64_t)v;
}

int
db_bool(const PGresult *r, int row, int col)
{
	return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

int
db_bytea(const PGresult *r, int row, int col, unsigned char **out, size_t *len, struct err *e)
{
	unsigned char *u, *copy;
	size_t n;

	*out = NULL;
	*len = 0;
	if (PQgetisnull(r, row, col))
		return err_set(e, ERR_DB, "unexpected NULL value");
	if (PQfformat(r, col) == 1) {
		n = (size_t)PQgetlength(r, row, col);
		copy = malloc(n ? n : 1);
		if (copy == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		memcpy(copy, PQgetvalue(r, row, col), n);
		*out = copy;
		*len = n;
		return 0;
	}
	u = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &n);
	if (u == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	copy = malloc(n ? n : 1);
	if (copy == NULL) {
		PQfreemem(u);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	memcpy(copy, u, n);
	PQfreemem(u);
	*out = copy;
	*len = n;
	return 0;
}

const char *
db_fmt_int64(char *buf, size_t size, int64_t v)
{
	snprintf(buf, size, "%" PRId64, v);
	return buf;
}

int
db_array_int(struct buf *b, const int *v, size_t n)
{
	if (buf_putc(b, '{') < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (buf_appendf(b, i ? ",%d" : "%d", v[i]) < 0)
			return -1;
	return buf_putc(b, '}');
}

int
db_array_int64(struct buf *b, const int64_t *v, size_t n)
{
	if (buf_putc(b, '{') < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (buf_appendf(b, i ? ",%lld" : "%lld", (long long)v[i]) < 0)
			return -1;
	return buf_putc(b, '}');
}
