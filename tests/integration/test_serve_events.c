/*
 * test_serve_events.c - GET /api/events as server-sent events, over real
 * HTTP on loopback against a real database: an event written after the
 * stream opened arrives; a resume from Last-Event-ID sends exactly the
 * missed ones; events of a transaction that commits late are neither
 * skipped nor repeated; the same access as any read route; the limits;
 * a revoked session or key ends its stream; heartbeats; SIGTERM ends the
 * streams and the server exits promptly.
 *
 * The stream is read from a plain socket (HTTP/1.0: no chunking, the body
 * as sent), the way a proxy would see it.  Waits poll for their condition
 * with generous limits: a loaded machine makes them slower, not failing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "clitest.h"
#include "pgtest.h"
#include "proc.h"
#include "servectl.h"

#define ADMIN_PW "correct horse battery staple"
#define WAIT_MS 20000		/* for something that should take milliseconds */

static struct pgtest T;
static struct servectl S;
static char *rokey, *rokey2, *rokey3;
static char rohdr[160], rohdr2[160], rohdr3[160];

static void
setup(void)
{
	struct err e = ERR_INIT;
	const char *argv[] = { "comradarr", "user", "add", "admin", "--role", "admin",
			       "--password-file", "-", NULL };
	/* small limits so the test can reach them; a fast heartbeat (and with
	 * it the session and key checks) so it need not wait long */
	const char *const args[] = { "--threads", "2", "--event-streams", "4",
				     "--event-streams-per-user", "2", "--event-heartbeat", "1",
				     NULL };

	pgtest_create(&T, "serve_events");
	clitest_ok(argv, ADMIN_PW "\n");
	rokey = clitest_add_key("read");
	rokey2 = clitest_add_key("read");
	rokey3 = clitest_add_key("read");
	snprintf(rohdr, sizeof(rohdr), "X-Api-Key: %s", rokey);
	snprintf(rohdr2, sizeof(rohdr2), "X-Api-Key: %s", rokey2);
	snprintf(rohdr3, sizeof(rohdr3), "X-Api-Key: %s", rokey3);
	ck_assert_msg(servectl_start(&S, args, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	char *err;

	servectl_stop(&S);
	err = servectl_output(&S, 1);
	ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL &&
		      strstr(err, "Fatal error") == NULL, "comradarr-serve: %s", err);
	free(err);
	servectl_cleanup(&S);
	pgtest_drop(&T);
	free(rokey);
	free(rokey2);
	free(rokey3);
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ a stream */

struct sse {
	int fd;
	char *buf;		/* everything read so far, NUL-terminated */
	size_t len, cap;
	int eof;
	long status;
};

/* Open GET path with headers (NULL-terminated "Name: value" lines); the
 * status line is read (a refusal's body follows it). */
static void
sse_open(struct sse *s, const char *path, const char *const hdrs[], int rcvbuf)
{
	struct sockaddr_in a;
	char req[2048];
	int n;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->fd, 0);
	if (rcvbuf > 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)S.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(connect(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n"
		     "Accept: text/event-stream\r\n", path, S.port);
	for (int i = 0; hdrs != NULL && hdrs[i] != NULL; i++)
		n += snprintf(req + n, sizeof(req) - (size_t)n, "%s\r\n", hdrs[i]);
	n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	ck_assert_int_eq(write(s->fd, req, (size_t)n), n);
	s->cap = 1 << 16;
	s->buf = calloc(1, s->cap);
	ck_assert_ptr_nonnull(s->buf);
}

/* Read what there is for up to ms; 1 when something came. */
static int
sse_pump(struct sse *s, int ms)
{
	struct pollfd p = { s->fd, POLLIN, 0 };
	ssize_t n;

	if (s->eof || poll(&p, 1, ms) <= 0)
		return 0;
	if (s->len + 4096 >= s->cap) {
		s->cap *= 2;
		s->buf = realloc(s->buf, s->cap);
		ck_assert_ptr_nonnull(s->buf);
	}
	n = read(s->fd, s->buf + s->len, s->cap - s->len - 1);
	if (n <= 0) {
		s->eof = 1;
		return 0;
	}
	s->len += (size_t)n;
	s->buf[s->len] = '\0';
	if (s->status == 0 && strstr(s->buf, "\r\n") != NULL)
		s->status = strtol(s->buf + 9, NULL, 10);
	return 1;
}

/* Wait until what was read holds needle (1) or the stream ended (0). */
static int
sse_until(struct sse *s, const char *needle, int ms)
{
	long long end = ms_now() + ms;

	while (strstr(s->buf, needle) == NULL) {
		if (s->eof)
			return 0;
		if (ms_now() >= end)
			ck_abort_msg("no '%s' in %d ms; the stream so far:\n%s", needle, ms, s->buf);
		sse_pump(s, 200);
	}
	return 1;
}

/* Wait for the end of the stream (1) or give up after ms (0). */
static int
sse_until_eof(struct sse *s, int ms)
{
	long long end = ms_now() + ms;

	while (!s->eof && ms_now() < end)
		sse_pump(s, 200);
	return s->eof;
}

static void
sse_close(struct sse *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->buf);
	s->fd = -1;
	s->buf = NULL;
}

/* The ids of the events in the stream, in order; how many. */
static int
sse_ids(const struct sse *s, long long *ids, int max)
{
	const char *p = s->buf;
	int n = 0;

	while ((p = strstr(p, "\nid: ")) != NULL && n < max) {
		ids[n++] = strtoll(p + 5, NULL, 10);
		p += 5;
	}
	return n;
}

static long long
insert_event(const char *kind)
{
	char sql[256], *v;
	long long id;

	snprintf(sql, sizeof(sql), "INSERT INTO events (kind, payload) VALUES ('%s', "
		 "'{\"n\": 1}') RETURNING id", kind);
	v = pgtest_scalar(&T, sql);
	id = strtoll(v, NULL, 10);
	free(v);
	return id;
}

static json_t *
get_json(const char *path, const char *const hdrs[], long want)
{
	struct http_resp r;
	json_t *j;

	ck_assert_int_eq(http_do(&S, "GET", path, hdrs, NULL, &r), 0);
	ck_assert_msg(r.status == want, "GET %s: %ld, wanted %ld: %s", path, r.status, want,
		      r.body);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "GET %s: not JSON: %s", path, r.body);
	http_resp_free(&r);
	return j;
}

