/*
 * test_ui_sections.c - the settings sections without a server: which
 * backup names may reach the file system, and pages rendered from literal
 * documents never carrying a credential.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "stage/backup.h"
#include "web/ui_sections.h"

START_TEST(backup_names_are_never_paths)
{
	static const char *const good[] = {
		"comradarr-20261207T181543Z.tar", "comradarr-before-upgrade.tar", "comradarr-a.b_c-d.tar",
		NULL
	};
	static const char *const bad[] = {
		"", "comradarr-.tar", "comradarr-x.tar.partial", "../comradarr-x.tar", "comradarr-../x.tar",
		"comradarr-x/../../etc.tar", "comradarr-..tar", "comradarr-a..b.tar", "/etc/passwd",
		"comradarr-x.tar/", "comradarr-x\\.tar", "comradarr- x.tar", "comradarr-x.tar\n",
		"comradarr-%2e%2e.tar", ".comradarr-x.tar", "secret.key", "comradarr-.hidden.tar",
		"comradarr-x.TAR", NULL
	};
	char name[64], longname[BACKUP_NAME_MAX + 16];

	for (int i = 0; good[i] != NULL; i++)
		ck_assert_msg(backup_name_valid(good[i]), "'%s' refused", good[i]);
	for (int i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!backup_name_valid(bad[i]), "'%s' accepted", bad[i]);
	ck_assert(!backup_name_valid(NULL));
	memset(longname, 'a', sizeof(longname));
	memcpy(longname, "comradarr-", 10);
	memcpy(longname + sizeof(longname) - 5, ".tar", 5);
	ck_assert(!backup_name_valid(longname));
	/* what a new backup is called is always a valid name */
	backup_name_new(1796666192, name, sizeof(name));
	ck_assert_str_eq(name, "comradarr-20261207T175632Z.tar");
	ck_assert(backup_name_valid(name));
}
END_TEST

/* Every <input type="password"> of html, none with a value. */
static int
password_inputs(const char *html)
{
	const char *p = html;
	int n = 0;

	while ((p = strstr(p, "<input type=\"password\"")) != NULL) {
		const char *end = strchr(p, '>');

		ck_assert_ptr_nonnull(end);
		ck_assert_msg(memmem(p, (size_t)(end - p), "value=", 6) == NULL,
			      "a password input has a value: %.*s", (int)(end - p), p);
		n++;
		p = end;
	}
	return n;
}

START_TEST(the_channel_form_never_fills_in_a_credential)
{
	struct ui_page pg;
	struct ui_channel_form f;
	struct html h;
	json_t *v = json_loads("{\"channel\":\"hook\",\"type\":\"webhook\",\"enabled\":true,"
			       "\"config\":{},\"events\":[\"search_outcome\",\"sweep_failed\"],"
			       "\"secrets_masked\":[{\"name\":\"url\",\"masked\":\"*****wxyz\"},"
			       "{\"name\":\"hmac_secret\",\"masked\":\"****1234\"}],"
			       "\"batch_window_s\":0,\"quiet_hours\":\"22:00-07:00\"}", 0, NULL);

	ck_assert_ptr_nonnull(v);
	memset(&pg, 0, sizeof(pg));
	pg.title = "Edit channel";
	pg.nav = "settings";
	pg.csrf = "tok";
	memset(&f, 0, sizeof(f));
	f.v = v;
	f.type = "webhook";
	f.editing = 1;
	html_init(&h);
	ui_render_channel_form(&h, &pg, &f);
	ck_assert(!html_failed(&h));
	ck_assert_int_eq(password_inputs(h.b.data), 2);
	/* the stored ones shown by their tail only, and left empty to keep */
	ck_assert_ptr_nonnull(strstr(h.b.data, "wxyz"));
	ck_assert_ptr_null(strstr(h.b.data, "*****wxyz"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "Leave empty to keep it"));
	/* the chosen events and quiet hours come back; every input is labelled */
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"search_outcome, sweep_failed\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"22:00-07:00\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<label for=\"s_hmac_secret\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"csrf\" value=\"tok\""));
	html_release(&h);
	json_decref(v);
}
END_TEST

