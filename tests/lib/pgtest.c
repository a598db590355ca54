#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "db/db.h"
#include "db/migrate.h"
#include "pgtest.h"

int
pgtest_available(void)
{
	const char *h = getenv("PGHOST");

	return h != NULL && *h != '\0';
}

static PGconn *
admin_conn(void)
{
	PGconn *c = PQconnectdb("dbname=postgres");

	if (PQstatus(c) != CONNECTION_OK)
		ck_abort_msg("cannot connect to the test cluster: %s", PQerrorMessage(c));
	return c;
}

static void
admin_exec(const char *sql)
{
	PGconn *c = admin_conn();
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		ck_abort_msg("'%s' failed: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

void
pgtest_create(struct pgtest *t, const char *suite)
{
	struct err e = ERR_INIT;
	char sql[256];
	static int seq;

	memset(t, 0, sizeof(*t));
	if (!pgtest_available())
		ck_abort_msg("no test PostgreSQL (PGHOST unset): run through tests/run.sh");
	snprintf(t->dbname, sizeof(t->dbname), "t_%s_%d_%d", suite, (int)getpid(), seq++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", t->dbname);
	admin_exec(sql);
	snprintf(t->url, sizeof(t->url), "dbname=%s", t->dbname);
	snprintf(t->home, sizeof(t->home), "/tmp/comradarr-test-%s", t->dbname);
	setenv("DATABASE_URL", t->url, 1);
	setenv("COMRADARR_HOME", t->home, 1);
	/* a fixed key: tests that want key mismatch set their own */
	setenv("SECRET_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	if (config_load(&t->cfg, &e) < 0)
		ck_abort_msg("config: %s", e.msg);
	if (db_connect(&t->cfg, "comradarr-test", &t->conn, &e) < 0)
		ck_abort_msg("connect: %s", e.msg);
	if (db_migrate(t->conn, NULL, NULL, NULL, &e) < 0)
		ck_abort_msg("migrate: %s", e.msg);
}

void
pgtest_drop(struct pgtest *t)
{
	char sql[256];

	if (t->conn != NULL)
		PQfinish(t->conn);
	t->conn = NULL;
	config_release(&t->cfg);
	if (t->dbname[0] != '\0') {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", t->dbname);
		admin_exec(sql);
	}
}

char *
pgtest_scalar(struct pgtest *t, const char *sql)
{
	PGresult *r = PQexec(t->conn, sql);
	char *v = NULL;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		ck_abort_msg("'%s' failed: %s", sql, PQerrorMessage(t->conn));
	if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		v = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

long long
pgtest_count(struct pgtest *t, const char *sql)
{
	char *v = pgtest_scalar(t, sql);
	long long n = v ? strtoll(v, NULL, 10) : -1;

	free(v);
	return n;
}

void
pgtest_exec(struct pgtest *t, const char *sql)
{
	PGresult *r = PQexec(t->conn, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		ck_abort_msg("'%s' failed: %s", sql, PQerrorMessage(t->conn));
	PQclear(r);
}
