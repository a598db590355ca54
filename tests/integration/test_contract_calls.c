/*
 * test_contract_calls.c - every request Comradarr sends to an *arr app, in
 * the order a sync makes them, against one app dialect.
 *
 * Two ways to run:
 *   - alone (tests/run.sh): for each app the fake *arr plays (sonarr,
 *     radarr, whisparr2, whisparr3, prowlarr) start it and make every call
 *     directly: the client and the fake agree end to end;
 *   - from tests/contract/run.sh, which puts a validating proxy built from
 *     the app's published OpenAPI document between the two and sets
 *       COMRADARR_CONTRACT_URL       the proxy ("http://127.0.0.1:P")
 *       COMRADARR_CONTRACT_FAKE_URL  the fake itself (its /__fake control API
 *                                    is in no document, so it goes around)
 *       COMRADARR_CONTRACT_APP       sonarr|radarr|whisparr2|whisparr3|prowlarr
 *       COMRADARR_CONTRACT_KEY       the fake's API key
 *     A request the document rejects, or an answer of the fake that breaks
 *     it, comes back as a 422/500 problem document; the failing request is
 *     replayed to print that document in full.
 * Each call must succeed and must have carried records, so the validation
 * covered real content (Req 23-29, 38).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakearr_ctl.h"
#include "arr/app.h"
#include "arr/client.h"
#include "arr/command.h"
#include "arr/parse.h"
#include "arr/probe.h"
#include "arr/prowlarr.h"
#include "arr/radarr.h"
#include "arr/sonarr.h"
#include "core/clock.h"
#include "core/banned.h"

static const char *const apps[] = { "sonarr", "radarr", "whisparr2", "whisparr3", "prowlarr" };
#define NAPPS (sizeof(apps) / sizeof(apps[0]))

/* Where the calls go, and the fake behind them. */
struct target {
	const char *app;
	char url[64];		/* the proxy, or the fake itself */
	struct fakearr fake;	/* url and key of the fake (control API) */
	int started;		/* we started the fake and stop it */
	const char *body;	/* the JSON of the POST in flight, for replay */
};

static struct target tg;

static enum arr_app
app_of(const char *name)
{
	return strncmp(name, "whisparr", 8) == 0 ? ARR_APP_WHISPARR : arr_app_from_name(name);
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

static int
series_shaped(void)
{
	enum arr_dialect d = dialect_of(tg.app);

	return d == ARR_DIALECT_SONARR || d == ARR_DIALECT_WHISPARR_V2;
}

/*
 * A call failed: when it went through the proxy, send the same request
 * again (the client's message names it: 'GET /api/v3/series') to show the
 * whole problem document, which lists every violation.
 */
static void
fail_call(const char *step, const struct err *e)
{
	char method[8] = "", path[512] = "", doc[4096] = "";
	const char *q = strchr(e->msg, '\''), *sp, *end;
	struct fakearr via = tg.fake;
	struct fakearr_resp r;
	struct err re = ERR_INIT;

	if (strcmp(tg.url, tg.fake.url) != 0 && q != NULL &&
	    (sp = strchr(q + 1, ' ')) != NULL && (end = strchr(sp + 1, '\'')) != NULL &&
	    (size_t)(sp - q - 1) < sizeof(method) && (size_t)(end - sp - 1) < sizeof(path)) {
		memcpy(method, q + 1, (size_t)(sp - q - 1));
		memcpy(path, sp + 1, (size_t)(end - sp - 1));
		snprintf(via.url, sizeof(via.url), "%s", tg.url);
		memset(&r, 0, sizeof(r));
		if (fakearr_request(&via, method, path, via.api_key,
				    strcmp(method, "POST") == 0 ? tg.body : NULL, &r, &re) == 0 ||
		    r.body != NULL)
			snprintf(doc, sizeof(doc), "\n  replayed %s %s -> %ld: %s", method, path,
				 r.status, r.body != NULL ? r.body : "");
		fakearr_resp_free(&r);
	}
	ck_abort_msg("%s %s: expected success, got (%s, HTTP %d) %s%s", tg.app, step,
		     err_kind_name(e->kind), e->http_status, e->msg, doc);
}

#define CALL(step, expr) do { \
		struct err e_ = ERR_INIT; \
		struct err *e = &e_; \
		if ((expr) < 0) \
			fail_call(step, e); \
	} while (0)

