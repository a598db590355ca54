/*
 * comradarr key rotate|confirm|status - the secret key that seals every
 * stored secret (Req 36.4).  The protocol is lib/stage/keyrotate.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/keyrotate.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt no_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd rotate_cmd = {
	"comradarr key rotate", "",
	"Make a new secret key and seal every stored secret with it, in one transaction; the "
	"old key is kept as secret.key.old until 'comradarr key confirm'.",
	no_opts,
	"Run it again to finish a rotation that was interrupted.  Backups made before a\n"
	"rotation need the old key: keep a copy of secret.key.old with them.\n"
};

static const struct cli_cmd confirm_cmd = {
	"comradarr key confirm", "",
	"Remove the old key a rotation kept, once no stored secret needs it.",
	no_opts, NULL
};

static const struct cli_cmd status_cmd = {
	"comradarr key status", "",
	"Show the id of the current key, of a kept or pending one, and the ids the stored "
	"secrets are sealed with (never a key).",
	no_opts, NULL
};

/* Parse (no operands), read the config, connect. */
static int
start(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, struct err *e)
{
	int done, rc;

	rc = cli_init(cli, cmd, argc, argv, NULL, NULL, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc > 0) {
		cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[0]);
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

/* Rotation rewrites key files: a key the administrator set is theirs. */
static int
key_file(struct cli *cli, char **path, struct err *e)
{
	if (cli->cfg.secret_key != NULL && cli->cfg.secret_key[0] != '\0')
		return err_set(e, ERR_CONFIG, "the secret key comes from SECRET_KEY (or "
			       "SECRET_KEY_FILE), which comradarr does not rewrite: to rotate, move "
			       "the key to $COMRADARR_HOME/secret.key (mode 0600) and unset the "
			       "variable, or re-add the connectors' keys under a new SECRET_KEY");
	*path = config_path(&cli->cfg, "secret.key");
	if (*path == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	return 0;
}

static int
k_rotate(int argc, char **argv)
{
	struct cli cli;
	struct err e = ERR_INIT;
	struct key_rotation r;
	char *path = NULL;
	int rc;

	rc = start(&cli, &rotate_cmd, argc, argv, &e);
	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (key_file(&cli, &path, &e) < 0 || key_rotate(cli.db, path, &r, &e) < 0) {
		free(path);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (cli.json)
		jsonl_emit(&cli.out, "key_rotated",
			   json_pack("{s:s, s:s, s:i, s:i, s:b}", "old_key_id", r.old_id,
				     "new_key_id", r.new_id, "resealed", r.reseal.resealed,
				     "already", r.reseal.already, "resumed", r.resumed));
	else
		printf("%s%d stored secret%s sealed again with the new key (id %s); the old key "
		       "(id %s) is kept as %s.old until 'comradarr key confirm'\n",
		       r.resumed ? "rotation finished: " : "", r.reseal.resealed,
		       r.reseal.resealed == 1 ? "" : "s", r.new_id, r.old_id, path);
	free(path);
	return cli_finish(&cli, EXIT_OK);
}

static int
k_confirm(int argc, char **argv)
{
	struct cli cli;
	struct err e = ERR_INIT;
	char *path = NULL, id[17];
	int rc;

	rc = start(&cli, &confirm_cmd, argc, argv, &e);
	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (key_file(&cli, &path, &e) < 0 || key_confirm(cli.db, path, id, &e) < 0) {
		free(path);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (cli.json)
		jsonl_emit(&cli.out, "key_confirmed", json_pack("{s:s}", "removed_key_id", id));
	else
		printf("the old key (id %s) is removed; backups made before the rotation need it\n",
		       id);
	free(path);
	return cli_finish(&cli, EXIT_OK);
}

static int
k_status(int argc, char **argv)
{
	struct cli cli;
	struct err e = ERR_INIT;
	struct key_state s;
	struct secret_key k;
	char *path = NULL;
	int rc, from_env;

	rc = start(&cli, &status_cmd, argc, argv, &e);
	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	from_env = cli.cfg.secret_key != NULL && cli.cfg.secret_key[0] != '\0';
	memset(&k, 0, sizeof(k));
	if (from_env && secret_key_parse(cli.cfg.secret_key, &k, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	path = from_env ? NULL : config_path(&cli.cfg, "secret.key");
	rc = key_state_read(cli.db, path, from_env ? &k : NULL, &s, &e);
	secret_key_wipe(&k);
	if (rc < 0) {
		free(path);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (cli.json) {
		json_t *ids = json_array();

		for (size_t i = 0; i < s.nstored; i++)
			json_array_append_new(ids, json_string(s.stored[i]));
		jsonl_emit(&cli.out, "key_status",
			   json_pack("{s:s?, s:s, s:s?, s:s?, s:o}", "key_id",
				     s.current[0] ? s.current : NULL, "source",
				     from_env ? "SECRET_KEY" : path,
				     "pending_key_id", s.pending[0] ? s.pending : NULL,
				     "old_key_id", s.kept[0] ? s.kept : NULL, "stored_key_ids", ids));
	} else {
		printf("key id:        %s (%s)\n", s.current[0] ? s.current : "none",
		       from_env ? "SECRET_KEY" : path);
		if (s.pending[0])
			printf("pending:       %s (a rotation to finish: 'comradarr key rotate')\n",
			       s.pending);
		if (s.kept[0])
			printf("old key kept:  %s (remove with 'comradarr key confirm')\n", s.kept);
		printf("secrets sealed with:");
		for (size_t i = 0; i < s.nstored; i++)
			printf(" %s", s.stored[i]);
		printf("%s\n", s.nstored ? "" : " (no secret stored)");
	}
	free(path);
	return cli_finish(&cli, EXIT_OK);
}

int
front_key(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "rotate", "a new secret key; every stored secret sealed again", k_rotate },
		{ "confirm", "remove the old key a rotation kept", k_confirm },
		{ "status", "key ids: current, kept, pending, and in the database", k_status },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr key", subs, argc, argv);
}
