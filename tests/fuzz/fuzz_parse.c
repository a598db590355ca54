/*
 * libFuzzer target: every parser on whatever JSON the input holds, the way
 * the client feeds them (one element at a time through the splitter, then
 * the quality model round trip).  Parsers must never crash, leak or read
 * out of bounds, whatever members are missing or mistyped.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arr/jsplit.h"
#include "arr/page.h"
#include "arr/parse.h"
#include "arr/quality.h"
#include "core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
no_op(json_t *r, void *arg, struct err *e)
{
	(void)r;
	(void)arg;
	(void)e;
	return 0;
}

static void
parse_all(const json_t *j)
{
	struct arr_series se;
	struct arr_episode ep;
	struct arr_episode_file ef;
	struct arr_movie mv;
	struct arr_quality_profile qp;
	struct arr_command cm;
	struct arr_history hi;
	struct arr_queue_item qu;
	struct arr_health_item he;
	struct arr_system_status st;
	struct arr_indexer_status ix;
	struct arr_quality q, q2;
	struct arr_pager pg;
	char api[16];

	arr_series_parse(j, &se, NULL);
	arr_series_release(&se);
	arr_episode_parse(j, ARR_DIALECT_SONARR, &ep, NULL);
	arr_episode_parse(j, ARR_DIALECT_WHISPARR_V2, &ep, NULL);
	arr_episode_file_parse(j, &ef, NULL);
	arr_movie_parse(j, &mv, NULL);
	arr_quality_profile_parse(j, &qp, NULL);
	arr_quality_profile_release(&qp);
	arr_command_parse(j, &cm, NULL);
	arr_history_parse(j, &hi, NULL);
	arr_queue_item_parse(j, &qu, NULL);
	arr_health_item_parse(j, &he, NULL);
	arr_system_status_parse(j, &st, NULL);
	arr_indexer_status_parse(j, &ix, NULL);
	arr_api_info_parse(j, api, sizeof(api));
	arr_pager_init(&pg, 10);
	arr_pager_feed(&pg, j, no_op, NULL, NULL);
	arr_pager_release(&pg);
	if (arr_quality_from_json(j, &q, NULL) == 0) {
		json_t *back = arr_quality_to_json(&q);

		if (back == NULL || arr_quality_from_json(back, &q2, NULL) < 0 ||
		    !arr_quality_equal(&q, &q2))
			__builtin_trap();
		json_decref(back);
	}
}

static int
element(const char *d, size_t len, void *arg, struct err *e)
{
	json_t *j = json_loadb(d, len, JSON_DECODE_ANY, NULL);

	(void)arg;
	(void)e;
	if (j != NULL)
		parse_all(j);
	json_decref(j);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int quiet;
	struct jsplit s;
	struct err e = ERR_INIT;
	json_t *whole;

	if (!quiet) {
		/* skip warnings are expected by the thousand */
		log_set_level(LOG_LEVEL_ERROR);
		quiet = 1;
	}
	whole = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (whole != NULL)
		parse_all(whole);
	json_decref(whole);
	jsplit_init(&s, 1 << 16, element, NULL);
	if (jsplit_feed(&s, (const char *)data, size, &e) == 0)
		jsplit_finish(&s, &e);
	jsplit_release(&s);
	return 0;
}