static void
control(const char *method, const char *path, const char *body)
{
	struct err e = ERR_INIT;

	ck_assert_msg(fakearr_call(&tg.fake, method, path, body, NULL, &e) == 0,
		      "fake control %s %s: %s", method, path, e.msg);
}

static void
report(const char *what, long n)
{
	/* run.sh collects these lines into its per-app coverage summary */
	printf("contract %s: %s -> %ld records\n", tg.app, what, n);
	fflush(stdout);
}

/* ---------------------------------------------------------------- counting callbacks */

struct acc {
	long n;
	int first_id;
	int ids[BATCH_MAX_IDS];
	size_t nids;
	int season;
};

static void
acc_id(struct acc *a, int id)
{
	if (a->n++ == 0)
		a->first_id = id;
	if (a->nids < BATCH_MAX_IDS)
		a->ids[a->nids++] = id;
}

static int
on_series(const struct arr_series *s, void *arg, struct err *e)
{
	struct acc *a = arg;

	(void)e;
	if (a->n == 0 && s->nseasons > 0)
		a->season = s->seasons[s->nseasons - 1].season_number;
	acc_id(a, s->id);
	return 0;
}

static int
on_episode(const struct arr_episode *ep, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, ep->id);
	return 0;
}

static int
on_file(const struct arr_episode_file *f, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, f->id);
	return 0;
}

static int
on_movie(const struct arr_movie *m, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, m->id);
	return 0;
}

static int
on_movie_file_id(const struct arr_movie *m, void *arg, struct err *e)
{
	(void)e;
	if (m->has_movie_file && m->movie_file_id > 0)
		acc_id(arg, m->movie_file_id);
	return 0;
}

static int
on_scored_file(const struct arr_episode_file *f, void *arg, struct err *e)
{
	(void)e;
	if (f->has_custom_format_score)
		acc_id(arg, f->id);
	return 0;
}

static int
on_health(const struct arr_health_item *h, void *arg, struct err *e)
{
	(void)h;
	(void)e;
	((struct acc *)arg)->n++;
	return 0;
}

static int
on_profile(const struct arr_quality_profile *p, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, p->id);
	return 0;
}

static int
on_history(const struct arr_history *h, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, h->id);
	return 0;
}

static int
on_queue(const struct arr_queue_item *q, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, q->id);
	return 0;
}

static int
on_indexer(const struct arr_indexer_status *s, void *arg, struct err *e)
{
	(void)e;
	acc_id(arg, s->indexer_id);
	return 0;
}

/* ---------------------------------------------------------------- the calls */

/*
 * Health entries as the app's own checks word them.  The Sonarr-based
 * documents describe wikiUrl as an HttpUri object while every app sends a
 * string; it is left out there so the fixture is valid for every document.
 */
static void
seed_fixtures(void)
{
	int wiki = !series_shaped() && strcmp(tg.app, "whisparr3") != 0;
	char body[1024];

	snprintf(body, sizeof(body),
		 "[{\"source\":\"IndexerRssCheck\",\"type\":\"warning\",\"message\":"
		 "\"All rss-capable indexers are temporarily unavailable due to recent indexer errors\"%s},"
		 "{\"source\":\"DownloadClientCheck\",\"type\":\"error\",\"message\":"
		 "\"Unable to communicate with qBittorrent\"%s}]",
		 wiki ? ",\"wikiUrl\":\"https://wiki.servarr.com/system#indexers\"" : "",
		 wiki ? ",\"wikiUrl\":\"https://wiki.servarr.com/system#download-clients\"" : "");
	control("POST", "/__fake/health", body);
	if (strcmp(tg.app, "prowlarr") == 0)
		control("POST", "/__fake/indexerstatus",
			"[{\"id\":1,\"indexerId\":3,\"disabledTill\":\"2099-01-01T00:00:00Z\","
			"\"mostRecentFailure\":\"2026-01-01T00:00:00Z\","
			"\"initialFailure\":\"2025-12-31T23:00:00Z\"}]");
}

