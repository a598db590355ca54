/*
 * comradarr-enqueue [--connector NAME]... [--from-registry] [--limit N]
 *                   [--dry-run]
 *
 * Turn candidates into prioritised, batched searches in the request queue.
 * Candidate lines come from standard input when it is a pipe or a file
 * (comradarr-discover | comradarr-enqueue); otherwise, or with
 * --from-registry, every eligible entry is taken.  The work is
 * lib/stage/enqueue.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "stage/enqueue.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_LIMIT = 'n', OPT_REGISTRY = 2000, OPT_DRY_RUN };


struct opts {
	struct cli *cli;
	struct cli_names named;
	int from_registry, dry_run;
	long limit;
};

static const struct cli_opt options[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector (repeatable)" },
	{ "from-registry", OPT_REGISTRY, NULL, "ignore standard input: take every eligible "
	  "search entry" },
	{ "limit", OPT_LIMIT, "N", "at most N entries per connector, highest priority first" },
	{ "dry-run", OPT_DRY_RUN, NULL, "show the batches it would queue, write nothing" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-enqueue",
	"[--connector NAME]... [--from-registry] [--limit N] [--dry-run] ",
	"Queue prioritised, batched searches for candidates read from standard input, or for "
	"every eligible one.",
	options,
	"Exit status: 0 done, 1 failed, 3 some connectors failed; skipped input lines are\n"
	"reported (\"input_skipped\") and do not change the exit status.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR:
		return cli_names_add(&o->named, cmd.name, arg);
	case OPT_REGISTRY: o->from_registry = 1; break;
	case OPT_DRY_RUN: o->dry_run = 1; break;
	case OPT_LIMIT: return cli_parse_int(cmd.name, "--limit", arg, 1, 100000000, &o->limit);
	default: break;
	}
	return 0;
}

static long long
jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
human_line(void *arg, const char *event, json_t *o)
{
	(void)arg;
	if (strcmp(event, "queued") == 0) {
		printf("%s: batch %lld %s", json_string_value(json_object_get(o, "connector")),
		       jint(o, "batch"), json_string_value(json_object_get(o, "command")));
		if (json_is_integer(json_object_get(o, "season")))
			printf(" series %lld season %lld", jint(o, "series_id"), jint(o, "season"));
		printf(", %lld items, priority %lld, %lld indexer queries\n", jint(o, "items"),
		       jint(o, "priority"), jint(o, "indexer_queries"));
	} else if (strcmp(event, "input_skipped") == 0) {
		printf("line %lld skipped: %s\n", jint(o, "line"),
		       json_string_value(json_object_get(o, "reason")));
	} else if (strcmp(event, "enqueue_done") == 0) {
		printf("%lld batches (%lld season packs), %lld items queued; %lld waiting for a "
		       "season pack, %lld not eligible, %lld lines skipped\n", jint(o, "batches"),
		       jint(o, "season_packs"), jint(o, "items"), jint(o, "waiting"),
		       jint(o, "not_eligible"), jint(o, "bad_lines"));
	}
	fflush(stdout);
}

/* Standard input carries candidates when it is a pipe or a regular file;
 * a terminal or /dev/null (a timer's unit) means "from the registry". */
static int
stdin_has_input(void)
{
	struct stat st;

	if (isatty(STDIN_FILENO) || fstat(STDIN_FILENO, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || S_ISSOCK(st.st_mode);
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct enqueue_opts eo;
	struct enqueue_report r;
	int done, rc;

	memset(&o, 0, sizeof(o));
	o.cli = &cli;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	memset(&eo, 0, sizeof(eo));
	eo.in = !o.from_registry && stdin_has_input() ? stdin : NULL;
	eo.connectors = o.named.n > 0 ? o.named.names : NULL;
	eo.limit = o.limit;
	eo.dry_run = o.dry_run;
	eo.out = &cli.out;
	if (!cli.json)
		eo.line = human_line;
	if (cli_db(&cli, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (enqueue_run(cli.db, &eo, &r, &e) < 0) {
		if (r.connectors == 0 || r.failed == 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		return cli_finish(&cli, r.failed < r.connectors ? EXIT_PARTIAL : EXIT_FAIL);
	}
	return cli_finish(&cli, EXIT_OK);
}
