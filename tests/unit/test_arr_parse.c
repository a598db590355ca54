/*
 * Parsers: fixtures use the field names of the real OpenAPI specs; unknown
 * fields are ignored (Req 27.7), records missing a required field are
 * skipped and the rest continue (Req 27.8).
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "arr/jsplit.h"
#include "arr/parse.h"
#include "arr/quality.h"
#include "core/clock.h"
#include "core/log.h"

static json_t *
load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "fixture is not JSON: %s", je.text);
	return j;
}

static int64_t
ts(const char *iso)
{
	int64_t us = 0;

	ck_assert_int_eq(clock_parse_iso8601(iso, &us), 0);
	return us;
}

static const char SERIES[] =
	"{\"id\":12,\"title\":\"Lost\",\"sortTitle\":\"lost\",\"status\":\"ended\","
	"\"ended\":true,\"tvdbId\":73739,\"tmdbId\":4607,\"imdbId\":\"tt0411008\","
	"\"year\":2004,\"qualityProfileId\":4,\"monitored\":true,\"runtime\":45,"
	"\"seriesType\":\"standard\",\"added\":\"2020-05-01T10:00:00Z\","
	"\"previousAiring\":\"2010-05-24T01:00:00Z\",\"futureField\":{\"x\":[1]},"
	"\"seasons\":[{\"seasonNumber\":0,\"monitored\":false,\"statistics\":"
	"{\"episodeFileCount\":0,\"episodeCount\":0,\"totalEpisodeCount\":28,"
	"\"sizeOnDisk\":0,\"percentOfEpisodes\":0}},"
	"{\"seasonNumber\":1,\"monitored\":true,\"statistics\":{\"previousAiring\":"
	"\"2005-05-26T01:00:00Z\",\"episodeFileCount\":24,\"episodeCount\":25,"
	"\"totalEpisodeCount\":25,\"sizeOnDisk\":53687091200,\"releaseGroups\":[\"X\"],"
	"\"percentOfEpisodes\":96.0}}],"
	"\"statistics\":{\"seasonCount\":6,\"episodeFileCount\":120,\"episodeCount\":121,"
	"\"totalEpisodeCount\":150,\"sizeOnDisk\":300000000000,\"percentOfEpisodes\":99.17}}";

START_TEST(test_series_with_season_statistics_is_parsed)
{
	json_t *j = load(SERIES);
	struct arr_series s;

	ck_assert_int_eq(arr_series_parse(j, &s, NULL), ARR_PARSED);
	ck_assert_int_eq(s.id, 12);
	ck_assert_str_eq(s.title, "Lost");
	ck_assert_str_eq(s.status, "ended");
	ck_assert_int_eq(s.tvdb_id, 73739);
	ck_assert_str_eq(s.imdb_id, "tt0411008");
	ck_assert_int_eq(s.quality_profile_id, 4);
	ck_assert(s.monitored);
	ck_assert_int_eq(s.added, ts("2020-05-01T10:00:00Z"));
	ck_assert_int_eq(s.next_airing, ARR_NO_TIME);
	ck_assert_int_eq(s.season_count, 6);
	ck_assert_int_eq(s.total_episode_count, 150);
	ck_assert(s.size_on_disk == 300000000000LL);
	ck_assert_uint_eq(s.nseasons, 2);
	ck_assert_int_eq(s.seasons[0].season_number, 0);
	ck_assert(!s.seasons[0].monitored);
	ck_assert_int_eq(s.seasons[0].total_episode_count, 28);
	ck_assert_int_eq(s.seasons[1].episode_file_count, 24);
	ck_assert_int_eq(s.seasons[1].episode_count, 25);
	ck_assert(s.seasons[1].size_on_disk == 53687091200LL);
	ck_assert_double_eq_tol(s.seasons[1].percent_of_episodes, 96.0, 1e-9);
	ck_assert_int_eq(s.seasons[1].previous_airing, ts("2005-05-26T01:00:00Z"));
	arr_series_release(&s);
	json_decref(j);
}
END_TEST

START_TEST(test_sonarr_episode_with_file_is_parsed)
{
	json_t *j = load(
		"{\"id\":501,\"seriesId\":12,\"tvdbId\":127131,\"episodeFileId\":77,"
		"\"seasonNumber\":1,\"episodeNumber\":2,\"title\":\"Pilot (2)\","
		"\"airDate\":\"2004-09-29\",\"airDateUtc\":\"2004-09-30T01:00:00Z\","
		"\"lastSearchTime\":\"2024-03-01T12:30:00.5Z\",\"runtime\":42,"
		"\"hasFile\":true,\"monitored\":true,\"unverifiedSceneNumbering\":false,"
		"\"episodeFile\":{\"id\":77,\"seriesId\":12,\"seasonNumber\":1,"
		"\"size\":1234567890,\"customFormatScore\":-10,\"qualityCutoffNotMet\":true,"
		"\"quality\":{\"quality\":{\"id\":4,\"name\":\"HDTV-720p\",\"source\":"
		"\"television\",\"resolution\":720},\"revision\":{\"version\":2,\"real\":0,"
		"\"isRepack\":true}}}}");
	struct arr_episode ep;

	ck_assert_int_eq(arr_episode_parse(j, ARR_DIALECT_SONARR, &ep, NULL), ARR_PARSED);
	ck_assert_int_eq(ep.id, 501);
	ck_assert_int_eq(ep.series_id, 12);
	ck_assert_int_eq(ep.season_number, 1);
	ck_assert(ep.has_episode_number);
	ck_assert_int_eq(ep.episode_number, 2);
	ck_assert_str_eq(ep.air_date, "2004-09-29");
	ck_assert_int_eq(ep.air_date_utc, ts("2004-09-30T01:00:00Z"));
	ck_assert_int_eq(ep.last_search_time, ts("2024-03-01T12:30:00.5Z"));
	ck_assert(ep.has_file && ep.monitored);
	ck_assert(ep.has_episode_file);
	ck_assert_int_eq(ep.episode_file.id, 77);
	ck_assert(ep.episode_file.quality_cutoff_not_met);
	ck_assert(ep.episode_file.has_custom_format_score);
	ck_assert_int_eq(ep.episode_file.custom_format_score, -10);
	ck_assert(ep.episode_file.has_quality);
	ck_assert_str_eq(ep.episode_file.quality.name, "HDTV-720p");
	ck_assert_str_eq(ep.episode_file.quality.source, "television");
	ck_assert_int_eq(ep.episode_file.quality.resolution, 720);
	ck_assert_int_eq(ep.episode_file.quality.revision_version, 2);
	ck_assert(ep.episode_file.quality.revision_is_repack);
	json_decref(j);
}
END_TEST

START_TEST(test_whisparr_v2_scene_needs_no_episode_number)
{
	/* Whisparr v2 EpisodeResource: releaseDate, no episodeNumber/airDateUtc */
	json_t *j = load(
		"{\"id\":9,\"seriesId\":3,\"seasonNumber\":2023,\"title\":\"Scene\","
		"\"releaseDate\":\"2023-06-01\",\"hasFile\":false,\"monitored\":true,"
		"\"actors\":[{\"name\":\"x\"}],\"episodeFileId\":0}");
	struct arr_episode ep;

	ck_assert_int_eq(arr_episode_parse(j, ARR_DIALECT_WHISPARR_V2, &ep, NULL),
			 ARR_PARSED);
	ck_assert(!ep.has_episode_number);
	ck_assert_int_eq(ep.season_number, 2023);
	ck_assert_int_eq(ep.air_date_utc, ARR_NO_TIME);
	ck_assert_int_eq(ep.release_date, ts("2023-06-01"));
	/* the same record from Sonarr lacks a required field */
	ck_assert_int_eq(arr_episode_parse(j, ARR_DIALECT_SONARR, &ep, NULL),
			 ARR_SKIPPED);
	json_decref(j);
}
END_TEST

