/*
 * sse.c - the live event stream (see sse.h).
 *
 * Locking.  One mutex (h->mu) guards the ring and every stream.  The
 * content reader runs on a pool thread under it and, with nothing to send,
 * suspends its connection before letting go of it, so a frame added after
 * the check always finds the stream marked suspended and resumes it: no
 * wakeup is lost.  Resuming is done after letting go of the mutex (a
 * suspended connection cannot end under us: libmicrohttpd does not touch
 * it until it is resumed).  The database is only touched by the reader
 * thread, never with the mutex held.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "web/sse.h"
#include "web/sse_int.h"
#include "core/banned.h"

/* ------------------------------------------------------------ frames */

/* One event as a frame; its JSON is one line (PostgreSQL writes none). */
int
sse_frame_make(struct frame *f, const struct db_evcursor *c, const char *kind, const char *json,
	   size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	f->c = *c;
	if (buf_appendf(&b, "id: %lld\n", (long long)c->id) < 0)
		goto fail;
	f->ev_off = b.len;
	if (buf_appendf(&b, "event: %s\n", kind) < 0)
		goto fail;
	f->ev_len = b.len - f->ev_off;
	if (buf_append_str(&b, "data: ") < 0)
		goto fail;
	for (size_t i = 0; i < len; i++) {
		/* a line break would end the data line: each line gets its own */
		if (json[i] == '\n' ? buf_append_str(&b, "\ndata: ") < 0 :
		    json[i] == '\r' ? 0 : buf_putc(&b, json[i]) < 0)
			goto fail;
	}
	if (buf_append_str(&b, "\n\n") < 0)
		goto fail;
	f->text = b.data;
	f->len = b.len;
	return 0;
fail:
	buf_release(&b);
	return -1;
}

static size_t
frame_len(const struct frame *f, int unnamed)
{
	return unnamed ? f->len - f->ev_len : f->len;
}

/* Copy the frame's bytes from off (as this stream sees them). */
static size_t
frame_copy(const struct frame *f, int unnamed, size_t off, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && off < frame_len(f, unnamed)) {
		size_t src = unnamed && off >= f->ev_off ? off + f->ev_len : off;
		size_t end = unnamed && off < f->ev_off ? f->ev_off : f->len;
		size_t k = end - src < max - n ? end - src : max - n;

		memcpy(buf + n, f->text + src, k);
		n += k;
		off += k;
	}
	return n;
}

struct frame *
sse_slot(struct web_sse *h, uint64_t seq)
{
	return &h->ring[seq % RING_SLOTS];
}

/* The client has this event already: an id it named, visible when it came. */
int
sse_seen_before(int seen, int64_t upto, const struct db_evsnap *snap, const struct db_evcursor *c)
{
	return seen && c->id <= upto && db_evsnap_visible(snap, c->xid);
}

/* ------------------------------------------------------------ waking */

struct wakelist {
	struct MHD_Connection *c[64];
	int n;
};

/* Under h->mu: mark st to be resumed (done by wake_flush, without it). */
static int
wake_mark(struct stream *st, struct wakelist *w)
{
	if (!st->suspended)
		return 0;
	if (w->n == (int)(sizeof(w->c) / sizeof(w->c[0])))
		return -1;	/* full: the caller flushes and comes back */
	st->suspended = 0;
	w->c[w->n++] = st->conn;
	return 0;
}

static void
wake_flush(struct wakelist *w)
{
	for (int i = 0; i < w->n; i++)
		MHD_resume_connection(w->c[i]);
	w->n = 0;
}

/* Under h->mu: resume every suspended stream for which test() holds;
 * returns with h->mu held. */
void
sse_wake_all(struct web_sse *h, int (*test)(struct web_sse *, struct stream *))
{
	struct wakelist w;
	int again;

	do {
		again = 0;
		w.n = 0;
		for (struct stream *st = h->streams; st != NULL; st = st->next)
			if (st->suspended && (test == NULL || test(h, st)) && wake_mark(st, &w) < 0) {
				again = 1;
				break;
			}
		pthread_mutex_unlock(&h->mu);
		wake_flush(&w);
		pthread_mutex_lock(&h->mu);
	} while (again);
}

int
sse_has_ring_data(struct web_sse *h, struct stream *st)
{
	return st->mode == RING && st->pos < h->head;
}

int
sse_is_closing(struct web_sse *h, struct stream *st)
{
	(void)h;
	return st->closing != OPEN;
}

int
sse_has_priv(struct web_sse *h, struct stream *st)
{
	(void)h;
	return st->priv.len > st->priv_off;
}

void
sse_poke(struct web_sse *h)
{
	char c = 1;

	if (write(h->wake[1], &c, 1) < 0 && errno != EAGAIN)
		log_debug("serve", "event stream: wake: %s", strerror(errno));
}

