/*
 * pool.h - a small pool of PostgreSQL connections for comradarr-serve.
 *
 * libpq connections are not shared between threads: each request takes one
 * (db_pool_get), uses it alone, and gives it back (db_pool_put).  At most
 * `max` exist; a request that finds them all busy waits up to wait_ms, then
 * gets ERR_DB ("busy") so the server answers 503 instead of piling up.  A
 * connection given back broken, or inside a transaction a handler forgot to
 * finish, is closed rather than reused.
 */
#ifndef COMRADARR_DB_POOL_H
#define COMRADARR_DB_POOL_H

#include <libpq-fe.h>

#include "core/config.h"
#include "core/err.h"

struct db_pool;

/* cfg and appname are kept by pointer and must outlive the pool. */
struct db_pool *db_pool_new(const struct config *cfg, const char *appname, int max, int wait_ms);
void db_pool_free(struct db_pool *p);

int db_pool_get(struct db_pool *p, PGconn **out, struct err *e);
void db_pool_put(struct db_pool *p, PGconn *c);

#endif
