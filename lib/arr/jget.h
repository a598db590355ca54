/*
 * jget.h - read typed members out of a jansson object, leniently.
 *
 * The *arr answers omit nulls and add fields from version to version, so
 * every reader here says whether the member was present with the right type
 * and leaves the output alone when it was not.  Strings are copied into
 * fixed buffers and cut at a UTF-8 character boundary.  Pure.
 */
#ifndef COMRADARR_ARR_JGET_H
#define COMRADARR_ARR_JGET_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Each returns 1 when the member exists with a usable type, else 0. */
int jget_int(const json_t *obj, const char *key, int *out);
int jget_int64(const json_t *obj, const char *key, int64_t *out);
int jget_double(const json_t *obj, const char *key, double *out);
int jget_bool(const json_t *obj, const char *key, bool *out);
/* out gets "" when the member is absent, null or not a string. */
int jget_str(const json_t *obj, const char *key, char *out, size_t size);
/* An ISO 8601 member into microseconds; 0 (ARR_NO_TIME) when absent or bad. */
int jget_time(const json_t *obj, const char *key, int64_t *out);

/* Copy s into out (size > 0), cutting at a UTF-8 boundary. */
void jget_copy(char *out, size_t size, const char *s);

#endif
