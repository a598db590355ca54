/*
 * test_web.c - the server's path canonicalisation and route table: every
 * path trick refused before routing, 404 vs 405, literal routes before
 * captures, and routes without an access level refused.
 */
#include <check.h>
#include <string.h>

#include "web/path.h"
#include "web/web.h"

static int
dummy(struct web_req *req, struct web_resp *resp)
{
	(void)req;
	return web_resp_json(resp, 200, json_object());
}

START_TEST(canonical_paths_pass_unchanged)
{
	static const char *const ok[] = {
		"/", "/healthz", "/api/connectors", "/api/connectors/tv-4k", "/a/b/c/d",
		"/api/connectors/na%20me", NULL
	};
	char out[WEB_PATH_MAX + 1];
	const char *why;

	for (int i = 0; ok[i] != NULL; i++)
		ck_assert_msg(web_path_normalise(ok[i], out, sizeof(out), &why) == 0,
			      "'%s' refused: %s", ok[i], why ? why : "?");
	web_path_normalise("/api/connectors/na%20me", out, sizeof(out), &why);
	ck_assert_str_eq(out, "/api/connectors/na me");
	web_path_normalise("/api/%63onnectors", out, sizeof(out), &why);
	ck_assert_str_eq(out, "/api/connectors");
}
END_TEST

START_TEST(every_path_trick_is_refused)
{
	static const char *const bad[] = {
		"", "api", "//api", "/api//connectors", "/api/./connectors", "/api/../api",
		"/api/connectors/", "/..", "/.", "/api/%2e%2e/settings", "/api/%2E/x",
		"/api%2fsettings", "/api%2Fsettings", "/api/%00", "/api/x%", "/api/x%2",
		"/api/x%zz", "/api\\settings", "/api/%5csettings", "/api;jsessionid=1/x",
		"/api/x%3b", "/api/settings.", "/api/settings..", "/api/x%0a", "/api/\x01",
		"/api/x\x7f", "/api/.%2e/x", NULL
	};
	char out[WEB_PATH_MAX + 1], longp[WEB_PATH_MAX + 10];
	const char *why;

	for (int i = 0; bad[i] != NULL; i++)
		ck_assert_msg(web_path_normalise(bad[i], out, sizeof(out), &why) < 0 && why != NULL,
			      "'%s' accepted as '%s'", bad[i], out);
	memset(longp, 'a', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	ck_assert_int_lt(web_path_normalise(longp, out, sizeof(out), &why), 0);
	ck_assert_int_lt(web_path_normalise("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q", out,
					    sizeof(out), &why), 0);
}
END_TEST

START_TEST(query_values_decode_once)
{
	char out[64];

	ck_assert_int_eq(web_query_decode("a+b%20c", 7, out, sizeof(out)), 0);
	ck_assert_str_eq(out, "a b c");
	ck_assert_int_lt(web_query_decode("a%00", 4, out, sizeof(out)), 0);
	ck_assert_int_lt(web_query_decode("a%2", 3, out, sizeof(out)), 0);
	ck_assert_int_lt(web_query_decode("aaaa", 4, out, 3), 0);
}
END_TEST

START_TEST(routes_without_access_or_in_odd_form_are_refused)
{
	struct web_router *r = web_router_new("/login");
	struct err e = ERR_INIT;
	struct web_route rt = { "GET", "/api/x", WEB_ACCESS_UNSET, WEB_ROUTE_API, dummy, 0,
				NULL, NULL, 0 };

	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "no access level"));
	rt.access = WEB_READ;
	rt.pattern = "/api//x";
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	rt.pattern = "/api/x/";
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	rt.pattern = "/api/x{y}";
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	rt.pattern = "/api/x";
	rt.handler = NULL;
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	rt.handler = dummy;
	rt.method = "TRACE";
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);
	rt.method = "GET";
	ck_assert_int_eq(web_router_add(r, &rt, &e), 0);
	ck_assert_int_lt(web_router_add(r, &rt, &e), 0);	/* twice */
	ck_assert_int_lt(web_router_add_asset(r, "/app.js", WEB_PUBLIC, NULL,
					      (const unsigned char *)"x", 1, &e), 0);
	ck_assert_int_eq(web_router_add_asset(r, "/app.js", WEB_PUBLIC, "text/javascript",
					      (const unsigned char *)"x", 1, &e), 0);
	ck_assert_uint_eq(web_router_count(r), 2);
	web_router_free(r);
}
END_TEST

