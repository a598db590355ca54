#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/events.h"
#include "core/name.h"
#include "core/banned.h"

#define AD_TABLE "connectors"
#define AD_COLUMN "api_key_enc"

/*
 * The key is bound to where it may be sent: the box's associated data names
 * the column and a digest of the connector's URL and TLS setting, so a row
 * whose url (or tls_verify) was changed behind our back (an UPDATE in SQL)
 * no longer opens, and the key is refused instead of sent to another host.
 * 'comradarr connector edit --url' re-seals it, after the user confirmed.
 * A key stored by 0.1.0, before the binding, does not open either: the
 * message says to set it again (a fallback would leave it unbound).
 */
static void
ad_column(const char *url, int tls_verify, char out[SECRETBOX_MAX_AD_NAME])
{
	unsigned char h[16];
	crypto_generichash_state st;
	char hex[33];

	crypto_generichash_init(&st, (const unsigned char *)"comradarr url v1", 16, sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)url, strlen(url));
	crypto_generichash_update(&st, (const unsigned char *)(tls_verify ? "\n1" : "\n0"), 2);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, SECRETBOX_MAX_AD_NAME, "%s@%s", AD_COLUMN, hex);
}

static const char *const types[] = { "sonarr", "radarr", "whisparr", "prowlarr" };

static const char select_cols[] =
	"SELECT id, name, type, url, enabled, tls_verify, timeout_ms, app_name, app_version, "
	"api_version, health, health_detail, "
	DB_SQL_US("health_checked_at") ", auth_failed, api_key_enc "
	"FROM connectors ";

void
connector_release(struct connector *c)
{
	free(c->url);
	free(c->app_name);
	free(c->app_version);
	free(c->api_version);
	free(c->health_detail);
	free(c->api_key_enc);
	memset(c, 0, sizeof(*c));
}

void
connector_list_free(struct connector *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		connector_release(&list[i]);
	free(list);
}

int
connector_validate_name(const char *name, struct err *e)
{
	return name_check("connector", name, e);
}

int
connector_validate_type(const char *type, struct err *e)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(type, types[i]) == 0)
			return 0;
	}
	return err_set(e, ERR_USAGE,
		       "unknown connector type '%s': use sonarr, radarr, whisparr or prowlarr", type);
}

int
connector_normalise_url(char *url, struct err *e)
{
	const char *host;
	size_t n;

	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return err_set(e, ERR_USAGE,
			       "URL '%s' must start with http:// or https:// (e.g. http://192.168.1.10:8989)",
			       url);
	if (*host == '\0' || *host == '/' || *host == ':')
		return err_set(e, ERR_USAGE, "URL '%s' has no host name", url);
	for (const char *p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == '"' || *p == '\\')
			return err_set(e, ERR_USAGE,
				       "URL '%s' may not contain spaces, a query or a fragment; give the "
				       "base address only", url);
	}
	/* user:password@ in the URL would put a secret where logs see it */
	{
		const char *slash = strchr(host, '/'), *at = strchr(host, '@');

		if (at != NULL && (slash == NULL || at < slash))
			return err_set(e, ERR_USAGE,
				       "the URL may not contain credentials; give the API key separately");
	}
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	if (strlen(host) == 0)
		return err_set(e, ERR_USAGE, "URL has no host name");
	return 0;
}

int
connector_validate_api_key(const char *key, struct err *e)
{
	size_t n = strlen(key);

	if (n < 8 || n > 256)
		return err_set(e, ERR_USAGE,
			       "that API key is %zu characters long; *arr keys are 32 characters "
			       "(Settings > General > Security > API Key)", n);
	for (size_t i = 0; i < n; i++) {
		if (!isgraph((unsigned char)key[i]))
			return err_set(e, ERR_USAGE,
				       "the API key contains spaces or control characters; check it was "
				       "copied whole");
	}
	return 0;
}

