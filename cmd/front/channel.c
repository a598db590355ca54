/*
 * comradarr channel add|list|show|edit|rm|enable|disable|test
 * (Req 9; credentials per Req 36: read from a file, stdin or a prompt,
 * never from the command line; stored sealed; shown masked).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "db/connectors.h"
#include "db/notify.h"
#include "front/front.h"
#include "notify/notify.h"
#include "stage/notify.h"
#include "core/banned.h"

enum {
	OPT_TYPE = 't',
	OPT_URL = 'u',
	OPT_NAME = 'n',
	OPT_YES = 'y',
	OPT_WEBHOOK_FILE = 3000, OPT_TOKEN_FILE, OPT_USER_FILE, OPT_PASSWORD_FILE, OPT_HMAC_FILE,
	OPT_CHAT_ID, OPT_TOPIC, OPT_FROM, OPT_TO, OPT_USERNAME, OPT_NO_STARTTLS, OPT_PRIORITY,
	OPT_TAGS, OPT_NO_TLS, OPT_TLS, OPT_EVENTS, OPT_SEVERITY, OPT_CONNECTOR, OPT_ALL_CONNECTORS,
	OPT_WINDOW, OPT_QUIET, OPT_NO_QUIET, OPT_QUIET_TZ, OPT_QUIET_MODE, OPT_MAX_HOUR,
	OPT_TEMPLATE, OPT_DISABLED, OPT_ENABLE, OPT_DISABLE
};

#define MAX_LIST 32

struct chopts {
	const char *type, *url, *new_name, *chat_id, *topic, *from, *username, *tags, *events,
		   *severity, *quiet, *quiet_tz, *quiet_mode;
	const char *files[5];		/* url, token, user, password, hmac_secret */
	const char *to[MAX_LIST];
	int nto;
	struct cli_names conns;
	const char *templates[MAX_LIST];
	int ntemplates;
	long priority, window, max_hour;
	int has_priority, has_window, has_max_hour;
	int starttls, tls, enabled, no_quiet, all_connectors, yes;	/* -1: unchanged */
};

static const char *const secret_names[5] = { "url", "token", "user", "password", "hmac_secret" };
static const char *const secret_prompts[5] = {
	"Webhook URL", "Token", "User key", "SMTP password", "HMAC secret"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct chopts *o = ctx;
	const char *tool = "comradarr channel";

	switch (key) {
	case OPT_TYPE: o->type = arg; break;
	case OPT_URL: o->url = arg; break;
	case OPT_NAME: o->new_name = arg; break;
	case OPT_YES: o->yes = 1; break;
	case OPT_WEBHOOK_FILE: case OPT_TOKEN_FILE: case OPT_USER_FILE: case OPT_PASSWORD_FILE:
	case OPT_HMAC_FILE:
		o->files[key - OPT_WEBHOOK_FILE] = arg;
		break;
	case OPT_CHAT_ID: o->chat_id = arg; break;
	case OPT_TOPIC: o->topic = arg; break;
	case OPT_FROM: o->from = arg; break;
	case OPT_TO:
		if (o->nto == MAX_LIST)
			return cli_usage_error(tool, "at most %d --to addresses", MAX_LIST);
		o->to[o->nto++] = arg;
		break;
	case OPT_USERNAME: o->username = arg; break;
	case OPT_NO_STARTTLS: o->starttls = 0; break;
	case OPT_PRIORITY:
		o->has_priority = 1;
		return cli_parse_int(tool, "--priority", arg, -2, 5, &o->priority);
	case OPT_TAGS: o->tags = arg; break;
	case OPT_NO_TLS: o->tls = 0; break;
	case OPT_TLS: o->tls = 1; break;
	case OPT_EVENTS: o->events = arg; break;
	case OPT_SEVERITY: o->severity = arg; break;
	case OPT_CONNECTOR: return cli_names_add(&o->conns, tool, arg);
	case OPT_ALL_CONNECTORS: o->all_connectors = 1; break;
	case OPT_WINDOW:
		o->has_window = 1;
		return cli_parse_int(tool, "--batch-window", arg, 0, 86400, &o->window);
	case OPT_QUIET: o->quiet = arg; break;
	case OPT_NO_QUIET: o->no_quiet = 1; break;
	case OPT_QUIET_TZ: o->quiet_tz = arg; break;
	case OPT_QUIET_MODE: o->quiet_mode = arg; break;
	case OPT_MAX_HOUR:
		o->has_max_hour = 1;
		return cli_parse_int(tool, "--max-per-hour", arg, 0, 3600, &o->max_hour);
	case OPT_TEMPLATE:
		if (o->ntemplates == MAX_LIST)
			return cli_usage_error(tool, "at most %d --template options", MAX_LIST);
		o->templates[o->ntemplates++] = arg;
		break;
	case OPT_DISABLED: case OPT_DISABLE: o->enabled = 0; break;
	case OPT_ENABLE: o->enabled = 1; break;
	default: break;
	}
	return 0;
}

