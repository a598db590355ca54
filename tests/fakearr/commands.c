/*
 * commands.c - POST /api/v3/command and what a search does afterwards.
 *
 * A command's status is worked out from its creation time and the clock
 * (queued for the first quarter of --command-ms, started until it has run
 * its length, then completed), so a test on a fake clock moves it along by
 * moving the clock; nothing waits for real time.  When a command is seen
 * completed (fa_tick, at the start of every request) each searched item
 * that still wants something is "grabbed" with probability --grab, decided
 * by a hash of the seed, the command id and the item: a history "grabbed"
 * record and a queue entry.  One --command-ms later the grab is imported
 * (the item gets a file at the profile's cutoff) with probability
 * --import, or fails (history "downloadFailed").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/banned.h"

#define DAY_US (86400LL * 1000000LL)
#define GRAB_QUALITY 3

struct cmd_name {
	const char *name, *label;
	enum fa_cmd_kind kind;
	int tv, movie;
};

static const struct cmd_name names[] = {
	{ "EpisodeSearch", "Episode Search", FA_CMD_EPISODE, 1, 0 },
	{ "SeasonSearch", "Season Search", FA_CMD_SEASON, 1, 0 },
	{ "SeriesSearch", "Series Search", FA_CMD_SERIES, 1, 0 },
	{ "MoviesSearch", "Movies Search", FA_CMD_MOVIES, 0, 1 },
	{ "MissingEpisodeSearch", "Missing Episode Search", FA_CMD_OTHER, 1, 0 },
	{ "CutoffUnmetEpisodeSearch", "Cutoff Unmet Episode Search", FA_CMD_OTHER, 1, 0 },
	{ "MissingMoviesSearch", "Missing Movies Search", FA_CMD_OTHER, 0, 1 },
	{ "CutoffUnmetMoviesSearch", "Cutoff Unmet Movies Search", FA_CMD_OTHER, 0, 1 },
	{ "RefreshSeries", "Refresh Series", FA_CMD_OTHER, 1, 0 },
	{ "RefreshMovie", "Refresh Movie", FA_CMD_OTHER, 0, 1 },
	{ "RssSync", "Rss Sync", FA_CMD_OTHER, 1, 1 },
	{ "ApplicationUpdateCheck", "Application Update Check", FA_CMD_OTHER, 1, 1 },
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

static const struct cmd_name *
name_find(struct fa_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < N_NAMES; i++) {
		if (strcasecmp(names[i].name, name) != 0)
			continue;
		if ((fa_app_is_tv(st) && names[i].tv) || (fa_app_is_movie(st) && names[i].movie))
			return &names[i];
	}
	return NULL;
}

struct fa_command *
fa_command_get(struct fa_state *st, int id)
{
	if (id < 1 || (size_t)id > st->commands.n)
		return NULL;
	return FA_CMD(st, id - 1);
}

static int64_t
started_at(struct fa_state *st, const struct fa_command *c)
{
	return c->queued_us + st->o.command_ms * 1000 / 4;
}

static int64_t
ended_at(struct fa_state *st, const struct fa_command *c)
{
	return c->queued_us + st->o.command_ms * 1000;
}

const char *
fa_command_status(struct fa_state *st, const struct fa_command *c)
{
	if (st->now_us >= ended_at(st, c))
		return "completed";
	if (st->now_us >= started_at(st, c))
		return "started";
	return "queued";
}

static int
has_active_grab(struct fa_state *st, int item_id)
{
	size_t i;

	for (i = 0; i < st->queue.n; i++)
		if (FA_QUEUE(st, i)->active && FA_QUEUE(st, i)->item_id == item_id)
			return 1;
	return 0;
}

/* Would a search for this item take a release? */
static int
item_wants(struct fa_state *st, int item_id, int *series_id, int *season)
{
	struct fa_file *f;

	if (fa_app_is_movie(st)) {
		struct fa_movie *m = fa_movie_get(st, item_id);

		if (m == NULL)
			return 0;
		m->last_search_us = st->now_us;
		*series_id = 0;
		*season = 0;
		f = fa_file_get(st, m->file_id);
	} else {
		struct fa_episode *e = fa_episode_get(st, item_id);

		if (e == NULL)
			return 0;
		e->last_search_us = st->now_us;
		*series_id = e->series_id;
		*season = e->season;
		f = fa_file_get(st, e->file_id);
	}
	if (has_active_grab(st, item_id))
		return 0;
	return f == NULL || !fa_quality_cutoff_met(f->quality_id) || fa_file_cf_below(f);
}

/* A grabbed release for item_id at when: a history record and an active
 * download queue entry, imported one --command-ms later. */
