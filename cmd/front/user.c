/*
 * comradarr user add|passwd|role|rm|list and comradarr apikey add|list|revoke
 * - comradarr-serve's accounts and API keys at the command line (Req 10.2,
 * 34).  Passwords come from a prompt (echo off) or --password-file; a new
 * API key is printed once and stored only as its hash.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "crypto/password.h"
#include "crypto/token.h"
#include "db/users.h"
#include "front/front.h"
#include "core/banned.h"

enum { OPT_ROLE = 'r', OPT_PWFILE = 2000, OPT_SCOPE = 's', OPT_DESC = 'd' };

struct uopts {
	const char *role, *pwfile, *scope, *desc;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct uopts *o = ctx;

	switch (key) {
	case OPT_ROLE: o->role = arg; break;
	case OPT_PWFILE: o->pwfile = arg; break;
	case OPT_SCOPE: o->scope = arg; break;
	case OPT_DESC: o->desc = arg; break;
	default: break;
	}
	return 0;
}

static const struct cli_opt add_opts[] = {
	{ "role", OPT_ROLE, "ROLE", "admin (default), user or readonly" },
	{ "password-file", OPT_PWFILE, "FILE", "read the password from FILE ('-': standard input)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt pw_opts[] = {
	{ "password-file", OPT_PWFILE, "FILE", "read the password from FILE ('-': standard input)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt role_opts[] = {
	{ "role", OPT_ROLE, "ROLE", "admin, user or readonly" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt key_opts[] = {
	{ "description", OPT_DESC, "TEXT", "what the key is for (required)" },
	{ "scope", OPT_SCOPE, "SCOPE", "read (default) or full" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

/* "cli:LOGIN" for the audit log. */
static void
actor(char *buf, size_t size)
{
	struct passwd *pw = getpwuid(getuid());

	snprintf(buf, size, "cli:%s", pw != NULL ? pw->pw_name : "unknown");
}

/* Parse, connect; `want` operands exactly.  >0: exit code; -1: done (help). */
static int
start(struct cli *cli, struct uopts *o, const struct cli_cmd *cmd, int argc, char **argv,
      int want, struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc != want) {
		if (cli->argc > want)
			cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[want]);
		else
			cli_usage_error(cmd->name, "missing argument: %s", cmd->synopsis);
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

/* Read and check a new password, then hash it. */
static int
new_password(const char *file, char **hash, struct err *e)
{
	char *pw = NULL;
	int ret = -1;

	if (cli_read_secret("New password", file, &pw, e) < 0)
		return -1;
	if (user_validate_password(pw, e) == 0 && password_hash(pw, hash, e) == 0)
		ret = 0;
	sodium_memzero(pw, strlen(pw));
	free(pw);
	return ret;
}

static int
u_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user add", "NAME [--role ROLE] [--password-file FILE]",
		"Add a user of comradarr-serve (the password is asked for, or read from a file).",
		add_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char *hash = NULL, who[96];
	const char *role;
	int64_t id = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	role = o.role ? o.role : "admin";
	if (user_validate_name(cli.argv[0], &e) < 0 || user_validate_role(role, &e) < 0 ||
	    new_password(o.pwfile, &hash, &e) < 0 ||
	    db_user_add(cli.db, cli.argv[0], role, hash, &id, &e) < 0) {
		free(hash);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	free(hash);
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.add", cli.argv[0], "ok",
		       json_pack("{s:s}", "role", role), &e);
	if (cli.json)
		jsonl_emit(&cli.out, "user_added", json_pack("{s:s,s:s,s:I}", "user", cli.argv[0],
							     "role", role, "id", (json_int_t)id));
	else
		printf("added %s '%s'\n", role, cli.argv[0]);
	return cli_finish(&cli, EXIT_OK);
}

