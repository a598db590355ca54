/*
 * The streaming array splitter (Req 37.1): elements come out whole whatever
 * the chunk boundaries, and broken input is refused cleanly.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "arr/jsplit.h"
#include "core/buf.h"

/* Collects the elements, joined with '\n'. */
struct got {
	struct buf all;
	int n;
	int stop_at;	/* refuse element number stop_at (1-based); 0 = never */
};

static int
collect(const char *data, size_t len, void *arg, struct err *e)
{
	struct got *g = arg;

	g->n++;
	if (g->stop_at == g->n)
		return err_set(e, ERR_USAGE, "refused element %d", g->n);
	if (g->all.len > 0)
		buf_putc(&g->all, '\n');
	buf_append(&g->all, data, len);
	return 0;
}

/* Split doc fed in pieces of the given sizes (repeating); 0 or -1. */
static int
split_chunked(const char *doc, size_t chunk, size_t max, struct got *g,
	      struct err *e)
{
	struct jsplit s;
	size_t len = strlen(doc);
	int rc = 0;

	jsplit_init(&s, max, collect, g);
	for (size_t off = 0; off < len && rc == 0; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;

		rc = jsplit_feed(&s, doc + off, n, e);
	}
	if (rc == 0)
		rc = jsplit_finish(&s, e);
	jsplit_release(&s);
	return rc;
}

/* Split doc cut once at every position; all must give `want`. */
static void
check_every_cut(const char *doc, const char *want, int want_n)
{
	size_t len = strlen(doc);

	for (size_t cut = 0; cut <= len; cut++) {
		struct got g = { BUF_INIT, 0, 0 };
		struct err e = ERR_INIT;
		struct jsplit s;
		int rc;

		jsplit_init(&s, 0, collect, &g);
		rc = jsplit_feed(&s, doc, cut, &e);
		if (rc == 0)
			rc = jsplit_feed(&s, doc + cut, len - cut, &e);
		if (rc == 0)
			rc = jsplit_finish(&s, &e);
		jsplit_release(&s);
		ck_assert_msg(rc == 0, "cut at %zu of %s: expected success, got '%s'",
			      cut, doc, e.msg);
		ck_assert_msg(g.n == want_n, "cut at %zu: expected %d elements, got %d",
			      cut, want_n, g.n);
		ck_assert_msg(strcmp(g.all.data ? g.all.data : "", want) == 0,
			      "cut at %zu: expected [%s], got [%s]", cut, want,
			      g.all.data ? g.all.data : "");
		buf_release(&g.all);
	}
}

START_TEST(test_elements_survive_a_cut_at_every_byte)
{
	check_every_cut("[{\"id\":1,\"title\":\"A\"},{\"id\":2,\"t\":[1,2,{\"x\":[]}]}]",
			"{\"id\":1,\"title\":\"A\"}\n{\"id\":2,\"t\":[1,2,{\"x\":[]}]}", 2);
	check_every_cut(" \n\t[ {\"a\" : \"b\"} ,\r\n {\"c\":{}} ] \n",
			"{\"a\" : \"b\"}\n{\"c\":{}}", 2);
}
END_TEST

START_TEST(test_escaped_quotes_and_brackets_in_strings_do_not_split)
{
	check_every_cut("[{\"t\":\"a \\\"]\\\" }{ [\\\\\"},{\"u\":\"\\\\\"}]",
			"{\"t\":\"a \\\"]\\\" }{ [\\\\\"}\n{\"u\":\"\\\\\"}", 2);
	check_every_cut("[\"x,]\\\"\",\"\\u005d\"]", "\"x,]\\\"\"\n\"\\u005d\"", 2);
}
END_TEST

START_TEST(test_scalars_and_nested_arrays_are_elements)
{
	check_every_cut("[1,-2.5e3,true,null,[[1],[2,[3]]],\"s\"]",
			"1\n-2.5e3\ntrue\nnull\n[[1],[2,[3]]]\n\"s\"", 6);
}
END_TEST

START_TEST(test_empty_array_gives_no_elements)
{
	check_every_cut("[]", "", 0);
	check_every_cut("  [ \n ]  ", "", 0);
}
END_TEST

START_TEST(test_one_byte_chunks_give_the_same_elements)
{
	const char *doc = "[{\"a\":[1,{\"b\":\"}\"}]},{\"c\":null}]";
	struct got g = { BUF_INIT, 0, 0 };
	struct err e = ERR_INIT;

	ck_assert_int_eq(split_chunked(doc, 1, 0, &g, &e), 0);
	ck_assert_int_eq(g.n, 2);
	ck_assert_str_eq(g.all.data, "{\"a\":[1,{\"b\":\"}\"}]}\n{\"c\":null}");
	buf_release(&g.all);
}
END_TEST

