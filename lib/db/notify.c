/*
 * notify.c - notification channels and deliveries.  See notify.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/events.h"
#include "db/notify.h"
#include "core/name.h"
#include "core/banned.h"

#define AD_TABLE "notify_channels"

/*
 * The box is bound to the row (its id) and to where the secrets go: the
 * type, config.url and the TLS setting, hashed into the column name of the
 * associated data, as connectors do (lib/db/connectors.c).
 */
static void
ad_column(const struct notify_channel *c, char out[SECRETBOX_MAX_AD_NAME])
{
	json_t *u = json_object_get(c->config, "url"), *t = json_object_get(c->config, "tls_verify");
	const char *url = json_string_value(u) ? json_string_value(u) : "";
	unsigned char h[16];
	crypto_generichash_state st;
	char hex[33];

	crypto_generichash_init(&st, (const unsigned char *)"comradarr notify v1", 19, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)c->type, strlen(c->type));
	crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
	crypto_generichash_update(&st, (const unsigned char *)url, strlen(url));
	crypto_generichash_update(&st, (const unsigned char *)(json_is_false(t) ? "\n0" : "\n1"), 2);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, SECRETBOX_MAX_AD_NAME, "secret_enc@%s", hex);
}

/* A channel's columns (CH_* below), for every query that loads one. */
#define CH_COLS \
	"c.id, c.name, c.type, c.enabled, c.config::text, c.secret_enc, " \
	"array_to_json(c.events)::text, c.min_severity, " \
	"(SELECT json_agg(json_build_object('id', k.id, 'name', k.name) ORDER BY k.name) " \
	" FROM connectors k WHERE k.id = ANY (c.connector_ids))::text, " \
	"c.batch_window_s, c.quiet_start, c.quiet_end, c.quiet_tz, c.quiet_mode, c.max_per_hour, " \
	"c.templates::text, c.stopped_reason "
static const char select_cols[] = "SELECT " CH_COLS "FROM notify_channels c ";
enum {
	CH_ID = 0, CH_NAME, CH_TYPE, CH_ENABLED, CH_CONFIG, CH_SECRET, CH_EVENTS, CH_SEVERITY,
	CH_CONNECTORS, CH_WINDOW, CH_QSTART, CH_QEND, CH_QTZ, CH_QMODE, CH_MAXHOUR, CH_TEMPLATES,
	CH_STOPPED, CH_NCOLS
};

void
notify_channel_release(struct notify_channel *c)
{
	json_decref(c->config);
	json_decref(c->events);
	json_decref(c->connectors);
	json_decref(c->templates);
	free(c->secret_enc);
	free(c->stopped_reason);
	memset(c, 0, sizeof(*c));
}

void
notify_channel_list_free(struct notify_channel *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		notify_channel_release(&list[i]);
	free(list);
}

int
notify_channel_validate_name(const char *name, struct err *e)
{
	return name_check("channel", name, e);
}

static json_t *
load_json(const PGresult *r, int i, int col)
{
	const char *s = db_str(r, i, col);

	return s ? json_loads(s, 0, NULL) : NULL;
}

