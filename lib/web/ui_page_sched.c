/*
 * ui_page_sched.c - the schedules page, its editor with the cron builder
 * and preview, the week's timeline, and the dashboard's sweeps panel.  See
 * ui_sched.h.  Every form works without JavaScript: the builder's fields
 * and the raw expression are posted, and "Preview" re-renders the form
 * with the runs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "web/ui_pages.h"
#include "web/ui_sched.h"
#include "core/banned.h"

#define TL_W		1000	/* the timeline's viewBox */
#define TL_LABEL	170	/* lane labels on the left */
#define TL_HEAD		24
#define TL_LANE		26

static const char *const day_names[7] = {
	"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
};

static void
sched_link(struct html *h, const char *name, const char *suffix)
{
	html_raw(h, "schedules/");
	html_url(h, name);
	html_raw(h, suffix);
}

/* a small POST form with one button */
static void
action(struct html *h, const struct ui_page *p, const char *name, const char *what,
       const char *label, const char *cls, const char *confirm)
{
	html_raw(h, "<form method=\"post\" action=\"");
	sched_link(h, name, what);
	html_raw(h, "\"");
	if (confirm != NULL) {
		html_raw(h, " data-confirm=\"");
		html_esc(h, confirm);
		html_raw(h, "\"");
	}
	html_raw(h, ">");
	ui_csrf(h, p);
	html_fmt(h, "<button type=\"submit\" class=\"small%s%s\">", cls ? " " : "", cls ? cls : "");
	html_esc(h, label);
	html_raw(h, "<span class=\"sr\"> ");
	html_esc(h, name);
	html_raw(h, "</span></button></form>");
}

static void
last_run(struct html *h, const json_t *lr, int64_t now_s)
{
	const char *st = uj_str(lr, "status");

	if (lr == NULL || st == NULL) {
		html_raw(h, "<span class=\"dim\">never</span>");
		return;
	}
	ui_badge(h, st);
	html_raw(h, " <span class=\"small dim\">");
	html_int(h, uj_int(lr, "found"));
	html_raw(h, " found, ");
	html_int(h, uj_int(lr, "queued"));
	html_raw(h, " queued</span>");
	(void)now_s;
}

static void
list_table(struct html *h, const struct ui_page *p, const json_t *list, int64_t now_s)
{
	const json_t *s;
	size_t i;

	html_raw(h, "<div class=\"table-wrap sched-table\" id=\"sched-list\" data-live><table><thead><tr>"
		 "<th scope=\"col\">Schedule</th><th scope=\"col\">Connector</th>"
		 "<th scope=\"col\">When</th><th scope=\"col\">Next run</th>"
		 "<th scope=\"col\" class=\"hide-sm\">Last run</th><th scope=\"col\">Enabled</th>"
		 "<th scope=\"col\">Actions</th></tr></thead><tbody>");
	json_array_foreach(list, i, s) {
		const char *name = uj_str(s, "schedule");
		int enabled = uj_bool(s, "enabled");

		html_raw(h, "<tr><td><strong>");
		html_esc(h, name);
		html_raw(h, "</strong><div class=\"dim small\">");
		html_esc(h, uj_str(s, "sweep"));
		if (uj_int(s, "max_items") > 0) {
			html_raw(h, " \xc2\xb7 at most ");
			html_int(h, uj_int(s, "max_items"));
		}
		html_raw(h, "</div></td><td>");
		if (uj_str(s, "connector") != NULL)
			html_esc(h, uj_str(s, "connector"));
		else
			html_raw(h, "<span class=\"dim\">every connector</span>");
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(s, "description") ? uj_str(s, "description") : "not readable");
		html_raw(h, "<div class=\"mono small dim\">");
		html_esc(h, uj_str(s, "cron"));
		html_raw(h, "</div></td><td>");
		if (uj_int(s, "next_s") > 0) {
			html_ago(h, uj_int(s, "next_s"), now_s);
			html_raw(h, "<div class=\"small dim\">");
			html_when(h, uj_int(s, "next_s"));
			html_raw(h, " UTC</div>");
		} else {
			html_raw(h, "<span class=\"dim\">\xe2\x80\x93</span>");
		}
		html_raw(h, "</td><td class=\"hide-sm\">");
		last_run(h, json_object_get(s, "last_run"), now_s);
		html_raw(h, "</td><td>");
		ui_status(h, enabled ? "enabled" : "disabled");
		html_raw(h, "</td><td><div class=\"actions\">");
		action(h, p, name, "/run", "Run now", enabled ? "primary" : NULL, NULL);
		if (enabled)
			action(h, p, name, "/disable", "Disable", NULL, NULL);
		else
			action(h, p, name, "/enable", "Enable", NULL, NULL);
		html_raw(h, "<a class=\"btn small\" href=\"");
		sched_link(h, name, "/edit");
		html_raw(h, "\">Edit<span class=\"sr\"> ");
		html_esc(h, name);
		html_raw(h, "</span></a>");
		action(h, p, name, "/delete", "Remove", "danger",
		       "Remove this schedule and its run history?");
		html_raw(h, "</div></td></tr>");
	}
	html_raw(h, "</tbody></table></div>");
}

