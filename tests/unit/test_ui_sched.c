/*
 * test_ui_sched.c - the schedules page and the dashboard's sweeps panel
 * rendered from literal documents (lib/web/ui_sched.h): every action is a
 * POST form with the CSRF field, names are escaped, the timeline draws one
 * lane per schedule with overlaps marked and says the same in a table, the
 * editor shows errors at their fields and the preview's runs, and the
 * panel shows a running sweep's progress.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/ui_sched.h"
#include "core/banned.h"

#define NOW 1748822400LL	/* 2025-06-02 00:00Z, a Monday */

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

static json_t *
load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);

	ck_assert_msg(j != NULL, "bad literal: %s", je.text);
	return j;
}

static struct ui_page
page(void)
{
	struct ui_page p = { "Schedules", "schedules", "admin", "tok3n", NULL, NULL, 0, "/", 0 };

	return p;
}

START_TEST(list_rows_have_their_actions_and_escape_names)
{
	json_t *list = load("[{\"schedule\":\"a<b\",\"connector\":\"tv\",\"sweep\":\"gaps\","
			    "\"cron\":\"0 * * * *\",\"zone\":\"UTC\",\"enabled\":true,\"description\":"
			    "\"every hour at :00 in UTC\",\"next_s\":1748823600,\"last_run\":{\"status\":"
			    "\"failed\",\"found\":3,\"queued\":1}},{\"schedule\":\"off\",\"all_connectors\":"
			    "true,\"sweep\":\"all\",\"cron\":\"@daily\",\"zone\":\"UTC\",\"enabled\":false,"
			    "\"description\":\"at 00:00 every day in UTC\"}]");
	json_t *plan = load("{\"from_s\":1748822400,\"to_s\":1749427200,\"lanes\":[],\"clashes\":0}");
	struct ui_sched_list v = { list, plan, NULL, "UTC", NULL };
	struct ui_page p = page();
	struct html h;

	html_init(&h);
	ui_render_schedules(&h, &p, &v, NOW);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "<strong>a&lt;b</strong>"));
	ck_assert_ptr_null(strstr(h.b.data, "a<b"));
	/* the name in a URL is percent-encoded */
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"schedules/a%3Cb/run\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "href=\"schedules/a%3Cb/edit\""));
	/* enabled: run, disable; disabled: enable */
	ck_assert_ptr_nonnull(strstr(h.b.data, "schedules/a%3Cb/disable"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "schedules/off/enable"));
	ck_assert_ptr_null(strstr(h.b.data, "schedules/off/disable"));
	/* every POST carries the token; removal asks first */
	ck_assert_int_eq(count(h.b.data, "<form method=\"post\""),
			 count(h.b.data, "name=\"csrf\" value=\"tok3n\""));
	ck_assert_int_eq(count(h.b.data, "data-confirm=\"Remove this schedule"), 2);
	ck_assert_ptr_nonnull(strstr(h.b.data, "in 20 min"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<span class=\"badge bad\">failed</span>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "every connector"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "aria-current=\"page\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "No enabled schedule runs in the coming week"));
	html_release(&h);
	json_decref(list);
	json_decref(plan);
}
END_TEST

START_TEST(timeline_draws_lanes_marks_overlaps_and_a_table)
{
	json_t *plan = load("{\"from_s\":1748822400,\"to_s\":1749427200,\"clashes\":2,\"lanes\":["
			    "{\"schedule\":\"tv-gaps\",\"connector\":\"tv\",\"sweep\":\"gaps\","
			    "\"description\":\"at 03:00 every day in UTC\",\"runs\":[1748833200,1748919600],"
			    "\"clash\":[1,0],\"truncated\":false},"
			    "{\"schedule\":\"tv-more\",\"connector\":\"tv\",\"sweep\":\"gaps\","
			    "\"description\":\"at 03:10 on Monday in UTC\",\"runs\":[1748833800],"
			    "\"clash\":[1],\"truncated\":false},"
			    "{\"schedule\":\"busy\",\"sweep\":\"all\",\"description\":\"every minute in UTC\","
			    "\"runs\":[],\"clash\":[],\"truncated\":true}]}");
	json_t *days = load("[{\"at_s\":1748908800,\"label\":\"Tue 3\"}]");
	struct html h;

	html_init(&h);
	ui_sched_timeline(&h, plan, days, "Europe/Berlin");
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_int_eq(count(h.b.data, "class=\"lane-label\""), 3);
	ck_assert_int_eq(count(h.b.data, "<rect class=\"tick\""), 1);
	ck_assert_int_eq(count(h.b.data, "<rect class=\"tick clash\""), 2);
	ck_assert_int_eq(count(h.b.data, "<rect class=\"band\""), 1);
	ck_assert_ptr_nonnull(strstr(h.b.data, "tv-gaps overlaps another sweep at 03:00 UTC"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "role=\"img\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "3 runs of 3 schedules; 2 runs overlap"));
	ck_assert_ptr_nonnull(strstr(h.b.data, ">Tue 3</text>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "midnight in Europe/Berlin"));
	/* the table: one row per lane, the overlaps counted, the cut lane marked */
	ck_assert_int_eq(count(h.b.data, "<th scope=\"row\">"), 3);
	ck_assert_int_eq(count(h.b.data, "<span class=\"badge warn\">1</span>"), 2);
	ck_assert_ptr_nonnull(strstr(h.b.data, ">0+</td>"));
	/* no inline style: the CSP forbids it */
	ck_assert_ptr_null(strstr(h.b.data, "style="));
	html_release(&h);
	json_decref(plan);
	json_decref(days);
}
END_TEST

START_TEST(editor_shows_the_error_at_its_field_and_the_preview)
{
	json_t *v = load("{\"name\":\"nightly\",\"connector\":\"tv\",\"sweep\":\"gaps\",\"preset\":"
			 "\"weekly\",\"minute\":15,\"hour\":5,\"hours\":6,\"days\":[false,true,false,true,"
			 "false,false,false],\"cron\":\"15 5 * * 1,3\",\"zone\":\"Europe/Berlin\","
			 "\"max_items\":0,\"enabled\":true}");
	json_t *conns = load("[{\"name\":\"tv\"},{\"name\":\"films\"}]");
	json_t *pv = load("{\"description\":\"at 05:15 on Monday and Wednesday in Europe/Berlin\","
			  "\"runs\":[{\"at\":\"2025-06-02T03:15:00.000Z\",\"local\":\"2025-06-02 05:15 +02:00\"}]}");
	struct ui_sched_form f = { v, conns, pv, 1, "name", "a <bad> name" };
	struct ui_page p = page();
	struct html h;

	html_init(&h);
	ui_render_sched_form(&h, &p, &f);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"schedules/nightly/edit\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<div class=\"error\" id=\"name-error\">a &lt;bad&gt; name</div>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "aria-invalid=\"true\" aria-describedby=\"name-error name-hint\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<option value=\"weekly\" selected>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<option value=\"tv\" selected>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<option value=\"gaps\" selected>"));
	ck_assert_int_eq(count(h.b.data, "name=\"day\""), 7);
	ck_assert_int_eq(count(h.b.data, "name=\"day\" value=\"1\" checked"), 1);
	ck_assert_int_eq(count(h.b.data, "name=\"day\" value=\"3\" checked"), 1);
	ck_assert_int_eq(count(h.b.data, " checked>"), 3);	/* two days and "enabled" */
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"15 5 * * 1,3\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "id=\"cron-preview\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "2025-06-02 05:15 +02:00"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"do\" value=\"preview\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "data-cron-builder=\"schedules/preview\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"csrf\" value=\"tok3n\""));
	/* every input has a label */
	ck_assert_int_eq(count(h.b.data, "<label for=\""), 11);
	html_release(&h);
	/* a bad expression: no preview, the reason in its place */
	f.preview = NULL;
	f.bad_field = "cron";
	f.field_error = "minute 61 is out of range 0-59";
	f.editing = 0;
	html_init(&h);
	ui_render_sched_form(&h, &p, &f);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"schedules/new\""));
	ck_assert_int_eq(count(h.b.data, "minute 61 is out of range"), 2);
	ck_assert_ptr_null(strstr(h.b.data, " readonly"));
	html_release(&h);
	json_decref(v);
	json_decref(conns);
	json_decref(pv);
}
END_TEST