static int
u_passwd(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user passwd", "NAME [--password-file FILE]",
		"Set a user's password; every session of the user is logged out.", pw_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char *hash = NULL, who[96];
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (new_password(o.pwfile, &hash, &e) < 0 ||
	    db_user_set_password(cli.db, cli.argv[0], hash, &e) < 0) {
		free(hash);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	free(hash);
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.password", cli.argv[0], "ok", NULL, &e);
	if (cli.json)
		jsonl_emit(&cli.out, "user_password_set", json_pack("{s:s}", "user", cli.argv[0]));
	else
		printf("password of '%s' set; their sessions are logged out\n", cli.argv[0]);
	return cli_finish(&cli, EXIT_OK);
}

static int
u_role(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user role", "NAME --role ROLE",
		"Change a user's role (the last admin cannot be demoted).", role_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char who[96];
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (user_validate_role(o.role, &e) < 0 || db_user_set_role(cli.db, cli.argv[0], o.role, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.role", cli.argv[0], "ok",
		       json_pack("{s:s}", "role", o.role), &e);
	if (cli.json)
		jsonl_emit(&cli.out, "user_role_set", json_pack("{s:s,s:s}", "user", cli.argv[0],
								"role", o.role));
	else
		printf("'%s' is now %s\n", cli.argv[0], o.role);
	return cli_finish(&cli, EXIT_OK);
}

static int
u_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user rm", "NAME", "Remove a user and their sessions (not the last admin).",
		plain_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char who[96];
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_user_remove(cli.db, cli.argv[0], &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "user.remove", cli.argv[0], "ok", NULL, &e);
	if (cli.json)
		jsonl_emit(&cli.out, "user_removed", json_pack("{s:s}", "user", cli.argv[0]));
	else
		printf("removed '%s'\n", cli.argv[0]);
	return cli_finish(&cli, EXIT_OK);
}

static int
u_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr user list", "", "List users, their roles and locks.", plain_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	struct db_user *list = NULL;
	size_t n = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 0, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_user_list(cli.db, &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json && n > 0)
		printf("%-24s %-9s %-4s %s\n", "USER", "ROLE", "2FA", "LOCKED");
	for (size_t i = 0; i < n; i++) {
		if (cli.json)
			jsonl_emit(&cli.out, "user", json_pack("{s:s,s:s,s:I,s:i,s:b}", "user",
							       list[i].name, "role", list[i].role,
							       "locked_for_s",
							       (json_int_t)list[i].locked_for_s,
							       "failed_logins", list[i].failed_logins,
							       "totp", list[i].totp));
		else if (list[i].locked_for_s > 0)
			printf("%-24s %-9s %-4s %lld more minutes\n", list[i].name, list[i].role,
			       list[i].totp ? "on" : "-", (long long)(list[i].locked_for_s + 59) / 60);
		else
			printf("%-24s %-9s %-4s -\n", list[i].name, list[i].role,
			       list[i].totp ? "on" : "-");
	}
	if (!cli.json && n == 0)
		printf("no users: add one with 'comradarr user add NAME'\n");
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

int
front_user(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "add a user", u_add },
		{ "passwd", "set a user's password", u_passwd },
		{ "role", "change a user's role", u_role },
		{ "rm", "remove a user", u_rm },
		{ "list", "list users", u_list },
		{ "totp", "a user's second factor (TOTP)", front_user_totp },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr user", subs, argc, argv);
}

/* ---------------------------------------------------------------- apikey */

/*
 * Make a key: "cmr_" and 32 random bytes; store its hash.  Shared with the
 * API through the same steps (lib/web/api_admin.c does likewise).
 */
