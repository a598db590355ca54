/*
 * test_qr.c - the QR encoder's symbols have the structure ISO/IEC 18004
 * prescribes: the smallest version for the data at level M, finder and
 * timing patterns, the dark module, format information (level M, the mask
 * used) in both copies with a valid BCH code, version information from
 * version 7 on.  That the codes scan is proven by a real decoder (jsQR) in
 * the browser suite, tests/e2e/ui.js.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "web/qr.h"
#include "core/banned.h"

static struct qr *
enc(size_t len, char fill)
{
	struct qr *q = malloc(sizeof(*q));
	unsigned char *d = malloc(len + 1);

	ck_assert_ptr_nonnull(q);
	memset(d, fill, len);
	ck_assert_int_eq(qr_encode(d, len, q), 0);
	free(d);
	return q;
}

START_TEST(the_smallest_version_that_holds_the_bytes_is_chosen)
{
	/* level M byte capacities: v1 14, v2 26, v7 122, v10 213, v40 2331 */
	static const struct { size_t len; int ver; } v[] = {
		{ 1, 1 }, { 14, 1 }, { 15, 2 }, { 26, 2 }, { 27, 3 }, { 122, 7 }, { 123, 8 },
		{ 213, 10 }, { 214, 11 }, { 2331, 40 },
	};
	struct qr *q = malloc(sizeof(*q));
	unsigned char *big = calloc(2400, 1);

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct qr *r = enc(v[i].len, 'a');

		ck_assert_msg(r->version == v[i].ver, "%zu bytes: version %d, wanted %d", v[i].len,
			      r->version, v[i].ver);
		ck_assert_int_eq(r->size, 17 + 4 * v[i].ver);
		free(r);
	}
	ck_assert_int_eq(qr_encode(big, 2332, q), -1);
	free(big);
	free(q);
}
END_TEST

static void
finder_at(const struct qr *q, int x0, int y0)
{
	for (int y = 0; y < 7; y++)
		for (int x = 0; x < 7; x++) {
			int ring = (x == 0 || x == 6 || y == 0 || y == 6);
			int core = (x >= 2 && x <= 4 && y >= 2 && y <= 4);

			ck_assert_msg(q->dark[y0 + y][x0 + x] == (ring || core),
				      "finder at %d,%d: module %d,%d", x0, y0, x, y);
		}
}

static int
bch_format_ok(int bits, int *level, int *mask)
{
	int raw = bits ^ 0x5412, data = raw >> 10, rem = data;

	for (int i = 0; i < 10; i++)
		rem = (rem << 1) ^ ((rem >> 9) * 0x537);
	*level = data >> 3;
	*mask = data & 7;
	return (rem & 0x3ff) == (raw & 0x3ff);
}

static void
structure(const struct qr *q)
{
	int s = q->size, a = 0, b = 0, level, mask;

	finder_at(q, 0, 0);
	finder_at(q, s - 7, 0);
	finder_at(q, 0, s - 7);
	for (int i = 8; i < s - 8; i++) {
		ck_assert_int_eq(q->dark[6][i], i % 2 == 0);
		ck_assert_int_eq(q->dark[i][6], i % 2 == 0);
	}
	ck_assert_int_eq(q->dark[s - 8][8], 1);
	/* format information: bit i of the first copy, then of the second */
	for (int i = 0; i <= 5; i++)
		a |= q->dark[i][8] << i;
	a |= q->dark[7][8] << 6 | q->dark[8][8] << 7 | q->dark[8][7] << 8;
	for (int i = 9; i < 15; i++)
		a |= q->dark[8][14 - i] << i;
	for (int i = 0; i < 8; i++)
		b |= q->dark[8][s - 1 - i] << i;
	for (int i = 8; i < 15; i++)
		b |= q->dark[s - 15 + i][8] << i;
	ck_assert_int_eq(a, b);
	ck_assert(bch_format_ok(a, &level, &mask));
	ck_assert_int_eq(level, 0);	/* M */
	ck_assert_int_eq(mask, q->mask);
	if (q->version >= 7) {
		long v = 0, rem;

		for (int i = 0; i < 18; i++) {
			ck_assert_int_eq(q->dark[i / 3][s - 11 + i % 3], q->dark[s - 11 + i % 3][i / 3]);
			v |= (long)q->dark[i / 3][s - 11 + i % 3] << i;
		}
		ck_assert_int_eq(v >> 12, q->version);
		rem = v >> 12;
		for (int i = 0; i < 12; i++)
			rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
		ck_assert_int_eq(rem & 0xfff, v & 0xfff);
	}
}

START_TEST(symbols_have_the_prescribed_structure)
{
	static const size_t lens[] = { 5, 20, 60, 122, 123, 200, 400, 1000 };
	int masks = 0;

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (char c = 'a'; c <= 'c'; c++) {
			struct qr *q = enc(lens[i], c);

			structure(q);
			masks |= 1 << q->mask;
			free(q);
		}
	/* the penalty picks different masks for different data */
	ck_assert_int_ne(__builtin_popcount((unsigned)masks), 1);
}
END_TEST

START_TEST(svg_has_a_quiet_zone_a_name_and_only_dark_paths)
{
	struct buf b;
	char want[64];

	buf_init(&b, 1 << 20);
	ck_assert_int_eq(qr_svg(&b, "otpauth://totp/A:b?secret=AB", "key <for> A&B"), 0);
	/* 29 characters: version 3, 29 modules and 4 on each side */
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", 29 + 8, 29 + 8);
	ck_assert_ptr_nonnull(strstr(b.data, want));
	ck_assert_ptr_nonnull(strstr(b.data, "role=\"img\""));
	ck_assert_ptr_nonnull(strstr(b.data, "<title>key &lt;for&gt; A&amp;B</title>"));
	ck_assert_ptr_nonnull(strstr(b.data, "fill=\"#fff\""));
	/* the top-left finder's first row starts at the quiet zone's edge */
	ck_assert_ptr_nonnull(strstr(b.data, "d=\"M4 4h7v1h-7z"));
	ck_assert_ptr_null(strstr(b.data, "<script"));
	buf_release(&b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("qr");
	TCase *tc = tcase_create("qr");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, the_smallest_version_that_holds_the_bytes_is_chosen);
	tcase_add_test(tc, symbols_have_the_prescribed_structure);
	tcase_add_test(tc, svg_has_a_quiet_zone_a_name_and_only_dark_paths);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
