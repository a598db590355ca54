#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "arr/app.h"
#include "core/clock.h"
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

int
stage_probe(struct arr_client *client, struct arr_probe_report *r, int *response_ms, struct err *e)
{
	int64_t t0 = clock_mono_us();

	if (arr_probe(client, r, e) < 0)
		return -1;
	*response_ms = (int)((clock_mono_us() - t0) / 1000);
	if (*response_ms < 1)
		*response_ms = 1;
	return 0;
}

int
stage_probe_record(PGconn *db, const struct connector *c, const struct arr_probe_report *r,
		   int response_ms, struct err *e)
{
	struct db_connector_health h;
	char detail[1024];

	arr_probe_detail(r, detail, sizeof(detail));
	memset(&h, 0, sizeof(h));
	h.connector_id = c->id;
	h.connector = c->name;
	h.health = arr_health_name(r->health);
	h.detail = detail[0] ? detail : NULL;
	h.auth_failed = r->facts.auth_failed;
	h.app_name = r->facts.answered ? r->status.app_name : NULL;
	h.app_version = r->facts.answered ? r->status.version : NULL;
	h.api_version = r->facts.answered && r->api_version[0] ? r->api_version : NULL;
	h.response_ms = response_ms > 0 ? response_ms : 1;
	return db_connector_health(db, &h, e);
}
