/*
 * ui_page_queue.c - the queue (Req 18) and analytics (Req 20) pages.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "web/ui_chart.h"
#include "web/ui_pages.h"
#include "core/banned.h"

#define DAYS_MAX	400

static void
throttle_table(struct html *h, const json_t *throttle, int64_t now_s)
{
	const json_t *t;
	size_t i;

	html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Connector</th>"
		 "<th scope=\"col\" class=\"hide-sm\">Profile</th><th scope=\"col\">This minute</th>"
		 "<th scope=\"col\">Today</th></tr></thead><tbody>");
	json_array_foreach(throttle, i, t) {
		int64_t minute = uj_int(t, "minute"), rpm = uj_int(t, "rpm");
		int64_t today = uj_int(t, "today"), budget = uj_int(t, "budget");

		html_raw(h, "<tr><td>");
		html_esc(h, uj_str(t, "connector"));
		if (uj_int(t, "paused_until") > 0) {
			html_raw(h, " <span class=\"badge warn\">paused</span> <span class=\"small dim\">until ");
			html_ago(h, uj_int(t, "paused_until"), now_s);
			html_raw(h, "</span>");
		}
		html_raw(h, "</td><td class=\"hide-sm\">");
		html_esc(h, uj_str(t, "profile"));
		html_fmt(h, "</td><td><div class=\"row\"><meter min=\"0\" max=\"%" PRId64 "\" low=\"%" PRId64 "\" high=\"%"
			 PRId64 "\" optimum=\"0\" value=\"%" PRId64 "\" aria-label=\"queries this minute\"></meter>"
			 "<span class=\"num small\">%" PRId64 " / %" PRId64 "</span></div></td>",
			 rpm > 0 ? rpm : 1, rpm * 7 / 10, rpm * 9 / 10, minute, minute, rpm);
		html_fmt(h, "<td><div class=\"row\"><meter min=\"0\" max=\"%" PRId64 "\" low=\"%" PRId64 "\" high=\"%"
			 PRId64 "\" optimum=\"0\" value=\"%" PRId64 "\" aria-label=\"queries today\"></meter>"
			 "<span class=\"num small\">%" PRId64 " / %" PRId64 "</span></div></td></tr>",
			 budget > 0 ? budget : 1, budget * 7 / 10, budget * 9 / 10, today, today, budget);
	}
	html_raw(h, "</tbody></table></div>");
}

void
ui_render_queue(struct html *h, const struct ui_page *p, const struct ui_queue_view *v, int64_t now_s)
{
	int paused = uj_bool(v->totals, "paused");
	const json_t *q, *o;
	size_t i, k;

	ui_page_begin(h, p);
	ui_form_post(h, p, paused ? "queue/resume" : "queue/pause", NULL);
	html_fmt(h, "<button type=\"submit\"%s>%s</button></form>", paused ? " class=\"primary\"" : "",
		 paused ? "Resume" : "Pause");
	ui_form_post(h, p, "queue/clear", "Remove every waiting batch from the queue? Their items go back to pending.");
	html_raw(h, "<button type=\"submit\" class=\"danger\">Clear</button></form>");
	ui_page_main(h, p);

	html_raw(h, "<div id=\"queue-live\" data-live>");
	if (paused)
		html_raw(h, "<div class=\"flash bad\" role=\"status\"><strong>Paused.</strong> Nothing is sent until you resume.</div>");
	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\" aria-labelledby=\"h-thr\">"
		 "<h2 id=\"h-thr\">Indexer queries per connector</h2>");
	throttle_table(h, v->throttle, now_s);
	html_raw(h, "</section><section class=\"card\" aria-labelledby=\"h-out\"><h2 id=\"h-out\">Recent outcomes</h2>");
	if (json_array_size(v->outcomes) == 0)
		html_raw(h, "<p class=\"empty\">No searches yet.</p>");
	else
		html_raw(h, "<ul class=\"feed\">");
	json_array_foreach(v->outcomes, i, o) {
		html_raw(h, "<li>");
		html_ago(h, uj_int(o, "started"), now_s);
		html_raw(h, "<span class=\"what\">");
		ui_badge(h, uj_str(o, "outcome"));
		html_raw(h, " ");
		html_esc(h, uj_str(o, "command"));
		if (uj_str(o, "title") != NULL) {
			html_raw(h, " \xc2\xb7 ");
			html_esc(h, uj_str(o, "title"));
		}
		html_raw(h, " <span class=\"dim\">\xc2\xb7 ");
		html_esc(h, uj_str(o, "connector"));
		html_raw(h, " \xc2\xb7 ");
		html_duration_ms(h, uj_int(o, "duration_ms"));
		html_raw(h, "</span></span></li>");
	}
	if (json_array_size(v->outcomes) > 0)
		html_raw(h, "</ul>");
	html_raw(h, "</section></div>");
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-q\"><h2 id=\"h-q\"><span class=\"grow\">Batches in dispatch order</span>"
		 "<span class=\"dim small\">");
	html_int(h, uj_int(v->totals, "batches"));
	html_raw(h, " batches, ");
	html_int(h, uj_int(v->totals, "queued"));
	html_raw(h, " items</span></h2>");
	if (json_array_size(v->queue) == 0) {
		html_raw(h, "<p class=\"empty\">The queue is empty: discover and enqueue fill it.</p>");
	} else {
		html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\" class=\"num\">#</th>"
			 "<th scope=\"col\">State</th><th scope=\"col\">Search</th><th scope=\"col\" class=\"hide-sm\">Connector</th>"
			 "<th scope=\"col\" class=\"num\">Priority</th><th scope=\"col\" class=\"hide-sm\">Due</th>"
			 "<th scope=\"col\">Actions</th></tr></thead><tbody>");
		json_array_foreach(v->queue, i, q) {
			const json_t *t;
			int64_t id = uj_int(q, "id");

			html_fmt(h, "<tr id=\"batch-%" PRId64 "\"><td class=\"num\">%zu</td><td>", id, i + 1);
			ui_badge(h, uj_str(q, "state"));
			html_raw(h, "</td><td><strong>");
			html_esc(h, uj_str(q, "command"));
			html_raw(h, "</strong><div class=\"small dim\">");
			json_array_foreach(json_object_get(q, "titles"), k, t) {
				if (k > 0)
					html_raw(h, ", ");
				html_esc(h, json_string_value(t));
			}
			if (uj_int(q, "items") > 3)
				html_fmt(h, " +%" PRId64 " more", uj_int(q, "items") - 3);
			html_raw(h, "</div></td><td class=\"hide-sm\">");
			html_esc(h, uj_str(q, "connector"));
			html_raw(h, "</td><td class=\"num\">");
			html_int(h, uj_int(q, "priority"));
			html_raw(h, "</td><td class=\"hide-sm\">");
			html_ago(h, uj_int(q, "scheduled"), now_s);
			html_fmt(h, "</td><td><div class=\"actions\"><form method=\"post\" action=\"queue/%" PRId64 "/priority\">", id);
			ui_csrf(h, p);
			html_fmt(h, "<label class=\"sr\" for=\"prio-%" PRId64 "\">Priority of batch %" PRId64 "</label>"
				 "<input type=\"number\" class=\"small\" id=\"prio-%" PRId64 "\" name=\"priority\" value=\"%" PRId64
				 "\" min=\"-100000\" max=\"100000\"><button type=\"submit\" class=\"small\">Set</button></form>",
				 id, id, id, uj_int(q, "priority"));
			html_fmt(h, "<form method=\"post\" action=\"queue/%" PRId64 "/remove\">", id);
			ui_csrf(h, p);
			html_raw(h, "<button type=\"submit\" class=\"small danger\">Remove</button></form></div></td></tr>");
		}
		html_raw(h, "</tbody></table></div>");
	}
	html_raw(h, "</section></div>");
	ui_page_end(h, p);
}

/* one series per figure over the days of daily */
static void
day_chart(struct html *h, const json_t *daily, enum chart_kind kind, const char *title,
	  const char *const *keys, const char *const *names, size_t nkeys, double budget, int wide)
{
	double vals[CHART_MAX_SERIES][DAYS_MAX];	/* on the stack: handlers run on many threads */
	char xs[DAYS_MAX][8];
	const char *x[DAYS_MAX];
	struct chart_series s[CHART_MAX_SERIES];
	/* the viewBox follows the card's width so the labels keep their size */
	struct chart c = { kind, title, x, 0, s, nkeys, budget, NULL, 1, wide ? 1100 : 520, wide ? 240 : 220 };
	const json_t *d;
	size_t i, k;

	json_array_foreach(daily, i, d) {
		const char *day = uj_str(d, "day");

		if (c.n >= DAYS_MAX)
			break;
		for (k = 0; k < nkeys; k++)
			vals[k][c.n] = (double)uj_int(d, keys[k]);
		snprintf(xs[c.n], sizeof(xs[c.n]), "%s", day != NULL && strlen(day) == 10 ? day + 5 : "");
		x[c.n] = xs[c.n];
		c.n++;
	}
	for (k = 0; k < nkeys; k++) {
		s[k].name = names[k];
		s[k].y = vals[k];
	}
	if (chart_svg(h, &c) < 0) {
		html_raw(h, "<p class=\"empty\">No data in this period.</p>");
		return;
	}
	chart_legend(h, &c);
}