static void
discovery(struct arr_client *c)
{
	struct arr_system_status st;
	struct arr_probe_report pr;
	struct acc h = { 0 };
	char api[16];

	CALL("GET /ping", arr_client_ping(c, e));
	report("GET /ping", 1);
	CALL("GET /api", arr_api_version_get(c, api, sizeof(api), e));
	ck_assert_msg(strcmp(api, "v3") == 0 || strcmp(api, "v1") == 0,
		      "%s /api: expected v3 or v1, got \"%s\"", tg.app, api);
	report("GET /api", 1);
	CALL("GET system/status", arr_client_detect(c, &st, e));
	ck_assert_msg(arr_client_dialect(c) == dialect_of(tg.app),
		      "%s: system/status (%s %s) gave dialect %d, expected %d", tg.app,
		      st.app_name, st.version, (int)arr_client_dialect(c), (int)dialect_of(tg.app));
	report("GET system/status", 1);

	CALL("probe", arr_probe(c, &pr, e));
	ck_assert_msg(pr.facts.answered && pr.first_error.kind == ERR_NONE,
		      "%s probe: expected an answer, got %s: %s", tg.app,
		      arr_health_name(pr.health), pr.first_error.msg);
	ck_assert_msg(pr.health == ARR_HEALTH_DEGRADED,
		      "%s probe: a warning and an error entry should say degraded, got %s",
		      tg.app, arr_health_name(pr.health));
	CALL("GET health", arr_health_each(c, on_health, &h, e));
	ck_assert_msg(h.n == 2, "%s health: expected the 2 entries set, got %ld", tg.app, h.n);
	report("GET health", h.n);
}

static void
series_calls(struct arr_client *c, struct acc *missing)
{
	struct acc s = { 0 }, ep = { 0 }, epf = { 0 }, f = { 0 }, cut = { 0 }, unmon = { 0 };

	CALL("GET series", arr_series_each(c, on_series, &s, e));
	ck_assert_msg(s.n > 0, "%s series: expected some, got none", tg.app);
	report("GET series", s.n);
	CALL("GET episode?seriesId", arr_episode_each(c, s.first_id, 0, on_episode, &ep, e));
	ck_assert_msg(ep.n > 0, "%s episodes of series %d: expected some", tg.app, s.first_id);
	report("GET episode?seriesId", ep.n);
	CALL("GET episode?seriesId&includeEpisodeFile",
	     arr_episode_each(c, s.first_id, 1, on_episode, &epf, e));
	report("GET episode?seriesId&includeEpisodeFile=true", epf.n);
	CALL("GET episodefile?seriesId", arr_episode_file_each(c, s.first_id, on_file, &f, e));
	ck_assert_msg(f.n > 0, "%s files of series %d: expected some", tg.app, s.first_id);
	report("GET episodefile?seriesId", f.n);
	CALL("GET wanted/missing", arr_wanted_episode_each(c, ARR_WANTED_MISSING, 1,
							     on_episode, missing, e));
	ck_assert_msg(missing->n > 0, "%s wanted/missing: expected some", tg.app);
	report("GET wanted/missing (monitored)", missing->n);
	CALL("GET wanted/missing unmonitored",
	     arr_wanted_episode_each(c, ARR_WANTED_MISSING, 0, on_episode, &unmon, e));
	report("GET wanted/missing (unmonitored)", unmon.n);
	CALL("GET wanted/cutoff", arr_wanted_episode_each(c, ARR_WANTED_CUTOFF, 1,
							    on_episode, &cut, e));
	ck_assert_msg(cut.n > 0, "%s wanted/cutoff: expected some", tg.app);
	report("GET wanted/cutoff", cut.n);
	missing->first_id = s.first_id;	/* reused for the series searches */
	missing->season = s.season;
}

