/*
 * maint.c - comradarr-maint's steps.  See maint.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/counts.h"
#include "db/db.h"
#include "db/events.h"
#include "db/maint.h"
#include "db/settings.h"
#include "db/stats.h"
#include "policy/retention.h"
#include "stage/maint.h"
#include "core/banned.h"

static const struct {
	const char *name;
	unsigned bit;
} step_names[] = {
	{ "rollup", MAINT_ROLLUP }, { "prune", MAINT_PRUNE }, { "orphans", MAINT_ORPHANS },
	{ "counts", MAINT_COUNTS }, { "vacuum", MAINT_VACUUM }, { "sizes", MAINT_SIZES },
};

unsigned
maint_step_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(step_names) / sizeof(step_names[0]); i++)
		if (strcmp(name, step_names[i].name) == 0)
			return step_names[i].bit;
	return 0;
}

const char *
maint_step_names(void)
{
	return "rollup, prune, orphans, counts, vacuum, sizes";
}

/* What the run knows as it goes: the tables it changed, for vacuum. */
#define MAX_CHANGED 16
struct run {
	PGconn *db;
	const struct maint_opts *o;
	struct maint_report *r;
	struct err first;	/* the first failure, for the caller */
	const char *changed[MAX_CHANGED];
	int nchanged;
};

static void
emit(const struct run *x, const char *event, json_t *obj)
{
	if (x->o->dry_run)
		json_object_set_new(obj, "dry_run", json_true());
	if (x->o->line != NULL) {
		x->o->line(x->o->line_arg, event, obj);
		json_decref(obj);
	} else if (x->o->out != NULL) {
		jsonl_emit(x->o->out, event, obj);
	} else {
		json_decref(obj);
	}
}

static void
changed(struct run *x, const char *table)
{
	for (int i = 0; i < x->nchanged; i++)
		if (strcmp(x->changed[i], table) == 0)
			return;
	if (x->nchanged < MAX_CHANGED)
		x->changed[x->nchanged++] = table;
}

static int64_t
ms_since(int64_t t0)
{
	return (clock_mono_us() - t0) / 1000;
}

static void
failed(struct run *x, const char *step, const char *table, const struct err *e)
{
	x->r->steps_failed++;
	if (x->first.kind == ERR_NONE)
		x->first = *e;
	log_warn("maint", "%s%s%s failed: %s", step, table ? " of " : "", table ? table : "",
		 e->msg);
	emit(x, "maint_failed", json_pack("{s:s, s:s?, s:s, s:s}", "step", step, "table", table,
					  "kind", err_kind_name(e->kind), "message", e->msg));
}

/* End a step's transaction: commit, or roll back for a dry run. */
static int
finish(struct run *x, struct err *e)
{
	if (x->o->dry_run) {
		db_rollback(x->db);
		return 0;
	}
	return db_commit(x->db, e);
}

static void
step_rollup(struct run *x)
{
	struct err e = ERR_INIT;
	long groups[DB_STATS_NSOURCES] = { 0 }, days[DB_STATS_NSOURCES] = { 0 };
	int64_t t0 = clock_mono_us();

	x->r->steps_run++;
	if (db_begin(x->db, &e) < 0)
		goto fail;
	for (int s = 0; s < DB_STATS_NSOURCES; s++)
		if (db_stats_rollup(x->db, (enum db_stats_source)s, -1, &groups[s], &days[s], &e) < 0)
			goto fail;
	if (finish(x, &e) < 0)
		goto fail;
	for (int s = 0; s < DB_STATS_NSOURCES; s++) {
		x->r->rolled += groups[s];
		emit(x, "maint_rollup", json_pack("{s:s, s:I, s:I, s:I}", "source",
			  db_stats_source_name((enum db_stats_source)s), "days", (json_int_t)days[s],
			  "rows", (json_int_t)groups[s], "ms", (json_int_t)ms_since(t0)));
	}
	if (x->r->rolled > 0)
		changed(x, "stats_daily");
	return;
fail:
	db_rollback(x->db);
	failed(x, "rollup", "stats_daily", &e);
}

