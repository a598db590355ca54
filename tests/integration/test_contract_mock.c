/*
 * test_contract_mock.c - the parsers on answers they did not expect: each
 * element is parsed and the result compared with the JSON it came from, so
 * a record is either read exactly (required members equal, optional members
 * equal when present and usable) or skipped because a required member is
 * missing or unusable (Req 27.7-27.8).  Never a crash, never a mis-read.
 *
 *   - from tests/contract/run.sh with COMRADARR_CONTRACT_MOCK_URL,
 *     COMRADARR_CONTRACT_APP and COMRADARR_CONTRACT_KEY: the answers are
 *     made up from the app's OpenAPI schemas (any value the document
 *     allows), and the streaming calls run too, under ASan in that build;
 *     a 422 means the document rejects a request the client sent;
 *   - alone: against the fake *arr of each app with its unknown_fields and
 *     missing_fields faults on.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakearr_ctl.h"
#include "arr/app.h"
#include "arr/client.h"
#include "arr/parse.h"
#include "arr/prowlarr.h"
#include "arr/radarr.h"
#include "arr/sonarr.h"
#include "core/clock.h"
#include "core/banned.h"

static const char *const apps[] = { "sonarr", "radarr", "whisparr2", "whisparr3", "prowlarr" };
#define NAPPS (sizeof(apps) / sizeof(apps[0]))
/* made-up pages may claim millions of records: stop walking after this */
#define MAX_REQUESTS 40

static const char *app;
static enum arr_dialect dialect;
static struct fakearr fake;
static int fake_started;
static unsigned long first_request;

enum kind { K_API, K_STATUS, K_HEALTH, K_PROFILE, K_SERIES, K_EPISODE, K_FILE,
	K_MOVIE, K_COMMAND, K_HISTORY, K_QUEUE, K_INDEXER };

/* ---------------------------------------------------------------- reading the JSON ourselves */

static int
j_int(const json_t *j, const char *k, int *v)
{
	json_t *m = json_object_get(j, k);

	if (!json_is_integer(m) || json_integer_value(m) < INT_MIN ||
	    json_integer_value(m) > INT_MAX)
		return 0;
	*v = (int)json_integer_value(m);
	return 1;
}

static const char *
j_str(const json_t *j, const char *k)
{
	return json_string_value(json_object_get(j, k));
}

/* parsed is what a buffer of size kept of full: all of it, or a prefix cut
 * at a UTF-8 character boundary (at most 3 bytes short of the buffer) */
static int
str_same(const char *parsed, const char *full, size_t size)
{
	size_t n = strlen(parsed), m;

	if (full == NULL)
		return n == 0;
	m = strlen(full);
	return strncmp(parsed, full, n) == 0 && (n == m || (m > size - 1 && n + 3 >= size - 1));
}

static int
time_same(const json_t *j, const char *k, int64_t parsed)
{
	const char *s = j_str(j, k);
	int64_t t;

	if (s == NULL || clock_parse_iso8601(s, &t) < 0)
		return parsed == ARR_NO_TIME;
	return parsed == t;
}

static int
time_ok(const json_t *j, const char *k)
{
	const char *s = j_str(j, k);
	int64_t t;

	return s != NULL && clock_parse_iso8601(s, &t) == 0 && t != ARR_NO_TIME;
}

static void
int_same(const json_t *j, const char *k, int parsed, const char *what)
{
	int v;

	if (j_int(j, k, &v))
		ck_assert_msg(parsed == v, "%s %s: %s is %d in the answer, read as %d",
			      app, what, k, v, parsed);
}

static void
bool_same(const json_t *j, const char *k, bool parsed, const char *what)
{
	json_t *m = json_object_get(j, k);

	if (json_is_boolean(m))
		ck_assert_msg(parsed == json_is_true(m), "%s %s: %s is %s in the answer, read as %d",
			      app, what, k, json_is_true(m) ? "true" : "false", (int)parsed);
}