static int
record_grab(struct fa_state *st, int item_id, int series_id, int season, int64_t when,
	    int64_t import_at_us)
{
	struct fa_hist *h;
	struct fa_queue *q;

	h = fa_vec_push(&st->hist);
	if (h == NULL)
		return 0;
	q = fa_vec_push(&st->queue);
	if (q == NULL) {
		st->hist.n--;
		return 0;
	}
	h->id = (int)st->hist.n;
	h->event = FA_EV_GRABBED;
	h->item_id = item_id;
	h->series_id = series_id;
	h->season = season;
	h->quality_id = GRAB_QUALITY;
	h->cf_score = 100;
	h->date_us = when;
	q->id = (int)st->queue.n;
	q->item_id = item_id;
	q->series_id = series_id;
	q->season = season;
	q->quality_id = GRAB_QUALITY;
	q->hist_id = h->id;
	q->added_us = when;
	q->import_at_us = import_at_us;
	q->active = 1;
	h->queue_id = q->id;
	if (!fa_app_is_movie(st)) {
		struct fa_episode *e = fa_episode_get(st, item_id);

		if (e != NULL)
			e->grab_us = when;
	}
	return 1;
}

static int
grab(struct fa_state *st, struct fa_command *c, int item_id)
{
	int series_id, season;

	if (!item_wants(st, item_id, &series_id, &season))
		return 0;
	if (fa_unit(st->o.seed ^ 0x67726162ULL, (uint64_t)c->id, (uint64_t)item_id) >= st->o.grab)
		return 0;
	return record_grab(st, item_id, series_id, season, ended_at(st, c),
			   ended_at(st, c) + st->o.command_ms * 1000);
}

int
fa_grab_now(struct fa_state *st, int item_id, long hold_ms)
{
	int series_id = 0, season = 0;

	if (fa_app_is_movie(st)) {
		if (fa_movie_get(st, item_id) == NULL)
			return -1;
	} else {
		struct fa_episode *e = fa_episode_get(st, item_id);

		if (e == NULL)
			return -1;
		series_id = e->series_id;
		season = e->season;
	}
	if (has_active_grab(st, item_id))
		return 0;
	if (hold_ms < 0)
		hold_ms = st->o.command_ms;
	return record_grab(st, item_id, series_id, season, st->now_us,
			   st->now_us + (int64_t)hold_ms * 1000) ? 0 : -1;
}

static void
complete(struct fa_state *st, struct fa_command *c)
{
	int i, n = 0;

	c->done = 1;
	switch (c->kind) {
	case FA_CMD_EPISODE:
	case FA_CMD_MOVIES:
		for (i = 0; i < c->n_ids; i++)
			n += grab(st, c, c->ids[i]);
		break;
	case FA_CMD_SEASON:
	case FA_CMD_SERIES: {
		struct fa_series *s = fa_series_get(st, c->series_id);

		for (i = 0; s != NULL && i < s->n_eps; i++) {
			struct fa_episode *e = FA_EP(st, s->first_ep + i);

			if (e->removed || !e->monitored || e->air_us > st->now_us)
				continue;
			if (c->kind == FA_CMD_SEASON && e->season != c->season)
				continue;
			n += grab(st, c, e->id);
		}
		break;
	}
	case FA_CMD_OTHER:
		break;
	}
	c->reports = n;
}

static void
import(struct fa_state *st, struct fa_queue *q)
{
	struct fa_hist *h;
	int ok = fa_unit(st->o.seed ^ 0x696d706fULL, (uint64_t)q->id, 77) < st->o.import;

	q->active = 0;
	if (ok && fa_file_attach(st, fa_app_is_movie(st), q->item_id, q->quality_id, 100) == NULL)
		ok = 0;
	h = fa_vec_push(&st->hist);
	if (h == NULL)
		return;
	h->id = (int)st->hist.n;
	h->event = ok ? FA_EV_IMPORTED : FA_EV_FAILED;
	h->item_id = q->item_id;
	h->series_id = q->series_id;
	h->season = q->season;
	h->quality_id = q->quality_id;
	h->cf_score = 100;
	h->date_us = st->now_us;
	h->queue_id = q->id;
}

void
fa_tick(struct fa_state *st, int force_imports)
{
	size_t i;

	st->now_us = clock_now_us();
	for (i = 0; i < st->commands.n; i++) {
		struct fa_command *c = FA_CMD(st, i);

		if (!c->done && st->now_us >= ended_at(st, c))
			complete(st, c);
	}
	for (i = 0; i < st->queue.n; i++) {
		struct fa_queue *q = FA_QUEUE(st, i);

		if (q->active && (force_imports || st->now_us >= q->import_at_us))
			import(st, q);
	}
}

void
fa_commands_free(struct fa_state *st)
{
	size_t i;

	for (i = 0; i < st->commands.n; i++) {
		free(FA_CMD(st, i)->ids);
		free(FA_CMD(st, i)->user_agent);
	}
	fa_vec_free(&st->commands);
}

