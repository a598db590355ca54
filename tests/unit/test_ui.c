/*
 * test_ui.c - the web UI's pure parts: HTML escaping and formatting, the
 * embedded assets and their cache validators, the server-side SVG charts
 * and the page frame (Req 15.4, 20.1, 22).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web/ui_assets.h"
#include "web/ui_chart.h"
#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/ui_pages.h"
#include "web/web.h"
#include "core/banned.h"

/* how many times needle occurs in hay */
static int
count(const char *hay, const char *needle)
{
	int n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* ------------------------------------------------------------ html */

START_TEST(esc_all_five)
{
	struct html h;

	html_init(&h);
	html_esc(&h, "<a href=\"x\" onclick='y'>&amp;</a>");
	ck_assert_str_eq(h.b.data, "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
	ck_assert_int_eq(html_failed(&h), 0);
	html_release(&h);
}
END_TEST

START_TEST(esc_n_cuts_on_a_character)
{
	struct html h;

	html_init(&h);
	/* "é" is 2 bytes: cutting at 2 must not split it */
	html_esc_n(&h, "a\xc3\xa9z", 2);
	ck_assert_str_eq(h.b.data, "a\xe2\x80\xa6");
	html_release(&h);
	html_init(&h);
	html_esc_n(&h, "short", 10);
	ck_assert_str_eq(h.b.data, "short");
	html_release(&h);
}
END_TEST

START_TEST(url_encodes_reserved)
{
	struct html h;

	html_init(&h);
	html_url(&h, "a b&c=d/é~");
	ck_assert_str_eq(h.b.data, "a%20b%26c%3Dd%2F%C3%A9~");
	html_release(&h);
}
END_TEST

START_TEST(numbers_and_percent)
{
	struct html h;

	html_init(&h);
	html_int(&h, 1234567);
	html_raw(&h, " ");
	html_int(&h, -1000);
	html_raw(&h, " ");
	html_int(&h, 999);
	html_raw(&h, " ");
	html_int(&h, INT64_MIN);
	html_raw(&h, " ");
	html_pct(&h, 1, 3);
	html_raw(&h, " ");
	html_pct(&h, 1, 0);
	ck_assert_str_eq(h.b.data, "1,234,567 -1,000 999 -9,223,372,036,854,775,808 33.3% \xe2\x80\x93");
	html_release(&h);
}
END_TEST

START_TEST(ago_reads_like_a_person)
{
	struct html h;
	const int64_t now = 1765000000;

	html_init(&h);
	html_ago(&h, now - 300, now);
	ck_assert_ptr_nonnull(strstr(h.b.data, ">5 min ago</time>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "datetime=\"2025-12-06T05:41:40Z\""));
	buf_reset(&h.b);
	html_ago(&h, now + 7200, now);
	ck_assert_ptr_nonnull(strstr(h.b.data, ">in 2 h</time>"));
	buf_reset(&h.b);
	html_ago(&h, 0, now);
	ck_assert_str_eq(h.b.data, "never");
	buf_reset(&h.b);
	html_duration_ms(&h, 200500);
	ck_assert_str_eq(h.b.data, "3 min 20 s");
	html_release(&h);
}
END_TEST

START_TEST(status_colours_are_one_code)
{
	ck_assert_str_eq(ui_status_class("healthy"), "ok");
	ck_assert_str_eq(ui_status_class("grabbed"), "ok");
	ck_assert_str_eq(ui_status_class("degraded"), "warn");
	ck_assert_str_eq(ui_status_class("queued"), "warn");
	ck_assert_str_eq(ui_status_class("unhealthy"), "bad");
	ck_assert_str_eq(ui_status_class("offline"), "bad");
	ck_assert_str_eq(ui_status_class("exhausted"), "bad");
	ck_assert_str_eq(ui_status_class("unknown"), "");
	ck_assert_str_eq(ui_status_class(NULL), "");
}
END_TEST

START_TEST(parse_int_is_strict)
{
	int64_t v = 7;

	ck_assert_int_eq(ui_parse_int("42", 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(ui_parse_int("101", 0, 100, &v), -1);
	ck_assert_int_eq(ui_parse_int("4x", 0, 100, &v), -1);
	ck_assert_int_eq(ui_parse_int(" 4", 0, 100, &v), -1);
	ck_assert_int_eq(ui_parse_int("", 0, 100, &v), -1);
	ck_assert_int_eq(ui_parse_int(NULL, 0, 100, &v), -1);
	ck_assert_int_eq(ui_parse_int("99999999999999999999", 0, INT64_MAX, &v), -1);
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(cap_marks_failure)
{
	struct html h;
	int i;

	html_init(&h);
	for (i = 0; i < 100000 && !html_failed(&h); i++)
		html_raw(&h, "0123456789012345678901234567890123456789012345678901234567890123");
	ck_assert_int_eq(html_failed(&h), 1);
	ck_assert_uint_le(h.b.len, HTML_CAP);
	html_release(&h);
}
END_TEST

/* ------------------------------------------------------------ assets */

START_TEST(assets_are_embedded)
{
	const struct ui_asset *css = ui_asset_by_name("app.css");
	const struct ui_asset *js = ui_asset_by_name("app.js");
	const struct ui_asset *theme = ui_asset_by_name("theme.js");

	ck_assert_ptr_nonnull(css);
	ck_assert_ptr_nonnull(js);
	ck_assert_ptr_nonnull(theme);
	ck_assert_str_eq(css->type, "text/css; charset=utf-8");
	ck_assert_str_eq(js->type, "text/javascript; charset=utf-8");
	ck_assert_uint_gt(css->len, 1000);
	ck_assert_uint_eq(strlen((const char *)css->data), css->len);
	/* the custom properties both themes switch */
	ck_assert_ptr_nonnull(strstr((const char *)css->data, "prefers-color-scheme: light"));
	ck_assert_ptr_nonnull(strstr((const char *)css->data, "[data-theme=\"light\"]"));
	/* fingerprinted URL: /assets/app.<8 hex>.css, its hex the ETag's start */
	ck_assert_int_eq((int)strlen(css->url), (int)strlen("/assets/app.12345678.css"));
	ck_assert_int_eq(strncmp(css->url + strlen("/assets/app."), css->etag + 1, 8), 0);
	ck_assert_uint_eq(strlen(css->etag), 18);
	ck_assert_str_eq(ui_asset_url("app.css"), css->url);
	ck_assert_str_eq(ui_asset_url("nope.css"), "");
	/* the budget: the page's CSS and JS well under 100 KB together */
	ck_assert_uint_lt(css->len + js->len + theme->len, 60 * 1024);
}
END_TEST

START_TEST(asset_paths_are_exact)
{
	const struct ui_asset *css = ui_asset_by_name("app.css");
	int imm = -1;
	char path[128];

	ck_assert_ptr_eq(ui_asset_by_path(css->url, &imm), css);
	ck_assert_int_eq(imm, 1);
	ck_assert_ptr_eq(ui_asset_by_path("/assets/app.css", &imm), css);
	ck_assert_int_eq(imm, 0);
	ck_assert_ptr_null(ui_asset_by_path("/assets/../assets/app.css", &imm));
	ck_assert_ptr_null(ui_asset_by_path("/assets/APP.css", &imm));
	ck_assert_ptr_null(ui_asset_by_path("/assets/app.css/", &imm));
	ck_assert_ptr_null(ui_asset_by_path("/assets/app.00000000.css", &imm));
	ck_assert_ptr_null(ui_asset_by_path("/app.css", &imm));
	snprintf(path, sizeof(path), "%s%%00", css->url);
	ck_assert_ptr_null(ui_asset_by_path(path, &imm));
	/* what the server sends for each: the headers of a cacheable answer */
	for (int tls = 0; tls < 2; tls++) {
		const char *const *h;
		const char *cc[3] = { NULL, NULL, NULL };

		for (int c = 0; c < 3; c++)
			for (h = web_security_headers(tls, c); h[0] != NULL; h += 2)
				if (strcmp(h[0], "Cache-Control") == 0)
					cc[c] = h[1];
		ck_assert_str_eq(cc[0], "no-store");
		ck_assert_str_eq(cc[1], "no-cache");
		ck_assert_str_eq(cc[2], "public, max-age=31536000, immutable");
	}
}
END_TEST

START_TEST(etag_comparison)
{
	ck_assert_int_eq(ui_etag_matches("\"abc\"", "\"abc\""), 1);
	ck_assert_int_eq(ui_etag_matches("W/\"abc\"", "\"abc\""), 1);
	ck_assert_int_eq(ui_etag_matches("\"x\", \"abc\"", "\"abc\""), 1);
	ck_assert_int_eq(ui_etag_matches("*", "\"abc\""), 1);
	ck_assert_int_eq(ui_etag_matches("\"abcd\"", "\"abc\""), 0);
	ck_assert_int_eq(ui_etag_matches("\"ab\"", "\"abc\""), 0);
	ck_assert_int_eq(ui_etag_matches("abc", "\"abc\""), 0);
	ck_assert_int_eq(ui_etag_matches("\"abc", "\"abc\""), 0);
	ck_assert_int_eq(ui_etag_matches(NULL, "\"abc\""), 0);
	ck_assert_int_eq(ui_etag_matches("", "\"abc\""), 0);
}
END_TEST

/* ------------------------------------------------------------ charts */

START_TEST(scale_is_nice)
{
	double step, top;
	int n;

	n = chart_scale(87, 4, 1, &step, &top);
	ck_assert_double_eq(step, 25);
	ck_assert_double_eq(top, 100);
	ck_assert_int_eq(n, 4);
	n = chart_scale(0.37, 4, 0, &step, &top);
	ck_assert_double_eq_tol(step, 0.1, 1e-12);
	ck_assert_double_eq_tol(top, 0.4, 1e-12);
	/* counts never get a fractional step */
	n = chart_scale(3, 4, 1, &step, &top);
	ck_assert_double_eq(step, 1);
	ck_assert_double_eq(top, 3);
	n = chart_scale(9, 4, 1, &step, &top);
	ck_assert(step == floor(step));
	ck_assert(top >= 9);
	/* empty: an axis all the same */
	n = chart_scale(0, 4, 1, &step, &top);
	ck_assert_double_eq(step, 1);
	ck_assert_double_eq(top, 4);
	ck_assert_int_eq(n, 4);
	n = chart_scale(NAN, 4, 0, &step, &top);
	ck_assert_double_eq(top, 4);
	/* top always covers the maximum */
	for (double m = 0.013; m < 5e7; m *= 1.37) {
		chart_scale(m, 4, 0, &step, &top);
		ck_assert_msg(top >= m && top < m * 2.6 + step, "max %g: top %g step %g", m, top, step);
	}
}
END_TEST

START_TEST(numbers_on_axes)
{
	struct html h;

	html_init(&h);
	chart_num(&h, 950, NULL);
	html_raw(&h, " ");
	chart_num(&h, 1500, NULL);
	html_raw(&h, " ");
	chart_num(&h, 12000, NULL);
	html_raw(&h, " ");
	chart_num(&h, 3400000, NULL);
	html_raw(&h, " ");
	chart_num(&h, 2.5, "%");
	ck_assert_str_eq(h.b.data, "950 1.5k 12k 3.4M 2.50%");
	html_release(&h);
}
END_TEST

static const char *const days7[] = { "12-01", "12-02", "12-03", "12-04", "12-05", "12-06", "12-07" };

START_TEST(line_chart_has_points_and_labels)
{
	static const double searches[] = { 10, 20, 0, 40, 35, 12, 8 };
	static const double grabbed[] = { 2, 5, 0, 9, 7, 1, 0 };
	struct chart_series s[] = { { "Searches", searches }, { "Grabbed", grabbed } };
	struct chart c = { CHART_LINE, "Searches per day <last 7 days>", days7, 7, s, 2, 0, NULL, 1, 0, 0 };
	struct html h;

	html_init(&h);
	ck_assert_int_eq(chart_svg(&h, &c), 0);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "<svg class=\"chart\" viewBox=\"0 0 640 220\" role=\"img\""));
	/* the title is escaped, in aria-label and <title> */
	ck_assert_int_eq(count(h.b.data, "Searches per day &lt;last 7 days&gt;"), 2);
	ck_assert_int_eq(count(h.b.data, "<polyline class=\"line s0\""), 1);
	ck_assert_int_eq(count(h.b.data, "<polyline class=\"line s1\""), 1);
	ck_assert_int_eq(count(h.b.data, "<circle "), 14);
	ck_assert_ptr_nonnull(strstr(h.b.data, "<title>Searches, 12-04: 40</title>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<title>Grabbed, 12-07: 0</title>"));
	/* y axis 0..40 by 10: the top label reads 40, and each x label shows */
	ck_assert_ptr_nonnull(strstr(h.b.data, ">40</text>"));
	ck_assert_int_eq(count(h.b.data, ">12-0"), 7);
	/* the tallest point touches the top of the plot (y = 10), zero the bottom */
	ck_assert_ptr_nonnull(strstr(h.b.data, "cy=\"10.0\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "cy=\"196.0\""));
	ck_assert_ptr_null(strstr(h.b.data, "style="));
	ck_assert_ptr_nonnull(strstr(h.b.data, "</svg>"));
	buf_reset(&h.b);
	chart_legend(&h, &c);
	ck_assert_str_eq(h.b.data, "<div class=\"legend\"><span class=\"s0\">Searches</span>"
			 "<span class=\"s1\">Grabbed</span></div>");
	html_release(&h);
}
END_TEST

START_TEST(bars_stack_and_budget_scales)
{
	static const double a[] = { 30, 10 };
	static const double b[] = { 20, 0 };
	struct chart_series s[] = { { "Spent", a }, { "Extra", b } };
	struct chart c = { CHART_BARS, "Queries", days7, 2, s, 2, 80, NULL, 1, 0, 0 };
	struct html h;

	html_init(&h);
	ck_assert_int_eq(chart_svg(&h, &c), 0);
	/* three bars: a zero-height one is not drawn */
	ck_assert_int_eq(count(h.b.data, "<rect class=\"bar "), 3);
	/* the axis reaches the budget (80) rather than the tallest stack (50) */
	ck_assert_ptr_nonnull(strstr(h.b.data, ">80</text>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<line class=\"budget\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<title>budget: 80</title>"));
	/* the stack: s1 sits on s0 (its y is above s0's) */
	{
		const char *r0 = strstr(h.b.data, "<rect class=\"bar s0\"");
		const char *r1 = strstr(h.b.data, "<rect class=\"bar s1\"");
		double y0, y1, h0;

		ck_assert_ptr_nonnull(r0);
		ck_assert_ptr_nonnull(r1);
		ck_assert_int_eq(sscanf(strstr(r0, "y=\""), "y=\"%lf\"", &y0), 1);
		ck_assert_int_eq(sscanf(strstr(r0, "height=\""), "height=\"%lf\"", &h0), 1);
		ck_assert_int_eq(sscanf(strstr(r1, "y=\""), "y=\"%lf\"", &y1), 1);
		/* 30 of 80 over a 186-unit plot: 69.75 high, from the bottom (196) */
		ck_assert_double_eq_tol(h0, 69.75, 0.05);
		ck_assert_double_eq_tol(y0 + h0, 196, 0.05);
		ck_assert(y1 < y0);
	}
	html_release(&h);
}
END_TEST

START_TEST(undrawable_charts_write_nothing)
{
	static const double v[] = { 1 };
	struct chart_series s[6] = { { "a", v }, { "b", v }, { "c", v }, { "d", v }, { "e", v }, { "f", v } };
	struct chart c = { CHART_LINE, "x", NULL, 0, s, 1, 0, NULL, 0, 0, 0 };
	struct html h;

	html_init(&h);
	ck_assert_int_eq(chart_svg(&h, &c), -1);
	c.n = 1;
	c.nseries = 6;
	ck_assert_int_eq(chart_svg(&h, &c), -1);
	c.nseries = 0;
	ck_assert_int_eq(chart_svg(&h, &c), -1);
	ck_assert_uint_eq(h.b.len, 0);
	/* one point, one series: drawable, the point in the middle */
	c.nseries = 1;
	ck_assert_int_eq(chart_svg(&h, &c), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "cx=\"336.0\""));
	html_release(&h);
}
END_TEST

START_TEST(negative_and_nan_draw_as_zero)
{
	double v[] = { -5, NAN, INFINITY, 4 };
	struct chart_series s[] = { { "v", v } };
	struct chart c = { CHART_BARS, "x", NULL, 4, s, 1, 0, NULL, 0, 0, 0 };
	struct html h;

	html_init(&h);
	ck_assert_int_eq(chart_svg(&h, &c), 0);
	ck_assert_int_eq(count(h.b.data, "<rect class=\"bar "), 1);
	ck_assert_ptr_null(strstr(h.b.data, "nan"));
	ck_assert_ptr_null(strstr(h.b.data, "inf"));
	html_release(&h);
}
END_TEST

START_TEST(sparkline_shape)
{
	static const double up[] = { 80, 82, 85 };
	static const double flat[] = { 50, 50, 50 };
	struct html h;

	html_init(&h);
	chart_spark(&h, up, 3, "completion: 80% to 85%");
	ck_assert_ptr_nonnull(strstr(h.b.data, "aria-label=\"completion: 80% to 85%\""));
	/* lowest at the bottom (y 26), highest at the top (y 2) */
	ck_assert_ptr_nonnull(strstr(h.b.data, "points=\"2.0,26.0 55.0,"));
	ck_assert_ptr_nonnull(strstr(h.b.data, " 108.0,2.0\""));
	buf_reset(&h.b);
	chart_spark(&h, flat, 3, "flat");
	ck_assert_ptr_nonnull(strstr(h.b.data, "points=\"2.0,14.0 55.0,14.0 108.0,14.0\""));
	buf_reset(&h.b);
	chart_spark(&h, flat, 1, "one");
	ck_assert_ptr_nonnull(strstr(h.b.data, "<polyline class=\"line\" points=\"2.0,14.0 108.0,14.0\"/>"));
	html_release(&h);
}
END_TEST

/* ------------------------------------------------------------ layout */

START_TEST(page_frame_landmarks_and_csrf)
{
	struct ui_page p = { "Queue <1>", "queue", "ad\"min", "tok&en", NULL, "it <broke>", 1, "/sub/", 42 };
	struct html h;

	html_init(&h);
	ui_page_begin(&h, &p);
	ui_page_main(&h, &p);
	ui_form_post(&h, &p, "queue/pause", "Pause the queue?");
	html_raw(&h, "</form>");
	ui_page_end(&h, &p);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "<title>Queue &lt;1&gt; \xc2\xb7 Comradarr</title>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<nav class=\"side\" id=\"nav\" aria-label=\"Main\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<main class=\"content\" id=\"main\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<header class=\"top\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<a href=\"queue\" aria-current=\"page\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<base href=\"/sub/\">"));
	ck_assert_int_eq(count(h.b.data, "aria-current"), 1);
	ck_assert_ptr_nonnull(strstr(h.b.data, "Signed in as <strong>ad&quot;min</strong>"));
	/* two forms (sign out, pause), each with the escaped token */
	ck_assert_int_eq(count(h.b.data, "<input type=\"hidden\" name=\"csrf\" value=\"tok&amp;en\">"), 2);
	ck_assert_ptr_nonnull(strstr(h.b.data, "data-confirm=\"Pause the queue?\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "role=\"alert\"><strong>Error:</strong> it &lt;broke&gt;"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "data-events=\"api/events\" data-events-after=\"42\""));
	/* the assets by their fingerprinted URLs; no inline script or style */
	ck_assert_ptr_nonnull(strstr(h.b.data, ui_asset_url("app.css") + 1));
	ck_assert_ptr_nonnull(strstr(h.b.data, ui_asset_url("app.js") + 1));
	/* relative to <base>: no link starts at the server's root */
	ck_assert_int_eq(count(h.b.data, "href=\"/"), 1);	/* <base> only */
	ck_assert_ptr_null(strstr(h.b.data, "src=\"/"));
	ck_assert_ptr_null(strstr(h.b.data, "action=\"/"));
	ck_assert_int_eq(count(h.b.data, "<script"), count(h.b.data, "<script src=\""));
	ck_assert_ptr_null(strstr(h.b.data, "style="));
	ck_assert_ptr_null(strstr(h.b.data, "<style"));
	ck_assert_ptr_null(strstr(h.b.data, " on"));
	html_release(&h);
}
END_TEST

