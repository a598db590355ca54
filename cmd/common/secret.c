#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "common/cli.h"
#include "core/log.h"
#include "core/banned.h"

int
cli_secret_key(struct cli *cli, struct secret_key *k, struct err *e)
{
	char *path = config_path(&cli->cfg, "secret.key");
	int generated = 0, ret = -1;

	if (path == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/*
	 * No key yet: a new one is generated, unless the database already holds
	 * secrets sealed with another key.  Then the key was lost or moved, and
	 * a new one would only hide that: say which key the data needs.
	 */
	if ((cli->cfg.secret_key == NULL || cli->cfg.secret_key[0] == '\0') &&
	    access(path, F_OK) < 0 && errno == ENOENT) {
		unsigned char id[8];
		char hex[17];
		int found = 0;

		if (cli_db(cli, e) < 0 || db_connector_sealed_key_id(cli->db, id, &found, e) < 0)
			goto out;
		if (found) {
			sodium_bin2hex(hex, sizeof(hex), id, sizeof(id));
			err_set(e, ERR_CONFIG, "the secret key is missing ('%s' does not exist and "
				"SECRET_KEY is not set), but the stored API keys were sealed with key "
				"id %s: put that key back (the file, SECRET_KEY or SECRET_KEY_FILE); "
				"a new key cannot open them", path, hex);
			goto out;
		}
	}
	if (secret_key_load(cli->cfg.secret_key, path, k, &generated, e) < 0)
		goto out;
	if (generated)
		log_warn("crypto", "generated a new secret key at '%s': back it up, every stored "
			 "API key and password is encrypted with it", path);
	ret = 0;
out:
	free(path);
	return ret;
}
