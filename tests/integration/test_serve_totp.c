/*
 * test_serve_totp.c - the second factor over real HTTP against a real
 * database: enrolment (password, then a first code), a login that needs a
 * code, replay refused, wrong codes locking the account like wrong
 * passwords, recovery codes used once, the pending login's expiry and
 * single use, disable and an admin's reset, and the secret never in an
 * answer, the database in the clear, or a log line.
 *
 * Codes are computed here from the base32 secret the enrolment showed,
 * with lib/crypto (checked against the RFC vectors in test_totp.c).  Where
 * a test needs "30 seconds later" it clears last_step in the database
 * instead of sleeping.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <check.h>
#include <jansson.h>

#include "crypto/totp.h"
#include "clitest.h"
#include "pgtest.h"
#include "proc.h"
#include "servectl.h"

#define ADMIN_PW "correct horse battery staple"
#define USER_PW "a user password of some length"

static struct pgtest T;
static struct servectl S;

static void
setup(void)
{
	struct err e = ERR_INIT;
	/* a larger per-address allowance than the default 10: these tests log
	 * in many times from one address; the limit itself is tested below */
	const char *const args[] = { "--threads", "4", "--login-limit", "40", NULL };

	pgtest_create(&T, "serve_totp");
	clitest_add_user("admin", "admin", ADMIN_PW);
	clitest_add_user("ursula", "user", USER_PW);
	ck_assert_msg(servectl_start(&S, args, &e) == 0, "%s", e.msg);
}

static void
teardown(void)
{
	char *err;

	servectl_stop(&S);
	err = servectl_output(&S, 1);
	ck_assert_msg(strstr(err, "Sanitizer") == NULL && strstr(err, "runtime error") == NULL,
		      "comradarr-serve: %s", err);
	free(err);
	servectl_cleanup(&S);
	pgtest_drop(&T);
}

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

/* RFC 4648 base32 back to bytes (the app's side of the enrolment). */
static size_t
unbase32(const char *s, unsigned char *out)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *s != '\0'; s++) {
		const char *p = strchr(abc, *s);

		ck_assert_ptr_nonnull(p);
		acc = (acc << 5) | (unsigned)(p - abc);
		bits += 5;
		if (bits >= 8) {
			out[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return n;
}

struct factor {
	unsigned char key[TOTP_SECRET_MAX];
	size_t len;
	enum totp_alg alg;
	char b32[TOTP_BASE32_MAX];
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE];
	char used[9];		/* the code the enrolment spent */
};

/* The code for now + d steps. */
static const char *
code_at(const struct factor *f, int d, char out[9])
{
	ck_assert_int_eq(totp_code(f->alg, f->key, f->len, totp_step((int64_t)time(NULL)) + d, 6,
				   out), 0);
	return out;
}

static char *
body_code(const char *field, const char *code, const char *token)
{
	json_t *j = json_pack("{s:s}", field, code);
	char *d;

	if (token != NULL)
		json_object_set_new(j, "pending_token", json_string(token));
	d = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return d;
}

/* Enrol user (logged in as s) with algorithm alg: setup, confirm. */
static void
enrol(const struct http_session *s, const char *user, const char *pw, const char *alg,
      struct factor *f)
{
	const char *post[] = { s->cookie, s->origin_hdr, s->csrf_hdr,
			       "Content-Type: application/json", NULL };
	char body[256], c[9], *b;
	json_t *j, *codes;

	memset(f, 0, sizeof(*f));
	snprintf(body, sizeof(body), "{\"password\":\"%s\",\"algorithm\":\"%s\"}", pw, alg);
	j = call("POST", "/api/auth/totp/setup", post, body, 200);
	snprintf(f->b32, sizeof(f->b32), "%s", jstr(j, "secret"));
	f->len = unbase32(f->b32, f->key);
	ck_assert_int_eq(totp_alg_parse(jstr(j, "algorithm"), &f->alg, NULL), 0);
	ck_assert_uint_eq(f->len, totp_secret_len(f->alg));
	{
		char want[512];

		snprintf(want, sizeof(want), "otpauth://totp/Comradarr:%s?secret=%s&issuer=Comradarr"
			 "&algorithm=%s&digits=6&period=30", user, f->b32, alg);
		ck_assert_str_eq(jstr(j, "otpauth_uri"), want);
	}
	json_decref(j);
	/* not enabled until a code proves the app has it */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM user_totp WHERE confirmed_at "
				      "IS NULL"), 1);
	b = body_code("code", "000000", NULL);
	if (strcmp(code_at(f, 0, c), "000000") != 0 && strcmp(code_at(f, -1, c), "000000") != 0 &&
	    strcmp(code_at(f, 1, c), "000000") != 0)
		json_decref(call("POST", "/api/auth/totp/confirm", post, b, 422));
	free(b);
	b = body_code("code", code_at(f, 0, c), NULL);
	snprintf(f->used, sizeof(f->used), "%s", c);
	j = call("POST", "/api/auth/totp/confirm", post, b, 200);
	free(b);
	codes = json_object_get(j, "recovery_codes");
	ck_assert_uint_eq(json_array_size(codes), TOTP_RECOVERY_CODES);
	for (size_t i = 0; i < TOTP_RECOVERY_CODES; i++)
		snprintf(f->codes[i], sizeof(f->codes[i]), "%s",
			 json_string_value(json_array_get(codes, i)));
	json_decref(j);
}

