/* comradarr migrate [--status]: apply or list the schema migrations. */
#include <stdio.h>
#include <string.h>

#include "db/migrate.h"
#include "front/front.h"
#include "core/banned.h"

struct migrate_opts {
	struct cli *cli;
	int status;
};

static const struct cli_opt opts[] = {
	{ "status", 's', NULL, "list every migration and whether it is applied; change nothing" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr migrate", "[--status]",
	"Bring the database schema up to date (safe to run concurrently and repeatedly).",
	opts, NULL
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct migrate_opts *o = ctx;

	(void)arg;
	if (key == 's')
		o->status = 1;
	return 0;
}

static const char *const state_names[] = { "pending", "applied", "changed", "unknown" };

static void
on_migration(void *arg, int version, const char *name, enum migration_state st,
	     const char *applied_at)
{
	struct cli *cli = arg;

	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "version", json_integer(version));
		json_object_set_new(o, "name", json_string(name));
		json_object_set_new(o, "state", json_string(state_names[st]));
		if (applied_at != NULL)
			json_object_set_new(o, "applied_at", json_string(applied_at));
		jsonl_emit(&cli->out, "migration", o);
	} else {
		printf("%-8s %s%s%s\n", state_names[st], name, applied_at ? "  " : "",
		       applied_at ? applied_at : "");
	}
}

int
front_migrate(int argc, char **argv)
{
	struct cli cli;
	struct migrate_opts o = { &cli, 0 };
	struct err e = ERR_INIT;
	int done, rc, n = 0;

	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	cli.no_schema_check = 1;
	if (cli_db(&cli, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (o.status) {
		if (db_migrate_status(cli.db, on_migration, &cli, &n, &e) < 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		if (cli.json) {
			json_t *s = json_object();

			json_object_set_new(s, "pending", json_integer(n));
			jsonl_emit(&cli.out, "migrate_status", s);
		} else {
			printf("%d pending\n", n);
		}
		return cli_finish(&cli, EXIT_OK);
	}
	if (db_migrate(cli.db, on_migration, &cli, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json) {
		json_t *s = json_object();

		json_object_set_new(s, "applied", json_integer(n));
		jsonl_emit(&cli.out, "migrate_done", s);
	} else {
		if (n > 0)
			printf("applied %d migration%s\n", n, n == 1 ? "" : "s");
		else
			printf("the schema is up to date\n");
	}
	return cli_finish(&cli, EXIT_OK);
}
