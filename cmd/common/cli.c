#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sodium.h>

#include "common/cli.h"
#include "core/buf.h"
#include "core/log.h"
#include "db/db.h"
#include "db/settings.h"
#include "db/migrate.h"
#include "core/banned.h"

#define CLI_MAX_OPTS 64
#define SECRET_CAP 4096

int
cli_usage_error(const char *tool, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", tool);
	return -1;
}

void
cli_print_version(const char *tool)
{
	printf("%s %s\n", tool, COMRADARR_VERSION);
}

void
cli_print_help(const struct cli_cmd *cmd)
{
	printf("usage: %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->synopsis, cmd->summary);
	for (const struct cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++) {
		char left[64];

		if (o->key > 0 && o->key < 256)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		printf("  %-28s %s\n", left, o->help);
	}
	printf("  %-28s %s\n", "    --format FORMAT", "json (JSON lines) or human; default: json when stdout is not a terminal");
	printf("  %-28s %s\n", "    --json", "the same as --format json");
	printf("  %-28s %s\n", "-h, --help", "show this help and exit");
	printf("  %-28s %s\n", "-V, --version", "show the version and exit");
	if (cmd->more != NULL)
		printf("\n%s\n", cmd->more);
	printf("\nSee the manual page for environment variables and exit status.\n");
}

static void
list_options(const struct cli_cmd *cmd)
{
	for (const struct cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++)
		printf("--%s\n", o->name);
	printf("--format\n--json\n--help\n--version\n");
}

int
cli_parse(const struct cli_cmd *cmd, int argc, char **argv, cli_opt_fn fn, void *ctx,
	  int *json, int *optind_out, int *done)
{
	struct option lopts[CLI_MAX_OPTS + 6];
	char sopts[CLI_MAX_OPTS * 2 + 8];
	size_t n = 0, sl = 0;
	int c;

	*done = 0;
	memset(lopts, 0, sizeof(lopts));
	sopts[sl++] = ':';	/* options may follow operands: "connector add tv --type sonarr" */
	for (const struct cli_opt *o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (n == CLI_MAX_OPTS)
			break;
		lopts[n].name = o->name;
		lopts[n].has_arg = o->arg ? required_argument : no_argument;
		lopts[n].val = o->key;
		n++;
		if (o->key > 0 && o->key < 256) {
			sopts[sl++] = (char)o->key;
			if (o->arg)
				sopts[sl++] = ':';
		}
	}
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	lopts[n++] = (struct option){ "list-options", no_argument, NULL, CLI_OPT_LIST_OPTIONS };
	lopts[n++] = (struct option){ "format", required_argument, NULL, CLI_OPT_FORMAT };
	lopts[n++] = (struct option){ "json", no_argument, NULL, CLI_OPT_JSON };
	sopts[sl++] = 'h';
	sopts[sl++] = 'V';
	sopts[sl] = '\0';

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, sopts, lopts, NULL)) != -1) {
		if (c == 'h') {
			cli_print_help(cmd);
			*done = 1;
			return 0;
		}
		if (c == 'V') {
			cli_print_version(cmd->name);
			*done = 1;
			return 0;
		}
		if (c == CLI_OPT_LIST_OPTIONS) {
			list_options(cmd);
			*done = 1;
			return 0;
		}
		if (c == '?') {
			if (optopt > 0 && optopt < 256)
				return cli_usage_error(cmd->name, "unknown option '-%c'", optopt);
			return cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':')
			return cli_usage_error(cmd->name, "option '%s' needs an argument",
					       argv[optind - 1]);
		if (c == CLI_OPT_JSON) {
			*json = 1;
			continue;
		}
		if (c == CLI_OPT_FORMAT) {
			if (cli_parse_format(cmd->name, optarg, json) < 0)
				return -1;
			continue;
		}
		if (fn == NULL || fn(ctx, c, optarg) < 0)
			return -1;
	}
	*optind_out = optind;
	return 0;
}

int
cli_init(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
	 cli_opt_fn fn, void *ctx, int *done)
{
	struct err e = ERR_INIT;
	int first;

	memset(cli, 0, sizeof(*cli));
	cli->tool = cmd->name;
	/* A process that holds decrypted keys never leaves them in a core dump,
	 * and no other process of the same user may read its memory (ptrace,
	 * /proc/PID/mem).  Before anything is decrypted: the first thing done. */
	{
		struct rlimit rl = { 0, 0 };

		(void)setrlimit(RLIMIT_CORE, &rl);
		(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	}
	jsonl_init(&cli->out, stdout);
	log_init(cmd->name, LOG_LEVEL_INFO, LOG_FORMAT_AUTO);
	/* The one output rule (README, comradarr(7)): JSON lines for a pipe or
	 * a file, sentences and tables for a person; --format overrides. */
	cli->json = !isatty(STDOUT_FILENO);
	if (cli_parse(cmd, argc, argv, fn, ctx, &cli->json, &first, done) < 0)
		return EXIT_USAGE;
	if (*done)
		return EXIT_OK;
	cli->argc = argc - first;
	cli->argv = argv + first;
	if (config_load(&cli->cfg, &e) < 0) {
		fprintf(stderr, "%s: %s\n", cli->tool, e.msg);
		return EXIT_FAIL;
	}
	cli->config_loaded = 1;
	log_set_level(cli->cfg.log_level);
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: libsodium failed to initialise\n", cli->tool);
		return EXIT_FAIL;
	}
	{
		char id[32];

		log_new_correlation_id(id, sizeof(id));
		log_set_correlation_id(id);
	}
	return 0;
}