/* ------------------------------------------------------------ timeline */

static double
x_of(int64_t t, int64_t from, int64_t to)
{
	if (to <= from)
		return TL_LABEL;
	return TL_LABEL + (double)(t - from) * (TL_W - TL_LABEL - 4) / (double)(to - from);
}

static void
hhmm(struct html *h, int64_t t)
{
	int64_t s = ((t % 86400) + 86400) % 86400;

	html_fmt(h, "%02d:%02d", (int)(s / 3600), (int)(s % 3600 / 60));
}

void
ui_sched_timeline(struct html *h, const json_t *plan, const json_t *days, const char *zone)
{
	const json_t *lanes = json_object_get(plan, "lanes"), *lane, *d;
	int64_t from = uj_int(plan, "from_s"), to = uj_int(plan, "to_s");
	size_t nl = json_array_size(lanes), i, k;
	int height = TL_HEAD + (int)(nl > 0 ? nl : 1) * TL_LANE + 4;
	long total = 0;

	json_array_foreach(lanes, i, lane)
		total += (long)json_array_size(json_object_get(lane, "runs"));
	if (nl == 0) {
		html_raw(h, "<p class=\"empty\">No enabled schedule runs in the coming week.</p>");
		return;
	}
	html_fmt(h, "<svg class=\"chart timeline\" viewBox=\"0 0 %d %d\" role=\"img\" "
		 "aria-labelledby=\"tl-title tl-desc\"><title id=\"tl-title\">Sweeps in the coming "
		 "week</title><desc id=\"tl-desc\">%ld run%s of %zu schedule%s; %" PRId64 " run%s "
		 "overlap another sweep of the same connector. The table below lists them.</desc>",
		 TL_W, height, total, total == 1 ? "" : "s", nl, nl == 1 ? "" : "s",
		 uj_int(plan, "clashes"), uj_int(plan, "clashes") == 1 ? "" : "s");
	/* day boundaries in the page's zone, with their names */
	json_array_foreach(days, i, d) {
		double x = x_of(uj_int(d, "at_s"), from, to);

		html_fmt(h, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", x, x,
			 TL_HEAD - 6, height - 2);
		if (x < TL_W - 60) {
			html_fmt(h, "<text x=\"%.1f\" y=\"%d\">", x + 4, TL_HEAD - 10);
			html_esc(h, uj_str(d, "label"));
			html_raw(h, "</text>");
		}
	}
	json_array_foreach(lanes, i, lane) {
		const json_t *runs = json_object_get(lane, "runs"), *clash = json_object_get(lane, "clash");
		int y = TL_HEAD + (int)i * TL_LANE;
		const json_t *t;

		html_fmt(h, "<line class=\"grid\" x1=\"0\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>", TL_W,
			 y + TL_LANE, y + TL_LANE);
		html_fmt(h, "<text class=\"lane-label\" x=\"4\" y=\"%d\">", y + 17);
		html_esc_n(h, uj_str(lane, "schedule"), 22);
		html_raw(h, "</text>");
		if (uj_bool(lane, "truncated")) {
			/* too many to draw one by one: a band says "all the time" */
			html_fmt(h, "<rect class=\"band\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"14\">"
				 "<title>", TL_LABEL, y + 6, TL_W - TL_LABEL - 4);
			html_esc(h, uj_str(lane, "description"));
			html_raw(h, "</title></rect>");
			continue;
		}
		json_array_foreach(runs, k, t) {
			int c = json_integer_value(json_array_get(clash, k)) != 0;

			html_fmt(h, "<rect class=\"tick%s\" x=\"%.1f\" y=\"%d\" width=\"%d\" height=\"%d\">",
				 c ? " clash" : "", x_of(json_integer_value(t), from, to) - (c ? 1.5 : 1),
				 y + (c ? 3 : 6), c ? 3 : 2, c ? 20 : 14);
			if (c) {
				html_raw(h, "<title>");
				html_esc(h, uj_str(lane, "schedule"));
				html_raw(h, " overlaps another sweep at ");
				hhmm(h, json_integer_value(t));
				html_raw(h, " UTC</title>");
			}
			html_raw(h, "</rect>");
		}
	}
	html_raw(h, "</svg><div class=\"legend\"><span class=\"s0\">a sweep</span>"
		 "<span class=\"s2\">overlaps another sweep of the same connector</span></div>");
	if (zone != NULL) {
		html_raw(h, "<p class=\"small dim\">Days start at midnight in ");
		html_esc(h, zone);
		html_raw(h, ".</p>");
	}
	/* the same as text, for a screen reader and anyone who wants numbers */
	html_raw(h, "<div class=\"table-wrap sched-table\"><table><caption class=\"sr\">Sweeps in the coming week"
		 "</caption><thead><tr><th scope=\"col\">Schedule</th><th scope=\"col\">Connector</th>"
		 "<th scope=\"col\" class=\"num\">Runs</th><th scope=\"col\" class=\"num\">Overlapping"
		 "</th><th scope=\"col\">When</th></tr></thead><tbody>");
	json_array_foreach(lanes, i, lane) {
		const json_t *v;
		int64_t clashes = 0;

		json_array_foreach(json_object_get(lane, "clash"), k, v)
			clashes += json_integer_value(v);
		html_raw(h, "<tr><th scope=\"row\">");
		html_esc(h, uj_str(lane, "schedule"));
		html_raw(h, "</th><td>");
		html_esc(h, uj_str(lane, "connector") ? uj_str(lane, "connector") : "every connector");
		html_raw(h, "</td><td class=\"num\">");
		html_int(h, (int64_t)json_array_size(json_object_get(lane, "runs")));
		if (uj_bool(lane, "truncated"))
			html_raw(h, "+");
		html_raw(h, "</td><td class=\"num\">");
		if (clashes > 0) {
			html_raw(h, "<span class=\"badge warn\">");
			html_int(h, clashes);
			html_raw(h, "</span>");
		} else {
			html_raw(h, "0");
		}
		html_raw(h, "</td><td>");
		html_esc(h, uj_str(lane, "description"));
		html_raw(h, "</td></tr>");
	}
	html_raw(h, "</tbody></table></div>");
}

