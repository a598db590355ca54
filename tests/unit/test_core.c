/* lib/core: config (Req 30.1-30.2), logging and redaction (Req 31, 36.3),
 * JSON lines, clock parsing, capped buffers. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/err.h"
#include "core/jsonl.h"
#include "core/log.h"
#include "core/name.h"

static const char *const env_vars[] = {
	"DATABASE_URL", "HOST", "PORT", "BASE_URL", "TZ", "LOG_LEVEL", "SECRET_KEY",
	"COMRADARR_HOME", "ADMIN_USER", "ADMIN_PASS", NULL
};

static void
clear_env(void)
{
	char name[64];

	for (int i = 0; env_vars[i] != NULL; i++) {
		unsetenv(env_vars[i]);
		snprintf(name, sizeof(name), "%s_FILE", env_vars[i]);
		unsetenv(name);
	}
}

START_TEST(config_defaults_match_req_30_2)
{
	struct config c;
	struct err e = ERR_INIT;

	clear_env();
	setenv("COMRADARR_HOME", "/tmp/x", 1);
	ck_assert_int_eq(config_load(&c, &e), 0);
	ck_assert_ptr_null(c.database_url);
	ck_assert_str_eq(c.host, "0.0.0.0");
	ck_assert_int_eq(c.port, 3000);
	ck_assert_str_eq(c.tz, "UTC");
	ck_assert_int_eq(c.log_level, LOG_LEVEL_INFO);
	ck_assert_str_eq(c.base_url, "/");
	config_release(&c);
}
END_TEST

START_TEST(config_rejects_bad_values_naming_the_variable)
{
	static const struct { const char *var, *val, *needle; } cases[] = {
		{ "PORT", "70000", "PORT" },
		{ "PORT", "abc", "PORT" },
		{ "LOG_LEVEL", "loud", "LOG_LEVEL" },
		{ "TZ", "Mars/Olympus", "TZ" },
		{ "TZ", "../../etc/passwd", "TZ" },
		{ "BASE_URL", "http://x/y", "BASE_URL" },
		{ "COMRADARR_HOME", "relative/path", "COMRADARR_HOME" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct err e = ERR_INIT;

		clear_env();
		setenv("COMRADARR_HOME", "/tmp/x", 1);
		setenv(cases[i].var, cases[i].val, 1);
		ck_assert_msg(config_load(&c, &e) < 0, "%s=%s was accepted", cases[i].var, cases[i].val);
		ck_assert_msg(strstr(e.msg, cases[i].needle) != NULL,
			      "error for %s=%s does not name it: '%s'", cases[i].var, cases[i].val, e.msg);
		ck_assert_int_eq(e.kind, ERR_CONFIG);
	}
}
END_TEST

START_TEST(config_base_url_is_normalised)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/", "/" }, { "comradarr", "/comradarr/" }, { "/comradarr", "/comradarr/" },
		{ "/a/b/", "/a/b/" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config c;
		struct err e = ERR_INIT;

		clear_env();
		setenv("COMRADARR_HOME", "/tmp/x", 1);
		setenv("BASE_URL", cases[i].in, 1);
		ck_assert_int_eq(config_load(&c, &e), 0);
		ck_assert_str_eq(c.base_url, cases[i].out);
		config_release(&c);
	}
}
END_TEST

START_TEST(config_file_variants_read_the_file)
{
	char path[] = "/tmp/comradarr-cfg-XXXXXX";
	int fd = mkstemp(path);
	struct config c;
	struct err e = ERR_INIT;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "postgresql:///fromfile\n", 23), 23);
	close(fd);
	clear_env();
	setenv("COMRADARR_HOME", "/tmp/x", 1);
	setenv("DATABASE_URL_FILE", path, 1);
	ck_assert_int_eq(config_load(&c, &e), 0);
	ck_assert_str_eq(c.database_url, "postgresql:///fromfile");
	config_release(&c);

	setenv("DATABASE_URL", "postgresql:///both", 1);
	ck_assert_int_lt(config_load(&c, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "both DATABASE_URL and DATABASE_URL_FILE"));
	unsetenv("DATABASE_URL");
	setenv("DATABASE_URL_FILE", "/nonexistent/file", 1);
	ck_assert_int_lt(config_load(&c, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/file"));
	unlink(path);
	clear_env();
}
END_TEST

/* Capture log output in a memory stream. */
static char *
capture_log(void (*fn)(void))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	log_set_stream(f);
	fn();
	fflush(f);
	log_set_stream(NULL);
	fclose(f);
	return text;
}