START_TEST(the_form_shows_the_connector_filter_and_templates)
{
	struct ui_page pg;
	struct ui_channel_form f;
	struct html h;
	json_t *v = json_loads("{\"channel\":\"n\",\"config\":{\"url\":\"https://ntfy.sh\","
			       "\"topic\":\"t\"},\"connectors\":[{\"id\":2,\"name\":\"tv\"}],"
			       "\"templates\":{\"search_outcome\":\"<b>{content_title}</b>\"}}", 0, NULL);
	json_t *names = json_loads("[{\"name\":\"films\",\"type\":\"radarr\"},"
				   "{\"name\":\"tv\",\"type\":\"sonarr\"}]", 0, NULL);

	memset(&pg, 0, sizeof(pg));
	memset(&f, 0, sizeof(f));
	f.v = v;
	f.connectors = names;
	f.type = "ntfy";
	f.editing = 1;
	html_init(&h);
	ui_render_channel_form(&h, &pg, &f);
	ck_assert(!html_failed(&h));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"conn\" value=\"tv\" checked>"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "name=\"conn\" value=\"films\">"));
	/* a template is text: escaped inside the textarea */
	ck_assert_ptr_nonnull(strstr(h.b.data, "search_outcome: &lt;b&gt;{content_title}&lt;/b&gt;\n"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "value=\"https://ntfy.sh\""));
	html_release(&h);
	json_decref(v);
	json_decref(names);
}
END_TEST

START_TEST(every_type_has_its_form)
{
	static const char *const types[] = { "discord", "telegram", "slack", "pushover", "gotify",
					     "ntfy", "email", "webhook", NULL };
	struct ui_page pg;
	struct ui_channel_form f;
	json_t *v = json_object();

	memset(&pg, 0, sizeof(pg));
	pg.title = "Add";
	for (int i = 0; types[i] != NULL; i++) {
		struct html h;

		ck_assert(ui_channel_type_known(types[i]));
		memset(&f, 0, sizeof(f));
		f.v = v;
		f.type = types[i];
		html_init(&h);
		ui_render_channel_form(&h, &pg, &f);
		ck_assert(!html_failed(&h));
		/* the types with a credential ask for it as a password */
		ck_assert_msg(password_inputs(h.b.data) >= 1, "%s: no credential input", types[i]);
		html_release(&h);
	}
	ck_assert(!ui_channel_type_known("irc"));
	ck_assert(!ui_channel_type_known(NULL));
	json_decref(v);
}
END_TEST

START_TEST(the_backups_page_offers_no_restore)
{
	struct ui_page pg;
	struct html h;
	json_t *list = json_loads("{\"dir\":\"/var/lib/comradarr/backups\",\"job\":{\"state\":\"running\","
				  "\"file\":\"comradarr-20261207T175632Z.tar\",\"started_at\":100},"
				  "\"items\":[{\"name\":\"comradarr-20261207T175632Z.tar\",\"bytes\":25088,"
				  "\"modified_at\":100,\"schema_version\":18,\"verified\":{\"ok\":true,"
				  "\"at\":100}}]}", 0, NULL);
	json_t *ver = json_loads("{\"name\":\"comradarr-x.tar\",\"ok\":false,\"detail\":\"member "
				 "data/events/000001.copy: SHA-256 mismatch\"}", 0, NULL);

	ck_assert_ptr_nonnull(list);
	memset(&pg, 0, sizeof(pg));
	pg.title = "Backups";
	html_init(&h);
	ui_render_backups(&h, &pg, list, ver, 200);
	ck_assert(!html_failed(&h));
	ck_assert_ptr_nonnull(strstr(h.b.data, "24.5 KiB"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "api/backups/comradarr-20261207T175632Z.tar/download"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "is damaged"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "A backup is being made"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "comradarr-backup restore /var/lib/comradarr/backups/FILE"));
	/* nothing to upload to, nothing that restores */
	ck_assert_ptr_null(strstr(h.b.data, "type=\"file\""));
	ck_assert_ptr_null(strstr(h.b.data, "action=\"settings/backups/restore"));
	html_release(&h);
	json_decref(list);
	json_decref(ver);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ui_sections");
	TCase *tc = tcase_create("sections");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, backup_names_are_never_paths);
	tcase_add_test(tc, the_channel_form_never_fills_in_a_credential);
	tcase_add_test(tc, every_type_has_its_form);
	tcase_add_test(tc, the_form_shows_the_connector_filter_and_templates);
	tcase_add_test(tc, the_backups_page_offers_no_restore);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