/* ------------------------------------------------------------ sweeps panel */

static void
running_item(struct html *h, const json_t *r, int64_t now_s)
{
	int64_t done = uj_int(r, "done"), total = uj_int(r, "total");

	html_raw(h, "<li class=\"sweep-run\"><div class=\"row\"><span class=\"grow\">");
	ui_badge(h, "running");
	html_raw(h, " <strong>");
	html_esc(h, uj_str(r, "schedule"));
	html_raw(h, "</strong> <span class=\"dim\">\xc2\xb7 ");
	html_esc(h, uj_str(r, "sweep"));
	html_raw(h, " \xc2\xb7 ");
	html_esc(h, uj_str(r, "connector") ? uj_str(r, "connector") : "every connector");
	html_raw(h, "</span></span><span class=\"small dim\">started ");
	html_ago(h, uj_int(r, "started_s"), now_s);
	html_raw(h, "</span></div>");
	if (total > 0)
		html_fmt(h, "<progress max=\"%" PRId64 "\" value=\"%" PRId64 "\" aria-label=\"%" PRId64
			 " of %" PRId64 " connectors swept\"></progress>", total, done, done, total);
	else
		html_raw(h, "<progress aria-label=\"starting\"></progress>");
	html_raw(h, "<div class=\"small dim\">");
	if (uj_str(r, "stage") != NULL && uj_str(r, "stage")[0] != '\0') {
		html_esc(h, strcmp(uj_str(r, "stage"), "discover") == 0 ? "Looking for candidates in " :
			 "Queueing searches for ");
		html_esc(h, uj_str(r, "current"));
		html_fmt(h, " \xc2\xb7 %" PRId64 " of %" PRId64 " connector%s done \xc2\xb7 ", done,
			 total, total == 1 ? "" : "s");
	} else {
		html_raw(h, "Starting \xc2\xb7 ");
	}
	html_int(h, uj_int(r, "found"));
	html_raw(h, " found, ");
	html_int(h, uj_int(r, "queued"));
	html_raw(h, " queued so far");
	/* a runner that died leaves its run 'running' until the next runner
	 * retries it (SWEEP_STALE_S): say so rather than show it as busy */
	{
		int64_t last = uj_int(r, "progress_s") > 0 ? uj_int(r, "progress_s") :
			uj_int(r, "started_s");

		if (last > 0 && now_s - last > 600) {
			html_raw(h, " \xc2\xb7 <span class=\"badge warn\">no progress since ");
			html_ago(h, last, now_s);
			html_raw(h, "</span>");
		}
	}
	html_raw(h, "</div></li>");
}

