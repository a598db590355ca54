/*
 * prowlarr.h - Prowlarr indexer health (Req 38), informational only.
 *
 * GET /api/v1/indexerstatus lists only the indexers disabled now, each with
 * disabledTill; an indexer whose disabledTill is in the future is rate
 * limited or failing.  Nothing here blocks a search (Req 38.5).
 */
#ifndef COMRADARR_ARR_PROWLARR_H
#define COMRADARR_ARR_PROWLARR_H

#include <stdint.h>

#include "arr/client.h"
#include "arr/model.h"
#include "core/err.h"

typedef int (*arr_indexer_status_fn)(const struct arr_indexer_status *s,
				     void *arg, struct err *e);

int arr_indexer_status_each(struct arr_client *c, arr_indexer_status_fn fn,
			    void *arg, struct err *e);

/* 1 when the indexer is disabled at now_us (disabledTill in the future). */
int arr_indexer_disabled(const struct arr_indexer_status *s, int64_t now_us);

#endif
