/*
 * sync.c - one connector's library sync: the *arr lists streamed into the
 * mirror writer (db/mirror.h), under the connector's advisory lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/app.h"
#include "arr/parse.h"
#include "arr/radarr.h"
#include "arr/whisparr.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/counts.h"
#include "db/db.h"
#include "stage/sync_int.h"
#include "stage/connect.h"
#include "db/download_queue.h"
#include "db/state.h"
#include "core/banned.h"

void
sync_emit(const struct sync_opts *o, const struct connector *c, const char *event, json_t *obj)
{
	if (obj == NULL)
		obj = json_object();
	if (obj != NULL)
		json_object_set_new(obj, "connector", json_string(c->name));
	jsonl_emit(o->out, event, obj);
}

void
sync_progress(struct run *x, long n)
{
	long before = x->items;

	x->items += n;
	if (x->o->progress != NULL && x->items / 1000 != before / 1000)
		x->o->progress(x->o->progress_arg, x->c->name, x->items, x->total);
}

/* ------------------------------------------------------------ elements */

static int
on_profile(json_t *j, void *arg, struct err *e)
{
	struct run *x = arg;
	struct arr_quality_profile p;
	int rc = arr_quality_profile_parse(j, &p, e);

	if (rc == ARR_PARSED)
		rc = mirror_profile_put(x->m, &p, e);
	arr_quality_profile_release(&p);
	return rc < 0 ? -1 : 0;
}

static int
on_series(json_t *j, void *arg, struct err *e)
{
	struct run *x = arg;
	struct arr_series s;
	int rc = arr_series_parse(j, &s, e);

	if (rc == ARR_PARSED) {
		rc = mirror_series_put(x->m, &s, e);
		x->r->items_listed++;
		sync_progress(x, 1);
	} else if (rc == ARR_SKIPPED) {
		x->skipped_items++;
	}
	arr_series_release(&s);
	return rc < 0 ? -1 : 0;
}

static int
on_movie(json_t *j, void *arg, struct err *e)
{
	struct run *x = arg;
	struct arr_movie mv;
	int rc = arr_movie_parse(j, &mv, e);

	if (rc == ARR_SKIPPED) {
		x->skipped_items++;
		return 0;
	}
	if (rc < 0)
		return -1;
	x->r->items_listed++;
	sync_progress(x, 1);
	return mirror_movie_put(x->m, &mv, e);
}

static void
on_event(void *arg, const char *kind, json_t *payload)
{
	struct run *x = arg;

	sync_emit(x->o, x->c, kind, json_deep_copy(payload));
}

/* ------------------------------------------------------------ phases */

static int
list(struct run *x, const char *rel, arr_element_fn fn, struct err *e)
{
	char path[160];

	snprintf(path, sizeof(path), "%s%s", arr_client_api(x->client), rel);
	if (arr_client_get_each(x->client, path, fn, x, e) < 0)
		return err_prefix(e, "'%s': GET %s", x->c->name, rel);
	return 0;
}

static int
need_profiles(PGconn *db, const struct connector *c, int full, int *need, struct err *e)
{
	int has = 0;

	*need = 1;
	if (full)
		return 0;
	if (db_mirror_has_profiles(db, c->id, &has, e) < 0)
		return -1;
	*need = !has;
	return 0;
}

static int
sync_series(struct run *x, struct err *e)
{
	int *ids = NULL;
	size_t n = 0;
	int ret = -1;

	if (mirror_series_begin(x->m, e) < 0 || list(x, "/series", on_series, e) < 0)
		goto out;
	if (mirror_series_end(x->m, x->r->full, &ids, &n, e) < 0)
		goto out;
	x->r->refetched = (long)n;
	if (n == 0) {
		ret = 0;
		goto out;
	}
	/* A request that fails after its retries fails the whole sync: the
	 * transaction rolls back and the mirror stays as it was. */
	if (mirror_episodes_begin(x->m, e) < 0 || sync_fetch_episodes(x, ids, n, e) < 0)
		goto out;
	if (mirror_episodes_end(x->m, e) < 0)
		goto out;
	ret = 0;
out:
	free(ids);
	return ret;
}

