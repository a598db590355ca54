/*
 * model.h - the *arr resources as plain C structs.
 *
 * These are what the parsers (parse.h) fill and what comradarr-sync writes
 * with COPY.  Conventions, so a consumer never has to guess:
 *   - strings are fixed arrays, always NUL-terminated, "" when the field was
 *     absent or null; a longer value is cut at a UTF-8 character boundary;
 *   - times are microseconds since the epoch (clock_parse_iso8601), and
 *     ARR_NO_TIME (0) when absent;
 *   - an optional number that may legitimately be absent comes with a has_
 *     flag; otherwise an absent number is 0 and an absent boolean false.
 * Structs with a pointer member have a *_release() function in parse.h.
 */
#ifndef COMRADARR_ARR_MODEL_H
#define COMRADARR_ARR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARR_NO_TIME 0

/*
 * Which API an instance speaks.  Whisparr v2 is Sonarr-like and v3 is
 * Radarr-like; both report appName "Whisparr", so the dialect comes from the
 * version major (arr_dialect_from_status in app.h).
 */
enum arr_app {
	ARR_APP_UNKNOWN = 0,
	ARR_APP_SONARR,
	ARR_APP_RADARR,
	ARR_APP_WHISPARR,
	ARR_APP_PROWLARR
};

enum arr_dialect {
	ARR_DIALECT_SONARR = 0,		/* series / episodes, /api/v3 */
	ARR_DIALECT_RADARR,		/* movies, /api/v3 */
	ARR_DIALECT_WHISPARR_V2,	/* Sonarr-like, releaseDate, no episodeNumber */
	ARR_DIALECT_WHISPARR_V3,	/* Radarr-like, itemType, no /wanted */
	ARR_DIALECT_PROWLARR		/* indexers, /api/v1 */
};

/* QualityModel (Req 14.4, 27.5). */
struct arr_quality {
	int id;			/* quality.id */
	char name[64];		/* quality.name, "Bluray-1080p" */
	char source[32];	/* quality.source, "bluray", "webdl" */
	int resolution;		/* quality.resolution, 1080 */
	int revision_version;	/* revision.version, 1 */
	int revision_real;	/* revision.real */
	bool revision_is_repack;	/* revision.isRepack */
};

struct arr_season {
	int season_number;
	bool monitored;
	bool has_statistics;
	int total_episode_count;
	int episode_count;
	int episode_file_count;
	int64_t size_on_disk;
	double percent_of_episodes;
	int64_t next_airing;
	int64_t previous_airing;
};

struct arr_series {
	int id;			/* required */
	char title[512];	/* required */
	char sort_title[512];
	char status[32];	/* continuing, ended, upcoming, deleted */
	char series_type[16];	/* standard, daily, anime */
	char imdb_id[32];
	int tvdb_id;
	int tmdb_id;
	int year;
	int quality_profile_id;
	int runtime;
	bool monitored;
	int64_t added;
	int64_t first_aired;
	int64_t next_airing;
	int64_t previous_airing;
	/* statistics */
	int season_count;
	int episode_count;
	int episode_file_count;
	int total_episode_count;
	int64_t size_on_disk;
	double percent_of_episodes;
	/* owned: freed by arr_series_release() */
	struct arr_season *seasons;
	size_t nseasons;
};

struct arr_episode_file {
	int id;			/* required */
	int series_id;
	int season_number;
	int movie_id;		/* Radarr movieFile */
	char relative_path[512];
	char release_group[128];
	int64_t size;
	int64_t date_added;
	bool has_quality;
	struct arr_quality quality;
	bool has_custom_format_score;	/* left out of Radarr's /movie list */
	int custom_format_score;
	bool quality_cutoff_not_met;
};

struct arr_episode {
	int id;			/* required */
	int series_id;		/* required */
	int season_number;	/* required; the year in Whisparr v2 */
	bool has_episode_number;	/* required except in Whisparr v2 */
	int episode_number;
	int absolute_episode_number;
	int tvdb_id;
	int episode_file_id;
	int runtime;
	char title[512];
	char air_date[16];	/* "2024-01-31", the local air date */
	int64_t air_date_utc;
	int64_t release_date;	/* Whisparr v2 */
	int64_t last_search_time;
	int64_t grab_date;
	bool has_file;
	bool monitored;
	/* with includeEpisodeFile=true */
	bool has_episode_file;
	struct arr_episode_file episode_file;
};

