/*
 * registry_bulk.c - bulk actions on registry entries (see registry_bulk.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "db/db.h"
#include "db/events.h"
#include "db/registry_bulk.h"
#include "core/banned.h"

static int
run(PGconn *db, const char *sql, int np, const char *const *p, long *n, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, sql, np, p, &r, e) < 0)
		return -1;
	*n += strtol(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

int
db_registry_bulk(PGconn *db, enum registry_bulk_action action, const int64_t *ids, size_t n,
		 int priority, const char *actor, long *changed, struct err *e)
{
	static const char *const names[] = { "search_now", "priority", "remove" };
	struct buf arr = BUF_INIT;
	char prio[16];
	const char *p[2] = { NULL, prio };
	long items = 0;
	int ret = -1;

	*changed = 0;
	if (n == 0 || n > REGISTRY_BULK_MAX)
		return err_set(e, ERR_USAGE, "give 1 to %d entry ids", REGISTRY_BULK_MAX);
	if (db_array_int64(&arr, ids, n) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	p[0] = arr.data;
	snprintf(prio, sizeof(prio), "%d", priority);
	if (db_begin(db, e) < 0)
		goto out;
	switch (action) {
	case REGISTRY_BULK_SEARCH_NOW:
		if (run(db, "UPDATE search_registry SET state = 'pending', next_eligible_at = NULL, "
			"updated_at = now() WHERE id = ANY($1::bigint[]) AND state NOT IN "
			"('queued', 'searching')", 1, p, changed, e) < 0)
			goto out;
		break;
	case REGISTRY_BULK_PRIORITY:
		if (run(db, "UPDATE episodes i SET priority_override = $2::int FROM search_registry r "
			"WHERE r.id = ANY($1::bigint[]) AND r.episode_id = i.id", 2, p, &items, e) < 0 ||
		    run(db, "UPDATE movies i SET priority_override = $2::int FROM search_registry r "
			"WHERE r.id = ANY($1::bigint[]) AND r.movie_id = i.id", 2, p, &items, e) < 0)
			goto out;
		*changed = items;
		break;
	case REGISTRY_BULK_REMOVE:
		if (run(db, "DELETE FROM search_registry WHERE id = ANY($1::bigint[]) AND state NOT IN "
			"('queued', 'searching')", 1, p, changed, e) < 0)
			goto out;
		break;
	default:
		err_set(e, ERR_USAGE, "unknown bulk action");
		goto out;
	}
	if (db_event_insert(db, "registry_bulk", 0, NULL,
			    json_pack("{s:s,s:I,s:I,s:s}", "action", names[action],
				      "requested", (json_int_t)n, "changed", (json_int_t)*changed,
				      "actor", actor ? actor : ""), e) < 0 ||
	    db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	buf_release(&arr);
	return ret;
}
