/*
 * parse_media.c - series, episodes, episode files and movies: the content
 * the mirror stores (Req 14.1-14.2, 27.2-27.4).
 */
#include <stdlib.h>
#include <string.h>

#include "arr/jget.h"
#include "arr/parse.h"
#include "arr/quality.h"
#include "core/log.h"
#include "core/banned.h"

int
arr_parse_skip(const char *resource, const json_t *j, const char *field)
{
	json_t *id = json_is_object(j) ? json_object_get(j, "id") : NULL;

	if (json_is_integer(id))
		log_warn("arr", "skipping %s %lld: required field '%s' is missing "
			 "or has the wrong type", resource,
			 (long long)json_integer_value(id), field);
	else
		log_warn("arr", "skipping a %s without a usable id: required "
			 "field '%s' is missing or has the wrong type",
			 resource, field);
	return ARR_SKIPPED;
}

/* Optional QualityModel member: has_quality says whether it was usable. */
static void
read_quality(const json_t *j, bool *has, struct arr_quality *q)
{
	json_t *v = json_object_get(j, "quality");

	*has = v != NULL && arr_quality_from_json(v, q, NULL) == 0;
	if (!*has)
		memset(q, 0, sizeof(*q));
}

static void
read_season_stats(const json_t *st, struct arr_season *s)
{
	s->has_statistics = true;
	jget_int(st, "totalEpisodeCount", &s->total_episode_count);
	jget_int(st, "episodeCount", &s->episode_count);
	jget_int(st, "episodeFileCount", &s->episode_file_count);
	jget_int64(st, "sizeOnDisk", &s->size_on_disk);
	jget_double(st, "percentOfEpisodes", &s->percent_of_episodes);
	jget_time(st, "nextAiring", &s->next_airing);
	jget_time(st, "previousAiring", &s->previous_airing);
}

static int
read_seasons(const json_t *arr, struct arr_series *out, struct err *e)
{
	size_t i, n = json_array_size(arr);
	json_t *v;

	if (n == 0)
		return 0;
	out->seasons = calloc(n, sizeof(*out->seasons));
	if (out->seasons == NULL)
		return err_set(e, ERR_NOMEM, "out of memory reading the seasons "
			       "of series %d", out->id);
	json_array_foreach(arr, i, v) {
		struct arr_season *s = &out->seasons[out->nseasons];
		json_t *st;

		/* a season without its number cannot be stored: drop it alone */
		if (!json_is_object(v) || !jget_int(v, "seasonNumber", &s->season_number)) {
			log_warn("arr", "series %d: skipping a season without "
				 "'seasonNumber'", out->id);
			continue;
		}
		jget_bool(v, "monitored", &s->monitored);
		st = json_object_get(v, "statistics");
		if (json_is_object(st))
			read_season_stats(st, s);
		out->nseasons++;
	}
	return 0;
}

void
arr_series_release(struct arr_series *s)
{
	free(s->seasons);
	s->seasons = NULL;
	s->nseasons = 0;
}

int
arr_series_parse(const json_t *j, struct arr_series *out, struct err *e)
{
	json_t *st;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j))
		return arr_parse_skip("series", j, "id");
	if (!jget_int(j, "id", &out->id))
		return arr_parse_skip("series", j, "id");
	if (!jget_str(j, "title", out->title, sizeof(out->title)))
		return arr_parse_skip("series", j, "title");
	jget_str(j, "sortTitle", out->sort_title, sizeof(out->sort_title));
	jget_str(j, "status", out->status, sizeof(out->status));
	jget_str(j, "seriesType", out->series_type, sizeof(out->series_type));
	jget_str(j, "imdbId", out->imdb_id, sizeof(out->imdb_id));
	jget_int(j, "tvdbId", &out->tvdb_id);
	jget_int(j, "tmdbId", &out->tmdb_id);
	jget_int(j, "year", &out->year);
	jget_int(j, "qualityProfileId", &out->quality_profile_id);
	jget_int(j, "runtime", &out->runtime);
	jget_bool(j, "monitored", &out->monitored);
	jget_time(j, "added", &out->added);
	jget_time(j, "firstAired", &out->first_aired);
	jget_time(j, "nextAiring", &out->next_airing);
	jget_time(j, "previousAiring", &out->previous_airing);
	st = json_object_get(j, "statistics");
	if (json_is_object(st)) {
		jget_int(st, "seasonCount", &out->season_count);
		jget_int(st, "episodeCount", &out->episode_count);
		jget_int(st, "episodeFileCount", &out->episode_file_count);
		jget_int(st, "totalEpisodeCount", &out->total_episode_count);
		jget_int64(st, "sizeOnDisk", &out->size_on_disk);
		jget_double(st, "percentOfEpisodes", &out->percent_of_episodes);
	}
	if (read_seasons(json_object_get(j, "seasons"), out, e) < 0)
		return -1;
	return ARR_PARSED;
}