#define STR_SAME(j, k, field, what) \
	ck_assert_msg(str_same((field), j_str((j), (k)), sizeof(field)), \
		      "%s %s: %s is \"%s\" in the answer, read as \"%s\"", app, (what), (k), \
		      j_str((j), (k)) ? j_str((j), (k)) : "(absent)", (field))
#define TIME_SAME(j, k, field, what) \
	ck_assert_msg(time_same((j), (k), (field)), "%s %s: time %s is \"%s\", read as %lld", \
		      app, (what), (k), j_str((j), (k)) ? j_str((j), (k)) : "(absent)", \
		      (long long)(field))

/* rc against what the JSON says; returns 1 when the record was parsed */
static int
outcome(int rc, int usable, const char *what, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);

	ck_assert_msg(rc == ARR_PARSED || rc == ARR_SKIPPED, "%s %s: parser failed (%d)", app, what, rc);
	ck_assert_msg((rc == ARR_PARSED) == usable, "%s %s: %s a record whose required members are %s: %.400s",
		      app, what, rc == ARR_PARSED ? "read" : "skipped", usable ? "usable" : "not usable",
		      s ? s : "");
	free(s);
	return rc == ARR_PARSED;
}

/* ---------------------------------------------------------------- one element */

static void
check_file(const json_t *j, const struct arr_episode_file *f, const char *what)
{
	json_t *q = json_object_get(json_object_get(j, "quality"), "quality");
	int v;

	int_same(j, "id", f->id, what);
	int_same(j, "seriesId", f->series_id, what);
	STR_SAME(j, "relativePath", f->relative_path, what);
	ck_assert_msg(f->has_custom_format_score == j_int(j, "customFormatScore", &v),
		      "%s %s: customFormatScore presence misread", app, what);
	int_same(j, "customFormatScore", f->custom_format_score, what);
	bool_same(j, "qualityCutoffNotMet", f->quality_cutoff_not_met, what);
	if (f->has_quality)
		int_same(q, "id", f->quality.id, what);
	TIME_SAME(j, "dateAdded", f->date_added, what);
}

