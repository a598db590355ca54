/*
 * comradarr queue pause|resume|clear|list|status - the search queue
 * (Req 7.2-7.3, 18 at the command line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/db.h"
#include "db/queue.h"
#include "db/throttle.h"
#include "front/front.h"
#include "policy/tz.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_LIMIT = 'n', OPT_REASON = 'r' };

struct qopts {
	struct cli *cli;
	const char *connector, *reason;
	long limit;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct qopts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR: o->connector = arg; break;
	case OPT_REASON: o->reason = arg; break;
	case OPT_LIMIT: return cli_parse_int("comradarr queue", "--limit", arg, 1, 1000000, &o->limit);
	default: break;
	}
	return 0;
}

static const struct cli_opt pause_opts[] = {
	{ "reason", OPT_REASON, "TEXT", "why, for the event and the status" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt clear_opts[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector's batches" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt list_opts[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector's batches" },
	{ "limit", OPT_LIMIT, "N", "at most N batches (default 50)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static int
start(struct cli *cli, struct qopts *o, const struct cli_cmd *cmd, int argc, char **argv,
      struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	o->cli = cli;
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc > 0) {
		cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[0]);
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

static int
pause_common(int argc, char **argv, const struct cli_cmd *cmd, int paused)
{
	struct cli cli;
	struct qopts o;
	struct err e = ERR_INIT;
	int rc = start(&cli, &o, cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_queue_set_paused(cli.db, paused, o.reason, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, paused ? "queue_paused" : "queue_resumed", NULL);
	else
		printf(paused ? "queue paused: no search is sent until 'comradarr queue resume'\n" :
		       "queue resumed\n");
	return cli_finish(&cli, EXIT_OK);
}

static int
q_pause(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr queue pause", "[--reason TEXT]",
		"Stop sending searches (batches in flight finish); the queue is kept.", pause_opts, NULL
	};

	return pause_common(argc, argv, &cmd, 1);
}

static int
q_resume(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr queue resume", "", "Send searches again.", plain_opts, NULL
	};

	return pause_common(argc, argv, &cmd, 0);
}

static int
q_clear(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr queue clear", "[--connector NAME]",
		"Remove waiting batches; their items return to pending for the next enqueue.",
		clear_opts, NULL
	};
	struct cli cli;
	struct qopts o;
	struct err e = ERR_INIT;
	long n = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_queue_clear(cli.db, o.connector, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "queue_cleared", json_pack("{s:I}", "batches", (json_int_t)n));
	else
		printf("removed %ld waiting batches\n", n);
	return cli_finish(&cli, EXIT_OK);
}

static int
q_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr queue list", "[--connector NAME] [--limit N]",
		"List batches in dispatch order: in flight first, then by priority.", list_opts, NULL
	};
	struct cli cli;
	struct qopts o;
	struct err e = ERR_INIT;
	struct db_queue_batch *list = NULL;
	size_t n = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_queue_list(cli.db, o.connector, o.limit > 0 ? o.limit : 50, &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json && n > 0)
		printf("%-8s %-14s %8s %7s %5s %-10s %s\n", "BATCH", "COMMAND", "PRIORITY", "QUERIES",
		       "ITEMS", "STATE", "IDS");
	for (size_t i = 0; i < n; i++) {
		const struct db_queue_batch *b = &list[i];
		const char *state = b->claimed_by[0] ? (b->command_id ? "sent" : "claimed") : "waiting";

		if (cli.json) {
			json_t *ids = json_array();

			for (int k = 0; k < b->nids; k++)
				json_array_append_new(ids, json_integer(b->arr_ids[k]));
			jsonl_emit(&cli.out, "queue_batch", json_pack("{s:I, s:s, s:i, s:i, s:I, s:s, s:o, s:s}",
				   "queue_id", (json_int_t)b->id, "command", b->command, "priority", b->priority,
				   "queries", b->indexer_queries, "items", (json_int_t)b->nitems,
				   "state", state, "arr_ids", ids, "claimed_by", b->claimed_by));
		} else {
			char ids[96] = "";
			size_t len = 0;

			if (b->season_number >= 0)
				snprintf(ids, sizeof(ids), "series %d season %d", b->series_arr_id,
					 b->season_number);
			for (int k = 0; k < b->nids && len + 12 < sizeof(ids); k++)
				len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%d", k ? "," : "",
							b->arr_ids[k]);
			printf("%-8lld %-14s %8d %7d %5zu %-10s %s\n", (long long)b->id, b->command,
			       b->priority, b->indexer_queries, b->nitems, state, ids);
		}
	}
	if (!cli.json && n == 0)
		printf("the queue is empty\n");
	for (size_t i = 0; i < n; i++)
		db_queue_batch_release(&list[i]);
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

/* One connector's throttle state, in words. */
static void
throttle_words(struct cli *cli, const struct db_queue_counts *c, json_t *j, char *out, size_t size)
{
	struct db_throttle_profile p;
	struct db_throttle_decision d;
	struct policy_tz tz;
	struct policy_tz_zone zone;
	struct err e = ERR_INIT;
	int64_t now = clock_now_us();

	snprintf(out, size, "?");
	if (policy_tz_zone_init(&tz, &zone, cli->cfg.tz ? cli->cfg.tz : "UTC", &e) < 0 ||
	    db_throttle_for_connector(cli->db, c->connector_id, &p, &e) < 0 ||
	    db_throttle_peek(cli->db, c->connector_id, &p.p, &tz, now, &d, &e) < 0)
		return;
	json_object_set_new(j, "profile", json_string(p.p.name));
	json_object_set_new(j, "window_used", json_integer(d.v.window_used));
	json_object_set_new(j, "rpm", json_integer(p.p.requests_per_minute));
	json_object_set_new(j, "spent_today", json_integer(d.spent_today));
	json_object_set_new(j, "daily_budget", json_integer(p.p.daily_budget));
	if (d.paused_until_us > now) {
		json_object_set_new(j, "paused", json_string(d.pause_reason));
		json_object_set_new(j, "paused_for_s", json_integer((d.paused_until_us - now) / 1000000));
		snprintf(out, size, "paused (%s) for %lld s", d.pause_reason,
			 (long long)((d.paused_until_us - now) / 1000000));
	} else if (p.p.daily_budget > 0 && d.spent_today >= p.p.daily_budget) {
		json_object_set_new(j, "paused", json_string("daily_budget"));
		snprintf(out, size, "budget spent until midnight");
	} else {
		snprintf(out, size, "%s %lld/%d per min, %lld/%d today", p.p.name,
			 (long long)d.v.window_used, p.p.requests_per_minute, (long long)d.spent_today,
			 p.p.daily_budget);
	}
}

