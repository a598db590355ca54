/*
 * Memory stays flat on a huge list (Req 37.1): a generated ~250 MB /movie
 * answer goes through the splitter and the movie parser in network-sized
 * chunks, and peak RSS must not grow by more than 16 MB.  No HTTP: the
 * chunks come from a generator, as the curl write callback would get them.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "arr/jsplit.h"
#include "arr/parse.h"
#include "core/buf.h"
#include "core/clock.h"

#define TARGET_BYTES ((size_t)250 << 20)
#define CHUNK 16384
#define MAX_GROWTH_KB (16L * 1024)

static long
peak_rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* One ~5 KB movie shaped like Radarr's /movie element. */
static void
movie(struct buf *b, int id)
{
	buf_appendf(b, "%s{\n  \"title\": \"Movie %d\",\n  \"originalTitle\": \"Movie %d\",\n"
		    "  \"sortTitle\": \"movie %d\",\n  \"sizeOnDisk\": 9000000000,\n"
		    "  \"status\": \"released\",\n  \"overview\": \"", id == 1 ? "[" : ",",
		    id, id, id);
	for (int i = 0; i < 40; i++)
		buf_append_str(b, "A long overview with \\\"quotes\\\", [brackets] and {braces}. ");
	buf_appendf(b, "\",\n  \"inCinemas\": \"2001-02-03T00:00:00Z\",\n"
		    "  \"images\": [{\"coverType\": \"poster\", \"url\": \"/x/%d.jpg\"}],\n"
		    "  \"year\": 2001,\n  \"hasFile\": true,\n  \"movieFileId\": %d,\n"
		    "  \"monitored\": true,\n  \"minimumAvailability\": \"released\",\n"
		    "  \"isAvailable\": true,\n  \"imdbId\": \"tt%07d\",\n  \"tmdbId\": %d,\n"
		    "  \"genres\": [\"Action\", \"Crime\"],\n  \"tags\": [],\n"
		    "  \"ratings\": {\"imdb\": {\"votes\": 1, \"value\": 8.3}},\n"
		    "  \"movieFile\": {\"id\": %d, \"movieId\": %d, \"size\": 9000000000,\n"
		    "    \"quality\": {\"quality\": {\"id\": 7, \"name\": \"Bluray-1080p\",\n"
		    "    \"source\": \"bluray\", \"resolution\": 1080},\n"
		    "    \"revision\": {\"version\": 1, \"real\": 0, \"isRepack\": false}},\n"
		    "    \"qualityCutoffNotMet\": %s},\n  \"id\": %d\n}", id, id, id, id,
		    id, id, (id % 7) == 0 ? "true" : "false", id);
}

struct tally {
	long movies;
	long cutoff_not_met;
	long id_sum;
};

static int
on_movie(const char *data, size_t len, void *arg, struct err *e)
{
	struct tally *t = arg;
	json_t *j = json_loadb(data, len, 0, NULL);
	struct arr_movie m;
	int rc;

	if (j == NULL)
		return err_set(e, ERR_PARSE, "element %ld is not JSON", t->movies + 1);
	rc = arr_movie_parse(j, &m, e);
	json_decref(j);
	if (rc != ARR_PARSED)
		return err_set(e, ERR_PARSE, "movie %ld was not parsed", t->movies + 1);
	t->movies++;
	t->cutoff_not_met += m.movie_file.quality_cutoff_not_met;
	t->id_sum += m.id;
	return 0;
}

START_TEST(test_a_250_mb_movie_list_streams_in_flat_memory)
{
	struct jsplit s;
	struct tally t = { 0, 0, 0 };
	struct buf gen = BUF_INIT;
	struct err e = ERR_INIT;
	size_t total = 0;
	long before, after;
	int id = 0;
	int64_t t0;
	double secs;

	before = peak_rss_kb();
	t0 = clock_mono_us();
	jsplit_init(&s, 0, on_movie, &t);
	while (total < TARGET_BYTES) {
		size_t off = 0;

		buf_reset(&gen);
		while (gen.len < 4 * CHUNK)
			movie(&gen, ++id);
		/* hand it over in network-sized pieces, cut anywhere */
		while (off < gen.len) {
			size_t n = gen.len - off < CHUNK - (off % 977) ? gen.len - off
								      : CHUNK - (off % 977);

			ck_assert_msg(jsplit_feed(&s, gen.data + off, n, &e) == 0, "%s", e.msg);
			off += n;
		}
		total += gen.len;
	}
	ck_assert_int_eq(jsplit_feed(&s, "\n]\n", 3, &e), 0);
	ck_assert_msg(jsplit_finish(&s, &e) == 0, "%s", e.msg);
	jsplit_release(&s);
	buf_release(&gen);
	after = peak_rss_kb();
	secs = (double)(clock_mono_us() - t0) / 1e6;
	printf("arr_memory: %zu MB, %ld movies in %.1f s (%.0f MB/s); peak RSS %ld KB "
	       "before, %ld KB after, growth %ld KB (limit %ld KB)\n",
	       total >> 20, t.movies, secs, (double)(total >> 20) / secs, before, after,
	       after - before, MAX_GROWTH_KB);
	ck_assert_int_eq(t.movies, id);
	ck_assert_int_eq(t.cutoff_not_met, id / 7);
	ck_assert_int_eq(t.id_sum, (long)id * (id + 1) / 2);
#ifdef __SANITIZE_ADDRESS__
	/* ASan keeps freed blocks in a quarantine of up to 256 MB, so RSS says
	 * nothing about the code here; the plain build asserts it. */
	printf("arr_memory: AddressSanitizer build, RSS limit not asserted\n");
	return;
#endif
	ck_assert_msg(after - before < MAX_GROWTH_KB,
		      "expected peak RSS to grow by under %ld KB, it grew by %ld KB",
		      MAX_GROWTH_KB, after - before);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arr_memory");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_a_250_mb_movie_list_streams_in_flat_memory);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
