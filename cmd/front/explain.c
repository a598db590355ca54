/*
 * comradarr explain CONNECTOR episode|movie ID
 *
 * Why an item is or is not a search candidate, its registry entries with
 * their priority breakdown, and the batch it would join.  The work is
 * lib/stage/explain.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/explain.h"
#include "front/front.h"
#include "core/banned.h"

static const struct cli_opt opts[] = {
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr explain", "CONNECTOR episode|movie ID",
	"Say why an episode or movie is or is not a search candidate, its search state, "
	"priority breakdown and the batch it would join.",
	opts,
	"ID is the *arr's own id of the episode or movie, as comradarr-discover prints it."
};

static const char *
s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "-";
}

static void
verdict(json_t *o, const char *what)
{
	json_t *v = json_object_get(o, what), *w;
	size_t i;

	printf("%-9s %s", what, json_is_true(json_object_get(v, "candidate")) ? "yes" : "no");
	if (json_is_true(json_object_get(v, "candidate")) && json_object_get(v, "reason"))
		printf(" (%s)", s(v, "reason"));
	printf("\n");
	json_array_foreach(json_object_get(v, "why_not"), i, w)
		printf("          - %s\n", json_string_value(w));
}

static void
human(json_t *o)
{
	json_t *reg = json_object_get(o, "registry"), *r, *b = json_object_get(o, "batch");
	size_t i;

	if (strcmp(s(o, "kind"), "episode") == 0)
		printf("%s episode %lld: %s S%02lldE%02lld \"%s\", aired %s\n", s(o, "connector"),
		       (long long)json_integer_value(json_object_get(o, "id")), s(o, "series"),
		       (long long)json_integer_value(json_object_get(o, "season")),
		       (long long)json_integer_value(json_object_get(o, "episode")), s(o, "title"),
		       s(o, "air_date"));
	else
		printf("%s movie %lld: \"%s\" (%lld), released %s\n", s(o, "connector"),
		       (long long)json_integer_value(json_object_get(o, "id")), s(o, "title"),
		       (long long)json_integer_value(json_object_get(o, "year")),
		       s(o, "release_date"));
	verdict(o, "gap");
	verdict(o, "upgrade");
	if (json_array_size(reg) == 0)
		printf("registry  no entry\n");
	json_array_foreach(reg, i, r) {
		json_t *bd = json_object_get(r, "breakdown"), *q = json_object_get(r, "batch");

		printf("registry  %s: %s, %lld attempts, next eligible %s%s%s\n", s(r, "type"),
		       s(r, "state"), (long long)json_integer_value(json_object_get(r, "attempts")),
		       s(r, "next_eligible_at"), json_is_true(json_object_get(r, "pack_failed")) ?
		       ", a season pack found nothing" : "", "");
		printf("priority  %lld = base %lld + age %lld + type %lld + override %lld "
		       "%lld missing %lld failures %lld recent\n",
		       (long long)json_integer_value(json_object_get(bd, "score")),
		       (long long)json_integer_value(json_object_get(bd, "base")),
		       (long long)json_integer_value(json_object_get(bd, "content_age")),
		       (long long)json_integer_value(json_object_get(bd, "search_type")),
		       (long long)json_integer_value(json_object_get(bd, "override")),
		       (long long)json_integer_value(json_object_get(bd, "missing")),
		       (long long)json_integer_value(json_object_get(bd, "failures")),
		       (long long)json_integer_value(json_object_get(bd, "recent_search")));
		if (json_is_object(q))
			printf("queued    batch %lld (%s)\n",
			       (long long)json_integer_value(json_object_get(q, "id")), s(q, "command"));
	}
	printf("batch     %s", s(b, "command"));
	if (json_object_get(b, "season_reason") != NULL)
		printf(" (season: %s)", s(b, "season_reason"));
	printf(", up to %lld ids per command\n",
	       (long long)json_integer_value(json_object_get(b, "max_ids")));
}

int
front_explain(int argc, char **argv)
{
	struct cli cli;
	struct err e = ERR_INIT;
	enum registry_kind kind;
	json_t *out = NULL;
	long id;
	int done, rc;

	rc = cli_init(&cli, &cmd, argc, argv, NULL, NULL, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc != 3) {
		cli_usage_error(cmd.name, "give CONNECTOR, episode or movie, and the *arr's ID");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (registry_kind_parse(cli.argv[1], &kind) < 0) {
		cli_usage_error(cmd.name, "'%s' is not episode or movie", cli.argv[1]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_parse_int(cmd.name, "ID", cli.argv[2], 1, 2147483647L, &id) < 0)
		return cli_finish(&cli, EXIT_USAGE);
	if (cli_db(&cli, &e) < 0 || explain_item(cli.db, cli.argv[0], kind, (int)id, 0, &out, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "explain", out);
	else {
		human(out);
		json_decref(out);
	}
	return cli_finish(&cli, EXIT_OK);
}
