/*
 * ui_page_content.c - the content browser (Req 17): series and movies with
 * filters, a title search that updates as you type (app.js swaps the
 * results), keyset paging, bulk actions, and the series and movie pages
 * with each item's registry entries.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "web/ui_pages.h"
#include "core/banned.h"

static const char *const states[][2] = {
	{ "", "All" }, { "missing", "Missing" }, { "upgrade", "Upgrade candidates" },
	{ "queued", "Queued" }, { "searching", "Searching" }, { "exhausted", "Exhausted" },
	{ NULL, NULL }
};

static void
option(struct html *h, const char *value, const char *label, const char *current)
{
	html_raw(h, "<option value=\"");
	html_esc(h, value);
	html_raw(h, "\"");
	if ((current == NULL && value[0] == '\0') || (current != NULL && strcmp(current, value) == 0))
		html_raw(h, " selected");
	html_raw(h, ">");
	html_esc(h, label);
	html_raw(h, "</option>");
}

/* the current filters as query parameters (for the next page's link) */
static void
filter_query(struct html *h, const struct ui_content_view *v)
{
	const char *names[] = { "connector", "type", "state", "q" };
	const char *vals[] = { v->connector, v->type, v->state, v->q };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (vals[i] == NULL || vals[i][0] == '\0')
			continue;
		html_fmt(h, "%s=", names[i]);
		html_url(h, vals[i]);
		html_raw(h, "&amp;");
	}
}

static void
item_link(struct html *h, const json_t *r)
{
	const char *kind = uj_str(r, "kind");

	html_fmt(h, "content/%s/%" PRId64, kind != NULL && strcmp(kind, "series") == 0 ? "series" : "movie",
		 uj_int(r, "id"));
}

static void
filters(struct html *h, const struct ui_content_view *v)
{
	const json_t *c;
	size_t i;

	html_raw(h, "<form method=\"get\" action=\"content\" class=\"card\" role=\"search\">"
		 "<div class=\"inline-fields\"><div class=\"field grow\"><label for=\"q\">Title</label>"
		 "<input type=\"search\" id=\"q\" name=\"q\" placeholder=\"Search titles\" data-autosearch=\"results\" value=\"");
	html_esc(h, v->q);
	html_raw(h, "\"></div><div class=\"field\"><label for=\"connector\">Connector</label><select id=\"connector\" name=\"connector\">");
	option(h, "", "All", v->connector);
	json_array_foreach(v->connectors, i, c)
		option(h, uj_str(c, "name"), uj_str(c, "name"), v->connector);
	html_raw(h, "</select></div><div class=\"field\"><label for=\"type\">Type</label><select id=\"type\" name=\"type\">");
	option(h, "", "All", v->type);
	option(h, "series", "Series", v->type);
	option(h, "movie", "Movies", v->type);
	html_raw(h, "</select></div><div class=\"field\"><label for=\"state\">Status</label><select id=\"state\" name=\"state\">");
	for (i = 0; states[i][0] != NULL; i++)
		option(h, states[i][0], states[i][1], v->state);
	html_raw(h, "</select></div><button type=\"submit\">Filter</button></div></form>");
}