START_TEST(test_radarr_movie_list_without_custom_format_score)
{
	/* in GET /movie, movieFile has no customFormats/customFormatScore */
	json_t *j = load(
		"{\"id\":42,\"title\":\"Heat\",\"sortTitle\":\"heat\",\"year\":1995,"
		"\"tmdbId\":949,\"imdbId\":\"tt0113277\",\"hasFile\":true,\"movieFileId\":8,"
		"\"monitored\":true,\"isAvailable\":true,\"minimumAvailability\":\"released\","
		"\"status\":\"released\",\"qualityProfileId\":1,\"sizeOnDisk\":9000000000,"
		"\"inCinemas\":\"1995-12-15T00:00:00Z\",\"popularity\":12.5,"
		"\"movieFile\":{\"id\":8,\"movieId\":42,\"size\":9000000000,"
		"\"dateAdded\":\"2021-01-02T03:04:05Z\",\"qualityCutoffNotMet\":false,"
		"\"quality\":{\"quality\":{\"id\":7,\"name\":\"Bluray-1080p\",\"source\":"
		"\"bluray\",\"resolution\":1080},\"revision\":{\"version\":1,\"real\":0,"
		"\"isRepack\":false}}}}");
	struct arr_movie m;

	ck_assert_int_eq(arr_movie_parse(j, &m, NULL), ARR_PARSED);
	ck_assert_int_eq(m.id, 42);
	ck_assert_str_eq(m.title, "Heat");
	ck_assert_int_eq(m.tmdb_id, 949);
	ck_assert_str_eq(m.imdb_id, "tt0113277");
	ck_assert_int_eq(m.year, 1995);
	ck_assert(m.has_file && m.is_available && m.monitored);
	ck_assert_str_eq(m.minimum_availability, "released");
	ck_assert_int_eq(m.movie_file_id, 8);
	ck_assert(m.has_movie_file);
	ck_assert_int_eq(m.movie_file.movie_id, 42);
	ck_assert(!m.movie_file.has_custom_format_score);
	ck_assert(!m.movie_file.quality_cutoff_not_met);
	ck_assert_str_eq(m.movie_file.quality.name, "Bluray-1080p");
	ck_assert_int_eq(m.in_cinemas, ts("1995-12-15T00:00:00Z"));
	ck_assert_str_eq(m.item_type, "");
	json_decref(j);
}
END_TEST

