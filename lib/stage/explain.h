/*
 * explain.h - why an episode or movie is (or is not) a search candidate
 * (`comradarr explain`): the rules discover applies, its registry entries,
 * their priority breakdown (Req 5.1) and the batch it would join (Req 6).
 *
 * Read-only: nothing is written.  The answer is one JSON object:
 *   {"connector","kind","id","title",... the item's facts,
 *    "gap":{"candidate":bool,"why_not":[...]},
 *    "upgrade":{"candidate":bool,"reason":...,"why_not":[...]},
 *    "registry":[{"type","state","attempts","next_eligible_at",
 *                 "priority","breakdown":{...},"batch":id|null,...}],
 *    "batch":{"command":...,"reason":...,"season":{...}}}
 */
#ifndef COMRADARR_STAGE_EXPLAIN_H
#define COMRADARR_STAGE_EXPLAIN_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "db/registry.h"

/*
 * Explain item arr_id of kind on the named connector at now_us (0: now).
 * *out is a new reference.  An unknown connector or item: ERR_NOTFOUND
 * saying how to find one.
 */
int explain_item(PGconn *db, const char *connector, enum registry_kind kind, int arr_id,
		 int64_t now_us, json_t **out, struct err *e);

#endif