static int
pick_dialect(struct run *x, struct err *e)
{
	int parts[4];

	switch (arr_app_from_name(x->c->type)) {
	case ARR_APP_SONARR:
		x->dialect = ARR_DIALECT_SONARR;
		break;
	case ARR_APP_RADARR:
		x->dialect = ARR_DIALECT_RADARR;
		break;
	case ARR_APP_WHISPARR:
		/* The version the last probe stored saves a request. */
		if (x->c->app_version != NULL && arr_version_parse(x->c->app_version, parts) == 0) {
			x->dialect = arr_whisparr_dialect(parts[0]);
		} else {
			struct arr_system_status st;

			if (arr_client_detect(x->client, &st, e) < 0)
				return err_prefix(e, "'%s': telling Whisparr v2 from v3", x->c->name);
			x->dialect = arr_client_dialect(x->client);
		}
		break;
	default:
		return err_set(e, ERR_USAGE, "connector '%s' is a %s: it has no library to sync",
			       x->c->name, x->c->type);
	}
	arr_client_set_dialect(x->client, x->dialect);
	return 0;
}

static json_t *
counts_json(const struct sync_report *r)
{
	const struct mirror_counts *c = &r->counts;

	return json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
			 "s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:I}",
			 "mode", r->full ? "full" : "incremental",
			 "listed", (int)r->items_listed, "refetched", (int)r->refetched,
			 "staged", (int)c->staged, "profiles", (int)c->profiles,
			 "series_added", (int)c->series_added, "series_updated", (int)c->series_updated,
			 "series_removed", (int)c->series_removed,
			 "seasons_written", (int)c->seasons_written,
			 "episodes_added", (int)c->episodes_added,
			 "episodes_updated", (int)c->episodes_updated,
			 "episodes_removed", (int)c->episodes_removed,
			 "files_written", (int)c->files_written, "files_removed", (int)c->files_removed,
			 "movies_added", (int)c->movies_added, "movies_updated", (int)c->movies_updated,
			 "movies_removed", (int)c->movies_removed,
			 "movie_scores", (int)r->movie_scores,
			 "registry_cleared", (int)c->registry_cleared, "events", (int)c->events,
			 "skipped_records", (int)r->skipped_records,
			 "api_calls", (int)r->api_calls, "bytes", (json_int_t)r->bytes);
}

struct scores {
	int *file_ids, *scores;
	size_t n, cap;
};