static void
login_json(const char *user, const char *pw, char *body, size_t size)
{
	snprintf(body, size, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
}

/* Step one of a login with TOTP: the pending token (JSON) and its cookie line. */
static void
login_pending(const char *user, const char *pw, char tok[96], char cookie[300])
{
	const char *h[] = { "Content-Type: application/json", NULL };
	struct http_resp r;
	char body[256], set[256];
	json_t *j;

	login_json(user, pw, body, sizeof(body));
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h, body, &r), 0);
	ck_assert_msg(r.status == 200, "login: %ld %s", r.status, r.body);
	j = json_loads(r.body, 0, NULL);
	ck_assert(json_is_true(json_object_get(j, "totp_required")));
	/* no session yet: no CSRF token, no session cookie */
	ck_assert_ptr_null(json_object_get(j, "csrf_token"));
	ck_assert_ptr_null(strstr(r.headers, "comradarr_session="));
	ck_assert_ptr_nonnull(http_header(&r, "Set-Cookie", set, sizeof(set)));
	ck_assert_ptr_nonnull(strstr(set, "comradarr_login="));
	ck_assert_ptr_nonnull(strstr(set, "HttpOnly"));
	ck_assert_ptr_nonnull(strstr(set, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(set, "Max-Age=300"));
	snprintf(tok, 96, "%s", jstr(j, "pending_token"));
	set[strcspn(set, ";")] = '\0';
	snprintf(cookie, 300, "Cookie: %s", set);
	json_decref(j);
	http_resp_free(&r);
}

/* Step two; the status.  sess is filled on 200. */
static long
second_step(const char *tok, const char *cookie, const char *code, struct http_session *sess,
	    json_t **answer)
{
	const char *h[] = { "Content-Type: application/json", cookie, NULL };
	struct http_resp r;
	char *b = body_code("code", code, tok);
	long st;

	if (answer != NULL)
		*answer = NULL;
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/totp", h, b, &r), 0);
	free(b);
	st = r.status;
	if (st == 200 && sess != NULL) {
		char set[256];
		json_t *j = json_loads(r.body, 0, NULL);
		const char *p = strstr(r.headers, "comradarr_session=");

		memset(sess, 0, sizeof(*sess));
		ck_assert_ptr_nonnull(p);
		snprintf(set, sizeof(set), "%s", p);
		set[strcspn(set, ";\r\n")] = '\0';
		snprintf(sess->cookie, sizeof(sess->cookie), "Cookie: %s", set);
		snprintf(sess->csrf, sizeof(sess->csrf), "%s", jstr(j, "csrf_token"));
		snprintf(sess->csrf_hdr, sizeof(sess->csrf_hdr), "X-CSRF-Token: %s", sess->csrf);
		snprintf(sess->origin_hdr, sizeof(sess->origin_hdr), "Origin: %s", S.origin);
		json_decref(j);
	}
	if (answer != NULL)
		*answer = json_loads(r.body, 0, NULL);
	http_resp_free(&r);
	return st;
}

/* "30 seconds later": the steps used so far are forgotten. */
static void
next_window(void)
{
	pgtest_exec(&T, "UPDATE user_totp SET last_step = NULL");
}