void
ui_render_analytics(struct html *h, const struct ui_page *p, const struct ui_analytics_view *v)
{
	static const char *const out_keys[] = { "grabbed", "no_results", "failed" };
	static const char *const out_names[] = { "Grabbed", "Nothing found", "Failed" };
	static const char *const q_keys[] = { "queries" };
	static const char *const q_names[] = { "Indexer queries" };
	static const char *const i_keys[] = { "items", "searches" };
	static const char *const i_names[] = { "Items searched", "Commands" };
	double budget = 0;
	const json_t *c;
	size_t i;

	json_array_foreach(v->throttle, i, c)
		budget += (double)uj_int(c, "budget");
	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<form method=\"get\" action=\"analytics\" class=\"card\"><div class=\"inline-fields\">"
		 "<div class=\"field\"><label for=\"from\">From</label><input type=\"date\" id=\"from\" name=\"from\" value=\"");
	html_esc(h, v->from);
	html_raw(h, "\"></div><div class=\"field\"><label for=\"to\">To</label><input type=\"date\" id=\"to\" name=\"to\" value=\"");
	html_esc(h, v->to);
	html_raw(h, "\"></div><button type=\"submit\">Show</button><a class=\"btn\" href=\"analytics/daily.csv?from=");
	html_url(h, v->from);
	html_raw(h, "&amp;to=");
	html_url(h, v->to);
	html_raw(h, "\" download>Export CSV</a></div></form>");

	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\"><h2>Searches by outcome</h2>");
	day_chart(h, v->daily, CHART_BARS, "Searches per day by outcome", out_keys, out_names, 3, 0, 0);
	html_raw(h, "</section><section class=\"card\"><h2>Indexer queries spent vs budget</h2>");
	day_chart(h, v->daily, CHART_LINE, "Indexer queries per day against the daily budget", q_keys, q_names, 1, budget, 0);
	html_raw(h, "</section></div><section class=\"card\"><h2>Items searched</h2>");
	day_chart(h, v->daily, CHART_LINE, "Items searched and commands sent per day", i_keys, i_names, 2, 0, 1);
	html_raw(h, "</section><section class=\"card\"><h2>Connectors side by side</h2><div class=\"table-wrap\"><table><thead><tr>"
		 "<th scope=\"col\">Connector</th><th scope=\"col\">Health</th><th scope=\"col\" class=\"num\">Library</th>"
		 "<th scope=\"col\" class=\"num\">Gaps</th><th scope=\"col\" class=\"num\">Upgrades</th>"
		 "<th scope=\"col\" class=\"num\">Exhausted</th><th scope=\"col\" class=\"num\">Searches today</th>"
		 "<th scope=\"col\" class=\"num\">Success today</th></tr></thead><tbody>");
	json_array_foreach(v->connectors, i, c) {
		html_raw(h, "<tr><td>");
		html_esc(h, uj_str(c, "name"));
		html_raw(h, "</td><td>");
		ui_status(h, uj_str(c, "health"));
		html_raw(h, "</td><td class=\"num\">");
		html_pct(h, uj_int(c, "have"), uj_int(c, "items"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "gaps"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "upgrades"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "exhausted"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "searches_today"));
		html_raw(h, "</td><td class=\"num\">");
		html_pct(h, uj_int(c, "grabbed_today"), uj_int(c, "searches_today"));
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table></div></section><section class=\"card\" aria-labelledby=\"h-hard\">"
		 "<h2 id=\"h-hard\">Hardest to find</h2>");
	if (json_array_size(v->hardest) == 0)
		html_raw(h, "<p class=\"empty\">Nothing has been searched yet.</p>");
	else
		html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Item</th>"
			 "<th scope=\"col\" class=\"hide-sm\">Connector</th><th scope=\"col\">Looking for</th>"
			 "<th scope=\"col\">State</th><th scope=\"col\" class=\"num\">Searches</th></tr></thead><tbody>");
	json_array_foreach(v->hardest, i, c) {
		const char *kind = uj_str(c, "kind");

		html_fmt(h, "<tr><td><a href=\"content/%s/%" PRId64 "\">", kind != NULL && strcmp(kind, "movie") == 0 ?
			 "movie" : "series", uj_int(c, "item_id"));
		html_esc(h, uj_str(c, "title"));
		html_raw(h, "</a></td><td class=\"hide-sm\">");
		html_esc(h, uj_str(c, "connector"));
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(c, "type"));
		html_raw(h, "</td><td>");
		ui_badge(h, uj_str(c, "state"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(c, "attempts"));
		html_raw(h, "</td></tr>");
	}
	if (json_array_size(v->hardest) > 0)
		html_raw(h, "</tbody></table></div>");
	html_raw(h, "</section>");
	ui_page_end(h, p);
}
