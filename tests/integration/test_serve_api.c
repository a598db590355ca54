/*
 * test_serve_api.c - comradarr-serve over real HTTP on loopback against a
 * real database: health, login and sessions, lockout, the queue through a
 * session and through read-only and full API keys, connectors with keys that
 * never come back, keyset paging, the audit log and a graceful stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <sodium.h>

#include "fakearr_ctl.h"
#include "clitest.h"
#include "pgtest.h"
#include "proc.h"
#include "servectl.h"

#define ADMIN_PW "correct horse battery staple"
#define USER_PW "a user password of some length"
#define RO_PW "a reader's long enough password"
#define ARR_KEY "abcdef0123456789abcdef0123456789"

static struct pgtest T;
static struct servectl S;

static void
setup(void)
{
	struct err e = ERR_INIT;
	const char *const args[] = { "--threads", "4", NULL };

	pgtest_create(&T, "serve");
	clitest_add_user("admin", "admin", ADMIN_PW);
	clitest_add_user("ursula", "user", USER_PW);
	clitest_add_user("rita", "readonly", RO_PW);
	ck_assert_msg(servectl_start(&S, args, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	char *err = servectl_output(&S, 1);

	servectl_stop(&S);
	free(err);
	err = servectl_output(&S, 1);
	/* a sanitizer's report of the server (leaks show at exit) fails the test */
	ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		      "comradarr-serve: %s", err);
	free(err);
	servectl_cleanup(&S);
	pgtest_drop(&T);
}

/* GET/POST and parse; the status is checked, the JSON returned. */
static json_t *
call(const char *method, const char *path, const char *const hdrs[], const char *body,
     long want)
{
	struct http_resp r;
	json_t *j;

	ck_assert_msg(http_do(&S, method, path, hdrs, body, &r) == 0, "%s %s: no answer",
		      method, path);
	ck_assert_msg(r.status == want, "%s %s: status %ld, wanted %ld: %s", method, path,
		      r.status, want, r.body);
	j = json_loads(r.body, 0, NULL);
	ck_assert_msg(j != NULL, "%s %s: not JSON: %s", method, path, r.body);
	http_resp_free(&r);
	return j;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

START_TEST(health_endpoints_answer_as_documented)
{
	json_t *j;
	struct http_session s;

	j = call("GET", "/healthz", NULL, NULL, 200);
	ck_assert_str_eq(jstr(j, "status"), "ok");
	json_decref(j);
	j = call("GET", "/readyz", NULL, NULL, 200);
	ck_assert_str_eq(jstr(j, "status"), "ready");
	json_decref(j);
	/* anonymous: the summary only */
	j = call("GET", "/health", NULL, NULL, 200);
	ck_assert_str_eq(jstr(j, "status"), "ok");
	ck_assert(json_is_true(json_object_get(json_object_get(j, "database"), "reachable")));
	ck_assert_ptr_null(json_object_get(j, "connectors"));
	ck_assert_ptr_null(json_object_get(j, "rss_bytes"));
	json_decref(j);
	/* logged in: the details */
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &s), 200);
	{
		const char *h[] = { s.cookie, NULL };

		j = call("GET", "/health", h, NULL, 200);
		ck_assert(json_is_array(json_object_get(j, "connectors")));
		ck_assert_int_gt(json_integer_value(json_object_get(j, "rss_bytes")), 1000000);
		ck_assert(json_is_false(json_object_get(json_object_get(j, "queue"), "paused")));
		json_decref(j);
	}
	/* migrations pending: not ready, degraded */
	pgtest_exec(&T, "DELETE FROM schema_migrations WHERE version = "
		    "(SELECT max(version) FROM schema_migrations)");
	j = call("GET", "/readyz", NULL, NULL, 503);
	ck_assert_str_eq(jstr(j, "status"), "not_ready");
	ck_assert_ptr_nonnull(strstr(jstr(j, "reason"), "migrate"));
	json_decref(j);
	j = call("GET", "/health", NULL, NULL, 503);
	ck_assert_str_eq(jstr(j, "status"), "degraded");
	json_decref(j);
}
END_TEST