/* The gauge in /metrics. */
static long
open_streams(void)
{
	const char *h[] = { rohdr3, NULL };
	struct http_resp r;
	const char *p;
	long n;

	ck_assert_int_eq(http_do(&S, "GET", "/metrics", h, NULL, &r), 0);
	ck_assert_int_eq(r.status, 200);
	p = strstr(r.body, "\ncomradarr_event_streams ");
	ck_assert_ptr_nonnull(p);
	n = strtol(p + 25, NULL, 10);
	http_resp_free(&r);
	return n;
}

static void
wait_open_streams(long want)
{
	long long end = ms_now() + WAIT_MS;

	while (open_streams() != want) {
		ck_assert_msg(ms_now() < end, "still %ld streams open, wanted %ld", open_streams(),
			      want);
		usleep(100 * 1000);
	}
}

/* ------------------------------------------------------------ the tests */

START_TEST(an_event_written_after_connect_arrives_as_the_page_has_it)
{
	const char *h[] = { rohdr, NULL };
	struct sse s;
	long long id;
	char want[64], path[64];
	json_t *page, *item, *got;
	const char *data;

	/* without the Accept header the route pages JSON, as it always did */
	page = get_json("/api/events?after=0", h, 200);
	ck_assert(json_is_array(json_object_get(page, "items")));
	json_decref(page);

	/* events on both sides of a power of ten in transaction ids: "999"
	 * sorts after "1000" as text, and a stream starting "now" must not
	 * take the older one for the newest and replay the rest */
	pgtest_exec(&T, "DO $$ DECLARE p bigint := 10; BEGIN "
		    "WHILE p <= pg_current_xact_id()::text::bigint + 1 LOOP p := p * 10; END LOOP; "
		    "COMMIT; "
		    "WHILE pg_current_xact_id()::text::bigint < p - 2 LOOP COMMIT; END LOOP; "
		    "COMMIT; END $$");
	insert_event("sync_started");
	insert_event("sync_done");
	insert_event("sync_done");

	sse_open(&s, "/api/events", h, 0);
	sse_until(&s, "retry: ", WAIT_MS);
	ck_assert_int_eq(s.status, 200);
	ck_assert_ptr_nonnull(strstr(s.buf, "Content-Type: text/event-stream"));
	ck_assert_ptr_nonnull(strstr(s.buf, "Content-Security-Policy"));
	id = insert_event("queue_paused");
	snprintf(want, sizeof(want), "id: %lld\nevent: queue_paused\ndata: ", id);
	sse_until(&s, want, WAIT_MS);
	{
		long long ids[8];

		ck_assert_int_eq(sse_ids(&s, ids, 8), 1);	/* nothing from before */
	}
	sse_until(&s, "}\n\n", WAIT_MS);
	/* data is the object GET /api/events?after=id-1 pages */
	data = strstr(s.buf, want) + strlen(want);
	got = json_loadb(data, strcspn(data, "\n"), 0, NULL);
	ck_assert_ptr_nonnull(got);
	snprintf(path, sizeof(path), "/api/events?after=%lld&limit=1", id - 1);
	page = get_json(path, h, 200);
	item = json_array_get(json_object_get(page, "items"), 0);
	ck_assert_msg(json_equal(got, item), "stream and page differ");
	json_decref(got);
	json_decref(page);
	ck_assert_int_eq(open_streams(), 1);
	sse_close(&s);
	/* a client that left is found (the heartbeat fails) and its slot freed */
	wait_open_streams(0);
}
END_TEST

