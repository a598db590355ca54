/*
 * comradarr schedule add|list|show|edit|rm|enable|disable|next|run - sweep
 * schedules (Req 8, 19 at the command line).  What "due" means and how a
 * sweep runs is lib/stage/sweep.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/schedule.h"
#include "front/front.h"
#include "stage/sweep.h"
#include "core/name.h"
#include "core/banned.h"

enum {
	OPT_CRON = 2000,
	OPT_CONNECTOR,
	OPT_ALL,
	OPT_SWEEP,
	OPT_ZONE,
	OPT_MAX,
	OPT_DISABLED,
	OPT_NAME,
	OPT_COUNT
};

struct sopts {
	const char *cron, *connector, *sweep, *zone, *new_name;
	int all_connectors, disabled;
	long max_items;		/* -1: not given */
	long count;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct sopts *o = ctx;

	switch (key) {
	case OPT_CRON: o->cron = arg; break;
	case OPT_CONNECTOR: o->connector = arg; break;
	case OPT_ALL: o->all_connectors = 1; break;
	case OPT_SWEEP:
		if (strcmp(arg, "gaps") != 0 && strcmp(arg, "upgrades") != 0 && strcmp(arg, "all") != 0)
			return cli_usage_error("comradarr schedule",
					       "--sweep is gaps, upgrades or all, not '%s'", arg);
		o->sweep = arg;
		break;
	case OPT_ZONE: o->zone = arg; break;
	case OPT_MAX:
		return cli_parse_int("comradarr schedule", "--max-items", arg, 0, 1000000, &o->max_items);
	case OPT_DISABLED: o->disabled = 1; break;
	case OPT_NAME: o->new_name = arg; break;
	case OPT_COUNT:
		return cli_parse_int("comradarr schedule", "--count", arg, 1, 1000, &o->count);
	default: break;
	}
	return 0;
}