static void
check_one(enum kind k, const json_t *j)
{
	int v = 0, ok = json_is_object(j);
	struct err e = ERR_INIT;

	switch (k) {
	case K_API: {
		char cur[16];
		const char *s = j_str(j, "current");

		if (outcome(arr_api_info_parse(j, cur, sizeof(cur)), ok && s && *s, "api info", j))
			STR_SAME(j, "current", cur, "api info");
		break;
	}
	case K_STATUS: {
		struct arr_system_status st;
		const char *ver = j_str(j, "version");
		int parts[4];

		ok = ok && j_str(j, "appName") && ver && arr_version_parse(ver, parts) == 0;
		if (outcome(arr_system_status_parse(j, &st, &e), ok, "system status", j)) {
			STR_SAME(j, "appName", st.app_name, "system status");
			STR_SAME(j, "version", st.version, "system status");
			TIME_SAME(j, "startTime", st.start_time, "system status");
		}
		break;
	}
	case K_HEALTH: {
		struct arr_health_item h;

		if (outcome(arr_health_item_parse(j, &h, &e), ok && j_str(j, "message"), "health", j)) {
			STR_SAME(j, "message", h.message, "health");
			STR_SAME(j, "type", h.type, "health");
		}
		break;
	}
	case K_PROFILE: {
		struct arr_quality_profile p;

		ok = ok && j_int(j, "id", &v) && j_str(j, "name");
		if (outcome(arr_quality_profile_parse(j, &p, &e), ok, "quality profile", j)) {
			int_same(j, "id", p.id, "quality profile");
			STR_SAME(j, "name", p.name, "quality profile");
			int_same(j, "cutoff", p.cutoff, "quality profile");
			int_same(j, "cutoffFormatScore", p.cutoff_format_score, "quality profile");
			bool_same(j, "upgradeAllowed", p.upgrade_allowed, "quality profile");
		}
		arr_quality_profile_release(&p);
		break;
	}
	case K_SERIES: {
		struct arr_series s;
		json_t *sn;
		size_t i, n = 0;

		ok = ok && j_int(j, "id", &v) && j_str(j, "title");
		if (outcome(arr_series_parse(j, &s, &e), ok, "series", j)) {
			int_same(j, "id", s.id, "series");
			STR_SAME(j, "title", s.title, "series");
			int_same(j, "year", s.year, "series");
			bool_same(j, "monitored", s.monitored, "series");
			TIME_SAME(j, "added", s.added, "series");
			json_array_foreach(json_object_get(j, "seasons"), i, sn)
				if (json_is_object(sn) && j_int(sn, "seasonNumber", &v))
					ck_assert_msg(n < s.nseasons && s.seasons[n++].season_number == v,
						      "%s series %d: season %zu (number %d) misread",
						      app, s.id, i, v);
			ck_assert_msg(n == s.nseasons, "%s series %d: %zu usable seasons, %zu read",
				      app, s.id, n, s.nseasons);
		}
		arr_series_release(&s);
		break;
	}
	case K_EPISODE: {
		struct arr_episode ep;
		json_t *f = json_object_get(j, "episodeFile");

		ok = ok && j_int(j, "id", &v) && j_int(j, "seriesId", &v) &&
		     j_int(j, "seasonNumber", &v) &&
		     (dialect == ARR_DIALECT_WHISPARR_V2 || j_int(j, "episodeNumber", &v));
		if (outcome(arr_episode_parse(j, dialect, &ep, &e), ok, "episode", j)) {
			int_same(j, "id", ep.id, "episode");
			int_same(j, "seriesId", ep.series_id, "episode");
			int_same(j, "seasonNumber", ep.season_number, "episode");
			int_same(j, "episodeNumber", ep.episode_number, "episode");
			int_same(j, "episodeFileId", ep.episode_file_id, "episode");
			bool_same(j, "hasFile", ep.has_file, "episode");
			bool_same(j, "monitored", ep.monitored, "episode");
			TIME_SAME(j, "airDateUtc", ep.air_date_utc, "episode");
			ck_assert_msg(ep.has_episode_file == (json_is_object(f) && j_int(f, "id", &v)),
				      "%s episode %d: embedded episodeFile misread", app, ep.id);
			if (ep.has_episode_file)
				check_file(f, &ep.episode_file, "episode's file");
		}
		break;
	}
	case K_FILE: {
		struct arr_episode_file f;

		if (outcome(arr_episode_file_parse(j, &f, &e), ok && j_int(j, "id", &v), "episode file", j))
			check_file(j, &f, "episode file");
		break;
	}
	case K_MOVIE: {
		struct arr_movie m;
		json_t *f = json_object_get(j, "movieFile");

		ok = ok && j_int(j, "id", &v) && j_str(j, "title") && j_int(j, "tmdbId", &v);
		if (outcome(arr_movie_parse(j, &m, &e), ok, "movie", j)) {
			int_same(j, "id", m.id, "movie");
			STR_SAME(j, "title", m.title, "movie");
			int_same(j, "tmdbId", m.tmdb_id, "movie");
			int_same(j, "year", m.year, "movie");
			bool_same(j, "monitored", m.monitored, "movie");
			bool_same(j, "hasFile", m.has_file, "movie");
			bool_same(j, "isAvailable", m.is_available, "movie");
			STR_SAME(j, "itemType", m.item_type, "movie");
			TIME_SAME(j, "digitalRelease", m.digital_release, "movie");
			ck_assert_msg(m.has_movie_file == (json_is_object(f) && j_int(f, "id", &v)),
				      "%s movie %d: embedded movieFile misread", app, m.id);
			if (m.has_movie_file)
				check_file(f, &m.movie_file, "movie's file");
		}
		break;
	}
	case K_COMMAND: {
		struct arr_command c;

		ok = ok && j_int(j, "id", &v) && j_str(j, "name") && j_str(j, "status");
		if (outcome(arr_command_parse(j, &c, &e), ok, "command", j)) {
			int_same(j, "id", c.id, "command");
			STR_SAME(j, "name", c.name, "command");
			STR_SAME(j, "status", c.status, "command");
			ck_assert_msg(strlen(j_str(j, "status")) >= sizeof(c.status) - 1 ||
				      c.state == arr_command_state_parse(j_str(j, "status")),
				      "%s command %d: status \"%s\" gave state %d", app, c.id,
				      c.status, (int)c.state);
			TIME_SAME(j, "ended", c.ended, "command");
		}
		break;
	}
	case K_HISTORY: {
		struct arr_history h;

		ok = ok && j_int(j, "id", &v) && j_str(j, "eventType") && time_ok(j, "date");
		if (outcome(arr_history_parse(j, &h, &e), ok, "history record", j)) {
			int_same(j, "id", h.id, "history record");
			STR_SAME(j, "eventType", h.event_type, "history record");
			TIME_SAME(j, "date", h.date, "history record");
			int_same(j, "episodeId", h.episode_id, "history record");
			int_same(j, "movieId", h.movie_id, "history record");
		}
		break;
	}
	case K_QUEUE: {
		struct arr_queue_item q;

		if (outcome(arr_queue_item_parse(j, &q, &e), ok && j_int(j, "id", &v), "queue item", j)) {
			int_same(j, "id", q.id, "queue item");
			int_same(j, "seriesId", q.series_id, "queue item");
			int_same(j, "movieId", q.movie_id, "queue item");
			STR_SAME(j, "downloadId", q.download_id, "queue item");
			TIME_SAME(j, "added", q.added, "queue item");
		}
		break;
	}
	case K_INDEXER: {
		struct arr_indexer_status s;

		if (outcome(arr_indexer_status_parse(j, &s, &e), ok && j_int(j, "indexerId", &v),
			    "indexer status", j)) {
			int_same(j, "indexerId", s.indexer_id, "indexer status");
			TIME_SAME(j, "disabledTill", s.disabled_till, "indexer status");
		}
		break;
	}
	}
}