static const struct cmd_name *
name_of(const struct fa_command *c)
{
	size_t i;

	for (i = 0; i < N_NAMES; i++)
		if (strcmp(names[i].name, c->name) == 0)
			return &names[i];
	return &names[0];
}

static const char *
search_word(enum fa_cmd_kind k)
{
	switch (k) {
	case FA_CMD_EPISODE: return "Episode search";
	case FA_CMD_SEASON: return "Season search";
	case FA_CMD_SERIES: return "Series search";
	case FA_CMD_MOVIES: return "Movie search";
	case FA_CMD_OTHER: break;
	}
	return NULL;
}

void
fa_render_command(struct fa_state *st, struct jw *w, struct fa_command *c)
{
	const char *status = fa_command_status(st, c);
	int started = strcmp(status, "queued") != 0;
	int done = strcmp(status, "completed") == 0;
	char msg[128], span[40];
	int i;

	jw_obj(w, NULL);
	jw_int(w, "id", c->id);
	jw_str(w, "name", c->name);
	jw_str(w, "commandName", name_of(c)->label);
	if (done && search_word(c->kind) != NULL) {
		snprintf(msg, sizeof(msg), "%s completed. %d reports downloaded.",
			 search_word(c->kind), c->reports);
		jw_str(w, "message", msg);
	} else if (done) {
		jw_str(w, "message", "Completed");
	}
	jw_obj(w, "body");
	if (c->kind == FA_CMD_EPISODE || c->kind == FA_CMD_MOVIES) {
		jw_arr(w, c->kind == FA_CMD_EPISODE ? "episodeIds" : "movieIds");
		for (i = 0; i < c->n_ids; i++)
			jw_int(w, NULL, c->ids[i]);
		jw_end_arr(w);
	}
	if (c->kind == FA_CMD_SEASON || c->kind == FA_CMD_SERIES)
		jw_int(w, "seriesId", c->series_id);
	if (c->kind == FA_CMD_SEASON)
		jw_int(w, "seasonNumber", c->season);
	jw_bool(w, "sendUpdatesToClient", 1);
	jw_bool(w, "updateScheduledTask", 1);
	jw_str(w, "completionMessage", "Completed");
	jw_bool(w, "requiresDiskAccess", 0);
	jw_bool(w, "isExclusive", 0);
	if (st->o.app == FA_RADARR)
		jw_bool(w, "isTypeExclusive", 0);
	jw_bool(w, "isLongRunning", 0);
	jw_str(w, "name", c->name);
	if (started)
		jw_time(w, "lastStartTime", started_at(st, c));
	jw_str(w, "trigger", "manual");
	jw_bool(w, "suppressMessages", 0);
	jw_str(w, "clientUserAgent", c->user_agent);
	jw_end_obj(w);
	jw_str(w, "priority", "normal");
	jw_str(w, "status", status);
	jw_str(w, "result", done ? "successful" : "unknown");
	jw_time(w, "queued", c->queued_us);
	if (started)
		jw_time(w, "started", started_at(st, c));
	if (done) {
		jw_time(w, "ended", ended_at(st, c));
		/* Both Whisparr specs type duration as a TimeSpan object, the
		 * others as a string: send it only where the spec takes a string */
		if (st->o.app != FA_WHISPARR2 && st->o.app != FA_WHISPARR3) {
			fa_fmt_span(span, sizeof(span), ended_at(st, c) - started_at(st, c));
			jw_str(w, "duration", span);
		}
	}
	jw_str(w, "trigger", "manual");
	jw_str(w, "clientUserAgent", c->user_agent);
	jw_time(w, "stateChangeTime", done ? ended_at(st, c) : started ? started_at(st, c) : c->queued_us);
	jw_bool(w, "sendUpdatesToClient", 1);
	jw_bool(w, "updateScheduledTask", 1);
	jw_end_obj(w);
}

static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
same_command(const struct fa_command *a, const struct fa_command *b)
{
	if (strcmp(a->name, b->name) != 0 || a->series_id != b->series_id ||
	    a->season != b->season || a->n_ids != b->n_ids)
		return 0;
	return a->n_ids == 0 || memcmp(a->ids, b->ids, (size_t)a->n_ids * sizeof(int)) == 0;
}

static int
read_ids(json_t *arr, struct fa_command *c)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return 0;
	c->ids = calloc(json_array_size(arr) + 1, sizeof(int));
	if (c->ids == NULL)
		return -1;
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v))
			return -1;
		c->ids[c->n_ids++] = (int)json_integer_value(v);
	}
	/* The apps compare commands by body: order the ids so [2,1] == [1,2]. */
	qsort(c->ids, (size_t)c->n_ids, sizeof(int), int_cmp);
	return 0;
}

