/*
 * comradarr webhook secret|rm NAME - the secret a connector's *arr sends
 * with its webhook calls to comradarr-serve (POST /api/webhooks/NAME).  A
 * new secret is printed once; only its hash is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/jsonl.h"
#include "crypto/token.h"
#include "db/webhook.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static int
start(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, struct err *e)
{
	int done, rc = cli_init(cli, cmd, argc, argv, NULL, NULL, &done);

	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc != 1) {
		cli_usage_error(cmd->name, "which connector? give exactly one name");
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

static int
w_secret(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr webhook secret", "NAME",
		"Make (or replace) the secret NAME's *arr sends with its webhook calls; shown once.",
		plain_opts, NULL
	};
	struct cli cli;
	struct err e = ERR_INIT;
	char secret[TOKEN_B64URL_SIZE(32)], hash[65];
	int rc = start(&cli, &cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (token_random_b64url(secret, sizeof(secret), 32) < 0) {
		err_set(&e, ERR_CRYPTO, "no randomness");
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	token_sha256_hex(secret, hash);
	if (db_webhook_set_secret(cli.db, cli.argv[0], hash, &e) < 0) {
		sodium_memzero(secret, sizeof(secret));
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	/* shown on purpose, once, to the person who made it (jsonl would
	 * redact a member named like a secret, rightly everywhere else) */
	if (cli.json) {
		char ts[40], *line;
		json_t *j;

		jsonl_format_ts(clock_now_us(), ts, sizeof(ts));
		j = json_pack("{s:s,s:s,s:s,s:s}", "event", "webhook_secret", "ts", ts,
			      "connector", cli.argv[0], "webhook_secret", secret);
		line = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line != NULL) {
			printf("%s\n", line);
			sodium_memzero(line, strlen(line));
		}
		free(line);
		json_decref(j);
	} else {
		printf("webhook secret for '%s': %s\n"
		       "In the app: Settings > Connect > + > Webhook, URL "
		       "http(s)://THIS-SERVER/api/webhooks/%s, method POST, and this secret as the "
		       "password (any user name).  It is shown only now.\n",
		       cli.argv[0], secret, cli.argv[0]);
	}
	sodium_memzero(secret, sizeof(secret));
	return cli_finish(&cli, EXIT_OK);
}

static int
w_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr webhook rm", "NAME", "Forget NAME's webhook secret: its calls are refused.",
		plain_opts, NULL
	};
	struct cli cli;
	struct err e = ERR_INIT;
	int rc = start(&cli, &cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_webhook_remove(cli.db, cli.argv[0], &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "webhook_secret_removed", json_pack("{s:s}", "connector",
									 cli.argv[0]));
	else
		printf("webhook secret of '%s' removed\n", cli.argv[0]);
	return cli_finish(&cli, EXIT_OK);
}

int
front_webhook(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "secret", "make the secret an *arr's webhook sends (shown once)", w_secret },
		{ "rm", "forget a webhook secret", w_rm },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr webhook", subs, argc, argv);
}
