/*
 * probe.h - `comradarr connector test` and the periodic health check
 * (Req 1.2-1.4).
 *
 * arr_probe() asks, in order: GET /ping (no key), GET /api, GET
 * {api}/system/status and GET {api}/health, and fills a report: app name,
 * version, API version, a health status, the app's health messages, and
 * warnings when the app is not the configured type or its version is not
 * supported.  The mapping from what was seen to a status is the pure
 * function arr_probe_classify(), so the table is tested without HTTP.
 */
#ifndef COMRADARR_ARR_PROBE_H
#define COMRADARR_ARR_PROBE_H

#include "arr/client.h"
#include "arr/model.h"
#include "core/err.h"

enum arr_health {
	ARR_HEALTH_HEALTHY = 0,	/* answers, no warning/error health entries */
	ARR_HEALTH_DEGRADED,	/* answers, with warning or error entries */
	ARR_HEALTH_UNHEALTHY,	/* key refused, or the app keeps failing (5xx) */
	ARR_HEALTH_OFFLINE	/* cannot connect at all */
};

/* What the probe saw; the input of arr_probe_classify. */
struct arr_probe_facts {
	int unreachable;	/* a transport error (refused, DNS, timeout, TLS) */
	int auth_failed;	/* 401/403 */
	int server_errors;	/* requests that got 5xx (after retries) */
	int answered;		/* system/status answered and parsed */
	int health_warnings;	/* health entries of type warning */
	int health_errors;	/* health entries of type error */
};

#define ARR_PROBE_MAX_HEALTH 32
#define ARR_PROBE_MAX_WARNINGS 4

struct arr_probe_report {
	enum arr_health health;
	struct arr_probe_facts facts;
	struct arr_system_status status;	/* when facts.answered */
	char api_version[16];			/* "v3" */
	enum arr_dialect dialect;
	struct arr_health_item items[ARR_PROBE_MAX_HEALTH];
	int nitems;		/* kept; more are counted in facts only */
	char warnings[ARR_PROBE_MAX_WARNINGS][256];
	int nwarnings;
	struct err first_error;	/* the first failure seen, kind ERR_NONE if none */
};

/* Pure: the table of Req 1.4.  "Repeated 5xx" means two or more. */
enum arr_health arr_probe_classify(const struct arr_probe_facts *f);
/* "healthy", "degraded", "unhealthy", "offline". */
const char *arr_health_name(enum arr_health h);

/*
 * Pure: warnings about what the app says it is, appended to r->warnings:
 * another app than configured, Sonarr < 4, Radarr older than the wanted
 * endpoints (5.6.0.8846), a Whisparr major other than 2 or 3.
 */
void arr_probe_check_version(enum arr_app configured,
			     const struct arr_system_status *st,
			     struct arr_probe_report *r);

/*
 * Pure: the one-line detail stored with a connector's health, the same
 * text whoever probed (the health check, `comradarr connector test`): the
 * first failure, else the app's first error or warning, else the first
 * version warning; "" when there is nothing to say.
 */
void arr_probe_detail(const struct arr_probe_report *r, char *out, size_t size);

/*
 * Run the probe.  Returns 0 whenever a report was made (even "offline":
 * the report is the answer), -1 only when memory ran out.  Sets the
 * client's dialect from system/status.
 */
int arr_probe(struct arr_client *c, struct arr_probe_report *r, struct err *e);

#endif
