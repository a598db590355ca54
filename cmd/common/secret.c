#include <stdlib.h>

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
