/*
 * zones.c - the server's warm time zones.  See zones.h.
 */
#include <pthread.h>
#include <stdlib.h>

#include "web/app.h"
#include "web/zones.h"
#include "core/banned.h"

struct web_zones {
	pthread_mutex_t lock;
	struct sweep_zones pool;
};

struct web_zones *
web_zones_new(void)
{
	struct web_zones *z = calloc(1, sizeof(*z));

	if (z != NULL && pthread_mutex_init(&z->lock, NULL) != 0) {
		free(z);
		return NULL;
	}
	return z;
}

void
web_zones_free(struct web_zones *z)
{
	if (z == NULL)
		return;
	pthread_mutex_destroy(&z->lock);
	free(z);
}

struct sweep_zones *
web_zones_take(struct web_req *req)
{
	struct web_app *app = req->app;

	if (app == NULL || app->zones == NULL)
		return NULL;
	pthread_mutex_lock(&app->zones->lock);
	return &app->zones->pool;
}

void
web_zones_give(struct web_req *req, struct sweep_zones *pool)
{
	struct web_app *app = req->app;

	if (pool != NULL && app != NULL && app->zones != NULL)
		pthread_mutex_unlock(&app->zones->lock);
}