START_TEST(login_session_logout)
{
	struct http_session s;
	json_t *j;

	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_ptr_nonnull(strstr(s.cookie, "comradarr_session="));
	ck_assert_uint_ge(strlen(s.csrf), 32);
	{
		const char *h[] = { s.cookie, NULL };
		const char *post[] = { s.cookie, s.origin_hdr, s.csrf_hdr, NULL };

		j = call("GET", "/api/auth/session", h, NULL, 200);
		ck_assert_str_eq(jstr(j, "user"), "admin");
		ck_assert_str_eq(jstr(j, "role"), "admin");
		ck_assert_str_eq(jstr(j, "csrf_token"), s.csrf);
		json_decref(j);
		json_decref(call("POST", "/api/auth/logout", post, NULL, 200));
		/* the old cookie is dead */
		json_decref(call("GET", "/api/auth/session", h, NULL, 401));
	}
	/* stored only as a hash */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM sessions WHERE id_hash !~ "
				      "'^[0-9a-f]{64}$'"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = 'logout'"), 1);
}
END_TEST

START_TEST(wrong_password_and_unknown_user_look_alike_then_lock)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	struct http_resp a, b;
	struct http_session s;
	char ra[16];
	int i;

	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h,
				 "{\"username\":\"admin\",\"password\":\"not the password\"}", &a), 0);
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h,
				 "{\"username\":\"nobody\",\"password\":\"not the password\"}", &b), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(b.status, a.status);
	ck_assert_str_eq(a.body, b.body);
	http_resp_free(&a);
	http_resp_free(&b);
	/* the threshold is 5: four more failures lock the account */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(http_login(&S, "admin", "still not the password", &s), 401);
	ck_assert_int_eq(http_login(&S, "admin", "still not the password", &s), 429);
	/* now even the right password is refused, with the time left */
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h,
				 "{\"username\":\"admin\",\"password\":\"" ADMIN_PW "\"}", &a), 0);
	ck_assert_int_eq(a.status, 429);
	ck_assert_ptr_nonnull(strstr(a.body, "locked for 15 more minutes"));
	ck_assert_ptr_nonnull(http_header(&a, "Retry-After", ra, sizeof(ra)));
	ck_assert_int_gt(atoi(ra), 800);
	http_resp_free(&a);
	/* another user is not affected */
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &s), 200);
	/* the lock ends: the real user gets in */
	pgtest_exec(&T, "UPDATE users SET locked_until = now() - interval '1 second' "
		    "WHERE name = 'admin'");
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = 'login' "
				      "AND outcome = 'locked'"), 2);
}
END_TEST

START_TEST(per_address_limit_stops_a_flood_before_hashing)
{
	struct http_session s;
	int limited = 0;

	/* a burst of 10, then one every 6 s: of 20 quick tries, at least 5 are
	 * refused even on a slow machine (each try costs an Argon2 verify) */
	for (int i = 0; i < 20; i++) {
		long st = http_login(&S, "nobody", "a password guess", &s);

		ck_assert(st == 401 || st == 429);
		limited += st == 429;
	}
	ck_assert_int_ge(limited, 5);
}
END_TEST