void
ui_sweeps_panel(struct html *h, const json_t *sweeps, int64_t now_s)
{
	const json_t *running = json_object_get(sweeps, "running"), *next = json_object_get(sweeps, "next"), *r;
	size_t i;

	if (sweeps == NULL)
		return;
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-sweeps\"><h2 id=\"h-sweeps\">"
		 "<span class=\"grow\">Sweeps</span><a class=\"btn small\" href=\"schedules\">Schedules</a>"
		 "</h2><div id=\"dash-sweeps\" data-live class=\"grid grid-2\"><div><h3>Running now</h3>");
	if (json_array_size(running) == 0) {
		html_raw(h, "<p class=\"empty\">No sweep is running.</p>");
	} else {
		html_raw(h, "<ul class=\"feed sweeps\">");
		json_array_foreach(running, i, r)
			running_item(h, r, now_s);
		html_raw(h, "</ul>");
	}
	html_raw(h, "</div><div><h3>Next sweeps</h3>");
	if (json_array_size(next) == 0) {
		html_raw(h, "<p class=\"empty\">No sweep is due in the next 24 hours.</p>");
	} else {
		html_raw(h, "<ul class=\"feed\">");
		json_array_foreach(next, i, r) {
			html_raw(h, "<li>");
			html_ago(h, uj_int(r, "at_s"), now_s);
			html_raw(h, "<span class=\"what\"><strong>");
			html_esc(h, uj_str(r, "schedule"));
			html_raw(h, "</strong> <span class=\"dim\">\xc2\xb7 ");
			html_esc(h, uj_str(r, "sweep"));
			html_raw(h, " \xc2\xb7 ");
			html_esc(h, uj_str(r, "connector") ? uj_str(r, "connector") : "every connector");
			html_raw(h, " \xc2\xb7 ");
			html_when(h, uj_int(r, "at_s"));
			html_raw(h, " UTC</span></span></li>");
		}
		html_raw(h, "</ul>");
	}
	html_raw(h, "</div></div></section>");
}

