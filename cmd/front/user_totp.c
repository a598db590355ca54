/*
 * comradarr user totp enable|disable|reset|recovery NAME - the second
 * factor of a comradarr-serve account at the command line (the web UI's
 * account page and /api/auth/totp/... do the same for the signed-in user).
 *
 * enable makes a new secret and prints it (base32 and otpauth:// URI) for
 * the user's authenticator app, then needs a first code to switch it on:
 * typed at the prompt, or --code on a later run (a script: the first run
 * leaves the enrolment waiting and says so).  disable needs the user's
 * password; reset is the administrator's lost-phone override (no
 * password).  recovery prints ten new recovery codes, the old ones void.
 * Secrets and codes go to stdout on purpose, to the operator who asked.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "core/log.h"
#include "crypto/password.h"
#include "crypto/totp.h"
#include "db/totp.h"
#include "db/users.h"
#include "front/front.h"
#include "core/banned.h"

#define ISSUER	"Comradarr"

enum { OPT_ALG = 'a', OPT_CODE = 'c', OPT_PWFILE = 2000 };

struct topts {
	const char *alg, *code, *pwfile;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct topts *o = ctx;

	switch (key) {
	case OPT_ALG: o->alg = arg; break;
	case OPT_CODE: o->code = arg; break;
	case OPT_PWFILE: o->pwfile = arg; break;
	default: break;
	}
	return 0;
}

static const struct cli_opt enable_opts[] = {
	{ "algorithm", OPT_ALG, "ALG", "SHA1 (default: every app reads it), SHA256 or SHA512" },
	{ "code", OPT_CODE, "CODE", "confirm the waiting enrolment with the app's code" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt disable_opts[] = {
	{ "password-file", OPT_PWFILE, "FILE", "read the user's password from FILE ('-': standard "
	  "input)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static void
actor(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, size, "cli:%s", pw != NULL ? pw->pw_name : "unknown");
}

/* Parse, connect, find the user NAME.  >0: exit code; -1: done (help). */
static int
start(struct cli *cli, struct topts *o, const struct cli_cmd *cmd, int argc, char **argv,
      struct db_user *u, struct err *e)
{
	int done, rc, found = 0;

	memset(o, 0, sizeof(*o));
	memset(u, 0, sizeof(*u));
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc != 1) {
		if (cli->argc > 1)
			cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[1]);
		else
			cli_usage_error(cmd->name, "missing argument: %s", cmd->synopsis);
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0 || db_user_get_login(cli->db, cli->argv[0], u, &found, e) < 0)
		return cli_fail(cli, e);
	if (!found) {
		err_set(e, ERR_NOTFOUND, "no user named '%s' (see 'comradarr user list')",
			cli->argv[0]);
		return cli_fail(cli, e);
	}
	return 0;
}

/*
 * Print an event that carries a secret on purpose (the JSON lines writer
 * would rightly redact it anywhere else), then wipe the line.
 */
static void
emit_secret(json_t *j)
{
	char *line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (line != NULL) {
		printf("%s\n", line);
		fflush(stdout);
		sodium_memzero(line, strlen(line));
	}
	free(line);
	json_decref(j);
}

static json_t *
event(const char *name)
{
	char ts[40];

	jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
	return json_pack("{s:s,s:s}", "event", name, "ts", ts);
}

static void
print_codes(struct cli *cli, const char *ev, const char *user,
	    char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE])
{
	if (cli->json) {
		json_t *j = event(ev), *a = json_array();

		for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
			json_array_append_new(a, json_string(codes[i]));
		json_object_set_new(j, "user", json_string(user));
		json_object_set_new(j, "recovery_codes", a);
		emit_secret(j);
	} else {
		printf("recovery codes for '%s' (each works once; they are shown only now):\n",
		       user);
		for (int i = 0; i < TOTP_RECOVERY_CODES; i++)
			printf("  %s\n", codes[i]);
	}
}

/* The code: --code, or asked for on a terminal; NULL when neither. */
static const char *
ask_code(const struct topts *o, char *buf, size_t size)
{
	if (o->code != NULL)
		return o->code;
	if (!isatty(STDIN_FILENO))
		return NULL;
	fprintf(stderr, "Code from the app: ");
	fflush(stderr);
	if (fgets(buf, (int)size, stdin) == NULL)
		return NULL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf;
}

