/*
 * ui_html.c - escaping and formatting for the web UI's pages (see ui_html.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/ui_html.h"
#include "core/banned.h"

void
html_init(struct html *h)
{
	buf_init(&h->b, HTML_CAP);
	h->failed = 0;
}

void
html_release(struct html *h)
{
	buf_release(&h->b);
	h->failed = 0;
}

int
html_failed(const struct html *h)
{
	return h->failed;
}

static void
put(struct html *h, const char *s, size_t n)
{
	if (!h->failed && buf_append(&h->b, s, n) < 0)
		h->failed = 1;
}

void
html_raw(struct html *h, const char *s)
{
	if (s != NULL)
		put(h, s, strlen(s));
}

void
html_fmt(struct html *h, const char *fmt, ...)
{
	va_list ap;

	if (h->failed)
		return;
	va_start(ap, fmt);
	if (buf_appendvf(&h->b, fmt, ap) < 0)
		h->failed = 1;
	va_end(ap);
}

void
html_esc_n(struct html *h, const char *s, size_t n)
{
	const char *run, *p, *end;
	int cut = 0;

	if (s == NULL)
		return;
	end = s + strlen(s);
	if ((size_t)(end - s) > n) {
		end = s + n;
		/* back up to the start of a UTF-8 character */
		while (end > s && ((unsigned char)*end & 0xC0) == 0x80)
			end--;
		cut = 1;
	}
	for (run = p = s; p < end; p++) {
		const char *rep;

		switch (*p) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		put(h, run, (size_t)(p - run));
		html_raw(h, rep);
		run = p + 1;
	}
	put(h, run, (size_t)(end - run));
	if (cut)
		html_raw(h, "\xe2\x80\xa6");
}

void
html_esc(struct html *h, const char *s)
{
	html_esc_n(h, s, (size_t)-1);
}

void
html_url(struct html *h, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			put(h, (const char *)p, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[*p >> 4];
		enc[2] = hex[*p & 15];
		put(h, enc, 3);
	}
}

void
html_int(struct html *h, int64_t v)
{
	char digits[32], out[48];
	size_t n, i, o = 0;
	uint64_t u;

	if (v < 0) {
		out[o++] = '-';
		u = (uint64_t)(-(v + 1)) + 1;
	} else {
		u = (uint64_t)v;
	}
	n = 0;
	do {
		digits[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	for (i = 0; i < n; i++) {
		out[o++] = digits[n - 1 - i];
		if (n - 1 - i > 0 && (n - 1 - i) % 3 == 0)
			out[o++] = ',';
	}
	put(h, out, o);
}

void
html_pct(struct html *h, int64_t num, int64_t den)
{
	if (den <= 0) {
		html_raw(h, "\xe2\x80\x93");
		return;
	}
	html_fmt(h, "%.1f%%", 100.0 * (double)num / (double)den);
}

static void
iso_utc(char *out, size_t n, int64_t t_s, const char *fmt)
{
	time_t t = (time_t)t_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, n, fmt, &tm) == 0)
		out[0] = '\0';
}

void
html_ago(struct html *h, int64_t then_s, int64_t now_s)
{
	char iso[32];
	int64_t d;
	int future;

	if (then_s <= 0) {
		html_raw(h, "never");
		return;
	}
	iso_utc(iso, sizeof(iso), then_s, "%Y-%m-%dT%H:%M:%SZ");
	html_fmt(h, "<time datetime=\"%s\" title=\"%s\">", iso, iso);
	d = now_s - then_s;
	future = d < 0;
	if (future)
		d = -d;
	if (d < 5)
		html_raw(h, "just now");
	else {
		if (future)
			html_raw(h, "in ");
		if (d < 60)
			html_fmt(h, "%" PRId64 " s", d);
		else if (d < 3600)
			html_fmt(h, "%" PRId64 " min", d / 60);
		else if (d < 86400)
			html_fmt(h, "%" PRId64 " h", d / 3600);
		else
			html_fmt(h, "%" PRId64 " d", d / 86400);
		if (!future)
			html_raw(h, " ago");
	}
	html_raw(h, "</time>");
}

void
html_when(struct html *h, int64_t t_s)
{
	char iso[32], shown[32];

	if (t_s <= 0) {
		html_raw(h, "\xe2\x80\x93");
		return;
	}
	iso_utc(iso, sizeof(iso), t_s, "%Y-%m-%dT%H:%M:%SZ");
	iso_utc(shown, sizeof(shown), t_s, "%Y-%m-%d %H:%M");
	html_fmt(h, "<time datetime=\"%s\">%s</time>", iso, shown);
}

void
html_duration_ms(struct html *h, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		html_fmt(h, "%" PRId64 " ms", ms);
	else if (ms < 60000)
		html_fmt(h, "%.1f s", (double)ms / 1000.0);
	else if (ms < 3600000)
		html_fmt(h, "%" PRId64 " min %" PRId64 " s", ms / 60000, ms / 1000 % 60);
	else
		html_fmt(h, "%" PRId64 " h %" PRId64 " min", ms / 3600000, ms / 60000 % 60);
}

const char *
ui_status_class(const char *w)
{
	static const char *const ok[] = { "healthy", "grabbed", "ok", "imported", "succeeded",
		"completed", "enabled", "running", "active", "done", NULL };
	static const char *const warn[] = { "degraded", "pending", "queued", "searching",
		"awaiting_import", "cooldown", "paused", "no_results", "rate_limited", "timeout",
		"claimed", "sent", "waiting", "skipped", NULL };
	static const char *const bad[] = { "unhealthy", "offline", "failed", "exhausted", "error",
		"indexer_error", "auth_failed", "locked", NULL };
	size_t i;

	if (w == NULL)
		return "";
	for (i = 0; ok[i] != NULL; i++)
		if (strcmp(w, ok[i]) == 0)
			return "ok";
	for (i = 0; warn[i] != NULL; i++)
		if (strcmp(w, warn[i]) == 0)
			return "warn";
	for (i = 0; bad[i] != NULL; i++)
		if (strcmp(w, bad[i]) == 0)
			return "bad";
	return "";
}

int
ui_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int64_t)v;
	return 0;
}
