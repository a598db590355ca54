/*
 * connectors.h - the connectors table (Req 1.1, 16, 36).
 *
 * A connector is one *arr instance: type, unique name, base URL, API key
 * (sealed with the secret box, bound to connectors.api_key_enc of its row),
 * enabled, TLS verification and timeout.  The key is decrypted only by
 * db_connector_api_key(), which also registers it with the logger so it can
 * never be printed, and the caller wipes it.
 */
#ifndef COMRADARR_DB_CONNECTORS_H
#define COMRADARR_DB_CONNECTORS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "crypto/secretbox.h"

struct connector {
	int64_t id;
	char name[64];
	char type[16];		/* sonarr | radarr | whisparr | prowlarr */
	char *url;		/* no trailing slash */
	int enabled;
	int tls_verify;
	int timeout_ms;
	char *app_name;		/* NULL until a test/sync saw it */
	char *app_version;
	char *api_version;
	char health[16];	/* unknown | healthy | degraded | unhealthy | offline */
	char *health_detail;
	int64_t health_checked_us;	/* 0 = never */
	int auth_failed;
	unsigned char *api_key_enc;
	size_t api_key_enc_len;
};

void connector_release(struct connector *c);
void connector_list_free(struct connector *list, size_t n);

/*
 * Pure checks, used before anything is written; e says what is accepted.
 * The URL is normalised in place (trailing slashes removed) and must be
 * http(s)://host[:port][/base] with no query, fragment or credentials.
 */
int connector_validate_name(const char *name, struct err *e);
int connector_validate_type(const char *type, struct err *e);
int connector_normalise_url(char *url, struct err *e);
int connector_validate_api_key(const char *key, struct err *e);

/* Insert; c->id is set.  Duplicate name: ERR_CONFLICT. */
int db_connector_add(PGconn *db, const struct secret_key *k, struct connector *c,
		     const char *api_key, struct err *e);

/* Load by name (ERR_NOTFOUND names it and says how to list them). */
int db_connector_get(PGconn *db, const char *name, struct connector *c, struct err *e);

/* All connectors, by name.  *list is malloc'd (connector_list_free). */
int db_connector_list(PGconn *db, struct connector **list, size_t *n, struct err *e);

/*
 * Save c's editable fields (name, url, enabled, tls_verify, timeout_ms) by
 * c->id; a non-NULL api_key replaces the key.
 */
int db_connector_update(PGconn *db, const struct secret_key *k, const struct connector *c,
			const char *api_key, struct err *e);

/*
 * The one writer of a connector's health (Req 1.3-1.5, 2.6, 28.1): the
 * state, a row of health history and the event, in one transaction - its
 * own, or the caller's when one is open.  Every path that learns something
 * about a connector's health (the health check, `connector test`, a sync's
 * failures, the dispatcher's 401) comes through here.
 */
struct db_connector_health {
	int64_t connector_id;
	const char *connector;	/* its name, for the event */
	const char *health;	/* unknown | healthy | degraded | unhealthy | offline */
	const char *detail;	/* may be NULL */
	int auth_failed;	/* 1 set, 0 clear, -1 leave as it is */
	/* what a probe learned; NULL: leave as it is */
	const char *app_name, *app_version, *api_version;
	/* the probe's time for the health history (Req 12.3); <= 0: unknown,
	 * so a caller that learned health some other way leaves it out */
	int response_ms;
	/* the event: kind (NULL: "connector_health_changed" when the health
	 * changed, none when not) and its payload (stolen; NULL: connector,
	 * from, to, detail) */
	const char *event;
	json_t *payload;
};
int db_connector_health(PGconn *db, const struct db_connector_health *h, struct err *e);

int db_connector_remove(PGconn *db, const char *name, struct err *e);

/* Decrypt the API key (malloc'd; wipe with sodium_memzero, then free). */
int db_connector_api_key(const struct secret_key *k, const struct connector *c, char **key,
			 struct err *e);

/*
 * The key id the stored API keys were sealed with (*found = 0 when no
 * connector holds one): a missing secret key is then named, not replaced.
 */
int db_connector_sealed_key_id(PGconn *db, unsigned char id[8], int *found, struct err *e);

/*
 * Key rotation (Req 36.4), inside the caller's transaction: every API key
 * sealed under old is sealed again under new, bound to the same row, URL
 * and TLS setting; keys already under new are left (a resumed rotation).
 * A key under any third key id fails the whole call.
 */
int db_connector_reseal(PGconn *db, const struct secret_key *old_key,
			const struct secret_key *new_key, int *resealed, int *already,
			struct err *e);

#endif