static int
confirm(struct cli *cli, const struct secret_key *k, const struct db_user *u, const char *code,
	struct err *e)
{
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], who[96];
	enum totp_result res = TOTP_WRONG;

	if (db_totp_confirm(cli->db, k, u->id, code, (int64_t)time(NULL), &res, codes, e) < 0)
		return -1;
	actor(who, sizeof(who));
	if (res != TOTP_OK) {
		(void)db_audit(cli->db, who, NULL, "user.totp.enable", u->name, "refused",
			       json_pack("{s:s}", "reason", "wrong code"), e);
		return err_set(e, ERR_USAGE, "that code does not match the waiting enrolment: "
			       "check the app's clock and run 'comradarr user totp enable %s "
			       "--code CODE' with the code it shows now", u->name);
	}
	(void)db_audit(cli->db, who, NULL, "user.totp.enable", u->name, "ok", NULL, e);
	if (cli->json) {
		jsonl_emit(&cli->out, "totp_enabled", json_pack("{s:s}", "user", u->name));
	} else {
		printf("two-factor authentication is on for '%s'\n", u->name);
	}
	print_codes(cli, "totp_recovery_codes", u->name, codes);
	sodium_memzero(codes, sizeof(codes));
	return 0;
}

static int
t_enable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user totp enable", "NAME [--algorithm ALG] [--code CODE]",
		"Enrol a user's authenticator app: print the secret and its otpauth:// URI, "
		"then switch the second factor on with a first code (asked for, or --code on a "
		"later run).", enable_opts, NULL
	};
	struct cli cli;
	struct topts o;
	struct db_user u;
	struct secret_key k;
	struct err e = ERR_INIT;
	unsigned char secret[TOTP_SECRET_MAX];
	char b32[TOTP_BASE32_MAX], line[64], who[96], *uri = NULL;
	enum totp_alg alg = TOTP_SHA1;
	const char *code;
	size_t len = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, &u, &e);

	memset(&k, 0, sizeof(k));
	if (rc != 0)
		goto done;
	if (o.alg != NULL && totp_alg_parse(o.alg, &alg, &e) < 0) {
		cli_usage_error(cmd.name, "%s", e.msg);
		rc = EXIT_USAGE;
		goto done;
	}
	if (cli_secret_key(&cli, &k, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto done;
	}
	/* --code alone: confirm what waits (a script's second run) */
	if (o.code != NULL && o.alg == NULL) {
		rc = confirm(&cli, &k, &u, o.code, &e) < 0 ? cli_fail(&cli, &e) : EXIT_OK;
		goto done;
	}
	if (db_totp_begin(cli.db, &k, u.id, alg, secret, &len, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto done;
	}
	totp_base32(secret, len, b32, sizeof(b32));
	sodium_memzero(secret, sizeof(secret));
	log_secret_add(b32);
	uri = totp_uri(ISSUER, u.name, alg, b32);
	if (uri == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		rc = cli_fail(&cli, &e);
		goto done;
	}
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.totp.setup", u.name, "ok",
		       json_pack("{s:s}", "algorithm", totp_alg_name(alg)), &e);
	if (cli.json) {
		json_t *j = event("totp_enrolment");

		json_object_set_new(j, "user", json_string(u.name));
		json_object_set_new(j, "algorithm", json_string(totp_alg_name(alg)));
		json_object_set_new(j, "secret", json_string(b32));
		json_object_set_new(j, "otpauth_uri", json_string(uri));
		emit_secret(j);
	} else {
		printf("add this account to the authenticator app of '%s':\n  secret (%s, 6 digits, "
		       "30 s): %s\n  or open: %s\n", u.name, totp_alg_name(alg), b32, uri);
		fflush(stdout);
	}
	code = ask_code(&o, line, sizeof(line));
	if (code == NULL) {
		/* a script: the enrolment waits for its code */
		if (cli.json)
			jsonl_emit(&cli.out, "totp_pending", json_pack("{s:s}", "user", u.name));
		else
			printf("not on yet: confirm with 'comradarr user totp enable %s --code CODE'\n",
			       u.name);
		rc = EXIT_OK;
		goto done;
	}
	rc = confirm(&cli, &k, &u, code, &e) < 0 ? cli_fail(&cli, &e) : EXIT_OK;
done:
	sodium_memzero(b32, sizeof(b32));
	if (uri != NULL) {
		sodium_memzero(uri, strlen(uri));
		free(uri);
	}
	secret_key_wipe(&k);
	db_user_release(&u);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

/* Remove the factor, audited as action; the shared end of disable and reset. */
static int
remove_factor(struct cli *cli, const struct db_user *u, const char *action, const char *ev,
	      struct err *e)
{
	char who[96];
	int removed = 0;

	if (db_totp_remove(cli->db, u->id, &removed, e) < 0)
		return cli_fail(cli, e);
	if (!removed) {
		err_set(e, ERR_NOTFOUND, "'%s' has no two-factor authentication", u->name);
		return cli_fail(cli, e);
	}
	actor(who, sizeof(who));
	(void)db_audit(cli->db, who, NULL, action, u->name, "ok", NULL, e);
	if (cli->json)
		jsonl_emit(&cli->out, ev, json_pack("{s:s}", "user", u->name));
	else
		printf("two-factor authentication is off for '%s': the password alone signs in\n",
		       u->name);
	return EXIT_OK;
}

static int
t_disable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user totp disable", "NAME [--password-file FILE]",
		"Switch a user's second factor off; the user's password is asked for "
		"(or read from a file).", disable_opts, NULL
	};
	struct cli cli;
	struct topts o;
	struct db_user u;
	struct err e = ERR_INIT;
	char *pw = NULL, who[96];
	int rc = start(&cli, &o, &cmd, argc, argv, &u, &e), ok = 0;

	if (rc != 0)
		goto done;
	if (cli_read_secret("Password", o.pwfile, &pw, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto done;
	}
	ok = strlen(pw) <= PASSWORD_MAX_BYTES ? password_verify(u.password_hash, pw, &e) : 0;
	sodium_memzero(pw, strlen(pw));
	free(pw);
	if (ok < 0) {
		rc = cli_fail(&cli, &e);
		goto done;
	}
	if (ok != 1) {
		actor(who, sizeof(who));
		(void)db_audit(cli.db, who, NULL, "user.totp.disable", u.name, "refused",
			       json_pack("{s:s}", "reason", "wrong password"), &e);
		err_set(&e, ERR_USAGE, "the password of '%s' is wrong (an administrator can "
			"use 'comradarr user totp reset %s')", u.name, u.name);
		rc = cli_fail(&cli, &e);
		goto done;
	}
	rc = remove_factor(&cli, &u, "user.totp.disable", "totp_disabled", &e);
done:
	db_user_release(&u);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
t_reset(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user totp reset", "NAME",
		"Remove a user's second factor without their password (a lost phone); audited.",
		plain_opts, NULL
	};
	struct cli cli;
	struct topts o;
	struct db_user u;
	struct err e = ERR_INIT;
	int rc = start(&cli, &o, &cmd, argc, argv, &u, &e);

	if (rc == 0)
		rc = remove_factor(&cli, &u, "user.totp.reset", "totp_reset", &e);
	db_user_release(&u);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
t_recovery(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user totp recovery", "NAME",
		"Print ten new recovery codes for a user; the old ones stop working.",
		plain_opts, NULL
	};
	struct cli cli;
	struct topts o;
	struct db_user u;
	struct err e = ERR_INIT;
	char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_SIZE], who[96];
	int rc = start(&cli, &o, &cmd, argc, argv, &u, &e);

	if (rc != 0)
		goto done;
	if (db_totp_recovery_renew(cli.db, u.id, codes, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto done;
	}
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.totp.recovery", u.name, "ok", NULL, &e);
	print_codes(&cli, "totp_recovery_codes", u.name, codes);
	sodium_memzero(codes, sizeof(codes));
	rc = EXIT_OK;
done:
	db_user_release(&u);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

int
front_user_totp(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "enable", "enrol an authenticator app (prints the secret)", t_enable },
		{ "disable", "switch the second factor off (the user's password)", t_disable },
		{ "reset", "remove a user's second factor (lost phone)", t_reset },
		{ "recovery", "print new recovery codes", t_recovery },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr user totp", subs, argc, argv);
}