static const struct cli_opt add_opts[] = {
	{ "cron", OPT_CRON, "EXPR", "when: 5 fields (minute hour day month weekday) or @hourly, "
	  "@daily, @weekly, @monthly (required)" },
	{ "connector", OPT_CONNECTOR, "NAME", "sweep this connector" },
	{ "all-connectors", OPT_ALL, NULL, "sweep every enabled connector" },
	{ "sweep", OPT_SWEEP, "KIND", "gaps, upgrades or all (default all)" },
	{ "zone", OPT_ZONE, "ZONE", "IANA time zone the expression is read in (default $TZ, "
	  "else UTC)" },
	{ "max-items", OPT_MAX, "N", "queue at most N searches per connector and run "
	  "(default: no limit)" },
	{ "disabled", OPT_DISABLED, NULL, "add it disabled" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt edit_opts[] = {
	{ "name", OPT_NAME, "NEW", "rename it" },
	{ "cron", OPT_CRON, "EXPR", "a new expression" },
	{ "connector", OPT_CONNECTOR, "NAME", "sweep this connector instead" },
	{ "all-connectors", OPT_ALL, NULL, "sweep every enabled connector instead" },
	{ "sweep", OPT_SWEEP, "KIND", "gaps, upgrades or all" },
	{ "zone", OPT_ZONE, "ZONE", "a new time zone" },
	{ "max-items", OPT_MAX, "N", "queue at most N searches per connector (0: no limit)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt next_opts[] = {
	{ "count", OPT_COUNT, "N", "how many runs to list (default 5)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

/* want_name: 1 one NAME, 0 none, 2 at most one */
static int
start(struct cli *cli, struct sopts *o, const struct cli_cmd *cmd, int argc, char **argv,
      int want_name, struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	o->max_items = -1;
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (want_name == 1 && cli->argc != 1) {
		cli_usage_error(cmd->name, cli->argc ? "give exactly one schedule name" :
				"which schedule? give its name");
		return EXIT_USAGE;
	}
	if (want_name != 1 && cli->argc > (want_name == 2 ? 1 : 0)) {
		cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[cli->argc - 1]);
		return EXIT_USAGE;
	}
	if (o->connector != NULL && o->all_connectors) {
		cli_usage_error(cmd->name, "give --connector NAME or --all-connectors, not both");
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

const char *
front_default_zone(const struct cli *cli)
{
	/* the config already checked TZ against the zoneinfo database */
	return cli->cfg.tz != NULL && cli->cfg.tz[0] != '\0' ? cli->cfg.tz : "UTC";
}

/* "2026-03-29 03:00 +02:00": t (seconds) on the wall clock of offset off. */
static void
fmt_local(int64_t t, int32_t off, char *buf, size_t size)
{
	int64_t l = t + off, days = policy_floor_div(l, 86400), y, secs = l - days * 86400;
	int m, d, a = off < 0 ? -off : off;

	policy_civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04lld-%02d-%02d %02d:%02d %c%02d:%02d", (long long)y, m, d,
		 (int)(secs / 3600), (int)(secs % 3600 / 60), off < 0 ? '-' : '+', a / 3600,
		 a % 3600 / 60);
}

static void
fmt_ts(int64_t us, char *buf, size_t size)
{
	if (us <= 0)
		snprintf(buf, size, "-");
	else
		jsonl_format_ts(us, buf, size);
}

/* A schedule as a JSON object: its settings, description, next run and last run. */
json_t *
front_schedule_json(const struct schedule *s, int64_t now_s)
{
	json_t *o = json_object();
	struct sweep_when w;
	char buf[300];
	int64_t next;

	json_object_set_new(o, "schedule", json_string(s->name));
	if (s->connector[0] != '\0')
		json_object_set_new(o, "connector", json_string(s->connector));
	else
		json_object_set_new(o, "all_connectors", json_true());
	json_object_set_new(o, "sweep", json_string(s->sweep));
	json_object_set_new(o, "cron", json_string(s->cron));
	json_object_set_new(o, "zone", json_string(s->zone));
	json_object_set_new(o, "max_items", s->max_items > 0 ? json_integer(s->max_items) :
			    json_null());
	json_object_set_new(o, "enabled", json_boolean(s->enabled));
	if (sweep_check(s->cron, s->zone, &w, NULL, 0, NULL) == 0) {
		sweep_describe(&w, s->zone, buf, sizeof(buf));
		json_object_set_new(o, "description", json_string(buf));
		if (s->enabled && sweep_next(&w, now_s, &next, 1, NULL) == 1) {
			fmt_ts(next * 1000000, buf, sizeof(buf));
			json_object_set_new(o, "next", json_string(buf));
		}
	}
	if (s->last_status[0] != '\0') {
		json_t *r = json_object();

		fmt_ts(s->last_run_due_us, buf, sizeof(buf));
		json_object_set_new(r, "due", json_string(buf));
		json_object_set_new(r, "status", json_string(s->last_status));
		fmt_ts(s->last_started_us, buf, sizeof(buf));
		json_object_set_new(r, "started", json_string(buf));
		if (s->last_finished_us > 0) {
			fmt_ts(s->last_finished_us, buf, sizeof(buf));
			json_object_set_new(r, "finished", json_string(buf));
		}
		json_object_set_new(r, "found", json_integer(s->last_found));
		json_object_set_new(r, "queued", json_integer(s->last_queued));
		json_object_set_new(o, "last_run", r);
	}
	return o;
}

static const char *
jstr(json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : dflt;
}

static void
print_show(const struct schedule *s, int64_t now_s)
{
	json_t *o = front_schedule_json(s, now_s), *r = json_object_get(o, "last_run");

	char max[48];

	if (s->max_items > 0)
		snprintf(max, sizeof(max), "%ld per connector", s->max_items);
	else
		snprintf(max, sizeof(max), "no limit");
	printf("name:        %s\nconnector:   %s\nsweep:       %s\ncron:        %s\n"
	       "zone:        %s\nwhen:        %s\nmax items:   %s\nenabled:     %s\nnext run:    %s\n",
	       s->name, s->connector[0] ? s->connector : "(every enabled connector)", s->sweep,
	       s->cron, s->zone, jstr(o, "description", "?"), max, s->enabled ? "yes" : "no",
	       jstr(o, "next", "-"));
	if (r != NULL)
		printf("last run:    due %s, %s (%lld found, %lld queued)\n", jstr(r, "due", "?"),
		       jstr(r, "status", "?"),
		       (long long)json_integer_value(json_object_get(r, "found")),
		       (long long)json_integer_value(json_object_get(r, "queued")));
	else
		printf("last run:    never\n");
	json_decref(o);
}

/* Check cron and zone; a warning goes to stderr (and the JSON line). */
static int
check_when(const struct schedule *s, char *warn, size_t size, struct err *e)
{
	if (sweep_check(s->cron, s->zone, NULL, warn, size, e) < 0)
		return -1;
	if (warn[0] != '\0')
		fprintf(stderr, "%s: warning: %s\n", "comradarr schedule", warn);
	return 0;
}

static int
s_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule add",
		"NAME --cron EXPR (--connector NAME | --all-connectors) [options]",
		"Add a sweep schedule: when to look for gaps and upgrades and queue their searches.",
		add_opts, NULL
	};
	struct cli cli;
	struct sopts o;
	struct schedule s;
	struct err e = ERR_INIT;
	char warn[256];
	int rc;

	rc = start(&cli, &o, &cmd, argc, argv, 1, &e);
	if (rc != 0)
		goto out;
	if (o.cron == NULL || (o.connector == NULL && !o.all_connectors)) {
		cli_usage_error(cmd.name, o.cron == NULL ? "--cron is required" :
				"which connector? give --connector NAME or --all-connectors");
		rc = EXIT_USAGE;
		goto out;
	}
	memset(&s, 0, sizeof(s));
	if (strlen(cli.argv[0]) >= sizeof(s.name) || strlen(o.cron) >= sizeof(s.cron)) {
		err_set(&e, ERR_USAGE, "the name or the cron expression is too long");
		rc = cli_fail(&cli, &e);
		goto out;
	}
	snprintf(s.name, sizeof(s.name), "%s", cli.argv[0]);
	snprintf(s.connector, sizeof(s.connector), "%s", o.connector ? o.connector : "");
	snprintf(s.sweep, sizeof(s.sweep), "%s", o.sweep ? o.sweep : "all");
	snprintf(s.cron, sizeof(s.cron), "%s", o.cron);
	snprintf(s.zone, sizeof(s.zone), "%s", o.zone ? o.zone : front_default_zone(&cli));
	s.max_items = o.max_items > 0 ? o.max_items : 0;
	s.enabled = !o.disabled;
	/* the argument, not the copy: a name too long for it must not pass cut */
	if (name_check("schedule", cli.argv[0], &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (check_when(&s, warn, sizeof(warn), &e) < 0 ||
	    db_schedule_add(cli.db, &s, clock_now_us(), &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json) {
		json_t *j = front_schedule_json(&s, clock_now());

		if (warn[0] != '\0')
			json_object_set_new(j, "warning", json_string(warn));
		jsonl_emit(&cli.out, "schedule_added", j);
	} else {
		json_t *j = front_schedule_json(&s, clock_now());

		printf("added schedule '%s': %s %s, %s; next run %s\n", s.name, s.sweep,
		       s.connector[0] ? s.connector : "of every connector",
		       jstr(j, "description", "?"), jstr(j, "next", "never"));
		json_decref(j);
	}
	rc = EXIT_OK;
out:
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
s_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule list", "",
		"List the schedules with their next run and their last run's result.", plain_opts, NULL
	};
	struct cli cli;
	struct sopts o;
	struct schedule *list = NULL;
	struct err e = ERR_INIT;
	size_t n = 0;
	int rc;

	rc = start(&cli, &o, &cmd, argc, argv, 0, &e);
	if (rc != 0)
		goto out;
	if (db_schedule_list(cli.db, &list, &n, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (!cli.json && n > 0)
		printf("%-20s %-12s %-8s %-7s %-24s %-8s %s\n", "NAME", "CONNECTOR", "SWEEP", "ENABLED",
		       "NEXT", "LAST", "WHEN");
	for (size_t i = 0; i < n; i++) {
		json_t *j = front_schedule_json(&list[i], clock_now());

		if (cli.json) {
			jsonl_emit(&cli.out, "schedule", j);
			continue;
		}
		printf("%-20s %-12s %-8s %-7s %-24s %-8s %s\n", list[i].name,
		       list[i].connector[0] ? list[i].connector : "(all)", list[i].sweep,
		       list[i].enabled ? "yes" : "no", jstr(j, "next", "-"),
		       list[i].last_status[0] ? list[i].last_status : "never",
		       jstr(j, "description", list[i].cron));
		json_decref(j);
	}
	if (!cli.json && n == 0)
		printf("no schedules; add one with 'comradarr schedule add NAME --cron \"0 * * * *\" "
		       "--connector NAME'\n");
	rc = EXIT_OK;
out:
	free(list);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
s_show(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule show", "NAME", "Show one schedule, its next run and its last run.",
		plain_opts, NULL
	};
	struct cli cli;
	struct sopts o;
	struct schedule s;
	struct err e = ERR_INIT;
	int rc;

	rc = start(&cli, &o, &cmd, argc, argv, 1, &e);
	if (rc != 0)
		goto out;
	if (db_schedule_get(cli.db, cli.argv[0], &s, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json)
		jsonl_emit(&cli.out, "schedule", front_schedule_json(&s, clock_now()));
	else
		print_show(&s, clock_now());
	rc = EXIT_OK;
out:
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

/* edit, enable and disable load, change and save. */
static int
edit_common(int argc, char **argv, const struct cli_cmd *cmd, int force_enabled)
{
	struct cli cli;
	struct sopts o;
	struct schedule s;
	struct err e = ERR_INIT;
	char warn[256] = "";
	int rc;

	rc = start(&cli, &o, cmd, argc, argv, 1, &e);
	if (rc != 0)
		goto out;
	if (db_schedule_get(cli.db, cli.argv[0], &s, &e) < 0)
		goto fail;
	if (o.new_name != NULL) {
		if (name_check("schedule", o.new_name, &e) < 0)
			goto fail;
		snprintf(s.name, sizeof(s.name), "%s", o.new_name);
	}
	if (o.cron != NULL) {
		if (strlen(o.cron) >= sizeof(s.cron)) {
			err_set(&e, ERR_USAGE, "the cron expression is too long");
			goto fail;
		}
		snprintf(s.cron, sizeof(s.cron), "%s", o.cron);
	}
	if (o.zone != NULL)
		snprintf(s.zone, sizeof(s.zone), "%s", o.zone);
	if (o.sweep != NULL)
		snprintf(s.sweep, sizeof(s.sweep), "%s", o.sweep);
	if (o.connector != NULL)
		snprintf(s.connector, sizeof(s.connector), "%s", o.connector);
	if (o.all_connectors)
		s.connector[0] = '\0';
	if (o.max_items >= 0)
		s.max_items = o.max_items;
	if (force_enabled >= 0)
		s.enabled = force_enabled;
	if ((o.cron != NULL || o.zone != NULL) && check_when(&s, warn, sizeof(warn), &e) < 0)
		goto fail;
	if (db_schedule_update(cli.db, &s, clock_now_us(), &e) < 0)
		goto fail;
	if (cli.json) {
		json_t *j = front_schedule_json(&s, clock_now());

		if (warn[0] != '\0')
			json_object_set_new(j, "warning", json_string(warn));
		jsonl_emit(&cli.out, "schedule_updated", j);
	} else {
		printf("updated schedule '%s'%s\n", s.name,
		       force_enabled == 1 ? " (enabled)" : force_enabled == 0 ? " (disabled)" : "");
	}
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
s_edit(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule edit", "NAME [options]",
		"Change a schedule; a new expression or zone counts from now.", edit_opts, NULL
	};

	return edit_common(argc, argv, &cmd, -1);
}

static int
s_enable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule enable", "NAME", "Enable a schedule.", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 1);
}

static int
s_disable(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule disable", "NAME",
		"Disable a schedule: it never runs until enabled (the times it misses are not "
		"caught up beyond the last one).", plain_opts, NULL
	};

	return edit_common(argc, argv, &cmd, 0);
}

static int
s_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule rm", "NAME", "Remove a schedule and its run history.", plain_opts, NULL
	};
	struct cli cli;
	struct sopts o;
	struct err e = ERR_INIT;
	int rc;

	rc = start(&cli, &o, &cmd, argc, argv, 1, &e);
	if (rc != 0)
		goto out;
	if (db_schedule_remove(cli.db, cli.argv[0], &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (cli.json) {
		json_t *j = json_object();

		json_object_set_new(j, "schedule", json_string(cli.argv[0]));
		jsonl_emit(&cli.out, "schedule_removed", j);
	} else {
		printf("removed schedule '%s'\n", cli.argv[0]);
	}
	rc = EXIT_OK;
out:
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static int
s_next(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule next", "NAME [--count N]",
		"List a schedule's next runs, in UTC and on its zone's clock with the UTC offset.",
		next_opts, NULL
	};
	struct cli cli;
	struct sopts o;
	struct schedule s;
	struct sweep_when w;
	struct err e = ERR_INIT;
	int64_t *t = NULL;
	int rc, n;

	rc = start(&cli, &o, &cmd, argc, argv, 1, &e);
	if (rc != 0)
		goto out;
	if (o.count == 0)
		o.count = 5;
	t = calloc((size_t)o.count, sizeof(*t));
	if (t == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		goto fail;
	}
	if (db_schedule_get(cli.db, cli.argv[0], &s, &e) < 0 ||
	    sweep_check(s.cron, s.zone, &w, NULL, 0, &e) < 0 ||
	    (n = sweep_next(&w, clock_now(), t, (int)o.count, &e)) < 0)
		goto fail;
	if (!cli.json)
		printf("%s: %s%s\n", s.name, s.cron, s.enabled ? "" : " (disabled: it will not run)");
	for (int i = 0; i < n; i++) {
		char utc[40], local[48];
		int32_t off;

		if (sweep_offset(&w, t[i], &off, &e) < 0)
			goto fail;
		fmt_ts(t[i] * 1000000, utc, sizeof(utc));
		fmt_local(t[i], off, local, sizeof(local));
		if (cli.json) {
			json_t *j = json_object();

			json_object_set_new(j, "schedule", json_string(s.name));
			json_object_set_new(j, "at", json_string(utc));
			json_object_set_new(j, "local", json_string(local));
			json_object_set_new(j, "zone", json_string(s.zone));
			json_object_set_new(j, "utc_offset_s", json_integer(off));
			jsonl_emit(&cli.out, "schedule_next", j);
		} else {
			printf("  %s %s  (%s)\n", local, s.zone, utc);
		}
	}
	if (!cli.json && n == 0)
		printf("  it does not fire in the next 10 years\n");
	rc = EXIT_OK;
	goto out;
fail:
	rc = cli_fail(&cli, &e);
out:
	free(t);
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

static void
human_run(void *arg, const char *event, json_t *o)
{
	(void)arg;
	if (strcmp(event, "schedule_run") == 0) {
		long long missed = json_integer_value(json_object_get(o, "missed"));

		printf("%s: running the sweep due %s", jstr(o, "schedule", "?"), jstr(o, "due", "?"));
		if (missed > 0)
			printf(" (standing for %lld earlier missed run%s)", missed, missed == 1 ? "" : "s");
		printf("\n");
	} else {
		const char *reason = jstr(o, "reason", jstr(o, "message", NULL));

		printf("%s: %s: %lld found, %lld queued, %lld connector%s skipped%s%s\n",
		       jstr(o, "schedule", "?"), event + strlen("sweep_"),
		       (long long)json_integer_value(json_object_get(o, "found")),
		       (long long)json_integer_value(json_object_get(o, "queued")),
		       (long long)json_integer_value(json_object_get(o, "skipped")),
		       json_integer_value(json_object_get(o, "skipped")) == 1 ? "" : "s",
		       reason ? ": " : "", reason ? reason : "");
	}
	fflush(stdout);
}

static int
s_run(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr schedule run", "[NAME]",
		"Run every sweep that fell due since its last run, once per due time (the minutely "
		"timer's job).", plain_opts,
		"Several hosts may run it at once against one database: each due time runs once.\n"
		"Exit status: 0 nothing failed, 1 a sweep failed or a schedule is broken.\n"
	};
	struct cli cli;
	struct sopts o;
	struct sweep_opts so;
	struct sweep_report r;
	struct err e = ERR_INIT;
	int rc;

	rc = start(&cli, &o, &cmd, argc, argv, 2, &e);
	if (rc != 0)
		goto out;
	memset(&so, 0, sizeof(so));
	so.only = cli.argc == 1 ? cli.argv[0] : NULL;
	so.out = &cli.out;
	if (!cli.json)
		so.line = human_run;
	if (so.only != NULL) {
		struct schedule s;

		if (db_schedule_get(cli.db, so.only, &s, &e) < 0) {
			rc = cli_fail(&cli, &e);
			goto out;
		}
	}
	if (sweep_run(cli.db, &so, &r, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (!cli.json && r.claimed + r.retried == 0)
		printf("nothing due\n");
	rc = EXIT_OK;
out:
	return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
}

int
front_schedule(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "add a sweep schedule", s_add },
		{ "list", "list schedules, their next and last runs", s_list },
		{ "show", "show one schedule", s_show },
		{ "edit", "change a schedule", s_edit },
		{ "enable", "enable a schedule", s_enable },
		{ "disable", "disable a schedule", s_disable },
		{ "rm", "remove a schedule", s_rm },
		{ "next", "list a schedule's next runs", s_next },
		{ "run", "run the sweeps that are due (the minutely timer)", s_run },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr schedule", subs, argc, argv);
}
