/*
 * schedule.c - the schedules and their runs.  See schedule.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonl.h"
#include "db/db.h"
#include "db/events.h"
#include "db/schedule.h"
#include "core/banned.h"

#define COLS "s.id, s.name, s.connector_id, coalesce(c.name, ''), s.sweep, s.cron, s.zone, " \
	"coalesce(s.max_items, 0), s.enabled, " DB_SQL_US("s.created_at") ", " \
	"coalesce(" DB_SQL_US("s.last_due_at") ", 0), " \
	"coalesce(" DB_SQL_US("r.due_at") ", 0), coalesce(" DB_SQL_US("r.started_at") ", 0), " \
	"coalesce(" DB_SQL_US("r.finished_at") ", 0), coalesce(r.status, ''), " \
	"coalesce(r.found, 0), coalesce(r.queued, 0)"
/* the latest run of each schedule comes with it */
#define FROM "FROM schedules s LEFT JOIN connectors c ON c.id = s.connector_id " \
	"LEFT JOIN LATERAL (SELECT * FROM schedule_runs x WHERE x.schedule_id = s.id " \
	"ORDER BY x.due_at DESC LIMIT 1) r ON true "

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* the positions of COLS, written once */
enum {
	C_ID, C_NAME, C_CONN_ID, C_CONN, C_SWEEP, C_CRON, C_ZONE, C_MAX, C_ENABLED, C_CREATED,
	C_LAST_DUE, C_RUN_DUE, C_RUN_STARTED, C_RUN_FINISHED, C_RUN_STATUS, C_RUN_FOUND,
	C_RUN_QUEUED
};

static void
read_row(const PGresult *r, int i, struct schedule *s)
{
	memset(s, 0, sizeof(*s));
	s->id = db_int64(r, i, C_ID, 0);
	copy(s->name, sizeof(s->name), db_str(r, i, C_NAME));
	s->connector_id = db_int64(r, i, C_CONN_ID, 0);
	copy(s->connector, sizeof(s->connector), db_str(r, i, C_CONN));
	copy(s->sweep, sizeof(s->sweep), db_str(r, i, C_SWEEP));
	copy(s->cron, sizeof(s->cron), db_str(r, i, C_CRON));
	copy(s->zone, sizeof(s->zone), db_str(r, i, C_ZONE));
	s->max_items = (long)db_int64(r, i, C_MAX, 0);
	s->enabled = db_bool(r, i, C_ENABLED);
	s->created_us = db_int64(r, i, C_CREATED, 0);
	s->last_due_us = db_int64(r, i, C_LAST_DUE, 0);
	s->last_run_due_us = db_int64(r, i, C_RUN_DUE, 0);
	s->last_started_us = db_int64(r, i, C_RUN_STARTED, 0);
	s->last_finished_us = db_int64(r, i, C_RUN_FINISHED, 0);
	copy(s->last_status, sizeof(s->last_status), db_str(r, i, C_RUN_STATUS));
	s->last_found = (long)db_int64(r, i, C_RUN_FOUND, 0);
	s->last_queued = (long)db_int64(r, i, C_RUN_QUEUED, 0);
}

/* What every schedule event carries. */
static json_t *
schedule_payload(const struct schedule *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "schedule", json_string(s->name));
	if (s->connector[0] != '\0')
		json_object_set_new(o, "connector", json_string(s->connector));
	json_object_set_new(o, "sweep", json_string(s->sweep));
	json_object_set_new(o, "cron", json_string(s->cron));
	json_object_set_new(o, "zone", json_string(s->zone));
	json_object_set_new(o, "enabled", json_boolean(s->enabled));
	return o;
}

