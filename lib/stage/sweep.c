/*
 * sweep.c - when schedules are due, and running them.  See sweep.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/connectors.h"
#include "db/db.h"
#include "stage/discover.h"
#include "stage/enqueue.h"
#include "stage/sweep.h"
#include "core/banned.h"

static const char *const month_names[] = {
	"", "January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

/* Edit distance, ignoring case; a and b are short names. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int row[130];

	if (la > 128 || lb > 128)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];

		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j], best;
			int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);

			best = diag + !same;
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/*
 * Up to three zones of zone1970.tab closest to name, as ", did you mean
 * 'A', 'B' or 'C'?" in buf ("" when none is close).  The whole name and its
 * city part are both compared, so "Berlin" finds Europe/Berlin.
 */
static void
suggest_zones(const char *name, char *buf, size_t size)
{
	const char *dir = getenv("TZDIR");
	char path[512], line[512], best[3][128];
	int bestd[3] = { 1000, 1000, 1000 };
	int limit = (int)strlen(name) / 3 + 2;
	FILE *f;
	size_t len = 0;

	buf[0] = '\0';
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	snprintf(path, sizeof(path), "%s/zone1970.tab", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *cols[4] = { NULL }, *save = NULL, *p = line;
		const char *slash;
		int n = 0, d, dc;

		if (line[0] == '#')
			continue;
		while (n < 4 && (cols[n] = strtok_r(p, "\t\n", &save)) != NULL) {
			p = NULL;
			n++;
		}
		if (n < 3)
			continue;
		d = distance(name, cols[2]);
		slash = strrchr(cols[2], '/');
		dc = distance(name, slash != NULL ? slash + 1 : cols[2]);
		if (dc < d)
			d = dc;
		for (int i = 0; i < 3; i++) {
			if (d < bestd[i]) {
				for (int k = 2; k > i; k--) {
					bestd[k] = bestd[k - 1];
					memcpy(best[k], best[k - 1], sizeof(best[k]));
				}
				bestd[i] = d;
				snprintf(best[i], sizeof(best[i]), "%s", cols[2]);
				break;
			}
		}
	}
	fclose(f);
	for (int i = 0; i < 3 && bestd[i] <= limit; i++) {
		int more = i < 2 && bestd[i + 1] <= limit;
		int w = snprintf(buf + len, size - len, "%s'%s'%s", i == 0 ? "; did you mean " : "",
				 best[i], more ? (i == 1 || (i == 0 && bestd[2] > limit) ? " or " : ", ")
				 : "?");

		if (w < 0 || (size_t)w >= size - len)
			break;
		len += (size_t)w;
	}
}

/* A warning for days chosen that some chosen month never has. */
static void
month_warning(const struct cron *c, char *warn, size_t size)
{
	int day = 0;
	size_t len;

	warn[0] = '\0';
	for (int d = 31; d >= 29 && day == 0; d--) {
		if (!((c->mdays >> d) & 1) || c->mdays == 0xfffffffe)
			continue;
		for (int m = 1; m <= 12; m++)
			if (((c->months >> m) & 1) && d > policy_days_in_month(2001, m))
				day = d;
	}
	if (day == 0)
		return;
	len = (size_t)snprintf(warn, size, "day-of-month %d never occurs in", day);
	for (int m = 1, first = 1; m <= 12 && len < size; m++) {
		if (!((c->months >> m) & 1) || day <= policy_days_in_month(2001, m))
			continue;
		len += (size_t)snprintf(warn + len, size - len, "%s %s", first ? "" : ",",
					month_names[m]);
		first = 0;
	}
	if (day == 29 && len < size)
		snprintf(warn + len, size - len, " outside leap years");
}

int
sweep_check(const char *cron, const char *zone, struct sweep_when *w, char *warn,
	    size_t warnsize, struct err *e)
{
	struct sweep_when local;

	if (w == NULL)
		w = &local;
	if (warn != NULL && warnsize > 0)
		warn[0] = '\0';
	if (cron_parse(cron, &w->cron, e) < 0)
		return -1;
	if (policy_tz_zone_init(&w->tz, &w->zone, zone, e) < 0) {
		char hint[400];

		suggest_zones(zone != NULL ? zone : "", hint, sizeof(hint));
		return err_set(e, ERR_CONFIG, "time zone '%s' is not known%s%s", zone ? zone : "",
			       hint, hint[0] ? "" : "; use an IANA name like 'Europe/Berlin' or 'UTC'");
	}
	if (warn != NULL && warnsize > 0)
		month_warning(&w->cron, warn, warnsize);
	return 0;
}

