/*
 * comradarr-serve [--listen HOST:PORT] [--threads N] [--auth MODE]
 *                 [--no-access-log] [--list-routes]
 *
 * The HTTP server: the JSON API, /health and the web UI, on one route table
 * (lib/web/routes.c).  Runs until SIGTERM or SIGINT, then stops accepting,
 * lets requests in flight finish and exits 0.  Its own report on stdout is
 * one JSON line per event (serve_listening, http_request, serve_stopped),
 * or short sentences on a terminal.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "db/pool.h"
#include "web/app.h"
#include "web/auth.h"
#include "web/server.h"
#include "web/sse.h"
#include "web/zones.h"
#include "common/cli.h"
#include "core/banned.h"

enum { OPT_LISTEN = 'l', OPT_THREADS = 't', OPT_AUTH = 2000, OPT_CONFIRM, OPT_NO_LOG,
       OPT_ROUTES, OPT_LOGIN_LIMIT, OPT_HEALTH_PUBLIC, OPT_EV_STREAMS, OPT_EV_PER_USER,
       OPT_EV_HEARTBEAT };

struct opts {
	const char *listen, *auth;
	long threads, login_limit;
	long ev_streams, ev_per_user, ev_heartbeat;
	int confirm_disabled, no_access_log, list_routes, health_public;
};

static const struct cli_opt options[] = {
	{ "listen", OPT_LISTEN, "HOST:PORT", "where to listen (default: HOST and PORT, "
	  "0.0.0.0:3000); port 0 picks a free one" },
	{ "threads", OPT_THREADS, "N", "worker threads (default: 2 per CPU, at least 4)" },
	{ "auth", OPT_AUTH, "MODE", "full (default), local (private addresses act as admin), "
	  "or disabled" },
	{ "i-know-auth-is-disabled", OPT_CONFIRM, NULL, "confirm --auth disabled" },
	{ "login-limit", OPT_LOGIN_LIMIT, "N", "login attempts per minute from one address "
	  "(default 10)" },
	{ "public-health-details", OPT_HEALTH_PUBLIC, NULL, "/health shows connectors, queue "
	  "and memory without a login too" },
	{ "event-streams", OPT_EV_STREAMS, "N", "event streams (GET /api/events) open at most "
	  "(default 256; 503 beyond)" },
	{ "event-streams-per-user", OPT_EV_PER_USER, "N", "event streams per user or API key "
	  "(default 8; 429 beyond)" },
	{ "event-heartbeat", OPT_EV_HEARTBEAT, "SECONDS", "a keep-alive comment on idle event "
	  "streams this often; sessions and keys are checked again as often, at most every 10 s "
	  "(default 15)" },
	{ "no-access-log", OPT_NO_LOG, NULL, "no http_request line per request" },
	{ "list-routes", OPT_ROUTES, NULL, "print the route table (method, path, access) and exit" },
	{ NULL, 0, NULL, NULL }
};

static const struct cli_cmd cmd = {
	"comradarr-serve",
	"[--listen HOST:PORT] [--threads N] [--auth MODE] [--login-limit N] "
	"[--public-health-details] [--event-streams N] [--event-streams-per-user N]\n"
	"                       [--event-heartbeat SECONDS] [--no-access-log] [--list-routes]",
	"Serve the JSON API, /health and the web UI until stopped.",
	options,
	"Exit status: 0 stopped by SIGTERM or SIGINT, 1 failed to start, 2 usage error.\n"
};

static int
on_opt(void *ctx, int key, const char *arg)
{
	struct opts *o = ctx;

	switch (key) {
	case OPT_LISTEN: o->listen = arg; break;
	case OPT_AUTH:
		if (strcmp(arg, "full") != 0 && strcmp(arg, "local") != 0 &&
		    strcmp(arg, "disabled") != 0)
			return cli_usage_error(cmd.name, "--auth takes full, local or disabled");
		o->auth = arg;
		break;
	case OPT_CONFIRM: o->confirm_disabled = 1; break;
	case OPT_NO_LOG: o->no_access_log = 1; break;
	case OPT_ROUTES: o->list_routes = 1; break;
	case OPT_HEALTH_PUBLIC: o->health_public = 1; break;
	case OPT_LOGIN_LIMIT:
		return cli_parse_int(cmd.name, "--login-limit", arg, 1, 100000, &o->login_limit);
	case OPT_THREADS: return cli_parse_int(cmd.name, "--threads", arg, 1, 256, &o->threads);
	case OPT_EV_STREAMS:
		return cli_parse_int(cmd.name, "--event-streams", arg, 1, 4096, &o->ev_streams);
	case OPT_EV_PER_USER:
		return cli_parse_int(cmd.name, "--event-streams-per-user", arg, 1, 4096,
				     &o->ev_per_user);
	case OPT_EV_HEARTBEAT:
		return cli_parse_int(cmd.name, "--event-heartbeat", arg, 1, 300, &o->ev_heartbeat);
	default: break;
	}
	return 0;
}

/* The access log: one writer at a time, lines never interleave. */
struct logctx {
	struct cli *cli;
	pthread_mutex_t mu;
};

