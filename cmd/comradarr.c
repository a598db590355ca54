/*
 * comradarr - the front door.
 *
 *   comradarr VERB ...   an admin verb (db, migrate, connector, ...)
 *   comradarr TOOL ...   runs comradarr-TOOL from the same installation,
 *                        git style: comradarr sync == comradarr-sync
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front/front.h"
#include "core/banned.h"

static const struct front_sub verbs[] = {
	{ "db", "the embedded PostgreSQL: init, start, stop, status", front_db },
	{ "migrate", "bring the database schema up to date", front_migrate },
	{ "connector", "add, list, show, edit, enable, disable, rm, test connectors", front_connector },
	{ "profile", "throttle profiles: add, list, show, edit, rm, assign", front_profile },
	{ "queue", "the search queue: pause, resume, clear, list, status", front_queue },
	{ "schedule", "sweep schedules: add, list, show, edit, enable, disable, rm, next, run", front_schedule },
	{ "explain", "why an episode or movie is (not) a search candidate", front_explain },
	{ "settings", "settings kept in the database: list, get, set, reset", front_settings },
	{ "stats", "searches, success rate, budget, gaps filled, per day or week", front_stats },
	{ "channel", "notification channels: add, list, show, edit, rm, test", front_channel },
	{ "key", "the secret key: rotate, confirm, status", front_key },
	{ "user", "comradarr-serve's users: add, passwd, role, rm, list", front_user },
	{ "apikey", "API keys for scripts: add, list, revoke", front_apikey },
	{ "webhook", "the secret an *arr's webhook calls carry: secret, rm", front_webhook },
	{ "config", "the configuration as JSON: export, import", front_config },
	{ "registry", "the search registry: list", front_registry },
	{ "priority", "priority overrides: set", front_priority },
	{ NULL, NULL, NULL }
};

static const char *const tools[] = {
	"sync", "discover", "enqueue", "dispatch", "notify", "maint", "backup", "serve", NULL
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: comradarr <command> [options]\n\n"
		"Keep *arr libraries complete: find missing episodes and movies and quality\n"
		"upgrades, and search for them gently enough that indexers never ban you.\n\n"
		"admin commands:\n");
	for (const struct front_sub *v = verbs; v->name != NULL; v++)
		fprintf(f, "  %-12s %s\n", v->name, v->summary);
	fprintf(f, "\ntools (each also runs as comradarr-TOOL):\n");
	for (int i = 0; tools[i] != NULL; i++)
		fprintf(f, "  %s", tools[i]);
	fprintf(f, "\n\n'comradarr <command> --help' describes each; man comradarr(1), comradarr(7).\n");
}

/* Where to look for comradarr-TOOL: beside this binary first, then the
 * install's libexec directory, then PATH. */
static int
run_tool(const char *tool, int argc, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 256], name[128];
	ssize_t n;

	(void)argc;
	snprintf(name, sizeof(name), "comradarr-%s", tool);
	for (const char *p = tool; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
			goto unknown;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, name);
			if (access(path, X_OK) == 0) {
				argv[0] = name;
				execv(path, argv);
			}
		}
	}
	snprintf(path, sizeof(path), "%s/%s", COMRADARR_LIBEXECDIR, name);
	if (access(path, X_OK) == 0) {
		argv[0] = name;
		execv(path, argv);
	}
	argv[0] = name;
	execvp(name, argv);
	if (errno != ENOENT) {
		fprintf(stderr, "comradarr: cannot run '%s': %s\n", name, strerror(errno));
		return EXIT_FAIL;
	}
unknown:
	fprintf(stderr, "comradarr: '%s' is not a comradarr command. See 'comradarr --help'.\n", tool);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		cli_print_version("comradarr");
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--list-options") == 0) {
		for (const struct front_sub *v = verbs; v->name != NULL; v++)
			printf("%s\n", v->name);
		for (int i = 0; tools[i] != NULL; i++)
			printf("%s\n", tools[i]);
		return EXIT_OK;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "comradarr: unknown option '%s'\nTry 'comradarr --help' for more information.\n",
			argv[1]);
		return EXIT_USAGE;
	}
	for (const struct front_sub *v = verbs; v->name != NULL; v++) {
		if (strcmp(argv[1], v->name) == 0)
			return v->run(argc - 1, argv + 1);
	}
	return run_tool(argv[1], argc - 1, argv + 1);
}
