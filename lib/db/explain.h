/*
 * explain.h - what `comradarr explain` reads about one item: the mirror's
 * row with its connector's settings, and its search entries.  The columns
 * of db_explain_item()'s row are the F_* below.
 */
#ifndef COMRADARR_DB_EXPLAIN_H
#define COMRADARR_DB_EXPLAIN_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/err.h"
#include "db/registry.h"

/* F_UPGRADE_WANTED and F_CF_BELOW are the rules of 0008 (upgrade_wanted,
 * cf_below_cutoff), as discover applies them. */
enum {
	F_ID = 0, F_TITLE, F_SEASON, F_EPISODE, F_RELEASED, F_RUNTIME, F_MONITORED, F_HAS_FILE,
	F_SERIES_MON, F_SEASON_MON, F_SERIES_TITLE, F_SERIES_ARR, F_SERIES_ID, F_QUALITY,
	F_CUTOFF_NOT_MET, F_CF, F_UPGRADE_ALLOWED, F_CUTOFF_CF, F_PROFILE, F_DOWNLOADING,
	F_SPECIALS, F_GRACE, F_ITEM_OVERRIDE, F_SERIES_OVERRIDE, F_LAST_SEARCH, F_AVAILABLE,
	F_YEAR, F_PACK_ENABLED, F_PACK_PCT, F_PACK_MIN, F_UPGRADE_WANTED, F_CF_BELOW
};


/* The item (*out: zero rows when the mirror has no such item). */
int db_explain_item(PGconn *db, const char *connector, enum registry_kind kind, int arr_id,
		    PGresult **out, struct err *e);

/* Its search entries (episodes.id / movies.id item_id): id, search_type,
 * state, attempts, next_eligible_at, last_searched_at, created_at (us),
 * priority, pack_failed, failure_category, queue id, command. */
int db_explain_entries(PGconn *db, enum registry_kind kind, int64_t item_id, PGresult **out,
		       struct err *e);

#endif