START_TEST(resume_sends_exactly_the_missed_events_in_order)
{
	const char *h[] = { rohdr, "Last-Event-ID: 0", NULL };
	long long first, ids[64], want[8];
	struct sse s;
	char hdr[64], last[64];
	int n;

	first = insert_event("search_dispatched");
	for (int i = 1; i < 5; i++)
		ck_assert_int_eq(insert_event("search_outcome"), first + i);
	/* a client that saw `first + 1` comes back */
	snprintf(hdr, sizeof(hdr), "Last-Event-ID: %lld", first + 1);
	h[1] = hdr;
	sse_open(&s, "/api/events", h, 0);
	snprintf(last, sizeof(last), "\nid: %lld\n", first + 4);
	sse_until(&s, last, WAIT_MS);
	/* a new one after the gap, on the same stream */
	want[3] = insert_event("queue_resumed");
	snprintf(last, sizeof(last), "\nid: %lld\n", want[3]);
	sse_until(&s, last, WAIT_MS);
	sse_pump(&s, 500);
	n = sse_ids(&s, ids, 64);
	want[0] = first + 2;
	want[1] = first + 3;
	want[2] = first + 4;
	ck_assert_msg(n == 4, "%d events sent:\n%s", n, s.buf);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ids[i], want[i]);
	sse_close(&s);

	/* ?after=N starts the first connection the same way */
	{
		const char *h2[] = { rohdr, NULL };
		char path[64];

		snprintf(path, sizeof(path), "/api/events?after=%lld", first + 3);
		sse_open(&s, path, h2, 0);
		snprintf(last, sizeof(last), "\nid: %lld\n", want[3]);
		sse_until(&s, last, WAIT_MS);
		n = sse_ids(&s, ids, 64);
		ck_assert_int_eq(n, 2);
		ck_assert_int_eq(ids[0], first + 4);
		sse_close(&s);
	}
	/* a browser's onmessage sees only unnamed events: ?event=message */
	{
		const char *h3[] = { rohdr, hdr, NULL };

		sse_open(&s, "/api/events?event=message", h3, 0);
		snprintf(last, sizeof(last), "\nid: %lld\ndata: {", first + 4);
		sse_until(&s, last, WAIT_MS);
		ck_assert_ptr_null(strstr(s.buf, "event: "));
		sse_close(&s);
	}
}
END_TEST