static void
on_done(void *arg, const struct web_req *req, const struct web_resp *resp, int64_t us)
{
	struct logctx *l = arg;
	json_t *o;

	pthread_mutex_lock(&l->mu);
	if (l->cli->json) {
		o = json_pack("{s:s,s:s,s:i,s:I,s:s,s:s}", "method", req->method,
			      "path", req->path[0] ? req->path : "-", "status", resp->status,
			      "duration_us", (json_int_t)us, "request_id", req->request_id,
			      "peer", req->peer);
		if (req->route != NULL)
			json_object_set_new(o, "route", json_string(req->route->pattern));
		if (req->who.kind != WEB_ANON && req->who.user[0] != '\0')
			json_object_set_new(o, "user", json_string(req->who.user));
		if (req->who.kind == WEB_APIKEY)
			json_object_set_new(o, "api_key_id", json_integer(req->who.key_id));
		if (resp->error_code != NULL)
			json_object_set_new(o, "error", json_string(resp->error_code));
		jsonl_emit(&l->cli->out, "http_request", o);
	} else {
		printf("%s %s %d %.1fms %s\n", req->method, req->path[0] ? req->path : "-",
		       resp->status, (double)us / 1000.0, req->peer);
		fflush(stdout);
	}
	pthread_mutex_unlock(&l->mu);
}

static void
print_route(const struct web_route *r, void *arg)
{
	static const char *const names[] = { "unset", "public", "read", "write", "admin",
					     "webhook" };
	static const char *const kinds[] = { "api", "page", "asset" };
	struct cli *cli = arg;

	if (cli->json)
		jsonl_emit(&cli->out, "route", json_pack("{s:s,s:s,s:s,s:s}", "method", r->method,
							 "path", r->pattern, "access",
							 names[r->access], "kind", kinds[r->kind]));
	else
		printf("%-6s %-40s %-6s %s\n", r->method, r->pattern, names[r->access],
		       kinds[r->kind]);
}

