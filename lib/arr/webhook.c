/*
 * webhook.c - *arr webhook payloads (see webhook.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "arr/webhook.h"
#include "core/banned.h"

const char *
arr_webhook_kind_name(enum arr_webhook_kind k)
{
	static const char *const names[] = { "other", "grab", "download", "file_delete",
					      "item_delete", "health", "health_restored" };

	return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "other";
}

static const struct {
	const char *name;
	enum arr_webhook_kind kind;
} kinds[] = {
	{ "Grab", ARR_HOOK_GRAB },
	{ "Download", ARR_HOOK_DOWNLOAD },
	{ "EpisodeFileDelete", ARR_HOOK_FILE_DELETE },
	{ "MovieFileDelete", ARR_HOOK_FILE_DELETE },
	{ "SeriesDelete", ARR_HOOK_ITEM_DELETE },
	{ "MovieDelete", ARR_HOOK_ITEM_DELETE },
	{ "Health", ARR_HOOK_HEALTH },
	{ "HealthRestored", ARR_HOOK_HEALTH_RESTORED },
};

/* A positive int member of o, or 0. */
static int
pos_int(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;

	return n > 0 && n <= 2147483647 ? (int)n : 0;
}

static int
copy_str(json_t *o, const char *k, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(o, k));

	snprintf(buf, size, "%s", s ? s : "");
	return s != NULL;
}

int
arr_webhook_parse(const char *body, size_t len, struct arr_webhook *w, struct err *e)
{
	json_error_t je;
	json_t *root = NULL, *series, *movie, *eps;
	int ret = -1;

	memset(w, 0, sizeof(*w));
	if (len > ARR_WEBHOOK_MAX_BODY)
		return err_set(e, ERR_PARSE, "webhook payload over %d bytes", ARR_WEBHOOK_MAX_BODY);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(root)) {
		err_set(e, ERR_PARSE, "webhook payload is not a JSON object");
		goto out;
	}
	if (!copy_str(root, "eventType", w->event_type, sizeof(w->event_type)) ||
	    w->event_type[0] == '\0') {
		err_set(e, ERR_PARSE, "webhook payload has no eventType");
		goto out;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(w->event_type, kinds[i].name) == 0)
			w->kind = kinds[i].kind;
	if (w->kind == ARR_HOOK_OTHER) {
		ret = 0;
		goto out;
	}
	if (w->kind == ARR_HOOK_HEALTH || w->kind == ARR_HOOK_HEALTH_RESTORED) {
		copy_str(root, "level", w->level, sizeof(w->level));
		if (!copy_str(root, "message", w->message, sizeof(w->message))) {
			err_set(e, ERR_PARSE, "%s payload has no message", w->event_type);
			goto out;
		}
		ret = 0;
		goto out;
	}
	series = json_object_get(root, "series");
	movie = json_object_get(root, "movie");
	if (json_is_object(movie)) {
		w->movie = 1;
		w->ids[0] = pos_int(movie, "id");
		if (w->ids[0] == 0) {
			err_set(e, ERR_PARSE, "%s payload: movie.id is missing", w->event_type);
			goto out;
		}
		w->nids = 1;
	} else if (json_is_object(series)) {
		size_t i;
		json_t *ep;

		w->series_arr_id = pos_int(series, "id");
		if (w->series_arr_id == 0) {
			err_set(e, ERR_PARSE, "%s payload: series.id is missing", w->event_type);
			goto out;
		}
		eps = json_object_get(root, "episodes");
		if (w->kind != ARR_HOOK_ITEM_DELETE) {
			if (!json_is_array(eps) || json_array_size(eps) == 0) {
				err_set(e, ERR_PARSE, "%s payload: episodes[] is missing", w->event_type);
				goto out;
			}
			if (json_array_size(eps) > ARR_WEBHOOK_MAX_IDS) {
				err_set(e, ERR_PARSE, "%s payload: more than %d episodes", w->event_type,
					ARR_WEBHOOK_MAX_IDS);
				goto out;
			}
			json_array_foreach(eps, i, ep) {
				int id = json_is_object(ep) ? pos_int(ep, "id") : 0;

				if (id == 0) {
					err_set(e, ERR_PARSE, "%s payload: episodes[%zu].id is missing",
						w->event_type, i);
					goto out;
				}
				w->ids[w->nids++] = id;
			}
		}
	} else {
		err_set(e, ERR_PARSE, "%s payload has neither series nor movie", w->event_type);
		goto out;
	}
	w->is_upgrade = json_is_true(json_object_get(root, "isUpgrade"));
	ret = 0;
out:
	json_decref(root);
	return ret;
}