/* Under h->mu: a stream at cursor c joins the ring if the ring reaches it. */
int
sse_join_ring(struct web_sse *h, struct stream *st)
{
	uint64_t seq;

	if (!h->head_known || db_evcursor_cmp(&st->cur, &h->base) < 0)
		return 0;
	for (seq = h->tail; seq < h->head; seq++)
		if (db_evcursor_cmp(&sse_slot(h, seq)->c, &st->cur) > 0)
			break;
	st->mode = RING;
	st->pos = seq;
	st->off = 0;
	return 1;
}

/* ------------------------------------------------------------ streams */

/* libmicrohttpd's content reader: never waits; suspends when idle. */
static ssize_t
stream_read(void *cls, uint64_t at, char *buf, size_t max)
{
	struct stream *st = cls;
	struct web_sse *h = st->h;
	size_t n = 0;

	(void)at;
	pthread_mutex_lock(&h->mu);
	if (st->closing == ENDED_AUTH || h->stopping)
		goto end;
	while (n < max) {
		if (st->priv.len > st->priv_off) {
			size_t k = st->priv.len - st->priv_off;

			k = k < max - n ? k : max - n;
			memcpy(buf + n, st->priv.data + st->priv_off, k);
			st->priv_off += k;
			n += k;
			continue;
		}
		if (st->mode != RING || st->pos >= h->head || st->closing != OPEN)
			break;
		if (st->pos < h->tail) {
			st->closing = ENDED_SLOW;
			h->dropped++;
			break;
		}
		{
			const struct frame *f = sse_slot(h, st->pos);
			size_t k;

			/* sent already (the client's Last-Event-ID was newer
			 * than the ring when it came) */
			if (st->off == 0 && db_evcursor_cmp(&f->c, &st->cur) <= 0) {
				st->pos++;
				continue;
			}
			if (st->off == 0 && sse_seen_before(st->seen, st->seen_upto, &st->seen_snap, &f->c)) {
				st->pos++;
				st->cur = f->c;
				continue;
			}
			k = frame_copy(f, st->unnamed, st->off, buf + n, max - n);
			n += k;
			st->off += k;
			if (st->off == frame_len(f, st->unnamed)) {
				st->pos++;
				st->off = 0;
				st->cur = f->c;
			}
		}
	}
	if (st->priv_off == st->priv.len && st->priv.alloc > 4096) {
		buf_release(&st->priv);	/* a page of gap sent: give it back */
		st->priv_off = 0;
	}
	if (n > 0) {
		st->last_out_us = clock_mono_us();
		pthread_mutex_unlock(&h->mu);
		return (ssize_t)n;
	}
	if (st->closing != OPEN)
		goto end;
	/* nothing now: park the connection until the thread has more */
	MHD_suspend_connection(st->conn);
	st->suspended = 1;
	if (st->mode == CATCHUP)
		sse_poke(h);
	pthread_mutex_unlock(&h->mu);
	return 0;
end:
	pthread_mutex_unlock(&h->mu);
	return MHD_CONTENT_READER_END_OF_STREAM;
}

static void
stream_free(void *cls)
{
	struct stream *st = cls;
	struct web_sse *h = st->h;

	pthread_mutex_lock(&h->mu);
	if (st->prev != NULL)
		st->prev->next = st->next;
	else
		h->streams = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	h->nstreams--;
	pthread_mutex_unlock(&h->mu);
	buf_release(&st->priv);
	free(st);
}