int
cli_db(struct cli *cli, struct err *e)
{
	int pending = 0;

	if (cli->db != NULL)
		return 0;
	if (db_connect(&cli->cfg, cli->tool, &cli->db, e) < 0)
		return -1;
	if (cli->no_schema_check)
		return 0;
	if (db_migrate_status(cli->db, NULL, NULL, &pending, e) < 0)
		return -1;
	if (pending > 0)
		return err_set(e, ERR_DB, "the database schema is not up to date (%d migration%s "
			       "pending): run 'comradarr migrate'", pending, pending == 1 ? "" : "s");
	/* the log level set in the database (Req 31.5), read once here for
	 * every tool; a failure to read it keeps LOG_LEVEL's and is no error */
	{
		struct err le = ERR_INIT;

		if (db_setting_apply_log_level(cli->db, cli->cfg.log_level, &le) < 0)
			log_debug("main", "log.level not read: %s", le.msg);
	}
	return 0;
}

int
cli_fail(struct cli *cli, const struct err *e)
{
	log_error("main", "%s", e->msg[0] ? e->msg : "failed");
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(err_kind_name(e->kind)));
		json_object_set_new(o, "message", json_string(e->msg));
		jsonl_emit(&cli->out, "error", o);
	}
	return e->kind == ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

int
cli_finish(struct cli *cli, int code)
{
	if (cli->db != NULL)
		PQfinish(cli->db);
	cli->db = NULL;
	if (cli->config_loaded)
		config_release(&cli->cfg);
	cli->config_loaded = 0;
	log_secret_clear();
	if (fflush(stdout) == EOF && errno != EPIPE && code == EXIT_OK)
		code = EXIT_FAIL;
	return code;
}

int
cli_names_add(struct cli_names *n, const char *tool, const char *arg)
{
	if (n->n >= CLI_MAX_NAMED)
		return cli_usage_error(tool, "at most %d --connector options", CLI_MAX_NAMED);
	n->names[n->n++] = arg;
	n->names[n->n] = NULL;
	return 0;
}

int
cli_pick_named(const struct cli_names *n, const struct connector *list, size_t count,
	       int *pick, struct err *e)
{
	for (int j = 0; j < n->n; j++) {
		int found = 0;

		for (size_t i = 0; i < count; i++) {
			if (strcmp(list[i].name, n->names[j]) == 0) {
				pick[i] = 1;
				found = 1;
			}
		}
		if (!found)
			return err_set(e, ERR_NOTFOUND, "no connector named '%s'; 'comradarr "
				       "connector list' shows them", n->names[j]);
	}
	return 0;
}

int
cli_parse_format(const char *tool, const char *arg, int *json)
{
	if (strcmp(arg, "json") == 0)
		*json = 1;
	else if (strcmp(arg, "human") == 0)
		*json = 0;
	else
		return cli_usage_error(tool, "--format is json or human, not '%s'", arg);
	return 0;
}

int
cli_parse_int(const char *tool, const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return cli_usage_error(tool, "%s: '%s' is not a number from %ld to %ld", opt, s, lo, hi);
	*out = v;
	return 0;
}

static int
read_stream(FILE *f, struct buf *b, struct err *e)
{
	char chunk[512];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (buf_append(b, chunk, n) < 0) {
			sodium_memzero(chunk, sizeof(chunk));
			return err_set(e, ERR_USAGE, "the secret is longer than %d bytes", SECRET_CAP);
		}
	}
	sodium_memzero(chunk, sizeof(chunk));
	if (ferror(f))
		return err_set(e, ERR_IO, "error reading the secret: %s", strerror(errno));
	return 0;
}

int
cli_read_secret(const char *prompt, const char *file, char **out, struct err *e)
{
	struct buf b = BUF_INIT;
	FILE *f = NULL;
	int ret = -1, tty = 0;
	struct termios old, raw;

	*out = NULL;
	buf_init(&b, SECRET_CAP);
	if (file != NULL && strcmp(file, "-") != 0) {
		f = fopen(file, "r");
		if (f == NULL) {
			err_set(e, ERR_USAGE, "cannot read '%s': %s", file, strerror(errno));
			goto out;
		}
		if (read_stream(f, &b, e) < 0)
			goto out;
	} else if (file != NULL) {
		if (read_stream(stdin, &b, e) < 0)
			goto out;
	} else if (isatty(STDIN_FILENO)) {
		char line[SECRET_CAP];

		fprintf(stderr, "%s: ", prompt);
		fflush(stderr);
		if (tcgetattr(STDIN_FILENO, &old) == 0) {
			raw = old;
			raw.c_lflag &= ~(tcflag_t)ECHO;
			tty = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == 0;
		}
		if (fgets(line, sizeof(line), stdin) == NULL)
			line[0] = '\0';
		if (tty)
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
		buf_append_str(&b, line);
		sodium_memzero(line, sizeof(line));
	} else {
		err_set(e, ERR_USAGE, "no secret given: use a --*-file option (or '-' for stdin), "
			"or run on a terminal to be prompted; secrets are never taken from the command line");
		goto out;
	}
	while (b.len > 0 && (b.data[b.len - 1] == '\n' || b.data[b.len - 1] == '\r' ||
			     b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (b.len == 0) {
		err_set(e, ERR_USAGE, "the secret is empty");
		goto out;
	}
	*out = buf_detach(&b);
	if (*out == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	buf_release_secret(&b);
	return ret;
}
