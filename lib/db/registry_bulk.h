/*
 * registry_bulk.h - actions on many search registry entries at once, for
 * the API and the UI (Req 23): search again now, re-prioritise, remove.
 */
#ifndef COMRADARR_DB_REGISTRY_BULK_H
#define COMRADARR_DB_REGISTRY_BULK_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"

#define REGISTRY_BULK_MAX 500

enum registry_bulk_action {
	REGISTRY_BULK_SEARCH_NOW = 0,	/* back to pending, eligible at once (the next enqueue) */
	REGISTRY_BULK_PRIORITY,		/* the items' priority_override */
	REGISTRY_BULK_REMOVE		/* forget the entries (discover may find them again) */
};

/*
 * One transaction with a "registry_bulk" event.  Entries in a batch
 * (queued, searching) are left alone: the dispatcher owns them.  *changed
 * counts the entries acted on.
 */
int db_registry_bulk(PGconn *db, enum registry_bulk_action action, const int64_t *ids, size_t n,
		     int priority, const char *actor, long *changed, struct err *e);

#endif
