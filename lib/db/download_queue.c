#include <stdlib.h>

#include "db/db.h"
#include "db/download_queue.h"
#include "core/banned.h"

/*
 * The queue is small (what is downloading now), so it travels as one JSON
 * parameter: no escaping of titles by hand, one round trip.
 */
static const char replace_sql[] =
	"WITH incoming AS ("
	"  SELECT DISTINCT ON (kind, arr_id) kind, arr_id, title, status"
	"  FROM jsonb_to_recordset($2::jsonb) AS t(kind text, arr_id integer, title text, status text)"
	"  WHERE kind IN ('episode', 'movie') AND arr_id > 0),"
	" gone AS ("
	"  DELETE FROM download_queue d WHERE d.connector_id = $1 AND NOT EXISTS"
	"   (SELECT 1 FROM incoming i WHERE i.kind = d.kind AND i.arr_id = d.arr_id)"
	"  RETURNING 1),"
	" put AS ("
	"  INSERT INTO download_queue AS d (connector_id, kind, arr_id, title, status)"
	"  SELECT $1, kind, arr_id, title, status FROM incoming"
	"  ON CONFLICT (connector_id, kind, arr_id) DO UPDATE"
	"   SET title = EXCLUDED.title, status = EXCLUDED.status, synced_at = now()"
	"   WHERE (d.title, d.status) IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.status)"
	"  RETURNING 1)"
	" SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM put)";

int
db_download_queue_replace(PGconn *db, int64_t connector_id, const json_t *items,
			  long *changed, struct err *e)
{
	char idb[24], *text = NULL;
	const char *p[2];
	PGresult *r = NULL;
	int ret = -1;

	text = json_dumps(items, JSON_COMPACT);
	if (text == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	p[0] = db_fmt_int64(idb, sizeof(idb), connector_id);
	p[1] = text;
	if (db_query(db, replace_sql, 2, p, &r, e) < 0)
		goto out;
	if (changed != NULL)
		*changed = (long)db_int64(r, 0, 0, 0);
	ret = 0;
out:
	PQclear(r);
	free(text);
	return ret;
}
