/*
 * cli.h - what every Comradarr binary's main() shares.
 *
 * Options are defined once, in a table per command; getopt_long's table,
 * --help, and --list-options (which the shell completions call, git style)
 * are all made from it, and tests/lint/options.sh checks that each option
 * also appears in the man page.  So the three can never disagree.
 *
 * Every main() looks the same:
 *
 *	struct cli cli;
 *	if (cli_init(&cli, &cmd, argc, argv, on_option, &opts) ...)  parse, config, log
 *	... validate, connect (cli_db), do the work through lib/ ...
 *	return cli_finish(&cli, ret);
 */
#ifndef COMRADARR_CMD_CLI_H
#define COMRADARR_CMD_CLI_H

#include <signal.h>

#include <libpq-fe.h>

#include "core/config.h"
#include "core/err.h"
#include "core/exitcode.h"
#include "core/jsonl.h"
#include "crypto/secretbox.h"
#include "db/connectors.h"

struct cli_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or a value >= 256 for long-only */
	const char *arg;	/* NULL: a flag; else the argument's name in --help */
	const char *help;
};

struct cli_cmd {
	const char *name;	/* "comradarr-sync", "comradarr connector add" */
	const char *synopsis;	/* after the name in the usage line */
	const char *summary;	/* one line: what it does */
	const struct cli_opt *opts;	/* {NULL} terminated; -h/-V are implied */
	const char *more;	/* extra --help text (NULL for none) */
};

/* Keys for options many commands share. */
enum {
	CLI_OPT_JSON = 1000,
	CLI_OPT_FORMAT,
	CLI_OPT_LIST_OPTIONS
};

typedef int (*cli_opt_fn)(void *ctx, int key, const char *arg);

struct cli {
	const char *tool;	/* for messages: "comradarr-sync" */
	struct config cfg;
	int config_loaded;
	int json;		/* JSON lines instead of text: stdout is not a terminal,
				   or --format json / --json (cli_init decides) */
	struct jsonl out;	/* stdout */
	PGconn *db;
	int no_schema_check;	/* cli_db skips the "migrations pending" check */
	int argc;		/* operands left after the options */
	char **argv;
};

/*
 * Parse options (calling fn for each of the table's), then read the config
 * and set up logging.  Returns 0 to carry on, or an exit code (> 0, or
 * EXIT_OK with *done set) when main() should return at once: --help and
 * --version print and set *done; a usage error prints why and returns
 * EXIT_USAGE.  fn returns 0, or -1 after cli_usage_error().
 */
int cli_init(struct cli *cli, const struct cli_cmd *cmd, int argc, char **argv,
	     cli_opt_fn fn, void *ctx, int *done);

/*
 * Parse one command's options.  Every command also takes --format json|human
 * and --json (they set *json; callers never list them in their tables), plus
 * -h/--help, -V/--version and --list-options.
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, cli_opt_fn fn, void *ctx,
	      int *json, int *optind_out, int *done);

/*
 * Connect cli->db.  Unless no_schema_check is set, a database whose schema
 * is not what this binary expects is refused with what to do ('comradarr
 * migrate'), instead of failing later on a missing table.
 */
int cli_db(struct cli *cli, struct err *e);

/* Report e on stderr (and as an "error" JSON line with --json) and return
 * the exit code it deserves. */
int cli_fail(struct cli *cli, const struct err *e);

/* "tool: MESSAGE\nTry 'tool --help'." on stderr; returns -1. */
int cli_usage_error(const char *tool, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Release everything; returns code (so `return cli_finish(&cli, code);`). */
int cli_finish(struct cli *cli, int code);

void cli_print_help(const struct cli_cmd *cmd);
void cli_print_version(const char *tool);

/* The names given with a repeatable --connector NAME, NULL-terminated. */
#define CLI_MAX_NAMED 64
struct cli_names {
	const char *names[CLI_MAX_NAMED + 1];
	int n;
};

/* Add one --connector NAME; -1 after a usage error when there are too many. */
int cli_names_add(struct cli_names *n, const char *tool, const char *arg);

/*
 * Set pick[i] for every connector in list whose name was given, leaving the
 * others as the caller decided; a name that matches none is ERR_NOTFOUND
 * saying how to list them.
 */
int cli_pick_named(const struct cli_names *n, const struct connector *list, size_t count,
		   int *pick, struct err *e);

/* --format json|human into *json; -1 after a usage error (cli_parse uses it). */
int cli_parse_format(const char *tool, const char *arg, int *json);

/* Parse an integer option within [lo, hi]; -1 after a usage error. */
int cli_parse_int(const char *tool, const char *opt, const char *s, long lo, long hi, long *out);

/*
 * The key that opens stored secrets: SECRET_KEY, or $COMRADARR_HOME/secret.key,
 * generated there on first use (with a warning to back it up).
 */
int cli_secret_key(struct cli *cli, struct secret_key *k, struct err *e);

/* Read a secret: from FILE ("-" = stdin), or from a prompt with echo off
 * when stdin is a terminal.  Malloc'd; caller wipes and frees. */
int cli_read_secret(const char *prompt, const char *file, char **out, struct err *e);

/*
 * The daemons' --once/--loop (comradarr-dispatch, comradarr-notify): run
 * round(cli, ctx) once, or every interval seconds until SIGTERM or SIGINT.
 * Each round gets a fresh correlation id for its log lines; a database
 * connection lost between rounds is reset, so a restarted PostgreSQL
 * costs one failed round, not the process.  A round returns its exit
 * code; the last one is the process's.  *cli_stop_flag() turns 1 at a
 * stop signal: a round that polls it ends after its current step.
 */
typedef int (*cli_round_fn)(struct cli *cli, void *ctx);

void cli_catch_stop(void);
volatile sig_atomic_t *cli_stop_flag(void);
int cli_rounds(struct cli *cli, int loop, long interval, cli_round_fn round, void *ctx);

#endif