START_TEST(login_page)
{
	struct html h;

	html_init(&h);
	ui_login_page(&h, NULL, "t0k", "bob<", "wrong user name or password", 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"login\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<base href=\"/\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"csrf\" value=\"t0k\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"bob&lt;\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<label for=\"password\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "autocomplete=\"current-password\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "role=\"alert\""));
	ck_assert_ptr_null(strstr(h.b.data, "id=\"nav\""));
	buf_reset(&h.b);
	ui_login_page(&h, "/", "t0k", NULL, NULL, 1);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"login/totp\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "autocomplete=\"one-time-code\""));
	ck_assert_ptr_null(strstr(h.b.data, "role=\"alert\""));
	html_release(&h);
}
END_TEST


/* ------------------------------------------------------------ pages */

/* every POST form carries the CSRF field right after its opening tag */
static void
assert_forms_have_csrf(const char *page)
{
	const char *p = page;
	int forms = 0;

	while ((p = strstr(p, "<form method=\"post\"")) != NULL) {
		const char *end = strchr(p, '>');
		const char *next = strstr(p + 1, "<form");
		const char *tok = strstr(p, "name=\"csrf\" value=\"T0K\"");

		ck_assert_ptr_nonnull(end);
		ck_assert_msg(tok != NULL && (next == NULL || tok < next), "a form without the CSRF field: %.80s", p);
		forms++;
		p = end;
	}
	ck_assert_int_gt(forms, 0);
}

