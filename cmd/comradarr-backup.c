/*
 * comradarr-backup create|verify|restore|list|prune - the database in one
 * archive, checked, and back again (Req 33).  The archive and the restore
 * protocol are lib/stage/backup.h; the SQL is lib/db/backup.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "stage/backup.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_OUTPUT = 'o', OPT_DIR = 'd', OPT_KEEP = 2000, OPT_KEEP_DAYS, OPT_NO_MIRROR };

struct opts {
	const char *output, *dir;
	long keep, keep_days;
	int no_mirror;
};

static const struct cli_opt create_opts[] = {
	{ "output", OPT_OUTPUT, "FILE", "write the archive to FILE ('-': standard output) instead "
	  "of a new file in the backup directory" },
	{ "dir", OPT_DIR, "DIR", "the backup directory (default $COMRADARR_HOME/backups)" },
	{ "no-mirror", OPT_NO_MIRROR, NULL, "leave out the content mirror and the search state "
	  "on it (a sync rebuilds them): a much smaller file" },
	{ "keep", OPT_KEEP, "N", "then keep only the newest N scheduled backups in the directory" },
	{ "keep-days", OPT_KEEP_DAYS, "DAYS", "then delete scheduled backups older than DAYS" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt dir_opts[] = {
	{ "dir", OPT_DIR, "DIR", "the backup directory (default $COMRADARR_HOME/backups)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt prune_opts[] = {
	{ "dir", OPT_DIR, "DIR", "the backup directory (default $COMRADARR_HOME/backups)" },
	{ "keep", OPT_KEEP, "N", "keep only the newest N scheduled backups" },
	{ "keep-days", OPT_KEEP_DAYS, "DAYS", "delete scheduled backups older than DAYS" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt no_opts[] = {
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd create_cmd = {
	"comradarr-backup create", "[--output FILE] [--dir DIR] [--no-mirror] [--keep N] "
	"[--keep-days DAYS]",
	"Back up every table, from one consistent snapshot, into one archive; secrets stay sealed.",
	create_opts,
	"Exit status: 0 written (or skipped: another backup is running), 1 failed.\n"
	"The secret key is not in the archive: keep it apart from the backups.\n"
};

static const struct cli_cmd verify_cmd = {
	"comradarr-backup verify", "FILE",
	"Check an archive: every header, every member's SHA-256, the manifest.",
	no_opts, "Exit status: 0 intact, 1 damaged or unreadable.\n"
};

static const struct cli_cmd restore_cmd = {
	"comradarr-backup restore", "FILE",
	"Replace the database with an archive's contents, in one transaction: all of it or "
	"nothing.",
	no_opts,
	"The archive is verified first; a newer schema or another key's secrets are refused.\n"
	"An older schema is migrated.  Exit status: 0 restored, 1 refused or failed (the\n"
	"database is then as it was).\n"
};

static const struct cli_cmd list_cmd = {
	"comradarr-backup list", "[--dir DIR]",
	"List the backups in the backup directory, newest first, with what each manifest says.",
	dir_opts, NULL
};

static const struct cli_cmd prune_cmd = {
	"comradarr-backup prune", "[--dir DIR] [--keep N] [--keep-days DAYS]",
	"Delete old scheduled backups; the newest one and backups made with --output stay.",
	prune_opts, NULL
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_OUTPUT: o->output = arg; break;
	case OPT_DIR: o->dir = arg; break;
	case OPT_NO_MIRROR: o->no_mirror = 1; break;
	case OPT_KEEP: return cli_parse_int("comradarr-backup", "--keep", arg, 1, 100000, &o->keep);
	case OPT_KEEP_DAYS:
		return cli_parse_int("comradarr-backup", "--keep-days", arg, 1, 36500, &o->keep_days);
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

	return s ? s : "";
}

static void
human_line(void *arg, const char *event, json_t *o)
{
	(void)arg;
	if (isatty(STDERR_FILENO))	/* the progress line shares the terminal */
		fputs("\r\033[K", stderr);
	if (strcmp(event, "backup_table") == 0)
		printf("  %-28s %10lld rows %12lld bytes\n", jstr(o, "table"), jint(o, "rows"),
		       jint(o, "bytes"));
	else if (strcmp(event, "restore_table") == 0)
		printf("  %-28s %10lld rows\n", jstr(o, "table"), jint(o, "rows"));
	fflush(stdout);
}

/* "backing up episodes (12 of 21)" on a terminal's standard error, one
 * line redrawn; never on a pipe or a file (DESIGN: progress rule). */
static void
progress(void *arg, const char *table, size_t done, size_t total)
{
	fprintf(stderr, "\r\033[K%s %s (%zu of %zu %s)", (const char *)arg, table, done + 1, total,
		strcmp((const char *)arg, "restoring") == 0 ? "members" : "tables");
	fflush(stderr);
}