static int
load_row(const PGresult *r, int i, int base, struct notify_channel *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int64(r, i, base + CH_ID, 0);
	snprintf(c->name, sizeof(c->name), "%s", PQgetvalue(r, i, base + CH_NAME));
	snprintf(c->type, sizeof(c->type), "%s", PQgetvalue(r, i, base + CH_TYPE));
	c->enabled = db_bool(r, i, base + CH_ENABLED);
	c->config = load_json(r, i, base + CH_CONFIG);
	c->events = load_json(r, i, base + CH_EVENTS);
	if (notify_severity_parse(PQgetvalue(r, i, base + CH_SEVERITY), &c->min_severity) < 0)
		c->min_severity = NOTIFY_INFO;
	c->connectors = load_json(r, i, base + CH_CONNECTORS);
	c->batch_window_s = (int)db_int64(r, i, base + CH_WINDOW, 300);
	if (db_str(r, i, base + CH_QSTART) != NULL) {
		c->quiet.enabled = 1;
		c->quiet.start_min = (int)db_int64(r, i, base + CH_QSTART, 0);
		c->quiet.end_min = (int)db_int64(r, i, base + CH_QEND, 0);
	}
	snprintf(c->quiet_tz, sizeof(c->quiet_tz), "%s", PQgetvalue(r, i, base + CH_QTZ));
	c->quiet_drop = strcmp(PQgetvalue(r, i, base + CH_QMODE), "drop") == 0;
	c->max_per_hour = (int)db_int64(r, i, base + CH_MAXHOUR, 0);
	c->templates = load_json(r, i, base + CH_TEMPLATES);
	if (db_str(r, i, base + CH_STOPPED) != NULL)
		c->stopped_reason = strdup(db_str(r, i, base + CH_STOPPED));
	if (c->config == NULL || c->templates == NULL)
		return err_set(e, ERR_DB, "channel '%s' has a malformed row", c->name);
	if (!PQgetisnull(r, i, base + CH_SECRET) &&
	    db_bytea(r, i, base + CH_SECRET, &c->secret_enc, &c->secret_enc_len, e) < 0)
		return -1;
	return 0;
}

static int
seal(const struct secret_key *k, const struct notify_channel *c, const json_t *secrets,
     unsigned char **box, size_t *len, struct err *e)
{
	char col[SECRETBOX_MAX_AD_NAME];
	char *plain = json_dumps(secrets, JSON_COMPACT);
	int ret;

	if (plain == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	ad_column(c, col);
	ret = secretbox_seal(k, AD_TABLE, col, (long long)c->id, (const unsigned char *)plain,
			     strlen(plain), box, len, e);
	sodium_memzero(plain, strlen(plain));
	free(plain);
	return ret;
}

int
db_notify_channel_secrets(const struct secret_key *k, const struct notify_channel *c,
			  json_t **out, struct err *e)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	char col[SECRETBOX_MAX_AD_NAME];
	const char *key;
	json_t *v;

	*out = NULL;
	if (c->secret_enc == NULL) {
		*out = json_object();
		return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
	}
	ad_column(c, col);
	if (secretbox_open(k, AD_TABLE, col, (long long)c->id, c->secret_enc, c->secret_enc_len,
			   &plain, &len, e) < 0) {
		if (secretbox_is_key_mismatch(e))
			return err_prefix(e, "cannot decrypt the credentials of channel '%s'", c->name);
		return err_set(e, ERR_CRYPTO, "the credentials of channel '%s' were not sealed for "
			       "its current address or type (changed outside Comradarr, or the row "
			       "was tampered with): nothing is sent; set them again with "
			       "'comradarr channel edit %s'", c->name, c->name);
	}
	*out = json_loadb((const char *)plain, len, 0, NULL);
	sodium_memzero(plain, len);
	free(plain);
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return err_set(e, ERR_CRYPTO, "the credentials of channel '%s' are malformed", c->name);
	}
	json_object_foreach(*out, key, v) {
		if (json_is_string(v))
			log_secret_add(json_string_value(v));
	}
	return 0;
}

/* The columns every write sets, as text parameters $2..$12 ($1 is the id). */
struct params {
	const char *v[13];
	char *config, *events, *conns, *templates;
	char window[16], qs[8], qe[8], maxh[16], en[2];
};

static void
params_release(struct params *p)
{
	free(p->config);
	free(p->events);
	free(p->conns);
	free(p->templates);
}