static const char *const key = "0123456789abcdef0123456789abcdef";

static void
log_a_key_every_way(void)
{
	log_init("test", LOG_LEVEL_TRACE, LOG_FORMAT_JSON);
	log_secret_add(key);
	log_info("t", "plain key %s in a message", key);
	log_info("t", "curl said: GET http://h/api/v3/series?apikey=%s failed", "zzzzsecretzzzz");
	log_info("t", "header X-Api-Key: %s", "yyyysecretyyyy");
	{
		json_t *f = json_object();

		json_object_set_new(f, "api_key", json_string("wwwwsecretwwww"));
		json_object_set_new(f, "admin_password", json_string("vvvvsecretvvvv"));
		json_object_set_new(f, "body", json_string("{\"apikey\":\"uuuusecretuuuu\"}"));
		json_object_set_new(f, "nested", json_pack("{s:s}", "detail", key));
		log_write(LOG_LEVEL_WARN, "t", f, "fields");
	}
	log_trace("t", "Authorization: Bearer %s", "ttttsecrettttt");
	log_info("t", "sent with Bearer %s", "tttt5ecrettttt");
	log_secret_clear();
}

/* Every marker, in upper and lower case, anywhere in a text: redaction
 * skips characters that cannot start one, never a marker itself. */
START_TEST(redaction_finds_every_marker_anywhere)
{
	static const char *const markers[] = {
		"apikey=", "api_key=", "x-api-key:", "x-api-key=", "password=", "token=",
		"bearer ", "authorization:", "cookie:", "\"apikey\":", "\"password\":",
		"\"token\":", "secret=",
	};

	for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		for (int upper = 0; upper < 2; upper++) {
			char m[64], text[256], *red;

			snprintf(m, sizeof(m), "%s", markers[i]);
			for (char *c = m; upper && *c; c++)
				*c = (char)toupper((unsigned char)*c);
			/* a digit: after "Bearer " only something token-like is a secret */
			snprintf(text, sizeof(text), "quiet words, then %sssss3cretssss and more", m);
			red = log_redact(text);
			ck_assert_ptr_nonnull(red);
			ck_assert_msg(strstr(red, "ssss3cretssss") == NULL &&
				      strstr(red, "[REDACTED]") != NULL &&
				      strncmp(red, "quiet words, then ", 18) == 0,
				      "'%s' came out as '%s'", text, red);
			free(red);
		}
	}
}
END_TEST

/* Ordinary words after "Bearer" are not a token: nothing is mangled. */
START_TEST(redaction_leaves_ordinary_text_alone)
{
	static const char *const texts[] = {
		"The Bearer of Bad News", "bearer bonds and bearer shares", "Cupbearer tokenless",
		"the bearer: someone", "no markers at all here",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *red = log_redact(texts[i]);

		ck_assert_ptr_nonnull(red);
		ck_assert_msg(strcmp(red, texts[i]) == 0, "'%s' came out as '%s'", texts[i], red);
		free(red);
	}
	{
		char *red = log_redact("Authorization was Bearer eyJhbGciOiJIUzI1NiJ9.e30.x and more");

		ck_assert_msg(strstr(red, "eyJhbGci") == NULL, "a JWT survived: %s", red);
		free(red);
	}
}
END_TEST

/* Strings inside JSON arrays, at any depth, are redacted like any other. */
START_TEST(redaction_reaches_into_json_arrays)
{
	json_t *v = json_pack("{s:[s, {s:s}, [s]], s:[i]}", "items",
			      "url?apikey=aaaa1111bbbb2222", "password", "hunter2hunter2",
			      "Bearer cccc3333dddd4444eeee", "token", 7);
	char *text;

	log_redact_json(v);
	text = json_dumps(v, JSON_COMPACT);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, "aaaa1111") == NULL && strstr(text, "hunter2") == NULL &&
		      strstr(text, "cccc3333") == NULL && strstr(text, "[7]") == NULL,
		      "a secret survived: %s", text);
	free(text);
	json_decref(v);
}
END_TEST