struct arr_movie {
	int id;			/* required */
	char title[512];	/* required */
	char sort_title[512];
	int tmdb_id;		/* required */
	char imdb_id[32];
	int year;
	int quality_profile_id;
	int runtime;
	int movie_file_id;
	bool has_file;
	bool monitored;
	bool is_available;
	char status[32];		/* tba, announced, inCinemas, released, deleted */
	char minimum_availability[32];
	char item_type[16];		/* Whisparr v3: movie, scene */
	int64_t size_on_disk;
	int64_t added;
	int64_t in_cinemas;
	int64_t digital_release;
	int64_t physical_release;
	int64_t release_date;
	int64_t last_search_time;
	bool has_movie_file;
	struct arr_episode_file movie_file;	/* movie_id set, series fields 0 */
};

struct arr_profile_item {
	int quality_id;		/* 0 for a group header */
	char quality_name[64];
	int group_id;		/* the group the quality sits in, 0 if none */
	char group_name[64];
	bool allowed;
};

struct arr_quality_profile {
	int id;			/* required */
	char name[128];		/* required */
	bool upgrade_allowed;
	int cutoff;		/* a quality id or a group id */
	int cutoff_format_score;
	int min_format_score;
	int min_upgrade_format_score;
	/* owned: freed by arr_quality_profile_release(); qualities flattened */
	struct arr_profile_item *items;
	size_t nitems;
};

enum arr_command_state {
	ARR_CMD_UNKNOWN = 0,
	ARR_CMD_QUEUED,
	ARR_CMD_STARTED,
	ARR_CMD_COMPLETED,
	ARR_CMD_FAILED,
	ARR_CMD_ABORTED,
	ARR_CMD_CANCELLED,
	ARR_CMD_ORPHANED,
	ARR_CMD_GONE		/* 404: the app forgot it (after 5 min / 1 day) */
};

struct arr_command {
	int id;			/* required */
	char name[64];		/* required */
	char status[16];	/* required, as sent */
	enum arr_command_state state;
	char result[16];	/* "successful" says nothing about grabs */
	char message[512];
	int64_t queued;
	int64_t started;
	int64_t ended;
};

struct arr_history {
	int id;			/* required */
	char event_type[32];	/* required: grabbed, downloadFolderImported ... */
	int64_t date;		/* required */
	int episode_id;
	int series_id;
	int movie_id;
	char source_title[512];
	char download_id[128];
	bool has_quality;
	struct arr_quality quality;
	bool has_custom_format_score;
	int custom_format_score;
	bool quality_cutoff_not_met;
};

struct arr_queue_item {
	int id;			/* required */
	int series_id;
	int episode_id;
	int season_number;
	int movie_id;
	char title[512];
	char status[32];
	char tracked_download_status[16];
	char tracked_download_state[32];
	char download_id[128];
	char protocol[16];
	char download_client[128];
	char indexer[128];
	char error_message[512];
	double size;
	double sizeleft;
	int64_t added;
	int64_t estimated_completion_time;
	bool has_quality;
	struct arr_quality quality;
};

struct arr_health_item {
	char source[64];
	char type[16];		/* notice, warning, error */
	char message[512];	/* required */
	char wiki_url[256];
};

struct arr_system_status {
	char app_name[32];	/* required: Sonarr, Radarr, Whisparr, Prowlarr */
	char version[32];	/* required */
	int version_parts[4];	/* 5.6.0.8846 -> {5, 6, 0, 8846} */
	char instance_name[128];
	char branch[32];
	char url_base[128];
	int64_t start_time;
};

struct arr_indexer_status {
	int id;
	int indexer_id;		/* required */
	int64_t disabled_till;
	int64_t most_recent_failure;
	int64_t initial_failure;
};

#endif