static void
progress_end(const struct backup_opts *bo)
{
	if (bo->progress != NULL) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

/* Start a subcommand: options, operands, config. */
static int
start(struct cli *cli, const struct cli_cmd *cmd, struct opts *o, int argc, char **argv,
      int nargs, int *done)
{
	int rc;

	memset(o, 0, sizeof(*o));
	rc = cli_init(cli, cmd, argc, argv, on_opt, o, done);
	if (rc != 0 || *done)
		return rc;
	if (cli->argc != nargs) {
		if (cli->argc > nargs)
			cli_usage_error(cmd->name, "unexpected argument '%s'", cli->argv[nargs]);
		else
			cli_usage_error(cmd->name, "the backup FILE is missing");
		return EXIT_USAGE;
	}
	return 0;
}

static void
emit(struct cli *cli, const char *event, json_t *obj)
{
	if (cli->json)
		jsonl_emit(&cli->out, event, obj);
	else
		json_decref(obj);
}

/* The backup directory, made (mode 0700, with $COMRADARR_HOME) when missing. */
static char *
backup_dir(struct cli *cli, const struct opts *o, int make, struct err *e)
{
	return backup_dir_path(&cli->cfg, o->dir, make, e);
}

static void
on_pruned(void *arg, const char *name, const char *why)
{
	struct cli *cli = arg;

	if (cli->json)
		jsonl_emit(&cli->out, "backup_pruned", json_pack("{s:s, s:s}", "file", name,
								 "reason", why));
	else
		printf("removed %s (%s)\n", name, strcmp(why, "age") == 0 ?
		       "older than --keep-days" : "beyond --keep");
}

static int
prune_dir(struct cli *cli, const char *dir, const struct opts *o, struct err *e)
{
	int removed = 0;

	return backup_prune(dir, o->keep, o->keep_days, clock_now_us(), on_pruned, cli, &removed,
			    e);
}

static int
cmd_create(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct backup_opts bo;
	struct backup_report r;
	char *dir = NULL, *path = NULL, name[64];
	int done, rc, to_stdout;
	struct timespec t0, t1;

	rc = start(&cli, &create_cmd, &o, argc, argv, 0, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	to_stdout = o.output != NULL && strcmp(o.output, "-") == 0;
	if (to_stdout && isatty(STDOUT_FILENO)) {
		cli_usage_error(create_cmd.name, "will not write an archive to a terminal");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (o.output != NULL && (o.keep || o.keep_days)) {
		cli_usage_error(create_cmd.name, "--keep and --keep-days prune the backup "
				"directory: they go with a backup made there, not with --output");
		return cli_finish(&cli, EXIT_USAGE);
	}
	/* standard output carries the archive: no report line may go there,
	 * not even an error's (it goes to the log on standard error) */
	if (to_stdout)
		cli.json = 0;
	memset(&bo, 0, sizeof(bo));
	bo.no_mirror = o.no_mirror;
	bo.out = to_stdout ? NULL : &cli.out;
	if (!cli.json && !to_stdout)
		bo.line = human_line;
	if (isatty(STDERR_FILENO)) {
		bo.progress = progress;
		bo.progress_arg = (void *)"backing up";
	}
	if (cli_db(&cli, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	rc = db_try_lock(cli.db, DB_LOCK_BACKUP, 0, &e);
	if (rc < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (rc == 0) {
		log_info("backup", "another backup or restore is running: nothing to do");
		emit(&cli, "backup_skipped", json_pack("{s:s}", "reason", "another backup or "
						       "restore is running"));
		return cli_finish(&cli, EXIT_OK);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (to_stdout) {
		rc = backup_create(cli.db, stdout, &bo, &r, &e);
	} else {
		if (o.output != NULL) {
			path = strdup(o.output);
		} else {
			if ((dir = backup_dir(&cli, &o, 1, &e)) == NULL)
				return cli_finish(&cli, cli_fail(&cli, &e));
			backup_name_new((int64_t)time(NULL), name, sizeof(name));
			if (asprintf(&path, "%s/%s", dir, name) < 0)
				path = NULL;
		}
		if (path == NULL) {
			free(dir);
			err_set(&e, ERR_NOMEM, "out of memory");
			return cli_finish(&cli, cli_fail(&cli, &e));
		}
		rc = backup_create_file(cli.db, path, &bo, &r, &e);
	}
	progress_end(&bo);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc < 0) {
		free(dir);
		free(path);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	{
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		if (to_stdout) {
			log_info("backup", "archive written to standard output: %d tables, %lld rows",
				 r.tables, (long long)r.rows);
		} else if (cli.json) {
			jsonl_emit(&cli.out, "backup_created",
				   json_pack("{s:s, s:I, s:i, s:I, s:i, s:s?, s:b, s:f}", "file", path,
					     "bytes", (json_int_t)r.bytes, "tables", r.tables,
					     "rows", (json_int_t)r.rows, "schema_version",
					     r.schema_version, "secret_key_id",
					     r.key_id[0] ? r.key_id : NULL, "no_mirror", o.no_mirror,
					     "duration_ms", (json_int_t)(secs * 1000)));
		} else {
			printf("backup written to %s: %d tables, %lld rows, %lld bytes in %.1f s "
			       "(schema %d%s%s)\n", path, r.tables, (long long)r.rows,
			       (long long)r.bytes, secs, r.schema_version,
			       r.key_id[0] ? ", secrets sealed with key id " : "", r.key_id);
		}
	}
	if (dir != NULL && (o.keep || o.keep_days) && prune_dir(&cli, dir, &o, &e) < 0) {
		free(dir);
		free(path);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	free(dir);
	free(path);
	return cli_finish(&cli, EXIT_OK);
}

static json_t *
summary(const char *file, json_t *m)
{
	json_t *t, *keys = json_array(), *v;
	json_int_t rows = 0;
	size_t i;

	json_array_foreach(json_object_get(m, "tables"), i, t)
		rows += json_integer_value(json_object_get(t, "rows"));
	json_array_foreach(json_object_get(m, "secret_key_ids"), i, v)
		json_array_append(keys, v);
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:b, s:I, s:I, s:I}",
			 "file", file, "app_version", jstr(m, "app_version"),
			 "created_at", jstr(m, "created_at"),
			 "schema_version", (json_int_t)jint(m, "schema_version"),
			 "format", jstr(m, "format"), "secret_key_ids", keys,
			 "no_mirror", json_is_true(json_object_get(m, "no_mirror")),
			 "tables", (json_int_t)json_array_size(json_object_get(m, "tables")),
			 "rows", rows,
			 "members", (json_int_t)json_array_size(json_object_get(m, "members")));
}

static void
print_summary(json_t *s, const char *verb)
{
	json_t *k = json_object_get(s, "secret_key_ids");

	printf("%s: %s; made by comradarr %s at %s, schema %lld, %lld tables, %lld rows%s%s%s\n",
	       jstr(s, "file"), verb, jstr(s, "app_version"), jstr(s, "created_at"),
	       jint(s, "schema_version"), jint(s, "tables"), jint(s, "rows"),
	       json_is_true(json_object_get(s, "no_mirror")) ? ", without the mirror" : "",
	       json_array_size(k) ? ", secrets sealed with key id " : "",
	       json_array_size(k) ? json_string_value(json_array_get(k, 0)) : "");
}

static int
cmd_verify(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	json_t *m = NULL, *s;
	FILE *f;
	int done, rc;

	rc = start(&cli, &verify_cmd, &o, argc, argv, 1, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	f = strcmp(cli.argv[0], "-") == 0 ? stdin : fopen(cli.argv[0], "rb");
	if (f == NULL) {
		err_set(&e, ERR_IO, "cannot open '%s': %s", cli.argv[0], strerror(errno));
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	rc = backup_verify(f, &m, &e);
	if (f != stdin)
		fclose(f);
	if (rc < 0) {
		err_prefix(&e, "'%s' is damaged", cli.argv[0]);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	s = summary(cli.argv[0], m);
	json_decref(m);
	if (cli.json) {
		jsonl_emit(&cli.out, "backup_verified", s);
	} else {
		print_summary(s, "intact");
		json_decref(s);
	}
	return cli_finish(&cli, EXIT_OK);
}

static int
cmd_restore(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct backup_opts bo;
	struct backup_report r;
	struct secret_key k;
	char *keyfile = NULL;
	int done, rc, have_key = 0;
	struct timespec t0, t1;

	rc = start(&cli, &restore_cmd, &o, argc, argv, 1, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	/* a fresh database has no schema yet: the restore makes it */
	cli.no_schema_check = 1;
	if (cli_db(&cli, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	/* The current key, if there is one; never a new one: a key made now could
	 * open nothing the backup holds. */
	keyfile = config_path(&cli.cfg, "secret.key");
	if (keyfile == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if ((cli.cfg.secret_key != NULL && cli.cfg.secret_key[0] != '\0') ||
	    access(keyfile, F_OK) == 0) {
		if (cli_secret_key(&cli, &k, &e) < 0) {
			free(keyfile);
			return cli_finish(&cli, cli_fail(&cli, &e));
		}
		have_key = 1;
	}
	free(keyfile);
	memset(&bo, 0, sizeof(bo));
	bo.out = &cli.out;
	if (!cli.json)
		bo.line = human_line;
	if (isatty(STDERR_FILENO)) {
		bo.progress = progress;
		bo.progress_arg = (void *)"restoring";
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = backup_restore(cli.db, cli.argv[0], have_key ? &k : NULL, &bo, &r, &e);
	progress_end(&bo);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (have_key)
		secret_key_wipe(&k);
	if (rc < 0) {
		err_prefix(&e, "restore of '%s' refused, the database is unchanged", cli.argv[0]);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	{
		double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		if (cli.json)
			jsonl_emit(&cli.out, "backup_restored",
				   json_pack("{s:s, s:i, s:I, s:i, s:i, s:s?, s:f}", "file",
					     cli.argv[0], "tables", r.tables, "rows",
					     (json_int_t)r.rows, "schema_version", r.schema_version,
					     "migrated", r.migrated, "secret_key_id",
					     r.key_id[0] ? r.key_id : NULL, "duration_ms",
					     (json_int_t)(secs * 1000)));
		else
			printf("restored %s: %d tables, %lld rows in %.1f s; schema %d (%d "
			       "migration%s applied after loading)\n", cli.argv[0], r.tables,
			       (long long)r.rows, secs, r.schema_version, r.migrated,
			       r.migrated == 1 ? "" : "s");
	}
	return cli_finish(&cli, EXIT_OK);
}

static int
cmd_list(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	char **names = NULL, *dir, *path = NULL;
	size_t n = 0;
	int done, rc;

	rc = start(&cli, &list_cmd, &o, argc, argv, 0, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if ((dir = backup_dir(&cli, &o, 0, &e)) == NULL || backup_list_dir(dir, &names, &n, &e) < 0) {
		free(dir);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (!cli.json && n == 0)
		printf("no backups in %s\n", dir);
	for (size_t i = 0; i < n; i++) {
		json_t *m = NULL, *s;
		struct stat st;
		struct err fe = ERR_INIT;

		free(path);
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			path = NULL;
			break;
		}
		if (backup_read_manifest(path, &m, &fe) < 0) {
			/* a damaged file is listed as such, not hidden */
			s = json_pack("{s:s, s:s}", "file", path, "problem", fe.msg);
			if (cli.json)
				jsonl_emit(&cli.out, "backup", s);
			else {
				printf("%s: unreadable: %s\n", path, fe.msg);
				json_decref(s);
			}
			continue;
		}
		s = summary(path, m);
		json_decref(m);
		if (stat(path, &st) == 0)
			json_object_set_new(s, "bytes", json_integer((json_int_t)st.st_size));
		if (cli.json) {
			jsonl_emit(&cli.out, "backup", s);
		} else {
			print_summary(s, "backup");
			json_decref(s);
		}
	}
	free(path);
	free(dir);
	backup_names_free(names, n);
	return cli_finish(&cli, EXIT_OK);
}

static int
cmd_prune(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	char *dir;
	int done, rc;

	rc = start(&cli, &prune_cmd, &o, argc, argv, 0, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (!o.keep && !o.keep_days) {
		cli_usage_error(prune_cmd.name, "say what to keep: --keep N and/or --keep-days DAYS");
		return cli_finish(&cli, EXIT_USAGE);
	}
	if ((dir = backup_dir(&cli, &o, 0, &e)) == NULL || prune_dir(&cli, dir, &o, &e) < 0) {
		free(dir);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	free(dir);
	return cli_finish(&cli, EXIT_OK);
}

static const struct {
	const char *name, *summary;
	int (*run)(int argc, char **argv);
} subs[] = {
	{ "create", "back up the database into one archive", cmd_create },
	{ "verify", "check an archive's digests and manifest", cmd_verify },
	{ "restore", "replace the database with an archive, all or nothing", cmd_restore },
	{ "list", "the backups in the backup directory", cmd_list },
	{ "prune", "delete old scheduled backups", cmd_prune },
	{ NULL, NULL, NULL }
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: comradarr-backup <command> [options]\n\nBack up, check and restore "
		"the Comradarr database.\n\ncommands:\n");
	for (int i = 0; subs[i].name != NULL; i++)
		fprintf(f, "  %-10s %s\n", subs[i].name, subs[i].summary);
	fprintf(f, "\n'comradarr-backup <command> --help' describes each; see comradarr-backup(1).\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cli_print_version("comradarr-backup");
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		for (int i = 0; subs[i].name != NULL; i++)
			printf("%s\n", subs[i].name);
		printf("--help\n--version\n");
		return EXIT_OK;
	}
	for (int i = 0; subs[i].name != NULL; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	cli_usage_error("comradarr-backup", "unknown command '%s'", argv[1]);
	return EXIT_USAGE;
}
