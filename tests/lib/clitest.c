#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <jansson.h>

#include "clitest.h"
#include "proc.h"

void
clitest_ok(const char *const argv[], const char *input)
{
	struct proc_result r;

	ck_assert_int_eq(proc_run(argv, input, &r), 0);
	ck_assert_msg(r.status == 0, "%s %s failed: %s", argv[1], argv[2], r.err);
	proc_result_free(&r);
}

void
clitest_add_user(const char *name, const char *role, const char *pw)
{
	const char *argv[] = { "comradarr", "user", "add", name, "--role", role,
			       "--password-file", "-", NULL };
	char in[128];

	snprintf(in, sizeof(in), "%s\n", pw);
	clitest_ok(argv, in);
}

char *
clitest_add_key(const char *scope)
{
	const char *argv[] = { "comradarr", "apikey", "add", "--description", "test script",
			       "--scope", scope, "--json", NULL };
	struct proc_result r;
	json_t *j;
	char *key;

	ck_assert_int_eq(proc_run(argv, NULL, &r), 0);
	ck_assert_msg(r.status == 0, "apikey add: %s", r.err);
	j = json_loads(r.out, 0, NULL);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "event")), "apikey_added");
	key = strdup(json_string_value(json_object_get(j, "api_key")));
	ck_assert_ptr_nonnull(key);
	json_decref(j);
	proc_result_free(&r);
	return key;
}
