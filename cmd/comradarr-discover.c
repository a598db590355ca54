/*
 * comradarr-discover [--connector NAME]... [--via-wanted] [--gaps|--upgrades]
 *                    [--summary]
 *
 * Find gap and upgrade candidates in the mirror, keep the search registry
 * in step, print one line per candidate.  The work is lib/stage/discover.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/log.h"
#include "db/connectors.h"
#include "db/db.h"
#include "stage/discover.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_WANTED = 2000, OPT_GAPS, OPT_UPGRADES, OPT_SUMMARY };


struct opts {
	struct cli *cli;
	struct cli_names named;
	int via_wanted, gaps, upgrades, summary;
};

static const struct cli_opt options[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector (repeatable; default: every "
	  "enabled, healthy one)" },
	{ "via-wanted", OPT_WANTED, NULL, "ask the *arr's wanted/missing and wanted/cutoff "
	  "instead of the mirror (a cross-check)" },
	{ "gaps", OPT_GAPS, NULL, "only gap candidates (missing items)" },
	{ "upgrades", OPT_UPGRADES, NULL, "only upgrade candidates" },
	{ "summary", OPT_SUMMARY, NULL, "print only the summary line of each connector" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-discover",
	"[--connector NAME]... [--via-wanted] [--gaps | --upgrades] [--summary] ",
	"Find missing items and upgrade candidates, and keep the search registry in step.",
	options,
	"Pipe it into comradarr-enqueue, e.g.\n"
	"  comradarr-discover | jq -c 'select(.series == \"Lost\")' | comradarr-enqueue\n"
	"Exit status: 0 all done or skipped, 1 every connector failed, 3 some failed.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR:
		return cli_names_add(&o->named, cmd.name, arg);
	case OPT_WANTED: o->via_wanted = 1; break;
	case OPT_GAPS: o->gaps = 1; break;
	case OPT_UPGRADES: o->upgrades = 1; break;
	case OPT_SUMMARY: o->summary = 1; break;
	default: break;
	}
	return 0;
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "-";
}

/* The human format: a table row per candidate, a sentence per connector. */
static void
human_line(void *arg, const char *event, json_t *o)
{
	int *header = arg;

	if (strcmp(event, "candidate") == 0) {
		char where[32] = "";

		if (!*header) {
			printf("%-12s %-7s %-7s %8s  %-8s %8s  %-10s %s\n", "CONNECTOR", "TYPE",
			       "KIND", "ID", "WHERE", "PRIORITY", "STATE", "TITLE");
			*header = 1;
		}
		if (strcmp(jstr(o, "kind"), "episode") == 0)
			snprintf(where, sizeof(where), "S%02dE%02d",
				 (int)json_integer_value(json_object_get(o, "season")),
				 (int)json_integer_value(json_object_get(o, "episode")));
		else
			snprintf(where, sizeof(where), "%d",
				 (int)json_integer_value(json_object_get(o, "year")));
		printf("%-12s %-7s %-7s %8lld  %-8s %8lld  %-10s %s%s%s\n", jstr(o, "connector"),
		       jstr(o, "type"), jstr(o, "kind"),
		       (long long)json_integer_value(json_object_get(o, "id")), where,
		       (long long)json_integer_value(json_object_get(o, "priority")),
		       jstr(o, "state"),
		       json_is_string(json_object_get(o, "series")) ? jstr(o, "series") : "",
		       json_is_string(json_object_get(o, "series")) ? ": " : "", jstr(o, "title"));
	} else if (strcmp(event, "discover_done") == 0) {
		printf("%s: %lld gaps, %lld upgrades; %lld new, %lld removed (%lld ms)\n",
		       jstr(o, "connector"),
		       (long long)json_integer_value(json_object_get(o, "gaps")),
		       (long long)json_integer_value(json_object_get(o, "upgrades")),
		       (long long)json_integer_value(json_object_get(o, "added")),
		       (long long)json_integer_value(json_object_get(o, "removed")),
		       (long long)json_integer_value(json_object_get(o, "duration_ms")));
	} else if (strcmp(event, "discover_skipped") == 0) {
		printf("%s: skipped (%s)\n", jstr(o, "connector"), jstr(o, "reason"));
	} else if (strcmp(event, "discover_failed") == 0) {
		printf("%s: failed: %s\n", jstr(o, "connector"), jstr(o, "message"));
	}
	fflush(stdout);
}

/* The named connectors (each must exist), else every enabled one whose
 * library can be trusted: not marked unhealthy or offline. */
static int
select_connectors(const struct opts *o, const struct connector *list, size_t n, int *pick,
		  struct err *e)
{
	for (size_t i = 0; i < n; i++)
		pick[i] = o->named.n == 0 && list[i].enabled &&
			  strcmp(list[i].type, "prowlarr") != 0 &&
			  strcmp(list[i].health, "unhealthy") != 0 &&
			  strcmp(list[i].health, "offline") != 0;
	return cli_pick_named(&o->named, list, n, pick, e);
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct secret_key k;
	struct connector *list = NULL;
	struct discover_opts dopts;
	size_t n = 0;
	int *pick = NULL;
	int done, rc, failed = 0, total = 0, header = 0;

	memset(&o, 0, sizeof(o));
	memset(&k, 0, sizeof(k));
	o.cli = &cli;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.via_wanted = o.via_wanted;
	dopts.gaps = o.gaps;
	dopts.upgrades = o.upgrades;
	dopts.quiet = o.summary;
	dopts.out = &cli.out;
	if (!cli.json) {
		dopts.line = human_line;
		dopts.line_arg = &header;
	}
	if (o.via_wanted)
		curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((o.via_wanted && cli_secret_key(&cli, &k, &e) < 0) || cli_db(&cli, &e) < 0 ||
	    db_connector_list(cli.db, &list, &n, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	dopts.key = o.via_wanted ? &k : NULL;
	pick = calloc(n + 1, sizeof(int));
	if (pick == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (select_connectors(&o, list, n, pick, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct discover_report r;
		struct err ce = ERR_INIT;

		if (!pick[i])
			continue;
		total++;
		if (discover_connector(cli.db, &list[i], &dopts, &r, &ce) < 0) {
			failed++;
			log_error("discover", "'%s': %s", list[i].name, ce.msg);
		}
	}
	rc = failed == 0 ? EXIT_OK : failed < total ? EXIT_PARTIAL : EXIT_FAIL;
out:
	free(pick);
	connector_list_free(list, n);
	secret_key_wipe(&k);
	if (o.via_wanted)
		curl_global_cleanup();
	return cli_finish(&cli, rc);
}
