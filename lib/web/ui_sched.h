/*
 * ui_sched.h - the schedules page (Req 19) and the dashboard's sweeps panel
 * (Req 15: the next sweeps and the one running with its progress).
 *
 * The renderers (ui_page_sched.c) are pure functions of JSON documents
 * built by the handlers (ui_sched.c) from lib/db/schedule.h and
 * lib/stage/sweep.h, so a unit test renders any state from a literal.
 * Nothing about cron is decided in the web layer: descriptions, next runs,
 * previews, the week's plan and its overlaps come from sweep.h, and the
 * builder's presets from policy/cron_preset.h, also when app.js asks for
 * a preview as you type (GET schedules/preview renders the editor and the
 * script swaps its preview in).
 */
#ifndef COMRADARR_WEB_UI_SCHED_H
#define COMRADARR_WEB_UI_SCHED_H

#include <stdint.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "core/err.h"
#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/web.h"

/* ------------------------------------------------------------ renderers */

struct ui_sched_list {
	const json_t *schedules;	/* [sweep_schedule_json] */
	const json_t *plan;		/* sweep_plan over the coming week */
	const json_t *days;		/* [{at_s, label}]: the plan's local midnights */
	const char *zone;		/* the zone of those days */
	const json_t *sweeps;		/* ui_sweeps_load's document */
};
void ui_render_schedules(struct html *h, const struct ui_page *p, const struct ui_sched_list *v,
			 int64_t now_s);

/*
 * The editor.  v: the values shown {name, connector, sweep, preset, minute,
 * hour, hours, days: [7 booleans], cron, zone, max_items, enabled};
 * connectors: [{name}] for the choice; preview: sweep_preview's document or
 * NULL; editing: the name is fixed and the form posts to its edit URL;
 * bad_field/field_error: an error shown at its field.
 */
struct ui_sched_form {
	const json_t *v;
	const json_t *connectors;
	const json_t *preview;
	int editing;
	const char *bad_field;
	const char *field_error;
};
void ui_render_sched_form(struct html *h, const struct ui_page *p, const struct ui_sched_form *f);

/* The timeline of the week as SVG with its table (the list page's part). */
void ui_sched_timeline(struct html *h, const json_t *plan, const json_t *days, const char *zone);

/*
 * The dashboard's panel: {"running": [...], "next": [...]} (ui_sweeps_load)
 * as a card with the running sweeps' progress and the next due runs.
 * NULL writes nothing.
 */
void ui_sweeps_panel(struct html *h, const json_t *sweeps, int64_t now_s);

/* ------------------------------------------------------------ data */

/*
 * The panel's document: every run still running (db_schedule_running) as
 * {schedule, connector?, sweep, due_s, started_s, progress_s, stage,
 * current, done, total, found, queued} and the next UI_SWEEPS_NEXT runs in
 * the coming day (sweep_upcoming).
 */
#define UI_SWEEPS_NEXT	6
int ui_sweeps_load(struct web_req *req, PGconn *db, int64_t now_s, json_t **out, struct err *e);

/* ------------------------------------------------------------ handlers */

int ui_schedules(struct web_req *req, struct web_resp *resp);
int ui_schedule_preview(struct web_req *req, struct web_resp *resp);
int ui_schedule_new(struct web_req *req, struct web_resp *resp);
int ui_schedule_create(struct web_req *req, struct web_resp *resp);
int ui_schedule_edit(struct web_req *req, struct web_resp *resp);
int ui_schedule_save(struct web_req *req, struct web_resp *resp);
int ui_schedule_enable(struct web_req *req, struct web_resp *resp);
int ui_schedule_disable(struct web_req *req, struct web_resp *resp);
int ui_schedule_run(struct web_req *req, struct web_resp *resp);
int ui_schedule_delete(struct web_req *req, struct web_resp *resp);

#endif
