/*
 * secrets.h - every stored secret at once: which keys seal them, and the
 * re-seal of a key rotation (Req 36.4).
 *
 * A sealed column is a bytea column whose name ends in "_enc" (the
 * convention every table follows).  Most bind a value to (table, column,
 * row id); a column with its own associated data has its own re-seal
 * function, listed in secrets.c (connectors.api_key_enc binds the URL and
 * TLS setting too).  A column whose values do not open with the generic
 * binding makes the rotation fail, with nothing changed: add its function.
 */
#ifndef COMRADARR_DB_SECRETS_H
#define COMRADARR_DB_SECRETS_H

#include <stddef.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "crypto/secretbox.h"
#include "db/backup.h"

/* The distinct key ids (16 hex) the stored secrets carry. */
int db_secret_key_ids(PGconn *db, char ids[DB_KEY_IDS_MAX][17], size_t *n, struct err *e);

struct db_reseal_report {
	int resealed;		/* values sealed again under the new key */
	int already;		/* values found under the new key already */
	int columns;		/* sealed columns visited */
};

/*
 * In one transaction: seal every value under old_key again under new_key,
 * and write a "secret_key_rotated" event (key ids only) to the outbox.
 * Values under new_key already are left, so a rotation that stopped
 * half-way is finished by running it again.  On failure nothing changed.
 */
int db_secrets_reseal(PGconn *db, const struct secret_key *old_key,
		      const struct secret_key *new_key, struct db_reseal_report *r, struct err *e);

#endif
