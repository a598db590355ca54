/*
 * sonarr.h - series-shaped apps: Sonarr and Whisparr v2 (Req 24, 26).
 *
 * Each list streams and parses element by element (client.h, parse.h); fn
 * gets a struct valid only during the call.  The client's dialect (set by
 * arr_client_detect) tells the episode parser whether episodeNumber is
 * required (Whisparr v2 scenes have none, and releaseDate for airDateUtc).
 */
#ifndef COMRADARR_ARR_SONARR_H
#define COMRADARR_ARR_SONARR_H

#include "arr/client.h"
#include "arr/model.h"
#include "core/err.h"

typedef int (*arr_series_fn)(const struct arr_series *s, void *arg,
			     struct err *e);
typedef int (*arr_episode_fn)(const struct arr_episode *ep, void *arg,
			      struct err *e);
typedef int (*arr_episode_file_fn)(const struct arr_episode_file *f, void *arg,
				   struct err *e);

enum arr_wanted {
	ARR_WANTED_MISSING = 0,	/* wanted/missing: no file */
	ARR_WANTED_CUTOFF	/* wanted/cutoff: quality below the cutoff */
};

/* GET {api}/series: every series with seasons and statistics. */
int arr_series_each(struct arr_client *c, arr_series_fn fn, void *arg,
		    struct err *e);
/* GET {api}/episode?seriesId=N[&includeEpisodeFile=true]. */
int arr_episode_each(struct arr_client *c, int series_id, int include_file,
		     arr_episode_fn fn, void *arg, struct err *e);
/* GET {api}/episodefile?seriesId=N. */
int arr_episode_file_each(struct arr_client *c, int series_id,
			  arr_episode_file_fn fn, void *arg, struct err *e);
/*
 * Every record of wanted/missing or wanted/cutoff (paged, deduped),
 * monitored=true or false (false = only the unmonitored ones).
 */
int arr_wanted_episode_each(struct arr_client *c, enum arr_wanted which,
			    int monitored, arr_episode_fn fn, void *arg,
			    struct err *e);

#endif