/* The connector's id by name; "" is every connector (0). */
static int
connector_id(PGconn *db, const char *name, int64_t *id, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	int ret = -1;

	*id = 0;
	if (name[0] == '\0')
		return 0;
	if (db_query(db, "SELECT id FROM connectors WHERE name = $1", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no connector named '%s': see 'comradarr connector list'",
			name);
		goto out;
	}
	*id = db_int64(r, 0, 0, 0);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

static int
insert(PGconn *db, struct schedule *s, int64_t now_us, struct err *e)
{
	char cid[24], max[24], now[24];
	const char *p[8] = {
		s->name, s->connector_id > 0 ? db_fmt_int64(cid, sizeof(cid), s->connector_id) : NULL,
		s->sweep, s->cron, s->zone,
		s->max_items > 0 ? db_fmt_int64(max, sizeof(max), s->max_items) : NULL,
		s->enabled ? "true" : "false", db_fmt_int64(now, sizeof(now), now_us)
	};
	PGresult *r = NULL;

	if (db_query(db, "INSERT INTO schedules (name, connector_id, sweep, cron, zone, max_items, "
		     "enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
		     DB_SQL_TS("$8") ", " DB_SQL_TS("$8") ") RETURNING id", 8, p, &r, e) < 0) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a schedule named '%s' already exists: see "
				"'comradarr schedule list'", s->name);
		return -1;
	}
	s->id = db_int64(r, 0, 0, 0);
	s->created_us = now_us;
	PQclear(r);
	return db_event_insert(db, "schedule_added", s->connector_id, NULL, schedule_payload(s), e);
}

int
db_schedule_add(PGconn *db, struct schedule *s, int64_t now_us, struct err *e)
{
	if (db_begin(db, e) < 0)
		return -1;
	if (connector_id(db, s->connector, &s->connector_id, e) < 0 ||
	    insert(db, s, now_us, e) < 0 || db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_schedule_update(PGconn *db, const struct schedule *s, int64_t now_us, struct err *e)
{
	char id[24], cid[24], max[24], now[24];
	int64_t conn = 0;
	const char *p[9];
	PGresult *r = NULL;

	if (db_begin(db, e) < 0)
		return -1;
	if (connector_id(db, s->connector, &conn, e) < 0)
		goto fail;
	p[0] = db_fmt_int64(id, sizeof(id), s->id);
	p[1] = s->name;
	p[2] = conn > 0 ? db_fmt_int64(cid, sizeof(cid), conn) : NULL;
	p[3] = s->sweep;
	p[4] = s->cron;
	p[5] = s->zone;
	p[6] = s->max_items > 0 ? db_fmt_int64(max, sizeof(max), s->max_items) : NULL;
	p[7] = s->enabled ? "true" : "false";
	p[8] = db_fmt_int64(now, sizeof(now), now_us);
	if (db_query(db, "UPDATE schedules SET name = $2, connector_id = $3, sweep = $4, cron = $5, "
		     "zone = $6, max_items = $7, enabled = $8, updated_at = now(), "
		     "last_due_at = CASE WHEN cron <> $5 OR zone <> $6 THEN greatest(last_due_at, "
		     DB_SQL_TS("$9") ") ELSE last_due_at END WHERE id = $1 "
		     "RETURNING id", 9, p, &r, e) < 0) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a schedule named '%s' already exists", s->name);
		goto fail;
	}
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "schedule '%s' was removed meanwhile", s->name);
		goto fail;
	}
	PQclear(r);
	r = NULL;
	if (db_event_insert(db, "schedule_updated", conn, NULL, schedule_payload(s), e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	PQclear(r);
	db_rollback(db);
	return -1;
}

int
db_schedule_remove(PGconn *db, const char *name, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	json_t *pl;

	if (db_begin(db, e) < 0)
		return -1;
	if (db_query(db, "DELETE FROM schedules WHERE name = $1 RETURNING connector_id", 1, p, &r,
		     e) < 0)
		goto fail;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no schedule named '%s': see 'comradarr schedule list'", name);
		goto fail;
	}
	pl = json_object();
	json_object_set_new(pl, "schedule", json_string(name));
	if (db_event_insert(db, "schedule_removed", db_int64(r, 0, 0, 0), NULL, pl, e) < 0 ||
	    db_commit(db, e) < 0)
		goto fail;
	PQclear(r);
	return 0;
fail:
	PQclear(r);
	db_rollback(db);
	return -1;
}

int
db_schedule_get(PGconn *db, const char *name, struct schedule *s, struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "SELECT " COLS " " FROM "WHERE s.name = $1", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no schedule named '%s': see 'comradarr schedule list'", name);
		goto out;
	}
	read_row(r, 0, s);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_schedule_list(PGconn *db, struct schedule **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int rows;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT " COLS " " FROM "ORDER BY s.name", 0, NULL, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		PQclear(r);
		return err_set(e, ERR_NOMEM, "out of memory listing schedules");
	}
	for (int i = 0; i < rows; i++)
		read_row(r, i, &(*list)[i]);
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}