/*
 * The outbox's ids are taken at insert, seen at commit: an event of a
 * transaction that commits after a later one's must still come, once, and
 * a client resuming from the later one must still get it.
 */
START_TEST(a_late_commit_is_neither_skipped_nor_repeated)
{
	const char *h[] = { rohdr, NULL };
	PGconn *slow = PQconnectdb(T.url);
	PGresult *r;
	long long early, later, ids[16];
	struct sse s;
	char want[64];
	int n;

	ck_assert_int_eq(PQstatus(slow), CONNECTION_OK);
	sse_open(&s, "/api/events", h, 0);
	sse_until(&s, "retry: ", WAIT_MS);
	r = PQexec(slow, "BEGIN; INSERT INTO events (kind) VALUES ('sync_done') RETURNING id");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	early = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	later = insert_event("queue_paused");
	ck_assert_int_gt(later, early);
	/* the later event waits for the older transaction: nothing yet */
	usleep(1500 * 1000);
	sse_pump(&s, 200);
	ck_assert_int_eq(sse_ids(&s, ids, 16), 0);
	r = PQexec(slow, "COMMIT");
	ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(slow);
	snprintf(want, sizeof(want), "\nid: %lld\n", later);
	sse_until(&s, want, WAIT_MS);
	sse_pump(&s, 500);
	n = sse_ids(&s, ids, 16);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ids[0], early);
	ck_assert_int_eq(ids[1], later);
	sse_close(&s);
}
END_TEST

/*
 * ?after=N comes from a page, which read by id: the client has the events up
 * to N that were committed, not one a running transaction took a lower id
 * for, nor one an older transaction writes after it.
 */
START_TEST(a_page_s_after_n_gets_what_the_page_could_not_show)
{
	const char *h[] = { rohdr, NULL };
	PGconn *a = PQconnectdb(T.url), *b = PQconnectdb(T.url);
	PGresult *r;
	long long lower, page_n, older_later, ids[16];
	struct sse s;
	char path[64], want[64];
	int n;

	ck_assert_int_eq(PQstatus(a), CONNECTION_OK);
	ck_assert_int_eq(PQstatus(b), CONNECTION_OK);
	/* a takes an id and runs on; b, younger, takes an id and a transaction
	 * id of its own, commits later; the page sees neither yet */
	r = PQexec(a, "BEGIN; INSERT INTO events (kind) VALUES ('sync_started') RETURNING id");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	lower = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	r = PQexec(b, "BEGIN; SELECT pg_current_xact_id()");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	page_n = insert_event("queue_paused");		/* what the page showed last */
	ck_assert_int_gt(page_n, lower);
	snprintf(path, sizeof(path), "/api/events?after=%lld", page_n);
	sse_open(&s, path, h, 0);
	sse_until(&s, "retry: ", WAIT_MS);
	r = PQexec(b, "INSERT INTO events (kind) VALUES ('sync_done') RETURNING id");
	ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
	older_later = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	PQclear(PQexec(b, "COMMIT"));
	PQclear(PQexec(a, "COMMIT"));
	PQfinish(a);
	PQfinish(b);
	snprintf(want, sizeof(want), "\nid: %lld\n", older_later);
	sse_until(&s, want, WAIT_MS);
	snprintf(want, sizeof(want), "\nid: %lld\n", lower);
	sse_until(&s, want, WAIT_MS);
	sse_pump(&s, 500);
	/* both, once each, and not the page's own event again */
	n = sse_ids(&s, ids, 16);
	ck_assert_msg(n == 2, "%d events sent:\n%s", n, s.buf);
	sse_close(&s);
}
END_TEST