START_TEST(enrolment_needs_the_password_and_a_first_code)
{
	struct http_session s;
	struct factor f;
	const char *post[] = { NULL, NULL, NULL, "Content-Type: application/json", NULL };
	const char *get[] = { NULL, NULL };
	json_t *j;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	post[0] = get[0] = s.cookie;
	post[1] = s.origin_hdr;
	post[2] = s.csrf_hdr;
	/* the wrong password: refused and audited */
	json_decref(call("POST", "/api/auth/totp/setup", post, "{\"password\":\"nope nope nope\"}",
			 403));
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'user.totp.setup' AND outcome = 'refused'"), 1);
	/* no CSRF token: the server's rule holds here too */
	{
		const char *nocsrf[] = { s.cookie, s.origin_hdr, "Content-Type: application/json",
					 NULL };

		json_decref(call("POST", "/api/auth/totp/setup", nocsrf,
				 "{\"password\":\"" USER_PW "\"}", 403));
	}
	/* confirm with nothing pending */
	json_decref(call("POST", "/api/auth/totp/confirm", post, "{\"code\":\"123456\"}", 404));
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	j = call("GET", "/api/auth/totp/status", get, NULL, 200);
	ck_assert(json_is_true(json_object_get(j, "enabled")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "recovery_codes_left")), 10);
	ck_assert_ptr_null(json_object_get(j, "secret"));
	json_decref(j);
	/* enrolled: a second setup is refused until it is disabled */
	json_decref(call("POST", "/api/auth/totp/setup", post, "{\"password\":\"" USER_PW "\"}",
			 409));
	/* sealed: neither the secret nor its base32 is in the row; codes only hashed */
	{
		char sql[512], hex[2 * TOTP_SECRET_MAX + 1];

		for (size_t i = 0; i < f.len; i++)
			snprintf(hex + 2 * i, 3, "%02x", f.key[i]);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM user_totp WHERE position("
			 "decode('%s', 'hex') IN secret_enc) > 0 OR position('%s'::bytea IN "
			 "secret_enc) > 0", hex, f.b32);
		ck_assert_int_eq(pgtest_count(&T, sql), 0);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM user_recovery_codes WHERE "
			 "code_hash LIKE '%%%.4s%%' AND code_hash !~ '^[0-9a-f]{64}$'", f.codes[0]);
		ck_assert_int_eq(pgtest_count(&T, sql), 0);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM user_recovery_codes"), 10);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'user.totp.enable' AND outcome = 'ok' AND actor = 'ursula'"), 1);
	/* an API key cannot enrol anyone */
	{
		const char *kh[] = { "X-Api-Key: cmr_notakeynotakeynotakey", NULL };

		json_decref(call("GET", "/api/auth/totp/status", kh, NULL, 401));
	}
}
END_TEST

START_TEST(login_with_totp_makes_the_session_only_after_the_code)
{
	struct http_session s, s2;
	struct factor f;
	char tok[96], cookie[300], c[9], used[9];
	json_t *j;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	/* the login cookie is no session */
	{
		const char *h[] = { cookie, NULL };

		json_decref(call("GET", "/api/auth/session", h, NULL, 401));
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending"), 1);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending WHERE token_hash "
				      "!~ '^[0-9a-f]{64}$'"), 0);
	/* the code the enrolment used is spent: replay refused (kept, not
	 * computed again: a step may have begun since) */
	ck_assert_int_eq(second_step(tok, NULL, f.used, NULL, NULL), 401);
	/* the next step's code (one step of drift) passes, with the JSON token */
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), &s2, NULL), 200);
	snprintf(used, sizeof(used), "%s", c);
	{
		const char *h[] = { s2.cookie, NULL };

		j = call("GET", "/api/auth/session", h, NULL, 200);
		ck_assert_str_eq(jstr(j, "user"), "ursula");
		json_decref(j);
	}
	/* the same code again, on a new login: refused (the step is used) */
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, used, NULL, NULL), 401);
	/* two steps off is outside the window */
	next_window();
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 2, c), NULL, NULL), 401);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, -2, c), NULL, NULL), 401);
	/* the cookie carries the token for the web UI's form */
	ck_assert_int_eq(second_step(NULL, cookie, code_at(&f, -1, c), &s2, NULL), 200);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = 'login' "
				      "AND outcome = 'ok' AND detail->>'second_factor' = 'totp'"), 2);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'login.totp' AND outcome = 'failed'"), 4);
	/* a user without TOTP logs in as before */
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &s), 200);
	ck_assert_ptr_nonnull(strstr(s.cookie, "comradarr_session="));
}
END_TEST