/* every visible input, select and textarea has a label or an aria-label */
static void
assert_controls_labelled(const char *page)
{
	const char *p = page;

	while ((p = strpbrk(p, "<")) != NULL) {
		if (strncmp(p, "<input ", 7) == 0 || strncmp(p, "<select ", 8) == 0) {
			const char *end = strchr(p, '>');
			char tag[1024], id[128], want[160];
			const char *idp;

			ck_assert_ptr_nonnull(end);
			snprintf(tag, sizeof(tag), "%.*s", (int)(end - p), p);
			p = end;
			if (strstr(tag, "type=\"hidden\"") != NULL || strstr(tag, "aria-label=") != NULL)
				continue;
			idp = strstr(tag, " id=\"");
			ck_assert_msg(idp != NULL, "a control without an id or aria-label: %s", tag);
			snprintf(id, sizeof(id), "%s", idp + 5);
			*strchr(id, '"') = '\0';
			snprintf(want, sizeof(want), "for=\"%s\"", id);
			ck_assert_msg(strstr(page, want) != NULL, "no label for '%s'", id);
			continue;
		}
		p++;
	}
}

static json_t *
load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "test JSON: %s", je.text);
	return j;
}

START_TEST(dashboard_renders_and_escapes)
{
	struct ui_page p = { "Dashboard", "dashboard", "admin", "T0K", NULL, NULL, 1, "/", 7 };
	json_t *conn = load("[{\"name\":\"tv<x>\",\"type\":\"sonarr\",\"enabled\":true,\"health\":\"degraded\","
			    "\"last_sync\":1765000000,\"items\":200,\"have\":150}]");
	json_t *tot = load("{\"gaps\":12345,\"upgrades\":2,\"queued\":40,\"batches\":4,\"searches_today\":9,"
			   "\"grabbed_today\":3,\"searches_7d\":10,\"grabbed_7d\":4,\"paused\":true}");
	json_t *act = load("[{\"id\":7,\"at\":1765000000,\"kind\":\"search_outcome\",\"connector\":\"tv<x>\","
			   "\"payload\":{\"command\":\"EpisodeSearch\",\"outcome\":\"grabbed\",\"items\":3,\"items_grabbed\":1}}]");
	json_t *daily = load("[{\"day\":\"2026-12-06\",\"grabbed\":3,\"no_results\":2,\"failed\":1},"
			     "{\"day\":\"2026-12-07\",\"grabbed\":1,\"no_results\":0,\"failed\":0}]");
	json_t *comp = load("[{\"connector\":\"tv<x>\",\"have\":150,\"total\":200,\"trend\":[70,72.5,75]}]");
	json_t *q = load("[{\"id\":1,\"state\":\"due\",\"command\":\"MoviesSearch\",\"titles\":[\"A & B\"],\"items\":3,"
			 "\"connector\":\"films\"}]");
	struct ui_dashboard d = { conn, tot, act, daily, comp, q, NULL };
	struct html h;

	html_init(&h);
	ui_render_dashboard(&h, &p, &d, 1765000300);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, ">12,345<"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "40.0%"));		/* 4 of 10 in 7 days */
	ck_assert_ptr_nonnull(strstr(h.b.data, "<span class=\"badge warn\">paused</span>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "tv&lt;x&gt;"));
	ck_assert_ptr_null(strstr(h.b.data, "tv<x>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "href=\"connectors/tv%3Cx%3E\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"75.0\""));	/* the completion meter */
	ck_assert_ptr_nonnull(strstr(h.b.data, "completion over 3 days: 70.0% to 75.0%"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<span class=\"dot warn\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "A &amp; B"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "data-feed"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<title>Grabbed, 12-06: 3</title>"));
	assert_forms_have_csrf(h.b.data);
	html_release(&h);
	json_decref(conn);
	json_decref(tot);
	json_decref(act);
	json_decref(daily);
	json_decref(comp);
	json_decref(q);
}
END_TEST

START_TEST(connector_form_never_shows_the_key)
{
	struct ui_page p = { "Edit connector", "connectors", "admin", "T0K", NULL, NULL, 0, "/", 0 };
	json_t *v = load("{\"name\":\"tv\",\"type\":\"sonarr\",\"url\":\"http://s:8989\",\"enabled\":true,"
			 "\"timeout_ms\":15000,\"key_last4\":\"****cdef\",\"api_key\":\"SECRET-0123456789abcdef\"}");
	struct ui_connector_form f;
	struct html h;

	memset(&f, 0, sizeof(f));
	f.v = v;
	f.editing = 1;
	f.bad_field = "url";
	f.field_error = "a URL starts with http:// or https://";
	html_init(&h);
	ui_render_connector_form(&h, &p, &f);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_null(strstr(h.b.data, "SECRET"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "****cdef"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<input type=\"password\" id=\"api_key\" name=\"api_key\" autocomplete=\"new-password\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "aria-invalid=\"true\" aria-describedby=\"url-error\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<div class=\"error\" id=\"url-error\">a URL starts"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"15\""));	/* the timeout in seconds */
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"connectors/tv/edit\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"connectors/tv/delete\""));
	assert_forms_have_csrf(h.b.data);
	assert_controls_labelled(h.b.data);
	html_release(&h);
	json_decref(v);
}
END_TEST