int
db_schedule_claim(PGconn *db, int64_t id, int64_t due_us, int64_t now_us, int missed,
		  const char *runner, int *claimed, struct err *e)
{
	char ids[24], due[24], now[24], mis[24];
	const char *p[5] = {
		db_fmt_int64(ids, sizeof(ids), id), db_fmt_int64(due, sizeof(due), due_us),
		db_fmt_int64(now, sizeof(now), now_us), db_fmt_int64(mis, sizeof(mis), missed), runner
	};
	PGresult *r = NULL;

	*claimed = 0;
	/*
	 * One statement: the UPDATE locks the schedule row, and a concurrent
	 * claim waits for it, then re-checks last_due_at against the committed
	 * value (READ COMMITTED re-evaluates the WHERE) and updates nothing.
	 * ON CONFLICT covers a run row left by a last_due_at someone reset.
	 */
	if (db_query(db, "WITH s AS (UPDATE schedules SET last_due_at = " DB_SQL_TS("$2")
		     " WHERE id = $1 AND enabled AND (last_due_at IS NULL OR last_due_at < "
		     DB_SQL_TS("$2") ") RETURNING id) "
		     "INSERT INTO schedule_runs (schedule_id, due_at, started_at, missed, runner) "
		     "SELECT id, " DB_SQL_TS("$2") ", " DB_SQL_TS("$3") ", $4, $5 FROM s "
		     "ON CONFLICT DO NOTHING RETURNING schedule_id", 5, p, &r, e) < 0)
		return -1;
	*claimed = PQntuples(r) == 1;
	PQclear(r);
	return 0;
}

