/*
 * ui_page_dash.c - the dashboard (Req 15) and the pieces other pages share:
 * the JSON accessors and the activity feed's lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "web/ui_chart.h"
#include "web/ui_pages.h"
#include "web/ui_sched.h"
#include "core/banned.h"

#define DAYS_MAX	60

const char *
uj_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int64_t
uj_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

double
uj_num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

int
uj_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

void
ui_totals_add_registry(json_t *totals, const json_t *connectors)
{
	static const char *const keys[] = { "gaps", "upgrades", "searching", "exhausted" };
	const json_t *c;
	size_t i, k;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		json_int_t sum = 0;

		json_array_foreach(connectors, i, c)
			sum += (json_int_t)uj_int(c, keys[k]);
		json_object_set_new(totals, keys[k], json_integer(sum));
	}
}

/* "search_outcome" -> "search outcome" */
static void
kind_words(struct html *h, const char *kind)
{
	char w[64];
	size_t i;

	snprintf(w, sizeof(w), "%s", kind != NULL ? kind : "event");
	for (i = 0; w[i] != '\0'; i++)
		if (w[i] == '_')
			w[i] = ' ';
	if (w[0] >= 'a' && w[0] <= 'z')
		w[0] = (char)(w[0] - 'a' + 'A');
	html_esc(h, w);
}

void
ui_activity_item(struct html *h, const json_t *ev, int64_t now_s)
{
	const char *kind = uj_str(ev, "kind"), *conn = uj_str(ev, "connector");
	const json_t *pl = json_object_get(ev, "payload");
	const char *outcome = uj_str(pl, "outcome");

	html_raw(h, "<li>");
	html_ago(h, uj_int(ev, "at"), now_s);
	html_raw(h, "<span class=\"what\">");
	if (kind != NULL && strcmp(kind, "search_outcome") == 0) {
		ui_badge(h, outcome);
		html_raw(h, " ");
		html_esc(h, uj_str(pl, "command"));
		html_fmt(h, ": %" PRId64 " of %" PRId64 " grabbed", uj_int(pl, "items_grabbed"), uj_int(pl, "items"));
	} else if (kind != NULL && strcmp(kind, "search_dispatched") == 0) {
		html_raw(h, "Sent ");
		html_esc(h, uj_str(pl, "command"));
		html_fmt(h, " for %zu item%s", json_array_size(json_object_get(pl, "arr_ids")),
			 json_array_size(json_object_get(pl, "arr_ids")) == 1 ? "" : "s");
	} else if (kind != NULL && strcmp(kind, "connector_health_changed") == 0) {
		html_raw(h, "Health changed to ");
		ui_badge(h, uj_str(pl, "health") ? uj_str(pl, "health") : uj_str(pl, "to"));
	} else {
		kind_words(h, kind);
		if (outcome != NULL) {
			html_raw(h, " ");
			ui_badge(h, outcome);
		}
	}
	if (conn != NULL) {
		html_raw(h, " <span class=\"dim\">\xc2\xb7 ");
		html_esc(h, conn);
		html_raw(h, "</span>");
	}
	html_raw(h, "</span></li>");
}

static void
stat(struct html *h, const char *label, int64_t v, const char *sub)
{
	html_raw(h, "<div class=\"stat\"><div class=\"label\">");
	html_esc(h, label);
	html_raw(h, "</div><div class=\"value\">");
	html_int(h, v);
	html_raw(h, "</div>");
	if (sub != NULL) {
		html_raw(h, "<div class=\"sub\">");
		html_raw(h, sub);
		html_raw(h, "</div>");
	}
	html_raw(h, "</div>");
}

/* the completion object of connector name in db_ui_completion's answer */
static const json_t *
completion_of(const json_t *completion, const char *name)
{
	size_t i;
	const json_t *c;

	json_array_foreach(completion, i, c)
		if (name != NULL && uj_str(c, "connector") != NULL && strcmp(uj_str(c, "connector"), name) == 0)
			return c;
	return NULL;
}