/* "HOST:PORT", "[v6]:PORT" or ":PORT" into host (malloc'd) and port. */
static int
parse_listen(const char *s, char **host, int *port)
{
	const char *colon = strrchr(s, ':');
	long p;
	char *end = NULL;

	if (colon == NULL)
		return -1;
	p = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
		return -1;
	if (s[0] == '[' && colon > s && colon[-1] == ']')
		*host = strndup(s + 1, (size_t)(colon - s - 2));
	else
		*host = colon == s ? strdup("0.0.0.0") : strndup(s, (size_t)(colon - s));
	*port = (int)p;
	return *host == NULL ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	struct opts o;
	struct err e = ERR_INIT;
	struct web_router *router = NULL;
	struct web_server *srv = NULL;
	struct web_server_opts so;
	struct web_app app;
	struct secret_key key;
	struct db_pool *pool = NULL;
	struct logctx lc;
	sigset_t sigs;
	char *host = NULL;
	int done, rc, sig = 0, port;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&o, 0, sizeof(o));
	memset(&app, 0, sizeof(app));
	memset(&key, 0, sizeof(key));
	rc = cli_init(&cli, &cmd, argc, argv, on_opt, &o, &done);
	if (rc != 0 || done)
		return cli_finish(&cli, rc);
	if (cli.argc > 0) {
		cli_usage_error(cmd.name, "unexpected argument '%s'", cli.argv[0]);
		return cli_finish(&cli, EXIT_USAGE);
	}
	router = web_router_new("/login");
	if (router == NULL || web_routes_register(router, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	if (o.list_routes) {
		web_router_each(router, print_route, &cli);
		rc = EXIT_OK;
		goto out;
	}
	port = cli.cfg.port;
	if (o.listen != NULL && parse_listen(o.listen, &host, &port) < 0) {
		cli_usage_error(cmd.name, "--listen takes HOST:PORT, [ADDRESS]:PORT or :PORT");
		rc = EXIT_USAGE;
		goto out;
	}
	if (o.auth != NULL && strcmp(o.auth, "disabled") == 0 && !o.confirm_disabled) {
		cli_usage_error(cmd.name, "--auth disabled lets anyone who reaches the port act as "
				"an administrator; add --i-know-auth-is-disabled to confirm");
		rc = EXIT_USAGE;
		goto out;
	}
	app.auth_mode = o.auth == NULL || strcmp(o.auth, "full") == 0 ? WEB_AUTH_FULL :
		strcmp(o.auth, "local") == 0 ? WEB_AUTH_LOCAL : WEB_AUTH_DISABLED;
	if (app.auth_mode == WEB_AUTH_DISABLED)
		log_warn("serve", "authentication is DISABLED: anyone who can reach this port is "
			 "an administrator");
	app.login_per_minute = o.login_limit > 0 ? (int)o.login_limit : 10;
	app.health_public_details = o.health_public;
	if (web_app_init(&app, &cli.cfg, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out;
	}
	/* The schema must be this binary's; an unreachable database is not fatal
	 * (/health says "degraded" until it is back). */
	if (cli_db(&cli, &e) < 0) {
		if (e.kind != ERR_DB || strstr(e.msg, "not up to date") != NULL) {
			rc = cli_fail(&cli, &e);
			goto out;
		}
		log_warn("serve", "database not reachable yet: %s", e.msg);
		err_clear(&e);
	} else {
		if (web_auth_bootstrap(cli.db, &cli.cfg, &e) < 0) {
			rc = cli_fail(&cli, &e);
			goto out;
		}
		if (cli_secret_key(&cli, &key, &e) < 0) {
			log_warn("serve", "connector keys cannot be opened: %s", e.msg);
			err_clear(&e);
		} else {
			app.key = &key;
			app.have_key = 1;
		}
		PQfinish(cli.db);
		cli.db = NULL;
	}
	if (o.threads == 0)
		o.threads = ncpu > 2 ? 2 * ncpu : 4;
	pool = db_pool_new(&cli.cfg, cmd.name, (int)o.threads + 2, 5000);
	if (pool == NULL) {
		err_set(&e, ERR_NOMEM, "out of memory");
		rc = cli_fail(&cli, &e);
		goto out;
	}
	lc.cli = &cli;
	pthread_mutex_init(&lc.mu, NULL);
	memset(&so, 0, sizeof(so));
	so.host = host ? host : cli.cfg.host;
	so.port = port;
	so.base_url = cli.cfg.base_url;
	so.threads = (int)o.threads;
	so.timeout_s = 30;
	so.conn_limit = 1024;
	so.router = router;
	so.pool = pool;
	so.trusted_proxies = getenv("TRUSTED_PROXIES");
	so.authenticate = web_auth_request;
	so.after = web_auth_after;
	so.on_done = o.no_access_log ? NULL : on_done;
	so.on_done_arg = &lc;
	so.app = &app;
	app.metrics = web_metrics_new(router);
	app.zones = web_zones_new();	/* NULL: each view learns its zones */
	so.metrics = app.metrics;
	/* The schedule pages read IANA zones through lib/policy/tz_zone.c,
	 * which switches TZ under its lock.  With TZ already set that is an
	 * in-place replacement, never an unsetenv() that reshapes environ
	 * while another thread reads it (libpq's getenv() at connect).
	 * ":/etc/localtime" is what an unset TZ means. */
	if (getenv("TZ") == NULL)
		setenv("TZ", ":/etc/localtime", 1);
	/* Block the stop signals before any thread starts, then wait for them
	 * here: the workers never see a signal. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	{
		struct web_sse_opts eo;

		memset(&eo, 0, sizeof(eo));
		eo.cfg = &cli.cfg;
		eo.max_streams = (int)o.ev_streams;
		eo.max_per_principal = (int)o.ev_per_user;
		eo.heartbeat_s = (int)o.ev_heartbeat;
		eo.check_s = o.ev_heartbeat > 0 && o.ev_heartbeat < 10 ? (int)o.ev_heartbeat : 10;
		/* a stream the server closes must not sit on its slot for a
		 * whole idle timeout: the heartbeat stays well inside it */
		if (eo.heartbeat_s == 0 || eo.heartbeat_s * 2 > (int)so.timeout_s)
			eo.heartbeat_s = eo.heartbeat_s == 0 ? 15 : (int)so.timeout_s / 2;
		if (web_sse_new(&eo, &app.sse, &e) < 0) {
			rc = cli_fail(&cli, &e);
			goto out_lock;
		}
	}
	if (web_server_start(&so, &srv, &e) < 0) {
		rc = cli_fail(&cli, &e);
		goto out_lock;
	}
	if (cli.json)
		jsonl_emit(&cli.out, "serve_listening",
			   json_pack("{s:s,s:i,s:s,s:i,s:s}", "host", so.host, "port",
				     web_server_port(srv), "base_url", so.base_url, "threads",
				     so.threads, "auth", app.auth_mode == WEB_AUTH_FULL ? "full" :
				     app.auth_mode == WEB_AUTH_LOCAL ? "local" : "disabled"));
	else
		printf("listening on %s port %d\n", so.host, web_server_port(srv));
	fflush(stdout);
	/* wait for a stop signal; every few seconds, pick up a log level set
	 * by another process (Req 31.5: no restart) */
	for (;;) {
		struct timespec every = { 5, 0 };

		sig = sigtimedwait(&sigs, NULL, &every);
		if (sig > 0)
			break;
		web_app_poll(&app, pool);
	}
	/* the event streams end first: they never finish on their own */
	web_sse_shutdown(app.sse);
	web_server_stop(srv, 10000);
	if (cli.json)
		jsonl_emit(&cli.out, "serve_stopped", json_pack("{s:s}", "signal",
							       sig == SIGINT ? "SIGINT" : "SIGTERM"));
	else
		printf("stopped (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	rc = EXIT_OK;
out_lock:
	web_sse_free(app.sse);	/* after the server: its streams point into it */
	app.sse = NULL;
	pthread_mutex_destroy(&lc.mu);
out:
	db_pool_free(pool);
	web_metrics_free(app.metrics);
	web_zones_free(app.zones);
	web_app_release(&app);
	web_router_free(router);
	sodium_memzero(&key, sizeof(key));
	free(host);
	return cli_finish(&cli, rc);
}
