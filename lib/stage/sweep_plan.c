/*
 * sweep_plan.c - schedules seen from outside: the one check before one is
 * stored, its JSON, a preview of an expression's runs, the next runs across
 * schedules and the week's plan with its overlaps.  See sweep.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonl.h"
#include "core/name.h"
#include "stage/sweep.h"
#include "core/banned.h"

#define PREVIEW_MAX	100

static int
field_err(const char **field, const char *name)
{
	if (field != NULL)
		*field = name;
	return -1;
}

int
sweep_schedule_check(const struct schedule *s, char *warn, size_t warnsize, const char **field,
		     struct err *e)
{
	if (field != NULL)
		*field = NULL;
	if (warn != NULL && warnsize > 0)
		warn[0] = '\0';
	/* the one name rule (core/name.h; sql/0009's CHECK says the same) */
	if (name_check("schedule", s->name, e) < 0)
		return field_err(field, "name");
	if (strcmp(s->sweep, "gaps") != 0 && strcmp(s->sweep, "upgrades") != 0 &&
	    strcmp(s->sweep, "all") != 0) {
		err_set(e, ERR_USAGE, "the sweep is gaps, upgrades or all, not '%s'", s->sweep);
		return field_err(field, "sweep");
	}
	if (s->max_items < 0 || s->max_items > 1000000) {
		err_set(e, ERR_USAGE, "max items is 1 to 1000000 (or none for no limit)");
		return field_err(field, "max_items");
	}
	if (cron_parse(s->cron, &(struct cron){ 0 }, e) < 0)
		return field_err(field, "cron");
	if (sweep_check(s->cron, s->zone, NULL, warn, warnsize, e) < 0)
		return field_err(field, "zone");
	return 0;
}

void
sweep_fmt_local(int64_t t, int32_t off, char *buf, size_t size)
{
	int64_t l = t + off, days = policy_floor_div(l, 86400), y, secs = l - days * 86400;
	int m, d, a = off < 0 ? -off : off;

	policy_civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d %c%02d:%02d", (long long)y, m, d,
		 (int)(secs / 3600), (int)(secs % 3600 / 60), off < 0 ? '-' : '+', a / 3600,
		 a % 3600 / 60);
}

