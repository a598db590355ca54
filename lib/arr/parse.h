/*
 * parse.h - one *arr JSON resource -> one struct from model.h.
 *
 * Pure functions, no curl: the stream reader (client.h) and the pager
 * (page.h) hand each element here.  Unknown members are ignored (Req 27.7).
 * A record missing a required member (listed in model.h) is not an error
 * for the list: the parser logs a warning naming the record's id and the
 * member and returns ARR_SKIPPED, and the caller goes on with the next
 * record (Req 27.8).
 *
 * Every parser returns ARR_PARSED (0) or ARR_SKIPPED (1), or -1 with e
 * filled only when memory ran out.  out is always fully overwritten; for
 * structs with owned members call the matching *_release() afterwards,
 * whatever the result.
 */
#ifndef COMRADARR_ARR_PARSE_H
#define COMRADARR_ARR_PARSE_H

#include <jansson.h>

#include "arr/model.h"
#include "core/err.h"

enum {
	ARR_PARSED = 0,
	ARR_SKIPPED = 1
};

int arr_series_parse(const json_t *j, struct arr_series *out, struct err *e);
void arr_series_release(struct arr_series *s);

/* dialect decides whether episodeNumber is required (not in Whisparr v2). */
int arr_episode_parse(const json_t *j, enum arr_dialect dialect,
		      struct arr_episode *out, struct err *e);
int arr_episode_file_parse(const json_t *j, struct arr_episode_file *out,
			   struct err *e);
int arr_movie_parse(const json_t *j, struct arr_movie *out, struct err *e);

int arr_quality_profile_parse(const json_t *j, struct arr_quality_profile *out,
			      struct err *e);
void arr_quality_profile_release(struct arr_quality_profile *p);

int arr_command_parse(const json_t *j, struct arr_command *out, struct err *e);
/* "completed" -> ARR_CMD_COMPLETED ...; anything else ARR_CMD_UNKNOWN. */
enum arr_command_state arr_command_state_parse(const char *status);
/* completed, failed, aborted, cancelled, orphaned and gone (404). */
int arr_command_state_terminal(enum arr_command_state s);

int arr_history_parse(const json_t *j, struct arr_history *out, struct err *e);
int arr_queue_item_parse(const json_t *j, struct arr_queue_item *out,
			 struct err *e);
int arr_health_item_parse(const json_t *j, struct arr_health_item *out,
			  struct err *e);
int arr_system_status_parse(const json_t *j, struct arr_system_status *out,
			    struct err *e);
int arr_indexer_status_parse(const json_t *j, struct arr_indexer_status *out,
			     struct err *e);

/* GET /api: {"current":"v3"} -> "v3" into out.  ARR_PARSED or ARR_SKIPPED. */
int arr_api_info_parse(const json_t *j, char *out, size_t size);

/*
 * Log "skipping <resource> <id>: required field '<field>' ..." and return
 * ARR_SKIPPED.  Shared by the parsers; the id is read from j when present.
 */
int arr_parse_skip(const char *resource, const json_t *j, const char *field);

/*
 * "5.6.0.8846" -> {5, 6, 0, 8846}; missing parts are 0.  Returns 0, or -1
 * when s does not start with a number.
 */
int arr_version_parse(const char *s, int parts[4]);
/* <0, 0, >0 like strcmp. */
int arr_version_cmp(const int a[4], const int b[4]);

#endif
