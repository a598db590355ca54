/*
 * render.c - the library's records as each app shapes them.
 *
 * Every schema in the apps' specs forbids unknown members, so each app gets
 * exactly the members its spec lists (checked against the specs in
 * ../shared/arr-openapi): Whisparr v2 has no episodeNumber/airDateUtc but a
 * releaseDate and seasons numbered by year; Whisparr v3 has no
 * releaseDate/keywords/lastSearchTime on movies; and so on.  Nulls are left
 * out, as the apps do.
 */
#include <stdio.h>
#include <string.h>

#include "fakearr.h"
#include "core/banned.h"

#define DAY_US (86400LL * 1000000LL)

int
fa_app_is_tv(const struct fa_state *st)
{
	return st->o.app == FA_SONARR || st->o.app == FA_WHISPARR2;
}

int
fa_app_is_movie(const struct fa_state *st)
{
	return st->o.app == FA_RADARR || st->o.app == FA_WHISPARR3;
}

static const char *
series_word(const struct fa_state *st)
{
	return st->o.app == FA_WHISPARR2 ? "Site" : "Series";
}

static void
language(struct jw *w, const char *key)
{
	jw_obj(w, key);
	jw_int(w, "id", 1);
	jw_str(w, "name", "English");
	jw_end_obj(w);
}

static void
languages(struct jw *w)
{
	jw_arr(w, "languages");
	language(w, NULL);
	jw_end_arr(w);
}

static void
empty_arr(struct jw *w, const char *key)
{
	jw_arr(w, key);
	jw_end_arr(w);
}

static void
unknown_fields(struct jw *w, unsigned flags)
{
	if (!(flags & FA_ADD_UNKNOWN))
		return;
	jw_str(w, "fakeUnknownField", "added by a newer version");
	jw_obj(w, "fakeUnknownObject");
	jw_int(w, "nested", 1);
	jw_end_obj(w);
}

static void
custom_formats(struct jw *w, int score)
{
	jw_arr(w, "customFormats");
	if (score > 0) {
		jw_obj(w, NULL);
		jw_int(w, "id", 1);
		jw_str(w, "name", "Preferred Group");
		jw_end_obj(w);
	}
	jw_end_arr(w);
}

static void
render_epfile(struct fa_state *st, struct jw *w, const char *key, struct fa_file *f,
	      unsigned flags)
{
	struct fa_episode *e = fa_episode_get(st, f->owner_id);
	char rel[128], path[256];
	int sid = e ? e->series_id : 0, season = e ? e->season : 0;

	snprintf(rel, sizeof(rel), "Season %02d/%s %d - S%02dE%02d.mkv", season,
		 series_word(st), sid, season, e ? e->number : 0);
	snprintf(path, sizeof(path), "/tv/%s %d/%s", series_word(st), sid, rel);
	jw_obj(w, key);
	if (!(flags & FA_DROP_REQUIRED))
		jw_int(w, "id", f->id);
	jw_int(w, "seriesId", sid);
	jw_int(w, "seasonNumber", season);
	jw_str(w, "relativePath", rel);
	jw_str(w, "path", path);
	jw_int(w, "size", f->size);
	jw_time(w, "dateAdded", f->added_us);
	jw_str(w, "releaseGroup", "FAKE");
	languages(w);
	fa_render_quality_model(st, w, f->quality_id);
	custom_formats(w, f->cf_score);
	jw_int(w, "customFormatScore", f->cf_score);
	if (st->o.app == FA_SONARR) {
		jw_int(w, "indexerFlags", 0);
		jw_str(w, "releaseType", "singleEpisode");
	}
	jw_bool(w, "qualityCutoffNotMet", !fa_quality_cutoff_met(f->quality_id));
	unknown_fields(w, flags);
	jw_end_obj(w);
}

struct season_acc {
	int files, count, total;
	int64_t size, next, prev;
};

static void
acc_add(struct season_acc *a, struct fa_state *st, struct fa_episode *e)
{
	struct fa_file *f = fa_file_get(st, e->file_id);
	int aired = e->air_us <= st->now_us;

	a->total++;
	if (f != NULL) {
		a->files++;
		a->size += f->size;
	}
	if (f != NULL || (e->monitored && aired))
		a->count++;
	if (aired && e->air_us > a->prev)
		a->prev = e->air_us;
	if (!aired && (a->next == 0 || e->air_us < a->next))
		a->next = e->air_us;
}