#define SETTING_OPTS \
	{ "url", OPT_URL, "URL", "server or API address: gotify, ntfy, email (smtp:// or " \
	  "smtps://), and to override telegram's or pushover's" }, \
	{ "webhook-url-file", OPT_WEBHOOK_FILE, "FILE", "discord, slack, webhook: read the " \
	  "webhook URL (a secret) from FILE ('-' = stdin)" }, \
	{ "token-file", OPT_TOKEN_FILE, "FILE", "telegram bot token, pushover app token, gotify " \
	  "app token, ntfy access token" }, \
	{ "user-key-file", OPT_USER_FILE, "FILE", "pushover user key" }, \
	{ "password-file", OPT_PASSWORD_FILE, "FILE", "email: the SMTP password" }, \
	{ "hmac-secret-file", OPT_HMAC_FILE, "FILE", "webhook: the signing secret" }, \
	{ "chat-id", OPT_CHAT_ID, "ID", "telegram: the chat to write to" }, \
	{ "topic", OPT_TOPIC, "TOPIC", "ntfy: the topic" }, \
	{ "from", OPT_FROM, "ADDRESS", "email: the sender" }, \
	{ "to", OPT_TO, "ADDRESS", "email: a recipient (repeatable)" }, \
	{ "username", OPT_USERNAME, "USER", "email: the SMTP login" }, \
	{ "no-starttls", OPT_NO_STARTTLS, NULL, "email: allow smtp:// without STARTTLS" }, \
	{ "priority", OPT_PRIORITY, "N", "-2..5 (default: from the event's severity)" }, \
	{ "tags", OPT_TAGS, "TAGS", "ntfy: comma-separated tags" }, \
	{ "no-tls-verify", OPT_NO_TLS, NULL, "accept any TLS certificate (self-signed)" }, \
	{ "events", OPT_EVENTS, "LIST", "comma-separated event kinds of comradarr(7), 'all', or " \
	  "'default'" }, \
	{ "min-severity", OPT_SEVERITY, "LEVEL", "info, warning or error (default info)" }, \
	{ "connector", OPT_CONNECTOR, "NAME", "only events of this connector (repeatable)" }, \
	{ "batch-window", OPT_WINDOW, "SECONDS", "combine similar events into one digest (default " \
	  "300, 0 sends each at once)" }, \
	{ "quiet-hours", OPT_QUIET, "HH:MM-HH:MM", "hold (or drop) messages in this local time " \
	  "window" }, \
	{ "quiet-tz", OPT_QUIET_TZ, "ZONE", "time zone of the quiet hours (default UTC)" }, \
	{ "quiet-mode", OPT_QUIET_MODE, "MODE", "hold (send as a digest after) or drop" }, \
	{ "max-per-hour", OPT_MAX_HOUR, "N", "at most N messages an hour (0: no cap)" }, \
	{ "template", OPT_TEMPLATE, "KIND=TEXT", "the message for one event kind, with " \
	  "{content_title}, {connector_name}, ... (repeatable)" }

