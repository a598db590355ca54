/*
 * evstream.c - the outbox read for the live event stream (see evstream.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/evstream.h"
#include "core/banned.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

/* Every transaction below this one has ended: its events are all visible. */
#define HORIZON "pg_snapshot_xmin(pg_current_snapshot())"

int
db_evcursor_cmp(const struct db_evcursor *a, const struct db_evcursor *b)
{
	if (a->xid != b->xid)
		return a->xid < b->xid ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

static uint64_t
xid_of(const PGresult *r, int row, int col)
{
	const char *s = db_str(r, row, col);

	return s != NULL ? strtoull(s, NULL, 10) : 0;
}

int
db_evstream_listen(PGconn *db, struct err *e)
{
	return db_exec(db, "LISTEN " DB_EVSTREAM_CHANNEL, e);
}

int
db_evstream_notified(PGconn *db, int *got, struct err *e)
{
	PGnotify *n;

	*got = 0;
	if (PQconsumeInput(db) == 0)
		return err_set(e, ERR_DB, "event listener: %s", PQerrorMessage(db));
	while ((n = PQnotifies(db)) != NULL) {
		*got = 1;
		PQfreemem(n);
	}
	return 0;
}

int
db_evstream_head(PGconn *db, struct db_evcursor *out, struct err *e)
{
	PGresult *r = NULL;

	out->xid = 0;
	out->id = 0;
	/* ORDER BY the column, not the text output of the same name: that
	 * would sort "999" after "1000" and miss the index */
	if (db_query(db, "SELECT v.xid::text, v.id FROM events v WHERE v.xid < " HORIZON " "
		     "ORDER BY v.xid DESC, v.id DESC LIMIT 1", 0, NULL, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		out->xid = xid_of(r, 0, 0);
		out->id = db_int64(r, 0, 1, 0);
	}
	PQclear(r);
	return 0;
}

int
db_evstream_resume(PGconn *db, int64_t id, struct db_evcursor *out, struct err *e)
{
	char idbuf[24];
	const char *p[1] = { db_fmt_int64(idbuf, sizeof(idbuf), id) };
	PGresult *r = NULL;
	int ret = 0;

	/* The event itself; else (pruned, or 0: from the start) just before
	 * the oldest transaction that wrote a later one: at worst an event
	 * the client had is sent again, never one it lacks is skipped. */
	if (db_query(db,
		     "SELECT x.xid::text, $1::bigint FROM events x WHERE x.id = $1::bigint "
		     "UNION ALL (SELECT min(y.xid)::text, 0 FROM events y WHERE y.id > $1::bigint "
		     "HAVING count(*) > 0) LIMIT 1", 1, p, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 1) {
		out->xid = xid_of(r, 0, 0);
		out->id = db_int64(r, 0, 1, 0);
		/* (xid, 0) would skip nothing of xid but must not skip it either */
		if (out->id == 0 && out->xid > 0) {
			out->xid--;
			out->id = INT64_MAX;
		}
	} else {
		ret = db_evstream_head(db, out, e);
	}
	PQclear(r);
	return ret;
}

int
db_evsnap_visible(const struct db_evsnap *s, uint64_t xid)
{
	if (xid < s->xmin)
		return 1;
	if (xid >= s->xmax || s->nxip < 0)
		return 0;
	for (int i = 0; i < s->nxip; i++)
		if (s->xip[i] == xid)
			return 0;
	return 1;
}

/* "xmin:xmax:xip,xip,..." (pg_snapshot's text form) */
static void
snap_parse(const char *t, struct db_evsnap *s)
{
	char *end;

	memset(s, 0, sizeof(*s));
	s->xmin = strtoull(t, &end, 10);
	s->xmax = *end == ':' ? strtoull(end + 1, &end, 10) : s->xmin;
	if (*end == ':')
		end++;
	while (*end >= '0' && *end <= '9') {
		if (s->nxip == DB_EVSNAP_XIP) {
			s->nxip = -1;
			return;
		}
		s->xip[s->nxip++] = strtoull(end, &end, 10);
		if (*end == ',')
			end++;
	}
}

int
db_evstream_after_id(PGconn *db, int64_t id, struct db_evcursor *out, struct db_evsnap *snap,
		     struct err *e)
{
	char idbuf[24];
	const char *p[1] = { db_fmt_int64(idbuf, sizeof(idbuf), id) };
	PGresult *r = NULL;
	uint64_t low;

	/* min() over the ids above: a short range of the primary key when
	 * the id is recent, as a page's is */
	if (db_query(db, "SELECT pg_current_snapshot()::text, "
		     "(SELECT min(y.xid)::text FROM events y WHERE y.id > $1::bigint)",
		     1, p, &r, e) < 0)
		return -1;
	snap_parse(db_str(r, 0, 0) ? db_str(r, 0, 0) : "0:0:", snap);
	low = snap->xmin;
	if (db_str(r, 0, 1) != NULL && xid_of(r, 0, 1) < low)
		low = xid_of(r, 0, 1);
	PQclear(r);
	/* every event of a transaction from `low` on: (low - 1, the last id) */
	out->xid = low > 0 ? low - 1 : 0;
	out->id = low > 0 ? INT64_MAX : 0;
	return 0;
}

int
db_evstream_read(PGconn *db, const struct db_evcursor *after, const struct db_evcursor *upto,
		 int limit, db_evstream_fn fn, void *arg, int *n, struct err *e)
{
	char ax[24], ai[24], ux[24], ui[24], lim[16];
	const char *p[5] = { ax, ai, upto ? ux : NULL, upto ? ui : NULL, lim };
	PGresult *r = NULL;
	int rows;

	*n = 0;
	snprintf(ax, sizeof(ax), "%" PRIu64, after->xid);
	db_fmt_int64(ai, sizeof(ai), after->id);
	if (upto != NULL) {
		snprintf(ux, sizeof(ux), "%" PRIu64, upto->xid);
		db_fmt_int64(ui, sizeof(ui), upto->id);
	}
	snprintf(lim, sizeof(lim), "%d", limit);
	/* the object is the one GET /api/events pages (browse.c), so a client
	 * reads both the same way */
	if (db_query(db,
		     "SELECT v.xid::text, v.id, v.kind, json_build_object('id', v.id, 'kind', v.kind, "
		     "'at', " TS("v.created_at") ", 'connector', c.name, "
		     "'correlation_id', v.correlation_id, 'payload', v.payload)::text "
		     "FROM events v LEFT JOIN connectors c ON c.id = v.connector_id "
		     "WHERE (v.xid, v.id) > ($1::xid8, $2::bigint) AND v.xid < " HORIZON " "
		     "AND ($3::xid8 IS NULL OR (v.xid, v.id) <= ($3::xid8, $4::bigint)) "
		     "ORDER BY v.xid, v.id LIMIT $5::int", 5, p, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		struct db_evcursor c = { xid_of(r, i, 0), db_int64(r, i, 1, 0) };

		(*n)++;
		if (fn(arg, &c, db_str(r, i, 2), PQgetvalue(r, i, 3),
		       (size_t)PQgetlength(r, i, 3)) < 0)
			break;
	}
	PQclear(r);
	return 0;
}

int
db_evstream_alive(PGconn *db, const char *const *sessions, size_t ns,
		  const int64_t *keys, size_t nk, unsigned char *alive_s,
		  unsigned char *alive_k, struct err *e)
{
	struct buf arr;
	PGresult *r = NULL;
	const char *p[1];
	int ret = -1;

	buf_init(&arr, 0);
	memset(alive_s, 0, ns);
	memset(alive_k, 0, nk);
	if (ns > 0) {
		/* the hashes are hex (auth.c): nothing to quote in the literal */
		if (buf_putc(&arr, '{') < 0)
			goto nomem;
		for (size_t i = 0; i < ns; i++)
			if (buf_appendf(&arr, i ? ",%s" : "%s", sessions[i]) < 0)
				goto nomem;
		if (buf_putc(&arr, '}') < 0)
			goto nomem;
		p[0] = arr.data;
		if (db_query(db, "SELECT s.id_hash FROM sessions s WHERE s.id_hash = ANY($1::text[]) "
			     "AND s.expires_at > now() AND s.idle_until > now()", 1, p, &r, e) < 0)
			goto out;
		for (int i = 0; i < PQntuples(r); i++)
			for (size_t k = 0; k < ns; k++)
				if (strcmp(sessions[k], PQgetvalue(r, i, 0)) == 0)
					alive_s[k] = 1;
		PQclear(r);
		r = NULL;
	}
	if (nk > 0) {
		arr.len = 0;
		if (db_array_int64(&arr, keys, nk) < 0)
			goto nomem;
		p[0] = arr.data;
		if (db_query(db, "SELECT k.id FROM api_keys k WHERE k.id = ANY($1::bigint[]) "
			     "AND k.revoked_at IS NULL", 1, p, &r, e) < 0)
			goto out;
		for (int i = 0; i < PQntuples(r); i++)
			for (size_t k = 0; k < nk; k++)
				if (keys[k] == db_int64(r, i, 0, 0))
					alive_k[k] = 1;
		PQclear(r);
	}
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
out:
	buf_release(&arr);
	return ret;
}
