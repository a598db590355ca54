/*
 * comradarr connector add|list|show|edit|rm|enable|disable|test
 * (Req 1.1, 16 at the command line; API keys per Req 36.2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "crypto/mask.h"
#include "db/admin.h"
#include "db/connectors.h"
#include "db/schedule.h"
#include "db/db.h"
#include "front/front.h"
#include "stage/sweep.h"
#include "core/banned.h"

enum {
	OPT_TYPE = 't',
	OPT_URL = 'u',
	OPT_KEY_FILE = 'k',
	OPT_NAME = 'n',
	OPT_TIMEOUT = 2000,
	OPT_NO_TLS,
	OPT_TLS,
	OPT_DISABLED,
	OPT_ENABLE,
	OPT_DISABLE,
	OPT_YES = 'y',
	OPT_LIMIT = 'l'
};

struct copts {
	struct cli *cli;
	const char *type, *url, *key_file, *new_name;
	long timeout_s;
	int tls;		/* -1 unchanged, 0 off, 1 on */
	int enabled;		/* -1 unchanged */
	int yes;		/* --yes: the key may follow a new address */
	long limit;		/* history: rows */
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct copts *o = ctx;

	switch (key) {
	case OPT_TYPE: o->type = arg; break;
	case OPT_URL: o->url = arg; break;
	case OPT_KEY_FILE: o->key_file = arg; break;
	case OPT_NAME: o->new_name = arg; break;
	case OPT_TIMEOUT:
		return cli_parse_int("comradarr connector", "--timeout", arg, 1, 600, &o->timeout_s);
	case OPT_NO_TLS: o->tls = 0; break;
	case OPT_TLS: o->tls = 1; break;
	case OPT_DISABLED: case OPT_DISABLE: o->enabled = 0; break;
	case OPT_ENABLE: o->enabled = 1; break;
	case OPT_YES: o->yes = 1; break;
	case OPT_LIMIT:
		return cli_parse_int("comradarr connector history", "--limit", arg, 1, 100000,
				     &o->limit);
	default: break;
	}
	return 0;
}