static void
movie_calls(struct arr_client *c, struct acc *missing)
{
	struct acc m = { 0 }, cut = { 0 };
	struct arr_movie one;
	char path[64];
	json_t *j = NULL;
	int rc;

	CALL("GET movie", arr_movie_each(c, on_movie, &m, e));
	ck_assert_msg(m.n > 0, "%s movies: expected some, got none", tg.app);
	report("GET movie", m.n);
	/* one movie with its file's custom formats, as the cutoff check reads it */
	snprintf(path, sizeof(path), "%s/movie/%d", arr_client_api(c), m.first_id);
	CALL("GET movie/{id}", arr_client_get_json(c, path, &j, e));
	rc = arr_movie_parse(j, &one, NULL);
	json_decref(j);
	ck_assert_msg(rc == ARR_PARSED && one.id == m.first_id,
		      "%s movie/%d: expected it parsed, got rc %d id %d", tg.app, m.first_id, rc, one.id);
	report("GET movie/{id}", 1);
	/* the custom-format scores the list leaves out, as a sync reads them */
	{
		struct acc fids = { 0 }, scored = { 0 };

		CALL("GET movie", arr_movie_each(c, on_movie_file_id, &fids, e));
		ck_assert_msg(fids.nids > 0, "%s: expected movies with files", tg.app);
		CALL("GET moviefile", arr_movie_file_each(c, fids.ids, fids.nids, on_scored_file,
							  &scored, e));
		ck_assert_msg(scored.nids == fids.nids, "%s moviefile: %zu of %zu files came back "
			      "with a score", tg.app, scored.nids, fids.nids);
		report("GET moviefile", scored.n);
	}
	if (dialect_of(tg.app) == ARR_DIALECT_RADARR) {
		CALL("GET wanted/missing", arr_wanted_movie_each(c, ARR_WANTED_MISSING, 1,
								 on_movie, missing, e));
		ck_assert_msg(missing->n > 0, "%s wanted/missing: expected some", tg.app);
		report("GET wanted/missing", missing->n);
		CALL("GET wanted/cutoff", arr_wanted_movie_each(c, ARR_WANTED_CUTOFF, 1,
								on_movie, &cut, e));
		report("GET wanted/cutoff", cut.n);
	} else {
		/* Whisparr v3 has no /wanted: the gaps come from the movie list */
		missing->ids[0] = m.first_id;
		missing->nids = 1;
	}
}

static void
send_command(struct arr_client *c, json_t *body, const char *step, int *ids, int *nids)
{
	struct arr_command cmd;
	char *s = json_dumps(body, JSON_COMPACT);

	tg.body = s;
	CALL(step, arr_command_send(c, body, &cmd, e));
	ck_assert_msg(cmd.id > 0 && cmd.state != ARR_CMD_UNKNOWN,
		      "%s %s: expected a command with an id and a state, got id %d status \"%s\"",
		      tg.app, step, cmd.id, cmd.status);
	report(step, 1);
	ids[(*nids)++] = cmd.id;
	tg.body = NULL;
	free(s);
	json_decref(body);
}

static void
command_calls(struct arr_client *c, const struct acc *missing)
{
	int ids[4], nids = 0, i;
	json_t *b = NULL;
	struct acc hist = { 0 }, q = { 0 };

	if (series_shaped()) {
		CALL("build EpisodeSearch", arr_command_episode_search(missing->ids, missing->nids, &b, e));
		send_command(c, b, "POST command EpisodeSearch", ids, &nids);
		CALL("build SeasonSearch", arr_command_season_search(missing->first_id, missing->season, &b, e));
		send_command(c, b, "POST command SeasonSearch", ids, &nids);
		CALL("build SeriesSearch", arr_command_series_search(missing->first_id, &b, e));
		send_command(c, b, "POST command SeriesSearch", ids, &nids);
	} else {
		CALL("build MoviesSearch", arr_command_movies_search(missing->ids, missing->nids, &b, e));
		send_command(c, b, "POST command MoviesSearch", ids, &nids);
	}
	/* finish them on the fake's clock (--command-ms 1000) with the grabs still queued */
	control("POST", "/__fake/clock", "{\"advance_ms\":1200}");
	for (i = 0; i < nids; i++) {
		struct arr_command cmd;

		CALL("GET command/{id}", arr_command_wait(c, ids[i], clock_now_us() + 30000000,
							  50, &cmd, e));
		ck_assert_msg(cmd.state == ARR_CMD_COMPLETED, "%s command %d: expected completed, got \"%s\"",
			      tg.app, ids[i], cmd.status);
	}
	report("GET command/{id}", nids);
	CALL("GET queue", arr_queue_each(c, on_queue, &q, e));
	ck_assert_msg(q.n > 0, "%s queue: expected the grabs of the searches, got none", tg.app);
	report("GET queue", q.n);
	control("POST", "/__fake/import", "{}");
	CALL("GET history/since grabbed", arr_history_since(c, 946684800LL * 1000000, "grabbed",
							    on_history, &hist, e));
	ck_assert_msg(hist.n > 0, "%s history/since: expected grabbed events, got none", tg.app);
	report("GET history/since?eventType=grabbed", hist.n);
	memset(&hist, 0, sizeof(hist));
	CALL("GET history/since", arr_history_since(c, 946684800LL * 1000000, NULL,
						    on_history, &hist, e));
	report("GET history/since", hist.n);
}

