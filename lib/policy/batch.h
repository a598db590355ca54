/*
 * batch.h - season pack or episodes, and how searches become commands
 * (Req 6, 29.4, 29.5; Properties 9, 10, 17).
 *
 * Pure: the enqueue stage gathers season statistics and candidates from
 * the database, these functions decide, and the dispatcher sends.
 */
#ifndef COMRADARR_POLICY_BATCH_H
#define COMRADARR_POLICY_BATCH_H

#include <stddef.h>
#include <stdint.h>

struct err;

/* ids per EpisodeSearch / MoviesSearch (Req 29.4, 29.5): the one
 * definition; the throttle, the command builders and the queue use it */
#define BATCH_MAX_IDS 10

/* ------------------------------------------------------------ seasons */

struct batch_season {
	int total_episodes;	/* statistics.totalEpisodeCount */
	int aired_episodes;	/* episodes whose air date has passed */
	int missing_aired;	/* monitored, aired, no file */
	int next_airing_set;	/* statistics.nextAiring present: airing */
	int pack_in_cooldown;	/* a SeasonSearch for it is cooling down */
	int pack_failed;	/* a SeasonSearch for it found nothing */
};

struct batch_season_config {
	int pack_enabled;	/* per connector; default 1 */
	int threshold_pct;	/* 0..100, default 50: pack when missing% > it */
	int min_missing;	/* 1..1000, default 3: fewer -> episodes */
};

/* Fill the documented defaults. */
void batch_season_config_default(struct batch_season_config *c);
int batch_season_config_validate(const struct batch_season_config *c,
				 struct err *e);

enum batch_season_choice {
	BATCH_NOTHING = 0,	/* nothing missing: no search */
	BATCH_EPISODES,		/* EpisodeSearch for the missing episodes */
	BATCH_SEASON,		/* one SeasonSearch */
	BATCH_WAIT		/* a season pack search is cooling down: search
				 * neither until it ends (Req 6.5) */
};

enum batch_season_reason {
	BATCH_R_NOTHING_MISSING = 0,
	BATCH_R_PACK_DISABLED,
	BATCH_R_PACK_COOLDOWN,
	BATCH_R_AIRING,		/* nextAiring is set (Req 6.2) */
	BATCH_R_NOT_FULLY_AIRED,/* episodes without a past air date remain */
	BATCH_R_TOO_FEW_MISSING,/* missing < min_missing (Req 6.3) */
	BATCH_R_BELOW_THRESHOLD,/* missing% <= threshold */
	BATCH_R_PACK_FAILED,	/* fall back to episodes (Req 6.5) */
	BATCH_R_THRESHOLD_MET	/* fully aired, enough missing (Req 6.1) */
};

/*
 * Decide for one season.  Checked in this order, the first that applies
 * wins (and is the reason shown by explain): nothing missing, pack
 * disabled, pack cooling down, airing, not fully aired, fewer than
 * min_missing, missing% not above the threshold, pack failed before;
 * otherwise a season pack.  "Above the threshold" is exact integer
 * arithmetic: missing_aired * 100 > threshold_pct * total_episodes.
 */
enum batch_season_choice batch_season_decide(const struct batch_season *s,
					     const struct batch_season_config *c,
					     enum batch_season_reason *reason);

const char *batch_season_choice_name(enum batch_season_choice c);
const char *batch_season_reason_name(enum batch_season_reason r);

/* ----------------------------------------------------------- commands */

enum batch_kind { BATCH_KIND_EPISODE = 0, BATCH_KIND_MOVIE };

enum batch_command {
	BATCH_CMD_EPISODE_SEARCH = 0,
	BATCH_CMD_SEASON_SEARCH,
	BATCH_CMD_MOVIES_SEARCH
};

struct batch_item {
	int64_t connector_id;
	enum batch_kind kind;
	int64_t series_id;	/* episodes */
	int season_number;	/* episodes */
	int64_t arr_id;		/* episode or movie id in the *arr */
	int priority;
	int season_pack;	/* 1: covered by its season's SeasonSearch
				 * (batch_season_decide said BATCH_SEASON) */
};

struct batch_cmd {
	enum batch_command command;
	int64_t connector_id;
	int64_t series_id;	/* Episode/SeasonSearch; 0 for movies */
	int season_number;	/* SeasonSearch; -1 otherwise */
	int priority;		/* highest priority among its items */
	int expected_queries;	/* indexer queries it will cost */
	int nids;		/* Episode/MoviesSearch ids (SeasonSearch 0) */
	int64_t ids[BATCH_MAX_IDS];	/* ascending */
};

struct batch_plan {
	struct batch_cmd *cmds;	/* in dispatch order */
	size_t ncmds;
	size_t *item_cmd;	/* for input item i, the index of the command
				 * that covers it */
	size_t nitems;
};

/*
 * Turn candidate items into commands:
 *   - season_pack items: one SeasonSearch per (connector, series, season);
 *   - other episodes: EpisodeSearch grouped by (connector, series), at
 *     most max_ids each (Req 29.4), highest priority first in the series;
 *   - movies: MoviesSearch per connector, at most max_ids each (Req 29.5).
 * max_ids is the throttle profile's batch_size, 1..BATCH_MAX_IDS.
 * The same (connector, kind, arr id) listed twice is searched once; both
 * inputs map to that command.  Commands come out ordered by priority
 * descending, then connector, command, series, season and first id, so
 * the same input always gives the same plan.  expected_queries is the
 * number of ids (Sonarr runs one query per episode), 1 for SeasonSearch.
 *
 * On success *plan owns heap memory: release with batch_plan_release().
 * Returns 0, or -1 (ERR_USAGE for a bad max_ids, ERR_NOMEM).
 */
int batch_form(const struct batch_item *items, size_t nitems, int max_ids,
	       struct batch_plan *plan, struct err *e);
void batch_plan_release(struct batch_plan *plan);

const char *batch_command_name(enum batch_command c);

/*
 * Per-series concurrency (Req 6.4): walking cmds in order, mark
 * eligible[i] = 1 when fewer than max_per_series commands for the same
 * (connector, series) are running (the `running` list, one entry per
 * command in flight) or already marked before it.  MoviesSearch has no
 * series and is always eligible here (the connector-wide limit is the
 * throttle's max_concurrent).  Returns the number marked eligible.
 */
struct batch_running {
	int64_t connector_id;
	int64_t series_id;
};
size_t batch_eligible(const struct batch_cmd *cmds, size_t ncmds,
		      const struct batch_running *running, size_t nrunning,
		      int max_per_series, int *eligible);

#endif