static int
on_movie_file(const struct arr_episode_file *f, void *arg, struct err *e)
{
	struct scores *s = arg;

	if (!f->has_custom_format_score)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int *a = realloc(s->file_ids, cap * sizeof(*a));

		if (a == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading movie file scores");
		s->file_ids = a;
		a = realloc(s->scores, cap * sizeof(*a));
		if (a == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading movie file scores");
		s->scores = a;
		s->cap = cap;
	}
	s->file_ids[s->n] = f->id;
	s->scores[s->n] = f->custom_format_score;
	s->n++;
	return 0;
}

/*
 * Movie apps: the custom-format scores the /movie list leaves out, from
 * /moviefile, for the files that can be custom-format upgrades (all of
 * them on a full sync, new and changed ones on an incremental).  An app
 * that cannot answer costs the sync nothing: the scores stay as they were
 * and the next sync asks again.
 */
static int
sync_movie_scores(struct run *x, struct err *e)
{
	struct scores s = { NULL, NULL, 0, 0 };
	struct err ae = ERR_INIT;
	int *ids = NULL;
	size_t n = 0;
	long changed = 0;
	int ret = -1;

	if (mirror_movie_files_to_score(x->m, x->r->full, &ids, &n, e) < 0)
		goto out;
	if (n > 0 && arr_movie_file_each(x->client, ids, n, on_movie_file, &s, &ae) < 0) {
		if (ae.kind == ERR_NOMEM) {
			*e = ae;
			goto out;
		}
		log_warn("sync", "'%s': cannot read custom-format scores of %zu movie files (%s); "
			 "their custom-format upgrades wait for the next sync", x->c->name, n, ae.msg);
		ret = 0;
		goto out;
	}
	if (mirror_movie_scores_put(x->m, s.file_ids, s.scores, s.n, &changed, e) < 0)
		goto out;
	x->r->movie_scores = (long)s.n;
	ret = 0;
out:
	free(ids);
	free(s.file_ids);
	free(s.scores);
	return ret;
}

/* The library part, between taking the lock and releasing it. */
static int
on_queue_item(const struct arr_queue_item *q, void *arg, struct err *e)
{
	json_t *items = arg;
	int episode = q->episode_id > 0;

	(void)e;
	if (!episode && q->movie_id <= 0)
		return 0;	/* not tied to one item (a manual grab): nothing to skip */
	json_array_append_new(items, json_pack("{s:s, s:i, s:s, s:s}", "kind",
					       episode ? "episode" : "movie", "arr_id",
					       episode ? q->episode_id : q->movie_id,
					       "title", q->title, "status", q->status));
	return 0;
}

/*
 * What the app is downloading now, stored so discovery leaves it out.  The
 * library is the point of a sync: a queue that cannot be read is a warning
 * and the rows of the last sync stay.
 */
static int
sync_download_queue(PGconn *db, struct run *x, struct err *e)
{
	struct err qe = ERR_INIT;
	json_t *items = json_array();
	long changed = 0;
	int ret = -1;

	if (items == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (arr_queue_each(x->client, on_queue_item, items, &qe) < 0) {
		log_warn("sync", "'%s': cannot read the download queue (%s); keeping the last one",
			 x->c->name, qe.msg);
		ret = 0;
		goto out;
	}
	if (db_download_queue_replace(db, x->c->id, items, &changed, e) < 0)
		goto out;
	x->r->queue_items = (long)json_array_size(items);
	ret = 0;
out:
	json_decref(items);
	return ret;
}

static int
library_changed(const struct mirror_counts *c)
{
	return c->series_added + c->series_updated + c->series_removed + c->seasons_written +
	       c->seasons_removed + c->movies_added + c->movies_updated + c->movies_removed > 0;
}

static int
sync_library(PGconn *db, struct run *x, struct err *e)
{
	struct mirror_merge_opts mo = { 0, 0 };
	int64_t t0 = clock_mono_us(), t1;
	int need, ret = -1;
	json_t *counts = NULL;

	if (stage_client_open(x->o->key, x->c, &x->o->retry, &x->client, e) < 0 || pick_dialect(x, e) < 0)
		goto out;
	if (need_profiles(db, x->c, x->r->full, &need, e) < 0)
		goto out;
	x->workers = x->o->concurrency;
	if (x->workers <= 0 && sync_concurrency(db, &x->workers, e) < 0)
		goto out;
	if (mirror_open(db, x->c->id, log_get_correlation_id(), &x->m, e) < 0)
		goto out;
	if (need && (mirror_profiles_begin(x->m, e) < 0 ||
		     list(x, "/qualityprofile", on_profile, e) < 0 ||
		     mirror_profiles_end(x->m, e) < 0))
		goto out;
	if (x->dialect == ARR_DIALECT_SONARR || x->dialect == ARR_DIALECT_WHISPARR_V2) {
		if (sync_series(x, e) < 0)
			goto out;
	} else if (mirror_movies_begin(x->m, e) < 0 || list(x, "/movie", on_movie, e) < 0 ||
		   mirror_movies_end(x->m, e) < 0) {
		goto out;
	}
	x->r->skipped_records = (long)(x->skipped_items + x->skipped_children);
	if (x->r->skipped_records > 0)
		log_warn("sync", "'%s': %ld malformed records skipped; items missing from a list "
			 "with skipped records are kept until a clean sync", x->c->name,
			 x->r->skipped_records);
	mo.keep_missing_items = x->skipped_items > 0;
	mo.keep_missing_children = x->skipped_children > 0;
	t1 = clock_mono_us();
	x->r->fetch_ms = (t1 - t0) / 1000;
	if (mirror_merge(x->m, &mo, on_event, x, &x->r->counts, e) < 0)
		goto out;
	x->r->merge_ms = (clock_mono_us() - t1) / 1000;
	if (x->dialect != ARR_DIALECT_SONARR && x->dialect != ARR_DIALECT_WHISPARR_V2 &&
	    sync_movie_scores(x, e) < 0)
		goto out;
	if (sync_download_queue(db, x, e) < 0)
		goto out;
	x->r->api_calls = arr_client_requests(x->client) + x->more_requests;
	x->r->bytes = arr_client_bytes(x->client) + x->more_bytes;
	x->r->duration_ms = (clock_mono_us() - t0) / 1000;
	counts = counts_json(x->r);
	if (counts == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	/* the dashboard's library size and files, counted here (the only
	 * writer of seasons) and committed with the merge, not per page view;
	 * a merge that wrote no series, season or movie changed nothing of it
	 * (~0.1 s saved on an unchanged 1M-episode library) */
	if ((library_changed(&x->r->counts) && db_library_recount(db, x->c->id, e) < 0) ||
	    sync_state_ok(db, x->c->id, x->r->full, x->r->duration_ms, counts, e) < 0 ||
	    mirror_commit(x->m, e) < 0)
		goto out;
	/* the registry entries the merge's deletes took with them, into the
	 * page counters now rather than at the first page view */
	{
		struct err e2 = ERR_INIT;

		if (db_counts_fold(db, &e2) < 0)
			log_warn("sync", "'%s': the page counters were not brought up to date: %s",
				 x->c->name, e2.msg);
	}
	ret = 0;
out:
	if (x->client != NULL) {
		x->r->api_calls = arr_client_requests(x->client) + x->more_requests;
		x->r->bytes = arr_client_bytes(x->client) + x->more_bytes;
	}
	x->r->duration_ms = (clock_mono_us() - t0) / 1000;
	json_decref(counts);
	mirror_free(x->m);
	x->m = NULL;
	arr_client_free(x->client);
	x->client = NULL;
	return ret;
}

static void
skip(const struct sync_opts *o, const struct connector *c, struct sync_report *r,
     const char *reason)
{
	r->status = SYNC_SKIPPED;
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	log_info("sync", "'%s': skipped: %s", c->name, reason);
	sync_emit(o, c, "sync_skipped", json_pack("{s:s}", "reason", reason));
}

int
sync_connector(PGconn *db, const struct connector *c, const struct sync_opts *o,
	       struct sync_report *r, struct err *e)
{
	struct run x;
	int got, failures = 0, locked = 0, ret = -1;
	int64_t next_retry = 0;
	char why[160];

	memset(r, 0, sizeof(*r));
	r->full = o->full;
	if (o->health_only)
		return sync_health_check(db, c, o, r, e);
	if (!c->enabled) {
		skip(o, c, r, "disabled");
		return 0;
	}
	if (strcmp(c->type, "prowlarr") == 0) {
		skip(o, c, r, "a prowlarr connector has no library");
		return 0;
	}
	got = db_try_lock(db, DB_LOCK_SYNC, (int)c->id, e);
	if (got < 0)
		goto fail;
	if (got == 0) {
		/* Req 37.5: never twice at once; the other run does the work. */
		skip(o, c, r, "another sync of this connector is running");
		return 0;
	}
	locked = 1;
	if (sync_state_get(db, c->id, &failures, &next_retry, e) < 0)
		goto fail;
	if (strcmp(c->health, "unhealthy") == 0) {
		skip(o, c, r, "the connector is unhealthy; 'comradarr-sync --health-only' "
		     "checks it again");
		ret = 0;
		goto out;
	}
	if (!o->force && next_retry > clock_now_us()) {
		snprintf(why, sizeof(why), "backing off after %d failed syncs; name it with "
			 "--connector to try now", failures);
		skip(o, c, r, why);
		ret = 0;
		goto out;
	}
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	x.r = r;
	if (sync_library(db, &x, e) < 0)
		goto fail;
	r->status = SYNC_DONE;
	{
		json_t *done = counts_json(r);

		if (done != NULL) {
			json_object_set_new(done, "duration_ms", json_integer(r->duration_ms));
			json_object_set_new(done, "fetch_ms", json_integer(r->fetch_ms));
			json_object_set_new(done, "merge_ms", json_integer(r->merge_ms));
			json_object_set_new(done, "download_queue", json_integer(r->queue_items));
		}
		sync_emit(o, c, "sync_done", done);
	}
	log_info("sync", "'%s': %s sync done in %lld ms: %ld listed, %ld refetched, %ld events",
		 c->name, r->full ? "full" : "incremental", (long long)r->duration_ms,
		 r->items_listed, r->refetched, r->counts.events);
	ret = 0;
	goto out;
fail:
	r->status = SYNC_FAILED;
	{
		struct err e2 = ERR_INIT;

		if (locked && sync_state_failed(db, c, o, failures, e, &e2) < 0)
			log_error("sync", "'%s': the failure could not be recorded: %s", c->name,
				  e2.msg);
	}
	sync_emit(o, c, "sync_failed", json_pack("{s:s, s:s, s:i}", "error",
		  err_kind_name(e->kind), "message", e->msg, "api_calls", (int)r->api_calls));
out:
	if (locked) {
		struct err e3 = ERR_INIT;

		if (db_unlock(db, DB_LOCK_SYNC, (int)c->id, &e3) < 0)
			log_warn("sync", "'%s': %s", c->name, e3.msg);
	}
	return ret;
}
