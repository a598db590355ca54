/*
 * stream.c - big list answers rendered a few hundred records at a time
 * inside libmicrohttpd's content reader, so a 250 MB /movie answer never
 * exists as one string.  The state lock is taken per chunk, not for the
 * whole answer: other requests (and mutations) go on meanwhile, and a
 * record removed in between is simply skipped.
 */
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "fakearr.h"
#include "core/banned.h"

#define CHUNK_RECORDS 256
#define CHUNK_BYTES (256 * 1024)

struct fa_stream {
	struct fa_state *st;
	enum fa_rec kind;
	int *ids;
	size_t n, pos, written;
	unsigned flags;
	char *prefix, *suffix;
	int depth;
	struct buf pend;
	size_t off;
	int phase;		/* 0 prefix, 1 records, 2 end, 3 done */
	long missing_every;
	int unknown, truncate;
};

struct fa_stream *
fa_stream_new(struct fa_state *st, enum fa_rec kind, int *ids, size_t n,
	      unsigned flags, const char *prefix, const char *suffix, int depth)
{
	struct fa_stream *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		free(ids);
		return NULL;
	}
	s->st = st;
	s->kind = kind;
	s->ids = ids;
	s->n = n;
	s->flags = flags;
	s->prefix = strdup(prefix);
	s->suffix = strdup(suffix);
	s->depth = depth;
	buf_init(&s->pend, 0);
	if (s->prefix == NULL || s->suffix == NULL) {
		fa_stream_free(s);
		return NULL;
	}
	return s;
}

void
fa_stream_set_faults(struct fa_stream *s, long missing_every, int unknown, int truncate)
{
	s->missing_every = missing_every;
	s->unknown = unknown;
	s->truncate = truncate;
}

void
fa_stream_free(struct fa_stream *s)
{
	if (s == NULL)
		return;
	free(s->ids);
	free(s->prefix);
	free(s->suffix);
	buf_release(&s->pend);
	free(s);
}

static void
dump_line(struct fa_state *st, struct buf *b, size_t idx)
{
	char t[40];

	if (idx < st->series.n) {
		struct fa_series *s = FA_SERIES(st, idx);

		if (s->removed)
			return;
		buf_appendf(b, "{\"type\":\"series\",\"id\":%d,\"monitored\":%s,\"profileId\":%d,\"episodes\":%d}\n",
			    s->id, s->monitored ? "true" : "false", s->profile_id, s->n_eps);
		return;
	}
	idx -= st->series.n;
	if (idx < st->episodes.n) {
		struct fa_episode *e = FA_EP(st, idx);
		struct fa_file *f;

		if (e->removed)
			return;
		f = fa_file_get(st, e->file_id);
		fa_fmt_time(t, sizeof(t), e->air_us);
		buf_appendf(b, "{\"type\":\"episode\",\"id\":%d,\"seriesId\":%d,\"season\":%d,\"number\":%d,"
			    "\"monitored\":%s,\"hasFile\":%s,\"fileId\":%d,\"qualityId\":%d,\"cfScore\":%d,"
			    "\"airDateUtc\":\"%s\"}\n",
			    e->id, e->series_id, e->season, e->number, e->monitored ? "true" : "false",
			    f ? "true" : "false", f ? f->id : 0, f ? f->quality_id : 0,
			    f ? f->cf_score : 0, t);
		return;
	}
	idx -= st->episodes.n;
	if (idx < st->movies.n) {
		struct fa_movie *m = FA_MOVIE(st, idx);
		struct fa_file *f;

		if (m->removed)
			return;
		f = fa_file_get(st, m->file_id);
		buf_appendf(b, "{\"type\":\"movie\",\"id\":%d,\"monitored\":%s,\"hasFile\":%s,\"fileId\":%d,"
			    "\"qualityId\":%d,\"cfScore\":%d,\"isAvailable\":%s}\n",
			    m->id, m->monitored ? "true" : "false", f ? "true" : "false",
			    f ? f->id : 0, f ? f->quality_id : 0, f ? f->cf_score : 0,
			    m->release_us <= st->now_us ? "true" : "false");
	}
}

static void
fill(struct fa_stream *s)
{
	struct fa_state *st = s->st;
	size_t limit = s->truncate ? s->n / 2 : s->n;
	int k = 0;

	buf_reset(&s->pend);
	s->off = 0;
	if (s->phase == 0) {
		buf_append_str(&s->pend, s->prefix);
		if (s->truncate && s->n < 2)
			s->pend.len /= 2;	/* nothing to cut mid-way: cut the frame */
		s->phase = 1;
		return;
	}
	if (s->phase == 1) {
		pthread_mutex_lock(&st->mu);
		if (s->kind == FA_REC_DUMP) {
			if (s->n == 0)
				s->n = limit = st->series.n + st->episodes.n + st->movies.n;
			while (s->pos < limit && k++ < CHUNK_RECORDS * 4)
				dump_line(st, &s->pend, s->pos++);
		} else {
			struct jw w;

			jw_init(&w, &s->pend, s->depth, s->written > 0);
			while (s->pos < limit && k++ < CHUNK_RECORDS && s->pend.len < CHUNK_BYTES) {
				unsigned fl = s->flags;

				if (s->unknown)
					fl |= FA_ADD_UNKNOWN;
				if (s->missing_every > 0 && (s->written + 1) % (size_t)s->missing_every == 0)
					fl |= FA_DROP_REQUIRED;
				if (fa_render(st, &w, s->kind, s->ids[s->pos++], fl) == 0)
					s->written++;
			}
		}
		pthread_mutex_unlock(&st->mu);
		if (s->pos >= limit)
			s->phase = s->truncate ? 3 : 2;
		return;
	}
	if (s->phase == 2) {
		if (s->kind != FA_REC_DUMP) {
			if (s->written > 0) {
				int i;

				buf_putc(&s->pend, '\n');
				for (i = 0; i < s->depth - 1; i++)
					buf_append(&s->pend, "  ", 2);
			}
			buf_putc(&s->pend, ']');
		}
		buf_append_str(&s->pend, s->suffix);
		s->phase = 3;
	}
}

ssize_t
fa_stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct fa_stream *s = cls;
	size_t n;

	(void)pos;
	while (s->off >= s->pend.len) {
		if (s->phase == 3)
			return MHD_CONTENT_READER_END_OF_STREAM;
		fill(s);
	}
	n = s->pend.len - s->off;
	if (n > max)
		n = max;
	memcpy(out, s->pend.data + s->off, n);
	s->off += n;
	pthread_mutex_lock(&s->st->mu);
	s->st->bytes_sent += n;
	pthread_mutex_unlock(&s->st->mu);
	return (ssize_t)n;
}

void
fa_stream_done(void *cls)
{
	fa_stream_free(cls);
}
