/*
 * mirror.h - writing one connector's content mirror (Req 2, 14).
 *
 * One struct mirror is one transaction.  What the *arr lists say is
 * streamed with COPY (text format) into temporary staging tables, then
 * merged with one statement per table:
 *
 *	INSERT ... ON CONFLICT (connector_id, arr_id) DO UPDATE ...
 *	WHERE (cols) IS DISTINCT FROM (excluded cols)
 *
 * so a row that did not change is not written at all (DESIGN.md measured
 * 3.4 s of staging and 4.9 s of merge for a million rows, against 18k
 * rows/s for single-row upserts).  The same statements compute the change
 * events by comparing the old rows (the statement's snapshot) with what
 * RETURNING gives back, and insert them into the events outbox: the mirror
 * and its events commit together or not at all.
 *
 * Use, for a series-shaped app (Sonarr, Whisparr v2):
 *
 *	mirror_open(db, connector_id, corr, &m, e);
 *	mirror_profiles_begin / mirror_profile_put... / mirror_profiles_end
 *	mirror_series_begin / mirror_series_put... / mirror_series_end(m, full, &ids, &n)
 *	mirror_episodes_begin / mirror_episode_put (for the series in ids) / mirror_episodes_end
 *	mirror_merge(m, &mo, on_event, arg, &counts, e);
 *	... the caller's own statements in the same transaction (sync_state) ...
 *	mirror_commit(m, e);	or mirror_abort(m) on any failure
 *	mirror_free(m);
 *
 * and for a movie-shaped app (Radarr, Whisparr v3) the movie phase instead
 * of the series and episode phases.  Only one COPY runs at a time on the
 * connection, which is why an episode row carries its file's columns
 * (episode?includeEpisodeFile=true gives both in one request).
 */
#ifndef COMRADARR_DB_MIRROR_H
#define COMRADARR_DB_MIRROR_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "arr/model.h"
#include "core/err.h"

struct mirror;
struct buf;

/* What the merge did. */
struct mirror_counts {
	long staged;		/* rows sent with COPY */
	long profiles;		/* quality profiles written */
	long series_added, series_updated, series_removed;
	long seasons_written, seasons_removed;
	long episodes_added, episodes_updated, episodes_removed;
	long files_written, files_removed;
	long movies_added, movies_updated, movies_removed;
	long registry_cleared;	/* search registry entries resolved (Req 3.4, 4.4) */
	long events;
};

struct mirror_merge_opts {
	/*
	 * A list had records the parser skipped (Req 27.8): an item missing
	 * from it may be malformed rather than removed, so keep it.
	 */
	int keep_missing_items;		/* series / movies */
	int keep_missing_children;	/* episodes / files of refetched series */
};

/*
 * Called for each event written to the outbox: kind ("item_added",
 * "file_gained", "file_lost", "cutoff_changed", "monitored_changed",
 * "item_removed", or "library_imported" once with the counts when the
 * connector's mirror was empty) and its payload (borrowed).
 */
typedef void (*mirror_event_fn)(void *arg, const char *kind, json_t *payload);

/*
 * BEGIN a transaction on db and make the staging tables.  corr (may be
 * NULL) is stored as the events' correlation_id.  *out is freed with
 * mirror_free(); on failure nothing is left open.
 */
int mirror_open(PGconn *db, int64_t connector_id, const char *corr, struct mirror **out,
		struct err *e);

int mirror_profiles_begin(struct mirror *m, struct err *e);
int mirror_profile_put(struct mirror *m, const struct arr_quality_profile *p, struct err *e);
/* Ends the COPY; mirror_merge() merges them first (the upgrade rules need them). */
int mirror_profiles_end(struct mirror *m, struct err *e);

int mirror_series_begin(struct mirror *m, struct err *e);
int mirror_series_put(struct mirror *m, const struct arr_series *s, struct err *e);
/*
 * End the series COPY and say which series need their episodes fetched:
 * every staged series when full, else those whose fingerprint differs
 * from the mirror's (new or changed).  *ids is malloc'd (caller frees),
 * ascending.
 */
int mirror_series_end(struct mirror *m, int full, int **ids, size_t *n, struct err *e);

int mirror_episodes_begin(struct mirror *m, struct err *e);
/* whisparr_v2: the scene's releaseDate stands for airDateUtc. */
int mirror_episode_put(struct mirror *m, const struct arr_episode *ep, int whisparr_v2,
		       struct err *e);
int mirror_episodes_end(struct mirror *m, struct err *e);

/*
 * The same row as mirror_episode_put sends, appended to b as one COPY text
 * line (newline included), for a thread that formats rows while another
 * sends them.  Pure and thread-safe.  0, or -1 when b's cap was passed or
 * memory ran out.
 */
int mirror_row_episode(struct buf *b, const struct arr_episode *ep, int whisparr_v2);
/*
 * Send rows lines of COPY text (len bytes, whole lines, as mirror_row_*
 * make them) into the COPY that is running.  Only on the mirror's thread.
 */
int mirror_copy_rows(struct mirror *m, const char *data, size_t len, long rows, struct err *e);

int mirror_movies_begin(struct mirror *m, struct err *e);
int mirror_movie_put(struct mirror *m, const struct arr_movie *mv, struct err *e);
int mirror_movies_end(struct mirror *m, struct err *e);

/*
 * Merge everything staged, delete what is gone, write the events, clear
 * resolved search registry entries.  Still inside the transaction.  When
 * the connector's mirror is empty (its first sync) this is an import:
 * plain inserts, no per-item events, one "library_imported" event.
 */
int mirror_merge(struct mirror *m, const struct mirror_merge_opts *o, mirror_event_fn fn,
		 void *arg, struct mirror_counts *c, struct err *e);

/*
 * After the merge, movies only.  The /movie list leaves customFormatScore
 * out, so a file's score is read from /moviefile, for the files that can be
 * custom-format upgrades: a movie with a file whose profile takes upgrades
 * and has a cutoffFormatScore above 0.  mirror_movie_files_to_score() lists
 * their *arr file ids (*ids malloc'd, free()): all of them when full, else
 * those whose score is unknown (new or changed files: the merge forgets a
 * score when the file changes).  mirror_movie_scores_put() stores what was
 * read; *changed counts the movies whose score changed.
 */
int mirror_movie_files_to_score(struct mirror *m, int full, int **ids, size_t *n, struct err *e);
int mirror_movie_scores_put(struct mirror *m, const int *file_ids, const int *scores, size_t n,
			    long *changed, struct err *e);

int mirror_commit(struct mirror *m, struct err *e);
/* Roll back (a COPY in progress is cancelled first).  Never fails. */
void mirror_abort(struct mirror *m);
/* Rolls back if neither commit nor abort ran.  NULL is fine. */
void mirror_free(struct mirror *m);

/*
 * The series fingerprint: a digest of everything the series list says
 * that the mirror stores or that moves when an episode or file changes
 * (statistics, monitored flags, profile, seasons).  32 hex chars + NUL.
 * Pure.
 */
void mirror_series_fingerprint(const struct arr_series *s, char out[33]);

/*
 * Append v to b in COPY text format: backslash, tab, newline and carriage
 * return escaped; NULL (v == NULL) as \N.  Pure; exposed for tests.
 */
int mirror_copy_text(struct buf *b, const char *v);

#endif
