/*
 * comradarr stats [--connector NAME] [--from DATE] [--to DATE] [--by day|week]
 *                 [--csv]
 *
 * Search volume, success rate, indexer queries against the budget, gaps
 * filled, upgrades, discovery rate, queue depth and connector error rates,
 * per UTC day or ISO week and connector (Req 12).  The figures are
 * lib/db/stats.h's: the daily statistics comradarr-maint keeps, plus what
 * happened since it last ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "db/stats.h"
#include "db/throttle.h"
#include "front/front.h"
#include "policy/retention.h"
#include "core/banned.h"

enum { OPT_CONNECTOR = 'c', OPT_FROM = 'f', OPT_TO = 't', OPT_BY = 'b', OPT_CSV = 2000 };

struct sopts {
	struct db_stats_filter f;
	int csv, from_set;
	struct err e;
};

static const struct cli_opt options[] = {
	{ "connector", OPT_CONNECTOR, "NAME", "only this connector" },
	{ "from", OPT_FROM, "DATE", "first UTC day, YYYY-MM-DD (default: 30 days ago)" },
	{ "to", OPT_TO, "DATE", "last UTC day, YYYY-MM-DD (default: today)" },
	{ "by", OPT_BY, "day|week", "one row per day (default) or per ISO week" },
	{ "csv", OPT_CSV, NULL, "comma-separated values with a header line" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr stats",
	"[--connector NAME] [--from DATE] [--to DATE] [--by day|week] [--csv]",
	"Searches, success rate, queries against budget, gaps filled, upgrades, discovery, "
	"queue depth and error rates, per day or week.",
	options,
	"Days are UTC days.  Days that comradarr-maint has pruned keep their figures.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct sopts *o = ctx;

	switch (key) {
	case OPT_CONNECTOR: o->f.connector = arg; break;
	case OPT_FROM:
		o->from_set = 1;
		if (retention_parse_day("--from", arg, &o->f.from_day, &o->e) < 0)
			return cli_usage_error(cmd.name, "%s", o->e.msg);
		break;
	case OPT_TO:
		if (retention_parse_day("--to", arg, &o->f.to_day, &o->e) < 0)
			return cli_usage_error(cmd.name, "%s", o->e.msg);
		break;
	case OPT_BY:
		if (strcmp(arg, "day") != 0 && strcmp(arg, "week") != 0)
			return cli_usage_error(cmd.name, "--by takes day or week, not '%s'", arg);
		o->f.by_week = strcmp(arg, "week") == 0;
		break;
	case OPT_CSV: o->csv = 1; break;
	default: break;
	}
	return 0;
}

/* Every field of a row, in the order of the JSON lines and the CSV columns. */
static const char *const fields[] = {
	"period", "connector", "days", "searches", "grabbed", "success_rate", "no_results",
	"indexer_errors", "rate_limited", "timeouts", "errors", "indexer_queries", "budget",
	"items_grabbed", "gaps_filled", "upgrades_grabbed", "avg_search_ms", "max_search_ms",
	"discovered", "gaps_open", "upgrades_open", "queued", "queue_depth", "health_checks",
	"health_failures", "error_rate", "avg_response_ms", "max_response_ms", NULL
};

static json_t *
ratio(long num, long den)
{
	return den > 0 ? json_real((double)num / (double)den) : json_null();
}

