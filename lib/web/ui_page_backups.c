/*
 * ui_page_backups.c - the backups page (Req 21, 33): the archives of the
 * backup directory with size, time, schema and whether they were
 * verified; "create", a download link and "verify" for each.  No upload
 * and no restore: a restore replaces the database under the running
 * server, so it stays a shell act, and the page says how.
 */
#include <inttypes.h>
#include <string.h>

#include "web/ui_pages.h"
#include "web/ui_sections.h"
#include "core/banned.h"

/* 25088 -> "24.5 KiB" */
static void
size_text(struct html *h, int64_t n)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		html_fmt(h, "%" PRId64 " bytes", n);
	else
		html_fmt(h, "%.1f %s", v, unit[u]);
}

static void
job_state(struct html *h, const json_t *job, int64_t now_s)
{
	const char *st = uj_str(job, "state");

	if (st == NULL || strcmp(st, "idle") == 0)
		return;
	if (strcmp(st, "running") == 0) {
		html_raw(h, "<div class=\"flash\" role=\"status\" id=\"backup-job\"><strong>A backup is being "
			 "made</strong> (<span class=\"mono\">");
		html_esc(h, uj_str(job, "file"));
		html_raw(h, "</span>, started ");
		html_ago(h, uj_int(job, "started_at"), now_s);
		html_raw(h, "). <a href=\"settings/backups\">Refresh</a> to see it done.</div>");
		return;
	}
	if (strcmp(st, "done") == 0)
		return;	/* the list shows it */
	html_raw(h, "<div class=\"flash bad\" role=\"alert\" id=\"backup-job\"><strong>The last backup was not "
		 "made:</strong> ");
	html_esc(h, uj_str(job, "error") ? uj_str(job, "error") : st);
	html_raw(h, "</div>");
}

static void
verify_result(struct html *h, const json_t *v)
{
	html_fmt(h, "<div class=\"flash %s\" role=\"status\" id=\"verify-result\"><strong>",
		 uj_bool(v, "ok") ? "ok" : "bad");
	html_esc(h, uj_str(v, "name"));
	if (uj_bool(v, "ok")) {
		html_fmt(h, "</strong> is intact: every member's SHA-256 matches its manifest (schema %" PRId64
			 ", %" PRId64 " tables).</div>", uj_int(v, "schema_version"), uj_int(v, "tables"));
		return;
	}
	html_raw(h, "</strong> is damaged: ");
	html_esc(h, uj_str(v, "detail"));
	html_raw(h, "</div>");
}

void
ui_render_backups(struct html *h, const struct ui_page *p, const json_t *list,
		  const json_t *verify, int64_t now_s)
{
	const json_t *items = json_object_get(list, "items"), *b;
	const char *dir = uj_str(list, "dir");
	size_t i;

	ui_page_begin(h, p);
	ui_page_main(h, p);
	html_raw(h, "<p class=\"dim\"><a href=\"settings\">Settings</a> \xe2\x86\x92 Backups</p>");
	if (verify != NULL)
		verify_result(h, verify);
	job_state(h, json_object_get(list, "job"), now_s);
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-new\"><h2 id=\"h-new\">New backup</h2>"
		 "<p>Every table from one consistent snapshot, in one archive; stored secrets stay sealed, "
		 "and the secret key is not in it: keep <span class=\"mono\">secret.key</span> apart from "
		 "the backups.</p>");
	ui_form_post(h, p, "settings/backups/create", NULL);
	html_raw(h, "<div class=\"row\"><label for=\"no_mirror\"><input type=\"checkbox\" id=\"no_mirror\" "
		 "name=\"no_mirror\" value=\"1\"> Leave out the content mirror (a sync rebuilds it): a much "
		 "smaller file</label><button type=\"submit\" class=\"primary\">Create backup</button></div>"
		 "</form></section>");
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-list\"><h2 id=\"h-list\">Backups</h2>");
	if (dir != NULL) {
		html_raw(h, "<p class=\"dim small\">In <span class=\"mono\">");
		html_esc(h, dir);
		html_raw(h, "</span>, newest first.</p>");
	}
	if (json_array_size(items) == 0) {
		html_raw(h, "<p class=\"empty\">No backups yet.</p>");
	} else {
		html_raw(h, "<div class=\"table-wrap\"><table id=\"backup-list\"><thead><tr><th scope=\"col\">File</th>"
			 "<th scope=\"col\" class=\"num\">Size</th><th scope=\"col\">Made</th>"
			 "<th scope=\"col\" class=\"num hide-sm\">Schema</th><th scope=\"col\">Verified</th>"
			 "<th scope=\"col\">Actions</th></tr></thead><tbody>");
	}
	json_array_foreach(items, i, b) {
		const char *name = uj_str(b, "name");
		const json_t *v = json_object_get(b, "verified");

		html_raw(h, "<tr><td class=\"mono small\">");
		html_esc(h, name);
		if (uj_bool(b, "no_mirror"))
			html_raw(h, " <span class=\"badge\">without mirror</span>");
		if (uj_str(b, "problem") != NULL) {
			html_raw(h, "<div class=\"small\">");
			ui_badge(h, "error");
			html_raw(h, " ");
			html_esc(h, uj_str(b, "problem"));
			html_raw(h, "</div>");
		}
		html_raw(h, "</td><td class=\"num\">");
		size_text(h, uj_int(b, "bytes"));
		html_raw(h, "</td><td class=\"nowrap\">");
		html_ago(h, uj_int(b, "modified_at"), now_s);
		html_raw(h, "</td><td class=\"num hide-sm\">");
		if (json_object_get(b, "schema_version") != NULL)
			html_fmt(h, "%" PRId64, uj_int(b, "schema_version"));
		html_raw(h, "</td><td>");
		if (v == NULL || json_is_null(v)) {
			html_raw(h, "<span class=\"dim\">not yet</span>");
		} else {
			ui_badge(h, uj_bool(v, "ok") ? "ok" : "failed");
			html_raw(h, " <span class=\"small dim\">");
			html_ago(h, uj_int(v, "at"), now_s);
			html_raw(h, "</span>");
		}
		html_raw(h, "</td><td><div class=\"actions\"><a class=\"btn small\" download href=\"api/backups/");
		html_url(h, name);
		html_raw(h, "/download\">Download</a><form method=\"post\" action=\"settings/backups/");
		html_url(h, name);
		html_raw(h, "/verify\">");
		ui_csrf(h, p);
		html_raw(h, "<button type=\"submit\" class=\"small\">Verify</button></form></div></td></tr>");
	}
	if (json_array_size(items) > 0)
		html_raw(h, "</tbody></table></div>");
	html_raw(h, "</section>");
	html_raw(h, "<section class=\"card\" aria-labelledby=\"h-restore\"><h2 id=\"h-restore\">Restoring</h2>"
		 "<p>There is no restore (and no upload) in the browser: a restore replaces the whole "
		 "database under the running server. It is done at a shell on the server, where it "
		 "verifies the archive first and changes nothing if anything is wrong:</p>"
		 "<pre class=\"mono\">comradarr-backup restore ");
	html_esc(h, dir != NULL ? dir : "$COMRADARR_HOME/backups");
	html_raw(h, "/FILE</pre><p class=\"dim small\">See comradarr-backup(1).</p></section>");
	ui_page_end(h, p);
}
