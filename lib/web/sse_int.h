/*
 * sse_int.h - what the event stream's two halves share (sse.c: the
 * streams and their content reader; sse_thread.c: the reader thread).
 * See sse.c for the locking.
 */
#ifndef COMRADARR_WEB_SSE_INT_H
#define COMRADARR_WEB_SSE_INT_H

#include <pthread.h>
#include <stdint.h>

#include <microhttpd.h>

#include "core/buf.h"
#include "db/evstream.h"
#include "web/sse.h"

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

struct frame *sse_slot(struct web_sse *h, uint64_t seq);
int sse_frame_make(struct frame *f, const struct db_evcursor *c, const char *kind,
		   const char *json, size_t len);
int sse_seen_before(int seen, int64_t upto, const struct db_evsnap *snap,
		    const struct db_evcursor *c);
/* Under h->mu: resume the suspended streams test() picks (NULL: all);
 * lets go of h->mu meanwhile and returns with it held. */
void sse_wake_all(struct web_sse *h, int (*test)(struct web_sse *, struct stream *));
int sse_has_ring_data(struct web_sse *h, struct stream *st);
int sse_is_closing(struct web_sse *h, struct stream *st);
int sse_has_priv(struct web_sse *h, struct stream *st);
/* Wake the reader thread. */
void sse_poke(struct web_sse *h);
/* Under h->mu: join the ring if it reaches the stream's cursor; 1 if so. */
int sse_join_ring(struct web_sse *h, struct stream *st);
/* The reader thread (sse_thread.c). */
void *sse_run(void *arg);

#endif