static int
q_status(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr queue status", "[--json]",
		"Show the queue per connector: batches, in flight, throttle, pauses.", plain_opts, NULL
	};
	struct cli cli;
	struct qopts o;
	struct err e = ERR_INIT;
	struct db_queue_counts *list = NULL;
	size_t n = 0;
	int paused = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_seed_presets(cli.db, &e) < 0 || db_queue_paused(cli.db, &paused, &e) < 0 ||
	    db_queue_counts(cli.db, clock_now_us(), &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "queue_status", json_pack("{s:b}", "paused", paused));
	else
		printf("queue: %s\n\n%-14s %7s %7s %6s %8s %8s %8s  %s\n", paused ? "PAUSED" : "running",
		       "CONNECTOR", "BATCHES", "QUERIES", "DUE", "INFLIGHT", "COOLDOWN", "IMPORT", "THROTTLE");
	for (size_t i = 0; i < n; i++) {
		const struct db_queue_counts *c = &list[i];
		json_t *j = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				      "connector", c->connector, "health", c->health,
				      "batches", (json_int_t)c->batches, "queries", (json_int_t)c->queries,
				      "due", (json_int_t)c->due, "in_flight", (json_int_t)c->in_flight,
				      "expired_leases", (json_int_t)c->expired,
				      "cooldown", (json_int_t)c->cooldown,
				      "awaiting_import", (json_int_t)c->awaiting_import,
				      "exhausted", (json_int_t)c->exhausted);
		char words[160];

		throttle_words(&cli, c, j, words, sizeof(words));
		if (!c->enabled)
			snprintf(words, sizeof(words), "disabled");
		else if (c->auth_failed)
			snprintf(words, sizeof(words), "paused: API key refused (401)");
		else if (strcmp(c->health, "unhealthy") == 0 || strcmp(c->health, "offline") == 0)
			snprintf(words, sizeof(words), "paused: connector %s", c->health);
		if (cli.json)
			jsonl_emit(&cli.out, "queue_connector", j);
		else {
			printf("%-14s %7ld %7ld %6ld %8ld %8ld %8ld  %s\n", c->connector, c->batches,
			       c->queries, c->due, c->in_flight, c->cooldown, c->awaiting_import, words);
			json_decref(j);
		}
	}
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

int
front_queue(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "pause", "stop sending searches", q_pause },
		{ "resume", "send searches again", q_resume },
		{ "clear", "remove waiting batches", q_clear },
		{ "list", "list batches", q_list },
		{ "status", "per-connector counts, throttle and pauses", q_status },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr queue", subs, argc, argv);
}