static int
k_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr apikey add", "--description TEXT [--scope read|full]",
		"Make an API key for scripts; it is shown once, only its hash is kept.", key_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char raw[TOKEN_B64URL_SIZE(32)], key[sizeof(raw) + 4], hash[65], who[96];
	const char *scope;
	int64_t id = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 0, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	scope = o.scope ? o.scope : "read";
	if (o.desc == NULL) {
		cli_usage_error(cmd.name, "--description is required: say what the key is for");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (token_random_b64url(raw, sizeof(raw), 32) < 0) {
		err_set(&e, ERR_CRYPTO, "no randomness");
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	snprintf(key, sizeof(key), "cmr_%s", raw);
	sodium_memzero(raw, sizeof(raw));
	token_sha256_hex(key, hash);
	actor(who, sizeof(who));
	if (db_apikey_add(cli.db, hash, key + strlen(key) - 4, o.desc, scope, who, &id, &e) < 0) {
		sodium_memzero(key, sizeof(key));
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	(void)db_audit(cli.db, who, NULL, "apikey.add", o.desc, "ok",
		       json_pack("{s:I,s:s}", "id", (json_int_t)id, "scope", scope), &e);
	/* The one place a key is ever shown: on purpose, to the person who made
	 * it.  (jsonl would redact a member named "key", rightly everywhere else.) */
	if (cli.json) {
		char ts[40], *line;
		json_t *j;

		jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
		j = json_pack("{s:s,s:s,s:I,s:s,s:s}", "event", "apikey_added", "ts", ts,
			      "id", (json_int_t)id, "scope", scope, "api_key", key);
		line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line != NULL) {
			printf("%s\n", line);
			sodium_memzero(line, strlen(line));
		}
		free(line);
		json_decref(j);
	} else
		printf("API key %lld (%s): %s\nit is shown only now: store it where the script "
		       "reads it\n", (long long)id, scope, key);
	sodium_memzero(key, sizeof(key));
	return cli_finish(&cli, EXIT_OK);
}

static int
k_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr apikey list", "", "List API keys (never the keys themselves).", plain_opts,
		NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	struct db_apikey *list = NULL;
	size_t n = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 0, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_apikey_list(cli.db, &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json && n > 0)
		printf("%-6s %-5s %-8s %-8s %s\n", "ID", "SCOPE", "ENDS", "STATE", "DESCRIPTION");
	for (size_t i = 0; i < n; i++) {
		if (cli.json) {
			char ts[40];
			json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)list[i].id,
					      "scope", list[i].scope, "last4", list[i].last4,
					      "description", list[i].description, "revoked",
					      list[i].revoked_us != 0);

			if (list[i].last_used_us != 0) {
				jsonl_format_ts(list[i].last_used_us, ts, sizeof(ts));
				json_object_set_new(j, "last_used_at", json_string(ts));
			}
			jsonl_emit(&cli.out, "apikey", j);
		} else {
			printf("%-6lld %-5s ...%-5s %-8s %s\n", (long long)list[i].id, list[i].scope,
			       list[i].last4, list[i].revoked_us ? "revoked" : "live",
			       list[i].description);
		}
	}
	if (!cli.json && n == 0)
		printf("no API keys: make one with 'comradarr apikey add --description TEXT'\n");
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

static int
k_revoke(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr apikey revoke", "ID", "Revoke an API key; it stops working at once.",
		plain_opts, NULL
	};
	struct cli cli;
	struct uopts o;
	struct err e = ERR_INIT;
	char who[96];
	long id = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (cli_parse_int(cmd.name, "ID", cli.argv[0], 1, 1L << 62, &id) < 0)
		return cli_finish(&cli, EXIT_USAGE);
	if (db_apikey_revoke(cli.db, id, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	actor(who, sizeof(who));
	(void)db_audit(cli.db, who, NULL, "apikey.revoke", cli.argv[0], "ok", NULL, &e);
	if (cli.json)
		jsonl_emit(&cli.out, "apikey_revoked", json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("API key %ld revoked\n", id);
	return cli_finish(&cli, EXIT_OK);
}

int
front_apikey(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "make an API key (shown once)", k_add },
		{ "list", "list API keys", k_list },
		{ "revoke", "revoke an API key", k_revoke },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr apikey", subs, argc, argv);
}