START_TEST(queue_through_session_and_api_keys)
{
	char *ro = clitest_add_key("read"), *full = clitest_add_key("full");
	char rohdr[128], fullhdr[128];
	struct http_session s;
	json_t *j;

	snprintf(rohdr, sizeof(rohdr), "X-Api-Key: %s", ro);
	snprintf(fullhdr, sizeof(fullhdr), "X-Api-Key: %s", full);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	{
		const char *sess[] = { s.cookie, s.origin_hdr, s.csrf_hdr, "Content-Type: application/json",
				       NULL };
		const char *rk[] = { rohdr, NULL }, *fk[] = { fullhdr, NULL };

		/* a user acts on the queue with a session */
		j = call("POST", "/api/queue/pause", sess, "{\"reason\":\"maintenance\"}", 200);
		ck_assert(json_is_true(json_object_get(j, "paused")));
		json_decref(j);
		j = call("GET", "/api/queue/status", sess, NULL, 200);
		ck_assert(json_is_true(json_object_get(j, "paused")));
		json_decref(j);
		/* the presets are listed even before any tool stored them */
		j = call("GET", "/api/profiles", sess, NULL, 200);
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 3);
		ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "items"), 1), "name"), "moderate");
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
			json_object_get(j, "items"), 1), "daily_budget")), 500);
		json_decref(j);
		/* the read-only key reads, and is refused on writes */
		j = call("GET", "/api/queue/status", rk, NULL, 200);
		ck_assert(json_is_true(json_object_get(j, "paused")));
		json_decref(j);
		json_decref(call("POST", "/api/queue/resume", rk, NULL, 403));
		/* the full key acts, without a CSRF token (not an ambient credential) */
		j = call("POST", "/api/queue/resume", fk, NULL, 200);
		ck_assert(json_is_false(json_object_get(j, "paused")));
		json_decref(j);
		/* ... but never administers */
		json_decref(call("GET", "/api/users", fk, NULL, 403));
		json_decref(call("GET", "/api/users", sess, NULL, 403));	/* role user */
	}
	/* a key in the URL is refused outright */
	{
		char path[256];

		snprintf(path, sizeof(path), "/api/queue/status?apikey=%s", ro);
		json_decref(call("GET", path, NULL, NULL, 400));
	}
	/* usage is recorded; revocation is immediate */
	ck_assert_int_ge(pgtest_count(&T, "SELECT count(*) FROM api_key_usage u JOIN api_keys k ON "
				      "k.id = u.key_id WHERE k.scope = 'read' AND u.status = 403 AND "
				      "u.route = '/api/queue/resume'"), 1);
	{
		const char *argv[] = { "comradarr", "apikey", "revoke", "1", NULL };
		const char *rk[] = { rohdr, NULL };

		clitest_ok(argv, NULL);
		json_decref(call("GET", "/api/queue/status", rk, NULL, 401));
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action IN "
				      "('queue.pause', 'queue.resume')"), 2);
	free(ro);
	free(full);
}
END_TEST

START_TEST(connectors_keys_go_in_and_never_come_out)
{
	struct fakearr F;
	struct err e = ERR_INIT;
	const char *fargs[] = { "--app", "sonarr", "--api-key", ARR_KEY, "--series", "2", NULL };
	struct http_session s;
	char body[512];
	struct http_resp r;
	json_t *j;

	ck_assert_msg(fakearr_start(&F, NULL, fargs, &e) == 0, "fake: %s", e.msg);
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	{
		const char *h[] = { s.cookie, s.origin_hdr, s.csrf_hdr, NULL };

		snprintf(body, sizeof(body), "{\"name\":\"tv\",\"type\":\"sonarr\",\"url\":\"%s\","
			 "\"api_key\":\"%s\"}", F.url, ARR_KEY);
		j = call("POST", "/api/connectors", h, body, 201);
		ck_assert_str_eq(jstr(j, "name"), "tv");
		ck_assert_str_eq(jstr(j, "api_key_masked"), "****************************6789");
		json_decref(j);
		j = call("POST", "/api/connectors/tv/test", h, NULL, 200);
		ck_assert_str_eq(jstr(j, "health"), "healthy");
		json_decref(j);
		/* a new address without the key again is refused */
		json_decref(call("PATCH", "/api/connectors/tv", h, "{\"url\":\"http://127.0.0.1:9\"}",
				 400));
		json_decref(call("GET", "/api/connectors/nope", h, NULL, 404));
		/* no answer holds the key */
		static const char *const paths[] = { "/api/connectors", "/api/connectors/tv",
						     "/api/audit", "/api/settings", "/health",
						     "/api/events", NULL };
		for (int i = 0; paths[i] != NULL; i++) {
			ck_assert_int_eq(http_do(&S, "GET", paths[i], h, NULL, &r), 0);
			ck_assert_int_eq(r.status, 200);
			ck_assert_msg(strstr(r.body, ARR_KEY) == NULL && strstr(r.headers, ARR_KEY) == NULL,
				      "%s shows the key", paths[i]);
			http_resp_free(&r);
		}
		json_decref(call("DELETE", "/api/connectors/tv", h, NULL, 200));
		json_decref(call("GET", "/api/connectors/tv", h, NULL, 404));
	}
	{
		char *out = servectl_output(&S, 0), *err = servectl_output(&S, 1);

		ck_assert_msg(strstr(out, ARR_KEY) == NULL && strstr(err, ARR_KEY) == NULL,
			      "the server's output shows the key");
		free(out);
		free(err);
	}
	fakearr_stop(&F);
}
END_TEST

