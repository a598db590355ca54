/*
 * main.c - fakearr: a stateful fake Sonarr / Radarr / Whisparr / Prowlarr
 * for integration tests, contract tests, benchmarks and the demo.
 *
 * Parse options, generate the library, listen, print one line
 *   {"event":"listening","port":N,"app":"sonarr"}
 * on stdout, then serve until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakearr.h"
#include "core/clock.h"
#include "core/exitcode.h"
#include "core/log.h"
#include "core/banned.h"

static const char usage[] =
	"usage: fakearr --app sonarr|radarr|whisparr2|whisparr3|prowlarr [--port N] [--bind ADDR]\n"
	"               [--api-key KEY] [--seed N] [--series N] [--seasons N] [--episodes N]\n"
	"               [--movies N] [--missing F] [--cutoff F] [--cf-below F] [--unmonitored F]\n"
	"               [--specials] [--unaired F] [--version X.Y.Z.W] [--command-ms N]\n"
	"               [--grab F] [--import F]\n";

static const char *const app_names[] = { "sonarr", "radarr", "whisparr2", "whisparr3", "prowlarr" };
static const char *const default_versions[] = {
	"4.0.19.2979", "6.0.4.10291", "2.0.0.819", "3.0.0.1015", "2.3.5.5323"
};

static int
parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "fakearr: bad --%s \"%s\": give a whole number from %ld to %ld\n",
			opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_share(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *s == '\0' || *end != '\0' || !(v >= 0.0 && v <= 1.0)) {
		fprintf(stderr, "fakearr: bad --%s \"%s\": give a share from 0 to 1\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct fa_opts *o)
{
	static const struct option longs[] = {
		{ "app", required_argument, NULL, 'a' }, { "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' }, { "api-key", required_argument, NULL, 'k' },
		{ "seed", required_argument, NULL, 's' }, { "series", required_argument, NULL, 'S' },
		{ "seasons", required_argument, NULL, 'N' }, { "episodes", required_argument, NULL, 'E' },
		{ "movies", required_argument, NULL, 'M' }, { "missing", required_argument, NULL, 'm' },
		{ "cutoff", required_argument, NULL, 'c' }, { "cf-below", required_argument, NULL, 'f' },
		{ "unmonitored", required_argument, NULL, 'u' }, { "specials", no_argument, NULL, 'x' },
		{ "unaired", required_argument, NULL, 'U' }, { "version", required_argument, NULL, 'v' },
		{ "command-ms", required_argument, NULL, 'C' }, { "grab", required_argument, NULL, 'g' },
		{ "import", required_argument, NULL, 'i' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, app = -1;
	size_t i;
	long v;

	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		int rc = 0;

		switch (c) {
		case 'a':
			for (i = 0; i < sizeof(app_names) / sizeof(app_names[0]); i++)
				if (strcmp(optarg, app_names[i]) == 0)
					app = (int)i;
			if (app < 0) {
				fprintf(stderr, "fakearr: unknown --app \"%s\"\n%s", optarg, usage);
				return -1;
			}
			break;
		case 'p': rc = parse_long("port", optarg, 0, 65535, &v); o->port = (int)v; break;
		case 'b': o->bind = optarg; break;
		case 'k': o->api_key = optarg; break;
		case 's': rc = parse_long("seed", optarg, 0, 2147483647L, &v); o->seed = (uint64_t)v; break;
		case 'S': rc = parse_long("series", optarg, 0, 1000000, &v); o->series = (int)v; break;
		case 'N': rc = parse_long("seasons", optarg, 1, 1000, &v); o->seasons = (int)v; break;
		case 'E': rc = parse_long("episodes", optarg, 1, 10000, &v); o->episodes = (int)v; break;
		case 'M': rc = parse_long("movies", optarg, 0, 10000000, &v); o->movies = (int)v; break;
		case 'm': rc = parse_share("missing", optarg, &o->missing); break;
		case 'c': rc = parse_share("cutoff", optarg, &o->cutoff); break;
		case 'f': rc = parse_share("cf-below", optarg, &o->cf_below); break;
		case 'u': rc = parse_share("unmonitored", optarg, &o->unmonitored); break;
		case 'U': rc = parse_share("unaired", optarg, &o->unaired); break;
		case 'g': rc = parse_share("grab", optarg, &o->grab); break;
		case 'i': rc = parse_share("import", optarg, &o->import); break;
		case 'x': o->specials = 1; break;
		case 'v': o->version = optarg; break;
		case 'C': rc = parse_long("command-ms", optarg, 0, 86400000L, &v); o->command_ms = v; break;
		case 'h': fputs(usage, stdout); exit(EXIT_OK);
		default: fputs(usage, stderr); return -1;
		}
		if (rc < 0)
			return -1;
	}
	if (optind < argc || app < 0) {
		fprintf(stderr, "fakearr: %s\n%s", app < 0 ? "--app is required" : "unexpected argument", usage);
		return -1;
	}
	o->app = (enum fa_app)app;
	if (o->version == NULL)
		o->version = default_versions[app];
	if ((long long)o->series * o->seasons * (o->episodes + 3) > 20000000LL) {
		fprintf(stderr, "fakearr: --series x --seasons x --episodes is over 20 million: ask for less\n");
		return -1;
	}
	return 0;
}

static void
state_free(struct fa_state *st)
{
	fa_vec_free(&st->series);
	fa_vec_free(&st->episodes);
	fa_vec_free(&st->files);
	fa_vec_free(&st->movies);
	fa_commands_free(st);
	fa_vec_free(&st->hist);
	fa_vec_free(&st->queue);
	json_decref(st->ledger);
	json_decref(st->health);
	json_decref(st->indexerstatus);
	json_decref(st->by_path);
	pthread_mutex_destroy(&st->mu);
}

int
main(int argc, char **argv)
{
	struct fa_state st;
	sigset_t sigs;
	void *daemon = NULL;
	char err[256];
	int port = 0, sig, ret = EXIT_FAIL;
	int64_t t0;

	memset(&st, 0, sizeof(st));
	pthread_mutex_init(&st.mu, NULL);
	st.o.bind = "127.0.0.1";
	st.o.api_key = "fakearr-api-key-0123456789abcdef";
	st.o.seed = 1;
	st.o.series = 10;
	st.o.seasons = 3;
	st.o.episodes = 10;
	st.o.movies = 50;
	st.o.missing = 0.2;
	st.o.cutoff = 0.1;
	st.o.cf_below = 0.1;
	st.o.unmonitored = 0.05;
	st.o.unaired = 0.05;
	st.o.command_ms = 2000;
	st.o.grab = 0.5;
	st.o.import = 0.8;
	fa_vec_init(&st.series, sizeof(struct fa_series));
	fa_vec_init(&st.episodes, sizeof(struct fa_episode));
	fa_vec_init(&st.files, sizeof(struct fa_file));
	fa_vec_init(&st.movies, sizeof(struct fa_movie));
	fa_vec_init(&st.commands, sizeof(struct fa_command));
	fa_vec_init(&st.hist, sizeof(struct fa_hist));
	fa_vec_init(&st.queue, sizeof(struct fa_queue));
	st.ledger = json_array();
	st.health = json_array();
	st.indexerstatus = json_array();
	st.by_path = json_object();
	log_init("fakearr", LOG_LEVEL_INFO, LOG_FORMAT_AUTO);

	if (parse_args(argc, argv, &st.o) < 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	st.fault_rng = st.o.seed;
	st.start_us = clock_now_us();
	st.now_us = st.start_us;
	t0 = clock_mono_us();
	if (fa_library_generate(&st) < 0) {
		fprintf(stderr, "fakearr: out of memory generating the library: ask for fewer items\n");
		goto out;
	}
	st.now_us = clock_now_us();
	log_info("fakearr", "generated %zu series, %zu episodes, %zu movies, %zu files in %lld ms",
		 st.series.n, st.episodes.n, st.movies.n, st.files.n,
		 (long long)(clock_mono_us() - t0) / 1000);

	/* Block the signals before the server's threads start, so only
	 * sigwait() below sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	daemon = fa_http_start(&st, &port, err, sizeof(err));
	if (daemon == NULL) {
		fprintf(stderr, "fakearr: %s\n", err);
		goto out;
	}
	printf("{\"event\":\"listening\",\"port\":%d,\"app\":\"%s\"}\n", port, app_names[st.o.app]);
	fflush(stdout);
	while (sigwait(&sigs, &sig) != 0)
		;
	ret = EXIT_OK;
out:
	fa_http_stop(daemon);
	state_free(&st);
	return ret;
}
