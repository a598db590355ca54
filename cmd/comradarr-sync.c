/*
 * comradarr-sync [--connector NAME]... [--full] [--health-only]
 *
 * Mirror each enabled connector's library (or check its health), one
 * process per connector so connectors sync concurrently, each with its own
 * database connection and HTTP client.  The work is lib/stage/sync.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/connectors.h"
#include "db/db.h"
#include "stage/sync.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_FULL = 'f', OPT_JOBS = 'j', OPT_HEALTH = 2000, OPT_FORCE };


struct opts {
	struct cli *cli;
	struct cli_names named;
	int full, health_only, force;
	long jobs;
};

static const struct cli_opt options[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector (repeatable; default: every "
	  "enabled one)" },
	{ "full", OPT_FULL, NULL, "full reconciliation: fetch everything, delete what is gone" },
	{ "health-only", OPT_HEALTH, NULL, "only check each connector's health and store it" },
	{ "force", OPT_FORCE, NULL, "sync even while a connector backs off after failures" },
	{ "jobs", OPT_JOBS, "N", "connectors synced at once (default 4)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-sync", "[--connector NAME]... [--full] [--health-only]",
	"Mirror the *arr libraries into the database, or check the connectors' health.",
	options,
	"Exit status: 0 all done or skipped, 1 every connector failed, 3 some failed.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR:
		return cli_names_add(&o->named, cmd.name, arg);
		break;
	case OPT_FULL: o->full = 1; break;
	case OPT_HEALTH: o->health_only = 1; break;
	case OPT_FORCE: o->force = 1; break;
	case OPT_JOBS: return cli_parse_int(cmd.name, "--jobs", arg, 1, 64, &o->jobs);
	default: break;
	}
	return 0;
}

/* On a terminal only: a pipe gets no progress (DESIGN.md). */
static void
on_progress(void *arg, const char *connector, long items, long total)
{
	int64_t *t0 = arg;
	double secs = (double)(clock_mono_us() - *t0) / 1e6;

	(void)total;
	fprintf(stderr, "\r%s: %ld items (%.0f/s)   ", connector, items,
		secs > 0 ? (double)items / secs : 0.0);
	fflush(stderr);
}

static void
human(const struct connector *c, const struct sync_report *r, const struct err *e)
{
	if (r->status == SYNC_SKIPPED)
		printf("%s: skipped (%s)\n", c->name, r->reason);
	else if (r->status == SYNC_FAILED)
		printf("%s: failed: %s\n", c->name, e->msg);
	else if (r->health[0] != '\0')
		printf("%s: %s (was %s)\n", c->name, r->health, r->previous_health);
	else
		printf("%s: %s sync in %lld ms: %ld listed, %ld refetched, %ld events, "
		       "%lu requests\n", c->name, r->full ? "full" : "incremental",
		       (long long)r->duration_ms, r->items_listed, r->refetched, r->counts.events,
		       r->api_calls);
	fflush(stdout);
}

/* One connector, in this process: 0 done or skipped, 1 failed. */
static int
run_one(struct cli *cli, const struct opts *o, const struct connector *c,
	const struct secret_key *k, int threshold)
{
	struct sync_opts so;
	struct sync_report r;
	struct err e = ERR_INIT;
	PGconn *db = NULL;
	char corr[17];
	int64_t t0 = clock_mono_us();
	int rc = 1;

	log_new_correlation_id(corr, sizeof(corr));
	log_set_correlation_id(corr);
	memset(&so, 0, sizeof(so));
	memset(&r, 0, sizeof(r));
	so.full = o->full;
	so.health_only = o->health_only;
	so.force = o->force || o->named.n > 0;
	so.failure_threshold = threshold;
	so.key = k;
	so.out = cli->json ? &cli->out : NULL;
	if (isatty(STDERR_FILENO)) {
		so.progress = on_progress;
		so.progress_arg = &t0;
	}
	if (db_connect(&cli->cfg, cmd.name, &db, &e) < 0) {
		r.status = SYNC_FAILED;
		log_error("sync", "'%s': %s", c->name, e.msg);
	} else if (sync_connector(db, c, &so, &r, &e) == 0) {
		rc = 0;
	}
	if (so.progress != NULL)
		fputs("\r\033[K", stderr);
	if (!cli->json)
		human(c, &r, &e);
	else if (r.status == SYNC_FAILED && db == NULL)
		jsonl_emit(&cli->out, "sync_failed", json_pack("{s:s, s:s, s:s}", "connector",
			   c->name, "error", err_kind_name(e.kind), "message", e.msg));
	if (db != NULL)
		PQfinish(db);
	return rc;
}

/* Pick the connectors: the named ones (each must exist), else all enabled. */
static int
select_connectors(const struct opts *o, struct connector *list, size_t n, int *pick,
		  struct err *e)
{
	for (size_t i = 0; i < n; i++)
		pick[i] = o->named.n == 0 && list[i].enabled &&
			  (o->health_only || strcmp(list[i].type, "prowlarr") != 0);
	return cli_pick_named(&o->named, list, n, pick, e);
}

static int
run_all(struct cli *cli, const struct opts *o, struct connector *list, size_t n,
	const int *pick, const struct secret_key *k, int threshold, int *failed, int *total)
{
	size_t i;
	int running = 0, status;
	pid_t pid;

	*failed = *total = 0;
	for (i = 0; i < n; i++)
		*total += pick[i];
	if (*total == 1) {
		for (i = 0; i < n; i++)
			if (pick[i])
				*failed += run_one(cli, o, &list[i], k, threshold);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!pick[i])
			continue;
		while (running >= o->jobs && wait(&status) > 0) {
			running--;
			*failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			log_error("sync", "cannot start a process for '%s': %m", list[i].name);
			(*failed)++;
			continue;
		}
		if (pid == 0) {
			int rc = run_one(cli, o, &list[i], k, threshold);

			fflush(NULL);
			_exit(rc);
		}
		running++;
	}
	while (running > 0 && wait(&status) > 0) {
		running--;
		*failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct secret_key k;
	struct connector *list = NULL;
	size_t n = 0;
	int *pick = NULL;
	int done, rc, threshold, failed = 0, total = 0;

	memset(&o, 0, sizeof(o));
	memset(&k, 0, sizeof(k));
	o.cli = &cli;
	o.jobs = 4;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (o.full && o.health_only) {
		cli_usage_error(cmd.name, "--full and --health-only do not go together");
		return cli_finish(&cli, EXIT_USAGE);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cli_secret_key(&cli, &k, &e) < 0 || cli_db(&cli, &e) < 0 ||
	    db_connector_list(cli.db, &list, &n, &e) < 0 ||
	    sync_failure_threshold(cli.db, &threshold, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
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
	/* Every process makes its own connection: a socket must not be shared. */
	PQfinish(cli.db);
	cli.db = NULL;
	run_all(&cli, &o, list, n, pick, &k, threshold, &failed, &total);
	if (cli.json)
		jsonl_emit(&cli.out, "sync_summary", json_pack("{s:i, s:i, s:s}", "connectors", total,
			   "failed", failed, "mode", o.health_only ? "health" : o.full ? "full" :
			   "incremental"));
	rc = failed == 0 ? EXIT_OK : failed < total ? EXIT_PARTIAL : EXIT_FAIL;
out:
	free(pick);
	connector_list_free(list, n);
	secret_key_wipe(&k);
	curl_global_cleanup();
	return cli_finish(&cli, rc);
}
