/*
 * connect.h - an *arr client for a stored connector.
 *
 * Decrypts the connector's API key with the secret key (registering it with
 * the logger so it can never be printed), makes the client with the
 * connector's URL, timeout and TLS setting, and wipes the decrypted copy.
 * Every stage that talks to an *arr starts here.
 */
#ifndef COMRADARR_STAGE_CONNECT_H
#define COMRADARR_STAGE_CONNECT_H

#include <libpq-fe.h>

#include "arr/client.h"
#include "arr/probe.h"
#include "arr/retry.h"
#include "core/err.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"

/* retry may be NULL for the client's defaults.  Free *out with arr_client_free. */
int stage_client_open(const struct secret_key *k, const struct connector *c,
		      const struct arr_retry *retry, struct arr_client **out, struct err *e);

/*
 * Probe the app behind client (status, health items, API version) and time
 * it in milliseconds (never 0, so a stored time always reads as measured).
 * The 5-minute health check, `comradarr connector test` and the server's
 * connection tests all probe this way.
 */
int stage_probe(struct arr_client *client, struct arr_probe_report *r, int *response_ms,
		struct err *e);

/*
 * What a probe learned becomes the connector's health, with its history and
 * an event when it changed (db_connector_health, the one writer).
 */
int stage_probe_record(PGconn *db, const struct connector *c, const struct arr_probe_report *r,
		       int response_ms, struct err *e);

#endif
