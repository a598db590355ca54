/*
 * pool.c - PostgreSQL connection pool (see pool.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "db/db.h"
#include "db/pool.h"
#include "core/banned.h"

struct db_pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct config *cfg;
	const char *appname;
	PGconn **idle;
	int nidle, total, max, wait_ms;
};

struct db_pool *
db_pool_new(const struct config *cfg, const char *appname, int max, int wait_ms)
{
	struct db_pool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->idle = calloc((size_t)(max > 0 ? max : 1), sizeof(*p->idle));
	if (p->idle == NULL) {
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	p->cfg = cfg;
	p->appname = appname;
	p->max = max > 0 ? max : 1;
	p->wait_ms = wait_ms;
	return p;
}

void
db_pool_free(struct db_pool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nidle; i++)
		PQfinish(p->idle[i]);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p->idle);
	free(p);
}

int
db_pool_get(struct db_pool *p, PGconn **out, struct err *e)
{
	struct timespec until;
	int rc = 0;

	*out = NULL;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += p->wait_ms / 1000;
	until.tv_nsec += (long)(p->wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->mu);
	while (p->nidle == 0 && p->total >= p->max && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&p->cv, &p->mu, &until);
	if (p->nidle > 0) {
		*out = p->idle[--p->nidle];
		pthread_mutex_unlock(&p->mu);
		return 0;
	}
	if (p->total >= p->max) {
		pthread_mutex_unlock(&p->mu);
		return err_set(e, ERR_DB, "every database connection is busy; try again");
	}
	p->total++;	/* reserve the slot, connect outside the lock */
	pthread_mutex_unlock(&p->mu);
	if (db_connect(p->cfg, p->appname, out, e) < 0) {
		pthread_mutex_lock(&p->mu);
		p->total--;
		pthread_cond_signal(&p->cv);
		pthread_mutex_unlock(&p->mu);
		return -1;
	}
	return 0;
}

void
db_pool_put(struct db_pool *p, PGconn *c)
{
	if (c == NULL)
		return;
	if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
		PQfinish(c);
		c = NULL;
	}
	pthread_mutex_lock(&p->mu);
	if (c == NULL)
		p->total--;
	else
		p->idle[p->nidle++] = c;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}