static void
ledger_add(struct fa_state *st, const char *name, json_t *body, int id)
{
	json_t *e = json_pack("{s:I, s:I, s:s, s:O, s:i}", "seq", (json_int_t)++st->ledger_seq,
			      "at_us", (json_int_t)st->now_us, "name", name,
			      "body", body ? body : json_null(), "id", id);

	if (e != NULL)
		json_array_append_new(st->ledger, e);
}

static void
command_reply(struct fa_state *st, struct fa_reply *rp, struct fa_command *c, int status)
{
	struct jw w;

	fa_reply_jw(rp, &w, status);
	fa_render_command(st, &w, c);
	snprintf(rp->location, sizeof(rp->location), "/api/v3/command/%d", c->id);
}

static void
command_post(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	json_error_t jerr;
	json_t *body = json_loadb(r->body, r->body_len, 0, &jerr);
	const char *name = json_string_value(json_object_get(body, "name"));
	const struct cmd_name *cn;
	struct fa_command tmp, *c;
	const char *ua;
	size_t i;

	memset(&tmp, 0, sizeof(tmp));
	if (!json_is_object(body) || name == NULL) {
		ledger_add(st, name ? name : "", body, 0);
		fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]",
			      "propertyName", "Name", "errorMessage", "'Name' must not be empty."));
		goto out;
	}
	cn = name_find(st, name);
	if (cn == NULL) {
		char msg[160];

		ledger_add(st, name, body, 0);
		snprintf(msg, sizeof(msg), "Unknown command name: %.100s", name);
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		goto out;
	}
	snprintf(tmp.name, sizeof(tmp.name), "%s", cn->name);
	tmp.kind = cn->kind;
	if (read_ids(json_object_get(body, cn->kind == FA_CMD_MOVIES ? "movieIds" : "episodeIds"), &tmp) < 0) {
		ledger_add(st, name, body, 0);
		fa_reply_json(rp, MHD_HTTP_BAD_REQUEST, json_pack("[{s:s, s:s}]",
			      "propertyName", "Ids", "errorMessage", "ids must be integers"));
		goto out;
	}
	tmp.series_id = (int)json_integer_value(json_object_get(body, "seriesId"));
	tmp.season = (int)json_integer_value(json_object_get(body, "seasonNumber"));
	/* An identical command still queued or running is the same command. */
	for (i = 0; i < st->commands.n; i++) {
		c = FA_CMD(st, i);
		if (strcmp(fa_command_status(st, c), "completed") != 0 && same_command(c, &tmp)) {
			ledger_add(st, name, body, c->id);
			command_reply(st, rp, c, MHD_HTTP_CREATED);
			goto out;
		}
	}
	c = fa_vec_push(&st->commands);
	if (c == NULL) {
		fa_reply_error(rp, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
		goto out;
	}
	*c = tmp;
	tmp.ids = NULL;
	c->id = (int)st->commands.n;
	c->queued_us = st->now_us;
	ua = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "User-Agent");
	if (ua != NULL)
		c->user_agent = strdup(ua);
	ledger_add(st, name, body, c->id);
	command_reply(st, rp, c, MHD_HTTP_CREATED);
out:
	free(tmp.ids);
	json_decref(body);
}

int
fa_api_command(struct fa_state *st, struct fa_req *r, struct fa_reply *rp)
{
	const char *p = r->path;
	struct jw w;
	size_t i;

	if (strncmp(p, "/api/v3/command", 15) != 0 || st->o.app == FA_PROWLARR)
		return 0;
	p += 15;
	if (*p == '\0' || strcmp(p, "/") == 0) {
		if (strcmp(r->method, "POST") == 0) {
			command_post(st, r, rp);
			return 1;
		}
		/* Finished commands stay in the app's memory for 5 minutes. */
		fa_reply_jw(rp, &w, MHD_HTTP_OK);
		jw_arr(&w, NULL);
		for (i = 0; i < st->commands.n; i++) {
			struct fa_command *c = FA_CMD(st, i);

			if (st->now_us - ended_at(st, c) < 300LL * 1000000)
				fa_render_command(st, &w, c);
		}
		jw_end_arr(&w);
		return 1;
	}
	if (*p == '/') {
		char *end;
		long id = strtol(p + 1, &end, 10);
		struct fa_command *c = *end == '\0' ? fa_command_get(st, (int)id) : NULL;

		/* ... and in the database for a day, then they are gone. */
		if (c == NULL || st->now_us - ended_at(st, c) > DAY_US) {
			fa_reply_error(rp, MHD_HTTP_NOT_FOUND, "NotFound");
			return 1;
		}
		fa_reply_jw(rp, &w, MHD_HTTP_OK);
		fa_render_command(st, &w, c);
		return 1;
	}
	return 0;
}
