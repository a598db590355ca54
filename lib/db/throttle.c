/*
 * throttle.c - throttle profiles in PostgreSQL and the counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/db.h"
#include "db/throttle.h"
#include "core/banned.h"

#define PROFILE_COLS "id, name, preset, requests_per_minute, batch_size, cooldown_minutes, " \
	"daily_budget, backoff_multiplier_pct, backoff_max_minutes, " \
	"rate_limit_cooldown_minutes, max_concurrent, max_attempts"

static void
profile_from_row(const PGresult *r, int row, struct db_throttle_profile *out)
{
	memset(out, 0, sizeof(*out));
	out->id = db_int64(r, row, 0, 0);
	snprintf(out->p.name, sizeof(out->p.name), "%s", db_str(r, row, 1) ? db_str(r, row, 1) : "");
	out->preset = db_bool(r, row, 2);
	out->p.requests_per_minute = (int)db_int64(r, row, 3, 0);
	out->p.batch_size = (int)db_int64(r, row, 4, 0);
	out->p.cooldown_minutes = (int)db_int64(r, row, 5, 0);
	out->p.daily_budget = (int)db_int64(r, row, 6, 0);
	out->p.backoff_multiplier_pct = (int)db_int64(r, row, 7, 0);
	out->p.backoff_max_minutes = (int)db_int64(r, row, 8, 0);
	out->p.rate_limit_cooldown_minutes = (int)db_int64(r, row, 9, 0);
	out->p.max_concurrent = (int)db_int64(r, row, 10, 0);
	out->max_attempts = (int)db_int64(r, row, 11, DB_THROTTLE_MAX_ATTEMPTS);
}

/* The eleven numbers as text parameters, after the name. */
struct prof_params {
	char v[10][24];
	const char *p[12];
};

static void
prof_params_fill(struct prof_params *pp, const struct db_throttle_profile *prof)
{
	const struct throttle_profile *p = &prof->p;
	const int nums[9] = {
		p->requests_per_minute, p->batch_size, p->cooldown_minutes, p->daily_budget,
		p->backoff_multiplier_pct, p->backoff_max_minutes, p->rate_limit_cooldown_minutes,
		p->max_concurrent, prof->max_attempts
	};

	pp->p[0] = p->name;
	for (int i = 0; i < 9; i++) {
		snprintf(pp->v[i], sizeof(pp->v[i]), "%d", nums[i]);
		pp->p[i + 1] = pp->v[i];
	}
}

static int
validate(const struct db_throttle_profile *prof, struct err *e)
{
	if (throttle_profile_validate(&prof->p, e) < 0)
		return -1;
	if (prof->max_attempts < 1 || prof->max_attempts > 1000)
		return err_set(e, ERR_USAGE, "throttle profile '%s': max attempts %d is out of range: "
			       "give 1 to 1000", prof->p.name, prof->max_attempts);
	return 0;
}

int
db_throttle_seed_presets(PGconn *db, struct err *e)
{
	for (int i = 0; i < THROTTLE_PRESET_MAX; i++) {
		struct db_throttle_profile prof;
		struct prof_params pp;

		memset(&prof, 0, sizeof(prof));
		throttle_preset_get((enum throttle_preset)i, &prof.p);
		prof.max_attempts = DB_THROTTLE_MAX_ATTEMPTS;
		prof_params_fill(&pp, &prof);
		if (db_query(db, "INSERT INTO throttle_profiles (name, preset, requests_per_minute, "
			     "batch_size, cooldown_minutes, daily_budget, backoff_multiplier_pct, "
			     "backoff_max_minutes, rate_limit_cooldown_minutes, max_concurrent, "
			     "max_attempts) VALUES ($1, true, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
			     "ON CONFLICT (name) DO UPDATE SET preset = true, "
			     "requests_per_minute = $2, batch_size = $3, cooldown_minutes = $4, "
			     "daily_budget = $5, backoff_multiplier_pct = $6, backoff_max_minutes = $7, "
			     "rate_limit_cooldown_minutes = $8, max_concurrent = $9, max_attempts = $10 "
			     "WHERE (throttle_profiles.requests_per_minute, throttle_profiles.batch_size, "
			     "throttle_profiles.cooldown_minutes, throttle_profiles.daily_budget, "
			     "throttle_profiles.backoff_multiplier_pct, throttle_profiles.backoff_max_minutes, "
			     "throttle_profiles.rate_limit_cooldown_minutes, throttle_profiles.max_concurrent) "
			     "IS DISTINCT FROM ($2, $3, $4, $5, $6, $7, $8, $9) OR NOT throttle_profiles.preset",
			     10, pp.p, NULL, e) < 0)
			return err_prefix(e, "seeding throttle preset '%s'", prof.p.name);
	}
	return 0;
}

