#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "arr/app.h"
#include "arr/page.h"
#include "arr/parse.h"
#include "arr/whisparr.h"
#include "core/log.h"
#include "core/banned.h"

static const char *const app_names[] = {
	[ARR_APP_UNKNOWN] = "unknown",
	[ARR_APP_SONARR] = "sonarr",
	[ARR_APP_RADARR] = "radarr",
	[ARR_APP_WHISPARR] = "whisparr",
	[ARR_APP_PROWLARR] = "prowlarr",
};

enum arr_app
arr_app_from_name(const char *name)
{
	if (name == NULL)
		return ARR_APP_UNKNOWN;
	for (int i = ARR_APP_SONARR; i <= ARR_APP_PROWLARR; i++)
		if (strcasecmp(name, app_names[i]) == 0)
			return (enum arr_app)i;
	return ARR_APP_UNKNOWN;
}

const char *
arr_app_name(enum arr_app app)
{
	if ((int)app < 0 || app > ARR_APP_PROWLARR)
		return "unknown";
	return app_names[app];
}

int
arr_dialect_from_status(const struct arr_system_status *st,
			enum arr_dialect *out, struct err *e)
{
	switch (arr_app_from_name(st->app_name)) {
	case ARR_APP_SONARR:
		*out = ARR_DIALECT_SONARR;
		return 0;
	case ARR_APP_RADARR:
		*out = ARR_DIALECT_RADARR;
		return 0;
	case ARR_APP_WHISPARR:
		/* both builds say "Whisparr": v2 is Sonarr's code, v3 Radarr's */
		*out = arr_whisparr_dialect(st->version_parts[0]);
		return 0;
	case ARR_APP_PROWLARR:
		*out = ARR_DIALECT_PROWLARR;
		return 0;
	default:
		return err_set(e, ERR_PARSE, "the app calls itself '%s', which is "
			       "not Sonarr, Radarr, Whisparr or Prowlarr; check "
			       "the connector URL", st->app_name);
	}
}

int
arr_system_status_get(struct arr_client *c, struct arr_system_status *out,
		      struct err *e)
{
	char path[64];
	json_t *j = NULL;
	int ret = -1, rc;

	snprintf(path, sizeof(path), "%s/system/status", arr_client_api(c));
	if (arr_client_get_json(c, path, &j, e) < 0)
		goto out;
	rc = arr_system_status_parse(j, out, e);
	if (rc < 0)
		goto out;
	if (rc == ARR_SKIPPED) {
		err_set(e, ERR_PARSE, "'GET %s' did not name the app and its "
			"version; is the URL an *arr app?", path);
		goto out;
	}
	ret = 0;
out:
	json_decref(j);
	return ret;
}

int
arr_client_detect(struct arr_client *c, struct arr_system_status *out,
		  struct err *e)
{
	enum arr_dialect d;

	if (arr_system_status_get(c, out, e) < 0 ||
	    arr_dialect_from_status(out, &d, e) < 0)
		return -1;
	arr_client_set_dialect(c, d);
	return 0;
}

int
arr_api_version_get(struct arr_client *c, char *out, size_t size, struct err *e)
{
	json_t *j = NULL;
	int ret = -1;

	if (arr_client_get_json(c, "/api", &j, e) < 0)
		goto out;
	if (arr_api_info_parse(j, out, size) != ARR_PARSED) {
		err_set(e, ERR_PARSE, "'GET /api' did not say the current API "
			"version; is the URL an *arr app?");
		goto out;
	}
	ret = 0;
out:
	json_decref(j);
	return ret;
}

/* Adapters: parse one element, pass the struct on, count skips. */
struct each {
	void (*fn)(void);
	void *arg;
	unsigned long skipped;
};

static int
health_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_health_item h;
	int rc = arr_health_item_parse(j, &h, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return ((arr_health_fn)a->fn)(&h, a->arg, e);
}

static int
profile_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_quality_profile p;
	int rc = arr_quality_profile_parse(j, &p, e);

	if (rc == ARR_PARSED)
		rc = ((arr_quality_profile_fn)a->fn)(&p, a->arg, e);
	else
		a->skipped += rc == ARR_SKIPPED;
	arr_quality_profile_release(&p);
	return rc < 0 ? -1 : 0;
}

static int
history_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_history h;
	int rc = arr_history_parse(j, &h, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return ((arr_history_fn)a->fn)(&h, a->arg, e);
}

static int
queue_el(json_t *j, void *arg, struct err *e)
{
	struct each *a = arg;
	struct arr_queue_item q;
	int rc = arr_queue_item_parse(j, &q, e);

	if (rc != ARR_PARSED) {
		a->skipped += rc == ARR_SKIPPED;
		return rc < 0 ? -1 : 0;
	}
	return ((arr_queue_fn)a->fn)(&q, a->arg, e);
}

static int
each_done(const char *what, const struct each *a, int rc)
{
	if (a->skipped > 0)
		log_warn("arr", "%s: %lu malformed records skipped", what, a->skipped);
	return rc;
}

int
arr_health_each(struct arr_client *c, arr_health_fn fn, void *arg, struct err *e)
{
	struct each a = { (void (*)(void))fn, arg, 0 };
	char path[64];

	snprintf(path, sizeof(path), "%s/health", arr_client_api(c));
	return each_done(path, &a, arr_client_get_each(c, path, health_el, &a, e));
}

int
arr_quality_profile_each(struct arr_client *c, arr_quality_profile_fn fn,
			 void *arg, struct err *e)
{
	struct each a = { (void (*)(void))fn, arg, 0 };
	char path[64];

	snprintf(path, sizeof(path), "%s/qualityprofile", arr_client_api(c));
	return each_done(path, &a, arr_client_get_each(c, path, profile_el, &a, e));
}

int
arr_history_since(struct arr_client *c, int64_t since_us, const char *event_type,
		  arr_history_fn fn, void *arg, struct err *e)
{
	struct each a = { (void (*)(void))fn, arg, 0 };
	char path[160], date[32];
	time_t t = (time_t)(since_us / 1000000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return err_set(e, ERR_USAGE, "history since %lld: not a date",
			       (long long)since_us);
	snprintf(path, sizeof(path), "%s/history/since?date=%s%s%s",
		 arr_client_api(c), date, event_type ? "&eventType=" : "",
		 event_type ? event_type : "");
	return each_done(path, &a, arr_client_get_each(c, path, history_el, &a, e));
}

int
arr_queue_each(struct arr_client *c, arr_queue_fn fn, void *arg, struct err *e)
{
	struct each a = { (void (*)(void))fn, arg, 0 };
	char path[64];
	struct arr_page_query q = { path, NULL, "timeleft", "ascending", 0 };

	snprintf(path, sizeof(path), "%s/queue", arr_client_api(c));
	return each_done(path, &a, arr_page_each(c, &q, queue_el, &a, e));
}
