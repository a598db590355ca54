/*
 * parse_misc.c - the resources around the content: quality profiles,
 * commands, history, queue, health, system status, /api, Prowlarr
 * indexer status, and version strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arr/jget.h"
#include "arr/parse.h"
#include "arr/quality.h"
#include "core/banned.h"

static void
read_quality(const json_t *j, bool *has, struct arr_quality *q)
{
	json_t *v = json_object_get(j, "quality");

	*has = v != NULL && arr_quality_from_json(v, q, NULL) == 0;
	if (!*has)
		memset(q, 0, sizeof(*q));
}

void
arr_quality_profile_release(struct arr_quality_profile *p)
{
	free(p->items);
	p->items = NULL;
	p->nitems = 0;
}

/* How many leaf qualities the items array holds (groups expanded). */
static size_t
count_items(const json_t *items)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(items, i, v) {
		json_t *sub = json_object_get(v, "items");

		n += json_array_size(sub) > 0 ? json_array_size(sub) : 1;
	}
	return n;
}

static void
read_item(const json_t *v, struct arr_profile_item *it, int group_id,
	  const char *group_name, bool group_allowed)
{
	json_t *q = json_object_get(v, "quality");

	if (json_is_object(q)) {
		jget_int(q, "id", &it->quality_id);
		jget_str(q, "name", it->quality_name, sizeof(it->quality_name));
	}
	it->group_id = group_id;
	jget_copy(it->group_name, sizeof(it->group_name), group_name);
	it->allowed = group_allowed;
	if (group_id == 0)
		jget_bool(v, "allowed", &it->allowed);
}

int
arr_quality_profile_parse(const json_t *j, struct arr_quality_profile *out,
			  struct err *e)
{
	json_t *items, *v;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("quality profile", j, "id");
	if (!jget_str(j, "name", out->name, sizeof(out->name)))
		return arr_parse_skip("quality profile", j, "name");
	jget_bool(j, "upgradeAllowed", &out->upgrade_allowed);
	jget_int(j, "cutoff", &out->cutoff);
	jget_int(j, "cutoffFormatScore", &out->cutoff_format_score);
	jget_int(j, "minFormatScore", &out->min_format_score);
	jget_int(j, "minUpgradeFormatScore", &out->min_upgrade_format_score);
	items = json_object_get(j, "items");
	n = count_items(items);
	if (n == 0)
		return ARR_PARSED;
	out->items = calloc(n, sizeof(*out->items));
	if (out->items == NULL)
		return err_set(e, ERR_NOMEM, "out of memory reading quality "
			       "profile %d", out->id);
	json_array_foreach(items, i, v) {
		json_t *sub = json_object_get(v, "items");

		if (json_array_size(sub) > 0) {
			/* a group: {id, name, allowed, items:[{quality}...]} */
			int gid = 0;
			bool allowed = false;
			char gname[64];
			size_t k;
			json_t *w;

			jget_int(v, "id", &gid);
			jget_bool(v, "allowed", &allowed);
			jget_str(v, "name", gname, sizeof(gname));
			json_array_foreach(sub, k, w)
				read_item(w, &out->items[out->nitems++], gid, gname,
					  allowed);
		} else {
			read_item(v, &out->items[out->nitems++], 0, "", false);
		}
	}
	return ARR_PARSED;
}

static const struct {
	const char *name;
	enum arr_command_state state;
} command_states[] = {
	{ "queued", ARR_CMD_QUEUED },
	{ "started", ARR_CMD_STARTED },
	{ "completed", ARR_CMD_COMPLETED },
	{ "failed", ARR_CMD_FAILED },
	{ "aborted", ARR_CMD_ABORTED },
	{ "cancelled", ARR_CMD_CANCELLED },
	{ "orphaned", ARR_CMD_ORPHANED },
};

enum arr_command_state
arr_command_state_parse(const char *status)
{
	for (size_t i = 0; i < sizeof(command_states) / sizeof(command_states[0]); i++)
		if (strcasecmp(status, command_states[i].name) == 0)
			return command_states[i].state;
	return ARR_CMD_UNKNOWN;
}

int
arr_command_state_terminal(enum arr_command_state s)
{
	switch (s) {
	case ARR_CMD_COMPLETED:
	case ARR_CMD_FAILED:
	case ARR_CMD_ABORTED:
	case ARR_CMD_CANCELLED:
	case ARR_CMD_ORPHANED:
	case ARR_CMD_GONE:
		return 1;
	default:
		return 0;
	}
}

int
arr_command_parse(const json_t *j, struct arr_command *out, struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("command", j, "id");
	if (!jget_str(j, "name", out->name, sizeof(out->name)))
		return arr_parse_skip("command", j, "name");
	if (!jget_str(j, "status", out->status, sizeof(out->status)))
		return arr_parse_skip("command", j, "status");
	out->state = arr_command_state_parse(out->status);
	jget_str(j, "result", out->result, sizeof(out->result));
	jget_str(j, "message", out->message, sizeof(out->message));
	jget_time(j, "queued", &out->queued);
	jget_time(j, "started", &out->started);
	jget_time(j, "ended", &out->ended);
	return ARR_PARSED;
}