START_TEST(test_whisparr_v3_item_type_is_read)
{
	json_t *j = load("{\"id\":1,\"title\":\"S\",\"tmdbId\":0,\"itemType\":\"scene\","
			 "\"hasFile\":false}");
	struct arr_movie m;

	ck_assert_int_eq(arr_movie_parse(j, &m, NULL), ARR_PARSED);
	ck_assert_str_eq(m.item_type, "scene");
	json_decref(j);
}
END_TEST

static int seen_ids[16];
static int nseen;

static int
movie_element(const char *data, size_t len, void *arg, struct err *e)
{
	json_t *j = json_loadb(data, len, JSON_DECODE_ANY, NULL);
	struct arr_movie m;
	int rc;

	(void)arg;
	ck_assert_ptr_nonnull(j);
	rc = arr_movie_parse(j, &m, e);
	json_decref(j);
	if (rc == ARR_PARSED && nseen < 16)
		seen_ids[nseen++] = m.id;
	return rc < 0 ? -1 : 0;
}

START_TEST(test_record_missing_a_required_field_is_skipped_and_the_list_continues)
{
	/* 2 has no title, 3 has a string id, 4 has no tmdbId */
	const char *doc = "[{\"id\":1,\"title\":\"A\",\"tmdbId\":11},"
			  "{\"id\":2,\"tmdbId\":12},"
			  "{\"id\":\"3\",\"title\":\"C\",\"tmdbId\":13},"
			  "{\"id\":4,\"title\":\"D\"},"
			  "\"not an object\","
			  "{\"id\":5,\"title\":\"E\",\"tmdbId\":15,\"unknown\":[{}]}]";
	struct jsplit s;
	struct err e = ERR_INIT;
	FILE *logs = tmpfile();
	char line[4096];
	int warned_title = 0;

	log_set_stream(logs);
	nseen = 0;
	jsplit_init(&s, 0, movie_element, NULL);
	ck_assert_int_eq(jsplit_feed(&s, doc, strlen(doc), &e), 0);
	ck_assert_int_eq(jsplit_finish(&s, &e), 0);
	jsplit_release(&s);
	log_set_stream(stderr);
	ck_assert_msg(nseen == 2 && seen_ids[0] == 1 && seen_ids[1] == 5,
		      "expected movies 1 and 5 to survive, got %d movies", nseen);
	rewind(logs);
	while (fgets(line, sizeof(line), logs) != NULL)
		if (strstr(line, "movie 2") && strstr(line, "'title'"))
			warned_title = 1;
	ck_assert_msg(warned_title, "expected a warning naming movie 2 and 'title'");
	fclose(logs);
}
END_TEST

