/*
 * command.h - searches sent to an *arr app as commands (Req 24.5-24.7,
 * 25.4-25.5, 26.5, 29.4-29.5).
 *
 * The builders are pure and return the JSON body of POST /api/v3/command:
 *   {"name":"EpisodeSearch","episodeIds":[..]}   at most 10 ids
 *   {"name":"SeasonSearch","seriesId":N,"seasonNumber":N}
 *   {"name":"SeriesSearch","seriesId":N}
 *   {"name":"MoviesSearch","movieIds":[..]}      at most 10 ids
 * The app answers 201 with the command; an identical command already queued
 * returns the existing one.  Poll it with arr_command_wait: finished
 * commands are forgotten after minutes to a day (then GET is 404), so the
 * wait always has a deadline and 404 counts as finished (ARR_CMD_GONE).
 * "completed" says nothing about whether a release was grabbed: ask
 * history/since for that (app.h).
 */
#ifndef COMRADARR_ARR_COMMAND_H
#define COMRADARR_ARR_COMMAND_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "arr/client.h"
#include "arr/model.h"
#include "core/err.h"
#include "policy/batch.h"

/* Each fills *out with a new JSON object (caller decrefs), or returns -1:
 * ERR_USAGE for no ids, more than BATCH_MAX_IDS ids or an id < 1. */
int arr_command_episode_search(const int *ids, size_t n, json_t **out,
			       struct err *e);
int arr_command_movies_search(const int *ids, size_t n, json_t **out,
			      struct err *e);
int arr_command_season_search(int series_id, int season_number, json_t **out,
			      struct err *e);
int arr_command_series_search(int series_id, json_t **out, struct err *e);

/* POST the body to {api}/command, expecting 201; *out is the answer. */
int arr_command_send(struct arr_client *c, const json_t *body,
		     struct arr_command *out, struct err *e);

/* GET {api}/command/{id}; a 404 gives state ARR_CMD_GONE and returns 0. */
int arr_command_get(struct arr_client *c, int id, struct arr_command *out,
		    struct err *e);

/*
 * Poll every poll_ms (0 = 2000) until the command is in a terminal state
 * (arr_command_state_terminal) or clock_now_us() passes deadline_us; sleeps
 * through clock_sleep_ms.  Returns 0 with *out holding the last state, or
 * -1: ERR_NET_TIMEOUT when the deadline passed (out holds the last state
 * seen), or the transport error.
 */
int arr_command_wait(struct arr_client *c, int id, int64_t deadline_us,
		     long poll_ms, struct arr_command *out, struct err *e);

#endif
