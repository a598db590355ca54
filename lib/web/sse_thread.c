/*
 * sse_thread.c - the event stream's reader thread: one database
 * connection that LISTENs for the outbox, reads each new event once into
 * the ring, sends resuming streams their gap, keeps idle streams talking
 * and ends those whose session or key is gone (see sse.h, sse.c).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "web/sse.h"
#include "web/sse_int.h"
#include "core/banned.h"

/* ------------------------------------------------------------ the ring */

/* Under h->mu: drop the oldest frame; streams still needing it end. */
static void
evict(struct web_sse *h)
{
	struct frame *f = sse_slot(h, h->tail);

	h->base = f->c;
	h->bytes -= f->len;
	free(f->text);
	memset(f, 0, sizeof(*f));
	h->tail++;
	for (struct stream *st = h->streams; st != NULL; st = st->next)
		if (st->mode == RING && st->pos < h->tail && st->closing == OPEN) {
			st->closing = ENDED_SLOW;
			h->dropped++;
		}
}

struct batch {
	struct frame f[PAGE];
	int n;
};

static int
collect(void *arg, const struct db_evcursor *c, const char *kind, const char *json, size_t len)
{
	struct batch *b = arg;

	if (sse_frame_make(&b->f[b->n], c, kind, json, len) < 0)
		return -1;
	b->n++;
	return 0;
}