void
ui_render_schedules(struct html *h, const struct ui_page *p, const struct ui_sched_list *v,
		    int64_t now_s)
{
	ui_page_begin(h, p);
	html_raw(h, "<a class=\"btn primary\" href=\"schedules/new\">Add schedule</a>");
	ui_page_main(h, p);
	ui_sweeps_panel(h, v->sweeps, now_s);
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-sched\"><h2 id=\"h-sched\">"
		 "Sweep schedules</h2>");
	if (json_array_size(v->schedules) == 0)
		html_raw(h, "<p class=\"empty\">No schedules. <a href=\"schedules/new\">Add one</a>: "
			 "when to look for gaps and upgrades and queue their searches.</p>");
	else
		list_table(h, p, v->schedules, now_s);
	html_raw(h, "</section><section class=\"card\" aria-labelledby=\"h-week\"><h2 id=\"h-week\">"
		 "The coming week</h2>");
	ui_sched_timeline(h, v->plan, v->days, v->zone);
	html_raw(h, "</section>");
	ui_page_end(h, p);
}

/* ------------------------------------------------------------ the editor */

static const char *
invalid(const struct ui_sched_form *f, const char *field)
{
	return f->bad_field != NULL && strcmp(f->bad_field, field) == 0 ? " invalid" : "";
}

static void
described(struct html *h, const struct ui_sched_form *f, const char *field, const char *hint)
{
	int bad = f->bad_field != NULL && strcmp(f->bad_field, field) == 0;

	if (bad)
		html_raw(h, " aria-invalid=\"true\"");
	if (bad || hint != NULL)
		html_fmt(h, " aria-describedby=\"%s%s%s%s%s\"", bad ? field : "", bad ? "-error" : "",
			 bad && hint ? " " : "", hint ? hint : "", "");
}

static void
field_error(struct html *h, const struct ui_sched_form *f, const char *field)
{
	if (f->bad_field != NULL && strcmp(f->bad_field, field) == 0 && f->field_error != NULL) {
		html_fmt(h, "<div class=\"error\" id=\"%s-error\">", field);
		html_esc(h, f->field_error);
		html_raw(h, "</div>");
	}
}

static void
option(struct html *h, const char *value, const char *label, const char *current)
{
	html_raw(h, "<option value=\"");
	html_esc(h, value);
	html_raw(h, "\"");
	if (current != NULL && strcmp(current, value) == 0)
		html_raw(h, " selected");
	html_raw(h, ">");
	html_esc(h, label);
	html_raw(h, "</option>");
}

/* for: the presets the field belongs to (app.js hides it for the others) */
static void
number(struct html *h, const struct ui_sched_form *f, const char *name, const char *label,
       const char *for_presets, int64_t lo, int64_t hi, int64_t value)
{
	html_fmt(h, "<div class=\"field%s\" data-for=\"%s\"><label for=\"%s\">", invalid(f, name),
		 for_presets, name);
	html_esc(h, label);
	html_fmt(h, "</label><input type=\"number\" id=\"%s\" name=\"%s\" min=\"%" PRId64 "\" max=\"%"
		 PRId64 "\" value=\"%" PRId64 "\"", name, name, lo, hi, value);
	described(h, f, name, NULL);
	html_raw(h, ">");
	field_error(h, f, name);
	html_raw(h, "</div>");
}

