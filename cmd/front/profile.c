/*
 * comradarr profile add|list|show|edit|rm|assign - throttle profiles (Req 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/throttle.h"
#include "front/front.h"
#include "core/banned.h"

enum {
	OPT_FROM = 'f', OPT_NAME = 'n', OPT_RPM = 2000, OPT_BATCH, OPT_COOLDOWN, OPT_DAILY,
	OPT_MULT, OPT_BMAX, OPT_RLC, OPT_CONC, OPT_ATTEMPTS, OPT_DEFAULT
};

struct popts {
	struct cli *cli;
	const char *from, *new_name;
	long v[9];		/* -1: unchanged, in the order of the enum from OPT_RPM */
	int use_default;
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	static const long lo[9] = { 1, 1, 1, 0, 100, 1, 1, 1, 1 };
	static const long hi[9] = { 60, 10, 43200, 1000000, 1000, 525600, 10080, 3, 1000 };
	static const char *const names[9] = {
		"--rpm", "--batch", "--cooldown", "--daily-budget", "--backoff-multiplier",
		"--backoff-max", "--rate-limit-cooldown", "--concurrent", "--max-attempts"
	};
	struct popts *o = ctx;

	if (key >= OPT_RPM && key <= OPT_ATTEMPTS)
		return cli_parse_int("comradarr profile", names[key - OPT_RPM], arg, lo[key - OPT_RPM],
				     hi[key - OPT_RPM], &o->v[key - OPT_RPM]);
	switch (key) {
	case OPT_FROM: o->from = arg; break;
	case OPT_NAME: o->new_name = arg; break;
	case OPT_DEFAULT: o->use_default = 1; break;
	default: break;
	}
	return 0;
}

#define NUMBER_OPTS \
	{ "rpm", OPT_RPM, "N", "indexer queries per minute, 1-60" }, \
	{ "batch", OPT_BATCH, "N", "ids per search command, 1-10 (and <= rpm)" }, \
	{ "cooldown", OPT_COOLDOWN, "MINUTES", "first cooldown after a search found nothing" }, \
	{ "daily-budget", OPT_DAILY, "N", "indexer queries per local day, 0 = unlimited" }, \
	{ "backoff-multiplier", OPT_MULT, "PCT", "cooldown growth per attempt, 100-1000 (200 doubles)" }, \
	{ "backoff-max", OPT_BMAX, "MINUTES", "longest cooldown" }, \
	{ "rate-limit-cooldown", OPT_RLC, "MINUTES", "pause after a 429 without Retry-After" }, \
	{ "concurrent", OPT_CONC, "N", "commands in flight per connector, 1-3" }, \
	{ "max-attempts", OPT_ATTEMPTS, "N", "searches before an item is exhausted, 1-1000" }

