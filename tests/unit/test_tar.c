/* lib/core/tar: what the backup archive's reader accepts and refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "core/err.h"
#include "core/tar.h"

/* An archive in memory: members (name, text) then the end blocks. */
static char *
make(size_t *len, const char *const *names, const char *const *texts, int n, int end)
{
	char *p = NULL;
	FILE *f = open_memstream(&p, len);
	struct err e = ERR_INIT;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(tar_write_member(f, names[i], texts[i], strlen(texts[i]), 1700000000,
						  &e), 0);
	if (end)
		ck_assert_int_eq(tar_write_end(f, &e), 0);
	fclose(f);
	return p;
}

/* Read every member of buf; returns tar_next's last result, e filled. */
static int
read_all(const char *buf, size_t len, char *got, size_t gotsize, struct err *e)
{
	FILE *f = fmemopen((void *)buf, len, "rb");
	struct tar_reader r;
	struct tar_member m;
	int rc;

	got[0] = '\0';
	tar_reader_init(&r, f);
	while ((rc = tar_next(&r, &m, e)) == 1) {
		char data[256];
		long n = tar_read(&r, data, sizeof(data) - 1, e);

		ck_assert_int_ge(n, 0);
		data[n] = '\0';
		snprintf(got + strlen(got), gotsize - strlen(got), "%s=%s;", m.name, data);
	}
	fclose(f);
	return rc;
}

START_TEST(members_round_trip_and_tar_could_read_them)
{
	const char *names[] = { "data/t/000001.copy", "manifest.json" };
	const char *texts[] = { "1\tx\n2\ty\n", "{}" };
	size_t len;
	char *a = make(&len, names, texts, 2, 1), got[512];
	struct err e = ERR_INIT;

	ck_assert_uint_eq(len % 512, 0);
	ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), 0);
	ck_assert_str_eq(got, "data/t/000001.copy=1\tx\n2\ty\n;manifest.json={};");
	ck_assert(memcmp(a + 257, "ustar", 6) == 0);
	free(a);
}
END_TEST

START_TEST(a_missing_end_or_a_cut_member_is_truncated)
{
	const char *names[] = { "a" };
	const char *texts[] = { "hello" };
	size_t len;
	char *a = make(&len, names, texts, 1, 0), got[256];
	struct err e = ERR_INIT;

	ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	free(a);
	a = make(&len, names, texts, 1, 1);
	err_clear(&e);
	ck_assert_int_eq(read_all(a, 600, got, sizeof(got), &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "truncated"));
	free(a);
}
END_TEST

START_TEST(a_flipped_header_byte_fails_the_checksum)
{
	const char *names[] = { "a" };
	const char *texts[] = { "hello" };
	size_t len;
	char *a = make(&len, names, texts, 1, 1), got[256];
	struct err e = ERR_INIT;

	a[124 + 10] ^= 1;	/* the size field */
	ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), -1);
	ck_assert_ptr_nonnull(strstr(e.msg, "checksum"));
	free(a);
}
END_TEST

START_TEST(unsafe_names_and_other_types_are_refused)
{
	static const char *const bad[] = { "../x", "/etc/passwd", "a/../../b", "a/.." };
	size_t len;
	struct err e = ERR_INIT;
	char got[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *names[] = { bad[i] };
		const char *texts[] = { "x" };
		char *a = make(&len, names, texts, 1, 1);

		err_clear(&e);
		ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), -1);
		ck_assert_msg(strstr(e.msg, "unsafe name") != NULL, "%s: %s", bad[i], e.msg);
		free(a);
	}
	{
		const char *names[] = { "link" };
		const char *texts[] = { "" };
		char *a = make(&len, names, texts, 1, 1);
		unsigned sum = 0;

		/* make it a symbolic link, checksum fixed */
		a[156] = '2';
		memset(a + 148, ' ', 8);
		for (int i = 0; i < 512; i++)
			sum += (unsigned char)a[i];
		snprintf(a + 148, 8, "%06o", sum);
		a[155] = ' ';
		err_clear(&e);
		ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), -1);
		ck_assert_ptr_nonnull(strstr(e.msg, "not a regular file"));
		free(a);
	}
	{
		const char *names[] = { "a..b/..c" };	/* dots, but no ".." component */
		const char *texts[] = { "x" };
		char *a = make(&len, names, texts, 1, 1);

		err_clear(&e);
		ck_assert_int_eq(read_all(a, len, got, sizeof(got), &e), 0);
		free(a);
	}
}
END_TEST

START_TEST(names_too_long_for_the_header_are_not_written)
{
	char name[120], *p = NULL;
	size_t len;
	FILE *f = open_memstream(&p, &len);
	struct err e = ERR_INIT;

	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(tar_write_member(f, name, "x", 1, 0, &e), -1);
	fclose(f);
	free(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tar");
	TCase *tc = tcase_create("tar");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, members_round_trip_and_tar_could_read_them);
	tcase_add_test(tc, a_missing_end_or_a_cut_member_is_truncated);
	tcase_add_test(tc, a_flipped_header_byte_fails_the_checksum);
	tcase_add_test(tc, unsafe_names_and_other_types_are_refused);
	tcase_add_test(tc, names_too_long_for_the_header_are_not_written);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
