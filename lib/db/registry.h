/*
 * registry.h - the search registry's queries (Req 3, 4, 11): which mirror
 * items are search candidates, creating and removing their entries, and
 * reading the entries enqueue may take.
 *
 * Every query is one set-based statement designed against a 1M-episode
 * mirror (tests/bench/bench_discover.c prints their EXPLAIN):
 *   - gaps read the partial covering index episodes_gaps (monitored, no
 *     file) / movies_gaps, never the whole table;
 *   - upgrades read the connector's files and join each to its episode
 *     through episodes_file (0003);
 *   - "top N eligible" reads search_registry_ready (0003) in priority order.
 * Times are microseconds since the epoch and are passed in, never taken
 * from the database's clock, so an injected clock (COMRADARR_FAKE_NOW)
 * decides what has aired.
 *
 * Rows are handed to a callback with strings borrowed from the result: copy
 * what must outlive the call.
 */
#ifndef COMRADARR_DB_REGISTRY_H
#define COMRADARR_DB_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

/* SQL: when a movie counts as released, the first of its release dates the
 * app knows (alias m for movies).  Discovery, eligibility and explain agree. */
#define REGISTRY_SQL_MOVIE_RELEASED \
	"coalesce(m.digital_release, m.physical_release, m.release_date, m.in_cinemas)"

#include <libpq-fe.h>

#include "core/err.h"

#define REGISTRY_NO_TIME INT64_MIN

enum registry_kind { REGISTRY_EPISODE = 0, REGISTRY_MOVIE };
enum registry_type { REGISTRY_GAP = 0, REGISTRY_UPGRADE };

/* "episode" / "movie", "gap" / "upgrade"; parse back with 0 or -1. */
const char *registry_kind_name(enum registry_kind k);
const char *registry_type_name(enum registry_type t);
int registry_kind_parse(const char *s, enum registry_kind *out);
int registry_type_parse(const char *s, enum registry_type *out);

/* A connector's search settings (0003 columns on connectors). */
struct registry_scope {
	int64_t connector_id;
	int include_specials;
	int grace_minutes;
};

/* One candidate or registry entry with what priority and batching need. */
struct registry_row {
	int64_t registry_id;
	int64_t connector_id;
	enum registry_kind kind;
	enum registry_type type;
	const char *state;	/* pending, queued, cooldown, ... */
	int is_new;		/* discover: created by this run */
	int64_t item_id;	/* episodes.id / movies.id */
	int arr_id;		/* the *arr's episode or movie id */
	int64_t series_id;	/* series.id (episodes), else 0 */
	int series_arr_id;
	const char *series_title;	/* NULL for movies */
	int season_number;	/* -1 for movies */
	int episode_number;	/* -1 when unknown (Whisparr v2, movies) */
	int year;		/* movies; 0 unknown */
	const char *title;	/* may be NULL */
	const char *reason;	/* missing | quality_below_cutoff | cf_score_below_cutoff */
	const char *quality_name;	/* upgrades; NULL otherwise */
	int has_cf_score;
	int cf_score;
	int cutoff_format_score;
	/* priority inputs (REGISTRY_NO_TIME where unknown) */
	int64_t released_us;
	int64_t missing_since_us;
	int64_t last_search_us;
	int attempts;
	int series_override;
	int item_override;
	int priority;		/* as stored */
	int pack_failed;	/* a season pack found nothing for it (0004) */
	int64_t next_eligible_us;	/* REGISTRY_NO_TIME: now */
};

typedef int (*registry_row_fn)(const struct registry_row *row, void *arg, struct err *e);

/*
 * Settings for the bulk statements of one discover or enqueue transaction
 * (SET LOCAL: they end with it).  Their sorts and hashes over ~100k rows
 * spill to disk at the default work_mem (4MB), and JIT compiling costs
 * 100-300 ms a statement, more than the statements save from it (measured
 * in tests/bench/bench_discover.c).  Call inside the transaction.
 */
int db_registry_tune(PGconn *db, struct err *e);

/*
 * Hold the mirror still for the rest of the transaction: SHARE on episodes
 * and movies, which only sync writes.  New entries are checked against
 * their item by a statement trigger that takes the same lock (0007); taking
 * it first, before any entry is touched, means discover never waits for a
 * sync while holding entries that sync's cascade would wait for.
 */
int db_registry_lock_mirror(PGconn *db, struct err *e);

/*
 * After a bulk change of at least REGISTRY_ANALYZE_MIN rows: refresh the
 * planner's statistics of the registry and the queue items inside the
 * transaction, so the next stage plans with them at once.  The pipeline
 * runs enqueue the moment discover commits, long before autovacuum looks:
 * planned on an empty registry's statistics, "top 500 eligible" took
 * 790 ms instead of 5 (a sort of every entry; tests/bench/bench_discover.c).
 * Costs ~60 ms for 128,700 entries.
 */
#define REGISTRY_ANALYZE_MIN 1000
int db_registry_analyze(PGconn *db, long changed, struct err *e);

