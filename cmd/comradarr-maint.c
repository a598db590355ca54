/*
 * comradarr-maint [--step STEP]... [--dry-run]
 *
 * Roll history up into daily statistics, prune what is older than its
 * retention, clean up orphans, VACUUM (ANALYZE) and report table sizes.
 * The work is lib/stage/maint.h; a daily timer runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/maint.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_STEP = 's', OPT_DRY_RUN = 'n' };

struct opts {
	unsigned steps;
	int dry_run;
};

static const struct cli_opt options[] = {
	{ "step", OPT_STEP, "STEP", "only this step (repeatable): rollup, prune, orphans, "
	  "counts, vacuum, sizes; default all, in that order" },
	{ "dry-run", OPT_DRY_RUN, NULL, "show what each step would do, change nothing" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-maint",
	"[--step STEP]... [--dry-run]",
	"Roll history up into daily statistics, prune it by retention, clean up orphans, "
	"vacuum, report sizes.",
	options,
	"Retention periods are settings: 'comradarr settings list retention'.\n"
	"Exit status: 0 done (or skipped: another maint is running), 1 failed,\n"
	"3 some steps failed (each rolled back; the others done).\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;
	unsigned bit;

	switch (key) {
	case OPT_STEP:
		bit = maint_step_parse(arg);
		if (bit == 0)
			return cli_usage_error(cmd.name, "unknown step '%s': use one of %s", arg,
					       maint_step_names());
		o->steps |= bit;
		break;
	case OPT_DRY_RUN: o->dry_run = 1; break;
	default: break;
	}
	return 0;
}

static long long
jint(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "-";
}

static void
human_bytes(long long b, char *buf, size_t size)
{
	if (b >= 10LL << 30)
		snprintf(buf, size, "%lld GiB", b >> 30);
	else if (b >= 10LL << 20)
		snprintf(buf, size, "%lld MiB", b >> 20);
	else if (b >= 10LL << 10)
		snprintf(buf, size, "%lld KiB", b >> 10);
	else
		snprintf(buf, size, "%lld B", b);
}

/* The human format: one sentence per line the tool reports. */
static void
human_line(void *arg, const char *event, json_t *o)
{
	const char *would = json_is_true(json_object_get(o, "dry_run")) ? "would be " : "";
	char b1[32], b2[32];

	(void)arg;
	if (strcmp(event, "maint_rollup") == 0) {
		printf("rollup %-9s %lld days, %lld daily rows %swritten\n", jstr(o, "source"),
		       jint(o, "days"), jint(o, "rows"), would);
	} else if (strcmp(event, "maint_prune") == 0) {
		printf("prune  %-25s %lld rows before %.10s %sremoved (%s = %lld)\n", jstr(o, "table"),
		       jint(o, "rows"), jstr(o, "before"), would, jstr(o, "setting"),
		       jint(o, "retention_days"));
	} else if (strcmp(event, "maint_orphans") == 0) {
		int bug = json_is_true(json_object_get(o, "unexpected"));

		printf("orphans %-24s %lld %s\n", jstr(o, "table"), jint(o, "rows"),
		       jint(o, "rows") == 0 ? "none" : *would ? "would be removed" :
		       bug ? "removed (a cascade missed them: please report)" : "removed");
	} else if (strcmp(event, "maint_counts") == 0) {
		printf("counts %-25s %lld %s in %lld ms\n", "ui_counts", jint(o, "drift"),
		       jint(o, "drift") == 0 ? "drifted (all equal a recount)" :
		       *would ? "drifted, would be corrected" : "drifted, corrected (please report)",
		       jint(o, "ms"));
	} else if (strcmp(event, "maint_vacuum") == 0) {
		human_bytes(jint(o, "bytes_before"), b1, sizeof(b1));
		human_bytes(jint(o, "bytes"), b2, sizeof(b2));
		if (*would)
			printf("vacuum %-25s would be vacuumed (%s, %s)\n", jstr(o, "table"),
			       jstr(o, "reason"), b1);
		else
			printf("vacuum %-25s %s -> %s in %lld ms\n", jstr(o, "table"), b1, b2,
			       jint(o, "ms"));
	} else if (strcmp(event, "maint_size") == 0) {
		human_bytes(jint(o, "bytes"), b1, sizeof(b1));
		if (strcmp(jstr(o, "table"), "*") == 0)
			printf("size   %-25s %10s\n", "(all tables)", b1);
		else if (jint(o, "rows") < 0)	/* never analyzed: no estimate */
			printf("size   %-25s %10s %10s rows\n", jstr(o, "table"), b1, "?");
		else
			printf("size   %-25s %10s %10lld rows\n", jstr(o, "table"), b1, jint(o, "rows"));
	} else if (strcmp(event, "maint_failed") == 0) {
		printf("FAILED %s %s: %s (rolled back)\n", jstr(o, "step"), jstr(o, "table"),
		       jstr(o, "message"));
	} else if (strcmp(event, "maint_skipped") == 0) {
		printf("skipped: %s\n", jstr(o, "reason"));
	} else if (strcmp(event, "maint_done") == 0) {
		printf("%s%lld rows pruned, %lld orphans, %lld tables vacuumed, %lld steps failed, "
		       "%lld ms\n", *would ? "dry run, nothing changed: " : "", jint(o, "pruned"),
		       jint(o, "orphans"), jint(o, "vacuumed"), jint(o, "failed"), jint(o, "ms"));
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct maint_opts mo;
	struct maint_report r;
	int done, rc;

	memset(&o, 0, sizeof(o));
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	memset(&mo, 0, sizeof(mo));
	mo.steps = o.steps;
	mo.dry_run = o.dry_run;
	mo.out = &cli.out;
	if (!cli.json)
		mo.line = human_line;
	if (cli_db(&cli, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (maint_run(cli.db, &mo, &r, &e) < 0) {
		/* each failed step reported its own "maint_failed" line */
		if (r.steps_run == 0)
			return cli_finish(&cli, cli_fail(&cli, &e));
		return cli_finish(&cli, EXIT_PARTIAL);
	}
	return cli_finish(&cli, EXIT_OK);
}
