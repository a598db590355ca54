#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/app.h"
#include "stage/connect.h"
#include "core/banned.h"

int
stage_client_open(const struct secret_key *k, const struct connector *c,
		  const struct arr_retry *retry, struct arr_client **out, struct err *e)
{
	struct arr_client_opts co;
	char *key = NULL;
	int ret = -1;

	*out = NULL;
	if (k == NULL)
		return err_set(e, ERR_USAGE, "no secret key to decrypt the API key of '%s'", c->name);
	if (db_connector_api_key(k, c, &key, e) < 0)
		goto out;
	memset(&co, 0, sizeof(co));
	co.app = arr_app_from_name(c->type);
	co.base_url = c->url;
	co.api_key = key;
	co.timeout_ms = c->timeout_ms;
	co.tls_verify = c->tls_verify;
	if (retry != NULL)
		co.retry = *retry;
	if (arr_client_new(&co, out, e) < 0)
		goto out;
	ret = 0;
out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	return ret;
}
