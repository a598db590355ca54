/*
 * quality.c - the qualities, the two quality profiles, and the predicates
 * "missing", "cutoff unmet" and "custom format below cutoff" that the
 * wanted endpoints, the summary and the command grabs all share.
 *
 * Profile 1 ("HD-1080p") is the one every generated item uses: cutoff
 * WEBDL-1080p, upgrades allowed, cutoffFormatScore 100.  Profile 2 ("Any")
 * exists so a client sees more than one.
 */
#include <stddef.h>

#include "fakearr.h"
#include "core/banned.h"

/* In profile order, worst first (the ids are the real apps' ids). */
static const struct fa_quality qualities[] = {
	{ 1, "SDTV", "television", "tv", 480 },
	{ 4, "HDTV-720p", "television", "tv", 720 },
	{ 5, "WEBDL-720p", "web", "webdl", 720 },
	{ 9, "HDTV-1080p", "television", "tv", 1080 },
	{ 3, "WEBDL-1080p", "web", "webdl", 1080 },
	{ 7, "Bluray-1080p", "bluray", "bluray", 1080 },
	{ 19, "Bluray-2160p", "bluray", "bluray", 2160 },
};
#define N_QUALITIES (sizeof(qualities) / sizeof(qualities[0]))
#define CUTOFF_QUALITY 3

const struct fa_quality *
fa_quality_get(int id)
{
	size_t i;

	for (i = 0; i < N_QUALITIES; i++)
		if (qualities[i].id == id)
			return &qualities[i];
	return NULL;
}

int
fa_quality_rank(int id)
{
	size_t i;

	for (i = 0; i < N_QUALITIES; i++)
		if (qualities[i].id == id)
			return (int)i;
	return -1;
}

int
fa_quality_cutoff_met(int quality_id)
{
	return fa_quality_rank(quality_id) >= fa_quality_rank(CUTOFF_QUALITY);
}

int
fa_file_cf_below(const struct fa_file *f)
{
	return f->cf_score < FA_PROFILE_CUTOFF_FORMAT_SCORE;
}

/* monitored: 1 = monitored episode and series (the default), 0 = only the
 * unmonitored ones (either flag off), as Sonarr's wanted endpoints do. */
static int
ep_monitor_match(struct fa_state *st, const struct fa_episode *ep, int monitored)
{
	struct fa_series *s = fa_series_get(st, ep->series_id);
	int on = s != NULL && s->monitored && ep->monitored;

	return monitored ? on : !on;
}

int
fa_ep_is_missing(struct fa_state *st, const struct fa_episode *ep, int monitored)
{
	if (ep->removed || ep->file_id != 0 || ep->season == 0)
		return 0;
	if (ep->air_us > st->now_us)
		return 0;
	return ep_monitor_match(st, ep, monitored);
}

int
fa_ep_is_cutoff(struct fa_state *st, const struct fa_episode *ep, int monitored)
{
	struct fa_file *f;

	if (ep->removed || ep->season == 0)
		return 0;
	f = fa_file_get(st, ep->file_id);
	if (f == NULL || fa_quality_cutoff_met(f->quality_id))
		return 0;
	return ep_monitor_match(st, ep, monitored);
}

int
fa_movie_is_missing(struct fa_state *st, const struct fa_movie *m, int monitored)
{
	(void)st;
	/* Radarr: movieFileId 0 and year > 0, with no availability filter. */
	if (m->removed || m->file_id != 0 || m->year <= 0)
		return 0;
	return monitored ? m->monitored : !m->monitored;
}

int
fa_movie_is_cutoff(struct fa_state *st, const struct fa_movie *m, int monitored)
{
	struct fa_file *f;

	if (m->removed)
		return 0;
	f = fa_file_get(st, m->file_id);
	if (f == NULL || fa_quality_cutoff_met(f->quality_id))
		return 0;
	return monitored ? m->monitored : !m->monitored;
}

static void
render_quality(struct fa_state *st, struct jw *w, const struct fa_quality *q)
{
	jw_obj(w, "quality");
	jw_int(w, "id", q->id);
	jw_str(w, "name", q->name);
	jw_str(w, "source", fa_app_is_movie(st) ? q->movie_source : q->tv_source);
	jw_int(w, "resolution", q->resolution);
	if (fa_app_is_movie(st))
		jw_str(w, "modifier", "none");
	jw_end_obj(w);
}

static void
render_profile(struct fa_state *st, struct jw *w, int id, const char *name,
	       int upgrade, int cutoff, int cutoff_score)
{
	size_t i;

	jw_obj(w, NULL);
	jw_int(w, "id", id);
	jw_str(w, "name", name);
	jw_bool(w, "upgradeAllowed", upgrade);
	jw_int(w, "cutoff", cutoff);
	jw_arr(w, "items");
	for (i = 0; i < N_QUALITIES; i++) {
		jw_obj(w, NULL);
		render_quality(st, w, &qualities[i]);
		jw_arr(w, "items");
		jw_end_arr(w);
		jw_bool(w, "allowed", 1);
		jw_end_obj(w);
	}
	jw_end_arr(w);
	jw_int(w, "minFormatScore", 0);
	jw_int(w, "cutoffFormatScore", cutoff_score);
	if (st->o.app == FA_SONARR || st->o.app == FA_RADARR)
		jw_int(w, "minUpgradeFormatScore", 1);
	jw_arr(w, "formatItems");
	jw_obj(w, NULL);
	jw_int(w, "format", 1);
	jw_str(w, "name", "Preferred Group");
	jw_int(w, "score", 100);
	jw_end_obj(w);
	jw_end_arr(w);
	if (fa_app_is_movie(st)) {
		jw_obj(w, "language");
		jw_int(w, "id", 1);
		jw_str(w, "name", "English");
		jw_end_obj(w);
	}
	jw_end_obj(w);
}

void
fa_render_profiles(struct fa_state *st, struct jw *w)
{
	jw_arr(w, NULL);
	render_profile(st, w, 1, "HD-1080p", 1, CUTOFF_QUALITY, FA_PROFILE_CUTOFF_FORMAT_SCORE);
	render_profile(st, w, 2, "Any", 0, 1, 0);
	jw_end_arr(w);
}

void
fa_render_quality_model(struct fa_state *st, struct jw *w, int quality_id)
{
	const struct fa_quality *q = fa_quality_get(quality_id);

	if (q == NULL)
		q = &qualities[0];
	jw_obj(w, "quality");
	render_quality(st, w, q);
	jw_obj(w, "revision");
	jw_int(w, "version", 1);
	jw_int(w, "real", 0);
	jw_bool(w, "isRepack", 0);
	jw_end_obj(w);
	jw_end_obj(w);
}