START_TEST(sha256_and_sha512_enrolments_work_too)
{
	struct http_session s, s2;
	struct factor f;
	char tok[96], cookie[300], c[9];
	const char *post[] = { NULL, NULL, NULL, "Content-Type: application/json", NULL };

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA256", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), &s2, NULL), 200);
	post[0] = s2.cookie;
	post[1] = s2.origin_hdr;
	post[2] = s2.csrf_hdr;
	json_decref(call("POST", "/api/auth/totp/disable", post,
			 "{\"password\":\"" USER_PW "\"}", 200));
	enrol(&s2, "ursula", USER_PW, "SHA512", &f);
	ck_assert_uint_eq(f.len, 64);
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), NULL, NULL), 200);
	json_decref(call("POST", "/api/auth/totp/setup", post,
			 "{\"password\":\"" USER_PW "\",\"algorithm\":\"MD5\"}", 400));
}
END_TEST

START_TEST(wrong_codes_count_toward_the_lockout)
{
	const char *h[] = { "Content-Type: application/json", NULL };
	struct http_session s;
	struct factor f;
	struct http_resp a, b;
	char tok[96], cookie[300], c[9], body[256];
	json_t *j;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	/* a wrong password on a TOTP account answers as for an unknown user */
	login_json("ursula", "not the password at all", body, sizeof(body));
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h, body, &a), 0);
	login_json("nobody", "not the password at all", body, sizeof(body));
	ck_assert_int_eq(http_do(&S, "POST", "/api/auth/login", h, body, &b), 0);
	ck_assert_int_eq(a.status, 401);
	ck_assert_int_eq(b.status, 401);
	ck_assert_str_eq(a.body, b.body);
	ck_assert_ptr_null(strstr(a.body, "totp"));
	http_resp_free(&a);
	http_resp_free(&b);
	/* one failure so far; three wrong codes, then the fifth failure locks */
	login_pending("ursula", USER_PW, tok, cookie);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(second_step(tok, NULL, "000000", NULL, &j), 401);
		ck_assert_str_eq(jstr(json_object_get(j, "error"), "code"), "wrong_code");
		json_decref(j);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT failed_logins FROM users WHERE name = 'ursula'"),
			 4);
	ck_assert_int_eq(second_step(tok, NULL, "abcd-efgh-jkmn-pqrs", NULL, &j), 429);
	ck_assert_ptr_nonnull(strstr(jstr(json_object_get(j, "error"), "message"),
				     "locked for 15 more minutes"));
	json_decref(j);
	/* locked: the waiting login is gone, and the right code does not help */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending"), 0);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), NULL, NULL), 401);
	{
		struct http_session x;

		ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &x), 429);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'login.totp' AND outcome = 'locked'"), 1);
	/* the lock ends: code accepted, the failure count starts afresh */
	pgtest_exec(&T, "UPDATE users SET locked_until = now() - interval '1 second' "
		    "WHERE name = 'ursula'");
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), NULL, NULL), 200);
	ck_assert_int_eq(pgtest_count(&T, "SELECT failed_logins FROM users WHERE name = 'ursula'"),
			 0);
}
END_TEST

START_TEST(the_per_address_limit_covers_the_second_step)
{
	struct http_session s;
	struct factor f;
	char tok[96], cookie[300];
	int limited = 0;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	/* unknown tokens cost nothing but still spend the address's allowance
	 * (a burst of 40 here, shared with the password step) */
	for (int i = 0; i < 50; i++) {
		long st = second_step("AAAAAAAAAAAAAAAAAAAAAA", NULL, "123456", NULL, NULL);

		ck_assert(st == 401 || st == 429);
		limited += st == 429;
	}
	ck_assert_int_ge(limited, 5);
	/* the password step shares it */
	{
		struct http_session x;

		ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &x), 429);
	}
}
END_TEST

