/*
 * ui_html.h - writing the web UI's HTML safely.
 *
 * Pages are built into a struct html: a byte buffer that remembers the
 * first failure (out of memory, or the size cap) so a renderer writes
 * straight through and checks once at the end (html_failed), instead of
 * testing every append.  A failed page is never sent half-written: the
 * caller answers 500.
 *
 * Text from anywhere but a string literal goes through html_esc (element
 * content and quoted attribute values: & < > " ' escaped) or html_url
 * (a query parameter value, percent-encoded).  html_raw is for literals
 * and for markup built by these functions only.
 */
#ifndef COMRADARR_WEB_UI_HTML_H
#define COMRADARR_WEB_UI_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Each page's HTML stays well under the 100 KB budget; this cap
 * only stops a runaway loop. */
#define HTML_CAP	((size_t)4 << 20)

struct html {
	struct buf b;
	int failed;
};

void html_init(struct html *h);
void html_release(struct html *h);
int html_failed(const struct html *h);

/* Literal markup (trusted: a string literal or this module's output). */
void html_raw(struct html *h, const char *s);
/* printf into the page: only for numbers and literal markup; a %s
 * argument must already be markup, never outside text. */
void html_fmt(struct html *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Text, escaped for element content and quoted attributes; NULL writes nothing. */
void html_esc(struct html *h, const char *s);
/* At most n bytes of s, escaped, cut on a UTF-8 boundary, "…" when cut. */
void html_esc_n(struct html *h, const char *s, size_t n);
/* A query parameter value, percent-encoded (RFC 3986 unreserved kept). */
void html_url(struct html *h, const char *s);

/* 1234567 -> "1,234,567" */
void html_int(struct html *h, int64_t v);
/* A percentage with one decimal, or "–" when den is 0. */
void html_pct(struct html *h, int64_t num, int64_t den);

/*
 * How long ago then_s was, seen at now_s (seconds since the epoch):
 * "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago"; a time in the
 * future reads "in 5 min".  then_s <= 0 writes "never".  Written inside a
 * <time datetime="..."> element with the UTC instant.
 */
void html_ago(struct html *h, int64_t then_s, int64_t now_s);
/* The UTC instant as "2026-12-07 14:03" inside <time>; "–" when <= 0. */
void html_when(struct html *h, int64_t t_s);
/* A duration in milliseconds: "850 ms", "4.2 s", "3 min 20 s", "2 h 5 min". */
void html_duration_ms(struct html *h, int64_t ms);

/* The status class for a health or state word (ok, warn, bad, or "" for
 * unknown): the one colour code every page uses (Req 22.4). */
const char *ui_status_class(const char *word);

/*
 * Parse a decimal integer query parameter: 0 and *out set when s is
 * entirely a number in [lo, hi]; -1 otherwise (*out untouched).
 */
int ui_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);

#endif