START_TEST(panel_shows_progress_and_the_next_sweeps)
{
	json_t *s = load("{\"running\":[{\"schedule\":\"tv-gaps\",\"connector\":\"tv\",\"sweep\":\"gaps\","
			 "\"started_s\":1748822280,\"progress_s\":1748822390,\"stage\":\"enqueue\",\"current\":"
			 "\"tv\",\"done\":1,\"total\":3,\"found\":120,\"queued\":40}],\"next\":[{\"schedule\":"
			 "\"films-gaps\",\"connector\":\"films\",\"sweep\":\"gaps\",\"at_s\":1748824200}]}");
	json_t *idle = load("{\"running\":[],\"next\":[]}");
	struct html h;

	html_init(&h);
	ui_sweeps_panel(&h, s, NOW);
	ck_assert_int_eq(html_failed(&h), 0);
	ck_assert_ptr_nonnull(strstr(h.b.data, "id=\"dash-sweeps\" data-live"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<progress max=\"3\" value=\"1\" aria-label=\"1 of 3 connectors swept\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "Queueing searches for tv"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "120 found, 40 queued so far"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "started <time"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "in 30 min"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "films-gaps"));
	ck_assert_ptr_null(strstr(h.b.data, "no progress since"));
	html_release(&h);
	/* a run that never reported progress, started 20 minutes ago: stale */
	json_object_set_new(json_array_get(json_object_get(s, "running"), 0), "progress_s",
			    json_integer(0));
	json_object_set_new(json_array_get(json_object_get(s, "running"), 0), "started_s",
			    json_integer(NOW - 1200));
	html_init(&h);
	ui_sweeps_panel(&h, s, NOW);
	ck_assert_ptr_nonnull(strstr(h.b.data, "no progress since <time"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "20 min ago"));
	html_release(&h);
	html_init(&h);
	ui_sweeps_panel(&h, idle, NOW);
	ck_assert_ptr_nonnull(strstr(h.b.data, "No sweep is running."));
	ck_assert_ptr_nonnull(strstr(h.b.data, "No sweep is due in the next 24 hours."));
	html_release(&h);
	html_init(&h);
	ui_sweeps_panel(&h, NULL, NOW);
	ck_assert_uint_eq(h.b.len, 0);
	html_release(&h);
	json_decref(s);
	json_decref(idle);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ui_sched");
	TCase *tc = tcase_create("render");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, list_rows_have_their_actions_and_escape_names);
	tcase_add_test(tc, timeline_draws_lanes_marks_overlaps_and_a_table);
	tcase_add_test(tc, editor_shows_the_error_at_its_field_and_the_preview);
	tcase_add_test(tc, panel_shows_progress_and_the_next_sweeps);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