/* The preview: description, warning, the next runs on the zone's clock. */
static void
preview(struct html *h, const struct ui_sched_form *f)
{
	const json_t *pv = f->preview, *r;
	size_t i;

	html_raw(h, "<div id=\"cron-preview\" class=\"preview\" aria-live=\"polite\">"
		 "<h3>Next runs</h3>");
	if (pv == NULL) {
		html_raw(h, "<p class=\"dim\">");
		html_esc(h, f->bad_field != NULL && (strcmp(f->bad_field, "cron") == 0 ||
			 strcmp(f->bad_field, "zone") == 0) && f->field_error != NULL ?
			 f->field_error : "Write an expression or choose a preset to see its runs.");
		html_raw(h, "</p></div>");
		return;
	}
	html_raw(h, "<p><strong>");
	html_esc(h, uj_str(pv, "description"));
	html_raw(h, "</strong></p>");
	if (uj_str(pv, "warning") != NULL) {
		html_raw(h, "<p class=\"small\"><span class=\"badge warn\">warning</span> ");
		html_esc(h, uj_str(pv, "warning"));
		html_raw(h, "</p>");
	}
	if (json_array_size(json_object_get(pv, "runs")) == 0) {
		html_raw(h, "<p class=\"dim\">It does not run in the next ten years.</p></div>");
		return;
	}
	html_raw(h, "<ol class=\"runs\">");
	json_array_foreach(json_object_get(pv, "runs"), i, r) {
		html_raw(h, "<li><time datetime=\"");
		html_esc(h, uj_str(r, "at"));
		html_raw(h, "\">");
		html_esc(h, uj_str(r, "local"));
		html_raw(h, "</time></li>");
	}
	html_raw(h, "</ol></div>");
}