START_TEST(registry_pages_by_keyset)
{
	struct http_session s;
	char path[128];
	long long after = 0, seen = 0, last = 0;
	long long total;

	/* 123 entries straight into the registry: paging is what is tested */
	pgtest_exec(&T, "INSERT INTO connectors (name, type, url, api_key_enc) VALUES "
		    "('tv', 'sonarr', 'http://127.0.0.1:9', '\\x00')");
	pgtest_exec(&T, "INSERT INTO series (connector_id, arr_id, title, monitored) "
		    "SELECT 1, 1, 'Paged Show', true");
	pgtest_exec(&T, "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		    "episode_number, title, monitored, has_file) SELECT 1, 1, g, 1, g, 'Ep ' || g, "
		    "true, false FROM generate_series(1, 123) g");
	pgtest_exec(&T, "INSERT INTO search_registry (connector_id, episode_id, search_type) "
		    "SELECT 1, id, 'gap' FROM episodes");
	total = pgtest_count(&T, "SELECT count(*) FROM search_registry");
	ck_assert_int_eq(total, 123);
	ck_assert_int_eq(http_login(&S, "rita", RO_PW, &s), 200);
	{
		const char *h[] = { s.cookie, NULL };

		for (;;) {
			json_t *j, *items, *next;
			size_t i;

			snprintf(path, sizeof(path), "/api/registry?limit=50&after=%lld", after);
			j = call("GET", path, h, NULL, 200);
			items = json_object_get(j, "items");
			for (i = 0; i < json_array_size(items); i++) {
				long long id = json_integer_value(json_object_get(json_array_get(items, i),
										   "id"));

				ck_assert_int_gt(id, last);
				last = id;
				seen++;
			}
			if (json_array_size(items) > 0)
				ck_assert_str_eq(jstr(json_array_get(items, 0), "series"), "Paged Show");
			next = json_object_get(j, "next");
			if (json_is_null(next)) {
				json_decref(j);
				break;
			}
			after = json_integer_value(json_object_get(next, "after"));
			json_decref(j);
		}
		ck_assert_int_eq(seen, total);
		/* filters */
		json_t *j = call("GET", "/api/registry?q=paged%20SHOW&state=pending&limit=5", h, NULL,
				 200);
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 5);
		json_decref(j);
		j = call("GET", "/api/registry?q=nothing%25like", h, NULL, 200);
		ck_assert_int_eq(json_array_size(json_object_get(j, "items")), 0);
		json_decref(j);
		json_decref(call("GET", "/api/registry?limit=501", h, NULL, 400));
		/* a reader may not act in bulk; a user may */
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"remove\",\"ids\":[1]}",
				 403));
	}
	{
		struct http_session u;

		ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &u), 200);
		const char *h[] = { u.cookie, u.origin_hdr, u.csrf_hdr, NULL };

		pgtest_exec(&T, "UPDATE search_registry SET state = 'cooldown', next_eligible_at = "
			    "now() + interval '1 day' WHERE id <= 3");
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"search_now\","
				 "\"ids\":[1,2,3]}", 200));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry WHERE id <= 3 "
					      "AND state = 'pending' AND next_eligible_at IS NULL"), 3);
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"priority\","
				 "\"ids\":[4],\"priority\":50}", 200));
		ck_assert_int_eq(pgtest_count(&T, "SELECT priority_override FROM episodes e JOIN "
					      "search_registry r ON r.episode_id = e.id WHERE r.id = 4"), 50);
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"priority\","
				 "\"ids\":[4],\"priority\":500}", 400));
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"remove\","
				 "\"ids\":[5,6]}", 200));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), total - 2);
		json_decref(call("POST", "/api/registry/bulk", h, "{\"action\":\"explode\","
				 "\"ids\":[5]}", 400));
		json_decref(call("GET", "/api/registry?after=x", h, NULL, 400));
		json_decref(call("GET", "/api/registry?type=sideways", h, NULL, 400));
	}
}
END_TEST

