/*
 * rounds.c - --once and --loop for the daemons that work in rounds
 * (comradarr-dispatch, comradarr-notify): one signal handler, one sleep
 * that a signal cuts short, one reconnect rule.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"
#include "core/log.h"
#include "core/banned.h"

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

void
cli_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

volatile sig_atomic_t *
cli_stop_flag(void)
{
	return &stop_flag;
}

int
cli_rounds(struct cli *cli, int loop, long interval, cli_round_fn round, void *ctx)
{
	int rc;

	for (;;) {
		char corr[17];

		log_new_correlation_id(corr, sizeof(corr));
		log_set_correlation_id(corr);
		rc = round(cli, ctx);
		if (!loop || stop_flag)
			break;
		/* one-second naps: a stop signal ends the wait within a second
		 * even where sleep() is restarted after the handler */
		for (long s = 0; s < interval && !stop_flag; s++)
			sleep(1);
		if (stop_flag)
			break;
		if (PQstatus(cli->db) != CONNECTION_OK)
			PQreset(cli->db);
	}
	return rc;
}
