/*
 * comradarr connector test NAME: ask the application who it is and how it
 * feels (Req 1.2-1.4, 16.3): GET /ping, /api, system/status and health.
 * The detected version and the health status are stored with the connector.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arr/probe.h"
#include "db/connectors.h"
#include "front/front.h"
#include "stage/connect.h"
#include "core/banned.h"

struct topts {
	struct cli *cli;
	int no_save;
};

static const struct cli_opt opts[] = {
	{ "no-save", 2100, NULL, "do not record the result with the connector" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr connector test", "NAME [--no-save]",
	"Check a connector: reachable, key accepted, which app and version, its health.",
	opts,
	"Exit status 0 when the application answers (healthy or degraded), 1 when it does not."
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct topts *o = ctx;

	(void)arg;
	if (key == 2100)
		o->no_save = 1;
	return 0;
}

/* One line a user can act on, from the first failure the probe saw. */
static const char *
advice(const struct arr_probe_report *r)
{
	if (r->facts.auth_failed)
		return "the API key was refused: copy it again from Settings > General > Security, "
		       "then give it with 'comradarr connector edit' and --api-key-file";
	switch (r->first_error.kind) {
	case ERR_NET_REFUSED:
		return "nothing listens at that address: is the application running, and is the port right?";
	case ERR_NET_DNS:
		return "the host name does not resolve: check the URL";
	case ERR_NET_TIMEOUT:
		return "no answer in time: check the address, a firewall, or raise --timeout";
	case ERR_NET_TLS:
		return "the TLS certificate was not accepted: fix it, or use --no-tls-verify for a self-signed one";
	case ERR_STARTING:
		return "the application is still starting: try again in a minute";
	case ERR_NOTFOUND:
		return "the API was not found there: does the URL need the application's URL base (e.g. /sonarr)?";
	default:
		return NULL;
	}
}

static void
print_report(struct cli *cli, const struct connector *c, const struct arr_probe_report *r)
{
	const char *hint = advice(r);

	if (cli->json) {
		json_t *o = json_object(), *items = json_array(), *warn = json_array();

		json_object_set_new(o, "connector", json_string(c->name));
		json_object_set_new(o, "type", json_string(c->type));
		json_object_set_new(o, "health", json_string(arr_health_name(r->health)));
		if (r->facts.answered) {
			json_object_set_new(o, "app_name", json_string(r->status.app_name));
			json_object_set_new(o, "app_version", json_string(r->status.version));
			json_object_set_new(o, "api_version", json_string(r->api_version));
		}
		for (int i = 0; i < r->nitems; i++)
			json_array_append_new(items, json_pack("{s:s,s:s,s:s}", "source", r->items[i].source,
							       "type", r->items[i].type,
							       "message", r->items[i].message));
		json_object_set_new(o, "health_items", items);
		for (int i = 0; i < r->nwarnings; i++)
			json_array_append_new(warn, json_string(r->warnings[i]));
		json_object_set_new(o, "warnings", warn);
		json_object_set_new(o, "auth_failed", json_boolean(r->facts.auth_failed));
		if (r->first_error.kind != ERR_NONE) {
			json_object_set_new(o, "error_kind", json_string(err_kind_name(r->first_error.kind)));
			json_object_set_new(o, "error", json_string(r->first_error.msg));
		}
		if (hint != NULL)
			json_object_set_new(o, "advice", json_string(hint));
		jsonl_emit(&cli->out, "connector_test", o);
		return;
	}
	printf("%s: %s\n", c->name, arr_health_name(r->health));
	if (r->facts.answered)
		printf("  app:     %s %s (API %s)%s%s\n", r->status.app_name, r->status.version,
		       r->api_version, r->status.instance_name[0] ? ", instance " : "",
		       r->status.instance_name);
	for (int i = 0; i < r->nitems; i++)
		printf("  health:  %s: %s (%s)\n", r->items[i].type, r->items[i].message, r->items[i].source);
	for (int i = 0; i < r->nwarnings; i++)
		printf("  warning: %s\n", r->warnings[i]);
	if (r->first_error.kind != ERR_NONE)
		printf("  error:   %s\n", r->first_error.msg);
	if (hint != NULL)
		printf("  what to do: %s\n", hint);
}

int
front_connector_test(int argc, char **argv)
{
	struct cli cli;
	struct topts o;
	struct secret_key k;
	struct connector c;
	struct arr_client *client = NULL;
	struct arr_probe_report *r = NULL;
	struct err e = ERR_INIT;
	int done, rc, response_ms;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	memset(&o, 0, sizeof(o));
	o.cli = &cli;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		goto out;
	if (cli.argc != 1) {
		cli_usage_error(cmd.name, "which connector? give exactly one name");
		rc = EXIT_USAGE;
		goto out;
	}
	if (cli_secret_key(&cli, &k, &e) < 0 || cli_db(&cli, &e) < 0 ||
	    db_connector_get(cli.db, cli.argv[0], &c, &e) < 0)
		goto fail;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (stage_client_open(&k, &c, NULL, &client, &e) < 0)
		goto fail;
	if (stage_probe(client, r, &response_ms, &e) < 0)
		goto fail;
	print_report(&cli, &c, r);
	if (!o.no_save && stage_probe_record(cli.db, &c, r, response_ms, &e) < 0)
		goto fail;
	rc = r->health == ARR_HEALTH_HEALTHY || r->health == ARR_HEALTH_DEGRADED ? EXIT_OK : EXIT_FAIL;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	arr_client_free(client);
	free(r);
	connector_release(&c);
	secret_key_wipe(&k);
	return cli_finish(&cli, rc);
}