START_TEST(password_change_revokes_every_session)
{
	struct http_session a, b;
	json_t *j;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &a), 200);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &b), 200);
	ck_assert_str_ne(a.cookie, b.cookie);
	{
		const char *ha[] = { a.cookie, a.origin_hdr, a.csrf_hdr, NULL };
		const char *hb[] = { b.cookie, NULL };

		json_decref(call("POST", "/api/auth/password", ha,
				 "{\"current_password\":\"wrong\",\"new_password\":\"a new password 123\"}",
				 403));
		json_decref(call("POST", "/api/auth/password", ha,
				 "{\"current_password\":\"" USER_PW "\",\"new_password\":\"short\"}", 400));
		j = call("POST", "/api/auth/password", ha,
			 "{\"current_password\":\"" USER_PW "\",\"new_password\":\"a new password 123\"}",
			 200);
		json_decref(j);
		json_decref(call("GET", "/api/auth/session", hb, NULL, 401));
	}
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &a), 401);
	ck_assert_int_eq(http_login(&S, "ursula", "a new password 123", &a), 200);
}
END_TEST

START_TEST(admin_manages_users_keys_and_settings)
{
	struct http_session s;
	json_t *j;
	char keyhdr[128];

	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	{
		const char *h[] = { s.cookie, s.origin_hdr, s.csrf_hdr, NULL };

		json_decref(call("POST", "/api/users", h, "{\"name\":\"newbie\",\"password\":\"short\"}",
				 400));
		j = call("POST", "/api/users", h, "{\"name\":\"newbie\",\"role\":\"user\","
			 "\"password\":\"long enough password\"}", 201);
		json_decref(j);
		json_decref(call("POST", "/api/users", h, "{\"name\":\"newbie\",\"role\":\"user\","
				 "\"password\":\"long enough password\"}", 409));
		json_decref(call("DELETE", "/api/users/newbie", h, NULL, 200));
		/* the last admin stays */
		json_decref(call("DELETE", "/api/users/admin", h, NULL, 409));
		j = call("POST", "/api/apikeys", h, "{\"description\":\"grafana\",\"scope\":\"read\"}",
			 201);
		snprintf(keyhdr, sizeof(keyhdr), "X-Api-Key: %s", jstr(j, "new_key_shown_once"));
		json_decref(j);
		j = call("GET", "/api/apikeys", h, NULL, 200);
		{
			char *d = json_dumps(j, 0);

			ck_assert_ptr_null(strstr(d, keyhdr + 11));
			free(d);
		}
		json_decref(j);
		{
			const char *k[] = { keyhdr, NULL };

			json_decref(call("GET", "/api/queue/status", k, NULL, 200));
		}
		json_decref(call("PUT", "/api/settings/ui.page_size", h, "{\"value\":100}", 200));
		json_decref(call("PUT", "/api/settings/smtp.password", h, "{\"value\":\"x\"}", 400));
		json_decref(call("PUT", "/api/settings/Bad%20Key", h, "{\"value\":1}", 400));
		j = call("GET", "/api/settings", h, NULL, 200);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "ui.page_size")), 100);
		json_decref(j);
		j = call("GET", "/api/audit?limit=3", h, NULL, 200);
		ck_assert_str_eq(jstr(json_array_get(json_object_get(j, "items"), 0), "action"),
				 "setting.set");
		json_decref(j);
	}
}
END_TEST