static void
run_calls(void)
{
	struct arr_client_opts o = { 0 };
	struct arr_client *c = NULL;
	struct acc missing = { 0 }, prof = { 0 }, idx = { 0 };

	o.app = app_of(tg.app);
	o.base_url = tg.url;
	o.api_key = tg.fake.api_key;
	o.timeout_ms = 20000;
	o.retry.attempts = 1;	/* a violation is not worth a retry */
	CALL("client", arr_client_new(&o, &c, e));
	seed_fixtures();
	discovery(c);
	if (strcmp(tg.app, "prowlarr") == 0) {
		CALL("GET indexerstatus", arr_indexer_status_each(c, on_indexer, &idx, e));
		ck_assert_msg(idx.n == 1 && idx.first_id == 3,
			      "prowlarr indexerstatus: expected indexer 3, got %ld entries", idx.n);
		report("GET indexerstatus", idx.n);
		arr_client_free(c);
		return;
	}
	CALL("GET qualityprofile", arr_quality_profile_each(c, on_profile, &prof, e));
	ck_assert_msg(prof.n > 0, "%s qualityprofile: expected some", tg.app);
	report("GET qualityprofile", prof.n);
	if (series_shaped())
		series_calls(c, &missing);
	else
		movie_calls(c, &missing);
	command_calls(c, &missing);
	arr_client_free(c);
}

/* ---------------------------------------------------------------- tests */

static void
teardown(void)
{
	if (tg.started)
		fakearr_stop(&tg.fake);
	memset(&tg, 0, sizeof(tg));
}

START_TEST(test_every_client_call_succeeds_against_each_fake_app)
{
	const char *const args[] = { "--app", apps[_i], "--series", "3", "--seasons", "2",
		"--episodes", "4", "--movies", "8", "--missing", "0.4", "--cutoff", "0.4",
		"--grab", "1", "--import", "1", "--command-ms", "1000", NULL };
	struct err e = ERR_INIT;

	memset(&tg, 0, sizeof(tg));
	tg.app = apps[_i];
	ck_assert_msg(fakearr_start(&tg.fake, NULL, args, &e) == 0, "fakearr_start %s: %s",
		      apps[_i], e.msg);
	tg.started = 1;
	snprintf(tg.url, sizeof(tg.url), "%s", tg.fake.url);
	run_calls();
}
END_TEST

START_TEST(test_every_client_call_passes_the_app_spec)
{
	const char *app = getenv("COMRADARR_CONTRACT_APP");
	const char *url = getenv("COMRADARR_CONTRACT_URL");
	const char *fake = getenv("COMRADARR_CONTRACT_FAKE_URL");
	const char *key = getenv("COMRADARR_CONTRACT_KEY");
	size_t i;

	memset(&tg, 0, sizeof(tg));
	for (i = 0; i < NAPPS; i++)
		if (app != NULL && strcmp(app, apps[i]) == 0)
			tg.app = apps[i];
	ck_assert_msg(tg.app != NULL && fake != NULL && key != NULL,
		      "COMRADARR_CONTRACT_APP (one of sonarr radarr whisparr2 whisparr3 prowlarr), "
		      "_FAKE_URL and _KEY must be set with COMRADARR_CONTRACT_URL");
	snprintf(tg.url, sizeof(tg.url), "%s", url);
	snprintf(tg.fake.url, sizeof(tg.fake.url), "%s", fake);
	snprintf(tg.fake.api_key, sizeof(tg.fake.api_key), "%s", key);
	run_calls();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("contract_calls");
	TCase *tc = tcase_create("calls");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	if (getenv("COMRADARR_CONTRACT_URL") != NULL)
		tcase_add_test(tc, test_every_client_call_passes_the_app_spec);
	else
		tcase_add_loop_test(tc, test_every_client_call_succeeds_against_each_fake_app,
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