START_TEST(content_page_keeps_filters_in_the_next_link)
{
	struct ui_page p = { "Content", "content", "admin", "T0K", NULL, NULL, 0, "/", 0 };
	json_t *page = load("{\"rows\":[{\"key\":\"s4\",\"kind\":\"series\",\"id\":4,\"title\":\"Q&A\",\"year\":2001,"
			    "\"connector\":\"tv\",\"items\":20,\"have\":18,\"gaps\":2,\"upgrades\":1},"
			    "{\"key\":\"m9\",\"kind\":\"movie\",\"id\":9,\"title\":\"Z\",\"connector\":\"films\",\"items\":1,"
			    "\"have\":0,\"gaps\":1,\"upgrades\":0,\"state\":\"cooldown\"}],\"next\":\"m9\"}");
	json_t *conns = load("[{\"name\":\"tv\"},{\"name\":\"films\"}]");
	struct ui_content_view v = { "tv", NULL, "missing", "a b&c", NULL, page, conns };
	struct html h;

	html_init(&h);
	ui_render_content(&h, &p, &v);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "href=\"content?connector=tv&amp;state=missing&amp;q=a%20b%26c&amp;after=m9\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<a href=\"content/series/4\">Q&amp;A</a>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<a href=\"content/movie/9\">Z</a>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"item\" value=\"s4\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<option value=\"missing\" selected>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<option value=\"tv\" selected>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<span class=\"badge warn\">cooldown</span>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"a b&amp;c\""));
	assert_forms_have_csrf(h.b.data);
	assert_controls_labelled(h.b.data);
	html_release(&h);
	json_decref(page);
	json_decref(conns);
}
END_TEST