int
web_sse_answer(struct web_sse *h, struct web_req *req, struct web_resp *resp,
	       const struct db_evcursor *from, const struct db_evsnap *seen, int64_t seen_upto,
	       int unnamed)
{
	struct stream *st;
	long mine = 0;
	int fd;
	const union MHD_ConnectionInfo *ci;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return web_resp_error(resp, 503, "busy", NULL, "out of memory; try again");
	st->h = h;
	st->conn = req->conn;
	st->unnamed = unnamed;
	if (seen != NULL) {
		st->seen = 1;
		st->seen_upto = seen_upto;
		st->seen_snap = *seen;
	}
	st->kind = req->who.kind;
	st->key_id = req->who.key_id;
	snprintf(st->session_hash, sizeof(st->session_hash), "%s", req->who.session_hash);
	/* a user's streams count together, whichever session; a key's alone;
	 * without a login (--auth local), an address's */
	if (req->who.kind == WEB_APIKEY)
		snprintf(st->principal, sizeof(st->principal), "key:%lld", (long long)req->who.key_id);
	else if (req->who.user_id > 0)
		snprintf(st->principal, sizeof(st->principal), "user:%lld",
			 (long long)req->who.user_id);
	else
		snprintf(st->principal, sizeof(st->principal), "peer:%s", req->peer);
	buf_init(&st->priv, 0);
	if (buf_appendf(&st->priv, "retry: %d\n: comradarr events\n\n", h->o.retry_ms) < 0) {
		free(st);
		return web_resp_error(resp, 503, "busy", NULL, "out of memory; try again");
	}
	st->last_out_us = clock_mono_us();

	pthread_mutex_lock(&h->mu);
	if (h->stopping) {
		pthread_mutex_unlock(&h->mu);
		buf_release(&st->priv);
		free(st);
		web_resp_header(resp, "Retry-After", "5");
		return web_resp_error(resp, 503, "stopping", NULL, "the server is stopping");
	}
	for (struct stream *o = h->streams; o != NULL; o = o->next)
		if (strcmp(o->principal, st->principal) == 0)
			mine++;
	if (h->nstreams >= h->o.max_streams || mine >= h->o.max_per_principal) {
		int global = h->nstreams >= h->o.max_streams;

		pthread_mutex_unlock(&h->mu);
		buf_release(&st->priv);
		free(st);
		web_resp_header(resp, "Retry-After", "30");
		if (global)
			return web_resp_error(resp, 503, "too_many_streams", NULL,
					      "the server has %d event streams open; try later",
					      h->o.max_streams);
		return web_resp_error(resp, 429, "too_many_streams", NULL,
				      "at most %d event streams per user or key",
				      h->o.max_per_principal);
	}
	st->serial = ++h->serial;
	if (from == NULL) {
		/* from now on: the ring's head */
		st->mode = RING;
		st->pos = h->head;
		st->cur = h->head_c;
	} else {
		st->mode = CATCHUP;
		st->cur = *from;
		sse_join_ring(h, st);
	}
	st->next = h->streams;
	if (h->streams != NULL)
		h->streams->prev = st;
	h->streams = st;
	h->nstreams++;
	pthread_mutex_unlock(&h->mu);
	sse_poke(h);

	/* a peer that vanished without a word is noticed when the heartbeat
	 * stays unacknowledged this long, not after TCP's quarter of an hour */
	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL) {
		unsigned int ms = (unsigned int)h->o.heartbeat_s * 2000u + 5000u;

		fd = ci->connect_fd;
		setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ms, sizeof(ms));
	}
	resp->status = 200;
	resp->content_type = "text/event-stream; charset=utf-8";
	resp->stream_read = stream_read;
	resp->stream_free = stream_free;
	resp->stream_arg = st;
	/* nginx and friends would otherwise hold the stream in a buffer */
	web_resp_header(resp, "X-Accel-Buffering", "no");
	return 0;
}

/* ------------------------------------------------------------ life */

int
web_sse_new(const struct web_sse_opts *o, struct web_sse **out, struct err *e)
{
	struct web_sse *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (h == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	h->o = *o;
	if (h->o.max_streams <= 0)
		h->o.max_streams = 256;
	if (h->o.max_per_principal <= 0)
		h->o.max_per_principal = 8;
	if (h->o.heartbeat_s <= 0)
		h->o.heartbeat_s = 15;
	if (h->o.check_s <= 0)
		h->o.check_s = 10;
	if (h->o.ring_bytes == 0)
		h->o.ring_bytes = 1u << 20;
	if (h->o.retry_ms <= 0)
		h->o.retry_ms = 3000;
	h->ring = calloc(RING_SLOTS, sizeof(*h->ring));
	h->wake[0] = h->wake[1] = -1;
	if (h->ring == NULL || pipe2(h->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(h->ring);
		free(h);
		return err_set(e, ERR_INTERNAL, "event stream: %s", strerror(errno ? errno : ENOMEM));
	}
	pthread_mutex_init(&h->mu, NULL);
	if (pthread_create(&h->th, NULL, sse_run, h) != 0) {
		web_sse_free(h);
		return err_set(e, ERR_INTERNAL, "event stream: no thread");
	}
	h->th_ok = 1;
	*out = h;
	return 0;
}

long
web_sse_open(struct web_sse *h)
{
	long n;

	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->mu);
	n = h->nstreams;
	pthread_mutex_unlock(&h->mu);
	return n;
}

long
web_sse_dropped(struct web_sse *h)
{
	long n;

	if (h == NULL)
		return 0;
	pthread_mutex_lock(&h->mu);
	n = h->dropped;
	pthread_mutex_unlock(&h->mu);
	return n;
}

void
web_sse_shutdown(struct web_sse *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stopping = 1;
	sse_wake_all(h, NULL);
	pthread_mutex_unlock(&h->mu);
}

void
web_sse_free(struct web_sse *h)
{
	if (h == NULL)
		return;
	if (h->th_ok) {
		pthread_mutex_lock(&h->mu);
		h->quit = 1;
		pthread_mutex_unlock(&h->mu);
		sse_poke(h);
		pthread_join(h->th, NULL);
	}
	for (uint64_t s = h->tail; s < h->head; s++)
		free(sse_slot(h, s)->text);
	free(h->ring);
	close(h->wake[0]);
	close(h->wake[1]);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
