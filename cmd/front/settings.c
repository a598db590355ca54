/*
 * comradarr settings list|get|set|reset - the settings kept in the
 * database (Req 30.4), typed and validated by lib/policy/settings.h.  A
 * change applies at the next run of whatever reads it: no restart.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/settings.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt no_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static int
no_opt(void *ctx, int key, const char *arg)
{
	(void)ctx;
	(void)key;
	(void)arg;
	return 0;
}

/* Parse options and check the operand count; 0 to go on, else an exit code
 * (-1: done, exit 0). */
static int
start(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv, int min, int max)
{
	int done, rc = cli_init(cli, cmd, argc, argv, no_opt, NULL, &done);

	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc < min) {
		cli_usage_error(cmd->name, "expected %s", cmd->synopsis);
		return EXIT_USAGE;
	}
	if (cli->argc > max) {
		cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[max]);
		return EXIT_USAGE;
	}
	return 0;
}

/* The named setting, or a usage error saying how to list them. */
static const struct setting_def *
find(struct cli *cli, const char *key, int *rc)
{
	const struct setting_def *d = settings_find(key);
	struct err e = ERR_INIT;

	if (d == NULL) {
		err_set(&e, ERR_USAGE, "no setting named '%s': see 'comradarr settings list'", key);
		*rc = cli_fail(cli, &e);
	}
	return d;
}

/* A value as JSON: a boolean, a number or a name. */
static json_t *
value_json(const struct setting_def *d, long long v)
{
	char b[32];

	if (d->type == SETTING_ENUM)
		return json_string(settings_format(d, v, b, sizeof(b)));
	return d->type == SETTING_BOOL ? json_boolean(v) : json_integer(v);
}

static const char *
range(const struct setting_def *d, char *buf, size_t size)
{
	if (d->type == SETTING_ENUM) {
		buf[0] = '\0';
		for (size_t i = 0; d->choices[i] != NULL; i++)
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "|" : "",
				 d->choices[i]);
	} else if (d->type == SETTING_BOOL)
		snprintf(buf, size, "true|false");
	else
		snprintf(buf, size, "%lld-%lld%s%s", d->min, d->max, d->unit[0] ? " " : "", d->unit);
	return buf;
}

static json_t *
setting_json(const struct db_setting *s)
{
	const struct setting_def *d = s->def;
	json_t *o = json_pack("{s:s, s:s, s:b, s:s}", "key", d->key,
			      "type", d->type == SETTING_BOOL ? "bool" : d->type == SETTING_ENUM ?
			      "enum" : "int",
			      "is_default", s->is_default, "summary", d->summary);

	if (d->type == SETTING_BOOL || d->type == SETTING_ENUM) {
		json_object_set_new(o, "value", value_json(d, s->value));
		json_object_set_new(o, "default", value_json(d, d->dflt));
	} else {
		json_object_set_new(o, "value", json_integer(s->value));
		json_object_set_new(o, "default", json_integer(d->dflt));
		json_object_set_new(o, "min", json_integer(d->min));
		json_object_set_new(o, "max", json_integer(d->max));
		if (d->unit[0])
			json_object_set_new(o, "unit", json_string(d->unit));
	}
	if (s->updated_at[0])
		json_object_set_new(o, "updated_at", json_string(s->updated_at));
	return o;
}

static int
s_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr settings list", "[PREFIX]",
		"List every setting: value, default, allowed range and meaning.", no_opts,
		"PREFIX narrows the list to keys that start with it, e.g. 'retention'."
	};
	struct cli cli;
	struct err e = ERR_INIT;
	struct db_setting *list = NULL;
	size_t n = 0;
	const char *prefix;
	int rc = start(&cli, &cmd, argc, argv, 0, 1);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	prefix = cli.argc > 0 ? cli.argv[0] : "";
	if (cli_db(&cli, &e) < 0 || db_setting_list(cli.db, &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json)
		printf("%-38s %-7s %-7s %-16s %s\n", "KEY", "VALUE", "DEFAULT", "RANGE", "MEANING");
	for (size_t i = 0; i < n; i++) {
		const struct setting_def *d = list[i].def;
		char v[24], dv[24], rb[40];

		if (strncmp(d->key, prefix, strlen(prefix)) != 0)
			continue;
		if (cli.json) {
			jsonl_emit(&cli.out, "setting", setting_json(&list[i]));
			continue;
		}
		printf("%-38s %-7s %-7s %-16s %s\n", d->key, settings_format(d, list[i].value, v,
		       sizeof(v)), settings_format(d, d->dflt, dv, sizeof(dv)),
		       range(d, rb, sizeof(rb)), d->summary);
	}
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

static int
s_get(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr settings get", "KEY", "Print one setting's value (its default when unset).",
		no_opts, NULL
	};
	struct cli cli;
	struct err e = ERR_INIT;
	struct db_setting s;
	const struct setting_def *d;
	char v[24];
	int rc = start(&cli, &cmd, argc, argv, 1, 1);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if ((d = find(&cli, cli.argv[0], &rc)) == NULL)
		return cli_finish(&cli, rc);
	if (cli_db(&cli, &e) < 0 || db_setting_get(cli.db, d, &s, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "setting", setting_json(&s));
	else
		printf("%s\n", settings_format(d, s.value, v, sizeof(v)));
	return cli_finish(&cli, EXIT_OK);
}

static int
change(int argc, char **argv, int reset)
{
	static const struct cli_cmd set_cmd = {
		"comradarr settings set", "KEY VALUE",
		"Change a setting; it applies at the next run of whatever reads it.", no_opts,
		"The value is checked against the setting's type and range first:\n"
		"'comradarr settings list' shows them.\n"
	};
	static const struct cli_cmd reset_cmd = {
		"comradarr settings reset", "KEY", "Put a setting back to its default.", no_opts, NULL
	};
	const struct cli_cmd *cmd = reset ? &reset_cmd : &set_cmd;
	struct cli cli;
	struct err e = ERR_INIT;
	const struct setting_def *d;
	long long v = 0, prev = 0;
	char vb[24], pb[24];
	int rc = start(&cli, cmd, argc, argv, reset ? 1 : 2, reset ? 1 : 2);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if ((d = find(&cli, cli.argv[0], &rc)) == NULL)
		return cli_finish(&cli, rc);
	/* a bad value is a bad argument: nothing is written */
	if (!reset && settings_parse(d, cli.argv[1], &v, &e) < 0) {
		e.kind = ERR_USAGE;
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (cli_db(&cli, &e) < 0 || db_setting_set(cli.db, d, v, reset, &prev, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (reset)
		v = d->dflt;
	if (cli.json) {
		json_t *o = json_pack("{s:s, s:b}", "key", d->key, "default", reset);

		json_object_set_new(o, "value", value_json(d, v));
		json_object_set_new(o, "previous", value_json(d, prev));
		jsonl_emit(&cli.out, "setting_changed", o);
	} else {
		printf("%s = %s (was %s)\n", d->key, settings_format(d, v, vb, sizeof(vb)),
		       settings_format(d, prev, pb, sizeof(pb)));
	}
	return cli_finish(&cli, EXIT_OK);
}

static int
s_set(int argc, char **argv)
{
	return change(argc, argv, 0);
}

static int
s_reset(int argc, char **argv)
{
	return change(argc, argv, 1);
}

int
front_settings(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "list", "every setting with its default and range", s_list },
		{ "get", "one setting's value", s_get },
		{ "set", "change a setting", s_set },
		{ "reset", "back to the default", s_reset },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr settings", subs, argc, argv);
}
