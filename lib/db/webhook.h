/*
 * webhook.h - webhook secrets and what a webhook call does to the mirror
 * and the registry (arr/webhook.h says which call means what).
 */
#ifndef COMRADARR_DB_WEBHOOK_H
#define COMRADARR_DB_WEBHOOK_H

#include <stdint.h>

#include <libpq-fe.h>

#include "arr/webhook.h"
#include "core/err.h"

/* Store the hash of a connector's new secret (replacing any); ERR_NOTFOUND. */
int db_webhook_set_secret(PGconn *db, const char *connector, const char *hash, struct err *e);
int db_webhook_remove(PGconn *db, const char *connector, struct err *e);
/* Does hash open the named connector's webhook?  *connector_id when it does. */
int db_webhook_check(PGconn *db, const char *connector, const char *hash, int64_t *connector_id,
		     int *ok, struct err *e);

struct db_webhook_result {
	long items;		/* mirror rows changed */
	long entries;		/* registry entries changed or resolved */
};

/*
 * Apply one call in one transaction, with its "webhook_*" event: a Grab
 * moves the items' entries (pending, searching, cooldown or failed) to
 * awaiting_import; a Download marks the files present and resolves the gap
 * entries (and the upgrade ones when isUpgrade); a file delete marks them
 * missing (discover makes them gaps); an item delete removes it from the
 * mirror (its entries go with it); Health is only the event.
 */
int db_webhook_apply(PGconn *db, int64_t connector_id, const struct arr_webhook *w,
		     const char *correlation_id, struct db_webhook_result *r, struct err *e);

#endif
