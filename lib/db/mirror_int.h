/*
 * mirror_int.h - what mirror.c (staging) and mirror_merge.c (the merge
 * statements) share.  Not part of the library's API: use mirror.h.
 */
#ifndef COMRADARR_DB_MIRROR_INT_H
#define COMRADARR_DB_MIRROR_INT_H

#include "core/buf.h"
#include "db/mirror.h"

/* Memory an in-memory sort of one staged row takes, for work_mem. */
#define MIRROR_SORT_ROW_BYTES 256

enum mirror_phase {
	MIRROR_IDLE = 0,
	MIRROR_COPY,		/* a COPY FROM STDIN is running */
	MIRROR_DONE		/* committed or rolled back */
};

struct mirror {
	PGconn *db;
	int64_t connector_id;
	char cid[24];		/* connector_id as text, a query parameter */
	char *corr;		/* correlation id or NULL */
	enum mirror_phase phase;
	int series_staged;	/* the series phase ran */
	int episodes_staged;
	int movies_staged;
	int profiles_staged;
	long staged;
	struct buf row;		/* one COPY row being built */
};

/*
 * One record as one COPY text line (newline included) for its staging
 * table, appended to b.  Pure (mirror_row.c).  0, or -1 when b's cap was
 * passed or memory ran out.
 */
int mirror_row_profile(struct buf *b, const struct arr_quality_profile *p);
int mirror_row_series(struct buf *b, const struct arr_series *s);
int mirror_row_movie(struct buf *b, const struct arr_movie *mv);

/* The movie columns the staging table and the mirror share, in order. */
#define MIRROR_MOVIE_COLS \
	"title, sort_title, year, tmdb_id, imdb_id, status, item_type, minimum_availability, " \
	"is_available, monitored, quality_profile_id, in_cinemas, digital_release, " \
	"physical_release, release_date, added_at, has_file, movie_file_id, quality_id, " \
	"quality_name, quality_source, quality_resolution, revision_version, revision_real, " \
	"revision_is_repack, quality_cutoff_not_met, last_search_time"

/* Whether the connector's mirror holds no series and no movies. */
int mirror_is_empty(struct mirror *m, int *empty, struct err *e);
/*
 * The merge of an empty mirror (mirror_import.c): plain inserts and one
 * "library_imported" event with the counts.  Profiles are merged before.
 */
int mirror_import(struct mirror *m, mirror_event_fn fn, void *arg, struct mirror_counts *c,
		  struct err *e);

/* Run sql with $1 = connector id, $2 = correlation id; *res optional. */
int mirror_query(struct mirror *m, const char *sql, PGresult **res, struct err *e);

#endif
