/*
 * front.h - the admin verbs of the `comradarr` front door.  Each takes the
 * arguments after its name (argv[0] is the verb) and returns an exit code.
 */
#ifndef COMRADARR_CMD_FRONT_H
#define COMRADARR_CMD_FRONT_H

#include "common/cli.h"

int front_db(int argc, char **argv);
int front_migrate(int argc, char **argv);
int front_connector(int argc, char **argv);
int front_profile(int argc, char **argv);
int front_queue(int argc, char **argv);
int front_explain(int argc, char **argv);
int front_key(int argc, char **argv);
int front_config(int argc, char **argv);
int front_connector_test(int argc, char **argv);
int front_schedule(int argc, char **argv);

/* The zone new schedules use: the configured TZ, else "UTC". */
const char *front_default_zone(const struct cli *cli);
int front_settings(int argc, char **argv);
int front_stats(int argc, char **argv);
int front_channel(int argc, char **argv);
int front_user(int argc, char **argv);
int front_user_totp(int argc, char **argv);
int front_apikey(int argc, char **argv);
int front_webhook(int argc, char **argv);

/* A schedule's JSON line members (settings, description, next run at
 * now_s, last run); a new reference. */
struct schedule;
json_t *front_schedule_json(const struct schedule *s, int64_t now_s);
int front_registry(int argc, char **argv);
int front_priority(int argc, char **argv);

/* Find a sub-verb by name in a {NULL}-terminated table; usage error if none. */
struct front_sub {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};
int front_dispatch(const char *tool, const struct front_sub *subs, int argc, char **argv);

#endif