START_TEST(recovery_codes_work_once_and_are_renewed)
{
	struct http_session s, s2;
	struct factor f;
	char tok[96], cookie[300];
	const char *post[] = { NULL, NULL, NULL, "Content-Type: application/json", NULL };
	json_t *j;
	char *b;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	/* typed in capitals without dashes: still the code */
	{
		char typed[32];
		size_t o = 0;

		for (const char *p = f.codes[3]; *p; p++)
			if (*p != '-')
				typed[o++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		typed[o] = '\0';
		ck_assert_int_eq(second_step(tok, NULL, typed, &s2, &j), 200);
	}
	ck_assert_int_eq(json_integer_value(json_object_get(j, "recovery_codes_left")), 9);
	json_decref(j);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'user.totp.recovery_used' AND target = 'ursula'"), 1);
	/* used: refused next time */
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, f.codes[3], NULL, NULL), 401);
	/* another user's code is nothing here */
	/* renewed: ten new ones, the old ones void */
	post[0] = s2.cookie;
	post[1] = s2.origin_hdr;
	post[2] = s2.csrf_hdr;
	json_decref(call("POST", "/api/auth/totp/recovery", post, "{\"password\":\"wrong wrong\"}",
			 403));
	j = call("POST", "/api/auth/totp/recovery", post, "{\"password\":\"" USER_PW "\"}", 200);
	ck_assert_uint_eq(json_array_size(json_object_get(j, "recovery_codes")), 10);
	ck_assert_str_ne(json_string_value(json_array_get(json_object_get(j, "recovery_codes"), 0)),
			 f.codes[0]);
	json_decref(j);
	ck_assert_int_eq(second_step(tok, NULL, f.codes[0], NULL, NULL), 401);
	/* disable with a recovery code (the phone is gone, the password known) */
	j = call("POST", "/api/auth/totp/recovery", post, "{\"password\":\"" USER_PW "\"}", 200);
	b = body_code("recovery_code", json_string_value(json_array_get(
		json_object_get(j, "recovery_codes"), 5)), NULL);
	json_decref(j);
	json_decref(call("POST", "/api/auth/totp/disable", post, "{\"recovery_code\":"
			 "\"0000-0000-0000-0000\"}", 403));
	json_decref(call("POST", "/api/auth/totp/disable", post, b, 200));
	free(b);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM user_recovery_codes"), 0);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	ck_assert_ptr_nonnull(strstr(s.cookie, "comradarr_session="));
}
END_TEST

START_TEST(the_pending_login_expires_and_is_used_once)
{
	struct http_session s;
	struct factor f;
	char tok[96], cookie[300], tok2[96], cookie2[300], c[9];
	json_t *j;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	pgtest_exec(&T, "UPDATE login_pending SET expires_at = now() - interval '1 second'");
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), NULL, &j), 401);
	ck_assert_str_eq(jstr(json_object_get(j, "error"), "code"), "login_expired");
	json_decref(j);
	/* an expired token is not a wrong code: no failure counted */
	ck_assert_int_eq(pgtest_count(&T, "SELECT failed_logins FROM users WHERE name = 'ursula'"),
			 0);
	login_pending("ursula", USER_PW, tok, cookie);
	login_pending("ursula", USER_PW, tok2, cookie2);
	/* the expired row was pruned on the way */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending"), 2);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), NULL, NULL), 200);
	/* used: the token does not make a second session, even with a fresh code */
	next_window();
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 0, c), NULL, &j), 401);
	ck_assert_str_eq(jstr(json_object_get(j, "error"), "code"), "login_expired");
	json_decref(j);
	/* a made-up token, no token */
	ck_assert_int_eq(second_step("not-a-token-not-a-token", NULL, code_at(&f, 0, c), NULL, NULL),
			 401);
	ck_assert_int_eq(second_step(NULL, NULL, code_at(&f, 0, c), NULL, NULL), 401);
	/* the other pending login is still good */
	ck_assert_int_eq(second_step(tok2, NULL, code_at(&f, 0, c), NULL, NULL), 200);
	/* a password change ends the logins the old password began */
	login_pending("ursula", USER_PW, tok, cookie);
	{
		const char *argv[] = { "comradarr", "user", "passwd", "ursula", "--password-file", "-",
				       NULL };
		struct proc_result r;

		ck_assert_int_eq(proc_run(argv, "another long password\n", &r), 0);
		ck_assert_msg(r.status == 0, "passwd: %s", r.err);
		proc_result_free(&r);
	}
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending"), 0);
	next_window();
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 0, c), NULL, NULL), 401);
}
END_TEST