START_TEST(test_quality_profile_groups_are_flattened)
{
	json_t *j = load(
		"{\"id\":4,\"name\":\"HD\",\"upgradeAllowed\":true,\"cutoff\":1001,"
		"\"minFormatScore\":0,\"cutoffFormatScore\":100,\"formatItems\":[],"
		"\"items\":[{\"quality\":{\"id\":1,\"name\":\"SDTV\"},\"items\":[],"
		"\"allowed\":false},{\"id\":1001,\"name\":\"WEB 1080p\",\"allowed\":true,"
		"\"items\":[{\"quality\":{\"id\":3,\"name\":\"WEBDL-1080p\"},\"items\":[],"
		"\"allowed\":true},{\"quality\":{\"id\":15,\"name\":\"WEBRip-1080p\"},"
		"\"items\":[],\"allowed\":true}]}]}");
	struct arr_quality_profile p;

	ck_assert_int_eq(arr_quality_profile_parse(j, &p, NULL), ARR_PARSED);
	ck_assert_int_eq(p.cutoff, 1001);
	ck_assert(p.upgrade_allowed);
	ck_assert_int_eq(p.cutoff_format_score, 100);
	ck_assert_uint_eq(p.nitems, 3);
	ck_assert_int_eq(p.items[0].quality_id, 1);
	ck_assert(!p.items[0].allowed);
	ck_assert_int_eq(p.items[0].group_id, 0);
	ck_assert_int_eq(p.items[2].quality_id, 15);
	ck_assert_int_eq(p.items[2].group_id, 1001);
	ck_assert_str_eq(p.items[2].group_name, "WEB 1080p");
	ck_assert(p.items[2].allowed);
	arr_quality_profile_release(&p);
	json_decref(j);
}
END_TEST

START_TEST(test_command_and_its_states)
{
	json_t *j = load(
		"{\"id\":1234,\"name\":\"EpisodeSearch\",\"commandName\":\"Episode Search\","
		"\"message\":\"Completed. 1 reports downloaded.\",\"status\":\"completed\","
		"\"result\":\"successful\",\"queued\":\"2024-01-01T00:00:00Z\","
		"\"started\":\"2024-01-01T00:00:01Z\",\"ended\":\"2024-01-01T00:00:09Z\","
		"\"body\":{\"episodeIds\":[1,2]},\"trigger\":\"manual\"}");
	struct arr_command c;

	ck_assert_int_eq(arr_command_parse(j, &c, NULL), ARR_PARSED);
	ck_assert_int_eq(c.id, 1234);
	ck_assert_str_eq(c.name, "EpisodeSearch");
	ck_assert_int_eq(c.state, ARR_CMD_COMPLETED);
	ck_assert_str_eq(c.message, "Completed. 1 reports downloaded.");
	ck_assert_int_eq(c.ended - c.started, 8000000);
	json_decref(j);

	ck_assert_int_eq(arr_command_state_parse("queued"), ARR_CMD_QUEUED);
	ck_assert_int_eq(arr_command_state_parse("orphaned"), ARR_CMD_ORPHANED);
	ck_assert_int_eq(arr_command_state_parse("weird"), ARR_CMD_UNKNOWN);
	ck_assert(!arr_command_state_terminal(ARR_CMD_QUEUED));
	ck_assert(!arr_command_state_terminal(ARR_CMD_STARTED));
	ck_assert(!arr_command_state_terminal(ARR_CMD_UNKNOWN));
	ck_assert(arr_command_state_terminal(ARR_CMD_COMPLETED));
	ck_assert(arr_command_state_terminal(ARR_CMD_FAILED));
	ck_assert(arr_command_state_terminal(ARR_CMD_ABORTED));
	ck_assert(arr_command_state_terminal(ARR_CMD_CANCELLED));
	ck_assert(arr_command_state_terminal(ARR_CMD_ORPHANED));
	ck_assert(arr_command_state_terminal(ARR_CMD_GONE));
}
END_TEST

