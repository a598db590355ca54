/*
 * comradarr priority set CONNECTOR series|episode|movie ID VALUE - a
 * priority override (Req 5.1), shown by `comradarr explain`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/admin.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt set_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static int
p_set(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr priority set", "CONNECTOR series|episode|movie ID VALUE",
		"Set a priority override from -1000 to 1000 (0 removes it).", set_opts,
		"A series' override applies to its episodes; an episode's or movie's own adds to it.\n"
		"ID is the *arr's id.  The next comradarr-enqueue orders by it; 'comradarr explain'\n"
		"shows it in the priority breakdown."
	};
	struct cli cli;
	struct err e = ERR_INIT;
	char *title = NULL;
	long id, value;
	int done, rc;

	rc = cli_init(&cli, &cmd, argc, argv, NULL, NULL, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc != 4) {
		cli_usage_error(cmd.name, "give CONNECTOR, series, episode or movie, the *arr's ID "
				"and the VALUE");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (strcmp(cli.argv[1], "series") != 0 && strcmp(cli.argv[1], "episode") != 0 &&
	    strcmp(cli.argv[1], "movie") != 0) {
		cli_usage_error(cmd.name, "'%s' is not series, episode or movie", cli.argv[1]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_parse_int(cmd.name, "ID", cli.argv[2], 1, 2147483647L, &id) < 0 ||
	    cli_parse_int(cmd.name, "VALUE", cli.argv[3], -1000, 1000, &value) < 0)
		return cli_finish(&cli, EXIT_USAGE);
	if (cli_db(&cli, &e) < 0 ||
	    db_priority_set(cli.db, cli.argv[0], cli.argv[1], (int)id, (int)value, &title, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "priority_set", json_pack("{s:s, s:s, s:i, s:i, s:s}",
			   "connector", cli.argv[0], "what", cli.argv[1], "id", (int)id,
			   "priority_override", (int)value, "title", title));
	else
		printf("%s %s %ld (%s): priority override %ld\n", cli.argv[0], cli.argv[1], id, title,
		       value);
	free(title);
	return cli_finish(&cli, EXIT_OK);
}

int
front_priority(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "set", "set a series', episode's or movie's priority override", p_set },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr priority", subs, argc, argv);
}