static json_t *
maybe(long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *
row_json(const struct db_stats_row *x, long budget)
{
	json_t *o = json_object();

	json_object_set_new(o, "period", json_string(x->period));
	json_object_set_new(o, "connector", json_string(x->connector));
	json_object_set_new(o, "days", json_integer(x->days));
	json_object_set_new(o, "searches", json_integer(x->searches));
	json_object_set_new(o, "grabbed", json_integer(x->grabbed));
	json_object_set_new(o, "success_rate", ratio(x->grabbed, x->searches));
	json_object_set_new(o, "no_results", json_integer(x->no_results));
	json_object_set_new(o, "indexer_errors", json_integer(x->indexer_errors));
	json_object_set_new(o, "rate_limited", json_integer(x->rate_limited));
	json_object_set_new(o, "timeouts", json_integer(x->timeouts));
	json_object_set_new(o, "errors", json_integer(x->errors));
	json_object_set_new(o, "indexer_queries", json_integer(x->indexer_queries));
	json_object_set_new(o, "budget", maybe(budget));
	json_object_set_new(o, "items_grabbed", json_integer(x->items_grabbed));
	json_object_set_new(o, "gaps_filled", json_integer(x->gaps_filled));
	json_object_set_new(o, "upgrades_grabbed", json_integer(x->upgrades_grabbed));
	json_object_set_new(o, "avg_search_ms", x->searches > 0 ?
			    json_integer(x->search_ms_sum / x->searches) : json_null());
	json_object_set_new(o, "max_search_ms", json_integer(x->search_ms_max));
	json_object_set_new(o, "discovered", json_integer(x->discovered));
	json_object_set_new(o, "gaps_open", maybe(x->gaps_open));
	json_object_set_new(o, "upgrades_open", maybe(x->upgrades_open));
	json_object_set_new(o, "queued", json_integer(x->queued));
	json_object_set_new(o, "queue_depth", maybe(x->queue_depth));
	json_object_set_new(o, "health_checks", json_integer(x->health_checks));
	json_object_set_new(o, "health_failures", json_integer(x->health_failures));
	json_object_set_new(o, "error_rate", ratio(x->health_failures, x->health_checks));
	json_object_set_new(o, "avg_response_ms", x->responses > 0 ?
			    json_integer(x->response_ms_sum / x->responses) : json_null());
	json_object_set_new(o, "max_response_ms", x->responses > 0 ?
			    json_integer(x->response_ms_max) : json_null());
	return o;
}

static void
csv_value(json_t *v)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		if (strpbrk(s, ",\"\n") == NULL) {
			fputs(s, stdout);
			return;
		}
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else if (json_is_integer(v)) {
		printf("%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		printf("%.4f", json_real_value(v));
	}
}

static void
human_row(json_t *o)
{
	char rate[16] = "-", spend[32], ms[16] = "-", err[16] = "-", resp[16] = "-";
	json_t *sr = json_object_get(o, "success_rate"), *er = json_object_get(o, "error_rate");
	json_t *b = json_object_get(o, "budget"), *avg = json_object_get(o, "avg_search_ms");
	json_t *ar = json_object_get(o, "avg_response_ms");

	if (json_is_integer(ar))
		snprintf(resp, sizeof(resp), "%lld", (long long)json_integer_value(ar));

	if (json_is_real(sr))
		snprintf(rate, sizeof(rate), "%.0f%%", json_real_value(sr) * 100);
	if (json_is_real(er))
		snprintf(err, sizeof(err), "%.0f%%", json_real_value(er) * 100);
	if (json_is_integer(avg))
		snprintf(ms, sizeof(ms), "%lld", (long long)json_integer_value(avg));
	if (json_is_integer(b) && json_integer_value(b) > 0)
		snprintf(spend, sizeof(spend), "%lld/%lld",
			 (long long)json_integer_value(json_object_get(o, "indexer_queries")),
			 (long long)json_integer_value(b));
	else
		snprintf(spend, sizeof(spend), "%lld",
			 (long long)json_integer_value(json_object_get(o, "indexer_queries")));
	printf("%-10s %-14s %8lld %7lld %7s %13s %6lld %8lld %6lld %6lld %7s %6s %7s\n",
	       json_string_value(json_object_get(o, "period")),
	       json_string_value(json_object_get(o, "connector")),
	       (long long)json_integer_value(json_object_get(o, "searches")),
	       (long long)json_integer_value(json_object_get(o, "grabbed")), rate, spend,
	       (long long)json_integer_value(json_object_get(o, "gaps_filled")),
	       (long long)json_integer_value(json_object_get(o, "upgrades_grabbed")),
	       (long long)json_integer_value(json_object_get(o, "discovered")),
	       (long long)json_integer_value(json_object_get(o, "queued")), ms, err, resp);
}

/* Budgets already asked for: one query per connector, not per row. */
struct budgets {
	int64_t id[64];
	long budget[64];
	int n;
};

/* The connector's daily budget now (its profile's; 0 unlimited), -1 unknown. */
static long
daily_budget(struct cli *cli, struct budgets *b, int64_t connector_id)
{
	struct db_throttle_profile p;
	struct err e = ERR_INIT;
	long v;

	if (connector_id <= 0)
		return -1;
	for (int i = 0; i < b->n; i++)
		if (b->id[i] == connector_id)
			return b->budget[i];
	v = db_throttle_for_connector(cli->db, connector_id, &p, &e) < 0 ? -1 : p.p.daily_budget;
	if (b->n < 64) {
		b->id[b->n] = connector_id;
		b->budget[b->n++] = v;
	}
	return v;
}

int
front_stats(int argc, char **argv)
{
	struct cli cli;
	struct sopts o;
	struct err e = ERR_INIT;
	struct db_stats_row *rows = NULL;
	struct budgets budgets;
	size_t n = 0;
	int done, rc;

	memset(&o, 0, sizeof(o));
	memset(&budgets, 0, sizeof(budgets));
	o.f.from_day = o.f.to_day = -1;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (!o.from_set)	/* 30 days up to --to, or up to today */
		o.f.from_day = (o.f.to_day >= 0 ? o.f.to_day : clock_now_us() / RETENTION_DAY_US) - 30;
	if (o.f.to_day >= 0 && o.f.from_day > o.f.to_day) {
		cli_usage_error(cmd.name, "--from is after --to");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_db(&cli, &e) < 0 || db_stats_query(cli.db, &o.f, &rows, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (o.csv) {
		for (int i = 0; fields[i] != NULL; i++)
			printf("%s%s", i ? "," : "", fields[i]);
		putchar('\n');
	} else if (!cli.json) {
		printf("%-10s %-14s %8s %7s %7s %13s %6s %8s %6s %6s %7s %6s %7s\n", "PERIOD",
		       "CONNECTOR", "SEARCHES", "GRABBED", "SUCCESS", "QUERIES/BUDG", "FILLED",
		       "UPGRADED", "FOUND", "QUEUED", "AVG_MS", "ERRORS", "RESP_MS");
	}
	for (size_t i = 0; i < n; i++) {
		long b = daily_budget(&cli, &budgets, rows[i].connector_id);
		json_t *j = row_json(&rows[i], b > 0 ? b * rows[i].days : b);

		if (o.csv) {
			for (int k = 0; fields[k] != NULL; k++) {
				if (k)
					putchar(',');
				csv_value(json_object_get(j, fields[k]));
			}
			putchar('\n');
			json_decref(j);
		} else if (cli.json) {
			jsonl_emit(&cli.out, "stats", j);
		} else {
			human_row(j);
			json_decref(j);
		}
	}
	if (!cli.json && !o.csv && n == 0)
		printf("no statistics in that range\n");
	free(rows);
	return cli_finish(&cli, EXIT_OK);
}