static void
connector_rows(struct html *h, const struct ui_dashboard *d, int64_t now_s)
{
	size_t i, k;
	const json_t *c;

	if (json_array_size(d->connectors) == 0) {
		html_raw(h, "<p class=\"empty\">No connectors yet. <a href=\"connectors/new\">Add your Sonarr or Radarr</a>.</p>");
		return;
	}
	html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Connector</th>"
		 "<th scope=\"col\">Health</th><th scope=\"col\" class=\"hide-sm\">Last sync</th>"
		 "<th scope=\"col\">Completion</th><th scope=\"col\" class=\"hide-sm\">Trend</th></tr></thead><tbody>");
	json_array_foreach(d->connectors, i, c) {
		const char *name = uj_str(c, "name");
		const json_t *comp = completion_of(d->completion, name), *trend = json_object_get(comp, "trend");
		int64_t items = uj_int(c, "items"), have = uj_int(c, "have");
		double pct = items > 0 ? 100.0 * (double)have / (double)items : 0;
		double vals[DAYS_MAX];
		char label[160];
		size_t n = 0;

		html_raw(h, "<tr><td><a href=\"connectors/");
		html_url(h, name);
		html_raw(h, "\">");
		html_esc(h, name);
		html_raw(h, "</a> <span class=\"dim small\">");
		html_esc(h, uj_str(c, "type"));
		html_raw(h, "</span></td><td>");
		ui_status(h, uj_bool(c, "enabled") ? uj_str(c, "health") : "disabled");
		html_raw(h, "</td><td class=\"hide-sm\">");
		html_ago(h, uj_int(c, "last_sync"), now_s);
		/* a <meter> needs no inline style for its width, and its
		 * low/high/optimum give the one colour code */
		html_fmt(h, "</td><td><div class=\"row\"><meter class=\"grow\" min=\"0\" max=\"100\" low=\"60\""
			 " high=\"90\" optimum=\"100\" value=\"%.1f\" aria-label=\"%.1f%% complete\"></meter>"
			 "<span class=\"num small\">", pct, pct);
		html_pct(h, have, items);
		html_raw(h, "</span></div></td><td class=\"hide-sm\">");
		json_array_foreach(trend, k, comp) {
			if (n < DAYS_MAX)
				vals[n++] = json_number_value(comp);
		}
		if (n > 0)
			snprintf(label, sizeof(label), "completion over %zu day%s: %.1f%% to %.1f%%", n,
				 n == 1 ? "" : "s", vals[0], vals[n - 1]);
		else
			snprintf(label, sizeof(label), "no completion history yet");
		chart_spark(h, vals, n, label);
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table></div>");
}

/* stacked bars of the daily searches: grabbed, nothing found, failed */
static void
daily_chart(struct html *h, const json_t *daily, const char *title, int with_legend)
{
	double g[DAYS_MAX], nr[DAYS_MAX], f[DAYS_MAX];
	char xs[DAYS_MAX][8];
	const char *x[DAYS_MAX];
	struct chart_series s[3] = { { "Grabbed", g }, { "Nothing found", nr }, { "Failed", f } };
	struct chart c = { CHART_BARS, title, x, 0, s, 3, 0, NULL, 1, 520, 220 };
	const json_t *d;
	size_t i;

	json_array_foreach(daily, i, d) {
		const char *day = uj_str(d, "day");

		if (c.n >= DAYS_MAX)
			break;
		g[c.n] = (double)uj_int(d, "grabbed");
		nr[c.n] = (double)uj_int(d, "no_results");
		f[c.n] = (double)uj_int(d, "failed");
		/* "2026-12-07" -> "12-07" */
		snprintf(xs[c.n], sizeof(xs[c.n]), "%s", day != NULL && strlen(day) == 10 ? day + 5 : "");
		x[c.n] = xs[c.n];
		c.n++;
	}
	if (chart_svg(h, &c) < 0)
		html_raw(h, "<p class=\"empty\">No searches in this period.</p>");
	else if (with_legend)
		chart_legend(h, &c);
}

