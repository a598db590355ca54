/*
 * comradarr-notify [--once | --loop [--interval SECONDS]] [--max-messages N]
 *                  [--public-url URL]
 *
 * Deliver the event outbox to the notification channels: route new events
 * to the channels that want them, turn waiting ones into messages (digests,
 * quiet hours), send what is due, retry what failed.  The work is
 * lib/stage/notify.h; the protocol lib/db/notify.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "core/log.h"
#include "stage/notify.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_ONCE = 2000, OPT_LOOP, OPT_INTERVAL, OPT_MAX, OPT_PUBLIC_URL };

struct opts {
	int loop;
	long interval, max_messages;
	const char *public_url;
};

static const struct cli_opt options[] = {
	{ "once", OPT_ONCE, NULL, "one round, then exit (the default; what the timer runs)" },
	{ "loop", OPT_LOOP, NULL, "run rounds until stopped (SIGTERM finishes the send in hand)" },
	{ "interval", OPT_INTERVAL, "SECONDS", "pause between rounds with --loop (default 30)" },
	{ "max-messages", OPT_MAX, "N", "send at most N messages per round" },
	{ "public-url", OPT_PUBLIC_URL, "URL", "where Comradarr's UI is reached, for the {url} "
	  "placeholder (e.g. https://comradarr.example/)" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-notify",
	"[--once | --loop [--interval SECONDS]] [--max-messages N] [--public-url URL]",
	"Deliver the event outbox to the notification channels, exactly once per channel.",
	options,
	"Channels are set up with 'comradarr channel add'.\n"
	"Exit status: 0 done (a receiver's failure is retried later and is not an error),\n"
	"1 failed (the database), 3 a channel was stopped or a message given up this round.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_ONCE: o->loop = 0; break;
	case OPT_LOOP: o->loop = 1; break;
	case OPT_INTERVAL:
		return cli_parse_int(cmd.name, "--interval", arg, 1, 86400, &o->interval);
	case OPT_MAX: return cli_parse_int(cmd.name, "--max-messages", arg, 1, 100000,
					   &o->max_messages);
	case OPT_PUBLIC_URL:
		if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0)
			return cli_usage_error(cmd.name, "--public-url must start with http:// or "
					       "https://");
		if (strlen(arg) > 1000)
			return cli_usage_error(cmd.name, "--public-url is too long");
		o->public_url = arg;
		break;
	default: break;
	}
	return 0;
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
	long long id = (long long)json_integer_value(json_object_get(o, "message_id"));

	(void)arg;
	if (strcmp(event, "notify_sent") == 0)
		printf("%s: sent message %lld (%s, %lld events): %lld %s\n", jstr(o, "channel"), id,
		       jstr(o, "kind"), (long long)json_integer_value(json_object_get(o, "events")),
		       (long long)json_integer_value(json_object_get(o, "status")), jstr(o, "answer"));
	else if (strcmp(event, "notify_retry") == 0)
		printf("%s: message %lld will be retried in %lld s: %s\n", jstr(o, "channel"), id,
		       (long long)json_integer_value(json_object_get(o, "retry_in_ms")) / 1000,
		       jstr(o, "error"));
	else if (strcmp(event, "notify_failed") == 0)
		printf("%s: message %lld given up: %s\n", jstr(o, "channel"), id, jstr(o, "error"));
	else if (strcmp(event, "notify_channel_stopped") == 0)
		printf("%s: channel stopped: %s; fix it, then 'comradarr channel enable %s'\n",
		       jstr(o, "channel"), jstr(o, "error"), jstr(o, "channel"));
	else if (strcmp(event, "notify_held") == 0)
		printf("%s: %lld events held for quiet hours until %s\n", jstr(o, "channel"),
		       (long long)json_integer_value(json_object_get(o, "events")), jstr(o, "until"));
	else if (strcmp(event, "notify_dropped") == 0)
		printf("%s: %lld events dropped in quiet hours\n", jstr(o, "channel"),
		       (long long)json_integer_value(json_object_get(o, "events")));
	else if (strcmp(event, "notify_deferred") == 0)
		printf("%s: message %lld waits for the hourly cap until %s\n", jstr(o, "channel"), id,
		       jstr(o, "until"));
	else if (strcmp(event, "notify_error") == 0)
		printf("%s: %s\n", jstr(o, "channel"), jstr(o, "message"));
	fflush(stdout);
}

static json_t *
summary(const struct notify_report *r)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "channels", (json_int_t)r->channels, "routed", (json_int_t)r->routed,
			 "messages", (json_int_t)r->messages, "sent", (json_int_t)r->sent,
			 "retried", (json_int_t)r->retried, "failed", (json_int_t)r->failed,
			 "stopped", (json_int_t)r->stopped, "deferred", (json_int_t)r->deferred,
			 "held", (json_int_t)r->held, "dropped", (json_int_t)r->dropped,
			 "errors", (json_int_t)r->errors);
}

static int
round_once(struct cli *cli, void *ctx)
{
	struct notify_opts *no = ctx;
	struct notify_report r;
	struct err e = ERR_INIT;

	if (notify_run(cli->db, no, &r, &e) < 0)
		return cli_fail(cli, &e);
	if (cli->json)
		jsonl_emit(&cli->out, "notify_done", summary(&r));
	else
		printf("%ld channels: %ld events routed, %ld messages composed; %ld sent, "
		       "%ld to retry, %ld given up, %ld channels stopped, %ld held, %ld "
		       "deferred by the hourly cap\n", r.channels, r.routed, r.messages,
		       r.sent, r.retried, r.failed, r.stopped, r.held, r.deferred);
	return r.stopped > 0 || r.failed > 0 || r.errors > 0 ? EXIT_PARTIAL : EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct secret_key k;
	struct notify_opts no;
	char base[1024];
	int done, rc;

	memset(&o, 0, sizeof(o));
	memset(&k, 0, sizeof(k));
	o.interval = 30;
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	cli_catch_stop();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (cli_secret_key(&cli, &k, &e) < 0 || cli_db(&cli, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	memset(&no, 0, sizeof(no));
	no.key = &k;
	if (o.public_url != NULL) {
		size_t n = strlen(o.public_url);

		/* {url} appends "events/ID": the base ends in exactly one '/' */
		snprintf(base, sizeof(base), "%.*s/", (int)(n > 0 && o.public_url[n - 1] == '/' ?
							     n - 1 : n), o.public_url);
		no.base_url = base;
	}
	no.out = &cli.out;
	no.max_messages = o.max_messages;
	if (!cli.json)
		no.line = human_line;
	rc = cli_rounds(&cli, o.loop, o.interval, round_once, &no);
out:
	secret_key_wipe(&k);
	curl_global_cleanup();
	return cli_finish(&cli, rc);
}
