/*
 * mutate.c - library changes asked for through POST /__fake/mutate (for
 * sync tests), and the summary counts a test compares a mirror with.
 *
 *   {"op":"add_series","count":N}            {"op":"remove_series","id":N}
 *   {"op":"add_episode_file","id":EP,"quality":Q,"cf":S}
 *   {"op":"remove_episode_file","id":EP}
 *   {"op":"set_monitored","type":"episode|series|movie","id":N,"monitored":B}
 *   {"op":"change_quality","id":EP_OR_MOVIE,"quality":Q,"cf":S}
 *   {"op":"add_movie","count":N}             {"op":"remove_movie","id":N}
 *   {"op":"set_movie_file","id":M,"has_file":B,"quality":Q,"cf":S}
 *   {"op":"grab","id":EP_OR_MOVIE,"hold_ms":MS}  into the download queue now,
 *                                            imported MS later (--command-ms)
 *   {"op":"random","seed":S,"count":N}       N of the above, from the seed
 *
 * The answer is {"changed":[{"op":..,"id":..},...]}.
 */
#include <stdio.h>
#include <string.h>

#include "fakearr.h"
#include "core/banned.h"

static int
jint(json_t *o, const char *k, int def)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int)json_integer_value(v) : def;
}

static void
changed(json_t *out, const char *op, int id)
{
	json_array_append_new(out, json_pack("{s:s, s:i}", "op", op, "id", id));
}

static int
one_op(struct fa_state *st, const char *op, json_t *req, json_t *out, char *err, size_t es)
{
	int id = jint(req, "id", 0), i;
	int count = jint(req, "count", 1);
	int q = jint(req, "quality", 3), cf = jint(req, "cf", 100);
	uint64_t seed = (uint64_t)jint(req, "seed", (int)st->o.seed) + st->series.n + st->movies.n;

	if (strcmp(op, "add_series") == 0 && fa_app_is_tv(st)) {
		for (i = 0; i < count; i++) {
			struct fa_series *s = fa_series_add(st, seed + (uint64_t)i);

			if (s == NULL)
				goto nomem;
			changed(out, op, s->id);
		}
	} else if (strcmp(op, "remove_series") == 0 && fa_app_is_tv(st)) {
		if (fa_series_get(st, id) == NULL)
			goto notfound;
		fa_series_remove(st, id);
		changed(out, op, id);
	} else if ((strcmp(op, "add_episode_file") == 0 || strcmp(op, "change_quality") == 0) &&
		   fa_app_is_tv(st)) {
		struct fa_episode *e = fa_episode_get(st, id);

		if (e == NULL || fa_quality_get(q) == NULL)
			goto notfound;
		if (fa_file_attach(st, 0, id, q, cf) == NULL)
			goto nomem;
		changed(out, op, id);
	} else if (strcmp(op, "remove_episode_file") == 0 && fa_app_is_tv(st)) {
		if (fa_episode_get(st, id) == NULL)
			goto notfound;
		fa_file_detach(st, 0, id);
		changed(out, op, id);
	} else if (strcmp(op, "set_monitored") == 0) {
		const char *type = json_string_value(json_object_get(req, "type"));
		int on = json_is_true(json_object_get(req, "monitored"));

		if (type == NULL)
			type = fa_app_is_movie(st) ? "movie" : "episode";
		if (strcmp(type, "series") == 0 && fa_series_get(st, id) != NULL)
			fa_series_get(st, id)->monitored = (uint8_t)on;
		else if (strcmp(type, "episode") == 0 && fa_episode_get(st, id) != NULL)
			fa_episode_get(st, id)->monitored = (uint8_t)on;
		else if (strcmp(type, "movie") == 0 && fa_movie_get(st, id) != NULL)
			fa_movie_get(st, id)->monitored = (uint8_t)on;
		else
			goto notfound;
		changed(out, op, id);
	} else if (strcmp(op, "add_movie") == 0 && fa_app_is_movie(st)) {
		for (i = 0; i < count; i++) {
			struct fa_movie *m = fa_movie_add(st, seed + (uint64_t)i);

			if (m == NULL)
				goto nomem;
			changed(out, op, m->id);
		}
	} else if (strcmp(op, "remove_movie") == 0 && fa_app_is_movie(st)) {
		struct fa_movie *m = fa_movie_get(st, id);

		if (m == NULL)
			goto notfound;
		fa_file_detach(st, 1, id);
		m->removed = 1;
		changed(out, op, id);
	} else if ((strcmp(op, "set_movie_file") == 0 || strcmp(op, "change_quality") == 0) &&
		   fa_app_is_movie(st)) {
		json_t *hf = json_object_get(req, "has_file");

		if (fa_movie_get(st, id) == NULL || fa_quality_get(q) == NULL)
			goto notfound;
		if (json_is_false(hf))
			fa_file_detach(st, 1, id);
		else if (fa_file_attach(st, 1, id, q, cf) == NULL)
			goto nomem;
		changed(out, op, id);
	} else if (strcmp(op, "grab") == 0) {
		json_t *h = json_object_get(req, "hold_ms");

		if (fa_grab_now(st, id, json_is_integer(h) ? (long)json_integer_value(h) : -1) < 0)
			goto notfound;
		changed(out, op, id);
	} else {
		snprintf(err, es, "unknown or unsupported \"op\" \"%s\" for this app", op);
		return -1;
	}
	return 0;
notfound:
	snprintf(err, es, "\"%s\": no such item %d (or bad quality %d)", op, id, q);
	return -1;
nomem:
	snprintf(err, es, "out of memory");
	return -1;
}

