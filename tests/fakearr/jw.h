/*
 * jw.h - a small streaming JSON writer producing the *arr apps' layout:
 * two-space indentation, `"key": value`, empty containers as [] and {}.
 *
 * The writer appends to a caller-owned struct buf and keeps only a depth
 * and a "first member" bit per level, so a list of a million records can be
 * written a few records at a time (the fake streams big answers).  A writer
 * may start at any depth, to write the records inside an array that some
 * other code opened.  Keys and string values are escaped here; nothing is
 * allocated except by the buffer.  Errors (the buffer's cap) are sticky in
 * w->err.
 */
#ifndef FAKEARR_JW_H
#define FAKEARR_JW_H

#include <stdint.h>

#include "core/buf.h"

struct jw {
	struct buf *b;
	int depth;
	uint64_t notfirst;	/* bit d set: level d already has a member */
	int err;
};

/* Start writing at depth (0 for a whole document) as if a member had
 * already been written at that depth when notfirst is non-zero. */
void jw_init(struct jw *w, struct buf *b, int depth, int notfirst);

/* key is NULL inside arrays (and for the top-level value). */
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);

void jw_str(struct jw *w, const char *key, const char *s);	/* s NULL: nothing */
void jw_int(struct jw *w, const char *key, long long v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_dbl(struct jw *w, const char *key, double v);
/* An ISO 8601 UTC time "2024-01-02T03:04:05Z"; us <= 0 writes nothing. */
void jw_time(struct jw *w, const char *key, int64_t us);
/* A bare date "2024-01-02". */
void jw_date(struct jw *w, const char *key, int64_t us);
/* Pre-formatted JSON text (e.g. from jansson) written as the value. */
void jw_raw(struct jw *w, const char *key, const char *json);

/* Format helpers shared with the renderers. */
void fa_fmt_time(char *out, size_t size, int64_t us);
void fa_fmt_date(char *out, size_t size, int64_t us);
/* A .NET TimeSpan "hh:mm:ss.fffffff". */
void fa_fmt_span(char *out, size_t size, int64_t us);

#endif