START_TEST(sigterm_stops_cleanly_and_logs_each_request)
{
	const char *rid[] = { "X-Request-Id: trace-me-42", NULL };
	char *out;

	/* the request id reaches PostgreSQL as the connection's application_name */
	json_decref(call("GET", "/readyz", rid, NULL, 200));
	{
		char *name = pgtest_scalar(&T, "SELECT application_name FROM pg_stat_activity WHERE "
					   "application_name LIKE 'comradarr-serve %' ORDER BY "
					   "backend_start DESC LIMIT 1");

		ck_assert_ptr_nonnull(name);
		ck_assert_str_eq(name, "comradarr-serve trace-me-42");
		free(name);
	}

	json_decref(call("GET", "/healthz", NULL, NULL, 200));
	json_decref(call("GET", "/nowhere", NULL, NULL, 404));
	ck_assert_int_eq(servectl_stop(&S), 0);
	out = servectl_output(&S, 0);
	ck_assert_ptr_nonnull(strstr(out, "\"event\":\"http_request\""));
	ck_assert_ptr_nonnull(strstr(out, "\"path\":\"/nowhere\""));
	ck_assert_ptr_nonnull(strstr(out, "\"status\":404"));
	ck_assert_ptr_nonnull(strstr(out, "\"event\":\"serve_stopped\""));
	free(out);
}
END_TEST

START_TEST(first_admin_from_the_environment)
{
	struct servectl s2;
	struct http_session s;
	struct err e = ERR_INIT;

	pgtest_exec(&T, "DELETE FROM users");
	setenv("ADMIN_USER", "boss", 1);
	setenv("ADMIN_PASS", "short", 1);
	ck_assert_int_lt(servectl_start(&s2, NULL, &e), 0);	/* refused: too short */
	ck_assert_ptr_nonnull(strstr(e.msg, "too short"));
	servectl_cleanup(&s2);
	setenv("ADMIN_PASS", "the boss's long password", 1);
	ck_assert_msg(servectl_start(&s2, NULL, &e) == 0, "%s", e.msg);
	unsetenv("ADMIN_USER");
	unsetenv("ADMIN_PASS");
	{
		struct servectl keep = S;

		S = s2;
		ck_assert_int_eq(http_login(&S, "boss", "the boss's long password", &s), 200);
		S = keep;
	}
	ck_assert_int_eq(servectl_stop(&s2), 0);
	servectl_cleanup(&s2);
}
END_TEST


/* The secret `comradarr webhook secret NAME` prints once. */
static char *
hook_secret(const char *name)
{
	const char *argv[] = { "comradarr", "webhook", "secret", name, "--json", NULL };
	struct proc_result r;
	json_t *j;
	char *secret;

	ck_assert_int_eq(proc_run(argv, NULL, &r), 0);
	ck_assert_msg(r.status == 0, "webhook secret: %s", r.err);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	secret = strdup(json_string_value(json_object_get(j, "webhook_secret")));
	json_decref(j);
	proc_result_free(&r);
	return secret;
}