static void
expect_refused(const char *doc, const char *why)
{
	size_t len = strlen(doc);

	/* whatever the chunking, the verdict is the same */
	for (size_t chunk = 1; chunk <= len + 1; chunk++) {
		struct got g = { BUF_INIT, 0, 0 };
		struct err e = ERR_INIT;
		int rc = split_chunked(doc, chunk, 0, &g, &e);

		ck_assert_msg(rc == -1, "%s (%s), chunk %zu: expected refusal, got "
			      "success", why, doc, chunk);
		ck_assert_msg(e.kind == ERR_PARSE, "%s: expected ERR_PARSE, got %s (%s)",
			      why, err_kind_name(e.kind), e.msg);
		buf_release(&g.all);
	}
}

START_TEST(test_truncated_input_is_refused)
{
	expect_refused("[{\"id\":1},{\"id\":2", "truncated inside an element");
	expect_refused("[{\"id\":1}", "no closing bracket");
	expect_refused("[", "only the opening bracket");
	expect_refused("", "nothing at all");
	expect_refused("[{\"a\":\"unterminated]", "unterminated string");
	expect_refused("[1", "truncated scalar");
}
END_TEST

START_TEST(test_non_arrays_and_garbage_are_refused)
{
	expect_refused("{\"records\":[]}", "an object");
	expect_refused("<html>502</html>", "an HTML error page");
	expect_refused("[1 2]", "missing comma");
	expect_refused("[1,]", "trailing comma");
	expect_refused("[,1]", "leading comma");
	expect_refused("[{\"a\":1]]", "mismatched bracket");
	expect_refused("[{}] x", "trailing data");
	expect_refused("[{}][]", "a second array");
	expect_refused("[@]", "not a value");
}
END_TEST

START_TEST(test_element_over_the_cap_is_refused)
{
	struct got g = { BUF_INIT, 0, 0 };
	struct err e = ERR_INIT;
	/* the second element is 30 bytes, the cap 20 */
	int rc = split_chunked("[{\"a\":1},{\"bbbbbbbbbbbbbbbbbbbbbbb\":1}]", 7, 20,
			       &g, &e);

	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(e.kind, ERR_PARSE);
	ck_assert_msg(strstr(e.msg, "over 20 bytes") != NULL,
		      "expected the cap in the message, got '%s'", e.msg);
	ck_assert_int_eq(g.n, 1);
	buf_release(&g.all);
}
END_TEST

START_TEST(test_too_deep_nesting_is_refused)
{
	struct buf doc = BUF_INIT;
	struct got g = { BUF_INIT, 0, 0 };
	struct err e = ERR_INIT;

	buf_putc(&doc, '[');
	for (int i = 0; i < JSPLIT_MAX_DEPTH + 1; i++)
		buf_putc(&doc, '[');
	ck_assert_int_eq(split_chunked(doc.data, 64, 0, &g, &e), -1);
	ck_assert_msg(strstr(e.msg, "too deep") != NULL, "got '%s'", e.msg);
	buf_release(&doc);
}
END_TEST

START_TEST(test_callback_error_stops_the_stream)
{
	struct got g = { BUF_INIT, 0, 2 };
	struct err e = ERR_INIT;

	ck_assert_int_eq(split_chunked("[1,2,3]", 100, 0, &g, &e), -1);
	ck_assert_int_eq(e.kind, ERR_USAGE);
	ck_assert_str_eq(e.msg, "refused element 2");
	buf_release(&g.all);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_jsplit");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_elements_survive_a_cut_at_every_byte);
	tcase_add_test(tc, test_escaped_quotes_and_brackets_in_strings_do_not_split);
	tcase_add_test(tc, test_scalars_and_nested_arrays_are_elements);
	tcase_add_test(tc, test_empty_array_gives_no_elements);
	tcase_add_test(tc, test_one_byte_chunks_give_the_same_elements);
	tcase_add_test(tc, test_truncated_input_is_refused);
	tcase_add_test(tc, test_non_arrays_and_garbage_are_refused);
	tcase_add_test(tc, test_element_over_the_cap_is_refused);
	tcase_add_test(tc, test_too_deep_nesting_is_refused);
	tcase_add_test(tc, test_callback_error_stops_the_stream);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