static void
acc_stats(struct jw *w, const char *key, struct season_acc *a, int seasons)
{
	jw_obj(w, key);
	if (seasons < 0) {	/* only a season's statistics carry airings */
		jw_time(w, "nextAiring", a->next);
		jw_time(w, "previousAiring", a->prev);
	}
	if (seasons >= 0)
		jw_int(w, "seasonCount", seasons);
	jw_int(w, "episodeFileCount", a->files);
	jw_int(w, "episodeCount", a->count);
	jw_int(w, "totalEpisodeCount", a->total);
	jw_int(w, "sizeOnDisk", a->size);
	jw_arr(w, "releaseGroups");
	if (a->files > 0)
		jw_str(w, NULL, "FAKE");
	jw_end_arr(w);
	jw_dbl(w, "percentOfEpisodes", a->count ? 100.0 * a->files / a->count : 0.0);
	jw_end_obj(w);
}

static void
render_series(struct fa_state *st, struct jw *w, const char *key, struct fa_series *s,
	      unsigned flags)
{
	struct season_acc all, cur;
	char title[64], lower[64], slug[64], path[96];
	int sonarr = st->o.app == FA_SONARR;
	int i, season = -1, nseasons = 0;
	int64_t first = 0, last = 0;

	snprintf(title, sizeof(title), "%s %d", series_word(st), s->id);
	snprintf(lower, sizeof(lower), "%s %d", sonarr ? "series" : "site", s->id);
	snprintf(slug, sizeof(slug), "%s-%d", sonarr ? "series" : "site", s->id);
	snprintf(path, sizeof(path), "/tv/%s", title);
	memset(&all, 0, sizeof(all));
	memset(&cur, 0, sizeof(cur));

	jw_obj(w, key);
	if (!(flags & FA_DROP_REQUIRED)) {
		jw_int(w, "id", s->id);
		jw_str(w, "title", title);
	}
	if (sonarr)
		empty_arr(w, "alternateTitles");
	jw_str(w, "sortTitle", lower);
	jw_arr(w, "seasons");
	for (i = 0; i < s->n_eps; i++) {
		struct fa_episode *e = FA_EP(st, s->first_ep + i);

		if (e->removed)
			continue;
		if (e->season != season) {
			if (season >= 0) {
				acc_stats(w, "statistics", &cur, -1);
				jw_end_obj(w);
			}
			season = e->season;
			memset(&cur, 0, sizeof(cur));
			jw_obj(w, NULL);
			jw_int(w, "seasonNumber", season);
			jw_bool(w, "monitored", s->monitored && season != 0);
			if (season != 0)
				nseasons++;
		}
		if (e->season != 0 && (first == 0 || e->air_us < first))
			first = e->air_us;
		if (e->air_us <= st->now_us && e->air_us > last)
			last = e->air_us;
		acc_add(&cur, st, e);
		acc_add(&all, st, e);
	}
	if (season >= 0) {
		acc_stats(w, "statistics", &cur, -1);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_str(w, "status", all.next ? "continuing" : "ended");
	jw_bool(w, "ended", all.next == 0);
	jw_str(w, "profileName", "HD-1080p");
	jw_str(w, "overview", "A generated series for tests.");
	jw_time(w, "nextAiring", all.next);
	jw_time(w, "previousAiring", all.prev);
	jw_str(w, "network", "Fake Network");
	if (sonarr)
		jw_str(w, "airTime", "20:00");
	empty_arr(w, "images");
	language(w, "originalLanguage");
	jw_int(w, "year", s->year);
	jw_str(w, "path", path);
	jw_int(w, "qualityProfileId", s->profile_id);
	if (sonarr)
		jw_bool(w, "seasonFolder", 1);
	jw_bool(w, "monitored", s->monitored);
	jw_str(w, "monitorNewItems", "all");
	jw_bool(w, "useSceneNumbering", 0);
	jw_int(w, "runtime", sonarr ? 45 : 30);
	jw_int(w, "tvdbId", 100000 + s->id);
	if (sonarr) {
		jw_int(w, "tvRageId", 0);
		jw_int(w, "tvMazeId", 0);
		jw_int(w, "tmdbId", 500000 + s->id);
	}
	jw_time(w, "firstAired", first);
	if (sonarr) {
		jw_time(w, "lastAired", last);
		jw_str(w, "seriesType", "standard");
		snprintf(lower, sizeof(lower), "tt%07d", s->id);
		jw_str(w, "imdbId", lower);
	}
	snprintf(lower, sizeof(lower), "%s%d", sonarr ? "series" : "site", s->id);
	jw_str(w, "cleanTitle", lower);
	jw_str(w, "titleSlug", slug);
	jw_str(w, "rootFolderPath", "/tv/");
	jw_str(w, "certification", "TV-14");
	jw_arr(w, "genres");
	jw_str(w, NULL, "Drama");
	jw_end_arr(w);
	empty_arr(w, "tags");
	jw_time(w, "added", s->added_us);
	jw_obj(w, "ratings");
	jw_int(w, "votes", 100 + s->id % 900);
	jw_dbl(w, "value", 5.0 + (s->id % 50) / 10.0);
	jw_end_obj(w);
	acc_stats(w, "statistics", &all, nseasons);
	if (sonarr)
		jw_int(w, "languageProfileId", 1);
	unknown_fields(w, flags);
	jw_end_obj(w);
}

static void
render_episode(struct fa_state *st, struct jw *w, const char *key, struct fa_episode *e,
	       unsigned flags)
{
	struct fa_file *f = fa_file_get(st, e->file_id);
	char title[64];
	int sonarr = st->o.app == FA_SONARR;

	if (sonarr)
		snprintf(title, sizeof(title), "Episode %d", e->number);
	else
		snprintf(title, sizeof(title), "Scene %d", e->id);
	jw_obj(w, key);
	if (!(flags & FA_DROP_REQUIRED))
		jw_int(w, "id", e->id);
	jw_int(w, "seriesId", e->series_id);
	jw_int(w, "tvdbId", 200000 + e->id);
	jw_int(w, "episodeFileId", f ? f->id : 0);
	jw_int(w, "seasonNumber", e->season);
	if (sonarr)
		jw_int(w, "episodeNumber", e->number);
	if (!(flags & FA_DROP_REQUIRED))
		jw_str(w, "title", title);
	if (sonarr) {
		jw_date(w, "airDate", e->air_us);
		jw_time(w, "airDateUtc", e->air_us);
		jw_time(w, "lastSearchTime", e->last_search_us);
	} else {
		/* The spec calls DateOnly an object; the app writes "yyyy-MM-dd". */
		jw_date(w, "releaseDate", e->air_us);
	}
	jw_int(w, "runtime", sonarr ? 45 : 30);
	jw_str(w, "overview", "A generated episode for tests.");
	if ((flags & FA_WITH_FILE) && f != NULL)
		render_epfile(st, w, "episodeFile", f, 0);
	jw_bool(w, "hasFile", f != NULL);
	jw_bool(w, "monitored", e->monitored);
	if (sonarr)
		jw_bool(w, "unverifiedSceneNumbering", 0);
	jw_time(w, "grabDate", e->grab_us);
	if (!sonarr) {
		char site[48];

		snprintf(site, sizeof(site), "Site %d", e->series_id);
		jw_str(w, "seriesTitle", site);
	}
	if (flags & FA_WITH_SERIES) {
		struct fa_series *s = fa_series_get(st, e->series_id);

		if (s != NULL)
			render_series(st, w, "series", s, 0);
	}
	if (!sonarr) {
		empty_arr(w, "actors");
		empty_arr(w, "images");
		jw_bool(w, "grabbed", e->grab_us != 0);
	}
	unknown_fields(w, flags);
	jw_end_obj(w);
}

static void
render_moviefile(struct fa_state *st, struct jw *w, const char *key, struct fa_file *f,
		 unsigned flags)
{
	char rel[96], path[160];
	int radarr = st->o.app == FA_RADARR;

	snprintf(rel, sizeof(rel), "Movie %d (FAKE).mkv", f->owner_id);
	snprintf(path, sizeof(path), "/movies/Movie %d/%s", f->owner_id, rel);
	jw_obj(w, key);
	jw_int(w, "id", f->id);
	jw_int(w, "movieId", f->owner_id);
	jw_str(w, "relativePath", rel);
	jw_str(w, "path", path);
	jw_int(w, "size", f->size);
	jw_time(w, "dateAdded", f->added_us);
	jw_str(w, "releaseGroup", "FAKE");
	jw_str(w, "edition", "");
	languages(w);
	fa_render_quality_model(st, w, f->quality_id);
	/* The /movie list leaves these out; /movie/{id} and wanted have them. */
	if (flags & FA_FULL_FILE) {
		custom_formats(w, f->cf_score);
		jw_int(w, "customFormatScore", f->cf_score);
	}
	jw_int(w, "indexerFlags", 0);
	jw_bool(w, "qualityCutoffNotMet", !fa_quality_cutoff_met(f->quality_id));
	jw_end_obj(w);
	(void)radarr;
}

static void
render_movie(struct fa_state *st, struct jw *w, const char *key, struct fa_movie *m,
	     unsigned flags)
{
	struct fa_file *f = fa_file_get(st, m->file_id);
	const char *word = m->scene ? "Scene" : "Movie";
	char title[64], buf[96];
	int radarr = st->o.app == FA_RADARR;
	int avail = m->release_us <= st->now_us;

	snprintf(title, sizeof(title), "%s %d", word, m->id);
	jw_obj(w, key);
	if (!(flags & FA_DROP_REQUIRED)) {
		jw_int(w, "id", m->id);
		jw_str(w, "title", title);
	}
	jw_str(w, "originalTitle", title);
	language(w, "originalLanguage");
	empty_arr(w, "alternateTitles");
	jw_int(w, "secondaryYearSourceId", 0);
	snprintf(buf, sizeof(buf), "%s %d", m->scene ? "scene" : "movie", m->id);
	jw_str(w, "sortTitle", buf);
	jw_int(w, "sizeOnDisk", f ? f->size : 0);
	jw_str(w, "status", avail ? "released" :
	       m->release_us - 90 * DAY_US <= st->now_us ? "inCinemas" : "announced");
	jw_str(w, "overview", "A generated movie for tests.");
	jw_time(w, "inCinemas", m->release_us - 90 * DAY_US);
	jw_time(w, "physicalRelease", m->release_us + 30 * DAY_US);
	jw_time(w, "digitalRelease", m->release_us);
	if (radarr)
		jw_time(w, "releaseDate", m->release_us);
	empty_arr(w, "images");
	jw_str(w, "website", "");
	jw_int(w, "year", m->year);
	jw_str(w, "studio", "Fake Studio");
	snprintf(buf, sizeof(buf), "/movies/%s", title);
	jw_str(w, "path", buf);
	jw_int(w, "qualityProfileId", m->profile_id);
	jw_bool(w, "hasFile", f != NULL);
	jw_int(w, "movieFileId", f ? f->id : 0);
	jw_bool(w, "monitored", m->monitored);
	jw_str(w, "minimumAvailability", "released");
	jw_bool(w, "isAvailable", avail);
	jw_str(w, "folderName", buf);
	jw_int(w, "runtime", m->scene ? 30 : 100);
	snprintf(buf, sizeof(buf), "%s%d", m->scene ? "scene" : "movie", m->id);
	jw_str(w, "cleanTitle", buf);
	snprintf(buf, sizeof(buf), "tt%07d", 1000000 + m->id);
	jw_str(w, "imdbId", buf);
	jw_int(w, "tmdbId", 600000 + m->id);
	snprintf(buf, sizeof(buf), "%s-%d", m->scene ? "scene" : "movie", m->id);
	jw_str(w, "titleSlug", buf);
	jw_str(w, "rootFolderPath", "/movies/");
	jw_str(w, "certification", "R");
	jw_arr(w, "genres");
	jw_str(w, NULL, "Drama");
	jw_end_arr(w);
	if (radarr)
		empty_arr(w, "keywords");
	empty_arr(w, "tags");
	jw_time(w, "added", m->added_us);
	jw_obj(w, "ratings");
	jw_obj(w, "imdb");
	jw_int(w, "votes", 1000 + m->id % 9000);
	jw_dbl(w, "value", 5.0 + (m->id % 50) / 10.0);
	jw_str(w, "type", "user");
	jw_end_obj(w);
	jw_end_obj(w);
	if (f != NULL)
		render_moviefile(st, w, "movieFile", f, flags);
	jw_dbl(w, "popularity", 10.5);
	if (radarr)
		jw_time(w, "lastSearchTime", m->last_search_us);
	jw_obj(w, "statistics");
	jw_int(w, "movieFileCount", f ? 1 : 0);
	jw_int(w, "sizeOnDisk", f ? f->size : 0);
	jw_arr(w, "releaseGroups");
	if (f != NULL)
		jw_str(w, NULL, "FAKE");
	jw_end_arr(w);
	jw_end_obj(w);
	/* Whisparr v3 tells movies from scenes; the stored spec predates it. */
	if (st->o.app == FA_WHISPARR3)
		jw_str(w, "itemType", m->scene ? "scene" : "movie");
	unknown_fields(w, flags);
	jw_end_obj(w);
}

static const char *
event_name(int ev)
{
	switch (ev) {
	case FA_EV_GRABBED: return "grabbed";
	case FA_EV_IMPORTED: return "downloadFolderImported";
	case FA_EV_FAILED: return "downloadFailed";
	default: return "unknown";
	}
}

static void
source_title(struct fa_state *st, char *out, size_t size, int item_id, int season)
{
	if (fa_app_is_movie(st))
		snprintf(out, size, "Movie.%d.1080p.WEB-DL-FAKE", item_id);
	else
		snprintf(out, size, "%s.S%02d.E%d.1080p.WEB-DL-FAKE", series_word(st), season, item_id);
}

static void
render_history(struct fa_state *st, struct jw *w, struct fa_hist *h, unsigned flags)
{
	char title[96], dl[40];
	int movie = fa_app_is_movie(st);

	source_title(st, title, sizeof(title), h->item_id, h->season);
	snprintf(dl, sizeof(dl), "FAKE%016llX", (unsigned long long)fa_hash(st->o.seed, (uint64_t)h->queue_id, 31));
	jw_obj(w, NULL);
	if (!(flags & FA_DROP_REQUIRED))
		jw_int(w, "id", h->id);
	if (movie) {
		jw_int(w, "movieId", h->item_id);
	} else {
		jw_int(w, "episodeId", h->item_id);
		jw_int(w, "seriesId", h->series_id);
	}
	jw_str(w, "sourceTitle", title);
	languages(w);
	fa_render_quality_model(st, w, h->quality_id);
	custom_formats(w, h->cf_score);
	jw_int(w, "customFormatScore", h->cf_score);
	jw_bool(w, "qualityCutoffNotMet", !fa_quality_cutoff_met(h->quality_id));
	jw_time(w, "date", h->date_us);
	jw_str(w, "downloadId", dl);
	jw_str(w, "eventType", event_name(h->event));
	jw_obj(w, "data");
	jw_str(w, "indexer", "Fake Indexer");
	jw_str(w, "releaseGroup", "FAKE");
	jw_str(w, "downloadClient", "Fake Client");
	jw_end_obj(w);
	if (!movie && (flags & FA_WITH_EPISODE)) {
		struct fa_episode *e = fa_episode_get(st, h->item_id);

		if (e != NULL)
			render_episode(st, w, "episode", e, 0);
	}
	if (!movie && (flags & FA_WITH_SERIES)) {
		struct fa_series *s = fa_series_get(st, h->series_id);

		if (s != NULL)
			render_series(st, w, "series", s, 0);
	}
	if (movie && (flags & FA_WITH_MOVIE)) {
		struct fa_movie *m = fa_movie_get(st, h->item_id);

		if (m != NULL)
			render_movie(st, w, "movie", m, 0);
	}
	unknown_fields(w, flags);
	jw_end_obj(w);
}

static void
render_queue(struct fa_state *st, struct jw *w, struct fa_queue *q, unsigned flags)
{
	char title[96], dl[40], eta[40];
	int movie = fa_app_is_movie(st);
	int whisparr = st->o.app == FA_WHISPARR2 || st->o.app == FA_WHISPARR3;
	double size = 1500000000.0;

	source_title(st, title, sizeof(title), q->item_id, q->season);
	snprintf(dl, sizeof(dl), "FAKE%016llX", (unsigned long long)fa_hash(st->o.seed, (uint64_t)q->id, 31));
	jw_obj(w, NULL);
	if (!(flags & FA_DROP_REQUIRED))
		jw_int(w, "id", q->id);
	if (movie) {
		jw_int(w, "movieId", q->item_id);
	} else {
		jw_int(w, "seriesId", q->series_id);
		jw_int(w, "episodeId", q->item_id);
		jw_int(w, "seasonNumber", q->season);
	}
	if (!movie && (flags & FA_WITH_SERIES)) {
		struct fa_series *s = fa_series_get(st, q->series_id);

		if (s != NULL)
			render_series(st, w, "series", s, 0);
	}
	if (!movie && (flags & FA_WITH_EPISODE)) {
		struct fa_episode *e = fa_episode_get(st, q->item_id);

		if (e != NULL)
			render_episode(st, w, "episode", e, 0);
	}
	if (movie && (flags & FA_WITH_MOVIE)) {
		struct fa_movie *m = fa_movie_get(st, q->item_id);

		if (m != NULL)
			render_movie(st, w, "movie", m, 0);
	}
	languages(w);
	fa_render_quality_model(st, w, q->quality_id);
	custom_formats(w, 100);
	jw_int(w, "customFormatScore", 100);
	jw_dbl(w, "size", size);
	jw_str(w, "title", title);
	fa_fmt_time(eta, sizeof(eta), q->import_at_us);
	jw_str(w, "estimatedCompletionTime", eta);
	if (!whisparr)
		jw_time(w, "added", q->added_us);
	jw_str(w, "status", "downloading");
	jw_str(w, "trackedDownloadStatus", "ok");
	jw_str(w, "trackedDownloadState", "downloading");
	empty_arr(w, "statusMessages");
	jw_str(w, "downloadId", dl);
	jw_str(w, "protocol", "usenet");
	jw_str(w, "downloadClient", "Fake Client");
	if (!whisparr)
		jw_bool(w, "downloadClientHasPostImportCategory", 0);
	jw_str(w, "indexer", "Fake Indexer");
	jw_str(w, "outputPath", "/downloads/fake");
	if (!movie) {
		struct fa_episode *e = fa_episode_get(st, q->item_id);

		jw_bool(w, "episodeHasFile", e != NULL && e->file_id != 0);
	}
	jw_dbl(w, "sizeleft", size / 2);
	/* Whisparr's spec makes timeleft a TimeSpan object: leave it out. */
	if (!whisparr) {
		fa_fmt_span(eta, sizeof(eta), q->import_at_us - st->now_us);
		jw_str(w, "timeleft", eta);
	}
	unknown_fields(w, flags);
	jw_end_obj(w);
}

int
fa_render(struct fa_state *st, struct jw *w, enum fa_rec kind, int id, unsigned flags)
{
	switch (kind) {
	case FA_REC_SERIES: {
		struct fa_series *s = fa_series_get(st, id);

		if (s == NULL)
			return 1;
		render_series(st, w, NULL, s, flags);
		return 0;
	}
	case FA_REC_EPISODE: {
		struct fa_episode *e = fa_episode_get(st, id);

		if (e == NULL)
			return 1;
		render_episode(st, w, NULL, e, flags);
		return 0;
	}
	case FA_REC_EPFILE: {
		struct fa_file *f = fa_file_get(st, id);

		if (f == NULL)
			return 1;
		render_epfile(st, w, NULL, f, flags);
		return 0;
	}
	case FA_REC_MOVIE: {
		struct fa_movie *m = fa_movie_get(st, id);

		if (m == NULL)
			return 1;
		render_movie(st, w, NULL, m, flags);
		return 0;
	}
	case FA_REC_HISTORY:
		if (id < 1 || (size_t)id > st->hist.n)
			return 1;
		render_history(st, w, FA_HIST(st, id - 1), flags);
		return 0;
	case FA_REC_QUEUE:
		if (id < 1 || (size_t)id > st->queue.n || !FA_QUEUE(st, id - 1)->active)
			return 1;
		render_queue(st, w, FA_QUEUE(st, id - 1), flags);
		return 0;
	case FA_REC_MOVIEFILE: {
		struct fa_file *f = fa_file_get(st, id);

		if (f == NULL || !fa_app_is_movie(st))
			return 1;
		/* /moviefile has what the /movie list leaves out */
		render_moviefile(st, w, NULL, f, flags | FA_FULL_FILE);
		return 0;
	}
	case FA_REC_DUMP:
		return 1;
	}
	return 1;
}