void
ui_render_dashboard(struct html *h, const struct ui_page *p, const struct ui_dashboard *d, int64_t now_s)
{
	const json_t *t = d->totals, *ev, *q;
	int64_t s7 = uj_int(t, "searches_7d"), g7 = uj_int(t, "grabbed_7d");
	struct html sub;
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<div class=\"stats\" id=\"stats\" data-live>");
	stat(h, "Gaps", uj_int(t, "gaps"), "missing, not given up");
	stat(h, "Upgrades", uj_int(t, "upgrades"), "below the cutoff");
	html_init(&sub);
	html_int(&sub, uj_int(t, "batches"));
	html_raw(&sub, uj_int(t, "batches") == 1 ? " batch" : " batches");
	if (uj_bool(t, "paused"))
		html_raw(&sub, " \xc2\xb7 <span class=\"badge warn\">paused</span>");
	stat(h, "Queued", uj_int(t, "queued"), html_failed(&sub) ? NULL : sub.b.data);
	buf_reset(&sub.b);
	html_int(&sub, uj_int(t, "grabbed_today"));
	html_raw(&sub, " grabbed");
	stat(h, "Searches today", uj_int(t, "searches_today"), html_failed(&sub) ? NULL : sub.b.data);
	html_release(&sub);
	html_raw(h, "<div class=\"stat\"><div class=\"label\">Success rate</div><div class=\"value\">");
	html_pct(h, g7, s7);
	html_raw(h, "</div><div class=\"sub\">grabbed, last 7 days</div></div></div>");

	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\" aria-labelledby=\"h-conn\">"
		 "<h2 id=\"h-conn\"><span class=\"grow\">Connectors</span>"
		 "<a class=\"btn small\" href=\"connectors\">Manage</a></h2><div id=\"dash-conn\" data-live>");
	connector_rows(h, d, now_s);
	html_raw(h, "</div></section><section class=\"card\" aria-labelledby=\"h-act\">"
		 "<h2 id=\"h-act\"><span class=\"grow\">Activity</span></h2>");
	if (json_array_size(d->activity) == 0)
		html_raw(h, "<p class=\"empty\">Nothing has happened yet.</p>");
	html_raw(h, "<ul class=\"feed\" data-feed>");
	json_array_foreach(d->activity, i, ev)
		ui_activity_item(h, ev, now_s);
	html_raw(h, "</ul></section></div>");

	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\" aria-labelledby=\"h-search\">"
		 "<h2 id=\"h-search\"><span class=\"grow\">Searches, last 14 days</span>"
		 "<a class=\"btn small\" href=\"analytics\">Analytics</a></h2>");
	daily_chart(h, d->daily, "Searches per day over the last 14 days, by outcome", 1);
	html_raw(h, "</section><section class=\"card\" aria-labelledby=\"h-queue\">"
		 "<h2 id=\"h-queue\"><span class=\"grow\">Next in the queue</span>"
		 "<a class=\"btn small\" href=\"queue\">Queue</a></h2><div id=\"dash-queue\" data-live>");
	if (json_array_size(d->queue) == 0) {
		html_raw(h, "<p class=\"empty\">The queue is empty.</p>");
	} else {
		html_raw(h, "<ul class=\"feed\">");
		json_array_foreach(d->queue, i, q) {
			const json_t *titles = json_object_get(q, "titles");

			html_raw(h, "<li>");
			ui_badge(h, uj_str(q, "state"));
			html_raw(h, "<span class=\"what\">");
			html_esc(h, uj_str(q, "command"));
			html_raw(h, " \xc2\xb7 ");
			html_esc(h, json_string_value(json_array_get(titles, 0)));
			if (uj_int(q, "items") > 1)
				html_fmt(h, " <span class=\"dim\">+%" PRId64 " more</span>", uj_int(q, "items") - 1);
			html_raw(h, " <span class=\"dim\">\xc2\xb7 ");
			html_esc(h, uj_str(q, "connector"));
			html_raw(h, "</span></span></li>");
		}
		html_raw(h, "</ul>");
	}
	html_raw(h, "</div></section></div>");
	ui_sweeps_panel(h, d->sweeps, now_s);
	ui_page_end(h, p);
}

void
ui_daily_csv(struct html *h, const json_t *daily)
{
	const json_t *d;
	size_t i;

	html_raw(h, "day,searches,grabbed,no_results,failed,queries,items\r\n");
	json_array_foreach(daily, i, d) {
		const char *day = uj_str(d, "day");

		/* a date is digits and dashes: checked, so nothing needs quoting */
		if (day == NULL || strspn(day, "0123456789-") != strlen(day))
			continue;
		html_fmt(h, "%s,%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\r\n", day,
			 uj_int(d, "searches"), uj_int(d, "grabbed"), uj_int(d, "no_results"), uj_int(d, "failed"),
			 uj_int(d, "queries"), uj_int(d, "items"));
	}
}
