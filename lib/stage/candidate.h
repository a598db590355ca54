/*
 * candidate.h - a search candidate as a JSON line, and its priority.
 *
 * comradarr-discover prints one "candidate" line per candidate and
 * comradarr-enqueue reads them back (possibly filtered by jq in between), so
 * the format is defined once, here:
 *
 *   {"event":"candidate","ts":...,"connector":"tv","type":"gap",
 *    "kind":"episode","id":1234,"registry_id":77,"new":true,"state":"pending",
 *    "reason":"missing","series":"Lost","series_id":12,"season":2,"episode":5,
 *    "title":"...","air_date":"2024-01-02T03:04:05.000Z","priority":13000,
 *    "priority_inputs":{"released":...,"missing_since":...,"last_search":...,
 *     "attempts":0,"series_override":0,"item_override":0}}
 *
 * Movies carry "year" and "release_date" instead of the series fields;
 * upgrades add "quality", "cf_score" and "cutoff_cf_score".  What enqueue
 * needs from a line is (connector, kind, type, id): everything else is
 * re-read from the database, which is the truth.
 */
#ifndef COMRADARR_STAGE_CANDIDATE_H
#define COMRADARR_STAGE_CANDIDATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "db/registry.h"
#include "policy/priority.h"

/* The priority weights from settings "priority.*" (defaults for any not
 * set); a bad value is an ERR_CONFIG naming the setting. */
int candidate_weights_load(PGconn *db, struct priority_weights *w, struct err *e);

/* The priority of a row at now_us (Req 5.1).  Pure.  b may be NULL. */
int candidate_priority(const struct registry_row *row, int64_t now_us,
		       const struct priority_weights *w, struct priority_breakdown *b);

/* The breakdown as a JSON object (new reference). */
json_t *candidate_breakdown_json(const struct priority_breakdown *b);

/* The candidate line's members (without event/ts) for row; a new reference. */
json_t *candidate_json(const char *connector, const struct registry_row *row, int priority);

/* What enqueue takes from a line. */
struct candidate_key {
	char connector[64];
	enum registry_kind kind;
	enum registry_type type;
	int arr_id;
};

enum candidate_parse {
	CANDIDATE_OK = 0,	/* *key filled */
	CANDIDATE_IGNORED,	/* a known non-candidate line (a summary): skip quietly */
	CANDIDATE_BAD		/* malformed or unknown: why says what */
};

/*
 * Parse one line (without its newline).  Pure.  An empty or blank line is
 * IGNORED.  why (may be NULL) gets a short reason for BAD.
 */
enum candidate_parse candidate_parse_line(const char *line, size_t len, struct candidate_key *key,
					  char *why, size_t whysize);

#endif
