/*
 * stats.c - numbers for /metrics (see stats.h).
 *
 * The registry and history counts are full aggregates: ~100 ms on a 1M-entry
 * registry, once per scrape (Prometheus scrapes every 15-60 s), which is why
 * they are not computed per request anywhere else.
 */
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/stats.h"
#include "policy/throttle.h"
#include "core/banned.h"

int
db_stats(PGconn *db, db_stat_fn fn, void *arg, struct err *e)
{
	struct throttle_profile dflt;
	PGresult *r = NULL;

	if (db_query(db,
		"SELECT 'registry_entries', c.name, r.state, count(*)::float8 "
		"  FROM search_registry r JOIN connectors c ON c.id = r.connector_id GROUP BY 2, 3 "
		"UNION ALL SELECT 'queue_batches', c.name, NULL, count(*)::float8 "
		"  FROM request_queue q JOIN connectors c ON c.id = q.connector_id GROUP BY 2 "
		"UNION ALL SELECT 'queue_indexer_queries', c.name, NULL, sum(q.indexer_queries)::float8 "
		"  FROM request_queue q JOIN connectors c ON c.id = q.connector_id GROUP BY 2 "
		"UNION ALL SELECT 'searches', h.connector_name, h.outcome, count(*)::float8 "
		"  FROM search_history h GROUP BY 2, 3 "
		"UNION ALL SELECT 'indexer_queries_24h', c.name, NULL, coalesce(sum(l.cost), 0)::float8 "
		"  FROM connectors c LEFT JOIN throttle_ledger l ON l.connector_id = c.id "
		"  AND l.at > now() - interval '1 day' GROUP BY 2 "
		"UNION ALL SELECT 'indexer_daily_budget', c.name, NULL, p.daily_budget::float8 "
		"  FROM connectors c LEFT JOIN throttle_assignments a ON a.connector_id = c.id "
		"  LEFT JOIN throttle_profiles p ON p.id = a.profile_id "
		"UNION ALL SELECT 'connector_health', c.name, c.health, 1 FROM connectors c "
		"UNION ALL SELECT 'queue_paused', NULL, NULL, "
		"  (SELECT CASE WHEN value = 'true'::jsonb THEN 1 ELSE 0 END FROM settings "
		"   WHERE key = 'queue.paused')::float8",
		0, NULL, &r, e) < 0)
		return -1;
	throttle_preset_get(THROTTLE_MODERATE, &dflt);
	for (int i = 0; i < PQntuples(r); i++) {
		const char *v = db_str(r, i, 3);

		/* a connector without a profile searches under the default preset,
		 * whose numbers live in lib/policy, not (yet) in a row */
		fn(arg, db_str(r, i, 0), db_str(r, i, 1), db_str(r, i, 2),
		   v != NULL ? strtod(v, NULL) :
		   strcmp(db_str(r, i, 0), "indexer_daily_budget") == 0 ? dflt.daily_budget : 0);
	}
	PQclear(r);
	return 0;
}