START_TEST(admin_resets_a_lost_phone_and_only_an_admin_can)
{
	struct http_session s, a;
	struct factor f;
	char tok[96], cookie[300];
	const char *upost[] = { NULL, NULL, NULL, NULL };
	const char *apost[] = { NULL, NULL, NULL, NULL };

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	upost[0] = s.cookie;
	upost[1] = s.origin_hdr;
	upost[2] = s.csrf_hdr;
	json_decref(call("DELETE", "/api/users/ursula/totp", upost, NULL, 403));
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &a), 200);
	apost[0] = a.cookie;
	apost[1] = a.origin_hdr;
	apost[2] = a.csrf_hdr;
	login_pending("ursula", USER_PW, tok, cookie);
	json_decref(call("DELETE", "/api/users/nobody/totp", apost, NULL, 404));
	json_decref(call("DELETE", "/api/users/ursula/totp", apost, NULL, 200));
	json_decref(call("DELETE", "/api/users/ursula/totp", apost, NULL, 404));
	/* the waiting login went with it */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM login_pending"), 0);
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE action = "
				      "'user.totp.reset' AND actor = 'admin' AND target = 'ursula'"), 1);
	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	ck_assert_ptr_nonnull(strstr(s.cookie, "comradarr_session="));
}
END_TEST

START_TEST(the_secret_is_in_no_answer_and_no_log_line)
{
	struct http_session s, a;
	struct factor f;
	char tok[96], cookie[300], c[9], *out, *err;
	const char *ag[] = { NULL, NULL };
	const char *paths[] = { "/api/users", "/api/audit", "/api/auth/totp/status",
				"/api/auth/session", NULL };
	struct http_resp r;

	ck_assert_int_eq(http_login(&S, "ursula", USER_PW, &s), 200);
	enrol(&s, "ursula", USER_PW, "SHA1", &f);
	login_pending("ursula", USER_PW, tok, cookie);
	ck_assert_int_eq(second_step(tok, NULL, code_at(&f, 1, c), &s, NULL), 200);
	ck_assert_int_eq(http_login(&S, "admin", ADMIN_PW, &a), 200);
	for (int i = 0; paths[i] != NULL; i++) {
		ag[0] = strcmp(paths[i], "/api/auth/totp/status") == 0 ? s.cookie : a.cookie;
		ck_assert_int_eq(http_do(&S, "GET", paths[i], ag, NULL, &r), 0);
		ck_assert_int_eq(r.status, 200);
		ck_assert_msg(strstr(r.body, f.b32) == NULL, "%s shows the secret", paths[i]);
		ck_assert_msg(strstr(r.body, f.codes[0]) == NULL, "%s shows a recovery code",
			      paths[i]);
		ck_assert_msg(strstr(r.body, tok) == NULL, "%s shows the pending token", paths[i]);
		http_resp_free(&r);
	}
	servectl_stop(&S);
	out = servectl_output(&S, 0);
	err = servectl_output(&S, 1);
	ck_assert_ptr_nonnull(strstr(out, "/api/auth/totp"));	/* the requests were logged */
	ck_assert_ptr_null(strstr(out, f.b32));
	ck_assert_ptr_null(strstr(err, f.b32));
	ck_assert_ptr_null(strstr(out, tok));
	ck_assert_ptr_null(strstr(err, tok));
	for (int i = 0; i < TOTP_RECOVERY_CODES; i++) {
		ck_assert_ptr_null(strstr(out, f.codes[i]));
		ck_assert_ptr_null(strstr(err, f.codes[i]));
	}
	free(out);
	free(err);
	/* the audit log says what happened, never with what */
	ck_assert_int_eq(pgtest_count(&T, "SELECT count(*) FROM audit_log WHERE detail::text ~ "
				      "'secret|recovery_codes\"'"), 0);
}
END_TEST

int
main(void)
{
	Suite *su = suite_create("serve_totp");
	TCase *tc = tcase_create("totp");
	SRunner *sr;
	int failed;

	if (!pgtest_available()) {
		printf("SKIPPED: no test PostgreSQL (run through tests/run.sh)\n");
		return 0;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, enrolment_needs_the_password_and_a_first_code);
	tcase_add_test(tc, login_with_totp_makes_the_session_only_after_the_code);
	tcase_add_test(tc, sha256_and_sha512_enrolments_work_too);
	tcase_add_test(tc, wrong_codes_count_toward_the_lockout);
	tcase_add_test(tc, the_per_address_limit_covers_the_second_step);
	tcase_add_test(tc, recovery_codes_work_once_and_are_renewed);
	tcase_add_test(tc, the_pending_login_expires_and_is_used_once);
	tcase_add_test(tc, admin_resets_a_lost_phone_and_only_an_admin_can);
	tcase_add_test(tc, the_secret_is_in_no_answer_and_no_log_line);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