static const struct cli_opt add_opts[] = {
	{ "type", OPT_TYPE, "TYPE", "discord, telegram, slack, pushover, gotify, ntfy, email or "
	  "webhook (required)" },
	SETTING_OPTS,
	{ "disabled", OPT_DISABLED, NULL, "add it disabled" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt edit_opts[] = {
	{ "name", OPT_NAME, "NEW", "rename it" },
	SETTING_OPTS,
	{ "tls-verify", OPT_TLS, NULL, "verify TLS certificates" },
	{ "all-connectors", OPT_ALL_CONNECTORS, NULL, "drop the connector filter" },
	{ "no-quiet-hours", OPT_NO_QUIET, NULL, "drop the quiet hours" },
	{ "enable", OPT_ENABLE, NULL, "enable it (and restart it after a permanent failure)" },
	{ "disable", OPT_DISABLE, NULL, "disable it" },
	{ "yes", OPT_YES, NULL, "send the stored credentials to the new --url or TLS setting "
	  "without asking" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

/* Parse, connect, load the key: the start every subcommand shares. */
static int
start(struct cli *cli, struct chopts *o, const struct cli_cmd *cmd, int argc, char **argv,
      int want_name, struct secret_key *k, struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	o->starttls = o->tls = o->enabled = -1;
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (want_name && cli->argc != 1) {
		cli_usage_error(cmd->name, cli->argc ? "give exactly one channel name" :
				"which channel? give its name");
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

static json_t *
channel_json(const struct secret_key *k, const struct notify_channel *c, PGconn *db)
{
	return notify_channel_json(db, k, c);
}

/* Read every secret file given (at most one may be stdin) into s. */
static int
read_secrets(const struct chopts *o, json_t *s, struct err *e)
{
	int stdin_used = 0;

	for (int i = 0; i < 5; i++) {
		char *v = NULL;

		if (o->files[i] == NULL)
			continue;
		if (strcmp(o->files[i], "-") == 0 && stdin_used++)
			return err_set(e, ERR_USAGE, "only one secret can come from stdin ('-'); "
				       "give the others in files");
		if (cli_read_secret(secret_prompts[i], o->files[i], &v, e) < 0)
			return -1;
		json_object_set_new(s, secret_names[i], json_string(v));
		sodium_memzero(v, strlen(v));
		free(v);
	}
	return 0;
}

/* Prompt for required secrets still missing, on a terminal. */
static int
prompt_missing(const char *type, json_t *s, struct err *e)
{
	for (const char *const *m = notify_type_secrets(type); *m != NULL; m++) {
		char *v = NULL;
		int i;

		if (json_object_get(s, *m) != NULL)
			continue;
		for (i = 0; i < 5 && strcmp(secret_names[i], *m) != 0; i++)
			;
		if (!isatty(STDIN_FILENO))
			return 0;	/* notify_channel_check names the option */
		if (cli_read_secret(secret_prompts[i < 5 ? i : 1], NULL, &v, e) < 0)
			return -1;
		json_object_set_new(s, *m, json_string(v));
		sodium_memzero(v, strlen(v));
		free(v);
	}
	return 0;
}

static int
split_events(const char *list, json_t **out, struct err *e)
{
	char *copy, *p, *save = NULL;
	json_t *a;

	*out = NULL;
	if (strcmp(list, "default") == 0)
		return 0;
	copy = strdup(list);
	a = json_array();
	if (copy == NULL || a == NULL) {
		free(copy);
		json_decref(a);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	for (p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (strcmp(p, "all") != 0 && !notify_kind_valid(p)) {
			err_set(e, ERR_USAGE, "'%s' is not an event kind (comradarr(7) lists them)", p);
			free(copy);
			json_decref(a);
			return -1;
		}
		json_array_append_new(a, json_string(p));
	}
	free(copy);
	if (json_array_size(a) == 0) {
		json_decref(a);
		return err_set(e, ERR_USAGE, "--events is empty: name event kinds, 'all' or 'default'");
	}
	*out = a;
	return 0;
}

static void
set_str(json_t *cfg, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(cfg, key, json_string(v));
}

/* Apply the options to c (a new one, or one being edited). */
static int
apply(PGconn *db, const struct chopts *o, struct notify_channel *c, struct err *e)
{
	if (o->url != NULL) {
		char *u = strdup(o->url);
		size_t n;

		if (u == NULL)
			return err_set(e, ERR_NOMEM, "out of memory");
		n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
		json_object_set_new(c->config, "url", json_string(u));
		free(u);
	}
	set_str(c->config, "chat_id", o->chat_id);
	set_str(c->config, "topic", o->topic);
	set_str(c->config, "from", o->from);
	set_str(c->config, "username", o->username);
	set_str(c->config, "tags", o->tags);
	if (o->nto > 0) {
		json_t *to = json_array();

		for (int i = 0; i < o->nto; i++)
			json_array_append_new(to, json_string(o->to[i]));
		json_object_set_new(c->config, "to", to);
	}
	if (o->starttls == 0)
		json_object_set_new(c->config, "starttls", json_false());
	if (o->tls >= 0)
		json_object_set_new(c->config, "tls_verify", json_boolean(o->tls));
	if (o->has_priority)
		json_object_set_new(c->config, "priority", json_integer(o->priority));
	if (o->events != NULL) {
		json_t *ev;

		if (split_events(o->events, &ev, e) < 0)
			return -1;
		json_decref(c->events);
		c->events = ev;
	}
	if (o->severity != NULL && notify_severity_parse(o->severity, &c->min_severity) < 0)
		return err_set(e, ERR_USAGE, "--min-severity '%s': use info, warning or error",
			       o->severity);
	if (o->all_connectors) {
		json_decref(c->connectors);
		c->connectors = NULL;
	}
	if (o->conns.n > 0) {
		json_t *a = json_array();

		for (int i = 0; i < o->conns.n; i++) {
			struct connector k;

			if (db_connector_get(db, o->conns.names[i], &k, e) < 0) {
				json_decref(a);
				return -1;
			}
			json_array_append_new(a, json_pack("{s:I, s:s}", "id", (json_int_t)k.id,
							   "name", k.name));
			connector_release(&k);
		}
		json_decref(c->connectors);
		c->connectors = a;
	}
	if (o->has_window)
		c->batch_window_s = (int)o->window;
	if (o->no_quiet)
		memset(&c->quiet, 0, sizeof(c->quiet));
	if (o->quiet != NULL && notify_quiet_parse(o->quiet, &c->quiet, e) < 0)
		return -1;
	if (o->quiet_tz != NULL) {
		struct policy_tz tz;
		struct policy_tz_zone z;

		if (strcmp(o->quiet_tz, "UTC") != 0 && policy_tz_zone_init(&tz, &z, o->quiet_tz, e) < 0)
			return -1;
		snprintf(c->quiet_tz, sizeof(c->quiet_tz), "%s", o->quiet_tz);
	}
	if (o->quiet_mode != NULL) {
		if (strcmp(o->quiet_mode, "hold") != 0 && strcmp(o->quiet_mode, "drop") != 0)
			return err_set(e, ERR_USAGE, "--quiet-mode '%s': use hold or drop", o->quiet_mode);
		c->quiet_drop = strcmp(o->quiet_mode, "drop") == 0;
	}
	if (o->has_max_hour)
		c->max_per_hour = (int)o->max_hour;
	for (int i = 0; i < o->ntemplates; i++) {
		const char *eq = strchr(o->templates[i], '=');
		char kind[64];

		if (eq == NULL || eq == o->templates[i] || (size_t)(eq - o->templates[i]) >= sizeof(kind))
			return err_set(e, ERR_USAGE, "--template '%s' is not KIND=TEXT", o->templates[i]);
		snprintf(kind, sizeof(kind), "%.*s", (int)(eq - o->templates[i]), o->templates[i]);
		if (!notify_kind_valid(kind))
			return err_set(e, ERR_USAGE, "'%s' is not an event kind", kind);
		if (eq[1] == '\0') {
			json_object_del(c->templates, kind);
			continue;
		}
		if (notify_template_validate(eq + 1, e) < 0)
			return -1;
		json_object_set_new(c->templates, kind, json_string(eq + 1));
	}
	if (o->enabled >= 0)
		c->enabled = o->enabled;
	return 0;
}

static int
finish(struct cli *cli, int rc, struct secret_key *k, json_t *secrets)
{
	notify_secrets_free(secrets);
	secret_key_wipe(k);
	return cli_finish(cli, rc < 0 ? EXIT_OK : rc);
}

static int
ch_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel add", "NAME --type TYPE [options]",
		"Add a notification channel; its credentials are stored encrypted.", add_opts, NULL
	};
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *secrets = json_object();
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (o.type == NULL) {
		cli_usage_error(cmd.name, "--type is required");
		rc = EXIT_USAGE;
		goto out;
	}
	snprintf(c.name, sizeof(c.name), "%s", cli.argv[0]);
	snprintf(c.type, sizeof(c.type), "%s", o.type);
	snprintf(c.quiet_tz, sizeof(c.quiet_tz), "UTC");
	c.enabled = 1;
	c.batch_window_s = 300;
	c.config = json_object();
	c.templates = json_object();
	if (strcmp(o.type, "email") == 0 && o.starttls != 0)
		json_object_set_new(c.config, "starttls", json_true());
	/* check what we can before asking for credentials */
	if (notify_channel_validate_name(cli.argv[0], &e) < 0)
		goto fail;
	if (!notify_type_valid(o.type)) {
		notify_channel_check(o.type, c.config, secrets, &e);	/* names the types */
		goto fail;
	}
	if (apply(cli.db, &o, &c, &e) < 0 || read_secrets(&o, secrets, &e) < 0 ||
	    prompt_missing(c.type, secrets, &e) < 0 ||
	    notify_channel_check(c.type, c.config, secrets, &e) < 0 ||
	    db_notify_channel_add(cli.db, &k, &c, secrets, &e) < 0)
		goto fail;
	if (cli.json) {
		struct notify_channel saved;

		/* as stored, so the masked credentials are what was sealed */
		if (db_notify_channel_get(cli.db, c.name, &saved, &e) < 0)
			goto fail;
		jsonl_emit(&cli.out, "channel_added", channel_json(&k, &saved, NULL));
		notify_channel_release(&saved);
	}
	else
		printf("added %s channel '%s'; try it with 'comradarr channel test %s'\n", c.type,
		       c.name, c.name);
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	notify_channel_release(&c);
	return finish(&cli, rc, &k, secrets);
}

static int
ch_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel list", "", "List the notification channels (credentials masked).",
		plain_opts, NULL
	};
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct err e = ERR_INIT;
	struct notify_channel *list = NULL;
	size_t n = 0;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 0, &k, &e);
	if (rc != 0)
		goto out;
	if (db_notify_channel_list(cli.db, &list, &n, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (!cli.json && n > 0)
		printf("%-16s %-9s %-8s %-8s %s\n", "NAME", "TYPE", "ENABLED", "WINDOW", "STATE");
	for (size_t i = 0; i < n; i++) {
		if (cli.json)
			jsonl_emit(&cli.out, "channel", channel_json(&k, &list[i], cli.db));
		else
			printf("%-16s %-9s %-8s %-8d %s\n", list[i].name, list[i].type,
			       list[i].enabled ? "yes" : "no", list[i].batch_window_s,
			       list[i].stopped_reason ? "stopped" : "ok");
	}
	if (!cli.json && n == 0)
		printf("no channels yet; add one with 'comradarr channel add NAME --type ntfy --url "
		       "https://ntfy.sh --topic TOPIC'\n");
	rc = EXIT_OK;
out:
	notify_channel_list_free(list, n);
	return finish(&cli, rc, &k, NULL);
}

static int
ch_show(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel show", "NAME",
		"Show one channel's settings and delivery counts (credentials masked).", plain_opts, NULL
	};
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct notify_channel c;
	struct err e = ERR_INIT;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_notify_channel_get(cli.db, cli.argv[0], &c, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json) {
		jsonl_emit(&cli.out, "channel", channel_json(&k, &c, cli.db));
	} else {
		json_t *j = channel_json(&k, &c, cli.db);
		char *s = json_dumps(j, JSON_INDENT(2));

		printf("%s\n", s ? s : "?");
		free(s);
		json_decref(j);
	}
	rc = EXIT_OK;
out:
	notify_channel_release(&c);
	return finish(&cli, rc, &k, NULL);
}

static int
edit_common(int argc, char **argv, const struct cli_cmd *cmd, int force_enabled)
{
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct notify_channel c;
	struct err e = ERR_INIT;
	json_t *secrets = NULL, *oldcfg = NULL;
	int rc, moved, given = 0;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_notify_channel_get(cli.db, cli.argv[0], &c, &e) < 0)
		goto fail;
	if (force_enabled >= 0)
		o.enabled = force_enabled;
	oldcfg = json_deep_copy(c.config);
	/* the stored credentials open under the old address only */
	if (db_notify_channel_secrets(&k, &c, &secrets, &e) < 0) {
		secrets = json_object();
		err_clear(&e);
	}
	if (o.new_name != NULL)
		snprintf(c.name, sizeof(c.name), "%s", o.new_name);
	for (int i = 0; i < 5; i++)
		given |= o.files[i] != NULL;
	if (apply(cli.db, &o, &c, &e) < 0 || read_secrets(&o, secrets, &e) < 0 ||
	    notify_channel_check(c.type, c.config, secrets, &e) < 0)
		goto fail;
	/* json_equal() is false for two absent members: a webhook's address
	 * is its secret, not config.url */
	moved = (json_object_get(oldcfg, "url") != NULL || json_object_get(c.config, "url") != NULL) &&
		!json_equal(json_object_get(oldcfg, "url"), json_object_get(c.config, "url"));
	moved = moved ||
		json_is_false(json_object_get(oldcfg, "tls_verify")) !=
		json_is_false(json_object_get(c.config, "tls_verify"));
	if (moved && !given && !o.yes) {
		err_set(&e, ERR_USAGE, "the credentials of '%s' will be sent to '%s'%s from now on: "
			"add --yes to confirm, or give them again", c.name,
			notify_channel_address(c.config),
			json_is_false(json_object_get(c.config, "tls_verify")) ?
			" without TLS verification" : "");
		goto fail;
	}
	if (db_notify_channel_update(cli.db, &k, &c, moved || given ? secrets : NULL, &e) < 0)
		goto fail;
	if (cli.json) {
		struct notify_channel saved;

		if (db_notify_channel_get(cli.db, c.name, &saved, &e) < 0)
			goto fail;
		jsonl_emit(&cli.out, "channel_updated", channel_json(&k, &saved, NULL));
		notify_channel_release(&saved);
	}
	else
		printf("updated channel '%s'%s\n", c.name, force_enabled == 1 ? " (enabled)" :
		       force_enabled == 0 ? " (disabled)" : "");
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	json_decref(oldcfg);
	notify_channel_release(&c);
	return finish(&cli, rc, &k, secrets);
}

static int
ch_edit(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel edit", "NAME [options]",
		"Change a channel's settings or credentials.", edit_opts, NULL
	};

	return edit_common(argc, argv, &cmd, -1);
}

static int
ch_enable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel enable", "NAME",
		"Enable a channel, or restart one a permanent failure stopped.", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 1);
}