static void
set_ts(json_t *o, const char *key, int64_t us)
{
	char buf[40];

	if (us <= 0)
		return;
	jsonl_format_ts(us, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

/* s's expression and zone parsed into w (sharing pool's zones when given) */
static int
when_of(const struct schedule *s, struct sweep_when *w, struct sweep_zones *pool)
{
	if (sweep_check(s->cron, s->zone, w, NULL, 0, NULL) < 0)
		return -1;
	if (pool != NULL)
		sweep_share_zone(w, pool);
	return 0;
}

json_t *
sweep_schedule_json(const struct schedule *s, int64_t now_s, struct sweep_zones *pool)
{
	json_t *o = json_object();
	struct sweep_when w;
	char buf[300];
	int64_t next;

	json_object_set_new(o, "schedule", json_string(s->name));
	if (s->connector[0] != '\0')
		json_object_set_new(o, "connector", json_string(s->connector));
	else
		json_object_set_new(o, "all_connectors", json_true());
	json_object_set_new(o, "sweep", json_string(s->sweep));
	json_object_set_new(o, "cron", json_string(s->cron));
	json_object_set_new(o, "zone", json_string(s->zone));
	json_object_set_new(o, "max_items", s->max_items > 0 ? json_integer(s->max_items) :
			    json_null());
	json_object_set_new(o, "enabled", json_boolean(s->enabled));
	if (when_of(s, &w, pool) == 0) {
		sweep_describe(&w, s->zone, buf, sizeof(buf));
		json_object_set_new(o, "description", json_string(buf));
		if (s->enabled && sweep_next(&w, now_s, &next, 1, NULL) == 1) {
			set_ts(o, "next", next * 1000000);
			json_object_set_new(o, "next_s", json_integer(next));
		}
	}
	if (s->last_status[0] != '\0') {
		json_t *r = json_object();

		set_ts(r, "due", s->last_run_due_us);
		json_object_set_new(r, "status", json_string(s->last_status));
		set_ts(r, "started", s->last_started_us);
		set_ts(r, "finished", s->last_finished_us);
		json_object_set_new(r, "found", json_integer(s->last_found));
		json_object_set_new(r, "queued", json_integer(s->last_queued));
		json_object_set_new(o, "last_run", r);
	}
	return o;
}

json_t *
sweep_preview(const char *cron, const char *zone, int64_t after_s, int n, const char **field,
	      struct err *e)
{
	struct sweep_when w;
	int64_t t[PREVIEW_MAX];
	char desc[300], warn[256];
	json_t *o, *runs;
	int got;

	if (field != NULL)
		*field = NULL;
	if (n < 1 || n > PREVIEW_MAX) {
		err_set(e, ERR_USAGE, "a preview lists 1 to %d runs", PREVIEW_MAX);
		field_err(field, "count");
		return NULL;
	}
	if (cron == NULL || cron[0] == '\0') {
		err_set(e, ERR_USAGE, "write a cron expression, or choose a preset");
		field_err(field, "cron");
		return NULL;
	}
	if (cron_parse(cron, &w.cron, e) < 0) {
		field_err(field, "cron");
		return NULL;
	}
	if (sweep_check(cron, zone, &w, warn, sizeof(warn), e) < 0) {
		field_err(field, "zone");
		return NULL;
	}
	if ((got = sweep_next(&w, after_s, t, n, e)) < 0)
		return NULL;
	sweep_describe(&w, zone, desc, sizeof(desc));
	o = json_pack("{s:s,s:s,s:s}", "cron", cron, "zone", zone, "description", desc);
	if (warn[0] != '\0')
		json_object_set_new(o, "warning", json_string(warn));
	runs = json_array();
	for (int i = 0; i < got; i++) {
		char at[40], local[48];
		int32_t off = 0;

		if (sweep_offset(&w, t[i], &off, e) < 0) {
			json_decref(runs);
			json_decref(o);
			return NULL;
		}
		jsonl_format_ts(t[i] * 1000000, at, sizeof(at));
		sweep_fmt_local(t[i], off, local, sizeof(local));
		json_array_append_new(runs, json_pack("{s:s,s:I,s:s,s:i}", "at", at, "at_s",
						      (json_int_t)t[i], "local", local,
						      "utc_offset_s", (int)off));
	}
	json_object_set_new(o, "runs", runs);
	return o;
}

static json_t *
run_obj(const struct schedule *s, int64_t at_s)
{
	json_t *o = json_pack("{s:s,s:s,s:I}", "schedule", s->name, "sweep", s->sweep, "at_s",
			      (json_int_t)at_s);

	if (s->connector[0] != '\0')
		json_object_set_new(o, "connector", json_string(s->connector));
	set_ts(o, "at", at_s * 1000000);
	return o;
}

struct mark {
	int64_t at;
	size_t lane;
	int64_t connector;	/* 0: every connector */
	size_t index;		/* in its lane */
};

static int
by_time(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->lane < y->lane ? -1 : x->lane > y->lane;
}

json_t *
sweep_upcoming(const struct schedule *list, size_t n, int64_t now_s, int64_t within_s, size_t max,
	       struct sweep_zones *shared)
{
	struct sweep_zones *own = shared ? NULL : calloc(1, sizeof(*own));
	struct sweep_zones *pool = shared ? shared : own;
	struct mark *m = NULL;
	size_t nm = 0;
	json_t *out = json_array();

	if (pool == NULL || max == 0)
		goto out;
	m = calloc(n * max + 1, sizeof(*m));
	if (m == NULL)
		goto out;
	/* each schedule's first max runs: the soonest max overall are among them */
	for (size_t i = 0; i < n; i++) {
		struct sweep_when w;
		int64_t t = now_s;

		if (!list[i].enabled || when_of(&list[i], &w, pool) < 0)
			continue;
		for (size_t k = 0; k < max; k++) {
			if (sweep_next(&w, t, &t, 1, NULL) != 1 || t > now_s + within_s)
				break;
			m[nm].at = t;
			m[nm].lane = i;
			nm++;
		}
	}
	qsort(m, nm, sizeof(*m), by_time);
	for (size_t i = 0; i < nm && i < max; i++)
		json_array_append_new(out, run_obj(&list[m[i].lane], m[i].at));
out:
	free(m);
	free(own);
	return out;
}

json_t *
sweep_plan(const struct schedule *list, size_t n, int64_t from_s, int64_t to_s,
	   struct sweep_zones *shared)
{
	struct sweep_zones *own = shared ? NULL : calloc(1, sizeof(*own));
	struct sweep_zones *pool = shared ? shared : own;
	struct mark *m = NULL;
	size_t nm = 0, cap = 0;
	json_t *o = json_pack("{s:I,s:I}", "from_s", (json_int_t)from_s, "to_s", (json_int_t)to_s);
	json_t *lanes = json_array(), **clash = NULL;
	long clashes = 0;

	json_object_set_new(o, "lanes", lanes);
	clash = calloc(n + 1, sizeof(*clash));
	if (pool == NULL || clash == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct schedule *s = &list[i];
		struct sweep_when w;
		char desc[300];
		json_t *lane, *runs;
		int64_t t = from_s - 1;
		size_t k = 0;
		int truncated = 0;

		if (!s->enabled || when_of(s, &w, pool) < 0)
			continue;
		sweep_describe(&w, s->zone, desc, sizeof(desc));
		lane = json_pack("{s:s,s:s,s:s}", "schedule", s->name, "sweep", s->sweep,
				 "description", desc);
		if (s->connector[0] != '\0')
			json_object_set_new(lane, "connector", json_string(s->connector));
		runs = json_array();
		clash[json_array_size(lanes)] = json_array();
		while (sweep_next(&w, t, &t, 1, NULL) == 1 && t < to_s) {
			if (k == SWEEP_PLAN_MAX_RUNS) {
				truncated = 1;
				break;
			}
			if (nm == cap) {
				size_t ncap = cap ? cap * 2 : 256;
				struct mark *nmk = realloc(m, ncap * sizeof(*m));

				if (nmk == NULL)
					break;
				m = nmk;
				cap = ncap;
			}
			m[nm].at = t;
			m[nm].lane = json_array_size(lanes);
			m[nm].connector = s->connector_id;
			m[nm].index = k++;
			nm++;
			json_array_append_new(runs, json_integer(t));
			json_array_append_new(clash[json_array_size(lanes)], json_integer(0));
		}
		json_object_set_new(lane, "runs", runs);
		json_object_set_new(lane, "truncated", json_boolean(truncated));
		json_array_append_new(lanes, lane);
	}
	/* overlaps: runs of different schedules sharing a connector, close in time */
	qsort(m, nm, sizeof(*m), by_time);
	for (size_t i = 0; i < nm; i++) {
		for (size_t j = i + 1; j < nm && m[j].at - m[i].at < SWEEP_CLASH_S; j++) {
			if (m[j].lane == m[i].lane || (m[i].connector != 0 && m[j].connector != 0 &&
						       m[i].connector != m[j].connector))
				continue;
			json_array_set_new(clash[m[i].lane], m[i].index, json_integer(1));
			json_array_set_new(clash[m[j].lane], m[j].index, json_integer(1));
		}
	}
	for (size_t i = 0; i < json_array_size(lanes); i++) {
		json_t *c = clash[i];
		size_t k;
		json_t *v;

		json_array_foreach(c, k, v)
			clashes += json_integer_value(v);
		json_object_set_new(json_array_get(lanes, i), "clash", c);
		clash[i] = NULL;
	}
out:
	json_object_set_new(o, "clashes", json_integer(clashes));
	for (size_t i = 0; clash != NULL && i < n; i++)
		json_decref(clash[i]);
	free(clash);
	free(m);
	free(own);
	return o;
}