START_TEST(test_history_queue_health_status_indexer)
{
	json_t *h = load("{\"id\":3,\"episodeId\":501,\"seriesId\":12,\"sourceTitle\":"
			 "\"Lost.S01E02\",\"date\":\"2024-02-02T02:02:02Z\",\"eventType\":"
			 "\"grabbed\",\"downloadId\":\"ABC\",\"data\":{\"indexer\":\"x\"}}");
	json_t *q = load("{\"id\":8,\"movieId\":42,\"title\":\"Heat.1995\",\"status\":"
			 "\"downloading\",\"size\":1000.0,\"sizeleft\":250.5,"
			 "\"trackedDownloadState\":\"downloading\",\"protocol\":\"torrent\"}");
	json_t *hl = load("{\"source\":\"IndexerRssCheck\",\"type\":\"warning\","
			  "\"message\":\"All indexers are unavailable\",\"wikiUrl\":\"http://w\"}");
	json_t *st = load("{\"appName\":\"Radarr\",\"instanceName\":\"Radarr\","
			  "\"version\":\"5.6.0.8846\",\"branch\":\"master\",\"urlBase\":\"\"}");
	json_t *ix = load("{\"id\":1,\"indexerId\":7,\"disabledTill\":\"2030-01-01T00:00:00Z\"}");
	struct arr_history hr;
	struct arr_queue_item qi;
	struct arr_health_item hi;
	struct arr_system_status ss;
	struct arr_indexer_status is;
	char api[16];
	json_t *a = load("{\"current\":\"v3\",\"deprecated\":[]}");

	ck_assert_int_eq(arr_history_parse(h, &hr, NULL), ARR_PARSED);
	ck_assert_str_eq(hr.event_type, "grabbed");
	ck_assert_int_eq(hr.episode_id, 501);
	ck_assert_int_eq(arr_queue_item_parse(q, &qi, NULL), ARR_PARSED);
	ck_assert_int_eq(qi.movie_id, 42);
	ck_assert_double_eq_tol(qi.sizeleft, 250.5, 1e-9);
	ck_assert_int_eq(arr_health_item_parse(hl, &hi, NULL), ARR_PARSED);
	ck_assert_str_eq(hi.type, "warning");
	ck_assert_int_eq(arr_system_status_parse(st, &ss, NULL), ARR_PARSED);
	ck_assert_str_eq(ss.app_name, "Radarr");
	ck_assert_int_eq(ss.version_parts[0], 5);
	ck_assert_int_eq(ss.version_parts[3], 8846);
	ck_assert_int_eq(arr_indexer_status_parse(ix, &is, NULL), ARR_PARSED);
	ck_assert_int_eq(is.indexer_id, 7);
	ck_assert_int_eq(is.disabled_till, ts("2030-01-01T00:00:00Z"));
	ck_assert_int_eq(arr_api_info_parse(a, api, sizeof(api)), ARR_PARSED);
	ck_assert_str_eq(api, "v3");
	json_decref(h);
	json_decref(q);
	json_decref(hl);
	json_decref(st);
	json_decref(ix);
	json_decref(a);
}
END_TEST

START_TEST(test_versions_parse_and_compare)
{
	int a[4], b[4];

	ck_assert_int_eq(arr_version_parse("4.0.14.2939", a), 0);
	ck_assert_int_eq(arr_version_parse("4.0.2", b), 0);
	ck_assert_int_gt(arr_version_cmp(a, b), 0);
	ck_assert_int_eq(arr_version_parse("5.6.0.8846", a), 0);
	ck_assert_int_eq(arr_version_parse("5.6.0.8846", b), 0);
	ck_assert_int_eq(arr_version_cmp(a, b), 0);
	ck_assert_int_eq(arr_version_parse("v5", a), -1);
	ck_assert_int_eq(arr_version_parse("", a), -1);
}
END_TEST

START_TEST(test_long_titles_are_cut_at_a_character_boundary)
{
	char big[700];
	json_t *j;
	struct arr_series s;
	size_t n;

	/* "é" is two bytes: 350 of them cannot fit 511 bytes evenly */
	for (int i = 0; i < 349; i++) {
		big[2 * i] = (char)0xC3;
		big[2 * i + 1] = (char)0xA9;
	}
	big[698] = '\0';
	j = json_pack("{s:i, s:s}", "id", 1, "title", big);
	ck_assert_int_eq(arr_series_parse(j, &s, NULL), ARR_PARSED);
	n = strlen(s.title);
	ck_assert_msg(n == 510, "expected 510 bytes (255 whole characters), got %zu", n);
	arr_series_release(&s);
	json_decref(j);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_parse");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_series_with_season_statistics_is_parsed);
	tcase_add_test(tc, test_sonarr_episode_with_file_is_parsed);
	tcase_add_test(tc, test_whisparr_v2_scene_needs_no_episode_number);
	tcase_add_test(tc, test_radarr_movie_list_without_custom_format_score);
	tcase_add_test(tc, test_whisparr_v3_item_type_is_read);
	tcase_add_test(tc, test_record_missing_a_required_field_is_skipped_and_the_list_continues);
	tcase_add_test(tc, test_quality_profile_groups_are_flattened);
	tcase_add_test(tc, test_command_and_its_states);
	tcase_add_test(tc, test_history_queue_health_status_indexer);
	tcase_add_test(tc, test_versions_parse_and_compare);
	tcase_add_test(tc, test_long_titles_are_cut_at_a_character_boundary);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