START_TEST(same_access_as_any_read_route)
{
	struct sse s;
	const char *bad[] = { "X-Api-Key: not-a-key-at-all-0000000000", NULL };
	const char *badid[] = { rohdr, "Last-Event-ID: 12abc", NULL };

	sse_open(&s, "/api/events", NULL, 0);
	sse_until_eof(&s, WAIT_MS);
	ck_assert_int_eq(s.status, 401);
	ck_assert_ptr_nonnull(strstr(s.buf, "\"unauthenticated\""));
	sse_close(&s);
	sse_open(&s, "/api/events", bad, 0);
	sse_until_eof(&s, WAIT_MS);
	ck_assert_int_eq(s.status, 401);
	sse_close(&s);
	sse_open(&s, "/api/events", badid, 0);
	sse_until_eof(&s, WAIT_MS);
	ck_assert_int_eq(s.status, 400);
	sse_close(&s);
	/* a session works as well as a key */
	{
		struct http_session sess;

		ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &sess), 200);
		{
			const char *h[] = { sess.cookie, NULL };

			sse_open(&s, "/api/events", h, 0);
			sse_until(&s, "retry: ", WAIT_MS);
			ck_assert_int_eq(s.status, 200);
			sse_close(&s);
		}
	}
}
END_TEST

START_TEST(limits_per_key_and_per_server)
{
	const char *k1[] = { rohdr, NULL }, *k2[] = { rohdr2, NULL };
	struct sse a, b, c, d, e, f;

	sse_open(&a, "/api/events", k1, 0);
	sse_until(&a, "retry: ", WAIT_MS);
	sse_open(&b, "/api/events", k1, 0);
	sse_until(&b, "retry: ", WAIT_MS);
	/* a third for the same key: 429 */
	sse_open(&c, "/api/events", k1, 0);
	sse_until_eof(&c, WAIT_MS);
	ck_assert_int_eq(c.status, 429);
	ck_assert_ptr_nonnull(strstr(c.buf, "Retry-After: "));
	sse_open(&d, "/api/events", k2, 0);
	sse_until(&d, "retry: ", WAIT_MS);
	sse_open(&e, "/api/events", k2, 0);
	sse_until(&e, "retry: ", WAIT_MS);
	/* four open, the server's maximum: 503 for anyone */
	{
		const char *k3[] = { rohdr3, NULL };

		sse_open(&f, "/api/events", k3, 0);
		sse_until_eof(&f, WAIT_MS);
		ck_assert_int_eq(f.status, 503);
		sse_close(&f);
	}
	ck_assert_int_eq(open_streams(), 4);
	/* one gone, one may come */
	sse_close(&a);
	wait_open_streams(3);
	sse_open(&a, "/api/events", k1, 0);
	sse_until(&a, "retry: ", WAIT_MS);
	ck_assert_int_eq(a.status, 200);
	sse_close(&a);
	sse_close(&b);
	sse_close(&c);
	sse_close(&d);
	sse_close(&e);
}
END_TEST

