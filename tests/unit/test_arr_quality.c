/*
 * QualityModel serialisation round-trips (Req 14.4-14.5): a property test
 * over many random models with a fixed seed, so a failure reproduces.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arr/quality.h"

static uint32_t
next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random UTF-8 text that fits size, with quotes, escapes and multibyte. */
static void
random_text(uint32_t *s, char *out, size_t size)
{
	static const char *const pieces[] = { "a", "Z", "9", "-", " ", "\"", "\\",
					      "/", "\xc3\xa9", "\xe2\x82\xac", "\t",
					      "\xf0\x9f\x8e\xac", "Bluray", "1080p" };
	size_t n = 0, want = next(s) % size;

	while (n < want) {
		const char *p = pieces[next(s) % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t k = strlen(p);

		if (n + k >= size)
			break;
		memcpy(out + n, p, k);
		n += k;
	}
	out[n] = '\0';
}

static void
random_quality(uint32_t *s, struct arr_quality *q)
{
	memset(q, 0, sizeof(*q));
	q->id = (int)(next(s) % 100000) - 10;
	random_text(s, q->name, sizeof(q->name));
	random_text(s, q->source, sizeof(q->source));
	q->resolution = (int)(next(s) % 4321);
	q->revision_version = (int)(next(s) % 10);
	q->revision_real = (int)(next(s) % 5) - 1;
	q->revision_is_repack = next(s) & 1;
}

START_TEST(test_random_models_survive_a_json_round_trip)
{
	uint32_t seed = 20240601u;

	for (int i = 0; i < 20000; i++) {
		struct arr_quality a, b;
		struct err e = ERR_INIT;
		json_t *j;
		char *text;
		json_t *back;

		random_quality(&seed, &a);
		j = arr_quality_to_json(&a);
		ck_assert_ptr_nonnull(j);
		/* through text too, as the database stores it */
		text = json_dumps(j, JSON_COMPACT);
		back = json_loads(text, 0, NULL);
		ck_assert_msg(back != NULL, "iteration %d: own JSON does not load: %s", i, text);
		ck_assert_msg(arr_quality_from_json(back, &b, &e) == 0,
			      "iteration %d: %s (%s)", i, e.msg, text);
		ck_assert_msg(arr_quality_equal(&a, &b),
			      "iteration %d: round trip changed the model: %s", i, text);
		free(text);
		json_decref(j);
		json_decref(back);
	}
}
END_TEST

START_TEST(test_equal_notices_every_field)
{
	struct arr_quality a = { 7, "Bluray-1080p", "bluray", 1080, 1, 0, false };
	struct arr_quality b = a;

	ck_assert(arr_quality_equal(&a, &b));
	b.revision_is_repack = true;
	ck_assert(!arr_quality_equal(&a, &b));
	b = a;
	b.revision_real = 1;
	ck_assert(!arr_quality_equal(&a, &b));
	b = a;
	b.source[0] = 'B';
	ck_assert(!arr_quality_equal(&a, &b));
}
END_TEST

START_TEST(test_the_arr_shape_is_read_and_unknown_members_ignored)
{
	json_t *j = json_loads("{\"quality\":{\"id\":3,\"name\":\"WEBDL-1080p\",\"source\":"
			       "\"web\",\"resolution\":1080,\"modifier\":\"none\"},"
			       "\"revision\":{\"version\":2,\"real\":1,\"isRepack\":false},"
			       "\"extra\":1}", 0, NULL);
	struct arr_quality q;

	ck_assert_int_eq(arr_quality_from_json(j, &q, NULL), 0);
	ck_assert_int_eq(q.id, 3);
	ck_assert_str_eq(q.source, "web");
	ck_assert_int_eq(q.revision_real, 1);
	json_decref(j);
}
END_TEST

START_TEST(test_a_model_without_quality_name_is_refused)
{
	json_t *j = json_loads("{\"quality\":{\"id\":3},\"revision\":{}}", 0, NULL);
	struct arr_quality q;
	struct err e = ERR_INIT;

	ck_assert_int_eq(arr_quality_from_json(j, &q, &e), -1);
	ck_assert_int_eq(e.kind, ERR_PARSE);
	ck_assert_msg(strstr(e.msg, "quality.name") != NULL, "got '%s'", e.msg);
	json_decref(j);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_quality");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_random_models_survive_a_json_round_trip);
	tcase_add_test(tc, test_equal_notices_every_field);
	tcase_add_test(tc, test_the_arr_shape_is_read_and_unknown_members_ignored);
	tcase_add_test(tc, test_a_model_without_quality_name_is_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
