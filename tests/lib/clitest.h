/*
 * clitest.h - the shell's commands as a test's setup: what a user would
 * run before using the server (users, API keys), through the real binary
 * (tests/lib/proc.h), failing the test when one fails.
 */
#ifndef COMRADARR_TESTS_CLITEST_H
#define COMRADARR_TESTS_CLITEST_H

/* Run argv (argv[0] found as proc_run finds it) with input on its stdin; exit 0 or fail. */
void clitest_ok(const char *const argv[], const char *input);
/* comradarr user add NAME --role ROLE, the password given on stdin. */
void clitest_add_user(const char *name, const char *role, const char *pw);
/* comradarr apikey add --scope SCOPE: the key it shows once (malloc'd). */
char *clitest_add_key(const char *scope);

#endif