/* The fields an episode file and a movie file share. */
static void
read_file_common(const json_t *j, struct arr_episode_file *out)
{
	jget_str(j, "relativePath", out->relative_path, sizeof(out->relative_path));
	jget_str(j, "releaseGroup", out->release_group, sizeof(out->release_group));
	jget_int64(j, "size", &out->size);
	jget_time(j, "dateAdded", &out->date_added);
	read_quality(j, &out->has_quality, &out->quality);
	out->has_custom_format_score =
		jget_int(j, "customFormatScore", &out->custom_format_score);
	jget_bool(j, "qualityCutoffNotMet", &out->quality_cutoff_not_met);
}

int
arr_episode_file_parse(const json_t *j, struct arr_episode_file *out,
		       struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("episode file", j, "id");
	jget_int(j, "seriesId", &out->series_id);
	jget_int(j, "seasonNumber", &out->season_number);
	jget_int(j, "movieId", &out->movie_id);
	read_file_common(j, out);
	return ARR_PARSED;
}

int
arr_episode_parse(const json_t *j, enum arr_dialect dialect,
		  struct arr_episode *out, struct err *e)
{
	json_t *f;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("episode", j, "id");
	if (!jget_int(j, "seriesId", &out->series_id))
		return arr_parse_skip("episode", j, "seriesId");
	if (!jget_int(j, "seasonNumber", &out->season_number))
		return arr_parse_skip("episode", j, "seasonNumber");
	out->has_episode_number = jget_int(j, "episodeNumber", &out->episode_number);
	if (!out->has_episode_number && dialect != ARR_DIALECT_WHISPARR_V2)
		return arr_parse_skip("episode", j, "episodeNumber");
	jget_int(j, "absoluteEpisodeNumber", &out->absolute_episode_number);
	jget_int(j, "tvdbId", &out->tvdb_id);
	jget_int(j, "episodeFileId", &out->episode_file_id);
	jget_int(j, "runtime", &out->runtime);
	jget_str(j, "title", out->title, sizeof(out->title));
	jget_str(j, "airDate", out->air_date, sizeof(out->air_date));
	jget_time(j, "airDateUtc", &out->air_date_utc);
	jget_time(j, "releaseDate", &out->release_date);
	jget_time(j, "lastSearchTime", &out->last_search_time);
	jget_time(j, "grabDate", &out->grab_date);
	jget_bool(j, "monitored", &out->monitored);
	if (!jget_bool(j, "hasFile", &out->has_file))
		out->has_file = out->episode_file_id > 0;
	f = json_object_get(j, "episodeFile");
	if (json_is_object(f) &&
	    arr_episode_file_parse(f, &out->episode_file, e) == ARR_PARSED)
		out->has_episode_file = true;
	return ARR_PARSED;
}

int
arr_movie_parse(const json_t *j, struct arr_movie *out, struct err *e)
{
	json_t *f;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("movie", j, "id");
	if (!jget_str(j, "title", out->title, sizeof(out->title)))
		return arr_parse_skip("movie", j, "title");
	if (!jget_int(j, "tmdbId", &out->tmdb_id))
		return arr_parse_skip("movie", j, "tmdbId");
	jget_str(j, "sortTitle", out->sort_title, sizeof(out->sort_title));
	jget_str(j, "imdbId", out->imdb_id, sizeof(out->imdb_id));
	jget_int(j, "year", &out->year);
	jget_int(j, "qualityProfileId", &out->quality_profile_id);
	jget_int(j, "runtime", &out->runtime);
	jget_int(j, "movieFileId", &out->movie_file_id);
	jget_bool(j, "monitored", &out->monitored);
	jget_bool(j, "isAvailable", &out->is_available);
	jget_str(j, "status", out->status, sizeof(out->status));
	jget_str(j, "minimumAvailability", out->minimum_availability,
		 sizeof(out->minimum_availability));
	jget_str(j, "itemType", out->item_type, sizeof(out->item_type));
	jget_int64(j, "sizeOnDisk", &out->size_on_disk);
	jget_time(j, "added", &out->added);
	jget_time(j, "inCinemas", &out->in_cinemas);
	jget_time(j, "digitalRelease", &out->digital_release);
	jget_time(j, "physicalRelease", &out->physical_release);
	jget_time(j, "releaseDate", &out->release_date);
	jget_time(j, "lastSearchTime", &out->last_search_time);
	f = json_object_get(j, "movieFile");
	if (json_is_object(f) &&
	    arr_episode_file_parse(f, &out->movie_file, e) == ARR_PARSED) {
		out->has_movie_file = true;
		if (out->movie_file_id == 0)
			out->movie_file_id = out->movie_file.id;
	}
	/* hasFile is computed by the app; older builds may leave it out */
	if (!jget_bool(j, "hasFile", &out->has_file))
		out->has_file = out->movie_file_id > 0;
	return ARR_PARSED;
}