static int
load_row(const PGresult *r, int i, struct connector *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	c->id = db_int64(r, i, 0, 0);
	snprintf(c->name, sizeof(c->name), "%s", PQgetvalue(r, i, 1));
	snprintf(c->type, sizeof(c->type), "%s", PQgetvalue(r, i, 2));
	c->url = strdup(PQgetvalue(r, i, 3));
	c->enabled = db_bool(r, i, 4);
	c->tls_verify = db_bool(r, i, 5);
	c->timeout_ms = (int)db_int64(r, i, 6, 30000);
	c->app_name = db_str(r, i, 7) ? strdup(db_str(r, i, 7)) : NULL;
	c->app_version = db_str(r, i, 8) ? strdup(db_str(r, i, 8)) : NULL;
	c->api_version = db_str(r, i, 9) ? strdup(db_str(r, i, 9)) : NULL;
	snprintf(c->health, sizeof(c->health), "%s", PQgetvalue(r, i, 10));
	c->health_detail = db_str(r, i, 11) ? strdup(db_str(r, i, 11)) : NULL;
	c->health_checked_us = db_int64(r, i, 12, 0);
	c->auth_failed = db_bool(r, i, 13);
	if (c->url == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return db_bytea(r, i, 14, &c->api_key_enc, &c->api_key_enc_len, e);
}

static int
seal_key(const struct secret_key *k, const struct connector *c, const char *api_key,
	 unsigned char **box, size_t *len, struct err *e)
{
	char col[SECRETBOX_MAX_AD_NAME];

	ad_column(c->url, c->tls_verify, col);
	return secretbox_seal(k, AD_TABLE, col, (long long)c->id,
			      (const unsigned char *)api_key, strlen(api_key), box, len, e);
}

int
db_connector_add(PGconn *db, const struct secret_key *k, struct connector *c,
		 const char *api_key, struct err *e)
{
	unsigned char *box = NULL;
	size_t boxlen = 0;
	PGresult *r = NULL;
	char idbuf[24], tls[2], en[2], tmo[16];
	int ret = -1;

	if (connector_validate_name(c->name, e) < 0 || connector_validate_type(c->type, e) < 0 ||
	    connector_normalise_url(c->url, e) < 0 || connector_validate_api_key(api_key, e) < 0)
		goto out;
	/* The id is part of the box's associated data, so take it first. */
	if (db_query(db, "SELECT nextval(pg_get_serial_sequence('connectors', 'id'))", 0, NULL,
		     &r, e) < 0)
		goto out;
	c->id = db_int64(r, 0, 0, 0);
	PQclear(r);
	r = NULL;
	if (seal_key(k, c, api_key, &box, &boxlen, e) < 0)
		goto out;
	{
		const char *vals[8] = { db_fmt_int64(idbuf, sizeof(idbuf), c->id), c->name, c->type,
					c->url, (const char *)box, NULL, NULL, NULL };
		int lens[8] = { 0, 0, 0, 0, (int)boxlen, 0, 0, 0 };
		int fmts[8] = { 0, 0, 0, 0, 1, 0, 0, 0 };

		snprintf(en, sizeof(en), "%c", c->enabled ? 't' : 'f');
		snprintf(tls, sizeof(tls), "%c", c->tls_verify ? 't' : 'f');
		snprintf(tmo, sizeof(tmo), "%d", c->timeout_ms > 0 ? c->timeout_ms : 30000);
		vals[5] = en;
		vals[6] = tls;
		vals[7] = tmo;
		if (db_query_bin(db, "INSERT INTO connectors (id, name, type, url, api_key_enc, "
				     "enabled, tls_verify, timeout_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				 8, vals, lens, fmts, NULL, e) < 0) {
			if (e->kind == ERR_CONFLICT)
				err_set(e, ERR_CONFLICT,
					"a connector named '%s' already exists; pick another name or "
					"change it with 'comradarr connector edit %s'", c->name, c->name);
			goto out;
		}
	}
	ret = 0;
out:
	PQclear(r);
	free(box);
	return ret;
}

int
db_connector_get(PGconn *db, const char *name, struct connector *c, struct err *e)
{
	const char *params[1] = { name };
	PGresult *r = NULL;
	char sql[1024];
	int ret = -1;

	memset(c, 0, sizeof(*c));
	snprintf(sql, sizeof(sql), "%sWHERE name = $1", select_cols);
	if (db_query(db, sql, 1, params, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		err_set(e, ERR_NOTFOUND,
			"no connector named '%s'; 'comradarr connector list' shows them", name);
		goto out;
	}
	if (load_row(r, 0, c, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		connector_release(c);
	PQclear(r);
	return ret;
}

int
db_connector_list(PGconn *db, struct connector **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	char sql[1024];
	struct connector *l = NULL;
	int ret = -1, rows = 0;

	*list = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql), "%sORDER BY name", select_cols);
	if (db_query(db, sql, 0, NULL, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	l = calloc((size_t)rows + 1, sizeof(*l));
	if (l == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		if (load_row(r, i, &l[i], e) < 0)
			goto out;
	}
	*list = l;
	*n = (size_t)rows;
	l = NULL;
	ret = 0;
out:
	if (l != NULL)
		connector_list_free(l, (size_t)rows);
	PQclear(r);
	return ret;
}

int
db_connector_update(PGconn *db, const struct secret_key *k, const struct connector *c,
		    const char *api_key, struct err *e)
{
	unsigned char *box = NULL;
	size_t boxlen = 0;
	char idbuf[24], tls[2], en[2], tmo[16];
	PGresult *r = NULL;
	int ret = -1;

	if (connector_validate_name(c->name, e) < 0 || connector_normalise_url(c->url, e) < 0)
		goto out;
	if (api_key != NULL && (connector_validate_api_key(api_key, e) < 0 ||
				seal_key(k, c, api_key, &box, &boxlen, e) < 0))
		goto out;
	snprintf(en, sizeof(en), "%c", c->enabled ? 't' : 'f');
	snprintf(tls, sizeof(tls), "%c", c->tls_verify ? 't' : 'f');
	snprintf(tmo, sizeof(tmo), "%d", c->timeout_ms);
	{
		const char *vals[7] = { db_fmt_int64(idbuf, sizeof(idbuf), c->id), c->name, c->url,
					en, tls, tmo, (const char *)box };
		int lens[7] = { 0, 0, 0, 0, 0, 0, (int)boxlen };
		int fmts[7] = { 0, 0, 0, 0, 0, 0, 1 };

		/* a new key clears a recorded auth failure: the user fixed it */
		if (db_query_bin(db, "UPDATE connectors SET name = $2, url = $3, enabled = $4, "
				     "tls_verify = $5, timeout_ms = $6, "
				     "api_key_enc = coalesce($7, api_key_enc), "
				     "auth_failed = auth_failed AND $7 IS NULL, updated_at = now() "
				     "WHERE id = $1",
				 7, vals, lens, fmts, &r, e) < 0) {
			if (e->kind == ERR_CONFLICT)
				err_set(e, ERR_CONFLICT, "a connector named '%s' already exists", c->name);
			goto out;
		}
	}
	if (strcmp(PQcmdTuples(r), "1") != 0) {
		err_set(e, ERR_NOTFOUND, "connector '%s' no longer exists", c->name);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	free(box);
	return ret;
}

int
db_connector_health(PGconn *db, const struct db_connector_health *h, struct err *e)
{
	char idbuf[24], msbuf[24];
	const char *p[7] = { db_fmt_int64(idbuf, sizeof(idbuf), h->connector_id), h->app_name,
			     h->app_version, h->api_version, h->health, h->detail,
			     h->auth_failed < 0 ? NULL : h->auth_failed ? "t" : "f" };
	json_t *payload = h->payload;
	PGresult *r = NULL;
	char from[16];
	int own = PQtransactionStatus(db) == PQTRANS_IDLE, ret = -1;

	if (own && db_begin(db, e) < 0)
		goto out;
	/* the state before, under the row lock: the event says what changed */
	if (db_query(db, "SELECT health FROM connectors WHERE id = $1 FOR UPDATE", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "connector %lld is gone; 'comradarr connector list' shows "
			"them", (long long)h->connector_id);
		goto out;
	}
	snprintf(from, sizeof(from), "%s", db_str(r, 0, 0) ? db_str(r, 0, 0) : "unknown");
	if (db_query(db, "UPDATE connectors SET app_name = coalesce($2, app_name), "
		     "app_version = coalesce($3, app_version), "
		     "api_version = coalesce($4, api_version), health = $5, health_detail = $6, "
		     "health_checked_at = now(), auth_failed = coalesce($7::boolean, auth_failed), "
		     "last_ok_at = CASE WHEN $5 IN ('healthy', 'degraded') THEN now() ELSE last_ok_at END, "
		     "updated_at = now() WHERE id = $1", 7, p, NULL, e) < 0)
		goto out;
	{
		const char *hp[4] = { p[0], h->health, h->detail, h->response_ms > 0 ?
				      db_fmt_int64(msbuf, sizeof(msbuf), h->response_ms) : NULL };

		if (db_query(db, "INSERT INTO connector_health_history (connector_id, status, detail, "
			     "response_ms) VALUES ($1, $2, $3, $4)", 4, hp, NULL, e) < 0)
			goto out;
	}
	/* Req 1.5: a change (notably to unhealthy) is told to the user */
	if (h->event != NULL || strcmp(from, h->health) != 0) {
		if (payload == NULL)
			payload = json_pack("{s:s, s:s, s:s, s:s?}", "connector", h->connector ?
					    h->connector : "", "from", from, "to", h->health, "detail",
					    h->detail);
		if (db_event_insert(db, h->event != NULL ? h->event : "connector_health_changed",
				    h->connector_id, log_get_correlation_id(), payload, e) < 0) {
			payload = NULL;	/* taken */
			goto out;
		}
		payload = NULL;
	}
	if (own && db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	json_decref(payload);
	if (ret < 0 && own)
		db_rollback(db);
	return ret;
}

int
db_connector_remove(PGconn *db, const char *name, struct err *e)
{
	const char *params[1] = { name };
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "DELETE FROM connectors WHERE name = $1", 1, params, &r, e) < 0)
		goto out;
	if (strcmp(PQcmdTuples(r), "1") != 0) {
		err_set(e, ERR_NOTFOUND,
			"no connector named '%s'; 'comradarr connector list' shows them", name);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_connector_api_key(const struct secret_key *k, const struct connector *c, char **key,
		     struct err *e)
{
	unsigned char *plain = NULL;
	size_t len = 0;
	char col[SECRETBOX_MAX_AD_NAME];

	*key = NULL;
	ad_column(c->url, c->tls_verify, col);
	if (secretbox_open(k, AD_TABLE, col, (long long)c->id, c->api_key_enc,
			   c->api_key_enc_len, &plain, &len, e) < 0) {
		if (secretbox_is_key_mismatch(e))
			return err_prefix(e, "cannot decrypt the API key of connector '%s'", c->name);
		return err_set(e, ERR_CRYPTO, "the API key of connector '%s' was not sealed for "
			       "'%s' (its address or TLS setting changed outside Comradarr, or the "
			       "row was tampered with): the key is not sent; set it again with "
			       "'comradarr connector edit %s --api-key-file -'", c->name, c->url,
			       c->name);
	}
	log_secret_add((const char *)plain);
	*key = (char *)plain;
	return 0;
}

int
db_connector_reseal(PGconn *db, const struct secret_key *old_key, const struct secret_key *new_key,
		    int *resealed, int *already, struct err *e)
{
	PGresult *r = NULL;
	unsigned char *box = NULL, *out = NULL, id[8];
	size_t len = 0, outlen = 0;
	int ret = -1;

	*resealed = *already = 0;
	if (db_query(db, "SELECT id, name, url, tls_verify, api_key_enc FROM connectors "
			 "ORDER BY id FOR UPDATE", 0, NULL, &r, e) < 0)
		goto out;
	for (int i = 0; i < PQntuples(r); i++) {
		char col[SECRETBOX_MAX_AD_NAME], hex[17];
		long long rid = (long long)db_int64(r, i, 0, 0);

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
		ad_column(PQgetvalue(r, i, 2), db_bool(r, i, 3), col);
		if (secretbox_reseal(old_key, new_key, AD_TABLE, col, rid, box, len, &out, &outlen,
				     e) < 0) {
			if (secretbox_key_id(box, len, id) == 0) {
				sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
				err_prefix(e, "the API key of connector '%s' (sealed with key id %s)",
					   PQgetvalue(r, i, 1), hex);
			}
			goto out;
		}
		{
			const char *vals[2] = { PQgetvalue(r, i, 0), (const char *)out };
			int lens[2] = { 0, (int)outlen }, fmts[2] = { 0, 1 };

			if (db_query_bin(db, "UPDATE connectors SET api_key_enc = $2 WHERE id = $1",
					 2, vals, lens, fmts, NULL, e) < 0)
				goto out;
		}
		(*resealed)++;
	}
	ret = 0;
out:
	free(box);
	free(out);
	PQclear(r);
	return ret;
}

int
db_connector_sealed_key_id(PGconn *db, unsigned char id[8], int *found, struct err *e)
{
	PGresult *r = NULL;
	unsigned char *box = NULL;
	size_t len = 0;
	int ret = -1;

	*found = 0;
	if (db_query(db, "SELECT api_key_enc FROM connectors ORDER BY id LIMIT 1", 0, NULL, &r,
		     e) < 0)
		goto out;
	if (PQntuples(r) == 0) {
		ret = 0;
		goto out;
	}
	if (db_bytea(r, 0, 0, &box, &len, e) < 0)
		goto out;
	if (secretbox_key_id(box, len, id) == 0)
		*found = 1;
	ret = 0;
out:
	free(box);
	PQclear(r);
	return ret;
}
