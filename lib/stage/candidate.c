/*
 * candidate.c - the candidate line and the priority of a registry row.
 * See candidate.h.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonl.h"
#include "db/db.h"
#include "db/state.h"
#include "stage/candidate.h"
#include "core/banned.h"

#define US_PER_S 1000000LL

static const struct {
	const char *key;
	size_t off;
} weight_keys[] = {
	{ "priority.base", offsetof(struct priority_weights, base) },
	{ "priority.content_age_max", offsetof(struct priority_weights, content_age_max) },
	{ "priority.content_age_span_days", offsetof(struct priority_weights, content_age_span_days) },
	{ "priority.missing_max", offsetof(struct priority_weights, missing_max) },
	{ "priority.missing_span_days", offsetof(struct priority_weights, missing_span_days) },
	{ "priority.failure_penalty", offsetof(struct priority_weights, failure_penalty) },
	{ "priority.failure_penalty_max", offsetof(struct priority_weights, failure_penalty_max) },
	{ "priority.recent_search_max", offsetof(struct priority_weights, recent_search_max) },
	{ "priority.recent_search_span_days",
	  offsetof(struct priority_weights, recent_search_span_days) },
	{ "priority.gap_bonus", offsetof(struct priority_weights, gap_bonus) },
	{ "priority.upgrade_bonus", offsetof(struct priority_weights, upgrade_bonus) },
	{ "priority.override_scale", offsetof(struct priority_weights, override_scale) },
};

static int
on_weight(const char *k, const char *v, void *arg, struct err *e)
{
	struct priority_weights *w = arg;

	for (size_t j = 0; j < sizeof(weight_keys) / sizeof(weight_keys[0]); j++) {
		char *end;
		long n;

		if (strcmp(k, weight_keys[j].key) != 0)
			continue;
		n = strtol(v != NULL ? v : "", &end, 10);
		if (v == NULL || end == v || *end != '\0' || n < -PRIORITY_MAX || n > PRIORITY_MAX)
			return err_set(e, ERR_CONFIG, "setting '%s' is %s; set a whole number",
				       k, v != NULL ? v : "null");
		*(int *)((char *)w + weight_keys[j].off) = (int)n;
	}
	return 0;
}

int
candidate_weights_load(PGconn *db, struct priority_weights *w, struct err *e)
{
	priority_weights_default(w);
	if (db_settings_each(db, "priority.", on_weight, w, e) < 0)
		return -1;
	if (priority_weights_validate(w, e) < 0) {
		err_prefix(e, "settings");
		return -1;
	}
	return 0;
}

static int64_t
secs(int64_t us)
{
	return us == REGISTRY_NO_TIME ? PRIORITY_TIME_UNKNOWN : us / US_PER_S;
}

int
candidate_priority(const struct registry_row *row, int64_t now_us,
		   const struct priority_weights *w, struct priority_breakdown *b)
{
	struct priority_input in;

	priority_input_init(&in, now_us / US_PER_S);
	in.type = row->type == REGISTRY_UPGRADE ? PRIORITY_UPGRADE : PRIORITY_GAP;
	in.released = secs(row->released_us);
	in.missing_since = secs(row->missing_since_us);
	in.last_search = secs(row->last_search_us);
	in.attempts = row->attempts;
	in.series_override = row->series_override;
	in.item_override = row->item_override;
	return priority_score(&in, w, b);
}

json_t *
candidate_breakdown_json(const struct priority_breakdown *b)
{
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "base", b->base,
			 "content_age", b->content_age, "search_type", b->search_type,
			 "override", b->override, "missing", -b->missing, "failures", -b->failures,
			 "recent_search", -b->recent_search, "score", b->score);
}

static void
set_time(json_t *o, const char *key, int64_t us)
{
	char buf[40];

	if (us == REGISTRY_NO_TIME) {
		json_object_set_new(o, key, json_null());
		return;
	}
	jsonl_format_ts(us, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v != NULL ? json_string(v) : json_null());
}

json_t *
candidate_json(const char *connector, const struct registry_row *row, int priority)
{
	json_t *o = json_object(), *in = json_object();

	json_object_set_new(o, "connector", json_string(connector));
	json_object_set_new(o, "type", json_string(registry_type_name(row->type)));
	json_object_set_new(o, "kind", json_string(registry_kind_name(row->kind)));
	json_object_set_new(o, "id", json_integer(row->arr_id));
	json_object_set_new(o, "registry_id", json_integer(row->registry_id));
	json_object_set_new(o, "new", json_boolean(row->is_new));
	set_str(o, "state", row->state);
	set_str(o, "reason", row->reason);
	if (row->kind == REGISTRY_EPISODE) {
		set_str(o, "series", row->series_title);
		json_object_set_new(o, "series_id", json_integer(row->series_arr_id));
		json_object_set_new(o, "season", json_integer(row->season_number));
		json_object_set_new(o, "episode", row->episode_number >= 0 ?
				    json_integer(row->episode_number) : json_null());
		set_str(o, "title", row->title);
		set_time(o, "air_date", row->released_us);
	} else {
		set_str(o, "title", row->title);
		json_object_set_new(o, "year", row->year > 0 ? json_integer(row->year) : json_null());
		set_time(o, "release_date", row->released_us);
	}
	if (row->type == REGISTRY_UPGRADE) {
		set_str(o, "quality", row->quality_name);
		json_object_set_new(o, "cf_score", row->has_cf_score ?
				    json_integer(row->cf_score) : json_null());
		json_object_set_new(o, "cutoff_cf_score", json_integer(row->cutoff_format_score));
	}
	json_object_set_new(o, "priority", json_integer(priority));
	set_time(in, "released", row->released_us);
	set_time(in, "missing_since", row->missing_since_us);
	set_time(in, "last_search", row->last_search_us);
	json_object_set_new(in, "attempts", json_integer(row->attempts));
	json_object_set_new(in, "series_override", json_integer(row->series_override));
	json_object_set_new(in, "item_override", json_integer(row->item_override));
	json_object_set_new(o, "priority_inputs", in);
	return o;
}

/* Summary lines discover (and the other stages) print: passed through. */
static const char *const known_events[] = {
	"discover_done", "discover_skipped", "discover_failed", "wanted_check",
	"enqueue_done", "enqueue_failed", "queued", "input_skipped", "error", NULL
};

