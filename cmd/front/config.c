/*
 * comradarr config export|import - the configuration as JSON, without a
 * secret (Req 30.5, 36.5).  The document is lib/db/config_io.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "db/config_io.h"
#include "core/log.h"
#include "front/front.h"
#include "core/banned.h"

enum { OPT_OUTPUT = 'o', OPT_KEY = 2000 };

#define MAX_KEY_FILES 64

struct copts {
	const char *output;
	const char *key_names[MAX_KEY_FILES];	/* --api-key-file NAME=FILE */
	const char *key_files[MAX_KEY_FILES];
	int nkeys;
};

static const struct cli_opt export_opts[] = {
	{ "output", OPT_OUTPUT, "FILE", "write the document to FILE instead of standard output" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_opt import_opts[] = {
	{ "api-key-file", OPT_KEY, "NAME=FILE", "read connector NAME's API key from FILE ('-': "
	  "standard input); repeatable; keys not given are asked for on a terminal" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd export_cmd = {
	"comradarr config export", "[--output FILE]",
	"Print the configuration as one JSON document: connectors (without their API keys), "
	"custom throttle profiles, assignments and settings.",
	export_opts, "No secret is ever in it, sealed or not.\n"
};

static const struct cli_cmd import_cmd = {
	"comradarr config import", "FILE [--api-key-file NAME=FILE]...",
	"Load an exported configuration into a fresh database, in one transaction; only the "
	"connectors' API keys are asked for.",
	import_opts, NULL
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct copts *o = ctx;
	const char *eq;

	switch (key) {
	case OPT_OUTPUT: o->output = arg; break;
	case OPT_KEY:
		eq = strchr(arg, '=');
		if (eq == NULL || eq == arg || eq[1] == '\0')
			return cli_usage_error("comradarr config import", "--api-key-file takes "
					       "NAME=FILE, not '%s'", arg);
		if (o->nkeys == MAX_KEY_FILES)
			return cli_usage_error("comradarr config import", "at most %d --api-key-file",
					       MAX_KEY_FILES);
		o->key_names[o->nkeys] = arg;
		o->key_files[o->nkeys++] = eq + 1;
		break;
	default: break;
	}
	return 0;
}

static int
c_export(int argc, char **argv)
{
	struct cli cli;
	struct copts o;
	struct err e = ERR_INIT;
	json_t *doc = NULL;
	FILE *f = stdout;
	int done, rc;

	memset(&o, 0, sizeof(o));
	rc = cli_init(&cli, &export_cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(export_cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	if (cli_db(&cli, &e) < 0 || db_config_export(cli.db, &doc, &e) < 0)
		return cli_finish(&cli, cli_fail(&cli, &e));
	if (o.output != NULL && (f = fopen(o.output, "wx")) == NULL) {
		err_set(&e, ERR_IO, "cannot create '%s': %s", o.output, strerror(errno));
		json_decref(doc);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	/* the document itself is the output: indented, for a person or git */
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 || fputc('\n', f) == EOF ||
	    (f != stdout && fclose(f) == EOF)) {
		err_set(&e, ERR_IO, "cannot write the configuration: %s", strerror(errno));
		json_decref(doc);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (f != stdout) {
		json_t *s = json_pack("{s:s, s:I, s:I, s:I}", "file", o.output, "connectors",
				      (json_int_t)json_array_size(json_object_get(doc, "connectors")),
				      "profiles",
				      (json_int_t)json_array_size(json_object_get(doc, "profiles")),
				      "settings",
				      (json_int_t)json_object_size(json_object_get(doc, "settings")));

		if (cli.json)
			jsonl_emit(&cli.out, "config_exported", s);
		else {
			printf("configuration written to %s (no secret in it)\n", o.output);
			json_decref(s);
		}
	}
	json_decref(doc);
	return cli_finish(&cli, EXIT_OK);
}

static void
free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (keys[i] != NULL) {
			sodium_memzero(keys[i], strlen(keys[i]));
			free(keys[i]);
		}
	}
	free(keys);
}

/* Each connector's API key: from --api-key-file, else a prompt. */
static int
read_keys(const struct copts *o, json_t *doc, char ***out, struct err *e)
{
	json_t *conns = json_object_get(doc, "connectors"), *v;
	size_t n = json_array_size(conns), i;
	char **keys = calloc(n + 1, sizeof(char *));
	int stdin_used = 0;

	*out = NULL;
	if (keys == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (int j = 0; j < o->nkeys; j++) {
		size_t nl = (size_t)(o->key_files[j] - 1 - o->key_names[j]);
		int found = 0;

		json_array_foreach(conns, i, v) {
			const char *name = json_string_value(json_object_get(v, "name"));

			if (strlen(name) == nl && strncmp(name, o->key_names[j], nl) == 0)
				found = 1;
		}
		if (!found) {
			free_keys(keys, n);
			return err_set(e, ERR_USAGE, "--api-key-file names connector '%.*s', which the "
				       "configuration does not have", (int)nl, o->key_names[j]);
		}
	}
	json_array_foreach(conns, i, v) {
		const char *name = json_string_value(json_object_get(v, "name")), *file = NULL;
		char prompt[128];

		for (int j = 0; j < o->nkeys; j++) {
			size_t nl = (size_t)(o->key_files[j] - 1 - o->key_names[j]);

			if (strlen(name) == nl && strncmp(name, o->key_names[j], nl) == 0)
				file = o->key_files[j];
		}
		if (file == NULL && !isatty(STDIN_FILENO)) {
			free_keys(keys, n);
			return err_set(e, ERR_USAGE, "connector '%s' needs its API key: give "
				       "--api-key-file %s=FILE, or run on a terminal to be asked", name,
				       name);
		}
		if (file != NULL && strcmp(file, "-") == 0 && stdin_used++) {
			free_keys(keys, n);
			return err_set(e, ERR_USAGE, "only one API key can come from standard input");
		}
		snprintf(prompt, sizeof(prompt), "API key of connector '%s'", name);
		if (cli_read_secret(prompt, file, &keys[i], e) < 0) {
			free_keys(keys, n);
			return err_prefix(e, "connector '%s'", name);
		}
		log_secret_add(keys[i]);
	}
	*out = keys;
	return 0;
}

static int
c_import(int argc, char **argv)
{
	struct cli cli;
	struct copts o;
	struct err e = ERR_INIT;
	struct secret_key k;
	struct db_config_import_report r;
	json_t *doc;
	json_error_t je;
	char **keys = NULL;
	int done, rc;

	memset(&o, 0, sizeof(o));
	rc = cli_init(&cli, &import_cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc != 1) {
		cli_usage_error(import_cmd.name, cli.argc ? "unexpected argument '%s'" :
				"the configuration FILE is missing%s", cli.argc ? cli.argv[1] : "");
		return cli_finish(&cli, EXIT_USAGE);
	}
	doc = json_load_file(cli.argv[0], 0, &je);
	if (doc == NULL) {
		err_set(&e, ERR_USAGE, "cannot read '%s': %s (line %d)", cli.argv[0], je.text,
			je.line);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (db_config_check(doc, &e) < 0 || cli_db(&cli, &e) < 0 || read_keys(&o, doc, &keys, &e) < 0) {
		json_decref(doc);
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	rc = cli_secret_key(&cli, &k, &e);
	if (rc == 0) {
		rc = db_config_import(cli.db, &k, doc, (const char *const *)keys, &r, &e);
		secret_key_wipe(&k);
	}
	free_keys(keys, json_array_size(json_object_get(doc, "connectors")));
	json_decref(doc);
	if (rc < 0) {
		err_prefix(&e, "nothing was imported");
		return cli_finish(&cli, cli_fail(&cli, &e));
	}
	if (cli.json)
		jsonl_emit(&cli.out, "config_imported",
			   json_pack("{s:i, s:i, s:i, s:i}", "connectors", r.connectors, "profiles",
				     r.profiles, "assignments", r.assignments, "settings", r.settings));
	else
		printf("imported %d connectors, %d profiles, %d assignments, %d settings\n",
		       r.connectors, r.profiles, r.assignments, r.settings);
	return cli_finish(&cli, EXIT_OK);
}

int
front_config(int argc, char **argv)
{
	static const struct front_sub subs[] = {
		{ "export", "the configuration as JSON, without a secret", c_export },
		{ "import", "load an exported configuration; asks for the API keys", c_import },
		{ NULL, NULL, NULL }
	};

	return front_dispatch("comradarr config", subs, argc, argv);
}
