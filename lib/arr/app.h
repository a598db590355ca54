/*
 * app.h - what every *arr app serves the same way: discovery (system/status,
 * /api), health, quality profiles, history and the download queue; and the
 * choice of dialect from what the app says it is.
 *
 * List functions stream (client.h) and parse (parse.h) each element, and
 * call fn with a struct that lives only during the call; records the parser
 * skips (Req 27.8) are logged (one warning each, then a count) and not passed on.
 */
#ifndef COMRADARR_ARR_APP_H
#define COMRADARR_ARR_APP_H

#include <stdint.h>

#include "arr/client.h"
#include "arr/model.h"
#include "core/err.h"

/* "Sonarr" (any case) -> ARR_APP_SONARR; unknown -> ARR_APP_UNKNOWN. */
enum arr_app arr_app_from_name(const char *name);
/* ARR_APP_SONARR -> "sonarr". */
const char *arr_app_name(enum arr_app app);

/*
 * The dialect an app speaks, from its appName and version: Whisparr 2 is
 * Sonarr-like, Whisparr 3 (and later) Radarr-like.  Pure.  Returns -1 with
 * ERR_PARSE for an appName this client does not know.
 */
int arr_dialect_from_status(const struct arr_system_status *st,
			    enum arr_dialect *out, struct err *e);

/* GET {api}/system/status. */
int arr_system_status_get(struct arr_client *c, struct arr_system_status *out,
			  struct err *e);
/* GET system/status and set the client's dialect from it. */
int arr_client_detect(struct arr_client *c, struct arr_system_status *out,
		      struct err *e);
/* GET /api -> "v3" (Sonarr v5: "v5"). */
int arr_api_version_get(struct arr_client *c, char *out, size_t size,
			struct err *e);

typedef int (*arr_health_fn)(const struct arr_health_item *h, void *arg,
			     struct err *e);
typedef int (*arr_quality_profile_fn)(const struct arr_quality_profile *p,
				      void *arg, struct err *e);
typedef int (*arr_history_fn)(const struct arr_history *h, void *arg,
			      struct err *e);
typedef int (*arr_queue_fn)(const struct arr_queue_item *q, void *arg,
			    struct err *e);

int arr_health_each(struct arr_client *c, arr_health_fn fn, void *arg,
		    struct err *e);
int arr_quality_profile_each(struct arr_client *c, arr_quality_profile_fn fn,
			     void *arg, struct err *e);

/*
 * GET {api}/history/since?date=<since>&eventType=<event_type> (event_type
 * may be NULL for every kind; "grabbed" to learn what a search grabbed).
 */
int arr_history_since(struct arr_client *c, int64_t since_us,
		      const char *event_type, arr_history_fn fn, void *arg,
		      struct err *e);

/* Every record of the paged {api}/queue. */
int arr_queue_each(struct arr_client *c, arr_queue_fn fn, void *arg,
		   struct err *e);

#endif
