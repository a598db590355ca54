/*
 * jw.c - the indented JSON writer (see jw.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jw.h"
#include "core/banned.h"

void
jw_init(struct jw *w, struct buf *b, int depth, int notfirst)
{
	w->b = b;
	w->depth = depth;
	w->notfirst = notfirst ? ((uint64_t)1 << depth) : 0;
	w->err = 0;
}

static void
put(struct jw *w, const char *s, size_t n)
{
	if (!w->err && buf_append(w->b, s, n) < 0)
		w->err = 1;
}

static void
indent(struct jw *w, int depth)
{
	static const char spaces[] = "                                                                ";
	int n = depth * 2;

	put(w, "\n", 1);
	while (n > 0) {
		int k = n > 64 ? 64 : n;

		put(w, spaces, (size_t)k);
		n -= k;
	}
}

static void
put_escaped(struct jw *w, const char *s)
{
	const char *run = s;

	put(w, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(w, esc, 2);
		} else {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(w, esc, 6);
		}
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

/* The separator, newline, indentation and key before every value. */
static void
member(struct jw *w, const char *key)
{
	uint64_t bit = (uint64_t)1 << w->depth;

	if (w->depth == 0 && !(w->notfirst & bit) && key == NULL) {
		w->notfirst |= bit;
		return;		/* the top-level value: no newline before it */
	}
	if (w->notfirst & bit)
		put(w, ",", 1);
	w->notfirst |= bit;
	indent(w, w->depth);
	if (key != NULL) {
		put_escaped(w, key);
		put(w, ": ", 2);
	}
}

static void
open_container(struct jw *w, const char *key, char c)
{
	member(w, key);
	put(w, &c, 1);
	if (w->depth < 62)
		w->depth++;
	w->notfirst &= ~((uint64_t)1 << w->depth);
}

static void
close_container(struct jw *w, char c)
{
	int had = (w->notfirst >> w->depth) & 1;

	w->notfirst &= ~((uint64_t)1 << w->depth);
	if (w->depth > 0)
		w->depth--;
	if (had)
		indent(w, w->depth);
	put(w, &c, 1);
}

void jw_obj(struct jw *w, const char *key) { open_container(w, key, '{'); }
void jw_arr(struct jw *w, const char *key) { open_container(w, key, '['); }
void jw_end_obj(struct jw *w) { close_container(w, '}'); }
void jw_end_arr(struct jw *w) { close_container(w, ']'); }

void
jw_str(struct jw *w, const char *key, const char *s)
{
	if (s == NULL)
		return;
	member(w, key);
	put_escaped(w, s);
}

void
jw_int(struct jw *w, const char *key, long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "%lld", v);

	member(w, key);
	put(w, tmp, (size_t)n);
}

void
jw_bool(struct jw *w, const char *key, int v)
{
	member(w, key);
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
}

void
jw_dbl(struct jw *w, const char *key, double v)
{
	char tmp[48];
	int n = snprintf(tmp, sizeof(tmp), "%.17g", v);

	member(w, key);
	put(w, tmp, (size_t)n);
}

void
fa_fmt_time(char *out, size_t size, int64_t us)
{
	struct tm tm;
	time_t t = (time_t)(us / 1000000);

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
fa_fmt_date(char *out, size_t size, int64_t us)
{
	struct tm tm;
	time_t t = (time_t)(us / 1000000);

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%d", &tm);
}

void
fa_fmt_span(char *out, size_t size, int64_t us)
{
	int64_t s;

	if (us < 0)
		us = 0;
	s = us / 1000000;
	snprintf(out, size, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%07" PRId64,
		 s / 3600, (s / 60) % 60, s % 60, (us % 1000000) * 10);
}

void
jw_time(struct jw *w, const char *key, int64_t us)
{
	char tmp[40];

	if (us <= 0)
		return;
	fa_fmt_time(tmp, sizeof(tmp), us);
	jw_str(w, key, tmp);
}

void
jw_date(struct jw *w, const char *key, int64_t us)
{
	char tmp[40];

	if (us <= 0)
		return;
	fa_fmt_date(tmp, sizeof(tmp), us);
	jw_str(w, key, tmp);
}

void
jw_raw(struct jw *w, const char *key, const char *json)
{
	member(w, key);
	put(w, json, strlen(json));
}