/* Load the connector's scope settings. */
int db_registry_scope(PGconn *db, int64_t connector_id, struct registry_scope *out,
		      struct err *e);

/*
 * Remove the connector's entries the mirror says are resolved (Req 3.4,
 * 4.4): a gap whose item has a file, an upgrade whose file is gone or now
 * meets the cutoff (quality and custom-format score: upgrade_wanted(),
 * 0008) or whose profile takes no upgrades.  Entries in any state go,
 * except one being searched right now unless searching_too (the sync's
 * clean-up: the dispatcher then finds its entries gone).  *removed counts
 * them.  The one statement for this rule: discover and the mirror's merge
 * both call it.
 */
int db_registry_remove_resolved(PGconn *db, int64_t connector_id, int searching_too,
				long *removed, struct err *e);

/*
 * The connector's candidates of one kind and type, each with its entry
 * when it has one (registry_id 0 and is_new set when not: create those
 * with db_registry_create(), Req 3.3, 4.3).  Nothing is written.
 * Rows come ordered by series, season, episode (movies by id).
 *
 * wanted_ids (may be NULL) replaces the mirror's own "missing" or "below
 * cutoff" test by the *arr's wanted/missing or wanted/cutoff answer (the
 * *arr ids it listed): the other rules (grace, specials, availability,
 * download queue, upgrades allowed) still apply, and custom-format upgrades,
 * which no endpoint reports, are still found from the mirror.
 *
 * *rows (may be NULL) receives the result for the caller to walk with
 * db_registry_row_at() and PQclear(); *new_count counts rows without an entry.
 */
int db_registry_discover(PGconn *db, const struct registry_scope *sc, enum registry_kind kind,
			 enum registry_type type, int64_t now_us, const int *wanted_ids,
			 size_t nwanted, PGresult **rows, long *new_count, struct err *e);

/*
 * Create pending entries of kind and type for the mirror items item_ids[]
 * (episodes.id / movies.id) with their priorities, all at once.
 * out_ids[i] gets the new entry's id, or 0 when one already existed.
 */
int db_registry_create(PGconn *db, int64_t connector_id, enum registry_kind kind,
		       enum registry_type type, int64_t now_us, const int64_t *item_ids,
		       const int *prio, size_t n, int64_t *out_ids, struct err *e);

/* Fill row from row i of a result made by this module's queries. */
void db_registry_row_at(const PGresult *r, int i, struct registry_row *row);

/*
 * Remove the connector's pending entries of this kind and type that are
 * not in keep (the registry ids of this run's candidates): their item no
 * longer qualifies (unmonitored, in the download queue, ...).  Entries in
 * other states are left alone.  *removed adds the count.
 */
int db_registry_remove_unlisted(PGconn *db, int64_t connector_id, enum registry_kind kind,
				enum registry_type type, const int64_t *keep, size_t nkeep,
				long *removed, struct err *e);

/* Store priorities: ids[i] gets prio[i]. */
int db_registry_set_priorities(PGconn *db, const int64_t *ids, const int *prio, size_t n,
			       struct err *e);

/* Which kinds a connector's items are (db_registry_eligible()). */
#define REGISTRY_EPISODES (1u << REGISTRY_EPISODE)
#define REGISTRY_MOVIES (1u << REGISTRY_MOVIE)

/*
 * The entries enqueue may take: in state pending, cooldown, failed or
 * awaiting_import, due (next_eligible_at unset or <= now), in no batch:
 * the limit highest stored priorities first, or with limit <= 0 all of
 * them in no particular order (the caller orders).  Locked FOR UPDATE
 * SKIP LOCKED when lock is set (call inside a transaction): a concurrent
 * enqueue never takes the same entry.
 *
 * Rows are read with db_registry_row_at(); title and series_title are
 * NULL (batching needs none).
 *
 * kinds is what the connector's items can be, REGISTRY_EPISODES and/or
 * REGISTRY_MOVIES (0: both): entries of another kind are not returned,
 * and the other kind's tables are not read.
 *
 * only_keys (may be NULL) narrows to the listed items: parallel arrays of
 * kind ("episode"/"movie"), type ("gap"/"upgrade") and *arr id, for items
 * read from candidate lines.
 */
struct registry_keys {
	const char **kind;
	const char **type;
	const int *arr_id;
	size_t n;
};
int db_registry_eligible(PGconn *db, int64_t connector_id, unsigned kinds, int64_t now_us,
			 long limit, int lock, const struct registry_keys *only_keys,
			 PGresult **rows, struct err *e);

/* The SQL of the "top N eligible" query of a connector of episodes ($1
 * connector, $2 now as microseconds, $3 limit), for EXPLAIN in the
 * benchmark. */
extern const char db_registry_top_eligible_sql[];
/* The SQL of discover's gap query for episodes, for EXPLAIN. */
extern const char db_registry_gap_select_sql[];

#endif
