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
#include <poll.h>
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
#include "core/banned.h"

#define RING_SLOTS	4096	/* frames at most, whatever their size */
#define PAGE		200	/* events per database read */
#define POLL_MS		1000	/* with streams open: read even without a NOTIFY */
#define RECONNECT_MS	2000

enum mode { CATCHUP = 0, RING };
enum closing { OPEN = 0, ENDED_AUTH, ENDED_SLOW };

struct frame {
	struct db_evcursor c;
	char *text;			/* "id: N\nevent: K\ndata: {...}\n\n" */
	size_t len;
	size_t ev_off, ev_len;		/* the "event: K\n" line, left out when unnamed */
};

struct stream {
	struct stream *next, *prev;
	struct web_sse *h;
	struct MHD_Connection *conn;
	uint64_t serial;
	enum mode mode;
	struct db_evcursor cur;		/* CATCHUP: the last event queued */
	uint64_t pos;			/* RING: next frame */
	size_t off;			/* RING: bytes of that frame already sent */
	struct buf priv;		/* its own bytes: retry, the gap, heartbeats */
	size_t priv_off;
	int suspended, unnamed, fetching;
	enum closing closing;
	int64_t last_out_us;
	enum web_principal_kind kind;
	char session_hash[65];
	int64_t key_id;
	char principal[96];
	/* ?after=N: what the client has (ids up to seen_upto it could see) */
	int seen;
	int64_t seen_upto;
	struct db_evsnap seen_snap;
};

struct web_sse {
	struct web_sse_opts o;
	pthread_t th;
	int th_ok;
	pthread_mutex_t mu;
	int wake[2];
	int stopping, quit;
	PGconn *db;			/* the reader thread's */
	/* the ring: frames [tail, head) in stream order; base is the cursor
	 * just before the oldest frame, head_c the newest read */
	struct frame *ring;
	uint64_t tail, head;
	size_t bytes;
	struct db_evcursor base, head_c;
	int head_known;
	struct stream *streams;
	long nstreams, dropped;
	uint64_t serial;
};

/* ------------------------------------------------------------ frames */

/* One event as a frame; its JSON is one line (PostgreSQL writes none). */
static int
frame_make(struct frame *f, const struct db_evcursor *c, const char *kind, const char *json,
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

static struct frame *
slot(struct web_sse *h, uint64_t seq)
{
	return &h->ring[seq % RING_SLOTS];
}

/* The client has this event already: an id it named, visible when it came. */
static int
seen_before(int seen, int64_t upto, const struct db_evsnap *snap, const struct db_evcursor *c)
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
static void
wake_all(struct web_sse *h, int (*test)(struct web_sse *, struct stream *))
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

static int
has_ring_data(struct web_sse *h, struct stream *st)
{
	return st->mode == RING && st->pos < h->head;
}

static int
is_closing(struct web_sse *h, struct stream *st)
{
	(void)h;
	return st->closing != OPEN;
}

static int
has_priv(struct web_sse *h, struct stream *st)
{
	(void)h;
	return st->priv.len > st->priv_off;
}

static void
poke(struct web_sse *h)
{
	char c = 1;

	if (write(h->wake[1], &c, 1) < 0 && errno != EAGAIN)
		log_debug("serve", "event stream: wake: %s", strerror(errno));
}

/* ------------------------------------------------------------ the ring */

/* Under h->mu: drop the oldest frame; streams still needing it end. */
static void
evict(struct web_sse *h)
{
	struct frame *f = slot(h, h->tail);

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

	if (frame_make(&b->f[b->n], c, kind, json, len) < 0)
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
			*slot(h, h->head) = b->f[i];
			h->bytes += b->f[i].len;
			h->head++;
			h->head_c = b->f[i].c;
		}
		if (b->n > 0)
			wake_all(h, NULL);
		pthread_mutex_unlock(&h->mu);
		if (b->n < n) {		/* out of memory formatting one */
			ret = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
	} while (n == PAGE);
	free(b);
	return ret;
}

/* Under h->mu: a stream at cursor c joins the ring if the ring reaches it. */
static int
join_ring(struct web_sse *h, struct stream *st)
{
	uint64_t seq;

	if (!h->head_known || db_evcursor_cmp(&st->cur, &h->base) < 0)
		return 0;
	for (seq = h->tail; seq < h->head; seq++)
		if (db_evcursor_cmp(&slot(h, seq)->c, &st->cur) > 0)
			break;
	st->mode = RING;
	st->pos = seq;
	st->off = 0;
	return 1;
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

	if (seen_before(g->seen, g->seen_upto, &g->snap, c)) {
		g->last = *c;
		return 0;
	}
	if (frame_make(&f, c, kind, json, len) < 0)
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
			    st->priv.len == st->priv_off && !join_ring(h, st))
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
				join_ring(h, st);
			}
		}
		buf_release(&b);
		free(g);
		if (rc < 0) {
			pthread_mutex_unlock(&h->mu);
			return -1;
		}
		wake_all(h, has_priv);
	}
	wake_all(h, has_ring_data);
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
	wake_all(h, is_closing);
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
		    st->priv.len == st->priv_off && !has_ring_data(h, st)) {
			buf_reset(&st->priv);
			st->priv_off = 0;
			if (buf_append_str(&st->priv, ": keep-alive\n\n") == 0)
				st->last_out_us = now;
		}
	wake_all(h, has_priv);
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

static void *
run(void *arg)
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
			const struct frame *f = slot(h, st->pos);
			size_t k;

			/* sent already (the client's Last-Event-ID was newer
			 * than the ring when it came) */
			if (st->off == 0 && db_evcursor_cmp(&f->c, &st->cur) <= 0) {
				st->pos++;
				continue;
			}
			if (st->off == 0 && seen_before(st->seen, st->seen_upto, &st->seen_snap, &f->c)) {
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
		poke(h);
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
		join_ring(h, st);
	}
	st->next = h->streams;
	if (h->streams != NULL)
		h->streams->prev = st;
	h->streams = st;
	h->nstreams++;
	pthread_mutex_unlock(&h->mu);
	poke(h);

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
	if (pthread_create(&h->th, NULL, run, h) != 0) {
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
	wake_all(h, NULL);
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
		poke(h);
		pthread_join(h->th, NULL);
	}
	for (uint64_t s = h->tail; s < h->head; s++)
		free(slot(h, s)->text);
	free(h->ring);
	close(h->wake[0]);
	close(h->wake[1]);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
