/*
 * discover.c - find gap and upgrade candidates for one connector.
 * See discover.h.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/app.h"
#include "arr/client.h"
#include "arr/parse.h"
#include "arr/radarr.h"
#include "arr/sonarr.h"
#include "arr/whisparr.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/counts.h"
#include "db/db.h"
#include "db/events.h"
#include "db/registry.h"
#include "stage/candidate.h"
#include "stage/discover.h"
#include "stage/connect.h"
#include "core/banned.h"

/* One (kind, type) pass: its rows and their priorities. */
struct pass {
	enum registry_kind kind;
	enum registry_type type;
	PGresult *rows;
	int *prio;
	int64_t *regid;		/* each row's entry, new ones included */
};

struct idvec {
	int *v;
	size_t n, cap;
};

static int
idvec_push(struct idvec *d, int id, struct err *e)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		int *p = realloc(d->v, cap * sizeof(*p));

		if (p == NULL)
			return err_set(e, ERR_NOMEM, "out of memory listing wanted items");
		d->v = p;
		d->cap = cap;
	}
	d->v[d->n++] = id;
	return 0;
}

static int
on_wanted_episode(const struct arr_episode *ep, void *arg, struct err *e)
{
	return idvec_push(arg, ep->id, e);
}

static int
on_wanted_movie(const struct arr_movie *m, void *arg, struct err *e)
{
	return idvec_push(arg, m->id, e);
}

/*
 * The *arr ids wanted/missing and wanted/cutoff list (monitored only).
 * *kind says which kind of item they are.
 */
static int
fetch_wanted(const struct connector *c, const struct discover_opts *o, struct idvec *missing,
	     struct idvec *cutoff, enum registry_kind *kind, struct discover_report *r,
	     struct err *e)
{
	struct arr_client *cl = NULL;
	int parts[4] = { 0, 0, 0, 0 }, have_version;
	enum arr_dialect d;
	int ret = -1;

	have_version = c->app_version != NULL && arr_version_parse(c->app_version, parts) == 0;
	switch (arr_app_from_name(c->type)) {
	case ARR_APP_SONARR:
		d = ARR_DIALECT_SONARR;
		break;
	case ARR_APP_RADARR:
		d = ARR_DIALECT_RADARR;
		break;
	case ARR_APP_WHISPARR:
		if (!have_version)
			return err_set(e, ERR_USAGE, "'%s': the Whisparr version is unknown; run "
				       "'comradarr connector test %s' first", c->name, c->name);
		d = arr_whisparr_dialect(parts[0]);
		break;
	default:
		return err_set(e, ERR_USAGE, "'%s' is a %s: it has no library", c->name, c->type);
	}
	if ((d == ARR_DIALECT_RADARR || d == ARR_DIALECT_WHISPARR_V3) &&
	    (d == ARR_DIALECT_WHISPARR_V3 || (have_version && !arr_radarr_has_wanted(d, parts))))
		return err_set(e, ERR_USAGE, "'%s' (%s %s) has no wanted endpoints; discover "
			       "from the mirror instead (without --via-wanted)", c->name, c->type,
			       have_version ? c->app_version : "");
	*kind = (d == ARR_DIALECT_RADARR || d == ARR_DIALECT_WHISPARR_V3) ?
		REGISTRY_MOVIE : REGISTRY_EPISODE;
	if (stage_client_open(o->key, c, NULL, &cl, e) < 0)
		goto out;
	arr_client_set_dialect(cl, d);
	if (*kind == REGISTRY_EPISODE) {
		if (arr_wanted_episode_each(cl, ARR_WANTED_MISSING, 1, on_wanted_episode, missing,
					    e) < 0 ||
		    arr_wanted_episode_each(cl, ARR_WANTED_CUTOFF, 1, on_wanted_episode, cutoff,
					    e) < 0)
			goto fail;
	} else if (arr_wanted_movie_each(cl, ARR_WANTED_MISSING, 1, on_wanted_movie, missing,
					 e) < 0 ||
		   arr_wanted_movie_each(cl, ARR_WANTED_CUTOFF, 1, on_wanted_movie, cutoff,
					 e) < 0) {
		goto fail;
	}
	r->wanted_missing = (long)missing->n;
	r->wanted_cutoff = (long)cutoff->n;
	ret = 0;
	goto out;
fail:
	err_prefix(e, "'%s': reading wanted items", c->name);
out:
	if (cl != NULL)
		r->api_calls = arr_client_requests(cl);
	arr_client_free(cl);
	return ret;
}

/* Hand one line to the caller's function or the JSON-lines stream; obj is
 * stolen. */
static void
emit(const struct discover_opts *o, const char *event, json_t *obj)
{
	if (o->line != NULL) {
		o->line(o->line_arg, event, obj);
		json_decref(obj);
	} else if (o->out != NULL) {
		jsonl_emit(o->out, event, obj);
	} else {
		json_decref(obj);
	}
}

