/*
 * quality.h - the normalised QualityModel and its JSON form (Req 14.4-14.5,
 * Req 27.5).
 *
 * The JSON form is the *arr's own QualityModel shape, so what the mirror
 * stores can be compared with, or sent back to, the apps as is:
 *   {"quality":{"id":7,"name":"Bluray-1080p","source":"bluray","resolution":1080},
 *    "revision":{"version":1,"real":0,"isRepack":false}}
 * arr_quality_from_json(arr_quality_to_json(q)) == q for every q whose
 * strings fit their buffers (a property test proves it).
 */
#ifndef COMRADARR_ARR_QUALITY_H
#define COMRADARR_ARR_QUALITY_H

#include <jansson.h>

#include "arr/model.h"
#include "core/err.h"

/*
 * A new JSON object (the caller owns the reference), or NULL when memory
 * ran out.
 */
json_t *arr_quality_to_json(const struct arr_quality *q);

/*
 * Fill q from a QualityModel object.  quality.id and quality.name are
 * required; everything else defaults to 0/""/false.  Unknown members are
 * ignored.  Returns 0, or -1 with ERR_PARSE naming what is missing.
 */
int arr_quality_from_json(const json_t *j, struct arr_quality *q, struct err *e);

/* 1 when every field is equal. */
int arr_quality_equal(const struct arr_quality *a, const struct arr_quality *b);

#endif