START_TEST(logger_never_prints_a_secret_req_36_3)
{
	char *out = capture_log(log_a_key_every_way);
	const char *secrets[] = { key, "zzzzsecretzzzz", "yyyysecretyyyy", "wwwwsecretwwww",
				  "vvvvsecretvvvv", "uuuusecretuuuu", "ttttsecrettttt",
				  "tttt5ecrettttt" };

	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(strstr(out, secrets[i]) == NULL, "secret '%s' reached the log:\n%s",
			      secrets[i], out);
	ck_assert_ptr_nonnull(strstr(out, "[REDACTED]"));
	free(out);
}
END_TEST

static void
log_levels(void)
{
	log_init("test", LOG_LEVEL_WARN, LOG_FORMAT_JSON);
	log_info("t", "hidden-info");
	log_warn("t", "shown-warn");
	log_set_level(LOG_LEVEL_DEBUG);	/* changed at run time (Req 31.5) */
	log_debug("t", "shown-debug");
	log_trace("t", "hidden-trace");
}

START_TEST(logger_honours_level_changes_at_run_time)
{
	char *out = capture_log(log_levels);

	ck_assert_ptr_null(strstr(out, "hidden-info"));
	ck_assert_ptr_nonnull(strstr(out, "shown-warn"));
	ck_assert_ptr_nonnull(strstr(out, "shown-debug"));
	ck_assert_ptr_null(strstr(out, "hidden-trace"));
	free(out);
}
END_TEST

static void
log_one_record(void)
{
	log_init("comradarr-test", LOG_LEVEL_INFO, LOG_FORMAT_JSON);
	log_set_correlation_id("abc123");
	log_write(LOG_LEVEL_INFO, "sync", json_pack("{s:i}", "items", 5), "synced %d", 5);
	log_set_correlation_id(NULL);
}

START_TEST(log_records_have_the_fields_of_req_31_1)
{
	char *out = capture_log(log_one_record);
	json_error_t je;
	json_t *rec = json_loads(out, 0, &je);

	ck_assert_msg(rec != NULL, "not one JSON object: %s (%s)", out, je.text);
	ck_assert_str_eq(json_string_value(json_object_get(rec, "level")), "info");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "module")), "sync");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "msg")), "synced 5");
	ck_assert_str_eq(json_string_value(json_object_get(rec, "correlation_id")), "abc123");
	ck_assert_int_eq(json_integer_value(json_object_get(rec, "items")), 5);
	ck_assert_ptr_nonnull(json_object_get(rec, "ts"));
	json_decref(rec);
	free(out);
}
END_TEST

START_TEST(jsonl_lines_have_event_and_ts_and_redact)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct jsonl j;
	json_t *line;

	jsonl_init(&j, f);
	jsonl_emit(&j, "connector", json_pack("{s:s,s:s}", "connector", "tv", "password", "hunter22"));
	fclose(f);
	ck_assert_int_eq(j.lines, 1);
	ck_assert_ptr_null(strstr(text, "hunter22"));
	line = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(line);
	ck_assert_str_eq(json_string_value(json_object_get(line, "event")), "connector");
	ck_assert_ptr_nonnull(json_object_get(line, "ts"));
	ck_assert_ptr_nonnull(strchr(text, '\n'));
	json_decref(line);
	free(text);
}
END_TEST

START_TEST(clock_parses_the_arr_date_forms)
{
	int64_t us;

	ck_assert_int_eq(clock_parse_iso8601("1970-01-01T00:00:00Z", &us), 0);
	ck_assert_int_eq(us, 0);
	ck_assert_int_eq(clock_parse_iso8601("2024-02-29T12:34:56.789Z", &us), 0);
	ck_assert_int_eq(us, 1709210096789000LL);
	ck_assert_int_eq(clock_parse_iso8601("2024-02-29T14:34:56.789+02:00", &us), 0);
	ck_assert_int_eq(us, 1709210096789000LL);
	ck_assert_int_eq(clock_parse_iso8601("2024-03-01", &us), 0);
	ck_assert_int_eq(us, 1709251200000000LL);
	ck_assert_int_eq(clock_parse_iso8601("2023-10-01T00:00:00.1234567Z", &us), 0);
	ck_assert_int_eq(us % 1000000, 123456);
	ck_assert_int_lt(clock_parse_iso8601("2024-13-01", &us), 0);
	ck_assert_int_lt(clock_parse_iso8601("yesterday", &us), 0);
	ck_assert_int_lt(clock_parse_iso8601("2024-01-01T00:00:00Zjunk", &us), 0);
}
END_TEST

