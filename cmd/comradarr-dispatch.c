/*
 * comradarr-dispatch [--once | --loop [--interval SECONDS]] [--connector NAME]
 *
 * Send the queued searches to the *arr apps under each connector's throttle
 * profile, wait for each command, and record what it found.  The work is
 * lib/stage/dispatch.h; several of these may run at once, on several hosts,
 * against one database.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "stage/dispatch.h"
#include "common/cli.h"
#include "core/banned.h"

enum {
	OPT_CONNECTOR = 'c', OPT_ONCE = 'o', OPT_LOOP = 'l', OPT_INTERVAL = 'i',
	OPT_LEASE = 2000, OPT_TIMEOUT, OPT_POLL, OPT_MAX_WAIT, OPT_MAX_BATCHES, OPT_WORKER
};

struct opts {
	struct cli *cli;
	const char *connector, *worker;
	int loop;
	long interval, lease, timeout, poll, max_wait, max_batches;
};

static const struct cli_opt options[] = {
	{ "once", OPT_ONCE, NULL, "one cycle: send what is due, then exit (the default)" },
	{ "loop", OPT_LOOP, NULL, "run cycles until stopped (SIGTERM finishes the batch in hand)" },
	{ "interval", OPT_INTERVAL, "SECONDS", "pause between cycles with --loop (default 60)" },
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector (default: every enabled one)" },
	{ "lease", OPT_LEASE, "SECONDS", "claim lease, renewed while waiting (default 60)" },
	{ "command-timeout", OPT_TIMEOUT, "SECONDS", "deadline for a command to finish (default 600)" },
	{ "poll", OPT_POLL, "MS", "interval between command polls (default 2000)" },
	{ "max-wait", OPT_MAX_WAIT, "SECONDS", "longest wait for the rate window in a cycle "
	  "(default 300; 0 = never wait)" },
	{ "max-batches", OPT_MAX_BATCHES, "N", "stop a cycle after N batches (default: no limit)" },
	{ "worker", OPT_WORKER, "NAME", "name recorded on claims (default HOST:PID)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-dispatch", "[--once | --loop [--interval SECONDS]] [--connector NAME]",
	"Send queued searches to the *arr apps under the throttle, and record their outcomes.",
	options,
	"Exit status: 0 done (nothing due is success), 1 failed, 3 some connectors failed.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_ONCE: o->loop = 0; break;
	case OPT_LOOP: o->loop = 1; break;
	case OPT_CONNECTOR: o->connector = arg; break;
	case OPT_WORKER: o->worker = arg; break;
	case OPT_INTERVAL: return cli_parse_int(cmd.name, "--interval", arg, 1, 86400, &o->interval);
	case OPT_LEASE: return cli_parse_int(cmd.name, "--lease", arg, 1, 86400, &o->lease);
	case OPT_TIMEOUT: return cli_parse_int(cmd.name, "--command-timeout", arg, 1, 86400, &o->timeout);
	case OPT_POLL: return cli_parse_int(cmd.name, "--poll", arg, 1, 600000, &o->poll);
	case OPT_MAX_WAIT: return cli_parse_int(cmd.name, "--max-wait", arg, 0, 86400, &o->max_wait);
	case OPT_MAX_BATCHES:
		return cli_parse_int(cmd.name, "--max-batches", arg, 1, 100000000, &o->max_batches);
	default: break;
	}
	return 0;
}

/*
 * A testing aid for the crash tests: COMRADARR_CRASH_AT=claimed|posted|
 * recorded|polling|decided kills this process with SIGKILL the Nth time
 * (COMRADARR_CRASH_AFTER, default 1) it reaches that point.
 */
struct crash {
	int point;
	long after;
};

static void
crash_hook(void *arg, enum dispatch_point at)
{
	struct crash *c = arg;

	if ((int)at == c->point && --c->after <= 0) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
}

static int
crash_setup(struct crash *c)
{
	static const char *const names[DISPATCH_POINT_MAX] = {
		"claimed", "posted", "recorded", "polling", "decided"
	};
	const char *at = getenv("COMRADARR_CRASH_AT"), *after = getenv("COMRADARR_CRASH_AFTER");

	c->point = -1;
	c->after = after != NULL ? strtol(after, NULL, 10) : 1;
	for (int i = 0; at != NULL && i < DISPATCH_POINT_MAX; i++)
		if (strcmp(at, names[i]) == 0)
			c->point = i;
	return c->point >= 0;
}

static void
human(const struct dispatch_report *r)
{
	printf("dispatched %ld batches (%ld sent, %ld indexer queries): %ld entries grabbed, "
	       "%ld batches found nothing, %ld failed; %ld rescued, %ld given back; "
	       "%ld items no longer needed a search (%ld batches not sent)%s\n",
	       r->batches, r->sent, r->queries, r->grabbed, r->no_results, r->failed, r->rescued,
	       r->released, r->dropped, r->resolved, r->errors > 0 ? "; some steps failed (see the log)" : "");
	fflush(stdout);
}

static int
round_once(struct cli *cli, void *ctx)
{
	struct dispatch_opts *d = ctx;
	struct dispatch_report r;
	struct err e = ERR_INIT;
	int rc;

	if (dispatch_run(cli->db, d, &r, &e) < 0)
		return cli_fail(cli, &e);
	rc = r.connectors_failed == 0 ? EXIT_OK :
	     r.connectors_failed < r.connectors ? EXIT_PARTIAL : EXIT_FAIL;
	/* a step that failed (logged, a dispatch_error line) is part undone */
	if (rc == EXIT_OK && r.errors > 0)
		rc = EXIT_PARTIAL;
	if (!cli->json)
		human(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct secret_key k;
	struct dispatch_opts d;
	struct policy_tz tz;
	struct policy_tz_zone zone;
	struct crash crash;
	int done, rc;

	memset(&o, 0, sizeof(o));
	memset(&k, 0, sizeof(k));
	o.cli = &cli;
	o.interval = 60;
	o.max_wait = -2;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	cli_catch_stop();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (policy_tz_zone_init(&tz, &zone, cli.cfg.tz != NULL ? cli.cfg.tz : "UTC", &e) < 0 ||
	    cli_secret_key(&cli, &k, &e) < 0 || cli_db(&cli, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	memset(&d, 0, sizeof(d));
	d.key = &k;
	d.connector = o.connector;
	d.worker = o.worker;
	d.tz = &tz;
	d.lease_s = (int)o.lease;
	d.poll_ms = o.poll;
	d.command_timeout_s = (int)o.timeout;
	d.max_wait_ms = o.max_wait == -2 ? 0 : o.max_wait == 0 ? -1 : o.max_wait * 1000;
	d.max_batches = o.max_batches;
	d.out = cli.json ? &cli.out : NULL;
	d.stop = cli_stop_flag();
	if (crash_setup(&crash)) {
		d.hook = crash_hook;
		d.hook_arg = &crash;
	}
	rc = cli_rounds(&cli, o.loop, o.interval, round_once, &d);
out:
	secret_key_wipe(&k);
	curl_global_cleanup();
	return cli_finish(&cli, rc);
}
