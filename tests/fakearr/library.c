/*
 * library.c - the deterministic library: generation from a seed, lookups,
 * and the small changes commands and mutations make.
 *
 * Every attribute of an item comes from fa_unit(seed, id, salt), so the
 * same seed and sizes give the same library on every machine, and adding
 * items later (mutations) does not disturb the ones already there.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/banned.h"

#define DAY_US (86400LL * 1000000LL)

void
fa_vec_init(struct fa_vec *v, size_t size)
{
	v->v = NULL;
	v->n = 0;
	v->cap = 0;
	v->size = size;
}

static int
vec_reserve(struct fa_vec *v, size_t want)
{
	void *p;
	size_t cap = v->cap ? v->cap : 16;

	if (want <= v->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(v->v, cap * v->size);
	if (p == NULL)
		return -1;
	v->v = p;
	v->cap = cap;
	return 0;
}

void *
fa_vec_push(struct fa_vec *v)
{
	char *p;

	if (vec_reserve(v, v->n + 1) < 0)
		return NULL;
	p = (char *)v->v + v->n * v->size;
	memset(p, 0, v->size);
	v->n++;
	return p;
}

void
fa_vec_free(struct fa_vec *v)
{
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
}

/* splitmix64 over the three inputs: cheap and well mixed. */
uint64_t
fa_hash(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t z = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL) * 0xbf58476d1ce4e5b9ULL
		     ^ (c + 0x2545f4914f6cdd1dULL) * 0x94d049bb133111ebULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
fa_unit(uint64_t a, uint64_t b, uint64_t c)
{
	return (double)(fa_hash(a, b, c) >> 11) * (1.0 / 9007199254740992.0);
}

struct fa_series *
fa_series_get(struct fa_state *st, int id)
{
	struct fa_series *s;

	if (id < 1 || (size_t)id > st->series.n)
		return NULL;
	s = FA_SERIES(st, id - 1);
	return s->removed ? NULL : s;
}

struct fa_episode *
fa_episode_get(struct fa_state *st, int id)
{
	struct fa_episode *e;

	if (id < 1 || (size_t)id > st->episodes.n)
		return NULL;
	e = FA_EP(st, id - 1);
	return e->removed ? NULL : e;
}

struct fa_file *
fa_file_get(struct fa_state *st, int id)
{
	struct fa_file *f;

	if (id < 1 || (size_t)id > st->files.n)
		return NULL;
	f = FA_FILE(st, id - 1);
	return f->removed ? NULL : f;
}

struct fa_movie *
fa_movie_get(struct fa_state *st, int id)
{
	struct fa_movie *m;

	if (id < 1 || (size_t)id > st->movies.n)
		return NULL;
	m = FA_MOVIE(st, id - 1);
	return m->removed ? NULL : m;
}

struct fa_file *
fa_file_attach(struct fa_state *st, int is_movie, int owner_id,
	       int quality_id, int cf_score)
{
	struct fa_file *f;
	int *slot;

	if (is_movie) {
		struct fa_movie *m = fa_movie_get(st, owner_id);

		if (m == NULL)
			return NULL;
		slot = &m->file_id;
	} else {
		struct fa_episode *e = fa_episode_get(st, owner_id);

		if (e == NULL)
			return NULL;
		slot = &e->file_id;
	}
	fa_file_detach(st, is_movie, owner_id);
	f = fa_vec_push(&st->files);
	if (f == NULL)
		return NULL;
	f->id = (int)st->files.n;
	f->owner_id = owner_id;
	f->quality_id = quality_id;
	f->cf_score = cf_score;
	f->size = (is_movie ? 2000000000LL : 300000000LL)
		  + (int64_t)(fa_hash(st->o.seed, (uint64_t)f->id, 11) % 2000000000ULL);
	f->added_us = clock_now_us() / 1000000 * 1000000;	/* generation moves it back */
	*slot = f->id;
	return f;
}