START_TEST(fake_clock_makes_sleep_instant)
{
	clock_set_fake(1000000);
	clock_sleep_ms(60000);
	ck_assert_int_eq(clock_now_us(), 61000000);
	clock_set_fake(-1);
	ck_assert_int_gt(clock_now(), 1700000000);
}
END_TEST

START_TEST(buf_enforces_its_cap)
{
	struct buf b;

	buf_init(&b, 10);
	ck_assert_int_eq(buf_append_str(&b, "0123456789"), 0);
	ck_assert_int_eq(buf_putc(&b, 'x'), -1);
	ck_assert_uint_eq(b.len, 10);
	ck_assert_str_eq(b.data, "0123456789");
	buf_reset(&b);
	ck_assert_int_eq(buf_appendf(&b, "%d-%s", 42, "ok"), 0);
	ck_assert_str_eq(b.data, "42-ok");
	ck_assert_int_eq(buf_appendf(&b, "%s", "toolongtoolong"), -1);
	buf_release(&b);
}
END_TEST

START_TEST(err_prefix_keeps_kind)
{
	struct err e = ERR_INIT;

	err_set(&e, ERR_AUTH, "401 from '%s'", "tv");
	err_prefix(&e, "sync");
	ck_assert_str_eq(e.msg, "sync: 401 from 'tv'");
	ck_assert_int_eq(e.kind, ERR_AUTH);
	ck_assert_str_eq(err_kind_name(ERR_NET_TIMEOUT), "net_timeout");
	ck_assert(err_kind_retryable(ERR_STARTING));
	ck_assert(!err_kind_retryable(ERR_AUTH));
}
END_TEST

/* the names that end up in URLs, unit and file names need no escaping */
START_TEST(names_follow_one_rule)
{
	static const char *const good[] = { "tv", "Sonarr-4K", "a.b_c-d", "9" };
	static const char *const bad[] = { "", "-tv", ".tv", "tv/x", "tv x", "t%2e", "tv\n", "é" };
	char longest[NAME_MAX_LEN + 2];
	struct err e = ERR_INIT;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_int_eq(name_check("connector", good[i], &e), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(name_check("channel", bad[i], &e), -1);
		ck_assert_int_eq(e.kind, ERR_USAGE);
		ck_assert_ptr_nonnull(strstr(e.msg, "channel name"));
	}
	ck_assert_int_eq(name_check("schedule", NULL, &e), -1);
	memset(longest, 'a', sizeof(longest));
	longest[NAME_MAX_LEN] = '\0';
	ck_assert_int_eq(name_check("schedule", longest, &e), 0);
	longest[NAME_MAX_LEN] = 'a';
	longest[NAME_MAX_LEN + 1] = '\0';
	ck_assert_int_eq(name_check("schedule", longest, &e), -1);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, config_defaults_match_req_30_2);
	tcase_add_test(tc, config_rejects_bad_values_naming_the_variable);
	tcase_add_test(tc, config_base_url_is_normalised);
	tcase_add_test(tc, config_file_variants_read_the_file);
	tcase_add_test(tc, logger_never_prints_a_secret_req_36_3);
	tcase_add_test(tc, logger_honours_level_changes_at_run_time);
	tcase_add_test(tc, log_records_have_the_fields_of_req_31_1);
	tcase_add_test(tc, redaction_finds_every_marker_anywhere);
	tcase_add_test(tc, redaction_leaves_ordinary_text_alone);
	tcase_add_test(tc, redaction_reaches_into_json_arrays);
	tcase_add_test(tc, jsonl_lines_have_event_and_ts_and_redact);
	tcase_add_test(tc, clock_parses_the_arr_date_forms);
	tcase_add_test(tc, names_follow_one_rule);
	tcase_add_test(tc, fake_clock_makes_sleep_instant);
	tcase_add_test(tc, buf_enforces_its_cap);
	tcase_add_test(tc, err_prefix_keeps_kind);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