static const struct cli_opt add_opts[] = {
	{ "type", OPT_TYPE, "TYPE", "sonarr, radarr, whisparr or prowlarr (required)" },
	{ "url", OPT_URL, "URL", "base address, e.g. http://192.168.1.10:8989 (required)" },
	{ "api-key-file", OPT_KEY_FILE, "FILE", "read the API key from FILE ('-' = stdin); "
	  "without it you are prompted" },
	{ "timeout", OPT_TIMEOUT, "SECONDS", "request timeout (default 30)" },
	{ "no-tls-verify", OPT_NO_TLS, NULL, "accept any TLS certificate (self-signed)" },
	{ "disabled", OPT_DISABLED, NULL, "add it disabled" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt edit_opts[] = {
	{ "name", OPT_NAME, "NEW", "rename it" },
	{ "url", OPT_URL, "URL", "change the address" },
	{ "api-key-file", OPT_KEY_FILE, "FILE", "replace the API key, read from FILE ('-' = stdin)" },
	{ "timeout", OPT_TIMEOUT, "SECONDS", "request timeout" },
	{ "tls-verify", OPT_TLS, NULL, "verify TLS certificates" },
	{ "no-tls-verify", OPT_NO_TLS, NULL, "accept any TLS certificate" },
	{ "enable", OPT_ENABLE, NULL, "enable it" },
	{ "disable", OPT_DISABLE, NULL, "disable it" },
	{ "yes", OPT_YES, NULL, "send the stored API key to the new --url or TLS setting "
	  "without asking" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

/* One connector as a JSON object, key masked to its last 4 characters. */
static json_t *
connector_json(const struct connector *c, const char *masked)
{
	json_t *o = json_object();

	json_object_set_new(o, "connector", json_string(c->name));
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "type", json_string(c->type));
	json_object_set_new(o, "url", json_string(c->url));
	json_object_set_new(o, "enabled", json_boolean(c->enabled));
	json_object_set_new(o, "tls_verify", json_boolean(c->tls_verify));
	json_object_set_new(o, "timeout_ms", json_integer(c->timeout_ms));
	json_object_set_new(o, "api_key_masked", json_string(masked ? masked : "?"));
	json_object_set_new(o, "health", json_string(c->health));
	if (c->health_detail)
		json_object_set_new(o, "health_detail", json_string(c->health_detail));
	json_object_set_new(o, "auth_failed", json_boolean(c->auth_failed));
	if (c->app_name)
		json_object_set_new(o, "app_name", json_string(c->app_name));
	if (c->app_version)
		json_object_set_new(o, "app_version", json_string(c->app_version));
	if (c->api_version)
		json_object_set_new(o, "api_version", json_string(c->api_version));
	return o;
}

static char *
masked_key(const struct secret_key *k, const struct connector *c)
{
	struct err e = ERR_INIT;
	char *key = NULL, *m;

	if (db_connector_api_key(k, c, &key, &e) < 0)
		return strdup("(cannot decrypt: encryption key mismatch?)");
	m = secret_mask(key);
	sodium_memzero(key, strlen(key));
	free(key);
	return m;
}

/* Parse, connect, load the key: the start every subcommand shares. */
static int
start(struct cli *cli, struct copts *o, const struct cli_cmd *cmd, int argc, char **argv,
      int want_name, struct secret_key *k, struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	o->cli = cli;
	o->tls = -1;
	o->enabled = -1;
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (want_name && cli->argc != 1) {
		cli_usage_error(cmd->name, cli->argc ? "give exactly one connector name" :
				"which connector? give its name");
		return EXIT_USAGE;
	}
	if (!want_name && cli->argc > 0) {
		cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[0]);
		return EXIT_USAGE;
	}
	if (cli_secret_key(cli, k, e) < 0 || cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

static int
print_one(struct cli *cli, const struct secret_key *k, const struct connector *c, const char *event)
{
	char *m = masked_key(k, c);

	if (cli->json) {
		jsonl_emit(&cli->out, event, connector_json(c, m));
	} else if (strcmp(event, "connector") == 0) {
		printf("name:        %s\ntype:        %s\nurl:         %s\nenabled:     %s\n"
		       "tls verify:  %s\ntimeout:     %d s\napi key:     %s\nhealth:      %s%s%s\n",
		       c->name, c->type, c->url, c->enabled ? "yes" : "no", c->tls_verify ? "yes" : "no",
		       c->timeout_ms / 1000, m ? m : "?", c->health,
		       c->health_detail ? " - " : "", c->health_detail ? c->health_detail : "");
		if (c->app_name)
			printf("app:         %s %s (API %s)\n", c->app_name,
			       c->app_version ? c->app_version : "?", c->api_version ? c->api_version : "?");
		if (c->auth_failed)
			printf("warning:     the last request was refused (401): check the API key, then "
			       "'comradarr connector edit %s --api-key-file -'\n", c->name);
	}
	free(m);
	return EXIT_OK;
}

/*
 * print_one() of the connector as stored after add or edit: the sealed key
 * and the address it is bound to are only known once written.
 */
static int
print_stored(struct cli *cli, const struct secret_key *k, const char *name, const char *event,
	     struct err *e)
{
	struct connector stored;

	memset(&stored, 0, sizeof(stored));
	if (db_connector_get(cli->db, name, &stored, e) < 0)
		return -1;
	print_one(cli, k, &stored, event);
	connector_release(&stored);
	return 0;
}

static int
c_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector add", "NAME --type TYPE --url URL [--api-key-file FILE] [options]",
		"Add a connection to an *arr application; the API key is stored encrypted.",
		add_opts, NULL
	};
	struct cli cli;
	struct copts o;
	struct secret_key k;
	struct connector c;
	struct err e = ERR_INIT;
	char *key = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (o.type == NULL || o.url == NULL) {
		cli_usage_error(cmd.name, "--type and --url are required");
		rc = EXIT_USAGE;
		goto out;
	}
	snprintf(c.name, sizeof(c.name), "%s", cli.argv[0]);
	snprintf(c.type, sizeof(c.type), "%s", o.type);
	c.url = strdup(o.url);
	c.enabled = o.enabled != 0;
	c.tls_verify = o.tls != 0;
	c.timeout_ms = o.timeout_s > 0 ? (int)o.timeout_s * 1000 : 30000;
	/* check what we can before asking for the key */
	if (connector_validate_name(cli.argv[0], &e) < 0 || connector_validate_type(o.type, &e) < 0 ||
	    c.url == NULL || connector_normalise_url(c.url, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli_read_secret("API key", o.key_file, &key, &e) < 0 ||
	    db_connector_add(cli.db, &k, &c, key, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json) {
		if (print_stored(&cli, &k, c.name, "connector_added", &e) < 0) {
			rc = cli_fail(&cli, &e);
			goto out;
		}
	} else
		printf("added %s connector '%s' (%s); check it with 'comradarr connector test %s'\n",
		       c.type, c.name, c.url, c.name);
	rc = EXIT_OK;
	/* gaps hourly and upgrades daily, so enabling the timers is enough
	 * (Prowlarr has no library to sweep) */
	if (strcmp(c.type, "prowlarr") != 0) {
		const char *zone = front_default_zone(&cli);
		struct schedule added[DB_SCHEDULE_DEFAULTS];
		int n = 0;

		if (db_schedule_defaults(cli.db, c.id, c.name, zone, clock_now_us(), added, &n,
					 &e) < 0) {
			fprintf(stderr, "comradarr connector add: the connector was added, but not its "
				"default schedules: %s; add them with 'comradarr schedule add'\n", e.msg);
			rc = EXIT_PARTIAL;
		}
		for (int i = 0; i < n; i++) {
			json_t *j = sweep_schedule_json(&added[i], clock_now(), NULL);

			const char *when = json_string_value(json_object_get(j, "description"));

			if (!cli.json) {
				printf("added the schedule '%s': %s %s\n", added[i].name, added[i].sweep,
				       when != NULL ? when : added[i].cron);
				json_decref(j);
			} else {
				jsonl_emit(&cli.out, "schedule_added", j);
			}
		}
	}
out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	secret_key_wipe(&k);
	connector_release(&c);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
c_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector list", "[--json]", "List the connectors (API keys masked).",
		plain_opts, NULL
	};
	struct cli cli;
	struct copts o;
	struct secret_key k;
	struct err e = ERR_INIT;
	struct connector *list = NULL;
	size_t n = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 0, &k, &e);
	if (rc != 0)
		goto out;
	if (db_connector_list(cli.db, &list, &n, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (!cli.json && n > 0)
		printf("%-16s %-9s %-8s %-10s %-8s %s\n", "NAME", "TYPE", "ENABLED", "HEALTH", "KEY", "URL");
	for (size_t i = 0; i < n; i++) {
		char *m = masked_key(&k, &list[i]);

		if (cli.json)
			jsonl_emit(&cli.out, "connector", connector_json(&list[i], m));
		else
			printf("%-16s %-9s %-8s %-10s %-8s %s\n", list[i].name, list[i].type,
			       list[i].enabled ? "yes" : "no", list[i].health,
			       m && strlen(m) > 4 ? m + strlen(m) - 8 : "?", list[i].url);
		free(m);
	}
	if (!cli.json && n == 0)
		printf("no connectors yet; add one with 'comradarr connector add NAME --type sonarr "
		       "--url http://HOST:8989'\n");
	rc = EXIT_OK;
out:
	connector_list_free(list, n);
	secret_key_wipe(&k);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
c_show(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector show", "NAME",
		"Show one connector's settings and health (API key masked).", plain_opts, NULL
	};
	struct cli cli;
	struct copts o;
	struct secret_key k;
	struct connector c;
	struct err e = ERR_INIT;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_connector_get(cli.db, cli.argv[0], &c, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	rc = print_one(&cli, &k, &c, "connector");
out:
	connector_release(&c);
	secret_key_wipe(&k);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

/*
 * The stored key is bound to the connector's address and TLS setting
 * (lib/db/connectors.c): a new --url or TLS setting re-seals it, and that
 * sends the key somewhere new, so the user says yes first (--yes, or at a
 * prompt).  The key is opened under the old binding into *key.
 */
static int
rebind_key(const struct secret_key *k, struct connector *c, const char *old_url, int old_tls,
	   int yes, char **key, struct err *e)
{
	char *new_url = c->url;
	int new_tls = c->tls_verify, rc;

	if (!yes) {
		char answer[8] = "";

		if (!isatty(STDIN_FILENO))
			return err_set(e, ERR_USAGE, "the API key of '%s' will be sent to '%s'%s from "
				       "now on: add --yes to confirm, or give the key again with "
				       "--api-key-file", c->name, c->url,
				       c->tls_verify ? "" : " without TLS verification");
		fprintf(stderr, "The API key of '%s' will be sent to '%s'%s from now on. "
			"Continue? [y/N] ", c->name, c->url,
			c->tls_verify ? "" : " without TLS verification");
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
		    (answer[0] != 'y' && answer[0] != 'Y'))
			return err_set(e, ERR_USAGE, "nothing changed");
	}
	c->url = (char *)old_url;
	c->tls_verify = old_tls;
	rc = db_connector_api_key(k, c, key, e);
	c->url = new_url;
	c->tls_verify = new_tls;
	return rc;
}

/* edit, enable and disable all load, change and save. */
static int
edit_common(int argc, char **argv, const struct cli_cmd *cmd, int force_enabled)
{
	struct cli cli;
	struct copts o;
	struct secret_key k;
	struct connector c;
	struct err e = ERR_INIT;
	char *key = NULL, *old_url = NULL;
	int rc, old_tls;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_connector_get(cli.db, cli.argv[0], &c, &e) < 0)
		goto fail;
	if (force_enabled >= 0)
		o.enabled = force_enabled;
	old_url = strdup(c.url);
	old_tls = c.tls_verify;
	if (old_url == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (o.new_name != NULL)
		snprintf(c.name, sizeof(c.name), "%s", o.new_name);
	if (o.url != NULL) {
		free(c.url);
		c.url = strdup(o.url);
		if (c.url == NULL) {
			err_set(&e, ERR_NOMEM, "out of memory");
			goto fail;
		}
	}
	if (o.timeout_s > 0)
		c.timeout_ms = (int)o.timeout_s * 1000;
	if (o.tls >= 0)
		c.tls_verify = o.tls;
	if (o.enabled >= 0)
		c.enabled = o.enabled;
	if (o.key_file != NULL && cli_read_secret("API key", o.key_file, &key, &e) < 0)
		goto fail;
	if (key == NULL && (strcmp(old_url, c.url) != 0 || old_tls != c.tls_verify) &&
	    rebind_key(&k, &c, old_url, old_tls, o.yes, &key, &e) < 0)
		goto fail;
	if (db_connector_update(cli.db, &k, &c, key, &e) < 0)
		goto fail;
	if (cli.json) {
		if (print_stored(&cli, &k, c.name, "connector_updated", &e) < 0)
			goto fail;
	} else
		printf("updated connector '%s'%s\n", c.name,
		       force_enabled == 1 ? " (enabled)" : force_enabled == 0 ? " (disabled)" : "");
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	free(old_url);
	connector_release(&c);
	secret_key_wipe(&k);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
c_edit(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector edit", "NAME [options]",
		"Change a connector's settings or API key.", edit_opts, NULL
	};

	return edit_common(argc, argv, &cmd, -1);
}

static int
c_enable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector enable", "NAME", "Enable a connector.", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 1);
}

static int
c_disable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector disable", "NAME",
		"Disable a connector: nothing syncs or searches it until it is enabled.", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 0);
}

static int
c_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector rm", "NAME",
		"Remove a connector with its mirror, search state and queue.", plain_opts, NULL
	};
	struct cli cli;
	struct copts o;
	struct secret_key k;
	struct err e = ERR_INIT;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_connector_remove(cli.db, cli.argv[0], &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json) {
		json_t *j = json_object();

		json_object_set_new(j, "connector", json_string(cli.argv[0]));
		jsonl_emit(&cli.out, "connector_removed", j);
	} else {
		printf("removed connector '%s' with its mirror and search state\n", cli.argv[0]);
	}
	rc = EXIT_OK;
out:
	secret_key_wipe(&k);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static const struct cli_opt history_opts[] = {
	{ "limit", OPT_LIMIT, "N", "at most N health checks (default 20)" },
	{ NULL, 0, NULL, NULL }
};

static json_t *
ts_json(const PGresult *r, int row, int col)
{
	char b[40];

	if (PQgetisnull(r, row, col))
		return json_null();
	jsonl_format_ts(db_int64(r, row, col, 0), b, sizeof(b));
	return json_string(b);
}

/* Req 16.4: the connector's health checks and its sync state. */
static int
c_history(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr connector history", "NAME [--limit N]",
		"Show a connector's health checks, newest first, and its last syncs.", history_opts,
		NULL
	};
	struct cli cli;
	struct copts o;
	struct err e = ERR_INIT;
	PGresult *h = NULL, *s = NULL;
	int done, rc;

	memset(&o, 0, sizeof(o));
	o.cli = &cli;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc != 1) {
		cli_usage_error(cmd.name, "which connector? give exactly one name");
		return cli_finish(&cli, EXIT_USAGE);
	}
	{
		struct connector c;

		memset(&c, 0, sizeof(c));
		if (cli_db(&cli, &e) < 0 || db_connector_get(cli.db, cli.argv[0], &c, &e) < 0 ||
		    db_connector_sync_state(cli.db, cli.argv[0], &s, &e) < 0 ||
		    db_connector_health_history(cli.db, cli.argv[0], o.limit, &h, &e) < 0) {
			connector_release(&c);
			PQclear(s);
			return cli_finish(&cli, cli_fail(&cli, &e));
		}
		connector_release(&c);
	}
	if (PQntuples(s) == 1) {
		if (cli.json) {
			json_t *j = json_pack("{s:s, s:o, s:o, s:I, s:i, s:o}", "connector", cli.argv[0],
					      "last_sync_at", ts_json(s, 0, 0), "last_full_sync_at",
					      ts_json(s, 0, 1), "last_duration_ms",
					      (json_int_t)db_int64(s, 0, 2, 0), "consecutive_failures",
					      (int)db_int64(s, 0, 3, 0), "next_retry_at", ts_json(s, 0, 5));
			json_t *counts = json_loads(db_str(s, 0, 6) ? db_str(s, 0, 6) : "{}", 0, NULL);

			json_object_set_new(j, "last_error", db_str(s, 0, 4) ?
					    json_string(db_str(s, 0, 4)) : json_null());
			json_object_set_new(j, "last_counts", counts ? counts : json_object());
			jsonl_emit(&cli.out, "connector_sync_state", j);
		} else {
			char a[40] = "never", f[40] = "never";

			if (!PQgetisnull(s, 0, 0))
				jsonl_format_ts(db_int64(s, 0, 0, 0), a, sizeof(a));
			if (!PQgetisnull(s, 0, 1))
				jsonl_format_ts(db_int64(s, 0, 1, 0), f, sizeof(f));
			printf("%s: last sync %s (%lld ms), last full sync %s, %d consecutive "
			       "failures%s%s\n", cli.argv[0], a, (long long)db_int64(s, 0, 2, 0), f,
			       (int)db_int64(s, 0, 3, 0), db_str(s, 0, 4) ? "; last error: " : "",
			       db_str(s, 0, 4) ? db_str(s, 0, 4) : "");
		}
	} else if (!cli.json) {
		printf("%s: never synced\n", cli.argv[0]);
	}
	if (!cli.json && PQntuples(h) > 0)
		printf("%-24s %-10s %s\n", "CHECKED", "HEALTH", "DETAIL");
	for (int i = 0; i < PQntuples(h); i++) {
		if (cli.json) {
			jsonl_emit(&cli.out, "connector_health", json_pack("{s:s, s:o, s:s, s:s?}",
				   "connector", cli.argv[0], "checked_at", ts_json(h, i, 0),
				   "status", db_str(h, i, 1), "detail", db_str(h, i, 2)));
		} else {
			char t[40];

			jsonl_format_ts(db_int64(h, i, 0, 0), t, sizeof(t));
			printf("%-24s %-10s %s\n", t, db_str(h, i, 1),
			       db_str(h, i, 2) ? db_str(h, i, 2) : "");
		}
	}
	if (!cli.json && PQntuples(h) == 0)
		printf("no health check recorded yet: 'comradarr connector test %s'\n", cli.argv[0]);
	PQclear(h);
	PQclear(s);
	return cli_finish(&cli, EXIT_OK);
}

int
front_connector(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "add a connection to an *arr application", c_add },
		{ "list", "list connectors", c_list },
		{ "show", "show one connector", c_show },
		{ "edit", "change a connector", c_edit },
		{ "enable", "enable a connector", c_enable },
		{ "disable", "disable a connector", c_disable },
		{ "rm", "remove a connector and everything mirrored from it", c_rm },
		{ "test", "check it answers, the key works, which app and version, its health",
		  front_connector_test },
		{ "history", "its health checks and last syncs", c_history },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr connector", subs, argc, argv);
}