void
ui_render_content(struct html *h, const struct ui_page *p, const struct ui_content_view *v)
{
	const json_t *rows = json_object_get(v->page, "rows"), *r;
	const char *next = uj_str(v->page, "next");
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	filters(h, v);
	html_raw(h, "<div id=\"results\">");
	ui_form_post(h, p, "content/bulk", NULL);
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-items\"><h2 id=\"h-items\"><span class=\"grow\">Library</span></h2>");
	if (json_array_size(rows) == 0) {
		html_raw(h, "<p class=\"empty\">Nothing matches these filters.</p></section></form></div>");
		ui_page_end(h, p);
		return;
	}
	html_raw(h, "<div class=\"table-wrap\"><table><thead><tr><th scope=\"col\" class=\"check\">"
		 "<input type=\"checkbox\" data-select-all=\"item\" aria-label=\"Select all on this page\"></th>"
		 "<th scope=\"col\">Title</th><th scope=\"col\" class=\"hide-sm\">Connector</th>"
		 "<th scope=\"col\">Have</th><th scope=\"col\" class=\"num\">Gaps</th>"
		 "<th scope=\"col\" class=\"num\">Upgrades</th><th scope=\"col\" class=\"hide-sm\">Quality / state</th>"
		 "</tr></thead><tbody>");
	json_array_foreach(rows, i, r) {
		int series = uj_str(r, "kind") != NULL && strcmp(uj_str(r, "kind"), "series") == 0;

		html_raw(h, "<tr><td class=\"check\"><input type=\"checkbox\" name=\"item\" value=\"");
		html_esc(h, uj_str(r, "key"));
		html_raw(h, "\" aria-label=\"Select ");
		html_esc(h, uj_str(r, "title"));
		html_raw(h, "\"></td><td><a href=\"");
		item_link(h, r);
		html_raw(h, "\">");
		html_esc(h, uj_str(r, "title"));
		html_raw(h, "</a>");
		if (uj_int(r, "year") > 0)
			html_fmt(h, " <span class=\"dim\">(%" PRId64 ")</span>", uj_int(r, "year"));
		html_fmt(h, " <span class=\"badge\">%s</span></td><td class=\"hide-sm\">", series ? "series" : "movie");
		html_esc(h, uj_str(r, "connector"));
		html_raw(h, "</td><td class=\"num\">");
		if (series) {
			html_int(h, uj_int(r, "have"));
			html_raw(h, "/");
			html_int(h, uj_int(r, "items"));
		} else {
			html_raw(h, uj_int(r, "have") ? "<span class=\"badge ok\">yes</span>" : "<span class=\"badge bad\">missing</span>");
		}
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(r, "gaps"));
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, uj_int(r, "upgrades"));
		html_raw(h, "</td><td class=\"hide-sm\">");
		if (uj_str(r, "quality") != NULL)
			html_esc(h, uj_str(r, "quality"));
		if (uj_str(r, "state") != NULL) {
			html_raw(h, " ");
			ui_badge(h, uj_str(r, "state"));
		}
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table></div>"
		 "<div class=\"pager\"><div class=\"inline-fields\"><div class=\"field\"><label for=\"action\">With the selected</label>"
		 "<select id=\"action\" name=\"action\"><option value=\"queue\">Search now (top priority)</option>"
		 "<option value=\"priority\">Set priority</option><option value=\"ignore\">Ignore (mark exhausted)</option>"
		 "<option value=\"reset\">Clear search state</option></select></div>"
		 "<div class=\"field\"><label for=\"priority\">Priority</label><input type=\"number\" id=\"priority\" name=\"priority\""
		 " min=\"-100000\" max=\"100000\" value=\"20000\"></div>"
		 "<button type=\"submit\" class=\"primary\">Apply</button></div>");
	if (next != NULL) {
		html_raw(h, "<a class=\"btn\" rel=\"next\" href=\"content?");
		filter_query(h, v);
		html_raw(h, "after=");
		html_url(h, next);
		html_raw(h, "\">Next page \xe2\x86\x92</a>");
	}
	html_raw(h, "</div></section></form></div>");
	ui_page_end(h, p);
}

static void
entries(struct html *h, const json_t *list, int64_t now_s)
{
	const json_t *en;
	size_t i;

	json_array_foreach(list, i, en) {
		html_raw(h, "<span class=\"row small\">");
		html_esc(h, uj_str(en, "type"));
		ui_badge(h, uj_str(en, "state"));
		html_fmt(h, "<span class=\"dim\">%" PRId64 " tries, priority %" PRId64 ", searched ",
			 uj_int(en, "attempts"), uj_int(en, "priority"));
		html_ago(h, uj_int(en, "last_searched"), now_s);
		html_raw(h, "</span></span>");
	}
}