int
db_throttle_profile_add(PGconn *db, struct db_throttle_profile *prof, struct err *e)
{
	struct prof_params pp;
	PGresult *r = NULL;
	struct throttle_profile tmp;

	if (validate(prof, e) < 0)
		return -1;
	if (throttle_preset_by_name(prof->p.name, &tmp, NULL) == 0)
		return err_set(e, ERR_CONFLICT, "'%s' is the name of a preset: choose another name",
			       prof->p.name);
	prof_params_fill(&pp, prof);
	if (db_query(db, "INSERT INTO throttle_profiles (name, requests_per_minute, batch_size, "
		     "cooldown_minutes, daily_budget, backoff_multiplier_pct, backoff_max_minutes, "
		     "rate_limit_cooldown_minutes, max_concurrent, max_attempts) "
		     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
		     10, pp.p, &r, e) < 0) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a throttle profile named '%s' already exists: "
				"change it with 'comradarr profile edit %s'", prof->p.name, prof->p.name);
		return -1;
	}
	prof->id = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

int
db_throttle_profile_get(PGconn *db, const char *name, struct db_throttle_profile *out,
			struct err *e)
{
	const char *p[1] = { name };
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "SELECT " PROFILE_COLS " FROM throttle_profiles WHERE name = $1",
		     1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no throttle profile named '%s': see 'comradarr profile list'",
			name);
		goto out;
	}
	profile_from_row(r, 0, out);
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_throttle_profile_list(PGconn *db, struct db_throttle_profile **list, size_t *n, struct err *e)
{
	PGresult *r = NULL;
	int ret = -1, rows;

	*list = NULL;
	*n = 0;
	if (db_query(db, "SELECT " PROFILE_COLS " FROM throttle_profiles "
		     "ORDER BY preset DESC, requests_per_minute, name", 0, NULL, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	*list = calloc((size_t)rows + 1, sizeof(**list));
	if (*list == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++)
		profile_from_row(r, i, &(*list)[i]);
	*n = (size_t)rows;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_throttle_profile_update(PGconn *db, const char *name, const struct db_throttle_profile *prof,
			   struct err *e)
{
	struct db_throttle_profile cur;
	struct prof_params pp;
	char idbuf[24];
	const char *p[11];

	if (db_throttle_profile_get(db, name, &cur, e) < 0)
		return -1;
	if (cur.preset)
		return err_set(e, ERR_USAGE, "'%s' is a preset and cannot be changed: copy it with "
			       "'comradarr profile add NAME --from %s' and edit the copy", name, name);
	if (validate(prof, e) < 0)
		return -1;
	prof_params_fill(&pp, prof);
	memcpy(p, pp.p, sizeof(pp.p[0]) * 10);
	p[10] = db_fmt_int64(idbuf, sizeof(idbuf), cur.id);
	if (db_query(db, "UPDATE throttle_profiles SET name = $1, requests_per_minute = $2, "
		     "batch_size = $3, cooldown_minutes = $4, daily_budget = $5, "
		     "backoff_multiplier_pct = $6, backoff_max_minutes = $7, "
		     "rate_limit_cooldown_minutes = $8, max_concurrent = $9, max_attempts = $10, "
		     "updated_at = now() WHERE id = $11", 11, p, NULL, e) < 0) {
		if (e != NULL && e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "a throttle profile named '%s' already exists",
				prof->p.name);
		return -1;
	}
	return 0;
}

int
db_throttle_profile_remove(PGconn *db, const char *name, struct err *e)
{
	struct db_throttle_profile cur;
	const char *p[1] = { name };
	PGresult *r = NULL;
	int ret = -1;

	if (db_throttle_profile_get(db, name, &cur, e) < 0)
		return -1;
	if (cur.preset)
		return err_set(e, ERR_USAGE, "'%s' is a preset and cannot be removed", name);
	if (db_query(db, "SELECT c.name FROM throttle_assignments a JOIN connectors c ON "
		     "c.id = a.connector_id JOIN throttle_profiles t ON t.id = a.profile_id "
		     "WHERE t.name = $1 ORDER BY c.name LIMIT 1", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) > 0) {
		err_set(e, ERR_CONFLICT, "throttle profile '%s' is used by connector '%s': assign "
			"another first with 'comradarr profile assign %s PROFILE'", name,
			db_str(r, 0, 0), db_str(r, 0, 0));
		goto out;
	}
	if (db_query(db, "DELETE FROM throttle_profiles WHERE name = $1 AND NOT preset",
		     1, p, NULL, e) < 0)
		goto out;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_throttle_assign(PGconn *db, const char *connector, const char *profile, struct err *e)
{
	const char *p[2] = { connector, profile };
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "SELECT id FROM connectors WHERE name = $1", 1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no connector named '%s': see 'comradarr connector list'",
			connector);
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (profile == NULL) {
		ret = db_query(db, "DELETE FROM throttle_assignments a USING connectors c "
			       "WHERE c.id = a.connector_id AND c.name = $1", 1, p, NULL, e);
		goto out;
	}
	if (db_query(db, "INSERT INTO throttle_assignments (connector_id, profile_id) "
		     "SELECT c.id, t.id FROM connectors c, throttle_profiles t "
		     "WHERE c.name = $1 AND t.name = $2 "
		     "ON CONFLICT (connector_id) DO UPDATE SET profile_id = EXCLUDED.profile_id "
		     "RETURNING profile_id", 2, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) != 1) {
		err_set(e, ERR_NOTFOUND, "no throttle profile named '%s': see 'comradarr profile list'",
			profile);
		goto out;
	}
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_throttle_for_connector(PGconn *db, int64_t connector_id, struct db_throttle_profile *out,
			  struct err *e)
{
	char idbuf[24];
	const char *p[1] = { db_fmt_int64(idbuf, sizeof(idbuf), connector_id) };
	PGresult *r = NULL;
	int ret = -1;

	if (db_query(db, "SELECT " PROFILE_COLS " FROM throttle_profiles t "
		     "JOIN throttle_assignments a ON a.profile_id = t.id WHERE a.connector_id = $1",
		     1, p, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 1) {
		profile_from_row(r, 0, out);
		ret = 0;
		goto out;
	}
	/* Req 7.7: no assignment, the global default; from the code's numbers
	 * if the presets were never seeded into this database */
	PQclear(r);
	r = NULL;
	if (db_throttle_profile_get(db, DB_THROTTLE_DEFAULT, out, NULL) == 0) {
		ret = 0;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	throttle_preset_get(THROTTLE_MODERATE, &out->p);
	out->preset = 1;
	out->max_attempts = DB_THROTTLE_MAX_ATTEMPTS;
	ret = 0;
out:
	PQclear(r);
	return ret;
}

int
db_now_us(PGconn *db, int64_t *out, struct err *e)
{
	PGresult *r = NULL;

	if (db_query(db, "SELECT " DB_SQL_US("clock_timestamp()"), 0, NULL, &r, e) < 0)
		return -1;
	*out = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

int
db_throttle_lock(PGconn *db, int64_t connector_id, struct err *e)
{
	char idbuf[24];
	const char *p[1] = { db_fmt_int64(idbuf, sizeof(idbuf), connector_id) };

	if (db_query(db, "INSERT INTO throttle_state (connector_id) VALUES ($1) "
		     "ON CONFLICT (connector_id) DO NOTHING", 1, p, NULL, e) < 0)
		return -1;
	return db_query(db, "SELECT 1 FROM throttle_state WHERE connector_id = $1 FOR UPDATE",
			1, p, NULL, e);
}

/* Read the pause, the window and the day's spend, and decide. */
static int
check(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
      const struct policy_tz *tz, int64_t now_us, int cost, int decide,
      struct db_throttle_decision *out, struct err *e)
{
	char idbuf[24], fbuf[24], dbuf[24];
	const char *pr[2], *pd[2];
	PGresult *r = NULL;
	struct throttle_event *ev = NULL;
	struct throttle_usage u;
	int64_t day_start_s = 0;
	int ret = -1, rows;

	memset(out, 0, sizeof(*out));
	if (now_us <= 0 && db_now_us(db, &now_us, e) < 0)
		goto out;
	out->now_us = now_us;
	if (policy_local_day_start(tz, policy_floor_div(now_us, 1000000), &day_start_s) < 0) {
		err_set(e, ERR_CONFIG, "cannot work out the local day: check TZ");
		goto out;
	}
	pr[0] = pd[0] = db_fmt_int64(idbuf, sizeof(idbuf), connector_id);
	pr[1] = db_fmt_int64(fbuf, sizeof(fbuf), now_us - THROTTLE_WINDOW_US);
	pd[1] = db_fmt_int64(dbuf, sizeof(dbuf), day_start_s * 1000000);
	if (db_query(db, "SELECT coalesce(" DB_SQL_US("paused_until") ", 0), "
		     "coalesce(pause_reason, ''), "
		     "(SELECT coalesce(sum(cost), 0) FROM throttle_ledger WHERE connector_id = $1 "
		     "AND at >= " DB_SQL_TS("$2") ") "
		     "FROM throttle_state WHERE connector_id = $1", 2, pd, &r, e) < 0)
		goto out;
	if (PQntuples(r) == 1) {
		out->paused_until_us = db_int64(r, 0, 0, 0);
		snprintf(out->pause_reason, sizeof(out->pause_reason), "%s", db_str(r, 0, 1));
		out->spent_today = db_int64(r, 0, 2, 0);
	}
	PQclear(r);
	r = NULL;
	/* every event after now - 60 s, future ones included (another host's
	 * clock): throttle_admit counts them until 60 s after their time */
	if (db_query(db, "SELECT " DB_SQL_US("at") ", cost FROM throttle_ledger "
		     "WHERE connector_id = $1 AND at > " DB_SQL_TS("$2"), 2, pr, &r, e) < 0)
		goto out;
	rows = PQntuples(r);
	ev = calloc((size_t)rows + 1, sizeof(*ev));
	if (ev == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < rows; i++) {
		ev[i].at_us = db_int64(r, i, 0, 0);
		ev[i].cost = (int)db_int64(r, i, 1, 0);
	}
	memset(&u, 0, sizeof(u));
	u.events = ev;
	u.nevents = (size_t)rows;
	u.spent_day_start_us = day_start_s * 1000000;
	u.spent_today = out->spent_today;
	u.paused_until_us = out->paused_until_us;
	if (throttle_admit(p, &u, tz, now_us, cost < 1 ? 1 : cost, &out->v, e) < 0)
		goto out;
	if (!decide) {
		/* a peek: what is used, not whether a command fits */
		out->v.allowed = out->v.reason == THROTTLE_OK;
	}
	ret = 0;
out:
	free(ev);
	PQclear(r);
	return ret;
}

int
db_throttle_check(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		  const struct policy_tz *tz, int64_t now_us, int cost,
		  struct db_throttle_decision *out, struct err *e)
{
	return check(db, connector_id, p, tz, now_us, cost, 1, out, e);
}

int
db_throttle_peek(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		 const struct policy_tz *tz, int64_t now_us, struct db_throttle_decision *out,
		 struct err *e)
{
	return check(db, connector_id, p, tz, now_us, 1, 0, out, e);
}

int
db_throttle_spend(PGconn *db, int64_t connector_id, int64_t at_us, int cost, int64_t queue_id,
		  const char *claimed_by, int64_t *ledger_id, struct err *e)
{
	char b[4][24];
	const char *p[5] = {
		db_fmt_int64(b[0], sizeof(b[0]), connector_id),
		db_fmt_int64(b[1], sizeof(b[1]), at_us),
		db_fmt_int64(b[2], sizeof(b[2]), cost),
		queue_id > 0 ? db_fmt_int64(b[3], sizeof(b[3]), queue_id) : NULL,
		claimed_by
	};
	PGresult *r = NULL;

	if (db_query(db, "INSERT INTO throttle_ledger (connector_id, at, cost, queue_id, claimed_by) "
		     "VALUES ($1, " DB_SQL_TS("$2") ", $3, $4, $5) RETURNING id",
		     5, p, &r, e) < 0)
		return -1;
	if (ledger_id != NULL)
		*ledger_id = db_int64(r, 0, 0, 0);
	PQclear(r);
	return 0;
}

int
db_throttle_admit(PGconn *db, int64_t connector_id, const struct throttle_profile *p,
		  const struct policy_tz *tz, int64_t now_us, int cost,
		  struct db_throttle_decision *out, int64_t *ledger_id, struct err *e)
{
	int ret = -1;

	if (ledger_id != NULL)
		*ledger_id = 0;
	if (db_begin(db, e) < 0)
		return -1;
	if (db_throttle_lock(db, connector_id, e) < 0 ||
	    db_throttle_check(db, connector_id, p, tz, now_us, cost, out, e) < 0)
		goto out;
	if (out->v.allowed &&
	    db_throttle_spend(db, connector_id, out->now_us, cost, 0, NULL, ledger_id, e) < 0)
		goto out;
	if (db_commit(db, e) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	return ret;
}

int
db_throttle_refund(PGconn *db, int64_t ledger_id, struct err *e)
{
	char b[24];
	const char *p[1] = { db_fmt_int64(b, sizeof(b), ledger_id) };

	if (ledger_id <= 0)
		return 0;
	return db_query(db, "DELETE FROM throttle_ledger WHERE id = $1", 1, p, NULL, e);
}

int
db_throttle_pause(PGconn *db, int64_t connector_id, int64_t until_us, const char *reason,
		  struct err *e)
{
	char b[2][24];
	const char *p[3] = {
		db_fmt_int64(b[0], sizeof(b[0]), connector_id),
		db_fmt_int64(b[1], sizeof(b[1]), until_us), reason
	};

	if (db_begin(db, e) < 0)
		return -1;
	if (db_throttle_lock(db, connector_id, e) < 0 ||
	    db_query(db, "UPDATE throttle_state SET paused_until = greatest(paused_until, "
		     DB_SQL_TS("$2") "), pause_reason = $3, updated_at = now() "
		     "WHERE connector_id = $1", 3, p, NULL, e) < 0 ||
	    db_query(db, "INSERT INTO events (kind, connector_id, payload) SELECT "
		     "'connector_paused', $1, jsonb_build_object('connector', c.name, 'reason', $3::text, "
		     "'until', to_char(" DB_SQL_TS("$2") " AT TIME ZONE 'UTC', "
		     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) FROM connectors c WHERE c.id = $1",
		     3, p, NULL, e) < 0 ||
	    db_commit(db, e) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
db_throttle_note_budget(PGconn *db, int64_t connector_id, int64_t day_start_us,
			int64_t resumes_us, int *first, struct err *e)
{
	char b[3][24];
	const char *p[3] = {
		db_fmt_int64(b[0], sizeof(b[0]), connector_id),
		db_fmt_int64(b[1], sizeof(b[1]), day_start_us),
		db_fmt_int64(b[2], sizeof(b[2]), resumes_us)
	};
	PGresult *r = NULL;
	int ret = -1;

	if (first != NULL)
		*first = 0;
	if (db_query(db, "WITH s AS (INSERT INTO throttle_state (connector_id, budget_day) "
		     "VALUES ($1, " DB_SQL_TS("$2") ") ON CONFLICT (connector_id) DO UPDATE "
		     "SET budget_day = EXCLUDED.budget_day, updated_at = now() "
		     "WHERE throttle_state.budget_day IS DISTINCT FROM EXCLUDED.budget_day "
		     "RETURNING connector_id) "
		     "INSERT INTO events (kind, connector_id, payload) SELECT 'budget_exhausted', "
		     "s.connector_id, jsonb_build_object('connector', c.name, 'resumes', "
		     "to_char(" DB_SQL_TS("$3") " AT TIME ZONE 'UTC', "
		     "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) FROM s JOIN connectors c ON c.id = s.connector_id "
		     "RETURNING id", 3, p, &r, e) < 0)
		goto out;
	if (first != NULL)
		*first = PQntuples(r) > 0;
	ret = 0;
out:
	PQclear(r);
	return ret;
}
