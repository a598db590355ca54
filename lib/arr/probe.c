#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arr/app.h"
#include "arr/probe.h"
#include "arr/radarr.h"
#include "core/banned.h"

enum arr_health
arr_probe_classify(const struct arr_probe_facts *f)
{
	if (f->auth_failed)
		return ARR_HEALTH_UNHEALTHY;
	if (f->unreachable && !f->answered)
		return ARR_HEALTH_OFFLINE;
	if (f->server_errors >= 2 || !f->answered)
		return ARR_HEALTH_UNHEALTHY;
	if (f->health_errors > 0 || f->health_warnings > 0 || f->server_errors > 0)
		return ARR_HEALTH_DEGRADED;
	return ARR_HEALTH_HEALTHY;
}

const char *
arr_health_name(enum arr_health h)
{
	switch (h) {
	case ARR_HEALTH_HEALTHY:
		return "healthy";
	case ARR_HEALTH_DEGRADED:
		return "degraded";
	case ARR_HEALTH_UNHEALTHY:
		return "unhealthy";
	default:
		return "offline";
	}
}

static void
warn(struct arr_probe_report *r, const char *fmt, const char *a, const char *b)
{
	if (r->nwarnings >= ARR_PROBE_MAX_WARNINGS)
		return;
	snprintf(r->warnings[r->nwarnings++], sizeof(r->warnings[0]), fmt, a, b);
}

void
arr_probe_check_version(enum arr_app configured,
			const struct arr_system_status *st,
			struct arr_probe_report *r)
{
	enum arr_app seen = arr_app_from_name(st->app_name);
	const int *v = st->version_parts;

	if (configured != ARR_APP_UNKNOWN && seen != configured)
		warn(r, "the app at this URL is %s, but the connector is set up "
		     "as %s; fix the URL or the connector type", st->app_name,
		     arr_app_name(configured));
	switch (seen) {
	case ARR_APP_SONARR:
		if (v[0] < 4)
			warn(r, "Sonarr %s%s is older than v4 and not tested; "
			     "upgrade Sonarr", st->version, "");
		break;
	case ARR_APP_RADARR:
		if (!arr_radarr_has_wanted(ARR_DIALECT_RADARR, v))
			warn(r, "Radarr %s%s has no wanted/missing or wanted/cutoff "
			     "(they need 5.6.0.8846); gaps will be computed from "
			     "the movie list", st->version, "");
		break;
	case ARR_APP_WHISPARR:
		if (v[0] != 2 && v[0] != 3)
			warn(r, "Whisparr %s%s is neither v2 nor v3 and not "
			     "supported", st->version, "");
		break;
	default:
		break;
	}
}

static void
note_error(struct arr_probe_report *r, const struct err *e)
{
	switch (e->kind) {
	case ERR_NET_REFUSED:
	case ERR_NET_DNS:
	case ERR_NET_TIMEOUT:
	case ERR_NET_TLS:
	case ERR_NET:
		r->facts.unreachable = 1;
		break;
	case ERR_AUTH:
		r->facts.auth_failed = 1;
		break;
	case ERR_SERVER:
	case ERR_STARTING:
		r->facts.server_errors++;
		break;
	default:
		break;
	}
	if (r->first_error.kind == ERR_NONE)
		r->first_error = *e;
}

static int
health_item(const struct arr_health_item *h, void *arg, struct err *e)
{
	struct arr_probe_report *r = arg;

	(void)e;
	if (strcasecmp(h->type, "error") == 0)
		r->facts.health_errors++;
	else if (strcasecmp(h->type, "warning") == 0)
		r->facts.health_warnings++;
	else if (strcasecmp(h->type, "ok") == 0)
		return 0;
	if (r->nitems < ARR_PROBE_MAX_HEALTH)
		r->items[r->nitems++] = *h;
	return 0;
}

int
arr_probe(struct arr_client *c, struct arr_probe_report *r, struct err *e)
{
	struct err pe = ERR_INIT, ping = ERR_INIT;

	memset(r, 0, sizeof(*r));
	err_clear(&r->first_error);
	r->dialect = arr_client_dialect(c);
	if (arr_client_ping(c, &pe) < 0) {
		/*
		 * /ping is not retried.  A 503 (still starting) or 500 there is
		 * judged after the rest: if the retried calls then answer, the app
		 * has come up and the blip says nothing about its health now.
		 */
		if (pe.kind == ERR_STARTING || pe.kind == ERR_SERVER) {
			ping = pe;
		} else {
			note_error(r, &pe);
			/* a dead socket will not answer the rest either */
			if (r->facts.unreachable)
				goto classify;
		}
	}
	err_clear(&pe);
	if (arr_api_version_get(c, r->api_version, sizeof(r->api_version), &pe) < 0) {
		note_error(r, &pe);
		if (r->facts.auth_failed || pe.kind == ERR_NOMEM)
			goto classify;
	}
	err_clear(&pe);
	if (arr_client_detect(c, &r->status, &pe) < 0) {
		note_error(r, &pe);
		goto classify;
	}
	r->facts.answered = 1;
	r->dialect = arr_client_dialect(c);
	arr_probe_check_version(arr_client_app(c), &r->status, r);
	err_clear(&pe);
	if (arr_health_each(c, health_item, r, &pe) < 0)
		note_error(r, &pe);
classify:
	if (ping.kind != ERR_NONE && !r->facts.answered)
		note_error(r, &ping);
	if (pe.kind == ERR_NOMEM)
		return err_set(e, ERR_NOMEM, "%s", pe.msg);
	r->health = arr_probe_classify(&r->facts);
	return 0;
}

void
arr_probe_detail(const struct arr_probe_report *r, char *out, size_t size)
{
	out[0] = '\0';
	if (r->first_error.kind != ERR_NONE) {
		snprintf(out, size, "%s", r->first_error.msg);
		return;
	}
	for (int i = 0; i < r->nitems; i++) {
		if (strcmp(r->items[i].type, "error") == 0 || strcmp(r->items[i].type, "warning") == 0) {
			snprintf(out, size, "%s: %s", r->items[i].source, r->items[i].message);
			return;
		}
	}
	if (r->nwarnings > 0)
		snprintf(out, size, "%s", r->warnings[0]);
}