static void
prune_one(struct run *x, enum db_prune which, int64_t now_us)
{
	const struct db_prune_def *d = db_prune_get(which);
	struct err e = ERR_INIT;
	long long days = 0;
	long rows = 0, groups = 0, ndays = 0;
	int64_t t0 = clock_mono_us(), cutoff;
	char ts[40];

	if (db_setting_int(x->db, d->setting, &days, &e) < 0)
		goto fail;
	cutoff = retention_cutoff_us(now_us, (int)days);
	if (db_begin(x->db, &e) < 0)
		goto fail;
	/* never a day deleted that its statistics have not counted */
	if (d->rollup >= 0 &&
	    db_stats_rollup(x->db, (enum db_stats_source)d->rollup, -1, &groups, &ndays, &e) < 0)
		goto fail;
	if (db_maint_prune(x->db, which, cutoff, &rows, &e) < 0 || finish(x, &e) < 0)
		goto fail;
	x->r->pruned += rows;
	if (rows > 0)
		changed(x, d->table);
	jsonl_format_ts(cutoff, ts, sizeof(ts));
	emit(x, "maint_prune", json_pack("{s:s, s:I, s:s, s:s, s:I, s:I}", "table", d->table,
		  "rows", (json_int_t)rows, "before", ts, "setting", d->setting,
		  "retention_days", (json_int_t)days, "ms", (json_int_t)ms_since(t0)));
	return;
fail:
	db_rollback(x->db);
	failed(x, "prune", d->table, &e);
}

static void
step_orphans(struct run *x)
{
	for (int k = 0; k < DB_ORPHAN_N; k++) {
		const char *table = db_orphan_table((enum db_orphan)k);
		struct err e = ERR_INIT;
		int64_t t0 = clock_mono_us();
		long rows = 0;

		if (db_begin(x->db, &e) < 0 ||
		    db_maint_orphans(x->db, (enum db_orphan)k, &rows, &e) < 0 || finish(x, &e) < 0) {
			db_rollback(x->db);
			failed(x, "orphans", table, &e);
			continue;
		}
		x->r->orphans += rows;
		if (rows > 0)
			changed(x, table);
		/* the triggers should have left none: a bug to report */
		if (rows > 0 && db_orphan_is_bug((enum db_orphan)k))
			log_warn("maint", "%s %ld orphaned rows of %s (the cascades missed them)",
				 x->o->dry_run ? "found" : "removed", rows, table);
		emit(x, "maint_orphans", json_pack("{s:s, s:I, s:b, s:I}", "table", table,
			  "rows", (json_int_t)rows, "unexpected", db_orphan_is_bug((enum db_orphan)k),
			  "ms", (json_int_t)ms_since(t0)));
	}
}

/*
 * The web UI's counters against a recount of the tables they count
 * (db/counts.h): the registry and queue counters, and each connector's
 * library.  A drift found is a bug to report; either way the counters leave
 * this step equal to the recount.  Writers in flight are waited for at most
 * a few seconds: a long sync makes the step fail and the next run does it.
 */
static void
step_counts(struct run *x)
{
	struct err e = ERR_INIT;
	int64_t t0 = clock_mono_us();
	long drift = 0;

	x->r->steps_run++;
	if (db_begin(x->db, &e) < 0 || db_counts_recount(x->db, 5000, &drift, &e) < 0 ||
	    db_library_recount(x->db, 0, &e) < 0 || finish(x, &e) < 0) {
		db_rollback(x->db);
		failed(x, "counts", "ui_counts", &e);
		return;
	}
	changed(x, "ui_counts");
	if (drift > 0)
		log_warn("maint", "%s %ld page counters that did not match a recount",
			 x->o->dry_run ? "found" : "corrected", drift);
	emit(x, "maint_counts", json_pack("{s:I, s:I}", "drift", (json_int_t)drift,
		  "ms", (json_int_t)ms_since(t0)));
}

static int
in_changed(const struct run *x, const char *table)
{
	for (int i = 0; i < x->nchanged; i++)
		if (strcmp(x->changed[i], table) == 0)
			return 1;
	return 0;
}