void
fa_file_detach(struct fa_state *st, int is_movie, int owner_id)
{
	int *slot;
	struct fa_file *f;

	if (is_movie) {
		struct fa_movie *m = fa_movie_get(st, owner_id);

		if (m == NULL)
			return;
		slot = &m->file_id;
	} else {
		struct fa_episode *e = fa_episode_get(st, owner_id);

		if (e == NULL)
			return;
		slot = &e->file_id;
	}
	f = fa_file_get(st, *slot);
	if (f != NULL)
		f->removed = 1;
	*slot = 0;
}

/* A file for a generated item, its quality drawn from the shares. */
static void
gen_file(struct fa_state *st, uint64_t seed, int is_movie, int owner_id)
{
	static const int low[] = { 1, 4, 5 };	/* below the cutoff */
	static const int good[] = { 3, 7 };	/* at or above it */
	uint64_t h = fa_hash(seed, (uint64_t)owner_id, 20 + (uint64_t)is_movie);
	int q, cf;
	struct fa_file *f;

	if (fa_unit(seed, (uint64_t)owner_id, 3 + 100 * (uint64_t)is_movie) < st->o.cutoff) {
		q = low[h % 3];
		cf = 100;
	} else {
		q = good[h % 2];
		if (fa_unit(seed, (uint64_t)owner_id, 4 + 100 * (uint64_t)is_movie) < st->o.cf_below)
			cf = (int)(h >> 8) % 2 ? 50 : 0;
		else
			cf = (int)(h >> 8) % 2 ? 150 : 100;
	}
	f = fa_file_attach(st, is_movie, owner_id, q, cf);
	if (f != NULL)
		f->added_us = st->start_us - (int64_t)(1 + (h >> 16) % 900) * DAY_US;
}