/* N mutations picked by a hash of the seed; items that are gone are skipped. */
static int
random_ops(struct fa_state *st, json_t *req, json_t *out, char *err, size_t es)
{
	static const char *const tv_ops[] = { "add_episode_file", "remove_episode_file",
		"set_monitored", "change_quality", "add_series", "remove_series" };
	static const char *const movie_ops[] = { "set_movie_file", "set_movie_file",
		"set_monitored", "change_quality", "add_movie", "remove_movie" };
	static const int qualities[] = { 1, 4, 5, 3, 7, 19 };
	uint64_t seed = (uint64_t)jint(req, "seed", 1);
	int count = jint(req, "count", 10), i, tries;
	int tv = fa_app_is_tv(st);

	for (i = 0; i < count; i++) {
		for (tries = 0; tries < 20; tries++) {
			uint64_t h = fa_hash(seed, (uint64_t)i, (uint64_t)tries);
			int pick = (int)(h % 100);
			const char *op;
			size_t n = tv ? st->episodes.n : st->movies.n;
			int id;
			json_t *one;
			int rc;

			/* Mostly file and monitoring changes; a few adds/removes. */
			op = (tv ? tv_ops : movie_ops)[pick < 30 ? 0 : pick < 50 ? 1 : pick < 70 ? 2 :
						      pick < 94 ? 3 : pick < 97 ? 4 : 5];
			if (strcmp(op, "remove_series") == 0)
				n = st->series.n;
			if (n == 0)
				break;
			id = (int)((h >> 20) % n) + 1;
			one = json_pack("{s:i, s:i, s:i, s:b, s:b, s:I}", "id", id,
					"quality", qualities[(h >> 8) % 6], "cf", (int)((h >> 12) % 4) * 50,
					"monitored", (int)((h >> 16) & 1), "has_file", pick < 40,
					"seed", (json_int_t)(seed + (uint64_t)i));
			if (one == NULL)
				return -1;
			rc = one_op(st, op, one, out, err, es);
			json_decref(one);
			if (rc == 0)
				break;
		}
	}
	return 0;
}

json_t *
fa_mutate(struct fa_state *st, json_t *req, char *errbuf, size_t errsize)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	json_t *out = json_array();
	int rc;

	if (op == NULL) {
		snprintf(errbuf, errsize, "missing \"op\": see the list in mutate.c");
		json_decref(out);
		return NULL;
	}
	if (strcmp(op, "random") == 0)
		rc = random_ops(st, req, out, errbuf, errsize);
	else
		rc = one_op(st, op, req, out, errbuf, errsize);
	if (rc < 0) {
		json_decref(out);
		return NULL;
	}
	return json_pack("{s:o}", "changed", out);
}

json_t *
fa_summary(struct fa_state *st)
{
	size_t i;
	long series = 0, eps = 0, epfiles = 0, movies = 0, mfiles = 0, missing = 0, cutoff = 0;
	long cf_below = 0, unmon = 0, unaired = 0, unavailable = 0, specials = 0, queue = 0;

	for (i = 0; i < st->series.n; i++)
		series += !FA_SERIES(st, i)->removed;
	for (i = 0; i < st->episodes.n; i++) {
		struct fa_episode *e = FA_EP(st, i);
		struct fa_file *f;

		if (e->removed)
			continue;
		eps++;
		f = fa_file_get(st, e->file_id);
		epfiles += f != NULL;
		missing += fa_ep_is_missing(st, e, 1);
		cutoff += fa_ep_is_cutoff(st, e, 1);
		unmon += !e->monitored;
		unaired += e->air_us > st->now_us;
		specials += e->season == 0;
		if (f != NULL && fa_quality_cutoff_met(f->quality_id) && fa_file_cf_below(f) &&
		    e->monitored && e->season != 0)
			cf_below++;
	}
	for (i = 0; i < st->movies.n; i++) {
		struct fa_movie *m = FA_MOVIE(st, i);
		struct fa_file *f;

		if (m->removed)
			continue;
		movies++;
		f = fa_file_get(st, m->file_id);
		mfiles += f != NULL;
		missing += fa_movie_is_missing(st, m, 1);
		cutoff += fa_movie_is_cutoff(st, m, 1);
		unmon += !m->monitored;
		unavailable += m->release_us > st->now_us;
		if (f != NULL && fa_quality_cutoff_met(f->quality_id) && fa_file_cf_below(f) && m->monitored)
			cf_below++;
	}
	for (i = 0; i < st->queue.n; i++)
		queue += FA_QUEUE(st, i)->active;
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			 "series", (int)series, "episodes", (int)eps, "episode_files", (int)epfiles,
			 "movies", (int)movies, "movie_files", (int)mfiles,
			 "wanted_missing", (int)missing, "wanted_cutoff", (int)cutoff,
			 "cf_below", (int)cf_below, "unmonitored", (int)unmon,
			 "unaired", (int)unaired, "unavailable", (int)unavailable,
			 "specials", (int)specials, "commands", (int)st->commands.n,
			 "history", (int)st->hist.n, "queue", (int)queue);
}