START_TEST(webhooks_change_entries_at_once)
{
	char *tv, *films, hdr[200], basic[320], raw[200];
	struct http_session s;

	pgtest_exec(&T, "INSERT INTO connectors (name, type, url, api_key_enc) VALUES "
		    "('tv', 'sonarr', 'http://127.0.0.1:9', '\\x00'), "
		    "('films', 'radarr', 'http://127.0.0.1:9', '\\x00')");
	pgtest_exec(&T, "INSERT INTO series (connector_id, arr_id, title, monitored) "
		    "VALUES (1, 7, 'Hooked', true)");
	pgtest_exec(&T, "INSERT INTO episodes (connector_id, series_id, arr_id, season_number, "
		    "episode_number, title, monitored, has_file) SELECT 1, 1, 100 + g, 1, g, "
		    "'Ep ' || g, true, false FROM generate_series(1, 3) g");
	pgtest_exec(&T, "INSERT INTO search_registry (connector_id, episode_id, search_type, state) "
		    "SELECT 1, id, 'gap', 'searching' FROM episodes");
	pgtest_exec(&T, "INSERT INTO movies (connector_id, arr_id, title, monitored, has_file) "
		    "VALUES (2, 55, 'Gone Girl', true, false)");
	pgtest_exec(&T, "INSERT INTO search_registry (connector_id, movie_id, search_type) "
		    "SELECT 2, id, 'gap' FROM movies");
	tv = hook_secret("tv");
	films = hook_secret("films");
	snprintf(hdr, sizeof(hdr), "X-Webhook-Secret: %s", tv);
	{
		const char *h[] = { hdr, "Content-Type: application/json", NULL };
		const char *none[] = { "Content-Type: application/json", NULL };
		json_t *j;

		/* a Grab: the entries await their import */
		j = call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"Grab\",\"series\":{\"id\":7},"
			 "\"episodes\":[{\"id\":101},{\"id\":102}],\"release\":{\"quality\":\"x\"},"
			 "\"downloadId\":\"abc\"}", 200);
		ck_assert_int_eq(json_integer_value(json_object_get(j, "entries")), 2);
		json_decref(j);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry WHERE "
					      "state = 'awaiting_import'"), 2);
		/* malformed: 400 and nothing changes */
		json_decref(call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"Download\","
				 "\"series\":{\"id\":7},\"episodes\":[{\"title\":\"no id\"}]}", 400));
		json_decref(call("POST", "/api/webhooks/tv", h, "not json", 400));
		json_decref(call("POST", "/api/webhooks/tv", h, "{\"series\":{\"id\":7}}", 400));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM episodes WHERE has_file"), 0);
		/* a Download: the file is there, the gap resolved */
		j = call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"Download\",\"series\":"
			 "{\"id\":7},\"episodes\":[{\"id\":101}],\"episodeFile\":{\"id\":9},"
			 "\"isUpgrade\":false}", 200);
		json_decref(j);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM episodes WHERE has_file"), 1);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry r JOIN episodes e "
					      "ON e.id = r.episode_id WHERE e.arr_id = 101"), 0);
		/* the file deleted again: missing */
		json_decref(call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"EpisodeFileDelete\","
				 "\"series\":{\"id\":7},\"episodes\":[{\"id\":101}],"
				 "\"deleteReason\":\"manual\"}", 200));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM episodes WHERE has_file"), 0);
		/* Health: an event */
		json_decref(call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"Health\","
				 "\"level\":\"warning\",\"message\":\"Indexer down\",\"type\":\"x\"}",
				 200));
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM events WHERE kind = "
					      "'webhook_health' AND payload->>'message' = 'Indexer down'"), 1);
		json_decref(call("POST", "/api/webhooks/tv", h, "{\"eventType\":\"Test\"}", 200));
		/* the wrong secret, another connector's secret, none, a session: refused */
		json_decref(call("POST", "/api/webhooks/films", h, "{\"eventType\":\"Test\"}", 401));
		json_decref(call("POST", "/api/webhooks/tv", none, "{\"eventType\":\"Test\"}", 401));
		ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
		{
			const char *hs[] = { s.cookie, s.origin_hdr, s.csrf_hdr, NULL };

			json_decref(call("POST", "/api/webhooks/tv", hs, "{\"eventType\":\"Test\"}", 401));
		}
		/* Radarr, with the secret as a Basic password: the movie goes */
		snprintf(raw, sizeof(raw), "radarr:%s", films);
		{
			char b64[200];
			const char *hb[] = { basic, NULL };

			sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)raw, strlen(raw),
					  sodium_base64_VARIANT_ORIGINAL);
			snprintf(basic, sizeof(basic), "Authorization: Basic %s", b64);
			/* a movie's file arrives: the dashboard's library figures follow */
			json_decref(call("POST", "/api/webhooks/films", hb, "{\"eventType\":\"Download\","
					 "\"movie\":{\"id\":55,\"title\":\"Gone Girl\"},\"movieFile\":{\"id\":3},"
					 "\"isUpgrade\":false}", 200));
			ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM library_counts WHERE "
						      "connector_id = 2 AND items = 1 AND have = 1"), 1);
			json_decref(call("POST", "/api/webhooks/films", hb, "{\"eventType\":\"MovieDelete\","
					 "\"movie\":{\"id\":55,\"title\":\"Gone Girl\"},\"deletedFiles\":true}",
					 200));
		}
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM movies"), 0);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry WHERE "
					      "movie_id IS NOT NULL"), 0);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM library_counts WHERE "
					      "connector_id = 2 AND items = 0 AND have = 0"), 1);
		/* the web UI's registry counters followed every change above */
		ck_assert_int_eq(pgtest_count(&T,
			"WITH truth AS (SELECT 0::bigint AS series_id, connector_id, search_type AS kind, state,"
			" count(*) AS n FROM search_registry GROUP BY 2, 3, 4 UNION ALL"
			" SELECT e.series_id, r.connector_id, r.search_type, r.state, count(*)"
			" FROM search_registry r JOIN episodes e ON e.id = r.episode_id GROUP BY 1, 2, 3, 4),"
			" cur AS (SELECT series_id, connector_id, kind, state, sum(n) AS n FROM ("
			" SELECT series_id, connector_id, kind, state, n FROM ui_counts UNION ALL"
			" SELECT series_id, connector_id, kind, state, n FROM ui_count_deltas) x"
			" WHERE kind IN ('gap', 'upgrade') GROUP BY 1, 2, 3, 4)"
			" SELECT count(*) FROM truth t FULL JOIN cur c USING (series_id, connector_id, kind, state)"
			" WHERE coalesce(t.n, 0) <> coalesce(c.n, 0)"), 0);
		ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM search_registry"), 2);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM webhook_secrets WHERE secret_hash = '"
				      "x'"), 0);
	free(tv);
	free(films);
}
END_TEST