int
db_schedule_reclaim(PGconn *db, int64_t now_us, int64_t stale_us, struct schedule_run **runs,
		    size_t *n, long *failed, struct err *e)
{
	char now[24], stale[24];
	const char *p[2] = { db_fmt_int64(now, sizeof(now), now_us),
			     db_fmt_int64(stale, sizeof(stale), stale_us) };
	PGresult *r = NULL;
	int rows;

	*runs = NULL;
	*n = 0;
	*failed = 0;
	if (db_begin(db, e) < 0)
		return -1;
	/* given up: their event goes out with the change */
	if (db_query(db, "UPDATE schedule_runs r SET status = 'failed', finished_at = "
		     DB_SQL_TS("$1") ", detail = 'the runner stopped before finishing, twice' "
		     "FROM schedules s LEFT JOIN connectors c ON c.id = s.connector_id "
		     "WHERE s.id = r.schedule_id AND r.status = 'running' AND r.attempts >= 2 "
		     "AND r.started_at < " DB_SQL_TS("$2") " RETURNING s.name, s.connector_id, "
		     "c.name, " DB_SQL_US("r.due_at") ", r.missed", 2, p, &r, e) < 0)
		goto fail;
	rows = PQntuples(r);
	for (int i = 0; i < rows; i++) {
		json_t *pl = json_object();
		char ts[40];

		jsonl_format_ts(db_int64(r, i, 3, 0), ts, sizeof(ts));
		json_object_set_new(pl, "schedule", json_string(db_str(r, i, 0)));
		if (db_str(r, i, 2) != NULL)
			json_object_set_new(pl, "connector", json_string(db_str(r, i, 2)));
		json_object_set_new(pl, "due", json_string(ts));
		json_object_set_new(pl, "attempts", json_integer(2));
		json_object_set_new(pl, "missed", json_integer(db_int64(r, i, 4, 0)));
		json_object_set_new(pl, "message",
				    json_string("the runner stopped before finishing, twice"));
		if (db_event_insert(db, "sweep_failed", db_int64(r, i, 1, 0), NULL, pl, e) < 0)
			goto fail;
	}
	*failed = rows;
	PQclear(r);
	r = NULL;
	if (db_query(db, "UPDATE schedule_runs SET attempts = 2, started_at = " DB_SQL_TS("$1")
		     " WHERE status = 'running' AND attempts = 1 AND started_at < " DB_SQL_TS("$2")
		     " RETURNING schedule_id, " DB_SQL_US("due_at") ", missed", 2, p, &r, e) < 0)
		goto fail;
	rows = PQntuples(r);
	if (rows > 0) {
		*runs = calloc((size_t)rows, sizeof(**runs));
		if (*runs == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	for (int i = 0; i < rows; i++) {
		(*runs)[i].schedule_id = db_int64(r, i, 0, 0);
		(*runs)[i].due_us = db_int64(r, i, 1, 0);
		(*runs)[i].attempts = 2;
		(*runs)[i].missed = (int)db_int64(r, i, 2, 0);
	}
	PQclear(r);
	r = NULL;
	if (db_commit(db, e) < 0)
		goto fail;
	*n = (size_t)rows;
	return 0;
fail:
	PQclear(r);
	db_rollback(db);
	free(*runs);
	*runs = NULL;
	*failed = 0;
	return -1;
}

int
db_schedule_finish(PGconn *db, const struct schedule *s, int64_t due_us, int64_t now_us,
		   const struct schedule_outcome *o, struct err *e)
{
	char id[24], due[24], now[24], f[24], q[24], sk[24], ts[40];
	const char *p[8] = {
		db_fmt_int64(id, sizeof(id), s->id), db_fmt_int64(due, sizeof(due), due_us),
		db_fmt_int64(now, sizeof(now), now_us), o->status,
		db_fmt_int64(f, sizeof(f), o->found), db_fmt_int64(q, sizeof(q), o->queued),
		db_fmt_int64(sk, sizeof(sk), o->skipped), o->detail
	};
	char kind[32];
	json_t *pl = schedule_payload(s);

	snprintf(kind, sizeof(kind), "sweep_%s", o->status);
	jsonl_format_ts(due_us, ts, sizeof(ts));
	json_object_set_new(pl, "due", json_string(ts));
	json_object_set_new(pl, "found", json_integer(o->found));
	json_object_set_new(pl, "queued", json_integer(o->queued));
	json_object_set_new(pl, "skipped", json_integer(o->skipped));
	json_object_set_new(pl, "missed", json_integer(o->missed));
	json_object_set_new(pl, "attempts", json_integer(o->attempts));
	if (o->detail != NULL)
		json_object_set_new(pl, strcmp(o->status, "failed") == 0 ? "message" : "reason",
				    json_string(o->detail));
	if (db_begin(db, e) < 0) {
		json_decref(pl);
		return -1;
	}
	if (db_query(db, "UPDATE schedule_runs SET status = $4, finished_at = " DB_SQL_TS("$3")
		     ", found = $5, queued = $6, skipped = $7, detail = $8 "
		     "WHERE schedule_id = $1 AND due_at = " DB_SQL_TS("$2"), 8, p, NULL, e) < 0) {
		json_decref(pl);
		goto fail;
	}
	if (db_event_insert(db, kind, s->connector_id, NULL, pl, e) < 0 || db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
db_schedule_defaults(PGconn *db, int64_t connector_id, const char *connector, const char *zone,
		     int64_t now_us, struct schedule added[DB_SCHEDULE_DEFAULTS], int *n,
		     struct err *e)
{
	static const struct {
		const char *suffix, *sweep, *cron;
	} defs[DB_SCHEDULE_DEFAULTS] = {
		{ "-gaps", "gaps", "0 * * * *" },
		{ "-upgrades", "upgrades", "30 3 * * *" },
	};
	PGresult *r = NULL;

	*n = 0;
	if (db_begin(db, e) < 0)
		return -1;
	for (int i = 0; i < DB_SCHEDULE_DEFAULTS; i++) {
		struct schedule s;
		const char *p[1];
		/* a long connector name is cut so the suffix still fits */
		int room = (int)(sizeof(s.name) - 1 - strlen(defs[i].suffix));

		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "%.*s%s", room, connector, defs[i].suffix);
		copy(s.connector, sizeof(s.connector), connector);
		s.connector_id = connector_id;
		copy(s.sweep, sizeof(s.sweep), defs[i].sweep);
		copy(s.cron, sizeof(s.cron), defs[i].cron);
		copy(s.zone, sizeof(s.zone), zone);
		s.enabled = 1;
		p[0] = s.name;
		if (db_query(db, "SELECT 1 FROM schedules WHERE name = $1", 1, p, &r, e) < 0)
			goto fail;
		if (PQntuples(r) == 0) {
			if (insert(db, &s, now_us, e) < 0)
				goto fail;
			added[(*n)++] = s;
		}
		PQclear(r);
		r = NULL;
	}
	if (db_commit(db, e) < 0)
		goto fail;
	return 0;
fail:
	PQclear(r);
	db_rollback(db);
	*n = 0;
	return -1;
}

int
db_schedule_progress(PGconn *db, int64_t id, int64_t due_us, const struct schedule_progress *p,
		     struct err *e)
{
	char ids[24], due[24], done[24], total[24], f[24], q[24];
	const char *v[8] = {
		db_fmt_int64(ids, sizeof(ids), id), db_fmt_int64(due, sizeof(due), due_us), p->stage,
		p->connector, db_fmt_int64(done, sizeof(done), p->done),
		db_fmt_int64(total, sizeof(total), p->total), db_fmt_int64(f, sizeof(f), p->found),
		db_fmt_int64(q, sizeof(q), p->queued)
	};

	return db_query(db, "UPDATE schedule_runs SET stage = $3, current_connector = $4, "
			"connectors_done = $5, connectors_total = $6, found = $7, queued = $8, "
			"progress_at = clock_timestamp() WHERE schedule_id = $1 AND due_at = "
			DB_SQL_TS("$2") " AND status = 'running'", 8, v, NULL, e);
}

/* the positions of the running query's columns */
enum {
	R_NAME, R_CONN, R_SWEEP, R_DUE, R_STARTED, R_PROGRESS, R_STAGE, R_CURRENT, R_DONE,
	R_TOTAL, R_ATTEMPTS, R_FOUND, R_QUEUED, R_RUNNER
};

int
db_schedule_running(PGconn *db, struct schedule_running **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int rows;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT s.name, coalesce(c.name, ''), s.sweep, " DB_SQL_US("r.due_at")
		     ", " DB_SQL_US("r.started_at") ", coalesce(" DB_SQL_US("r.progress_at")
		     ", 0), coalesce(r.stage, ''), coalesce(r.current_connector, ''), "
		     "coalesce(r.connectors_done, 0), coalesce(r.connectors_total, 0), r.attempts, "
		     "coalesce(r.found, 0), coalesce(r.queued, 0), coalesce(r.runner, '') "
		     "FROM schedule_runs r JOIN schedules s ON s.id = r.schedule_id "
		     "LEFT JOIN connectors c ON c.id = s.connector_id "
		     "WHERE r.status = 'running' ORDER BY r.started_at, s.name", 0, NULL, &r, e) < 0)
		return -1;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		PQclear(r);
		return err_set(e, ERR_NOMEM, "out of memory listing running sweeps");
	}
	for (int i = 0; i < rows; i++) {
		struct schedule_running *x = &(*list)[i];

		copy(x->name, sizeof(x->name), db_str(r, i, R_NAME));
		copy(x->connector, sizeof(x->connector), db_str(r, i, R_CONN));
		copy(x->sweep, sizeof(x->sweep), db_str(r, i, R_SWEEP));
		x->due_us = db_int64(r, i, R_DUE, 0);
		x->started_us = db_int64(r, i, R_STARTED, 0);
		x->progress_us = db_int64(r, i, R_PROGRESS, 0);
		copy(x->stage, sizeof(x->stage), db_str(r, i, R_STAGE));
		copy(x->current, sizeof(x->current), db_str(r, i, R_CURRENT));
		x->done = (int)db_int64(r, i, R_DONE, 0);
		x->total = (int)db_int64(r, i, R_TOTAL, 0);
		x->attempts = (int)db_int64(r, i, R_ATTEMPTS, 1);
		x->found = (long)db_int64(r, i, R_FOUND, 0);
		x->queued = (long)db_int64(r, i, R_QUEUED, 0);
		copy(x->runner, sizeof(x->runner), db_str(r, i, R_RUNNER));
	}
	*n = (size_t)rows;
	PQclear(r);
	return 0;
}