/* ---------------------------------------------------------------- one endpoint */

static void
request_failed(const char *path, const struct err *e)
{
	/* made-up answers may be refused by the client; a refused request is a bug */
	ck_assert_msg(e->http_status != 422 && e->http_status != 401 && e->http_status != 404,
		      "%s %s: the document refuses the client's request: %s", app, path, e->msg);
}

/* GET path raw, and check every element (of the array, or of records[]) */
static void
endpoint(struct arr_client *c, const char *rel, enum kind k)
{
	char path[256];
	struct err e = ERR_INIT;
	json_t *doc = NULL, *list, *el;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s%s", rel[0] == '+' ? arr_client_api(c) : "",
		 rel[0] == '+' ? rel + 1 : rel);
	if (arr_client_get_json(c, path, &doc, &e) < 0) {
		request_failed(path, &e);
		printf("contract-mock %s: GET %s -> error: %s\n", app, path, e.msg);
		return;
	}
	list = json_is_object(doc) && json_object_get(doc, "records") ?
		json_object_get(doc, "records") : doc;
	if (json_is_array(list))
		json_array_foreach(list, i, el) {
			check_one(k, el);
			n++;
		}
	else {
		check_one(k, list);
		n = 1;
	}
	json_decref(doc);
	printf("contract-mock %s: GET %s -> %zu elements\n", app, path, n);
}

/* ---------------------------------------------------------------- the streaming calls */

static struct arr_client *cur;

static int
enough(struct err *e)
{
	if (arr_client_requests(cur) - first_request > MAX_REQUESTS)
		return err_set(e, ERR_USAGE, "stopped after %d requests", MAX_REQUESTS);
	return 0;
}