static const struct cli_opt add_opts[] = {
	{ "from", OPT_FROM, "PROFILE", "start from this profile's numbers (default moderate)" },
	NUMBER_OPTS,
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt edit_opts[] = {
	{ "name", OPT_NAME, "NEW", "rename it" },
	NUMBER_OPTS,
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt assign_opts[] = {
	{ "default", OPT_DEFAULT, NULL, "return the connector to the global default (moderate)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt plain_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static json_t *
profile_json(const struct db_throttle_profile *p)
{
	return json_pack("{s:s, s:b, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}",
			 "profile", p->p.name, "preset", p->preset,
			 "requests_per_minute", p->p.requests_per_minute, "batch_size", p->p.batch_size,
			 "cooldown_minutes", p->p.cooldown_minutes, "daily_budget", p->p.daily_budget,
			 "backoff_multiplier_pct", p->p.backoff_multiplier_pct,
			 "backoff_max_minutes", p->p.backoff_max_minutes,
			 "rate_limit_cooldown_minutes", p->p.rate_limit_cooldown_minutes,
			 "max_concurrent", p->p.max_concurrent, "max_attempts", p->max_attempts);
}

static void
apply(const struct popts *o, struct db_throttle_profile *p)
{
	int *f[9] = {
		&p->p.requests_per_minute, &p->p.batch_size, &p->p.cooldown_minutes,
		&p->p.daily_budget, &p->p.backoff_multiplier_pct, &p->p.backoff_max_minutes,
		&p->p.rate_limit_cooldown_minutes, &p->p.max_concurrent, &p->max_attempts
	};

	for (int i = 0; i < 9; i++)
		if (o->v[i] >= 0)
			*f[i] = (int)o->v[i];
}

/* Parse, check operands, connect and seed the presets. */
static int
start(struct cli *cli, struct popts *o, const struct cli_cmd *cmd, int argc, char **argv,
      int nargs, struct err *e)
{
	int done, rc;

	memset(o, 0, sizeof(*o));
	o->cli = cli;
	for (int i = 0; i < 9; i++)
		o->v[i] = -1;
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, &done);
	if (rc != 0 || done)
		return rc ? rc : -1;
	if (cli->argc != nargs) {
		cli_usage_error(cmd->name, "expected %d argument%s: %s", nargs, nargs == 1 ? "" : "s",
				cmd->synopsis);
		return EXIT_USAGE;
	}
	if (cli_db(cli, e) < 0 || db_throttle_seed_presets(cli->db, e) < 0)
		return cli_fail(cli, e);
	return 0;
}

static void
show(struct cli *cli, const struct db_throttle_profile *p, const char *event)
{
	if (cli->json) {
		jsonl_emit(&cli->out, event, profile_json(p));
		return;
	}
	printf("name:                %s%s\nrequests per minute: %d\nbatch size:          %d\n"
	       "cooldown:            %d min\ndaily budget:        %d%s\nbackoff:             x%d.%02d "
	       "up to %d min\n429 pause:           %d min\nconcurrent:          %d\n"
	       "max attempts:        %d\n", p->p.name, p->preset ? " (preset)" : "",
	       p->p.requests_per_minute, p->p.batch_size, p->p.cooldown_minutes, p->p.daily_budget,
	       p->p.daily_budget == 0 ? " (unlimited)" : " queries", p->p.backoff_multiplier_pct / 100,
	       p->p.backoff_multiplier_pct % 100, p->p.backoff_max_minutes,
	       p->p.rate_limit_cooldown_minutes, p->p.max_concurrent, p->max_attempts);
}

static int
p_add(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile add", "NAME [--from PROFILE] [--rpm N] [--batch N] [options]",
		"Create a custom throttle profile from a preset's numbers and the options given.",
		add_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	struct db_throttle_profile p;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_profile_get(cli.db, o.from ? o.from : DB_THROTTLE_DEFAULT, &p, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	snprintf(p.p.name, sizeof(p.p.name), "%s", cli.argv[0]);
	p.preset = 0;
	apply(&o, &p);
	if (db_throttle_profile_add(cli.db, &p, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		show(&cli, &p, "profile_added");
	else
		printf("added throttle profile '%s'; use it with 'comradarr profile assign CONNECTOR %s'\n",
		       p.p.name, p.p.name);
	return cli_finish(&cli, EXIT_OK);
}

static int
p_list(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile list", "[--json]", "List the throttle profiles.", plain_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	struct db_throttle_profile *list = NULL;
	size_t n = 0;
	int rc = start(&cli, &o, &cmd, argc, argv, 0, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_profile_list(cli.db, &list, &n, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (!cli.json)
		printf("%-16s %-7s %4s %5s %9s %8s %5s %8s\n", "NAME", "PRESET", "RPM", "BATCH",
		       "COOLDOWN", "BUDGET", "CONC", "ATTEMPTS");
	for (size_t i = 0; i < n; i++) {
		if (cli.json)
			jsonl_emit(&cli.out, "profile", profile_json(&list[i]));
		else
			printf("%-16s %-7s %4d %5d %7dm %8d %5d %8d\n", list[i].p.name,
			       list[i].preset ? "yes" : "no", list[i].p.requests_per_minute,
			       list[i].p.batch_size, list[i].p.cooldown_minutes, list[i].p.daily_budget,
			       list[i].p.max_concurrent, list[i].max_attempts);
	}
	free(list);
	return cli_finish(&cli, EXIT_OK);
}

static int
p_show(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile show", "NAME", "Show one throttle profile.", plain_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	struct db_throttle_profile p;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_profile_get(cli.db, cli.argv[0], &p, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	show(&cli, &p, "profile");
	return cli_finish(&cli, EXIT_OK);
}

static int
p_edit(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile edit", "NAME [--name NEW] [--rpm N] [options]",
		"Change a custom throttle profile (presets are read-only).", edit_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	struct db_throttle_profile p;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_profile_get(cli.db, cli.argv[0], &p, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	apply(&o, &p);
	if (o.new_name != NULL)
		snprintf(p.p.name, sizeof(p.p.name), "%s", o.new_name);
	if (db_throttle_profile_update(cli.db, cli.argv[0], &p, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		show(&cli, &p, "profile_updated");
	else
		printf("updated throttle profile '%s'\n", p.p.name);
	return cli_finish(&cli, EXIT_OK);
}

static int
p_rm(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile rm", "NAME", "Remove a custom throttle profile no connector uses.",
		plain_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	int rc = start(&cli, &o, &cmd, argc, argv, 1, &e);

	if (rc != 0)
		return cli_finish(&cli, rc < 0 ? EXIT_OK : rc);
	if (db_throttle_profile_remove(cli.db, cli.argv[0], &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "profile_removed", json_pack("{s:s}", "profile", cli.argv[0]));
	else
		printf("removed throttle profile '%s'\n", cli.argv[0]);
	return cli_finish(&cli, EXIT_OK);
}

static int
p_assign(int argc, char **argv)
{
	static const struct cli_cmd cmd = {
		"comradarr profile assign", "CONNECTOR {PROFILE | --default}",
		"Choose the throttle profile a connector's searches go out under.", assign_opts, NULL
	};
	struct cli cli;
	struct popts o;
	struct err e = ERR_INIT;
	int rc, done;

	memset(&o, 0, sizeof(o));
	o.cli = &cli;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc != (o.use_default ? 1 : 2)) {
		cli_usage_error(cmd.name, "give a connector and a profile, or a connector and --default");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_db(&cli, &e) < 0 || db_throttle_seed_presets(cli.db, &e) < 0 ||
	    db_throttle_assign(cli.db, cli.argv[0], o.use_default ? NULL : cli.argv[1], &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (cli.json)
		jsonl_emit(&cli.out, "profile_assigned", json_pack("{s:s, s:s}", "connector", cli.argv[0],
			   "profile", o.use_default ? DB_THROTTLE_DEFAULT : cli.argv[1]));
	else
		printf("connector '%s' now searches under profile '%s'\n", cli.argv[0],
		       o.use_default ? DB_THROTTLE_DEFAULT " (the default)" : cli.argv[1]);
	return cli_finish(&cli, EXIT_OK);
}

int
front_profile(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "add", "create a custom throttle profile", p_add },
		{ "list", "list throttle profiles", p_list },
		{ "show", "show one profile", p_show },
		{ "edit", "change a custom profile", p_edit },
		{ "rm", "remove a custom profile", p_rm },
		{ "assign", "choose a connector's profile", p_assign },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr profile", subs, argc, argv);
}