static void
step_vacuum(struct run *x)
{
	struct db_table_size *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;

	x->r->steps_run++;
	if (db_maint_sizes(x->db, &list, &n, &e) < 0) {
		failed(x, "vacuum", NULL, &e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct db_table_size *t = &list[i];
		int64_t t0 = clock_mono_us(), after = t->bytes;
		int why_changed = in_changed(x, t->name);

		if (!why_changed && t->dead_rows <= 0)
			continue;
		if (!x->o->dry_run) {
			if (db_maint_vacuum(x->db, t->name, &e) < 0) {
				failed(x, "vacuum", t->name, &e);
				err_clear(&e);
				continue;
			}
			x->r->vacuumed++;
			if (db_maint_table_bytes(x->db, t->name, &after, &e) < 0)
				after = t->bytes;
		}
		emit(x, "maint_vacuum", json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "table", t->name,
			  "reason", why_changed ? "changed" : "dead_rows",
			  "dead_rows", (json_int_t)t->dead_rows, "bytes_before", (json_int_t)t->bytes,
			  "bytes", (json_int_t)after, "ms", (json_int_t)ms_since(t0)));
	}
	free(list);
}

static void
step_sizes(struct run *x)
{
	struct db_table_size *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	int64_t total = 0;

	x->r->steps_run++;
	if (db_maint_sizes(x->db, &list, &n, &e) < 0) {
		failed(x, "sizes", NULL, &e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		total += list[i].bytes;
		emit(x, "maint_size", json_pack("{s:s, s:I, s:I}", "table", list[i].name,
			  "bytes", (json_int_t)list[i].bytes, "rows", (json_int_t)list[i].rows));
	}
	emit(x, "maint_size", json_pack("{s:s, s:I}", "table", "*", "bytes", (json_int_t)total));
	free(list);
}

int
maint_run(PGconn *db, const struct maint_opts *o, struct maint_report *r, struct err *e)
{
	unsigned steps = o->steps ? o->steps : MAINT_ALL;
	int64_t t0 = clock_mono_us(), now_us = o->now_us ? o->now_us : clock_now_us();
	struct run x;
	struct err ev = ERR_INIT;
	json_t *summary;
	int got;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.o = o;
	x.r = r;
	x.first.retry_after_ms = -1;
	got = db_try_lock(db, DB_LOCK_MAINT, 0, e);
	if (got < 0)
		return -1;
	if (got == 0) {
		r->skipped = 1;
		emit(&x, "maint_skipped", json_pack("{s:s}", "reason", "another comradarr-maint is running"));
		return 0;
	}
	if (steps & MAINT_ROLLUP)
		step_rollup(&x);
	if (steps & MAINT_PRUNE) {
		r->steps_run++;
		for (int k = 0; k < DB_PRUNE_N; k++)
			prune_one(&x, (enum db_prune)k, now_us);
	}
	if (steps & MAINT_ORPHANS) {
		r->steps_run++;
		step_orphans(&x);
	}
	if (steps & MAINT_COUNTS)
		step_counts(&x);
	if (steps & MAINT_VACUUM)
		step_vacuum(&x);
	if (steps & MAINT_SIZES)
		step_sizes(&x);
	r->duration_ms = ms_since(t0);
	summary = json_pack("{s:i, s:i, s:I, s:I, s:I, s:i, s:I}", "steps", r->steps_run,
			    "failed", r->steps_failed, "rolled", (json_int_t)r->rolled,
			    "pruned", (json_int_t)r->pruned, "orphans", (json_int_t)r->orphans,
			    "vacuumed", r->vacuumed, "ms", (json_int_t)r->duration_ms);
	/* "database maintenance completed", for notifications and the UI */
	if (!o->dry_run && (db_begin(db, &ev) < 0 ||
			    db_event_insert(db, "maint_done", 0, NULL, json_deep_copy(summary), &ev) < 0 ||
			    db_commit(db, &ev) < 0)) {
		db_rollback(db);
		log_warn("maint", "the maint_done event was not written: %s", ev.msg);
	}
	db_unlock(db, DB_LOCK_MAINT, 0, NULL);
	emit(&x, "maint_done", summary);
	if (r->steps_failed > 0) {
		*e = x.first;
		return -1;
	}
	return 0;
}
