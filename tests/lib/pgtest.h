/*
 * pgtest.h - a fresh, migrated database for an integration test.
 *
 * tests/run.sh runs the integration suites inside pg_virtualenv, which
 * starts a throwaway PostgreSQL cluster and exports PGHOST, PGPORT, PGUSER,
 * PGPASSWORD.  pgtest_create() makes a new database in it named after the
 * suite and the process, applies every migration, and fills t->cfg as the
 * tools would see it (DATABASE_URL pointing at that database), so a test can
 * also run the real binaries against it.  Without PGHOST the suite cannot
 * run: pgtest_available() says so and the runner reports SKIPPED (CI fails).
 */
#ifndef COMRADARR_TESTS_PGTEST_H
#define COMRADARR_TESTS_PGTEST_H

#include <libpq-fe.h>

#include "core/config.h"

struct pgtest {
	char dbname[64];
	char url[256];		/* "dbname=... " conninfo; also put in DATABASE_URL */
	char home[256];		/* a private COMRADARR_HOME (secret.key lives here) */
	struct config cfg;
	PGconn *conn;
};

int pgtest_available(void);

/* Create, migrate and connect; aborts the test (ck_abort) on failure. */
void pgtest_create(struct pgtest *t, const char *suite);
void pgtest_drop(struct pgtest *t);

/* Run SQL and return the first column of the first row as a malloc'd string
 * (NULL for no row / SQL NULL); aborts the test on error. */
char *pgtest_scalar(struct pgtest *t, const char *sql);
long long pgtest_count(struct pgtest *t, const char *sql);
void pgtest_exec(struct pgtest *t, const char *sql);

#endif
