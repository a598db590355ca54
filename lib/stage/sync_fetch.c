/*
 * sync_fetch.c - the episode fetch of a library sync, in threads.
 *
 * One request per series is the *arr's only way to list episodes with
 * their files, and a full sync of 20,000 series moves about a gigabyte of
 * JSON.  Done in one thread, the HTTP wait, the JSON parse, the row
 * formatting and the COPY take turns.  Here x->workers fetch threads
 * (setting "sync.concurrency", default 2: the *arr is a real server and
 * gets at most that many requests at once from one sync, Req 37.2) each
 * take the next series, parse its episodes and format COPY rows into a
 * chunk; full chunks go through a small bounded queue to the calling
 * thread, which only sends them.  Memory stays flat: at most
 * FEED_SLOTS + 2 * workers chunks exist at any time.
 *
 * The mirror (one connection, one transaction) is used by the calling
 * thread only; each fetch thread has its own client (a client is not
 * thread-safe).  The first failure stops everyone and is returned; the
 * caller's transaction then rolls back as before.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr/parse.h"
#include "core/buf.h"
#include "core/log.h"
#include "stage/sync_int.h"
#include "stage/connect.h"
#include "core/banned.h"

#define FEED_CHUNK ((size_t)256 << 10)	/* bytes of COPY text per hand-over */
#define FEED_SLOTS 8
#define FEED_WORKERS_MAX 8

struct chunk {
	struct buf b;
	long rows;
	struct chunk *next;	/* on the free list */
};

struct feed {
	pthread_mutex_t mu;
	pthread_cond_t can_put, can_take;
	struct chunk *slot[FEED_SLOTS];	/* a ring of full chunks */
	size_t head, count;
	struct chunk *free;
	int running;		/* workers not yet finished */
	int stop;		/* someone failed: everyone stops */
	int failed;		/* a worker failed; err says why */
	struct err err;
	const int *ids;
	size_t n, next;
	const char *api;	/* "/api/v3" */
	const char *name;	/* the connector, for messages */
	int whisparr_v2;
	enum arr_dialect dialect;
};

struct worker {
	struct feed *f;
	pthread_t th;
	int started;
	struct arr_client *client;
	struct chunk *cur;
	unsigned long skipped;
};

static struct chunk *
chunk_get(struct feed *f)
{
	struct chunk *k;

	pthread_mutex_lock(&f->mu);
	k = f->free;
	if (k != NULL)
		f->free = k->next;
	pthread_mutex_unlock(&f->mu);
	if (k == NULL && (k = calloc(1, sizeof(*k))) != NULL)
		/* a row is at most ~1 MiB (the mirror's own cap) past a chunk */
		buf_init(&k->b, FEED_CHUNK + ((size_t)1 << 20));
	if (k != NULL) {
		buf_reset(&k->b);
		k->rows = 0;
	}
	return k;
}

static void
chunk_put_back(struct feed *f, struct chunk *k)
{
	pthread_mutex_lock(&f->mu);
	k->next = f->free;
	f->free = k;
	pthread_mutex_unlock(&f->mu);
}

static void
chunk_free(struct chunk *k)
{
	if (k != NULL) {
		buf_release(&k->b);
		free(k);
	}
}

/* First failure wins; wake everyone. */
static void
feed_fail(struct feed *f, const struct err *why)
{
	pthread_mutex_lock(&f->mu);
	if (!f->stop && why != NULL) {
		f->failed = 1;
		f->err = *why;
	}
	f->stop = 1;
	pthread_cond_broadcast(&f->can_put);
	pthread_cond_broadcast(&f->can_take);
	pthread_mutex_unlock(&f->mu);
}

/* Queue a full chunk for the sending thread; -1 when the feed stopped. */
static int
feed_push(struct feed *f, struct chunk *k)
{
	int ret = -1;

	pthread_mutex_lock(&f->mu);
	while (f->count == FEED_SLOTS && !f->stop)
		pthread_cond_wait(&f->can_put, &f->mu);
	if (!f->stop) {
		f->slot[(f->head + f->count) % FEED_SLOTS] = k;
		f->count++;
		pthread_cond_signal(&f->can_take);
		ret = 0;
	}
	pthread_mutex_unlock(&f->mu);
	return ret;
}

