#include <stdio.h>
#include <string.h>

#include "arr/command.h"
#include "arr/parse.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/banned.h"

static int
id_list(const char *name, const char *member, const int *ids, size_t n,
	json_t **out, struct err *e)
{
	json_t *body = NULL, *arr = NULL;
	int ret = -1;

	*out = NULL;
	if (n == 0 || n > BATCH_MAX_IDS) {
		err_set(e, ERR_USAGE, "a %s takes 1 to %d ids, not %zu; split the "
			"batch", name, BATCH_MAX_IDS, n);
		goto out;
	}
	arr = json_array();
	if (arr == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 1) {
			err_set(e, ERR_USAGE, "a %s was given id %d; *arr ids start "
				"at 1", name, ids[i]);
			goto out;
		}
		if (json_array_append_new(arr, json_integer(ids[i])) < 0)
			goto nomem;
	}
	body = json_pack("{s:s, s:O}", "name", name, member, arr);
	if (body == NULL)
		goto nomem;
	*out = body;
	ret = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory building a %s", name);
out:
	json_decref(arr);
	return ret;
}

int
arr_command_episode_search(const int *ids, size_t n, json_t **out, struct err *e)
{
	return id_list("EpisodeSearch", "episodeIds", ids, n, out, e);
}

int
arr_command_movies_search(const int *ids, size_t n, json_t **out, struct err *e)
{
	return id_list("MoviesSearch", "movieIds", ids, n, out, e);
}

int
arr_command_season_search(int series_id, int season_number, json_t **out,
			  struct err *e)
{
	*out = NULL;
	if (series_id < 1 || season_number < 0)
		return err_set(e, ERR_USAGE, "a SeasonSearch needs a series id >= 1 "
			       "and a season >= 0, not %d/%d", series_id,
			       season_number);
	*out = json_pack("{s:s, s:i, s:i}", "name", "SeasonSearch",
			 "seriesId", series_id, "seasonNumber", season_number);
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory building a SeasonSearch");
	return 0;
}

int
arr_command_series_search(int series_id, json_t **out, struct err *e)
{
	*out = NULL;
	if (series_id < 1)
		return err_set(e, ERR_USAGE, "a SeriesSearch needs a series id >= 1, "
			       "not %d", series_id);
	*out = json_pack("{s:s, s:i}", "name", "SeriesSearch", "seriesId", series_id);
	if (*out == NULL)
		return err_set(e, ERR_NOMEM, "out of memory building a SeriesSearch");
	return 0;
}

static int
parse_answer(const json_t *j, const char *what, struct arr_command *out,
	     struct err *e)
{
	int rc = arr_command_parse(j, out, e);

	if (rc < 0)
		return -1;
	if (rc == ARR_SKIPPED)
		return err_set(e, ERR_PARSE, "the answer to '%s' is not a command "
			       "(needs id, name and status)", what);
	return 0;
}

int
arr_command_send(struct arr_client *c, const json_t *body,
		 struct arr_command *out, struct err *e)
{
	char path[64];
	json_t *res = NULL;
	int ret = -1;

	snprintf(path, sizeof(path), "%s/command", arr_client_api(c));
	if (arr_client_post_json(c, path, body, 201, &res, e) < 0)
		goto out;
	if (parse_answer(res, "POST command", out, e) < 0)
		goto out;
	log_debug("arr", "command %s queued as %d (%s)", out->name, out->id,
		  out->status);
	ret = 0;
out:
	json_decref(res);
	return ret;
}

int
arr_command_get(struct arr_client *c, int id, struct arr_command *out,
		struct err *e)
{
	char path[96];
	json_t *res = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/command/%d", arr_client_api(c), id);
	if (arr_client_get_json(c, path, &res, e) < 0) {
		if (e != NULL && e->kind == ERR_NOTFOUND) {
			/* finished long enough ago that the app forgot it */
			err_clear(e);
			out->id = id;
			out->state = ARR_CMD_GONE;
			ret = 0;
		}
		goto out;
	}
	if (parse_answer(res, "GET command", out, e) < 0)
		goto out;
	ret = 0;
out:
	json_decref(res);
	return ret;
}

int
arr_command_wait(struct arr_client *c, int id, int64_t deadline_us,
		 long poll_ms, struct arr_command *out, struct err *e)
{
	int64_t started = clock_now_us();

	if (poll_ms <= 0)
		poll_ms = 2000;
	for (;;) {
		if (arr_command_get(c, id, out, e) < 0)
			return -1;
		if (arr_command_state_terminal(out->state))
			return 0;
		if (clock_now_us() + (int64_t)poll_ms * 1000 > deadline_us)
			break;
		clock_sleep_ms(poll_ms);
	}
	return err_set(e, ERR_NET_TIMEOUT, "command %d is still '%s' after %lld ms; "
		       "the app may be busy (it runs 3 commands at a time)",
		       id, out->status[0] ? out->status : "unknown",
		       (long long)((clock_now_us() - started) / 1000));
}