static int
params_fill(struct params *p, const struct notify_channel *c, struct err *e)
{
	struct buf ids = BUF_INIT;
	size_t i;
	json_t *v;

	memset(p, 0, sizeof(*p));
	p->config = json_dumps(c->config, JSON_COMPACT);
	p->templates = c->templates ? json_dumps(c->templates, JSON_COMPACT) : strdup("{}");
	if (c->events != NULL) {
		struct buf b = BUF_INIT;

		buf_putc(&b, '{');
		json_array_foreach(c->events, i, v)
			buf_appendf(&b, "%s%s", i ? "," : "", json_string_value(v));
		buf_putc(&b, '}');
		p->events = buf_detach(&b);
	}
	if (c->connectors != NULL) {
		buf_putc(&ids, '{');
		json_array_foreach(c->connectors, i, v)
			buf_appendf(&ids, "%s%lld", i ? "," : "",
				    (long long)json_integer_value(json_object_get(v, "id")));
		buf_putc(&ids, '}');
		p->conns = buf_detach(&ids);
	}
	snprintf(p->window, sizeof(p->window), "%d", c->batch_window_s);
	snprintf(p->maxh, sizeof(p->maxh), "%d", c->max_per_hour);
	snprintf(p->en, sizeof(p->en), "%c", c->enabled ? 't' : 'f');
	if (c->quiet.enabled) {
		snprintf(p->qs, sizeof(p->qs), "%d", c->quiet.start_min);
		snprintf(p->qe, sizeof(p->qe), "%d", c->quiet.end_min);
	}
	p->v[1] = c->name;
	p->v[2] = c->type;
	p->v[3] = p->en;
	p->v[4] = p->config;
	p->v[5] = p->events;
	p->v[6] = notify_severity_name(c->min_severity);
	p->v[7] = p->conns;
	p->v[8] = p->window;
	p->v[9] = c->quiet.enabled ? p->qs : NULL;
	p->v[10] = c->quiet.enabled ? p->qe : NULL;
	p->v[11] = c->quiet_tz[0] ? c->quiet_tz : "UTC";
	p->v[12] = c->quiet_drop ? "drop" : "hold";
	if (p->config == NULL || p->templates == NULL || (c->events && p->events == NULL) ||
	    (c->connectors && p->conns == NULL))
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

static int
set_secret(PGconn *db, const struct secret_key *k, const struct notify_channel *c,
	   const json_t *secrets, struct err *e)
{
	unsigned char *box = NULL;
	size_t len = 0;
	char idb[24];
	const char *vals[2];
	int lens[2] = { 0, 0 }, fmts[2] = { 0, 1 }, ret;

	if (seal(k, c, secrets, &box, &len, e) < 0)
		return -1;
	vals[0] = db_fmt_int64(idb, sizeof(idb), c->id);
	vals[1] = (const char *)box;
	lens[1] = (int)len;
	ret = db_query_bin(db, "UPDATE notify_channels SET secret_enc = $2 WHERE id = $1", 2, vals,
			   lens, fmts, NULL, e);
	free(box);
	return ret;
}

int
db_notify_channel_add(PGconn *db, const struct secret_key *k, struct notify_channel *c,
		      const json_t *secrets, struct err *e)
{
	struct params p;
	PGresult *r = NULL;
	int ret = -1;

	if (notify_channel_validate_name(c->name, e) < 0 || params_fill(&p, c, e) < 0)
		goto out;
	p.v[0] = p.templates;	/* $1 is the templates here: no id yet */
	if (db_begin(db, e) < 0)
		goto out;
	if (db_query(db, "INSERT INTO notify_channels (templates, name, type, enabled, config, "
		     " events, min_severity, connector_ids, batch_window_s, quiet_start, quiet_end, "
		     " quiet_tz, quiet_mode, max_per_hour) VALUES ($1::jsonb, $2, $3, $4, $5::jsonb, "
		     " $6::text[], $7, $8::bigint[], $9, $10, $11, $12, $13, $14) RETURNING id",
		     14, (const char *const[]){ p.v[0], p.v[1], p.v[2], p.v[3], p.v[4], p.v[5], p.v[6],
			     p.v[7], p.v[8], p.v[9], p.v[10], p.v[11], p.v[12], p.maxh }, &r, e) < 0) {
		if (e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a channel named '%s' already exists; pick another "
				"name or change it with 'comradarr channel edit %s'", c->name, c->name);
		goto fail;
	}
	c->id = db_int64(r, 0, 0, 0);
	if (set_secret(db, k, c, secrets, e) < 0 || db_commit(db, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	db_rollback(db);
out:
	PQclear(r);
	params_release(&p);
	return ret;
}

int
db_notify_channel_update(PGconn *db, const struct secret_key *k, const struct notify_channel *c,
			 const json_t *secrets, struct err *e)
{
	struct params p;
	char idb[24];
	int ret = -1;

	if (notify_channel_validate_name(c->name, e) < 0 || params_fill(&p, c, e) < 0)
		goto out;
	p.v[0] = db_fmt_int64(idb, sizeof(idb), c->id);
	if (db_begin(db, e) < 0)
		goto out;
	if (db_query(db, "UPDATE notify_channels SET name = $2, type = $3, enabled = $4, "
		     " config = $5::jsonb, events = $6::text[], min_severity = $7, "
		     " connector_ids = $8::bigint[], batch_window_s = $9, quiet_start = $10, "
		     " quiet_end = $11, quiet_tz = $12, quiet_mode = $13, max_per_hour = $14, "
		     " templates = $15::jsonb, updated_at = now(), "
		     " stopped_reason = CASE WHEN $4 THEN NULL ELSE stopped_reason END WHERE id = $1",
		     15, (const char *const[]){ p.v[0], p.v[1], p.v[2], p.v[3], p.v[4], p.v[5], p.v[6],
			     p.v[7], p.v[8], p.v[9], p.v[10], p.v[11], p.v[12], p.maxh, p.templates },
		     NULL, e) < 0) {
		if (e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a channel named '%s' already exists", c->name);
		goto fail;
	}
	if (secrets != NULL && set_secret(db, k, c, secrets, e) < 0)
		goto fail;
	if (db_commit(db, e) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	db_rollback(db);
out:
	params_release(&p);
	return ret;
}

int
db_notify_channel_get(PGconn *db, const char *name, struct notify_channel *c, struct err *e)
{
	PGresult *r = NULL;
	char sql[2048];
	int ret = -1;

	memset(c, 0, sizeof(*c));
	snprintf(sql, sizeof(sql), "%sWHERE c.name = $1", select_cols);
	if (db_query(db, sql, 1, (const char *const[]){ name }, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		err_set(e, ERR_NOTFOUND, "no channel named '%s'; 'comradarr channel list' shows them",
			name);
		goto out;
	}
	ret = load_row(r, 0, 0, c, e);
out:
	PQclear(r);
	return ret;
}

int
db_notify_channel_list(PGconn *db, struct notify_channel **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	char sql[2048];
	int ret = -1, rows;

	*list = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql), "%sORDER BY c.name", select_cols);
	if (db_query(db, sql, 0, NULL, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	*list = calloc(rows > 0 ? (size_t)rows : 1, sizeof(**list));
	if (*list == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		(*n)++;
		if (load_row(r, i, 0, &(*list)[i], e) < 0)
			goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_notify_channel_remove(PGconn *db, const char *name, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "DELETE FROM notify_channels WHERE name = $1 RETURNING id", 1,
		     (const char *const[]){ name }, &r, e) < 0)
		return -1;
	if (PQntuples(r) == 0)
		err_set(e, ERR_NOTFOUND, "no channel named '%s'; 'comradarr channel list' shows them",
			name);
	else
		ret = 0;
	PQclear(r);
	return ret;
}

/* ------------------------------------------------------------ delivery */

int
db_notify_lock_next_channel(PGconn *db, int64_t after_id, struct notify_channel *c,
			    int *found, struct err *e)
{
	PGresult *r = NULL;
	char sql[2048], idb[24];
	int ret = -1;

	*found = 0;
	memset(c, 0, sizeof(*c));
	snprintf(sql, sizeof(sql), "%sWHERE c.enabled AND c.stopped_reason IS NULL AND c.id > $1 "
		 "ORDER BY c.id LIMIT 1 FOR UPDATE OF c SKIP LOCKED", select_cols);
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, sql, 1, (const char *const[]){ db_fmt_int64(idb, sizeof(idb), after_id) },
		     &r, e) < 0)
		goto out;
	if (PQntuples(r) == 1) {
		if (load_row(r, 0, 0, c, e) < 0)
			goto out;
		*found = 1;
	}
	ret = 0;
out:
	PQclear(r);
	if (ret < 0 || !*found)
		db_rollback(db);
	return ret;
}

#define EVENT_COLS \
	"e.id, e.kind, e.connector_id, k.name, k.type, " DB_SQL_US("e.created_at") ", " \
	"e.payload::text, e.xid::text "

int
db_notify_new_events(PGconn *db, const struct notify_channel *c, const char *kinds_in,
		     const char *kinds_out, int limit, PGresult **res, char *xmin,
		     size_t xmin_size, struct err *e)
{
	PGresult *r = NULL;
	char idb[24], lim[16], cxid[32], cid[24];

	*res = NULL;
	/* The horizon first: everything below it is final (0010_notify.sql). */
	if (db_query(db, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", 0, NULL, &r, e) < 0)
		return -1;
	snprintf(xmin, xmin_size, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	/* The cursor as parameters, not a join: then the planner sees a range
	 * of events_xid and reads only the batch (a join read and sorted the
	 * whole outbox for every batch). */
	if (db_query(db, "SELECT cursor_xid::text, cursor_id FROM notify_channels WHERE id = $1",
		     1, (const char *const[]){ db_fmt_int64(idb, sizeof(idb), c->id) }, &r, e) < 0)
		return -1;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return err_set(e, ERR_NOTFOUND, "channel '%s' was removed", c->name);
	}
	snprintf(cxid, sizeof(cxid), "%s", PQgetvalue(r, 0, 0));
	snprintf(cid, sizeof(cid), "%s", PQgetvalue(r, 0, 1));
	PQclear(r);
	snprintf(lim, sizeof(lim), "%d", limit);
	return db_query(db, "SELECT " EVENT_COLS "FROM events e "
			"LEFT JOIN connectors k ON k.id = e.connector_id "
			"WHERE (e.xid, e.id) > ($1::xid8, $2::bigint) AND e.xid < $3::xid8 "
			" AND ($5::text[] IS NULL OR e.kind = ANY ($5::text[])) "
			" AND ($6::text[] IS NULL OR e.kind <> ALL ($6::text[])) "
			"ORDER BY e.xid, e.id LIMIT $4", 6,
			(const char *const[]){ cxid, cid, xmin, lim, kinds_in, kinds_out }, res, e);
}

static int
ids_param(struct buf *b, const int64_t *ids, size_t n)
{
	if (db_array_int64(b, ids, n) < 0)
		return -1;
	return 0;
}

int
db_notify_route(PGconn *db, int64_t channel_id, const int64_t *ids, size_t nids,
		const char *cursor_xid, int64_t cursor_id, long *n, struct err *e)
{
	struct buf b = BUF_INIT;
	PGresult *r = NULL;
	char idb[24], cur[24];
	int ret = -1;

	*n = 0;
	db_fmt_int64(idb, sizeof(idb), channel_id);
	if (nids > 0) {
		if (ids_param(&b, ids, nids) < 0) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (db_query(db, "INSERT INTO notify_deliveries (event_id, channel_id) "
			     "SELECT unnest($2::bigint[]), $1 ON CONFLICT DO NOTHING", 2,
			     (const char *const[]){ idb, b.data }, &r, e) < 0)
			goto out;
		*n = strtol(PQcmdTuples(r), NULL, 10);
	}
	if (db_query(db, "UPDATE notify_channels SET cursor_xid = $2::xid8, cursor_id = $3 "
		     "WHERE id = $1", 3, (const char *const[]){ idb, cursor_xid,
			     db_fmt_int64(cur, sizeof(cur), cursor_id) }, NULL, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	buf_release(&b);
	return ret;
}

int
db_notify_waiting(PGconn *db, int64_t channel_id, PGresult **res, struct err *e)
{
	char idb[24];

	return db_query(db, "SELECT " EVENT_COLS "FROM notify_deliveries d "
			"JOIN events e ON e.id = d.event_id "
			"LEFT JOIN connectors k ON k.id = e.connector_id "
			"WHERE d.channel_id = $1 AND d.state = 'waiting' ORDER BY e.kind, e.id", 1,
			(const char *const[]){ db_fmt_int64(idb, sizeof(idb), channel_id) }, res, e);
}

int
db_notify_drop(PGconn *db, int64_t channel_id, const int64_t *ids, size_t n, struct err *e)
{
	struct buf b = BUF_INIT;
	char idb[24];
	int ret;

	if (ids_param(&b, ids, n) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	ret = db_query(db, "UPDATE notify_deliveries SET state = 'dropped' WHERE channel_id = $1 "
		       "AND event_id = ANY ($2::bigint[])", 2,
		       (const char *const[]){ db_fmt_int64(idb, sizeof(idb), channel_id), b.data },
		       NULL, e);
	buf_release(&b);
	return ret;
}

int
db_notify_message_add(PGconn *db, int64_t channel_id, const char *kind,
		      enum notify_severity sev, const char *title, const char *body,
		      json_t *payloads, const int64_t *ids, size_t n, int64_t *id, struct err *e)
{
	struct buf b = BUF_INIT;
	PGresult *r = NULL;
	char idb[24], nb[16], mid[24];
	char *pl = json_dumps(payloads, JSON_COMPACT);
	int ret = -1;

	json_decref(payloads);
	if (pl == NULL || ids_param(&b, ids, n) < 0) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(nb, sizeof(nb), "%zu", n);
	db_fmt_int64(idb, sizeof(idb), channel_id);
	if (db_query(db, "INSERT INTO notify_messages (channel_id, kind, severity, nevents, title, "
		     "body, payload) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id", 7,
		     (const char *const[]){ idb, kind, notify_severity_name(sev), nb, title, body, pl },
		     &r, e) < 0)
		goto out;
	*id = db_int64(r, 0, 0, 0);
	if (db_query(db, "UPDATE notify_deliveries SET message_id = $3, state = 'queued' "
		     "WHERE channel_id = $1 AND event_id = ANY ($2::bigint[])", 3,
		     (const char *const[]){ idb, b.data, db_fmt_int64(mid, sizeof(mid), *id) },
		     NULL, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	free(pl);
	buf_release(&b);
	return ret;
}

void
notify_due_release(struct notify_due *d)
{
	free(d->title);
	free(d->body);
	json_decref(d->payload);
	notify_channel_release(&d->ch);
	memset(d, 0, sizeof(*d));
}

int
db_notify_lock_due(PGconn *db, struct notify_due *d, int *found, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1;

	*found = 0;
	memset(d, 0, sizeof(*d));
	/* the channel is locked with its message: one send per channel at a
	 * time across every notifier, so the hourly cap is exact */
	static const char sql[] =
		"SELECT m.id, m.kind, m.severity, m.nevents, m.attempts, m.title, m.body, "
		" m.payload::text, "
		" (SELECT count(*) FROM notify_messages s WHERE s.channel_id = c.id "
		"  AND s.state = 'sent' AND s.sent_at > now() - interval '1 hour'), "
		" (SELECT " DB_SQL_US("min(s.sent_at)") " FROM notify_messages s "
		"  WHERE s.channel_id = c.id AND s.state = 'sent' "
		"  AND s.sent_at > now() - interval '1 hour'), " DB_SQL_US("now()") ", " CH_COLS
		"FROM notify_channels c JOIN notify_messages m ON m.channel_id = c.id "
		"WHERE m.state = 'pending' AND m.next_attempt_at <= now() AND c.enabled "
		" AND c.stopped_reason IS NULL "
		"ORDER BY m.next_attempt_at, m.id LIMIT 1 FOR UPDATE OF m, c SKIP LOCKED";
	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, sql, 0, NULL, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 1) {
		enum { M_ID, M_KIND, M_SEV, M_N, M_ATT, M_TITLE, M_BODY, M_PL, M_SENT, M_OLDEST,
		       M_NOW, M_NCOLS };

		d->id = db_int64(r, 0, M_ID, 0);
		snprintf(d->kind, sizeof(d->kind), "%s", PQgetvalue(r, 0, M_KIND));
		if (notify_severity_parse(PQgetvalue(r, 0, M_SEV), &d->severity) < 0)
			d->severity = NOTIFY_INFO;
		d->nevents = (int)db_int64(r, 0, M_N, 1);
		d->attempts = (int)db_int64(r, 0, M_ATT, 0);
		d->title = strdup(PQgetvalue(r, 0, M_TITLE));
		d->body = strdup(PQgetvalue(r, 0, M_BODY));
		d->payload = json_loads(PQgetvalue(r, 0, M_PL), 0, NULL);
		d->sent_last_hour = (int)db_int64(r, 0, M_SENT, 0);
		d->oldest_sent_us = db_int64(r, 0, M_OLDEST, 0);
		d->now_us = db_int64(r, 0, M_NOW, 0);
		if (load_row(r, 0, M_NCOLS, &d->ch, e) < 0)
			goto out;
		d->channel_id = d->ch.id;
		snprintf(d->channel, sizeof(d->channel), "%s", d->ch.name);
		snprintf(d->type, sizeof(d->type), "%s", d->ch.type);
		if (d->title == NULL || d->body == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		*found = 1;
	}
	ret = 0;
out:
	PQclear(r);
	if (ret < 0 || !*found) {
		db_rollback(db);
		if (ret < 0)
			notify_due_release(d);
	}
	return ret;
}

int
db_notify_defer(PGconn *db, int64_t id, int64_t next_us, struct err *e)
{
	char idb[24], nb[24];

	if (db_query(db, "UPDATE notify_messages SET next_attempt_at = " DB_SQL_TS("$2")
		     " WHERE id = $1", 2, (const char *const[]){ db_fmt_int64(idb, sizeof(idb), id),
			     db_fmt_int64(nb, sizeof(nb), next_us) }, NULL, e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_notify_message_done(PGconn *db, const struct notify_due *d,
		       const struct notify_decision *v, long status, const char *answer,
		       const char *error, struct err *e)
{
	static const char *const states[] = { "sent", "pending", "failed", "failed" };
	static const char *const dstates[] = { "sent", "queued", "failed", "failed" };
	char idb[24], att[16], nb[24], st[16], cid[24];
	const char *state = states[v->verdict], *dstate = dstates[v->verdict];

	snprintf(att, sizeof(att), "%d", v->attempts);
	snprintf(st, sizeof(st), "%ld", status);
	db_fmt_int64(idb, sizeof(idb), d->id);
	db_fmt_int64(cid, sizeof(cid), d->channel_id);
	if (db_query(db, "UPDATE notify_messages SET state = $2, attempts = $3, "
		     " next_attempt_at = CASE WHEN $2 = 'pending' THEN " DB_SQL_TS("$4")
		     " ELSE next_attempt_at END, http_status = NULLIF($5::integer, 0), "
		     " answer = left($6, 500), last_error = left($7, 500), "
		     " sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1", 7,
		     (const char *const[]){ idb, state, att, db_fmt_int64(nb, sizeof(nb), v->next_us),
			     st, answer, error }, NULL, e) < 0 ||
	    db_query(db, "UPDATE notify_deliveries SET state = $2 WHERE message_id = $1", 2,
		     (const char *const[]){ idb, dstate }, NULL, e) < 0)
		goto fail;
	if (v->verdict == NOTIFY_STOP) {
		if (db_query(db, "UPDATE notify_channels SET stopped_reason = left($2, 500), "
			     "updated_at = now() WHERE id = $1", 2,
			     (const char *const[]){ cid, error ? error : "refused" }, NULL, e) < 0 ||
		    db_event_insert(db, "notify_channel_stopped", 0, NULL,
				    json_pack("{s:s, s:s, s:i, s:s?}", "channel", d->channel, "type",
					      d->type, "status", (int)status, "error", error), e) < 0)
			goto fail;
	} else if (v->verdict == NOTIFY_FAILED) {
		if (db_event_insert(db, "notify_failed", 0, NULL,
				    json_pack("{s:s, s:I, s:i, s:i, s:s?}", "channel", d->channel,
					      "message_id", (json_int_t)d->id, "attempts", v->attempts,
					      "status", (int)status, "error", error), e) < 0)
			goto fail;
	}
	if (db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
db_notify_channel_stats(PGconn *db, int64_t channel_id, long counts[4], struct err *e)
{
	PGresult *r = NULL;
	char idb[24];

	if (db_query(db, "SELECT (SELECT count(*) FROM notify_deliveries WHERE channel_id = $1 "
		     " AND state = 'waiting'), count(*) FILTER (WHERE state = 'pending'), "
		     " count(*) FILTER (WHERE state = 'sent'), count(*) FILTER (WHERE state = 'failed') "
		     "FROM notify_messages WHERE channel_id = $1", 1,
		     (const char *const[]){ db_fmt_int64(idb, sizeof(idb), channel_id) }, &r, e) < 0)
		return -1;
	for (int i = 0; i < 4; i++)
		counts[i] = (long)db_int64(r, 0, i, 0);
	PQclear(r);
	return 0;
}

int
db_notify_channel_reseal(PGconn *db, const struct secret_key *old_key,
			 const struct secret_key *new_key, int *resealed, int *already,
			 struct err *e)
{
	PGresult *r = NULL;
	unsigned char *box = NULL, *out = NULL, id[8];
	size_t len = 0, outlen = 0;
	int ret = -1;

	*resealed = *already = 0;
	/* the associated data is the channel's type, address and TLS setting
	 * (ad_column), so the generic (table, column, id) re-seal cannot open it */
	if (db_query(db, "SELECT id, name, type, config::text, secret_enc FROM notify_channels "
		     "WHERE secret_enc IS NOT NULL ORDER BY id FOR UPDATE", 0, NULL, &r, e) < 0)
		goto out;
	for (int i = 0; i < PQntuples(r); i++) {
		struct notify_channel c;
		char col[SECRETBOX_MAX_AD_NAME];

		free(box);
		box = NULL;
		free(out);
		out = NULL;
		if (db_bytea(r, i, 4, &box, &len, e) < 0)
			goto out;
		if (secretbox_key_id(box, len, id) == 0 && memcmp(id, new_key->id, 8) == 0) {
			(*already)++;
			continue;
		}
		memset(&c, 0, sizeof(c));
		snprintf(c.type, sizeof(c.type), "%s", PQgetvalue(r, i, 2));
		c.config = json_loads(PQgetvalue(r, i, 3), 0, NULL);
		ad_column(&c, col);
		json_decref(c.config);
		if (secretbox_reseal(old_key, new_key, AD_TABLE, col, (long long)db_int64(r, i, 0, 0),
				     box, len, &out, &outlen, e) < 0) {
			err_prefix(e, "the credentials of channel '%s'", PQgetvalue(r, i, 1));
			goto out;
		}
		{
			const char *vals[2] = { PQgetvalue(r, i, 0), (const char *)out };
			int lens[2] = { 0, (int)outlen }, fmts[2] = { 0, 1 };

			if (db_query_bin(db, "UPDATE notify_channels SET secret_enc = $2 WHERE id = $1",
					 2, vals, lens, fmts, NULL, e) < 0)
				goto out;
		}
		(*resealed)++;
	}
	ret = 0;
out:
	if (out != NULL)
		sodium_memzero(out, outlen);
	free(out);
	free(box);
	PQclear(r);
	return ret;
}