int
arr_history_parse(const json_t *j, struct arr_history *out, struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("history record", j, "id");
	if (!jget_str(j, "eventType", out->event_type, sizeof(out->event_type)))
		return arr_parse_skip("history record", j, "eventType");
	if (!jget_time(j, "date", &out->date))
		return arr_parse_skip("history record", j, "date");
	jget_int(j, "episodeId", &out->episode_id);
	jget_int(j, "seriesId", &out->series_id);
	jget_int(j, "movieId", &out->movie_id);
	jget_str(j, "sourceTitle", out->source_title, sizeof(out->source_title));
	jget_str(j, "downloadId", out->download_id, sizeof(out->download_id));
	read_quality(j, &out->has_quality, &out->quality);
	out->has_custom_format_score =
		jget_int(j, "customFormatScore", &out->custom_format_score);
	jget_bool(j, "qualityCutoffNotMet", &out->quality_cutoff_not_met);
	return ARR_PARSED;
}

int
arr_queue_item_parse(const json_t *j, struct arr_queue_item *out, struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "id", &out->id))
		return arr_parse_skip("queue item", j, "id");
	jget_int(j, "seriesId", &out->series_id);
	jget_int(j, "episodeId", &out->episode_id);
	jget_int(j, "seasonNumber", &out->season_number);
	jget_int(j, "movieId", &out->movie_id);
	jget_str(j, "title", out->title, sizeof(out->title));
	jget_str(j, "status", out->status, sizeof(out->status));
	jget_str(j, "trackedDownloadStatus", out->tracked_download_status,
		 sizeof(out->tracked_download_status));
	jget_str(j, "trackedDownloadState", out->tracked_download_state,
		 sizeof(out->tracked_download_state));
	jget_str(j, "downloadId", out->download_id, sizeof(out->download_id));
	jget_str(j, "protocol", out->protocol, sizeof(out->protocol));
	jget_str(j, "downloadClient", out->download_client,
		 sizeof(out->download_client));
	jget_str(j, "indexer", out->indexer, sizeof(out->indexer));
	jget_str(j, "errorMessage", out->error_message, sizeof(out->error_message));
	jget_double(j, "size", &out->size);
	jget_double(j, "sizeleft", &out->sizeleft);
	jget_time(j, "added", &out->added);
	jget_time(j, "estimatedCompletionTime", &out->estimated_completion_time);
	read_quality(j, &out->has_quality, &out->quality);
	return ARR_PARSED;
}

int
arr_health_item_parse(const json_t *j, struct arr_health_item *out, struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) ||
	    !jget_str(j, "message", out->message, sizeof(out->message)))
		return arr_parse_skip("health entry", j, "message");
	jget_str(j, "source", out->source, sizeof(out->source));
	jget_str(j, "type", out->type, sizeof(out->type));
	jget_str(j, "wikiUrl", out->wiki_url, sizeof(out->wiki_url));
	return ARR_PARSED;
}

int
arr_system_status_parse(const json_t *j, struct arr_system_status *out,
			struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) ||
	    !jget_str(j, "appName", out->app_name, sizeof(out->app_name)))
		return arr_parse_skip("system status", j, "appName");
	if (!jget_str(j, "version", out->version, sizeof(out->version)) ||
	    arr_version_parse(out->version, out->version_parts) < 0)
		return arr_parse_skip("system status", j, "version");
	jget_str(j, "instanceName", out->instance_name, sizeof(out->instance_name));
	jget_str(j, "branch", out->branch, sizeof(out->branch));
	jget_str(j, "urlBase", out->url_base, sizeof(out->url_base));
	jget_time(j, "startTime", &out->start_time);
	return ARR_PARSED;
}

int
arr_indexer_status_parse(const json_t *j, struct arr_indexer_status *out,
			 struct err *e)
{
	(void)e;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(j) || !jget_int(j, "indexerId", &out->indexer_id))
		return arr_parse_skip("indexer status", j, "indexerId");
	jget_int(j, "id", &out->id);
	jget_time(j, "disabledTill", &out->disabled_till);
	jget_time(j, "mostRecentFailure", &out->most_recent_failure);
	jget_time(j, "initialFailure", &out->initial_failure);
	return ARR_PARSED;
}

int
arr_api_info_parse(const json_t *j, char *out, size_t size)
{
	if (!json_is_object(j) || !jget_str(j, "current", out, size) || out[0] == '\0')
		return arr_parse_skip("api info", j, "current");
	return ARR_PARSED;
}

int
arr_version_parse(const char *s, int parts[4])
{
	const char *p = s;

	for (int i = 0; i < 4; i++)
		parts[i] = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	for (int i = 0; i < 4; i++) {
		char *end;
		long v;

		if (*p < '0' || *p > '9')
			return i > 0 ? 0 : -1;
		errno = 0;
		v = strtol(p, &end, 10);
		if (errno != 0 || v > 1000000000L)
			return -1;
		parts[i] = (int)v;
		p = end;
		if (*p != '.')
			break;
		p++;
	}
	return 0;
}

int
arr_version_cmp(const int a[4], const int b[4])
{
	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}