START_TEST(queue_page_actions)
{
	struct ui_page p = { "Queue", "queue", "admin", "T0K", NULL, NULL, 1, "/", 0 };
	json_t *q = load("[{\"id\":31,\"state\":\"sent\",\"command\":\"SeasonSearch\",\"titles\":[\"S S01\"],\"items\":1,"
			 "\"connector\":\"tv\",\"priority\":12000,\"scheduled\":1765000000}]");
	json_t *thr = load("[{\"connector\":\"tv\",\"profile\":\"moderate\",\"minute\":4,\"rpm\":5,\"today\":100,\"budget\":500}]");
	json_t *out = load("[{\"outcome\":\"no_results\",\"command\":\"EpisodeSearch\",\"connector\":\"tv\",\"started\":1765000000,"
			   "\"duration_ms\":1200}]");
	json_t *tot = load("{\"paused\":false,\"batches\":1,\"queued\":1}");
	struct ui_queue_view v = { q, thr, out, tot };
	struct html h;

	html_init(&h);
	ui_render_queue(&h, &p, &v, 1765000100);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"queue/pause\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"queue/31/priority\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"queue/31/remove\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "data-confirm=\"Remove every waiting batch"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<tr id=\"batch-31\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"4\" aria-label=\"queries this minute\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "4 / 5"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "1.2 s"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "id=\"queue-live\" data-live"));
	assert_forms_have_csrf(h.b.data);
	assert_controls_labelled(h.b.data);
	html_release(&h);
	json_decref(q);
	json_decref(thr);
	json_decref(out);
	json_decref(tot);
}
END_TEST

