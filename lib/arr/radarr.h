/*
 * radarr.h - movie-shaped apps: Radarr and Whisparr v3 (Req 25, 26).
 *
 * GET {api}/movie answers every movie at once (~250 MB for 50,000), so it is
 * streamed and parsed element by element; fn gets a struct valid only
 * during the call.  In that list movieFile has no customFormatScore
 * (movie_file.has_custom_format_score is false).
 */
#ifndef COMRADARR_ARR_RADARR_H
#define COMRADARR_ARR_RADARR_H

#include "arr/client.h"
#include "arr/model.h"
#include "arr/sonarr.h"
#include "core/err.h"

typedef int (*arr_movie_fn)(const struct arr_movie *m, void *arg,
			    struct err *e);

/* The first Radarr with /wanted/missing and /wanted/cutoff. */
#define ARR_RADARR_WANTED_SINCE { 5, 6, 0, 8846 }

int arr_movie_each(struct arr_client *c, arr_movie_fn fn, void *arg,
		   struct err *e);

/*
 * The files file_ids[0..n) from GET {api}/moviefile?movieFileIds=..., which,
 * unlike the movie list, has each file's customFormatScore.  Asked for
 * ARR_MOVIE_FILE_PAGE ids at a time (the URL stays short); fn gets each
 * file the app still has (a struct valid only during the call).
 */
#define ARR_MOVIE_FILE_PAGE 100
typedef int (*arr_movie_file_fn)(const struct arr_episode_file *f, void *arg, struct err *e);
int arr_movie_file_each(struct arr_client *c, const int *file_ids, size_t n,
			arr_movie_file_fn fn, void *arg, struct err *e);

/*
 * Does this app serve wanted/missing and wanted/cutoff for movies?  Radarr
 * from 5.6.0.8846; Whisparr v3 never.  Pure.  Without them, compute gaps
 * from the movie list (radarr wanted/missing has no availability filter
 * anyway: filter on is_available).
 */
int arr_radarr_has_wanted(enum arr_dialect d, const int version[4]);

/* Every record of wanted/missing or wanted/cutoff (paged, deduped). */
int arr_wanted_movie_each(struct arr_client *c, enum arr_wanted which,
			  int monitored, arr_movie_fn fn, void *arg,
			  struct err *e);

#endif
