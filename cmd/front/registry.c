/*
 * comradarr registry list - the search registry at the command line
 * (Req 11.2): what is being searched, in which state, best first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonl.h"
#include "db/admin.h"
#include "db/db.h"
#include "front/front.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_TYPE = 't', OPT_STATE = 's', OPT_SERIES = 'e', OPT_LIMIT = 'n' };

static const char *const states[] = {
	"pending", "queued", "searching", "awaiting_import", "cooldown", "failed", "exhausted", NULL
};

struct ropts {
	struct db_registry_filter f;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct ropts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR: o->f.connector = arg; break;
	case OPT_SERIES: o->f.series = arg; break;
	case OPT_TYPE:
		if (strcmp(arg, "gap") != 0 && strcmp(arg, "upgrade") != 0)
			return cli_usage_error("comradarr registry list",
					       "--type is gap or upgrade, not '%s'", arg);
		o->f.type = arg;
		break;
	case OPT_STATE:
		for (int i = 0; states[i] != NULL; i++)
			if (strcmp(arg, states[i]) == 0) {
				o->f.state = arg;
				return 0;
			}
		return cli_usage_error("comradarr registry list", "--state '%s' is none of pending, "
				       "queued, searching, awaiting_import, cooldown, failed, exhausted",
				       arg);
	case OPT_LIMIT:
		return cli_parse_int("comradarr registry list", "--limit", arg, 1, 1000000,
				     &o->f.limit);
	default: break;
	}
	return 0;
}

static const struct cli_opt list_opts[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector's entries" },
	{ "type", OPT_TYPE, "TYPE", "gap or upgrade" },
	{ "state", OPT_STATE, "STATE", "pending, queued, searching, awaiting_import, cooldown, "
	  "failed or exhausted" },
	{ "series", OPT_SERIES, "TEXT", "series whose title contains TEXT (any case)" },
	{ "limit", OPT_LIMIT, "N", "at most N entries (default 100)" },
	{ NULL, 0, NULL, NULL }
};

static int
r_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr registry list",
		"[--connector NAME] [--type gap|upgrade] [--state STATE] [--series TEXT] [--limit N]",
		"List search registry entries, highest priority first.", list_opts, NULL
	};
	struct cli cli;
	struct ropts o;
	struct err e = ERR_INIT;
	PGresult *r = NULL;
	int done, rc;

	memset(&o, 0, sizeof(o));
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_db(&cli, &e) < 0 || db_registry_list(cli.db, &o.f, &r, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json && PQntuples(r) > 0)
		printf("%-8s %-10s %-7s %-8s %8s %-16s %-9s %8s %s\n", "ENTRY", "CONNECTOR", "TYPE",
		       "KIND", "ARR ID", "STATE", "ATTEMPTS", "PRIORITY", "ITEM");
	for (int i = 0; i < PQntuples(r); i++) {
		const char *series = db_str(r, i, DB_RL_SERIES), *title = db_str(r, i, DB_RL_TITLE);
		char next[40] = "";

		if (!PQgetisnull(r, i, DB_RL_NEXT_ELIGIBLE))
			jsonl_format_ts(db_int64(r, i, DB_RL_NEXT_ELIGIBLE, 0), next, sizeof(next));
		if (cli.json) {
			json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:i, s:i}",
				"registry_id", (json_int_t)db_int64(r, i, DB_RL_ID, 0),
				"connector", db_str(r, i, DB_RL_CONNECTOR),
				"type", db_str(r, i, DB_RL_TYPE), "kind", db_str(r, i, DB_RL_KIND),
				"id", (int)db_int64(r, i, DB_RL_ARR_ID, 0),
				"state", db_str(r, i, DB_RL_STATE),
				"attempts", (int)db_int64(r, i, DB_RL_ATTEMPTS, 0),
				"priority", (int)db_int64(r, i, DB_RL_PRIORITY, 0));

			json_object_set_new(j, "title", title ? json_string(title) : json_null());
			if (series != NULL) {
				json_object_set_new(j, "series", json_string(series));
				json_object_set_new(j, "season", json_integer(db_int64(r, i, DB_RL_SEASON, 0)));
				json_object_set_new(j, "episode", PQgetisnull(r, i, DB_RL_EPISODE) ?
						    json_null() :
						    json_integer(db_int64(r, i, DB_RL_EPISODE, 0)));
			}
			json_object_set_new(j, "next_eligible_at", next[0] ? json_string(next) :
					    json_null());
			json_object_set_new(j, "failure_category", db_str(r, i, DB_RL_FAILURE) ?
					    json_string(db_str(r, i, DB_RL_FAILURE)) : json_null());
			json_object_set_new(j, "queue_id", PQgetisnull(r, i, DB_RL_QUEUE_ID) ?
					    json_null() :
					    json_integer(db_int64(r, i, DB_RL_QUEUE_ID, 0)));
			jsonl_emit(&cli.out, "registry_entry", j);
		} else {
			char item[160];

			if (series != NULL)
				snprintf(item, sizeof(item), "%s S%02dE%02d %s", series,
					 (int)db_int64(r, i, DB_RL_SEASON, 0),
					 (int)db_int64(r, i, DB_RL_EPISODE, 0), title ? title : "");
			else
				snprintf(item, sizeof(item), "%s", title ? title : "");
			printf("%-8lld %-10s %-7s %-8s %8d %-16s %-9d %8d %s\n",
			       (long long)db_int64(r, i, DB_RL_ID, 0), db_str(r, i, DB_RL_CONNECTOR),
			       db_str(r, i, DB_RL_TYPE), db_str(r, i, DB_RL_KIND),
			       (int)db_int64(r, i, DB_RL_ARR_ID, 0), db_str(r, i, DB_RL_STATE),
			       (int)db_int64(r, i, DB_RL_ATTEMPTS, 0),
			       (int)db_int64(r, i, DB_RL_PRIORITY, 0), item);
		}
	}
	if (!cli.json && PQntuples(r) == 0)
		printf("no search registry entry matches\n");
	PQclear(r);
	return cli_finish(&cli, EXIT_OK);
}

int
front_registry(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "list", "search registry entries, highest priority first", r_list },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr registry", subs, argc, argv);
}