START_TEST(csv_is_plain_numbers)
{
	json_t *d = load("[{\"day\":\"2026-12-06\",\"searches\":5,\"grabbed\":2,\"no_results\":3,\"failed\":0,"
			 "\"queries\":9,\"items\":20},{\"day\":\"=cmd|' /C calc'!A0\",\"searches\":1}]");
	struct html h;

	html_init(&h);
	ui_daily_csv(&h, d);
	/* a day that is not a date is dropped: nothing a spreadsheet would run */
	ck_assert_str_eq(h.b.data, "day,searches,grabbed,no_results,failed,queries,items\r\n"
			 "2026-12-06,5,2,3,0,9,20\r\n");
	html_release(&h);
	json_decref(d);
}
END_TEST

static Suite *
ui_suite(void)
{
	Suite *s = suite_create("ui");
	TCase *t = tcase_create("html");

	tcase_add_test(t, esc_all_five);
	tcase_add_test(t, esc_n_cuts_on_a_character);
	tcase_add_test(t, url_encodes_reserved);
	tcase_add_test(t, numbers_and_percent);
	tcase_add_test(t, ago_reads_like_a_person);
	tcase_add_test(t, status_colours_are_one_code);
	tcase_add_test(t, parse_int_is_strict);
	tcase_add_test(t, cap_marks_failure);
	suite_add_tcase(s, t);
	t = tcase_create("assets");
	tcase_add_test(t, assets_are_embedded);
	tcase_add_test(t, asset_paths_are_exact);
	tcase_add_test(t, etag_comparison);
	suite_add_tcase(s, t);
	t = tcase_create("charts");
	tcase_add_test(t, scale_is_nice);
	tcase_add_test(t, numbers_on_axes);
	tcase_add_test(t, line_chart_has_points_and_labels);
	tcase_add_test(t, bars_stack_and_budget_scales);
	tcase_add_test(t, undrawable_charts_write_nothing);
	tcase_add_test(t, negative_and_nan_draw_as_zero);
	tcase_add_test(t, sparkline_shape);
	suite_add_tcase(s, t);
	t = tcase_create("layout");
	tcase_add_test(t, page_frame_landmarks_and_csrf);
	tcase_add_test(t, login_page);
	suite_add_tcase(s, t);
	t = tcase_create("pages");
	tcase_add_test(t, dashboard_renders_and_escapes);
	tcase_add_test(t, connector_form_never_shows_the_key);
	tcase_add_test(t, content_page_keeps_filters_in_the_next_link);
	tcase_add_test(t, queue_page_actions);
	tcase_add_test(t, csv_is_plain_numbers);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *r = srunner_create(ui_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