static enum candidate_parse
bad(char *why, size_t whysize, const char *fmt, const char *arg)
{
	if (why != NULL && whysize > 0)
		snprintf(why, whysize, fmt, arg);
	return CANDIDATE_BAD;
}

enum candidate_parse
candidate_parse_line(const char *line, size_t len, struct candidate_key *key, char *why,
		     size_t whysize)
{
	json_error_t jerr;
	json_t *o = NULL, *v;
	const char *ev, *s;
	enum candidate_parse ret;
	size_t i;

	memset(key, 0, sizeof(*key));
	for (i = 0; i < len && isspace((unsigned char)line[i]); i++)
		;
	if (i == len)
		return CANDIDATE_IGNORED;
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL)
		return bad(why, whysize, "not JSON: %s", jerr.text);
	if (!json_is_object(o)) {
		ret = bad(why, whysize, "%s", "not a JSON object");
		goto out;
	}
	ev = json_string_value(json_object_get(o, "event"));
	if (ev == NULL) {
		ret = bad(why, whysize, "%s", "no \"event\" member");
		goto out;
	}
	if (strcmp(ev, "candidate") != 0) {
		ret = bad(why, whysize, "unknown event '%.40s'", ev);
		for (i = 0; known_events[i] != NULL; i++)
			if (strcmp(ev, known_events[i]) == 0)
				ret = CANDIDATE_IGNORED;
		goto out;
	}
	s = json_string_value(json_object_get(o, "connector"));
	if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof(key->connector)) {
		ret = bad(why, whysize, "%s", "\"connector\" is missing or not a name");
		goto out;
	}
	memcpy(key->connector, s, strlen(s) + 1);
	s = json_string_value(json_object_get(o, "kind"));
	if (registry_kind_parse(s, &key->kind) < 0) {
		ret = bad(why, whysize, "%s", "\"kind\" must be \"episode\" or \"movie\"");
		goto out;
	}
	s = json_string_value(json_object_get(o, "type"));
	if (registry_type_parse(s, &key->type) < 0) {
		ret = bad(why, whysize, "%s", "\"type\" must be \"gap\" or \"upgrade\"");
		goto out;
	}
	v = json_object_get(o, "id");
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > 2147483647) {
		ret = bad(why, whysize, "%s", "\"id\" must be a positive integer");
		goto out;
	}
	key->arr_id = (int)json_integer_value(v);
	ret = CANDIDATE_OK;
out:
	json_decref(o);
	return ret;
}