void
ui_render_series(struct html *h, const struct ui_page *p, const json_t *s, int64_t now_s)
{
	const json_t *se, *ep;
	size_t i, k;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<p class=\"dim\">");
	html_esc(h, uj_str(s, "connector"));
	if (uj_int(s, "year") > 0)
		html_fmt(h, " \xc2\xb7 %" PRId64, uj_int(s, "year"));
	html_raw(h, " \xc2\xb7 ");
	html_esc(h, uj_str(s, "status"));
	html_raw(h, uj_bool(s, "monitored") ? " \xc2\xb7 monitored" : " \xc2\xb7 not monitored");
	html_raw(h, "</p>");
	json_array_foreach(json_object_get(s, "seasons"), i, se) {
		html_fmt(h, "<section class=\"card\"><h2><span class=\"grow\">%s %" PRId64 "</span>"
			 "<span class=\"dim small\">", uj_int(se, "number") == 0 ? "Specials" : "Season",
			 uj_int(se, "number"));
		html_int(h, uj_int(se, "have"));
		html_raw(h, " of ");
		html_int(h, uj_int(se, "total"));
		html_raw(h, "</span></h2><div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">#</th>"
			 "<th scope=\"col\">Title</th><th scope=\"col\" class=\"hide-sm\">Aired</th><th scope=\"col\">File</th>"
			 "<th scope=\"col\">Search state</th></tr></thead><tbody>");
		json_array_foreach(json_object_get(se, "episodes"), k, ep) {
			html_fmt(h, "<tr><td class=\"num\">%" PRId64 "</td><td>", uj_int(ep, "number"));
			html_esc(h, uj_str(ep, "title"));
			if (!uj_bool(ep, "monitored"))
				html_raw(h, " <span class=\"dim small\">(not monitored)</span>");
			html_raw(h, "</td><td class=\"hide-sm\">");
			html_when(h, uj_int(ep, "aired"));
			html_raw(h, "</td><td>");
			if (uj_bool(ep, "has_file"))
				html_esc(h, uj_str(ep, "quality") != NULL ? uj_str(ep, "quality") : "yes");
			else
				html_raw(h, "<span class=\"badge bad\">missing</span>");
			html_raw(h, "</td><td>");
			entries(h, json_object_get(ep, "entries"), now_s);
			html_raw(h, "</td></tr>");
		}
		html_raw(h, "</tbody></table></div></section>");
	}
	ui_page_end(h, p);
}

void
ui_render_movie(struct html *h, const struct ui_page *p, const json_t *m, const json_t *explain,
		int64_t now_s)
{
	const json_t *ev;
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<div class=\"grid grid-2\"><section class=\"card\"><h2>Status</h2><table><tbody>"
		 "<tr><th scope=\"row\">Connector</th><td>");
	html_esc(h, uj_str(m, "connector"));
	html_raw(h, "</td></tr><tr><th scope=\"row\">Year</th><td>");
	if (uj_int(m, "year") > 0)
		html_fmt(h, "%" PRId64, uj_int(m, "year"));
	html_raw(h, "</td></tr><tr><th scope=\"row\">File</th><td>");
	if (uj_bool(m, "has_file")) {
		html_esc(h, uj_str(m, "quality"));
		if (uj_bool(m, "cutoff_not_met"))
			html_raw(h, " <span class=\"badge warn\">below cutoff</span>");
	} else {
		html_raw(h, "<span class=\"badge bad\">missing</span>");
	}
	html_raw(h, "</td></tr><tr><th scope=\"row\">Last search</th><td>");
	html_ago(h, uj_int(m, "last_search"), now_s);
	html_raw(h, "</td></tr><tr><th scope=\"row\">Search state</th><td>");
	if (json_array_size(json_object_get(m, "entries")) == 0)
		html_raw(h, "<span class=\"dim\">not a candidate</span>");
	entries(h, json_object_get(m, "entries"), now_s);
	html_raw(h, "</td></tr></tbody></table></section><section class=\"card\"><h2>Search history</h2>");
	if (json_array_size(json_object_get(m, "history")) == 0)
		html_raw(h, "<p class=\"empty\">Never searched by Comradarr.</p>");
	else
		html_raw(h, "<ul class=\"feed\">");
	json_array_foreach(json_object_get(m, "history"), i, ev) {
		html_raw(h, "<li>");
		html_ago(h, uj_int(ev, "started"), now_s);
		html_raw(h, "<span class=\"what\">");
		ui_badge(h, uj_str(ev, "outcome"));
		html_raw(h, " ");
		html_esc(h, uj_str(ev, "message"));
		html_raw(h, "</span></li>");
	}
	if (json_array_size(json_object_get(m, "history")) > 0)
		html_raw(h, "</ul>");
	html_raw(h, "</section></div>");
	if (explain != NULL) {
		char *text = json_dumps(explain, JSON_INDENT(2) | JSON_SORT_KEYS);

		html_raw(h, "<section class=\"card\"><h2>Why (comradarr explain)</h2><pre class=\"mono small\">");
		html_esc(h, text);
		html_raw(h, "</pre></section>");
		free(text);
	}
	ui_page_end(h, p);
}
