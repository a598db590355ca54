/*
 * test_ui_account.c - the account page's two-factor card rendered from
 * literal states: off (a password to start), waiting (the key, the link
 * and its QR code, a labelled one-time-code field), on (no key anywhere),
 * the recovery codes shown once, the admins' reset list, every form with
 * its CSRF field; and the login page's code step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "web/ui_html.h"
#include "web/ui_layout.h"
#include "web/ui_pages.h"
#include "core/banned.h"

#define KEY "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define URI "otpauth://totp/Comradarr:ann?secret=" KEY "&issuer=Comradarr&algorithm=SHA1" \
	    "&digits=6&period=30"

static char *
render(const struct ui_account_view *v)
{
	struct ui_page p = { "Account", "settings", "ann", "T0K", NULL, NULL, 0, "/", 0 };
	struct html h;
	char *s;

	html_init(&h);
	ui_render_account(&h, &p, v);
	ck_assert(!html_failed(&h));
	s = strdup(h.b.data);
	html_release(&h);
	return s;
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

START_TEST(off_asks_for_the_password_to_start)
{
	struct ui_account_view v = { 0, 0, 0, "SHA1", 0, NULL, NULL, NULL, NULL };
	char *s = render(&v);

	ck_assert_ptr_nonnull(strstr(s, "action=\"account/totp/setup\""));
	ck_assert_ptr_nonnull(strstr(s, "<label for=\"setup-password\">"));
	ck_assert_ptr_nonnull(strstr(s, "autocomplete=\"current-password\""));
	ck_assert_ptr_nonnull(strstr(s, "<label for=\"algorithm\">"));
	ck_assert_ptr_null(strstr(s, "otpauth://"));
	ck_assert_int_eq(count(s, "<form "), count(s, "name=\"csrf\" value=\"T0K\""));
	free(s);
}
END_TEST

START_TEST(waiting_shows_the_key_link_qr_and_a_code_field)
{
	struct ui_account_view v = { 0, 1, 0, "SHA1", 0, KEY, URI, NULL, NULL };
	char *s = render(&v);

	/* the key in groups of four, as apps show it */
	ck_assert_ptr_nonnull(strstr(s, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"));
	/* the link, its & escaped in the attribute */
	ck_assert_ptr_nonnull(strstr(s, "href=\"otpauth://totp/Comradarr:ann?secret=" KEY
				     "&amp;issuer=Comradarr"));
	ck_assert_ptr_nonnull(strstr(s, "class=\"qr-code\""));
	ck_assert_ptr_nonnull(strstr(s, "<title>QR code of the authenticator key</title>"));
	ck_assert_ptr_nonnull(strstr(s, "<label for=\"code\">"));
	ck_assert_ptr_nonnull(strstr(s, "autocomplete=\"one-time-code\""));
	ck_assert_ptr_nonnull(strstr(s, "inputmode=\"numeric\""));
	ck_assert_ptr_nonnull(strstr(s, "action=\"account/totp/confirm\""));
	ck_assert_int_eq(count(s, "<form "), count(s, "name=\"csrf\" value=\"T0K\""));
	free(s);
}
END_TEST

START_TEST(on_never_shows_a_key_and_offers_codes_and_off)
{
	static const char *const codes[] = { "abcd-efgh-jkmn-pqrs", "0123-4567-89ab-cdef", NULL };
	struct ui_account_view v = { 1, 0, 0, "SHA256", 7, NULL, NULL, NULL, NULL };
	char *s = render(&v);

	ck_assert_ptr_nonnull(strstr(s, "7 recovery codes left"));
	ck_assert_ptr_nonnull(strstr(s, "(SHA256)"));
	ck_assert_ptr_nonnull(strstr(s, "action=\"account/totp/recovery\""));
	ck_assert_ptr_nonnull(strstr(s, "action=\"account/totp/disable\""));
	ck_assert_ptr_null(strstr(s, "otpauth://"));
	ck_assert_ptr_null(strstr(s, "qr-code"));
	ck_assert_ptr_null(strstr(s, "recovery-codes"));
	free(s);
	v.codes = codes;
	s = render(&v);
	ck_assert_ptr_nonnull(strstr(s, "id=\"recovery-codes\""));
	ck_assert_ptr_nonnull(strstr(s, "<li>abcd-efgh-jkmn-pqrs</li>"));
	ck_assert_ptr_nonnull(strstr(s, "<li>0123-4567-89ab-cdef</li>"));
	ck_assert_ptr_nonnull(strstr(s, "shown only now"));
	free(s);
}
END_TEST

START_TEST(admins_see_reset_buttons_for_users_with_a_second_factor)
{
	json_t *users = json_pack("[{s:s,s:s,s:b},{s:s,s:s,s:b},{s:s,s:s,s:b}]",
				  "name", "ann", "role", "admin", "totp", 1,
				  "name", "b<o>b", "role", "user", "totp", 1,
				  "name", "carl", "role", "user", "totp", 0);
	struct ui_account_view v = { 0, 0, 0, "SHA1", 0, NULL, NULL, NULL, users };
	char *s = render(&v);

	ck_assert_ptr_nonnull(strstr(s, "action=\"account/users/ann/totp-reset\""));
	ck_assert_ptr_nonnull(strstr(s, "action=\"account/users/b%3Co%3Eb/totp-reset\""));
	ck_assert_ptr_nonnull(strstr(s, "<td>b&lt;o&gt;b</td>"));
	ck_assert_ptr_null(strstr(s, "carl"));
	ck_assert_int_eq(count(s, "<form "), count(s, "name=\"csrf\" value=\"T0K\""));
	free(s);
	json_decref(users);
	users = json_pack("[{s:s,s:s,s:b}]", "name", "carl", "role", "user", "totp", 0);
	v.users = users;
	s = render(&v);
	ck_assert_ptr_nonnull(strstr(s, "No user has two-factor authentication on."));
	free(s);
	json_decref(users);
}
END_TEST

START_TEST(the_login_code_step_is_a_labelled_one_time_code_field)
{
	struct html h;

	html_init(&h);
	ui_login_page(&h, "/", NULL, NULL, "the code is wrong", 1);
	ck_assert_ptr_nonnull(strstr(h.b.data, "action=\"login/totp\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "<label for=\"code\">"));
	ck_assert_ptr_nonnull(strstr(h.b.data, "autocomplete=\"one-time-code\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "inputmode=\"numeric\""));
	ck_assert_ptr_nonnull(strstr(h.b.data, "role=\"alert\""));
	ck_assert_ptr_null(strstr(h.b.data, "id=\"password\""));
	html_release(&h);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ui_account");
	TCase *tc = tcase_create("account");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, off_asks_for_the_password_to_start);
	tcase_add_test(tc, waiting_shows_the_key_link_qr_and_a_code_field);
	tcase_add_test(tc, on_never_shows_a_key_and_offers_codes_and_off);
	tcase_add_test(tc, admins_see_reset_buttons_for_users_with_a_second_factor);
	tcase_add_test(tc, the_login_code_step_is_a_labelled_one_time_code_field);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
