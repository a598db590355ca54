/*
 * enqueue.c - eligible entries become batches.  See enqueue.h.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/counts.h"
#include "db/connectors.h"
#include "db/db.h"
#include "db/events.h"
#include "db/queue_add.h"
#include "db/registry.h"
#include "policy/batch.h"
#include "stage/candidate.h"
#include "stage/enqueue.h"
#include "core/banned.h"

/* The items read from the input for one connector. */
struct listed {
	const struct connector *c;
	const char **kind;
	const char **type;
	int *arr_id;
	size_t n, cap;
};

static void
emit(const struct enqueue_opts *o, const char *event, json_t *obj)
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

static void
skip_line(const struct enqueue_opts *o, struct enqueue_report *r, long lineno, const char *why)
{
	r->bad_lines++;
	log_warn("enqueue", "input line %ld skipped: %s", lineno, why);
	emit(o, "input_skipped", json_pack("{s:I, s:s}", "line", (json_int_t)lineno,
					   "reason", why));
}

static int
listed_push(struct listed *l, const struct candidate_key *k, struct err *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const char **kd = realloc(l->kind, cap * sizeof(*kd));
		const char **tp;
		int *id;

		if (kd == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading candidates");
		l->kind = kd;
		tp = realloc(l->type, cap * sizeof(*tp));
		if (tp == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading candidates");
		l->type = tp;
		id = realloc(l->arr_id, cap * sizeof(*id));
		if (id == NULL)
			return err_set(e, ERR_NOMEM, "out of memory reading candidates");
		l->arr_id = id;
		l->cap = cap;
	}
	l->kind[l->n] = registry_kind_name(k->kind);
	l->type[l->n] = registry_type_name(k->type);
	l->arr_id[l->n] = k->arr_id;
	l->n++;
	return 0;
}

/*
 * Read candidate lines into per-connector lists (ls[i] for list[i]).  A
 * line longer than ENQUEUE_MAX_LINE, malformed, of an unknown event or
 * naming an unknown connector is reported and skipped.
 */
static int
read_input(const struct enqueue_opts *o, const struct connector *list, size_t n,
	   struct listed *ls, struct enqueue_report *r, struct err *e)
{
	struct buf line;
	char chunk[4096], why[160];
	int too_long = 0, ret = -1;

	buf_init(&line, ENQUEUE_MAX_LINE);
	while (fgets(chunk, sizeof(chunk), o->in) != NULL) {
		size_t len = strlen(chunk);
		int eol = len > 0 && chunk[len - 1] == '\n';
		struct candidate_key k;
		size_t i;

		if (!too_long && buf_append(&line, chunk, len - (size_t)eol) < 0)
			too_long = 1;
		if (!eol && !feof(o->in))
			continue;
		r->lines++;
		if (too_long) {
			snprintf(why, sizeof(why), "longer than %d bytes", ENQUEUE_MAX_LINE);
			skip_line(o, r, r->lines, why);
		} else {
			switch (candidate_parse_line(line.data ? line.data : "", line.len, &k, why,
						     sizeof(why))) {
			case CANDIDATE_BAD:
				skip_line(o, r, r->lines, why);
				break;
			case CANDIDATE_IGNORED:
				break;
			case CANDIDATE_OK:
				for (i = 0; i < n; i++)
					if (strcmp(list[i].name, k.connector) == 0)
						break;
				if (i == n) {
					snprintf(why, sizeof(why), "no connector named '%s'",
						 k.connector);
					skip_line(o, r, r->lines, why);
				} else if (listed_push(&ls[i], &k, e) < 0) {
					goto out;
				}
				break;
			}
		}
		buf_reset(&line);
		too_long = 0;
	}
	if (ferror(o->in)) {
		err_set(e, ERR_IO, "reading candidate lines from standard input failed");
		goto out;
	}
	ret = 0;
out:
	buf_release(&line);
	return ret;
}

static int
season_cmp(const void *a, const void *b)
{
	const struct queue_season *x = a, *y = b;

	if (x->series_id != y->series_id)
		return x->series_id < y->series_id ? -1 : 1;
	return (x->season_number > y->season_number) - (x->season_number < y->season_number);
}

/* seasons sorted by season_cmp */
static const struct queue_season *
season_find(const struct queue_season *s, size_t n, int64_t series_id, int season)
{
	struct queue_season key;

	memset(&key, 0, sizeof(key));
	key.series_id = series_id;
	key.season_number = season;
	return n ? bsearch(&key, s, n, sizeof(*s), season_cmp) : NULL;
}

static json_t *
batch_json(const struct connector *c, const struct batch_cmd *cmd, int64_t batch_id,
	   int series_arr_id, size_t nentries, int64_t when_us)
{
	json_t *o = json_object(), *ids = json_array();
	char ts[40];

	for (int i = 0; i < cmd->nids; i++)
		json_array_append_new(ids, json_integer(cmd->ids[i]));
	jsonl_format_ts(when_us, ts, sizeof(ts));
	json_object_set_new(o, "connector", json_string(c->name));
	json_object_set_new(o, "batch", batch_id > 0 ? json_integer(batch_id) : json_null());
	json_object_set_new(o, "command", json_string(batch_command_name(cmd->command)));
	json_object_set_new(o, "series_id", cmd->command == BATCH_CMD_MOVIES_SEARCH ?
			    json_null() : json_integer(series_arr_id));
	json_object_set_new(o, "season", cmd->command == BATCH_CMD_SEASON_SEARCH ?
			    json_integer(cmd->season_number) : json_null());
	json_object_set_new(o, "ids", ids);
	json_object_set_new(o, "items", json_integer((json_int_t)nentries));
	json_object_set_new(o, "priority", json_integer(cmd->priority));
	json_object_set_new(o, "indexer_queries", json_integer(cmd->expected_queries));
	json_object_set_new(o, "scheduled_at", json_string(ts));
	return o;
}

/* Everything computed for one connector before it is written. */
struct work {
	PGresult *rows;
	struct registry_row *rr;	/* rows, parsed once (strings borrowed) */
	struct batch_item *items;
	int *prio;
	size_t *row_of;		/* items[i] came from rows[row_of[i]] */
	size_t nitems;
	struct queue_season *seasons;
	size_t nseasons;
	struct batch_plan plan;
	struct queue_new *qn;
	int64_t *reg;		/* registry ids grouped by command */
	int *regprio;
};

static void
work_release(struct work *w)
{
	PQclear(w->rows);
	free(w->rr);
	free(w->items);
	free(w->prio);
	free(w->row_of);
	free(w->seasons);
	batch_plan_release(&w->plan);
	free(w->qn);
	free(w->reg);
	free(w->regprio);
	memset(w, 0, sizeof(*w));
}

/*
 * Req 6.4: at most max_per_series searches of one series queued or in
 * flight.  The plan's commands are walked in priority order
 * (batch_eligible); those over the limit are left out, their entries stay
 * pending for a later run, counted in r->held.
 */
static int
per_series_limit(PGconn *db, const struct connector *c, struct work *w, struct enqueue_report *r,
		 struct err *e)
{
	struct batch_running *running = NULL;
	size_t nrunning = 0, k = 0;
	int max, *ok = NULL, ret = -1;

	if (w->plan.ncmds == 0)
		return 0;
	if (db_queue_max_per_series(db, &max, e) < 0 ||
	    db_queue_series_running(db, c->id, &running, &nrunning, e) < 0)
		goto out;
	ok = calloc(w->plan.ncmds, sizeof(*ok));
	if (ok == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	batch_eligible(w->plan.cmds, w->plan.ncmds, running, nrunning, max, ok);
	for (size_t i = 0; i < w->plan.ncmds; i++) {
		if (!ok[i]) {
			r->held += (long)w->qn[i].nentries;
			continue;
		}
		w->plan.cmds[k] = w->plan.cmds[i];
		w->qn[k] = w->qn[i];
		w->qn[k].cmd = &w->plan.cmds[k];
		k++;
	}
	w->plan.ncmds = k;
	ret = 0;
out:
	free(ok);
	free(running);
	return ret;
}

/* Decide: priorities, season packs, commands; fill w->qn per command. */
static int
plan_connector(PGconn *db, const struct connector *c, int64_t now_us, struct work *w,
	       struct enqueue_report *r, struct err *e)
{
	struct priority_weights wt;
	struct batch_season_config sc;
	int max_ids, nr = PQntuples(w->rows);
	size_t *fill = NULL;
	int ret = -1;

	if (candidate_weights_load(db, &wt, e) < 0 || db_queue_batch_size(db, c->id, &max_ids, e) < 0 ||
	    db_queue_season_config(db, c->id, &sc, e) < 0)
		goto out;
	/* Each row is parsed once: 100k rows of 28 text columns, read three
	 * times over, were most of the client's time. */
	w->rr = calloc((size_t)nr + 1, sizeof(*w->rr));
	if (w->rr == NULL)
		goto nomem;
	for (int i = 0; i < nr; i++)
		db_registry_row_at(w->rows, i, &w->rr[i]);
	if (db_queue_pack_seasons(db, c->id, now_us, sc.pack_enabled ? sc.min_missing : INT_MAX,
				  &w->seasons, &w->nseasons, e) < 0)
		goto out;
	if (w->nseasons > 0)
		qsort(w->seasons, w->nseasons, sizeof(*w->seasons), season_cmp);
	w->items = calloc((size_t)nr + 1, sizeof(*w->items));
	w->prio = calloc((size_t)nr + 1, sizeof(*w->prio));
	w->row_of = calloc((size_t)nr + 1, sizeof(*w->row_of));
	if (w->items == NULL || w->prio == NULL || w->row_of == NULL)
		goto nomem;
	for (int i = 0; i < nr; i++) {
		const struct registry_row *rw = &w->rr[i];
		struct batch_item *it = &w->items[w->nitems];

		it->connector_id = c->id;
		it->kind = rw->kind == REGISTRY_MOVIE ? BATCH_KIND_MOVIE : BATCH_KIND_EPISODE;
		it->series_id = rw->series_id;
		it->season_number = rw->season_number;
		it->arr_id = rw->arr_id;
		it->priority = candidate_priority(rw, now_us, &wt, NULL);
		if (rw->kind == REGISTRY_EPISODE && rw->type == REGISTRY_GAP) {
			const struct queue_season *s = season_find(w->seasons, w->nseasons,
								   rw->series_id,
								   rw->season_number);
			enum batch_season_choice ch = BATCH_EPISODES;

			if (s != NULL)
				ch = batch_season_decide(&s->s, &sc, NULL);
			if (ch == BATCH_WAIT) {
				r->waiting++;
				continue;
			}
			it->season_pack = ch == BATCH_SEASON;
		}
		w->prio[w->nitems] = it->priority;
		w->row_of[w->nitems] = (size_t)i;
		w->nitems++;
	}
	if (batch_form(w->items, w->nitems, max_ids, &w->plan, e) < 0)
		goto out;
	/* Group the entries by command (a counting sort over item_cmd). */
	w->qn = calloc(w->plan.ncmds + 1, sizeof(*w->qn));
	w->reg = calloc(w->nitems + 1, sizeof(*w->reg));
	w->regprio = calloc(w->nitems + 1, sizeof(*w->regprio));
	fill = calloc(w->plan.ncmds + 1, sizeof(*fill));
	if (w->qn == NULL || w->reg == NULL || w->regprio == NULL || fill == NULL)
		goto nomem;
	for (size_t i = 0; i < w->nitems; i++)
		w->qn[w->plan.item_cmd[i]].nentries++;
	for (size_t i = 0, at = 0; i < w->plan.ncmds; i++) {
		w->qn[i].cmd = &w->plan.cmds[i];
		w->qn[i].registry_ids = &w->reg[at];
		w->qn[i].priorities = &w->regprio[at];
		fill[i] = at;
		at += w->qn[i].nentries;
	}
	for (size_t i = 0; i < w->nitems; i++) {
		size_t ci = w->plan.item_cmd[i];
		const struct registry_row *rw = &w->rr[w->row_of[i]];

		w->reg[fill[ci]] = rw->registry_id;
		w->regprio[fill[ci]] = w->prio[i];
		fill[ci]++;
		w->qn[ci].series_arr_id = rw->series_arr_id;
	}
	if (per_series_limit(db, c, w, r, e) < 0)
		goto out;
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory batching %d entries", nr);
out:
	free(fill);
	return ret;
}

/* The kinds of item a connector's mirror holds (Whisparr: either). */
static unsigned
connector_kinds(const struct connector *c)
{
	if (strcmp(c->type, "sonarr") == 0)
		return REGISTRY_EPISODES;
	if (strcmp(c->type, "radarr") == 0)
		return REGISTRY_MOVIES;
	return REGISTRY_EPISODES | REGISTRY_MOVIES;
}

static int
enqueue_connector(PGconn *db, const struct connector *c, const struct listed *l,
		  const struct enqueue_opts *o, int64_t now_us, struct enqueue_report *r,
		  struct err *e)
{
	struct work w;
	struct registry_keys keys;
	long batches = 0, items = 0, packs = 0, queries = 0;
	int locked = 0, in_tx = 0, ret = -1;

	memset(&w, 0, sizeof(w));
	if (db_lock(db, DB_LOCK_ENQUEUE, (int)c->id, e) < 0)
		goto out;
	locked = 1;
	if (db_begin(db, e) < 0)
		goto out;
	in_tx = 1;
	if (db_registry_tune(db, e) < 0)
		goto out;
	if (l != NULL) {
		keys.kind = l->kind;
		keys.type = l->type;
		keys.arr_id = l->arr_id;
		keys.n = l->n;
	}
	if (db_registry_eligible(db, c->id, connector_kinds(c), now_us, o->limit, 1,
				 l != NULL ? &keys : NULL, &w.rows, e) < 0)
		goto out;
	if (l != NULL && (size_t)PQntuples(w.rows) < l->n)
		r->not_eligible += (long)l->n - PQntuples(w.rows);
	if (plan_connector(db, c, now_us, &w, r, e) < 0)
		goto out;
	for (size_t i = 0; i < w.plan.ncmds; i++) {
		batches++;
		items += (long)w.qn[i].nentries;
		packs += w.plan.cmds[i].command == BATCH_CMD_SEASON_SEARCH;
		queries += w.plan.cmds[i].expected_queries;
	}
	if (!o->dry_run && w.plan.ncmds > 0) {
		if (db_queue_add(db, w.qn, w.plan.ncmds, now_us, e) < 0 ||
		    db_registry_analyze(db, items, e) < 0 ||
		    db_event_insert(db, "enqueue_done", c->id, log_get_correlation_id(),
			    json_pack("{s:I, s:I, s:I, s:I}", "batches", (json_int_t)batches,
				      "items", (json_int_t)items, "season_packs", (json_int_t)packs,
				      "indexer_queries", (json_int_t)queries), e) < 0)
			goto out;
	}
	if (o->dry_run) {
		db_rollback(db);
	} else if (db_commit(db, e) < 0) {
		goto out;
	}
	in_tx = 0;
	r->batches += batches;
	r->items += items;
	r->season_packs += packs;
	r->indexer_queries += queries;
	for (size_t i = 0; i < w.plan.ncmds; i++)
		emit(o, "queued", batch_json(c, &w.plan.cmds[i], o->dry_run ? 0 : w.qn[i].id,
					     w.qn[i].series_arr_id, w.qn[i].nentries, now_us));
	ret = 0;
out:
	if (in_tx)
		db_rollback(db);
	if (locked) {
		struct err ue = ERR_INIT;

		if (db_unlock(db, DB_LOCK_ENQUEUE, (int)c->id, &ue) < 0)
			log_warn("enqueue", "releasing the lock of '%s': %s", c->name, ue.msg);
	}
	work_release(&w);
	return ret;
}

static int
named(const struct enqueue_opts *o, const char *name)
{
	if (o->connectors == NULL)
		return 1;
	for (size_t i = 0; o->connectors[i] != NULL; i++)
		if (strcmp(o->connectors[i], name) == 0)
			return 1;
	return 0;
}

int
enqueue_run(PGconn *db, const struct enqueue_opts *o, struct enqueue_report *r, struct err *e)
{
	struct connector *list = NULL;
	struct listed *ls = NULL;
	size_t n = 0;
	int64_t start = clock_mono_us(), now_us = o->now_us ? o->now_us : clock_now_us();
	int ret = -1;

	memset(r, 0, sizeof(*r));
	if (db_connector_list(db, &list, &n, e) < 0)
		goto out;
	for (size_t j = 0; o->connectors != NULL && o->connectors[j] != NULL; j++) {
		size_t i;

		for (i = 0; i < n && strcmp(list[i].name, o->connectors[j]) != 0; i++)
			;
		if (i == n) {
			err_set(e, ERR_NOTFOUND, "no connector named '%s'; 'comradarr connector "
				"list' shows them", o->connectors[j]);
			goto out;
		}
	}
	ls = calloc(n + 1, sizeof(*ls));
	if (ls == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (o->in != NULL && read_input(o, list, n, ls, r, e) < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct err ce = ERR_INIT;

		if (!named(o, list[i].name) || strcmp(list[i].type, "prowlarr") == 0)
			continue;
		if (o->in != NULL ? ls[i].n == 0 : (!list[i].enabled && o->connectors == NULL))
			continue;
		r->connectors++;
		if (enqueue_connector(db, &list[i], o->in != NULL ? &ls[i] : NULL, o, now_us, r,
				      &ce) < 0) {
			r->failed++;
			log_error("enqueue", "'%s': %s", list[i].name, ce.msg);
			emit(o, "enqueue_failed", json_pack("{s:s, s:s, s:s}", "connector",
				list[i].name, "kind", err_kind_name(ce.kind), "message", ce.msg));
			*e = ce;
			ret = -1;
		}
	}
	/* the queue's new batches into the page counters now, not at a page
	 * view (a dry run changed nothing) */
	if (!o->dry_run && r->batches > 0) {
		struct err fe = ERR_INIT;

		if (db_counts_fold(db, &fe) < 0)
			log_warn("enqueue", "the page counters were not brought up to date: %s", fe.msg);
	}
out:
	r->duration_ms = (clock_mono_us() - start) / 1000;
	emit(o, "enqueue_done", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
		"lines", (json_int_t)r->lines, "bad_lines", (json_int_t)r->bad_lines,
		"not_eligible", (json_int_t)r->not_eligible, "connectors",
		(json_int_t)r->connectors, "failed", (json_int_t)r->failed, "batches",
		(json_int_t)r->batches, "items", (json_int_t)r->items, "season_packs",
		(json_int_t)r->season_packs, "waiting", (json_int_t)r->waiting,
		"held", (json_int_t)r->held,
		"duration_ms", (json_int_t)r->duration_ms, "dry_run", o->dry_run));
	for (size_t i = 0; ls != NULL && i < n; i++) {
		free(ls[i].kind);
		free(ls[i].type);
		free(ls[i].arr_id);
	}
	free(ls);
	connector_list_free(list, n);
	return ret;
}