START_TEST(revoked_session_or_key_ends_the_stream)
{
	struct http_session sess;
	struct sse s, k;
	char *id;

	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &sess), 200);
	{
		const char *h[] = { sess.cookie, NULL };
		const char *lo[] = { sess.cookie, sess.origin_hdr, sess.csrf_hdr, NULL };
		struct http_resp r;

		sse_open(&s, "/api/events", h, 0);
		sse_until(&s, "retry: ", WAIT_MS);
		ck_assert_int_eq(http_do(&S, "POST", "/api/auth/logout", lo, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		http_resp_free(&r);
	}
	ck_assert_msg(sse_until_eof(&s, WAIT_MS), "the stream outlived its session");
	sse_close(&s);

	{
		const char *h[] = { rohdr2, NULL };
		const char *argv[] = { "comradarr", "apikey", "revoke", NULL, NULL };

		sse_open(&k, "/api/events", h, 0);
		sse_until(&k, "retry: ", WAIT_MS);
		/* rokey2: the second key made */
		id = pgtest_scalar(&T, "SELECT id::text FROM api_keys ORDER BY id LIMIT 1 OFFSET 1");
		ck_assert_ptr_nonnull(id);
		argv[3] = id;
		clitest_ok(argv, NULL);
		free(id);
	}
	ck_assert_msg(sse_until_eof(&k, WAIT_MS), "the stream outlived its key");
	sse_close(&k);
}
END_TEST

START_TEST(heartbeat_keeps_an_idle_stream_talking)
{
	const char *h[] = { rohdr, NULL };
	struct sse s;

	sse_open(&s, "/api/events", h, 0);
	sse_until(&s, "retry: ", WAIT_MS);
	sse_until(&s, "\n: keep-alive\n\n", WAIT_MS);
	ck_assert(!s.eof);
	sse_close(&s);
}
END_TEST

/* A client that stops reading falls out of the ring and is dropped: the
 * server's memory does not grow with it. */
START_TEST(a_client_that_does_not_read_is_dropped)
{
	const char *h[] = { rohdr, NULL };
	struct sse s;
	long dropped = 0;
	long long end;

	sse_open(&s, "/api/events", h, 2048);
	sse_until(&s, "retry: ", WAIT_MS);
	/* far more than the ring holds (1 MiB, 4096 events) */
	pgtest_exec(&T, "INSERT INTO events (kind, payload) SELECT 'search_outcome', "
		    "jsonb_build_object('pad', repeat('x', 300), 'n', g) "
		    "FROM generate_series(1, 12000) g");
	end = ms_now() + WAIT_MS;
	while (dropped == 0 && ms_now() < end) {
		const char *m[] = { rohdr3, NULL };
		struct http_resp r;
		const char *p;

		usleep(200 * 1000);
		ck_assert_int_eq(http_do(&S, "GET", "/metrics", m, NULL, &r), 0);
		p = strstr(r.body, "\ncomradarr_event_streams_dropped_total ");
		ck_assert_ptr_nonnull(p);
		dropped = strtol(p + 39, NULL, 10);
		http_resp_free(&r);
	}
	ck_assert_msg(dropped >= 1, "the slow stream was not dropped");
	/* what it had buffered drains, then the stream ends */
	ck_assert(sse_until_eof(&s, WAIT_MS));
	sse_close(&s);
}
END_TEST

START_TEST(sigterm_ends_the_streams_and_the_server_exits)
{
	const char *h[] = { rohdr, NULL }, *h2[] = { rohdr2, NULL };
	struct sse a, b;
	long long t0;

	sse_open(&a, "/api/events", h, 0);
	sse_until(&a, "retry: ", WAIT_MS);
	sse_open(&b, "/api/events?after=0", h2, 0);
	sse_until(&b, "retry: ", WAIT_MS);
	t0 = ms_now();
	ck_assert_int_eq(servectl_stop(&S), 0);
	/* the grace for normal requests is 10 s: streams must not use it up */
	ck_assert_msg(ms_now() - t0 < 8000, "stopping took %lld ms", ms_now() - t0);
	ck_assert(sse_until_eof(&a, WAIT_MS));
	ck_assert(sse_until_eof(&b, WAIT_MS));
	sse_close(&a);
	sse_close(&b);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("serve_events");
	TCase *tc = tcase_create("events");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, an_event_written_after_connect_arrives_as_the_page_has_it);
	tcase_add_test(tc, resume_sends_exactly_the_missed_events_in_order);
	tcase_add_test(tc, a_late_commit_is_neither_skipped_nor_repeated);
	tcase_add_test(tc, a_page_s_after_n_gets_what_the_page_could_not_show);
	tcase_add_test(tc, same_access_as_any_read_route);
	tcase_add_test(tc, limits_per_key_and_per_server);
	tcase_add_test(tc, revoked_session_or_key_ends_the_stream);
	tcase_add_test(tc, heartbeat_keeps_an_idle_stream_talking);
	tcase_add_test(tc, a_client_that_does_not_read_is_dropped);
	tcase_add_test(tc, sigterm_ends_the_streams_and_the_server_exits);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