void
ui_render_sched_form(struct html *h, const struct ui_page *p, const struct ui_sched_form *f)
{
	const json_t *v = f->v, *c, *days = json_object_get(v, "days");
	const char *name = uj_str(v, "name"), *preset = uj_str(v, "preset");
	const char *conn = uj_str(v, "connector"), *sweep = uj_str(v, "sweep");
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<form method=\"post\" action=\"");
	if (f->editing)
		sched_link(h, name, "/edit");
	else
		html_raw(h, "schedules/new");
	html_raw(h, "\" novalidate id=\"sched-form\"><div class=\"grid grid-2\">"
		 "<section class=\"card\" aria-labelledby=\"h-what\"><h2 id=\"h-what\">What</h2>");
	ui_csrf(h, p);
	html_fmt(h, "<div class=\"field%s\"><label for=\"name\">Name</label>", invalid(f, "name"));
	html_raw(h, "<input type=\"text\" id=\"name\" name=\"name\" required maxlength=\"63\" "
		 "autocomplete=\"off\" value=\"");
	html_esc(h, name);
	html_raw(h, "\"");
	if (f->editing)
		html_raw(h, " readonly");
	described(h, f, "name", "name-hint");
	html_raw(h, "><div class=\"hint\" id=\"name-hint\">Letters, digits, dot, dash, underscore.</div>");
	field_error(h, f, "name");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"connector\">Connector</label>"
		 "<select id=\"connector\" name=\"connector\"", invalid(f, "connector"));
	described(h, f, "connector", NULL);
	html_raw(h, ">");
	option(h, "", "Every enabled connector", conn != NULL ? conn : "");
	json_array_foreach(f->connectors, i, c)
		option(h, uj_str(c, "name"), uj_str(c, "name"), conn);
	html_raw(h, "</select>");
	field_error(h, f, "connector");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"sweep\">Sweep</label>"
		 "<select id=\"sweep\" name=\"sweep\"", invalid(f, "sweep"));
	described(h, f, "sweep", NULL);
	html_raw(h, ">");
	option(h, "all", "Gaps and upgrades", sweep);
	option(h, "gaps", "Gaps (missing items)", sweep);
	option(h, "upgrades", "Upgrades (below the cutoff)", sweep);
	html_raw(h, "</select>");
	field_error(h, f, "sweep");
	html_fmt(h, "</div><div class=\"field%s\"><label for=\"max_items\">Most searches per "
		 "connector and run</label><input type=\"number\" id=\"max_items\" name=\"max_items\" "
		 "min=\"1\" max=\"1000000\" placeholder=\"no limit\" value=\"", invalid(f, "max_items"));
	if (uj_int(v, "max_items") > 0)
		html_int(h, uj_int(v, "max_items"));
	html_raw(h, "\"");
	described(h, f, "max_items", "max-hint");
	html_raw(h, "><div class=\"hint\" id=\"max-hint\">Empty: queue everything the sweep finds."
		 "</div>");
	field_error(h, f, "max_items");
	html_fmt(h, "</div><div class=\"field\"><label for=\"enabled\"><input type=\"checkbox\" "
		 "id=\"enabled\" name=\"enabled\" value=\"1\"%s> Enabled</label></div></section>",
		 json_object_get(v, "enabled") == NULL || uj_bool(v, "enabled") ? " checked" : "");

	/* when: the builder, the expression it writes, the zone, the preview */
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-when\"><h2 id=\"h-when\">When</h2>"
		 "<fieldset class=\"builder\" data-cron-builder=\"schedules/preview\">"
		 "<legend>Cron builder</legend><div class=\"inline-fields\">");
	html_fmt(h, "<div class=\"field%s\"><label for=\"preset\">Repeat</label><select id=\"preset\" "
		 "name=\"preset\">", invalid(f, "preset"));
	option(h, "hourly", "Every hour", preset);
	option(h, "hours", "Every few hours", preset);
	option(h, "daily", "Every day", preset);
	option(h, "weekly", "On some days of the week", preset);
	option(h, "custom", "Custom (the expression below)", preset);
	html_raw(h, "</select></div>");
	number(h, f, "every_hours", "Every N hours", "hours", 2, 12,
	       uj_int(v, "hours") > 0 ? uj_int(v, "hours") : 6);
	number(h, f, "hour", "Hour", "daily weekly", 0, 23, uj_int(v, "hour"));
	number(h, f, "minute", "Minute", "hourly hours daily weekly", 0, 59, uj_int(v, "minute"));
	html_fmt(h, "</div><fieldset class=\"days%s\" data-for=\"weekly\"><legend>Days (weekly)"
		 "</legend>", invalid(f, "days"));
	for (i = 0; i < 7; i++) {
		/* Monday first, as a week is read */
		size_t d = (i + 1) % 7;

		html_fmt(h, "<label class=\"day\"><input type=\"checkbox\" name=\"day\" value=\"%zu\"%s>"
			 "<span aria-hidden=\"true\">%.3s</span><span class=\"sr\">%s</span></label>", d,
			 json_is_true(json_array_get(days, d)) ? " checked" : "", day_names[d],
			 day_names[d]);
	}
	field_error(h, f, "days");
	html_raw(h, "</fieldset><div class=\"actions\"><button type=\"submit\" name=\"do\" "
		 "value=\"preview\">Preview</button><span class=\"small dim\">Writes the expression and "
		 "lists the next runs.</span></div></fieldset>");
	html_fmt(h, "<div id=\"cron-field\"><div class=\"field%s\"><label for=\"cron\">Cron expression"
		 "</label><input type=\"text\" id=\"cron\" name=\"cron\" class=\"mono\" maxlength=\"200\" "
		 "autocomplete=\"off\" spellcheck=\"false\" value=\"", invalid(f, "cron"));
	html_esc(h, uj_str(v, "cron"));
	html_raw(h, "\"");
	described(h, f, "cron", "cron-hint");
	html_raw(h, "><div class=\"hint\" id=\"cron-hint\">minute hour day-of-month month day-of-week, "
		 "or @hourly, @daily, @weekly, @monthly. Used as written when Repeat is Custom.</div>");
	field_error(h, f, "cron");
	html_fmt(h, "</div></div><div class=\"field%s\"><label for=\"zone\">Time zone</label>"
		 "<input type=\"text\" id=\"zone\" name=\"zone\" autocomplete=\"off\" spellcheck=\"false\" "
		 "value=\"", invalid(f, "zone"));
	html_esc(h, uj_str(v, "zone"));
	html_raw(h, "\"");
	described(h, f, "zone", "zone-hint");
	html_raw(h, "><div class=\"hint\" id=\"zone-hint\">An IANA name such as Europe/Berlin or "
		 "America/New_York; daylight saving is followed.</div>");
	field_error(h, f, "zone");
	html_raw(h, "</div>");
	preview(h, f);
	html_raw(h, "</section></div><div class=\"actions\"><button type=\"submit\" class=\"primary\" "
		 "name=\"do\" value=\"save\">Save schedule</button><a class=\"btn\" href=\"schedules\">"
		 "Cancel</a></div></form>");
	ui_page_end(h, p);
}