static int
ch_disable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel disable", "NAME",
		"Disable a channel: events are not routed to it until it is enabled.", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 0);
}

static int
ch_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel rm", "NAME", "Remove a channel with its delivery history.",
		plain_opts, NULL
	};
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct err e = ERR_INIT;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_notify_channel_remove(cli.db, cli.argv[0], &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json)
		jsonl_emit(&cli.out, "channel_removed", json_pack("{s:s}", "channel", cli.argv[0]));
	else
		printf("removed channel '%s'\n", cli.argv[0]);
	rc = EXIT_OK;
out:
	return finish(&cli, rc, &k, NULL);
}

static int
ch_test(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr channel test", "NAME",
		"Send a real test message and show what the receiver answered.", plain_opts, NULL
	};
	struct cli cli;
	struct chopts o;
	struct secret_key k;
	struct notify_channel c;
	struct notify_answer ans;
	struct err e = ERR_INIT;
	json_t *j;
	int rc, ok;

	memset(&c, 0, sizeof(c));
	memset(&k, 0, sizeof(k));
	memset(&ans, 0, sizeof(ans));
	rc = start(&cli, &o, &cmd, argc, argv, 1, &k, &e);
	if (rc != 0)
		goto out;
	if (db_notify_channel_get(cli.db, cli.argv[0], &c, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	ok = notify_channel_test(&k, &c, &ans, &e) == 0;
	curl_global_cleanup();
	j = json_pack("{s:s, s:s, s:b}", "channel", c.name, "type", c.type, "ok", ok);
	if (ans.status > 0)
		json_object_set_new(j, "status", json_integer(ans.status));
	json_object_set_new(j, "answer", json_string(ans.text));
	if (!ok) {
		json_object_set_new(j, "error_kind", json_string(err_kind_name(e.kind)));
		json_object_set_new(j, "error", json_string(e.msg));
	}
	if (cli.json) {
		if (!ok)	/* the log on standard error says why, as for any failure */
			log_error("main", "%s: the test message was not delivered: %s", c.name, e.msg);
		jsonl_emit(&cli.out, "channel_test", j);
	} else {
		if (ok)
			printf("%s: the %s receiver accepted the test message (%ld%s%s)\n", c.name,
			       c.type, ans.status, ans.text[0] ? ": " : "", ans.text);
		else
			fprintf(stderr, "%s: the test message was not delivered: %s\n", c.name, e.msg);
		json_decref(j);
	}
	rc = ok ? EXIT_OK : EXIT_FAIL;
out:
	notify_channel_release(&c);
	return finish(&cli, rc, &k, NULL);
}

int
front_channel(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "add a notification channel", ch_add },
		{ "list", "list channels", ch_list },
		{ "show", "show one channel", ch_show },
		{ "edit", "change a channel", ch_edit },
		{ "enable", "enable a channel (restarts a stopped one)", ch_enable },
		{ "disable", "disable a channel", ch_disable },
		{ "rm", "remove a channel", ch_rm },
		{ "test", "send a test message and show the answer", ch_test },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr channel", subs, argc, argv);
}
