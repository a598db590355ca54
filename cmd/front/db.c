/* comradarr db init|start|stop|status: the embedded PostgreSQL cluster. */
#include <stdio.h>
#include <string.h>

#include "db/embedded.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt db_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static int
report(struct cli *cli, const char *event, const char *state, const char *sentence)
{
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "state", json_string(state));
		json_object_set_new(o, "home", json_string(cli->cfg.home));
		jsonl_emit(&cli->out, event, o);
	} else {
		printf("%s (%s)\n", sentence, cli->cfg.home);
	}
	return EXIT_OK;
}

static int
run_db(int argc, char **argv, const char *verb)
{
	struct cli_cmd cmd = { NULL, "", NULL, db_opts, NULL };
	char name[64];
	struct cli cli;
	struct err e = ERR_INIT;
	int done, rc, changed = 0;

	snprintf(name, sizeof(name), "comradarr db %s", verb);
	cmd.name = name;
	cmd.summary = strcmp(verb, "init") == 0 ? "Create the embedded PostgreSQL cluster under $COMRADARR_HOME." :
		      strcmp(verb, "start") == 0 ? "Start the embedded cluster (and create its database)." :
		      strcmp(verb, "stop") == 0 ? "Stop the embedded cluster." :
		      "Say whether the embedded cluster exists and runs (exit 0 running, 1 not).";
	rc = cli_init(&cli, &cmd, argc, argv, NULL, NULL, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli.cfg.database_url != NULL && strcmp(verb, "status") != 0)
		fprintf(stderr, "%s: note: DATABASE_URL is set, so the tools use that database, "
			"not this embedded one\n", name);
	if (strcmp(verb, "init") == 0) {
		if (db_embedded_init(&cli.cfg, &changed, &e) < 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		rc = report(&cli, "db_init", changed ? "created" : "exists",
			    changed ? "created the embedded database" : "the embedded database already exists");
	} else if (strcmp(verb, "start") == 0) {
		if (db_embedded_start(&cli.cfg, &changed, &e) < 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		rc = report(&cli, "db_start", changed ? "started" : "running",
			    changed ? "started the embedded database" : "the embedded database is already running");
	} else if (strcmp(verb, "stop") == 0) {
		if (db_embedded_stop(&cli.cfg, &changed, &e) < 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		rc = report(&cli, "db_stop", changed ? "stopped" : "not_running",
			    changed ? "stopped the embedded database" : "the embedded database was not running");
	} else {
		enum db_embedded_state st;

		if (db_embedded_status(&cli.cfg, &st, &e) < 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		report(&cli, "db_status",
		       st == DB_EMBEDDED_RUNNING ? "running" : st == DB_EMBEDDED_STOPPED ? "stopped" : "absent",
		       st == DB_EMBEDDED_RUNNING ? "the embedded database is running" :
		       st == DB_EMBEDDED_STOPPED ? "the embedded database is stopped" :
		       "there is no embedded database yet ('comradarr db init')");
		rc = st == DB_EMBEDDED_RUNNING ? EXIT_OK : EXIT_FAIL;
	}
	return cli_finish(&cli, rc);
}

static int db_init(int argc, char **argv) { return run_db(argc, argv, "init"); }
static int db_start(int argc, char **argv) { return run_db(argc, argv, "start"); }
static int db_stop(int argc, char **argv) { return run_db(argc, argv, "stop"); }
static int db_status(int argc, char **argv) { return run_db(argc, argv, "status"); }

int
front_db(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "init", "create the embedded PostgreSQL cluster", db_init },
		{ "start", "start it", db_start },
		{ "stop", "stop it", db_stop },
		{ "status", "is it there, is it running", db_status },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr db", subs, argc, argv);
}