static json_t *
summary_json(const struct connector *c, const struct discover_report *r, int via_wanted)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "connector", c->name,
			      "source", via_wanted ? "wanted" : "mirror",
			      "gaps", (json_int_t)r->gaps, "upgrades", (json_int_t)r->upgrades,
			      "added", (json_int_t)r->added, "removed", (json_int_t)r->removed);

	if (via_wanted) {
		json_object_set_new(o, "wanted_missing", json_integer(r->wanted_missing));
		json_object_set_new(o, "wanted_cutoff", json_integer(r->wanted_cutoff));
		json_object_set_new(o, "api_calls", json_integer((json_int_t)r->api_calls));
	}
	return o;
}

/* Which kinds a connector's mirror can hold (Whisparr: either dialect). */
static int
kind_applies(const struct connector *c, enum registry_kind k)
{
	if (strcmp(c->type, "sonarr") == 0)
		return k == REGISTRY_EPISODE;
	if (strcmp(c->type, "radarr") == 0)
		return k == REGISTRY_MOVIE;
	return 1;
}

static int
run_pass(PGconn *db, const struct registry_scope *sc, struct pass *ps, int64_t now_us,
	 const struct priority_weights *w, const struct idvec *wanted, int64_t **ids,
	 int **prio, size_t *nchanged, struct discover_report *r, struct err *e)
{
	static const int none[1] = { 0 };
	int64_t *items = NULL, *created = NULL;
	int *newprio = NULL;
	size_t nnew = 0, k = 0;
	long missing = 0;
	int n, ret = -1;

	if (db_registry_discover(db, sc, ps->kind, ps->type, now_us,
				 wanted ? (wanted->v ? wanted->v : none) : NULL,
				 wanted ? wanted->n : 0, &ps->rows, &missing, e) < 0)
		goto out;
	n = PQntuples(ps->rows);
	ps->prio = calloc((size_t)n + 1, sizeof(int));
	ps->regid = calloc((size_t)n + 1, sizeof(int64_t));
	items = calloc((size_t)n + 1, sizeof(int64_t));
	newprio = calloc((size_t)n + 1, sizeof(int));
	created = calloc((size_t)n + 1, sizeof(int64_t));
	{
		int64_t *ni = realloc(*ids, (*nchanged + (size_t)n + 1) * sizeof(int64_t));
		int *np = NULL;

		if (ni != NULL) {
			*ids = ni;
			np = realloc(*prio, (*nchanged + (size_t)n + 1) * sizeof(int));
			if (np != NULL)
				*prio = np;
		}
		if (np == NULL || ps->prio == NULL || ps->regid == NULL || items == NULL ||
		    newprio == NULL || created == NULL) {
			err_set(e, ERR_NOMEM, "out of memory scoring %d candidates", n);
			goto out;
		}
	}
	for (int i = 0; i < n; i++) {
		struct registry_row row;

		db_registry_row_at(ps->rows, i, &row);
		ps->prio[i] = candidate_priority(&row, now_us, w, NULL);
		ps->regid[i] = row.registry_id;
		if (row.is_new) {
			items[nnew] = row.item_id;
			newprio[nnew++] = ps->prio[i];
		} else if (ps->prio[i] != row.priority) {
			(*ids)[*nchanged] = row.registry_id;
			(*prio)[*nchanged] = ps->prio[i];
			(*nchanged)++;
		}
	}
	if (db_registry_create(db, sc->connector_id, ps->kind, ps->type, now_us, items, newprio,
			       nnew, created, e) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (ps->regid[i] == 0)
			ps->regid[i] = created[k++];
	if (db_registry_remove_unlisted(db, sc->connector_id, ps->kind, ps->type, ps->regid,
					(size_t)n, &r->removed, e) < 0)
		goto out;
	r->added += (long)nnew;
	if (ps->type == REGISTRY_GAP)
		r->gaps += n;
	else
		r->upgrades += n;
	ret = 0;
out:
	free(items);
	free(newprio);
	free(created);
	return ret;
}

int
discover_connector(PGconn *db, const struct connector *c, const struct discover_opts *o,
		   struct discover_report *r, struct err *e)
{
	struct pass ps[4];
	size_t nps = 0, nchanged = 0;
	struct registry_scope sc;
	struct priority_weights w;
	struct idvec missing = { NULL, 0, 0 }, cutoff = { NULL, 0, 0 };
	enum registry_kind wanted_kind = REGISTRY_EPISODE;
	int64_t start = clock_mono_us(), now_us = o->now_us ? o->now_us : clock_now_us();
	int64_t *ids = NULL;
	int *prio = NULL;
	int gaps = o->gaps || !o->upgrades, upgrades = o->upgrades || !o->gaps;
	int locked = 0, in_tx = 0, ret = -1;

	memset(r, 0, sizeof(*r));
	memset(ps, 0, sizeof(ps));
	if (strcmp(c->type, "prowlarr") == 0) {
		r->status = DISCOVER_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "a prowlarr connector has no library");
		ret = 0;
		goto report;
	}
	if (candidate_weights_load(db, &w, e) < 0 || db_registry_scope(db, c->id, &sc, e) < 0)
		goto fail;
	/* The *arr is asked before the transaction opens: no lock held over HTTP. */
	if (o->via_wanted && fetch_wanted(c, o, &missing, &cutoff, &wanted_kind, r, e) < 0)
		goto fail;
	switch (db_try_lock(db, DB_LOCK_DISCOVER, (int)c->id, e)) {
	case 1:
		locked = 1;
		break;
	case 0:
		r->status = DISCOVER_SKIPPED;
		snprintf(r->reason, sizeof(r->reason), "another discover is running for it");
		ret = 0;
		goto report;
	default:
		goto fail;
	}
	if (db_begin(db, e) < 0)
		goto fail;
	in_tx = 1;
	if (db_registry_tune(db, e) < 0 || db_registry_lock_mirror(db, e) < 0)
		goto fail;
	if (db_registry_remove_resolved(db, c->id, 0, &r->removed, e) < 0)
		goto fail;
	for (int k = REGISTRY_EPISODE; k <= REGISTRY_MOVIE; k++) {
		if (o->via_wanted ? k != (int)wanted_kind : !kind_applies(c, (enum registry_kind)k))
			continue;
		for (int t = REGISTRY_GAP; t <= REGISTRY_UPGRADE; t++) {
			const struct idvec *wv = NULL;

			if ((t == REGISTRY_GAP && !gaps) || (t == REGISTRY_UPGRADE && !upgrades))
				continue;
			if (o->via_wanted)
				wv = t == REGISTRY_GAP ? &missing : &cutoff;
			ps[nps].kind = (enum registry_kind)k;
			ps[nps].type = (enum registry_type)t;
			if (run_pass(db, &sc, &ps[nps++], now_us, &w, wv, &ids, &prio, &nchanged,
				     r, e) < 0)
				goto fail;
		}
	}
	if (db_registry_set_priorities(db, ids, prio, nchanged, e) < 0 ||
	    db_registry_analyze(db, r->added + r->removed, e) < 0 ||
	    db_event_insert(db, "discover_done", c->id, log_get_correlation_id(),
			    summary_json(c, r, o->via_wanted), e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	in_tx = 0;
	r->status = DISCOVER_DONE;
	/* the new entries into the page counters now, not at a page view */
	{
		struct err fe = ERR_INIT;

		if (db_counts_fold(db, &fe) < 0)
			log_warn("discover", "'%s': the page counters were not brought up to date: %s",
				 c->name, fe.msg);
	}
	/* Lines only after the commit: a report never claims what did not happen. */
	for (size_t i = 0; i < nps && !o->quiet && (o->out != NULL || o->line != NULL); i++) {
		for (int j = 0; j < PQntuples(ps[i].rows); j++) {
			struct registry_row row;

			db_registry_row_at(ps[i].rows, j, &row);
			row.registry_id = ps[i].regid[j];
			emit(o, "candidate", candidate_json(c->name, &row, ps[i].prio[j]));
		}
	}
	ret = 0;
	goto report;
fail:
	r->status = DISCOVER_FAILED;
report:
	if (in_tx)
		db_rollback(db);
	if (locked) {
		struct err ue = ERR_INIT;

		if (db_unlock(db, DB_LOCK_DISCOVER, (int)c->id, &ue) < 0)
			log_warn("discover", "releasing the lock of '%s': %s", c->name, ue.msg);
	}
	r->duration_ms = (clock_mono_us() - start) / 1000;
	if (o->out != NULL || o->line != NULL) {
		json_t *s = summary_json(c, r, o->via_wanted);

		json_object_set_new(s, "duration_ms", json_integer(r->duration_ms));
		if (r->status == DISCOVER_SKIPPED) {
			json_object_set_new(s, "reason", json_string(r->reason));
			emit(o, "discover_skipped", s);
		} else if (r->status == DISCOVER_FAILED) {
			json_object_set_new(s, "kind", json_string(err_kind_name(e->kind)));
			json_object_set_new(s, "message", json_string(e->msg));
			emit(o, "discover_failed", s);
		} else {
			emit(o, "discover_done", s);
		}
	}
	for (size_t i = 0; i < nps; i++) {
		PQclear(ps[i].rows);
		free(ps[i].prio);
		free(ps[i].regid);
	}
	free(ids);
	free(prio);
	free(missing.v);
	free(cutoff.v);
	return ret;
}