static int
current_year(int64_t now_us)
{
	struct tm tm;
	time_t t = (time_t)(now_us / 1000000);

	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

static struct fa_episode *
push_episode(struct fa_state *st, int series_id, int season, int number, int64_t air_us)
{
	struct fa_episode *e = fa_vec_push(&st->episodes);

	if (e == NULL)
		return NULL;
	e->id = (int)st->episodes.n;
	e->series_id = series_id;
	e->season = (int16_t)season;
	e->number = (int16_t)number;
	e->air_us = air_us;
	e->monitored = 1;
	return e;
}

struct fa_series *
fa_series_add(struct fa_state *st, uint64_t seed)
{
	struct fa_series *s = fa_vec_push(&st->series);
	int id, total, unaired, k, n, season, first_season, sid;
	int64_t now = st->start_us;

	if (s == NULL)
		return NULL;
	id = sid = (int)st->series.n;
	s->id = id;
	s->profile_id = 1;
	s->year = 1990 + (int)(fa_hash(seed, (uint64_t)id, 5) % 30);
	s->monitored = fa_unit(seed, (uint64_t)id, 7) >= st->o.unmonitored * 0.5;
	s->added_us = now - (int64_t)(30 + fa_hash(seed, (uint64_t)id, 6) % 1000) * DAY_US;
	s->first_ep = (int)st->episodes.n;

	if (st->o.specials && st->o.app == FA_SONARR) {
		for (k = 0; k < 3 && k < st->o.episodes; k++)
			if (push_episode(st, id, 0, k + 1, now - (int64_t)(400 + k) * DAY_US) == NULL)
				return NULL;
	}
	/* Whisparr v2 numbers its "seasons" by year. */
	first_season = st->o.app == FA_WHISPARR2 ? current_year(now) - st->o.seasons + 1 : 1;
	total = st->o.seasons * st->o.episodes;
	unaired = (int)(total * st->o.unaired + fa_unit(seed, (uint64_t)id, 8));
	if (unaired > total)
		unaired = total;
	for (k = 0; k < total; k++) {
		struct fa_episode *e;
		int64_t air = now + ((int64_t)(k - (total - unaired)) * 7 + 1) * DAY_US;

		season = first_season + k / st->o.episodes;
		n = k % st->o.episodes + 1;
		e = push_episode(st, id, season, n, air);
		if (e == NULL)
			return NULL;
		if (k >= total - unaired)
			continue;	/* not aired: monitored, no file */
		e->monitored = fa_unit(seed, (uint64_t)e->id, 1) >= st->o.unmonitored;
		if (!e->monitored) {
			if (fa_hash(seed, (uint64_t)e->id, 9) & 1)
				gen_file(st, seed, 0, e->id);
		} else if (fa_unit(seed, (uint64_t)e->id, 2) >= st->o.missing) {
			gen_file(st, seed, 0, e->id);
		}
	}
	s = FA_SERIES(st, sid - 1);	/* pushes above may have moved the array */
	s->n_eps = (int)st->episodes.n - s->first_ep;
	return s;
}

struct fa_movie *
fa_movie_add(struct fa_state *st, uint64_t seed)
{
	struct fa_movie *m = fa_vec_push(&st->movies);
	int64_t now = st->start_us;
	uint64_t id;

	if (m == NULL)
		return NULL;
	m->id = (int)st->movies.n;
	id = (uint64_t)m->id;
	m->profile_id = 1;
	m->year = 1970 + (int)(fa_hash(seed, id, 5) % 55);
	m->scene = st->o.app == FA_WHISPARR3 && m->id % 3 == 0;
	m->added_us = now - (int64_t)(30 + fa_hash(seed, id, 6) % 1000) * DAY_US;
	m->monitored = fa_unit(seed, id, 101) >= st->o.unmonitored;
	if (fa_unit(seed, id, 105) < st->o.unaired) {
		m->available = 0;
		m->monitored = 1;
		m->release_us = now + (int64_t)(1 + fa_hash(seed, id, 7) % 180) * DAY_US;
		return m;
	}
	m->available = 1;
	m->release_us = now - (int64_t)(30 + fa_hash(seed, id, 7) % 5000) * DAY_US;
	if (!m->monitored) {
		if (fa_hash(seed, id, 9) & 1)
			gen_file(st, seed, 1, m->id);
	} else if (fa_unit(seed, id, 102) >= st->o.missing) {
		gen_file(st, seed, 1, m->id);
	}
	return fa_movie_get(st, (int)id);
}

void
fa_series_remove(struct fa_state *st, int id)
{
	struct fa_series *s = fa_series_get(st, id);
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n_eps; i++) {
		struct fa_episode *e = FA_EP(st, s->first_ep + i);

		fa_file_detach(st, 0, e->id);
		e->removed = 1;
	}
	s->removed = 1;
}

int
fa_library_generate(struct fa_state *st)
{
	int i;
	size_t per = (size_t)st->o.seasons * (size_t)st->o.episodes + 3;

	st->start_us = st->start_us / 1000000 * 1000000;
	if (fa_app_is_tv(st)) {
		/* Reserve once: a million pushes would otherwise copy ~20 times. */
		if (vec_reserve(&st->episodes, per * (size_t)st->o.series) < 0 ||
		    vec_reserve(&st->files, per * (size_t)st->o.series) < 0 ||
		    vec_reserve(&st->series, (size_t)st->o.series) < 0)
			return -1;
		for (i = 0; i < st->o.series; i++)
			if (fa_series_add(st, st->o.seed) == NULL)
				return -1;
	}
	if (fa_app_is_movie(st)) {
		if (vec_reserve(&st->movies, (size_t)st->o.movies) < 0 ||
		    vec_reserve(&st->files, (size_t)st->o.movies) < 0)
			return -1;
		for (i = 0; i < st->o.movies; i++)
			if (fa_movie_add(st, st->o.seed) == NULL)
				return -1;
	}
	return 0;
}