START_TEST(local_mode_and_public_health_details)
{
	struct servectl keep = S, s2;
	struct err e = ERR_INIT;
	const char *const args[] = { "--auth", "local", "--public-health-details", NULL };
	const char *const disabled[] = { "--auth", "disabled", NULL };
	char origin[96];
	json_t *j;

	ck_assert_msg(servectl_start(&s2, args, &e) == 0, "%s", e.msg);
	S = s2;
	snprintf(origin, sizeof(origin), "Origin: %s", S.origin);
	{
		const char *h[] = { origin, NULL };

		j = call("GET", "/health", NULL, NULL, 200);
		ck_assert(json_is_array(json_object_get(j, "connectors")));
		json_decref(j);
		/* loopback acts as an admin ... */
		json_decref(call("GET", "/api/users", NULL, NULL, 200));
		/* ... but a change still needs a same-origin request (a page elsewhere
		 * cannot drive a browser on this machine) */
		json_decref(call("POST", "/api/queue/pause", NULL, NULL, 403));
		json_decref(call("POST", "/api/queue/pause", h, NULL, 200));
	}
	S = keep;
	ck_assert_int_eq(servectl_stop(&s2), 0);
	servectl_cleanup(&s2);
	/* disabled needs its confirmation */
	ck_assert_int_lt(servectl_start(&s2, disabled, &e), 0);
	servectl_cleanup(&s2);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("serve_api");
	TCase *tc = tcase_create("api");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, health_endpoints_answer_as_documented);
	tcase_add_test(tc, login_session_logout);
	tcase_add_test(tc, wrong_password_and_unknown_user_look_alike_then_lock);
	tcase_add_test(tc, per_address_limit_stops_a_flood_before_hashing);
	tcase_add_test(tc, queue_through_session_and_api_keys);
	tcase_add_test(tc, connectors_keys_go_in_and_never_come_out);
	tcase_add_test(tc, registry_pages_by_keyset);
	tcase_add_test(tc, password_change_revokes_every_session);
	tcase_add_test(tc, admin_manages_users_keys_and_settings);
	tcase_add_test(tc, sigterm_stops_cleanly_and_logs_each_request);
	tcase_add_test(tc, first_admin_from_the_environment);
	tcase_add_test(tc, webhooks_change_entries_at_once);
	tcase_add_test(tc, local_mode_and_public_health_details);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