size_t
sweep_describe(const struct sweep_when *w, const char *zone, char *buf, size_t size)
{
	char d[256];

	cron_describe(&w->cron, d, sizeof(d));
	return (size_t)snprintf(buf, size, "%s in %s", d, zone);
}

int
sweep_offset(const struct sweep_when *w, int64_t t, int32_t *off, struct err *e)
{
	if (w->tz.offset(w->tz.ctx, t, off) < 0)
		return err_set(e, ERR_CONFIG, "cannot tell the UTC offset of time zone '%s'",
			       w->zone.name);
	return 0;
}

int
sweep_next(const struct sweep_when *w, int64_t after_s, int64_t *out, int n, struct err *e)
{
	int i;

	for (i = 0; i < n; i++) {
		struct err ne = ERR_INIT;

		if (cron_next(&w->cron, i == 0 ? after_s : out[i - 1], &w->tz, &out[i], &ne) < 0) {
			if (ne.kind == ERR_NOTFOUND)
				break;
			if (e != NULL)
				*e = ne;
			return -1;
		}
	}
	return i;
}

int
sweep_due(const struct sweep_when *w, int64_t since_s, int64_t now_s, int64_t *due_s,
	  int *missed, struct err *e)
{
	int64_t t = since_s, next;
	int count = 0;

	*due_s = 0;
	*missed = 0;
	if (t < now_s - SWEEP_LOOKBACK_S)
		t = now_s - SWEEP_LOOKBACK_S;
	for (;;) {
		struct err ne = ERR_INIT;

		if (cron_next(&w->cron, t, &w->tz, &next, &ne) < 0) {
			if (ne.kind == ERR_NOTFOUND)
				break;
			if (e != NULL)
				*e = ne;
			return -1;
		}
		if (next > now_s)
			break;
		count++;
		t = next;
	}
	if (count > 0) {
		*due_s = t;
		*missed = count - 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- running */

struct run_ctx {
	PGconn *db;
	const struct sweep_opts *o;
	struct sweep_report *r;
	int64_t now_us;
	char runner[160];
	/* the run in progress, for its progress row (sql/0017) */
	const struct schedule *s;
	int64_t due_us;
	int done, total;
	const char *stage, *current;	/* the last progress written */
};

static void
emit(const struct run_ctx *x, const char *event, json_t *obj)
{
	if (x->o->line != NULL) {
		x->o->line(x->o->line_arg, event, obj);
		json_decref(obj);
	} else if (x->o->out != NULL) {
		jsonl_emit(x->o->out, event, obj);
	} else {
		json_decref(obj);
	}
}

/* discover's candidate lines, collected for enqueue as a pipe would */
static void
collect(void *arg, const char *event, json_t *obj)
{
	FILE *f = arg;
	char *text;

	if (strcmp(event, "candidate") != 0)
		return;
	json_object_set_new(obj, "event", json_string(event));
	text = json_dumps(obj, JSON_COMPACT);
	if (text != NULL) {
		fputs(text, f);
		fputc('\n', f);
		free(text);
	}
}

static void
swallow(void *arg, const char *event, json_t *obj)
{
	(void)arg;
	(void)event;
	(void)obj;
}

/* What sweeping one connector added to the run. */
struct tally {
	long found, queued, skipped, failed, swept;
	char detail[256];
};

/* The first reason a connector was skipped or failed; name may be NULL. */
static void
note(struct tally *t, const char *name, const char *why)
{
	if (t->detail[0] != '\0')
		return;
	if (name != NULL)
		snprintf(t->detail, sizeof(t->detail), "'%.63s': %.180s", name, why);
	else
		snprintf(t->detail, sizeof(t->detail), "%.240s", why);
}

/* Record how far the run has got; a failure only costs the dashboard its
 * figure, never the sweep. */
static void
progress(struct run_ctx *x, const char *stage, const char *connector, const struct tally *t)
{
	struct schedule_progress p;
	struct err e = ERR_INIT;

	x->stage = stage;
	x->current = connector;
	p.stage = stage;
	p.connector = connector;
	p.done = x->done;
	p.total = x->total;
	p.found = t->found;
	p.queued = t->queued;
	if (db_schedule_progress(x->db, x->s->id, x->due_us, &p, &e) < 0)
		log_warn("schedule", "'%s': recording its progress: %s", x->s->name, e.msg);
}

/* Discover then enqueue one connector (its sweep lock already held). */
static void
sweep_connector(struct run_ctx *x, const struct schedule *s, const struct connector *c,
		struct tally *t)
{
	struct discover_opts dopts;
	struct discover_report dr;
	struct enqueue_opts eopts;
	struct enqueue_report er;
	const char *names[2] = { c->name, NULL };
	struct err e = ERR_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);

	if (mem == NULL) {
		t->failed++;
		note(t, c->name, "out of memory");
		return;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.gaps = strcmp(s->sweep, "gaps") == 0;
	dopts.upgrades = strcmp(s->sweep, "upgrades") == 0;
	dopts.now_us = x->now_us;
	dopts.line = collect;
	dopts.line_arg = mem;
	if (discover_connector(x->db, c, &dopts, &dr, &e) < 0) {
		fclose(mem);
		free(buf);
		t->failed++;
		note(t, c->name, e.msg);
		log_error("schedule", "'%s': discover of '%s' failed: %s", s->name, c->name, e.msg);
		return;
	}
	fclose(mem);
	if (dr.status == DISCOVER_SKIPPED) {
		free(buf);
		t->skipped++;
		note(t, c->name, dr.reason);
		return;
	}
	t->found += dr.gaps + dr.upgrades;
	t->swept++;
	if (len > 0) {
		progress(x, "enqueue", c->name, t);
		FILE *in = fmemopen(buf, len, "r");

		memset(&eopts, 0, sizeof(eopts));
		eopts.in = in;
		eopts.connectors = names;
		eopts.limit = s->max_items;
		eopts.now_us = x->now_us;
		eopts.line = swallow;
		if (in == NULL || enqueue_run(x->db, &eopts, &er, &e) < 0) {
			t->failed++;
			note(t, c->name, in == NULL ? "out of memory" : e.msg);
			log_error("schedule", "'%s': enqueue of '%s' failed: %s", s->name, c->name,
				  in == NULL ? "out of memory" : e.msg);
		} else {
			t->queued += er.items;
		}
		if (in != NULL)
			fclose(in);
	}
	free(buf);
}

/* Whether c takes part in a sweep of s; *why when it is skipped. */
static int
wanted(const struct schedule *s, const struct connector *c, const char **why)
{
	*why = NULL;
	if (s->connector_id > 0 && c->id != s->connector_id)
		return 0;
	if (strcmp(c->type, "prowlarr") == 0)
		return 0;	/* an indexer manager has no library to sweep */
	if (!c->enabled)
		*why = "disabled";
	else if (strcmp(c->health, "unhealthy") == 0 || strcmp(c->health, "offline") == 0)
		*why = "unhealthy or offline: its mirror cannot be trusted";
	return 1;
}

static void
run_one(struct run_ctx *x, const struct schedule *s, int64_t due_us, int missed, int attempts)
{
	struct connector *list = NULL;
	struct tally t;
	struct schedule_outcome out;
	struct err e = ERR_INIT;
	size_t n = 0;
	char ts[40];
	json_t *j;

	memset(&t, 0, sizeof(t));
	jsonl_format_ts(due_us, ts, sizeof(ts));
	j = json_object();
	json_object_set_new(j, "schedule", json_string(s->name));
	if (s->connector[0] != '\0')
		json_object_set_new(j, "connector", json_string(s->connector));
	json_object_set_new(j, "sweep", json_string(s->sweep));
	json_object_set_new(j, "due", json_string(ts));
	json_object_set_new(j, "missed", json_integer(missed));
	json_object_set_new(j, "attempts", json_integer(attempts));
	emit(x, "schedule_run", j);
	log_info("schedule", "'%s': running the sweep due %s%s", s->name, ts,
		 missed > 0 ? " (once for the runs it missed too)" : "");

	if (db_connector_list(x->db, &list, &n, &e) < 0) {
		t.failed++;
		note(&t, NULL, e.msg);
	}
	x->s = s;
	x->due_us = due_us;
	x->done = 0;
	x->total = 0;
	for (size_t i = 0; i < n; i++) {
		const char *why;

		x->total += wanted(s, &list[i], &why) && why == NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why;
		struct err le = ERR_INIT;

		if (!wanted(s, &list[i], &why))
			continue;
		if (why != NULL) {
			t.skipped++;
			note(&t, list[i].name, why);
			continue;
		}
		switch (db_try_lock(x->db, DB_LOCK_SCHEDULE, (int)list[i].id, &le)) {
		case 1:
			progress(x, "discover", list[i].name, &t);
			sweep_connector(x, s, &list[i], &t);
			x->done++;
			progress(x, x->stage, x->current, &t);
			if (db_unlock(x->db, DB_LOCK_SCHEDULE, (int)list[i].id, &le) < 0)
				log_warn("schedule", "unlocking '%s': %s", list[i].name, le.msg);
			break;
		case 0:
			t.skipped++;
			note(&t, list[i].name, "still being swept by another run");
			x->done++;
			break;
		default:
			t.failed++;
			note(&t, list[i].name, le.msg);
			x->done++;
			break;
		}
	}
	connector_list_free(list, n);
	x->stage = x->current = NULL;	/* pointed into list */
	if (s->connector_id > 0 && t.swept + t.skipped + t.failed == 0) {
		t.skipped++;
		note(&t, s->connector, "is an indexer manager, with no library to sweep");
	}
	memset(&out, 0, sizeof(out));
	out.status = t.failed > 0 ? "failed" : t.swept == 0 && t.skipped > 0 ? "skipped" : "done";
	out.found = t.found;
	out.queued = t.queued;
	out.skipped = t.skipped;
	out.missed = missed;
	out.attempts = attempts;
	out.detail = t.detail[0] != '\0' ? t.detail : NULL;
	if (db_schedule_finish(x->db, s, due_us, clock_now_us(), &out, &e) < 0) {
		/* the run stays 'running' and is retried once it looks abandoned */
		log_error("schedule", "'%s': recording the outcome failed: %s", s->name, e.msg);
		out.status = "failed";
		out.detail = e.msg;
	}
	if (strcmp(out.status, "done") == 0)
		x->r->done++;
	else if (strcmp(out.status, "skipped") == 0)
		x->r->skipped++;
	else
		x->r->failed++;
	j = json_object();
	json_object_set_new(j, "schedule", json_string(s->name));
	if (s->connector[0] != '\0')
		json_object_set_new(j, "connector", json_string(s->connector));
	json_object_set_new(j, "sweep", json_string(s->sweep));
	json_object_set_new(j, "due", json_string(ts));
	json_object_set_new(j, "found", json_integer(out.found));
	json_object_set_new(j, "queued", json_integer(out.queued));
	json_object_set_new(j, "skipped", json_integer(out.skipped));
	json_object_set_new(j, "missed", json_integer(missed));
	if (out.detail != NULL)
		json_object_set_new(j, strcmp(out.status, "failed") == 0 ? "message" : "reason",
				    json_string(out.detail));
	{
		char ev[32];

		snprintf(ev, sizeof(ev), "sweep_%s", out.status);
		emit(x, ev, j);
	}
}

void
sweep_share_zone(struct sweep_when *w, struct sweep_zones *pool)
{
	for (int i = 0; i < pool->n; i++) {
		if (strcmp(pool->zone[i].name, w->zone.name) == 0) {
			w->tz.ctx = &pool->zone[i];
			return;
		}
	}
	if (pool->n < SWEEP_ZONE_POOL) {
		pool->zone[pool->n] = w->zone;
		w->tz.ctx = &pool->zone[pool->n++];
	}
}

static const struct schedule *
find_id(const struct schedule *list, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	return NULL;
}

int
sweep_run(PGconn *db, const struct sweep_opts *o, struct sweep_report *r, struct err *e)
{
	struct run_ctx x;
	struct schedule *list = NULL;
	struct schedule_run *again = NULL;
	struct sweep_zones *pool = NULL;
	size_t n = 0, nagain = 0;
	char host[64] = "?";
	int64_t now_s;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.o = o;
	x.r = r;
	x.now_us = o->now_us ? o->now_us : clock_now_us();
	now_s = x.now_us / 1000000;
	gethostname(host, sizeof(host) - 1);
	snprintf(x.runner, sizeof(x.runner), "%s:%ld", host, (long)getpid());

	if (db_schedule_reclaim(db, x.now_us, x.now_us - SWEEP_STALE_S * 1000000, &again, &nagain,
				&r->given_up, e) < 0 ||
	    db_schedule_list(db, &list, &n, e) < 0)
		goto out;
	r->failed += r->given_up;
	pool = calloc(1, sizeof(*pool));
	if (pool == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nagain; i++) {
		const struct schedule *s = find_id(list, n, again[i].schedule_id);

		if (s == NULL)
			continue;	/* removed since */
		r->retried++;
		log_warn("schedule", "'%s': retrying the run a stopped runner left unfinished",
			 s->name);
		run_one(&x, s, again[i].due_us, again[i].missed, 2);
	}
	for (size_t i = 0; i < n; i++) {
		struct schedule *s = &list[i];
		struct sweep_when w;
		struct err se = ERR_INIT;
		int64_t since, due;
		int missed, claimed;

		if (!s->enabled || (o->only != NULL && strcmp(o->only, s->name) != 0))
			continue;
		r->schedules++;
		since = (s->last_due_us > s->created_us ? s->last_due_us : s->created_us) / 1000000;
		if (sweep_check(s->cron, s->zone, &w, NULL, 0, &se) == 0)
			sweep_share_zone(&w, pool);
		if (se.kind != ERR_NONE || sweep_due(&w, since, now_s, &due, &missed, &se) < 0) {
			r->errors++;
			log_error("schedule", "'%s': %s", s->name, se.msg);
			if (e != NULL && e->kind == ERR_NONE)
				err_set(e, se.kind, "schedule '%s': %s", s->name, se.msg);
			continue;
		}
		if (due == 0)
			continue;
		if (db_schedule_claim(db, s->id, due * 1000000, x.now_us, missed, x.runner, &claimed,
				      &se) < 0) {
			r->errors++;
			log_error("schedule", "'%s': claiming its due time: %s", s->name, se.msg);
			if (e != NULL && e->kind == ERR_NONE)
				*e = se;
			continue;
		}
		if (!claimed)
			continue;	/* another runner has it */
		r->claimed++;
		run_one(&x, s, due * 1000000, missed, 1);
	}
	if (r->failed > 0 && e != NULL && e->kind == ERR_NONE)
		err_set(e, ERR_DB, "%ld scheduled sweep%s failed: see the sweep_failed lines",
			r->failed, r->failed == 1 ? "" : "s");
	ret = r->failed > 0 || r->errors > 0 ? -1 : 0;
out:
	free(pool);
	free(again);
	free(list);
	return ret;
}

int
sweep_run_now(PGconn *db, const char *name, const char *runner, const struct sweep_opts *o,
	      struct sweep_report *r, struct err *e)
{
	struct run_ctx x;
	struct schedule s;
	char host[64] = "?";
	int claimed = 0;

	memset(r, 0, sizeof(*r));
	memset(&x, 0, sizeof(x));
	x.db = db;
	x.o = o;
	x.r = r;
	/* to the microsecond: an edit just before (which moves last_due_at to
	 * its own instant) must not make "run now" look already run */
	x.now_us = o->now_us ? o->now_us : clock_now_us();
	gethostname(host, sizeof(host) - 1);
	snprintf(x.runner, sizeof(x.runner), "%.80s %s:%ld", runner, host, (long)getpid());
	if (db_schedule_get(db, name, &s, e) < 0)
		return -1;
	if (!s.enabled)
		return err_set(e, ERR_CONFLICT, "schedule '%s' is disabled: enable it to run it", name);
	if (db_schedule_claim(db, s.id, x.now_us, x.now_us, 0, x.runner, &claimed, e) < 0)
		return -1;
	if (!claimed)
		return err_set(e, ERR_CONFLICT, "schedule '%s' has a run at or after this instant "
			       "(the clock went back?): try again in a moment", name);
	r->schedules = 1;
	r->claimed = 1;
	log_info("schedule", "'%s': run now, asked by %s", s.name, runner);
	run_one(&x, &s, x.now_us, 0, 1);
	if (r->failed > 0)
		return err_set(e, ERR_DB, "the sweep of '%s' failed: see its sweep_failed event", name);
	return 0;
}