static int
on_episode(json_t *j, void *arg, struct err *e)
{
	struct worker *w = arg;
	struct feed *f = w->f;
	struct arr_episode ep;
	int rc = arr_episode_parse(j, f->dialect, &ep, e);

	if (rc == ARR_SKIPPED) {
		w->skipped++;
		return 0;
	}
	if (rc < 0)
		return -1;
	if (mirror_row_episode(&w->cur->b, &ep, f->whisparr_v2) < 0)
		return err_set(e, ERR_NOMEM, "a mirror row is too big or memory ran out");
	w->cur->rows++;
	if (w->cur->b.len >= FEED_CHUNK) {
		if (feed_push(f, w->cur) < 0)
			return err_set(e, ERR_INTERNAL, "the sync stopped");
		w->cur = chunk_get(f);
		if (w->cur == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct feed *f = w->f;
	struct err e = ERR_INIT;
	char path[160];
	size_t i;
	int stop;

	w->cur = chunk_get(f);
	if (w->cur == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		feed_fail(f, &e);
	}
	for (;;) {
		pthread_mutex_lock(&f->mu);
		stop = f->stop;
		i = f->next++;
		pthread_mutex_unlock(&f->mu);
		if (stop || i >= f->n)
			break;
		snprintf(path, sizeof(path), "%s/episode?seriesId=%d&includeEpisodeFile=true",
			 f->api, f->ids[i]);
		if (arr_client_get_each(w->client, path, on_episode, w, &e) < 0) {
			err_prefix(&e, "'%s': GET /episode?seriesId=%d", f->name, f->ids[i]);
			feed_fail(f, &e);
			break;
		}
	}
	if (w->cur != NULL && w->cur->rows > 0 && feed_push(f, w->cur) == 0)
		w->cur = NULL;
	pthread_mutex_lock(&f->mu);
	f->running--;
	pthread_cond_broadcast(&f->can_take);
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

/* The next full chunk, or NULL when all workers are done or one failed. */
static struct chunk *
feed_take(struct feed *f)
{
	struct chunk *k = NULL;

	pthread_mutex_lock(&f->mu);
	while (f->count == 0 && f->running > 0 && !f->stop)
		pthread_cond_wait(&f->can_take, &f->mu);
	if (!f->stop && f->count > 0) {
		k = f->slot[f->head];
		f->head = (f->head + 1) % FEED_SLOTS;
		f->count--;
		pthread_cond_signal(&f->can_put);
	}
	pthread_mutex_unlock(&f->mu);
	return k;
}

int
sync_fetch_episodes(struct run *x, const int *ids, size_t n, struct err *e)
{
	struct worker w[FEED_WORKERS_MAX];
	struct feed f;
	struct chunk *k;
	int nw = x->workers, i, ret = -1;

	if (n == 0)
		return 0;
	if (nw < 1)
		nw = 1;
	if (nw > FEED_WORKERS_MAX)
		nw = FEED_WORKERS_MAX;
	if ((size_t)nw > n)
		nw = (int)n;
	memset(w, 0, sizeof(w));
	memset(&f, 0, sizeof(f));
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.can_put, NULL);
	pthread_cond_init(&f.can_take, NULL);
	f.ids = ids;
	f.n = n;
	f.api = arr_client_api(x->client);
	f.name = x->c->name;
	f.dialect = x->dialect;
	f.whisparr_v2 = x->dialect == ARR_DIALECT_WHISPARR_V2;
	/* Clients are made here, before any thread: making one registers
	 * its key with the logger. */
	for (i = 0; i < nw; i++) {
		w[i].f = &f;
		if (stage_client_open(x->o->key, x->c, &x->o->retry, &w[i].client, e) < 0)
			goto out;
		arr_client_set_dialect(w[i].client, x->dialect);
	}
	for (i = 0; i < nw; i++) {
		pthread_mutex_lock(&f.mu);
		f.running++;
		pthread_mutex_unlock(&f.mu);
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0) {
			pthread_mutex_lock(&f.mu);
			f.running--;
			pthread_mutex_unlock(&f.mu);
			err_set(e, ERR_INTERNAL, "cannot start a fetch thread; lower the setting "
				"'sync.concurrency' or check the process limits");
			feed_fail(&f, NULL);
			goto out;
		}
		w[i].started = 1;
	}
	while ((k = feed_take(&f)) != NULL) {
		int rc = mirror_copy_rows(x->m, k->b.data, k->b.len, k->rows, e);

		if (rc == 0)
			sync_progress(x, k->rows);
		chunk_put_back(&f, k);
		if (rc < 0) {
			feed_fail(&f, NULL);
			goto out;
		}
	}
	if (f.failed) {
		*e = f.err;
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < nw; i++) {
		if (w[i].started)
			pthread_join(w[i].th, NULL);
		chunk_free(w[i].cur);
		x->skipped_children += w[i].skipped;
		if (w[i].client != NULL) {
			x->more_requests += arr_client_requests(w[i].client);
			x->more_bytes += arr_client_bytes(w[i].client);
		}
		arr_client_free(w[i].client);
	}
	if (ret < 0 && f.failed && e->kind == ERR_NONE)
		*e = f.err;
	while (f.count > 0) {
		chunk_free(f.slot[f.head]);
		f.head = (f.head + 1) % FEED_SLOTS;
		f.count--;
	}
	while ((k = f.free) != NULL) {
		f.free = k->next;
		chunk_free(k);
	}
	pthread_cond_destroy(&f.can_take);
	pthread_cond_destroy(&f.can_put);
	pthread_mutex_destroy(&f.mu);
	return ret;
}
