/*
 * config_io.h - `comradarr config export|import` (Req 30.5, 36.5): the
 * configuration as one JSON document, to move it or keep it in git.
 *
 *   { "format": "comradarr-config", "format_version": 1, "app_version",
 *     "exported_at",
 *     "connectors":  [ {name, type, url, enabled, tls_verify, timeout_ms,
 *                       and every other setting column} ],
 *     "profiles":    [ custom throttle profiles (presets are built in) ],
 *     "assignments": { connector: profile },
 *     "settings":    { key: value } }
 *
 * Never a secret: no API key, decrypted or sealed (every *_enc column is
 * left out), and no state (ids, health, versions seen, timestamps).
 * Columns a later migration adds to these tables are carried without a
 * change here; an import ignores keys it has no column for.
 *
 * An import runs in one transaction: profiles are added or updated by
 * name (a preset is refused), connectors are added (a name that exists
 * already refuses the whole import: it is for a fresh database) with the
 * API keys the caller asked the user for, then the assignments and
 * settings, and a "config_imported" event.  On failure nothing changed.
 */
#ifndef COMRADARR_DB_CONFIG_IO_H
#define COMRADARR_DB_CONFIG_IO_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "crypto/secretbox.h"

#define DB_CONFIG_FORMAT "comradarr-config"
#define DB_CONFIG_FORMAT_VERSION 1

/* The document; caller json_decref()s. */
int db_config_export(PGconn *db, json_t **out, struct err *e);

/* Check a document's format and shape before asking for any key. */
int db_config_check(json_t *cfg, struct err *e);

struct db_config_import_report {
	int connectors, profiles, assignments, settings;
};

/* keys[i]: the API key of cfg's connectors[i]. */
int db_config_import(PGconn *db, const struct secret_key *k, json_t *cfg,
		     const char *const *keys, struct db_config_import_report *r, struct err *e);

#endif
