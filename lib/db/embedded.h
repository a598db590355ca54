/*
 * embedded.h - the private PostgreSQL cluster used when DATABASE_URL is unset.
 *
 * Layout under $COMRADARR_HOME:
 *   pg/        the data directory (initdb)
 *   run/       the unix socket directory; TCP is off (listen_addresses = '')
 *   pg.log     the server's log
 *
 * Access control is the file system: the socket directory is mode 0700 and
 * owned by the cluster's owner, and local connections use trust, so exactly
 * that user (and root) can connect, as the database role "comradarr".  When
 * run as root the cluster belongs to a system user "comradarr" (created if
 * missing), because PostgreSQL refuses to run as root.
 *
 * The server binaries are found in $COMRADARR_PG_BINDIR, then where
 * pg_config pointed at build time, then the newest /usr/lib/postgresql/N/bin.
 */
#ifndef COMRADARR_DB_EMBEDDED_H
#define COMRADARR_DB_EMBEDDED_H

#include "core/config.h"
#include "core/err.h"

#define DB_EMBEDDED_ROLE COMRADARR_SERVICE_USER
#define DB_EMBEDDED_DBNAME "comradarr"
#define DB_EMBEDDED_PORT 5432

enum db_embedded_state {
	DB_EMBEDDED_ABSENT,	/* no cluster yet: run init */
	DB_EMBEDDED_STOPPED,
	DB_EMBEDDED_RUNNING
};

/* initdb; *created is 0 when it already existed (not an error). */
int db_embedded_init(const struct config *cfg, int *created, struct err *e);
/* pg_ctl start (waits), then create the database if missing.
 * *started is 0 when it was already running. */
int db_embedded_start(const struct config *cfg, int *started, struct err *e);
/* pg_ctl stop -m fast; *stopped is 0 when it was not running. */
int db_embedded_stop(const struct config *cfg, int *stopped, struct err *e);
int db_embedded_status(const struct config *cfg, enum db_embedded_state *st, struct err *e);

/* The "host=... port=... user=... dbname=..." string for the socket; malloc'd. */
char *db_embedded_conninfo(const struct config *cfg);

/* Directory holding initdb/pg_ctl, or NULL with e filled. malloc'd. */
char *db_embedded_bindir(struct err *e);

#endif