/* Read what is new into the ring (the thread, without h->mu). */
static int
read_new(struct web_sse *h, struct err *e)
{
	struct batch *b = malloc(sizeof(*b));
	struct db_evcursor from;
	int n, ret = 0;

	if (b == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	do {
		pthread_mutex_lock(&h->mu);
		from = h->head_c;
		pthread_mutex_unlock(&h->mu);
		b->n = 0;
		if (db_evstream_read(h->db, &from, NULL, PAGE, collect, b, &n, e) < 0) {
			ret = -1;
			break;
		}
		pthread_mutex_lock(&h->mu);
		for (int i = 0; i < b->n; i++) {
			while (h->head > h->tail &&
			       (h->head - h->tail >= RING_SLOTS || h->bytes + b->f[i].len > h->o.ring_bytes))
				evict(h);
			*sse_slot(h, h->head) = b->f[i];
			h->bytes += b->f[i].len;
			h->head++;
			h->head_c = b->f[i].c;
		}
		if (b->n > 0)
			sse_wake_all(h, NULL);
		pthread_mutex_unlock(&h->mu);
		if (b->n < n) {		/* out of memory formatting one */
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
	} while (n == PAGE);
	free(b);
	return ret;
}

/* ------------------------------------------------------------ catching up */

struct gap {
	struct buf *b;
	int unnamed;
	struct db_evcursor last;
	int seen;
	int64_t seen_upto;
	struct db_evsnap snap;
};

static int
gap_add(void *arg, const struct db_evcursor *c, const char *kind, const char *json, size_t len)
{
	struct gap *g = arg;
	struct frame f;
	int ret;

	if (sse_seen_before(g->seen, g->seen_upto, &g->snap, c)) {
		g->last = *c;
		return 0;
	}
	if (sse_frame_make(&f, c, kind, json, len) < 0)
		return -1;
	ret = g->unnamed ? (buf_append(g->b, f.text, f.ev_off) < 0 ||
			    buf_append(g->b, f.text + f.ev_off + f.ev_len,
				       f.len - f.ev_off - f.ev_len) < 0 ? -1 : 0) :
		buf_append(g->b, f.text, f.len);
	free(f.text);
	if (ret == 0)
		g->last = *c;
	return ret;
}

/*
 * Streams resuming from before the ring: one page of their gap each, read
 * up to the ring's head (what comes after it, the ring has).  1 when some
 * stream still has more to read.
 */
static int
catch_up(struct web_sse *h, struct err *e)
{
	long budget;
	int more = 0;

	pthread_mutex_lock(&h->mu);
	/* a page for each stream at most, then the other chores: one fast
	 * client with a long gap does not starve the rest */
	budget = h->nstreams;
	for (;;) {
		struct stream *st;
		struct db_evcursor from, upto;
		struct buf b;
		struct gap *g;
		uint64_t serial;
		int n = 0, rc;

		for (st = h->streams; st != NULL; st = st->next)
			if (st->mode == CATCHUP && !st->fetching && st->closing == OPEN &&
			    st->priv.len == st->priv_off && !sse_join_ring(h, st))
				break;
		if (st == NULL || !h->head_known)
			break;
		if (budget-- <= 0) {
			more = 1;
			break;
		}
		g = calloc(1, sizeof(*g));
		if (g == NULL) {
			pthread_mutex_unlock(&h->mu);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		st->fetching = 1;
		from = st->cur;
		upto = h->head_c;
		serial = st->serial;
		g->unnamed = st->unnamed;
		g->seen = st->seen;
		g->seen_upto = st->seen_upto;
		g->snap = st->seen_snap;
		pthread_mutex_unlock(&h->mu);

		buf_init(&b, 0);
		g->b = &b;
		g->last = from;
		rc = db_evstream_read(h->db, &from, &upto, PAGE / 2, gap_add, g, &n, e);

		pthread_mutex_lock(&h->mu);
		for (st = h->streams; st != NULL && st->serial != serial; st = st->next)
			;
		if (st != NULL) {
			st->fetching = 0;
			if (rc == 0 && b.len > 0) {
				if (st->priv_off == st->priv.len) {
					buf_reset(&st->priv);
					st->priv_off = 0;
				}
				if (buf_append(&st->priv, b.data, b.len) < 0)
					st->closing = ENDED_SLOW;
			}
			if (rc == 0)
				st->cur = g->last;
			/* a full page, maybe all of it left out: the next one now */
			if (rc == 0 && n == PAGE / 2)
				more = 1;
			if (rc == 0 && n < PAGE / 2) {
				/* the gap is sent: from here the ring has the rest */
				st->cur = upto;
				sse_join_ring(h, st);
			}
		}
		buf_release(&b);
		free(g);
		if (rc < 0) {
			pthread_mutex_unlock(&h->mu);
			return -1;
		}
		sse_wake_all(h, sse_has_priv);
	}
	sse_wake_all(h, sse_has_ring_data);
	pthread_mutex_unlock(&h->mu);
	return more;
}

/* ------------------------------------------------------------ liveness */

/* Sessions and keys still good?  Streams of the others end. */
static int
check_auth(struct web_sse *h, struct err *e)
{
	const char **hashes = NULL;
	int64_t *keys = NULL, *hserial = NULL, *kserial = NULL;
	unsigned char *as = NULL, *ak = NULL;
	size_t ns = 0, nk = 0, cap;
	int ret = -1;

	pthread_mutex_lock(&h->mu);
	cap = (size_t)h->nstreams + 1;
	hashes = calloc(cap, sizeof(*hashes));
	keys = calloc(cap, sizeof(*keys));
	hserial = calloc(cap, sizeof(*hserial));
	kserial = calloc(cap, sizeof(*kserial));
	as = calloc(cap, 1);
	ak = calloc(cap, 1);
	if (hashes == NULL || keys == NULL || hserial == NULL || kserial == NULL || as == NULL ||
	    ak == NULL) {
		pthread_mutex_unlock(&h->mu);
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (struct stream *st = h->streams; st != NULL; st = st->next) {
		if (st->kind == WEB_SESSION && st->session_hash[0] != '\0') {
			hashes[ns] = strdup(st->session_hash);
			if (hashes[ns] == NULL)
				break;
			hserial[ns++] = (int64_t)st->serial;
		} else if (st->kind == WEB_APIKEY) {
			keys[nk] = st->key_id;
			kserial[nk++] = (int64_t)st->serial;
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (ns + nk == 0) {
		ret = 0;
		goto out;
	}
	if (db_evstream_alive(h->db, hashes, ns, keys, nk, as, ak, e) < 0)
		goto out;
	pthread_mutex_lock(&h->mu);
	for (struct stream *st = h->streams; st != NULL; st = st->next) {
		for (size_t i = 0; i < ns; i++)
			if ((int64_t)st->serial == hserial[i] && !as[i])
				st->closing = ENDED_AUTH;
		for (size_t i = 0; i < nk; i++)
			if ((int64_t)st->serial == kserial[i] && !ak[i])
				st->closing = ENDED_AUTH;
	}
	sse_wake_all(h, sse_is_closing);
	pthread_mutex_unlock(&h->mu);
	ret = 0;
out:
	for (size_t i = 0; hashes != NULL && i < ns; i++)
		free((void *)(uintptr_t)hashes[i]);
	free(hashes);
	free(keys);
	free(hserial);
	free(kserial);
	free(as);
	free(ak);
	return ret;
}

/* Idle streams get a comment line: proxies keep them, dead peers show. */
static void
heartbeat(struct web_sse *h, int64_t now)
{
	int64_t every = (int64_t)h->o.heartbeat_s * 1000000;

	pthread_mutex_lock(&h->mu);
	for (struct stream *st = h->streams; st != NULL; st = st->next)
		if (st->closing == OPEN && now - st->last_out_us >= every &&
		    st->priv.len == st->priv_off && !sse_has_ring_data(h, st)) {
			buf_reset(&st->priv);
			st->priv_off = 0;
			if (buf_append_str(&st->priv, ": keep-alive\n\n") == 0)
				st->last_out_us = now;
		}
	sse_wake_all(h, sse_has_priv);
	pthread_mutex_unlock(&h->mu);
}

/* ------------------------------------------------------------ the thread */

static void
disconnect(struct web_sse *h)
{
	if (h->db != NULL)
		PQfinish(h->db);
	h->db = NULL;
}

static int
connect_db(struct web_sse *h, struct err *e)
{
	struct db_evcursor head;

	if (db_connect(h->o.cfg, "comradarr-serve events", &h->db, e) < 0 ||
	    db_evstream_listen(h->db, e) < 0)
		goto fail;
	pthread_mutex_lock(&h->mu);
	if (h->head_known) {
		pthread_mutex_unlock(&h->mu);
		return 0;	/* a reconnect: carry on from the ring's head */
	}
	pthread_mutex_unlock(&h->mu);
	if (db_evstream_head(h->db, &head, e) < 0)
		goto fail;
	pthread_mutex_lock(&h->mu);
	h->head_c = h->base = head;
	h->head_known = 1;
	pthread_mutex_unlock(&h->mu);
	return 0;
fail:
	disconnect(h);
	return -1;
}

void *
sse_run(void *arg)
{
	struct web_sse *h = arg;
	int64_t last_read = 0, last_check = 0, last_try = 0;
	int warned = 0, more = 0;

	for (;;) {
		struct pollfd pfd[2];
		struct err e = ERR_INIT;
		int64_t now;
		int got = 0, nfd = 1, timeout, quit;
		long open;
		char drain[64];

		pthread_mutex_lock(&h->mu);
		quit = h->quit;
		open = h->nstreams;
		pthread_mutex_unlock(&h->mu);
		if (quit)
			break;
		pfd[0].fd = h->wake[0];
		pfd[0].events = POLLIN;
		if (h->db != NULL) {
			pfd[1].fd = PQsocket(h->db);
			pfd[1].events = POLLIN;
			nfd = 2;
		}
		timeout = more ? 0 : h->db == NULL || open > 0 ? POLL_MS : -1;
		if (poll(pfd, (nfds_t)nfd, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			while (read(h->wake[0], drain, sizeof(drain)) > 0)
				;
		now = clock_mono_us();
		if (h->db == NULL) {
			if (now - last_try < (int64_t)RECONNECT_MS * 1000) {
				heartbeat(h, now);
				continue;
			}
			last_try = now;
			if (connect_db(h, &e) < 0) {
				if (!warned)
					log_warn("serve", "event stream: no database: %s", e.msg);
				warned = 1;
				heartbeat(h, now);
				continue;
			}
			if (warned)
				log_info("serve", "event stream: database back");
			warned = 0;
			got = 1;
		}
		if (nfd == 2 && (pfd[1].revents & (POLLIN | POLLERR | POLLHUP)) &&
		    db_evstream_notified(h->db, &got, &e) < 0)
			goto lost;
		pthread_mutex_lock(&h->mu);
		open = h->nstreams;
		pthread_mutex_unlock(&h->mu);
		/* without a NOTIFY too: an event held back behind an older
		 * transaction becomes readable when that one ends, unannounced */
		if (got || (open > 0 && now - last_read >= (int64_t)POLL_MS * 1000)) {
			last_read = now;
			if (read_new(h, &e) < 0)
				goto lost;
		}
		if (open == 0) {
			more = 0;
			continue;
		}
		more = catch_up(h, &e);
		if (more < 0)
			goto lost;
		heartbeat(h, now);
		if (now - last_check >= (int64_t)h->o.check_s * 1000000) {
			last_check = now;
			if (check_auth(h, &e) < 0)
				goto lost;
		}
		warned = 0;
		continue;
lost:
		if (!warned)
			log_warn("serve", "event stream: %s", e.msg);
		warned = 1;
		more = 0;
		if (h->db != NULL && PQstatus(h->db) != CONNECTION_OK)
			disconnect(h);
	}
	disconnect(h);
	return NULL;
}