START_TEST(match_tells_404_from_405_and_prefers_literals)
{
	struct web_router *r = web_router_new("/login");
	struct err e = ERR_INIT;
	const struct web_route *got;
	struct web_params p;
	char allow[64];
	struct web_route a = { "DELETE", "/api/queue/{id}", WEB_WRITE, WEB_ROUTE_API, dummy, 0,
			       NULL, NULL, 0 };
	struct web_route b = { "GET", "/api/queue/status", WEB_READ, WEB_ROUTE_API, dummy, 0,
			       NULL, NULL, 0 };
	struct web_route c = { "GET", "/api/queue/{id}", WEB_READ, WEB_ROUTE_API, dummy, 0,
			       NULL, NULL, 0 };

	ck_assert_int_eq(web_router_add(r, &a, &e), 0);
	ck_assert_int_eq(web_router_add(r, &c, &e), 0);
	ck_assert_int_eq(web_router_add(r, &b, &e), 0);
	ck_assert_int_eq(web_router_match(r, "GET", "/api/queue/status", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_OK);
	ck_assert_str_eq(got->pattern, "/api/queue/status");
	ck_assert_int_eq(web_router_match(r, "GET", "/api/queue/17", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_OK);
	ck_assert_str_eq(got->pattern, "/api/queue/{id}");
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(p.value[0], "17");
	ck_assert_int_eq(web_router_match(r, "HEAD", "/api/queue/status", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_OK);
	ck_assert_int_eq(web_router_match(r, "POST", "/api/queue/17", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_BAD_METHOD);
	ck_assert_str_eq(allow, "DELETE, GET");
	ck_assert_int_eq(web_router_match(r, "GET", "/api/queue", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_NOT_FOUND);
	ck_assert_int_eq(web_router_match(r, "GET", "/API/queue/status", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_NOT_FOUND);
	ck_assert_int_eq(web_router_match(r, "GET", "/api/queue/17/x", &got, &p, allow,
					  sizeof(allow)), WEB_MATCH_NOT_FOUND);
	web_router_free(r);
}
END_TEST

START_TEST(access_levels_follow_role_and_scope)
{
	struct web_principal anon, ro, user, admin, kread, kfull;

	memset(&anon, 0, sizeof(anon));
	ro = user = admin = kread = kfull = anon;
	ro.kind = user.kind = admin.kind = WEB_SESSION;
	strcpy(ro.role, "readonly");
	strcpy(user.role, "user");
	strcpy(admin.role, "admin");
	kread.kind = kfull.kind = WEB_APIKEY;
	strcpy(kread.scope, "read");
	strcpy(kfull.scope, "full");
	ck_assert(web_access_allows(WEB_PUBLIC, &anon));
	ck_assert(!web_access_allows(WEB_READ, &anon));
	ck_assert(!web_access_allows(WEB_ACCESS_UNSET, &admin));
	ck_assert(web_access_allows(WEB_READ, &ro) && web_access_allows(WEB_READ, &kread));
	ck_assert(!web_access_allows(WEB_WRITE, &ro) && !web_access_allows(WEB_WRITE, &kread));
	ck_assert(web_access_allows(WEB_WRITE, &user) && web_access_allows(WEB_WRITE, &kfull));
	ck_assert(!web_access_allows(WEB_ADMIN, &user) && !web_access_allows(WEB_ADMIN, &kfull));
	ck_assert(web_access_allows(WEB_ADMIN, &admin));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("web");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, canonical_paths_pass_unchanged);
	tcase_add_test(tc, every_path_trick_is_refused);
	tcase_add_test(tc, query_values_decode_once);
	tcase_add_test(tc, routes_without_access_or_in_odd_form_are_refused);
	tcase_add_test(tc, match_tells_404_from_405_and_prefers_literals);
	tcase_add_test(tc, access_levels_follow_role_and_scope);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