static int s_series(const struct arr_series *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_episode(const struct arr_episode *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_file(const struct arr_episode_file *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_movie(const struct arr_movie *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_health(const struct arr_health_item *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_profile(const struct arr_quality_profile *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_history(const struct arr_history *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_queue(const struct arr_queue_item *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }
static int s_indexer(const struct arr_indexer_status *x, void *a, struct err *e) { (void)x; (void)a; return enough(e); }

#define STREAM(what, expr) do { \
		struct err e_ = ERR_INIT; \
		struct err *e = &e_; \
		first_request = arr_client_requests(cur); \
		if ((expr) < 0) \
			request_failed((what), e); \
	} while (0)

static void
streams(struct arr_client *c)
{
	struct arr_system_status st;
	char api[16];

	cur = c;
	STREAM("/api", arr_api_version_get(c, api, sizeof(api), e));
	STREAM("system/status", arr_system_status_get(c, &st, e));
	STREAM("health", arr_health_each(c, s_health, NULL, e));
	if (dialect == ARR_DIALECT_PROWLARR) {
		STREAM("indexerstatus", arr_indexer_status_each(c, s_indexer, NULL, e));
		return;
	}
	STREAM("qualityprofile", arr_quality_profile_each(c, s_profile, NULL, e));
	STREAM("queue", arr_queue_each(c, s_queue, NULL, e));
	STREAM("history/since", arr_history_since(c, 946684800LL * 1000000, "grabbed", s_history, NULL, e));
	if (dialect == ARR_DIALECT_SONARR || dialect == ARR_DIALECT_WHISPARR_V2) {
		STREAM("series", arr_series_each(c, s_series, NULL, e));
		STREAM("episode", arr_episode_each(c, 1, 1, s_episode, NULL, e));
		STREAM("episodefile", arr_episode_file_each(c, 1, s_file, NULL, e));
		STREAM("wanted/missing", arr_wanted_episode_each(c, ARR_WANTED_MISSING, 1, s_episode, NULL, e));
		STREAM("wanted/cutoff", arr_wanted_episode_each(c, ARR_WANTED_CUTOFF, 1, s_episode, NULL, e));
	} else {
		STREAM("movie", arr_movie_each(c, s_movie, NULL, e));
		if (dialect == ARR_DIALECT_RADARR)
			STREAM("wanted/missing", arr_wanted_movie_each(c, ARR_WANTED_MISSING, 1, s_movie, NULL, e));
	}
}

static void
run(const char *url, const char *key)
{
	struct arr_client_opts o = { 0 };
	struct arr_client *c = NULL;
	struct err e = ERR_INIT;
	int sonarr_like = dialect == ARR_DIALECT_SONARR || dialect == ARR_DIALECT_WHISPARR_V2;

	o.app = strncmp(app, "whisparr", 8) == 0 ? ARR_APP_WHISPARR : arr_app_from_name(app);
	o.base_url = url;
	o.api_key = key;
	o.timeout_ms = 20000;
	o.retry.attempts = 1;
	ck_assert_msg(arr_client_new(&o, &c, &e) == 0, "client: %s", e.msg);
	arr_client_set_dialect(c, dialect);
	endpoint(c, "/api", K_API);
	endpoint(c, "+/system/status", K_STATUS);
	endpoint(c, "+/health", K_HEALTH);
	if (dialect == ARR_DIALECT_PROWLARR) {
		endpoint(c, "+/indexerstatus", K_INDEXER);
	} else {
		endpoint(c, "+/qualityprofile", K_PROFILE);
		endpoint(c, "+/command/1", K_COMMAND);
		endpoint(c, "+/queue?page=1&pageSize=1000&sortKey=timeleft&sortDirection=ascending", K_QUEUE);
		endpoint(c, "+/history/since?date=2000-01-01T00:00:00Z&eventType=grabbed", K_HISTORY);
	}
	if (sonarr_like) {
		endpoint(c, "+/series", K_SERIES);
		endpoint(c, "+/episode?seriesId=1", K_EPISODE);
		endpoint(c, "+/episode?seriesId=1&includeEpisodeFile=true", K_EPISODE);
		endpoint(c, "+/episodefile?seriesId=1", K_FILE);
		endpoint(c, "+/wanted/missing?page=1&pageSize=1000&sortKey=episodes.airDateUtc"
			 "&sortDirection=ascending&monitored=true", K_EPISODE);
		endpoint(c, "+/wanted/cutoff?page=1&pageSize=1000&sortKey=episodes.airDateUtc"
			 "&sortDirection=ascending&monitored=true", K_EPISODE);
	} else if (dialect != ARR_DIALECT_PROWLARR) {
		endpoint(c, "+/movie", K_MOVIE);
		endpoint(c, "+/movie/1", K_MOVIE);
		if (dialect == ARR_DIALECT_RADARR)
			endpoint(c, "+/wanted/missing?page=1&pageSize=1000&sortKey=movieMetadata.sortTitle"
				 "&sortDirection=ascending&monitored=true", K_MOVIE);
	}
	streams(c);
	arr_client_free(c);
	fflush(stdout);
}

static enum arr_dialect
dialect_of(const char *name)
{
	if (strcmp(name, "whisparr2") == 0)
		return ARR_DIALECT_WHISPARR_V2;
	if (strcmp(name, "whisparr3") == 0)
		return ARR_DIALECT_WHISPARR_V3;
	if (strcmp(name, "radarr") == 0)
		return ARR_DIALECT_RADARR;
	if (strcmp(name, "prowlarr") == 0)
		return ARR_DIALECT_PROWLARR;
	return ARR_DIALECT_SONARR;
}

static void
teardown(void)
{
	if (fake_started)
		fakearr_stop(&fake);
	fake_started = 0;
}

START_TEST(test_parsers_read_exactly_or_skip_made_up_answers)
{
	const char *url = getenv("COMRADARR_CONTRACT_MOCK_URL");
	const char *key = getenv("COMRADARR_CONTRACT_KEY");
	size_t i;

	app = NULL;
	for (i = 0; i < NAPPS; i++)
		if (strcmp(apps[i], getenv("COMRADARR_CONTRACT_APP") ? getenv("COMRADARR_CONTRACT_APP") : "") == 0)
			app = apps[i];
	ck_assert_msg(app != NULL && key != NULL, "COMRADARR_CONTRACT_APP (sonarr, radarr, whisparr2, "
		      "whisparr3 or prowlarr) and _KEY must be set with COMRADARR_CONTRACT_MOCK_URL");
	dialect = dialect_of(app);
	run(url, key);
}
END_TEST

START_TEST(test_parsers_read_exactly_or_skip_faulty_fake_answers)
{
	const char *const args[] = { "--app", apps[_i], "--series", "3", "--seasons", "2",
		"--episodes", "5", "--movies", "10", "--missing", "0.4", NULL };
	struct err e = ERR_INIT;

	app = apps[_i];
	dialect = dialect_of(app);
	ck_assert_msg(fakearr_start(&fake, NULL, args, &e) == 0, "fakearr_start %s: %s", app, e.msg);
	fake_started = 1;
	ck_assert_msg(fakearr_call(&fake, "POST", "/__fake/health",
				   "[{\"source\":\"A\",\"type\":\"warning\",\"message\":\"m\"},{\"type\":\"error\"}]",
				   NULL, &e) == 0, "set health: %s", e.msg);
	ck_assert_msg(fakearr_call(&fake, "POST", "/__fake/fault",
				   "{\"kind\":\"missing_fields\",\"rate\":0.4}", NULL, &e) == 0 &&
		      fakearr_call(&fake, "POST", "/__fake/fault", "{\"kind\":\"unknown_fields\"}",
				   NULL, &e) == 0, "set faults: %s", e.msg);
	if (dialect != ARR_DIALECT_PROWLARR)	/* so GET command/1 has one to show */
		ck_assert_msg(fakearr_call(&fake, "POST", "/api/v3/command",
					   dialect == ARR_DIALECT_SONARR || dialect == ARR_DIALECT_WHISPARR_V2 ?
					   "{\"name\":\"SeriesSearch\",\"seriesId\":1}" :
					   "{\"name\":\"MoviesSearch\",\"movieIds\":[1]}", NULL, &e) == 0,
			      "POST command: %s", e.msg);
	run(fake.url, fake.api_key);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("contract_mock");
	TCase *tc = tcase_create("parsers");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	if (getenv("COMRADARR_CONTRACT_MOCK_URL") != NULL)
		tcase_add_test(tc, test_parsers_read_exactly_or_skip_made_up_answers);
	else
		tcase_add_loop_test(tc, test_parsers_read_exactly_or_skip_faulty_fake_answers,
				    0, (int)NAPPS);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
